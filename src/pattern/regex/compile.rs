//! Compilation of the syntax tree to an NFA program for the Pike VM: counted repetition is
//! unrolled, iterations that may match empty are guarded, and lookaheads are compiled mirrored
//! so they can run right to left.

use crate::pattern::regex::case::canonicalize;
use crate::pattern::regex::class::ClassSet;
use crate::pattern::regex::parse::{AssertKind, Node, RxError};

#[derive(Debug, Clone, Copy)]
pub(super) enum Inst {
    /// Matches one character whose canonical form is this.
    Char(char),
    Class(u32),
    /// Tries the first target before the second.
    Split(u32, u32),
    Jmp(u32),
    Save(u32),
    /// Resets the capture slots `lo..hi`: JS forgets captures of a quantified group at the start
    /// of each iteration.
    Clear(u32, u32),
    /// Enters an optional iteration whose body can match empty.
    Mark,
    /// Leaves that iteration; fails unless a character was consumed since `Mark`, as JS
    /// rejects an empty iteration beyond the minimum count.
    Check,
    Assert(AssertKind),
    Around(u32),
    Match,
}

struct Compiler {
    insts: Vec<Inst>,
    ignore_case: bool,
    /// Instructions still allowed, shared by the main program and every lookaround.
    budget: usize,
}

pub(super) fn as_pc(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Compiler {
    fn pc(&self) -> u32 {
        as_pc(self.insts.len())
    }

    fn emit(&mut self, inst: Inst) -> Result<u32, RxError> {
        if self.budget == 0 {
            return Err(RxError::Unsupported(
                "patterns that compile to more than 20000 steps",
            ));
        }
        self.budget -= 1;
        self.insts.push(inst);
        Ok(self.pc() - 1)
    }

    fn patch(&mut self, at: u32, inst: Inst) {
        if let Some(slot) = self.insts.get_mut(at as usize) {
            *slot = inst;
        }
    }

    fn compile(&mut self, node: &Node) -> Result<(), RxError> {
        match node {
            Node::Empty => {}
            Node::Char(c) => {
                let c = if self.ignore_case {
                    canonicalize(*c)
                } else {
                    *c
                };
                self.emit(Inst::Char(c))?;
            }
            Node::Class(i) => {
                self.emit(Inst::Class(*i))?;
            }
            Node::Seq(items) => {
                for item in items {
                    self.compile(item)?;
                }
            }
            Node::Alt(alternatives) => {
                let mut exits = Vec::new();
                let count = alternatives.len();
                for (k, alternative) in alternatives.iter().enumerate() {
                    if k + 1 == count {
                        self.compile(alternative)?;
                        break;
                    }
                    let split = self.emit(Inst::Split(0, 0))?;
                    self.compile(alternative)?;
                    exits.push(self.emit(Inst::Jmp(0))?);
                    let next = self.pc();
                    self.patch(split, Inst::Split(split + 1, next));
                }
                let end = self.pc();
                for exit in exits {
                    self.patch(exit, Inst::Jmp(end));
                }
            }
            Node::Group(index, body) => {
                let slot = (index - 1) * 2;
                self.emit(Inst::Save(slot))?;
                self.compile(body)?;
                self.emit(Inst::Save(slot + 1))?;
            }
            Node::Assert(kind) => {
                self.emit(Inst::Assert(*kind))?;
            }
            Node::Around(i) => {
                self.emit(Inst::Around(*i))?;
            }
            Node::Repeat {
                body,
                min,
                max,
                greedy,
            } => self.repeat(body, *min, *max, *greedy)?,
        }
        Ok(())
    }

    fn iteration(
        &mut self,
        body: &Node,
        clear: Option<(u32, u32)>,
        guard: bool,
    ) -> Result<(), RxError> {
        if guard {
            self.emit(Inst::Mark)?;
        }
        if let Some((lo, hi)) = clear {
            self.emit(Inst::Clear((lo - 1) * 2, hi * 2))?;
        }
        self.compile(body)?;
        if guard {
            self.emit(Inst::Check)?;
        }
        Ok(())
    }

    fn repeat(
        &mut self,
        body: &Node,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    ) -> Result<(), RxError> {
        let clear = group_span(body);
        for _ in 0..min {
            self.iteration(body, clear, false)?;
        }
        // JS refuses an iteration beyond the minimum that matches empty. Guarding such
        // iterations also tells apart, within one position, a loop state reached by a new
        // iteration from the same state of the iteration still running (JS explores the new one
        // first), and leaves the epsilon graph without cycles, where first-visit order is exact.
        let guard = nullable(body);
        let split = |body_pc: u32, exit: u32| {
            if greedy {
                Inst::Split(body_pc, exit)
            } else {
                Inst::Split(exit, body_pc)
            }
        };
        match max {
            None => {
                let head = self.emit(Inst::Split(0, 0))?;
                self.iteration(body, clear, guard)?;
                self.emit(Inst::Jmp(head))?;
                let exit = self.pc();
                self.patch(head, split(head + 1, exit));
            }
            Some(max) => {
                let mut heads = Vec::new();
                for _ in min..max {
                    heads.push(self.emit(Inst::Split(0, 0))?);
                    self.iteration(body, clear, guard)?;
                }
                let exit = self.pc();
                for head in heads {
                    self.patch(head, split(head + 1, exit));
                }
            }
        }
        Ok(())
    }
}

/// Whether `node` can match the empty string.
fn nullable(node: &Node) -> bool {
    match node {
        Node::Char(_) | Node::Class(_) => false,
        Node::Seq(items) => items.iter().all(nullable),
        Node::Alt(items) => items.iter().any(nullable),
        Node::Repeat { body, min, .. } => *min == 0 || nullable(body),
        Node::Group(_, body) => nullable(body),
        Node::Empty | Node::Assert(_) | Node::Around(_) => true,
    }
}

/// The lowest and highest capture group inside `node`.
fn group_span(node: &Node) -> Option<(u32, u32)> {
    let merge = |a: Option<(u32, u32)>, b: Option<(u32, u32)>| match (a, b) {
        (Some((l1, h1)), Some((l2, h2))) => Some((l1.min(l2), h1.max(h2))),
        (a, None) => a,
        (None, b) => b,
    };
    match node {
        Node::Group(i, body) => merge(Some((*i, *i)), group_span(body)),
        Node::Seq(items) | Node::Alt(items) => items.iter().map(group_span).fold(None, merge),
        Node::Repeat { body, .. } => group_span(body),
        _ => None,
    }
}

/// The mirror image of `node`, so a lookahead can be evaluated right to left.
pub(super) fn reverse(node: Node) -> Node {
    match node {
        Node::Seq(items) => Node::Seq(items.into_iter().rev().map(reverse).collect()),
        Node::Alt(items) => Node::Alt(items.into_iter().map(reverse).collect()),
        Node::Repeat {
            body,
            min,
            max,
            greedy,
        } => Node::Repeat {
            body: Box::new(reverse(*body)),
            min,
            max,
            greedy,
        },
        Node::Group(i, body) => Node::Group(i, Box::new(reverse(*body))),
        other => other,
    }
}

pub(super) fn compile_program(
    node: &Node,
    budget: &mut usize,
    ignore_case: bool,
) -> Result<Vec<Inst>, RxError> {
    let mut compiler = Compiler {
        insts: Vec::new(),
        ignore_case,
        budget: *budget,
    };
    compiler.compile(node)?;
    compiler.emit(Inst::Match)?;
    *budget = compiler.budget;
    Ok(compiler.insts)
}

/// A compiled regex, as the VM runs it ([`Program::exec`] is in `vm.rs`).
#[derive(Debug)]
pub(super) struct Program {
    pub(super) prog: Vec<Inst>,
    pub(super) classes: Vec<ClassSet>,
    pub(super) arounds: Vec<Around>,
    pub(super) groups: u32,
    /// Starts with `^`, so only position 0 can begin a match.
    pub(super) anchored: bool,
}

#[derive(Debug)]
pub(super) struct Around {
    /// Lookaheads run their mirrored body right to left; lookbehinds run forward.
    pub(super) ahead: bool,
    pub(super) negate: bool,
    pub(super) prog: Vec<Inst>,
}

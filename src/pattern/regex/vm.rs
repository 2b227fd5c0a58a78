//! The Pike VM: runs a [`Program`] over the input in one pass, so matching stays linear in the
//! path length whatever the pattern, while thread priorities make the captured values equal
//! those of JS's backtracking engine. Lookarounds are evaluated first, one pass each, into
//! per-position tables.

use crate::pattern::regex::case::canonicalize;
use crate::pattern::regex::class::ClassSet;
use crate::pattern::regex::compile::{as_pc, Around, Inst, Program};
use crate::pattern::regex::parse::AssertKind;

impl Program {
    /// Runs the Pike VM; the capture slots of the match JS would report, or (without
    /// `want_captures`) an empty vector as soon as any match is certain.
    pub(super) fn exec(&self, input: &Input, want_captures: bool) -> Option<Vec<Option<usize>>> {
        let mut tables: Vec<Vec<bool>> = Vec::with_capacity(self.arounds.len());
        for around in &self.arounds {
            let table = {
                let ctx = Ctx {
                    input,
                    classes: &self.classes,
                    tables: &tables,
                };
                ctx.around_table(around)
            };
            tables.push(table);
        }
        let ctx = Ctx {
            input,
            classes: &self.classes,
            tables: &tables,
        };
        let slots = if want_captures {
            self.groups as usize * 2
        } else {
            0
        };
        let len = self.prog.len();
        let mut current = Threads::new(len, slots);
        let mut next = Threads::new(len, slots);
        let mut caps: Vec<Option<usize>> = vec![None; slots];
        let mut stack = Vec::new();
        let mut matched: Option<Vec<Option<usize>>> = None;
        let end = input.chars.len();
        let mut pos = 0;
        loop {
            if matched.is_none() && (pos == 0 || !self.anchored) {
                // Later starts have lower priority: JS reports the leftmost match.
                caps.iter_mut().for_each(|c| *c = None);
                ctx.add_thread(&self.prog, &mut current, &mut stack, &mut caps, 0, pos);
            }
            if current.set.dense.is_empty() && (matched.is_some() || self.anchored) {
                break;
            }
            next.clear();
            for &pc in &current.set.dense {
                match self.prog.get(pc as usize) {
                    Some(Inst::Match) => {
                        if !want_captures {
                            return Some(Vec::new());
                        }
                        matched = Some(current.caps(pc).to_vec());
                        // Lower-priority threads can no longer win.
                        break;
                    }
                    Some(inst) if ctx.consumes(inst, pos) => {
                        for (dst, src) in caps.iter_mut().zip(current.caps(pc)) {
                            *dst = *src;
                        }
                        ctx.add_thread(
                            &self.prog,
                            &mut next,
                            &mut stack,
                            &mut caps,
                            pc + 1,
                            pos + 1,
                        );
                    }
                    _ => {}
                }
            }
            if pos >= end {
                break;
            }
            std::mem::swap(&mut current, &mut next);
            pos += 1;
        }
        matched
    }
}

/// The path to match, as JS's regex engine sees it (one entry per character).
pub(crate) struct Input {
    ignore_case: bool,
    chars: Vec<char>,
    /// Canonical (upper) case of each character, for the `i` flag.
    folded: Vec<char>,
    /// Byte offset of each character in the original string, plus its length.
    pub(crate) offsets: Vec<usize>,
}

impl Input {
    pub(crate) fn new(text: &str) -> Input {
        Input::with_case(text, true)
    }

    pub(crate) fn with_case(text: &str, ignore_case: bool) -> Input {
        let mut chars = Vec::with_capacity(text.len());
        let mut offsets = Vec::with_capacity(text.len() + 1);
        for (at, c) in text.char_indices() {
            chars.push(c);
            offsets.push(at);
        }
        offsets.push(text.len());
        let folded = if ignore_case {
            chars.iter().map(|&c| canonicalize(c)).collect()
        } else {
            chars.clone()
        };
        Input {
            ignore_case,
            chars,
            folded,
            offsets,
        }
    }
}

struct SparseSet {
    dense: Vec<u32>,
    sparse: Vec<u32>,
}

impl SparseSet {
    fn new(capacity: usize) -> SparseSet {
        SparseSet {
            dense: Vec::with_capacity(capacity),
            sparse: vec![0; capacity],
        }
    }

    /// An out-of-range member counts as present, so it is never explored.
    fn contains(&self, x: u32) -> bool {
        match self.sparse.get(x as usize) {
            Some(&i) => self.dense.get(i as usize) == Some(&x),
            None => true,
        }
    }

    fn insert(&mut self, x: u32) {
        if let Some(slot) = self.sparse.get_mut(x as usize) {
            *slot = as_pc(self.dense.len());
            self.dense.push(x);
        }
    }
}

/// A thread list in priority order, with the capture slots of each thread.
struct Threads {
    /// Consuming (or matching) states, in priority order.
    set: SparseSet,
    /// Epsilon states already explored at this position, keyed by `pc * 2 + fresh`: whether a
    /// guarded iteration was entered without consuming decides what lies ahead, so the two
    /// variants of a state are explored separately.
    seen: SparseSet,
    slots: usize,
    caps: Vec<Option<usize>>,
}

impl Threads {
    fn new(len: usize, slots: usize) -> Threads {
        Threads {
            set: SparseSet::new(len),
            seen: SparseSet::new(len * 2),
            slots,
            caps: vec![None; len * slots],
        }
    }

    fn clear(&mut self) {
        self.set.dense.clear();
        self.seen.dense.clear();
    }

    fn caps(&self, pc: u32) -> &[Option<usize>] {
        let from = pc as usize * self.slots;
        self.caps.get(from..from + self.slots).unwrap_or_default()
    }

    fn store(&mut self, pc: u32, caps: &[Option<usize>]) {
        let from = pc as usize * self.slots;
        if let Some(dst) = self.caps.get_mut(from..from + self.slots) {
            for (d, s) in dst.iter_mut().zip(caps) {
                *d = *s;
            }
        }
    }
}

enum Frame {
    /// A state to explore; the flag tells whether the innermost guarded iteration was entered
    /// at this position (nothing consumed since its `Mark`).
    Explore(u32, bool),
    Restore(u32, Option<usize>),
}

struct Ctx<'a> {
    input: &'a Input,
    classes: &'a [ClassSet],
    /// Truth value of each (already evaluated) lookaround at every position.
    tables: &'a [Vec<bool>],
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
}

impl Ctx<'_> {
    fn assert(&self, kind: AssertKind, pos: usize) -> bool {
        let chars = &self.input.chars;
        match kind {
            AssertKind::Start => pos == 0,
            AssertKind::End => pos == chars.len(),
            AssertKind::WordBoundary | AssertKind::NotWordBoundary => {
                let before = pos.checked_sub(1).and_then(|p| chars.get(p));
                let boundary = is_word(before) != is_word(chars.get(pos));
                boundary == (kind == AssertKind::WordBoundary)
            }
        }
    }

    fn around(&self, i: u32, pos: usize) -> bool {
        self.tables
            .get(i as usize)
            .and_then(|t| t.get(pos))
            .copied()
            .unwrap_or(false)
    }

    /// Whether `inst` consumes the character at index `at`.
    fn consumes(&self, inst: &Inst, at: usize) -> bool {
        match inst {
            Inst::Char(c) => self.input.folded.get(at) == Some(c),
            Inst::Class(k) => match (self.input.chars.get(at), self.classes.get(*k as usize)) {
                (Some(&c), Some(class)) => class.matches(c, self.input.ignore_case),
                _ => false,
            },
            _ => false,
        }
    }

    /// Follows the epsilon edges from `pc` in priority order, adding every consuming (or
    /// matching) state reached to `list` with the captures on the path that reached it first.
    fn add_thread(
        &self,
        prog: &[Inst],
        list: &mut Threads,
        stack: &mut Vec<Frame>,
        caps: &mut [Option<usize>],
        pc: u32,
        pos: usize,
    ) {
        // A thread resumes right after consuming a character (or at a fresh start).
        stack.push(Frame::Explore(pc, false));
        while let Some(frame) = stack.pop() {
            let (pc, fresh) = match frame {
                Frame::Restore(slot, value) => {
                    if let Some(c) = caps.get_mut(slot as usize) {
                        *c = value;
                    }
                    continue;
                }
                Frame::Explore(pc, fresh) => (pc, fresh),
            };
            let Some(inst) = prog.get(pc as usize) else {
                continue;
            };
            if let Inst::Char(_) | Inst::Class(_) | Inst::Match = inst {
                // Past a consuming state every variant has the same future: first one wins.
                if !list.set.contains(pc) {
                    list.set.insert(pc);
                    list.store(pc, caps);
                }
                continue;
            }
            let key = pc.saturating_mul(2) + u32::from(fresh);
            if list.seen.contains(key) {
                continue;
            }
            list.seen.insert(key);
            let next = Frame::Explore(pc + 1, fresh);
            match inst {
                Inst::Jmp(target) => stack.push(Frame::Explore(*target, fresh)),
                Inst::Split(first, second) => {
                    stack.push(Frame::Explore(*second, fresh));
                    stack.push(Frame::Explore(*first, fresh));
                }
                Inst::Save(slot) => {
                    if let Some(c) = caps.get_mut(*slot as usize) {
                        stack.push(Frame::Restore(*slot, *c));
                        *c = Some(pos);
                    }
                    stack.push(next);
                }
                Inst::Clear(lo, hi) => {
                    for slot in *lo..*hi {
                        if let Some(c) = caps.get_mut(slot as usize) {
                            stack.push(Frame::Restore(slot, *c));
                            *c = None;
                        }
                    }
                    stack.push(next);
                }
                Inst::Mark => stack.push(Frame::Explore(pc + 1, true)),
                // Nested guarded iterations open and close in order, and consuming clears them
                // all, so one flag for the innermost is enough: leaving it means not fresh.
                Inst::Check if !fresh => stack.push(next),
                Inst::Assert(kind) if self.assert(*kind, pos) => stack.push(next),
                Inst::Around(i) if self.around(*i, pos) => stack.push(next),
                _ => {}
            }
        }
    }

    /// Epsilon closure without captures or priorities, for lookaround bodies.
    fn closure(
        &self,
        prog: &[Inst],
        set: &mut SparseSet,
        stack: &mut Vec<u32>,
        pc: u32,
        pos: usize,
    ) {
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if set.contains(pc) {
                continue;
            }
            set.insert(pc);
            match prog.get(pc as usize) {
                Some(Inst::Jmp(target)) => stack.push(*target),
                Some(Inst::Split(first, second)) => {
                    stack.push(*second);
                    stack.push(*first);
                }
                // Whether a match exists does not depend on empty iterations being refused.
                Some(Inst::Save(_) | Inst::Clear(..) | Inst::Mark | Inst::Check) => {
                    stack.push(pc + 1)
                }
                Some(Inst::Assert(kind)) if self.assert(*kind, pos) => stack.push(pc + 1),
                Some(Inst::Around(i)) if self.around(*i, pos) => stack.push(pc + 1),
                _ => {}
            }
        }
    }

    /// Evaluates a lookaround at every position in one pass, which keeps matching linear. A
    /// lookahead holds at `p` when its body matches some `input[p..q]`: run the mirrored body
    /// from the end towards the start, starting a fresh thread at every position. A lookbehind
    /// is the same run forward.
    fn around_table(&self, around: &Around) -> Vec<bool> {
        let prog = &around.prog;
        let accept = as_pc(prog.len().saturating_sub(1));
        let end = self.input.chars.len();
        let mut table = vec![false; end + 1];
        let mut current = SparseSet::new(prog.len());
        let mut next = SparseSet::new(prog.len());
        let mut stack = Vec::new();
        let mut pos = if around.ahead { end } else { 0 };
        loop {
            self.closure(prog, &mut current, &mut stack, 0, pos);
            if let Some(t) = table.get_mut(pos) {
                *t = current.contains(accept) != around.negate;
            }
            let (at, to) = if around.ahead {
                match pos.checked_sub(1) {
                    Some(p) => (p, p),
                    None => break,
                }
            } else if pos < end {
                (pos, pos + 1)
            } else {
                break;
            };
            next.dense.clear();
            for &pc in &current.dense {
                if let Some(inst) = prog.get(pc as usize) {
                    if self.consumes(inst, at) {
                        self.closure(prog, &mut next, &mut stack, pc + 1, to);
                    }
                }
            }
            std::mem::swap(&mut current, &mut next);
            pos = to;
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::regex::Regex;
    use crate::pattern::tests::compile;

    #[test]
    fn quantified_group_forgets_old_captures() {
        // The VM honours JS's per-iteration capture reset even though path-to-regexp never
        // puts a capture inside a quantifier by itself.
        let re = Regex::new("^(?:(a)|b)*$").unwrap();
        let input = Input::new("ab");
        assert_eq!(re.exec(&input, true), Some(vec![None, None]));
        let re = Regex::new("^(?:(a)|b)*$").unwrap();
        let input = Input::new("ba");
        assert_eq!(re.exec(&input, true), Some(vec![Some(1), Some(2)]));
        let unanchored = Regex::new("b(c)").unwrap();
        assert_eq!(
            unanchored.exec(&Input::new("abcbc"), true),
            Some(vec![Some(2), Some(3)])
        );
    }

    #[test]
    fn hostile_paths_run_in_linear_time() {
        // Each of these is valid in path-to-regexp; V8 needs ~20 s for the second one on a
        // 4 000-character path and does not finish the later ones in minutes.
        let cases: [(&str, &str); 8] = [
            ("/:a*/:b*/x(.*)y", "/a/xzy"),
            ("/(.*)(.*)(.*)x", "/ax"),
            ("/((?:a|/a|/)*)*z", "/a/a/a/z"),
            ("/((?!.*\\..*|_next).*)x", "/a/ax"),
            ("{/:a(a*)}*{/:b((?:/a)+)}+z", "/aa//az"),
            ("/:p((?:(?:/?a)*)*)+!", "/a!"),
            ("/(.*)-:b(.*)-(.*)", "/a-b-c"),
            ("/:a(.*)/:b(.*)/:c(.*)/:d(.*)q", "/a/b/c/dq"),
        ];
        let started = std::time::Instant::now();
        let hostile = "/a".repeat(100_000);
        for (pattern, matching) in cases {
            let p = compile(pattern);
            assert!(p.is_match(matching), "{pattern} {matching}");
            assert!(p.captures(matching).is_some(), "{pattern} {matching}");
            assert!(!p.is_match(&hostile), "{pattern}");
            assert_eq!(p.captures(&hostile), None, "{pattern}");
        }
        let long_ok = compile("/:a*");
        assert_eq!(
            long_ok.captures(&hostile).map(|c| c.len()),
            Some(1),
            "a 100 000-segment match"
        );
        let dash = format!("/{}", "a-".repeat(50_000));
        assert!(!compile("/:a-:b-:c").is_match(&dash));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "took {:?}",
            started.elapsed()
        );
    }
}

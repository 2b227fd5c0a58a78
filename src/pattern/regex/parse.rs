//! The regex parser: source text to a syntax tree ([`Node`]), with character classes and
//! lookaround bodies set aside by number. It follows the Annex B grammar JS uses without the `u`
//! flag and fails with V8's `SyntaxError` texts, or a clear "not supported" for what we refuse.

use crate::pattern::regex::class::{
    complement, normalize_ranges, ClassSet, DIGIT, LINE_TERMINATORS, SPACE, WORD,
};

/// Keeps the recursive parser, compiler and `Drop` of the syntax tree far from any stack limit.
const MAX_NESTING: u32 = 64;
/// Bounds `{n,m}` expansion so a pattern cannot blow up the program.
const MAX_REPEAT: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AssertKind {
    Start,
    End,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug)]
pub(super) enum Node {
    Empty,
    Char(char),
    Class(u32),
    Seq(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        body: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
    /// A capture group, numbered from 1.
    Group(u32, Box<Node>),
    Assert(AssertKind),
    /// A lookaround, evaluated as a precomputed per-position predicate.
    Around(u32),
}

pub(super) enum RxError {
    /// JS throws a `SyntaxError` with this text.
    Syntax(&'static str),
    /// JS may accept it; we do not.
    Unsupported(&'static str),
}

enum ClassAtom {
    Char(char),
    Set(&'static [(u32, u32)], bool),
}

pub(super) struct AroundDef {
    pub(super) ahead: bool,
    pub(super) negate: bool,
    pub(super) body: Node,
}

pub(super) struct RxParser<'a> {
    src: &'a [char],
    pub(super) pos: usize,
    pub(super) groups: u32,
    pub(super) classes: Vec<ClassSet>,
    pub(super) arounds: Vec<AroundDef>,
    depth: u32,
    around_depth: u32,
}

impl RxParser<'_> {
    pub(super) fn new(src: &[char]) -> RxParser<'_> {
        RxParser {
            src,
            pos: 0,
            groups: 0,
            classes: Vec::new(),
            arounds: Vec::new(),
            depth: 0,
            around_depth: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.src.get(self.pos + offset).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn add_class(&mut self, ranges: Vec<(u32, u32)>, negated: bool) -> Node {
        self.classes.push(ClassSet {
            ranges: normalize_ranges(ranges),
            negated,
        });
        Node::Class(u32::try_from(self.classes.len() - 1).unwrap_or(u32::MAX))
    }

    pub(super) fn disjunction(&mut self) -> Result<Node, RxError> {
        let mut alternatives = vec![self.alternative()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alternatives.push(self.alternative()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alternatives)
        })
    }

    fn alternative(&mut self) -> Result<Node, RxError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            items.push(self.term()?);
        }
        Ok(Node::Seq(items))
    }

    /// A braced quantifier `{n}`, `{n,}` or `{n,m}` starting at the current position:
    /// `(min, max, length)`. Anything else is, by Annex B, literal text.
    fn braced(&self) -> Option<(u64, Option<u64>, usize)> {
        if self.peek() != Some('{') {
            return None;
        }
        let mut len = 1;
        let number = |len: &mut usize| -> Option<u64> {
            let mut value: Option<u64> = None;
            while let Some(d) = self.peek_at(*len).and_then(|c| c.to_digit(10)) {
                value = Some(
                    value
                        .unwrap_or(0)
                        .saturating_mul(10)
                        .saturating_add(d.into()),
                );
                *len += 1;
            }
            value
        };
        let min = number(&mut len)?;
        match self.peek_at(len) {
            Some('}') => Some((min, Some(min), len + 1)),
            Some(',') => {
                len += 1;
                if self.peek_at(len) == Some('}') {
                    return Some((min, None, len + 1));
                }
                let max = number(&mut len)?;
                (self.peek_at(len) == Some('}')).then_some((min, Some(max), len + 1))
            }
            _ => None,
        }
    }

    fn at_quantifier(&self) -> bool {
        matches!(self.peek(), Some('*' | '+' | '?')) || self.braced().is_some()
    }

    /// Reads a quantifier if one follows: `(min, max, greedy)`.
    fn quantifier(&mut self) -> Result<Option<(u32, Option<u32>, bool)>, RxError> {
        let (min, max) = match self.peek() {
            Some('*') => {
                self.pos += 1;
                (0, None)
            }
            Some('+') => {
                self.pos += 1;
                (1, None)
            }
            Some('?') => {
                self.pos += 1;
                (0, Some(1))
            }
            _ => match self.braced() {
                Some((min, max, len)) => {
                    self.pos += len;
                    if max.is_some_and(|m| m < min) {
                        return Err(RxError::Syntax("numbers out of order in {} quantifier"));
                    }
                    let limit = u64::from(MAX_REPEAT);
                    if min > limit || max.is_some_and(|m| m > limit) {
                        return Err(RxError::Unsupported("repetition counts above 1000"));
                    }
                    (
                        u32::try_from(min).unwrap_or(MAX_REPEAT),
                        max.map(|m| u32::try_from(m).unwrap_or(MAX_REPEAT)),
                    )
                }
                None => return Ok(None),
            },
        };
        let greedy = if self.peek() == Some('?') {
            self.pos += 1;
            false
        } else {
            true
        };
        Ok(Some((min, max, greedy)))
    }

    fn assertion(&self, kind: AssertKind) -> Result<Node, RxError> {
        if self.at_quantifier() {
            return Err(RxError::Syntax("Nothing to repeat"));
        }
        Ok(Node::Assert(kind))
    }

    fn term(&mut self) -> Result<Node, RxError> {
        let Some(c) = self.bump() else {
            return Ok(Node::Empty);
        };
        let atom = match c {
            '^' => return self.assertion(AssertKind::Start),
            '$' => return self.assertion(AssertKind::End),
            '\\' => match self.peek() {
                None => return Err(RxError::Syntax("\\ at end of pattern")),
                Some('b') => {
                    self.pos += 1;
                    return self.assertion(AssertKind::WordBoundary);
                }
                Some('B') => {
                    self.pos += 1;
                    return self.assertion(AssertKind::NotWordBoundary);
                }
                Some(_) => self.atom_escape()?,
            },
            '(' => match self.group()? {
                GroupKind::Atom(node) => node,
                GroupKind::LookAhead(node) => {
                    // Annex B lets a lookahead be quantified: zero-width, so it either holds
                    // once or may be skipped.
                    return Ok(match self.quantifier()? {
                        Some((0, _, _)) => Node::Empty,
                        _ => node,
                    });
                }
                GroupKind::LookBehind(node) => {
                    if self.at_quantifier() {
                        return Err(RxError::Syntax("Invalid quantifier"));
                    }
                    return Ok(node);
                }
            },
            '.' => self.add_class(LINE_TERMINATORS.to_vec(), true),
            '[' => self.class()?,
            '*' | '+' | '?' => return Err(RxError::Syntax("Nothing to repeat")),
            '{' => {
                self.pos -= 1;
                if self.braced().is_some() {
                    return Err(RxError::Syntax("Nothing to repeat"));
                }
                self.pos += 1;
                Node::Char('{')
            }
            ')' => return Err(RxError::Syntax("Unmatched ')'")),
            other => Node::Char(other),
        };
        Ok(match self.quantifier()? {
            Some((min, max, greedy)) => Node::Repeat {
                body: Box::new(atom),
                min,
                max,
                greedy,
            },
            None => atom,
        })
    }

    fn group(&mut self) -> Result<GroupKind, RxError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(RxError::Unsupported("groups nested more than 64 deep"));
        }
        let kind = if self.peek() == Some('?') {
            self.pos += 1;
            match self.bump() {
                Some(':') => GroupKind::Atom(self.group_body()?),
                Some(c @ ('=' | '!')) => GroupKind::LookAhead(self.around(true, c == '!')?),
                Some('<') => match self.bump() {
                    Some(c @ ('=' | '!')) => GroupKind::LookBehind(self.around(false, c == '!')?),
                    _ => return Err(RxError::Unsupported("named capture groups")),
                },
                _ => return Err(RxError::Syntax("Invalid group")),
            }
        } else {
            if self.around_depth > 0 {
                return Err(RxError::Unsupported("capture groups inside lookarounds"));
            }
            self.groups += 1;
            let index = self.groups;
            GroupKind::Atom(Node::Group(index, Box::new(self.group_body()?)))
        };
        self.depth -= 1;
        Ok(kind)
    }

    fn group_body(&mut self) -> Result<Node, RxError> {
        let body = self.disjunction()?;
        if self.bump() != Some(')') {
            return Err(RxError::Syntax("Unterminated group"));
        }
        Ok(body)
    }

    fn around(&mut self, ahead: bool, negate: bool) -> Result<Node, RxError> {
        self.around_depth += 1;
        let body = self.group_body()?;
        self.around_depth -= 1;
        self.arounds.push(AroundDef {
            ahead,
            negate,
            body,
        });
        Ok(Node::Around(
            u32::try_from(self.arounds.len() - 1).unwrap_or(u32::MAX),
        ))
    }

    fn hex(&self, offset: usize, digits: usize) -> Option<u32> {
        (0..digits).try_fold(0u32, |acc, k| {
            Some(acc * 16 + self.peek_at(offset + k)?.to_digit(16)?)
        })
    }

    /// The escapes shared by atoms and classes; `None` for `\c` without a control letter.
    fn character_escape(&mut self, e: char, in_class: bool) -> Result<Option<char>, RxError> {
        Ok(Some(match e {
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            'c' => {
                let control = self.peek().filter(|c| {
                    c.is_ascii_alphabetic() || (in_class && (c.is_ascii_digit() || *c == '_'))
                });
                match control {
                    Some(l) => {
                        self.pos += 1;
                        char::from(u8::try_from(l as u32 % 32).unwrap_or(0))
                    }
                    None => return Ok(None),
                }
            }
            'x' => match self.hex(0, 2) {
                Some(v) => {
                    self.pos += 2;
                    char::from_u32(v).unwrap_or('x')
                }
                None => 'x',
            },
            'u' => match self.hex(0, 4) {
                Some(v) => {
                    let c = char::from_u32(v).ok_or(RxError::Unsupported("surrogate escapes"))?;
                    self.pos += 4;
                    c
                }
                None => 'u',
            },
            '0' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => '\0',
            '0'..='7' => return Err(RxError::Unsupported("backreferences and octal escapes")),
            '8' | '9' if !in_class => {
                return Err(RxError::Unsupported("backreferences"));
            }
            other => other,
        }))
    }

    fn atom_escape(&mut self) -> Result<Node, RxError> {
        let Some(e) = self.bump() else {
            return Err(RxError::Syntax("\\ at end of pattern"));
        };
        if let Some((set, negated)) = class_escape(e) {
            let ranges = if negated {
                complement(set)
            } else {
                set.to_vec()
            };
            return Ok(self.add_class(ranges, false));
        }
        match self.character_escape(e, false)? {
            Some(c) => Ok(Node::Char(c)),
            None => {
                // Annex B: `\c` without a letter is a literal backslash; the `c` follows.
                self.pos -= 1;
                Ok(Node::Char('\\'))
            }
        }
    }

    fn class_atom(&mut self) -> Result<ClassAtom, RxError> {
        let Some(c) = self.bump() else {
            return Err(RxError::Syntax("Unterminated character class"));
        };
        if c != '\\' {
            return Ok(ClassAtom::Char(c));
        }
        let Some(e) = self.bump() else {
            return Err(RxError::Syntax("\\ at end of pattern"));
        };
        if let Some((set, negated)) = class_escape(e) {
            return Ok(ClassAtom::Set(set, negated));
        }
        if e == 'b' {
            return Ok(ClassAtom::Char('\u{8}'));
        }
        match self.character_escape(e, true)? {
            Some(c) => Ok(ClassAtom::Char(c)),
            None => {
                self.pos -= 1;
                Ok(ClassAtom::Char('\\'))
            }
        }
    }

    fn class(&mut self) -> Result<Node, RxError> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let add = |ranges: &mut Vec<(u32, u32)>, atom: ClassAtom| match atom {
            ClassAtom::Char(c) => ranges.push((c as u32, c as u32)),
            ClassAtom::Set(set, false) => ranges.extend_from_slice(set),
            ClassAtom::Set(set, true) => ranges.extend(complement(set)),
        };
        loop {
            match self.peek() {
                None => return Err(RxError::Syntax("Unterminated character class")),
                Some(']') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => {}
            }
            let first = self.class_atom()?;
            let is_range = self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']');
            if !is_range {
                add(&mut ranges, first);
                continue;
            }
            self.pos += 1;
            let last = self.class_atom()?;
            match (first, last) {
                (ClassAtom::Char(lo), ClassAtom::Char(hi)) => {
                    if lo > hi {
                        return Err(RxError::Syntax("Range out of order in character class"));
                    }
                    ranges.push((lo as u32, hi as u32));
                }
                // Annex B: a class escape at either end makes the `-` literal.
                (first, last) => {
                    add(&mut ranges, first);
                    add(&mut ranges, ClassAtom::Char('-'));
                    add(&mut ranges, last);
                }
            }
        }
        Ok(self.add_class(ranges, negated))
    }
}

enum GroupKind {
    Atom(Node),
    LookAhead(Node),
    LookBehind(Node),
}

fn class_escape(e: char) -> Option<(&'static [(u32, u32)], bool)> {
    match e {
        'd' => Some((DIGIT, false)),
        'D' => Some((DIGIT, true)),
        'w' => Some((WORD, false)),
        'W' => Some((WORD, true)),
        's' => Some((SPACE, false)),
        'S' => Some((SPACE, true)),
        _ => None,
    }
}

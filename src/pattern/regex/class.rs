//! Character classes (`[a-z]`, `\d`, `.`): sorted code-point ranges, and membership under the
//! `i` flag.

use crate::pattern::regex::case::{any_lower_case_member, canonicalize};

#[derive(Debug, Clone)]
pub(super) struct ClassSet {
    /// Sorted, non-overlapping, non-adjacent inclusive ranges of code points.
    pub(super) ranges: Vec<(u32, u32)>,
    pub(super) negated: bool,
}

pub(super) const DIGIT: &[(u32, u32)] = &[(0x30, 0x39)];
pub(super) const WORD: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];
pub(super) const SPACE: &[(u32, u32)] = &[
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
];
pub(super) const LINE_TERMINATORS: &[(u32, u32)] = &[(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)];

pub(super) fn normalize_ranges(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    // Classes hold a handful of ranges; an insertion sort keeps std's sort out of the wasm.
    for k in 1..ranges.len() {
        let mut at = k;
        while at > 0 && ranges.get(at - 1) > ranges.get(at) {
            ranges.swap(at - 1, at);
            at -= 1;
        }
    }
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

pub(super) fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(ranges.len() + 1);
    let mut next = 0u32;
    for &(lo, hi) in ranges {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi.saturating_add(1);
    }
    if next <= 0x10FFFF {
        out.push((next, 0x10FFFF));
    }
    out
}

impl ClassSet {
    fn contains(&self, c: char) -> bool {
        let c = c as u32;
        self.ranges
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    std::cmp::Ordering::Less
                } else if lo > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    /// Under the `i` flag a character belongs to a class when some member has the same
    /// canonical form; negation applies after that test.
    pub(super) fn matches(&self, c: char, ignore_case: bool) -> bool {
        let found = if !ignore_case {
            self.contains(c)
        } else if c.is_ascii() {
            // Non-ASCII characters never canonicalize to ASCII, so the two cases are all.
            self.contains(c.to_ascii_lowercase()) || self.contains(c.to_ascii_uppercase())
        } else {
            let upper = canonicalize(c);
            self.contains(c)
                || (canonicalize(upper) == upper && self.contains(upper))
                || any_lower_case_member(upper, |l| self.contains(l))
        };
        found != self.negated
    }
}

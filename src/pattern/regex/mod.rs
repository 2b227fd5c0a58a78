//! JS regular expressions (non-unicode mode, Annex B syntax, `i` flag): enough of them to run
//! the source path-to-regexp builds and the `RegExp` route matchers hosts pass as text.
//! [`Regex`] is the only entry. `parse.rs` turns the source into a syntax tree, `compile.rs`
//! turns that into an NFA program and `vm.rs` runs it on a Pike VM; `class.rs` holds character
//! classes and `case.rs` the case folding of the `i` flag.

mod case;
mod class;
mod compile;
mod parse;
mod vm;

use crate::pattern::error::PatternError;
use crate::pattern::regex::compile::{compile_program, reverse, Around, Program};
use crate::pattern::regex::parse::{AssertKind, Node, RxError, RxParser};
pub(super) use crate::pattern::regex::vm::Input;

/// Bounds the instructions of a pattern and all its lookarounds together.
const MAX_PROGRAM: usize = 20_000;
/// Bounds the per-match memory for capture slots (program length × slots).
const MAX_SLOT_CELLS: usize = 1 << 20;
/// Bounds the per-match memory and time spent on lookaround tables (one per lookaround).
const MAX_LOOKAROUNDS: usize = 64;

/// A compiled JS regular expression.
#[derive(Debug)]
pub(super) struct Regex {
    pub(super) ignore_case: bool,
    program: Program,
}

impl Regex {
    /// `new RegExp(source, "i")`, as path-to-regexp builds it.
    pub(super) fn new(source: &str) -> Result<Regex, PatternError> {
        Regex::with_flags(source, true)
    }

    pub(super) fn with_flags(source: &str, ignore_case: bool) -> Result<Regex, PatternError> {
        let src: Vec<char> = source.chars().collect();
        let flags = if ignore_case { "i" } else { "" };
        let fail = |e: RxError| match e {
            RxError::Syntax(m) => PatternError::new(format!(
                "Invalid regular expression: /{source}/{flags}: {m}"
            )),
            RxError::Unsupported(m) => PatternError::new(format!(
                "Unsupported regular expression: /{source}/{flags}: {m} are not supported"
            )),
        };
        let mut p = RxParser::new(&src);
        let node = p.disjunction().map_err(fail)?;
        if p.pos < src.len() {
            return Err(fail(RxError::Syntax("Unmatched ')'")));
        }
        let anchored = match &node {
            Node::Seq(items) => matches!(items.first(), Some(Node::Assert(AssertKind::Start))),
            Node::Assert(AssertKind::Start) => true,
            _ => false,
        };
        if p.arounds.len() > MAX_LOOKAROUNDS {
            return Err(fail(RxError::Unsupported("more than 64 lookarounds")));
        }
        let mut budget = MAX_PROGRAM;
        let prog = compile_program(&node, &mut budget, ignore_case).map_err(fail)?;
        if prog.len().saturating_mul(p.groups as usize * 2) > MAX_SLOT_CELLS {
            return Err(fail(RxError::Unsupported(
                "so many parameters in so large a pattern",
            )));
        }
        // Lookarounds are numbered as they close, so inner ones come first and their tables
        // exist by the time an outer one is evaluated.
        let mut arounds = Vec::with_capacity(p.arounds.len());
        for def in p.arounds {
            let body = if def.ahead {
                reverse(def.body)
            } else {
                def.body
            };
            arounds.push(Around {
                ahead: def.ahead,
                negate: def.negate,
                prog: compile_program(&body, &mut budget, ignore_case).map_err(fail)?,
            });
        }
        Ok(Regex {
            ignore_case,
            program: Program {
                prog,
                classes: p.classes,
                arounds,
                groups: p.groups,
                anchored,
            },
        })
    }

    /// Runs the Pike VM (see [`Program::exec`]).
    pub(super) fn exec(&self, input: &Input, want_captures: bool) -> Option<Vec<Option<usize>>> {
        self.program.exec(input, want_captures)
    }
}

#[cfg(test)]
mod tests {
    use crate::pattern::tests::{compile, err, pairs};

    #[test]
    fn unsupported_regex_is_a_clear_error() {
        for (pattern, what) in [
            ("/:a(\\1)", "backreferences and octal escapes"),
            ("/:a((?<n>x))", "named capture groups"),
            ("/:a(x{1001})", "repetition counts above 1000"),
            ("/:a(x{99999999999})", "repetition counts above 1000"),
            (
                "/:a((?:x{1000}){1000})",
                "patterns that compile to more than 20000 steps",
            ),
            ("/:a(\\uD800)", "surrogate escapes"),
        ] {
            let e = err(pattern);
            assert!(e.starts_with("Unsupported regular expression: /"), "{e}");
            assert!(e.ends_with(&format!("{what} are not supported")), "{e}");
        }
        let deep = format!("/:a({}x{})", "(?:".repeat(80), ")".repeat(80));
        assert!(err(&deep).contains("groups nested more than 64 deep"));
    }

    #[test]
    fn custom_regex_subset() {
        let m = |p: &str, path: &str| compile(p).is_match(path);
        assert!(m("/:id(\\d+)", "/42"));
        assert!(!m("/:id(\\d+)", "/4a"));
        assert!(m("/:id(\\D+)", "/ab"));
        assert!(m("/:slug([a-z0-9-]+)", "/my-Org-9"));
        assert!(!m("/:slug([a-z0-9-]+)", "/my_org"));
        assert!(m("/:seg([^/]+)", "/abc"));
        assert!(!m("/:seg([^/]+)/x", "/a/b/x"));
        assert!(m("/:w(\\w+)", "/a_1"));
        assert!(!m("/:w(\\w+)", "/a-1"));
        assert!(m("/:w(\\W)", "/-"));
        assert!(!m("/:w(\\W)", "/S"));
        assert!(m("/:s(a\\sb)", "/a\u{a0}b"));
        assert!(m("/:s(a\\Sb)", "/axb"));
        assert!(m("/:c(cat|dog)", "/DOG"));
        assert!(!m("/:c(cat|dog)", "/cow"));
        assert!(m("/:n(x{3})", "/xxx"));
        assert!(!m("/:n(x{3})", "/xx"));
        assert!(m("/:n(x{2,})", "/xxxxx"));
        assert!(m("/:n(x{1,2}y)", "/xxy"));
        assert!(!m("/:n(x{1,2}y)", "/xxxy"));
        assert!(m("/:n(x{1,2}?y)", "/xy"));
        assert!(m("/:a(a{)", "/a{"));
        assert!(m("/:a(a{,2})", "/a{,2}"));
        assert!(m("/:u(\\u{3})", "/uuu"));
        assert!(m("/:a((?:ab)+)", "/ababab"));
        assert!(m("/:a([\\d-z]+)", "/1-z"));
        assert!(!m("/:a([\\d-z]+)", "/y"));
        assert!(m("/:a([\\]]+)", "/]]"));
        assert!(m("/:a([^])", "/\n"));
        assert!(!m("/:a([])", "/x"));
        assert!(!m("/:a(.)", "/\n"));
        assert!(m("/:a(\\x41\\u0042\\t)", "/ab\t"));
        assert!(m("/:a(\\cJ)", "/\n"));
        assert!(m("/:a(\\c1)", "/\\c1"));
        assert!(m("/:a([\\c1])", "/\u{11}"));
        assert!(m("/:a(\\0)", "/\0"));
        assert!(m("/:a(\\bx\\b)", "/x"));
        assert!(m("/:a(x\\By)", "/xy"));
        assert!(m("/:a(x$)", "/x"));
        assert!(!m("/:a(^x)", "/x"));
        assert!(!m("/(^\\/x)", "/x"));
        assert!(m("(^\\/x)", "/x"));
        assert!(m("/:a(.*)", "/any/thing?"));
        assert!(m("/:a(.+)", "/x"));
        assert!(!m("/:a(.+)", "/"));
        // Unicode case folding, as JS's non-unicode `i` flag does for BMP characters.
        assert!(m("/über", "/ÜBER"));
        assert!(m("/:a([à-ÿ]+)", "/À"));
        // Results printed by Node for the same patterns.
        assert!(m("/σ", "/ς"));
        assert!(m("/:a([σ])", "/ς"));
        assert!(!m("/:a([^σ])", "/Σ"));
        assert!(m("/µ", "/μ"));
        assert!(m("/:a([µ])", "/Μ"));
        assert!(m("/:a([à-ÿ]+)", "/ÀŸ"));
        assert!(m("/ǆ", "/ǅ"));
        assert!(m("/:a([ǅ])", "/ǆ"));
        assert!(m("/:a([a-z])", "/K"));
        assert!(!m("/ß", "/ẞ"));
        assert!(!m("/ﬀ", "/FF"));
        assert!(!m("/İ", "/i"));
        assert!(!m("/ı", "/I"));
        // Astral characters are surrogate pairs to JS, which have no case.
        assert!(!m("/𐐀", "/𐐨"));
        assert!(m("/:a([a-z]+)", "/ABC"));
        // ſ (U+017F) upper-cases to ASCII S, which the non-unicode rules refuse.
        assert!(!m("/s", "/ſ"));
        assert!(!m("/k", "/\u{212A}"));
    }

    #[test]
    fn lookarounds() {
        let m = |p: &str, path: &str| compile(p).is_match(path);
        assert!(m("/((?!api|_next).*)", "/dashboard"));
        assert!(!m("/((?!api|_next).*)", "/api/x"));
        assert!(!m("/((?!api|_next).*)", "/API"));
        assert!(!m("/((?!.*\\..*|_next).*)", "/a/b.png"));
        assert!(m("/((?!.*\\..*|_next).*)", "/a/b"));
        assert!(m("/:a((?=x)x+)", "/xx"));
        assert!(!m("/:a((?=y)x+)", "/xx"));
        assert!(m("/:a((?=x)*y)", "/y"));
        assert!(m("/:a(x(?<=x))", "/x"));
        assert!(m("/:a(.(?<!x))", "/y"));
        assert!(!m("/:a(.(?<!x))", "/x"));
        assert!(m("/:a(.(?<=\\/.))", "/y"));
        assert!(m("/:a((?!(?=b)).)", "/a"));
        assert!(!m("/:a((?!(?=b)).)", "/b"));
        assert!(compile("/:a-:b").is_match("/x-y"));
        assert_eq!(
            compile("/:a-x-:b").captures("/p-x-q-x-r"),
            pairs(&[("a", "p-x-q"), ("b", "r")])
        );
    }

    #[test]
    fn resource_limits_are_compile_errors() {
        let many_lookaheads: String = (0..66).map(|i| format!("-:p{i}")).collect();
        assert!(err(&format!("/x{many_lookaheads}"))
            .ends_with("more than 64 lookarounds are not supported"));
        let ok_lookaheads: String = (0..60).map(|i| format!("-:p{i}")).collect();
        assert!(compile(&format!("/x{ok_lookaheads}")).is_match(&format!("/x{}", "-v".repeat(60))));
        let many_groups = "(a)".repeat(700);
        assert!(err(&many_groups)
            .ends_with("so many parameters in so large a pattern are not supported"));
        let fine_groups = "(a)".repeat(100);
        assert!(compile(&fine_groups).is_match(&"a".repeat(100)));
    }
}

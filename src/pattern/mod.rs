//! Route patterns with path-to-regexp 6.3.0 semantics (default options), as Clerk uses them in
//! `createRouteMatcher` and in organization sync.
//!
//! A pattern goes through the same three stages as in the JS library: it is lexed, parsed into
//! tokens, and turned into the exact regular-expression source path-to-regexp would hand to
//! `new RegExp(source, "i")`. That source is then compiled by a small JS-compatible regex compiler
//! (non-unicode mode, Annex B syntax, `i` flag) and run on a Pike VM. Building the very same source
//! keeps every quirk of the library (prefix handling, the `(?!prev)` safe pattern, the trailing
//! `[\/#\?]?$`, custom groups that are spliced in verbatim) without re-deriving it, and the Pike VM
//! keeps matching linear in the path length whatever the pattern, while thread priorities make the
//! captured values equal those of JS's backtracking engine.
//!
//! Deviations from V8, all in corners Clerk's patterns do not reach:
//! * the input is matched per Unicode scalar value, JS per UTF-16 code unit: an astral character
//!   counts once for `.`/`{n}` and a capture never splits a surrogate pair;
//! * case folding uses the Unicode data of the Rust toolchain the table was generated with, which
//!   may differ from the V8 build's ICU for characters added in recent Unicode versions;
//! * backreferences, octal escapes, named groups, capture groups inside lookarounds and counted
//!   repetition above 1000 are rejected with an "Unsupported regular expression" error even where
//!   JS would accept them.
//!
//! One file per stage: `path_to_regexp.rs` turns a pattern into that regex source, `regex/`
//! parses, compiles and runs it, `route_path.rs` normalises the path a route matcher tests, and
//! `error.rs` holds the error type and Clerk's texts around it. This file is the public API.

mod error;
mod path_to_regexp;
mod regex;
mod route_path;

pub use crate::pattern::error::{org_pattern_error, route_matcher_error, PatternError};
use crate::pattern::path_to_regexp::{lex, parse, tokens_to_source, Token};
use crate::pattern::regex::{Input, Regex};
pub use crate::pattern::route_path::{normalize_route_path, MalformedUrl};

/// One compiled path-to-regexp pattern.
#[derive(Debug)]
pub struct PathPattern {
    re: Regex,
    /// The leading literal text every match starts with, ASCII-lowercased (non-ASCII text ends
    /// it: under the `i` flag an ASCII character only ever matches ASCII). A cheap rejection
    /// before the VM runs.
    prefix: String,
    /// Parameter names, one per capture group in order (unnamed groups are `"0"`, `"1"`, …).
    keys: Vec<String>,
}

impl PathPattern {
    /// Compiles `pattern` the way `pathToRegexp(pattern)` of path-to-regexp 6.3.0 does.
    pub fn compile(pattern: &str) -> Result<PathPattern, PatternError> {
        let tokens = parse(&lex(pattern)?)?;
        let (source, keys) = tokens_to_source(&tokens)?;
        let re = Regex::new(&source)?;
        let prefix = match tokens.first() {
            Some(Token::Text(t)) => t
                .chars()
                .take_while(char::is_ascii)
                .map(|c| c.to_ascii_lowercase())
                .collect(),
            _ => String::new(),
        };
        Ok(PathPattern { re, prefix, keys })
    }

    /// Whether `path` can match at all, judged on the literal prefix alone.
    fn may_match(&self, path: &str) -> bool {
        path.as_bytes()
            .get(..self.prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(self.prefix.as_bytes()))
    }

    /// Whether `path` matches, like `regexp.test(path)`.
    pub fn is_match(&self, path: &str) -> bool {
        self.may_match(path) && self.re.exec(&Input::new(path), false).is_some()
    }

    /// Params of a match, like `match(pattern)(path).params` with the default (identity) decoder:
    /// names paired with the raw matched text, NOT percent-decoded. A repeated param (`:p*`,
    /// `:p+`) yields its whole matched text (`a/b/c`); JS splits that on prefix+suffix into an
    /// array. Entries come in capture order; a name used twice keeps its first position and its
    /// last value, as assignment into the JS params object does. `None` if there is no match.
    pub fn captures(&self, path: &str) -> Option<Vec<(String, String)>> {
        self.captures_in(path, &Input::new(path))
    }

    fn captures_in(&self, path: &str, input: &Input) -> Option<Vec<(String, String)>> {
        if !self.may_match(path) {
            return None;
        }
        let slots = self.re.exec(input, true)?;
        let mut out: Vec<(String, String)> = Vec::new();
        for (g, pair) in slots.chunks(2).enumerate() {
            let (Some(Some(start)), Some(Some(end))) = (pair.first(), pair.get(1)) else {
                continue;
            };
            // JS reads `keys[i - 1].modifier` and throws when a group has no key; Clerk treats
            // that throw as "no match".
            let name = self.keys.get(g)?;
            let from = input.offsets.get(*start).copied().unwrap_or(0);
            let to = input.offsets.get(*end).copied().unwrap_or(0);
            let value = path.get(from..to).unwrap_or_default().to_string();
            match out.iter_mut().find(|(k, _)| k == name) {
                Some(entry) => entry.1 = value,
                None => out.push((name.clone(), value)),
            }
        }
        Some(out)
    }
}

/// A list of patterns tried in order; first full match wins (this equals JS alternation
/// `(?:p1|p2)` semantics of path-to-regexp's `match(array)`, because every alternative is
/// anchored at both ends).
#[derive(Debug)]
pub struct PatternSet {
    patterns: Vec<PathPattern>,
}

impl PatternSet {
    /// Compiles every pattern; the first failure is returned, as `match(array)` throws on the
    /// first invalid entry. Empty strings are compiled too (they match `""` and `"/"`):
    /// `createRouteMatcher` drops them before compiling, `match([""])` does not.
    pub fn compile<S: AsRef<str>>(patterns: &[S]) -> Result<PatternSet, PatternError> {
        let patterns = patterns
            .iter()
            .map(|p| PathPattern::compile(p.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PatternSet { patterns })
    }

    /// Whether any pattern matches.
    pub fn is_match(&self, path: &str) -> bool {
        let mut input = None;
        self.patterns.iter().filter(|p| p.may_match(path)).any(|p| {
            let input = input.get_or_insert_with(|| Input::new(path));
            p.re.exec(input, false).is_some()
        })
    }

    /// Params of the first pattern that matches (see [`PathPattern::captures`]).
    pub fn captures(&self, path: &str) -> Option<Vec<(String, String)>> {
        let mut input = None;
        self.patterns
            .iter()
            .filter(|p| p.may_match(path))
            .find_map(|p| {
                let input = input.get_or_insert_with(|| Input::new(path));
                p.captures_in(path, input)
            })
    }

    /// Whether the set holds no pattern (and so matches nothing).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// A JavaScript `RegExp` route matcher (`createRouteMatcher([/^\/foo/])`), for hosts that pass
/// one as text (`/source/flags`). Only the `i` flag changes matching here; `g`/`y` make JS
/// matchers stateful (a Clerk quirk) and are refused rather than imitated.
pub struct JsRegExp {
    re: Regex,
}

impl JsRegExp {
    /// Parses `/source/flags`.
    pub fn from_literal(literal: &str) -> Result<JsRegExp, PatternError> {
        let body = literal
            .strip_prefix('/')
            .ok_or_else(|| PatternError::new("a RegExp literal starts with /".to_string()))?;
        let end = body
            .rfind('/')
            .ok_or_else(|| PatternError::new("a RegExp literal ends with /flags".to_string()))?;
        let (source, flags) = (
            body.get(..end).unwrap_or(""),
            body.get(end + 1..).unwrap_or(""),
        );
        if let Some(f) = flags
            .chars()
            .find(|f| !matches!(f, 'i' | 's' | 'm' | 'u' | 'd'))
        {
            return Err(PatternError::new(format!(
                "unsupported RegExp flag \"{f}\""
            )));
        }
        if flags.contains(['s', 'm', 'u']) {
            return Err(PatternError::new(
                "RegExp flags s, m and u are not supported".to_string(),
            ));
        }
        let ignore_case = flags.contains('i');
        Ok(JsRegExp {
            re: Regex::with_flags(source, ignore_case)?,
        })
    }

    /// `regexp.test(path)`.
    pub fn test(&self, path: &str) -> bool {
        self.re
            .exec(&Input::with_case(path, self.re.ignore_case), false)
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `compile`, `err` and `pairs` serve the tests of the stage files too.
    pub(super) fn compile(p: &str) -> PathPattern {
        match PathPattern::compile(p) {
            Ok(c) => c,
            Err(e) => panic!("{p}: {}", e.detail),
        }
    }

    pub(super) fn err(p: &str) -> String {
        match PathPattern::compile(p) {
            Ok(_) => panic!("{p} compiled"),
            Err(e) => e.detail,
        }
    }

    fn set(patterns: &[&str]) -> PatternSet {
        PatternSet::compile(patterns).unwrap()
    }

    /// createRouteMatcher: normalise, then test every pattern.
    fn route(patterns: &[&str], path: &str) -> Result<bool, MalformedUrl> {
        let s = set(patterns);
        if s.is_empty() {
            return Ok(false);
        }
        Ok(s.is_match(&normalize_route_path(path)?))
    }

    fn caps(p: &[&str], path: &str) -> Option<Vec<(String, String)>> {
        set(p).captures(path)
    }

    pub(super) fn pairs(v: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    #[test]
    fn route_matcher_vectors() {
        let yes = |p: &[&str], path: &str| assert_eq!(route(p, path), Ok(true), "{p:?} {path}");
        let no = |p: &[&str], path: &str| assert_eq!(route(p, path), Ok(false), "{p:?} {path}");
        yes(&["/dashboard(.*)"], "/dashboard");
        yes(&["/dashboard(.*)"], "/dashboard/x/y");
        yes(&["/dashboard(.*)"], "/dashboardxyz");
        yes(&["/dashboard/:path*"], "/dashboard");
        yes(&["/dashboard/:path*"], "/dashboard/a/b");
        no(&["/dashboard/:path*"], "/dashboardx");
        yes(&["/dashboard"], "/dashboard/");
        yes(&["/dashboard"], "/DASHBOARD");
        no(&["/dashboard"], "/dashboard/x");
        no(&["/dashboard"], "/dashboard//x");
        yes(&["/api/admin(.*)"], "/api/%61dmin/users");
        yes(&["/api/admin(.*)"], "//api//admin");
        no(&["/api/admin(.*)"], "/api%2Fadmin/users");
        assert!(route(&["/api/admin(.*)"], "/api/%zz").is_err());
        yes(&["/(.*).ts"], "/a/b.ts");
        yes(&["/users/:id"], "/users/42");
        no(&["/users/:id"], "/users/42/edit");
        yes(&["/users/:id?"], "/users");
        yes(&["/"], "/");
        no(&["/"], "/x");
        no(&[], "/x");
        yes(&["/a", "/b(.*)"], "/bc");
        for p in [
            "//api/admin/users",
            "/api//admin/users",
            "/api/admin//users",
        ] {
            yes(&["/api/admin(.*)"], p);
        }
        for p in [
            "//api/other/users",
            "/other//api/admin",
            "/public/%2E%2E/api/admin",
            "/api/%2561dmin/users",
        ] {
            no(&["/api/admin(.*)"], p);
        }
        yes(&["/api/admin(.*)"], "/api/admin/%E6%97%A5%E6%9C%AC");
        for p in ["/Dashboard", "/dashboard/", "//dashboard", "/%64ashboard"] {
            yes(&["/dashboard(.*)"], p);
        }
    }

    #[test]
    fn dashboard_without_pattern_matches_only_itself() {
        let p = compile("/dashboard");
        assert!(p.is_match("/dashboard"));
        assert!(p.is_match("/dashboard#"));
        assert!(p.is_match("/dashboard?"));
        assert!(!p.is_match("/dashboard//"));
        assert!(!p.is_match("/dashboar"));
        assert!(!p.is_match("x/dashboard"));
    }

    #[test]
    fn org_vectors() {
        let org = ["/orgs/:slug", "/orgs/:slug/(.*)"];
        for path in ["/orgs/acme", "/orgs/acme/"] {
            assert_eq!(caps(&org, path), pairs(&[("slug", "acme")]));
        }
        assert_eq!(
            caps(&org, "/orgs/acme/settings/x"),
            pairs(&[("slug", "acme"), ("0", "settings/x")])
        );
        assert_eq!(
            caps(&["/orgs/:slug"], "/ORGS/Acme"),
            pairs(&[("slug", "Acme")])
        );
        assert_eq!(
            caps(&["/orgs/:slug"], "/orgs/ac%20me"),
            pairs(&[("slug", "ac%20me")])
        );
        assert_eq!(
            caps(&["/orgs/:id"], "/orgs/org_1"),
            pairs(&[("id", "org_1")])
        );
        assert_eq!(
            caps(&["/orgs/:id", "/orgs/:slug"], "/orgs/my-org"),
            pairs(&[("id", "my-org")])
        );
        assert_eq!(
            caps(
                &["/unknown-thing/:any/orgs/:id"],
                "/unknown-thing/thing/orgs/org_foo"
            ),
            pairs(&[("any", "thing"), ("id", "org_foo")])
        );
        assert_eq!(caps(&["/orgs/:slug"], "/settings"), None);
        let e = PatternSet::compile(&["/orgs/:id/***"]).unwrap_err();
        assert_eq!(e.detail, "Unexpected MODIFIER at 10, expected END");
        assert!(set(&["/", "/(.*)"]).is_match("/orgs/my-org"));
        assert_eq!(caps(&["/", "/(.*)"], "/"), pairs(&[]));
        assert_eq!(caps(&["/", "/(.*)"], "/orgs/x"), pairs(&[("0", "orgs/x")]));
    }

    #[test]
    fn modifiers() {
        let optional = compile("/users/:id?");
        assert!(optional.is_match("/users"));
        assert!(optional.is_match("/users/"));
        assert!(optional.is_match("/users/1"));
        assert!(!optional.is_match("/users/1/2"));
        assert_eq!(optional.captures("/users"), pairs(&[]));
        assert_eq!(optional.captures("/users/1"), pairs(&[("id", "1")]));

        let star = compile("/files/:path*");
        assert!(star.is_match("/files"));
        assert!(!star.is_match("/filesx"));
        assert_eq!(star.captures("/files/a/b/c"), pairs(&[("path", "a/b/c")]));
        assert_eq!(star.captures("/files/a/b/"), pairs(&[("path", "a/b")]));

        let plus = compile("/files/:path+");
        assert!(!plus.is_match("/files"));
        assert!(!plus.is_match("/files/"));
        assert_eq!(plus.captures("/files/a/b"), pairs(&[("path", "a/b")]));

        let unnamed = compile("/x/(\\d+)?");
        assert!(unnamed.is_match("/x"));
        assert!(unnamed.is_match("/x/12"));
        assert!(!unnamed.is_match("/x/ab"));

        let custom_star = compile("/n/:ids(\\d+)*");
        assert_eq!(
            custom_star.captures("/n/1/22/333"),
            pairs(&[("ids", "1/22/333")])
        );
        assert!(!custom_star.is_match("/n/1/x"));
    }

    #[test]
    fn groups() {
        let p = compile("/foo{-:bar}?");
        assert_eq!(p.captures("/foo"), pairs(&[]));
        assert_eq!(p.captures("/foo-baz"), pairs(&[("bar", "baz")]));
        assert!(!p.is_match("/foo-"));
        assert!(!p.is_match("/foo-a-b"));

        let literal = compile("/a{bc}?d");
        assert!(literal.is_match("/ad"));
        assert!(literal.is_match("/abcd"));
        assert!(!literal.is_match("/abd"));

        let repeated = compile("/x{/y}*");
        for path in ["/x", "/x/y", "/x/y/y/y"] {
            assert!(repeated.is_match(path), "{path}");
        }
        assert!(!repeated.is_match("/x/z"));

        let suffix = compile("/img{:name.png}");
        assert_eq!(suffix.captures("/imgcat.png"), pairs(&[("name", "cat")]));

        let unnamed = compile("/v{(\\d+)}");
        assert_eq!(unnamed.captures("/v12"), pairs(&[("0", "12")]));

        let prefix_star = compile("{/:seg}+");
        assert_eq!(prefix_star.captures("/a/b"), pairs(&[("seg", "a/b")]));
    }

    #[test]
    fn param_boundaries_follow_js_priorities() {
        assert_eq!(
            compile("/:a-:b").captures("/x-y-z"),
            pairs(&[("a", "x-y"), ("b", "z")])
        );
        assert_eq!(
            compile("/:file.:ext").captures("/a.b.c"),
            pairs(&[("file", "a.b"), ("ext", "c")])
        );
        assert_eq!(
            compile("/(a)/:b/(c)").captures("/a/x/c"),
            pairs(&[("0", "a"), ("b", "x"), ("1", "c")])
        );
        assert_eq!(compile("/:a/:a").captures("/x/y"), pairs(&[("a", "y")]));
        // A group that takes no part in the match is left out, as JS skips `undefined`.
        assert_eq!(
            compile("/:a*/:b*/x(.*)y").captures("/a/xzy"),
            pairs(&[("a", "a"), ("0", "z")])
        );
        assert_eq!(
            compile("/(.*)(.*)(.*)x").captures("/ax"),
            pairs(&[("0", "a"), ("1", ""), ("2", "")])
        );
        assert_eq!(
            compile("{/:a(a*)}*{/:b((?:/a)+)}+z").captures("/aa//az"),
            pairs(&[("a", "aa"), ("b", "/a")])
        );
        assert_eq!(
            compile("/:a((?:x|y)+)").captures("/xyx"),
            pairs(&[("a", "xyx")])
        );
        assert_eq!(
            compile("/:a(.*)-:b(.*)").captures("/p-q-r"),
            pairs(&[("a", "p-q"), ("b", "r")])
        );
        assert_eq!(
            compile("/:a(.*?)-:b(.*)").captures("/p-q-r"),
            pairs(&[("a", "p"), ("b", "q-r")])
        );
        assert_eq!(
            compile("/(.*)/(.*)").captures("/a/b/c"),
            pairs(&[("0", "a/b"), ("1", "c")])
        );
        // Trailing delimiter is optional, so a lazy param leaves it out.
        assert_eq!(compile("/(.*)").captures("/a/"), pairs(&[("0", "a/")]));
        assert_eq!(compile("/:a").captures("/a/"), pairs(&[("a", "a")]));
    }

    #[test]
    fn pattern_set_behaviour() {
        let s = set(&["/a", "/b(.*)"]);
        assert!(!s.is_empty());
        assert!(s.is_match("/bc"));
        assert!(!s.is_match("/c"));
        assert_eq!(s.captures("/bc"), pairs(&[("0", "c")]));
        let empty = PatternSet::compile::<&str>(&[]).unwrap();
        assert!(empty.is_empty());
        assert!(!empty.is_match("/"));
        assert_eq!(empty.captures("/"), None);
        let e = PatternSet::compile(&["/ok", "/:", "/(x"]).unwrap_err();
        assert_eq!(e.detail, "Missing parameter name at 1");
        let blank = set(&[""]);
        assert!(blank.is_match(""));
        assert!(blank.is_match("/"));
        assert!(!blank.is_match("/a"));
        // Owned strings work too.
        let owned = vec![String::from("/x/:id")];
        assert_eq!(
            PatternSet::compile(&owned).unwrap().captures("/x/1"),
            pairs(&[("id", "1")])
        );
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn never_panics() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let alphabet: Vec<char> = "/:*+?(){}[]\\.-_a0^$|,=!<#%é😀\u{0}\n".chars().collect();
        let paths = [
            "",
            "/",
            "/a",
            "/a/b.c",
            "/%zz",
            "/é/😀",
            "//x//",
            "/a-b.c?d#e",
        ];
        for round in 0..20_000 {
            let len = rng.below(14);
            let pattern: String = if round % 4 == 0 {
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                (0..len)
                    .map(|_| {
                        alphabet
                            .get(rng.below(alphabet.len()))
                            .copied()
                            .unwrap_or('a')
                    })
                    .collect()
            };
            let _ = normalize_route_path(&pattern);
            if let Ok(p) = PathPattern::compile(&pattern) {
                for path in paths {
                    let matched = p.is_match(path);
                    let captured = p.captures(path);
                    assert_eq!(matched, captured.is_some(), "{pattern:?} {path:?}");
                }
                let _ = p.captures(&pattern);
            }
        }
    }

    #[test]
    fn js_regexp_literals() {
        let re = JsRegExp::from_literal(r"/^\/foo\/.*$/").unwrap();
        assert!(re.test("/foo/bar"));
        assert!(!re.test("/FOO/bar"));
        assert!(JsRegExp::from_literal(r"/^\/foo/i").unwrap().test("/FOO/x"));
        assert!(JsRegExp::from_literal("/a/g").is_err());
        assert!(JsRegExp::from_literal("a").is_err());
        assert!(JsRegExp::from_literal("/(/").is_err());
        let class = JsRegExp::from_literal("/^[a-c]+$/").unwrap();
        assert!(class.test("abc") && !class.test("ABC"));
    }
}

//! path-to-regexp 6.3.0: lexer, parser and regex-source builder. A pattern is lexed, parsed into
//! tokens, and turned into the exact regular-expression source path-to-regexp would hand to
//! `new RegExp(source, "i")`; errors carry the text of the `TypeError` JS throws.

use std::fmt;

use crate::pattern::error::PatternError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Modifier,
    Escaped,
    Open,
    Close,
    Name,
    Pattern,
    Char,
    End,
}

impl Lex {
    fn js_name(self) -> &'static str {
        match self {
            Lex::Modifier => "MODIFIER",
            Lex::Escaped => "ESCAPED_CHAR",
            Lex::Open => "OPEN",
            Lex::Close => "CLOSE",
            Lex::Name => "NAME",
            Lex::Pattern => "PATTERN",
            Lex::Char => "CHAR",
            Lex::End => "END",
        }
    }
}

pub(super) struct LexToken {
    kind: Lex,
    /// Position in UTF-16 code units, as JS reports it.
    index: usize,
    /// Empty only for a trailing `\`, whose JS value is `undefined`.
    value: String,
}

pub(super) fn lex(input: &str) -> Result<Vec<LexToken>, PatternError> {
    let chars: Vec<char> = input.chars().collect();
    let mut units = Vec::with_capacity(chars.len() + 1);
    let mut total = 0;
    for c in &chars {
        units.push(total);
        total += c.len_utf16();
    }
    units.push(total);
    // A trailing `\` makes JS step one past the end, and the END token reports that index.
    let at = |i: usize| {
        units
            .get(i)
            .copied()
            .unwrap_or(total + i.saturating_sub(chars.len()))
    };
    let char_at = |i: usize| chars.get(i).copied();

    let mut tokens = Vec::new();
    let mut push = |kind, index, value: String| tokens.push(LexToken { kind, index, value });
    let mut i = 0;
    while let Some(c) = char_at(i) {
        match c {
            '*' | '+' | '?' => {
                push(Lex::Modifier, at(i), c.to_string());
                i += 1;
            }
            '\\' => {
                let value = char_at(i + 1).map(String::from).unwrap_or_default();
                push(Lex::Escaped, at(i), value);
                i += 2;
            }
            '{' => {
                push(Lex::Open, at(i), c.to_string());
                i += 1;
            }
            '}' => {
                push(Lex::Close, at(i), c.to_string());
                i += 1;
            }
            ':' => {
                let mut j = i + 1;
                let mut name = String::new();
                while let Some(n) = char_at(j).filter(|n| n.is_ascii_alphanumeric() || *n == '_') {
                    name.push(n);
                    j += 1;
                }
                if name.is_empty() {
                    return Err(PatternError::new(format!(
                        "Missing parameter name at {}",
                        at(i)
                    )));
                }
                push(Lex::Name, at(i), name);
                i = j;
            }
            '(' => {
                let mut count = 1;
                let mut pattern = String::new();
                let mut j = i + 1;
                if char_at(j) == Some('?') {
                    return Err(PatternError::new(format!(
                        "Pattern cannot start with \"?\" at {}",
                        at(j)
                    )));
                }
                while let Some(p) = char_at(j) {
                    if p == '\\' {
                        pattern.push('\\');
                        match char_at(j + 1) {
                            Some(e) => pattern.push(e),
                            // JS appends `str[j]`, which is `undefined` past the end.
                            None => pattern.push_str("undefined"),
                        }
                        j += 2;
                        continue;
                    }
                    if p == ')' {
                        count -= 1;
                        if count == 0 {
                            j += 1;
                            break;
                        }
                    } else if p == '(' {
                        count += 1;
                        if char_at(j + 1) != Some('?') {
                            return Err(PatternError::new(format!(
                                "Capturing groups are not allowed at {}",
                                at(j)
                            )));
                        }
                    }
                    pattern.push(p);
                    j += 1;
                }
                if count != 0 {
                    return Err(PatternError::new(format!(
                        "Unbalanced pattern at {}",
                        at(i)
                    )));
                }
                if pattern.is_empty() {
                    return Err(PatternError::new(format!("Missing pattern at {}", at(i))));
                }
                push(Lex::Pattern, at(i), pattern);
                i = j;
            }
            _ => {
                push(Lex::Char, at(i), c.to_string());
                i += 1;
            }
        }
    }
    push(Lex::End, at(i), String::new());
    Ok(tokens)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum KeyName {
    Named(String),
    Index(usize),
    /// A `{…}` group without param: JS gives it the name `""`.
    Empty,
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyName::Named(s) => f.write_str(s),
            KeyName::Index(n) => write!(f, "{n}"),
            KeyName::Empty => Ok(()),
        }
    }
}

pub(super) enum Token {
    Text(String),
    Key {
        name: KeyName,
        prefix: String,
        suffix: String,
        pattern: String,
        modifier: String,
    },
}

/// path-to-regexp's default `delimiter` option.
const DELIMITERS: &str = "/#?";

fn is_delimiter(c: char) -> bool {
    matches!(c, '/' | '#' | '?')
}

struct TokenReader<'a> {
    tokens: &'a [LexToken],
    i: usize,
}

impl TokenReader<'_> {
    /// `tryConsume`: advances over a token of `kind` and yields its value (which may be the
    /// empty "undefined" of a trailing escape).
    fn take(&mut self, kind: Lex) -> Option<String> {
        let token = self.tokens.get(self.i).filter(|t| t.kind == kind)?;
        self.i += 1;
        Some(token.value.clone())
    }

    /// `tryConsume` in a JS `||` chain, where an empty value counts as absent.
    fn take_truthy(&mut self, kind: Lex) -> Option<String> {
        self.take(kind).filter(|v| !v.is_empty())
    }

    fn must_take(&mut self, kind: Lex) -> Result<String, PatternError> {
        if let Some(v) = self.take(kind) {
            return Ok(v);
        }
        let (found, index) = self
            .tokens
            .get(self.i)
            .map_or((Lex::End, 0), |t| (t.kind, t.index));
        Err(PatternError::new(format!(
            "Unexpected {} at {}, expected {}",
            found.js_name(),
            index,
            kind.js_name()
        )))
    }

    /// `consumeText`.
    fn text(&mut self) -> String {
        let mut out = String::new();
        while let Some(v) = self
            .take_truthy(Lex::Char)
            .or_else(|| self.take_truthy(Lex::Escaped))
        {
            out.push_str(&v);
        }
        out
    }
}

/// `safePattern`: the default param pattern refuses to run into the literal that separates it
/// from the previous param, unless that literal contains a delimiter anyway.
fn safe_pattern(result: &[Token], prefix: &str) -> Result<String, PatternError> {
    let prev = result.last();
    let prev_text = if !prefix.is_empty() {
        prefix
    } else {
        match prev {
            Some(Token::Text(t)) => t.as_str(),
            _ => "",
        }
    };
    if let (Some(Token::Key { name, .. }), true) = (prev, prev_text.is_empty()) {
        return Err(PatternError::new(format!(
            "Must have text between two parameters, missing text after \"{name}\""
        )));
    }
    let delimiters = escape_string(DELIMITERS);
    if prev_text.is_empty() || prev_text.chars().any(is_delimiter) {
        Ok(format!("[^{delimiters}]+?"))
    } else {
        Ok(format!(
            "(?:(?!{})[^{delimiters}])+?",
            escape_string(prev_text)
        ))
    }
}

pub(super) fn parse(tokens: &[LexToken]) -> Result<Vec<Token>, PatternError> {
    let mut r = TokenReader { tokens, i: 0 };
    let mut result: Vec<Token> = Vec::new();
    let mut next_index = 0;
    let mut path = String::new();
    while r.i < tokens.len() {
        let ch = r.take(Lex::Char);
        let name = r.take(Lex::Name);
        let pattern = r.take(Lex::Pattern);
        if name.is_some() || pattern.is_some() {
            let mut prefix = ch.unwrap_or_default();
            // `prefixes.indexOf(prefix) === -1`, where "" is found too.
            if !(prefix.is_empty() || prefix == "." || prefix == "/") {
                path.push_str(&prefix);
                prefix.clear();
            }
            if !path.is_empty() {
                result.push(Token::Text(std::mem::take(&mut path)));
            }
            let name = match name {
                Some(n) => KeyName::Named(n),
                None => {
                    next_index += 1;
                    KeyName::Index(next_index - 1)
                }
            };
            let pattern = match pattern {
                Some(p) => p,
                None => safe_pattern(&result, &prefix)?,
            };
            let modifier = r.take(Lex::Modifier).unwrap_or_default();
            result.push(Token::Key {
                name,
                prefix,
                suffix: String::new(),
                pattern,
                modifier,
            });
            continue;
        }
        let value = match ch {
            Some(c) => Some(c),
            None => r.take_truthy(Lex::Escaped),
        };
        if let Some(v) = value {
            path.push_str(&v);
            continue;
        }
        if !path.is_empty() {
            result.push(Token::Text(std::mem::take(&mut path)));
        }
        if r.take(Lex::Open).is_some() {
            let prefix = r.text();
            let name = r.take(Lex::Name).unwrap_or_default();
            let pattern = r.take(Lex::Pattern).unwrap_or_default();
            let suffix = r.text();
            r.must_take(Lex::Close)?;
            let key_name = if !name.is_empty() {
                KeyName::Named(name.clone())
            } else if !pattern.is_empty() {
                next_index += 1;
                KeyName::Index(next_index - 1)
            } else {
                KeyName::Empty
            };
            let pattern = if !name.is_empty() && pattern.is_empty() {
                safe_pattern(&result, &prefix)?
            } else {
                pattern
            };
            let modifier = r.take(Lex::Modifier).unwrap_or_default();
            result.push(Token::Key {
                name: key_name,
                prefix,
                suffix,
                pattern,
                modifier,
            });
            continue;
        }
        r.must_take(Lex::End)?;
    }
    Ok(result)
}

fn escape_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if matches!(
            c,
            '.' | '+'
                | '*'
                | '?'
                | '='
                | '^'
                | '!'
                | ':'
                | '$'
                | '{'
                | '}'
                | '('
                | ')'
                | '['
                | ']'
                | '|'
                | '/'
                | '\\'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `tokensToRegexp` with default options: the regex source and one key name per capture group.
pub(super) fn tokens_to_source(tokens: &[Token]) -> Result<(String, Vec<String>), PatternError> {
    let mut route = String::from("^");
    let mut keys = Vec::new();
    for token in tokens {
        match token {
            Token::Text(t) => route.push_str(&escape_string(t)),
            Token::Key {
                name,
                prefix,
                suffix,
                pattern,
                modifier,
            } => {
                let prefix = escape_string(prefix);
                let suffix = escape_string(suffix);
                let repeat = modifier == "+" || modifier == "*";
                if pattern.is_empty() {
                    route.push_str(&format!("(?:{prefix}{suffix}){modifier}"));
                    continue;
                }
                keys.push(name.to_string());
                if prefix.is_empty() && suffix.is_empty() {
                    if repeat {
                        return Err(PatternError::new(format!(
                            "Can not repeat \"{name}\" without a prefix and suffix"
                        )));
                    }
                    route.push_str(&format!("({pattern}){modifier}"));
                } else if repeat {
                    let optional = if modifier == "*" { "?" } else { "" };
                    route.push_str(&format!(
                        "(?:{prefix}((?:{pattern})(?:{suffix}{prefix}(?:{pattern}))*){suffix}){optional}"
                    ));
                } else {
                    route.push_str(&format!("(?:{prefix}({pattern}){suffix}){modifier}"));
                }
            }
        }
    }
    route.push_str("[\\/#\\?]?$");
    Ok((route, keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::tests::{compile, err, pairs};

    fn source(p: &str) -> String {
        let tokens = parse(&lex(p).unwrap()).unwrap();
        tokens_to_source(&tokens).unwrap().0
    }

    #[test]
    fn sources_equal_path_to_regexp() {
        // Sources printed by path-to-regexp 6.3.0 under Node.
        let cases = [
            ("/orgs/:slug", r"^\/orgs(?:\/([^\/#\?]+?))[\/#\?]?$"),
            ("/dashboard(.*)", r"^\/dashboard(.*)[\/#\?]?$"),
            (
                "/:path*",
                r"^(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))?[\/#\?]?$",
            ),
            (
                "/:a-:b",
                r"^(?:\/([^\/#\?]+?))-((?:(?!-)[^\/#\?])+?)[\/#\?]?$",
            ),
            (
                "/:a.:b",
                r"^(?:\/([^\/#\?]+?))(?:\.((?:(?!\.)[^\/#\?])+?))[\/#\?]?$",
            ),
            (
                "/foo{-:bar}?",
                r"^\/foo(?:-((?:(?!-)[^\/#\?])+?))?[\/#\?]?$",
            ),
            ("/(x)(y)(z)", r"^(?:\/(x))(y)(z)[\/#\?]?$"),
            ("/:a(x)*", r"^(?:\/((?:x)(?:\/(?:x))*))?[\/#\?]?$"),
            ("/:a)", r"^(?:\/([^\/#\?]+?))\)[\/#\?]?$"),
            ("/foo\\", r"^\/foo[\/#\?]?$"),
            ("/(.*).ts", r"^(?:\/(.*))\.ts[\/#\?]?$"),
            ("{/a}+", r"^(?:\/a)+[\/#\?]?$"),
            ("", r"^[\/#\?]?$"),
            ("\\", r"^[\/#\?]?$"),
            ("a\\", r"^a[\/#\?]?$"),
            ("/a(b\\)c)", r"^\/a(b\)c)[\/#\?]?$"),
            ("/:a\\:b", r"^(?:\/([^\/#\?]+?))\:b[\/#\?]?$"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(source(pattern), expected, "{pattern}");
        }
    }

    #[test]
    fn compile_errors_match_path_to_regexp() {
        // Messages printed by path-to-regexp 6.3.0 under Node.
        let cases = [
            ("/orgs/:id/***", "Unexpected MODIFIER at 10, expected END"),
            ("/a?", "Unexpected MODIFIER at 2, expected END"),
            ("/a}", "Unexpected CLOSE at 2, expected END"),
            ("/:", "Missing parameter name at 1"),
            ("/:-", "Missing parameter name at 1"),
            ("😀:", "Missing parameter name at 2"),
            ("/(?:x)", "Pattern cannot start with \"?\" at 2"),
            ("/:a(?:x)", "Pattern cannot start with \"?\" at 4"),
            ("/(a(b))", "Capturing groups are not allowed at 3"),
            ("/(", "Unbalanced pattern at 1"),
            ("/(a(?:b)", "Unbalanced pattern at 1"),
            ("/:a(x\\", "Unbalanced pattern at 3"),
            ("/()", "Missing pattern at 1"),
            (
                "/:a:b",
                "Must have text between two parameters, missing text after \"a\"",
            ),
            (
                "/{x}:b",
                "Must have text between two parameters, missing text after \"\"",
            ),
            (
                "/(\\d+){:b}",
                "Must have text between two parameters, missing text after \"0\"",
            ),
            (":a*", "Can not repeat \"a\" without a prefix and suffix"),
            ("-:a+", "Can not repeat \"a\" without a prefix and suffix"),
            ("(x)+", "Can not repeat \"0\" without a prefix and suffix"),
            ("{a\\", "Unexpected END at 4, expected CLOSE"),
            ("{a{b}}", "Unexpected OPEN at 2, expected CLOSE"),
            ("{/:id?}", "Unexpected MODIFIER at 5, expected CLOSE"),
            ("{/:a", "Unexpected END at 4, expected CLOSE"),
            ("{(a)(b)}", "Unexpected PATTERN at 4, expected CLOSE"),
            ("{:a:b}", "Unexpected NAME at 3, expected CLOSE"),
            ("{/:a}}", "Unexpected CLOSE at 5, expected END"),
            ("/:a{", "Unexpected END at 4, expected CLOSE"),
            ("{\\", "Unexpected END at 3, expected CLOSE"),
            (
                "{/:a}?:b",
                "Must have text between two parameters, missing text after \"a\"",
            ),
            (
                "/a/(*)",
                r"Invalid regular expression: /^\/a(?:\/(*))[\/#\?]?$/i: Nothing to repeat",
            ),
            (
                "/:a(x{2,1})",
                r"Invalid regular expression: /^(?:\/(x{2,1}))[\/#\?]?$/i: numbers out of order in {} quantifier",
            ),
            (
                "/:a([z-a])",
                r"Invalid regular expression: /^(?:\/([z-a]))[\/#\?]?$/i: Range out of order in character class",
            ),
            (
                "/:a(a**)",
                r"Invalid regular expression: /^(?:\/(a**))[\/#\?]?$/i: Nothing to repeat",
            ),
            (
                "/:a([)",
                r"Invalid regular expression: /^(?:\/([))[\/#\?]?$/i: Unterminated group",
            ),
            (
                "/:a([(?:])|(?:))",
                r"Invalid regular expression: /^(?:\/([(?:])|(?:)))[\/#\?]?$/i: Unmatched ')'",
            ),
            (
                "/:a((?i:x))",
                r"Invalid regular expression: /^(?:\/((?i:x)))[\/#\?]?$/i: Invalid group",
            ),
            (
                "/:a(^*)",
                r"Invalid regular expression: /^(?:\/(^*))[\/#\?]?$/i: Nothing to repeat",
            ),
            (
                "/:a(\\b+)",
                r"Invalid regular expression: /^(?:\/(\b+))[\/#\?]?$/i: Nothing to repeat",
            ),
            (
                "/:a((?<=x)*)",
                r"Invalid regular expression: /^(?:\/((?<=x)*))[\/#\?]?$/i: Invalid quantifier",
            ),
        ];
        for (pattern, expected) in cases {
            assert_eq!(err(pattern), expected, "{pattern}");
        }
    }

    #[test]
    fn escapes() {
        let p = compile("/a\\:b");
        assert!(p.is_match("/a:b"));
        assert_eq!(p.captures("/a:b"), pairs(&[]));
        assert!(compile("/\\(x\\)").is_match("/(x)"));
        assert!(compile("/a\\*").is_match("/a*"));
        assert!(compile("/a\\?").is_match("/a?"));
        assert!(compile("/a\\{b\\}").is_match("/a{b}"));
        // An escaped prefix char is text, and the param after it refuses to start with it.
        assert_eq!(source("\\.:ext"), r"^\.((?:(?!\.)[^\/#\?])+?)[\/#\?]?$");
        assert!(compile("/x.y").is_match("/X.Y"));
        assert!(!compile("/x.y").is_match("/xzy"));
        assert!(compile("/$^|[]").is_match("/$^|[]"));
        assert!(compile("/:a(\\d+\\.\\d+)").is_match("/1.5"));
        assert!(!compile("/:a(\\d+\\.\\d+)").is_match("/1x5"));
        assert!(compile("/:a(\\/)").is_match("//"));
    }
}

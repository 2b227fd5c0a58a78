//! `Cookie` header parsing with the semantics of the `cookie` npm package (v1) that Clerk uses:
//! segments without `=` are skipped, names and values are trimmed of spaces and tabs, the first
//! occurrence of a name wins, and values containing `%` are decoded like `decodeURIComponent`
//! (kept verbatim when that fails). Encoded `;`/`=` inside a value never create extra cookies
//! because splitting happens before decoding.

use crate::web::url::percent_decode_bytes;

/// Parsed cookies in header order, first occurrence of each name only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cookies(Vec<(String, String)>);

fn trim_sp(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// `decodeURIComponent`, or `None` when it would throw (bad escape or invalid UTF-8).
pub fn decode_uri_component(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return None;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    String::from_utf8(percent_decode_bytes(b)).ok()
}

impl Cookies {
    pub fn parse(header: &str) -> Cookies {
        let mut out: Vec<(String, String)> = Vec::new();
        if header.len() < 2 {
            return Cookies(out);
        }
        // A set keeps first-wins linear: a 1 MB header of tiny cookies must stay cheap.
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for segment in header.split(';') {
            let Some((name, value)) = segment.split_once('=') else {
                continue;
            };
            let name = trim_sp(name);
            if !seen.insert(name) {
                continue;
            }
            let value = trim_sp(value);
            let value = if value.contains('%') {
                decode_uri_component(value).unwrap_or_else(|| value.to_string())
            } else {
                value.to_string()
            };
            out.push((name.to_string(), value));
        }
        Cookies(out)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `get(&format!("{name}_{suffix}"))` without building the name.
    pub fn get_suffixed(&self, name: &str, suffix: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| {
                n.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|rest| rest == suffix)
            })
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(h: &str) -> Vec<(String, String)> {
        Cookies::parse(h).0
    }
    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rfc6265_first_wins_and_lenient_decoding() {
        assert_eq!(parsed("a=1; b=2"), kv(&[("a", "1"), ("b", "2")]));
        assert_eq!(
            parsed("__session=first; __session=second"),
            kv(&[("__session", "first")])
        );
        assert_eq!(parsed("foo=hello%20world"), kv(&[("foo", "hello world")]));
        assert_eq!(
            parsed("foo=%C0; bar=100%D0; baz=ok"),
            kv(&[("foo", "%C0"), ("bar", "100%D0"), ("baz", "ok")])
        );
        assert_eq!(
            parsed("sid=x%3B__session%3Dforged%3B__client_uat%3D1"),
            kv(&[("sid", "x;__session=forged;__client_uat=1")])
        );
        assert_eq!(parsed("noeq; __session=x"), kv(&[("__session", "x")]));
        assert_eq!(
            parsed(" __session = spaced "),
            kv(&[("__session", "spaced")])
        );
        assert_eq!(parsed("q=\"quoted\""), kv(&[("q", "\"quoted\"")]));
        assert_eq!(parsed("a=b=c"), kv(&[("a", "b=c")]));
        assert_eq!(parsed("x"), kv(&[]));
        assert_eq!(parsed("foo=%zz"), kv(&[("foo", "%zz")]));
    }

    #[test]
    fn suffixed_lookup_equals_lookup_of_the_joined_name() {
        let c = Cookies::parse("__session=a; __session_X1=b; __session_X12=c; __sessionX1=d");
        for (name, suffix) in [
            ("__session", "X1"),
            ("__session", "X12"),
            ("__session", "X"),
            ("__sess", "ion_X1"),
        ] {
            assert_eq!(
                c.get_suffixed(name, suffix),
                c.get(&format!("{name}_{suffix}"))
            );
        }
        assert_eq!(c.get_suffixed("__session", "X1"), Some("b"));
    }
}

//! Which path a request is decided on, and which path the origin then receives.
//!
//! Route rules follow `createRouteMatcher`'s view of the path (decoded once except reserved
//! characters, `//` collapsed, no dot segments). An origin that reads the path another way
//! (WSGI decodes `%2F`, Tomcat strips `;x`, some stacks treat `\` as `/` or NFKC-fold) could serve
//! a protected resource for a path no rule matched. Two rules close that gap:
//!
//! * [`has_control_character`], for every adapter (Worker and Next shim): a path that decodes to
//!   a line terminator or another control character is refused before any rule is consulted —
//!   in JS regexes `.` does not match a line terminator, so `/admin/%0a` escaped `/admin(.*)`.
//! * [`decide`] for the Worker, modelled on Envoy's `normalize_path`, `merge_slashes` and
//!   `path_with_escaped_slashes_action`: the strict default rewrites the path into one every
//!   origin reads the same way (dot segments resolved, slashes merged, unreserved characters
//!   decoded, other escapes upper-cased) and refuses what cannot be made unambiguous (encoded
//!   `/` or `\`, `;` parameters, characters NFKC folds to ASCII, bad escapes). The rules are then
//!   matched on that path and exactly that path is forwarded. `Clerk` keeps Clerk's semantics:
//!   decide on the raw path, forward it untouched (for Next.js origins, which read paths as
//!   `createRouteMatcher` does).

mod lookalike;

/// `CLERK_PATH_NORMALIZATION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalization {
    /// Decide on, and forward, the normalised path.
    Strict,
    /// Decide on `createRouteMatcher`'s view of the raw path and forward it unchanged.
    Clerk,
}

/// `CLERK_ESCAPED_SLASHES`: what the strict policy does with `%2F` / `%5C` in a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscapedSlashes {
    /// 400.
    Reject,
    /// 308 to the path with them unescaped to `/` (then normalised).
    Redirect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathPolicy {
    pub normalization: Normalization,
    pub escaped_slashes: EscapedSlashes,
}

impl Default for PathPolicy {
    fn default() -> Self {
        PathPolicy {
            normalization: Normalization::Strict,
            escaped_slashes: EscapedSlashes::Reject,
        }
    }
}

impl PathPolicy {
    /// From the two settings' values (`None` = unset). Errors are `(setting, message)`.
    pub fn from_settings(
        normalization: Option<&str>,
        escaped_slashes: Option<&str>,
    ) -> Result<PathPolicy, (&'static str, &'static str)> {
        let normalization = match normalization {
            None | Some("strict") => Normalization::Strict,
            Some("clerk") => Normalization::Clerk,
            Some(_) => {
                return Err((
                    "CLERK_PATH_NORMALIZATION",
                    "must be \"strict\" (default) or \"clerk\"",
                ))
            }
        };
        let escaped = match escaped_slashes {
            None | Some("reject") => EscapedSlashes::Reject,
            Some("redirect") => EscapedSlashes::Redirect,
            Some(_) => {
                return Err((
                    "CLERK_ESCAPED_SLASHES",
                    "must be \"reject\" (default) or \"redirect\"",
                ))
            }
        };
        if normalization == Normalization::Clerk && escaped_slashes.is_some() {
            // Silently ignoring it would leave the operator believing encoded slashes are handled.
            return Err((
                "CLERK_ESCAPED_SLASHES",
                "applies only with CLERK_PATH_NORMALIZATION = \"strict\" (\"clerk\" forwards the path as received)",
            ));
        }
        Ok(PathPolicy {
            normalization,
            escaped_slashes: escaped,
        })
    }
}

/// Why a path was refused (400). `as_str` is the reason in the response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// C0 control, DEL, NEL, U+2028 or U+2029, literal or percent-encoded.
    ControlCharacter,
    /// `%` not followed by two hex digits, or escapes that are not UTF-8.
    MalformedEncoding,
    /// `%2F`, `%5C` or `\` inside a segment (with `CLERK_ESCAPED_SLASHES = reject`).
    EscapedSlash,
    /// `;` or `%3B`: matrix parameters that Tomcat/Spring strip before routing.
    PathParameter,
    /// A character whose NFKC form contains ASCII (`ａ`, `／`, `ﬀ`, `¹` …).
    LookAlike,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::ControlCharacter => "control-character",
            Refusal::MalformedEncoding => "malformed-encoding",
            Refusal::EscapedSlash => "escaped-slash",
            Refusal::PathParameter => "path-parameter",
            Refusal::LookAlike => "lookalike-character",
        }
    }

    /// The 400 body both adapters send.
    pub fn body(self) -> String {
        format!("Bad Request: {}", self.as_str())
    }
}

/// What to do with a request's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathDecision {
    /// Decide on and forward this (the path for [`decide`], the whole URL for [`decide_url`]).
    Forward(String),
    /// 308 to this path (plus the query, for [`decide_url`]).
    Redirect(String),
    /// 400.
    Refuse(Refusal),
}

fn hex_at(bytes: &[u8], at: usize) -> Option<u8> {
    let hi = char::from(*bytes.get(at)?).to_digit(16)?;
    let lo = char::from(*bytes.get(at + 1)?).to_digit(16)?;
    u8::try_from(hi * 16 + lo).ok()
}

/// Whether `path`, percent-decoded once (undecodable escapes kept as written), holds a C0
/// control character, DEL, NEL (U+0085: a line break to Java's `.`), U+2028 or U+2029 — the
/// characters a regex `.` may refuse to match, which would let the path slip past every rule.
pub fn has_control_character(path: &str) -> bool {
    let bytes = path.as_bytes();
    let (mut prev2, mut prev1) = (0u8, 0u8);
    let mut i = 0;
    while let Some(&raw) = bytes.get(i) {
        let b = match (raw, hex_at(bytes, i + 1)) {
            (b'%', Some(v)) => {
                i += 3;
                v
            }
            _ => {
                i += 1;
                raw
            }
        };
        // In UTF-8, C2 85 is only ever U+0085 and E2 80 A8/A9 only U+2028/9.
        if b < 0x20
            || b == 0x7F
            || (prev1 == 0xC2 && b == 0x85)
            || (prev2 == 0xE2 && prev1 == 0x80 && matches!(b, 0xA8 | 0xA9))
        {
            return true;
        }
        (prev2, prev1) = (prev1, b);
    }
    false
}

/// Whether an origin that NFKC-folds paths would read `c` as (or with) ASCII.
pub fn is_lookalike(c: char) -> bool {
    let cp = u32::from(c);
    cp >= 0x80
        && lookalike::RANGES
            .binary_search_by(|&(lo, hi)| {
                if hi < cp {
                    std::cmp::Ordering::Less
                } else if lo > cp {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn push_escaped(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    for nibble in [b >> 4, b & 0xF] {
        out.push(char::from(
            HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
        ));
    }
}

/// A non-ASCII character: refused if it folds to ASCII, else written percent-encoded.
fn push_non_ascii(out: &mut String, c: char) -> Result<(), Refusal> {
    if is_lookalike(c) {
        return Err(Refusal::LookAlike);
    }
    let mut buf = [0u8; 4];
    for &b in c.encode_utf8(&mut buf).as_bytes() {
        push_escaped(out, b);
    }
    Ok(())
}

/// Decodes the UTF-8 sequence escaped at `at` (`%E6%97%A5`): the character and where it ends.
fn escaped_char(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let lead = hex_at(bytes, at + 1)?;
    let len = match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return None,
    };
    let mut buf = [lead, 0, 0, 0];
    let mut next = at + 3;
    for slot in buf.iter_mut().take(len).skip(1) {
        if bytes.get(next) != Some(&b'%') {
            return None;
        }
        *slot = hex_at(bytes, next + 1)?;
        next += 3;
    }
    // from_utf8 refuses overlong forms (`%C0%AE` for `.`), surrogates and continuation errors.
    let c = std::str::from_utf8(buf.get(..len)?).ok()?.chars().next()?;
    Some((c, next))
}

/// Pass 1 of the strict policy: every unit in canonical form, `/` only where a segment ends.
/// Returns the text and whether an escaped slash was turned into a separator.
fn canonical(path: &str, escaped_slashes: EscapedSlashes) -> Result<(String, bool), Refusal> {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        out.push('/');
    }
    let mut unescaped = false;
    let mut slash = |out: &mut String| match escaped_slashes {
        EscapedSlashes::Reject => Err(Refusal::EscapedSlash),
        EscapedSlashes::Redirect => {
            unescaped = true;
            out.push('/');
            Ok(())
        }
    };
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let v = hex_at(bytes, i + 1).ok_or(Refusal::MalformedEncoding)?;
                if v >= 0x80 {
                    let (c, next) = escaped_char(bytes, i).ok_or(Refusal::MalformedEncoding)?;
                    push_non_ascii(&mut out, c)?;
                    i = next;
                    continue;
                }
                match v {
                    b'/' | b'\\' => slash(&mut out)?,
                    b';' => return Err(Refusal::PathParameter),
                    _ if is_unreserved(v) => out.push(char::from(v)),
                    _ => push_escaped(&mut out, v),
                }
                i += 3;
            }
            b'\\' => {
                slash(&mut out)?;
                i += 1;
            }
            b';' => return Err(Refusal::PathParameter),
            0x80.. => {
                let c = path
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .ok_or(Refusal::MalformedEncoding)?;
                push_non_ascii(&mut out, c)?;
                i += c.len_utf8();
            }
            _ => {
                out.push(char::from(b));
                i += 1;
            }
        }
    }
    Ok((out, unescaped))
}

/// Pass 2: RFC 3986 `remove_dot_segments` with empty segments merged (`//` → `/`); a trailing
/// `/`, `/.` or `/..` leaves a trailing slash.
fn resolve_segments(canonical: &str) -> String {
    let mut out = String::with_capacity(canonical.len());
    let mut starts: Vec<usize> = Vec::new();
    let mut trailing = false;
    for segment in canonical.split('/').skip(1) {
        match segment {
            "" | "." => trailing = true,
            ".." => {
                if let Some(start) = starts.pop() {
                    out.truncate(start);
                }
                trailing = true;
            }
            _ => {
                starts.push(out.len());
                out.push('/');
                out.push_str(segment);
                trailing = false;
            }
        }
    }
    if out.is_empty() || trailing {
        out.push('/');
    }
    out
}

/// The policy applied to a pathname (as `URL.pathname` gives it).
pub fn decide(path: &str, policy: PathPolicy) -> PathDecision {
    if has_control_character(path) {
        return PathDecision::Refuse(Refusal::ControlCharacter);
    }
    if policy.normalization == Normalization::Clerk {
        return PathDecision::Forward(path.to_string());
    }
    match canonical(path, policy.escaped_slashes) {
        Err(r) => PathDecision::Refuse(r),
        Ok((text, true)) => PathDecision::Redirect(resolve_segments(&text)),
        Ok((text, false)) => PathDecision::Forward(resolve_segments(&text)),
    }
}

/// `(start, end)` of the path in a serialised absolute URL (`scheme://authority/path?query`).
fn path_span(url: &str) -> Option<(usize, usize)> {
    let after_scheme = url.find("://")? + 3;
    let rest = url.get(after_scheme..)?;
    let start = after_scheme + rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let tail = url.get(start..)?;
    let end = start + tail.find(['?', '#']).unwrap_or(tail.len());
    Some((start, end))
}

/// [`decide`] for a request URL: `Forward` holds the URL with the decided path (query kept as
/// received), `Redirect` the decided path and the query. A URL without `://` is refused.
pub fn decide_url(url: &str, policy: PathPolicy) -> PathDecision {
    let Some((start, end)) = path_span(url) else {
        return PathDecision::Refuse(Refusal::MalformedEncoding);
    };
    let (head, path, query) = (
        url.get(..start).unwrap_or(""),
        url.get(start..end).unwrap_or(""),
        url.get(end..).unwrap_or(""),
    );
    // Requests carry no fragment; never forward or redirect with one.
    let query = query.split('#').next().unwrap_or("");
    match decide(path, policy) {
        PathDecision::Forward(p) if p == path && url.len() == end + query.len() => {
            PathDecision::Forward(url.to_string())
        }
        PathDecision::Forward(p) => PathDecision::Forward(format!("{head}{p}{query}")),
        PathDecision::Redirect(p) => PathDecision::Redirect(format!("{p}{query}")),
        refused => refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: PathPolicy = PathPolicy {
        normalization: Normalization::Strict,
        escaped_slashes: EscapedSlashes::Reject,
    };
    const REDIRECT: PathPolicy = PathPolicy {
        normalization: Normalization::Strict,
        escaped_slashes: EscapedSlashes::Redirect,
    };
    const CLERK: PathPolicy = PathPolicy {
        normalization: Normalization::Clerk,
        escaped_slashes: EscapedSlashes::Reject,
    };

    fn fwd(p: &str) -> PathDecision {
        PathDecision::Forward(p.to_string())
    }
    fn refuse(r: Refusal) -> PathDecision {
        PathDecision::Refuse(r)
    }

    /// Issue #12's probe: every one of these slipped past `/admin(.*)`-style rules.
    const LINE_BREAKS: &[&str] = &[
        "/admin/%0a",
        "/admin%0d",
        "/admin/users%0a",
        "/admin/%E2%80%A8",
        "/admin/%e2%80%a9",
        "/api/items%0a",
        "/dashboard/%0a",
        "/orgs/acme%0a",
        "/admin%00",
        "/admin%09x",
        "/admin%1F",
        "/admin%7f",
        "/admin%C2%85",
        "/admin\n",
        "/admin\u{2028}",
        "/admin\u{7f}",
    ];

    #[test]
    fn line_breaks_and_controls_are_refused_in_every_mode() {
        for p in LINE_BREAKS {
            assert!(has_control_character(p), "{p}");
            for policy in [STRICT, REDIRECT, CLERK] {
                assert_eq!(decide(p, policy), refuse(Refusal::ControlCharacter), "{p}");
            }
        }
        for p in [
            "/admin",
            "/admin/%20",
            "/%250a",
            "/%E2%80%A7",
            "/%C2%84",
            "/%E6%97%A5",
            "/%0",
            "/%",
            "/%zz0a",
            "/\u{2027}",
        ] {
            assert!(!has_control_character(p), "{p}");
        }
        assert_eq!(
            Refusal::ControlCharacter.body(),
            "Bad Request: control-character"
        );
    }

    #[test]
    fn strict_resolves_dots_merges_slashes_and_decodes_unreserved() {
        for (raw, out) in [
            ("/", "/"),
            ("", "/"),
            ("/admin", "/admin"),
            ("/admin/", "/admin/"),
            ("//admin", "/admin"),
            ("/a//b///", "/a/b/"),
            ("/x/../admin", "/admin"),
            ("/x/%2e%2e/admin", "/admin"),
            ("/x/.%2E/admin", "/admin"),
            ("/x/%2E./admin", "/admin"),
            ("/sign-in/../admin", "/admin"),
            ("/../../admin", "/admin"),
            ("/a/./b/.", "/a/b/"),
            ("/a/b/..", "/a/"),
            ("/a/..", "/"),
            ("/a//../b", "/b"),
            ("/%61dmin", "/admin"),
            ("/%7Euser/%41-%5F", "/~user/A-_"),
            ("/a%3fb%23c%25d%20e", "/a%3Fb%23c%25d%20e"),
            ("/%e6%97%a5%E6%9C%AC", "/%E6%97%A5%E6%9C%AC"),
            ("/caf\u{e9}", "/caf%C3%A9"),
            ("/...", "/..."),
            ("/.a/..b/a..", "/.a/..b/a.."),
            ("/a:b@c!$&'()*+,=", "/a:b@c!$&'()*+,="),
            ("admin", "/admin"),
        ] {
            assert_eq!(decide(raw, STRICT), fwd(out), "{raw:?}");
            // The output is a fixed point: deciding again changes nothing.
            assert_eq!(decide(out, STRICT), fwd(out), "{out:?}");
        }
    }

    #[test]
    fn strict_refuses_what_origins_read_differently() {
        for (raw, why) in [
            ("/%2Fadmin", Refusal::EscapedSlash),
            ("/x/..%2Fadmin", Refusal::EscapedSlash),
            ("/sign-in%2F..%2Fadmin", Refusal::EscapedSlash),
            ("/%5Cadmin", Refusal::EscapedSlash),
            ("/%5cadmin", Refusal::EscapedSlash),
            ("/\\admin", Refusal::EscapedSlash),
            ("/;x/admin", Refusal::PathParameter),
            ("/x/..;/admin", Refusal::PathParameter),
            ("/admin;jsessionid=1", Refusal::PathParameter),
            ("/%3Bx/admin", Refusal::PathParameter),
            ("/%EF%BD%81dmin", Refusal::LookAlike),
            ("/x%EF%BC%8F..%EF%BC%8Fadmin", Refusal::LookAlike),
            ("/%EF%AC%80", Refusal::LookAlike),
            ("/%C2%B9", Refusal::LookAlike),
            ("/%E2%84%AA", Refusal::LookAlike),
            ("/%C5%BF", Refusal::LookAlike),
            ("/\u{ff41}dmin", Refusal::LookAlike),
            ("/%", Refusal::MalformedEncoding),
            ("/%4", Refusal::MalformedEncoding),
            ("/%zz", Refusal::MalformedEncoding),
            ("/%u0061", Refusal::MalformedEncoding),
            ("/%C0%AE%C0%AE/admin", Refusal::MalformedEncoding),
            ("/%E6%97", Refusal::MalformedEncoding),
            ("/%ED%A0%80", Refusal::MalformedEncoding),
            ("/%80", Refusal::MalformedEncoding),
        ] {
            assert_eq!(decide(raw, STRICT), refuse(why), "{raw}");
        }
        assert_eq!(Refusal::EscapedSlash.body(), "Bad Request: escaped-slash");
    }

    #[test]
    fn redirect_mode_unescapes_slashes_then_normalises() {
        assert_eq!(
            decide("/x/..%2Fadmin", REDIRECT),
            PathDecision::Redirect("/admin".into())
        );
        assert_eq!(
            decide("/%2Fadmin", REDIRECT),
            PathDecision::Redirect("/admin".into())
        );
        assert_eq!(
            decide("/a%5Cb%2f", REDIRECT),
            PathDecision::Redirect("/a/b/".into())
        );
        // Never a protocol-relative Location.
        assert_eq!(
            decide("/%2F%2Fevil.example/x", REDIRECT),
            PathDecision::Redirect("/evil.example/x".into())
        );
        assert_eq!(decide("/%2F;x", REDIRECT), refuse(Refusal::PathParameter));
        assert_eq!(decide("/x/../a", REDIRECT), fwd("/a"));
    }

    #[test]
    fn clerk_mode_forwards_the_raw_path() {
        for p in [
            "/x/..%2Fadmin",
            "/;x/admin",
            "/%EF%BD%81dmin",
            "//a/./b",
            "/%zz",
        ] {
            assert_eq!(decide(p, CLERK), fwd(p));
        }
    }

    #[test]
    fn urls_keep_their_query() {
        assert_eq!(
            decide_url("https://a.test/x/%2e%2e/admin?q=%2F..;&r", STRICT),
            fwd("https://a.test/admin?q=%2F..;&r")
        );
        assert_eq!(
            decide_url("https://a.test:8443/p?x", STRICT),
            fwd("https://a.test:8443/p?x")
        );
        assert_eq!(decide_url("https://a.test", STRICT), fwd("https://a.test/"));
        assert_eq!(
            decide_url("https://a.test?x=1", STRICT),
            fwd("https://a.test/?x=1")
        );
        assert_eq!(
            decide_url("https://a.test/a%2fb?x=1#f", REDIRECT),
            PathDecision::Redirect("/a/b?x=1".into())
        );
        assert_eq!(
            decide_url("https://a.test/a#f", STRICT),
            fwd("https://a.test/a")
        );
        assert_eq!(
            decide_url("https://a.test/admin%0a?x", CLERK),
            refuse(Refusal::ControlCharacter)
        );
        assert_eq!(
            decide_url("https://a.test/%2e%2e?x", CLERK),
            fwd("https://a.test/%2e%2e?x")
        );
        assert_eq!(
            decide_url("nonsense", STRICT),
            refuse(Refusal::MalformedEncoding)
        );
    }

    #[test]
    fn settings_are_validated() {
        assert_eq!(PathPolicy::from_settings(None, None), Ok(STRICT));
        assert_eq!(
            PathPolicy::from_settings(Some("strict"), Some("redirect")),
            Ok(REDIRECT)
        );
        assert_eq!(PathPolicy::from_settings(Some("clerk"), None), Ok(CLERK));
        assert_eq!(
            PathPolicy::from_settings(Some("Strict"), None)
                .unwrap_err()
                .0,
            "CLERK_PATH_NORMALIZATION"
        );
        assert_eq!(
            PathPolicy::from_settings(None, Some("forward"))
                .unwrap_err()
                .0,
            "CLERK_ESCAPED_SLASHES"
        );
        assert_eq!(
            PathPolicy::from_settings(Some("clerk"), Some("reject"))
                .unwrap_err()
                .0,
            "CLERK_ESCAPED_SLASHES"
        );
    }

    #[test]
    fn lookalike_table_is_sorted_and_spot_checks() {
        assert!(lookalike::RANGES.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(lookalike::RANGES.iter().all(|(a, b)| a <= b && *a >= 0x80));
        for c in [
            '\u{ff41}',
            '\u{ff0f}',
            '\u{ff0e}',
            '\u{fb00}',
            '\u{212a}',
            '\u{2474}',
            '\u{1d400}',
        ] {
            assert!(is_lookalike(c), "{c:?}");
        }
        for c in ['a', '\u{e9}', '\u{65e5}', '\u{2014}', '\u{131}'] {
            assert!(!is_lookalike(c), "{c:?}");
        }
    }

    /// Fuzz-ish: random byte paths (biased toward `%`, `.`, `/`, `\`, `;`, hex) never panic, and
    /// whatever strict forwards is a fixed point that holds nothing an origin could reinterpret.
    #[test]
    fn random_paths_never_panic_and_forwarded_paths_are_fixed_points() {
        const ALPHABET: &[u8] = b"%%%..//\\;aAfF0289eEcC2bB5-_~?#:@\n\x7f";
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let mut bytes = vec![b'/'];
            for _ in 0..len {
                let r = next();
                bytes.push(if r % 5 == 0 {
                    (r >> 8) as u8
                } else {
                    ALPHABET[((r >> 8) % ALPHABET.len() as u64) as usize]
                });
            }
            let path = String::from_utf8_lossy(&bytes).into_owned();
            for policy in [STRICT, REDIRECT, CLERK] {
                let _ = decide_url(&format!("https://a.test{path}?q"), policy);
                match decide(&path, policy) {
                    PathDecision::Forward(out) | PathDecision::Redirect(out) if policy != CLERK => {
                        assert_eq!(decide(&out, STRICT), fwd(&out), "{path:?} -> {out:?}");
                        assert!(out.starts_with('/') && !out.contains("//"), "{out:?}");
                        assert!(!out.split('/').any(|s| s == "." || s == ".."), "{out:?}");
                        assert!(!out.contains(['\\', ';']), "{out:?}");
                        assert!(!has_control_character(&out));
                        assert!(crate::pattern::normalize_route_path(&out).is_ok());
                    }
                    _ => {}
                }
            }
        }
    }
}

//! The path a route matcher tests: `createRouteMatcher` decodes it once and collapses runs of
//! `/` before any pattern sees it, and refuses a path it cannot decode.

/// `createRouteMatcher` rejects a path whose percent-encoding `decodeURI` cannot decode; the
/// middleware answers such a request with an empty 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedUrl {
    /// The path as received (before any decoding).
    pub path: String,
}

impl MalformedUrl {
    /// Clerk's `MalformedURLError` message.
    pub fn message(&self) -> String {
        format!("Malformed encoding in URL path: {}", self.path)
    }
}

/// `createRouteMatcher` path normalisation: `decodeURI` once (decode %XX escapes EXCEPT those
/// that decode to one of the reserved chars `; / ? : @ & = + $ , #`, which stay exactly as
/// written incl. hex case; multi-byte UTF-8 sequences decoded; invalid escapes or invalid UTF-8 →
/// Err), then collapse every run of `/` into one. No dot-segment resolution, no double decoding
/// (`%2561` → `%61`).
pub fn normalize_route_path(path: &str) -> Result<String, MalformedUrl> {
    let malformed = || MalformedUrl {
        path: path.to_string(),
    };
    let bytes = path.as_bytes();
    let mut decoded = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'%') {
            // Splitting only at ASCII '%' keeps every slice on a char boundary.
            let next = bytes
                .iter()
                .skip(i)
                .position(|&b| b == b'%')
                .map_or(bytes.len(), |p| p + i);
            decoded.push_str(path.get(i..next).unwrap_or_default());
            i = next;
            continue;
        }
        let lead = hex_byte(bytes, i + 1).ok_or_else(malformed)?;
        if lead < 0x80 {
            let c = char::from(lead);
            if matches!(
                c,
                ';' | '/' | '?' | ':' | '@' | '&' | '=' | '+' | '$' | ',' | '#'
            ) {
                decoded.push_str(path.get(i..i + 3).unwrap_or_default());
            } else {
                decoded.push(c);
            }
            i += 3;
            continue;
        }
        let len = match lead {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return Err(malformed()),
        };
        let mut buf = [lead, 0, 0, 0];
        let mut at = i + 3;
        for slot in buf.iter_mut().take(len).skip(1) {
            if bytes.get(at) != Some(&b'%') {
                return Err(malformed());
            }
            let b = hex_byte(bytes, at + 1).ok_or_else(malformed)?;
            if b & 0xC0 != 0x80 {
                return Err(malformed());
            }
            *slot = b;
            at += 3;
        }
        // from_utf8 rejects what decodeURI rejects: overlong forms, surrogates, > U+10FFFF.
        let s = buf
            .get(..len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(malformed)?;
        decoded.push_str(s);
        i = at;
    }
    let mut out = String::with_capacity(decoded.len());
    for c in decoded.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    Ok(out)
}

fn hex_byte(bytes: &[u8], at: usize) -> Option<u8> {
    let hi = char::from(*bytes.get(at)?).to_digit(16)?;
    let lo = char::from(*bytes.get(at + 1)?).to_digit(16)?;
    u8::try_from(hi * 16 + lo).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        let n = |p: &str| normalize_route_path(p);
        assert_eq!(n("/api/%61dmin").unwrap(), "/api/admin");
        assert_eq!(n("/api%2Fadmin").unwrap(), "/api%2Fadmin");
        assert_eq!(n("/api%2fadmin").unwrap(), "/api%2fadmin");
        assert_eq!(n("/api/admin%3Fusers").unwrap(), "/api/admin%3Fusers");
        assert_eq!(n("/api/admin%23section").unwrap(), "/api/admin%23section");
        assert_eq!(
            n("/a%3b%2C%40%26%3D%2B%24%3A").unwrap(),
            "/a%3b%2C%40%26%3D%2B%24%3A"
        );
        assert_eq!(n("/%5C").unwrap(), "/\\");
        assert_eq!(n("/api/%2561dmin").unwrap(), "/api/%61dmin");
        assert_eq!(n("/%E6%97%A5%e6%9c%ac").unwrap(), "/日本");
        assert_eq!(n("/%C3%A9").unwrap(), "/é");
        assert_eq!(n("/%F0%9F%98%80").unwrap(), "/😀");
        assert_eq!(n("//a///b/").unwrap(), "/a/b/");
        assert_eq!(n("/%2F%2F").unwrap(), "/%2F%2F");
        assert_eq!(n("/a/../b").unwrap(), "/a/../b");
        assert_eq!(n("/ü/日").unwrap(), "/ü/日");
        assert_eq!(n("").unwrap(), "");
        for bad in [
            "/%",
            "/%2",
            "/%zz",
            "/%C0%80",
            "/%ED%A0%80",
            "/%F4%90%80%80",
            "/%E6%97",
            "/%E6%97x",
            "/%80",
            "/%F8%80%80%80%80",
            "/%C3%28",
            "/%C3",
            "/%%41",
        ] {
            let e = n(bad).unwrap_err();
            assert_eq!(e.path, bad);
            assert_eq!(
                e.message(),
                format!("Malformed encoding in URL path: {bad}")
            );
        }
    }
}

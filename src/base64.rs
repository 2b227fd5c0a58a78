//! Base64 in the three flavours Clerk's wire formats need, written here so the edge build
//! carries no general-purpose codec.
//!
//! * JWT segments: base64url, decoded *loosely* like Clerk (padding optional, leftover bits ignored).
//! * Publishable keys: `atob` ("forgiving-base64"), standard alphabet.
//! * Cookie suffix and request data: encoders.

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn value(c: u8, url_safe: bool) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' if url_safe => 62,
        b'_' if url_safe => 63,
        b'+' if !url_safe => 62,
        b'/' if !url_safe => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

fn decode_body(input: &[u8], url_safe: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &c in input {
        acc = (acc << 6) | value(c, url_safe)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Clerk's loose base64url: trailing `=` ignored, any length accepted, leftover bits dropped.
pub fn decode_url_loose(input: &str) -> Option<Vec<u8>> {
    decode_body(input.trim_end_matches('=').as_bytes(), true)
}

/// `atob` (WHATWG forgiving-base64): ASCII whitespace removed, up to two `=` allowed only when
/// the length is a multiple of four, a remainder of one character is an error.
pub fn decode_forgiving(input: &str) -> Option<Vec<u8>> {
    let mut data: Vec<u8> = input
        .bytes()
        .filter(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' '))
        .collect();
    if data.len().is_multiple_of(4) {
        for _ in 0..2 {
            if data.last() == Some(&b'=') {
                data.pop();
            }
        }
    }
    if data.len() % 4 == 1 {
        return None;
    }
    decode_body(&data, false)
}

/// Standard base64 accepting both alphabets and ignoring whitespace/padding: for PEM bodies
/// pasted from anywhere.
pub fn decode_lenient_any(input: &str) -> Option<Vec<u8>> {
    let data: Vec<u8> = input
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .map(|b| match b {
            b'-' => b'+',
            b'_' => b'/',
            other => other,
        })
        .collect();
    decode_body(&data, false)
}

fn encode(input: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                let idx = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(alphabet.get(idx).copied().unwrap_or(b'=')));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Standard alphabet with padding.
pub fn encode_std(input: &[u8]) -> String {
    encode(input, STD, true)
}

/// URL-safe alphabet without padding (JWT segments, cookie suffix).
pub fn encode_url(input: &[u8]) -> String {
    encode(input, URL, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for len in 0..20 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode_url_loose(&encode_url(&data)).unwrap(), data);
            assert_eq!(decode_forgiving(&encode_std(&data)).unwrap(), data);
        }
    }

    #[test]
    fn loose_url_accepts_padding_and_odd_lengths() {
        assert_eq!(decode_url_loose("YWJj").unwrap(), b"abc");
        assert_eq!(decode_url_loose("YWI=").unwrap(), b"ab");
        assert_eq!(decode_url_loose("YWI").unwrap(), b"ab");
        assert_eq!(decode_url_loose("Y").unwrap(), b"");
        assert!(decode_url_loose("YW+j").is_none());
        assert!(decode_url_loose("YW=j").is_none());
    }

    #[test]
    fn forgiving_matches_atob() {
        assert_eq!(
            decode_forgiving("Y2xlcmsuZXhhbXBsZS5jb20k").unwrap(),
            b"clerk.example.com$"
        );
        // 26 characters: the `=` are not padding, so they are invalid characters.
        assert!(decode_forgiving("Y2xlcmsuZXhhbXBsZS5jb20k==").is_none());
        assert!(decode_forgiving("abcde").is_none());
        assert_eq!(decode_forgiving("YW I=").unwrap(), b"ab");
        assert!(decode_forgiving("YW-_").is_none());
    }
}

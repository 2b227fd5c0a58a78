//! Base64 in the three flavours Clerk's wire formats need, written here so the edge build
//! carries no general-purpose codec.
//!
//! * JWT segments: base64url, decoded *loosely* like Clerk (padding optional, leftover bits ignored).
//! * Publishable keys: `atob` ("forgiving-base64"), standard alphabet.
//! * Cookie suffix and request data: encoders.

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Byte → sextet for one alphabet; `INVALID` for bytes outside it.
const INVALID: u8 = 0xff;
// Evaluated at compile time: an out-of-range index would fail the build, not a request.
#[allow(clippy::indexing_slicing)]
const fn table(alphabet: &[u8; 64]) -> [u8; 256] {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
}
static STD_TABLE: [u8; 256] = table(STD);
static URL_TABLE: [u8; 256] = table(URL);

/// Decodes unpadded base64 of either alphabet; leftover bits are dropped. Table-driven, four
/// characters at a time: JWT segments are decoded on every signed-in request.
fn decode_body(input: &[u8], url_safe: bool) -> Option<Vec<u8>> {
    let t = if url_safe { &URL_TABLE } else { &STD_TABLE };
    let sextet = |c: u8| -> Option<u32> {
        let v = t.get(usize::from(c)).copied().unwrap_or(INVALID);
        (v != INVALID).then_some(u32::from(v))
    };
    let quads = input.chunks_exact(4);
    let tail = quads.remainder();
    // Exact length: 3 bytes a quad, then one per complete 8 bits of the tail.
    let mut out = vec![0u8; input.len() / 4 * 3 + tail.len() * 6 / 8];
    let mut triples = out.chunks_exact_mut(3);
    for (q, o) in quads.zip(&mut triples) {
        if let (&[a, b, c, d], [x, y, z]) = (q, o) {
            let n = (sextet(a)? << 18) | (sextet(b)? << 12) | (sextet(c)? << 6) | sextet(d)?;
            (*x, *y, *z) = ((n >> 16) as u8, (n >> 8) as u8, n as u8);
        }
    }
    let mut rest = triples.into_remainder().iter_mut();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in tail {
        acc = (acc << 6) | sextet(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            if let Some(o) = rest.next() {
                *o = (acc >> bits) as u8;
            }
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

    /// The bit-at-a-time definition the table decoder must equal, invalid bytes included.
    fn reference(input: &[u8], alphabet: &[u8; 64]) -> Option<Vec<u8>> {
        let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0u32);
        for &c in input {
            acc = (acc << 6) | alphabet.iter().position(|&a| a == c)? as u32;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        Some(out)
    }

    #[test]
    fn table_decoder_equals_reference_at_every_position() {
        let valid = b"QmFzZTY0LV_+/wxyzAB9";
        for len in 0..=valid.len() {
            for bad in [
                None,
                Some(b'.'),
                Some(b'='),
                Some(0xc3),
                Some(b'+'),
                Some(b'-'),
            ] {
                for pos in 0..len.max(1) {
                    let mut input = valid[..len].to_vec();
                    if let (Some(b), Some(slot)) = (bad, input.get_mut(pos)) {
                        *slot = b;
                    }
                    assert_eq!(
                        decode_body(&input, true),
                        reference(&input, URL),
                        "{input:?}"
                    );
                    assert_eq!(
                        decode_body(&input, false),
                        reference(&input, STD),
                        "{input:?}"
                    );
                }
            }
        }
    }
}

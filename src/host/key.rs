//! RSA public keys: the PEM `jwtKey` (CLERK_JWT_KEY) parsed as real DER, and JWKS entries.
//!
//! Clerk strips a fixed RSA-2048 prefix from the PEM text, so other sizes, PKCS#1 PEMs, or env
//! files that keep `\n` as two characters silently fail. We parse SPKI (and PKCS#1) properly and
//! accept every input Clerk accepts.

use crate::web::base64;

/// An RSA public key, validated once per configuration.
#[derive(Debug)]
pub struct RsaPublicKey {
    /// Big-endian modulus without leading zeros.
    pub n: Vec<u8>,
    /// Big-endian public exponent without leading zeros.
    pub e: Vec<u8>,
    #[cfg(feature = "rust-verifier")]
    rust: std::sync::OnceLock<Option<rsa::RsaPublicKey>>,
}

impl Clone for RsaPublicKey {
    fn clone(&self) -> Self {
        RsaPublicKey::from_parts(self.n.clone(), self.e.clone())
    }
}

impl PartialEq for RsaPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.n == other.n && self.e == other.e
    }
}

/// What is wrong with a key; the text never contains the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Empty,
    NotBase64,
    NotDer(&'static str),
    NotRsa,
    TooSmall(usize),
    TooLarge(usize),
    BadExponent,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("it is empty"),
            Self::NotBase64 => f.write_str("its body is not base64 (expected a PEM \"-----BEGIN PUBLIC KEY-----\" block or its base64 body)"),
            Self::NotDer(what) => write!(f, "it is not a DER-encoded public key ({what})"),
            Self::NotRsa => f.write_str("it is not an RSA key (Clerk signs session tokens with RS256)"),
            Self::TooSmall(bits) => write!(f, "its modulus has {bits} bits; at least 2048 are required"),
            Self::TooLarge(bits) => write!(f, "its modulus has {bits} bits; at most 16384 are supported"),
            Self::BadExponent => f.write_str("its public exponent is invalid"),
        }
    }
}

const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const MIN_BITS: usize = 2048;
const MAX_BITS: usize = 16384;

/// One DER TLV: (tag, value, rest).
fn tlv(input: &[u8]) -> Result<(u8, &[u8], &[u8]), KeyError> {
    let bad = KeyError::NotDer("truncated or malformed element");
    let (&tag, rest) = input.split_first().ok_or(bad.clone())?;
    let (&first, rest) = rest.split_first().ok_or(bad.clone())?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 3 {
            return Err(bad);
        }
        let bytes = rest.get(..n).ok_or(bad.clone())?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, rest.get(n..).ok_or(bad.clone())?)
    };
    let value = rest.get(..len).ok_or(bad.clone())?;
    let after = rest.get(len..).ok_or(bad)?;
    Ok((tag, value, after))
}

fn expect<'a>(
    input: &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8]), KeyError> {
    let (t, v, rest) = tlv(input)?;
    if t != tag {
        return Err(KeyError::NotDer(what));
    }
    Ok((v, rest))
}

fn unsigned(int: &[u8]) -> Result<Vec<u8>, KeyError> {
    if int.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(KeyError::NotDer("negative integer"));
    }
    let start = int.iter().position(|b| *b != 0).unwrap_or(int.len());
    Ok(int.get(start..).unwrap_or(&[]).to_vec())
}

fn bit_len(n: &[u8]) -> usize {
    match n.first() {
        Some(top) => n.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    }
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`
fn parse_pkcs1(der: &[u8]) -> Result<RsaPublicKey, KeyError> {
    let (seq, _) = expect(der, 0x30, "expected RSAPublicKey SEQUENCE")?;
    let (n, rest) = expect(seq, 0x02, "expected modulus INTEGER")?;
    let (e, _) = expect(rest, 0x02, "expected exponent INTEGER")?;
    RsaPublicKey::new(unsigned(n)?, unsigned(e)?)
}

/// `SubjectPublicKeyInfo` with the rsaEncryption algorithm.
fn parse_spki(der: &[u8]) -> Result<RsaPublicKey, KeyError> {
    let (spki, _) = expect(der, 0x30, "expected SubjectPublicKeyInfo SEQUENCE")?;
    let (alg, rest) = expect(spki, 0x30, "expected AlgorithmIdentifier")?;
    let (oid, _) = expect(alg, 0x06, "expected algorithm OID")?;
    if oid != RSA_ENCRYPTION_OID {
        return Err(KeyError::NotRsa);
    }
    let (bits, _) = expect(rest, 0x03, "expected BIT STRING")?;
    match bits.split_first() {
        Some((0, key)) => parse_pkcs1(key),
        _ => Err(KeyError::NotDer("malformed BIT STRING")),
    }
}

impl RsaPublicKey {
    fn from_parts(n: Vec<u8>, e: Vec<u8>) -> RsaPublicKey {
        RsaPublicKey {
            n,
            e,
            #[cfg(feature = "rust-verifier")]
            rust: std::sync::OnceLock::new(),
        }
    }

    /// Validates size and exponent (2048–16384 bits, odd exponent ≥ 3 of at most 64 bits).
    pub fn new(n: Vec<u8>, e: Vec<u8>) -> Result<RsaPublicKey, KeyError> {
        let bits = bit_len(&n);
        if bits < MIN_BITS {
            return Err(KeyError::TooSmall(bits));
        }
        if bits > MAX_BITS {
            return Err(KeyError::TooLarge(bits));
        }
        let odd = e.last().is_some_and(|b| b & 1 == 1);
        if e.len() > 8 || !odd || (e.len() == 1 && e.first() == Some(&1)) {
            return Err(KeyError::BadExponent);
        }
        Ok(RsaPublicKey::from_parts(n, e))
    }

    /// Parses `CLERK_JWT_KEY`: a PEM `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1), or the bare
    /// base64 body of either. Tolerates CRLF, surrounding quotes and the literal `\n` escapes that
    /// env files and dashboards produce.
    pub fn from_pem(text: &str) -> Result<RsaPublicKey, KeyError> {
        let text = text.trim().trim_matches(|c| c == '"' || c == '\'');
        let text = text.replace("\\r", "\n").replace("\\n", "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        let mut pkcs1_label = false;
        let body = match text.find("-----BEGIN ") {
            Some(start) => {
                let after = text.get(start + 11..).unwrap_or("");
                let label_end = after.find("-----").ok_or(KeyError::NotBase64)?;
                let label = after.get(..label_end).unwrap_or("");
                pkcs1_label = label == "RSA PUBLIC KEY";
                let body = after.get(label_end + 5..).unwrap_or("");
                let end = body.find("-----END ").unwrap_or(body.len());
                body.get(..end).unwrap_or("")
            }
            None => text,
        };
        let der = base64::decode_lenient_any(body).ok_or(KeyError::NotBase64)?;
        if der.is_empty() {
            return Err(KeyError::Empty);
        }
        if pkcs1_label {
            return parse_pkcs1(&der);
        }
        match parse_spki(&der) {
            Err(KeyError::NotDer(_)) => parse_pkcs1(&der)
                .map_err(|_| KeyError::NotDer("neither SubjectPublicKeyInfo nor RSAPublicKey")),
            other => other,
        }
    }

    /// A JWKS entry's `n`/`e` (base64url).
    pub fn from_jwk(n: &str, e: &str) -> Result<RsaPublicKey, KeyError> {
        let n = base64::decode_url_loose(n).ok_or(KeyError::NotBase64)?;
        let e = base64::decode_url_loose(e).ok_or(KeyError::NotBase64)?;
        let strip = |v: Vec<u8>| {
            let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
            v.get(start..).unwrap_or(&[]).to_vec()
        };
        RsaPublicKey::new(strip(n), strip(e))
    }

    pub fn modulus_bits(&self) -> usize {
        bit_len(&self.n)
    }

    /// The RustCrypto key, built once per key and reused by every verification.
    #[cfg(feature = "rust-verifier")]
    pub(crate) fn rust_key(&self) -> Option<&rsa::RsaPublicKey> {
        self.rust
            .get_or_init(|| {
                let n = rsa::BigUint::from_bytes_be(&self.n);
                let e = rsa::BigUint::from_bytes_be(&self.e);
                rsa::RsaPublicKey::new_with_max_size(n, e, MAX_BITS).ok()
            })
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM_2048: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo
4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u
+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyeh
kd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ
0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdg
cKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbc
mwIDAQAB
-----END PUBLIC KEY-----";

    #[test]
    fn parses_pem_forms() {
        let k = RsaPublicKey::from_pem(PEM_2048).unwrap();
        assert_eq!(k.modulus_bits(), 2048);
        assert_eq!(k.e, vec![1, 0, 1]);
        let escaped = PEM_2048.replace('\n', "\\n");
        assert_eq!(RsaPublicKey::from_pem(&escaped).unwrap(), k);
        let crlf = PEM_2048.replace('\n', "\r\n");
        assert_eq!(RsaPublicKey::from_pem(&crlf).unwrap(), k);
        let body: String = PEM_2048
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert_eq!(RsaPublicKey::from_pem(&body).unwrap(), k);
        assert_eq!(
            RsaPublicKey::from_pem(&format!("\"{escaped}\"")).unwrap(),
            k
        );
    }

    #[test]
    fn rejects_bad_keys_without_echoing_them() {
        assert_eq!(RsaPublicKey::from_pem(""), Err(KeyError::Empty));
        assert_eq!(
            RsaPublicKey::from_pem("not base64 !!"),
            Err(KeyError::NotBase64)
        );
        assert!(matches!(
            RsaPublicKey::from_pem("AAAA"),
            Err(KeyError::NotDer(_))
        ));
        let small = RsaPublicKey::new(vec![0xff; 128], vec![1, 0, 1]);
        assert_eq!(small, Err(KeyError::TooSmall(1024)));
        assert_eq!(
            RsaPublicKey::new(vec![0xff; 256], vec![2]),
            Err(KeyError::BadExponent)
        );
        let msg = KeyError::NotBase64.to_string();
        assert!(!msg.contains("MIIB"));
    }

    #[test]
    fn never_panics_on_prefix_truncations() {
        let body: String = PEM_2048
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let der = base64::decode_lenient_any(&body).unwrap();
        for i in 0..der.len() {
            let _ = parse_spki(&der[..i]);
            let mut flipped = der.clone();
            flipped[i] ^= 0xff;
            let _ = parse_spki(&flipped);
        }
    }
}

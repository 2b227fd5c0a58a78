//! `x-clerk-request-data`: the per-request options ("dynamic keys") the edge passes to the
//! origin, encrypted. Two formats:
//!
//! * **`v1` AES-256-GCM** (clerk-edge's own, authenticated): see `docs/request-data.md`.
//! * **Clerk-compatible**: OpenSSL `Salted__` AES-256-CBC with MD5 `EVP_BytesToKey`, which
//!   unchanged `@clerk/nextjs` helpers decrypt (not authenticated: Clerk's choice, kept for
//!   drop-in compatibility).
//!
//! Randomness (nonce, salt) is an input, so the functions stay pure and testable.

use crate::web::base64;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use cbc::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

/// Clerk's header limit is 16 KB per header; stay well under it.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Version byte of the GCM format.
pub const GCM_VERSION: u8 = 1;
/// Associated data: binds the ciphertext to this format and version.
pub const GCM_AAD: &[u8] = b"clerk-edge/request-data/v1";
const HKDF_SALT: &[u8] = b"clerk-edge/request-data/v1/hkdf-salt";
const HKDF_INFO: &[u8] = b"aes-256-gcm key";
/// Passphrases shorter than this are refused (a 64-hex-digit key is the recommended form).
pub const MIN_PASSPHRASE_CHARS: usize = 32;

pub const ENCRYPTION_KEY_INVALID: &str = "Clerk: Unable to decrypt request data, this usually means the encryption key is invalid. Ensure the encryption key is properly set. For more information, see: https://clerk.com/docs/reference/nextjs/clerk-middleware#dynamic-keys. (code=encryption_key_invalid)";
pub const ENCRYPTION_KEY_MISSING: &str = "Clerk: Missing `CLERK_ENCRYPTION_KEY`. Required for propagating `secretKey` middleware option. See docs: https://clerk.com/docs/references/nextjs/clerk-middleware#dynamic-keys. (code=encryption_key_missing)";

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// A 256-bit GCM key derived once per configuration.
#[derive(Clone)]
pub struct GcmKey([u8; 32]);

impl std::fmt::Debug for GcmKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GcmKey(<redacted>)")
    }
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) {
        for p in parts {
            mac.update(p);
        }
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    out
}

impl GcmKey {
    /// `CLERK_ENCRYPTION_KEY` → key: exactly 64 hex digits are the key itself; any other value
    /// of at least 32 characters is a passphrase run through HKDF-SHA256 (RFC 5869) with a
    /// fixed salt and info. Shorter values are refused.
    pub fn from_setting(value: &str) -> Result<GcmKey, String> {
        let v = value.trim();
        if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut k = [0u8; 32];
            for (i, byte) in k.iter_mut().enumerate() {
                *byte = v
                    .get(2 * i..2 * i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .unwrap_or(0);
            }
            return Ok(GcmKey(k));
        }
        if v.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(format!(
                "must be 64 hex digits (openssl rand -hex 32) or a passphrase of at least {MIN_PASSPHRASE_CHARS} characters"
            ));
        }
        let prk = hmac_sha256(HKDF_SALT, &[v.as_bytes()]);
        Ok(GcmKey(hmac_sha256(&prk, &[HKDF_INFO, &[1u8]])))
    }
}

/// `base64url( 0x01 ‖ nonce[12] ‖ AES-256-GCM(plaintext, aad = GCM_AAD) ‖ tag[16] )`.
pub fn encrypt_gcm(key: &GcmKey, plaintext: &[u8], nonce: [u8; 12]) -> Result<String, String> {
    let cipher = Aes256Gcm::new_from_slice(&key.0).map_err(|_| "invalid key length".to_string())?;
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: GCM_AAD,
            },
        )
        .map_err(|_| "encryption failed".to_string())?;
    let mut out = Vec::with_capacity(1 + 12 + sealed.len());
    out.push(GCM_VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(base64::encode_url(&out))
}

/// Opens a `v1` value; any tampering, wrong key or wrong version is `encryption_key_invalid`.
pub fn decrypt_gcm(key: &GcmKey, value: &str) -> Result<Vec<u8>, &'static str> {
    let raw = base64::decode_url_loose(value).ok_or(ENCRYPTION_KEY_INVALID)?;
    let (version, rest) = raw.split_first().ok_or(ENCRYPTION_KEY_INVALID)?;
    if *version != GCM_VERSION || rest.len() < 12 + 16 {
        return Err(ENCRYPTION_KEY_INVALID);
    }
    let (nonce, sealed) = rest.split_at(12);
    let cipher = Aes256Gcm::new_from_slice(&key.0).map_err(|_| ENCRYPTION_KEY_INVALID)?;
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: GCM_AAD,
            },
        )
        .map_err(|_| ENCRYPTION_KEY_INVALID)
}

/// OpenSSL `EVP_BytesToKey(MD5, 1 iteration)` → 32-byte key ‖ 16-byte IV.
fn bytes_to_key(passphrase: &[u8], salt: &[u8; 8]) -> ([u8; 32], [u8; 16]) {
    let mut material = Vec::with_capacity(48);
    let mut prev: Vec<u8> = Vec::new();
    while material.len() < 48 {
        let mut h = Md5::new();
        h.update(&prev);
        h.update(passphrase);
        h.update(salt);
        prev = h.finalize().to_vec();
        material.extend_from_slice(&prev);
    }
    let mut key = [0u8; 32];
    let mut iv = [0u8; 16];
    key.copy_from_slice(material.get(..32).unwrap_or(&[0; 32]));
    iv.copy_from_slice(material.get(32..48).unwrap_or(&[0; 16]));
    (key, iv)
}

/// `base64("Salted__" ‖ salt ‖ AES-256-CBC-PKCS7(plaintext))`, as CryptoJS/`@clerk/nextjs`.
pub fn encrypt_clerk(passphrase: &str, plaintext: &[u8], salt: [u8; 8]) -> String {
    let (key, iv) = bytes_to_key(passphrase.as_bytes(), &salt);
    let ct = Aes256CbcEnc::new(&key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let mut out = Vec::with_capacity(16 + ct.len());
    out.extend_from_slice(b"Salted__");
    out.extend_from_slice(&salt);
    out.extend_from_slice(&ct);
    base64::encode_std(&out)
}

/// Decrypts the Clerk-compatible format (a wrong key usually fails the padding check; it is
/// not authenticated, so callers must also validate the JSON).
pub fn decrypt_clerk(passphrase: &str, value: &str) -> Result<Vec<u8>, &'static str> {
    let raw = base64::decode_forgiving(value).ok_or(ENCRYPTION_KEY_INVALID)?;
    let body = raw
        .strip_prefix(b"Salted__")
        .ok_or(ENCRYPTION_KEY_INVALID)?;
    if body.len() < 8 + 16 || !(body.len() - 8).is_multiple_of(16) {
        return Err(ENCRYPTION_KEY_INVALID);
    }
    let (salt, ct) = body.split_at(8);
    let mut s = [0u8; 8];
    s.copy_from_slice(salt);
    let (key, iv) = bytes_to_key(passphrase.as_bytes(), &s);
    Aes256CbcDec::new(&key.into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(ct)
        .map_err(|_| ENCRYPTION_KEY_INVALID)
}

/// Fresh random bytes from the host (WebCrypto on wasm32).
pub fn random<const N: usize>() -> Result<[u8; N], String> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(b)
}

/// The one check every sealed `x-clerk-request-data` passes (both adapters, either format): at
/// most [`MAX_HEADER_BYTES`], since a larger header would be refused or cut by the platform
/// between the edge and the origin.
fn within_limit(sealed: String) -> Result<String, String> {
    if sealed.len() > MAX_HEADER_BYTES {
        return Err(format!(
            "x-clerk-request-data would be {} bytes (limit {MAX_HEADER_BYTES})",
            sealed.len()
        ));
    }
    Ok(sealed)
}

/// Seals request data in Clerk's format (what unchanged `@clerk/nextjs` server helpers open)
/// with a fresh salt.
pub fn seal_clerk(passphrase: &str, plaintext: &str) -> Result<String, String> {
    within_limit(encrypt_clerk(
        passphrase,
        plaintext.as_bytes(),
        random::<8>()?,
    ))
}

/// Seals request data in clerk-edge's AES-256-GCM format with a fresh nonce.
pub fn seal_gcm(key: &GcmKey, plaintext: &str) -> Result<String, String> {
    within_limit(encrypt_gcm(key, plaintext.as_bytes(), random::<12>()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_round_trip_and_tamper_detection() {
        let key = GcmKey::from_setting(&"ab".repeat(32)).unwrap();
        let ct = encrypt_gcm(&key, br#"{"secretKey":"sk_live_x"}"#, [7; 12]).unwrap();
        assert_eq!(
            decrypt_gcm(&key, &ct).unwrap(),
            br#"{"secretKey":"sk_live_x"}"#
        );
        let raw = base64::decode_url_loose(&ct).unwrap();
        for i in 0..raw.len() {
            for bit in [0x01u8, 0x80] {
                let mut t = raw.clone();
                t[i] ^= bit;
                assert_eq!(
                    decrypt_gcm(&key, &base64::encode_url(&t)),
                    Err(ENCRYPTION_KEY_INVALID),
                    "byte {i}"
                );
            }
        }
        let other = GcmKey::from_setting(&"cd".repeat(32)).unwrap();
        assert!(decrypt_gcm(&other, &ct).is_err());
        assert!(decrypt_gcm(&key, "").is_err());
        assert!(decrypt_gcm(&key, "!!!").is_err());
    }

    #[test]
    fn key_rules() {
        assert!(GcmKey::from_setting("short").is_err());
        let a = GcmKey::from_setting("test-encryption-key-32-bytes-long!!").unwrap();
        let b = GcmKey::from_setting("test-encryption-key-32-bytes-long!?").unwrap();
        assert_ne!(a.0, b.0);
        assert_eq!(format!("{a:?}"), "GcmKey(<redacted>)");
    }

    #[test]
    fn clerk_format_matches_openssl() {
        let ct = encrypt_clerk("my-key", br#"{"a":1}"#, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(ct.starts_with("U2FsdGVkX1"));
        // `printf '{"a":1}' | openssl enc -aes-256-cbc -md md5 -a -A -S 0102030405060708 -pass pass:my-key`
        // prints the ciphertext after `Salted__` ‖ salt.
        let raw = base64::decode_forgiving(&ct).unwrap();
        assert_eq!(&raw[..16], b"Salted__\x01\x02\x03\x04\x05\x06\x07\x08");
        assert_eq!(base64::encode_std(&raw[16..]), "rmm33tcrLjhNoW2on8IKAw==");
        assert_eq!(decrypt_clerk("my-key", &ct).unwrap(), br#"{"a":1}"#);
        assert!(decrypt_clerk("other-key", &ct)
            .map(|p| p != br#"{"a":1}"#)
            .unwrap_or(true));
        assert!(decrypt_clerk("my-key", "U2FsdGVkX1").is_err());
    }

    #[test]
    fn seal_opens_in_both_formats_and_enforces_the_limit() {
        let sealed = seal_clerk("pass", r#"{"a":1}"#).unwrap();
        assert_eq!(decrypt_clerk("pass", &sealed).unwrap(), br#"{"a":1}"#);
        let key = GcmKey::from_setting(&"ab".repeat(32)).unwrap();
        let sealed = seal_gcm(&key, r#"{"a":1}"#).unwrap();
        assert_eq!(decrypt_gcm(&key, &sealed).unwrap(), br#"{"a":1}"#);
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_HEADER_BYTES));
        let e = seal_clerk("pass", &big).unwrap_err();
        assert!(
            e.starts_with("x-clerk-request-data would be ") && e.ends_with(" bytes (limit 8192)"),
            "{e}"
        );
    }
}

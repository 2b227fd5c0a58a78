//! The auth signature `@clerk/nextjs` checks before trusting a forwarded token:
//! lowercase hex HMAC-SHA1 of the token, keyed with the secret key.

use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// `x-clerk-auth-signature` for `token` (empty token → empty signature, as Clerk sends).
pub fn sign(token: &str, secret_key: &str) -> String {
    if token.is_empty() {
        return String::new();
    }
    let Ok(mut mac) = HmacSha1::new_from_slice(secret_key.as_bytes()) else {
        return String::new();
    };
    mac.update(token.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

/// Constant-time check of a received signature (length-checked; any malformed value fails).
pub fn verify(token: &str, signature: &str, secret_key: &str) -> bool {
    if token.is_empty() || signature.len() != 40 {
        return false;
    }
    let (Some(sig), Ok(mut mac)) = (
        hex_decode(signature),
        HmacSha1::new_from_slice(secret_key.as_bytes()),
    ) else {
        return false;
    };
    mac.update(token.as_bytes());
    mac.verify_slice(&sig).is_ok()
}

/// One secret key, or several: a reader accepts signatures made with any of its keys while the
/// signing side switches from the old key to the new one.
pub trait SecretKeys {
    fn each(&self) -> impl Iterator<Item = &str>;
}

impl SecretKeys for str {
    fn each(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self)
    }
}

impl SecretKeys for String {
    fn each(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.as_str())
    }
}

impl<S: AsRef<str>> SecretKeys for [S] {
    fn each(&self) -> impl Iterator<Item = &str> {
        self.iter().map(AsRef::as_ref)
    }
}

impl<S: AsRef<str>, const N: usize> SecretKeys for [S; N] {
    fn each(&self) -> impl Iterator<Item = &str> {
        self.iter().map(AsRef::as_ref)
    }
}

impl<S: AsRef<str>> SecretKeys for Vec<S> {
    fn each(&self) -> impl Iterator<Item = &str> {
        self.iter().map(AsRef::as_ref)
    }
}

/// [`verify`] against each key (each comparison constant-time): true when any key made it.
pub fn verify_any<K: SecretKeys + ?Sized>(token: &str, signature: &str, keys: &K) -> bool {
    keys.each().any(|k| verify(token, signature, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_clerk_and_rejects_tampering() {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLWlkIn0.0u5CllULtDVD9DUUmUMdJLbBCSNcnv4j3hCaPz4dNr8";
        let sig = sign(token, "sk_test_mock");
        assert_eq!(sig, "23fc9cfe34885856016958af27af6f792340e988");
        assert!(verify(token, &sig, "sk_test_mock"));
        assert!(!verify(token, &sig, "sk_test_other"));
        assert!(!verify(token, "", "sk_test_mock"));
        assert!(!verify(token, &sig[..39], "sk_test_mock"));
        assert!(!verify(token, &format!("{sig}0"), "sk_test_mock"));
        assert!(!verify(token, &format!("{}f", &sig[..39]), "sk_test_mock"));
        assert!(!verify(
            token,
            &sig.to_uppercase().replace('F', "g"),
            "sk_test_mock"
        ));
        assert!(!verify(&format!("{token}x"), &sig, "sk_test_mock"));
        assert_eq!(sign("", "k"), "");
    }

    #[test]
    fn any_of_several_keys() {
        let token = "a.b.c";
        let (old, new) = ("sk_live_old", "sk_live_new");
        for sig in [sign(token, old), sign(token, new)] {
            assert!(verify_any(token, &sig, &[old, new]));
            assert!(verify_any(
                token,
                &sig,
                &vec![new.to_string(), old.to_string()]
            ));
        }
        assert!(verify_any(token, &sign(token, old), old));
        assert!(!verify_any(token, &sign(token, old), new));
        assert!(!verify_any(token, &sign(token, "sk_other"), &[old, new]));
        let none: [&str; 0] = [];
        assert!(!verify_any(token, &sign(token, old), &none));
    }
}

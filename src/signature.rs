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
}

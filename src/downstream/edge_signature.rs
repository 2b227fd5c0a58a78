//! `x-clerk-edge-signature`: the Worker's own signature beside Clerk's, so a captured header
//! set cannot be replayed later, to another path or host, or with a changed status. Clerk's
//! `x-clerk-auth-signature` stays byte-compatible; this one binds the whole forwarded set to
//! the request the origin receives. One definition, used by the Worker and the Rust reader;
//! docs/reader-vectors.md spells it out byte for byte for other languages.
//!
//! `value = "v1," ‖ t ‖ "," ‖ hex(HMAC-SHA256(secret key, canonical))`, where `t` is the
//! Worker's clock in whole Unix seconds and `canonical` joins with `\n` (no value can contain
//! one: they are header values and a request target):
//! `clerk-edge-signature/v1`, `t`, status, token, request data (as sent, may be empty),
//! method (upper case), path and query as the origin receives them, host (`Host` the origin
//! receives, lower case).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "x-clerk-edge-signature";
const LABEL: &str = "clerk-edge-signature/v1";
/// How old a signature may be when the origin reads it (plus the reader's clock skew).
pub const DEFAULT_MAX_AGE_SECS: u64 = 30;

pub const MISSING: &str = "edge_signature_missing";
pub const INVALID: &str = "edge_signature_invalid";
pub const EXPIRED: &str = "edge_signature_expired";

/// The request the origin receives, as it sees it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    pub host: &'a str,
}

/// The signed fields of a forwarded set.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    pub status: &'a str,
    pub token: &'a str,
    pub request_data: &'a str,
}

pub fn canonical(t: u64, f: &Signed<'_>, target: &Target<'_>) -> String {
    format!(
        "{LABEL}\n{t}\n{}\n{}\n{}\n{}\n{}\n{}",
        f.status,
        f.token,
        f.request_data,
        target.method.to_ascii_uppercase(),
        target.path_and_query,
        target.host.to_ascii_lowercase()
    )
}

fn mac(key: &str, t: u64, f: &Signed<'_>, target: &Target<'_>) -> Option<Hmac<Sha256>> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).ok()?;
    m.update(canonical(t, f, target).as_bytes());
    Some(m)
}

/// The header value for a forwarded set, signed at `t` (Unix seconds).
pub fn sign(key: &str, t: u64, f: &Signed<'_>, target: &Target<'_>) -> String {
    let hex: String = mac(key, t, f, target)
        .map(|m| m.finalize().into_bytes())
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect())
        .unwrap_or_default();
    format!("v1,{t},{hex}")
}

fn hex32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Checks a received value with any of `keys` (constant time), then its age against `now`:
/// older than `max_age + skew` → expired; more than `skew` in the future → invalid.
pub fn verify(
    value: Option<&str>,
    keys: &[String],
    f: &Signed<'_>,
    target: &Target<'_>,
    now: Option<f64>,
    max_age: f64,
    skew: f64,
) -> Result<(), &'static str> {
    let value = value.ok_or(MISSING)?;
    let mut parts = value.split(',');
    let (Some("v1"), Some(t), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(INVALID);
    };
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(INVALID);
    }
    let t: u64 = t.parse().map_err(|_| INVALID)?;
    let sig = hex32(sig).ok_or(INVALID)?;
    let ok = keys
        .iter()
        .any(|k| mac(k, t, f, target).is_some_and(|m| m.verify_slice(&sig).is_ok()));
    if !ok {
        return Err(INVALID);
    }
    let Some(now) = now else {
        return Ok(()); // time checks turned off
    };
    let t = t as f64;
    if t > now + skew {
        return Err(INVALID);
    }
    if now > t + max_age + skew {
        return Err(EXPIRED);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_every_field_and_the_clock() {
        let keys = vec!["sk_test_edge".to_string()];
        let f = Signed {
            status: "signed-in",
            token: "a.b.c",
            request_data: "",
        };
        let target = Target {
            method: "get",
            path_and_query: "/a?x=1",
            host: "Origin.Example:8080",
        };
        assert_eq!(
            canonical(7, &f, &target),
            "clerk-edge-signature/v1\n7\nsigned-in\na.b.c\n\nGET\n/a?x=1\norigin.example:8080"
        );
        let v = sign("sk_test_edge", 1000, &f, &target);
        assert!(v.starts_with("v1,1000,") && v.len() == 8 + 64);
        let check = |v: &str, f: &Signed<'_>, t: &Target<'_>, now: f64| {
            verify(Some(v), &keys, f, t, Some(now), 30.0, 5.0)
        };
        assert_eq!(check(&v, &f, &target, 1010.0), Ok(()));
        assert_eq!(check(&v, &f, &target, 1036.0), Err(EXPIRED));
        assert_eq!(check(&v, &f, &target, 990.0), Err(INVALID));
        let other = Target {
            path_and_query: "/b",
            ..target
        };
        assert_eq!(check(&v, &f, &other, 1010.0), Err(INVALID));
        let out = Signed {
            status: "signed-out",
            ..f
        };
        assert_eq!(check(&v, &out, &target, 1010.0), Err(INVALID));
        assert_eq!(check("v1,1000,zz", &f, &target, 1010.0), Err(INVALID));
        assert_eq!(
            verify(None, &keys, &f, &target, Some(1.0), 30.0, 5.0),
            Err(MISSING)
        );
    }
}

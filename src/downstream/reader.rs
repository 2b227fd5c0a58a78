//! The origin-side reader contract shared by every language's reader (Rust here and, through
//! wasm, Node; Python and Go reimplement it): forwarded `x-clerk-*` headers → verified auth or
//! one error code. `docs/reader-vectors.md` defines it step by step; `src/bin/reader_vectors.rs`
//! generates the vector file all readers run.
//!
//! Stricter than `downstream::read` (Clerk's `auth()`), which stays byte-compatible for
//! `@clerk/nextjs`: duplicate or oversized headers, an unknown status, a token that is not a
//! JWT, and an expired or not-yet-valid token are errors; and a `secretKey` inside the request
//! data is ignored unless `clerk_compatible` (anyone holding the encryption key could otherwise
//! choose the HMAC key and mint sessions).

use crate::downstream;
use crate::downstream::edge_signature::{self, Signed, Target};
use crate::downstream::request_data;
use crate::token::auth::SessionAuth;
use crate::token::jwt::Jwt;
use crate::web::signature;
use serde_json::{Map, Value};

/// Any single forwarded header longer than this is refused (Clerk's per-header limit).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Default tolerance for `exp`/`nbf`, as Clerk's `clockSkewInMs` default.
pub const DEFAULT_CLOCK_SKEW_SECS: f64 = 5.0;

/// The headers the contract reads; each may appear at most once.
const READ_HEADERS: [&str; 7] = [
    edge_signature::HEADER,
    downstream::AUTH_STATUS,
    downstream::AUTH_TOKEN,
    downstream::AUTH_SIGNATURE,
    downstream::AUTH_REASON,
    downstream::AUTH_MESSAGE,
    downstream::REQUEST_DATA,
];

/// Error codes, identical in every reader.
pub mod code {
    pub const HEADER_DUPLICATE: &str = "header_duplicate";
    pub const HEADER_TOO_LARGE: &str = "header_too_large";
    pub const MIDDLEWARE_MISSING: &str = "middleware_missing";
    pub const STATUS_INVALID: &str = "status_invalid";
    pub const ENCRYPTION_KEY_INVALID: &str = "encryption_key_invalid";
    pub const AUTH_SIGNATURE_INVALID: &str = "auth_signature_invalid";
    pub const TOKEN_MALFORMED: &str = "token_malformed";
    pub const TOKEN_EXPIRED: &str = "token_expired";
    pub const TOKEN_NOT_YET_VALID: &str = "token_not_yet_valid";
    pub use crate::downstream::edge_signature::{
        EXPIRED as EDGE_SIGNATURE_EXPIRED, INVALID as EDGE_SIGNATURE_INVALID,
        MISSING as EDGE_SIGNATURE_MISSING,
    };
}

/// Requires the Worker's `x-clerk-edge-signature` over this request (origins behind the Worker).
#[derive(Debug, Clone, Copy)]
pub struct EdgeCheck<'a> {
    pub target: Target<'a>,
    pub max_age_secs: f64,
}

/// How an origin's reader is configured.
#[derive(Debug, Clone)]
pub struct ReaderOptions<'a> {
    /// HMAC keys for `x-clerk-auth-signature`, tried in order (several during a rotation).
    pub secret_keys: &'a [String],
    /// Request-data key; empty → each secret key is tried.
    pub encryption_key: &'a str,
    /// Clerk's dynamic-keys rule: a `secretKey` in the request data replaces `secret_keys`.
    pub clerk_compatible: bool,
    /// Unix seconds; `None` skips the `exp`/`nbf` checks.
    pub now: Option<f64>,
    pub clock_skew_secs: f64,
    /// `None` only for origins behind the Next shim, which does not send the edge signature.
    pub edge: Option<EdgeCheck<'a>>,
}

/// What a reader returns when the headers verify.
#[derive(Debug, Clone, PartialEq)]
pub struct ReaderAuth {
    pub status: String,
    pub reason: String,
    pub message: String,
    /// The verified token (empty when signed out).
    pub token: String,
    pub request_data: Map<String, Value>,
    /// Signed in with an active (not pending) session.
    pub session: Option<SessionAuth>,
    /// `sts` of a signed-in token (also for a pending session, which reads as signed out).
    pub session_status: Option<String>,
}

fn single<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn decrypt(value: &str, key: &str) -> Option<Map<String, Value>> {
    // Clerk's format always starts with base64("Salted__").
    let plain = if value.starts_with("U2FsdGVkX1") {
        request_data::decrypt_clerk(key, value).ok()?
    } else {
        let k = request_data::GcmKey::from_setting(key).ok()?;
        request_data::decrypt_gcm(&k, value).ok()?
    };
    // from_str, not from_slice: each serde_json reader is a second copy of the parser in the wasm.
    match serde_json::from_str::<Value>(std::str::from_utf8(&plain).ok()?) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// Reads and verifies a forwarded header set (names case-insensitive) per the contract.
pub fn read(
    headers: &[(String, String)],
    opts: &ReaderOptions<'_>,
) -> Result<ReaderAuth, &'static str> {
    for name in READ_HEADERS {
        let mut seen = headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
        if let Some((_, v)) = seen.next() {
            if seen.next().is_some() {
                return Err(code::HEADER_DUPLICATE);
            }
            if v.len() > MAX_HEADER_BYTES {
                return Err(code::HEADER_TOO_LARGE);
            }
        }
    }
    let get = |n: &str| single(headers, n);
    let status = get(downstream::AUTH_STATUS).ok_or(code::MIDDLEWARE_MISSING)?;
    if status != "signed-in" && status != "signed-out" {
        return Err(code::STATUS_INVALID);
    }
    if let Some(edge) = &opts.edge {
        let signed = Signed {
            status,
            token: get(downstream::AUTH_TOKEN).unwrap_or(""),
            request_data: get(downstream::REQUEST_DATA).unwrap_or(""),
        };
        edge_signature::verify(
            get(edge_signature::HEADER),
            opts.secret_keys,
            &signed,
            &edge.target,
            opts.now,
            edge.max_age_secs,
            opts.clock_skew_secs,
        )?;
    }
    let request_data = match get(downstream::REQUEST_DATA).filter(|v| !v.is_empty()) {
        None => Map::new(),
        Some(v) if !opts.encryption_key.is_empty() => {
            decrypt(v, opts.encryption_key).ok_or(code::ENCRYPTION_KEY_INVALID)?
        }
        Some(v) => opts
            .secret_keys
            .iter()
            .find_map(|k| decrypt(v, k))
            .ok_or(code::ENCRYPTION_KEY_INVALID)?,
    };
    let mut out = ReaderAuth {
        status: status.to_string(),
        reason: get(downstream::AUTH_REASON).unwrap_or("").to_string(),
        message: get(downstream::AUTH_MESSAGE).unwrap_or("").to_string(),
        token: String::new(),
        request_data,
        session: None,
        session_status: None,
    };
    if status == "signed-out" {
        return Ok(out);
    }
    let token = get(downstream::AUTH_TOKEN).unwrap_or("");
    let sig = get(downstream::AUTH_SIGNATURE).unwrap_or("");
    let dynamic = out
        .request_data
        .get("secretKey")
        .and_then(Value::as_str)
        .filter(|s| opts.clerk_compatible && !s.is_empty());
    let verified = match dynamic {
        Some(k) => signature::verify(token, sig, k),
        None => opts
            .secret_keys
            .iter()
            .any(|k| signature::verify(token, sig, k)),
    };
    if !verified {
        return Err(code::AUTH_SIGNATURE_INVALID);
    }
    let jwt = Jwt::decode(token).map_err(|_| code::TOKEN_MALFORMED)?;
    let exp = jwt.claim("exp").ok_or(code::TOKEN_MALFORMED)?;
    let exp = exp.as_f64().ok_or(code::TOKEN_MALFORMED)?;
    let nbf = match jwt.claim("nbf") {
        None => None,
        Some(v) => Some(v.as_f64().ok_or(code::TOKEN_MALFORMED)?),
    };
    if let Some(now) = opts.now {
        if now > exp + opts.clock_skew_secs {
            return Err(code::TOKEN_EXPIRED);
        }
        if nbf.is_some_and(|nbf| nbf > now + opts.clock_skew_secs) {
            return Err(code::TOKEN_NOT_YET_VALID);
        }
    }
    let auth = SessionAuth::from_claims(jwt.payload);
    out.session_status = auth.session_status.clone();
    if !auth.is_pending() {
        out.session = Some(auth);
    }
    out.token = token.to_string();
    Ok(out)
}

/// The `secretKeys` list of a vector file's options or generator input (non-strings skipped).
pub fn secret_keys(v: &Value) -> Vec<String> {
    v.get("secretKeys")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The contract over JSON, as the vector file states it: `opts` = `{secretKeys, encryptionKey,
/// clerkCompatible, now, clockSkewSeconds, edgeSignature, edgeMaxAgeSeconds}`, `request` =
/// `{method, path, host}`. Returns `{"error": code}` or `{"ok": {…}}` (every field, `null` when
/// absent; no `has`). Used by the vector runner and the JS binding, so both read one way.
pub fn read_json(headers: &[(String, String)], opts: &Value, request: &Value) -> Value {
    let keys = secret_keys(opts);
    let field = |k: &str| request.get(k).and_then(Value::as_str).unwrap_or("");
    let num = |k: &str| opts.get(k).and_then(Value::as_f64);
    let edge = (opts.get("edgeSignature") == Some(&Value::Bool(true))).then(|| EdgeCheck {
        target: Target {
            method: field("method"),
            path_and_query: field("path"),
            host: field("host"),
        },
        max_age_secs: num("edgeMaxAgeSeconds")
            .unwrap_or(edge_signature::DEFAULT_MAX_AGE_SECS as f64),
    });
    let o = ReaderOptions {
        secret_keys: &keys,
        encryption_key: opts
            .get("encryptionKey")
            .and_then(Value::as_str)
            .unwrap_or(""),
        clerk_compatible: opts.get("clerkCompatible") == Some(&Value::Bool(true)),
        now: num("now"),
        clock_skew_secs: num("clockSkewSeconds").unwrap_or(DEFAULT_CLOCK_SKEW_SECS),
        edge,
    };
    let a = match read(headers, &o) {
        Err(code) => return serde_json::json!({ "error": code }),
        Ok(a) => a,
    };
    let s = a.session.as_ref();
    let text = |v: Option<&String>| v.map_or(Value::Null, |x| Value::String(x.clone()));
    let mut m = Map::new();
    m.insert("status".into(), Value::String(a.status.clone()));
    m.insert("reason".into(), Value::String(a.reason.clone()));
    m.insert("message".into(), Value::String(a.message.clone()));
    m.insert("isAuthenticated".into(), Value::Bool(s.is_some()));
    m.insert("userId".into(), text(s.and_then(|s| s.user_id.as_ref())));
    m.insert(
        "sessionId".into(),
        text(s.and_then(|s| s.session_id.as_ref())),
    );
    m.insert("sessionStatus".into(), text(a.session_status.as_ref()));
    m.insert("orgId".into(), text(s.and_then(|s| s.org_id.as_ref())));
    m.insert("orgRole".into(), text(s.and_then(|s| s.org_role.as_ref())));
    m.insert("orgSlug".into(), text(s.and_then(|s| s.org_slug.as_ref())));
    m.insert(
        "orgPermissions".into(),
        s.and_then(|s| s.org_permissions.as_ref())
            .map_or(Value::Null, |p| {
                Value::Array(p.iter().cloned().map(Value::String).collect())
            }),
    );
    m.insert(
        "sessionClaims".into(),
        s.map_or(Value::Null, |s| Value::Object(s.claims.clone())),
    );
    m.insert("requestData".into(), Value::Object(a.request_data));
    serde_json::json!({ "ok": m })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(keys: &[String]) -> ReaderOptions<'_> {
        ReaderOptions {
            secret_keys: keys,
            encryption_key: "",
            clerk_compatible: false,
            now: Some(1000.0),
            clock_skew_secs: DEFAULT_CLOCK_SKEW_SECS,
            edge: None,
        }
    }

    fn h(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn errors_and_success() {
        let keys = vec!["sk_test_a".to_string()];
        // {"alg":"none"}.{"sub":"user_1","exp":1000}
        let token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyXzEiLCJleHAiOjEwMDB9.c2ln";
        let sig = signature::sign(token, "sk_test_a");
        let ok = h(&[
            ("X-Clerk-Auth-Status", "signed-in"),
            ("x-clerk-auth-token", token),
            ("x-clerk-auth-signature", &sig),
        ]);
        let auth = read(&ok, &opts(&keys)).unwrap();
        assert_eq!(auth.session.unwrap().user_id.as_deref(), Some("user_1"));
        let late = ReaderOptions {
            now: Some(1005.5),
            ..opts(&keys)
        };
        assert_eq!(read(&ok, &late).unwrap_err(), code::TOKEN_EXPIRED);
        let mut dup = ok.clone();
        dup.push(("x-clerk-auth-status".into(), "signed-out".into()));
        assert_eq!(
            read(&dup, &opts(&keys)).unwrap_err(),
            code::HEADER_DUPLICATE
        );
        assert_eq!(
            read(&h(&[]), &opts(&keys)).unwrap_err(),
            code::MIDDLEWARE_MISSING
        );
        let other = vec!["sk_test_b".to_string()];
        assert_eq!(
            read(&ok, &opts(&other)).unwrap_err(),
            code::AUTH_SIGNATURE_INVALID
        );
    }
}

//! What the origin receives (spec §5.3–§5.5): the `x-clerk-*` request headers, signed so the
//! origin can trust them, in two renderings — plain request headers (the Worker's proxied
//! request) and Next.js's request-override protocol (`x-middleware-*`) — and the receiving
//! side that verifies them.

use crate::decide::state::{AuthStatus, AuthView};
use crate::token::auth::SessionAuth;
use crate::token::jwt::Jwt;
use crate::web::signature;

pub const AUTH_STATUS: &str = "x-clerk-auth-status";
pub const AUTH_TOKEN: &str = "x-clerk-auth-token";
pub const AUTH_SIGNATURE: &str = "x-clerk-auth-signature";
pub const AUTH_MESSAGE: &str = "x-clerk-auth-message";
pub const AUTH_REASON: &str = "x-clerk-auth-reason";
pub const CLERK_URL: &str = "x-clerk-clerk-url";
pub const REQUEST_DATA: &str = "x-clerk-request-data";
pub const REDIRECT_TO: &str = "x-clerk-redirect-to";
pub const DEBUG: &str = "x-clerk-debug";

pub const AUTH_SIGNATURE_INVALID: &str = "Clerk: Unable to verify request, this usually means the Clerk middleware did not run. Ensure Clerk's middleware is properly integrated and matches the current route. For more information, see: https://clerk.com/docs/reference/nextjs/clerk-middleware. (code=auth_signature_invalid)";

/// Headers a client must never be able to set on the way to the origin: Clerk's forwarded
/// auth and Next's middleware protocol, in either spelling — CGI/WSGI origins read
/// `X_Clerk_Auth_Status` and `X-Clerk-Auth-Status` as the same `HTTP_X_CLERK_AUTH_STATUS`.
pub fn is_reserved(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('_', "-");
    n.starts_with("x-clerk-") || n.starts_with("x-middleware-")
}

/// The forwarded set, in Clerk's order. `request_data` is already encrypted.
pub fn forwarded_headers(
    state: AuthView<'_>,
    clerk_url: &str,
    secret_key: &str,
    request_data: Option<String>,
) -> Vec<(String, String)> {
    let status = match state.status {
        AuthStatus::SignedIn => "signed-in",
        // Handshakes never reach the origin; render defensively as signed-out.
        _ => "signed-out",
    };
    let token = state.token.unwrap_or_default().to_string();
    let signature = signature::sign(&token, secret_key);
    let mut h = vec![
        (AUTH_STATUS.to_string(), status.to_string()),
        (AUTH_TOKEN.to_string(), token),
        (AUTH_SIGNATURE.to_string(), signature),
        (
            AUTH_MESSAGE.to_string(),
            state.message.unwrap_or_default().to_string(),
        ),
        (
            AUTH_REASON.to_string(),
            state.reason.unwrap_or_default().to_string(),
        ),
        (CLERK_URL.to_string(), clerk_url.to_string()),
    ];
    if let Some(d) = request_data {
        h.push((REQUEST_DATA.to_string(), d));
    }
    h
}

/// Next's request-override protocol: on the first decoration every incoming header is copied
/// to `x-middleware-request-<name>` and listed in `x-middleware-override-headers`; then each
/// added header is appended (Clerk's quirk: a leading comma when there were no headers).
pub fn next_override_headers(
    incoming: &[(String, String)],
    added: &[(String, String)],
) -> Vec<(String, String)> {
    let mut names: Vec<String> = Vec::new();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut sorted: Vec<(String, String)> = incoming
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    // `Headers` iterates sorted by name, duplicates combined with ", ".
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in sorted {
        if let Some(pos) = seen.iter().position(|s| *s == k) {
            if let Some((_, existing)) = out.get_mut(pos) {
                existing.push_str(", ");
                existing.push_str(&v);
            }
            continue;
        }
        seen.push(k.clone());
        names.push(k.clone());
        out.push((format!("x-middleware-request-{k}"), v));
    }
    let mut list = names.join(",");
    for (k, v) in added {
        list.push(',');
        list.push_str(k);
        out.push((format!("x-middleware-request-{k}"), v.clone()));
    }
    out.insert(0, ("x-middleware-override-headers".to_string(), list));
    out
}

/// What an origin gets from verified forwarded headers.
#[derive(Debug, Clone, PartialEq)]
pub struct DownstreamAuth {
    pub status: String,
    pub reason: String,
    pub message: String,
    pub token: String,
    /// Present when signed in with a session token (a pending session reads as signed-out).
    pub session: Option<SessionAuth>,
}

/// The receiving side of `auth()`: `x-clerk-auth-status` must be present; a signed-in status
/// needs a valid signature (constant-time) over the token. The token was verified at the edge,
/// so here it is only decoded, as `@clerk/nextjs` does. `secret_keys` is one key (`"sk_…"`) or
/// several (`&[old, new]` during a rotation): a signature made with any of them is accepted.
pub fn read<'h, K: signature::SecretKeys + ?Sized>(
    get: impl Fn(&str) -> Option<&'h str>,
    secret_keys: &K,
) -> Result<DownstreamAuth, &'static str> {
    let status = get(AUTH_STATUS).ok_or("Clerk: auth() was called but Clerk can't detect usage of clerkMiddleware(). (code=middleware_missing)")?;
    let token = get(AUTH_TOKEN).unwrap_or("").to_string();
    let mut out = DownstreamAuth {
        status: status.to_string(),
        reason: get(AUTH_REASON).unwrap_or("").to_string(),
        message: get(AUTH_MESSAGE).unwrap_or("").to_string(),
        token: String::new(),
        session: None,
    };
    if status != "signed-in" {
        return Ok(out);
    }
    if !signature::verify_any(&token, get(AUTH_SIGNATURE).unwrap_or(""), secret_keys) {
        return Err(AUTH_SIGNATURE_INVALID);
    }
    let machine = crate::token::kind::opaque_type(&token).is_some();
    if !machine {
        if let Ok(jwt) = Jwt::decode(&token) {
            let auth = SessionAuth::from_claims(jwt.payload);
            if !auth.is_pending() {
                out.session = Some(auth);
            }
        }
    }
    out.token = token;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn override_protocol_matches_clerk() {
        let added = kv(&[
            ("x-clerk-auth-status", "signed-out"),
            ("x-clerk-auth-token", ""),
        ]);
        let out = next_override_headers(
            &kv(&[("sec-fetch-dest", "empty"), ("Cookie", "a=1")]),
            &added,
        );
        assert_eq!(
            out[0],
            (
                "x-middleware-override-headers".into(),
                "cookie,sec-fetch-dest,x-clerk-auth-status,x-clerk-auth-token".into()
            )
        );
        assert!(out.contains(&("x-middleware-request-cookie".into(), "a=1".into())));
        let empty = next_override_headers(&[], &added);
        assert_eq!(empty[0].1, ",x-clerk-auth-status,x-clerk-auth-token");
    }

    #[test]
    fn reserved_names() {
        assert!(is_reserved("X-Clerk-Auth-Status"));
        assert!(is_reserved("x-middleware-rewrite"));
        assert!(!is_reserved("x-clerkish"));
        assert!(is_reserved("X_Clerk_Auth_Status"));
        assert!(is_reserved("x_clerk-auth-token"));
        assert!(is_reserved("x_middleware_rewrite"));
        assert!(!is_reserved("x_clerkish"));
        assert!(!is_reserved("cookie"));
    }

    #[test]
    fn read_rejects_forged_signatures() {
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEiLCJzaWQiOiJzZXNzXzEifQ.c2ln";
        let sig = signature::sign(token, "sk_test_1");
        let headers = kv(&[
            ("x-clerk-auth-status", "signed-in"),
            ("x-clerk-auth-token", token),
            ("x-clerk-auth-signature", &sig),
        ]);
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        let auth = read(get, "sk_test_1").unwrap();
        assert_eq!(auth.session.unwrap().user_id.as_deref(), Some("user_1"));
        assert_eq!(read(get, "sk_test_2").unwrap_err(), AUTH_SIGNATURE_INVALID);
        let forged = kv(&[
            ("x-clerk-auth-status", "signed-in"),
            ("x-clerk-auth-token", token),
        ]);
        let get = |n: &str| forged.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(read(get, "sk_test_1").unwrap_err(), AUTH_SIGNATURE_INVALID);
        let none: Vec<(String, String)> = vec![];
        assert!(read(
            |n: &str| none.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str()),
            "k"
        )
        .is_err());
    }

    #[test]
    fn read_accepts_any_key_of_a_rotation() {
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEiLCJzaWQiOiJzZXNzXzEifQ.c2ln";
        for signer in ["sk_live_old", "sk_live_new"] {
            let sig = signature::sign(token, signer);
            let headers = kv(&[
                ("x-clerk-auth-status", "signed-in"),
                ("x-clerk-auth-token", token),
                ("x-clerk-auth-signature", &sig),
            ]);
            let get = |n: &str| {
                headers
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.as_str())
            };
            let auth = read(get, &["sk_live_old", "sk_live_new"]).unwrap();
            assert_eq!(auth.token, token);
            let keys = vec!["sk_live_new".to_string()];
            assert_eq!(
                read(get, &keys).is_ok(),
                signer == "sk_live_new",
                "{signer}"
            );
            assert_eq!(
                read(get, &["sk_live_other"]).unwrap_err(),
                AUTH_SIGNATURE_INVALID
            );
        }
    }
}

//! API mode (issue #12): what an API route answers. API clients cannot follow a handshake
//! redirect or keep cookies, so on an API route (a rule with `api`, or every route under the
//! global API mode):
//!
//! - the request is authenticated as Clerk authenticates a non-navigation `fetch`
//!   ([`auth_input`]): the handshake gate is never eligible, so every reason that would have
//!   been a handshake is a signed-out state with that same reason, and a session refresh (whose
//!   only product is a `Set-Cookie`) is not attempted;
//! - the state keeps only its `x-clerk-auth-*` headers ([`sanitize`]): no `Set-Cookie`, no
//!   `Location`, whatever the engine produced;
//! - [`decide`] turns the state and the rule into "go to the origin" or a JSON answer: a token
//!   that was presented and rejected is a 401 with `WWW-Authenticate: Bearer
//!   error="invalid_token"` and the engine's reason; no token at all, or a pending session, is
//!   the rule's `unauthenticated=` fallback; a session lacking the rule's `has()` requirements
//!   is its `unauthorized=` fallback (both 404 by default, as Clerk's `auth.protect()`).
//!
//! Public routes (and paths no rule matches) always go to the origin, signed in or out.

use crate::decide::protect::{self, Protect};
use crate::decide::request::RequestParts;
use crate::decide::state::{AuthStatus, RequestState};
use crate::gateway::routes::{Fallback, Rule};
use crate::token::reason;
use crate::web::json_out::JsonOut;

/// What an API route answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiDecision {
    /// Proxy to the origin with the (sanitised) state.
    Forward,
    /// Answer from the Worker.
    Respond(ApiResponse),
}

/// A JSON answer: `{"error": …, "reason": …}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResponse {
    pub status: u16,
    pub www_authenticate: Option<String>,
    pub body: String,
}

/// Signed-out reasons that mean "the request carried no token at all" (RFC 6750 §3.1: no
/// error code then). Any other signed-out reason is a presented token that was rejected.
fn no_credential(reason_str: &str) -> bool {
    matches!(
        reason_str,
        reason::SESSION_TOKEN_AND_UAT_MISSING
            | reason::CLIENT_UAT_BUT_NO_SESSION_TOKEN
            | reason::NO_TOKEN_IN_HEADER
    )
}

/// The headers the engine sees for an API route: `Sec-Fetch-Dest: empty` (so the request is a
/// `fetch`, never handshake-eligible, whatever the client sent) and no `__refresh*` cookie (a
/// refresh would only be delivered as a `Set-Cookie`).
pub fn auth_input(headers: &mut Vec<(String, String)>) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case("sec-fetch-dest"));
    headers.push(("sec-fetch-dest".to_string(), "empty".to_string()));
    for (k, v) in headers.iter_mut() {
        if k.eq_ignore_ascii_case("cookie") && v.contains("__refresh") {
            *v = v
                .split(';')
                .filter(|c| !c.trim_start().starts_with("__refresh"))
                .collect::<Vec<_>>()
                .join(";");
        }
    }
}

/// Keeps only the engine's `x-clerk-auth-*` debug headers: an API answer never sets a cookie or
/// redirects (a handshake resolution's `Set-Cookie`/`Location` included).
pub fn sanitize(state: &mut RequestState) {
    state
        .headers
        .retain(|(k, _)| k.starts_with("x-clerk-auth-"));
}

/// The answer for an API route. `rule` is the matching rule (`None`: no rule, a public path).
pub fn decide(state: &RequestState, rule: Option<&Rule>, req: &RequestParts) -> ApiDecision {
    let Some(params) = rule.and_then(Rule::protect_params) else {
        return ApiDecision::Forward;
    };
    let (on_unauthenticated, on_unauthorized) = rule
        .map(|r| (r.on_unauthenticated.as_ref(), r.on_unauthorized.as_ref()))
        .unwrap_or_default();
    if state.status() != AuthStatus::SignedIn {
        let why = state.reason().unwrap_or("");
        if no_credential(why) {
            return ApiDecision::Respond(deny(on_unauthenticated, Some(why), false));
        }
        return ApiDecision::Respond(invalid_token(why));
    }
    // A pending session (or a session without a user) is signed out for protection, as in Clerk.
    if state.to_auth(true).is_none_or(|a| a.user_id.is_none()) && state.machine().is_none() {
        return ApiDecision::Respond(deny(on_unauthenticated, None, false));
    }
    match protect::protect(state.view(), req, &params) {
        Protect::Allow => ApiDecision::Forward,
        _ => ApiDecision::Respond(deny(on_unauthorized, None, true)),
    }
}

fn body(error: &'static str, why: Option<&str>) -> String {
    let mut out = JsonOut::with_capacity(96);
    out.begin_object();
    out.key("error");
    out.str(error);
    if let Some(w) = why {
        out.key("reason");
        out.str(w);
    }
    out.end_object();
    out.finish()
}

/// An RFC 6750 `quoted-string`-safe copy (`%x20-21 / %x23-5B / %x5D-7E`): a refresh sub-reason
/// can be an error code from the Backend API.
fn quoted_safe(s: &str) -> String {
    s.chars()
        .filter(|c| matches!(c, ' '..='~') && !matches!(c, '"' | '\\'))
        .collect()
}

fn invalid_token(why: &str) -> ApiResponse {
    ApiResponse {
        status: 401,
        www_authenticate: Some(format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            quoted_safe(why)
        )),
        body: body("unauthenticated", Some(why)),
    }
}

/// A rule fallback. `why` is the signed-out reason (none for a signed-in request);
/// `authorized_user` marks the `unauthorized=` case (a session lacking requirements).
fn deny(fallback: Option<&Fallback>, why: Option<&str>, authorized_user: bool) -> ApiResponse {
    match fallback {
        Some(Fallback::Unauthorized) => ApiResponse {
            status: 401,
            www_authenticate: Some(if authorized_user {
                "Bearer error=\"insufficient_scope\"".to_string()
            } else {
                "Bearer".to_string()
            }),
            body: body(
                if authorized_user {
                    "unauthorized"
                } else {
                    "unauthenticated"
                },
                why,
            ),
        },
        Some(Fallback::Forbidden) => ApiResponse {
            status: 403,
            www_authenticate: None,
            body: body("forbidden", why),
        },
        // 404 by default, as `auth.protect()`: the route's existence is not revealed. Redirect
        // fallbacks are refused at start-up on API routes (`RouteRules::check_api`).
        _ => ApiResponse {
            status: 404,
            www_authenticate: None,
            body: body("not_found", None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::state::Session;
    use crate::gateway::routes::RouteRules;
    use serde_json::json;

    const RULES: &str = "
/api/admin(.*)     role=org:admin api
/api/strict(.*)    signed-in api unauthenticated=403 unauthorized=403
/api/bearer(.*)    role=org:admin api unauthenticated=401 unauthorized=401
/api(.*)           signed-in api
/hooks(.*)         public api
";

    fn req() -> RequestParts {
        RequestParts::new("GET", "https://app.example/api/x", vec![])
    }

    fn signed_in(claims: serde_json::Value) -> RequestState {
        RequestState::signed_in(Session::unverified_for_tests("tok", claims), vec![])
    }

    fn decide_at(path: &str, state: &RequestState) -> ApiDecision {
        let rules = RouteRules::parse(RULES).unwrap();
        decide(state, rules.find(path).unwrap(), &req())
    }

    fn respond(status: u16, www: Option<&str>, body: &str) -> ApiDecision {
        ApiDecision::Respond(ApiResponse {
            status,
            www_authenticate: www.map(str::to_string),
            body: body.to_string(),
        })
    }

    #[test]
    fn rejected_tokens_are_401_with_the_engines_reason() {
        let expired = RequestState::signed_out(
            &reason::session_token_expired(reason::REFRESH_NON_ELIGIBLE_NO_REFRESH_COOKIE),
            "JWT is expired.",
            vec![],
        );
        assert_eq!(
            decide_at("/api/items", &expired),
            respond(
                401,
                Some("Bearer error=\"invalid_token\", error_description=\"session-token-expired-refresh-non-eligible-no-refresh-cookie\""),
                r#"{"error":"unauthenticated","reason":"session-token-expired-refresh-non-eligible-no-refresh-cookie"}"#,
            )
        );
        for why in [
            "token-invalid-signature",
            "token-invalid",
            reason::SESSION_TOKEN_BUT_NO_CLIENT_UAT,
            reason::SESSION_TOKEN_IAT_BEFORE_CLIENT_UAT,
            reason::TOKEN_TYPE_MISMATCH,
            reason::DEV_BROWSER_MISSING,
        ] {
            let st = RequestState::signed_out(why, "", vec![]);
            // The rule's fallbacks do not apply to a rejected token.
            for path in ["/api/items", "/api/strict", "/api/admin"] {
                let ApiDecision::Respond(r) = decide_at(path, &st) else {
                    panic!("{why} forwarded")
                };
                assert_eq!(r.status, 401, "{why}");
                assert_eq!(
                    r.www_authenticate.as_deref(),
                    Some(
                        format!("Bearer error=\"invalid_token\", error_description=\"{why}\"")
                            .as_str()
                    )
                );
            }
        }
    }

    #[test]
    fn hostile_reason_text_stays_valid_json_and_a_valid_quoted_string() {
        let st =
            RequestState::signed_out(&reason::session_token_expired("x\"y\\z\u{7f}é"), "", vec![]);
        let ApiDecision::Respond(r) = decide_at("/api/items", &st) else {
            panic!()
        };
        assert_eq!(
            r.www_authenticate.as_deref(),
            Some("Bearer error=\"invalid_token\", error_description=\"session-token-expired-refresh-xyz\"")
        );
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["reason"], "session-token-expired-refresh-x\"y\\z\u{7f}é");
    }

    #[test]
    fn no_token_is_the_unauthenticated_fallback_404_by_default() {
        for why in [
            reason::SESSION_TOKEN_AND_UAT_MISSING,
            reason::CLIENT_UAT_BUT_NO_SESSION_TOKEN,
            reason::NO_TOKEN_IN_HEADER,
        ] {
            let st = RequestState::signed_out(why, "", vec![]);
            assert_eq!(
                decide_at("/api/items", &st),
                respond(404, None, r#"{"error":"not_found"}"#)
            );
            assert_eq!(
                decide_at("/api/strict/x", &st),
                respond(
                    403,
                    None,
                    &format!(r#"{{"error":"forbidden","reason":"{why}"}}"#)
                )
            );
            assert_eq!(
                decide_at("/api/bearer", &st),
                respond(
                    401,
                    Some("Bearer"),
                    &format!(r#"{{"error":"unauthenticated","reason":"{why}"}}"#)
                )
            );
        }
    }

    #[test]
    fn signed_in_requests_meet_the_rule_or_get_the_unauthorized_fallback() {
        let member = signed_in(
            json!({"sub": "user_1", "sid": "sess_1", "org_id": "org_1", "org_role": "org:member", "org_permissions": []}),
        );
        let admin = signed_in(
            json!({"sub": "user_1", "sid": "sess_1", "org_id": "org_1", "org_role": "org:admin", "org_permissions": []}),
        );
        assert_eq!(decide_at("/api/items", &member), ApiDecision::Forward);
        assert_eq!(decide_at("/api/admin", &admin), ApiDecision::Forward);
        assert_eq!(
            decide_at("/api/admin", &member),
            respond(404, None, r#"{"error":"not_found"}"#)
        );
        assert_eq!(
            decide_at("/api/bearer", &member),
            respond(
                401,
                Some("Bearer error=\"insufficient_scope\""),
                r#"{"error":"unauthorized"}"#
            )
        );
        let pending = signed_in(json!({"sub": "user_1", "sid": "sess_1", "sts": "pending"}));
        assert_eq!(
            decide_at("/api/strict", &pending),
            respond(403, None, r#"{"error":"forbidden"}"#)
        );
    }

    #[test]
    fn public_and_unmatched_paths_always_go_to_the_origin() {
        let out = RequestState::signed_out("token-invalid", "", vec![]);
        assert_eq!(decide_at("/hooks/stripe", &out), ApiDecision::Forward);
        assert_eq!(decide_at("/elsewhere", &out), ApiDecision::Forward);
    }

    #[test]
    fn the_engine_sees_a_fetch_without_refresh_cookies() {
        let mut h = vec![
            ("Sec-Fetch-Dest".to_string(), "document".to_string()),
            ("accept".to_string(), "text/html".to_string()),
            (
                "cookie".to_string(),
                "__session=a; __refresh_AbCd=r; __client_uat=1; __refresh=s".to_string(),
            ),
        ];
        auth_input(&mut h);
        let parts = RequestParts::new("GET", "https://app.example/", h);
        assert_eq!(parts.header("sec-fetch-dest").as_deref(), Some("empty"));
        assert_eq!(
            parts.header("cookie").as_deref(),
            Some("__session=a; __client_uat=1")
        );
    }

    #[test]
    fn sanitize_keeps_only_the_debug_headers() {
        let mut st = RequestState::handshake(
            "client-uat-but-no-session-token",
            "",
            vec![
                ("location".into(), "https://x".into()),
                ("set-cookie".into(), "a=1".into()),
                ("cache-control".into(), "no-store".into()),
                ("access-control-allow-origin".into(), "null".into()),
            ],
        );
        sanitize(&mut st);
        assert_eq!(
            st.headers,
            vec![
                (
                    "x-clerk-auth-reason".to_string(),
                    "client-uat-but-no-session-token".to_string()
                ),
                ("x-clerk-auth-status".to_string(), "handshake".to_string()),
            ]
        );
    }
}

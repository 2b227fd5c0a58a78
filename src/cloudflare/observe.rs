//! What the Worker tells its operators about each request: one structured JSON log line
//! (Workers Logs indexes its fields) and, when an Analytics Engine dataset is bound, one data
//! point to count decisions by outcome and reason. Pure: the entry fills a [`Record`] as the
//! request goes, and the host prints the line and writes the point.
//!
//! Never in a record: a token, a key, a cookie, a query string (handshake and dev-browser
//! tokens travel there), or a header value.

use crate::decide::state::{Diagnostic, RequestState};
use crate::token::reason::TokenReason;
use crate::web::json_out::JsonOut;

/// What the Worker did with the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Sent to the origin (signed in or not).
    #[default]
    Forwarded,
    /// A handshake (or development sync) redirect; the origin was not called.
    Handshake,
    /// A route rule sent a signed-out page request to sign in.
    SignInRedirect,
    /// A route rule's own redirect URL.
    Redirect,
    Unauthorized,
    /// API mode's `403` fallback.
    Forbidden,
    NotFound,
    /// A CORS preflight: answered from the policy or passed to the origin, never authenticated.
    Preflight,
    /// Served by the Frontend API proxy (`CLERK_FRONTEND_API_PROXY`), never authenticated.
    FrontendApiProxy,
    /// A request the Worker refuses to interpret (malformed URL, client-controlled bad input).
    BadRequest,
    /// The origin could not be reached (502).
    OriginUnreachable,
    /// A setting is wrong: every request is a 500 until it is fixed.
    ConfigError,
    /// A failure inside the Worker (500).
    InternalError,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Forwarded => "forwarded",
            Outcome::Handshake => "handshake",
            Outcome::SignInRedirect => "sign-in-redirect",
            Outcome::Redirect => "redirect",
            Outcome::Unauthorized => "unauthorized",
            Outcome::Forbidden => "forbidden",
            Outcome::NotFound => "not-found",
            Outcome::Preflight => "preflight",
            Outcome::FrontendApiProxy => "frontend-api-proxy",
            Outcome::BadRequest => "bad-request",
            Outcome::OriginUnreachable => "origin-unreachable",
            Outcome::ConfigError => "config-error",
            Outcome::InternalError => "internal-error",
        }
    }
}

impl Outcome {
    /// The outcome of a request the Worker refused with `status` (API mode's JSON answers).
    pub fn refused(status: u16) -> Outcome {
        match status {
            400 => Outcome::BadRequest,
            401 => Outcome::Unauthorized,
            403 => Outcome::Forbidden,
            _ => Outcome::NotFound,
        }
    }
}

/// A failure of the infrastructure behind a decision, so that "Clerk's Backend API was down"
/// never reads like an ordinary signed-out visitor. `None` for every decision that is the
/// visitor's own (no token, expired token, bad signature…).
pub fn infra_error(state: &RequestState) -> Option<&'static str> {
    let reason = state.reason().unwrap_or("");
    if reason == TokenReason::JwkRemoteFailedToLoad.as_str() {
        return Some("jwks-unavailable");
    }
    if reason == TokenReason::SecretKeyInvalid.as_str() {
        return Some("secret-key-invalid");
    }
    // `session-token-expired-refresh-<why>`: the refresh call itself failed.
    if reason.ends_with(crate::token::reason::REFRESH_FETCH_ERROR)
        || reason.ends_with(crate::token::reason::REFRESH_UNEXPECTED_BAPI_ERROR)
    {
        return Some("backend-api-error");
    }
    if state
        .diagnostics
        .iter()
        .any(|d| matches!(d, Diagnostic::HandshakePayloadFailed(_)))
    {
        return Some("backend-api-error");
    }
    None
}

/// Paths longer than this are cut in the log (a client chooses the path's length).
const MAX_LOGGED_PATH: usize = 256;

/// One request, as the log line and the data point describe it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub method: String,
    /// The pathname only, cut to [`MAX_LOGGED_PATH`] bytes.
    pub path: String,
    /// `signed-in`, `signed-out` or `handshake`; `None` before authentication.
    pub auth: Option<&'static str>,
    pub reason: Option<String>,
    /// See [`infra_error`].
    pub error: Option<&'static str>,
    /// The route rule that applied (its text), if any.
    pub rule: Option<String>,
    pub outcome: Outcome,
}

impl Record {
    pub fn new(method: &str, pathname: &str) -> Record {
        let mut end = pathname.len().min(MAX_LOGGED_PATH);
        while !pathname.is_char_boundary(end) {
            end -= 1;
        }
        Record {
            method: method.to_string(),
            path: pathname.get(..end).unwrap_or_default().to_string(),
            ..Record::default()
        }
    }

    /// Takes what the log says about the authentication from its outcome.
    pub fn authenticated(&mut self, state: &RequestState) {
        self.auth = Some(state.status().as_str());
        self.reason = state.reason().map(str::to_owned);
        self.error = infra_error(state);
    }

    /// The log line: one JSON object, fields in a fixed order.
    pub fn to_json(&self, status: u16, ms: u64) -> String {
        let mut o = JsonOut::with_capacity(192);
        o.begin_object();
        o.key("event");
        o.str("clerk-edge");
        o.key("method");
        o.str(&self.method);
        o.key("path");
        o.str(&self.path);
        o.key("status");
        o.uint(status.into());
        o.key("outcome");
        o.str(self.outcome.as_str());
        o.key("auth");
        o.opt_str(self.auth);
        o.key("reason");
        o.opt_str(self.reason.as_deref());
        o.key("error");
        o.opt_str(self.error);
        o.key("rule");
        o.opt_str(self.rule.as_deref());
        o.key("ms");
        o.uint(ms);
        o.end_object();
        o.finish()
    }

    /// Analytics Engine fields: `blobs` = outcome, auth, reason, error, rule, method;
    /// `doubles` = status, ms; `indexes` = outcome. The README has the query that counts
    /// decisions by reason.
    pub fn data_point(&self, status: u16, ms: u64) -> ([&str; 6], [f64; 2], &'static str) {
        (
            [
                self.outcome.as_str(),
                self.auth.unwrap_or(""),
                self.reason.as_deref().unwrap_or(""),
                self.error.unwrap_or(""),
                self.rule.as_deref().unwrap_or(""),
                &self.method,
            ],
            [f64::from(status), ms as f64],
            self.outcome.as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::state::AuthStatus;

    fn state(status: AuthStatus, reason: &str) -> RequestState {
        assert_eq!(status, AuthStatus::SignedOut);
        RequestState::signed_out(reason, "", Vec::new())
    }

    #[test]
    fn the_log_line_has_every_field_and_no_query() {
        let mut r = Record::new("GET", "/dashboard");
        r.authenticated(&state(
            AuthStatus::SignedOut,
            "session-token-and-uat-missing",
        ));
        r.rule = Some("/dashboard(.*)    signed-in".into());
        r.outcome = Outcome::NotFound;
        assert_eq!(
            r.to_json(404, 3),
            r#"{"event":"clerk-edge","method":"GET","path":"/dashboard","status":404,"outcome":"not-found","auth":"signed-out","reason":"session-token-and-uat-missing","error":null,"rule":"/dashboard(.*)    signed-in","ms":3}"#
        );
        let line = Record::new("POST", "/").to_json(200, 0);
        assert_eq!(
            line,
            r#"{"event":"clerk-edge","method":"POST","path":"/","status":200,"outcome":"forwarded","auth":null,"reason":null,"error":null,"rule":null,"ms":0}"#
        );
    }

    #[test]
    fn long_and_odd_paths_are_cut_and_escaped() {
        let long = format!("/{}", "é".repeat(300));
        let r = Record::new("GET", &long);
        assert!(r.path.len() <= MAX_LOGGED_PATH && r.path.len() >= MAX_LOGGED_PATH - 1);
        let r = Record::new("GET", "/a\"b\\c\n");
        let v: serde_json::Value = serde_json::from_str(&r.to_json(400, 0)).unwrap();
        assert_eq!(v["path"], "/a\"b\\c\n");
    }

    #[test]
    fn infrastructure_failures_are_told_apart_from_visitors() {
        let cases = [
            ("jwk-remote-failed-to-load", Some("jwks-unavailable")),
            ("secret-key-invalid", Some("secret-key-invalid")),
            (
                "session-token-expired-refresh-fetch-error",
                Some("backend-api-error"),
            ),
            (
                "session-token-expired-refresh-unexpected-bapi-error",
                Some("backend-api-error"),
            ),
            (
                "session-token-expired-refresh-non-eligible-no-refresh-cookie",
                None,
            ),
            ("token-invalid-signature", None),
            ("session-token-and-uat-missing", None),
            ("token-expired", None),
        ];
        for (reason, expected) in cases {
            assert_eq!(
                infra_error(&state(AuthStatus::SignedOut, reason)),
                expected,
                "{reason}"
            );
        }
        let mut s = state(AuthStatus::SignedOut, "session-token-and-uat-missing");
        s.diagnostics
            .push(Diagnostic::HandshakePayloadFailed("connect refused".into()));
        assert_eq!(infra_error(&s), Some("backend-api-error"));
    }

    #[test]
    fn the_data_point_counts_by_outcome_and_carries_the_reason() {
        let mut r = Record::new("GET", "/x");
        r.authenticated(&state(AuthStatus::SignedOut, "jwk-remote-failed-to-load"));
        let (blobs, doubles, index) = r.data_point(200, 7);
        assert_eq!(
            blobs,
            [
                "forwarded",
                "signed-out",
                "jwk-remote-failed-to-load",
                "jwks-unavailable",
                "",
                "GET"
            ]
        );
        assert_eq!(doubles, [200.0, 7.0]);
        assert_eq!(index, "forwarded");
    }
}

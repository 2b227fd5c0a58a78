//! The decision: `RequestState` with status, reason, message, token and the response headers
//! Clerk attaches, plus diagnostics the adapter may log.

use crate::token::auth::SessionAuth;
use crate::token::kind::TokenType;
use crate::token::reason;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStatus {
    SignedIn,
    SignedOut,
    Handshake,
}

impl AuthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthStatus::SignedIn => "signed-in",
            AuthStatus::SignedOut => "signed-out",
            AuthStatus::Handshake => "handshake",
        }
    }
}

/// Something worth a log line; the adapter decides whether and how to print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    /// Cookie token without `azp` (Clerk warns once per process).
    MissingAzp,
    /// The redirect counter reached 3; the handshake became signed-out.
    HandshakeLoop { satellite: bool },
    /// Org activation mismatch left as is after 3 redirects.
    OrganizationLoop,
    /// Handshake resolution failed; the normal cookie flow continued.
    HandshakeUnresolved(String),
    /// The nonce payload could not be fetched.
    HandshakePayloadFailed(String),
    /// Development handshake retried with 24 h of skew.
    ClockSkewRetry,
}

impl Diagnostic {
    pub fn message(&self) -> String {
        match self {
            Diagnostic::MissingAzp => "Clerk: Session token from cookie is missing the azp claim. In a future version of Clerk, this token will be considered invalid. Please contact Clerk support if you see this warning.".into(),
            Diagnostic::HandshakeLoop { satellite: true } => "Clerk: Satellite-domain authentication resulted in an infinite redirect loop. Check that this request is using a configured primary or satellite domain for the production instance. For preview deployments, use a development/staging Clerk instance or a supported configured preview-domain setup.".into(),
            Diagnostic::HandshakeLoop { satellite: false } => "Clerk: Refreshing the session token resulted in an infinite redirect loop. This usually means that your Clerk instance keys do not match - make sure to copy the correct publishable and secret keys from the Clerk dashboard.".into(),
            Diagnostic::OrganizationLoop => "Clerk: Organization activation handshake loop detected. This is likely due to an invalid organization ID or slug. Skipping organization activation.".into(),
            Diagnostic::HandshakeUnresolved(e) => format!("Clerk: unable to resolve handshake: {e}"),
            Diagnostic::HandshakePayloadFailed(e) => format!("Clerk: HandshakeService: error getting handshake payload: {e}"),
            Diagnostic::ClockSkewRetry => "Clerk: Clock skew detected. This usually means that your system clock is inaccurate. Clerk will continue to work with the 24 hour skew tolerance for development instances.".into(),
        }
    }
}

/// The outcome of authenticating one request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestState {
    pub status: AuthStatus,
    pub reason: Option<String>,
    pub message: Option<String>,
    /// The verified token (signed-in only).
    pub token: Option<String>,
    /// Response headers in order; `set-cookie` may repeat. Names are lower-case.
    pub headers: Vec<(String, String)>,
    /// Auth properties of the verified session (signed-in only).
    pub session: Option<SessionAuth>,
    /// `tokenType`; `None` only for the invalid-token state of an `acceptsToken` list.
    pub token_type: Option<TokenType>,
    /// The machine auth data of a verified machine token.
    pub machine: Option<serde_json::Value>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Header values a `Headers` object would refuse (Clerk silently skips those debug headers).
fn valid_header_value(v: &str) -> bool {
    v.chars()
        .all(|c| c <= '\u{ff}' && !matches!(c, '\0' | '\r' | '\n'))
}

impl RequestState {
    pub fn signed_in(token: String, session: SessionAuth, headers: Vec<(String, String)>) -> Self {
        RequestState {
            status: AuthStatus::SignedIn,
            reason: None,
            message: None,
            token: Some(token),
            headers,
            session: Some(session),
            token_type: Some(TokenType::SessionToken),
            machine: None,
            diagnostics: Vec::new(),
        }
    }

    /// A verified machine token.
    pub fn machine(token: String, token_type: TokenType, data: serde_json::Value) -> Self {
        RequestState {
            status: AuthStatus::SignedIn,
            reason: None,
            message: None,
            token: Some(token),
            headers: Vec::new(),
            session: None,
            token_type: Some(token_type),
            machine: Some(data),
            diagnostics: Vec::new(),
        }
    }

    fn unauthenticated(
        status: AuthStatus,
        reason: &str,
        message: &str,
        mut headers: Vec<(String, String)>,
    ) -> Self {
        let mut debug = |name: &str, value: &str| {
            let value = value.trim_matches(['\t', ' ']);
            if valid_header_value(value) {
                headers.push((name.to_string(), value.to_string()));
            }
        };
        if !message.is_empty() {
            debug("x-clerk-auth-message", message);
        }
        debug("x-clerk-auth-reason", reason);
        debug("x-clerk-auth-status", status.as_str());
        RequestState {
            status,
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            token: None,
            headers,
            session: None,
            token_type: Some(TokenType::SessionToken),
            machine: None,
            diagnostics: Vec::new(),
        }
    }

    pub fn signed_out(reason: &str, message: &str, headers: Vec<(String, String)>) -> Self {
        Self::unauthenticated(AuthStatus::SignedOut, reason, message, headers)
    }

    pub fn handshake(reason: &str, message: &str, headers: Vec<(String, String)>) -> Self {
        Self::unauthenticated(AuthStatus::Handshake, reason, message, headers)
    }

    pub fn with_diagnostics(mut self, mut d: Vec<Diagnostic>) -> Self {
        d.append(&mut self.diagnostics);
        self.diagnostics = d;
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }
    pub fn set_cookies(&self) -> impl Iterator<Item = &str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .map(|(_, v)| v.as_str())
    }

    /// `toAuth()` with `treatPendingAsSignedOut` (Clerk's default `true`): the session auth of
    /// a signed-in, non-pending state.
    pub fn to_auth(&self, treat_pending_as_signed_out: bool) -> Option<&SessionAuth> {
        let s = self.session.as_ref()?;
        if treat_pending_as_signed_out && s.is_pending() {
            return None;
        }
        Some(s)
    }

    pub fn is_authenticated(&self) -> bool {
        self.status == AuthStatus::SignedIn
    }

    /// `signed-out` reason `token-type-mismatch` with no message.
    pub fn token_type_mismatch() -> Self {
        Self::signed_out(reason::TOKEN_TYPE_MISMATCH, "", Vec::new())
    }

    /// `token-type-mismatch` reported for another token type.
    pub fn token_type_mismatch_for(t: Option<TokenType>) -> Self {
        let mut s = Self::token_type_mismatch();
        s.token_type = t;
        s
    }
}

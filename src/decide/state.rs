//! The decision: a [`RequestState`] is one [`Outcome`] (signed in with a verified session,
//! a verified machine token, signed out, or a handshake) with the response headers Clerk
//! attaches and diagnostics the adapter may log.

use crate::token::auth::SessionAuth;
use crate::token::jwt::VerifiedToken;
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

/// The outcome of authenticating one request: what was decided, plus the response headers Clerk
/// attaches (`set-cookie` may repeat; names are lower-case) and diagnostics for the adapter.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestState {
    pub outcome: Outcome,
    pub headers: Vec<(String, String)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What was decided. Each variant holds exactly what is meaningful for it.
// One state per request, and signed-in is the common case: boxing the session would add an
// allocation to the hot path to shrink a value that is built once and hardly moved.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A session token that verified ([`Session`] can only be built from a [`VerifiedToken`]).
    SignedIn(Session),
    /// A machine token (API key, M2M, OAuth) that verified.
    Machine(MachineAuth),
    /// No usable token. `token_type` is `None` only for the invalid-token state of an
    /// `acceptsToken` list.
    SignedOut {
        why: Rejection,
        token_type: Option<TokenType>,
    },
    /// Clerk's handshake: the adapter redirects to the `location` header.
    Handshake(Rejection),
}

/// Clerk's reason and message for a request that is not signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: String,
    pub message: String,
}

/// A verified session: the token and the auth object built from its claims. The fields are
/// private and the only constructor takes a [`VerifiedToken`], which only `token::jwt`'s
/// verification functions produce — so a signed-in state cannot hold an unverified token.
///
/// Claims from anywhere else do not make a session:
/// ```compile_fail
/// use clerk_edge::{Session, SessionAuth};
/// let claims = serde_json::Map::new();
/// let forged = Session { token: "e30.e30.".into(), auth: SessionAuth::from_claims(claims) };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    token: String,
    auth: SessionAuth,
}

impl Session {
    pub fn from_verified(token: VerifiedToken) -> Session {
        let jwt = token.into_jwt();
        let raw = jwt.raw().to_string();
        Session {
            token: raw,
            auth: SessionAuth::from_claims(jwt.payload),
        }
    }
    /// Unit tests of the layers above build signed-in states from claims; compiled only for
    /// this crate's own tests, never into a build.
    #[cfg(test)]
    pub(crate) fn unverified_for_tests(token: &str, claims: serde_json::Value) -> Session {
        let serde_json::Value::Object(claims) = claims else {
            panic!("claims must be an object")
        };
        Session {
            token: token.to_string(),
            auth: SessionAuth::from_claims(claims),
        }
    }
    pub fn token(&self) -> &str {
        &self.token
    }
    pub fn auth(&self) -> &SessionAuth {
        &self.auth
    }
}

/// A verified machine token with Clerk's machine auth data. Built only by `decide::machine`,
/// after the JWT verified or the Backend API accepted the token.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineAuth {
    pub(crate) token: String,
    pub(crate) token_type: TokenType,
    pub(crate) data: serde_json::Value,
}

impl MachineAuth {
    pub fn token(&self) -> &str {
        &self.token
    }
    pub fn token_type(&self) -> TokenType {
        self.token_type
    }
    pub fn data(&self) -> &serde_json::Value {
        &self.data
    }
}

/// Header values a `Headers` object would refuse (Clerk silently skips those debug headers).
fn valid_header_value(v: &str) -> bool {
    v.chars()
        .all(|c| c <= '\u{ff}' && !matches!(c, '\0' | '\r' | '\n'))
}

impl RequestState {
    fn new(outcome: Outcome, headers: Vec<(String, String)>) -> Self {
        RequestState {
            outcome,
            headers,
            diagnostics: Vec::new(),
        }
    }

    pub fn signed_in(session: Session, headers: Vec<(String, String)>) -> Self {
        Self::new(Outcome::SignedIn(session), headers)
    }

    /// A verified machine token.
    pub(crate) fn verified_machine(
        token: String,
        token_type: TokenType,
        data: serde_json::Value,
    ) -> Self {
        Self::new(
            Outcome::Machine(MachineAuth {
                token,
                token_type,
                data,
            }),
            Vec::new(),
        )
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
        let why = Rejection {
            reason: reason.to_string(),
            message: message.to_string(),
        };
        let outcome = match status {
            AuthStatus::Handshake => Outcome::Handshake(why),
            _ => Outcome::SignedOut {
                why,
                token_type: Some(TokenType::SessionToken),
            },
        };
        Self::new(outcome, headers)
    }

    pub fn signed_out(reason: &str, message: &str, headers: Vec<(String, String)>) -> Self {
        Self::unauthenticated(AuthStatus::SignedOut, reason, message, headers)
    }

    /// Signed out, reported for token type `t` (`None`: the invalid-token state).
    pub fn signed_out_for(t: Option<TokenType>, reason: &str, message: &str) -> Self {
        let mut s = Self::signed_out(reason, message, Vec::new());
        if let Outcome::SignedOut { token_type, .. } = &mut s.outcome {
            *token_type = t;
        }
        s
    }

    pub fn handshake(reason: &str, message: &str, headers: Vec<(String, String)>) -> Self {
        Self::unauthenticated(AuthStatus::Handshake, reason, message, headers)
    }

    pub fn with_diagnostics(mut self, mut d: Vec<Diagnostic>) -> Self {
        d.append(&mut self.diagnostics);
        self.diagnostics = d;
        self
    }

    pub fn status(&self) -> AuthStatus {
        match self.outcome {
            Outcome::SignedIn(_) | Outcome::Machine(_) => AuthStatus::SignedIn,
            Outcome::SignedOut { .. } => AuthStatus::SignedOut,
            Outcome::Handshake(_) => AuthStatus::Handshake,
        }
    }

    fn rejection(&self) -> Option<&Rejection> {
        match &self.outcome {
            Outcome::SignedOut { why, .. } | Outcome::Handshake(why) => Some(why),
            _ => None,
        }
    }

    /// Clerk's reason (not signed in only).
    pub fn reason(&self) -> Option<&str> {
        self.rejection().map(|r| r.reason.as_str())
    }

    /// Clerk's message (not signed in only; may be empty).
    pub fn message(&self) -> Option<&str> {
        self.rejection().map(|r| r.message.as_str())
    }

    /// The verified token (session or machine).
    pub fn token(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::SignedIn(s) => Some(s.token()),
            Outcome::Machine(m) => Some(m.token()),
            _ => None,
        }
    }

    /// The verified session's auth properties (pending sessions included).
    pub fn session(&self) -> Option<&SessionAuth> {
        match &self.outcome {
            Outcome::SignedIn(s) => Some(s.auth()),
            _ => None,
        }
    }

    /// The machine auth data of a verified machine token.
    pub fn machine(&self) -> Option<&serde_json::Value> {
        match &self.outcome {
            Outcome::Machine(m) => Some(m.data()),
            _ => None,
        }
    }

    /// `tokenType`; `None` only for the invalid-token state of an `acceptsToken` list.
    pub fn token_type(&self) -> Option<TokenType> {
        match &self.outcome {
            Outcome::SignedIn(_) | Outcome::Handshake(_) => Some(TokenType::SessionToken),
            Outcome::Machine(m) => Some(m.token_type),
            Outcome::SignedOut { token_type, .. } => *token_type,
        }
    }

    /// The facts an auth object or a forwarded header set is rendered from.
    pub fn view(&self) -> AuthView<'_> {
        AuthView {
            status: self.status(),
            reason: self.reason(),
            message: self.message(),
            token: self.token(),
            session: self.session(),
            token_type: self.token_type(),
            machine: self.machine(),
        }
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
        self.view().to_auth(treat_pending_as_signed_out)
    }

    pub fn is_authenticated(&self) -> bool {
        self.status() == AuthStatus::SignedIn
    }

    /// `signed-out` reason `token-type-mismatch` with no message.
    pub fn token_type_mismatch() -> Self {
        Self::signed_out(reason::TOKEN_TYPE_MISMATCH, "", Vec::new())
    }

    /// `token-type-mismatch` reported for another token type.
    pub fn token_type_mismatch_for(t: Option<TokenType>) -> Self {
        Self::signed_out_for(t, reason::TOKEN_TYPE_MISMATCH, "")
    }
}

/// The facts of a decision that auth objects, `auth.protect()` and forwarded headers are
/// rendered from, borrowed. A [`RequestState`] gives one ([`RequestState::view`]); the JS
/// binding rebuilds one from the engine's own earlier answer, which the shim hands back. It is
/// a rendering input, not a proof: only a [`RequestState`] carries a [`VerifiedToken`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuthView<'a> {
    pub status: AuthStatus,
    pub reason: Option<&'a str>,
    pub message: Option<&'a str>,
    pub token: Option<&'a str>,
    pub session: Option<&'a SessionAuth>,
    pub token_type: Option<TokenType>,
    pub machine: Option<&'a serde_json::Value>,
}

impl<'a> AuthView<'a> {
    /// `toAuth()` with `treatPendingAsSignedOut`: the session auth of a signed-in, non-pending
    /// state.
    pub fn to_auth(&self, treat_pending_as_signed_out: bool) -> Option<&'a SessionAuth> {
        let s = self.session?;
        if treat_pending_as_signed_out && s.is_pending() {
            return None;
        }
        Some(s)
    }

    pub fn is_authenticated(&self) -> bool {
        self.status == AuthStatus::SignedIn
    }
}

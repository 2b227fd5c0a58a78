//! Every reason string clerk-edge emits, in one place. Grep a Clerk reason here to find its
//! constant, then grep the constant to find the one line that produces it.

// AuthErrorReason (request-level outcomes)
pub const CLIENT_UAT_BUT_NO_SESSION_TOKEN: &str = "client-uat-but-no-session-token";
pub const DEV_BROWSER_MISSING: &str = "dev-browser-missing";
pub const DEV_BROWSER_SYNC: &str = "dev-browser-sync";
pub const PRIMARY_RESPONDS_TO_SYNCING: &str = "primary-responds-to-syncing";
pub const PRIMARY_DOMAIN_CROSS_ORIGIN_SYNC: &str = "primary-domain-cross-origin-sync";
pub const SATELLITE_NEEDS_SYNCING: &str = "satellite-needs-syncing";
pub const SESSION_TOKEN_AND_UAT_MISSING: &str = "session-token-and-uat-missing";
pub const SESSION_TOKEN_MISSING: &str = "session-token-missing";
pub const SESSION_TOKEN_IAT_BEFORE_CLIENT_UAT: &str = "session-token-iat-before-client-uat";
pub const SESSION_TOKEN_NBF: &str = "session-token-nbf";
pub const SESSION_TOKEN_IAT_IN_THE_FUTURE: &str = "session-token-iat-in-the-future";
pub const SESSION_TOKEN_BUT_NO_CLIENT_UAT: &str = "session-token-but-no-client-uat";
pub const ACTIVE_ORGANIZATION_MISMATCH: &str = "active-organization-mismatch";
pub const TOKEN_TYPE_MISMATCH: &str = "token-type-mismatch";
pub const UNEXPECTED_ERROR: &str = "unexpected-error";
pub const NO_TOKEN_IN_HEADER: &str = "No token in header";
/// Middleware-only: `auth.protect()` answered with a 404 rewrite.
pub const PROTECT_REWRITE: &str = "protect-rewrite";

/// `session-token-expired-refresh-<why the refresh did not happen or failed>`.
pub fn session_token_expired(refresh: &str) -> String {
    format!("session-token-expired-refresh-{refresh}")
}

// Refresh sub-reasons (the `<x>` above).
pub const REFRESH_NON_ELIGIBLE_NO_REFRESH_COOKIE: &str = "non-eligible-no-refresh-cookie";
pub const REFRESH_NON_ELIGIBLE_NON_GET: &str = "non-eligible-non-get";
pub const REFRESH_INVALID_SESSION_TOKEN: &str = "invalid-session-token";
pub const REFRESH_MISSING_SESSION_TOKEN: &str = "missing-session-token";
pub const REFRESH_MISSING_REFRESH_TOKEN: &str = "missing-refresh-token";
pub const REFRESH_DECODE_FAILED: &str = "expired-session-token-decode-failed";
pub const REFRESH_MISSING_SID: &str = "expired-session-token-missing-sid-claim";
pub const REFRESH_FETCH_ERROR: &str = "fetch-error";
pub const REFRESH_UNEXPECTED_SDK_ERROR: &str = "unexpected-sdk-error";
pub const REFRESH_UNEXPECTED_BAPI_ERROR: &str = "unexpected-bapi-error";

/// `TokenVerificationErrorReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenReason {
    Expired,
    Invalid,
    InvalidAlgorithm,
    InvalidAuthorizedParties,
    InvalidIssuer,
    InvalidSignature,
    NotActiveYet,
    IatInTheFuture,
    VerificationFailed,
    SecretKeyInvalid,
    JwkLocalMissing,
    JwkRemoteFailedToLoad,
    JwkFailedToResolve,
    JwkKidMismatch,
}

impl TokenReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "token-expired",
            Self::Invalid => "token-invalid",
            Self::InvalidAlgorithm => "token-invalid-algorithm",
            Self::InvalidAuthorizedParties => "token-invalid-authorized-parties",
            Self::InvalidIssuer => "token-invalid-issuer",
            Self::InvalidSignature => "token-invalid-signature",
            Self::NotActiveYet => "token-not-active-yet",
            Self::IatInTheFuture => "token-iat-in-the-future",
            Self::VerificationFailed => "token-verification-failed",
            Self::SecretKeyInvalid => "secret-key-invalid",
            Self::JwkLocalMissing => "jwk-local-missing",
            Self::JwkRemoteFailedToLoad => "jwk-remote-failed-to-load",
            Self::JwkFailedToResolve => "jwk-failed-to-resolve",
            Self::JwkKidMismatch => "jwk-kid-mismatch",
        }
    }
}

// TokenVerificationErrorAction strings.
pub const ACTION_ENSURE_CLERK_JWT: &str = "Make sure that this is a valid Clerk-generated JWT.";
pub const ACTION_SET_JWT_KEY: &str = "Set the CLERK_JWT_KEY environment variable.";
pub const ACTION_SET_SECRET_KEY: &str = "Set the CLERK_SECRET_KEY environment variable.";
pub const ACTION_CONTACT_SUPPORT: &str = "Contact support@clerk.com";
pub const ACTION_KID_MISMATCH: &str = "Go to your Dashboard and validate your secret and public keys are correct. Contact support@clerk.com if the issue persists.";

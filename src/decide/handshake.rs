//! The handshake: the gate that turns "needs a handshake" into a 307 (or signed-out), the
//! FAPI `/v1/client/handshake` URL, the redirect-loop guard, and resolving the handshake
//! payload when the browser comes back.

use crate::decide::request::Context;
use crate::decide::state::{Diagnostic, RequestState, Session};
use crate::host::services::{BackendApi, SignatureVerifier};
use crate::token::jwt::{self, ClaimRules, Jwt, TokenError, Verification};
use crate::token::reason::{self, TokenReason};
use crate::web::url::Url;

/// How many consecutive handshakes are allowed before the loop guard answers signed-out.
pub const MAX_REDIRECTS: f64 = 3.0;
/// Development handshakes retry verification with this much skew (sleeping laptops, WSL).
const DEV_RETRY_SKEW_MS: f64 = 86_400_000.0;

/// A request-level failure Clerk throws (the middleware answers 500).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FatalError(pub String);

impl std::fmt::Display for FatalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `https://<fapi>/v1/client/handshake?redirect_url=…&…` with Clerk's parameter order.
pub fn fapi_handshake_url(ctx: &Context<'_>, reason_str: &str) -> Result<String, FatalError> {
    let fapi = &ctx.frontend_api;
    let base = if fapi.starts_with("http") {
        fapi.clone()
    } else {
        format!("https://{fapi}")
    };
    let base = format!("{}/", base.trim_end_matches('/'));
    let mut url = Url::parse(&base)
        .and_then(|b| b.join("v1/client/handshake"))
        .ok_or_else(|| {
            FatalError(format!(
                "Invalid Frontend API URL for the handshake: {base}"
            ))
        })?;
    let mut redirect = ctx.clerk_url.clone();
    redirect.remove_query_params(&["__clerk_db_jwt", "__dev_session"]);
    let mut pairs = url.query_pairs();
    let mut add = |k: &str, v: &str| pairs.push((k.to_string(), v.to_string()));
    add("redirect_url", &redirect.href());
    add("__clerk_api_version", &ctx.cfg.api_version_date);
    add(
        "suffixed_cookies",
        if ctx.suffixed { "true" } else { "false" },
    );
    add("__clerk_hs_reason", reason_str);
    add("format", "nonce");
    if let Some(t) = ctx.session_token() {
        add("__session", t);
    }
    if ctx.cfg.is_development() {
        if let Some(d) = &ctx.dev_browser {
            add("__clerk_db_jwt", d);
        }
    }
    if let Some(target) = &ctx.org_target {
        add("organization_id", target.handshake_param());
    }
    url.set_query_pairs(&pairs);
    Ok(url.href())
}

/// The gate (§1.11): only document GETs can be redirected; the counter cookie stops loops.
/// `location` is a pre-built redirect (satellite sync); otherwise the FAPI URL.
pub fn gate(
    ctx: &Context<'_>,
    reason_str: &str,
    message: &str,
    location: Option<String>,
) -> Result<RequestState, FatalError> {
    if !ctx.is_handshake_eligible() {
        return Ok(RequestState::signed_out(reason_str, message, Vec::new()));
    }
    let location = match location {
        Some(l) => l,
        None => fapi_handshake_url(ctx, reason_str)?,
    };
    if ctx.redirect_count == MAX_REDIRECTS {
        let satellite = reason_str == reason::SATELLITE_NEEDS_SYNCING;
        return Ok(RequestState::signed_out(reason_str, message, Vec::new())
            .with_diagnostics(vec![Diagnostic::HandshakeLoop { satellite }]));
    }
    let headers = vec![
        ("location".to_string(), location),
        ("cache-control".to_string(), "no-store".to_string()),
        (
            "set-cookie".to_string(),
            format!(
                "__clerk_redirect_count={}; SameSite=Lax; HttpOnly; Max-Age=2",
                crate::web::js::to_js_string(ctx.redirect_count + 1.0)
            ),
        ),
    ];
    Ok(RequestState::handshake(reason_str, message, headers))
}

/// Why resolving a handshake failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// A `TokenVerificationError`: fatal on development instances.
    Token(TokenError),
    /// Anything else: logged, and the cookie flow continues.
    Other(String),
}

/// The value of the last `__session*` directive (`name=value; attrs`).
fn session_from_directives(directives: &[String]) -> Option<String> {
    directives
        .iter()
        .filter_map(|d| {
            let pair = d.split(';').next()?;
            let mut parts = pair.split('=');
            let name = parts.next()?;
            name.starts_with("__session")
                .then(|| parts.next().unwrap_or("").to_string())
        })
        .next_back()
        .filter(|t| !t.is_empty())
}

/// §1.12: directives from the nonce (BAPI) or the legacy handshake JWT, then the new session.
pub async fn resolve<V: SignatureVerifier, B: BackendApi>(
    ctx: &Context<'_>,
    verifier: &V,
    backend: &B,
) -> Result<RequestState, ResolveError> {
    let mut diagnostics = Vec::new();
    let mut headers = vec![
        (
            "access-control-allow-origin".to_string(),
            "null".to_string(),
        ),
        (
            "access-control-allow-credentials".to_string(),
            "true".to_string(),
        ),
    ];
    let directives: Vec<String> = if let Some(nonce) = &ctx.handshake_nonce {
        match backend.handshake_payload(nonce).await {
            Ok(d) => d,
            Err(e) => {
                diagnostics.push(Diagnostic::HandshakePayloadFailed(e));
                Vec::new()
            }
        }
    } else if let Some(token) = &ctx.handshake_token {
        let jwt = Jwt::decode(token).map_err(ResolveError::Token)?;
        jwt::verify_handshake_token(&jwt, ctx.cfg.key_source(), verifier, backend)
            .await
            .map_err(ResolveError::Token)?;
        // A payload without a directive list has no directives (Clerk iterates `[]`).
        match jwt.claim("handshake") {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    } else {
        Vec::new()
    };
    for d in &directives {
        headers.push(("set-cookie".to_string(), d.clone()));
    }
    let session = session_from_directives(&directives);
    if ctx.cfg.is_development() {
        let mut clean = ctx.clerk_url.clone();
        clean.remove_query_params(&[
            "__clerk_handshake",
            "__clerk_help",
            "__clerk_db_jwt",
            "__clerk_handshake_nonce",
        ]);
        headers.push(("location".to_string(), clean.href()));
        headers.push(("cache-control".to_string(), "no-store".to_string()));
    }
    let Some(token) = session else {
        return Ok(
            RequestState::signed_out(reason::SESSION_TOKEN_MISSING, "", headers)
                .with_diagnostics(diagnostics),
        );
    };
    let decode = || Jwt::decode(&token).map_err(|e| ResolveError::Other(e.message));
    let v = ctx.cfg.verification(ctx.now_ms, verifier, backend);
    let verified = match jwt::verify_token(decode()?, &v).await {
        Ok(verified) => verified,
        Err(e)
            if ctx.cfg.is_development()
                && matches!(
                    e.reason,
                    TokenReason::Expired | TokenReason::NotActiveYet | TokenReason::IatInTheFuture
                ) =>
        {
            diagnostics.push(Diagnostic::ClockSkewRetry);
            let lenient = Verification {
                rules: ClaimRules {
                    skew_ms: DEV_RETRY_SKEW_MS,
                    ..v.rules
                },
                ..v
            };
            jwt::verify_token(decode()?, &lenient)
                .await
                .map_err(|e| ResolveError::Other(e.message))?
        }
        Err(e) => return Err(ResolveError::Other(e.message)),
    };
    Ok(
        RequestState::signed_in(Session::from_verified(verified), headers)
            .with_diagnostics(diagnostics),
    )
}

/// Clerk's fatal wording for a development handshake that does not verify.
pub fn fatal_for_development(e: &TokenError) -> FatalError {
    if e.is_signature() {
        FatalError("Clerk: Handshake token verification failed due to an invalid signature. If you have switched Clerk keys locally, clear your cookies and try again.".into())
    } else {
        let mut m = e.message.clone();
        if let Some(a) = e.action {
            m.push(' ');
            m.push_str(a);
        }
        FatalError(format!(
            "Clerk: Handshake token verification failed: {m} (reason={}, token-carrier=undefined).",
            e.reason.as_str()
        ))
    }
}

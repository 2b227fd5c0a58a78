//! The decision procedure of `authenticateRequest`: the header flow and the ordered cookie
//! flow C1–C17 (spec §1.9), read top to bottom in the order Clerk applies them.

use crate::decide::config::Config;
use crate::decide::handshake::{self, FatalError, ResolveError};
use crate::decide::machine;
use crate::decide::orgsync;
use crate::decide::request::{Context, Inbound, RequestParts};
use crate::decide::state::{Diagnostic, RequestState, Session};
use crate::host::services::{BackendApi, RefreshError, RefreshRequest, SignatureVerifier};
use crate::token::jwt::{self, Carrier, Jwt, TokenError, VerifiedToken};
use crate::token::kind::{Accepts, TokenType};
use crate::token::reason::{self, TokenReason};

/// Why no decision could be made: Clerk throws here, so the host answers with an error page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The request URL is not an absolute http(s) URL (a host integration bug).
    InvalidRequestUrl,
    /// A request-dependent configuration error (Clerk throws; the host answers 500).
    Fatal(String),
    /// Clerk throws here too, but on input the client controls (a development handshake token
    /// that does not verify, an unparseable `__clerk_redirect_url`): a gateway answers 400, so a
    /// client can never produce a server error. The message is Clerk's and holds no secret.
    BadRequest(String),
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthError::InvalidRequestUrl => {
                f.write_str("The request URL is not an absolute http(s) URL.")
            }
            AuthError::Fatal(m) | AuthError::BadRequest(m) => f.write_str(m),
        }
    }
}

impl From<FatalError> for AuthError {
    fn from(e: FatalError) -> Self {
        AuthError::Fatal(e.0)
    }
}

/// Authenticates one request. `now_ms` is the caller's clock; nothing here reads one.
pub async fn authenticate<V: SignatureVerifier, B: BackendApi>(
    req: &RequestParts,
    cfg: &Config,
    now_ms: f64,
    verifier: &V,
    backend: &B,
) -> Result<RequestState, AuthError> {
    let inbound = Inbound::new(req).map_err(|_| AuthError::InvalidRequestUrl)?;
    authenticate_inbound(&inbound, cfg, now_ms, verifier, backend).await
}

/// [`authenticate`] for a request the adapter has already parsed into an [`Inbound`] (whose
/// public URL and cookies it reads afterwards).
pub async fn authenticate_inbound<V: SignatureVerifier, B: BackendApi>(
    inbound: &Inbound<'_>,
    cfg: &Config,
    now_ms: f64,
    verifier: &V,
    backend: &B,
) -> Result<RequestState, AuthError> {
    let ctx = Context::new(cfg, inbound, now_ms);
    satellite_origin_checks(&ctx)?;
    let flow = Flow {
        ctx: &ctx,
        verifier,
        backend,
    };
    // The `Authorization` token, decoded once here; every step below reads this.
    let header = ctx.token_in_header.as_deref().map(|t| (t, Jwt::decode(t)));
    // §1.7 dispatch on `acceptsToken`.
    if let Accepts::List(list) = &cfg.accepts {
        let presented = header
            .as_ref()
            .and_then(|(t, jwt)| machine::machine_type(t, jwt.as_ref().ok()))
            .unwrap_or(TokenType::SessionToken);
        if !list.contains(&presented) {
            return Ok(RequestState::token_type_mismatch_for(None));
        }
    }
    match (header, &cfg.accepts) {
        (Some((token, jwt)), Accepts::Any | Accepts::List(_)) => flow.any_header(token, jwt).await,
        (Some((_, jwt)), Accepts::One(TokenType::SessionToken)) => flow.header(jwt).await,
        (Some((token, jwt)), Accepts::One(kind)) => {
            Ok(flow.machine_header(token, jwt.ok().as_ref(), *kind).await)
        }
        (None, Accepts::One(kind)) if *kind != TokenType::SessionToken => Ok(
            RequestState::signed_out_for(Some(*kind), reason::NO_TOKEN_IN_HEADER, ""),
        ),
        (None, _) => flow.cookie().await,
    }
}

/// The satellite `signInUrl` checks Clerk makes only when the request has an `Origin` header.
fn satellite_origin_checks(ctx: &Context<'_>) -> Result<(), AuthError> {
    let (true, Some(sign_in), Some(origin)) =
        (ctx.cfg.is_satellite, &ctx.cfg.sign_in_url, &ctx.origin)
    else {
        return Ok(());
    };
    let Some(url) = crate::web::url::Url::parse(sign_in).filter(|u| u.is_special()) else {
        return Err(AuthError::Fatal(
            "The signInUrl needs to have a absolute url format.".into(),
        ));
    };
    if &url.origin() == origin {
        return Err(AuthError::Fatal(
            "The signInUrl needs to be on a different origin than your satellite application."
                .into(),
        ));
    }
    Ok(())
}

struct Flow<'a, 'c, V, B> {
    ctx: &'a Context<'c>,
    verifier: &'a V,
    backend: &'a B,
}

impl<V: SignatureVerifier, B: BackendApi> Flow<'_, '_, V, B> {
    async fn verify(&self, jwt: Jwt) -> Result<VerifiedToken, TokenError> {
        let v = self
            .ctx
            .cfg
            .verification(self.ctx.now_ms, self.verifier, self.backend);
        jwt::verify_token(jwt, &v).await
    }

    fn gate(&self, reason_str: &str, message: &str) -> Result<RequestState, AuthError> {
        Ok(handshake::gate(self.ctx, reason_str, message, None)?)
    }

    /// §1.8: a token in `Authorization` decides alone; cookies are not consulted.
    async fn header(&self, decoded: Result<Jwt, TokenError>) -> Result<RequestState, AuthError> {
        let jwt = match decoded {
            Ok(j) => j,
            Err(e) => return self.token_error(e, Carrier::Header).await,
        };
        if jwt.is_machine_jwt() || jwt.has_non_session_category() {
            return Ok(RequestState::token_type_mismatch());
        }
        match self.verify(jwt).await {
            Ok(verified) => Ok(signed_in(verified, Vec::new())),
            Err(e) => self.token_error(e, Carrier::Header).await,
        }
    }

    /// §1.13: `acceptsToken` "any" or a list, with a token in `Authorization`.
    async fn any_header(
        &self,
        token: &str,
        decoded: Result<Jwt, TokenError>,
    ) -> Result<RequestState, AuthError> {
        let jwt = decoded.as_ref().ok();
        if let Some(kind) = machine::machine_type(token, jwt) {
            let cfg = self.ctx.cfg;
            if !cfg.accepts.allows(kind) {
                let reported = match &cfg.accepts {
                    Accepts::List(l) if l.len() == 1 => l.first().copied(),
                    _ => Some(kind),
                };
                return Ok(RequestState::token_type_mismatch_for(reported));
            }
            return Ok(machine::verify(
                token,
                jwt,
                kind,
                cfg,
                self.ctx.now_ms,
                self.verifier,
                self.backend,
            )
            .await);
        }
        if jwt.is_some_and(Jwt::has_non_session_category) {
            return Ok(RequestState::token_type_mismatch());
        }
        self.header(decoded).await
    }

    /// §1.13: a single machine kind is accepted.
    async fn machine_header(
        &self,
        token: &str,
        jwt: Option<&Jwt>,
        kind: TokenType,
    ) -> RequestState {
        if machine::machine_type(token, jwt) != Some(kind) {
            return RequestState::token_type_mismatch_for(Some(kind));
        }
        machine::verify(
            token,
            jwt,
            kind,
            self.ctx.cfg,
            self.ctx.now_ms,
            self.verifier,
            self.backend,
        )
        .await
    }

    /// §1.9, C1–C17.
    async fn cookie(&self) -> Result<RequestState, AuthError> {
        let ctx = self.ctx;
        let cfg = ctx.cfg;
        let dev = cfg.is_development();
        let mut diagnostics = Vec::new();
        let has_client = ctx.client_uat != 0.0;
        let has_session = ctx.session_token_in_cookie.is_some();
        let has_cookies = has_client || has_session;
        let synced = ctx.clerk_url.query_get("__clerk_synced");
        let sync_eligible =
            cfg.is_satellite && ctx.is_document_get() && synced.as_deref() != Some("true");
        let needs_sync = !has_cookies || synced.as_deref() == Some("false");
        let skip_sync =
            !cfg.satellite_auto_sync && !has_cookies && synced.as_deref() != Some("false");

        // C1: coming back from a handshake.
        if ctx.handshake_nonce.is_some() || ctx.handshake_token.is_some() {
            match handshake::resolve(ctx, self.verifier, self.backend).await {
                Ok(state) => return Ok(state),
                Err(ResolveError::Token(e)) if dev => {
                    return Err(AuthError::BadRequest(
                        handshake::fatal_for_development(&e).0,
                    ))
                }
                Err(ResolveError::Token(e)) => {
                    diagnostics.push(Diagnostic::HandshakeUnresolved(e.message))
                }
                Err(ResolveError::Other(m)) => diagnostics.push(Diagnostic::HandshakeUnresolved(m)),
            }
        }

        // C2 (production) / C3 (development): a satellite without synced cookies. Without
        // `satelliteAutoSync`, a first visit with no cookies stays signed out.
        if sync_eligible {
            if skip_sync {
                return finish(
                    &diagnostics,
                    Ok(RequestState::signed_out(
                        reason::SESSION_TOKEN_AND_UAT_MISSING,
                        "",
                        Vec::new(),
                    )),
                );
            }
            if needs_sync && !dev {
                return finish(&diagnostics, self.gate(reason::SATELLITE_NEEDS_SYNCING, ""));
            }
            if needs_sync {
                // Development syncs through the primary's sign-in page, not FAPI.
                let sign_in = cfg.sign_in_url.as_deref().unwrap_or("");
                let mut url = crate::web::url::Url::parse(sign_in)
                    .filter(|u| u.is_special())
                    .ok_or_else(|| AuthError::Fatal("Invalid URL".into()))?;
                url.append_query_param("__clerk_redirect_url", &ctx.clerk_url.href());
                let location = Some(url.href());
                return finish(
                    &diagnostics,
                    Ok(handshake::gate(
                        ctx,
                        reason::SATELLITE_NEEDS_SYNCING,
                        "",
                        location,
                    )?),
                );
            }
        }
        // C4: development primary answering a satellite's sync request.
        if dev && !cfg.is_satellite {
            // An empty value is "no sync request", as `searchParams.get()` is falsy.
            let target = ctx.clerk_url.query_get("__clerk_redirect_url");
            if let Some(target) = target.filter(|t| !t.is_empty()) {
                let mut url = crate::web::url::Url::parse(&target)
                    .filter(|u| u.is_special())
                    .ok_or_else(|| AuthError::BadRequest("Invalid URL".into()))?;
                if let Some(db) = &ctx.dev_browser {
                    url.append_query_param("__clerk_db_jwt", db);
                }
                url.set_query_param("__clerk_synced", "true");
                return finish(
                    &diagnostics,
                    Ok(handshake::gate(
                        ctx,
                        reason::PRIMARY_RESPONDS_TO_SYNCING,
                        "",
                        Some(url.href()),
                    )?),
                );
            }
        }
        // C5, C6: development browser token.
        if dev && ctx.clerk_url.query_get("__clerk_db_jwt").is_some() {
            return finish(&diagnostics, self.gate(reason::DEV_BROWSER_SYNC, ""));
        }
        if dev && ctx.dev_browser.is_none() {
            return finish(&diagnostics, self.gate(reason::DEV_BROWSER_MISSING, ""));
        }
        // C7–C9: which of the two cookies exist.
        if !has_client && !has_session {
            return finish(
                &diagnostics,
                Ok(RequestState::signed_out(
                    reason::SESSION_TOKEN_AND_UAT_MISSING,
                    "",
                    Vec::new(),
                )),
            );
        }
        if !has_client && has_session {
            return finish(
                &diagnostics,
                self.gate(reason::SESSION_TOKEN_BUT_NO_CLIENT_UAT, ""),
            );
        }
        let Some(token) = ctx.session_token_in_cookie.as_deref() else {
            return finish(
                &diagnostics,
                self.gate(reason::CLIENT_UAT_BUT_NO_SESSION_TOKEN, ""),
            );
        };
        // C10: decoded once, while choosing the cookie set; every later step reads this.
        let jwt = match ctx.take_session_jwt(token) {
            Ok(j) => j,
            Err(e) => return finish(&diagnostics, self.token_error(e, Carrier::Cookie).await),
        };
        // C11
        if jwt.is_machine_jwt() || jwt.has_non_session_category() {
            return finish(&diagnostics, Ok(RequestState::token_type_mismatch()));
        }
        // C12: the client signed in again after this token was minted.
        if jwt.claim_num("iat").is_some_and(|iat| iat < ctx.client_uat) {
            return finish(
                &diagnostics,
                self.gate(reason::SESSION_TOKEN_IAT_BEFORE_CLIENT_UAT, ""),
            );
        }
        // C13
        let verified = match self.verify(jwt).await {
            Ok(v) => v,
            Err(e) => return finish(&diagnostics, self.token_error(e, Carrier::Cookie).await),
        };
        // C14
        if verified.jwt().claim("azp").is_none() {
            diagnostics.push(Diagnostic::MissingAzp);
        }
        // C15: a satellite sent the user here; sync the primary's session.
        if !cfg.is_satellite
            && ctx.is_document_get()
            && ctx.is_cross_origin_referrer()
            && !ctx.is_known_clerk_referrer()
            && ctx.redirect_count == 0.0
        {
            return finish(
                &diagnostics,
                self.gate(
                    reason::PRIMARY_DOMAIN_CROSS_ORIGIN_SYNC,
                    "Cross-origin request from satellite domain requires handshake",
                ),
            );
        }
        let state = signed_in(verified, Vec::new());
        // C16: the URL asks for another active organization.
        if let (Some(target), Some(auth)) = (&ctx.org_target, state.to_auth(true)) {
            let has_user = auth.user_id.as_deref().is_some_and(|u| !u.is_empty());
            if has_user && orgsync::mismatches(target, auth) {
                if ctx.redirect_count >= handshake::MAX_REDIRECTS {
                    diagnostics.push(Diagnostic::OrganizationLoop);
                } else if ctx.is_handshake_eligible() {
                    return finish(
                        &diagnostics,
                        self.gate(reason::ACTIVE_ORGANIZATION_MISMATCH, ""),
                    );
                }
            }
        }
        // C17
        finish(&diagnostics, Ok(state))
    }

    /// §1.10: refresh an expired token when possible, else handshake (time errors) or
    /// signed-out with the verification reason.
    async fn token_error(
        &self,
        e: TokenError,
        carrier: Carrier,
    ) -> Result<RequestState, AuthError> {
        let ctx = self.ctx;
        let refresh_error =
            if e.reason == TokenReason::Expired && ctx.refresh_token.is_some() && ctx.is_get() {
                match self.refresh().await {
                    Ok(state) => return Ok(state),
                    Err(code) => Some(code),
                }
            } else if !ctx.is_get() {
                Some(reason::REFRESH_NON_ELIGIBLE_NON_GET.to_string())
            } else if ctx.refresh_token.is_none() {
                Some(reason::REFRESH_NON_ELIGIBLE_NO_REFRESH_COOKIE.to_string())
            } else {
                None
            };
        let message = e.full_message(carrier);
        match e.reason {
            TokenReason::Expired => {
                let why = reason::session_token_expired(refresh_error.as_deref().unwrap_or("null"));
                self.gate(&why, &message)
            }
            TokenReason::NotActiveYet => self.gate(reason::SESSION_TOKEN_NBF, &message),
            TokenReason::IatInTheFuture => {
                self.gate(reason::SESSION_TOKEN_IAT_IN_THE_FUTURE, &message)
            }
            other => Ok(RequestState::signed_out(
                other.as_str(),
                &message,
                Vec::new(),
            )),
        }
    }

    /// §1.14, with the sub-reason of each failure.
    async fn refresh(&self) -> Result<RequestState, String> {
        let ctx = self.ctx;
        let expired = ctx
            .session_token()
            .ok_or(reason::REFRESH_MISSING_SESSION_TOKEN)?;
        let refresh_token = ctx
            .refresh_token
            .clone()
            .ok_or(reason::REFRESH_MISSING_REFRESH_TOKEN)?;
        let old = Jwt::decode(expired).map_err(|_| reason::REFRESH_DECODE_FAILED)?;
        let sid = old.claim_str("sid").ok_or(reason::REFRESH_MISSING_SID)?;
        let request = RefreshRequest {
            session_id: sid.to_string(),
            expired_token: expired.to_string(),
            refresh_token,
            request_origin: ctx.clerk_url.origin(),
            request_headers: ctx.req.headers.clone(),
            suffixed_cookies: ctx.suffixed,
        };
        let cookies = self
            .backend
            .refresh_session(&request)
            .await
            .map_err(|e| match e {
                RefreshError::Api(code) if code == "unexpected_error" => {
                    reason::REFRESH_FETCH_ERROR.to_string()
                }
                // An empty code is falsy for Clerk.
                RefreshError::Api(code) if code.is_empty() => {
                    reason::REFRESH_UNEXPECTED_SDK_ERROR.to_string()
                }
                RefreshError::Api(code) => code,
                RefreshError::Other => reason::REFRESH_UNEXPECTED_BAPI_ERROR.to_string(),
            })?;
        if cookies.is_empty() {
            return Err(reason::REFRESH_UNEXPECTED_SDK_ERROR.to_string());
        }
        // The last `__session*` cookie wins; none at all verifies "" and fails.
        let token = cookies
            .iter()
            .filter_map(|c| {
                let (name, rest) = c.split_once('=')?;
                name.starts_with("__session")
                    .then(|| rest.split(';').next().unwrap_or("").to_string())
            })
            .next_back()
            .unwrap_or_default();
        let jwt = Jwt::decode(&token).map_err(|_| reason::REFRESH_INVALID_SESSION_TOKEN)?;
        let verified = self
            .verify(jwt)
            .await
            .map_err(|_| reason::REFRESH_INVALID_SESSION_TOKEN)?;
        let headers = cookies
            .into_iter()
            .map(|c| ("set-cookie".to_string(), c))
            .collect();
        Ok(signed_in(verified, headers))
    }
}

fn finish(d: &[Diagnostic], s: Result<RequestState, AuthError>) -> Result<RequestState, AuthError> {
    s.map(|s| s.with_diagnostics(d.to_vec()))
}

fn signed_in(token: VerifiedToken, headers: Vec<(String, String)>) -> RequestState {
    RequestState::signed_in(Session::from_verified(token), headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::config::Options;
    use crate::decide::state::AuthStatus;
    use crate::host::key::RsaPublicKey;
    use crate::host::services::{block_on, NoBackend};

    /// Accepts every signature: these tests count work, not cryptography.
    struct AcceptAll;
    impl SignatureVerifier for AcceptAll {
        async fn verify_rs256(&self, _: &RsaPublicKey, _: &[u8], _: &[u8]) -> Result<bool, String> {
            Ok(true)
        }
    }

    fn token(now_s: i64, iss: &str) -> String {
        let seg = |v: serde_json::Value| crate::web::base64::encode_url(v.to_string().as_bytes());
        let header = seg(serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "k"}));
        let payload = seg(serde_json::json!({
            "sub": "user_1", "sid": "sess_1", "iss": iss,
            "iat": now_s - 5, "nbf": now_s - 10, "exp": now_s + 60, "azp": "https://app.example"
        }));
        format!("{header}.{payload}.c2ln")
    }

    #[test]
    fn a_request_decodes_its_token_once() {
        let fapi = "clerk.example.com";
        let pk = format!(
            "pk_live_{}",
            crate::web::base64::encode_std(format!("{fapi}$").as_bytes())
        );
        let cfg = Config::new(Options {
            publishable_key: Some(pk),
            secret_key: Some("sk_live_x".into()),
            jwt_key: Some(include_str!("../../tests/fixtures/test-public-key.pem").into()),
            ..Default::default()
        })
        .unwrap();
        let now_s = 1_767_225_600;
        let t = token(now_s, &format!("https://{fapi}"));
        let cookie = format!("__session={t}; __client_uat={}", now_s - 60);
        let requests = [
            vec![("cookie".to_string(), cookie)],
            vec![("authorization".to_string(), format!("Bearer {t}"))],
        ];
        for headers in requests {
            let req = RequestParts::new("GET", "https://app.example/x", headers);
            let before = jwt::DECODES.with(|c| c.get());
            let st = block_on(authenticate(
                &req,
                &cfg,
                now_s as f64 * 1000.0,
                &AcceptAll,
                &NoBackend,
            ))
            .unwrap();
            assert_eq!(st.status(), AuthStatus::SignedIn, "{:?}", st.reason());
            assert_eq!(
                jwt::DECODES.with(|c| c.get()) - before,
                1,
                "{:?}",
                req.headers
            );
        }
    }
}

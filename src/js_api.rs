//! wasm-bindgen exports for JavaScript hosts (the Next.js shim, and `js/test/`): the pure core
//! with RS256 through WebCrypto and no Backend API (networkless: `jwtKey` only).
//! Built by `scripts/build-js.sh` (`--features wasm`); left out of the Worker build (`worker`),
//! where worker-build would otherwise export `Engine` and turn `verifyToken` into an RPC method
//! of the Worker's default entrypoint.
//!
//! Everything crosses the boundary as JSON strings, so the JS side needs no generated types:
//!
//! ```js
//! const engine = new Engine(JSON.stringify({ publishableKey, secretKey, jwtKey }));   // throws ConfigError.message
//! const state = JSON.parse(await engine.authenticate('GET', url, JSON.stringify([...headers]), Date.now()));
//! const result = JSON.parse(await verifyToken(token, JSON.stringify({ jwtKey }), Date.now()));
//! ```

use crate::config::{Config, OneOrMany, Options, DEFAULT_CLOCK_SKEW_MS};
use crate::flow::authenticate;
use crate::jwt::{self, ClaimRules, Jwt, KeySource};
use crate::key::RsaPublicKey;
use crate::request::RequestParts;
use crate::services::NoBackend;
use crate::state::{AuthStatus, RequestState};
use crate::webcrypto::WebCryptoVerifier;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

fn js_err(message: &str) -> JsError {
    JsError::new(message)
}

fn parse_options(options_json: &str) -> Result<Options, JsError> {
    serde_json::from_str(options_json).map_err(|e| js_err(&format!("invalid options JSON: {e}")))
}

fn opt_str(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| json!(s))
}

/// The `auth` object (`toAuth()` with pending treated as signed out): `null` for a handshake.
fn auth_json(state: &RequestState) -> Value {
    if state.status == AuthStatus::Handshake {
        return Value::Null;
    }
    match state.to_auth(true) {
        Some(a) => json!({
            "userId": opt_str(a.user_id.as_deref()),
            "sessionId": opt_str(a.session_id.as_deref()),
            "orgId": opt_str(a.org_id.as_deref()),
            "orgRole": opt_str(a.org_role.as_deref()),
            "orgSlug": opt_str(a.org_slug.as_deref()),
            "orgPermissions": a.org_permissions.as_ref().map_or(Value::Null, |p| json!(p)),
            "sessionStatus": opt_str(a.session_status.as_deref()),
            "tokenType": "session_token",
            "isAuthenticated": true,
        }),
        None => json!({
            "userId": null, "sessionId": null, "orgId": null, "orgRole": null, "orgSlug": null,
            "orgPermissions": null,
            "sessionStatus": opt_str(state.session.as_ref().and_then(|s| s.session_status.as_deref())),
            "tokenType": "session_token",
            "isAuthenticated": false,
        }),
    }
}

fn state_json(state: &RequestState) -> Value {
    json!({
        "status": state.status.as_str(),
        "isAuthenticated": state.is_authenticated(),
        "reason": opt_str(state.reason.as_deref()),
        "message": opt_str(state.message.as_deref()),
        "token": opt_str(state.token.as_deref()),
        "tokenType": opt_str(state.token_type.map(|t| t.as_str())),
        "headers": state.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "location": opt_str(state.location()),
        "setCookies": state.set_cookies().collect::<Vec<_>>(),
        "auth": auth_json(state),
        "machine": state.machine.clone().unwrap_or(Value::Null),
        "diagnostics": state.diagnostics.iter().map(|d| d.message()).collect::<Vec<_>>(),
    })
}

/// A validated configuration; build one per set of options and reuse it for every request.
#[wasm_bindgen]
pub struct Engine {
    cfg: Config,
}

#[wasm_bindgen]
impl Engine {
    /// `options_json`: Clerk's `authenticateRequest` options (camelCase). Throws with
    /// `ConfigError.message` when they are unusable.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Engine, JsError> {
        let cfg = Config::new(parse_options(options_json)?).map_err(|e| js_err(&e.message))?;
        Ok(Engine { cfg })
    }

    /// `headers_json`: a JSON array of `[name, value]` pairs. Resolves to the `RequestState` as
    /// JSON: `{status, isAuthenticated, reason, message, token, tokenType, headers: [[n, v]…],
    /// location, setCookies, auth, machine, diagnostics}`. Rejects where Clerk throws.
    pub async fn authenticate(
        &self,
        method: String,
        url: String,
        headers_json: String,
        now_ms: f64,
    ) -> Result<String, JsError> {
        let headers: Vec<(String, String)> = serde_json::from_str(&headers_json)
            .map_err(|e| js_err(&format!("invalid headers JSON: {e}")))?;
        let req = RequestParts::new(&method, &url, headers);
        let state = authenticate(&req, &self.cfg, now_ms, &WebCryptoVerifier, &NoBackend)
            .await
            .map_err(|e| js_err(&e.to_string()))?;
        Ok(state_json(&state).to_string())
    }
}

/// Clerk's `verifyToken(token, {jwtKey, audience, authorizedParties, issuer, clockSkewInMs})`.
/// Resolves to `{ok: true, sub}` or `{ok: false, reason, message, action}`; throws when `jwtKey`
/// is present but unusable. Without `jwtKey` the result is `jwk-failed-to-resolve`.
#[wasm_bindgen(js_name = verifyToken)]
pub async fn verify_token(
    token: String,
    options_json: String,
    now_ms: f64,
) -> Result<String, JsError> {
    let o = parse_options(&options_json)?;
    let key = match o.jwt_key.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(pem) => Some(RsaPublicKey::from_pem(pem).map_err(|e| {
            js_err(&format!(
                "The JWT verification key (jwtKey / CLERK_JWT_KEY) is not usable: {e}."
            ))
        })?),
    };
    let list = |v: Option<OneOrMany>| match v {
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
        None => Vec::new(),
    };
    let audience = list(o.audience);
    let issuer = list(o.issuer);
    let parties = o.authorized_parties.unwrap_or_default();
    let skew_ms = o
        .clock_skew_in_ms
        .as_ref()
        .and_then(Value::as_f64)
        .filter(|f| f.is_finite())
        .unwrap_or(DEFAULT_CLOCK_SKEW_MS);
    let rules = ClaimRules {
        audience: &audience,
        authorized_parties: &parties,
        issuer: &issuer,
        skew_ms,
    };
    let source = key.as_ref().map_or(KeySource::Missing, KeySource::Local);
    let verified = match Jwt::decode(&token) {
        Ok(j) => jwt::verify_token(&j, source, &rules, now_ms, &WebCryptoVerifier, &NoBackend)
            .await
            .map(|()| j),
        Err(e) => Err(e),
    };
    let result = match verified {
        Ok(j) => json!({"ok": true, "sub": j.claim("sub").cloned().unwrap_or(Value::Null)}),
        Err(e) => {
            json!({"ok": false, "reason": e.reason.as_str(), "message": e.message, "action": e.action})
        }
    };
    Ok(result.to_string())
}

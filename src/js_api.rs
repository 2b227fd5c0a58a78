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
//!
//! The rest serves `clerkMiddleware()` in `js/core.js`: every decision of the middleware
//! pipeline (clerk-behavior.md "The middleware") is made here and handed back as data; the JS side only calls user code
//! (handlers, option functions, predicates) and `NextResponse`. A request state travels as the
//! JSON `authenticate` produced (`state_json`), so no wasm object outlives a request.

use crate::decide::config::{Config, OneOrMany, Options, DEFAULT_CLOCK_SKEW_MS};
use crate::decide::flow::authenticate;
use crate::decide::protect::{self, Protect, ProtectParams};
use crate::decide::redirect::{self, RedirectContext, Target};
use crate::decide::request::{self, RequestParts};
use crate::decide::state::{AuthStatus, AuthView, RequestState};
use crate::downstream;
use crate::downstream::request_data;
use crate::gateway::fapi_proxy;
use crate::host::cache::CachingVerifier;
use crate::host::http_backend::{HttpBackend, Transport};
use crate::host::key::RsaPublicKey;
use crate::host::node_crypto::HostVerifier;
use crate::host::webcrypto::WebCryptoVerifier;
use crate::pattern::{normalize_route_path, route_matcher_error, PathPattern};
use crate::token::auth::{HasParams, SessionAuth};
use crate::token::jwt::{self, ClaimRules, Jwt, KeySource, OptionReading, Verification};
use crate::token::keys;
use crate::token::kind::{Accepts, TokenType};
use crate::token::reason;
use crate::web::cookies::Cookies;
use crate::web::js;
use crate::web::json_out::JsonOut;
use crate::web::url::Url;

thread_local! {
    /// Verified signatures, per isolate (claims are still checked on every request).
    /// `node:crypto` once the Node entry registered it (`setNodeCrypto`), else WebCrypto.
    static VERIFIER: std::rc::Rc<CachingVerifier<HostVerifier>> =
        std::rc::Rc::new(CachingVerifier::new(HostVerifier));
}
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

fn js_err(message: &str) -> JsError {
    JsError::new(message)
}

fn parse_options(options_json: &str) -> Result<Options, JsError> {
    serde_json::from_str(options_json).map_err(|e| js_err(&format!("invalid options JSON: {e}")))
}

/// The `auth` object (`toAuth()` with pending treated as signed out; `null` for a handshake),
/// as the conformance files record it.
fn write_auth(out: &mut JsonOut, state: AuthView<'_>) {
    if state.status == AuthStatus::Handshake {
        return out.null();
    }
    let signed_in = state.to_auth(true);
    let field = |f: fn(&SessionAuth) -> Option<&str>| signed_in.and_then(f);
    out.begin_object();
    for (k, v) in [
        ("userId", field(|a| a.user_id.as_deref())),
        ("sessionId", field(|a| a.session_id.as_deref())),
        ("orgId", field(|a| a.org_id.as_deref())),
        ("orgRole", field(|a| a.org_role.as_deref())),
        ("orgSlug", field(|a| a.org_slug.as_deref())),
    ] {
        out.key(k);
        out.opt_str(v);
    }
    out.key("orgPermissions");
    match signed_in.and_then(|a| a.org_permissions.as_ref()) {
        Some(list) => {
            out.begin_array();
            list.iter().for_each(|p| out.str(p));
            out.end_array();
        }
        None => out.null(),
    }
    // A pending session reads as signed out but keeps its status.
    out.key("sessionStatus");
    out.opt_str(
        signed_in
            .or(state.session)
            .and_then(|a| a.session_status.as_deref()),
    );
    out.key("tokenType");
    out.str("session_token");
    out.key("isAuthenticated");
    out.bool(signed_in.is_some());
    out.end_object();
}

/// The `RequestState` handed to JavaScript: `{status, isAuthenticated, reason, message, token,
/// tokenType, headers: [[n, v]…], location, setCookies, auth, machine, diagnostics, claims}`,
/// written straight from borrowed fields (no intermediate JSON tree on the hot path).
fn state_json(state: &RequestState) -> String {
    let mut out = JsonOut::with_capacity(512 + state.token().map_or(0, str::len) * 2);
    out.begin_object();
    out.key("status");
    out.str(state.status().as_str());
    out.key("isAuthenticated");
    out.bool(state.is_authenticated());
    for (k, v) in [
        ("reason", state.reason()),
        ("message", state.message()),
        ("token", state.token()),
        ("tokenType", state.token_type().map(|t| t.as_str())),
    ] {
        out.key(k);
        out.opt_str(v);
    }
    out.key("headers");
    out.begin_array();
    for (n, v) in &state.headers {
        out.begin_array();
        out.str(n);
        out.str(v);
        out.end_array();
    }
    out.end_array();
    out.key("location");
    out.opt_str(state.location());
    out.key("setCookies");
    out.begin_array();
    state.set_cookies().for_each(|c| out.str(c));
    out.end_array();
    out.key("auth");
    write_auth(&mut out, state.view());
    out.key("machine");
    match state.machine() {
        Some(m) => out.value(m),
        None => out.null(),
    }
    out.key("diagnostics");
    out.begin_array();
    state.diagnostics.iter().for_each(|d| out.str(&d.message()));
    out.end_array();
    // The verified session claims (also when pending): what `toAuth`, `has` and `protect`
    // rebuild the session from.
    out.key("claims");
    match state.session() {
        Some(s) => out.object(&s.claims),
        None => out.null(),
    }
    out.end_object();
    out.finish()
}

/// A validated configuration; build one per set of options and reuse it for every request.
#[wasm_bindgen]
pub struct Engine {
    /// Shared with the futures of pending `authenticate` calls.
    cfg: std::rc::Rc<Config>,
    /// Backend API origin (`apiUrl` option, else derived from the publishable key): the JWKS
    /// cache scope when a transport is given.
    api_url: String,
}

#[wasm_bindgen]
impl Engine {
    /// `options_json`: Clerk's `authenticateRequest` options (camelCase). Throws with
    /// `ConfigError.message` when they are unusable.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Engine, JsError> {
        let options = parse_options(options_json)?;
        let api_url = options
            .api_url
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| {
                let fapi =
                    keys::parse_publishable_key(options.publishable_key.as_deref().unwrap_or(""))
                        .map(|k| k.frontend_api)
                        .unwrap_or_default();
                keys::api_url_for(&fapi).to_string()
            });
        // A bad `jwtKey` signs every token out, as in Clerk (`jwtKeyProblem` says why).
        let cfg = Config::new_lenient_jwt_key(options).map_err(|e| js_err(&e.message))?;
        Ok(Engine {
            cfg: std::rc::Rc::new(cfg),
            api_url,
        })
    }

    /// The Backend API origin this configuration talks to (`apiUrl`, else derived from the
    /// publishable key as Clerk's Next SDK does).
    #[wasm_bindgen(getter, js_name = apiUrl)]
    pub fn api_url(&self) -> String {
        self.api_url.clone()
    }

    /// Why the `jwtKey` option is unusable (every token is then signed out, as in Clerk), for
    /// one log line; never the key itself.
    #[wasm_bindgen(getter, js_name = jwtKeyProblem)]
    pub fn jwt_key_problem(&self) -> Option<String> {
        self.cfg.unusable_jwt_key.clone()
    }

    /// `headers_json`: a JSON array of `[name, value]` pairs. Resolves to the `RequestState` as
    /// JSON: `{status, isAuthenticated, reason, message, token, tokenType, headers: [[n, v]…],
    /// location, setCookies, auth, machine, diagnostics, claims}`. Rejects where Clerk throws.
    ///
    /// `backend`: Clerk's Backend API over the host's `fetch` (JWKS when there is no `jwtKey`,
    /// handshake nonces, session refresh, opaque machine tokens); without it every Backend API
    /// call fails, as in an outage, and only `jwtKey` verification works.
    ///
    /// Returns the JSON string itself when the decision needs no I/O (signed-out, cached
    /// signatures, handshakes: no Promise, one crossing), else a Promise of it; `await` works
    /// on both.
    pub fn authenticate(
        &self,
        method: String,
        url: String,
        headers_json: String,
        now_ms: f64,
        backend: Option<BackendTransport>,
    ) -> Result<JsValue, JsError> {
        use std::future::Future;
        use std::task::{Context as TaskContext, Poll, Waker};
        let headers: Vec<(String, String)> = serde_json::from_str(&headers_json)
            .map_err(|e| js_err(&format!("invalid headers JSON: {e}")))?;
        let req = RequestParts::new(&method, &url, headers);
        let cfg = std::rc::Rc::clone(&self.cfg);
        let api_url = self.api_url.clone();
        let verifier = VERIFIER.with(std::rc::Rc::clone);
        let mut decision = Box::pin(async move {
            // One backend type for both cases keeps a single copy of the flow in the module.
            let b: JsBackend = HttpBackend::new(backend, &api_url, &cfg.secret_key, now_ms)
                .with_api_version(&cfg.api_version)
                .with_skip_jwks_cache(cfg.skip_jwks_cache);
            authenticate(&req, &cfg, now_ms, verifier.as_ref(), &b)
                .await
                .map(|state| state_json(&state))
                .map_err(|e| e.to_string())
        });
        // One synchronous poll: JsFuture re-registers its waker on every poll, so a decision
        // still waiting on WebCrypto or fetch simply continues inside the Promise.
        match decision
            .as_mut()
            .poll(&mut TaskContext::from_waker(Waker::noop()))
        {
            Poll::Ready(Ok(json)) => Ok(JsValue::from_str(&json)),
            Poll::Ready(Err(e)) => Err(js_err(&e)),
            Poll::Pending => Ok(wasm_bindgen_futures::future_to_promise(async move {
                decision
                    .await
                    .map(|json| JsValue::from_str(&json))
                    .map_err(|e| JsValue::from(js_err(&e)))
            })
            .into()),
        }
    }
}

/// RSASSA-PKCS1-v1_5 / SHA-256 of `message` with a PEM key through the verifier requests use
/// (WebCrypto, or `node:crypto` once `setNodeCrypto` registered it), for the Wycheproof test.
#[wasm_bindgen(js_name = verifyRs256)]
pub async fn verify_rs256(
    pem: String,
    message: Vec<u8>,
    signature: Vec<u8>,
) -> Result<bool, JsError> {
    use crate::host::services::SignatureVerifier;
    let key = RsaPublicKey::from_pem(&pem).map_err(|e| js_err(&e.to_string()))?;
    HostVerifier
        .verify_rs256(&key, &message, &signature)
        .await
        .map_err(|e| js_err(&e))
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
        Some(pem) => Some(crate::token::keyset::KeySet::parse(pem).map_err(|e| {
            js_err(&format!(
                "The JWT verification key (jwtKey / CLERK_JWT_KEY) is not usable: {e}."
            ))
        })?),
    };
    let list = |v: Option<Value>| v.map(|v| OneOrMany::from(v).into_vec()).unwrap_or_default();
    let audience = list(o.audience);
    let issuer = list(o.issuer);
    let parties = list(o.authorized_parties);
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
        reading: OptionReading::PLAIN,
    };
    let source = key.as_ref().map_or(KeySource::Missing, |k| k.source());
    let backend = no_backend();
    let v = Verification {
        key: source,
        rules,
        now_ms,
        verifier: &WebCryptoVerifier,
        backend: &backend,
    };
    let verified = match Jwt::decode(&token) {
        Ok(j) => jwt::verify_token(j, &v).await,
        Err(e) => Err(e),
    };
    let result = match verified {
        Ok(t) => {
            json!({"ok": true, "sub": t.jwt().claim("sub").cloned().unwrap_or(Value::Null)})
        }
        Err(e) => {
            json!({"ok": false, "reason": e.reason.as_str(), "message": e.message, "action": e.action})
        }
    };
    Ok(result.to_string())
}

// ---------------------------------------------------------------------------------------------
// clerkMiddleware() (clerk-behavior.md "The middleware"): the decisions of the Next.js shim.
// ---------------------------------------------------------------------------------------------

fn parse_json(what: &str, text: &str) -> Result<Value, JsError> {
    serde_json::from_str(text).map_err(|e| js_err(&format!("invalid {what} JSON: {e}")))
}

fn parse_pairs(what: &str, text: &str) -> Result<Vec<(String, String)>, JsError> {
    serde_json::from_str(text).map_err(|e| js_err(&format!("invalid {what} JSON: {e}")))
}

fn pairs_json(pairs: &[(String, String)]) -> String {
    Value::Array(pairs.iter().map(|(k, v)| json!([k, v])).collect()).to_string()
}

fn str_field<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

/// A string option the way `a || b` sees it: empty strings and non-strings fall through.
fn non_empty_str<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    str_field(v, k).filter(|s| !s.is_empty())
}

fn map_str<'m>(m: &'m Map<String, Value>, k: &str) -> Option<&'m str> {
    m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn parse_url(what: &str, url: &str) -> Result<Url, JsError> {
    Url::parse(url).ok_or_else(|| js_err(&format!("Invalid URL ({what}): {url}")))
}

/// A decision the shim hands back: what `Engine.authenticate` answered earlier, rebuilt to
/// render `toAuth`, `protect` and the forwarded headers. Deliberately not a `RequestState`: JSON
/// from the host proves no verification, and only verification builds a signed-in state.
struct Snapshot {
    status: AuthStatus,
    reason: Option<String>,
    message: Option<String>,
    token: Option<String>,
    session: Option<SessionAuth>,
    token_type: Option<TokenType>,
    machine: Option<Value>,
}

impl Snapshot {
    fn view(&self) -> AuthView<'_> {
        AuthView {
            status: self.status,
            reason: self.reason.as_deref(),
            message: self.message.as_deref(),
            token: self.token.as_deref(),
            session: self.session.as_ref(),
            token_type: self.token_type,
            machine: self.machine.as_ref(),
        }
    }
}

/// Rebuilds the snapshot from the JSON `Engine.authenticate` produced.
fn state_from_json(v: &Value) -> Snapshot {
    let s = |k: &str| str_field(v, k).map(str::to_owned);
    let status = match str_field(v, "status") {
        Some("signed-in") => AuthStatus::SignedIn,
        Some("handshake") => AuthStatus::Handshake,
        _ => AuthStatus::SignedOut,
    };
    Snapshot {
        status,
        reason: s("reason"),
        message: s("message"),
        token: s("token"),
        session: v
            .get("claims")
            .and_then(Value::as_object)
            .map(|m| SessionAuth::from_claims(m.clone())),
        token_type: str_field(v, "tokenType").and_then(TokenType::parse),
        machine: v.get("machine").filter(|m| !m.is_null()).cloned(),
    }
}

fn parse_state(state_json: &str) -> Result<Snapshot, JsError> {
    Ok(state_from_json(&parse_json("state", state_json)?))
}

/// `clerkUrl`: the public URL of the request (forwarded host/proto), as `x-clerk-clerk-url`
/// carries it and redirects are built against it.
#[wasm_bindgen(js_name = clerkUrl)]
pub fn clerk_url(url: &str, headers_json: &str) -> Result<String, JsError> {
    let headers = parse_pairs("headers", headers_json)?;
    let parsed = parse_url("request", url)?;
    Ok(request::public_url(&parsed, &RequestParts::new("GET", url, headers)).href())
}

const KEY_SETUP_STEPS: &str = "To use an existing Clerk app, run:\nnpx clerk@latest link\nnpx clerk@latest env pull\n\nFor production keys, run:\nnpx clerk@latest env pull --instance prod";
const KEY_DASHBOARD: &str =
    "Or copy keys from https://dashboard.clerk.com/~/api-keys into your .env file.";

/// `@clerk/nextjs: Clerk keys are missing from your environment.` + Clerk's guidance.
fn missing_publishable_key() -> String {
    format!("@clerk/nextjs: Clerk keys are missing from your environment.\n\nTo create a new Clerk app, run:\nnpx clerk@latest init\n\n'npx clerk@latest init' does not need a Clerk account and writes temporary dev keys.\n\n{KEY_SETUP_STEPS}\n\n{KEY_DASHBOARD}")
}

/// `@clerk/nextjs: Missing secretKey.` + Clerk's guidance.
fn missing_secret_key() -> String {
    format!("@clerk/nextjs: Missing secretKey.\n\n{KEY_SETUP_STEPS}\n\n{KEY_DASHBOARD}")
}

const MISSING_DOMAIN_AND_PROXY: &str = "\nMissing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl.\n\n1) With middleware\n   e.g. export default clerkMiddleware({domain:'YOUR_DOMAIN',isSatellite:true});\n2) With environment variables e.g.\n   NEXT_PUBLIC_CLERK_DOMAIN='YOUR_DOMAIN'\n   NEXT_PUBLIC_CLERK_IS_SATELLITE='true'\n   ";
const MISSING_SIGN_IN_URL_IN_DEV: &str = "\nInvalid signInUrl. A satellite application requires a signInUrl for development instances.\nCheck if signInUrl is missing from your configuration or if it is not an absolute URL\n\n1) With middleware\n   e.g. export default clerkMiddleware({signInUrl:'SOME_URL', isSatellite:true});\n2) With environment variables e.g.\n   NEXT_PUBLIC_CLERK_SIGN_IN_URL='SOME_URL'\n   NEXT_PUBLIC_CLERK_IS_SATELLITE='true'";

/// clerk-behavior.md "Middleware pipeline" step 2: the publishable key (option or `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`) and the
/// secret key (option or `CLERK_SECRET_KEY`) must both be present, checked in that order.
#[wasm_bindgen(js_name = assertKeys)]
pub fn assert_keys(publishable_key: &str, secret_key: &str) -> Result<(), JsError> {
    if publishable_key.is_empty() {
        return Err(js_err(&missing_publishable_key()));
    }
    if secret_key.is_empty() {
        return Err(js_err(&missing_secret_key()));
    }
    Ok(())
}

/// `@clerk/shared`'s `isTruthy` for environment values: `true`/`false` (any case), else
/// `parseInt(v, 10) > 0`.
fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) if s.eq_ignore_ascii_case("true") => true,
        Value::String(s) if s.eq_ignore_ascii_case("false") => false,
        Value::String(s) => js::parse_int(s) > 0.0,
        Value::Number(n) => n.as_f64().is_some_and(|f| f.trunc() > 0.0),
        _ => false,
    }
}

fn is_http_or_https(v: &str) -> bool {
    v.starts_with("https://") || v.starts_with("http://")
}

/// JavaScript truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// clerk-behavior.md "Middleware pipeline" step 7 (`createAuthenticateRequestOptions` + `handleMultiDomainAndProxy`): the options
/// `authenticateRequest` gets. Input: `{options, proxyUrl, isSatellite, domain, clerkUrl, env}`
/// where `options` are the effective middleware options (functions dropped), the three values
/// are already resolved by the caller (an option function called, else the option; absent →
/// not present), and `env` = `{proxyUrl, isSatellite, domain, signInUrl, secretKey, jwtKey}`
/// (the raw environment values). Throws Clerk's multi-line satellite errors.
///
/// `jwtKey`: the option, else `CLERK_JWT_KEY` (Clerk's Next SDK does not read it; we do, so that
/// verification is networkless by configuration). `acceptsToken` is always `any`.
#[wasm_bindgen(js_name = authOptions)]
pub fn auth_options(input_json: &str) -> Result<String, JsError> {
    let input = parse_json("auth options input", input_json)?;
    let env = input.get("env").cloned().unwrap_or(Value::Null);
    let mut out: Map<String, Value> = input
        .get("options")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // handleValueOrFn(value, url, default): an absent value takes the default.
    let pick = |k: &str| match input.get(k) {
        Some(v) => v.clone(),
        None => env.get(k).cloned().unwrap_or(Value::Null),
    };
    let proxy = pick("proxyUrl");
    let proxy_url = match proxy.as_str().filter(|p| !p.is_empty()) {
        Some(p) if !is_http_or_https(p) => {
            let base = parse_url("clerkUrl", str_field(&input, "clerkUrl").unwrap_or(""))?;
            let joined = base
                .join(p)
                .ok_or_else(|| js_err(&format!("Invalid URL: {p}")))?;
            Value::String(joined.href())
        }
        _ => proxy,
    };
    // clerk-behavior.md "Token sources and cookie suffixes" auto proxy: production Vercel deployments on `*.vercel.app` go through `/__clerk`.
    let proxy_url =
        if !truthy(&proxy_url) && !truthy(&pick("domain")) && vercel_auto_proxy(&out, &env) {
            let base = parse_url("clerkUrl", str_field(&input, "clerkUrl").unwrap_or(""))?;
            Value::String(format!(
                "{}{}",
                base.origin(),
                fapi_proxy::DEFAULT_PROXY_PATH
            ))
        } else {
            proxy_url
        };
    let is_satellite = match input.get("isSatellite") {
        Some(v) => v.clone(),
        None => Value::Bool(is_truthy(env.get("isSatellite").unwrap_or(&Value::Null))),
    };
    let domain = pick("domain");
    let sign_in_url = map_str(&out, "signInUrl")
        .or_else(|| non_empty_str(&env, "signInUrl"))
        .unwrap_or("")
        .to_string();
    if truthy(&is_satellite) && !truthy(&proxy_url) && !truthy(&domain) {
        return Err(js_err(MISSING_DOMAIN_AND_PROXY));
    }
    let secret = map_str(&out, "secretKey")
        .or_else(|| non_empty_str(&env, "secretKey"))
        .unwrap_or("");
    if truthy(&is_satellite)
        && !is_http_or_https(&sign_in_url)
        && keys::is_development_secret_key(secret)
    {
        return Err(js_err(MISSING_SIGN_IN_URL_IN_DEV));
    }
    // The core reads booleans and strings; JS would coerce other types the same way.
    let as_opt_string = |v: Value| match v {
        Value::String(s) if !s.is_empty() => Value::String(s),
        _ => Value::Null,
    };
    out.insert("proxyUrl".into(), as_opt_string(proxy_url));
    out.insert("isSatellite".into(), Value::Bool(truthy(&is_satellite)));
    out.insert("domain".into(), as_opt_string(domain));
    out.insert("signInUrl".into(), Value::String(sign_in_url));
    if map_str(&out, "jwtKey").is_none() {
        let env_key = non_empty_str(&env, "jwtKey").map_or(Value::Null, |k| json!(k));
        out.insert("jwtKey".into(), env_key);
    }
    out.insert("acceptsToken".into(), json!("any"));
    // Option fields the core deserializes strictly: keep only well-typed values.
    for k in [
        "signUpUrl",
        "apiUrl",
        "apiVersion",
        "afterSignInUrl",
        "afterSignUpUrl",
    ] {
        if out.get(k).is_some_and(|v| !v.is_string()) {
            out.remove(k);
        }
    }
    if out
        .get("satelliteAutoSync")
        .is_some_and(|v| !v.is_boolean())
    {
        let t = out.get("satelliteAutoSync").is_some_and(truthy);
        out.insert("satelliteAutoSync".into(), Value::Bool(t));
    }
    Ok(Value::Object(out).to_string())
}

/// `getAutoProxyUrlFromEnvironment`: `pk_live_`, `CLERK_DISABLE_AUTO_PROXY` not truthy,
/// `VERCEL_TARGET_ENV=production` and `VERCEL_PROJECT_PRODUCTION_URL` on `*.vercel.app`.
fn vercel_auto_proxy(options: &Map<String, Value>, env: &Value) -> bool {
    let production_host = non_empty_str(env, "vercelProjectProductionUrl").map(|u| {
        if is_http_or_https(u) {
            Url::parse(u)
                .map(|x| x.hostname().to_string())
                .unwrap_or_default()
        } else {
            u.split('/').next().unwrap_or("").to_string()
        }
    });
    map_str(options, "publishableKey").is_some_and(|k| k.starts_with("pk_live_"))
        && !is_truthy(env.get("disableAutoProxy").unwrap_or(&Value::Null))
        && str_field(env, "vercelTargetEnv") == Some("production")
        && production_host.is_some_and(|h| h.ends_with(".vercel.app"))
}

/// clerk-behavior.md "Middleware pipeline" step 8 on Netlify with a development key: a handshake-less Location gets
/// `__clerk_netlify_cache_bust=<ms>` so that Netlify's cache does not replay the redirect.
#[wasm_bindgen(js_name = netlifyCacheBust)]
pub fn netlify_cache_bust(
    location: &str,
    publishable_key: &str,
    now_ms: f64,
    on_netlify: bool,
) -> String {
    let development =
        publishable_key.starts_with("pk_test_") || publishable_key.starts_with("test_");
    if !on_netlify || !development || location.contains("__clerk_handshake") {
        return location.to_string();
    }
    match Url::parse(location) {
        Some(mut u) => {
            u.append_query_param("__clerk_netlify_cache_bust", &js::to_js_string(now_ms));
            u.href()
        }
        None => location.to_string(),
    }
}

fn opt_value(v: Option<&Value>) -> Value {
    v.cloned().unwrap_or(Value::Null)
}

/// `signedInAuthObject` fields (functions are attached by the caller). Keys Clerk leaves
/// `undefined` are omitted.
fn signed_in_object(s: &SessionAuth) -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    };
    put("tokenType", Some(json!("session_token")));
    put("actor", s.claims.get("act").cloned());
    put("sessionClaims", Some(Value::Object(s.claims.clone())));
    put("sessionId", s.claims.get("sid").cloned());
    put(
        "sessionStatus",
        Some(opt_value(s.claims.get("sts").filter(|v| !v.is_null()))),
    );
    put("userId", s.claims.get("sub").cloned());
    put("orgId", s.org_id.clone().map(Value::String));
    put("orgRole", s.org_role.clone().map(Value::String));
    put("orgSlug", s.org_slug.clone().map(Value::String));
    put(
        "orgPermissions",
        s.org_permissions
            .as_ref()
            .map(|p| Value::Array(p.iter().cloned().map(Value::String).collect())),
    );
    put(
        "factorVerificationAge",
        Some(opt_value(s.claims.get("fva").filter(|v| !v.is_null()))),
    );
    put("isAuthenticated", Some(json!(true)));
    m
}

fn signed_out_object(session_status: Option<&str>) -> Value {
    json!({
        "tokenType": "session_token", "sessionClaims": null, "sessionId": null,
        "sessionStatus": session_status, "userId": null, "actor": null, "orgId": null,
        "orgRole": null, "orgSlug": null, "orgPermissions": null,
        "factorVerificationAge": null, "isAuthenticated": false,
    })
}

/// The verification result of a verified machine token, as the core recorded it (Clerk's
/// shape for JWTs, BAPI's answer for opaque tokens).
fn machine_verification(state: AuthView<'_>, _t: TokenType) -> Value {
    state.machine.cloned().unwrap_or(Value::Null)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AuthKind {
    SignedIn,
    SignedOut,
    Machine,
    UnauthenticatedMachine,
    Invalid,
}

impl AuthKind {
    fn as_str(self) -> &'static str {
        match self {
            AuthKind::SignedIn => "signedIn",
            AuthKind::SignedOut => "signedOut",
            AuthKind::Machine => "machine",
            AuthKind::UnauthenticatedMachine => "unauthenticatedMachine",
            AuthKind::Invalid => "invalid",
        }
    }
}

/// `requestState.toAuth({treatPendingAsSignedOut})`.
fn raw_auth(state: AuthView<'_>, treat_pending: bool) -> (AuthKind, Value) {
    match state.token_type {
        None => (
            AuthKind::Invalid,
            json!({"isAuthenticated": false, "tokenType": null}),
        ),
        Some(TokenType::SessionToken) => match (state.status, state.session) {
            (AuthStatus::SignedIn, Some(s)) if treat_pending && s.is_pending() => {
                (AuthKind::SignedOut, signed_out_object(Some("pending")))
            }
            (AuthStatus::SignedIn, Some(s)) => {
                (AuthKind::SignedIn, Value::Object(signed_in_object(s)))
            }
            _ => (AuthKind::SignedOut, signed_out_object(None)),
        },
        Some(t) if state.status == AuthStatus::SignedIn => (
            AuthKind::Machine,
            crate::decide::machine::machine_object(t, &machine_verification(state, t)),
        ),
        Some(t) => (
            AuthKind::UnauthenticatedMachine,
            crate::decide::machine::unauthenticated_machine_object(t),
        ),
    }
}

fn kind_token_type(kind: AuthKind, state: AuthView<'_>) -> Option<TokenType> {
    match kind {
        AuthKind::Invalid => None,
        AuthKind::SignedIn | AuthKind::SignedOut => Some(TokenType::SessionToken),
        _ => state.token_type,
    }
}

/// `auth(options)` inside the middleware handler (clerk-behavior.md "auth() and auth.protect()"): `toAuth` then
/// `getAuthObjectForAcceptedToken`. `options_json`: `{treatPendingAsSignedOut?, acceptsToken?}`
/// (defaults `true` and `session_token`). Returns `{kind, object, redirects}`: `kind` tells the
/// caller which functions to attach (`signedIn`: `has` over the claims and `getToken`;
/// `machine`: `getToken`), `redirects` whether `redirectToSignIn/Up` are attached.
#[wasm_bindgen(js_name = toAuth)]
pub fn to_auth(state_json: &str, options_json: &str) -> Result<String, JsError> {
    let state = parse_state(state_json)?;
    let opts = parse_json("auth options", options_json)?;
    let treat_pending = opts
        .get("treatPendingAsSignedOut")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let accepts = Accepts::from_json(opts.get("acceptsToken").unwrap_or(&Value::Null))
        .map_err(|e| js_err(&e))?;
    let (raw_kind, raw) = raw_auth(state.view(), treat_pending);
    let raw_type = kind_token_type(raw_kind, state.view());
    let accepted = raw_type.is_some_and(|t| accepts.allows(t));
    let (kind, object) = match &accepts {
        Accepts::Any => (raw_kind, raw),
        Accepts::List(_) if !accepted => (
            AuthKind::Invalid,
            json!({"isAuthenticated": false, "tokenType": null}),
        ),
        Accepts::List(_) => (raw_kind, raw),
        Accepts::One(t) if !accepted && *t != TokenType::SessionToken => (
            AuthKind::UnauthenticatedMachine,
            crate::decide::machine::unauthenticated_machine_object(*t),
        ),
        Accepts::One(_) if !accepted => (AuthKind::SignedOut, signed_out_object(None)),
        Accepts::One(_) => (raw_kind, raw),
    };
    let session_object = matches!(kind, AuthKind::SignedIn | AuthKind::SignedOut);
    let redirects = session_object && accepts.allows(TokenType::SessionToken);
    Ok(json!({"kind": kind.as_str(), "object": object, "redirects": redirects}).to_string())
}

/// Clerk's `has()` of a signed-in session object (clerk-behavior.md "The has() check"), over the verified claims.
#[wasm_bindgen]
pub fn has(claims_json: &str, params_json: &str) -> bool {
    let (Ok(Value::Object(claims)), Ok(params)) = (
        serde_json::from_str::<Value>(claims_json),
        serde_json::from_str::<Value>(params_json),
    ) else {
        return false;
    };
    SessionAuth::from_claims(claims).has(&HasParams::from_json(&params))
}

/// `auth.protect()` in the middleware (clerk-behavior.md "auth() and auth.protect()"). `params_json`: `{has, predicate,
/// unauthenticatedUrl, unauthorizedUrl, token}` where `has` holds only the authorization keys
/// the caller found (`role`, `permission`, `feature`, `plan`, `reverification`) and
/// `predicate` the answer of a predicate argument (`null` when there is none or it has not
/// been asked yet). Returns `{outcome: allow | redirect-to-sign-in | redirect | unauthorized |
/// not-found, url?}`.
#[wasm_bindgen]
pub fn protect(state_json: &str, headers_json: &str, params_json: &str) -> Result<String, JsError> {
    let state = parse_state(state_json)?;
    let headers = parse_pairs("headers", headers_json)?;
    let p = parse_json("protect params", params_json)?;
    let has = p
        .get("has")
        .map(HasParams::from_json)
        .filter(|h| *h != HasParams::default());
    let token = match p.get("token") {
        Some(v) if truthy(v) => Some(Accepts::from_json(v).map_err(|e| js_err(&e))?),
        _ => None,
    };
    let params = ProtectParams {
        has,
        predicate: p.get("predicate").and_then(Value::as_bool),
        unauthenticated_url: non_empty_str(&p, "unauthenticatedUrl").map(str::to_owned),
        unauthorized_url: non_empty_str(&p, "unauthorizedUrl").map(str::to_owned),
        token,
    };
    let req = RequestParts::new("GET", "", headers);
    let out = match protect::protect(state.view(), &req, &params) {
        Protect::Allow => json!({"outcome": "allow"}),
        Protect::RedirectToSignIn => json!({"outcome": "redirect-to-sign-in"}),
        Protect::Redirect(u) => json!({"outcome": "redirect", "url": u}),
        Protect::Unauthorized { .. } => json!({"outcome": "unauthorized"}),
        Protect::NotFound => json!({"outcome": "not-found"}),
    };
    Ok(out.to_string())
}

/// Sign-in / sign-up redirect URL (clerk-behavior.md "Sign-in and sign-up redirect URLs"). `ctx_json`: `{target: "signIn" | "signUp", clerkUrl,
/// signInUrl, signUpUrl, publishableKey, isSatellite, sessionPending, returnBackUrl,
/// devBrowserToken}`; an empty or absent `returnBackUrl` adds no `redirect_url`.
#[wasm_bindgen(js_name = redirectUrl)]
pub fn redirect_url(ctx_json: &str) -> Result<String, JsError> {
    let c = parse_json("redirect context", ctx_json)?;
    build_redirect(&c, str_field(&c, "target") == Some("signUp"))
}

fn build_redirect(c: &Value, sign_up: bool) -> Result<String, JsError> {
    let base = parse_url("clerkUrl", str_field(c, "clerkUrl").unwrap_or(""))?;
    let ctx = RedirectContext {
        base_url: &base,
        sign_in_url: non_empty_str(c, "signInUrl"),
        sign_up_url: non_empty_str(c, "signUpUrl"),
        publishable_key: str_field(c, "publishableKey").unwrap_or(""),
        is_satellite: c.get("isSatellite").is_some_and(truthy),
        dev_browser_token: non_empty_str(c, "devBrowserToken"),
        session_pending: c
            .get("sessionPending")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let target = if sign_up {
        Target::SignUp
    } else {
        Target::SignIn
    };
    redirect::build(&ctx, target, non_empty_str(c, "returnBackUrl")).map_err(|e| js_err(&e))
}

const NEXT_REDIRECT: &str = "NEXT_REDIRECT";
const HTTP_FALLBACK: &str = "NEXT_HTTP_ERROR_FALLBACK";

/// `whichHTTPAccessFallbackError`: 401/403/404 from `NEXT_HTTP_ERROR_FALLBACK;<status>`.
fn http_fallback_status(digest: &str) -> Option<u16> {
    let mut parts = digest.split(';');
    if parts.next() != Some(HTTP_FALLBACK) {
        return None;
    }
    let status = js::number(parts.next().unwrap_or("undefined"));
    [401.0, 403.0, 404.0]
        .contains(&status)
        .then_some(status as u16)
}

/// `isNextjsRedirectError`: `NEXT_REDIRECT;replace|push;<url>;307;`.
fn is_redirect_digest(digest: &str) -> bool {
    let parts: Vec<&str> = digest.split(';').collect();
    let (Some(code), Some(kind)) = (parts.first(), parts.get(1)) else {
        return false;
    };
    let status = parts
        .len()
        .checked_sub(2)
        .and_then(|i| parts.get(i))
        .map_or(f64::NAN, |s| js::number(s));
    *code == NEXT_REDIRECT && matches!(*kind, "replace" | "push") && status == 307.0
}

/// Control-flow error conversion (clerk-behavior.md "auth() and auth.protect()"), in Clerk's order. `error_json`: `{isError, name,
/// digest, clerkDigest, returnBackUrl}` of what the handler threw; `ctx_json`: `{state, clerkUrl,
/// signInUrl, signUpUrl, publishableKey, isSatellite, nowMs}`. Returns one of
/// `{kind: "status", status, headers}` (400 malformed URL, 401), `{kind: "rewrite", path,
/// headers}` (404: `/clerk_<ms>`), `{kind: "redirect", url}` (sign-in/up),
/// `{kind: "redirect-adapter"}` (redirect to the error's `redirectUrl`), `{kind: "rethrow"}`.
#[wasm_bindgen(js_name = controlFlow)]
pub fn control_flow(error_json: &str, ctx_json: &str) -> Result<String, JsError> {
    let e = parse_json("error", error_json)?;
    let c = parse_json("control-flow context", ctx_json)?;
    let digest = str_field(&e, "digest");
    let is_error = e.get("isError").and_then(Value::as_bool).unwrap_or(false);
    if is_error && str_field(&e, "name") == Some("MalformedURLError") {
        return Ok(json!({"kind": "status", "status": 400, "headers": []}).to_string());
    }
    let fallback = digest.and_then(http_fallback_status);
    if fallback == Some(401) {
        let state = state_from_json(c.get("state").unwrap_or(&Value::Null));
        let mut headers = Vec::new();
        if state.token_type == Some(TokenType::OauthToken) {
            let fapi = keys::parse_publishable_key(str_field(&c, "publishableKey").unwrap_or(""))
                .map(|k| k.frontend_api)
                .unwrap_or_else(|_| "undefined".into());
            headers.push(json!(["www-authenticate", format!("Bearer resource_metadata=\"https://{fapi}/.well-known/oauth-protected-resource\"")]));
        }
        return Ok(json!({"kind": "status", "status": 401, "headers": headers}).to_string());
    }
    if digest == Some("NEXT_NOT_FOUND") || fallback == Some(404) {
        let now = c.get("nowMs").and_then(Value::as_f64).unwrap_or(0.0);
        return Ok(json!({
            "kind": "rewrite",
            "path": format!("/clerk_{}", js::to_js_string(now)),
            "headers": [[downstream::AUTH_REASON, reason::PROTECT_REWRITE]],
        })
        .to_string());
    }
    let is_redirect = digest.is_some_and(is_redirect_digest);
    let target = match str_field(&e, "clerkDigest") {
        Some("CLERK_PROTECT_REDIRECT_TO_SIGN_IN") if is_redirect => Some(false),
        Some("CLERK_PROTECT_REDIRECT_TO_SIGN_UP") if is_redirect => Some(true),
        _ => None,
    };
    if let Some(sign_up) = target {
        let state = state_from_json(c.get("state").unwrap_or(&Value::Null));
        let mut ctx = c.clone();
        if let Some(obj) = ctx.as_object_mut() {
            obj.insert(
                "sessionPending".into(),
                json!(state.session.as_ref().is_some_and(SessionAuth::is_pending)),
            );
            obj.insert("returnBackUrl".into(), opt_value(e.get("returnBackUrl")));
        }
        let url = build_redirect(&ctx, sign_up)?;
        return Ok(json!({"kind": "redirect", "url": url}).to_string());
    }
    if is_redirect {
        return Ok(json!({"kind": "redirect-adapter"}).to_string());
    }
    Ok(json!({"kind": "rethrow"}).to_string())
}

/// clerk-behavior.md "Dev-browser redirects": a Clerk-made redirect leaving the app's origin on a development instance carries the
/// dev-browser token (the un-suffixed `__clerk_db_jwt` cookie). Returns the Location to use.
#[wasm_bindgen(js_name = devBrowserRedirect)]
pub fn dev_browser_redirect(
    location: &str,
    clerk_url: &str,
    secret_key: &str,
    cookie_header: &str,
) -> Result<String, JsError> {
    let base = parse_url("clerkUrl", clerk_url)?;
    let cookies = Cookies::parse(cookie_header);
    Ok(redirect::with_dev_browser(
        location,
        &base,
        secret_key,
        cookies.get("__clerk_db_jwt"),
    ))
}

/// clerk-behavior.md "Forwarded headers": whether (and where) the downstream request is decorated. `response_json`:
/// `{location, next, rewrite}` = the response's `Location`, `x-middleware-next` and
/// `x-middleware-rewrite` (null when absent). Returns `{decorate, rewrite, deleteNext}`:
/// `next()` becomes a rewrite to the request URL; a rewrite to another origin, a redirect and a
/// plain response are left alone.
#[wasm_bindgen(js_name = rewriteTarget)]
pub fn rewrite_target(response_json: &str, request_url: &str) -> Result<String, JsError> {
    let r = parse_json("response headers", response_json)?;
    if non_empty_str(&r, "location").is_some() {
        return Ok(json!({"decorate": false, "rewrite": null, "deleteNext": false}).to_string());
    }
    let request = parse_url("request", request_url)?;
    let delete_next = str_field(&r, "next") == Some("1");
    let mut rewrite = delete_next.then(|| request.href());
    if let Some(target) = non_empty_str(&r, "rewrite") {
        let t = parse_url("x-middleware-rewrite", target)?;
        if t.origin() != request.origin() {
            return Ok(
                json!({"decorate": false, "rewrite": null, "deleteNext": delete_next}).to_string(),
            );
        }
        rewrite = Some(t.href());
    }
    Ok(
        json!({"decorate": rewrite.is_some(), "rewrite": rewrite, "deleteNext": delete_next})
            .to_string(),
    )
}

/// The `x-clerk-*` headers the origin receives (clerk-behavior.md "Forwarded headers"), in Clerk's order; `request_data` is the
/// already-encrypted `x-clerk-request-data` (or absent).
#[wasm_bindgen(js_name = forwardedHeaders)]
pub fn forwarded_headers(
    state_json: &str,
    clerk_url: &str,
    secret_key: &str,
    request_data: Option<String>,
) -> Result<String, JsError> {
    let state = parse_state(state_json)?;
    Ok(pairs_json(&downstream::forwarded_headers(
        state.view(),
        clerk_url,
        secret_key,
        request_data,
    )))
}

/// Next's request-override protocol (clerk-behavior.md "Forwarded headers"). `existing`: the response's
/// `x-middleware-override-headers` (null/empty when not yet set: then every incoming header
/// is copied first). Returns operations `[["set", name, value] | ["delete", name]]` for the
/// response headers.
///
/// Inbound `x-clerk-*` / `x-middleware-*` headers are never copied (a client must not be able
/// to hand the origin its own auth headers); when the handler already set a list (e.g.
/// `NextResponse.next({ request: { headers } })` with a copy of the incoming headers), such
/// inbound names are dropped from it, and the names this call sets are listed once.
#[wasm_bindgen(js_name = nextOverrideHeaders)]
pub fn next_override_headers(
    existing: Option<String>,
    incoming_json: &str,
    added_json: &str,
) -> Result<String, JsError> {
    let incoming = parse_pairs("incoming headers", incoming_json)?;
    let added = parse_pairs("added headers", added_json)?;
    let mut ops: Vec<Value> = Vec::new();
    match existing.filter(|e| !e.is_empty()) {
        None => {
            let clean: Vec<(String, String)> = incoming
                .into_iter()
                .filter(|(k, _)| !downstream::is_reserved(k))
                .collect();
            for (k, v) in downstream::next_override_headers(&clean, &added) {
                ops.push(json!(["set", k, v]));
            }
        }
        Some(list) => {
            let adds = |n: &str| added.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
            let inbound = |n: &str| incoming.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
            let mut names: Vec<&str> = Vec::new();
            for n in list.split(',') {
                let n_trim = n.trim();
                if adds(n_trim) {
                    // Set again below (listed once).
                } else if downstream::is_reserved(n_trim) && inbound(n_trim) {
                    ops.push(json!([
                        "delete",
                        format!("x-middleware-request-{}", n_trim.to_ascii_lowercase())
                    ]));
                } else {
                    names.push(n);
                }
            }
            let mut joined = names.join(",");
            for (k, v) in &added {
                joined.push(',');
                joined.push_str(k);
                ops.push(json!(["set", format!("x-middleware-request-{k}"), v]));
            }
            ops.insert(0, json!(["set", "x-middleware-override-headers", joined]));
        }
    }
    Ok(Value::Array(ops).to_string())
}

const KEYLESS_ENCRYPTION_KEY: &str = "clerk_keyless_dummy_key";

/// clerk-behavior.md "Request data encryption": the passphrase `x-clerk-request-data` is encrypted with. `env_json`:
/// `{encryptionKey, secretKey, nodeEnv}` (environment values only: `CLERK_ENCRYPTION_KEY`,
/// `CLERK_SECRET_KEY`, `NODE_ENV`); `secret_key_option`: whether the user passed `secretKey`
/// to `clerkMiddleware` (then `CLERK_ENCRYPTION_KEY` is required: `encryption_key_missing`).
#[wasm_bindgen(js_name = requestDataKey)]
pub fn request_data_key(env_json: &str, secret_key_option: bool) -> Result<String, JsError> {
    let env = parse_json("env", env_json)?;
    let encryption = non_empty_str(&env, "encryptionKey");
    if secret_key_option && encryption.is_none() {
        return Err(js_err(request_data::ENCRYPTION_KEY_MISSING));
    }
    let secret = non_empty_str(&env, "secretKey");
    let production = str_field(&env, "nodeEnv") == Some("production");
    match (encryption, secret) {
        (Some(k), _) | (None, Some(k)) => Ok(k.to_string()),
        (None, None) if production => Err(js_err(&missing_secret_key())),
        (None, None) => Ok(KEYLESS_ENCRYPTION_KEY.to_string()),
    }
}

/// `x-clerk-request-data` in Clerk's format (OpenSSL `Salted__`, AES-256-CBC, MD5
/// `EVP_BytesToKey`, random salt): what unchanged `@clerk/nextjs` server helpers decrypt.
#[wasm_bindgen(js_name = encryptRequestData)]
pub fn encrypt_request_data(plaintext: &str, key: &str) -> Result<String, JsError> {
    let salt = request_data::random::<8>().map_err(|e| js_err(&e))?;
    Ok(request_data::encrypt_clerk(key, plaintext.as_bytes(), salt))
}

/// Decrypts Clerk-format request data; the plaintext must be a JSON object.
/// Opens `x-clerk-request-data` in either format: Clerk's (`base64("Salted__"…)`, always
/// starting `U2FsdGVkX1`) or clerk-edge's `gcm` v1 (base64url of `0x01`…, the Worker's default).
fn decrypt_request_data(value: &str, key: &str) -> Result<Map<String, Value>, &'static str> {
    let plain = if value.starts_with("U2FsdGVkX1") {
        request_data::decrypt_clerk(key, value)?
    } else {
        let gcm = request_data::GcmKey::from_setting(key)
            .map_err(|_| request_data::ENCRYPTION_KEY_INVALID)?;
        request_data::decrypt_gcm(&gcm, value)?
    };
    match serde_json::from_slice::<Value>(&plain) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(request_data::ENCRYPTION_KEY_INVALID),
    }
}

/// The receiving side for origins (clerk-behavior.md "Auth signature"): `headers_json` = the request's headers as
/// `[[name, value]…]`; `secret_keys_json` = `["sk_…", …]` (one key, or the old and new keys
/// during a rotation). Decrypts `x-clerk-request-data` (either format; key: `encryption_key`,
/// else each secret key; absent header → `{}`), then checks `x-clerk-auth-signature` with the
/// secret key the request data carries, else with any of the secret keys. Throws Clerk's
/// `encryption_key_invalid` / `auth_signature_invalid` errors. Returns `{status, reason,
/// message, token, auth, claims, requestData}`; `auth` is the session auth object fields
/// (signed-out when not signed in or pending).
#[wasm_bindgen(js_name = readAuth)]
pub fn read_auth(
    headers_json: &str,
    secret_keys_json: &str,
    encryption_key: &str,
) -> Result<String, JsError> {
    let headers = parse_pairs("headers", headers_json)?;
    let secret_keys: Vec<String> = serde_json::from_str(secret_keys_json)
        .map_err(|e| js_err(&format!("invalid secret keys JSON: {e}")))?;
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let data = match get(downstream::REQUEST_DATA).filter(|v| !v.is_empty()) {
        None => Map::new(),
        Some(value) if !encryption_key.is_empty() => {
            decrypt_request_data(value, encryption_key).map_err(js_err)?
        }
        Some(value) => secret_keys
            .iter()
            .find_map(|k| decrypt_request_data(value, k).ok())
            .ok_or_else(|| js_err(request_data::ENCRYPTION_KEY_INVALID))?,
    };
    let read = match data
        .get("secretKey")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        Some(secret) => downstream::read(get, secret),
        None => downstream::read(get, secret_keys.as_slice()),
    }
    .map_err(js_err)?;
    let (auth, claims) = match &read.session {
        Some(s) => (
            Value::Object(signed_in_object(s)),
            Value::Object(s.claims.clone()),
        ),
        None => {
            // A pending session reads as signed out with its status.
            let pending = (read.status == "signed-in")
                .then(|| Jwt::decode(&read.token).ok())
                .flatten()
                .and_then(|j| j.claim_str("sts").map(str::to_owned))
                .filter(|s| s == "pending");
            (signed_out_object(pending.as_deref()), Value::Null)
        }
    };
    Ok(json!({
        "status": read.status, "reason": read.reason, "message": read.message,
        "token": read.token, "auth": auth, "claims": claims, "requestData": data,
    })
    .to_string())
}

/// The request's cookies as Clerk parses them (first wins, in order) as `[[name, value]…]`,
/// for the debug log's `url` entry.
#[wasm_bindgen(js_name = cookiesJson)]
pub fn cookies_json(cookie_header: &str) -> String {
    let pairs: Vec<(String, String)> = Cookies::parse(cookie_header)
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs_json(&pairs)
}

fn malformed_url_error(path: &str) -> JsValue {
    let message = normalize_route_path(path)
        .err()
        .map(|m| m.message())
        .unwrap_or_else(|| format!("Malformed encoding in URL path: {path}"));
    let err = js_sys::Error::new(&message);
    err.set_name("MalformedURLError");
    let _ = js_sys::Reflect::set(&err, &"statusCode".into(), &JsValue::from_f64(400.0));
    err.into()
}

/// `createRouteMatcher`'s path normalisation (clerk-behavior.md "createRouteMatcher"): `decodeURI` once, `//` collapsed. Throws
/// an error named `MalformedURLError` (status 400) for bad percent-encoding.
#[wasm_bindgen(js_name = normalizeRoutePath)]
pub fn normalize_route_path_js(path: &str) -> Result<String, JsValue> {
    normalize_route_path(path).map_err(|_| malformed_url_error(path))
}

/// The path rule the middleware applies before anything else (`path_policy`, shared with the
/// Worker): the 400 body for a pathname holding a line break or other control character
/// (`/admin/%0a` would slip past every `createRouteMatcher` pattern), else `undefined`.
#[wasm_bindgen(js_name = pathRefusal)]
pub fn path_refusal(pathname: &str) -> Option<String> {
    crate::gateway::path_policy::has_control_character(pathname)
        .then(|| crate::gateway::path_policy::Refusal::ControlCharacter.body())
}

/// Compiled `createRouteMatcher` string patterns (path-to-regexp 6.3.0, case-insensitive).
#[wasm_bindgen]
pub struct RouteMatcher {
    patterns: Vec<PathPattern>,
}

#[wasm_bindgen]
impl RouteMatcher {
    /// `patterns_json`: a JSON array of pattern strings (empty strings must already be
    /// dropped). Throws Clerk's `Invalid path: …` error for the first that does not compile.
    #[wasm_bindgen(constructor)]
    pub fn new(patterns_json: &str) -> Result<RouteMatcher, JsError> {
        let list: Vec<String> = serde_json::from_str(patterns_json)
            .map_err(|e| js_err(&format!("invalid patterns JSON: {e}")))?;
        let patterns = list
            .iter()
            .map(|p| PathPattern::compile(p).map_err(|e| js_err(&route_matcher_error(p, &e))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RouteMatcher { patterns })
    }

    /// Whether `pathname` (raw, as `req.nextUrl.pathname`) matches any pattern. With no
    /// pattern: false without looking at the path; else throws `MalformedURLError` for a path
    /// `decodeURI` rejects.
    pub fn matches(&self, pathname: &str) -> Result<bool, JsValue> {
        if self.patterns.is_empty() {
            return Ok(false);
        }
        let path = normalize_route_path_js(pathname)?;
        Ok(self.patterns.iter().any(|p| p.is_match(&path)))
    }

    /// Whether pattern `index` matches an already normalised path (for lists that mix strings
    /// and RegExps, which are tested in order).
    #[wasm_bindgen(js_name = matchesAt)]
    pub fn matches_at(&self, index: usize, normalized: &str) -> bool {
        self.patterns
            .get(index)
            .is_some_and(|p| p.is_match(normalized))
    }
}

/// The Backend API origin Clerk's Next SDK derives from the publishable key (`CLERK_API_URL`
/// overrides it), for `getToken({ template })`.
#[wasm_bindgen(js_name = apiUrlFromPublishableKey)]
pub fn api_url_from_publishable_key(publishable_key: &str) -> String {
    let fapi = keys::parse_publishable_key(publishable_key)
        .map(|k| k.frontend_api)
        .unwrap_or_default();
    keys::api_url_for(&fapi).to_string()
}

fn csp_directive<'d>(
    directives: &'d mut [(String, Vec<String>)],
    name: &str,
) -> Option<&'d mut Vec<String>> {
    directives
        .iter_mut()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// CSP keywords that are written quoted.
const CSP_KEYWORDS: [&str; 6] = [
    "none",
    "self",
    "strict-dynamic",
    "unsafe-eval",
    "unsafe-hashes",
    "unsafe-inline",
];

/// Strips one leading and one trailing `'`.
fn csp_unquote(v: &str) -> &str {
    let v = v.strip_prefix('\'').unwrap_or(v);
    v.strip_suffix('\'').unwrap_or(v)
}

/// A keyword is quoted; anything else is kept as written.
fn csp_format(v: &str) -> String {
    let bare = csp_unquote(v);
    if CSP_KEYWORDS.contains(&csp_unquote(bare)) {
        format!("'{bare}'")
    } else {
        v.to_string()
    }
}

fn csp_push(set: &mut Vec<String>, v: String) {
    if !set.contains(&v) {
        set.push(v);
    }
}

fn csp_defaults(production: bool) -> Vec<(String, Vec<String>)> {
    const PROTECT: &str = "https://*.protect.clerk.com";
    let mut script = vec!["self"];
    if !production {
        script.push("unsafe-eval");
    }
    script.extend([
        "unsafe-inline",
        "https:",
        "http:",
        "https://*.js.stripe.com",
        "https://js.stripe.com",
        "https://maps.googleapis.com",
        PROTECT,
    ]);
    let connect_protect = format!("{PROTECT}:*");
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (
            "connect-src".into(),
            owned(&[
                "self",
                "https://clerk-telemetry.com",
                "https://*.clerk-telemetry.com",
                "https://api.stripe.com",
                "https://maps.googleapis.com",
                "https://img.clerk.com",
                &connect_protect,
            ]),
        ),
        ("default-src".into(), owned(&["self"])),
        ("form-action".into(), owned(&["self"])),
        (
            "frame-src".into(),
            owned(&[
                "self",
                "https://challenges.cloudflare.com",
                "https://*.js.stripe.com",
                "https://js.stripe.com",
                "https://hooks.stripe.com",
                PROTECT,
            ]),
        ),
        ("img-src".into(), owned(&["self", "https://img.clerk.com"])),
        ("script-src".into(), owned(&script)),
        ("style-src".into(), owned(&["self", "unsafe-inline"])),
        ("worker-src".into(), owned(&["self", "blob:"])),
    ]
}

/// The `contentSecurityPolicy` option (clerk-behavior.md "Content-Security-Policy"): the response headers Clerk adds (and forwards as
/// request headers), in order. `options_json`: `{strict, reportOnly, reportTo, directives}`;
/// `strict` adds a fresh nonce (`x-nonce`) and `'strict-dynamic'` to `script-src`. `node_env`:
/// `NODE_ENV` (anything but `production` allows `'unsafe-eval'`).
#[wasm_bindgen(js_name = contentSecurityPolicy)]
pub fn content_security_policy(
    options_json: &str,
    publishable_key: &str,
    node_env: &str,
) -> Result<String, JsError> {
    let o = parse_json("contentSecurityPolicy", options_json)?;
    let host = keys::parse_publishable_key(publishable_key)
        .map(|k| k.frontend_api.replace('$', ""))
        .unwrap_or_default();
    let strict = o.get("strict").is_some_and(truthy);
    let nonce = if strict {
        Some(crate::web::base64::encode_std(
            &request_data::random::<16>().map_err(|e| js_err(&e))?,
        ))
    } else {
        None
    };
    let mut directives = csp_defaults(node_env == "production");
    if let Some(connect) = csp_directive(&mut directives, "connect-src") {
        csp_push(connect, host);
    }
    if let (Some(script), Some(n)) = (csp_directive(&mut directives, "script-src"), &nonce) {
        script.retain(|v| v != "http:" && v != "https:");
        csp_push(script, "'strict-dynamic'".into());
        csp_push(script, format!("'nonce-{n}'"));
    }
    let defaults: Vec<String> = directives.iter().map(|(k, _)| k.clone()).collect();
    let mut custom: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(map) = o.get("directives").and_then(Value::as_object) {
        for (key, values) in map {
            let list: Vec<String> = match values {
                Value::Array(a) => a.iter().map(js_string).collect(),
                other => vec![js_string(other)],
            };
            let none = list.iter().any(|v| v == "'none'" || v == "none");
            let target = if defaults.contains(key) {
                directives
                    .iter_mut()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v)
            } else {
                custom.retain(|(k, _)| k != key);
                custom.push((key.clone(), Vec::new()));
                custom.last_mut().map(|(_, v)| v)
            };
            let Some(set) = target else { continue };
            let mut merged = Vec::new();
            if none {
                merged.push("'none'".to_string());
            } else {
                for v in set.iter().chain(list.iter()) {
                    csp_push(&mut merged, csp_format(v));
                }
            }
            *set = merged;
        }
    }
    directives.extend(custom);
    directives.sort_by(|a, b| a.0.cmp(&b.0));
    let mut header = directives
        .iter()
        .map(|(k, vals)| {
            let formatted: Vec<String> = vals.iter().map(|v| csp_format(v)).collect();
            format!("{k} {}", formatted.join(" "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(to) = o.get("reportTo").filter(|v| truthy(v)) {
        header.push_str("; report-to csp-endpoint");
        out.push((
            "reporting-endpoints".into(),
            format!("csp-endpoint=\"{}\"", js_string(to)),
        ));
    }
    let name = if o.get("reportOnly").is_some_and(truthy) {
        "content-security-policy-report-only"
    } else {
        "content-security-policy"
    };
    out.push((name.into(), header));
    if let Some(n) = nonce {
        out.push(("x-nonce".into(), n));
    }
    Ok(pairs_json(&out))
}

/// `String(v)` for the JSON values a CSP option can hold.
fn js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Array(a) => a.iter().map(js_string).collect::<Vec<_>>().join(","),
        Value::Object(_) => "[object Object]".into(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Clerk's Backend API over the host's fetch.
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen]
extern "C" {
    /// `{ call(method, path, body) }` from the JS host: sends `method` to `<apiUrl><path>` with
    /// the secret key as bearer and `body` (a JSON string or undefined), resolving to
    /// `[status, bodyText]` (rejecting on a network failure).
    pub type BackendTransport;

    #[wasm_bindgen(method, catch, js_name = call)]
    fn call_js(
        this: &BackendTransport,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// The Backend API client: shared request logic over the host's transport.
type JsBackend = HttpBackend<BackendTransport>;

/// No Backend API (`verifyToken` is networkless); the same type as the middleware's backend,
/// so that the verification code exists once in the module.
fn no_backend() -> JsBackend {
    HttpBackend::new(None, "", "", 0.0)
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".into())
}

impl Transport for BackendTransport {
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, String), String> {
        let promise = self
            .call_js(method, path, body)
            .map_err(|e| js_message(&e))?;
        let answer = JsFuture::from(promise).await.map_err(|e| js_message(&e))?;
        let pair = js_sys::Array::from(&answer);
        let status = pair.get(0).as_f64().unwrap_or(0.0);
        let text = pair.get(1).as_string().unwrap_or_default();
        let status = if (0.0..=999.0).contains(&status) {
            status as u16
        } else {
            0
        };
        Ok((status, text))
    }
}

// ---------------------------------------------------------------------------------------------
// Frontend API proxy (clerk-behavior.md "Frontend API proxy"): the rule lives in `crate::gateway::fapi_proxy`; this only marshals.
// ---------------------------------------------------------------------------------------------

/// Whether the request path is the proxy path or below it (`matchProxyPath`).
#[wasm_bindgen(js_name = proxyPathMatches)]
pub fn proxy_path_matches(request_url: &str, proxy_path: Option<String>) -> bool {
    let path = proxy_path.filter(|p| !p.is_empty());
    let path = path.as_deref().unwrap_or(fapi_proxy::DEFAULT_PROXY_PATH);
    Url::parse(request_url).is_some_and(|u| fapi_proxy::path_matches(u.pathname(), path))
}

/// The automatic proxy for `*.vercel.app` production deployments (clerk-behavior.md "Middleware pipeline" step 3): no explicit
/// `frontendApiProxy`, `proxyUrl` or `domain`, a `pk_live_` key, `CLERK_DISABLE_AUTO_PROXY` not
/// truthy, and the request's host name ends with `.vercel.app`.
#[wasm_bindgen(js_name = autoProxy)]
pub fn auto_proxy(
    publishable_key: &str,
    hostname: &str,
    disable_auto_proxy: Option<String>,
) -> bool {
    publishable_key.starts_with("pk_live_")
        && !is_truthy(&disable_auto_proxy.map_or(Value::Null, Value::String))
        && hostname.ends_with(".vercel.app")
}

/// Forwarding a request to Clerk's Frontend API (clerk-behavior.md "Frontend API proxy"). `input_json`: `{requestUrl, headers,
/// proxyPath, publishableKey, secretKey, fapiUrl}` (`fapiUrl`: `CLERK_FAPI_URL`, optional).
/// Returns `{kind: "fetch", url, headers, fapiBase, fapiHost, proxyUrl}` or `{kind: "error",
/// status, code, message}` (Clerk's JSON error responses).
#[wasm_bindgen(js_name = frontendApiProxy)]
pub fn frontend_api_proxy(input_json: &str) -> Result<String, JsError> {
    let input = parse_json("proxy input", input_json)?;
    let headers: Vec<(String, String)> = match input.get("headers") {
        Some(h) => serde_json::from_value(h.clone())
            .map_err(|e| js_err(&format!("invalid headers JSON: {e}")))?,
        None => Vec::new(),
    };
    let request = fapi_proxy::ProxyRequest {
        request_url: str_field(&input, "requestUrl").unwrap_or(""),
        headers: &headers,
        proxy_path: non_empty_str(&input, "proxyPath").unwrap_or(""),
        publishable_key: non_empty_str(&input, "publishableKey").unwrap_or(""),
        secret_key: non_empty_str(&input, "secretKey").unwrap_or(""),
        fapi_url: non_empty_str(&input, "fapiUrl"),
        // Clerk's Next SDK believes X-Forwarded-Host/-Proto.
        trust_forwarded: true,
    };
    let plan =
        match fapi_proxy::plan(&request) {
            Ok(p) => p,
            Err(fapi_proxy::PlanError::Respond(e)) => return Ok(
                json!({"kind": "error", "status": e.status, "code": e.code, "message": e.message})
                    .to_string(),
            ),
            Err(fapi_proxy::PlanError::InvalidRequestUrl) => {
                return Err(js_err(&format!(
                    "Invalid URL (request): {}",
                    str_field(&input, "requestUrl").unwrap_or("")
                )))
            }
        };
    Ok(json!({
        "kind": "fetch", "url": plan.url, "headers": plan.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "fapiBase": plan.fapi_base, "fapiHost": plan.fapi_host, "proxyUrl": plan.proxy_url,
    })
    .to_string())
}

/// The headers of a proxied Frontend API response (`crate::gateway::fapi_proxy::response_headers`).
/// Returns `[["set" | "append", name, value]…]`.
#[wasm_bindgen(js_name = frontendApiProxyResponse)]
pub fn frontend_api_proxy_response(
    headers_json: &str,
    fapi_base: &str,
    fapi_host: &str,
    proxy_url: &str,
) -> Result<String, JsError> {
    let headers = parse_pairs("response headers", headers_json)?;
    let ops = fapi_proxy::response_headers(&headers, fapi_base, fapi_host, proxy_url);
    Ok(Value::Array(
        ops.into_iter()
            .map(|(op, k, v)| json!([op.as_str(), k, v]))
            .collect(),
    )
    .to_string())
}

/// The origin reader contract (`crate::downstream::reader`, docs/reader-vectors.md) for `read()` in
/// `clerk-edge/reader`: `options_json` = `{secretKeys, encryptionKey, clerkCompatible, now,
/// clockSkewSeconds, edgeSignature, edgeMaxAgeSeconds, request: {method, path, host}}`.
/// Returns `{"error": code}` or `{"ok": {…}}`.
#[wasm_bindgen(js_name = readVerified)]
pub fn read_verified(headers_json: &str, options_json: &str) -> Result<String, JsError> {
    let headers = parse_pairs("headers", headers_json)?;
    let opts: Value = serde_json::from_str(options_json)
        .map_err(|e| js_err(&format!("invalid options JSON: {e}")))?;
    let request = opts.get("request").cloned().unwrap_or(Value::Null);
    Ok(crate::downstream::reader::read_json(&headers, &opts, &request).to_string())
}

//! wasm-bindgen exports for JavaScript hosts (the Next.js shim, and `js/test/`): marshalling
//! only. The Next adapter's decisions live in `crate::next` (native, `cargo test`ed); this
//! module turns JSON strings into its types and its answers into compact JSON. Built by
//! `scripts/build-js.sh` (`--features js`); left out of the Worker build (`worker`), where
//! worker-build would otherwise export `Engine` and turn `verifyToken` into an RPC method of the
//! Worker's default entrypoint.
//!
//! `clerkMiddleware()` (`js/core.js`) costs two crossings per request without a handler: one
//! `NextMiddleware` per options value (built once), then per request `begin` (keys, path rule,
//! proxy, configuration, authentication, Clerk's redirects) and `NextDecision.finishLast` (the
//! decorated response). The decision stays inside wasm in between; a handler's `auth()`,
//! `auth.protect()` and thrown control-flow errors ask it.
//!
//! ```js
//! const engine = new Engine(JSON.stringify({ publishableKey, secretKey, jwtKey }));   // throws ConfigError.message
//! const state = JSON.parse(await engine.authenticate('GET', url, JSON.stringify([...headers]), Date.now()));
//! const result = JSON.parse(await verifyToken(token, JSON.stringify({ jwtKey }), Date.now()));
//! ```

use crate::decide::config::{Config, Options, VerifySettings};
use crate::decide::flow::authenticate;
use crate::decide::protect::{Protect, ProtectParams};
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
use crate::next::auth_object::{signed_in_object, signed_out_object};
use crate::next::control_flow::{Caught, Thrown};
use crate::next::middleware::{self, Begin, Decided, Decision, ResponseView};
use crate::next::options::{MiddlewareOptions, NextEnv, Resolved};
use crate::next::response::Op;
use crate::pattern::{normalize_route_path, route_matcher_error, PathPattern};
use crate::token::auth::{HasParams, SessionAuth};
use crate::token::jwt::{self, Jwt, KeySource, Verification};
use crate::token::kind::Accepts;
use crate::web::cookies::Cookies;
use crate::web::js::truthy;
use crate::web::json_out::JsonOut;
use crate::web::url::Url;
use serde_json::{json, Map, Value};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// Verified signatures, per isolate (claims are still checked on every request).
    /// `node:crypto` once the Node entry registered it (`setNodeCrypto`), else WebCrypto.
    static VERIFIER: Rc<CachingVerifier<HostVerifier>> =
        Rc::new(CachingVerifier::new(HostVerifier));
}

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

/// Runs `decision` with one synchronous poll: its value when it needs no I/O (signed-out,
/// cached signatures, handshakes: no Promise), else a Promise of it. JsFuture re-registers its
/// waker on every poll, so a decision still waiting on WebCrypto or fetch simply continues
/// inside the Promise.
fn now_or_promise<F>(decision: F) -> Result<JsValue, JsError>
where
    F: std::future::Future<Output = Result<JsValue, String>> + 'static,
{
    use std::task::{Context as TaskContext, Poll, Waker};
    let mut decision = Box::pin(decision);
    match decision
        .as_mut()
        .poll(&mut TaskContext::from_waker(Waker::noop()))
    {
        Poll::Ready(Ok(v)) => Ok(v),
        Poll::Ready(Err(e)) => Err(js_err(&e)),
        Poll::Pending => Ok(wasm_bindgen_futures::future_to_promise(async move {
            decision.await.map_err(|e| JsValue::from(js_err(&e)))
        })
        .into()),
    }
}

/// A validated configuration; build one per set of options and reuse it for every request.
#[wasm_bindgen]
pub struct Engine {
    /// Shared with the futures of pending `authenticate` calls.
    cfg: Rc<Config>,
}

#[wasm_bindgen]
impl Engine {
    /// `options_json`: Clerk's `authenticateRequest` options (camelCase). Throws with
    /// `ConfigError.message` when they are unusable.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Engine, JsError> {
        let options = parse_options(options_json)?;
        // A bad `jwtKey` signs every token out, as in Clerk (`jwtKeyProblem` says why).
        let cfg = Config::new_lenient_jwt_key(options).map_err(|e| js_err(&e.message))?;
        Ok(Engine { cfg: Rc::new(cfg) })
    }

    /// The Backend API origin this configuration talks to (`apiUrl`, else derived from the
    /// publishable key as Clerk's Next SDK does).
    #[wasm_bindgen(getter, js_name = apiUrl)]
    pub fn api_url(&self) -> String {
        self.cfg.api_url.clone()
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
    /// call fails, as in an outage, and only `jwtKey` verification works. Returns the JSON
    /// string, or a Promise of it when I/O is needed; `await` works on both.
    pub fn authenticate(
        &self,
        method: String,
        url: String,
        headers_json: String,
        now_ms: f64,
        backend: Option<BackendTransport>,
    ) -> Result<JsValue, JsError> {
        let headers = parse_pairs("headers", &headers_json)?;
        let req = RequestParts::new(&method, &url, headers);
        let cfg = Rc::clone(&self.cfg);
        let verifier = VERIFIER.with(Rc::clone);
        now_or_promise(async move {
            // One backend type for both cases keeps a single copy of the flow in the module.
            let b: JsBackend = HttpBackend::new(backend, &cfg.api_url, &cfg.secret_key, now_ms)
                .with_api_version(&cfg.api_version)
                .with_skip_jwks_cache(cfg.skip_jwks_cache);
            authenticate(&req, &cfg, now_ms, verifier.as_ref(), &b)
                .await
                .map(|state| JsValue::from_str(&state_json(&state)))
                .map_err(|e| e.to_string())
        })
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

/// Clerk's `verifyToken(token, {jwtKey, audience, authorizedParties, issuer, clockSkewInMs,
/// headerType})`, the options read as for the middleware (`VerifySettings`).
/// Resolves to `{ok: true, sub}` or `{ok: false, reason, message, action}`; throws when `jwtKey`
/// is present but unusable. Without `jwtKey` the result is `jwk-failed-to-resolve`.
#[wasm_bindgen(js_name = verifyToken)]
pub async fn verify_token(
    token: String,
    options_json: String,
    now_ms: f64,
) -> Result<String, JsError> {
    let o = parse_options(&options_json)?;
    let settings = VerifySettings::read(
        o.jwt_key,
        o.audience,
        o.authorized_parties,
        o.issuer,
        o.clock_skew_in_ms,
        o.header_type,
    )
    .map_err(|e| js_err(&e.message))?;
    let rules = settings.claim_rules();
    let source = settings
        .jwt_key
        .as_ref()
        .map_or(KeySource::Missing, |k| k.source());
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

fn parse_json(what: &str, text: &str) -> Result<Value, JsError> {
    serde_json::from_str(text).map_err(|e| js_err(&format!("invalid {what} JSON: {e}")))
}

fn parse_pairs(what: &str, text: &str) -> Result<Vec<(String, String)>, JsError> {
    serde_json::from_str(text).map_err(|e| js_err(&format!("invalid {what} JSON: {e}")))
}

fn write_pairs(out: &mut JsonOut, pairs: &[(String, String)]) {
    out.begin_array();
    for (k, v) in pairs {
        out.begin_array();
        out.str(k);
        out.str(v);
        out.end_array();
    }
    out.end_array();
}

fn pairs_json(pairs: &[(String, String)]) -> String {
    let mut out = JsonOut::with_capacity(64 * pairs.len() + 2);
    write_pairs(&mut out, pairs);
    out.finish()
}

fn str_field<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

/// A string option the way `a || b` sees it: empty strings and non-strings fall through.
fn non_empty_str<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    str_field(v, k).filter(|s| !s.is_empty())
}

/// `clerkUrl`: the public URL of the request (forwarded host/proto), for a `proxyUrl` option
/// function and the debug log.
#[wasm_bindgen(js_name = clerkUrl)]
pub fn clerk_url(url: &str, headers_json: &str) -> Result<String, JsError> {
    let headers = parse_pairs("headers", headers_json)?;
    let parsed = Url::parse(url).ok_or_else(|| js_err(&format!("Invalid URL (request): {url}")))?;
    Ok(request::public_url(&parsed, &RequestParts::new("GET", url, headers)).href())
}

// ---------------------------------------------------------------------------------------------
// clerkMiddleware() (clerk-behavior.md "The middleware"): marshalling for `crate::next`.
// ---------------------------------------------------------------------------------------------

/// One `clerkMiddleware()` options value, read and validated once (`js/core.js` keeps one per
/// distinct options JSON).
#[wasm_bindgen]
pub struct NextMiddleware {
    options: Rc<MiddlewareOptions>,
}

fn write_ops(out: &mut JsonOut, ops: &[Op]) {
    out.begin_array();
    for op in ops {
        out.begin_array();
        match op {
            Op::Set(k, v) | Op::Append(k, v) => {
                out.str(if matches!(op, Op::Set(..)) {
                    "set"
                } else {
                    "append"
                });
                out.str(k);
                out.str(v);
            }
            Op::Delete(k) => {
                out.str("delete");
                out.str(k);
            }
        }
        out.end_array();
    }
    out.end_array();
}

fn write_diagnostics(out: &mut JsonOut, list: impl Iterator<Item = String>) {
    out.begin_array();
    list.for_each(|d| out.str(&d));
    out.end_array();
}

/// The JSON answer for everything but a decision the handler runs against.
fn begin_answer(b: &Begin) -> String {
    let mut out = JsonOut::with_capacity(256);
    out.begin_object();
    out.key("kind");
    match b {
        Begin::Refuse(body) => {
            out.str("refuse");
            out.key("body");
            out.str(body);
        }
        Begin::Proxy(Ok(plan)) => {
            out.str("proxy");
            out.key("url");
            out.str(&plan.url);
            out.key("headers");
            write_pairs(&mut out, &plan.headers);
            out.key("fapiBase");
            out.str(&plan.fapi_base);
            out.key("fapiHost");
            out.str(&plan.fapi_host);
            out.key("proxyUrl");
            out.str(&plan.proxy_url);
        }
        Begin::Proxy(Err(e)) => {
            out.str("proxy-error");
            out.key("status");
            out.uint(u64::from(e.status));
            out.key("code");
            out.str(e.code);
            out.key("message");
            out.str(&e.message);
        }
        Begin::Authenticate(_) => out.null(),
    }
    out.end_object();
    out.finish()
}

#[wasm_bindgen]
impl NextMiddleware {
    /// `params_json`: `JSON.stringify(resolvedParams)`; `env_json`: `readEnv()`; `functions`:
    /// comma-separated names of options that are functions (`proxyUrl`, `domain`,
    /// `isSatellite`, `frontendApiProxy.enabled`, or any other top-level option).
    #[wasm_bindgen(constructor)]
    pub fn new(
        params_json: &str,
        env_json: &str,
        functions: &str,
    ) -> Result<NextMiddleware, JsError> {
        let env = NextEnv::from_json(&parse_json("env", env_json)?);
        let names: Vec<&str> = functions.split(',').filter(|n| !n.is_empty()).collect();
        let has_functions = names.iter().any(|n| !n.contains('.'));
        let options = MiddlewareOptions::new(params_json, env, has_functions, &names)
            .map_err(|e| js_err(&e))?;
        Ok(NextMiddleware {
            options: Rc::new(options),
        })
    }

    /// Why the `jwtKey` (option or `CLERK_JWT_KEY`) is unusable (every token is then signed
    /// out, as in Clerk), for one log line per isolate; never the key itself.
    #[wasm_bindgen(getter, js_name = jwtKeyProblem)]
    pub fn jwt_key_problem(&self) -> Option<String> {
        self.options.jwt_key_problem.clone()
    }

    /// Whether `debug` is on (the JS logger's switch).
    #[wasm_bindgen(getter)]
    pub fn debug(&self) -> bool {
        self.options.debug
    }

    /// One request up to the handler. `resolved_json`: the values of option functions
    /// (`{proxyUrl?, isSatellite?, domain?, proxyEnabled?}`), absent when there are none.
    /// Returns (or resolves to) a JSON string — `{kind: "refuse", body}`, `{kind: "proxy", url,
    /// headers, fapiBase, fapiHost, proxyUrl}`, `{kind: "proxy-error", status, code, message}`,
    /// `{kind: "redirect", location, headers, status, reason, diagnostics}` — or
    /// `[diagnostics JSON, NextDecision]` when the handler runs. Throws where Clerk throws.
    pub fn begin(
        &self,
        method: &str,
        url: &str,
        headers_json: &str,
        now_ms: f64,
        resolved_json: Option<String>,
        backend: Option<BackendTransport>,
    ) -> Result<JsValue, JsError> {
        let headers = parse_pairs("headers", headers_json)?;
        let resolved = match resolved_json {
            Some(j) => match parse_json("resolved options", &j)? {
                Value::Object(m) => Resolved::from_map(m),
                _ => Resolved::default(),
            },
            None => Resolved::default(),
        };
        let request = RequestParts::new(method, url, headers);
        let pending =
            match middleware::begin(&self.options, request, &resolved).map_err(|e| js_err(&e))? {
                Begin::Authenticate(p) => p,
                other => return Ok(JsValue::from_str(&begin_answer(&other))),
            };
        let verifier = VERIFIER.with(Rc::clone);
        let machine_key = self.options.machine_secret_key().to_string();
        now_or_promise(async move {
            let cfg = Rc::clone(&pending.config);
            let b: JsBackend = HttpBackend::new(backend, &cfg.api_url, &cfg.secret_key, now_ms)
                .with_machine_secret_key(&machine_key)
                .with_api_version(&cfg.api_version)
                .with_skip_jwks_cache(cfg.skip_jwks_cache);
            let state = authenticate(&pending.request, &cfg, now_ms, verifier.as_ref(), &b)
                .await
                .map_err(|e| e.to_string())?;
            let (status, reason) = (state.status(), state.reason().map(str::to_owned));
            let diagnostics: Vec<String> = state.diagnostics.iter().map(|d| d.message()).collect();
            Ok(match pending.decide(state, now_ms)? {
                Decided::Redirect { location, headers } => {
                    let mut out = JsonOut::with_capacity(512);
                    out.begin_object();
                    out.key("kind");
                    out.str("redirect");
                    out.key("location");
                    out.str(&location);
                    out.key("headers");
                    write_pairs(&mut out, &headers);
                    out.key("status");
                    out.str(status.as_str());
                    out.key("reason");
                    out.opt_str(reason.as_deref());
                    out.key("diagnostics");
                    write_diagnostics(&mut out, diagnostics.into_iter());
                    out.end_object();
                    JsValue::from_str(&out.finish())
                }
                Decided::Next(d) => {
                    let diag = if diagnostics.is_empty() {
                        JsValue::NULL
                    } else {
                        let mut out = JsonOut::with_capacity(256);
                        write_diagnostics(&mut out, diagnostics.into_iter());
                        JsValue::from_str(&out.finish())
                    };
                    js_sys::Array::of2(&diag, &JsValue::from(NextDecision { d: *d })).into()
                }
            })
        })
    }
}

/// The decision for one request, kept inside wasm while the handler runs.
#[wasm_bindgen]
pub struct NextDecision {
    d: Decision,
}

/// A string field of a small JSON object from the host (`null`/absent → `None`).
fn opt_string(v: &Value, k: &str) -> Option<String> {
    str_field(v, k).map(str::to_owned)
}

impl NextDecision {
    fn finish_json(&self, response_json: &str) -> Result<String, JsError> {
        let r = parse_json("response", response_json)?;
        let view = ResponseView {
            override_headers: opt_string(&r, "overrideHeaders"),
            next: opt_string(&r, "next"),
            rewrite: opt_string(&r, "rewrite"),
            location: opt_string(&r, "location"),
            redirect_to: opt_string(&r, "redirectTo"),
        };
        let nonce = match self.d.strict_csp() {
            true => Some(crate::web::base64::encode_std(
                &request_data::random::<16>().map_err(|e| js_err(&e))?,
            )),
            false => None,
        };
        let f = self
            .d
            .finish(&view, nonce.as_deref())
            .map_err(|e| js_err(&e))?;
        let mut out = JsonOut::with_capacity(2048);
        out.begin_object();
        out.key("ops");
        write_ops(&mut out, &f.ops);
        out.key("redirect");
        out.opt_str(f.redirect.as_deref());
        if !f.csp.is_empty() {
            out.key("csp");
            write_pairs(&mut out, &f.csp);
        }
        out.end_object();
        Ok(out.finish())
    }
}

#[wasm_bindgen]
impl NextDecision {
    /// The response decoration (clerk-behavior.md "Middleware pipeline" steps 11–13): `response_json` = `{overrideHeaders, next,
    /// rewrite, location, redirectTo}` of the handler's response. Returns `{ops: [["set" |
    /// "append", name, value] | ["delete", name]…], redirect, csp?}`; `redirect`: answer
    /// `NextResponse.redirect(redirect, response)` instead (clerk-behavior.md "Dev-browser redirects").
    pub fn finish(&self, response_json: &str) -> Result<String, JsError> {
        self.finish_json(response_json)
    }

    /// [`NextDecision::finish`] that frees the decision (no handler kept a reference to it).
    #[wasm_bindgen(js_name = finishLast)]
    pub fn finish_last(self, response_json: &str) -> Result<String, JsError> {
        self.finish_json(response_json)
    }

    /// `auth(options)`: `options_json` = `{treatPendingAsSignedOut?, acceptsToken?}` (defaults
    /// `true` and `session_token`). Returns `{kind, object, redirects, token}`.
    #[wasm_bindgen(js_name = toAuth)]
    pub fn to_auth(&self, options_json: &str) -> Result<String, JsError> {
        let opts = parse_json("auth options", options_json)?;
        let treat_pending = opts
            .get("treatPendingAsSignedOut")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let accepts = Accepts::from_json(opts.get("acceptsToken").unwrap_or(&Value::Null))
            .map_err(|e| js_err(&e))?;
        let a = self.d.to_auth(treat_pending, &accepts);
        let mut out = JsonOut::with_capacity(1024);
        out.begin_object();
        out.key("kind");
        out.str(a.kind.as_str());
        out.key("object");
        out.value(&a.object);
        out.key("redirects");
        out.bool(a.redirects);
        out.key("token");
        out.opt_str(self.d.state().token());
        out.end_object();
        Ok(out.finish())
    }

    /// `has()` of the signed-in session object.
    pub fn has(&self, params_json: &str) -> bool {
        serde_json::from_str::<Value>(params_json)
            .is_ok_and(|p| self.d.has(&HasParams::from_json(&p)))
    }

    /// `auth.protect()` (clerk-behavior.md "auth() and auth.protect()"). `params_json`: `{has, predicate, unauthenticatedUrl,
    /// unauthorizedUrl, token}` where `has` holds only the authorization keys the caller found
    /// and `predicate` the answer of a predicate argument (`null` when there is none or it has
    /// not been asked yet). Returns `{outcome: allow | redirect-to-sign-in | redirect |
    /// unauthorized | not-found, url?}`.
    pub fn protect(&self, params_json: &str) -> Result<String, JsError> {
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
        let decided = self.d.protect(&params);
        let (outcome, url) = match &decided {
            Protect::Allow => ("allow", None),
            Protect::RedirectToSignIn => ("redirect-to-sign-in", None),
            Protect::Redirect(u) => ("redirect", Some(u.as_str())),
            Protect::Unauthorized { .. } => ("unauthorized", None),
            Protect::NotFound => ("not-found", None),
        };
        let mut out = JsonOut::with_capacity(64);
        out.begin_object();
        out.key("outcome");
        out.str(outcome);
        out.key("url");
        out.opt_str(url);
        out.end_object();
        Ok(out.finish())
    }

    /// What the handler threw (clerk-behavior.md "auth() and auth.protect()"). `error_json`: `{isError, name, digest, clerkDigest,
    /// returnBackUrl}`. Returns `{kind: "status", status, headers}`, `{kind: "rewrite", path,
    /// headers}`, `{kind: "redirect", url}`, `{kind: "redirect-adapter"}` or `{kind: "rethrow"}`.
    #[wasm_bindgen(js_name = catchError)]
    pub fn catch_error(&self, error_json: &str, now_ms: f64) -> Result<String, JsError> {
        let e = parse_json("error", error_json)?;
        let thrown = Thrown {
            is_error: e.get("isError").and_then(Value::as_bool).unwrap_or(false),
            name: opt_string(&e, "name"),
            digest: opt_string(&e, "digest"),
            clerk_digest: opt_string(&e, "clerkDigest"),
            return_back_url: opt_string(&e, "returnBackUrl"),
        };
        let mut out = JsonOut::with_capacity(256);
        out.begin_object();
        out.key("kind");
        match self.d.catch(&thrown, now_ms) {
            Caught::Status { status, headers } => {
                out.str("status");
                out.key("status");
                out.uint(u64::from(status));
                out.key("headers");
                write_pairs(&mut out, &headers);
            }
            Caught::Rewrite { path, headers } => {
                out.str("rewrite");
                out.key("path");
                out.str(&path);
                out.key("headers");
                write_pairs(&mut out, &headers);
            }
            Caught::SignInOrUp {
                sign_up,
                return_back_url,
            } => {
                let url = self
                    .d
                    .sign_in_url(sign_up, return_back_url.as_deref())
                    .map_err(|e| js_err(&e))?;
                out.str("redirect");
                out.key("url");
                out.str(&url);
            }
            Caught::RedirectAdapter => out.str("redirect-adapter"),
            Caught::Rethrow => out.str("rethrow"),
        }
        out.end_object();
        Ok(out.finish())
    }

    /// `auth().debug()`'s data: `{options, status, reason, message, sessionToken}`.
    #[wasm_bindgen(js_name = debugData)]
    pub fn debug_data(&self) -> String {
        let s = self.d.state();
        let mut out = JsonOut::with_capacity(1024);
        out.begin_object();
        out.key("options");
        out.object(&self.d.debug_options());
        out.key("status");
        out.str(s.status().as_str());
        out.key("reason");
        out.opt_str(s.reason());
        out.key("message");
        out.str(s.message().unwrap_or_default());
        out.key("sessionToken");
        out.str(s.token().unwrap_or_default());
        out.end_object();
        out.finish()
    }

    /// The public URL of the request (`redirectToSignIn`'s default return URL).
    #[wasm_bindgen(getter, js_name = clerkUrl)]
    pub fn clerk_url(&self) -> String {
        self.d.clerk_url().href()
    }

    /// The request state for the debug log: `{status, reason, headers}`.
    #[wasm_bindgen(js_name = debugState)]
    pub fn debug_state(&self) -> String {
        let s = self.d.state();
        let mut out = JsonOut::with_capacity(256);
        out.begin_object();
        out.key("status");
        out.str(s.status().as_str());
        out.key("reason");
        out.opt_str(s.reason());
        out.key("headers");
        write_pairs(&mut out, &s.headers);
        out.end_object();
        out.finish()
    }

    /// `getToken({ template, expiresInSeconds })`: the Backend API request to send, `{url,
    /// headers, body}`. `expires_json`: the `expiresInSeconds` value as JSON, if given.
    #[wasm_bindgen(js_name = tokenRequest)]
    pub fn token_request(
        &self,
        session_id: &str,
        template: Option<String>,
        expires_json: Option<String>,
    ) -> Result<String, JsError> {
        let expires = match expires_json {
            Some(j) => Some(parse_json("expiresInSeconds", &j)?),
            None => None,
        };
        let t = self
            .d
            .token_request(session_id, template.as_deref(), expires.as_ref());
        let mut out = JsonOut::with_capacity(512);
        out.begin_object();
        out.key("url");
        out.str(&t.url);
        out.key("headers");
        out.begin_array();
        for (k, v) in &t.headers {
            out.begin_array();
            out.str(k);
            out.str(v);
            out.end_array();
        }
        out.end_array();
        out.key("body");
        out.opt_str(t.body.as_deref());
        out.end_object();
        Ok(out.finish())
    }
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

// ---------------------------------------------------------------------------------------------
// Clerk's Backend API over the host's fetch.
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen]
extern "C" {
    /// `{ call(method, url, headersJson, body) }` from the JS host: sends `method` to `url`
    /// with the headers (`[[name, value]…]`, decided in `crate::host::http_backend`) and `body`
    /// (a JSON string or undefined), resolving to `[status, bodyText]` (rejecting on a network
    /// failure).
    pub type BackendTransport;

    #[wasm_bindgen(method, catch, js_name = call)]
    fn call_js(
        this: &BackendTransport,
        method: &str,
        url: &str,
        headers_json: &str,
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
        url: &str,
        headers: &[(&'static str, String)],
        body: Option<String>,
    ) -> Result<(u16, String), String> {
        let mut h = JsonOut::with_capacity(256);
        h.begin_array();
        for (k, v) in headers {
            h.begin_array();
            h.str(k);
            h.str(v);
            h.end_array();
        }
        h.end_array();
        let promise = self
            .call_js(method, url, &h.finish(), body)
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

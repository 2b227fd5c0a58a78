//! Shared helpers for the behaviour tests: two throwaway instances (production and development),
//! an RS256 token minter over the committed test keys, a request builder, a fake Backend API
//! whose answers each test sets, expected-header builders and exact-state assertions.
//!
//! Every expected value is built here from the tests' own inputs (keys, hosts, clock); nothing is
//! taken from the conformance vectors.
#![allow(dead_code)] // each test binary uses a different subset

use clerk_edge::host::key::RsaPublicKey;
use clerk_edge::host::services::{
    block_on, BackendApi, JwksError, MachineKind, RefreshError, RefreshRequest, RustVerifier,
};
use clerk_edge::{authenticate, AuthStatus, Config, Options, RequestParts, RequestState};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{json, Map, Value};
use sha2::Sha256;
use std::cell::RefCell;
use std::sync::OnceLock;

pub use clerk_edge::AuthError;

// ---------------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------------

/// The tests' "now": 2025-01-01T12:00:00Z, in seconds.
pub const NOW: i64 = 1_735_732_800;
pub const NOW_MS: f64 = NOW as f64 * 1000.0;
/// `Date#toUTCString()` of [`NOW`].
pub const NOW_UTC: &str = "Wed, 01 Jan 2025 12:00:00 GMT";
/// A `__client_uat` (an hour ago) older than every test token's `iat`.
pub const UAT: i64 = NOW - 3600;

// ---------------------------------------------------------------------------------------------
// Instances
// ---------------------------------------------------------------------------------------------

/// A Clerk instance as the tests configure it.
pub struct Instance {
    pub publishable_key: &'static str,
    pub secret_key: &'static str,
    /// Frontend API host decoded from the publishable key.
    pub fapi: &'static str,
    /// First 8 chars of base64url(SHA-1(publishable key)), computed with openssl:
    /// `printf %s "$PK" | openssl sha1 -binary | base64 | tr '+/' '-_' | cut -c1-8`.
    pub suffix: &'static str,
}

/// Production: `pk_live_` + base64(`clerk.example-app.test$`).
pub const LIVE: Instance = Instance {
    publishable_key: "pk_live_Y2xlcmsuZXhhbXBsZS1hcHAudGVzdCQ",
    secret_key: "sk_live_EdgeTestsLiveSecret0123456789abcdefXYZ",
    fapi: "clerk.example-app.test",
    suffix: "55gphHB5",
};

/// Development: `pk_test_` + base64(`brave-otter-42.clerk.accounts.dev$`).
pub const DEV: Instance = Instance {
    publishable_key: "pk_test_YnJhdmUtb3R0ZXItNDIuY2xlcmsuYWNjb3VudHMuZGV2JA",
    secret_key: "sk_test_EdgeTestsDevSecret0123456789abcdefXYZ",
    fapi: "brave-otter-42.clerk.accounts.dev",
    suffix: "byyrAvIk",
};

impl Instance {
    /// `iss` of this instance's session tokens.
    pub fn iss(&self) -> String {
        format!("https://{}", self.fapi)
    }
    /// `<name>_<suffix>`.
    pub fn suffixed(&self, name: &str) -> String {
        format!("{name}_{}", self.suffix)
    }
    /// `https://<fapi>/v1/client/handshake`.
    pub fn handshake_base(&self) -> String {
        format!("https://{}/v1/client/handshake", self.fapi)
    }
}

/// The application the tests authenticate requests for.
pub const APP: &str = "https://app.example-app.test";
pub const DASHBOARD: &str = "https://app.example-app.test/dashboard";
/// The `azp` of default tokens.
pub const AZP: &str = "https://app.example-app.test";
pub const USER: &str = "user_2EdgeTestUser";
pub const SESSION: &str = "sess_2EdgeTestSession";
pub const KID: &str = "ins_2EdgeTestKid";
/// A development-browser token value.
pub const DEV_BROWSER: &str = "dvb_2EdgeTestDevBrowser";

// ---------------------------------------------------------------------------------------------
// Keys and tokens
// ---------------------------------------------------------------------------------------------

pub const PUBLIC_PEM: &str = include_str!("../fixtures/test-public-key.pem");
pub const OTHER_PUBLIC_PEM: &str = include_str!("../fixtures/other-public-key.pem");
const SIGNING_PEM: &str = include_str!("../fixtures/test-signing-key.pem");
const OTHER_SIGNING_PEM: &str = include_str!("../fixtures/other-signing-key.pem");

fn signing_key(other: bool) -> &'static SigningKey<Sha256> {
    static TEST: OnceLock<SigningKey<Sha256>> = OnceLock::new();
    static OTHER: OnceLock<SigningKey<Sha256>> = OnceLock::new();
    let (cell, pem) = if other {
        (&OTHER, OTHER_SIGNING_PEM)
    } else {
        (&TEST, SIGNING_PEM)
    };
    cell.get_or_init(|| {
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem).expect("fixture signing key parses");
        SigningKey::<Sha256>::new(key)
    })
}

/// The committed test public key, as the crate parses it.
pub fn public_key() -> RsaPublicKey {
    RsaPublicKey::from_pem(PUBLIC_PEM).expect("fixture public key parses")
}

/// The "other" public key (a key that did not sign the tokens).
pub fn other_public_key() -> RsaPublicKey {
    RsaPublicKey::from_pem(OTHER_PUBLIC_PEM).expect("fixture public key parses")
}

fn b64url_json(v: &Map<String, Value>) -> String {
    clerk_edge::web::base64::encode_url(Value::Object(v.clone()).to_string().as_bytes())
}

/// An RS256 token under construction: header and claims as JSON, signed on [`Token::sign`].
#[derive(Clone, Debug)]
pub struct Token {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    other_key: bool,
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("object literal"),
    }
}

/// A session token of `inst` that verifies at [`NOW`]: `iat`/`nbf` 10 s ago, `exp` in 50 s,
/// `azp` the app, header `{alg: RS256, kid, typ: JWT}`.
pub fn session(inst: &Instance) -> Token {
    Token {
        header: object(json!({"alg": "RS256", "kid": KID, "typ": "JWT"})),
        claims: object(json!({
            "azp": AZP,
            "exp": NOW + 50,
            "iat": NOW - 10,
            "iss": inst.iss(),
            "nbf": NOW - 10,
            "sid": SESSION,
            "sub": USER,
        })),
        other_key: false,
    }
}

/// A token with exactly these claims and the default header.
pub fn token_with(claims: Value) -> Token {
    Token {
        header: object(json!({"alg": "RS256", "kid": KID, "typ": "JWT"})),
        claims: object(claims),
        other_key: false,
    }
}

impl Token {
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_string(), value.into());
        self
    }
    pub fn without(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.header.insert(name.to_string(), value.into());
        self
    }
    pub fn without_header(mut self, name: &str) -> Self {
        self.header.remove(name);
        self
    }
    /// Expired `secs_ago` seconds ago (issued a minute before that).
    pub fn expired(self, secs_ago: i64) -> Self {
        self.claim("exp", NOW - secs_ago)
            .claim("iat", NOW - secs_ago - 60)
            .claim("nbf", NOW - secs_ago - 60)
    }
    /// Signed by the "other" key pair (the configured key will reject it).
    pub fn signed_by_other_key(mut self) -> Self {
        self.other_key = true;
        self
    }
    /// `base64url(header).base64url(claims)`.
    pub fn signing_input(&self) -> String {
        format!(
            "{}.{}",
            b64url_json(&self.header),
            b64url_json(&self.claims)
        )
    }
    pub fn sign(&self) -> String {
        let input = self.signing_input();
        let sig = signing_key(self.other_key).sign(input.as_bytes());
        format!(
            "{input}.{}",
            clerk_edge::web::base64::encode_url(&sig.to_bytes())
        )
    }
}

/// A valid session token of `inst`.
pub fn valid(inst: &Instance) -> String {
    session(inst).sign()
}

/// A legacy `__clerk_handshake` JWT carrying these Set-Cookie directives.
pub fn handshake_jwt(directives: &[String]) -> Token {
    token_with(json!({ "handshake": directives }))
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// A request under construction. Cookies are joined into one `cookie` header, added last.
#[derive(Clone, Debug)]
pub struct Req {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    cookies: Vec<(String, String)>,
}

impl Req {
    pub fn new(method: &str, url: &str) -> Req {
        Req {
            method: method.to_string(),
            url: url.to_string(),
            headers: Vec::new(),
            cookies: Vec::new(),
        }
    }
    /// A top-level navigation: `GET` with `sec-fetch-dest: document` (handshake-eligible).
    pub fn document(url: &str) -> Req {
        Req::new("GET", url).header("sec-fetch-dest", "document")
    }
    /// A `fetch()` from the page: `GET` with `sec-fetch-dest: empty` (not eligible).
    pub fn fetch(url: &str) -> Req {
        Req::new("GET", url).header("sec-fetch-dest", "empty")
    }
    /// A form POST navigation: `sec-fetch-dest: document` but not `GET` (not eligible).
    pub fn post(url: &str) -> Req {
        Req::new("POST", url).header("sec-fetch-dest", "document")
    }
    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    pub fn cookie(mut self, name: &str, value: impl ToString) -> Req {
        self.cookies.push((name.to_string(), value.to_string()));
        self
    }
    pub fn bearer(self, token: &str) -> Req {
        self.header("authorization", &format!("Bearer {token}"))
    }
    /// `__client_uat=<UAT>` + `__session=<token>` (the unsuffixed pair).
    pub fn session_cookies(self, token: &str) -> Req {
        self.cookie("__client_uat", UAT).cookie("__session", token)
    }
    /// The same request (URL, headers, cookies) with another method.
    pub fn with_method(mut self, method: &str) -> Req {
        self.method = method.to_string();
        self
    }
    /// Replaces `sec-fetch-dest`.
    pub fn dest(mut self, dest: &str) -> Req {
        self.headers.retain(|(n, _)| n != "sec-fetch-dest");
        self.header("sec-fetch-dest", dest)
    }
    pub fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
    pub fn parts(&self) -> RequestParts {
        let mut headers = self.headers.clone();
        if let Some(c) = self.cookie_header() {
            headers.push(("cookie".to_string(), c));
        }
        RequestParts::new(&self.method, &self.url, headers)
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// Networkless options for `inst`: its keys and the test public key as `jwtKey`.
pub fn options(inst: &Instance) -> Options {
    Options {
        publishable_key: Some(inst.publishable_key.to_string()),
        secret_key: Some(inst.secret_key.to_string()),
        jwt_key: Some(PUBLIC_PEM.to_string()),
        ..Default::default()
    }
}

/// Options without `jwtKey`: keys come from the (fake) JWKS.
pub fn jwks_options(inst: &Instance) -> Options {
    Options {
        jwt_key: None,
        ..options(inst)
    }
}

pub fn config(options: Options) -> Config {
    Config::new(options).unwrap_or_else(|e| panic!("config: {} ({})", e.message, e.option))
}

// ---------------------------------------------------------------------------------------------
// Fake Backend API
// ---------------------------------------------------------------------------------------------

/// One call the core made to the Backend API.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Jwks(Option<String>),
    HandshakePayload(String),
    Refresh(RefreshRequest),
    Machine(MachineKind, String),
}

/// A Backend API whose answers the test sets and which records every call. By default the JWKS
/// answers with the test key and every other endpoint fails.
pub struct FakeBackend {
    jwks: RefCell<Result<RsaPublicKey, JwksError>>,
    handshake: RefCell<Result<Vec<String>, String>>,
    refresh: RefCell<Result<Vec<String>, RefreshError>>,
    calls: RefCell<Vec<Call>>,
}

impl Default for FakeBackend {
    fn default() -> Self {
        FakeBackend {
            jwks: RefCell::new(Ok(public_key())),
            handshake: RefCell::new(Err("no handshake payload configured".into())),
            refresh: RefCell::new(Err(RefreshError::Other)),
            calls: RefCell::new(Vec::new()),
        }
    }
}

impl FakeBackend {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn jwks(self, answer: Result<RsaPublicKey, JwksError>) -> Self {
        *self.jwks.borrow_mut() = answer;
        self
    }
    pub fn handshake_payload(self, answer: Result<Vec<String>, String>) -> Self {
        *self.handshake.borrow_mut() = answer;
        self
    }
    pub fn refresh(self, answer: Result<Vec<String>, RefreshError>) -> Self {
        *self.refresh.borrow_mut() = answer;
        self
    }
    pub fn calls(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }
}

impl BackendApi for FakeBackend {
    async fn jwks_key(&self, kid: Option<&str>) -> Result<RsaPublicKey, JwksError> {
        self.calls
            .borrow_mut()
            .push(Call::Jwks(kid.map(str::to_string)));
        self.jwks.borrow().clone()
    }
    async fn handshake_payload(&self, nonce: &str) -> Result<Vec<String>, String> {
        self.calls
            .borrow_mut()
            .push(Call::HandshakePayload(nonce.to_string()));
        self.handshake.borrow().clone()
    }
    async fn refresh_session(&self, request: &RefreshRequest) -> Result<Vec<String>, RefreshError> {
        self.calls.borrow_mut().push(Call::Refresh(request.clone()));
        self.refresh.borrow().clone()
    }
    async fn verify_machine_token(
        &self,
        kind: MachineKind,
        token: &str,
    ) -> Result<Value, (u16, String)> {
        self.calls
            .borrow_mut()
            .push(Call::Machine(kind, token.to_string()));
        Err((500, "no machine-token answer configured".into()))
    }
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

pub fn run_at(
    req: &Req,
    cfg: &Config,
    backend: &FakeBackend,
    now_ms: f64,
) -> Result<RequestState, AuthError> {
    block_on(authenticate(
        &req.parts(),
        cfg,
        now_ms,
        &RustVerifier,
        backend,
    ))
}

pub fn run_with(req: &Req, cfg: &Config, backend: &FakeBackend) -> Result<RequestState, AuthError> {
    run_at(req, cfg, backend, NOW_MS)
}

/// Runs at [`NOW`] with a default backend and asserts the core made no Backend API call.
pub fn run(req: &Req, cfg: &Config) -> RequestState {
    let backend = FakeBackend::new();
    let state = run_with(req, cfg, &backend).unwrap_or_else(|e| panic!("authenticate: {e}"));
    assert_eq!(backend.calls(), vec![], "unexpected Backend API calls");
    state
}

// ---------------------------------------------------------------------------------------------
// Expected values
// ---------------------------------------------------------------------------------------------

fn h(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

/// `application/x-www-form-urlencoded` as `URLSearchParams` writes it (written here
/// independently of the crate's encoder).
pub fn form(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The FAPI handshake URL, parameters in Clerk's order.
#[derive(Clone, Debug)]
pub struct HandshakeUrl {
    base: String,
    params: Vec<(String, String)>,
}

/// `<base>?redirect_url=…&__clerk_api_version=2026-05-12&suffixed_cookies=…&__clerk_hs_reason=…&format=nonce`.
pub fn handshake_url(base: &str, redirect_url: &str, suffixed: bool, reason: &str) -> HandshakeUrl {
    HandshakeUrl {
        base: base.to_string(),
        params: vec![
            ("redirect_url".into(), redirect_url.into()),
            ("__clerk_api_version".into(), "2026-05-12".into()),
            ("suffixed_cookies".into(), suffixed.to_string()),
            ("__clerk_hs_reason".into(), reason.into()),
            ("format".into(), "nonce".into()),
        ],
    }
}

impl HandshakeUrl {
    /// `&__session=<token>`.
    pub fn session(mut self, token: &str) -> Self {
        self.params.push(("__session".into(), token.into()));
        self
    }
    /// `&__clerk_db_jwt=<token>` (development).
    pub fn dev_browser(mut self, token: &str) -> Self {
        self.params.push(("__clerk_db_jwt".into(), token.into()));
        self
    }
    /// `&organization_id=<id or slug>` (empty for the personal account).
    pub fn organization(mut self, id: &str) -> Self {
        self.params.push(("organization_id".into(), id.into()));
        self
    }
    pub fn build(&self) -> String {
        let query: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{}={}", form(k), form(v)))
            .collect();
        format!("{}?{}", self.base, query.join("&"))
    }
}

/// `__clerk_redirect_count=<n>; SameSite=Lax; HttpOnly; Max-Age=2`.
pub fn redirect_count_cookie(n: u32) -> String {
    format!("__clerk_redirect_count={n}; SameSite=Lax; HttpOnly; Max-Age=2")
}

/// `x-clerk-auth-message` (if any), `-reason`, `-status`.
pub fn debug_headers(status: &str, reason: &str, message: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    if !message.is_empty() {
        v.push(h("x-clerk-auth-message", message));
    }
    v.push(h("x-clerk-auth-reason", reason));
    v.push(h("x-clerk-auth-status", status));
    v
}

/// The full header list of a handshake: Location, no-store, the counter cookie, debug headers.
pub fn handshake_headers(
    location: &str,
    count: u32,
    reason: &str,
    message: &str,
) -> Vec<(String, String)> {
    let mut v = vec![
        h("location", location),
        h("cache-control", "no-store"),
        h("set-cookie", &redirect_count_cookie(count)),
    ];
    v.extend(debug_headers("handshake", reason, message));
    v
}

/// `Access-Control-Allow-Origin: null`, `Access-Control-Allow-Credentials: true` and one
/// Set-Cookie per directive: the headers of a resolved handshake.
pub fn resolved_headers(directives: &[String]) -> Vec<(String, String)> {
    let mut v = vec![
        h("access-control-allow-origin", "null"),
        h("access-control-allow-credentials", "true"),
    ];
    v.extend(directives.iter().map(|d| h("set-cookie", d)));
    v
}

/// `<message> [<action>] (reason=<reason>, token-carrier=<carrier>)`.
pub fn full_message(message: &str, action: Option<&str>, reason: &str, carrier: &str) -> String {
    match action {
        Some(a) => format!("{message} {a} (reason={reason}, token-carrier={carrier})"),
        None => format!("{message} (reason={reason}, token-carrier={carrier})"),
    }
}

pub const ENSURE_CLERK_JWT: &str = "Make sure that this is a valid Clerk-generated JWT.";
pub const CONTACT_SUPPORT: &str = "Contact support@clerk.com";

/// `Date#toUTCString()` of `NOW + offset_secs`, for offsets that stay on NOW's day.
pub fn utc(offset_secs: i64) -> String {
    // NOW is 12:00:00 on Wed, 01 Jan 2025; the tests use offsets of less than a day.
    let t = 12 * 3600 + offset_secs;
    assert!(
        (0..86_400).contains(&t),
        "utc() handles same-day offsets only"
    );
    format!(
        "Wed, 01 Jan 2025 {:02}:{:02}:{:02} GMT",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

// ---------------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------------

/// Signed-out with exactly this reason and message, and only the debug headers.
pub fn assert_signed_out(state: &RequestState, reason: &str, message: &str) {
    assert_signed_out_with(state, reason, message, vec![]);
}

/// Signed-out with exactly these flow headers before the debug headers.
pub fn assert_signed_out_with(
    state: &RequestState,
    reason: &str,
    message: &str,
    mut headers: Vec<(String, String)>,
) {
    assert_eq!(
        (state.status(), state.reason(), state.message()),
        (AuthStatus::SignedOut, Some(reason), Some(message)),
        "state: {state:#?}"
    );
    headers.extend(debug_headers("signed-out", reason, message));
    assert_eq!(state.headers, headers);
    assert_eq!(state.token(), None);
    assert_eq!(state.session(), None);
}

/// A handshake to `location` with counter cookie `count`, and exactly Clerk's header list.
pub fn assert_handshake(
    state: &RequestState,
    reason: &str,
    message: &str,
    location: &str,
    count: u32,
) {
    assert_eq!(
        (state.status(), state.reason(), state.message()),
        (AuthStatus::Handshake, Some(reason), Some(message)),
        "state: {state:#?}"
    );
    assert_eq!(
        state.headers,
        handshake_headers(location, count, reason, message)
    );
    assert_eq!(state.location(), Some(location));
    assert_eq!(state.token(), None);
    assert_eq!(state.session(), None);
}

/// Signed-in with this token and exactly these headers; no reason, no message.
pub fn assert_signed_in_with(state: &RequestState, token: &str, headers: Vec<(String, String)>) {
    assert_eq!(
        (state.status(), state.reason(), state.message()),
        (AuthStatus::SignedIn, None, None),
        "state: {state:#?}"
    );
    assert_eq!(state.token(), Some(token));
    assert_eq!(state.headers, headers);
    assert!(state.session().is_some());
}

/// Signed-in with this token and no headers.
pub fn assert_signed_in(state: &RequestState, token: &str) {
    assert_signed_in_with(state, token, vec![]);
}

pub fn set_cookie(value: &str) -> (String, String) {
    h("set-cookie", value)
}

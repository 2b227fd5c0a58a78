//! The `fetch` entry: strip spoofable headers, authenticate, enforce route rules, proxy.

use super::api_cors;
use super::backend;
#[cfg(feature = "demo")]
use super::demo;
use super::observe::{Outcome, Record};
use super::settings::{Origin, RequestDataFormat, Settings};
use super::upstream::{self, PublicView};
use crate::decide::flow::authenticate_inbound;
use crate::decide::protect::{self, Protect};
use crate::decide::redirect::{self, RedirectContext, Target};
use crate::decide::request::{Inbound, RequestParts};
use crate::decide::state::{AuthStatus, RequestState};
use crate::downstream;
use crate::downstream::request_data;
use crate::gateway::path_policy::{self, PathDecision};
use crate::host::cache::CachingVerifier;
use crate::host::webcrypto::WebCryptoVerifier;
use crate::web::url::Url;
use crate::AuthError;
use std::rc::Rc;
use worker::{
    console_log, event, Context, Env, Fetch, Headers, Method, Request, RequestInit,
    RequestRedirect, Response, Result,
};

/// The optional Analytics Engine dataset binding that counts decisions.
const ANALYTICS_BINDING: &str = "CLERK_ANALYTICS";

thread_local! {
    /// Verified signatures, per isolate (claims are still checked on every request).
    static VERIFIER: Rc<CachingVerifier<WebCryptoVerifier>> = Rc::new(CachingVerifier::new(WebCryptoVerifier));
    static SETTINGS: std::cell::OnceCell<std::result::Result<Rc<Settings>, String>> = const { std::cell::OnceCell::new() };
}

fn settings(env: &Env) -> std::result::Result<Rc<Settings>, String> {
    SETTINGS.with(|cell| {
        cell.get_or_init(|| {
            let get = |name: &str| {
                env.secret(name)
                    .map(|s| s.to_string())
                    .or_else(|_| env.var(name).map(|v| v.to_string()))
                    .ok()
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
            };
            Settings::from_env(get, env.service("ORIGIN").is_ok())
                .map(Rc::new)
                .map_err(|e| e.to_string())
        })
        .clone()
    })
}

fn text(status: u16, body: &str) -> Result<Response> {
    Ok(Response::ok(body)?.with_status(status))
}

fn append_all(headers: &Headers, extra: &[(String, String)]) -> Result<()> {
    for (k, v) in extra {
        headers.append(k, v)?;
    }
    Ok(())
}

/// A response carrying the request state's headers (Set-Cookie, x-clerk-auth-*, …).
fn respond(status: u16, extra: &[(String, String)], state: &RequestState) -> Result<Response> {
    let headers = Headers::new();
    append_all(&headers, extra)?;
    append_all(&headers, &state.headers)?;
    let body = match status {
        401 => "Unauthorized",
        404 => "Not Found",
        400 => "Bad Request",
        502 => "Bad Gateway",
        _ => "",
    };
    Ok(Response::ok(body)?
        .with_status(status)
        .with_headers(headers))
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let started = worker::Date::now().as_millis();
    let url = Url::parse(&req.inner().url());
    let mut record = Record::new(
        req.inner().method().as_str(),
        url.as_ref().map_or("", |u| u.pathname()),
    );
    let (settings, response) = match settings(&env) {
        Ok(s) => {
            let response = match url {
                Some(url) => dispatch(req, url, &env, &s, &mut record).await,
                None => {
                    record.outcome = Outcome::BadRequest;
                    text(400, "Bad Request")
                }
            };
            (Some(s), response)
        }
        Err(e) => {
            record.outcome = Outcome::ConfigError;
            console_log!("{e}");
            (None, text(500, &e))
        }
    };
    let response = response.or_else(|e| {
        record.outcome = Outcome::InternalError;
        console_log!("clerk-edge: {e}");
        text(500, "clerk-edge: internal error")
    });
    if let Ok(r) = &response {
        let ms = worker::Date::now().as_millis().saturating_sub(started);
        observe(&env, settings.as_deref(), &record, r.status_code(), ms);
    }
    response
}

/// The request's log line and data point. A configuration error is always logged: it is the
/// one line an operator needs.
fn observe(env: &Env, settings: Option<&Settings>, record: &Record, status: u16, ms: u64) {
    if settings.is_none_or(|s| s.log) {
        console_log!("{}", record.to_json(status, ms));
    }
    let Ok(dataset) = js_sys::Reflect::get(env, &ANALYTICS_BINDING.into()) else {
        return;
    };
    if dataset.is_undefined() {
        return;
    }
    let (blobs, doubles, index) = record.data_point(status, ms);
    let point = js_sys::Object::new();
    let array =
        |items: &mut dyn Iterator<Item = wasm_bindgen::JsValue>| items.collect::<js_sys::Array>();
    let _ = js_sys::Reflect::set(
        &point,
        &"blobs".into(),
        &array(&mut blobs.iter().map(|b| (*b).into())),
    );
    let _ = js_sys::Reflect::set(
        &point,
        &"doubles".into(),
        &array(&mut doubles.iter().map(|d| (*d).into())),
    );
    let _ = js_sys::Reflect::set(
        &point,
        &"indexes".into(),
        &array(&mut std::iter::once(index.into())),
    );
    // Fire and forget: a metrics failure never fails the request.
    if let Ok(write) = js_sys::Reflect::get(&dataset, &"writeDataPoint".into()) {
        if let Some(write) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Function>(&write) {
            let _ = write.call1(&dataset, &point);
        }
    }
}

/// CORS around the authenticated path: a preflight carries no credentials, so it is never
/// authenticated nor gated by a rule; the policy's headers go on every real response.
async fn dispatch(
    req: Request,
    url: Url,
    env: &Env,
    s: &Settings,
    record: &mut Record,
) -> Result<Response> {
    // The Frontend API proxy: not authenticated, no route rule, Clerk's paths as they are.
    if let Some(p) = s.frontend_api_proxy.as_ref() {
        let href = url.href();
        if p.matches(&href) {
            record.outcome = Outcome::FrontendApiProxy;
            return super::fapi_proxy::serve(req, &href, s, p).await;
        }
    }
    // Every decision below, and the origin, see the URL the path policy gives: preflights too.
    let url = match path_policy(url, s, record) {
        Ok(url) => url,
        Err(refused) => return refused,
    };
    if api_cors::is_preflight(&req) {
        record.outcome = Outcome::Preflight;
        return api_cors::preflight(req, &url, env, s).await;
    }
    let origin = match s.cors {
        Some(_) => req.headers().get("origin").ok().flatten(),
        None => None,
    };
    let response = handle(req, url, env, s, record).await?;
    api_cors::with_cors(response, s.cors.as_ref(), origin.as_deref())
}

/// The URL the path policy decides on, or the Worker's answer when it refuses or redirects.
fn path_policy(
    url: Url,
    s: &Settings,
    record: &mut Record,
) -> std::result::Result<Url, Result<Response>> {
    let href = url.href();
    match path_policy::decide_url(&href, s.paths) {
        PathDecision::Forward(decided) if decided == href => Ok(url),
        PathDecision::Forward(decided) => Url::parse(&decided).ok_or_else(|| {
            record.outcome = Outcome::BadRequest;
            text(400, "Bad Request")
        }),
        PathDecision::Redirect(location) => {
            record.outcome = Outcome::Redirect;
            Err(permanent_redirect(&location))
        }
        PathDecision::Refuse(why) => {
            record.outcome = Outcome::BadRequest;
            record.reason = Some(why.as_str().to_string());
            Err(text(400, &why.body()))
        }
    }
}

/// `CLERK_ESCAPED_SLASHES = redirect`: the same request at the unescaped, normalised path.
fn permanent_redirect(location: &str) -> Result<Response> {
    let headers = Headers::new();
    headers.set("location", location)?;
    Ok(Response::ok("")?.with_status(308).with_headers(headers))
}

async fn handle(
    req: Request,
    url: Url,
    env: &Env,
    s: &Settings,
    record: &mut Record,
) -> Result<Response> {
    let method = req.method().to_string();
    // Everything but Clerk's and Next's reserved headers. The public URL is `request.url`
    // (Cloudflare builds it from Host); Host and forwarded-host/proto count only when trusted.
    let inbound: Vec<(String, String)> = req
        .headers()
        .entries()
        .filter(|(k, _)| !downstream::is_reserved(k))
        .collect();
    let for_auth: Vec<(String, String)> = inbound
        .iter()
        .filter(|(k, _)| {
            s.trust_forwarded_headers
                || !matches!(
                    k.as_str(),
                    "x-forwarded-host" | "x-forwarded-proto" | "host"
                )
        })
        .cloned()
        .collect();
    let mut parts = RequestParts {
        method,
        url: url.href(),
        headers: for_auth,
    };
    let api_route = api_cors::route(s, url.pathname());
    if api_route.is_some() {
        crate::gateway::api_mode::auth_input(&mut parts.headers);
    }
    // The request parsed once (URL, public URL, cookies): the decision and everything after it
    // read this one.
    let Ok(parsed) = Inbound::with_url(&parts, url) else {
        record.outcome = Outcome::BadRequest;
        return text(400, "Bad Request");
    };
    let now_ms = worker::Date::now().as_millis() as f64;
    let backend = backend::backend(&s.api_url, &s.config.secret_key, now_ms);
    let verifier = VERIFIER.with(Rc::clone);
    let decided = authenticate_inbound(&parsed, &s.config, now_ms, verifier.as_ref(), &backend);
    let mut state = match decided.await {
        Ok(st) => st,
        Err(AuthError::InvalidRequestUrl) => {
            record.outcome = Outcome::BadRequest;
            return text(400, "Bad Request");
        }
        // Input the client controls (a development handshake token, a sync target): its error.
        Err(AuthError::BadRequest(m)) => {
            record.outcome = Outcome::BadRequest;
            return text(400, &m);
        }
        Err(AuthError::Fatal(m)) => {
            record.outcome = Outcome::InternalError;
            console_log!("clerk-edge: {m}");
            return text(500, &m);
        }
    };
    record.authenticated(&state);
    if s.debug {
        for d in &state.diagnostics {
            console_log!("{}", d.message());
        }
    }
    if api_route.is_some() {
        crate::gateway::api_mode::sanitize(&mut state);
    }
    // Handshakes and development handshake resolutions redirect; the origin is not called.
    if state.location().is_some() {
        record.outcome = Outcome::Handshake;
        return respond(307, &[], &state);
    }
    let (url, clerk_url) = (&parsed.url, &parsed.clerk_url);
    let outcome = match api_route {
        Some(route) => {
            if let Ok(Some(rule)) = &route {
                record.rule = Some(rule.source.clone());
            }
            let answer = api_cors::answer(&state, route, &parts);
            if let Some(Ok(r)) = &answer {
                record.outcome = Outcome::refused(r.status_code());
            }
            answer
        }
        None => route_outcome(s, &parsed, &state, record),
    };
    if let Some(outcome) = outcome {
        return outcome;
    }
    forward(req, url, env, s, &inbound, &state, clerk_url, record).await
}

/// Route rules → `protect()` → the response for a request that falls short, if any.
fn route_outcome(
    s: &Settings,
    request: &Inbound<'_>,
    state: &RequestState,
    record: &mut Record,
) -> Option<Result<Response>> {
    let (parts, clerk_url) = (request.parts, &request.clerk_url);
    let rule = match s.routes.find(request.url.pathname()) {
        Ok(Some(rule)) => rule,
        Ok(None) => return None,
        Err(_) => {
            record.outcome = Outcome::BadRequest;
            return Some(respond(400, &[], state));
        }
    };
    record.rule = Some(rule.source.clone());
    let params = rule.protect_params()?;
    let unauthenticated = state.status() != AuthStatus::SignedIn
        || state.to_auth(true).is_none() && state.machine().is_none();
    let outcome = rule.adjust(
        protect::protect(state.view(), parts, &params),
        unauthenticated,
    );
    let redirect_to = |location: String| -> Result<Response> {
        let location = redirect::with_dev_browser(
            &location,
            clerk_url,
            &s.config.secret_key,
            request.cookies.get(redirect::DEV_BROWSER_COOKIE),
        );
        respond(
            307,
            &[
                ("location".into(), location),
                (downstream::REDIRECT_TO.into(), "true".into()),
            ],
            state,
        )
    };
    record.outcome = match outcome {
        Protect::Allow => return None,
        Protect::RedirectToSignIn => Outcome::SignInRedirect,
        Protect::Redirect(_) => Outcome::Redirect,
        Protect::Unauthorized { .. } => Outcome::Unauthorized,
        Protect::NotFound => Outcome::NotFound,
    };
    Some(match outcome {
        Protect::Allow => return None,
        Protect::RedirectToSignIn => {
            let pending = state.session().is_some_and(|a| a.is_pending());
            let ctx = RedirectContext::for_config(&s.config, clerk_url, pending);
            match redirect::build(&ctx, Target::SignIn, Some(&clerk_url.href())) {
                Ok(u) => redirect_to(u),
                Err(e) => text(500, &e),
            }
        }
        Protect::Redirect(u) => redirect_to(clerk_url.join(&u).map(|x| x.href()).unwrap_or(u)),
        Protect::Unauthorized { www_authenticate } => {
            let mut extra = Vec::new();
            if www_authenticate {
                let (name, value) = protect::www_authenticate(&s.config.key.frontend_api);
                extra.push((name.to_string(), value));
            }
            respond(401, &extra, state)
        }
        Protect::NotFound => respond(
            404,
            &[(
                downstream::AUTH_REASON.into(),
                crate::token::reason::PROTECT_REWRITE.into(),
            )],
            state,
        ),
    })
}

fn request_data(s: &Settings, state: &RequestState) -> Result<Option<String>> {
    let Some((format, passphrase, gcm)) = &s.encryption else {
        return Ok(None);
    };
    let mut data = s.request_data.clone();
    if let (Some(m), Some(obj)) = (state.machine(), data.as_object_mut()) {
        obj.insert("machineAuthObject".into(), m.clone());
    }
    let plain = data.to_string();
    match (format, gcm) {
        (RequestDataFormat::Gcm, Some(k)) => request_data::seal_gcm(k, &plain),
        _ => request_data::seal_clerk(passphrase, &plain),
    }
    .map(Some)
    .map_err(worker::Error::RustError)
}

#[allow(clippy::too_many_arguments)]
async fn forward(
    req: Request,
    url: &Url,
    env: &Env,
    s: &Settings,
    inbound: &[(String, String)],
    state: &RequestState,
    clerk_url: &Url,
    record: &mut Record,
) -> Result<Response> {
    let mut forwarded = downstream::forwarded_headers(
        state.view(),
        &clerk_url.href(),
        &s.config.secret_key,
        request_data(s, state)?,
    );
    // Binds the set to this request and this moment, so it cannot be replayed elsewhere or later.
    let edge = super::edge_sign::header(s, req.method().as_ref(), url, &forwarded);
    forwarded.push(edge);
    #[cfg(feature = "demo")]
    if s.origin == Origin::Demo {
        let mut seen: Vec<(String, String)> = inbound.to_vec();
        seen.extend(forwarded.iter().cloned());
        let body = demo::describe(
            s,
            req.method().as_ref(),
            &format!("{}{}", url.pathname(), url.search()),
            &seen,
        );
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        append_all(&headers, &state.headers)?;
        return Ok(
            Response::ok(serde_json::to_string_pretty(&body).unwrap_or_default())?
                .with_headers(headers),
        );
    }
    let host = clerk_url.host();
    let client_ip = req.headers().get("cf-connecting-ip")?;
    let view = PublicView {
        host: &host,
        scheme: clerk_url.scheme(),
        client_ip: client_ip.as_deref(),
    };
    let headers = Headers::new();
    append_all(
        &headers,
        &upstream::origin_headers(inbound, &forwarded, &view, s.trust_forwarded_headers),
    )?;
    let sent = send_to_origin(env, s, url, &proxied(&req, headers)).await;
    // An unreachable origin is the origin's failure, not ours: 502, with the state's headers.
    let response = match sent {
        Ok(r) => r,
        Err(e) => {
            console_log!("clerk-edge: origin request failed: {e}");
            record.outcome = Outcome::OriginUnreachable;
            return respond(502, &[], state);
        }
    };
    // The origin's headers are immutable: copy them, then append the state's (Set-Cookie…).
    let out = Headers::new();
    append_all(&out, &response.headers().entries().collect::<Vec<_>>())?;
    append_all(&out, &state.headers)?;
    Ok(response.with_headers(out))
}

/// Sends `init` to the origin at `url`'s path and query: `ORIGIN_URL` or the `ORIGIN` service
/// binding. An error is the origin's failure (the callers answer 502); the demo origin is
/// answered by the callers before they get here.
pub(super) async fn send_to_origin(
    env: &Env,
    s: &Settings,
    url: &Url,
    init: &RequestInit,
) -> Result<Response> {
    match &s.origin {
        Origin::Url(base) => {
            let target = format!("{base}{}{}", url.pathname(), url.search());
            Fetch::Request(Request::new_with_init(&target, init)?)
                .send()
                .await
        }
        Origin::Service => {
            let upstream = Request::new_with_init(&url.href(), init)?;
            env.service("ORIGIN")?.fetch_request(upstream).await
        }
        Origin::Demo => Err(worker::Error::RustError(
            "the demo origin is not fetched".into(),
        )),
    }
}

/// A request to pass on: `req`'s method, these headers, redirects not followed, and the body
/// stream handed over untouched (never read, never buffered).
pub(super) fn proxied(req: &Request, headers: Headers) -> RequestInit {
    let method = req.method();
    let mut init = RequestInit::new();
    init.with_method(method.clone())
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if !matches!(method, Method::Get | Method::Head) {
        let body = js_sys::Reflect::get(req.inner(), &"body".into())
            .ok()
            .filter(|b| !b.is_null() && !b.is_undefined());
        init.with_body(body);
    }
    init
}

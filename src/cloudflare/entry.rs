//! The `fetch` entry: strip spoofable headers, authenticate, enforce route rules, proxy.

use super::backend;
use super::demo;
use super::settings::{Origin, RequestDataFormat, Settings};
use crate::cache::CachingVerifier;
use crate::downstream;
use crate::protect::{self, Protect};
use crate::redirect::{self, RedirectContext, Target};
use crate::request::RequestParts;
use crate::request_data;
use crate::state::{AuthStatus, RequestState};
use crate::url::Url;
use crate::webcrypto::WebCryptoVerifier;
use crate::{authenticate, AuthError};
use std::rc::Rc;
use worker::{
    console_log, event, Context, Env, Fetch, Headers, Method, Request, RequestInit,
    RequestRedirect, Response, Result,
};

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
    let settings = match settings(&env) {
        Ok(s) => s,
        Err(e) => {
            console_log!("{e}");
            return text(500, &e);
        }
    };
    match handle(req, &env, &settings).await {
        Ok(r) => Ok(r),
        Err(e) => {
            console_log!("clerk-edge: {e}");
            text(500, "clerk-edge: internal error")
        }
    }
}

async fn handle(req: Request, env: &Env, s: &Settings) -> Result<Response> {
    let url = req.inner().url();
    // The Frontend API proxy: not authenticated, no route rule.
    if let Some(p) = s.frontend_api_proxy.as_ref().filter(|p| p.matches(&url)) {
        return super::fapi_proxy::serve(req, &url, s, p).await;
    }
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
    let parts = RequestParts {
        method: method.clone(),
        url: url.clone(),
        headers: for_auth,
    };
    let now_ms = worker::Date::now().as_millis() as f64;
    let backend = backend::backend(&s.api_url, &s.config.secret_key, now_ms);
    let verifier = VERIFIER.with(Rc::clone);
    let state = match authenticate(&parts, &s.config, now_ms, verifier.as_ref(), &backend).await {
        Ok(st) => st,
        Err(AuthError::InvalidRequestUrl) => return text(400, "Bad Request"),
        Err(AuthError::Fatal(m)) => {
            console_log!("clerk-edge: {m}");
            return text(500, &m);
        }
    };
    if s.debug {
        console_log!(
            "clerk-edge: {} {} -> {} {}",
            method,
            Url::parse(&url)
                .map(|u| u.pathname().to_string())
                .unwrap_or_default(),
            state.status.as_str(),
            state.reason.as_deref().unwrap_or("")
        );
        for d in &state.diagnostics {
            console_log!("{}", d.message());
        }
    }
    // Handshakes and development handshake resolutions redirect; the origin is not called.
    if state.location().is_some() {
        return respond(307, &[], &state);
    }
    let clerk_url = crate::request::public_url(
        &Url::parse(&url).ok_or_else(|| worker::Error::RustError("bad url".into()))?,
        &parts,
    );
    if let Some(outcome) = route_outcome(s, &parts, &state, &clerk_url) {
        return outcome;
    }
    forward(req, env, s, &inbound, &state, &clerk_url).await
}

/// Route rules → `protect()` → the response for a request that falls short, if any.
fn route_outcome(
    s: &Settings,
    parts: &RequestParts,
    state: &RequestState,
    clerk_url: &Url,
) -> Option<Result<Response>> {
    let path = Url::parse(&parts.url)
        .map(|u| u.pathname().to_string())
        .unwrap_or_default();
    let rule = match s.routes.find(&path) {
        Ok(Some(rule)) => rule,
        Ok(None) => return None,
        Err(_) => return Some(respond(400, &[], state)),
    };
    let params = rule.protect_params()?;
    let unauthenticated = state.status != AuthStatus::SignedIn
        || state.to_auth(true).is_none() && state.machine.is_none();
    let outcome = rule.adjust(protect::protect(state, parts, &params), unauthenticated);
    let redirect_to = |location: String| -> Result<Response> {
        let dev_browser =
            crate::cookies::Cookies::parse(&parts.header("cookie").unwrap_or_default())
                .get("__clerk_db_jwt")
                .map(str::to_string);
        let location = redirect::with_dev_browser(
            &location,
            clerk_url,
            &s.config.secret_key,
            dev_browser.as_deref(),
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
    Some(match outcome {
        Protect::Allow => return None,
        Protect::RedirectToSignIn => {
            let ctx = RedirectContext {
                base_url: clerk_url,
                sign_in_url: s.config.sign_in_url.as_deref(),
                sign_up_url: s.config.sign_up_url.as_deref(),
                publishable_key: &s.config.publishable_key,
                is_satellite: s.config.is_satellite,
                dev_browser_token: None,
                session_pending: state.session.as_ref().is_some_and(|a| a.is_pending()),
            };
            match redirect::build(&ctx, Target::SignIn, Some(&clerk_url.href())) {
                Ok(u) => redirect_to(u),
                Err(e) => text(500, &e),
            }
        }
        Protect::Redirect(u) => redirect_to(clerk_url.join(&u).map(|x| x.href()).unwrap_or(u)),
        Protect::Unauthorized { www_authenticate } => {
            let mut extra = Vec::new();
            if www_authenticate {
                extra.push((
                    "www-authenticate".to_string(),
                    format!("Bearer resource_metadata=\"https://{}/.well-known/oauth-protected-resource\"", s.config.key.frontend_api),
                ));
            }
            respond(401, &extra, state)
        }
        Protect::NotFound => respond(
            404,
            &[(
                downstream::AUTH_REASON.into(),
                crate::reason::PROTECT_REWRITE.into(),
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
    if let (Some(m), Some(obj)) = (&state.machine, data.as_object_mut()) {
        obj.insert("machineAuthObject".into(), m.clone());
    }
    let plain = data.to_string();
    let err = |e: String| worker::Error::RustError(e);
    let sealed = match (format, gcm) {
        (RequestDataFormat::Gcm, Some(k)) => request_data::encrypt_gcm(
            k,
            plain.as_bytes(),
            request_data::random::<12>().map_err(err)?,
        )
        .map_err(err)?,
        _ => request_data::encrypt_clerk(
            passphrase,
            plain.as_bytes(),
            request_data::random::<8>().map_err(err)?,
        ),
    };
    if sealed.len() > request_data::MAX_HEADER_BYTES {
        return Err(err(format!(
            "x-clerk-request-data would be {} bytes (limit {})",
            sealed.len(),
            request_data::MAX_HEADER_BYTES
        )));
    }
    Ok(Some(sealed))
}

async fn forward(
    req: Request,
    env: &Env,
    s: &Settings,
    inbound: &[(String, String)],
    state: &RequestState,
    clerk_url: &Url,
) -> Result<Response> {
    let forwarded = downstream::forwarded_headers(
        state,
        &clerk_url.href(),
        &s.config.secret_key,
        request_data(s, state)?,
    );
    let url =
        Url::parse(&req.inner().url()).ok_or_else(|| worker::Error::RustError("bad url".into()))?;
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
    let headers = Headers::new();
    append_all(&headers, inbound)?;
    if !inbound.iter().any(|(k, _)| k == "x-forwarded-host") {
        headers.set("x-forwarded-host", &clerk_url.host())?;
        headers.set("x-forwarded-proto", clerk_url.scheme())?;
    }
    for (k, v) in &forwarded {
        headers.set(k, v)?;
    }
    let method = req.method();
    let mut init = RequestInit::new();
    init.with_method(method.clone())
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if !matches!(method, Method::Get | Method::Head) {
        // The body stream is handed over untouched: never read, never buffered.
        let body = js_sys::Reflect::get(req.inner(), &"body".into())
            .ok()
            .filter(|b| !b.is_null() && !b.is_undefined());
        init.with_body(body);
    }
    let sent = match &s.origin {
        Origin::Url(base) => {
            let target = format!("{base}{}{}", url.pathname(), url.search());
            Fetch::Request(Request::new_with_init(&target, &init)?)
                .send()
                .await
        }
        Origin::Service => {
            let upstream = Request::new_with_init(&url.href(), &init)?;
            env.service("ORIGIN")?.fetch_request(upstream).await
        }
        Origin::Demo => return text(500, "unreachable"),
    };
    // An unreachable origin is the origin's failure, not ours: 502, with the state's headers.
    let response = match sent {
        Ok(r) => r,
        Err(e) => {
            console_log!("clerk-edge: origin request failed: {e}");
            return respond(502, &[], state);
        }
    };
    // The origin's headers are immutable: copy them, then append the state's (Set-Cookie…).
    let out = Headers::new();
    append_all(&out, &response.headers().entries().collect::<Vec<_>>())?;
    append_all(&out, &state.headers)?;
    Ok(response.with_headers(out))
}

//! The Worker's rendering of API mode and of the CORS policy. The decisions are
//! [`crate::gateway::api_mode`] and [`crate::gateway::cors`]; this only turns them into responses.

use super::settings::{Origin, Settings};
use crate::decide::request::RequestParts;
use crate::decide::state::RequestState;
use crate::downstream;
use crate::gateway::api_mode::{self, ApiDecision, ApiResponse};
use crate::gateway::cors::{self, CorsPolicy};
use crate::gateway::routes::Rule;
use crate::pattern::MalformedUrl;
use crate::web::url::Url;
use worker::{Env, Headers, Request, RequestInit, RequestRedirect, Response, Result};

/// `Some` when the request is an API request: the global API mode, or a matching rule with
/// `api`. Looked up before authentication (API mode changes what the engine sees), and only
/// when API mode is configured at all.
pub(super) fn route<'s>(
    s: &'s Settings,
    pathname: &str,
) -> Option<std::result::Result<Option<&'s Rule>, MalformedUrl>> {
    if !s.api_mode && !s.routes.has_api_rules() {
        return None;
    }
    match s.routes.find(pathname) {
        Ok(Some(rule)) if s.api_mode || rule.api => Some(Ok(Some(rule))),
        Ok(None) if s.api_mode => Some(Ok(None)),
        Err(e) if s.api_mode => Some(Err(e)),
        // Not an API route (a malformed path is the ordinary 400 of the route rules).
        _ => None,
    }
}

/// API mode after authentication, on a state already [`api_mode::sanitize`]d: `None` to go
/// to the origin, else the Worker's JSON answer.
pub(super) fn answer(
    state: &RequestState,
    route: std::result::Result<Option<&Rule>, MalformedUrl>,
    parts: &RequestParts,
) -> Option<Result<Response>> {
    let Ok(rule) = route else {
        return Some(json(400, None, "{\"error\":\"bad_request\"}", state));
    };
    match api_mode::decide(state, rule, parts) {
        ApiDecision::Forward => None,
        ApiDecision::Respond(ApiResponse {
            status,
            www_authenticate,
            body,
        }) => Some(json(status, www_authenticate.as_deref(), &body, state)),
    }
}

fn json(
    status: u16,
    www_authenticate: Option<&str>,
    body: &str,
    state: &RequestState,
) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    if let Some(w) = www_authenticate {
        headers.set("www-authenticate", w)?;
    }
    for (k, v) in &state.headers {
        headers.append(k, v)?;
    }
    Ok(Response::ok(body)?
        .with_status(status)
        .with_headers(headers))
}

/// A CORS preflight (`OPTIONS` + `Access-Control-Request-Method`)?
pub(super) fn is_preflight(req: &Request) -> bool {
    // The method first: every request passes here, and only OPTIONS needs the header.
    req.method() == worker::Method::Options
        && cors::is_preflight(
            "OPTIONS",
            req.headers()
                .get("access-control-request-method")
                .ok()
                .flatten()
                .as_deref(),
        )
}

/// A preflight is never authenticated and never meets a route rule: the Worker answers it from
/// its CORS policy, or, without one, hands it to the origin untouched (minus the reserved
/// `x-clerk-*`/`x-middleware-*` headers, which never reach the origin from outside).
pub(super) async fn preflight(
    req: Request,
    url: &Url,
    env: &Env,
    s: &Settings,
) -> Result<Response> {
    let header = |n: &str| req.headers().get(n).ok().flatten();
    if let Some(policy) = &s.cors {
        let out = Headers::new();
        for (k, v) in policy.preflight(
            header("origin").as_deref(),
            header("access-control-request-headers").as_deref(),
        ) {
            out.append(k, &v)?;
        }
        return Ok(Response::empty()?.with_status(204).with_headers(out));
    }
    let headers = Headers::new();
    for (k, v) in req.headers().entries() {
        if !downstream::is_reserved(&k) {
            headers.append(&k, &v)?;
        }
    }
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if s.origin == Origin::Demo {
        // The demo origin has no CORS of its own.
        return Ok(Response::empty()?.with_status(204));
    }
    let sent = super::entry::send_to_origin(env, s, url, &init).await;
    // As for any proxied request: an unreachable origin is a 502, not our 500.
    sent.or_else(|e| {
        worker::console_log!("clerk-edge: origin request failed: {e}");
        Ok(Response::ok("Bad Gateway")?.with_status(502))
    })
}

/// Adds the policy's headers to a real response (the origin's or the Worker's own): the
/// policy's `Access-Control-*` replace any already there, `Vary` gains `Origin`. A WebSocket
/// handshake (101) is left alone: CORS does not apply to it.
pub(super) fn with_cors(
    response: Response,
    policy: Option<&CorsPolicy>,
    origin: Option<&str>,
) -> Result<Response> {
    let Some(policy) = policy else {
        return Ok(response);
    };
    if response.status_code() == 101 {
        return Ok(response);
    }
    let out = Headers::new();
    let mut vary = None;
    for (k, v) in response.headers().entries() {
        if k == "vary" {
            vary = Some(v);
        } else if !k.starts_with("access-control-") {
            out.append(&k, &v)?;
        }
    }
    for (k, v) in policy.actual(origin) {
        out.set(k, &v)?;
    }
    out.set("vary", &cors::vary_with_origin(vary.as_deref()))?;
    Ok(response.with_headers(out))
}

//! Clerk's Frontend API proxy (clerk-behavior.md "Frontend API proxy", `frontendApiProxy` in `@clerk/nextjs`): requests under
//! a path of the app's own domain (default `/__clerk`) are forwarded to the Frontend API, so
//! clerk-js talks to `https://app.example.com/__clerk/v1/…` instead of `clerk.<domain>`.
//!
//! The one home of the rule: which URL a request goes to, which headers are sent and which come
//! back. Pure (no I/O); the Next shim (`js_api.rs`) and the Worker (`cloudflare/fapi_proxy.rs`)
//! only marshal and fetch. Proxied requests are never authenticated and no route rule applies.

use crate::decide::request::RequestParts;
use crate::token::keys;
use crate::web::url::Url;

pub const DEFAULT_PROXY_PATH: &str = "/__clerk";

/// Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded either way.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// One of Clerk's JSON proxy errors: `{"errors":[{"code","message"}]}` with this status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ProxyError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ProxyError {
            status,
            code,
            message: message.into(),
        }
    }

    /// The response body Clerk sends.
    pub fn body(&self) -> String {
        serde_json::json!({"errors": [{"code": self.code, "message": self.message}]}).to_string()
    }

    /// A failed fetch to the Frontend API.
    pub fn fetch_failed(detail: &str) -> Self {
        ProxyError::new(
            502,
            "proxy_request_failed",
            format!("Failed to proxy request to Clerk FAPI: {detail}"),
        )
    }
}

/// Why no plan was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// Answer with Clerk's JSON error.
    Respond(ProxyError),
    /// The request URL does not parse (a host integration bug).
    InvalidRequestUrl,
}

/// A request under the proxy path, as the host received it.
#[derive(Debug, Clone, Copy)]
pub struct ProxyRequest<'a> {
    pub request_url: &'a str,
    pub headers: &'a [(String, String)],
    /// The proxy path (`/__clerk`; trailing slashes ignored); empty → the default.
    pub proxy_path: &'a str,
    pub publishable_key: &'a str,
    pub secret_key: &'a str,
    /// `CLERK_FAPI_URL` / `fapiUrl`: the Frontend API base instead of the one from the key.
    pub fapi_url: Option<&'a str>,
    /// Whether inbound `X-Forwarded-Host/-Proto` describe the public URL (Next: always, as
    /// Clerk does; the Worker: only with `CLERK_TRUST_FORWARDED_HEADERS`, else they are dropped
    /// and the public origin is the request URL's).
    pub trust_forwarded: bool,
}

/// What to send to the Frontend API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyPlan {
    /// `<FAPI base><path without the proxy prefix><query>`.
    pub url: String,
    /// The headers to send, names as received (each name once).
    pub headers: Vec<(String, String)>,
    pub fapi_base: String,
    pub fapi_host: String,
    /// `<public origin><proxy path>`, also sent as `Clerk-Proxy-Url`.
    pub proxy_url: String,
}

/// How a response header is applied (`Set-Cookie` is appended, everything else set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderOp {
    Set,
    Append,
}

impl HeaderOp {
    pub fn as_str(self) -> &'static str {
        match self {
            HeaderOp::Set => "set",
            HeaderOp::Append => "append",
        }
    }
}

pub fn strip_trailing_slashes(s: &str) -> &str {
    s.trim_end_matches('/')
}

/// The proxy path itself or anything below it (`matchProxyPath`); `proxy_path` without its
/// trailing slashes.
pub fn path_matches(pathname: &str, proxy_path: &str) -> bool {
    let path = strip_trailing_slashes(proxy_path);
    pathname == path
        || pathname
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `fapiUrlFromPublishableKey`: where the proxy forwards to.
pub fn fapi_url_for(publishable_key: &str) -> &'static str {
    const PROD: &str = "https://frontend-api.clerk.dev";
    let fapi = keys::parse_publishable_key(publishable_key)
        .map(|k| k.frontend_api)
        .unwrap_or_default();
    let legacy_dev = [".lcl.dev", ".lclstage.dev", ".lclclerk.com"];
    let local = [
        ".lcl.dev",
        "lclstage.dev",
        ".lclclerk.com",
        ".accounts.lclclerk.com",
    ];
    if fapi.starts_with("clerk.") && legacy_dev.iter().any(|s| fapi.ends_with(s)) {
        PROD
    } else if local.iter().any(|s| fapi.ends_with(s)) {
        "https://frontend-api.lclclerk.com"
    } else if fapi.ends_with(".accountsstage.dev") {
        "https://frontend-api.clerkstage.dev"
    } else {
        PROD
    }
}

/// An http(s) base without credentials, query or fragment; trailing slashes removed.
pub fn normalize_fapi_url(url: &str) -> Result<String, String> {
    let u = Url::parse(url).ok_or_else(|| "Invalid URL".to_string())?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err("FAPI URL must use http or https".into());
    }
    let has_userinfo = !u
        .href()
        .starts_with(&format!("{}://{}", u.scheme(), u.host()));
    if has_userinfo || !u.search().is_empty() || !u.hash().is_empty() {
        return Err("FAPI URL must not include credentials, a query string, or a hash".into());
    }
    Ok(strip_trailing_slashes(&u.href()).to_string())
}

/// Header names a `Connection` header lists (hop-by-hop for this message).
fn connection_listed(headers: &[(String, String)]) -> Vec<String> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("connection"))
        .flat_map(|(_, v)| v.split(','))
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect()
}

fn is_hop_by_hop(lower: &str, listed: &[String]) -> bool {
    HOP_BY_HOP.contains(&lower) || listed.iter().any(|l| l == lower)
}

/// The request to make, or Clerk's error. Checks in Clerk's order: publishable key, secret
/// key, path, FAPI base, target host.
pub fn plan(r: &ProxyRequest<'_>) -> Result<ProxyPlan, PlanError> {
    let respond = |status, code, message: &str| {
        Err(PlanError::Respond(ProxyError::new(status, code, message)))
    };
    let proxy_path = match r.proxy_path {
        "" => DEFAULT_PROXY_PATH,
        p => strip_trailing_slashes(p),
    };
    if r.publishable_key.is_empty() {
        return respond(500, "proxy_configuration_error", "Missing publishableKey. Provide it in options or set CLERK_PUBLISHABLE_KEY environment variable.");
    }
    if r.secret_key.is_empty() {
        return respond(500, "proxy_configuration_error", "Missing secretKey. Provide it in options or set CLERK_SECRET_KEY environment variable.");
    }
    let request = Url::parse(r.request_url)
        .filter(Url::is_special)
        .ok_or(PlanError::InvalidRequestUrl)?;
    let path = request.pathname();
    if !path_matches(path, proxy_path) {
        let message = format!("Request path \"{path}\" does not match proxy path \"{proxy_path}\"");
        return respond(400, "proxy_path_mismatch", &message);
    }
    let base = match normalize_fapi_url(
        r.fapi_url
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| fapi_url_for(r.publishable_key)),
    ) {
        Ok(b) => b,
        Err(m) => return respond(500, "proxy_configuration_error", &m),
    };
    let fapi_host = Url::parse(&base).map(|u| u.host()).unwrap_or_default();
    let target_path = path
        .get(proxy_path.len()..)
        .filter(|p| !p.is_empty())
        .unwrap_or("/");
    let target = Url::parse(&format!("{base}{target_path}{}", request.search()));
    // `/__clerk//evil.example/x` and friends must not leave the Frontend API.
    let Some(target) = target.filter(|t| t.host() == fapi_host) else {
        return respond(
            400,
            "proxy_request_failed",
            "Resolved target does not match the expected host",
        );
    };
    let incoming: Vec<(String, String)> = r
        .headers
        .iter()
        .filter(|(k, _)| {
            r.trust_forwarded
                || !(k.eq_ignore_ascii_case("x-forwarded-host")
                    || k.eq_ignore_ascii_case("x-forwarded-proto"))
        })
        .cloned()
        .collect();
    let listed = connection_listed(&incoming);
    let req = RequestParts::new("GET", &request.href(), incoming);
    let mut headers: Vec<(String, String)> = Vec::with_capacity(req.headers.len() + 6);
    let mut set = |k: &str, v: String| {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
        headers.push((k.to_string(), v));
    };
    for (k, v) in &req.headers {
        if !is_hop_by_hop(&k.to_ascii_lowercase(), &listed) {
            set(k, v.clone());
        }
    }
    let first = |name: &str| {
        req.header(name)
            .and_then(|v| v.split(',').next().map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
    };
    let public_origin = match (first("x-forwarded-proto"), first("x-forwarded-host")) {
        (Some(proto), Some(host)) => format!("{proto}://{host}"),
        _ => request.origin(),
    };
    let proxy_url = format!("{public_origin}{proxy_path}");
    set("Clerk-Proxy-Url", proxy_url.clone());
    set("Clerk-Secret-Key", r.secret_key.to_string());
    set("Host", fapi_host.clone());
    set("Accept-Encoding", "identity".into());
    if req.header("x-forwarded-host").is_none() {
        set("X-Forwarded-Host", request.host());
    }
    if req.header("x-forwarded-proto").is_none() {
        set("X-Forwarded-Proto", request.scheme().to_string());
    }
    let client_ip = ["cf-connecting-ip", "x-real-ip"]
        .iter()
        .find_map(|h| req.header(h).filter(|v| !v.is_empty()))
        .or_else(|| first("x-forwarded-for"));
    if let Some(ip) = client_ip {
        set("X-Forwarded-For", ip);
    }
    Ok(ProxyPlan {
        url: target.href(),
        headers,
        fapi_base: base,
        fapi_host,
        proxy_url,
    })
}

/// The headers of the Frontend API's response as the browser gets them: hop-by-hop headers and
/// `content-encoding` / `content-length` dropped (the body is passed on decoded), every
/// `Set-Cookie` kept, and a `Location` on the Frontend API host rewritten to go through the
/// proxy. Redirects are never followed: a 3xx goes back to the browser as is.
pub fn response_headers(
    headers: &[(String, String)],
    plan_base: &str,
    fapi_host: &str,
    proxy_url: &str,
) -> Vec<(HeaderOp, String, String)> {
    let listed = connection_listed(headers);
    let mut ops = Vec::with_capacity(headers.len() + 1);
    for (k, v) in headers {
        let lower = k.to_ascii_lowercase();
        if is_hop_by_hop(&lower, &listed)
            || matches!(lower.as_str(), "content-encoding" | "content-length")
        {
            continue;
        }
        let op = if lower == "set-cookie" {
            HeaderOp::Append
        } else {
            HeaderOp::Set
        };
        ops.push((op, k.clone(), v.clone()));
    }
    let location = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.as_str());
    if let Some(u) = location.and_then(|loc| Url::parse(plan_base).and_then(|b| b.join(loc))) {
        if u.host() == fapi_host {
            let rewritten = format!("{proxy_url}{}{}{}", u.pathname(), u.search(), u.hash());
            ops.push((HeaderOp::Set, "location".into(), rewritten));
        }
    }
    ops
}

/// The Worker's `CLERK_FRONTEND_API_PROXY` (+ `CLERK_FAPI_URL`), validated at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontendApiProxy {
    /// `/__clerk`: starts with `/`, no trailing slash, not the root.
    pub path: String,
    /// The Frontend API base (from the publishable key, or `CLERK_FAPI_URL`).
    pub fapi_url: String,
}

impl FrontendApiProxy {
    /// `Ok(None)` when the proxy is off. Errors name the setting; values here are not secrets,
    /// but the messages do not echo them either.
    pub fn from_settings(
        path: Option<&str>,
        fapi_url: Option<&str>,
        publishable_key: &str,
    ) -> Result<Option<FrontendApiProxy>, (&'static str, String)> {
        let Some(raw) = path.map(str::trim).filter(|p| !p.is_empty()) else {
            return match fapi_url {
                Some(_) => Err((
                    "CLERK_FAPI_URL",
                    "is only used by the Frontend API proxy: set CLERK_FRONTEND_API_PROXY too"
                        .into(),
                )),
                None => Ok(None),
            };
        };
        let p = strip_trailing_slashes(raw);
        let well_formed = raw.starts_with('/')
            && !p.is_empty()
            && !p.contains(['?', '#', '%', '\\', ' '])
            && !p.contains("//")
            && !p.split('/').any(|seg| seg == "." || seg == "..");
        if !well_formed {
            return Err((
                "CLERK_FRONTEND_API_PROXY",
                "must be a path below the root, such as /__clerk (no query, fragment, escapes or dot segments)".into(),
            ));
        }
        let fapi_url = normalize_fapi_url(
            fapi_url.unwrap_or_else(|| fapi_url_for(publishable_key)),
        )
        .map_err(|m| {
            (
                "CLERK_FAPI_URL",
                format!(
                    "{m} (expected an http(s) base URL such as https://frontend-api.clerk.dev)"
                ),
            )
        })?;
        Ok(Some(FrontendApiProxy {
            path: p.to_string(),
            fapi_url,
        }))
    }

    /// Whether this request URL is served by the proxy.
    pub fn matches(&self, request_url: &str) -> bool {
        Url::parse(request_url).is_some_and(|u| path_matches(u.pathname(), &self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PK: &str = "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"; // clerk.example.com
    const SK: &str = "sk_live_proxy";

    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn request<'a>(url: &'a str, headers: &'a [(String, String)]) -> ProxyRequest<'a> {
        ProxyRequest {
            request_url: url,
            headers,
            proxy_path: "/__clerk",
            publishable_key: PK,
            secret_key: SK,
            fapi_url: None,
            trust_forwarded: true,
        }
    }

    fn error(r: &ProxyRequest<'_>) -> ProxyError {
        match plan(r) {
            Err(PlanError::Respond(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn target_and_exact_header_set() {
        let incoming = kv(&[
            ("Accept", "application/json"),
            ("Cookie", "__client=1"),
            ("Connection", "keep-alive, X-Drop"),
            ("X-Drop", "1"),
            ("Keep-Alive", "timeout=5"),
            ("Transfer-Encoding", "chunked"),
            ("Accept-Encoding", "gzip"),
            ("X-Real-IP", "192.0.2.9"),
            ("X-Forwarded-For", "198.51.100.7, 10.0.0.1"),
        ]);
        let p = plan(&request(
            "https://app.example.com/__clerk/v1/client?_clerk_js_version=5",
            &incoming,
        ))
        .unwrap();
        assert_eq!(
            p.url,
            "https://frontend-api.clerk.dev/v1/client?_clerk_js_version=5"
        );
        assert_eq!(p.proxy_url, "https://app.example.com/__clerk");
        assert_eq!(
            (p.fapi_base.as_str(), p.fapi_host.as_str()),
            ("https://frontend-api.clerk.dev", "frontend-api.clerk.dev")
        );
        assert_eq!(
            p.headers,
            kv(&[
                ("Accept", "application/json"),
                ("Cookie", "__client=1"),
                ("X-Real-IP", "192.0.2.9"),
                ("Clerk-Proxy-Url", "https://app.example.com/__clerk"),
                ("Clerk-Secret-Key", SK),
                ("Host", "frontend-api.clerk.dev"),
                ("Accept-Encoding", "identity"),
                ("X-Forwarded-Host", "app.example.com"),
                ("X-Forwarded-Proto", "https"),
                ("X-Forwarded-For", "192.0.2.9"),
            ])
        );
        // The proxy path alone is the Frontend API root.
        let p = plan(&request("https://app.example.com/__clerk", &[])).unwrap();
        assert_eq!(p.url, "https://frontend-api.clerk.dev/");
    }

    #[test]
    fn forwarded_headers_only_when_trusted() {
        let incoming = kv(&[
            ("x-forwarded-host", "public.example.com"),
            ("x-forwarded-proto", "https"),
            ("cf-connecting-ip", "203.0.113.5"),
        ]);
        let url = "http://internal:8787/__clerk/v1/environment";
        let trusted = plan(&request(url, &incoming)).unwrap();
        assert_eq!(trusted.proxy_url, "https://public.example.com/__clerk");
        let get = |p: &ProxyPlan, n: &str| {
            p.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            get(&trusted, "x-forwarded-host").as_deref(),
            Some("public.example.com")
        );
        let untrusted = plan(&ProxyRequest {
            trust_forwarded: false,
            ..request(url, &incoming)
        })
        .unwrap();
        assert_eq!(untrusted.proxy_url, "http://internal:8787/__clerk");
        assert_eq!(
            get(&untrusted, "x-forwarded-host").as_deref(),
            Some("internal:8787")
        );
        assert_eq!(
            get(&untrusted, "x-forwarded-proto").as_deref(),
            Some("http")
        );
        assert_eq!(
            get(&untrusted, "x-forwarded-for").as_deref(),
            Some("203.0.113.5")
        );
    }

    #[test]
    fn clerk_errors_in_clerk_order() {
        let url = "https://app.example.com/__clerk/v1/client";
        let e = error(&ProxyRequest {
            publishable_key: "",
            secret_key: "",
            ..request(url, &[])
        });
        assert_eq!((e.status, e.code), (500, "proxy_configuration_error"));
        assert!(e.message.starts_with("Missing publishableKey."));
        let e = error(&ProxyRequest {
            secret_key: "",
            ..request(url, &[])
        });
        assert!(e.message.starts_with("Missing secretKey."));
        let e = error(&request("https://app.example.com/__clerkx", &[]));
        assert_eq!(
            (e.status, e.code, e.message.as_str()),
            (
                400,
                "proxy_path_mismatch",
                "Request path \"/__clerkx\" does not match proxy path \"/__clerk\""
            )
        );
        assert_eq!(
            e.body(),
            r#"{"errors":[{"code":"proxy_path_mismatch","message":"Request path \"/__clerkx\" does not match proxy path \"/__clerk\""}]}"#
        );
        let e = error(&ProxyRequest {
            fapi_url: Some("ftp://fapi.example"),
            ..request(url, &[])
        });
        assert_eq!(
            (e.status, e.message.as_str()),
            (500, "FAPI URL must use http or https")
        );
        // The target is built on the base, so a path cannot name another host.
        let p = plan(&request(
            "https://app.example.com/__clerk//evil.example/x",
            &[],
        ))
        .unwrap();
        assert_eq!(p.url, "https://frontend-api.clerk.dev//evil.example/x");
        assert_eq!(
            plan(&request("not a url", &[])),
            Err(PlanError::InvalidRequestUrl)
        );
    }

    #[test]
    fn response_headers_drop_hop_by_hop_keep_cookies_rewrite_location() {
        let received = kv(&[
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
            ("content-length", "10"),
            ("connection", "keep-alive, x-fapi"),
            ("x-fapi", "yes"),
            ("set-cookie", "__client=abc; Path=/; HttpOnly"),
            ("set-cookie", "__client_uat=1; Path=/"),
            ("location", "/v1/next?step=2#frag"),
        ]);
        let ops = response_headers(
            &received,
            "https://frontend-api.clerk.dev",
            "frontend-api.clerk.dev",
            "https://app.example.com/__clerk",
        );
        let expect = |op, k: &str, v: &str| (op, k.to_string(), v.to_string());
        assert_eq!(
            ops,
            vec![
                expect(HeaderOp::Set, "content-type", "application/json"),
                expect(
                    HeaderOp::Append,
                    "set-cookie",
                    "__client=abc; Path=/; HttpOnly"
                ),
                expect(HeaderOp::Append, "set-cookie", "__client_uat=1; Path=/"),
                expect(HeaderOp::Set, "location", "/v1/next?step=2#frag"),
                expect(
                    HeaderOp::Set,
                    "location",
                    "https://app.example.com/__clerk/v1/next?step=2#frag"
                ),
            ]
        );
        let away = response_headers(
            &kv(&[("location", "https://accounts.example.com/sign-in")]),
            "https://frontend-api.clerk.dev",
            "frontend-api.clerk.dev",
            "https://app.example.com/__clerk",
        );
        assert_eq!(away.len(), 1, "another host's Location is left alone");
    }

    #[test]
    fn worker_setting() {
        let ok = FrontendApiProxy::from_settings(Some("/__clerk/"), None, PK)
            .unwrap()
            .unwrap();
        assert_eq!(
            ok,
            FrontendApiProxy {
                path: "/__clerk".into(),
                fapi_url: "https://frontend-api.clerk.dev".into()
            }
        );
        assert!(ok.matches("https://a.example/__clerk"));
        assert!(ok.matches("https://a.example/__clerk/v1/client?x=1"));
        assert!(!ok.matches("https://a.example/__clerkish"));
        assert!(!ok.matches("https://a.example/app/__clerk"));
        let local =
            FrontendApiProxy::from_settings(Some("/clerk"), Some("http://127.0.0.1:9/"), PK)
                .unwrap()
                .unwrap();
        assert_eq!(local.fapi_url, "http://127.0.0.1:9");
        assert_eq!(FrontendApiProxy::from_settings(None, None, PK), Ok(None));
        for bad in [
            "__clerk", "/", "//", "/a?b", "/a#b", "/a/../b", "/a%2fb", "/a//b",
        ] {
            let e = FrontendApiProxy::from_settings(Some(bad), None, PK).unwrap_err();
            assert_eq!(e.0, "CLERK_FRONTEND_API_PROXY", "{bad}");
        }
        let e =
            FrontendApiProxy::from_settings(Some("/__clerk"), Some("https://u:p@fapi.example"), PK)
                .unwrap_err();
        assert_eq!(e, ("CLERK_FAPI_URL", "FAPI URL must not include credentials, a query string, or a hash (expected an http(s) base URL such as https://frontend-api.clerk.dev)".into()));
        assert_eq!(
            FrontendApiProxy::from_settings(None, Some("http://x"), PK)
                .unwrap_err()
                .0,
            "CLERK_FAPI_URL"
        );
    }
}

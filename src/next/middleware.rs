//! One request through `clerkMiddleware()` (clerk-behavior.md "Middleware pipeline"): [`begin`] before authentication (keys, the
//! path rule, the Frontend API proxy, the configuration), [`Pending::decide`] after it (Clerk's
//! redirects), then a [`Decision`] that answers the handler's `auth()` / `auth.protect()`, turns
//! what it threw into a response, and decorates the final response ([`Decision::finish`]). The
//! host only awaits `authenticate` and calls user code in between.

use crate::decide::config::Config;
use crate::decide::protect::{self, Protect, ProtectParams};
use crate::decide::redirect::{self, RedirectContext, Target};
use crate::decide::request::{self, RequestParts};
use crate::decide::state::{AuthStatus, RequestState};
use crate::downstream;
use crate::downstream::request_data;
use crate::gateway::{fapi_proxy, path_policy};
use crate::host::http_backend::api_headers;
use crate::next::auth_object::{self, AuthObject};
use crate::next::control_flow::{self, Caught, Thrown};
use crate::next::csp;
use crate::next::options::{MiddlewareOptions, Resolved};
use crate::next::response::{self, Op};
use crate::token::auth::HasParams;
use crate::token::kind::{Accepts, TokenType};
use crate::web::cookies::Cookies;
use crate::web::url::Url;
use serde_json::{Map, Value};
use std::rc::Rc;

/// What to do before authenticating.
// One per request, returned once: boxing the common variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Begin {
    /// 400 with this body (clerk-edge's path rule, applied before the handler: a path decoding
    /// to a control character would slip past every route pattern's `.`).
    Refuse(String),
    /// Forward to the Frontend API (clerk-behavior.md "Frontend API proxy"), unauthenticated; or Clerk's JSON error.
    Proxy(Result<fapi_proxy::ProxyPlan, fapi_proxy::ProxyError>),
    /// Authenticate, then [`Pending::decide`].
    Authenticate(Pending),
}

/// A request ready to authenticate.
#[derive(Debug)]
pub struct Pending {
    pub options: Rc<MiddlewareOptions>,
    pub config: Rc<Config>,
    pub request: RequestParts,
    pub clerk_url: Url,
    request_url: Url,
}

/// clerk-behavior.md "Middleware pipeline" steps 2, 3 and 7.
pub fn begin(
    options: &Rc<MiddlewareOptions>,
    request: RequestParts,
    resolved: &Resolved,
) -> Result<Begin, String> {
    options.assert_keys()?;
    let request_url = Url::parse(&request.url)
        .ok_or_else(|| format!("Invalid URL (request): {}", request.url))?;
    if path_policy::has_control_character(request_url.pathname()) {
        return Ok(Begin::Refuse(path_policy::Refusal::ControlCharacter.body()));
    }
    if let Some(path) = options.proxy_path_for(request_url.hostname(), resolved) {
        if fapi_proxy::path_matches(request_url.pathname(), path) {
            let plan = fapi_proxy::plan(&fapi_proxy::ProxyRequest {
                request_url: &request.url,
                headers: &request.headers,
                proxy_path: path,
                publishable_key: &options.publishable_key,
                secret_key: &options.secret_key,
                fapi_url: Some(options.env.fapi_url.as_str()).filter(|u| !u.is_empty()),
                // Clerk's Next SDK believes X-Forwarded-Host/-Proto.
                trust_forwarded: true,
            });
            return match plan {
                Ok(p) => Ok(Begin::Proxy(Ok(p))),
                Err(fapi_proxy::PlanError::Respond(e)) => Ok(Begin::Proxy(Err(e))),
                Err(fapi_proxy::PlanError::InvalidRequestUrl) => {
                    Err(format!("Invalid URL (request): {}", request.url))
                }
            };
        }
    }
    let clerk_url = request::public_url(&request_url, &request);
    let config = options.config(&clerk_url, &request_url, resolved)?;
    Ok(Begin::Authenticate(Pending {
        options: Rc::clone(options),
        config,
        request,
        clerk_url,
        request_url,
    }))
}

/// After authentication.
#[derive(Debug)]
pub enum Decided {
    /// clerk-behavior.md "Middleware pipeline" step 8: a handshake or another Clerk redirect; the handler does not run. The
    /// headers exclude `location`.
    Redirect {
        location: String,
        headers: Vec<(String, String)>,
    },
    /// The handler runs against this decision.
    Next(Box<Decision>),
}

impl Pending {
    pub fn decide(self, state: RequestState, now_ms: f64) -> Result<Decided, String> {
        if let Some(location) = state.location() {
            let location = if self.options.env.netlify {
                response::netlify_cache_bust(location, &self.options.publishable_key, now_ms)
            } else {
                location.to_string()
            };
            let headers = state
                .headers
                .iter()
                .filter(|(k, _)| k != "location")
                .cloned()
                .collect();
            return Ok(Decided::Redirect { location, headers });
        }
        if state.status() == AuthStatus::Handshake {
            return Err("Clerk: handshake status without redirect".into());
        }
        Ok(Decided::Next(Box::new(Decision {
            options: self.options,
            config: self.config,
            state,
            request: self.request,
            clerk_url: self.clerk_url,
            request_url: self.request_url,
        })))
    }
}

/// The response headers `finish` needs (`null` when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseView {
    pub override_headers: Option<String>,
    pub next: Option<String>,
    pub rewrite: Option<String>,
    pub location: Option<String>,
    /// `x-clerk-redirect-to`.
    pub redirect_to: Option<String>,
}

/// How the final response changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finish {
    pub ops: Vec<Op>,
    /// clerk-behavior.md "Dev-browser redirects": answer `NextResponse.redirect(url, response)` instead.
    pub redirect: Option<String>,
    /// The generated CSP headers (for the debug log).
    pub csp: Vec<(String, String)>,
}

/// A signed-in/out (or machine) request the handler runs against.
#[derive(Debug)]
pub struct Decision {
    options: Rc<MiddlewareOptions>,
    config: Rc<Config>,
    state: RequestState,
    request: RequestParts,
    clerk_url: Url,
    request_url: Url,
}

/// `getToken({ template, expiresInSeconds })`: the Backend API request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub url: String,
    pub headers: [(&'static str, String); 4],
    pub body: Option<String>,
}

/// `encodeURIComponent`.
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Decision {
    pub fn state(&self) -> &RequestState {
        &self.state
    }

    /// Whether `finish` needs a fresh nonce (a strict `contentSecurityPolicy`).
    pub fn strict_csp(&self) -> bool {
        self.options.csp.as_ref().is_some_and(|c| c.strict)
    }

    pub fn clerk_url(&self) -> &Url {
        &self.clerk_url
    }

    pub fn diagnostics(&self) -> impl Iterator<Item = String> + '_ {
        self.state.diagnostics.iter().map(|d| d.message())
    }

    /// `auth(options)` in the handler.
    pub fn to_auth(&self, treat_pending: bool, accepts: &Accepts) -> AuthObject {
        auth_object::to_auth(self.state.view(), treat_pending, accepts)
    }

    /// `has()` of the signed-in session object (false without a session).
    pub fn has(&self, params: &HasParams) -> bool {
        self.state.session().is_some_and(|s| s.has(params))
    }

    /// `auth.protect()` (clerk-behavior.md "auth() and auth.protect()"); the caller asks a predicate argument and passes its answer.
    pub fn protect(&self, params: &ProtectParams) -> Protect {
        protect::protect(self.state.view(), &self.request, params)
    }

    /// `auth().debug()`'s data: the authenticate options (the outcome is added by the caller
    /// after them, in Clerk's order).
    pub fn debug_options(&self) -> Map<String, Value> {
        self.options.debug_options(&self.config)
    }

    pub fn token_request(
        &self,
        session_id: &str,
        template: Option<&str>,
        expires_in_seconds: Option<&Value>,
    ) -> TokenRequest {
        let mut path = format!("sessions/{}/tokens", encode_component(session_id));
        if let Some(t) = template.filter(|t| !t.is_empty()) {
            path.push('/');
            path.push_str(&encode_component(t));
        }
        // `apiVersion || CLERK_API_VERSION` (default `v1`), as the Backend API client uses.
        TokenRequest {
            url: format!(
                "{}/{}/{path}",
                self.config.api_url.trim_end_matches('/'),
                self.config.api_version
            ),
            headers: api_headers(&self.options.secret_key),
            body: expires_in_seconds.map(|v| format!("{{\"expires_in_seconds\":{v}}}")),
        }
    }

    /// What the handler threw (clerk-behavior.md "auth() and auth.protect()"), as a response.
    pub fn catch(&self, thrown: &Thrown, now_ms: f64) -> Caught {
        let www = (self.state.token_type() == Some(TokenType::OauthToken))
            .then(|| protect::www_authenticate(&self.config.key.frontend_api));
        control_flow::catch(thrown, www, now_ms)
    }

    /// The sign-in/up URL of `redirectToSignIn/Up` (clerk-behavior.md "Sign-in and sign-up redirect URLs").
    pub fn sign_in_url(
        &self,
        sign_up: bool,
        return_back_url: Option<&str>,
    ) -> Result<String, String> {
        let pending = self.state.session().is_some_and(|s| s.is_pending());
        let ctx = RedirectContext::for_config(&self.config, &self.clerk_url, pending);
        let target = if sign_up {
            Target::SignUp
        } else {
            Target::SignIn
        };
        redirect::build(&ctx, target, return_back_url)
    }

    /// clerk-behavior.md "Middleware pipeline" steps 11–13 and clerk-behavior.md "Forwarded headers"/clerk-behavior.md "Request data encryption"/clerk-behavior.md "Content-Security-Policy": the state's headers, the CSP, the dev-browser
    /// redirect, and the decorated request the application server receives. `nonce`: fresh
    /// random bytes for a strict CSP.
    pub fn finish(&self, r: &ResponseView, nonce: Option<&str>) -> Result<Finish, String> {
        let o = &self.options;
        let mut out = Finish::default();
        let mut override_list = r.override_headers.clone().unwrap_or_default();
        let decorate = |ops: &mut Vec<Op>, list: &mut String, added: &[(String, String)]| {
            let (more, new_list) = response::override_ops(list, &self.request.headers, added);
            ops.extend(more);
            *list = new_list;
        };
        if let Some(c) = &o.csp {
            let production = o.env.node_env.as_deref() == Some("production");
            let headers = csp::headers(c, &self.config.key.frontend_api, nonce, production);
            out.ops
                .extend(headers.iter().map(|(k, v)| Op::Set(k.clone(), v.clone())));
            decorate(&mut out.ops, &mut override_list, &headers);
            if o.debug {
                out.csp = headers;
            }
        }
        out.ops.extend(
            self.state
                .headers
                .iter()
                .map(|(k, v)| Op::Append(k.clone(), v.clone())),
        );
        let location = r.location.as_deref().filter(|l| !l.is_empty());
        if let Some(location) = location {
            if r.redirect_to.as_deref() == Some("true") {
                let secret = o
                    .options
                    .get("secretKey")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let cookies = Cookies::parse(&self.request.header("cookie").unwrap_or_default());
                let db = cookies.get(redirect::DEV_BROWSER_COOKIE);
                let with_db = redirect::with_dev_browser(location, &self.clerk_url, secret, db);
                if with_db != location {
                    out.redirect = Some(with_db);
                }
            }
            return Ok(out);
        }
        let debug: Vec<(String, String)> = if o.debug {
            vec![(downstream::DEBUG.to_string(), "true".to_string())]
        } else {
            Vec::new()
        };
        let target =
            response::rewrite_target(r.next.as_deref(), r.rewrite.as_deref(), &self.request_url)?;
        let Some(rewrite) = target.rewrite else {
            if !debug.is_empty() {
                decorate(&mut out.ops, &mut override_list, &debug);
            }
            if target.delete_next {
                out.ops.push(Op::Delete(response::NEXT.to_string()));
            }
            return Ok(out);
        };
        if target.delete_next {
            out.ops.push(Op::Delete(response::NEXT.to_string()));
        }
        // clerk-behavior.md "Request data encryption": the user's options (and a machine auth object) travel encrypted.
        let machine = auth_object::machine_auth_object_json(self.state.view());
        let sealed = match o.request_data(machine.as_deref()) {
            Some(data) => Some(request_data::seal_clerk(o.request_data_key()?, &data)?),
            None => None,
        };
        let mut forwarded = debug;
        forwarded.extend(downstream::forwarded_headers(
            self.state.view(),
            &self.clerk_url.href(),
            &o.signing_key,
            sealed,
        ));
        decorate(&mut out.ops, &mut override_list, &forwarded);
        out.ops
            .push(Op::Set(response::REWRITE.to_string(), rewrite));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::next::options::NextEnv;
    use serde_json::json;

    const PK: &str = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k"; // clerk.example.com

    fn options(params: &str, env: NextEnv) -> Rc<MiddlewareOptions> {
        Rc::new(MiddlewareOptions::new(params, env, false, &[]).unwrap())
    }

    fn env() -> NextEnv {
        NextEnv {
            publishable_key: PK.into(),
            secret_key: "sk_test_1".into(),
            ..NextEnv::default()
        }
    }

    fn pending(o: &Rc<MiddlewareOptions>, url: &str, headers: &[(&str, &str)]) -> Pending {
        let h = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match begin(o, RequestParts::new("GET", url, h), &Resolved::default()).unwrap() {
            Begin::Authenticate(p) => p,
            other => panic!("{other:?}"),
        }
    }

    fn decision(p: Pending, state: RequestState) -> Decision {
        match p.decide(state, 0.0).unwrap() {
            Decided::Next(d) => *d,
            other => panic!("{other:?}"),
        }
    }

    fn signed_out() -> RequestState {
        RequestState::signed_out("session-token-and-uat-missing", "", vec![])
    }

    #[test]
    fn refusal_and_missing_keys_come_first() {
        let o = options("{}", NextEnv::default());
        let e = begin(
            &o,
            RequestParts::new("GET", "https://a.example/", vec![]),
            &Resolved::default(),
        );
        assert!(e
            .unwrap_err()
            .starts_with("@clerk/nextjs: Clerk keys are missing"));
        let o = options("{}", env());
        match begin(
            &o,
            RequestParts::new("GET", "https://a.example/x%0a", vec![]),
            &Resolved::default(),
        ) {
            Ok(Begin::Refuse(body)) => assert_eq!(body, "Bad Request: control-character"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn frontend_api_proxy_before_authentication() {
        let o = options(r#"{"frontendApiProxy":{"enabled":true}}"#, env());
        match begin(
            &o,
            RequestParts::new("GET", "https://a.example/__clerk/v1/client", vec![]),
            &Resolved::default(),
        ) {
            Ok(Begin::Proxy(Ok(plan))) => assert!(plan.url.ends_with("/v1/client"), "{}", plan.url),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn next_decorates_with_signed_forwarded_headers() {
        let o = options("{}", env());
        let p = pending(
            &o,
            "http://localhost:3000/a",
            &[
                ("host", "app.example"),
                ("x-forwarded-proto", "https"),
                ("accept", "*/*"),
            ],
        );
        assert_eq!(p.clerk_url.href(), "https://app.example/a");
        let d = decision(p, signed_out());
        let view = ResponseView {
            next: Some("1".into()),
            ..ResponseView::default()
        };
        let f = d.finish(&view, None).unwrap();
        assert_eq!(f.redirect, None);
        assert!(f.ops.contains(&Op::Delete(response::NEXT.into())));
        assert_eq!(
            f.ops.last(),
            Some(&Op::Set(
                response::REWRITE.into(),
                "http://localhost:3000/a".into()
            ))
        );
        let list = f.ops.iter().find_map(|op| match op {
            Op::Set(k, v) if k == response::OVERRIDE => Some(v.clone()),
            _ => None,
        });
        assert_eq!(
            list.as_deref(),
            Some("accept,host,x-forwarded-proto,x-clerk-auth-status,x-clerk-auth-token,x-clerk-auth-signature,x-clerk-auth-message,x-clerk-auth-reason,x-clerk-clerk-url")
        );
        assert!(f.ops.contains(&Op::Set(
            "x-middleware-request-x-clerk-clerk-url".into(),
            "https://app.example/a".into()
        )));
        // No options with values, no machine object: no request data.
        assert!(!f
            .ops
            .iter()
            .any(|op| matches!(op, Op::Set(k, _) if k.ends_with("x-clerk-request-data"))));
    }

    #[test]
    fn request_data_sealed_in_clerks_format() {
        let o = options(r#"{"signInUrl":"/sign-in","debug":true}"#, env());
        let d = decision(pending(&o, "https://app.example/", &[]), signed_out());
        let f = d
            .finish(
                &ResponseView {
                    next: Some("1".into()),
                    ..ResponseView::default()
                },
                None,
            )
            .unwrap();
        let sealed = f.ops.iter().find_map(|op| match op {
            Op::Set(k, v) if k == "x-middleware-request-x-clerk-request-data" => Some(v.clone()),
            _ => None,
        });
        let plain = request_data::decrypt_clerk("sk_test_1", &sealed.unwrap()).unwrap();
        assert_eq!(plain, br#"{"signInUrl":"/sign-in","debug":true}"#);
        assert!(f.ops.contains(&Op::Set(
            "x-middleware-request-x-clerk-debug".into(),
            "true".into()
        )));
    }

    #[test]
    fn dev_browser_redirect_and_plain_responses() {
        let o = options("{}", env());
        let d = decision(
            pending(
                &o,
                "https://app.example/",
                &[("cookie", "__clerk_db_jwt=db1")],
            ),
            signed_out(),
        );
        let view = ResponseView {
            location: Some("https://accounts.example/sign-in".into()),
            redirect_to: Some("true".into()),
            ..ResponseView::default()
        };
        let f = d.finish(&view, None).unwrap();
        assert_eq!(
            f.redirect.as_deref(),
            Some("https://accounts.example/sign-in?__clerk_db_jwt=db1")
        );
        let f = d.finish(&ResponseView::default(), None).unwrap();
        assert!(
            f.ops
                .iter()
                .all(|op| matches!(op, Op::Append(k, _) if k.starts_with("x-clerk-auth-"))),
            "a plain response only gets the state's headers: {:?}",
            f.ops
        );
    }

    #[test]
    fn catch_and_sign_in_url() {
        let o = options(r#"{"signInUrl":"/sign-in"}"#, env());
        let d = decision(pending(&o, "https://app.example/p", &[]), signed_out());
        assert_eq!(
            d.sign_in_url(false, Some("https://app.example/p")).unwrap(),
            "https://app.example/sign-in?redirect_url=https%3A%2F%2Fapp.example%2Fp"
        );
        assert_eq!(d.catch(&Thrown::default(), 0.0), Caught::Rethrow);
        let t = d.token_request("sess 1", Some("tmpl"), Some(&json!(60)));
        assert_eq!(
            t.url,
            "https://api.clerk.com/v1/sessions/sess%201/tokens/tmpl"
        );
        assert_eq!(t.body.as_deref(), Some(r#"{"expires_in_seconds":60}"#));
        assert_eq!(t.headers[0].1, "Bearer sk_test_1");
    }

    #[test]
    fn get_token_uses_api_version_option_then_env() {
        let with_env = NextEnv {
            api_version: "v2".into(),
            ..env()
        };
        let o = options("{}", with_env.clone());
        let d = decision(pending(&o, "https://app.example/p", &[]), signed_out());
        assert_eq!(
            d.token_request("s", Some("t"), None).url,
            "https://api.clerk.com/v2/sessions/s/tokens/t"
        );
        let o = options(r#"{"apiVersion":"/v3/"}"#, with_env);
        let d = decision(pending(&o, "https://app.example/p", &[]), signed_out());
        assert_eq!(
            d.token_request("s", None, None).url,
            "https://api.clerk.com/v3/sessions/s/tokens"
        );
    }
}

//! Request normalisation (`ClerkRequest` + `AuthenticateContext`): the public URL from
//! forwarded headers, cookies, the `Authorization` token, and which cookie set (suffixed or
//! not) belongs to this instance. Built once per request.

use crate::decide::config::Config;
use crate::decide::orgsync::OrgTarget;
use crate::token::jwt::{Jwt, TokenError};
use crate::token::keys;
use crate::web::cookies::Cookies;
use crate::web::js;
use crate::web::url::Url;

/// What the core reads of a request. The body is never part of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestParts {
    pub method: String,
    /// Absolute request URL as the runtime sees it.
    pub url: String,
    /// Header names in any case; repeated names allowed.
    pub headers: Vec<(String, String)>,
}

impl RequestParts {
    pub fn new(method: &str, url: &str, headers: Vec<(String, String)>) -> Self {
        RequestParts {
            method: method.to_string(),
            url: url.to_string(),
            headers,
        }
    }

    /// `Headers.get`: case-insensitive, repeated values joined with `, `.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for (n, v) in &self.headers {
            if n.eq_ignore_ascii_case(name) {
                let v = v.trim_matches([' ', '\t']);
                match &mut out {
                    Some(s) => {
                        s.push_str(", ");
                        s.push_str(v);
                    }
                    None => out = Some(v.to_string()),
                }
            }
        }
        out
    }
}

/// `clerkUrl`: the URL the browser used, rebuilt from `x-forwarded-host`/`-proto` or `host`.
/// An origin that does not parse leaves the request URL as it is.
pub fn public_url(request_url: &Url, req: &RequestParts) -> Url {
    let first = |v: Option<String>| v.map(|s| s.split(',').next().unwrap_or("").to_string());
    let host = first(req.header("x-forwarded-host"))
        .or_else(|| req.header("host"))
        .unwrap_or_default();
    let proto =
        first(req.header("x-forwarded-proto")).unwrap_or_else(|| request_url.scheme().to_string());
    if host.is_empty() || proto.is_empty() {
        return request_url.clone();
    }
    // Only http(s) origins: anything else from a forwarded header is noise or an attack.
    if !proto.eq_ignore_ascii_case("http") && !proto.eq_ignore_ascii_case("https") {
        return request_url.clone();
    }
    let origin = format!("{proto}://{host}");
    if origin == request_url.origin() {
        return request_url.clone();
    }
    // A host carrying a path, query or userinfo would move the request elsewhere: ignore it.
    if host.contains(['/', '?', '#', '@', '\\']) {
        return request_url.clone();
    }
    let rebuilt = format!("{origin}{}{}", request_url.pathname(), request_url.search());
    Url::parse(&rebuilt).unwrap_or_else(|| request_url.clone())
}

/// `Authorization` as Clerk reads it: `Bearer <t>` (case-sensitive), or the whole value when it
/// has no space; other schemes give no token.
pub fn token_from_authorization(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, ' ');
    let first = parts.next().unwrap_or("");
    let second = parts.next().unwrap_or("");
    let token = if second.is_empty() {
        first
    } else if first == "Bearer" {
        second
    } else {
        return None;
    };
    (!token.is_empty()).then(|| token.to_string())
}

/// A request parsed once: its URL, the public URL (`clerkUrl`) Clerk's redirects and
/// `x-clerk-clerk-url` use, and its cookies. [`crate::authenticate`] builds one from
/// [`RequestParts`]; an adapter that needs the public URL or a cookie after the decision builds
/// it itself, decides with [`crate::decide::flow::authenticate_inbound`], and reads them here
/// instead of parsing the request again.
#[derive(Debug, Clone)]
pub struct Inbound<'r> {
    pub parts: &'r RequestParts,
    pub url: Url,
    pub clerk_url: Url,
    pub cookies: Cookies,
}

impl<'r> Inbound<'r> {
    pub fn new(parts: &'r RequestParts) -> Result<Self, InvalidRequestUrl> {
        let url = Url::parse(&parts.url).ok_or(InvalidRequestUrl)?;
        Self::with_url(parts, url)
    }

    /// For an adapter that already parsed `parts.url` (the Worker parses it once, on arrival);
    /// `url` must be that parse.
    pub fn with_url(parts: &'r RequestParts, url: Url) -> Result<Self, InvalidRequestUrl> {
        if !url.is_special() {
            return Err(InvalidRequestUrl);
        }
        let clerk_url = public_url(&url, parts);
        let cookies = parts
            .header("cookie")
            .map(|c| Cookies::parse(&c))
            .unwrap_or_default();
        Ok(Inbound {
            parts,
            url,
            clerk_url,
            cookies,
        })
    }
}

/// Everything the decision procedure reads, computed once per request.
pub struct Context<'c> {
    pub cfg: &'c Config,
    pub req: &'c RequestParts,
    pub now_ms: f64,
    pub clerk_url: &'c Url,
    /// Frontend API host or proxy URL used for handshakes.
    pub frontend_api: String,
    pub sec_fetch_dest: Option<String>,
    pub accept: Option<String>,
    pub referrer: Option<String>,
    pub origin: Option<String>,
    pub token_in_header: Option<String>,
    pub cookies: &'c Cookies,
    pub suffixed: bool,
    pub session_token_in_cookie: Option<String>,
    pub client_uat: f64,
    pub refresh_token: Option<String>,
    pub dev_browser: Option<String>,
    pub handshake_token: Option<String>,
    pub handshake_nonce: Option<String>,
    pub redirect_count: f64,
    pub org_target: Option<OrgTarget>,
    /// `session_token_in_cookie` as decoded while choosing the cookie set (taken once by the
    /// cookie flow, so the token is decoded once per request).
    session_jwt: std::cell::RefCell<Option<Result<Jwt, TokenError>>>,
}

/// A request whose URL cannot be parsed at all (adapters pass runtime-validated URLs, so only
/// a broken host integration gets here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRequestUrl;

fn iss_host(iss: &str) -> String {
    let mut s = iss.to_string();
    for scheme in ["https://", "http://"] {
        loop {
            let lower = s.to_ascii_lowercase();
            match lower.find(scheme) {
                Some(i) => s.replace_range(i..i + scheme.len(), ""),
                None => break,
            }
        }
    }
    s
}

impl<'c> Context<'c> {
    pub fn new(cfg: &'c Config, inbound: &'c Inbound<'c>, now_ms: f64) -> Self {
        let (req, clerk_url, cookies) = (inbound.parts, &inbound.clerk_url, &inbound.cookies);
        let frontend_api = match &cfg.proxy_url {
            Some(p) if p.starts_with('/') => Url::parse(&clerk_url.origin())
                .and_then(|o| o.join(p))
                .map(|u| u.href())
                .unwrap_or_else(|| p.clone()),
            Some(p) => p.clone(),
            None => cfg.original_frontend_api.clone(),
        };
        let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
        let mut ctx = Context {
            cfg,
            req,
            now_ms,
            frontend_api,
            sec_fetch_dest: non_empty(req.header("sec-fetch-dest")),
            accept: req.header("accept"),
            referrer: req.header("referer"),
            origin: req.header("origin"),
            token_in_header: req
                .header("authorization")
                .and_then(|a| token_from_authorization(&a)),
            suffixed: false,
            session_token_in_cookie: None,
            client_uat: 0.0,
            refresh_token: None,
            dev_browser: None,
            handshake_token: None,
            handshake_nonce: None,
            redirect_count: 0.0,
            org_target: None,
            session_jwt: Default::default(),
            cookies,
            clerk_url,
        };
        let (mut sess_jwt, mut s_sess_jwt) = (None, None);
        ctx.suffixed = ctx.uses_suffixed_cookies(&mut sess_jwt, &mut s_sess_jwt);
        ctx.session_jwt = std::cell::RefCell::new(if ctx.suffixed { s_sess_jwt } else { sess_jwt });
        let pick = |ctx: &Context, name: &str| -> Option<String> {
            let v = if ctx.suffixed {
                ctx.suffixed_cookie(name)
            } else {
                ctx.cookies.get(name)
            };
            v.map(str::to_string)
        };
        ctx.session_token_in_cookie = non_empty(pick(&ctx, "__session"));
        let uat = js::parse_int(&pick(&ctx, "__client_uat").unwrap_or_default());
        ctx.client_uat = if uat.is_nan() { 0.0 } else { uat };
        ctx.refresh_token = non_empty(ctx.suffixed_cookie("__refresh").map(str::to_string));
        let query = |name: &str| non_empty(ctx.clerk_url.query_get(name));
        ctx.dev_browser =
            query("__clerk_db_jwt").or_else(|| non_empty(pick(&ctx, "__clerk_db_jwt")));
        ctx.handshake_token = query("__clerk_handshake")
            .or_else(|| non_empty(ctx.cookies.get("__clerk_handshake").map(str::to_string)));
        ctx.handshake_nonce = query("__clerk_handshake_nonce").or_else(|| {
            non_empty(
                ctx.cookies
                    .get("__clerk_handshake_nonce")
                    .map(str::to_string),
            )
        });
        let count = ctx
            .cookies
            .get("__clerk_redirect_count")
            .map(js::number)
            .unwrap_or(0.0);
        ctx.redirect_count = if count.is_nan() { 0.0 } else { count };
        ctx.org_target = cfg.org_sync.target(ctx.clerk_url.pathname());
        ctx
    }

    fn suffixed_cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get_suffixed(name, &self.cfg.cookie_suffix)
    }

    /// The session cookie's token, decoded: from the cookie-set choice when it decoded it.
    pub fn take_session_jwt(&self, token: &str) -> Result<Jwt, TokenError> {
        self.session_jwt
            .borrow_mut()
            .take()
            .unwrap_or_else(|| Jwt::decode(token))
    }

    /// Which `__session`/`__client_uat` pair is this instance's (§1.3 rules 1–8). The slots
    /// receive the two session tokens as decoded here (left `None` when not needed).
    fn uses_suffixed_cookies(
        &self,
        sess_slot: &mut Option<Result<Jwt, TokenError>>,
        s_sess_slot: &mut Option<Result<Jwt, TokenError>>,
    ) -> bool {
        let s_uat = self.suffixed_cookie("__client_uat");
        let uat = self.cookies.get("__client_uat");
        let s_sess = self.suffixed_cookie("__session").unwrap_or("");
        let sess = self.cookies.get("__session").unwrap_or("");
        fn decoded<'s>(t: &str, slot: &'s mut Option<Result<Jwt, TokenError>>) -> Option<&'s Jwt> {
            if t.is_empty() {
                return None;
            }
            slot.get_or_insert_with(|| Jwt::decode(t)).as_ref().ok()
        }
        let sess_jwt = decoded(sess, sess_slot);
        if !sess.is_empty() {
            match sess_jwt {
                Some(j) if j.claim("iss").is_some_and(js::truthy) => {
                    let same_instance = j
                        .claim_str("iss")
                        .is_some_and(|iss| iss_host(iss) == self.cfg.original_frontend_api);
                    if !same_instance {
                        return true;
                    }
                }
                _ => return false,
            }
        }
        if s_uat.is_none() && s_sess.is_empty() {
            return false;
        }
        let s_sess_jwt = decoded(s_sess, s_sess_slot);
        let iat = |j: Option<&Jwt>| j.and_then(|j| j.claim_num("iat")).unwrap_or(0.0);
        let not_zero = |v: Option<&str>| v != Some("0");
        if not_zero(s_uat) && not_zero(uat) && iat(sess_jwt) > iat(s_sess_jwt) {
            return false;
        }
        if s_uat == Some("0") && not_zero(uat) {
            return false;
        }
        if self.cfg.is_development() && not_zero(s_uat) && uat == Some("0") {
            let now_s = (self.now_ms / 1000.0).floor();
            let expired = s_sess_jwt
                .and_then(|j| j.claim_num("exp"))
                .is_some_and(|exp| exp <= now_s);
            if expired {
                return false;
            }
        }
        if s_uat.is_none() && !s_sess.is_empty() {
            return false;
        }
        true
    }

    pub fn is_get(&self) -> bool {
        self.req.method == "GET"
    }

    /// GET document/iframe, or `Accept: text/html` without `Sec-Fetch-Dest` (§1.4).
    pub fn is_handshake_eligible(&self) -> bool {
        if !self.is_get() {
            return false;
        }
        match self.sec_fetch_dest.as_deref() {
            Some("document") | Some("iframe") => true,
            Some(_) => false,
            None => self
                .accept
                .as_deref()
                .is_some_and(|a| a.starts_with("text/html")),
        }
    }

    pub fn is_document_get(&self) -> bool {
        self.is_get() && self.sec_fetch_dest.as_deref() == Some("document")
    }

    fn referrer_url(&self) -> Option<Url> {
        self.referrer.as_deref().and_then(Url::parse)
    }

    pub fn is_cross_origin_referrer(&self) -> bool {
        self.referrer_url()
            .is_some_and(|r| r.origin() != self.clerk_url.origin())
    }

    /// Referrers Clerk itself sends users from: the Frontend API, the Account Portal, and on
    /// development instances any development Account Portal host.
    pub fn is_known_clerk_referrer(&self) -> bool {
        let Some(r) = self.referrer_url() else {
            return false;
        };
        let fapi_host = match Url::parse(&self.frontend_api) {
            Some(u) if self.frontend_api.starts_with("http") => u.hostname().to_string(),
            _ => self.frontend_api.clone(),
        };
        if r.hostname() == fapi_host {
            return true;
        }
        if self.cfg.is_development() && keys::is_dev_account_portal_host(r.hostname()) {
            return true;
        }
        let portal = keys::accounts_base_url(&self.cfg.original_frontend_api);
        Url::parse(&portal).is_some_and(|p| p.origin() == r.origin())
    }

    /// The `__session` parameter of handshake URLs: cookie token, else header token.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token_in_cookie
            .as_deref()
            .or(self.token_in_header.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_for(url: &str, headers: &[(&str, &str)]) -> String {
        let req = RequestParts::new(
            "GET",
            url,
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        public_url(&Url::parse(url).unwrap(), &req).href()
    }

    #[test]
    fn public_url_from_forwarded_headers() {
        assert_eq!(
            url_for("http://localhost:3000/p?q=1", &[]),
            "http://localhost:3000/p?q=1"
        );
        assert_eq!(
            url_for(
                "http://localhost:3000/p",
                &[
                    ("x-forwarded-host", "a.com,b.com"),
                    ("x-forwarded-proto", "https,http")
                ]
            ),
            "https://a.com/p"
        );
        assert_eq!(
            url_for("http://localhost:3000/p", &[("host", "h.com")]),
            "http://h.com/p"
        );
        assert_eq!(
            url_for("http://localhost:3000/p", &[("x-forwarded-proto", "https")]),
            "http://localhost:3000/p"
        );
        assert_eq!(
            url_for(
                "http://localhost:3000/p",
                &[
                    ("x-forwarded-host", "<bad>host"),
                    ("x-forwarded-proto", "https")
                ]
            ),
            "http://localhost:3000/p"
        );
        assert_eq!(
            url_for(
                "http://localhost:3000/p",
                &[
                    ("x-forwarded-host", "evil.com/x?"),
                    ("x-forwarded-proto", "https")
                ]
            ),
            "http://localhost:3000/p"
        );
        assert_eq!(
            url_for("http://localhost:3000//path", &[("host", "h.com")]),
            "http://h.com//path"
        );
        assert_eq!(
            url_for(
                "http://localhost:3000/p",
                &[
                    ("x-forwarded-host", "a.com"),
                    ("x-forwarded-proto", "javascript")
                ]
            ),
            "http://localhost:3000/p"
        );
    }

    #[test]
    fn authorization_quirks() {
        assert_eq!(
            token_from_authorization("Bearer abc").as_deref(),
            Some("abc")
        );
        assert_eq!(token_from_authorization("abc").as_deref(), Some("abc"));
        assert_eq!(token_from_authorization("bearer abc"), None);
        assert_eq!(token_from_authorization("Basic dXNlcg=="), None);
        assert_eq!(
            token_from_authorization("Bearer").as_deref(),
            Some("Bearer")
        );
        assert_eq!(
            token_from_authorization("Bearer  x").as_deref(),
            Some("Bearer")
        );
        assert_eq!(token_from_authorization("Basic").as_deref(), Some("Basic"));
        assert_eq!(token_from_authorization("Bearer a b").as_deref(), Some("a"));
        assert_eq!(token_from_authorization(""), None);
    }
}

//! The Worker's CORS policy (issue #12). Preflights are never gated by authentication (they
//! carry no credentials): without a policy they go to the origin untouched; with one, the Worker
//! answers them (204) and adds the policy's headers to every real response, its own 401/403/404
//! included, so a browser can read them.

/// `CLERK_CORS_*` settings, validated once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsPolicy {
    /// `None`: any origin (`*`).
    origins: Option<Vec<String>>,
    methods: String,
    /// `None`: the preflight's `Access-Control-Request-Headers` are allowed.
    headers: Option<String>,
    credentials: bool,
    max_age: Option<u32>,
    expose: Option<String>,
}

/// A setting that does not validate: its name and what is wrong (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsError {
    pub setting: &'static str,
    pub message: String,
}

const DEFAULT_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";
/// Browsers cap the preflight cache at 2 h (Chromium) and 24 h (Firefox).
const MAX_AGE_LIMIT: u32 = 86_400;

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A comma-separated list of header names or methods; `*` alone is allowed when `star`.
fn token_list(
    setting: &'static str,
    v: &str,
    star: bool,
    upper: bool,
) -> Result<String, CorsError> {
    let items: Vec<String> = v
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            if upper {
                x.to_ascii_uppercase()
            } else {
                x.to_string()
            }
        })
        .collect();
    let ok = match items.as_slice() {
        [] => false,
        [one] if one == "*" => star,
        _ => items.iter().all(|i| is_token(i) && i != "*"),
    };
    if !ok {
        return Err(CorsError {
            setting,
            message: format!(
                "must be a comma-separated list of {}{}",
                if upper { "methods" } else { "header names" },
                if star { ", or *" } else { "" }
            ),
        });
    }
    Ok(items.join(", "))
}

/// A serialised origin (`https://app.example.com`, `http://localhost:3000`): scheme, host and
/// port, nothing else, as browsers send it in `Origin`.
fn origin(v: &str) -> Option<String> {
    let u = crate::web::url::Url::parse(v)
        .filter(|u| u.is_special() && matches!(u.scheme(), "http" | "https"))?;
    let o = u.origin();
    (o == v.trim_end_matches('/')).then_some(o)
}

impl CorsPolicy {
    /// The policy from `get(name)` (trimmed, empty = absent). `Ok(None)`: no policy, since
    /// `CLERK_CORS_ALLOWED_ORIGINS` is not set; the other settings then are an error too.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Option<CorsPolicy>, CorsError> {
        let err = |setting: &'static str, message: &str| CorsError {
            setting,
            message: message.to_string(),
        };
        let Some(origins) = get("CLERK_CORS_ALLOWED_ORIGINS") else {
            for other in [
                "CLERK_CORS_ALLOWED_METHODS",
                "CLERK_CORS_ALLOWED_HEADERS",
                "CLERK_CORS_ALLOW_CREDENTIALS",
                "CLERK_CORS_MAX_AGE",
                "CLERK_CORS_EXPOSE_HEADERS",
            ] {
                if get(other).is_some() {
                    return Err(err(
                        other,
                        "needs CLERK_CORS_ALLOWED_ORIGINS (the CORS policy starts with its origins)",
                    ));
                }
            }
            return Ok(None);
        };
        let credentials = match get("CLERK_CORS_ALLOW_CREDENTIALS").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(err("CLERK_CORS_ALLOW_CREDENTIALS", "must be true or false")),
        };
        let star = |setting: &'static str| {
            CorsError {
            setting,
            message: "cannot be * when CLERK_CORS_ALLOW_CREDENTIALS=true (browsers reject a wildcard on credentialed requests): list the values".into(),
        }
        };
        let origins = if origins == "*" {
            if credentials {
                return Err(star("CLERK_CORS_ALLOWED_ORIGINS"));
            }
            None
        } else {
            let mut list = Vec::new();
            for o in origins.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                list.push(origin(o).ok_or_else(|| {
                    err(
                        "CLERK_CORS_ALLOWED_ORIGINS",
                        "must be * or a comma-separated list of origins (scheme://host[:port], no path)",
                    )
                })?);
            }
            Some(list)
        };
        let list = |setting: &'static str, upper: bool| -> Result<Option<String>, CorsError> {
            let Some(v) = get(setting) else {
                return Ok(None);
            };
            let v = token_list(setting, &v, true, upper)?;
            if credentials && v == "*" {
                return Err(star(setting));
            }
            Ok(Some(v))
        };
        let max_age = match get("CLERK_CORS_MAX_AGE") {
            None => None,
            Some(v) => Some(
                v.parse::<u32>()
                    .ok()
                    .filter(|s| *s <= MAX_AGE_LIMIT)
                    .ok_or_else(|| {
                        err(
                            "CLERK_CORS_MAX_AGE",
                            "must be a whole number of seconds from 0 to 86400",
                        )
                    })?,
            ),
        };
        Ok(Some(CorsPolicy {
            origins,
            methods: list("CLERK_CORS_ALLOWED_METHODS", true)?
                .unwrap_or_else(|| DEFAULT_METHODS.to_string()),
            headers: list("CLERK_CORS_ALLOWED_HEADERS", false)?,
            credentials,
            max_age,
            expose: list("CLERK_CORS_EXPOSE_HEADERS", false)?,
        }))
    }

    /// `Access-Control-Allow-Origin` for this request's `Origin`, if allowed.
    fn allow_origin(&self, request_origin: Option<&str>) -> Option<String> {
        let o = request_origin?;
        match &self.origins {
            None => Some("*".to_string()),
            Some(list) => list
                .iter()
                .any(|a| a.eq_ignore_ascii_case(o))
                .then(|| o.to_string()),
        }
    }

    /// The headers of the Worker's 204 answer to a preflight. A disallowed origin gets only
    /// `Vary` (the browser then refuses the real request).
    pub fn preflight(
        &self,
        request_origin: Option<&str>,
        request_headers: Option<&str>,
    ) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(6);
        let Some(allow) = self.allow_origin(request_origin) else {
            out.push(("vary", "Origin".to_string()));
            return out;
        };
        out.push(("access-control-allow-origin", allow));
        if self.credentials {
            out.push(("access-control-allow-credentials", "true".to_string()));
        }
        out.push(("access-control-allow-methods", self.methods.clone()));
        let reflected = self.headers.is_none();
        let headers = match &self.headers {
            Some(h) => Some(h.clone()),
            // Reflected only when they are a list of header names.
            None => request_headers
                .and_then(|h| token_list("", h, false, false).ok())
                .map(|h| h.to_ascii_lowercase()),
        };
        if let Some(h) = headers {
            out.push(("access-control-allow-headers", h));
        }
        if let Some(age) = self.max_age {
            out.push(("access-control-max-age", age.to_string()));
        }
        out.push((
            "vary",
            if reflected {
                "Origin, Access-Control-Request-Headers"
            } else {
                "Origin"
            }
            .to_string(),
        ));
        out
    }

    /// The headers added to a real response (the origin's or the Worker's own). They replace
    /// any `Access-Control-*` header already there; `Vary: Origin` is appended.
    pub fn actual(&self, request_origin: Option<&str>) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(3);
        if let Some(allow) = self.allow_origin(request_origin) {
            out.push(("access-control-allow-origin", allow));
            if self.credentials {
                out.push(("access-control-allow-credentials", "true".to_string()));
            }
            if let Some(e) = &self.expose {
                out.push(("access-control-expose-headers", e.clone()));
            }
        }
        out
    }
}

/// A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`. It carries no
/// credentials, so it is never authenticated.
pub fn is_preflight(method: &str, access_control_request_method: Option<&str>) -> bool {
    method == "OPTIONS" && access_control_request_method.is_some()
}

/// `Vary` with `Origin` added once (case-insensitively, `*` left alone).
pub fn vary_with_origin(existing: Option<&str>) -> String {
    match existing.map(str::trim).filter(|v| !v.is_empty()) {
        None => "Origin".to_string(),
        Some(v)
            if v.split(',')
                .any(|x| x.trim() == "*" || x.trim().eq_ignore_ascii_case("origin")) =>
        {
            v.to_string()
        }
        Some(v) => format!("{v}, Origin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn policy(pairs: &[(&str, &str)]) -> CorsPolicy {
        CorsPolicy::from_env(env(pairs)).unwrap().unwrap()
    }

    fn error(pairs: &[(&str, &str)]) -> CorsError {
        CorsPolicy::from_env(env(pairs)).unwrap_err()
    }

    const APP: &str = "https://app.example.com";

    #[test]
    fn no_origins_no_policy() {
        assert_eq!(CorsPolicy::from_env(env(&[])), Ok(None));
        assert_eq!(
            error(&[("CLERK_CORS_MAX_AGE", "60")]).setting,
            "CLERK_CORS_MAX_AGE"
        );
    }

    #[test]
    fn validation_names_the_setting() {
        let e = error(&[
            ("CLERK_CORS_ALLOWED_ORIGINS", "*"),
            ("CLERK_CORS_ALLOW_CREDENTIALS", "true"),
        ]);
        assert_eq!(e.setting, "CLERK_CORS_ALLOWED_ORIGINS");
        assert_eq!(e.message, "cannot be * when CLERK_CORS_ALLOW_CREDENTIALS=true (browsers reject a wildcard on credentialed requests): list the values");
        for bad in [
            "app.example.com",
            "https://app.example.com/path",
            "ftp://x.example",
            "https://a.example, nope",
        ] {
            assert_eq!(
                error(&[("CLERK_CORS_ALLOWED_ORIGINS", bad)]).setting,
                "CLERK_CORS_ALLOWED_ORIGINS",
                "{bad}"
            );
        }
        assert_eq!(
            error(&[
                ("CLERK_CORS_ALLOWED_ORIGINS", APP),
                ("CLERK_CORS_ALLOW_CREDENTIALS", "yes")
            ])
            .setting,
            "CLERK_CORS_ALLOW_CREDENTIALS"
        );
        for age in ["-1", "86401", "1.5", "soon"] {
            assert_eq!(
                error(&[
                    ("CLERK_CORS_ALLOWED_ORIGINS", APP),
                    ("CLERK_CORS_MAX_AGE", age)
                ])
                .setting,
                "CLERK_CORS_MAX_AGE"
            );
        }
        assert_eq!(
            error(&[
                ("CLERK_CORS_ALLOWED_ORIGINS", APP),
                ("CLERK_CORS_ALLOWED_METHODS", "GET, P(ST")
            ]),
            CorsError {
                setting: "CLERK_CORS_ALLOWED_METHODS",
                message: "must be a comma-separated list of methods, or *".into()
            }
        );
        assert_eq!(
            error(&[
                ("CLERK_CORS_ALLOWED_ORIGINS", APP),
                ("CLERK_CORS_ALLOW_CREDENTIALS", "true"),
                ("CLERK_CORS_EXPOSE_HEADERS", "*")
            ])
            .setting,
            "CLERK_CORS_EXPOSE_HEADERS"
        );
        assert_eq!(
            error(&[
                ("CLERK_CORS_ALLOWED_ORIGINS", APP),
                ("CLERK_CORS_ALLOWED_HEADERS", "a, *")
            ])
            .setting,
            "CLERK_CORS_ALLOWED_HEADERS"
        );
    }

    #[test]
    fn preflight_for_an_allowed_origin() {
        let p = policy(&[
            (
                "CLERK_CORS_ALLOWED_ORIGINS",
                "https://app.example.com/, http://localhost:3000",
            ),
            ("CLERK_CORS_ALLOW_CREDENTIALS", "true"),
            ("CLERK_CORS_ALLOWED_METHODS", "get,post"),
            ("CLERK_CORS_ALLOWED_HEADERS", "Authorization, Content-Type"),
            ("CLERK_CORS_MAX_AGE", "600"),
            ("CLERK_CORS_EXPOSE_HEADERS", "X-Clerk-Auth-Reason"),
        ]);
        assert_eq!(
            p.preflight(Some("http://localhost:3000"), Some("authorization")),
            vec![
                (
                    "access-control-allow-origin",
                    "http://localhost:3000".to_string()
                ),
                ("access-control-allow-credentials", "true".to_string()),
                ("access-control-allow-methods", "GET, POST".to_string()),
                (
                    "access-control-allow-headers",
                    "Authorization, Content-Type".to_string()
                ),
                ("access-control-max-age", "600".to_string()),
                ("vary", "Origin".to_string()),
            ]
        );
        assert_eq!(
            p.actual(Some(APP)),
            vec![
                ("access-control-allow-origin", APP.to_string()),
                ("access-control-allow-credentials", "true".to_string()),
                (
                    "access-control-expose-headers",
                    "X-Clerk-Auth-Reason".to_string()
                ),
            ]
        );
    }

    #[test]
    fn disallowed_or_missing_origins_get_no_allow_headers() {
        let p = policy(&[("CLERK_CORS_ALLOWED_ORIGINS", APP)]);
        for o in [
            Some("https://evil.example"),
            Some("null"),
            Some("https://app.example.com.evil.example"),
            None,
        ] {
            assert_eq!(
                p.preflight(o, Some("authorization")),
                vec![("vary", "Origin".to_string())]
            );
            assert_eq!(p.actual(o), vec![]);
        }
    }

    #[test]
    fn wildcard_and_reflected_headers() {
        let p = policy(&[("CLERK_CORS_ALLOWED_ORIGINS", "*")]);
        assert_eq!(
            p.preflight(Some("https://any.example"), Some("Authorization, X-Custom")),
            vec![
                ("access-control-allow-origin", "*".to_string()),
                ("access-control-allow-methods", DEFAULT_METHODS.to_string()),
                (
                    "access-control-allow-headers",
                    "authorization, x-custom".to_string()
                ),
                ("vary", "Origin, Access-Control-Request-Headers".to_string()),
            ]
        );
        // Not a header list: not reflected.
        assert!(!p
            .preflight(Some("https://any.example"), Some("a\r\nb"))
            .iter()
            .any(|(k, _)| *k == "access-control-allow-headers"));
        assert_eq!(
            p.actual(Some("https://any.example")),
            vec![("access-control-allow-origin", "*".to_string())]
        );
    }

    #[test]
    fn preflight_detection_and_vary() {
        assert!(is_preflight("OPTIONS", Some("POST")));
        assert!(!is_preflight("OPTIONS", None));
        assert!(!is_preflight("GET", Some("POST")));
        assert_eq!(vary_with_origin(None), "Origin");
        assert_eq!(
            vary_with_origin(Some("Accept-Encoding")),
            "Accept-Encoding, Origin"
        );
        assert_eq!(vary_with_origin(Some("accept, origin")), "accept, origin");
        assert_eq!(vary_with_origin(Some("*")), "*");
    }
}

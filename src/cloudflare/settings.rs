//! Worker configuration from wrangler vars and secrets, parsed once per isolate. Every error
//! names the setting and what is wrong, and never contains a secret value.

use crate::decide::config::{Options, OrgSyncOptions};
use crate::downstream::request_data::GcmKey;
use crate::gateway::fapi_proxy::FrontendApiProxy;
use crate::gateway::path_policy::PathPolicy;
use crate::gateway::routes::RouteRules;
use crate::Config;
use serde_json::{json, Value};

/// Where authenticated requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `ORIGIN_URL`: requests are proxied to this base URL (path and query appended).
    Url(String),
    /// A service binding named `ORIGIN`.
    Service,
    /// `ORIGIN_URL = "demo"`: the built-in demo origin that shows what it received.
    Demo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestDataFormat {
    /// clerk-edge's authenticated AES-256-GCM `v1` format.
    Gcm,
    /// Clerk's OpenSSL `Salted__` format, for unchanged `@clerk/nextjs` origins.
    Clerk,
}

/// Everything the Worker derives from its environment.
pub struct Settings {
    pub config: Config,
    pub routes: RouteRules,
    pub origin: Origin,
    pub debug: bool,
    /// `CLERK_LOG`: one structured JSON line per request (default), or none.
    pub log: bool,
    pub trust_forwarded_headers: bool,
    /// `CLERK_PATH_NORMALIZATION` and `CLERK_ESCAPED_SLASHES`.
    pub paths: PathPolicy,
    pub api_url: String,
    pub encryption: Option<(RequestDataFormat, String, Option<GcmKey>)>,
    /// Public options forwarded to the origin in `x-clerk-request-data`.
    pub request_data: Value,
    /// `CLERK_API_MODE=true`: every route is an API route (`crate::gateway::api_mode`).
    pub api_mode: bool,
    /// `CLERK_CORS_*`: the Worker answers preflights and adds CORS headers itself.
    pub cors: Option<crate::gateway::cors::CorsPolicy>,
    /// `CLERK_FRONTEND_API_PROXY`: Clerk's Frontend API served under this path.
    pub frontend_api_proxy: Option<FrontendApiProxy>,
}

/// A configuration error: the setting and Clerk's (or our) message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub setting: &'static str,
    pub message: String,
}

impl std::fmt::Display for SettingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "clerk-edge configuration error in {}: {}",
            self.setting, self.message
        )
    }
}

fn list(v: Option<String>) -> Option<Vec<String>> {
    v.map(|s| {
        s.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    })
}

/// A flag setting, read as Clerk reads its environment flags (one definition for both adapters).
fn truthy(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(crate::web::js::env_flag)
}

/// A URL setting checked at start-up, so that a typo is one clear error instead of a 500 on
/// the first request that needs it. `relative`: a path starting with `/` is also accepted.
fn check_url(
    setting: &'static str,
    value: Option<&str>,
    relative: bool,
) -> Result<(), SettingError> {
    let Some(v) = value else { return Ok(()) };
    let absolute =
        crate::web::url::Url::parse(v).is_some_and(|u| u.is_special() && !u.host().is_empty());
    let path = relative
        && v.starts_with('/')
        && !v.starts_with("//")
        && crate::web::url::Url::parse("https://base.invalid/")
            .and_then(|b| b.join(v))
            .is_some();
    if absolute || path {
        return Ok(());
    }
    Err(SettingError {
        setting,
        message: if relative {
            "must be a path starting with / or an absolute http(s) URL".into()
        } else {
            "must be an absolute http(s) URL".into()
        },
    })
}

fn option_setting(option: &str) -> &'static str {
    match option {
        "publishableKey" => "CLERK_PUBLISHABLE_KEY",
        "secretKey" => "CLERK_SECRET_KEY",
        "jwtKey" => "CLERK_JWT_KEY",
        "signInUrl" => "CLERK_SIGN_IN_URL",
        "domain" => "CLERK_DOMAIN",
        "organizationSyncOptions" => {
            "CLERK_ORGANIZATION_PATTERNS / CLERK_PERSONAL_ACCOUNT_PATTERNS"
        }
        "acceptsToken" => "CLERK_ACCEPTS_TOKEN",
        _ => "configuration",
    }
}

impl Settings {
    /// `get(name)` returns a var or secret (trimmed, empty = absent). `has_service` says whether
    /// an `ORIGIN` service binding exists.
    pub fn from_env(
        get: impl Fn(&str) -> Option<String>,
        has_service: bool,
    ) -> Result<Settings, SettingError> {
        let err = |setting: &'static str, message: String| SettingError { setting, message };
        let skew = match get("CLERK_CLOCK_SKEW_MS") {
            None => None,
            Some(v) => Some(
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .ok_or_else(|| {
                        err(
                            "CLERK_CLOCK_SKEW_MS",
                            "must be a non-negative number of milliseconds".into(),
                        )
                    })?,
            ),
        };
        let org = list(get("CLERK_ORGANIZATION_PATTERNS"));
        let personal = list(get("CLERK_PERSONAL_ACCOUNT_PATTERNS"));
        let accepts = get("CLERK_ACCEPTS_TOKEN").map(|v| {
            let items = list(Some(v)).unwrap_or_default();
            match items.as_slice() {
                [one] => json!(one),
                _ => json!(items),
            }
        });
        let proxy = FrontendApiProxy::from_settings(
            get("CLERK_FRONTEND_API_PROXY").as_deref(),
            get("CLERK_FAPI_URL").as_deref(),
            &get("CLERK_PUBLISHABLE_KEY").unwrap_or_default(),
        );
        let options = Options {
            publishable_key: get("CLERK_PUBLISHABLE_KEY"),
            secret_key: get("CLERK_SECRET_KEY"),
            jwt_key: get("CLERK_JWT_KEY"),
            authorized_parties: list(get("CLERK_AUTHORIZED_PARTIES")).map(|l| json!(l)),
            audience: list(get("CLERK_AUDIENCE")).map(|l| json!(l)),
            clock_skew_in_ms: skew.map(|s| json!(s)),
            sign_in_url: get("CLERK_SIGN_IN_URL"),
            sign_up_url: get("CLERK_SIGN_UP_URL"),
            domain: get("CLERK_DOMAIN"),
            is_satellite: Some(truthy(&get("CLERK_IS_SATELLITE"))),
            // With the proxy on, handshakes go through it, as Next's `frontendApiProxy` does
            // (a relative proxy URL: the core resolves it against the public origin).
            proxy_url: get("CLERK_PROXY_URL").or_else(|| {
                let on = proxy.as_ref().ok().and_then(Option::as_ref);
                on.map(|p| p.path.clone())
            }),
            organization_sync_options: (org.is_some() || personal.is_some()).then_some(
                OrgSyncOptions {
                    organization_patterns: org,
                    personal_account_patterns: personal,
                },
            ),
            accepts_token: accepts,
            ..Default::default()
        };
        let config =
            Config::new(options.clone()).map_err(|e| err(option_setting(e.option), e.message))?;
        // A satellite's sign-in page is on its primary domain: only an absolute URL can say so.
        let satellite = config.is_satellite;
        check_url(
            "CLERK_SIGN_IN_URL",
            config.sign_in_url.as_deref(),
            !satellite,
        )?;
        check_url(
            "CLERK_SIGN_UP_URL",
            config.sign_up_url.as_deref(),
            !satellite,
        )?;
        check_url("CLERK_PROXY_URL", config.proxy_url.as_deref(), true)?;
        let api_url = get("CLERK_API_URL");
        check_url("CLERK_API_URL", api_url.as_deref(), false)?;
        if let Some(d) = &config.domain {
            let host = d.split_once("://").map_or(d.as_str(), |(_, h)| h);
            if crate::web::url::Url::parse(&format!("https://{host}"))
                .is_none_or(|u| u.host() != host.to_ascii_lowercase())
            {
                return Err(err(
                    "CLERK_DOMAIN",
                    "must be a host name such as satellite.example.com".into(),
                ));
            }
        }
        let log = match get("CLERK_LOG").as_deref() {
            None | Some("json") => true,
            Some("off") => false,
            Some(_) => {
                return Err(err(
                    "CLERK_LOG",
                    "must be \"json\" (default) or \"off\"".into(),
                ))
            }
        };
        let proxy = proxy.map_err(|(setting, m)| err(setting, m))?;
        let routes = RouteRules::parse(&get("CLERK_ROUTES").unwrap_or_default())
            .map_err(|m| err("CLERK_ROUTES", m))?;
        let api_mode = match get("CLERK_API_MODE").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(err("CLERK_API_MODE", "must be true or false".into())),
        };
        routes
            .check_api(api_mode)
            .map_err(|m| err("CLERK_ROUTES", m))?;
        let cors = crate::gateway::cors::CorsPolicy::from_env(&get)
            .map_err(|e| err(e.setting, e.message))?;
        let paths = PathPolicy::from_settings(
            get("CLERK_PATH_NORMALIZATION").as_deref(),
            get("CLERK_ESCAPED_SLASHES").as_deref(),
        )
        .map_err(|(setting, m)| err(setting, m.into()))?;
        let origin = match get("ORIGIN_URL") {
            Some(u) if u == "demo" && cfg!(any(test, feature = "demo")) => Origin::Demo,
            Some(u) if u == "demo" => {
                return Err(err(
                    "ORIGIN_URL",
                    "is \"demo\", but this build has no demo origin (cargo feature `demo`, wrangler --env demo): set the origin's URL".into(),
                ))
            }
            Some(u) => {
                let parsed = crate::web::url::Url::parse(&u)
                    .filter(|p| p.is_special())
                    .ok_or_else(|| err("ORIGIN_URL", "must be an absolute http(s) URL, or \"demo\"".into()))?;
                Origin::Url(parsed.href().trim_end_matches('/').to_string())
            }
            None if has_service => Origin::Service,
            None => {
                return Err(err(
                    "ORIGIN_URL",
                    "is missing: set ORIGIN_URL to the origin's base URL (or \"demo\"), or bind a service named ORIGIN".into(),
                ))
            }
        };
        let format = match get("CLERK_REQUEST_DATA_FORMAT").as_deref() {
            None | Some("gcm") => RequestDataFormat::Gcm,
            Some("clerk") => RequestDataFormat::Clerk,
            Some(_) => {
                return Err(err(
                    "CLERK_REQUEST_DATA_FORMAT",
                    "must be \"gcm\" (default) or \"clerk\"".into(),
                ))
            }
        };
        let encryption = match get("CLERK_ENCRYPTION_KEY") {
            None => None,
            Some(k) => {
                let gcm = match format {
                    RequestDataFormat::Gcm => {
                        Some(GcmKey::from_setting(&k).map_err(|m| err("CLERK_ENCRYPTION_KEY", m))?)
                    }
                    RequestDataFormat::Clerk => None,
                };
                Some((format, k, gcm))
            }
        };
        let mut data = serde_json::Map::new();
        data.insert("publishableKey".into(), json!(config.publishable_key));
        for (k, v) in [
            ("signInUrl", &options.sign_in_url),
            ("signUpUrl", &options.sign_up_url),
            ("domain", &options.domain),
            ("proxyUrl", &get("CLERK_PROXY_URL")),
        ] {
            if let Some(v) = v {
                data.insert(k.into(), json!(v));
            }
        }
        if config.is_satellite {
            data.insert("isSatellite".into(), json!(true));
        }
        Ok(Settings {
            api_url: api_url.unwrap_or_else(|| config.api_url.clone()),
            config,
            routes,
            origin,
            debug: truthy(&get("CLERK_DEBUG")),
            log,
            trust_forwarded_headers: truthy(&get("CLERK_TRUST_FORWARDED_HEADERS")),
            paths,
            encryption,
            request_data: Value::Object(data),
            api_mode,
            cors,
            frontend_api_proxy: proxy,
        })
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

    const PK: &str = "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k";

    #[test]
    fn errors_name_the_setting_without_secrets() {
        let e = Settings::from_env(
            env(&[
                ("CLERK_SECRET_KEY", "sk_live_supersecret"),
                ("ORIGIN_URL", "demo"),
            ]),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(e.setting, "CLERK_PUBLISHABLE_KEY");
        assert!(e.to_string().starts_with("clerk-edge configuration error in CLERK_PUBLISHABLE_KEY: Publishable key is missing.\n\n"));
        let e = Settings::from_env(
            env(&[("CLERK_PUBLISHABLE_KEY", PK), ("ORIGIN_URL", "demo")]),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(e.setting, "CLERK_SECRET_KEY");
        let e = Settings::from_env(
            env(&[
                ("CLERK_PUBLISHABLE_KEY", PK),
                ("CLERK_SECRET_KEY", "sk_live_supersecret"),
                ("CLERK_JWT_KEY", "sk_live_supersecret"),
                ("ORIGIN_URL", "demo"),
            ]),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(e.setting, "CLERK_JWT_KEY");
        assert!(!e.to_string().contains("supersecret"));
        let e = Settings::from_env(
            env(&[
                ("CLERK_PUBLISHABLE_KEY", PK),
                ("CLERK_SECRET_KEY", "sk_live_x"),
            ]),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(e.setting, "ORIGIN_URL");
        let e = Settings::from_env(
            env(&[
                ("CLERK_PUBLISHABLE_KEY", PK),
                ("CLERK_SECRET_KEY", "sk_live_x"),
                ("ORIGIN_URL", "demo"),
                ("CLERK_ENCRYPTION_KEY", "short-secret"),
            ]),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(e.setting, "CLERK_ENCRYPTION_KEY");
        assert!(!e.to_string().contains("short-secret"));
        let e = Settings::from_env(
            env(&[
                ("CLERK_PUBLISHABLE_KEY", PK),
                ("CLERK_SECRET_KEY", "sk_live_x"),
                ("ORIGIN_URL", "demo"),
                ("CLERK_CLOCK_SKEW_MS", "soon"),
            ]),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(e.setting, "CLERK_CLOCK_SKEW_MS");
        let e = Settings::from_env(
            env(&[
                ("CLERK_PUBLISHABLE_KEY", PK),
                ("CLERK_SECRET_KEY", "sk_live_x"),
                ("ORIGIN_URL", "demo"),
                ("CLERK_ROUTES", "/a nope"),
            ]),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(e.setting, "CLERK_ROUTES");
        let base = [
            ("CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_SECRET_KEY", "sk_live_x"),
            ("ORIGIN_URL", "demo"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut all = base.to_vec();
            all.extend_from_slice(extra);
            Settings::from_env(env(&all), false).err().unwrap()
        };
        assert_eq!(
            with(&[("CLERK_API_MODE", "yes")]).to_string(),
            "clerk-edge configuration error in CLERK_API_MODE: must be true or false"
        );
        assert_eq!(
            with(&[
                ("CLERK_API_MODE", "true"),
                ("CLERK_ROUTES", "/(.*) signed-in unauthenticated=sign-in")
            ])
            .to_string(),
            "clerk-edge configuration error in CLERK_ROUTES: route rule \"/(.*) signed-in unauthenticated=sign-in\": unauthenticated=: API routes never redirect: use 404, 403 or 401"
        );
        assert_eq!(
            with(&[
                ("CLERK_CORS_ALLOWED_ORIGINS", "*"),
                ("CLERK_CORS_ALLOW_CREDENTIALS", "true")
            ])
            .setting,
            "CLERK_CORS_ALLOWED_ORIGINS"
        );
        let mut all = base.to_vec();
        all.extend_from_slice(&[
            ("CLERK_API_MODE", "true"),
            ("CLERK_ROUTES", "/(.*) signed-in unauthenticated=403"),
            ("CLERK_CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CLERK_CORS_ALLOW_CREDENTIALS", "true"),
        ]);
        let s = Settings::from_env(env(&all), false).unwrap();
        assert!(s.api_mode);
        assert!(s.cors.is_some());
        let s = Settings::from_env(env(&base), false).unwrap();
        assert!(!s.api_mode && s.cors.is_none());
    }

    fn setting_error(extra: &[(&str, &str)]) -> Option<SettingError> {
        let mut pairs = vec![
            ("CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_SECRET_KEY", "sk_live_x"),
            ("ORIGIN_URL", "demo"),
        ];
        pairs.extend_from_slice(extra);
        Settings::from_env(env(&pairs), false).err()
    }

    #[test]
    fn url_settings_are_checked_at_start_up() {
        let bad = [
            ("CLERK_SIGN_IN_URL", "https://"),
            ("CLERK_SIGN_IN_URL", "javascript:alert(1)"),
            ("CLERK_SIGN_IN_URL", "//evil.example/sign-in"),
            ("CLERK_SIGN_IN_URL", "sign-in"),
            ("CLERK_SIGN_UP_URL", "https://[::1"),
            ("CLERK_PROXY_URL", "ftp://proxy.example.com"),
            ("CLERK_API_URL", "/v1"),
            ("CLERK_API_URL", "api.clerk.com"),
            ("CLERK_DOMAIN", "satellite.example.com/path"),
            ("CLERK_DOMAIN", "bad host"),
            ("CLERK_LOG", "verbose"),
        ];
        for (name, value) in bad {
            let e = setting_error(&[(name, value)]).unwrap_or_else(|| panic!("{name}={value}"));
            assert_eq!(e.setting, name, "{name}={value}");
            assert!(!e.to_string().contains(value), "{e}");
        }
        let good = [
            ("CLERK_SIGN_IN_URL", "/sign-in"),
            ("CLERK_SIGN_IN_URL", "https://accounts.example.com/sign-in"),
            ("CLERK_SIGN_UP_URL", "/sign-up?x=1"),
            ("CLERK_PROXY_URL", "/__clerk"),
            ("CLERK_PROXY_URL", "https://app.example.com/__clerk"),
            ("CLERK_API_URL", "http://127.0.0.1:8080"),
            ("CLERK_DOMAIN", "satellite.example.com"),
            ("CLERK_DOMAIN", "https://satellite.example.com"),
            ("CLERK_LOG", "off"),
        ];
        for (name, value) in good {
            assert_eq!(setting_error(&[(name, value)]), None, "{name}={value}");
        }
        // A satellite's sign-in page lives on the primary: a bare path cannot say where.
        let e = setting_error(&[
            ("CLERK_IS_SATELLITE", "true"),
            ("CLERK_DOMAIN", "satellite.example.com"),
            ("CLERK_SIGN_IN_URL", "/sign-in"),
        ])
        .unwrap();
        assert_eq!(e.setting, "CLERK_SIGN_IN_URL");
    }

    #[test]
    fn parses_a_full_configuration() {
        let s = Settings::from_env(
            env(&[
                ("CLERK_PUBLISHABLE_KEY", PK),
                ("CLERK_SECRET_KEY", "sk_live_x"),
                ("ORIGIN_URL", "https://origin.example.com/"),
                ("CLERK_AUTHORIZED_PARTIES", "https://a.com, https://b.com"),
                (
                    "CLERK_ORGANIZATION_PATTERNS",
                    "/orgs/:slug,/orgs/:slug/(.*)",
                ),
                ("CLERK_SIGN_IN_URL", "/sign-in"),
                ("CLERK_ENCRYPTION_KEY", &"ab".repeat(32)),
                ("CLERK_ROUTES", "/admin(.*) role=org:admin"),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(s.origin, Origin::Url("https://origin.example.com".into()));
        assert_eq!(
            s.config.authorized_parties,
            vec!["https://a.com", "https://b.com"]
        );
        assert!(s.config.org_sync.is_configured());
        assert_eq!(s.request_data["signInUrl"], "/sign-in");
        assert!(s.request_data.get("secretKey").is_none());
        assert_eq!(s.api_url, "https://api.clerk.com");
    }

    #[test]
    fn path_settings_are_validated() {
        let base = [
            ("CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_SECRET_KEY", "sk_live_x"),
            ("ORIGIN_URL", "demo"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let all: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
            Settings::from_env(env(&all), false)
        };
        assert_eq!(with(&[]).unwrap().paths, PathPolicy::default());
        let e = with(&[("CLERK_PATH_NORMALIZATION", "envoy")])
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "clerk-edge configuration error in CLERK_PATH_NORMALIZATION: must be \"strict\" (default) or \"clerk\"");
        let e = with(&[("CLERK_ESCAPED_SLASHES", "keep")]).err().unwrap();
        assert_eq!(e.setting, "CLERK_ESCAPED_SLASHES");
        let e = with(&[
            ("CLERK_PATH_NORMALIZATION", "clerk"),
            ("CLERK_ESCAPED_SLASHES", "redirect"),
        ])
        .err()
        .unwrap();
        assert_eq!(e.setting, "CLERK_ESCAPED_SLASHES");
    }

    #[test]
    fn worker_settings_turn_the_proxy_on_and_route_handshakes_through_it() {
        let env = |extra: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                [
                    ("CLERK_PUBLISHABLE_KEY", "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"),
                    ("CLERK_SECRET_KEY", "sk_live_proxy"),
                    ("ORIGIN_URL", "demo"),
                ]
                .iter()
                .chain(extra)
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
            }
        };
        let s =
            Settings::from_env(env(&[("CLERK_FRONTEND_API_PROXY", "/__clerk")]), false).unwrap();
        assert_eq!(
            s.frontend_api_proxy.as_ref().map(|p| p.path.as_str()),
            Some("/__clerk")
        );
        assert_eq!(s.config.proxy_url.as_deref(), Some("/__clerk"));
        assert!(
            s.request_data.get("proxyUrl").is_none(),
            "only an explicit CLERK_PROXY_URL is request data"
        );
        let s = Settings::from_env(
            env(&[
                ("CLERK_FRONTEND_API_PROXY", "/__clerk"),
                ("CLERK_PROXY_URL", "https://proxy.example.com/__clerk"),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(
            s.config.proxy_url.as_deref(),
            Some("https://proxy.example.com/__clerk")
        );
        let off = Settings::from_env(env(&[]), false).unwrap();
        assert!(off.frontend_api_proxy.is_none() && off.config.proxy_url.is_none());
        let e = Settings::from_env(env(&[("CLERK_FRONTEND_API_PROXY", "clerk")]), false)
            .err()
            .unwrap();
        assert_eq!(e.setting, "CLERK_FRONTEND_API_PROXY");
        assert_eq!(e.to_string(), "clerk-edge configuration error in CLERK_FRONTEND_API_PROXY: must be a path below the root, such as /__clerk (no query, fragment, escapes or dot segments)");
        let e = Settings::from_env(
            env(&[
                ("CLERK_FRONTEND_API_PROXY", "/__clerk"),
                ("CLERK_FAPI_URL", "nope"),
            ]),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(e.setting, "CLERK_FAPI_URL");
        // A missing key is still the first error.
        let e = Settings::from_env(
            |k: &str| (k == "CLERK_FRONTEND_API_PROXY").then(|| "x".to_string()),
            false,
        )
        .err()
        .unwrap();
        assert_eq!(e.setting, "CLERK_PUBLISHABLE_KEY");
    }
}

//! Worker configuration from wrangler vars and secrets, parsed once per isolate. Every error
//! names the setting and what is wrong, and never contains a secret value.

use crate::config::{Options, OrgSyncOptions};
use crate::fapi_proxy::FrontendApiProxy;
use crate::request_data::GcmKey;
use crate::routes::RouteRules;
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
    pub trust_forwarded_headers: bool,
    pub api_url: String,
    pub encryption: Option<(RequestDataFormat, String, Option<GcmKey>)>,
    /// Public options forwarded to the origin in `x-clerk-request-data`.
    pub request_data: Value,
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

fn truthy(v: &Option<String>) -> bool {
    matches!(
        v.as_deref()
            .map(str::trim)
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("true" | "1" | "yes")
    )
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
            authorized_parties: list(get("CLERK_AUTHORIZED_PARTIES")),
            audience: list(get("CLERK_AUDIENCE")).map(crate::config::OneOrMany::Many),
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
        let proxy = proxy.map_err(|(setting, m)| err(setting, m))?;
        let routes = RouteRules::parse(&get("CLERK_ROUTES").unwrap_or_default())
            .map_err(|m| err("CLERK_ROUTES", m))?;
        let origin = match get("ORIGIN_URL") {
            Some(u) if u == "demo" => Origin::Demo,
            Some(u) => {
                let parsed = crate::url::Url::parse(&u)
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
            api_url: get("CLERK_API_URL")
                .unwrap_or_else(|| crate::keys::api_url_for(&config.key.frontend_api).to_string()),
            config,
            routes,
            origin,
            debug: truthy(&get("CLERK_DEBUG")),
            trust_forwarded_headers: truthy(&get("CLERK_TRUST_FORWARDED_HEADERS")),
            encryption,
            request_data: Value::Object(data),
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
}

//! Options as Clerk's `authenticateRequest` takes them, validated once into a [`Config`] that
//! holds every per-key derived value (parsed key, instance type, cookie suffix, compiled
//! patterns), so requests never recompute them.

use crate::decide::orgsync::OrgSync;
pub use crate::decide::orgsync::OrgSyncOptions;
use crate::token::jwt::{ClaimRules, OptionReading, Verification};
use crate::token::keys::{self, InstanceType, PublishableKey};
use crate::token::keyset::{KeySet, KeySource};
use crate::token::kind::Accepts;
use crate::web::js::truthy;
use serde::Deserialize;

/// Clerk's Backend API version sent on handshakes (`__clerk_api_version`): the one the Backend
/// API client sends too.
pub use crate::host::http_backend::API_VERSION_DATE as DEFAULT_API_VERSION_DATE;
pub const DEFAULT_CLOCK_SKEW_MS: f64 = 5000.0;

/// A string or a list of strings (`audience`, `issuer`, `authorizedParties`, `headerType`), or
/// any other JSON value, which Clerk's code reads without checking its type (`Other`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
    Other(serde_json::Value),
}

impl From<serde_json::Value> for OneOrMany {
    fn from(v: serde_json::Value) -> Self {
        use serde_json::Value;
        match v {
            Value::String(s) => OneOrMany::One(s),
            Value::Array(a) if a.iter().all(Value::is_string) => OneOrMany::Many(
                a.into_iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            other => OneOrMany::Other(other),
        }
    }
}

impl OneOrMany {
    /// The strings (an `Other` array keeps its string entries).
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
            OneOrMany::Other(serde_json::Value::Array(a)) => a
                .into_iter()
                .filter_map(|v| match v {
                    serde_json::Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
            OneOrMany::Other(_) => Vec::new(),
        }
    }
}

/// `audience` as Clerk reads it (`[audience].flat().filter(a => !!a)`): the strings compared
/// with the token's `aud`, and, when the list also holds other values (`audience: 5`), the
/// list as JSON for the error message; such values never equal an `aud` string.
fn audience_of(v: Option<OneOrMany>) -> (Vec<String>, Option<String>) {
    match v {
        Some(OneOrMany::Other(value)) => {
            let list: Vec<serde_json::Value> = match value {
                serde_json::Value::Array(a) => a.into_iter().filter(truthy).collect(),
                v if truthy(&v) => vec![v],
                _ => Vec::new(),
            };
            // Only a non-empty list is checked at all.
            let listed = match list.is_empty() {
                true => None,
                false => serde_json::to_string(&list).ok(),
            };
            let strings = OneOrMany::Other(serde_json::Value::Array(list)).into_vec();
            (strings, listed)
        }
        other => (other.map(OneOrMany::into_vec).unwrap_or_default(), None),
    }
}

/// Authentication options, named as in `@clerk/backend` (so JSON options deserialize as-is).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Options {
    pub secret_key: Option<String>,
    pub publishable_key: Option<String>,
    pub jwt_key: Option<String>,
    /// These four are JSON values, read as [`OneOrMany`] (as `Value`s rather than a
    /// `Deserialize` enum: the options parser is kilobytes smaller in wasm).
    pub audience: Option<serde_json::Value>,
    /// A list, or one string that the token's `azp` must occur in (Clerk calls `includes` on it).
    pub authorized_parties: Option<serde_json::Value>,
    /// Any JSON value: non-finite or non-numbers fall back to 5000 as in Clerk.
    pub clock_skew_in_ms: Option<serde_json::Value>,
    pub issuer: Option<serde_json::Value>,
    pub domain: Option<String>,
    pub is_satellite: Option<bool>,
    pub proxy_url: Option<String>,
    pub sign_in_url: Option<String>,
    pub sign_up_url: Option<String>,
    pub after_sign_in_url: Option<String>,
    pub after_sign_up_url: Option<String>,
    pub organization_sync_options: Option<OrgSyncOptions>,
    pub satellite_auto_sync: Option<bool>,
    pub api_url: Option<String>,
    pub api_version: Option<String>,
    /// `"session_token"` (default), `"any"`, a machine kind, or a list of kinds.
    pub accepts_token: Option<serde_json::Value>,
    /// The session token `typ` values accepted (a string or a list; default `"JWT"`).
    pub header_type: Option<serde_json::Value>,
    /// Any JSON value, read for its truthiness as in Clerk.
    pub skip_jwks_cache: Option<serde_json::Value>,
}

/// A configuration problem: which option, and Clerk's message (never containing a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The option name (`publishableKey`, `jwtKey`, …); adapters map it to their setting names.
    pub option: &'static str,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// What verifying a token needs from options (Clerk's `verifyToken` options), read the one way
/// for [`Config::new`] and for the binding's standalone `verifyToken`: the JSON values as
/// Clerk's code reads them, whatever their type.
#[derive(Debug)]
pub struct VerifySettings {
    /// One key, or several during a rotation.
    pub jwt_key: Option<KeySet>,
    pub audience: Vec<String>,
    /// `audience` as JSON when it holds values other than strings (Clerk's message shows them).
    pub audience_listed: Option<String>,
    pub authorized_parties: Vec<String>,
    /// `authorizedParties` was one string: `azp` must occur within it (`String.includes`).
    pub authorized_parties_text: bool,
    pub issuer: Vec<String>,
    pub skew_ms: f64,
    /// `headerType`: the accepted session-token `typ` values; `None` is Clerk's default.
    pub header_type: Option<Vec<String>>,
}

impl VerifySettings {
    /// `clock_skew_in_ms`: a finite number, else Clerk's 5000. An unusable `jwt_key` or an
    /// `authorized_parties` of another type is a [`ConfigError`].
    pub fn read(
        jwt_key: Option<String>,
        audience: Option<serde_json::Value>,
        authorized_parties: Option<serde_json::Value>,
        issuer: Option<serde_json::Value>,
        clock_skew_in_ms: Option<serde_json::Value>,
        header_type: Option<serde_json::Value>,
    ) -> Result<VerifySettings, ConfigError> {
        let jwt_key = match non_empty(jwt_key) {
            None => None,
            Some(pem) => Some(parse_jwt_key(&pem)?),
        };
        let skew_ms = match clock_skew_in_ms {
            Some(serde_json::Value::Number(n)) => n
                .as_f64()
                .filter(|f| f.is_finite())
                .unwrap_or(DEFAULT_CLOCK_SKEW_MS),
            _ => DEFAULT_CLOCK_SKEW_MS,
        };
        let (audience, audience_listed) = audience_of(audience.map(OneOrMany::from));
        let (authorized_parties, authorized_parties_text) = match authorized_parties
            .map(OneOrMany::from)
        {
            // `"".length === 0`: no check, as for an empty list.
            Some(OneOrMany::One(s)) if s.is_empty() => (Vec::new(), false),
            Some(OneOrMany::One(s)) => (vec![s], true),
            Some(OneOrMany::Many(v)) => (v, false),
            Some(OneOrMany::Other(v)) if !truthy(&v) => (Vec::new(), false),
            Some(OneOrMany::Other(_)) => {
                return Err(ConfigError {
                    option: "authorizedParties",
                    message: "authorizedParties must be a string or an array of strings.".into(),
                })
            }
            None => (Vec::new(), false),
        };
        Ok(VerifySettings {
            jwt_key,
            audience,
            audience_listed,
            authorized_parties,
            authorized_parties_text,
            issuer: issuer
                .map(|v| OneOrMany::from(v).into_vec())
                .unwrap_or_default(),
            skew_ms,
            header_type: header_type.map(|v| OneOrMany::from(v).into_vec()),
        })
    }

    /// The claim checks these options ask for.
    pub fn claim_rules(&self) -> ClaimRules<'_> {
        ClaimRules {
            audience: &self.audience,
            authorized_parties: &self.authorized_parties,
            issuer: &self.issuer,
            skew_ms: self.skew_ms,
            reading: OptionReading {
                header_type: self.header_type.as_deref(),
                audience_listed: self.audience_listed.as_deref(),
                parties_text: self.authorized_parties_text,
            },
        }
    }
}

/// A validated configuration.
#[derive(Debug)]
pub struct Config {
    pub publishable_key: String,
    pub key: PublishableKey,
    pub secret_key: String,
    /// One key, or several during a rotation (`crate::token::keyset`).
    pub jwt_key: Option<KeySet>,
    pub audience: Vec<String>,
    /// `audience` as JSON when it holds values other than strings (Clerk's message shows them).
    pub audience_listed: Option<String>,
    pub authorized_parties: Vec<String>,
    /// `authorizedParties` was one string: `azp` must occur within it (`String.includes`).
    pub authorized_parties_text: bool,
    pub issuer: Vec<String>,
    pub skew_ms: f64,
    pub domain: Option<String>,
    pub is_satellite: bool,
    pub proxy_url: Option<String>,
    pub sign_in_url: Option<String>,
    pub sign_up_url: Option<String>,
    pub satellite_auto_sync: bool,
    pub org_sync: OrgSync,
    /// `_<8 chars>` suffix of this instance's cookies.
    pub cookie_suffix: String,
    /// Frontend API host ignoring `proxyUrl` (satellite `clerk.<domain>` applied).
    pub original_frontend_api: String,
    pub api_version_date: String,
    pub accepts: Accepts,
    /// The Backend API origin: the `apiUrl` option, else the one the publishable key implies.
    pub api_url: String,
    /// `headerType`: the accepted session-token `typ` values; `None` is Clerk's default (`JWT`,
    /// or no `typ` at all).
    pub header_type: Option<Vec<String>>,
    /// Path segment of versioned Backend API calls (`apiVersion`, default `v1`).
    pub api_version: String,
    pub skip_jwks_cache: bool,
    /// Why the `jwtKey` given could not be parsed, when [`Config::new_lenient_jwt_key`] kept
    /// it as Clerk does (every token then fails its signature check). Never holds the key.
    pub unusable_jwt_key: Option<String>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

/// `jwtKey`: one PEM, several, or a JWKS. The message never quotes the key.
pub fn parse_jwt_key(pem: &str) -> Result<KeySet, ConfigError> {
    KeySet::parse(pem).map_err(|e| ConfigError {
        option: "jwtKey",
        message: format!("The JWT verification key (jwtKey / CLERK_JWT_KEY) is not usable: {e}."),
    })
}

impl Config {
    /// Where this configuration's verification key comes from.
    pub(crate) fn key_source(&self) -> KeySource<'_> {
        match &self.jwt_key {
            // One PEM: exactly Clerk's `jwtKey`; several keys: chosen by `kid`, else tried in order.
            Some(set) => set.source(),
            // Clerk never falls back to the JWKS when a `jwtKey` is given, even a broken one.
            None if self.unusable_jwt_key.is_some() => KeySource::Unusable,
            None if !self.secret_key.is_empty() => KeySource::Remote,
            None => KeySource::Missing,
        }
    }

    /// The claim checks this configuration asks for.
    pub(crate) fn claim_rules(&self) -> ClaimRules<'_> {
        ClaimRules {
            audience: &self.audience,
            authorized_parties: &self.authorized_parties,
            issuer: &self.issuer,
            skew_ms: self.skew_ms,
            reading: OptionReading {
                header_type: self.header_type.as_deref(),
                audience_listed: self.audience_listed.as_deref(),
                parties_text: self.authorized_parties_text,
            },
        }
    }

    /// Everything a token verification needs from this configuration, with the time and the
    /// host's services.
    pub(crate) fn verification<'a, V, B>(
        &'a self,
        now_ms: f64,
        verifier: &'a V,
        backend: &'a B,
    ) -> Verification<'a, V, B> {
        Verification {
            key: self.key_source(),
            rules: self.claim_rules(),
            now_ms,
            verifier,
            backend,
        }
    }

    /// Validates in Clerk's order: publishable key, secret key, satellite rules, patterns.
    pub fn new(options: Options) -> Result<Config, ConfigError> {
        let publishable_key = options.publishable_key.unwrap_or_default();
        let key = keys::parse_publishable_key(&publishable_key).map_err(|e| ConfigError {
            option: "publishableKey",
            message: e.clerk_error(),
        })?;
        let secret_key = non_empty(options.secret_key).ok_or(ConfigError {
            option: "secretKey",
            message: "Missing Clerk Secret Key. Go to https://dashboard.clerk.com and get your key for your instance.".into(),
        })?;
        let is_satellite = options.is_satellite.unwrap_or(false);
        let domain = non_empty(options.domain);
        let proxy_url = non_empty(options.proxy_url);
        let sign_in_url = non_empty(options.sign_in_url);
        if is_satellite {
            if sign_in_url.is_none() && keys::is_development_secret_key(&secret_key) {
                return Err(ConfigError {
                    option: "signInUrl",
                    message: "Missing signInUrl. Pass a signInUrl for dev instances if an app is satellite".into(),
                });
            }
            if proxy_url.is_none() && domain.is_none() {
                return Err(ConfigError {
                    option: "domain",
                    message: "Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl".into(),
                });
            }
        }
        let org_sync =
            OrgSync::compile(options.organization_sync_options.as_ref()).map_err(|message| {
                ConfigError {
                    option: "organizationSyncOptions",
                    message,
                }
            })?;
        let verify = VerifySettings::read(
            options.jwt_key,
            options.audience,
            options.authorized_parties,
            options.issuer,
            options.clock_skew_in_ms,
            options.header_type,
        )?;
        let original_frontend_api = keys::frontend_api(&key, None, domain.as_deref(), is_satellite);
        let accepts = Accepts::from_json(
            options
                .accepts_token
                .as_ref()
                .unwrap_or(&serde_json::Value::Null),
        )
        .map_err(|message| ConfigError {
            option: "acceptsToken",
            message,
        })?;
        let cookie_suffix = keys::cookie_suffix(&publishable_key);
        let api_url = non_empty(options.api_url)
            .unwrap_or_else(|| keys::api_url_for(&key.frontend_api).to_string());
        let api_version = options
            .api_version
            .as_deref()
            .map(|v| v.trim_matches('/'))
            .filter(|v| !v.is_empty())
            .unwrap_or("v1")
            .to_string();
        Ok(Config {
            publishable_key,
            key,
            secret_key,
            jwt_key: verify.jwt_key,
            audience: verify.audience,
            audience_listed: verify.audience_listed,
            authorized_parties: verify.authorized_parties,
            authorized_parties_text: verify.authorized_parties_text,
            issuer: verify.issuer,
            skew_ms: verify.skew_ms,
            header_type: verify.header_type,
            domain,
            is_satellite,
            proxy_url,
            sign_in_url,
            sign_up_url: non_empty(options.sign_up_url),
            satellite_auto_sync: options.satellite_auto_sync.unwrap_or(false),
            org_sync,
            cookie_suffix,
            original_frontend_api,
            api_version_date: DEFAULT_API_VERSION_DATE.to_string(),
            accepts,
            api_url,
            api_version,
            skip_jwks_cache: options.skip_jwks_cache.as_ref().is_some_and(truthy),
            unusable_jwt_key: None,
        })
    }

    /// As [`Config::new`], except for a `jwtKey` that cannot be parsed: Clerk imports whatever
    /// it is given and every token then fails its signature check (`token-invalid-signature`),
    /// public pages still served. The Next shim does the same (and logs
    /// [`Config::unusable_jwt_key`] once); the Worker keeps refusing to start.
    pub fn new_lenient_jwt_key(mut options: Options) -> Result<Config, ConfigError> {
        let pem = options.jwt_key.take();
        let mut cfg = Config::new(options)?;
        if let Some(pem) = non_empty(pem) {
            match parse_jwt_key(&pem) {
                Ok(set) => cfg.jwt_key = Some(set),
                Err(e) => cfg.unusable_jwt_key = Some(e.message),
            }
        }
        Ok(cfg)
    }

    pub fn is_development(&self) -> bool {
        self.key.instance_type == InstanceType::Development
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIVE: &str = "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"; // clerk.example.com
    const PEM: &str = include_str!("../../tests/fixtures/test-public-key.pem");

    fn config(extra: &str) -> Result<Config, ConfigError> {
        let json = format!(r#"{{"publishableKey":"{LIVE}","secretKey":"sk_live_x"{extra}}}"#);
        Config::new(serde_json::from_str(&json).unwrap())
    }

    #[test]
    fn defaults() {
        let c = config("").unwrap();
        assert_eq!(c.api_version, "v1");
        assert!(!c.skip_jwks_cache);
        assert_eq!(c.header_type, None);
        assert_eq!(
            (c.audience_listed, c.authorized_parties_text),
            (None, false)
        );
    }

    #[test]
    fn strings_and_numbers_where_clerk_takes_them() {
        let c = config(
            r#","authorizedParties":"https://a.example","audience":5,"headerType":"custom+jwt","apiVersion":"/v2/","skipJwksCache":1,"organizationSyncOptions":{"organizationPatterns":"/orgs/:slug"}"#,
        )
        .unwrap();
        assert_eq!(c.authorized_parties, ["https://a.example"]);
        assert!(c.authorized_parties_text);
        assert!(c.audience.is_empty());
        assert_eq!(c.audience_listed.as_deref(), Some("[5]"));
        assert_eq!(c.header_type, Some(vec!["custom+jwt".to_string()]));
        assert_eq!(c.api_version, "v2");
        assert!(c.skip_jwks_cache);
        assert!(c.org_sync.is_configured());
    }

    #[test]
    fn audience_lists_keep_truthy_values_in_order() {
        let c = config(r#","audience":[5,"x",0,"",null,"y"],"headerType":["JWT","custom+jwt"]"#)
            .unwrap();
        assert_eq!(c.audience, ["x", "y"]);
        assert_eq!(c.audience_listed.as_deref(), Some(r#"[5,"x","y"]"#));
        assert_eq!(
            c.header_type,
            Some(vec!["JWT".to_string(), "custom+jwt".to_string()])
        );
        let c = config(r#","audience":0,"authorizedParties":"""#).unwrap();
        assert_eq!(c.audience_listed, None);
        assert!(c.audience.is_empty());
        assert!(c.authorized_parties.is_empty() && !c.authorized_parties_text);
        let c = config(r#","audience":["a","b"],"authorizedParties":["p"]"#).unwrap();
        assert_eq!(
            (c.audience, c.audience_listed),
            (vec!["a".into(), "b".into()], None)
        );
        assert_eq!(
            (c.authorized_parties, c.authorized_parties_text),
            (vec!["p".into()], false)
        );
    }

    #[test]
    fn authorized_parties_of_another_type_is_a_config_error() {
        let e = config(r#","authorizedParties":5"#).unwrap_err();
        assert_eq!(e.option, "authorizedParties");
        assert_eq!(
            e.message,
            "authorizedParties must be a string or an array of strings."
        );
    }

    #[test]
    fn an_unusable_jwt_key_is_kept_by_the_lenient_constructor_only() {
        let options = || -> Options {
            serde_json::from_str(&format!(
                r#"{{"publishableKey":"{LIVE}","secretKey":"sk_live_x","jwtKey":"not-a-pem-SECRETISH"}}"#
            ))
            .unwrap()
        };
        let e = Config::new(options()).unwrap_err();
        assert_eq!(e.option, "jwtKey");
        let c = Config::new_lenient_jwt_key(options()).unwrap();
        assert!(c.jwt_key.is_none());
        let problem = c.unusable_jwt_key.unwrap();
        assert_eq!(problem, e.message);
        assert!(problem
            .starts_with("The JWT verification key (jwtKey / CLERK_JWT_KEY) is not usable: "));
        assert!(!problem.contains("SECRETISH"), "never the key itself");
        let mut good = options();
        good.jwt_key = Some(PEM.into());
        let c = Config::new_lenient_jwt_key(good).unwrap();
        assert!(c.jwt_key.is_some() && c.unusable_jwt_key.is_none());
        let mut bad_pk = options();
        bad_pk.publishable_key = Some("pk_nope".into());
        assert_eq!(
            Config::new_lenient_jwt_key(bad_pk).unwrap_err().option,
            "publishableKey",
            "every other check as before"
        );
    }
}

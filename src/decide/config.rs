//! Options as Clerk's `authenticateRequest` takes them, validated once into a [`Config`] that
//! holds every per-key derived value (parsed key, instance type, cookie suffix, compiled
//! patterns), so requests never recompute them.

use crate::decide::orgsync::OrgSync;
pub use crate::decide::orgsync::OrgSyncOptions;
use crate::token::jwt::{ClaimRules, Verification};
use crate::token::keys::{self, InstanceType, PublishableKey};
use crate::token::keyset::{KeySet, KeySource};
use crate::token::kind::Accepts;
use serde::Deserialize;

/// Clerk's Backend API version sent on handshakes (`__clerk_api_version`): the one the Backend
/// API client sends too.
pub use crate::host::http_backend::API_VERSION_DATE as DEFAULT_API_VERSION_DATE;
pub const DEFAULT_CLOCK_SKEW_MS: f64 = 5000.0;

/// A string or a list of strings (`audience`, `issuer`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Authentication options, named as in `@clerk/backend` (so JSON options deserialize as-is).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Options {
    pub secret_key: Option<String>,
    pub publishable_key: Option<String>,
    pub jwt_key: Option<String>,
    pub audience: Option<OneOrMany>,
    pub authorized_parties: Option<Vec<String>>,
    /// Any JSON value: non-finite or non-numbers fall back to 5000 as in Clerk.
    pub clock_skew_in_ms: Option<serde_json::Value>,
    pub issuer: Option<OneOrMany>,
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
/// for [`Config::new`] and for the binding's standalone `verifyToken`.
#[derive(Debug)]
pub struct VerifySettings {
    /// One key, or several during a rotation.
    pub jwt_key: Option<KeySet>,
    pub audience: Vec<String>,
    pub authorized_parties: Vec<String>,
    pub issuer: Vec<String>,
    pub skew_ms: f64,
}

impl VerifySettings {
    /// `clock_skew_in_ms`: a finite number, else Clerk's 5000.
    pub fn read(
        jwt_key: Option<String>,
        audience: Option<OneOrMany>,
        authorized_parties: Option<Vec<String>>,
        issuer: Option<OneOrMany>,
        clock_skew_in_ms: Option<serde_json::Value>,
    ) -> Result<VerifySettings, ConfigError> {
        let jwt_key = match non_empty(jwt_key) {
            None => None,
            Some(pem) => Some(KeySet::parse(&pem).map_err(|e| ConfigError {
                option: "jwtKey",
                message: format!(
                    "The JWT verification key (jwtKey / CLERK_JWT_KEY) is not usable: {e}."
                ),
            })?),
        };
        let skew_ms = match clock_skew_in_ms {
            Some(serde_json::Value::Number(n)) => n
                .as_f64()
                .filter(|f| f.is_finite())
                .unwrap_or(DEFAULT_CLOCK_SKEW_MS),
            _ => DEFAULT_CLOCK_SKEW_MS,
        };
        Ok(VerifySettings {
            jwt_key,
            audience: audience.map(OneOrMany::into_vec).unwrap_or_default(),
            authorized_parties: authorized_parties.unwrap_or_default(),
            issuer: issuer.map(OneOrMany::into_vec).unwrap_or_default(),
            skew_ms,
        })
    }

    pub fn claim_rules(&self) -> ClaimRules<'_> {
        ClaimRules {
            audience: &self.audience,
            authorized_parties: &self.authorized_parties,
            issuer: &self.issuer,
            skew_ms: self.skew_ms,
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
    pub authorized_parties: Vec<String>,
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
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

impl Config {
    /// Where this configuration's verification key comes from.
    pub(crate) fn key_source(&self) -> KeySource<'_> {
        match &self.jwt_key {
            // One PEM: exactly Clerk's `jwtKey`; several keys: chosen by `kid`, else tried in order.
            Some(set) => set.source(),
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
        Ok(Config {
            publishable_key,
            key,
            secret_key,
            jwt_key: verify.jwt_key,
            audience: verify.audience,
            authorized_parties: verify.authorized_parties,
            issuer: verify.issuer,
            skew_ms: verify.skew_ms,
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
        })
    }

    pub fn is_development(&self) -> bool {
        self.key.instance_type == InstanceType::Development
    }
}

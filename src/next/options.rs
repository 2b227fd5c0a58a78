//! `clerkMiddleware()`'s options as Clerk's Next SDK merges them (clerk-behavior.md "Middleware pipeline" steps 2, 3 and 7:
//! `createAuthenticateRequestOptions` + `handleMultiDomainAndProxy`), read once per distinct
//! options value into [`MiddlewareOptions`]; per request only the few values that depend on the
//! request URL (a relative `proxyUrl`, the automatic proxy, option functions) are resolved.

use crate::decide::config::{parse_jwt_key, Config, Options};
use crate::downstream::request_data;
use crate::gateway::fapi_proxy;
use crate::next::csp::CspOptions;
use crate::token::keys;
use crate::web::js::{env_flag, truthy};
use crate::web::url::Url;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// The environment as Clerk's Next SDK reads it (`readEnv` in `js/core.js`), plus
/// `CLERK_JWT_KEY`. Absent variables are empty.
#[derive(Debug, Clone, Default)]
pub struct NextEnv {
    pub publishable_key: String,
    pub secret_key: String,
    pub encryption_key: String,
    pub jwt_key: String,
    pub sign_in_url: String,
    pub sign_up_url: String,
    pub domain: String,
    pub proxy_url: String,
    pub is_satellite: Option<String>,
    pub api_url: String,
    /// `CLERK_API_VERSION` (`v1` when empty).
    pub api_version: String,
    pub machine_secret_key: String,
    pub node_env: Option<String>,
    pub disable_auto_proxy: Option<String>,
    pub vercel_target_env: Option<String>,
    pub vercel_project_production_url: Option<String>,
    pub fapi_url: String,
    pub netlify: bool,
}

impl NextEnv {
    /// From `readEnv()`'s JSON (camelCase names; absent or non-string values are empty).
    pub fn from_json(v: &Value) -> NextEnv {
        #[inline(never)]
        fn opt_at(v: &Value, k: &str) -> Option<String> {
            v.get(k).and_then(Value::as_str).map(str::to_owned)
        }
        let opt = |k: &str| opt_at(v, k);
        let s = |k: &str| opt_at(v, k).unwrap_or_default();
        NextEnv {
            publishable_key: s("publishableKey"),
            secret_key: s("secretKey"),
            encryption_key: s("encryptionKey"),
            jwt_key: s("jwtKey"),
            sign_in_url: s("signInUrl"),
            sign_up_url: s("signUpUrl"),
            domain: s("domain"),
            proxy_url: s("proxyUrl"),
            is_satellite: opt("isSatellite"),
            api_url: s("apiUrl"),
            api_version: s("apiVersion"),
            machine_secret_key: s("machineSecretKey"),
            node_env: opt("nodeEnv"),
            disable_auto_proxy: opt("disableAutoProxy"),
            vercel_target_env: opt("vercelTargetEnv"),
            vercel_project_production_url: opt("vercelProjectProductionUrl"),
            fapi_url: s("fapiUrl"),
            netlify: v.get("netlify").is_some_and(truthy),
        }
    }
}

const KEY_SETUP_STEPS: &str = "To use an existing Clerk app, run:\nnpx clerk@latest link\nnpx clerk@latest env pull\n\nFor production keys, run:\nnpx clerk@latest env pull --instance prod";
const KEY_DASHBOARD: &str =
    "Or copy keys from https://dashboard.clerk.com/~/api-keys into your .env file.";

/// `@clerk/nextjs: Clerk keys are missing from your environment.` + Clerk's guidance.
pub fn missing_publishable_key() -> String {
    format!("@clerk/nextjs: Clerk keys are missing from your environment.\n\nTo create a new Clerk app, run:\nnpx clerk@latest init\n\n'npx clerk@latest init' does not need a Clerk account and writes temporary dev keys.\n\n{KEY_SETUP_STEPS}\n\n{KEY_DASHBOARD}")
}

/// `@clerk/nextjs: Missing secretKey.` + Clerk's guidance.
pub fn missing_secret_key() -> String {
    format!("@clerk/nextjs: Missing secretKey.\n\n{KEY_SETUP_STEPS}\n\n{KEY_DASHBOARD}")
}

const MISSING_DOMAIN_AND_PROXY: &str = "\nMissing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl.\n\n1) With middleware\n   e.g. export default clerkMiddleware({domain:'YOUR_DOMAIN',isSatellite:true});\n2) With environment variables e.g.\n   NEXT_PUBLIC_CLERK_DOMAIN='YOUR_DOMAIN'\n   NEXT_PUBLIC_CLERK_IS_SATELLITE='true'\n   ";
const MISSING_SIGN_IN_URL_IN_DEV: &str = "\nInvalid signInUrl. A satellite application requires a signInUrl for development instances.\nCheck if signInUrl is missing from your configuration or if it is not an absolute URL\n\n1) With middleware\n   e.g. export default clerkMiddleware({signInUrl:'SOME_URL', isSatellite:true});\n2) With environment variables e.g.\n   NEXT_PUBLIC_CLERK_SIGN_IN_URL='SOME_URL'\n   NEXT_PUBLIC_CLERK_IS_SATELLITE='true'";

const KEYLESS_ENCRYPTION_KEY: &str = "clerk_keyless_dummy_key";

/// Values of option functions, called by the JS side for this request (absent: the option is
/// not a function). `proxyUrl` gets `clerkUrl`, the others the request URL.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub proxy_url: Option<Value>,
    pub is_satellite: Option<Value>,
    pub domain: Option<Value>,
    /// `frontendApiProxy.enabled(url)`.
    pub proxy_enabled: Option<bool>,
}

impl Resolved {
    /// From `{proxyUrl?, isSatellite?, domain?, proxyEnabled?}` (a function's `undefined` is
    /// sent as `null`).
    pub fn from_map(mut m: Map<String, Value>) -> Resolved {
        Resolved {
            proxy_url: m.remove("proxyUrl"),
            is_satellite: m.remove("isSatellite"),
            domain: m.remove("domain"),
            proxy_enabled: m.remove("proxyEnabled").map(|v| truthy(&v)),
        }
    }
}

/// The Frontend API proxy setting that applies before authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxySetting {
    pub path: String,
    /// `enabled` as a value; `None` when it is a function (then [`Resolved::proxy_enabled`]).
    pub enabled: Option<bool>,
}

/// What the per-request options resolve to: the key of a cached [`Config`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Derived {
    proxy_url: Option<String>,
    is_satellite: bool,
    domain: Option<String>,
}

/// Past this many derived configurations per options value, new ones are not cached.
const MAX_CONFIGS: usize = 8;

/// One `clerkMiddleware()` options value (the user's options after their function, with option
/// functions dropped) and the environment, read once.
#[derive(Debug)]
pub struct MiddlewareOptions {
    pub env: NextEnv,
    /// `JSON.stringify(resolvedParams)`: what the request data carries.
    params_json: String,
    /// Whether any option has a value (`Object.values(params).some(v => v !== undefined)`).
    has_values: bool,
    /// `params.publishableKey || NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY`.
    pub publishable_key: String,
    /// `params.secretKey || CLERK_SECRET_KEY`.
    pub secret_key: String,
    /// The effective options (`{publishableKey, secretKey, signInUrl, signUpUrl, ...params}`):
    /// the `debug()` data and the base of the authenticate options.
    pub options: Map<String, Value>,
    pub debug: bool,
    pub csp: Option<CspOptions>,
    /// The user's `frontendApiProxy`.
    pub proxy: Option<ProxySetting>,
    /// `proxyUrl || domain` explicitly set (option, option function or environment).
    explicit_proxy_or_domain: bool,
    /// The passphrase of `x-clerk-request-data`, or the error Clerk throws when it is needed.
    request_data_key: Result<String, String>,
    /// `params.secretKey || CLERK_SECRET_KEY`: signs `x-clerk-auth-signature`.
    pub signing_key: String,
    /// The authenticate options without the per-request values (also the `debug()` data).
    auth_base: Map<String, Value>,
    /// Why the `jwtKey` (option or `CLERK_JWT_KEY`) is no usable key, for one log line per
    /// isolate; never the key itself. Every token is then signed out, as in Clerk.
    pub jwt_key_problem: Option<String>,
    configs: RefCell<Vec<(Derived, Rc<Config>)>>,
}

fn str_of<'m>(m: &'m Map<String, Value>, k: &str) -> Option<&'m str> {
    m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn or_env(params: &Map<String, Value>, k: &str, env: &str) -> String {
    str_of(params, k).unwrap_or(env).to_string()
}

fn is_http_or_https(v: &str) -> bool {
    v.starts_with("https://") || v.starts_with("http://")
}

fn non_empty(v: &str) -> Option<&str> {
    Some(v).filter(|s| !s.is_empty())
}

impl MiddlewareOptions {
    /// `params_json`: `JSON.stringify(resolvedParams)`; `has_functions`: whether any option is
    /// a function (they are dropped from the JSON but count as values); `function_names`: which
    /// of `proxyUrl`, `domain` are functions (they count as explicitly set).
    pub fn new(
        params_json: &str,
        env: NextEnv,
        has_functions: bool,
        function_names: &[&str],
    ) -> Result<MiddlewareOptions, String> {
        let params: Map<String, Value> = match serde_json::from_str(params_json) {
            Ok(Value::Object(m)) => m,
            Ok(_) => Map::new(),
            Err(e) => return Err(format!("invalid options JSON: {e}")),
        };
        let publishable_key = or_env(&params, "publishableKey", &env.publishable_key);
        let secret_key = or_env(&params, "secretKey", &env.secret_key);
        let mut options = Map::new();
        options.insert("publishableKey".into(), json!(publishable_key));
        options.insert("secretKey".into(), json!(secret_key));
        options.insert(
            "signInUrl".into(),
            json!(or_env(&params, "signInUrl", &env.sign_in_url)),
        );
        options.insert(
            "signUpUrl".into(),
            json!(or_env(&params, "signUpUrl", &env.sign_up_url)),
        );
        options.extend(params.iter().map(|(k, v)| (k.clone(), v.clone())));
        let explicit = |k: &str, env_value: &str| {
            params.get(k).is_some_and(truthy)
                || function_names.contains(&k)
                || !env_value.is_empty()
        };
        let explicit_proxy_or_domain =
            explicit("proxyUrl", &env.proxy_url) || explicit("domain", &env.domain);
        let proxy = params
            .get("frontendApiProxy")
            .filter(|v| truthy(v))
            .map(|p| ProxySetting {
                path: p
                    .get("path")
                    .and_then(Value::as_str)
                    .unwrap_or(fapi_proxy::DEFAULT_PROXY_PATH)
                    .to_string(),
                enabled: if function_names.contains(&"frontendApiProxy.enabled") {
                    None
                } else {
                    Some(p.get("enabled").is_some_and(truthy))
                },
            });
        let production = env.node_env.as_deref() == Some("production");
        let request_data_key = {
            let encryption = non_empty(&env.encryption_key);
            let secret = non_empty(&env.secret_key);
            if params.get("secretKey").is_some_and(truthy) && encryption.is_none() {
                Err(request_data::ENCRYPTION_KEY_MISSING.to_string())
            } else {
                match (encryption, secret) {
                    (Some(k), _) | (None, Some(k)) => Ok(k.to_string()),
                    (None, None) if production => Err(missing_secret_key()),
                    (None, None) => Ok(KEYLESS_ENCRYPTION_KEY.to_string()),
                }
            }
        };
        let signing_key = or_env(&params, "secretKey", &env.secret_key);
        let auth_base = auth_base(&options, &env);
        let jwt_key_problem = str_of(&auth_base, "jwtKey")
            .and_then(|k| parse_jwt_key(k).err())
            .map(|e| e.message);
        Ok(MiddlewareOptions {
            has_values: has_functions || params.values().next().is_some(),
            params_json: params_json.to_string(),
            publishable_key,
            secret_key,
            debug: options.get("debug").is_some_and(truthy),
            csp: options
                .get("contentSecurityPolicy")
                .filter(|v| truthy(v))
                .map(CspOptions::from_json),
            proxy,
            explicit_proxy_or_domain,
            request_data_key,
            signing_key,
            options,
            auth_base,
            jwt_key_problem,
            env,
            configs: RefCell::new(Vec::new()),
        })
    }

    /// clerk-behavior.md "Middleware pipeline" step 2: both keys present, checked in that order.
    pub fn assert_keys(&self) -> Result<(), String> {
        if self.publishable_key.is_empty() {
            return Err(missing_publishable_key());
        }
        if self.secret_key.is_empty() {
            return Err(missing_secret_key());
        }
        Ok(())
    }

    /// clerk-behavior.md "Middleware pipeline" step 3: the proxy path whose requests go to the Frontend API unauthenticated, if
    /// one is on for this request: the user's `frontendApiProxy`, else the automatic proxy of
    /// `*.vercel.app` production deployments.
    pub fn proxy_path_for(&self, hostname: &str, resolved: &Resolved) -> Option<&str> {
        match &self.proxy {
            Some(p) => p
                .enabled
                .or(resolved.proxy_enabled)
                .unwrap_or(false)
                .then_some(p.path.as_str()),
            None => (!self.explicit_proxy_or_domain
                && self.publishable_key.starts_with("pk_live_")
                && !self.env.disable_auto_proxy.as_deref().is_some_and(env_flag)
                && hostname.ends_with(".vercel.app"))
            .then_some(fapi_proxy::DEFAULT_PROXY_PATH),
        }
    }

    /// The request data to seal, if any: the options with values, plus a machine auth object.
    pub fn request_data(&self, machine_auth_object: Option<&str>) -> Option<String> {
        if !self.has_values && machine_auth_object.is_none() {
            return None;
        }
        let Some(m) = machine_auth_object else {
            return Some(self.params_json.clone());
        };
        let body = self.params_json.trim_end();
        let head = body.strip_suffix('}').unwrap_or("{");
        let sep = if head.trim_end().ends_with('{') {
            ""
        } else {
            ","
        };
        Some(format!("{head}{sep}\"machineAuthObject\":{m}}}"))
    }

    /// `machineSecretKey || CLERK_MACHINE_SECRET_KEY`: verifies M2M tokens when set.
    pub fn machine_secret_key(&self) -> &str {
        str_of(&self.options, "machineSecretKey").unwrap_or(&self.env.machine_secret_key)
    }

    pub fn request_data_key(&self) -> Result<&str, String> {
        self.request_data_key.as_deref().map_err(Clone::clone)
    }

    /// The validated configuration for this request (clerk-behavior.md "Middleware pipeline" step 7), cached per distinct
    /// per-request values. `clerk_url`: the public request URL; `request_url`: as received.
    pub fn config(
        &self,
        clerk_url: &Url,
        request_url: &Url,
        resolved: &Resolved,
    ) -> Result<Rc<Config>, String> {
        let derived = self.derive(clerk_url, request_url, resolved)?;
        if let Some((_, c)) = self.configs.borrow().iter().find(|(d, _)| *d == derived) {
            return Ok(Rc::clone(c));
        }
        let mut auth = self.auth_base.clone();
        auth.insert("proxyUrl".into(), derived.proxy_url.clone().into());
        auth.insert("isSatellite".into(), derived.is_satellite.into());
        auth.insert("domain".into(), derived.domain.clone().into());
        // Through text: the one `Options` deserializer the binding already has (size); once
        // per derived value, not per request.
        let options: Options = serde_json::from_str(&Value::Object(auth).to_string())
            .map_err(|e| format!("invalid options JSON: {e}"))?;
        // A bad `jwtKey` signs every token out, as in Clerk ([`MiddlewareOptions::jwt_key_problem`]).
        let config = Rc::new(Config::new_lenient_jwt_key(options).map_err(|e| e.message)?);
        let mut configs = self.configs.borrow_mut();
        if configs.len() < MAX_CONFIGS {
            configs.push((derived, Rc::clone(&config)));
        }
        Ok(config)
    }

    /// The authenticate options as `debug()` shows them.
    pub fn debug_options(&self, config: &Config) -> Map<String, Value> {
        let mut m = self.auth_base.clone();
        m.insert("proxyUrl".into(), config.proxy_url.clone().into());
        m.insert("isSatellite".into(), config.is_satellite.into());
        m.insert("domain".into(), config.domain.clone().into());
        m
    }

    fn derive(
        &self,
        clerk_url: &Url,
        request_url: &Url,
        resolved: &Resolved,
    ) -> Result<Derived, String> {
        let o = &self.options;
        // handleValueOrFn: a function's value, else the option when set, else the environment.
        let proxy_fn = resolved.proxy_url.is_some();
        let user_proxy = match (
            &self.proxy,
            o.get("proxyUrl").is_some_and(truthy) || proxy_fn,
        ) {
            (Some(p), false) if p.enabled.or(resolved.proxy_enabled).unwrap_or(false) => {
                Some(Value::String(format!("{}{}", request_url.origin(), p.path)))
            }
            _ => None,
        };
        let proxy = user_proxy
            .or_else(|| resolved.proxy_url.clone())
            .or_else(|| o.get("proxyUrl").cloned())
            .unwrap_or_else(|| Value::String(self.env.proxy_url.clone()));
        let proxy = match proxy.as_str().filter(|p| !p.is_empty()) {
            Some(p) if !is_http_or_https(p) => clerk_url
                .join(p)
                .map(|u| Value::String(u.href()))
                .ok_or_else(|| format!("Invalid URL: {p}"))?,
            _ => proxy,
        };
        let domain = resolved
            .domain
            .clone()
            .or_else(|| o.get("domain").cloned())
            .unwrap_or_else(|| Value::String(self.env.domain.clone()));
        // clerk-behavior.md "Token sources and cookie suffixes" auto proxy: production Vercel deployments on `*.vercel.app` use `/__clerk`.
        let proxy = if !truthy(&proxy) && !truthy(&domain) && self.vercel_auto_proxy() {
            Value::String(format!(
                "{}{}",
                clerk_url.origin(),
                fapi_proxy::DEFAULT_PROXY_PATH
            ))
        } else {
            proxy
        };
        let is_satellite = match resolved.is_satellite.as_ref().or(o.get("isSatellite")) {
            Some(v) => truthy(v),
            None => self.env.is_satellite.as_deref().is_some_and(env_flag),
        };
        if is_satellite && !truthy(&proxy) && !truthy(&domain) {
            return Err(MISSING_DOMAIN_AND_PROXY.to_string());
        }
        let sign_in = str_of(&self.auth_base, "signInUrl").unwrap_or("");
        if is_satellite
            && !is_http_or_https(sign_in)
            && keys::is_development_secret_key(&self.secret_key)
        {
            return Err(MISSING_SIGN_IN_URL_IN_DEV.to_string());
        }
        let as_string = |v: Value| match v {
            Value::String(s) if !s.is_empty() => Some(s),
            _ => None,
        };
        Ok(Derived {
            proxy_url: as_string(proxy),
            is_satellite,
            domain: as_string(domain),
        })
    }

    /// `getAutoProxyUrlFromEnvironment`: `pk_live_`, `CLERK_DISABLE_AUTO_PROXY` not truthy,
    /// `VERCEL_TARGET_ENV=production` and `VERCEL_PROJECT_PRODUCTION_URL` on `*.vercel.app`.
    fn vercel_auto_proxy(&self) -> bool {
        let env = &self.env;
        let production_host = env
            .vercel_project_production_url
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(|u| {
                if is_http_or_https(u) {
                    Url::parse(u)
                        .map(|x| x.hostname().to_string())
                        .unwrap_or_default()
                } else {
                    u.split('/').next().unwrap_or("").to_string()
                }
            });
        str_of(&self.options, "publishableKey").is_some_and(|k| k.starts_with("pk_live_"))
            && !env.disable_auto_proxy.as_deref().is_some_and(env_flag)
            && env.vercel_target_env.as_deref() == Some("production")
            && production_host.is_some_and(|h| h.ends_with(".vercel.app"))
    }
}

/// The authenticate options that do not depend on the request: `signInUrl` (option, else
/// environment), `jwtKey` (option, else `CLERK_JWT_KEY`: Clerk's Next SDK does not read it; we
/// do, so that verification is networkless by configuration), `apiUrl` (option, else
/// `CLERK_API_URL`), `acceptsToken: any`, and only well-typed values where the core reads
/// strictly.
fn auth_base(options: &Map<String, Value>, env: &NextEnv) -> Map<String, Value> {
    let mut out = options.clone();
    let sign_in = str_of(options, "signInUrl")
        .or(non_empty(&env.sign_in_url))
        .unwrap_or("")
        .to_string();
    out.insert("signInUrl".into(), Value::String(sign_in));
    if str_of(&out, "jwtKey").is_none() {
        out.insert(
            "jwtKey".into(),
            non_empty(&env.jwt_key).map_or(Value::Null, |k| json!(k)),
        );
    }
    if !out.get("apiUrl").is_some_and(truthy) && !env.api_url.is_empty() {
        out.insert("apiUrl".into(), json!(env.api_url));
    }
    // CLERK_API_VERSION, as the `clerkClient` Clerk builds per request reads it (the option
    // wins): the Backend API paths, the JWKS cache scope and `getToken`'s request.
    if !out.get("apiVersion").is_some_and(truthy) && !env.api_version.is_empty() {
        out.insert("apiVersion".into(), json!(env.api_version));
    }
    out.insert("acceptsToken".into(), json!("any"));
    for k in [
        "signUpUrl",
        "apiUrl",
        "apiVersion",
        "afterSignInUrl",
        "afterSignUpUrl",
    ] {
        if out.get(k).is_some_and(|v| !v.is_string()) {
            out.remove(k);
        }
    }
    if let Some(v) = out.get("satelliteAutoSync").filter(|v| !v.is_boolean()) {
        let t = truthy(v);
        out.insert("satelliteAutoSync".into(), Value::Bool(t));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PK: &str = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k"; // clerk.example.com

    fn env() -> NextEnv {
        NextEnv {
            publishable_key: PK.into(),
            secret_key: "sk_test_1".into(),
            ..NextEnv::default()
        }
    }

    fn url(u: &str) -> Url {
        Url::parse(u).unwrap()
    }

    #[test]
    fn keys_and_request_data_key() {
        let o = MiddlewareOptions::new("{}", NextEnv::default(), false, &[]).unwrap();
        assert!(o
            .assert_keys()
            .unwrap_err()
            .starts_with("@clerk/nextjs: Clerk keys are missing"));
        let o = MiddlewareOptions::new(
            &format!(r#"{{"publishableKey":"{PK}"}}"#),
            NextEnv::default(),
            false,
            &[],
        )
        .unwrap();
        assert!(o
            .assert_keys()
            .unwrap_err()
            .starts_with("@clerk/nextjs: Missing secretKey."));
        assert_eq!(o.request_data_key(), Ok(KEYLESS_ENCRYPTION_KEY));
        let o = MiddlewareOptions::new(r#"{"secretKey":"sk_test_2"}"#, env(), false, &[]).unwrap();
        assert_eq!(
            o.request_data_key(),
            Err(request_data::ENCRYPTION_KEY_MISSING.to_string())
        );
        assert_eq!(o.signing_key, "sk_test_2");
        let o = MiddlewareOptions::new(
            "{}",
            NextEnv {
                encryption_key: "enc".into(),
                ..env()
            },
            false,
            &[],
        )
        .unwrap();
        assert_eq!(o.request_data_key(), Ok("enc"));
        assert!(o.assert_keys().is_ok());
    }

    #[test]
    fn request_data_splices_the_machine_object() {
        let o = MiddlewareOptions::new("{}", env(), false, &[]).unwrap();
        assert_eq!(o.request_data(None), None);
        assert_eq!(
            o.request_data(Some(r#"{"id":1}"#)).as_deref(),
            Some(r#"{"machineAuthObject":{"id":1}}"#)
        );
        let o = MiddlewareOptions::new(r#"{"signInUrl":"/si"}"#, env(), false, &[]).unwrap();
        assert_eq!(
            o.request_data(None).as_deref(),
            Some(r#"{"signInUrl":"/si"}"#)
        );
        assert_eq!(
            o.request_data(Some("{}")).as_deref(),
            Some(r#"{"signInUrl":"/si","machineAuthObject":{}}"#)
        );
        let o = MiddlewareOptions::new("{}", env(), true, &[]).unwrap();
        assert_eq!(o.request_data(None).as_deref(), Some("{}"));
    }

    #[test]
    fn relative_proxy_url_and_config_cache() {
        let o = MiddlewareOptions::new(r#"{"proxyUrl":"/__clerk"}"#, env(), false, &[]).unwrap();
        let r = Resolved::default();
        let a = o
            .config(
                &url("https://app.example/x"),
                &url("http://localhost:3000/x"),
                &r,
            )
            .unwrap();
        assert_eq!(a.proxy_url.as_deref(), Some("https://app.example/__clerk"));
        let b = o
            .config(
                &url("https://app.example/y"),
                &url("http://localhost:3000/y"),
                &r,
            )
            .unwrap();
        assert!(Rc::ptr_eq(&a, &b), "one Config per derived value");
        let c = o
            .config(
                &url("https://other.example/"),
                &url("http://localhost:3000/"),
                &r,
            )
            .unwrap();
        assert_eq!(
            c.proxy_url.as_deref(),
            Some("https://other.example/__clerk")
        );
        assert_eq!(a.api_url, "https://api.clerk.com");
    }

    #[test]
    fn node_fast_options_reach_the_config() {
        let r = Resolved::default();
        let u = url("https://app.example/");
        let with_env = NextEnv {
            api_version: "v2".into(),
            jwt_key: "not-a-pem-SECRETISH".into(),
            ..env()
        };
        let o =
            MiddlewareOptions::new(r#"{"skipJwksCache":1}"#, with_env.clone(), false, &[]).unwrap();
        let problem = o.jwt_key_problem.clone().unwrap();
        assert!(problem
            .starts_with("The JWT verification key (jwtKey / CLERK_JWT_KEY) is not usable: "));
        assert!(!problem.contains("SECRETISH"), "never the key itself");
        // Kept as Clerk does: the configuration builds, every token fails its signature.
        let c = o.config(&u, &u, &r).unwrap();
        assert_eq!(c.unusable_jwt_key.as_deref(), Some(problem.as_str()));
        assert_eq!(c.api_version, "v2", "CLERK_API_VERSION");
        assert!(c.skip_jwks_cache);
        let o = MiddlewareOptions::new(r#"{"apiVersion":"v3"}"#, with_env, false, &[]).unwrap();
        assert_eq!(
            o.config(&u, &u, &r).unwrap().api_version,
            "v3",
            "the option wins"
        );
        let o = MiddlewareOptions::new("{}", env(), false, &[]).unwrap();
        assert_eq!(o.jwt_key_problem, None);
        let c = o.config(&u, &u, &r).unwrap();
        assert_eq!((c.api_version.as_str(), c.skip_jwks_cache), ("v1", false));
    }

    #[test]
    fn satellite_errors_and_functions() {
        let o = MiddlewareOptions::new(r#"{"isSatellite":true}"#, env(), false, &[]).unwrap();
        let u = url("https://sat.example/");
        assert_eq!(
            o.config(&u, &u, &Resolved::default()).unwrap_err(),
            MISSING_DOMAIN_AND_PROXY
        );
        let o = MiddlewareOptions::new(
            r#"{"isSatellite":true,"domain":"sat.example"}"#,
            env(),
            false,
            &[],
        )
        .unwrap();
        assert_eq!(
            o.config(&u, &u, &Resolved::default()).unwrap_err(),
            MISSING_SIGN_IN_URL_IN_DEV
        );
        let o = MiddlewareOptions::new(
            r#"{"signInUrl":"https://primary.example/sign-in"}"#,
            env(),
            true,
            &["domain"],
        )
        .unwrap();
        let r = Resolved {
            is_satellite: Some(json!(true)),
            domain: Some(json!("sat.example")),
            ..Resolved::default()
        };
        let c = o.config(&u, &u, &r).unwrap();
        assert!(c.is_satellite);
        assert_eq!(c.domain.as_deref(), Some("sat.example"));
    }

    #[test]
    fn proxy_paths() {
        let live = NextEnv {
            publishable_key: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k".into(),
            ..env()
        };
        let o = MiddlewareOptions::new("{}", live.clone(), false, &[]).unwrap();
        let r = Resolved::default();
        assert_eq!(o.proxy_path_for("app.vercel.app", &r), Some("/__clerk"));
        assert_eq!(o.proxy_path_for("app.example", &r), None);
        let off = NextEnv {
            disable_auto_proxy: Some("1".into()),
            ..live.clone()
        };
        let o = MiddlewareOptions::new("{}", off, false, &[]).unwrap();
        assert_eq!(o.proxy_path_for("app.vercel.app", &r), None);
        let o = MiddlewareOptions::new(r#"{"domain":"x.example"}"#, live, false, &[]).unwrap();
        assert_eq!(o.proxy_path_for("app.vercel.app", &r), None);
        let o = MiddlewareOptions::new(
            r#"{"frontendApiProxy":{"path":"/p"}}"#,
            env(),
            true,
            &["frontendApiProxy.enabled"],
        )
        .unwrap();
        assert_eq!(o.proxy_path_for("a", &r), None);
        let on = Resolved {
            proxy_enabled: Some(true),
            ..Resolved::default()
        };
        assert_eq!(o.proxy_path_for("a", &on), Some("/p"));
        let u = url("https://app.example/x");
        assert_eq!(
            o.config(&u, &u, &on).unwrap().proxy_url.as_deref(),
            Some("https://app.example/p")
        );
    }
}

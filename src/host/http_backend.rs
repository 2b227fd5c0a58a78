//! Clerk's Backend API over any HTTP transport: the request shapes, the JWKS cache and the
//! error mapping live here once; hosts supply only [`Transport`] (workers-rs `Fetch` in the
//! Worker, a JS callback in the Next shim, a fake in tests).
#![allow(async_fn_in_trait)]

use crate::host::key::RsaPublicKey;
use crate::host::services::{BackendApi, JwksError, MachineKind, RefreshError, RefreshRequest};
use serde_json::{json, Map, Value};
use std::cell::RefCell;

/// JWKS entries are trusted this long (Clerk: 5 minutes).
pub const JWKS_TTL_MS: f64 = 300_000.0;

/// The Backend API version every request names (`Clerk-API-Version`), for both adapters.
pub const API_VERSION_DATE: &str = "2026-05-12";

/// The headers of every Backend API request, in the order they are sent: the one definition the
/// Worker's `fetch`, the JS host's `fetch` and `getToken({ template })` all use.
pub fn api_headers(secret_key: &str) -> [(&'static str, String); 4] {
    [
        ("Authorization", format!("Bearer {secret_key}")),
        ("Clerk-API-Version", API_VERSION_DATE.to_string()),
        ("Content-Type", "application/json".to_string()),
        (
            "User-Agent",
            concat!("clerk-edge/", env!("CARGO_PKG_VERSION")).to_string(),
        ),
    ]
}

/// One HTTP exchange with the Backend API: `method` to `url` with `headers` ([`api_headers`])
/// and `body` JSON text. Answers `(status, body text)`; `Err` for network failures. Hosts only
/// send: the URL, the key and the headers are decided here.
pub trait Transport {
    async fn call(
        &self,
        method: &str,
        url: &str,
        headers: &[(&'static str, String)],
        body: Option<String>,
    ) -> Result<(u16, String), String>;
}

struct CachedJwks {
    scope: String,
    fetched_ms: f64,
    keys: Vec<(String, RsaPublicKey)>,
}

thread_local! {
    /// JWKS per (API URL, secret key), per isolate.
    static JWKS: RefCell<Vec<CachedJwks>> = const { RefCell::new(Vec::new()) };
}

/// [`BackendApi`] over a [`Transport`]; `None` behaves like an outage (every call fails).
pub struct HttpBackend<T> {
    transport: Option<T>,
    api_url: String,
    secret_key: String,
    /// `CLERK_MACHINE_SECRET_KEY`: M2M tokens are verified with it when set, as Clerk does.
    machine_secret_key: String,
    now_ms: f64,
    /// The path segment of versioned endpoints (`apiVersion` / `CLERK_API_VERSION`, default `v1`).
    version: String,
    /// `skipJwksCache`: fetch the JWKS on every verification (the result is still cached).
    skip_jwks_cache: bool,
}

fn first_error(body: &Value, field: &str) -> Option<String> {
    body.pointer(&format!("/errors/0/{field}"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn strings_at(body: &Value, key: &str) -> Vec<String> {
    body.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl<T: Transport> HttpBackend<T> {
    pub fn new(transport: Option<T>, api_url: &str, secret_key: &str, now_ms: f64) -> Self {
        let api_url = api_url.trim_end_matches('/').to_string();
        let secret_key = secret_key.to_string();
        HttpBackend {
            transport,
            api_url,
            secret_key,
            machine_secret_key: String::new(),
            now_ms,
            version: "v1".into(),
            skip_jwks_cache: false,
        }
    }

    /// Verifies M2M tokens with `key` (when not empty) instead of the secret key.
    pub fn with_machine_secret_key(mut self, key: &str) -> Self {
        self.machine_secret_key = key.to_string();
        self
    }

    /// Clerk's `apiVersion`: `/<version>/jwks`, `/<version>/clients/…`, `/<version>/sessions/…`
    /// (machine-token endpoints are unversioned, as in Clerk). Slashes around it are dropped;
    /// empty keeps `v1`.
    pub fn with_api_version(mut self, version: &str) -> Self {
        let v = version.trim_matches('/');
        if !v.is_empty() {
            self.version = v.to_string();
        }
        self
    }

    /// Clerk's `skipJwksCache`.
    pub fn with_skip_jwks_cache(mut self, skip: bool) -> Self {
        self.skip_jwks_cache = skip;
        self
    }

    /// The JWKS cache scope: API URL, version (as Clerk's) and an HMAC of the secret key, so
    /// the cache never mixes instances and never holds the key itself. Computed only when the
    /// JWKS is needed (not on every request).
    fn scope(&self) -> String {
        let mac = crate::web::signature::sign(&self.api_url, &self.secret_key);
        format!("{}|{}|{mac}", self.api_url, self.version)
    }

    async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        let t = self
            .transport
            .as_ref()
            .ok_or_else(|| "no Backend API configured".to_string())?;
        let key = if path.starts_with("/m2m_tokens/") && !self.machine_secret_key.is_empty() {
            &self.machine_secret_key
        } else {
            &self.secret_key
        };
        let url = format!("{}{path}", self.api_url);
        let (status, text) = t
            .call(method, &url, &api_headers(key), body.map(|b| b.to_string()))
            .await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    async fn fetch_jwks(&self) -> Result<Vec<(String, RsaPublicKey)>, JwksError> {
        let mut last = JwksError::Unavailable("not attempted".into());
        let path = format!("/{}/jwks", self.version);
        for _ in 0..2 {
            match self.request("GET", &path, None).await {
                Err(e) => last = JwksError::Unavailable(e),
                Ok((200, body)) => {
                    let keys: Vec<(String, RsaPublicKey)> = body
                        .get("keys")
                        .and_then(Value::as_array)
                        .map(|list| {
                            list.iter()
                                .filter(|k| k.get("kty").and_then(Value::as_str) == Some("RSA"))
                                .filter_map(|k| {
                                    let key = RsaPublicKey::from_jwk(
                                        k.get("n")?.as_str()?,
                                        k.get("e")?.as_str()?,
                                    )
                                    .ok()?;
                                    let kid = k.get("kid").and_then(Value::as_str).unwrap_or("");
                                    Some((kid.to_string(), key))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    return if keys.is_empty() {
                        Err(JwksError::NoKeys)
                    } else {
                        Ok(keys)
                    };
                }
                Ok((status, body)) => {
                    if first_error(&body, "code").as_deref() == Some("clerk_key_invalid") {
                        let msg = first_error(&body, "message")
                            .unwrap_or_else(|| "Secret key invalid".into());
                        return Err(JwksError::SecretKeyInvalid(msg));
                    }
                    last = JwksError::Http {
                        url: format!("{}{path}", self.api_url),
                        status,
                    };
                }
            }
        }
        Err(last)
    }
}

impl<T: Transport> BackendApi for HttpBackend<T> {
    async fn jwks_key(&self, kid: Option<&str>) -> Result<RsaPublicKey, JwksError> {
        let kid = kid.unwrap_or("");
        let scope = self.scope();
        let fresh = |e: &CachedJwks| e.scope == scope && self.now_ms - e.fetched_ms < JWKS_TTL_MS;
        let cached = JWKS.with(|c| {
            c.borrow()
                .iter()
                .find(|e| !self.skip_jwks_cache && fresh(e))
                .and_then(|e| e.keys.iter().find(|(k, _)| k == kid))
                .map(|(_, key)| key.clone())
        });
        if let Some(k) = cached {
            return Ok(k);
        }
        // Unknown kid or expired cache: one refetch (key rotation).
        let keys = self.fetch_jwks().await?;
        let found = keys
            .iter()
            .find(|(k, _)| k == kid)
            .map(|(_, key)| key.clone());
        JWKS.with(|c| {
            let mut c = c.borrow_mut();
            c.retain(|e| e.scope != scope && self.now_ms - e.fetched_ms < JWKS_TTL_MS);
            c.push(CachedJwks {
                scope,
                fetched_ms: self.now_ms,
                keys,
            });
        });
        found.ok_or(JwksError::KidNotFound)
    }

    async fn handshake_payload(&self, nonce: &str) -> Result<Vec<String>, String> {
        let path = format!(
            "/{}/clients/handshake_payload?nonce={}",
            self.version,
            crate::web::url::form_encode(nonce)
        );
        match self.request("GET", &path, None).await? {
            (200, body) => Ok(strings_at(&body, "directives")),
            (status, _) => Err(format!("Backend API answered {status}")),
        }
    }

    async fn refresh_session(&self, r: &RefreshRequest) -> Result<Vec<String>, RefreshError> {
        let headers: Map<String, Value> = r
            .request_headers
            .iter()
            .map(|(k, v)| (k.clone(), json!([v])))
            .collect();
        let body = json!({
            "format": "cookie",
            "expired_token": r.expired_token,
            "refresh_token": r.refresh_token,
            "request_origin": r.request_origin,
            "request_headers": headers,
        });
        let path = format!(
            "/{}/sessions/{}/refresh?suffixed_cookies={}",
            self.version,
            crate::web::url::form_encode(&r.session_id),
            r.suffixed_cookies
        );
        match self.request("POST", &path, Some(body)).await {
            Ok((200, body)) => Ok(strings_at(&body, "cookies")),
            Ok((_, body)) => match first_error(&body, "code") {
                Some(code) => Err(RefreshError::Api(code)),
                None => Err(RefreshError::Other),
            },
            Err(_) => Err(RefreshError::Other),
        }
    }

    async fn verify_machine_token(
        &self,
        kind: MachineKind,
        token: &str,
    ) -> Result<Value, (u16, String)> {
        let (path, body) = match kind {
            MachineKind::ApiKey => ("/api_keys/verify", json!({ "secret": token })),
            MachineKind::M2mToken => ("/m2m_tokens/verify", json!({ "token": token })),
            MachineKind::OauthToken => (
                "/oauth_applications/access_tokens/verify",
                json!({ "access_token": token }),
            ),
        };
        match self.request("POST", path, Some(body)).await {
            Ok((200, body)) => Ok(body),
            Ok((status, body)) => Err((status, first_error(&body, "message").unwrap_or_default())),
            Err(e) => Err((0, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::services::block_on;
    use std::cell::RefCell;

    /// Answers from a queue and records the requests.
    struct Fake {
        answers: RefCell<Vec<Result<(u16, String), String>>>,
        seen: RefCell<Vec<(String, String, Option<String>)>>,
    }
    impl Transport for &Fake {
        async fn call(
            &self,
            method: &str,
            url: &str,
            headers: &[(&'static str, String)],
            body: Option<String>,
        ) -> Result<(u16, String), String> {
            let bearer = headers.first().map(|(_, v)| v.clone()).unwrap_or_default();
            self.seen
                .borrow_mut()
                .push((method.into(), format!("{url} {bearer}"), body));
            let mut a = self.answers.borrow_mut();
            if a.is_empty() {
                Err("no answer".into())
            } else {
                a.remove(0)
            }
        }
    }
    fn fake(answers: Vec<Result<(u16, String), String>>) -> Fake {
        Fake {
            answers: RefCell::new(answers),
            seen: RefCell::new(Vec::new()),
        }
    }

    const N: &str = "wGrB8mDPaNHM1fH2s6XV1zFUnlqJ3gsq0FdWPdOtxYN4KFwbbxqY6Km6O8vQyRrp5U0aJwSwnBFNRmlUHtdnYJo5tcx8ugOyoYg97WLEAYRM4j63UdVSxrz-6uJoRo0DR4wrCR3xdVIs6hbfQHDB2Cxc5BTg2XBnNCNNV_-DhASz72GIivPFzq5eiGfHtXvNkVyXY3o8Jdzb3dAhYnWWGCnAh3Ms18uZbLH7ddGPoFdvX8qmXZBhmJdt5LL6AaG69chJFDUzeOO-_xTKyhbaljsgfCYiWyw0sbQv5X4eAKhBWbfZD0sSgHrrtqzNHIqIQu8YvnVJzz1AdqpPgBwrnw";

    #[test]
    fn jwks_cached_per_scope_refetched_on_unknown_kid() {
        let jwks = format!(r#"{{"keys":[{{"kid":"k1","kty":"RSA","n":"{N}","e":"AQAB"}}]}}"#);
        let f = fake(vec![Ok((200, jwks.clone())), Ok((200, jwks))]);
        let b = HttpBackend::new(Some(&f), "https://api.test-a.example/", "sk_1", 1000.0);
        assert!(block_on(b.jwks_key(Some("k1"))).is_ok());
        assert!(block_on(b.jwks_key(Some("k1"))).is_ok());
        assert_eq!(f.seen.borrow().len(), 1, "cached");
        assert_eq!(
            block_on(b.jwks_key(Some("k2"))),
            Err(JwksError::KidNotFound)
        );
        assert_eq!(f.seen.borrow().len(), 2, "unknown kid refetched once");
        let later = HttpBackend::new(
            Some(&f),
            "https://api.test-a.example",
            "sk_1",
            1000.0 + JWKS_TTL_MS,
        );
        assert!(
            matches!(
                block_on(later.jwks_key(Some("k1"))),
                Err(JwksError::Unavailable(_))
            ),
            "expired: refetch (queue empty)"
        );
    }

    #[test]
    fn jwks_errors_map_to_clerks() {
        let f = fake(vec![Ok((
            401,
            r#"{"errors":[{"code":"clerk_key_invalid","message":"bad key"}]}"#.into(),
        ))]);
        let b = HttpBackend::new(Some(&f), "https://api.test-b.example", "sk_2", 0.0);
        assert_eq!(
            block_on(b.jwks_key(None)),
            Err(JwksError::SecretKeyInvalid("bad key".into()))
        );
        let f = fake(vec![Ok((503, String::new())), Ok((503, String::new()))]);
        let b = HttpBackend::new(Some(&f), "https://api.test-c.example", "sk_3", 0.0);
        assert_eq!(
            block_on(b.jwks_key(None)),
            Err(JwksError::Http {
                url: "https://api.test-c.example/v1/jwks".into(),
                status: 503
            })
        );
        let f = fake(vec![Ok((200, r#"{"keys":[]}"#.into()))]);
        let b = HttpBackend::new(Some(&f), "https://api.test-d.example", "sk_4", 0.0);
        assert_eq!(block_on(b.jwks_key(None)), Err(JwksError::NoKeys));
        let none: HttpBackend<&Fake> = HttpBackend::new(None, "https://api.x", "sk", 0.0);
        assert!(matches!(
            block_on(none.jwks_key(None)),
            Err(JwksError::Unavailable(_))
        ));
    }

    #[test]
    fn machine_token_bodies_and_refresh_codes() {
        let f = fake(vec![
            Ok((200, "{}".into())),
            Ok((200, "{}".into())),
            Ok((404, r#"{"errors":[{"message":"nope"}]}"#.into())),
        ]);
        let b = HttpBackend::new(Some(&f), "https://api.test-e.example", "sk_5", 0.0);
        let _ = block_on(b.verify_machine_token(MachineKind::M2mToken, "mt_1"));
        let _ = block_on(b.verify_machine_token(MachineKind::OauthToken, "oat_1"));
        assert_eq!(
            block_on(b.verify_machine_token(MachineKind::ApiKey, "ak_1")),
            Err((404, "nope".into()))
        );
        let seen = f.seen.borrow();
        assert_eq!(
            seen[0],
            (
                "POST".into(),
                "https://api.test-e.example/m2m_tokens/verify Bearer sk_5".into(),
                Some(r#"{"token":"mt_1"}"#.into())
            )
        );
        assert_eq!(seen[1].2.as_deref(), Some(r#"{"access_token":"oat_1"}"#));
        assert_eq!(seen[2].2.as_deref(), Some(r#"{"secret":"ak_1"}"#));
        drop(seen);
        let f = fake(vec![
            Ok((400, r#"{"errors":[{"code":"unexpected_error"}]}"#.into())),
            Ok((500, "{}".into())),
        ]);
        let b = HttpBackend::new(Some(&f), "https://api.test-f.example", "sk_6", 0.0);
        let r = RefreshRequest {
            session_id: "sess 1".into(),
            expired_token: "t".into(),
            refresh_token: "r".into(),
            request_origin: "https://a.example".into(),
            request_headers: vec![],
            suffixed_cookies: true,
        };
        assert_eq!(
            block_on(b.refresh_session(&r)),
            Err(RefreshError::Api("unexpected_error".into()))
        );
        assert_eq!(block_on(b.refresh_session(&r)), Err(RefreshError::Other));
        assert_eq!(
            f.seen.borrow()[0].1,
            "https://api.test-f.example/v1/sessions/sess+1/refresh?suffixed_cookies=true Bearer sk_6"
        );
    }

    #[test]
    fn headers_and_machine_secret_key() {
        let h = api_headers("sk_1");
        assert_eq!(h[0], ("Authorization", "Bearer sk_1".to_string()));
        assert_eq!(h[1], ("Clerk-API-Version", "2026-05-12".to_string()));
        assert_eq!(h[3].1, format!("clerk-edge/{}", env!("CARGO_PKG_VERSION")));
        let f = fake(vec![Ok((200, "{}".into())), Ok((200, "{}".into()))]);
        let b = HttpBackend::new(Some(&f), "https://api.test-g.example/", "sk_7", 0.0)
            .with_machine_secret_key("ak_m");
        let _ = block_on(b.verify_machine_token(MachineKind::M2mToken, "mt_1"));
        let _ = block_on(b.verify_machine_token(MachineKind::ApiKey, "ak_1"));
        let seen = f.seen.borrow();
        assert_eq!(
            seen[0].1,
            "https://api.test-g.example/m2m_tokens/verify Bearer ak_m"
        );
        assert_eq!(
            seen[1].1,
            "https://api.test-g.example/api_keys/verify Bearer sk_7"
        );
    }

    #[test]
    fn api_version_in_versioned_paths_and_cache_scope() {
        let jwks = format!(r#"{{"keys":[{{"kid":"k1","kty":"RSA","n":"{N}","e":"AQAB"}}]}}"#);
        let f = fake(vec![
            Ok((200, jwks.clone())),
            Ok((200, jwks)),
            Ok((200, r#"{"directives":["a=1"]}"#.into())),
            Ok((200, r#"{"cookies":[]}"#.into())),
            Ok((200, "{}".into())),
        ]);
        let v1 = HttpBackend::new(Some(&f), "https://api.test-g.example", "sk_7", 0.0);
        let v2 = HttpBackend::new(Some(&f), "https://api.test-g.example", "sk_7", 0.0)
            .with_api_version("/v2/");
        assert!(block_on(v1.jwks_key(Some("k1"))).is_ok());
        assert!(
            block_on(v2.jwks_key(Some("k1"))).is_ok(),
            "another version, another cache"
        );
        assert_eq!(
            block_on(v2.handshake_payload("n 1")),
            Ok(vec!["a=1".into()])
        );
        let r = RefreshRequest {
            session_id: "sess_1".into(),
            expired_token: "t".into(),
            refresh_token: "r".into(),
            request_origin: "https://a.example".into(),
            request_headers: vec![],
            suffixed_cookies: false,
        };
        assert_eq!(block_on(v2.refresh_session(&r)), Ok(vec![]));
        let _ = block_on(v2.verify_machine_token(MachineKind::ApiKey, "ak_1"));
        // The fake records `<url> <bearer>`: keep the path.
        let paths: Vec<String> = f
            .seen
            .borrow()
            .iter()
            .map(|s| {
                let u = s.1.trim_start_matches("https://api.test-g.example");
                u.split(' ').next().unwrap_or_default().to_string()
            })
            .collect();
        assert_eq!(
            paths,
            [
                "/v1/jwks",
                "/v2/jwks",
                "/v2/clients/handshake_payload?nonce=n+1",
                "/v2/sessions/sess_1/refresh?suffixed_cookies=false",
                "/api_keys/verify",
            ]
        );
        let empty = HttpBackend::new(Some(&f), "https://api.test-g.example", "sk_7", 0.0)
            .with_api_version("");
        assert_eq!(empty.version, "v1", "empty keeps the default");
    }

    #[test]
    fn skip_jwks_cache_fetches_every_time() {
        let jwks = format!(r#"{{"keys":[{{"kid":"k1","kty":"RSA","n":"{N}","e":"AQAB"}}]}}"#);
        let f = fake(vec![Ok((200, jwks.clone())), Ok((200, jwks))]);
        let b = HttpBackend::new(Some(&f), "https://api.test-h.example", "sk_8", 0.0)
            .with_skip_jwks_cache(true);
        assert!(block_on(b.jwks_key(Some("k1"))).is_ok());
        assert!(block_on(b.jwks_key(Some("k1"))).is_ok());
        assert_eq!(f.seen.borrow().len(), 2, "no cache read");
        let cached = HttpBackend::new(Some(&f), "https://api.test-h.example", "sk_8", 0.0);
        assert!(block_on(cached.jwks_key(Some("k1"))).is_ok());
        assert_eq!(f.seen.borrow().len(), 2, "what it fetched was still cached");
    }
}

//! `BackendApi` over `fetch`: JWKS (cached per API URL and secret key, refetched on an unknown
//! `kid`), handshake nonce payloads, session refresh, and opaque machine tokens.

use crate::key::RsaPublicKey;
use crate::services::{BackendApi, JwksError, MachineKind, RefreshError, RefreshRequest};
use serde_json::{json, Value};
use std::cell::RefCell;
use worker::{Fetch, Headers, Method, Request, RequestInit};

const JWKS_TTL_MS: f64 = 300_000.0;
const API_VERSION: &str = "2026-05-12";

struct CachedJwks {
    scope: String,
    fetched_ms: f64,
    keys: Vec<(String, RsaPublicKey)>,
}

thread_local! {
    static JWKS: RefCell<Vec<CachedJwks>> = const { RefCell::new(Vec::new()) };
}

pub struct FetchBackend<'a> {
    pub api_url: &'a str,
    pub secret_key: &'a str,
    pub now_ms: f64,
}

impl FetchBackend<'_> {
    fn scope(&self) -> String {
        // The secret is part of the cache identity (no cross-tenant hits) but never stored raw.
        format!(
            "{}|{}",
            self.api_url,
            crate::signature::sign(self.api_url, self.secret_key)
        )
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        let headers = Headers::new();
        let set = |k: &str, v: &str| headers.set(k, v).map_err(|e| e.to_string());
        set("Authorization", &format!("Bearer {}", self.secret_key))?;
        set("Clerk-API-Version", API_VERSION)?;
        set("Content-Type", "application/json")?;
        set(
            "User-Agent",
            concat!("clerk-edge/", env!("CARGO_PKG_VERSION")),
        )?;
        let mut init = RequestInit::new();
        init.with_method(method).with_headers(headers);
        if let Some(b) = body {
            init.with_body(Some(b.to_string().into()));
        }
        let url = format!("{}{path}", self.api_url.trim_end_matches('/'));
        let req = Request::new_with_init(&url, &init).map_err(|e| e.to_string())?;
        let mut resp = Fetch::Request(req)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status_code();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    async fn fetch_jwks(&self) -> Result<Vec<(String, RsaPublicKey)>, JwksError> {
        let url = format!("{}/v1/jwks", self.api_url.trim_end_matches('/'));
        let mut last = JwksError::Unavailable("not attempted".into());
        for _ in 0..2 {
            match self.call(Method::Get, "/v1/jwks", None).await {
                Err(e) => last = JwksError::Unavailable(e),
                Ok((200, body)) => {
                    let keys: Vec<(String, RsaPublicKey)> = body
                        .get("keys")
                        .unwrap_or(&Value::Null)
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter(|k| k.get("kty").and_then(Value::as_str) == Some("RSA"))
                                .filter_map(|k| {
                                    let key = RsaPublicKey::from_jwk(
                                        k.get("n")?.as_str()?,
                                        k.get("e")?.as_str()?,
                                    )
                                    .ok()?;
                                    Some((
                                        k.get("kid")
                                            .and_then(Value::as_str)
                                            .unwrap_or("")
                                            .to_string(),
                                        key,
                                    ))
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
                    if body.pointer("/errors/0/code").and_then(Value::as_str)
                        == Some("clerk_key_invalid")
                    {
                        let msg = body
                            .pointer("/errors/0/message")
                            .unwrap_or(&Value::Null)
                            .as_str()
                            .unwrap_or("Secret key invalid")
                            .to_string();
                        return Err(JwksError::SecretKeyInvalid(msg));
                    }
                    last = JwksError::Http {
                        url: url.clone(),
                        status,
                    };
                }
            }
        }
        Err(last)
    }
}

impl BackendApi for FetchBackend<'_> {
    async fn jwks_key(&self, kid: Option<&str>) -> Result<RsaPublicKey, JwksError> {
        let scope = self.scope();
        let kid = kid.unwrap_or("");
        let cached = JWKS.with(|c| {
            let c = c.borrow();
            let entry = c
                .iter()
                .find(|e| e.scope == scope && self.now_ms - e.fetched_ms < JWKS_TTL_MS)?;
            entry
                .keys
                .iter()
                .find(|(k, _)| k == kid)
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
            "/v1/clients/handshake_payload?nonce={}",
            crate::url::form_encode(nonce)
        );
        match self.call(Method::Get, &path, None).await? {
            (200, body) => Ok(body
                .get("directives")
                .unwrap_or(&Value::Null)
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|d| d.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()),
            (status, _) => Err(format!("Backend API answered {status}")),
        }
    }

    async fn refresh_session(&self, r: &RefreshRequest) -> Result<Vec<String>, RefreshError> {
        let headers: serde_json::Map<String, Value> = r
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
            "/v1/sessions/{}/refresh?suffixed_cookies={}",
            crate::url::form_encode(&r.session_id),
            r.suffixed_cookies
        );
        match self.call(Method::Post, &path, Some(body)).await {
            Ok((200, body)) => Ok(body
                .get("cookies")
                .unwrap_or(&Value::Null)
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()),
            Ok((_, body)) => match body.pointer("/errors/0/code").and_then(Value::as_str) {
                Some(code) => Err(RefreshError::Api(code.to_string())),
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
        let path = match kind {
            MachineKind::ApiKey => "/api_keys/verify",
            MachineKind::M2mToken => "/m2m_tokens/verify",
            MachineKind::OauthToken => "/oauth_applications/access_tokens/verify",
        };
        match self
            .call(Method::Post, path, Some(json!({ "secret": token })))
            .await
        {
            Ok((200, body)) => Ok(body),
            Ok((status, body)) => Err((
                status,
                body.pointer("/errors/0/message")
                    .unwrap_or(&Value::Null)
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )),
            Err(e) => Err((0, e)),
        }
    }
}

//! The Worker's Backend API transport: `fetch` through workers-rs. Request shapes, the JWKS
//! cache and error mapping are shared with the JS binding in `crate::host::http_backend`.

use crate::host::http_backend::{HttpBackend, Transport};
use worker::{Fetch, Headers, Method, Request, RequestInit};

const API_VERSION: &str = "2026-05-12";

pub struct WorkerTransport<'a> {
    pub api_url: &'a str,
    pub secret_key: &'a str,
}

/// The Worker's Backend API client for one request.
pub type FetchBackend<'a> = HttpBackend<WorkerTransport<'a>>;

pub fn backend<'a>(api_url: &'a str, secret_key: &'a str, now_ms: f64) -> FetchBackend<'a> {
    HttpBackend::new(
        Some(WorkerTransport {
            api_url,
            secret_key,
        }),
        api_url,
        secret_key,
        now_ms,
    )
}

impl Transport for WorkerTransport<'_> {
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, String), String> {
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
        init.with_method(if method == "POST" {
            Method::Post
        } else {
            Method::Get
        })
        .with_headers(headers);
        if let Some(b) = body {
            init.with_body(Some(b.into()));
        }
        let url = format!("{}{path}", self.api_url.trim_end_matches('/'));
        let req = Request::new_with_init(&url, &init).map_err(|e| e.to_string())?;
        let mut resp = Fetch::Request(req)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status_code();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        Ok((status, text))
    }
}

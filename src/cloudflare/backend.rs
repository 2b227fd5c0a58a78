//! The Worker's Backend API transport: `fetch` through workers-rs. Request shapes, the JWKS
//! cache and error mapping are shared with the JS binding in `crate::host::http_backend`.

use crate::host::http_backend::{HttpBackend, Transport};
use worker::{Fetch, Headers, Method, Request, RequestInit};

/// Sends what `HttpBackend` decided (URL, key, headers) with the Worker's `fetch`.
pub struct WorkerTransport;

/// The Worker's Backend API client for one request.
pub type FetchBackend = HttpBackend<WorkerTransport>;

pub fn backend(api_url: &str, secret_key: &str, now_ms: f64) -> FetchBackend {
    HttpBackend::new(Some(WorkerTransport), api_url, secret_key, now_ms)
}

impl Transport for WorkerTransport {
    async fn call(
        &self,
        method: &str,
        url: &str,
        headers: &[(&'static str, String)],
        body: Option<String>,
    ) -> Result<(u16, String), String> {
        let h = Headers::new();
        for (k, v) in headers {
            h.set(k, v).map_err(|e| e.to_string())?;
        }
        let mut init = RequestInit::new();
        init.with_method(if method == "POST" {
            Method::Post
        } else {
            Method::Get
        })
        .with_headers(h);
        if let Some(b) = body {
            init.with_body(Some(b.into()));
        }
        let req = Request::new_with_init(url, &init).map_err(|e| e.to_string())?;
        let mut resp = Fetch::Request(req)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status_code();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        Ok((status, text))
    }
}

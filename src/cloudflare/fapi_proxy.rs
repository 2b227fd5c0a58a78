//! The Worker's side of the Frontend API proxy: marshal the request into
//! `crate::gateway::fapi_proxy::plan`, fetch without following redirects, bodies streamed both ways.

use crate::cloudflare::settings::Settings;
use crate::gateway::fapi_proxy::{
    self, FrontendApiProxy, HeaderOp, PlanError, ProxyError, ProxyRequest,
};
use worker::{console_log, Fetch, Headers, Request, Response, Result};

fn error(e: &ProxyError) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::ok(e.body())?
        .with_status(e.status)
        .with_headers(headers))
}

pub async fn serve(
    req: Request,
    url: &str,
    s: &Settings,
    p: &FrontendApiProxy,
) -> Result<Response> {
    let incoming: Vec<(String, String)> = req.headers().entries().collect();
    let input = ProxyRequest {
        request_url: url,
        headers: &incoming,
        proxy_path: &p.path,
        publishable_key: &s.config.publishable_key,
        secret_key: &s.config.secret_key,
        fapi_url: Some(&p.fapi_url),
        trust_forwarded: s.trust_forwarded_headers,
    };
    let plan = match fapi_proxy::plan(&input) {
        Ok(plan) => plan,
        Err(PlanError::Respond(e)) => return error(&e),
        Err(PlanError::InvalidRequestUrl) => {
            return Ok(Response::ok("Bad Request")?.with_status(400))
        }
    };
    let headers = Headers::new();
    for (k, v) in &plan.headers {
        headers.set(k, v)?;
    }
    let init = super::entry::proxied(&req, headers);
    let response = match Fetch::Request(Request::new_with_init(&plan.url, &init)?)
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => {
            console_log!("clerk-edge: Frontend API proxy request failed: {e}");
            return error(&ProxyError::fetch_failed(&e.to_string()));
        }
    };
    let received: Vec<(String, String)> = response.headers().entries().collect();
    let out = Headers::new();
    for (op, k, v) in
        fapi_proxy::response_headers(&received, &plan.fapi_base, &plan.fapi_host, &plan.proxy_url)
    {
        match op {
            HeaderOp::Append => out.append(&k, &v)?,
            HeaderOp::Set => out.set(&k, &v)?,
        }
    }
    Ok(response.with_headers(out))
}

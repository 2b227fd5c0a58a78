//! The Worker's side of `x-clerk-edge-signature` (`crate::downstream::edge_signature`): signs the forwarded
//! set over the request exactly as the origin will receive it (method, the target URL's path and
//! query and host after the Worker's own URL parsing, as fetch sends them) at the Worker's clock.

use super::settings::{Origin, Settings};
use crate::downstream;
use crate::downstream::edge_signature::{self, Signed, Target};
use crate::web::url::Url;

/// The header to append to `forwarded` (the Clerk headers already built for this request).
pub fn header(
    s: &Settings,
    method: &str,
    url: &Url,
    forwarded: &[(String, String)],
) -> (String, String) {
    let target = match &s.origin {
        Origin::Url(base) => Url::parse(&format!("{base}{}{}", url.pathname(), url.search())),
        _ => None,
    };
    let u = target.as_ref().unwrap_or(url);
    let path = format!("{}{}", u.pathname(), u.search());
    let host = u.host();
    let get = |n: &str| {
        forwarded
            .iter()
            .find(|(k, _)| k == n)
            .map_or("", |(_, v)| v.as_str())
    };
    let t = (js_sys::Date::now() / 1000.0).floor().max(0.0) as u64;
    let value = edge_signature::sign(
        &s.config.secret_key,
        t,
        &Signed {
            status: get(downstream::AUTH_STATUS),
            token: get(downstream::AUTH_TOKEN),
            request_data: get(downstream::REQUEST_DATA),
        },
        &Target {
            method,
            path_and_query: &path,
            host: &host,
        },
    );
    (edge_signature::HEADER.to_string(), value)
}

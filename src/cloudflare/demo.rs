//! The built-in demo origin (`ORIGIN_URL = "demo"`): shows what an origin behind clerk-edge
//! receives, read back with the same receiving-side API any origin would use.

use super::settings::{RequestDataFormat, Settings};
use crate::downstream;
use crate::downstream::request_data;
use serde_json::{json, Value};

fn shorten(v: &str) -> String {
    if v.chars().count() > 24 {
        format!("{}…", v.chars().take(24).collect::<String>())
    } else {
        v.to_string()
    }
}

/// JSON describing the request as the origin sees it.
pub fn describe(
    settings: &Settings,
    method: &str,
    path: &str,
    headers: &[(String, String)],
) -> Value {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let received: serde_json::Map<String, Value> = headers
        .iter()
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("x-clerk-"))
        .map(|(k, v)| (k.to_ascii_lowercase(), json!(shorten(v))))
        .collect();
    let auth = match downstream::read(get, &settings.config.secret_key) {
        Ok(a) => {
            let s = a.session.as_ref();
            json!({
                "status": a.status, "reason": a.reason,
                "userId": s.and_then(|s| s.user_id.clone()), "sessionId": s.and_then(|s| s.session_id.clone()),
                "orgId": s.and_then(|s| s.org_id.clone()), "orgRole": s.and_then(|s| s.org_role.clone()),
                "orgSlug": s.and_then(|s| s.org_slug.clone()), "orgPermissions": s.and_then(|s| s.org_permissions.clone()),
            })
        }
        Err(e) => json!({ "error": e }),
    };
    let request_data = match (get(downstream::REQUEST_DATA), &settings.encryption) {
        (None, _) => Value::Null,
        (Some(_), None) => json!({ "error": "CLERK_ENCRYPTION_KEY is not set" }),
        (Some(ct), Some((format, passphrase, gcm))) => {
            let plain = match (format, gcm) {
                (RequestDataFormat::Gcm, Some(k)) => request_data::decrypt_gcm(k, ct),
                _ => request_data::decrypt_clerk(passphrase, ct),
            };
            match plain
                .ok()
                .and_then(|p| String::from_utf8(p).ok())
                .and_then(|p| serde_json::from_str::<Value>(&p).ok())
            {
                Some(v) => v,
                None => json!({ "error": "encryption_key_invalid" }),
            }
        }
    };
    json!({
        "origin": "clerk-edge demo origin",
        "method": method,
        "path": path,
        "auth": auth,
        "requestData": request_data,
        "received": received,
    })
}

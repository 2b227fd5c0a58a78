//! The `contentSecurityPolicy` option of `clerkMiddleware()` (clerk-behavior.md "Content-Security-Policy"): the policy Clerk's
//! components need, merged with the user's directives.

use crate::web::js::truthy;
use serde_json::Value;

fn csp_directive<'d>(
    directives: &'d mut [(String, Vec<String>)],
    name: &str,
) -> Option<&'d mut Vec<String>> {
    directives
        .iter_mut()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// CSP keywords that are written quoted.
const CSP_KEYWORDS: [&str; 6] = [
    "none",
    "self",
    "strict-dynamic",
    "unsafe-eval",
    "unsafe-hashes",
    "unsafe-inline",
];

/// Strips one leading and one trailing `'`.
fn csp_unquote(v: &str) -> &str {
    let v = v.strip_prefix('\'').unwrap_or(v);
    v.strip_suffix('\'').unwrap_or(v)
}

/// A keyword is quoted; anything else is kept as written.
fn csp_format(v: &str) -> String {
    let bare = csp_unquote(v);
    if CSP_KEYWORDS.contains(&csp_unquote(bare)) {
        format!("'{bare}'")
    } else {
        v.to_string()
    }
}

fn csp_push(set: &mut Vec<String>, v: String) {
    if !set.contains(&v) {
        set.push(v);
    }
}

fn csp_defaults(production: bool) -> Vec<(String, Vec<String>)> {
    const PROTECT: &str = "https://*.protect.clerk.com";
    let mut script = vec!["self"];
    if !production {
        script.push("unsafe-eval");
    }
    script.extend([
        "unsafe-inline",
        "https:",
        "http:",
        "https://*.js.stripe.com",
        "https://js.stripe.com",
        "https://maps.googleapis.com",
        PROTECT,
    ]);
    let connect_protect = format!("{PROTECT}:*");
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (
            "connect-src".into(),
            owned(&[
                "self",
                "https://clerk-telemetry.com",
                "https://*.clerk-telemetry.com",
                "https://api.stripe.com",
                "https://maps.googleapis.com",
                "https://img.clerk.com",
                &connect_protect,
            ]),
        ),
        ("default-src".into(), owned(&["self"])),
        ("form-action".into(), owned(&["self"])),
        (
            "frame-src".into(),
            owned(&[
                "self",
                "https://challenges.cloudflare.com",
                "https://*.js.stripe.com",
                "https://js.stripe.com",
                "https://hooks.stripe.com",
                PROTECT,
            ]),
        ),
        ("img-src".into(), owned(&["self", "https://img.clerk.com"])),
        ("script-src".into(), owned(&script)),
        ("style-src".into(), owned(&["self", "unsafe-inline"])),
        ("worker-src".into(), owned(&["self", "blob:"])),
    ]
}

/// The `contentSecurityPolicy` option, read once per options value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CspOptions {
    /// Adds a fresh nonce (`x-nonce`) and `'strict-dynamic'` to `script-src`.
    pub strict: bool,
    pub report_only: bool,
    /// `reportTo` as `String(value)` when truthy.
    pub report_to: Option<String>,
    /// The user's directives, each as its list of values (`String(v)` of each).
    pub directives: Vec<(String, Vec<String>)>,
}

impl CspOptions {
    /// From the option's JSON value (JS truthiness for the flags, as Clerk reads them).
    pub fn from_json(o: &Value) -> CspOptions {
        let flag = |k: &str| o.get(k).is_some_and(truthy);
        let directives = o
            .get("directives")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .map(|(key, values)| {
                        let list = match values {
                            Value::Array(a) => a.iter().map(js_string).collect(),
                            other => vec![js_string(other)],
                        };
                        (key.clone(), list)
                    })
                    .collect()
            })
            .unwrap_or_default();
        CspOptions {
            strict: flag("strict"),
            report_only: flag("reportOnly"),
            report_to: o.get("reportTo").filter(|v| truthy(v)).map(js_string),
            directives,
        }
    }
}

/// The response headers Clerk adds for the option (clerk-behavior.md "Content-Security-Policy"), in order (and forwarded as request
/// headers). `frontend_api`: the instance's (added to `connect-src`); `nonce`: the fresh nonce
/// when `strict`; `production`: `NODE_ENV` is `production` (else `'unsafe-eval'` is allowed).
pub fn headers(
    o: &CspOptions,
    frontend_api: &str,
    nonce: Option<&str>,
    production: bool,
) -> Vec<(String, String)> {
    let host = frontend_api.replace('$', "");
    let nonce = nonce.filter(|_| o.strict);
    let mut directives = csp_defaults(production);
    if let Some(connect) = csp_directive(&mut directives, "connect-src") {
        csp_push(connect, host);
    }
    if let (Some(script), Some(n)) = (csp_directive(&mut directives, "script-src"), nonce) {
        script.retain(|v| v != "http:" && v != "https:");
        csp_push(script, "'strict-dynamic'".into());
        csp_push(script, format!("'nonce-{n}'"));
    }
    let defaults: Vec<String> = directives.iter().map(|(k, _)| k.clone()).collect();
    let mut custom: Vec<(String, Vec<String>)> = Vec::new();
    for (key, list) in &o.directives {
        let none = list.iter().any(|v| v == "'none'" || v == "none");
        let target = if defaults.contains(key) {
            directives
                .iter_mut()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
        } else {
            custom.retain(|(k, _)| k != key);
            custom.push((key.clone(), Vec::new()));
            custom.last_mut().map(|(_, v)| v)
        };
        let Some(set) = target else { continue };
        let mut merged = Vec::new();
        if none {
            merged.push("'none'".to_string());
        } else {
            for v in set.iter().chain(list.iter()) {
                csp_push(&mut merged, csp_format(v));
            }
        }
        *set = merged;
    }
    directives.extend(custom);
    directives.sort_by(|a, b| a.0.cmp(&b.0));
    let mut header = directives
        .iter()
        .map(|(k, vals)| {
            let formatted: Vec<String> = vals.iter().map(|v| csp_format(v)).collect();
            format!("{k} {}", formatted.join(" "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(to) = &o.report_to {
        header.push_str("; report-to csp-endpoint");
        out.push((
            "reporting-endpoints".into(),
            format!("csp-endpoint=\"{to}\""),
        ));
    }
    let name = if o.report_only {
        "content-security-policy-report-only"
    } else {
        "content-security-policy"
    };
    out.push((name.into(), header));
    if let Some(n) = nonce {
        out.push(("x-nonce".into(), n.to_string()));
    }
    out
}

/// `String(v)` for the JSON values a CSP option can hold.
fn js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Array(a) => a.iter().map(js_string).collect::<Vec<_>>().join(","),
        Value::Object(_) => "[object Object]".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_policy_with_custom_directives() {
        let o = CspOptions::from_json(&json!({
            "strict": true, "reportTo": "https://r.example/csp",
            "directives": {"img-src": ["data:"], "frame-ancestors": "none", "script-src": ["self", "https://cdn.example"]}
        }));
        let h = headers(&o, "clerk.example.com$", Some("bm9uY2U="), true);
        assert_eq!(
            h[0],
            (
                "reporting-endpoints".into(),
                "csp-endpoint=\"https://r.example/csp\"".into()
            )
        );
        assert_eq!(h[1].0, "content-security-policy");
        assert_eq!(
            h[1].1,
            "connect-src 'self' https://clerk-telemetry.com https://*.clerk-telemetry.com https://api.stripe.com https://maps.googleapis.com https://img.clerk.com https://*.protect.clerk.com:* clerk.example.com; default-src 'self'; form-action 'self'; frame-ancestors 'none'; frame-src 'self' https://challenges.cloudflare.com https://*.js.stripe.com https://js.stripe.com https://hooks.stripe.com https://*.protect.clerk.com; img-src 'self' https://img.clerk.com data:; script-src 'self' 'unsafe-inline' https://*.js.stripe.com https://js.stripe.com https://maps.googleapis.com https://*.protect.clerk.com 'strict-dynamic' 'nonce-bm9uY2U=' https://cdn.example; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; report-to csp-endpoint"
        );
        assert_eq!(h[2], ("x-nonce".into(), "bm9uY2U=".into()));
    }

    #[test]
    fn report_only_development_no_nonce() {
        let o = CspOptions::from_json(&json!({"reportOnly": 1, "strict": false}));
        let h = headers(&o, "x.clerk.accounts.dev", Some("ignored"), false);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].0, "content-security-policy-report-only");
        assert!(
            h[0].1
                .contains("script-src 'self' 'unsafe-eval' 'unsafe-inline' https: http:"),
            "{}",
            h[0].1
        );
    }
}

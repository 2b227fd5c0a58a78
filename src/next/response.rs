//! Decorating the handler's response (clerk-behavior.md "Forwarded headers"): Next's request-override protocol, where the
//! decorated request goes, and the Netlify cache-bust of redirects. Results are header
//! operations the JS side applies to the `NextResponse` in order.

use crate::downstream;
use crate::web::js;
use crate::web::url::Url;

pub const OVERRIDE: &str = "x-middleware-override-headers";
pub const NEXT: &str = "x-middleware-next";
pub const REWRITE: &str = "x-middleware-rewrite";

/// One change to the response's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Set(String, String),
    Append(String, String),
    Delete(String),
}

/// Next's request-override protocol. `existing`: the response's override list (empty when not
/// yet set: then every incoming header is copied first). Returns the operations and the new
/// override list.
///
/// Inbound `x-clerk-*` / `x-middleware-*` headers are never copied (a client must not be able
/// to hand the origin its own auth headers); when the handler already set a list (e.g.
/// `NextResponse.next({ request: { headers } })` with a copy of the incoming headers), such
/// inbound names are dropped from it, and the names added here are listed once.
pub fn override_ops(
    existing: &str,
    incoming: &[(String, String)],
    added: &[(String, String)],
) -> (Vec<Op>, String) {
    let mut ops = Vec::new();
    if existing.is_empty() {
        let clean: Vec<(String, String)> = incoming
            .iter()
            .filter(|(k, _)| !downstream::is_reserved(k))
            .cloned()
            .collect();
        let mut list = String::new();
        for (k, v) in downstream::next_override_headers(&clean, added) {
            if k == OVERRIDE {
                list.clone_from(&v);
            }
            ops.push(Op::Set(k, v));
        }
        return (ops, list);
    }
    let adds = |n: &str| added.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    let inbound = |n: &str| incoming.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    let mut names: Vec<&str> = Vec::new();
    for n in existing.split(',') {
        let n_trim = n.trim();
        if adds(n_trim) {
            // Set again below (listed once).
        } else if downstream::is_reserved(n_trim) && inbound(n_trim) {
            ops.push(Op::Delete(format!(
                "x-middleware-request-{}",
                n_trim.to_ascii_lowercase()
            )));
        } else {
            names.push(n);
        }
    }
    let mut joined = names.join(",");
    for (k, v) in added {
        joined.push(',');
        joined.push_str(k);
        ops.push(Op::Set(format!("x-middleware-request-{k}"), v.clone()));
    }
    ops.insert(0, Op::Set(OVERRIDE.to_string(), joined.clone()));
    (ops, joined)
}

/// Where the decorated request goes: `next()` becomes a rewrite to the request URL; a rewrite
/// on the same origin keeps its target; a rewrite to another origin is left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub rewrite: Option<String>,
    pub delete_next: bool,
}

/// `next`, `rewrite`: the response's `x-middleware-next` / `x-middleware-rewrite`.
pub fn rewrite_target(
    next: Option<&str>,
    rewrite: Option<&str>,
    request_url: &Url,
) -> Result<Target, String> {
    let delete_next = next == Some("1");
    let mut target = Target {
        rewrite: delete_next.then(|| request_url.href()),
        delete_next,
    };
    if let Some(r) = rewrite.filter(|r| !r.is_empty()) {
        let t = Url::parse(r).ok_or_else(|| format!("Invalid URL (x-middleware-rewrite): {r}"))?;
        target.rewrite = (t.origin() == request_url.origin()).then(|| t.href());
    }
    Ok(target)
}

/// clerk-behavior.md "Middleware pipeline" step 8 on Netlify with a development key: a handshake-less Location gets
/// `__clerk_netlify_cache_bust=<ms>` so that Netlify's cache does not replay the redirect.
pub fn netlify_cache_bust(location: &str, publishable_key: &str, now_ms: f64) -> String {
    let development =
        publishable_key.starts_with("pk_test_") || publishable_key.starts_with("test_");
    if !development || location.contains("__clerk_handshake") {
        return location.to_string();
    }
    match Url::parse(location) {
        Some(mut u) => {
            u.append_query_param("__clerk_netlify_cache_bust", &js::to_js_string(now_ms));
            u.href()
        }
        None => location.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn first_override_copies_clean_incoming_headers() {
        let incoming = pairs(&[("Accept", "a"), ("x-clerk-auth-status", "signed-in")]);
        let (ops, list) = override_ops("", &incoming, &pairs(&[("x-clerk-debug", "true")]));
        assert_eq!(list, "accept,x-clerk-debug");
        assert_eq!(
            ops,
            vec![
                Op::Set(OVERRIDE.into(), "accept,x-clerk-debug".into()),
                Op::Set("x-middleware-request-accept".into(), "a".into()),
                Op::Set("x-middleware-request-x-clerk-debug".into(), "true".into()),
            ]
        );
    }

    #[test]
    fn existing_list_drops_inbound_reserved_names() {
        let incoming = pairs(&[("x-clerk-auth-status", "signed-in"), ("accept", "a")]);
        let (ops, list) = override_ops(
            "accept,x-clerk-auth-status,x-nonce",
            &incoming,
            &pairs(&[("x-nonce", "n")]),
        );
        assert_eq!(list, "accept,x-nonce");
        assert_eq!(
            ops,
            vec![
                Op::Set(OVERRIDE.into(), "accept,x-nonce".into()),
                Op::Delete("x-middleware-request-x-clerk-auth-status".into()),
                Op::Set("x-middleware-request-x-nonce".into(), "n".into()),
            ]
        );
    }

    #[test]
    fn targets() {
        let req = Url::parse("https://app.example/a?b=1").unwrap();
        let t = rewrite_target(Some("1"), None, &req).unwrap();
        assert_eq!(
            (t.rewrite.as_deref(), t.delete_next),
            (Some("https://app.example/a?b=1"), true)
        );
        let t = rewrite_target(None, Some("https://app.example/other"), &req).unwrap();
        assert_eq!(t.rewrite.as_deref(), Some("https://app.example/other"));
        let t = rewrite_target(Some("1"), Some("https://elsewhere.example/"), &req).unwrap();
        assert_eq!((t.rewrite, t.delete_next), (None, true));
        assert_eq!(rewrite_target(None, None, &req).unwrap().rewrite, None);
        assert!(rewrite_target(None, Some("::"), &req).is_err());
    }

    #[test]
    fn netlify() {
        let pk = "pk_test_x";
        assert_eq!(
            netlify_cache_bust("https://a.example/x", pk, 5.0),
            "https://a.example/x?__clerk_netlify_cache_bust=5"
        );
        assert_eq!(
            netlify_cache_bust("https://a.example/?__clerk_handshake=1", pk, 5.0),
            "https://a.example/?__clerk_handshake=1"
        );
        assert_eq!(
            netlify_cache_bust("https://a.example/x", "pk_live_x", 5.0),
            "https://a.example/x"
        );
    }
}

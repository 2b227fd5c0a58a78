//! The header set the origin receives. The origin trusts what the gateway says about the
//! request: who the client is and which host and scheme it asked for. Unless the Worker is told
//! it sits behind another proxy (`CLERK_TRUST_FORWARDED_HEADERS`), a client's own forwarding
//! headers are replaced, never passed on: an origin behind one proxy (Werkzeug's `ProxyFix`,
//! Express `trust proxy`, Spring's `ForwardedHeaderFilter`) would otherwise build absolute
//! links on a host the client chose.

/// Forwarding headers a client may not set on its way to the origin (untrusted mode).
const CLIENT_FORWARDING: [&str; 5] = [
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
];

/// What the Worker knows about the request's public face.
pub struct PublicView<'a> {
    /// `host[:port]` of the public URL the decision was taken on.
    pub host: &'a str,
    /// `http` or `https`.
    pub scheme: &'a str,
    /// The connecting client's address (`CF-Connecting-IP`), when the platform provides it.
    pub client_ip: Option<&'a str>,
}

/// `inbound` (lowercase names, already stripped of the reserved `x-clerk-*`/`x-middleware-*`)
/// plus the Worker's own forwarding headers, then `clerk` (the signed auth headers).
pub fn origin_headers(
    inbound: &[(String, String)],
    clerk: &[(String, String)],
    view: &PublicView<'_>,
    trust_forwarded: bool,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = inbound
        .iter()
        // `X_Forwarded_Host` too: CGI/WSGI origins fold `_` and `-` into the same variable.
        .filter(|(k, _)| {
            trust_forwarded || !CLIENT_FORWARDING.contains(&k.replace('_', "-").as_str())
        })
        .cloned()
        .collect();
    let set_if_absent = |out: &mut Vec<(String, String)>, name: &str, value: &str| {
        if !out.iter().any(|(k, _)| k == name) {
            out.push((name.to_string(), value.to_string()));
        }
    };
    set_if_absent(&mut out, "x-forwarded-host", view.host);
    set_if_absent(&mut out, "x-forwarded-proto", view.scheme);
    if let Some(ip) = view.client_ip {
        // Behind a trusted proxy the chain grows by the hop that reached us.
        match out.iter_mut().find(|(k, _)| k == "x-forwarded-for") {
            Some((_, chain)) => {
                chain.push_str(", ");
                chain.push_str(ip);
            }
            None => out.push(("x-forwarded-for".into(), ip.to_string())),
        }
    }
    out.extend(clerk.iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const VIEW: PublicView<'static> = PublicView {
        host: "app.example.com",
        scheme: "https",
        client_ip: Some("203.0.113.7"),
    };

    #[test]
    fn a_clients_forwarding_headers_are_replaced_by_the_gateways_view() {
        let inbound = h(&[
            ("accept", "text/html"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "http"),
            ("x-forwarded-for", "10.0.0.1"),
            ("forwarded", "for=10.0.0.1;host=evil.example"),
            ("x-real-ip", "10.0.0.1"),
            ("x_forwarded_host", "evil.example"),
            ("x_real_ip", "10.0.0.1"),
        ]);
        let clerk = h(&[("x-clerk-auth-status", "signed-out")]);
        assert_eq!(
            origin_headers(&inbound, &clerk, &VIEW, false),
            h(&[
                ("accept", "text/html"),
                ("x-forwarded-host", "app.example.com"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-for", "203.0.113.7"),
                ("x-clerk-auth-status", "signed-out"),
            ])
        );
    }

    #[test]
    fn behind_a_trusted_proxy_its_headers_stay_and_the_chain_grows() {
        let inbound = h(&[
            ("x-forwarded-host", "public.example.com"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(
            origin_headers(&inbound, &[], &VIEW, true),
            h(&[
                ("x-forwarded-host", "public.example.com"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-for", "198.51.100.1, 203.0.113.7"),
            ])
        );
    }

    #[test]
    fn without_a_client_address_no_for_header_is_invented() {
        let view = PublicView {
            client_ip: None,
            ..VIEW
        };
        assert_eq!(
            origin_headers(&h(&[("x-forwarded-for", "10.0.0.1")]), &[], &view, false),
            h(&[
                ("x-forwarded-host", "app.example.com"),
                ("x-forwarded-proto", "https"),
            ])
        );
    }
}

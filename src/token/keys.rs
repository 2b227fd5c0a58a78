//! Publishable and secret keys, and everything derived from them once per configuration:
//! instance type, Frontend API host, cookie suffix, Account Portal URL.

use crate::web::base64;
use sha1::{Digest, Sha1};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceType {
    Production,
    Development,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishableKey {
    pub instance_type: InstanceType,
    /// Host decoded from the key (`clerk.example.com`, `happy-hippo-1.clerk.accounts.dev`).
    pub frontend_api: String,
}

/// Why a publishable key was rejected. `Display` gives Clerk's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishableKeyError {
    Missing,
    InvalidFormat,
    DecodeFailed,
    DecodedInvalid,
}

impl PublishableKeyError {
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "Publishable key is missing.",
            Self::InvalidFormat => {
                "Publishable key not valid (expected format: pk_test_... or pk_live_...)."
            }
            Self::DecodeFailed => "Publishable key not valid: Failed to decode key.",
            Self::DecodedInvalid => "Publishable key not valid: Decoded key has invalid format.",
        }
    }
}

/// The setup guidance Clerk appends to publishable-key errors.
pub const KEY_GUIDANCE: &str = "\n\nTo create a new Clerk app, run:\nnpx clerk@latest init\n\n'npx clerk@latest init' does not need a Clerk account and writes temporary dev keys.\n\nTo use an existing Clerk app, run:\nnpx clerk@latest link\nnpx clerk@latest env pull\n\nFor production keys, run:\nnpx clerk@latest env pull --instance prod\n\nOr copy keys from https://dashboard.clerk.com/~/api-keys into your .env file.";

impl PublishableKeyError {
    /// The error `authenticateRequest` throws: `@clerk/shared` checks `isPublishableKey()`
    /// first, so every malformed key reads "not valid (expected format …)".
    pub fn clerk_error(self) -> String {
        let first = match self {
            Self::Missing => Self::Missing.message(),
            _ => Self::InvalidFormat.message(),
        };
        format!("{first}{KEY_GUIDANCE}")
    }
}

impl std::fmt::Display for PublishableKeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Parses `pk_test_…` / `pk_live_…` (base64 of `<frontend api>$`), with Clerk's validity rules.
pub fn parse_publishable_key(key: &str) -> Result<PublishableKey, PublishableKeyError> {
    if key.is_empty() {
        return Err(PublishableKeyError::Missing);
    }
    let instance_type = if key.starts_with("pk_live_") {
        InstanceType::Production
    } else if key.starts_with("pk_test_") {
        InstanceType::Development
    } else {
        return Err(PublishableKeyError::InvalidFormat);
    };
    let parts: Vec<&str> = key.split('_').collect();
    let body = match parts.as_slice() {
        [_, _, body] if !body.is_empty() => *body,
        _ => return Err(PublishableKeyError::InvalidFormat),
    };
    let decoded = base64::decode_forgiving(body).ok_or(PublishableKeyError::DecodeFailed)?;
    // atob yields a "binary string": one char per byte.
    let decoded: String = decoded.iter().map(|&b| char::from(b)).collect();
    let host = decoded
        .strip_suffix('$')
        .filter(|h| !h.contains('$') && h.contains('.'))
        .ok_or(PublishableKeyError::DecodedInvalid)?;
    Ok(PublishableKey {
        instance_type,
        frontend_api: host.to_string(),
    })
}

/// `parsePublishableKey(key, { proxyUrl, domain, isSatellite })`'s `frontendApi`: the proxy URL
/// replaces the host; production satellites use `clerk.<domain>`; development keys ignore `domain`.
pub fn frontend_api(
    key: &PublishableKey,
    proxy_url: Option<&str>,
    domain: Option<&str>,
    is_satellite: bool,
) -> String {
    match (
        proxy_url.filter(|p| !p.is_empty()),
        domain.filter(|d| !d.is_empty()),
    ) {
        (Some(p), _) => p.to_string(),
        (None, Some(d)) if is_satellite && key.instance_type == InstanceType::Production => {
            format!("clerk.{d}")
        }
        _ => key.frontend_api.clone(),
    }
}

/// `isPublishableKey()`.
pub fn is_publishable_key(key: &str) -> bool {
    parse_publishable_key(key).is_ok()
}

/// First 8 characters of base64url(SHA-1(publishable key)): the suffix of `__session_<s>` etc.
pub fn cookie_suffix(publishable_key: &str) -> String {
    let digest = Sha1::digest(publishable_key.as_bytes());
    base64::encode_url(&digest).chars().take(8).collect()
}

/// `sk_test_…` / legacy `test_…`.
pub fn is_development_secret_key(secret_key: &str) -> bool {
    secret_key.starts_with("sk_test_") || secret_key.starts_with("test_")
}

/// Account Portal origin derived from a Frontend API host (`clerk.x.com` → `https://accounts.x.com`).
pub fn accounts_base_url(frontend_api: &str) -> String {
    if frontend_api.is_empty() {
        return String::new();
    }
    let host = frontend_api.replacen("clerk.accountsstage.", "accountsstage.", 1);
    let host = match (host.find("clerk.accounts."), host.find("clerk.")) {
        (Some(i), Some(j)) if i <= j => replace_at(&host, i, "clerk.accounts.", "accounts."),
        (_, Some(j)) => replace_at(&host, j, "clerk.", "accounts."),
        _ => host,
    };
    format!("https://{host}")
}

fn replace_at(s: &str, at: usize, from: &str, to: &str) -> String {
    let (a, b) = s.split_at(at);
    format!("{a}{to}{}", b.get(from.len()..).unwrap_or(""))
}

/// Development Account Portal hosts that Clerk trusts as referrers on development instances.
pub fn is_dev_account_portal_host(host: &str) -> bool {
    const LEGACY: [&str; 3] = [".lcl.dev", ".lclstage.dev", ".lclclerk.com"];
    const CURRENT: [&str; 3] = [
        ".accounts.dev",
        ".accountsstage.dev",
        ".accounts.lclclerk.com",
    ];
    const NOT_PORTAL: [&str; 3] = [
        ".clerk.accounts.dev",
        ".clerk.accountsstage.dev",
        ".clerk.accounts.lclclerk.com",
    ];
    if host.starts_with("accounts.") && LEGACY.iter().any(|s| host.ends_with(s)) {
        return true;
    }
    CURRENT.iter().any(|s| host.ends_with(s)) && !NOT_PORTAL.iter().any(|s| host.ends_with(s))
}

/// Backend API origin Clerk's Next SDK derives from the publishable key.
pub fn api_url_for(frontend_api: &str) -> &'static str {
    let legacy_local = [".lcl.dev", "lclstage.dev", ".lclclerk.com"];
    if frontend_api.ends_with(".accountsstage.dev") {
        "https://api.clerkstage.dev"
    } else if frontend_api.ends_with(".accounts.lclclerk.com")
        || (legacy_local.iter().any(|s| frontend_api.ends_with(s))
            && !frontend_api.starts_with("clerk."))
    {
        "https://api.lclclerk.com"
    } else {
        "https://api.clerk.com"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys() {
        let k = parse_publishable_key("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k").unwrap();
        assert_eq!(k.instance_type, InstanceType::Production);
        assert_eq!(k.frontend_api, "clerk.example.com");
        let k = parse_publishable_key("pk_test_Zm9vLWJhci0xMy5jbGVyay5hY2NvdW50cy5kZXYk").unwrap();
        assert_eq!(k.instance_type, InstanceType::Development);
        assert_eq!(k.frontend_api, "foo-bar-13.clerk.accounts.dev");
    }

    #[test]
    fn rejects_with_clerks_four_messages() {
        assert_eq!(parse_publishable_key(""), Err(PublishableKeyError::Missing));
        assert_eq!(
            parse_publishable_key("sk_live_abc"),
            Err(PublishableKeyError::InvalidFormat)
        );
        assert_eq!(
            parse_publishable_key("pk_test_"),
            Err(PublishableKeyError::InvalidFormat)
        );
        assert_eq!(
            parse_publishable_key("pk_live_invalid!@#$"),
            Err(PublishableKeyError::DecodeFailed)
        );
        assert_eq!(
            parse_publishable_key("pk_live_aW52YWxpZGtleSQ"),
            Err(PublishableKeyError::DecodedInvalid)
        );
        assert_eq!(
            parse_publishable_key("pk_live_Y2xlcmsuZXhhbXBsZS5jb20kJA"),
            Err(PublishableKeyError::DecodedInvalid)
        );
        assert!(!is_publishable_key("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k=="));
        assert!(!is_publishable_key("pk_live"));
        assert_eq!(
            PublishableKeyError::InvalidFormat.to_string(),
            "Publishable key not valid (expected format: pk_test_... or pk_live_...)."
        );
    }

    #[test]
    fn suffix_and_portal() {
        assert_eq!(cookie_suffix("pk_live_Y2xlcmsuY2xlcmsuZGV2JA"), "1Z8AzTQD");
        assert_eq!(
            cookie_suffix("pk_test_ZW5vdWdoLWFscGFjYS04Mi5jbGVyay5hY2NvdW50cy5sY2xjbGVyay5jb20k"),
            "jtYvyt_H"
        );
        assert_eq!(
            accounts_base_url("clerk.example.com"),
            "https://accounts.example.com"
        );
        assert_eq!(
            accounts_base_url("foo-bar-13.clerk.accounts.dev"),
            "https://foo-bar-13.accounts.dev"
        );
        assert_eq!(
            accounts_base_url("clerk.accounts.example.com"),
            "https://accounts.example.com"
        );
        assert_eq!(
            accounts_base_url("x.clerk.accountsstage.dev"),
            "https://x.accountsstage.dev"
        );
        assert_eq!(accounts_base_url(""), "");
        assert!(is_dev_account_portal_host("foo-bar-13.accounts.dev"));
        assert!(is_dev_account_portal_host("accounts.foo-bar-13.lcl.dev"));
        assert!(!is_dev_account_portal_host("foo-bar-13.clerk.accounts.dev"));
        assert!(!is_dev_account_portal_host("accounts.example.com"));
    }
}

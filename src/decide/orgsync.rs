//! `organizationSyncOptions`: which organization a URL asks for, matched on the raw path.

use crate::pattern::{org_pattern_error, PatternSet};
use crate::token::auth::SessionAuth;
use serde::{Deserialize, Deserializer};

/// `organizationSyncOptions`. Each list may also be one string: Clerk hands it to
/// path-to-regexp's `match`, which takes a pattern or an array of them (an empty string is no
/// pattern at all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrgSyncOptions {
    #[serde(deserialize_with = "patterns")]
    pub organization_patterns: Option<Vec<String>>,
    #[serde(deserialize_with = "patterns")]
    pub personal_account_patterns: Option<Vec<String>>,
}

fn patterns<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    use serde::de::Error;
    use serde_json::Value;
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(Some(Vec::new())),
        Value::String(s) => Ok(Some(vec![s])),
        Value::Array(a) => a
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(D::Error::custom("a pattern must be a string")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        _ => Err(D::Error::custom(
            "patterns must be a string or a list of strings",
        )),
    }
}

/// Compiled organization / personal-account patterns.
#[derive(Debug, Default)]
pub struct OrgSync {
    organization: Option<PatternSet>,
    personal: Option<PatternSet>,
}

/// What the URL asks to be active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgTarget {
    Organization {
        id: Option<String>,
        slug: Option<String>,
    },
    PersonalAccount,
}

impl OrgTarget {
    /// The `organization_id` handshake parameter: id or slug, empty for the personal account.
    pub fn handshake_param(&self) -> &str {
        match self {
            OrgTarget::Organization { id: Some(id), .. } => id,
            OrgTarget::Organization {
                slug: Some(slug), ..
            } => slug,
            _ => "",
        }
    }
}

fn compile(patterns: Option<&Vec<String>>) -> Result<Option<PatternSet>, String> {
    match patterns {
        None => Ok(None),
        Some(p) if p.is_empty() => Ok(None),
        Some(p) => PatternSet::compile(p)
            .map(Some)
            .map_err(|e| org_pattern_error(&p.join(","), &e)),
    }
}

impl OrgSync {
    pub fn compile(options: Option<&OrgSyncOptions>) -> Result<OrgSync, String> {
        let Some(o) = options else {
            return Ok(OrgSync::default());
        };
        Ok(OrgSync {
            organization: compile(o.organization_patterns.as_ref())?,
            personal: compile(o.personal_account_patterns.as_ref())?,
        })
    }

    pub fn is_configured(&self) -> bool {
        self.organization.is_some() || self.personal.is_some()
    }

    /// Organization patterns first (`:id` beats `:slug`), then personal-account patterns.
    pub fn target(&self, raw_pathname: &str) -> Option<OrgTarget> {
        if let Some(params) = self
            .organization
            .as_ref()
            .and_then(|p| p.captures(raw_pathname))
        {
            let get = |name: &str| {
                params
                    .iter()
                    .find(|(k, v)| k == name && !v.is_empty())
                    .map(|(_, v)| v.clone())
            };
            if let Some(id) = get("id") {
                return Some(OrgTarget::Organization {
                    id: Some(id),
                    slug: None,
                });
            }
            if let Some(slug) = get("slug") {
                return Some(OrgTarget::Organization {
                    id: None,
                    slug: Some(slug),
                });
            }
        }
        if self
            .personal
            .as_ref()
            .is_some_and(|p| p.is_match(raw_pathname))
        {
            return Some(OrgTarget::PersonalAccount);
        }
        None
    }
}

/// Whether the session's active organization differs from what the URL asks for.
pub fn mismatches(target: &OrgTarget, auth: &SessionAuth) -> bool {
    match target {
        OrgTarget::Organization { id, slug } => {
            slug.as_ref()
                .is_some_and(|s| auth.org_slug.as_ref() != Some(s))
                || id.as_ref().is_some_and(|i| auth.org_id.as_ref() != Some(i))
        }
        OrgTarget::PersonalAccount => auth.org_id.as_ref().is_some_and(|o| !o.is_empty()),
    }
}

#[cfg(test)]
mod one_pattern_tests {
    use super::*;

    fn options(json: &str) -> OrgSyncOptions {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_string_is_one_pattern_as_in_clerk() {
        let o =
            options(r#"{"organizationPatterns": "/orgs/:slug", "personalAccountPatterns": "/me"}"#);
        assert_eq!(
            o.organization_patterns,
            Some(vec!["/orgs/:slug".to_string()])
        );
        assert_eq!(o.personal_account_patterns, Some(vec!["/me".to_string()]));
        let sync = OrgSync::compile(Some(&o)).unwrap();
        assert_eq!(
            sync.target("/orgs/acme"),
            Some(OrgTarget::Organization {
                id: None,
                slug: Some("acme".into())
            })
        );
        assert_eq!(sync.target("/me"), Some(OrgTarget::PersonalAccount));
        assert_eq!(sync.target("/other"), None);
    }

    #[test]
    fn an_empty_string_is_no_pattern() {
        let o = options(r#"{"organizationPatterns": ""}"#);
        assert!(!OrgSync::compile(Some(&o)).unwrap().is_configured());
    }

    #[test]
    fn a_bad_string_pattern_has_clerks_message() {
        let o = options(r#"{"organizationPatterns": "/orgs/(:slug"}"#);
        let e = OrgSync::compile(Some(&o)).unwrap_err();
        assert!(e.starts_with("Invalid pattern \"/orgs/(:slug\": "), "{e}");
    }
}

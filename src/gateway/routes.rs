//! Declarative route rules for hosts without a middleware handler (the Worker): which paths
//! are public, which need a session, a role, a permission, a feature or a plan — one line per
//! rule, first match wins, unmatched paths are public (as with `clerkMiddleware()` itself).
//!
//! ```text
//! # patterns (comma-separated)   requirement            options
//! /sign-in(.*),/sign-up(.*)      public
//! /admin(.*)                     role=org:admin
//! /api(.*)                       signed-in              unauthenticated=404
//! /(.*)                          signed-in
//! ```
//! Requirements: `public`, `signed-in`, `role=`, `permission=`, `feature=`, `plan=`,
//! `reverification=` (several are ANDed, like `has()`). Options: `unauthenticated=` and
//! `unauthorized=` with `404`, `401`, `sign-in` (unauthenticated only) or a URL; `api` makes
//! the rule an API route (see [`crate::gateway::api_mode`]: no handshake, no redirect, no Set-Cookie),
//! where `403` is also a fallback and `sign-in`/URLs are not.

use crate::decide::protect::{Protect, ProtectParams};
use crate::pattern::{normalize_route_path, route_matcher_error, MalformedUrl, PatternSet};
use crate::token::auth::HasParams;
use serde_json::Value;

/// What a request that falls short gets, when a rule overrides `protect()`'s default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    NotFound,
    Unauthorized,
    /// 403: API routes only.
    Forbidden,
    SignIn,
    Url(String),
}

#[derive(Debug)]
pub struct Rule {
    patterns: PatternSet,
    /// The rule's text, for logs.
    pub source: String,
    pub public: bool,
    pub has: Option<HasParams>,
    pub on_unauthenticated: Option<Fallback>,
    pub on_unauthorized: Option<Fallback>,
    /// `api`: an API route (JSON answers, never a redirect or a cookie).
    pub api: bool,
}

#[derive(Debug, Default)]
pub struct RouteRules {
    rules: Vec<Rule>,
}

fn fallback(v: &str, allow_sign_in: bool) -> Option<Fallback> {
    Some(match v {
        "404" => Fallback::NotFound,
        "401" => Fallback::Unauthorized,
        "403" => Fallback::Forbidden,
        "sign-in" if allow_sign_in => Fallback::SignIn,
        u if u.starts_with('/') || u.starts_with("https://") || u.starts_with("http://") => {
            Fallback::Url(u.to_string())
        }
        _ => return None,
    })
}

impl RouteRules {
    /// Parses the rule text; errors name the line and what is wrong.
    pub fn parse(text: &str) -> Result<RouteRules, String> {
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split(" #").next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |m: String| format!("route rule on line {}: {m}", i + 1);
            let mut words = line.split_whitespace();
            let patterns: Vec<&str> = words
                .next()
                .unwrap_or("")
                .split(',')
                .filter(|p| !p.is_empty())
                .collect();
            let compiled = PatternSet::compile(&patterns)
                .map_err(|e| at(route_matcher_error(&patterns.join(","), &e)))?;
            let mut rule = Rule {
                patterns: compiled,
                source: line.to_string(),
                public: false,
                has: None,
                on_unauthenticated: None,
                on_unauthorized: None,
                api: false,
            };
            let mut requirement = false;
            // Collected over the whole line: the option words below `continue` past it.
            let mut has = HasParams::default();
            for w in words {
                let (k, v) = w.split_once('=').unwrap_or((w, ""));
                match (k, v) {
                    ("public", "") => rule.public = true,
                    ("api", "") => {
                        rule.api = true;
                        continue;
                    }
                    ("signed-in", "") => {}
                    ("role", v) if !v.is_empty() => has.role = Some(Value::String(v.into())),
                    ("permission", v) if !v.is_empty() => has.permission = Some(Value::String(v.into())),
                    ("feature", v) if !v.is_empty() => has.feature = Some(Value::String(v.into())),
                    ("plan", v) if !v.is_empty() => has.plan = Some(Value::String(v.into())),
                    ("reverification", v) if !v.is_empty() => has.reverification = Some(Value::String(v.into())),
                    ("unauthenticated", v) => {
                        rule.on_unauthenticated = Some(fallback(v, true).ok_or_else(|| {
                            at(format!("unauthenticated={v}: expected 404, 401, 403, sign-in or a URL"))
                        })?);
                        continue;
                    }
                    ("unauthorized", v) => {
                        rule.on_unauthorized = Some(fallback(v, false).ok_or_else(|| {
                            at(format!("unauthorized={v}: expected 404, 401, 403 or a URL"))
                        })?);
                        continue;
                    }
                    _ => return Err(at(format!("unknown word \"{w}\" (expected public, signed-in, role=, permission=, feature=, plan=, reverification=, api, unauthenticated=, unauthorized=)"))),
                }
                requirement = true;
            }
            if has != HasParams::default() {
                rule.has = Some(has);
            }
            if !requirement {
                return Err(at("no requirement (public, signed-in, role=… )".into()));
            }
            if rule.public
                && (rule.has.is_some()
                    || rule.on_unauthenticated.is_some()
                    || rule.on_unauthorized.is_some())
            {
                return Err(at(
                    "`public` cannot be combined with requirements or fallbacks".into(),
                ));
            }
            rules.push(rule);
        }
        Ok(RouteRules { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether any rule is an API route (so the Worker must look the rule up before it
    /// authenticates).
    pub fn has_api_rules(&self) -> bool {
        self.rules.iter().any(|r| r.api)
    }

    /// Fallbacks that do not fit the route kind: API routes never redirect (`sign-in`, URLs),
    /// and `403` exists only on API routes. `all_api` is the global API mode.
    pub fn check_api(&self, all_api: bool) -> Result<(), String> {
        for rule in &self.rules {
            let api = all_api || rule.api;
            for (name, f) in [
                ("unauthenticated", &rule.on_unauthenticated),
                ("unauthorized", &rule.on_unauthorized),
            ] {
                let bad = match f {
                    Some(Fallback::SignIn | Fallback::Url(_)) if api => {
                        "API routes never redirect: use 404, 403 or 401"
                    }
                    Some(Fallback::Forbidden) if !api => {
                        "403 is for API routes: add `api` to the rule (or set CLERK_API_MODE=true)"
                    }
                    _ => continue,
                };
                return Err(format!("route rule \"{}\": {name}=: {bad}", rule.source));
            }
        }
        Ok(())
    }

    /// The first rule matching `pathname` (normalised like `createRouteMatcher`: decoded once,
    /// `/` runs collapsed, case-insensitive). A malformed path is Clerk's 400.
    pub fn find(&self, pathname: &str) -> Result<Option<&Rule>, MalformedUrl> {
        if self.rules.is_empty() {
            return Ok(None);
        }
        let path = normalize_route_path(pathname)?;
        Ok(self.rules.iter().find(|r| r.patterns.is_match(&path)))
    }
}

impl Rule {
    /// The `protect()` call this rule stands for (`None` for public rules).
    pub fn protect_params(&self) -> Option<ProtectParams> {
        if self.public {
            return None;
        }
        let url = |f: &Option<Fallback>| match f {
            Some(Fallback::Url(u)) => Some(u.clone()),
            _ => None,
        };
        Some(ProtectParams {
            has: self.has.clone(),
            predicate: None,
            unauthenticated_url: url(&self.on_unauthenticated),
            unauthorized_url: url(&self.on_unauthorized),
            token: None,
        })
    }

    /// Applies the rule's status overrides to `protect()`'s answer.
    pub fn adjust(&self, outcome: Protect, unauthenticated: bool) -> Protect {
        let over = if unauthenticated {
            &self.on_unauthenticated
        } else {
            &self.on_unauthorized
        };
        match (over, outcome) {
            (_, Protect::Allow) => Protect::Allow,
            // 403 is API-only (`check_api`); fail closed should one get here.
            (Some(Fallback::NotFound | Fallback::Forbidden), _) => Protect::NotFound,
            (Some(Fallback::Unauthorized), _) => Protect::Unauthorized {
                www_authenticate: false,
            },
            (Some(Fallback::SignIn), _) => Protect::RedirectToSignIn,
            (_, other) => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECIPES: &str = "
# the three Clerk recipes, one line each
/sign-in(.*),/sign-up(.*)   public
/admin(.*)                  role=org:admin
/api(.*)                    signed-in unauthenticated=404
/(.*)                       signed-in
";

    #[test]
    fn recipes_parse_and_first_match_wins() {
        let r = RouteRules::parse(RECIPES).unwrap();
        let src = |p: &str| {
            r.find(p)
                .unwrap()
                .map(|x| x.source.split_whitespace().next().unwrap_or("").to_string())
        };
        assert_eq!(
            src("/sign-in/factor-one").as_deref(),
            Some("/sign-in(.*),/sign-up(.*)")
        );
        assert_eq!(src("/Admin/users").as_deref(), Some("/admin(.*)"));
        assert_eq!(src("//admin").as_deref(), Some("/admin(.*)"));
        assert_eq!(src("/%61dmin").as_deref(), Some("/admin(.*)"));
        assert_eq!(src("/api/items").as_deref(), Some("/api(.*)"));
        assert_eq!(src("/").as_deref(), Some("/(.*)"));
        assert!(r.find("/%zz").is_err());
        let admin = r.find("/admin").unwrap().unwrap();
        assert_eq!(
            admin.has.as_ref().unwrap().role,
            Some(Value::String("org:admin".into()))
        );
        assert!(r
            .find("/sign-up")
            .unwrap()
            .unwrap()
            .protect_params()
            .is_none());
        let api = r.find("/api").unwrap().unwrap();
        assert_eq!(
            api.adjust(Protect::RedirectToSignIn, true),
            Protect::NotFound
        );
        assert_eq!(api.adjust(Protect::Allow, true), Protect::Allow);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            RouteRules::parse("/a public\n/b role").unwrap_err(),
            "route rule on line 2: unknown word \"role\" (expected public, signed-in, role=, permission=, feature=, plan=, reverification=, api, unauthenticated=, unauthorized=)"
        );
        assert!(RouteRules::parse("/a")
            .unwrap_err()
            .contains("line 1: no requirement"));
        assert!(RouteRules::parse("/a/:id/*** signed-in")
            .unwrap_err()
            .starts_with("route rule on line 1: Invalid path: /a/:id/***."));
        assert!(RouteRules::parse("/a public unauthorized=404").is_err());
        assert!(RouteRules::parse("/a signed-in unauthorized=sign-in").is_err());
        assert!(RouteRules::parse("").unwrap().is_empty());
        assert!(RouteRules::parse("/a api")
            .unwrap_err()
            .contains("line 1: no requirement"));
    }

    #[test]
    fn requirements_survive_the_option_words_after_them() {
        // A fallback or `api` after `role=` once dropped the role: the rule then allowed any
        // signed-in user.
        for line in [
            "/admin(.*) role=org:admin unauthorized=401",
            "/admin(.*) role=org:admin unauthenticated=404 permission=org:x:read",
            "/admin(.*) role=org:admin api",
        ] {
            let r = RouteRules::parse(line).unwrap();
            let has = r.find("/admin").unwrap().unwrap().has.clone().unwrap();
            assert_eq!(has.role, Some(Value::String("org:admin".into())), "{line}");
        }
    }

    #[test]
    fn api_rules_and_their_fallbacks() {
        let r = RouteRules::parse(
            "/api(.*) signed-in api unauthenticated=403 unauthorized=401\n/hooks(.*) public api\n/(.*) signed-in",
        )
        .unwrap();
        assert!(r.has_api_rules());
        let api = r.find("/api/x").unwrap().unwrap();
        assert!(api.api);
        assert_eq!(api.on_unauthenticated, Some(Fallback::Forbidden));
        assert_eq!(api.on_unauthorized, Some(Fallback::Unauthorized));
        assert!(r.find("/hooks").unwrap().unwrap().api);
        assert!(!r.find("/page").unwrap().unwrap().api);
        assert_eq!(r.check_api(false), Ok(()));
        assert_eq!(r.check_api(true), Ok(()));
        assert!(!RouteRules::parse("/a signed-in").unwrap().has_api_rules());

        let redirecting = RouteRules::parse("/a signed-in api unauthenticated=sign-in").unwrap();
        assert_eq!(
            redirecting.check_api(false).unwrap_err(),
            "route rule \"/a signed-in api unauthenticated=sign-in\": unauthenticated=: API routes never redirect: use 404, 403 or 401"
        );
        let url = RouteRules::parse("/a role=x unauthorized=/nope").unwrap();
        assert_eq!(url.check_api(false), Ok(()));
        assert!(url
            .check_api(true)
            .unwrap_err()
            .contains("unauthorized=: API routes never redirect"));
        let forbidden = RouteRules::parse("/a signed-in unauthenticated=403").unwrap();
        assert!(forbidden
            .check_api(false)
            .unwrap_err()
            .contains("403 is for API routes"));
        assert_eq!(forbidden.check_api(true), Ok(()));
    }
}

//! Session token claims → signed-in auth properties, and the fail-closed `has()` check
//! (spec §4: claim formats v1/v2, the property mapping, permission decoding and `has()`).
//!
//! Everything here works on claims that were already verified; nothing in this module
//! trusts their *shape*, though: any claim or parameter of an unexpected type makes the
//! affected property absent or the affected check fail, and no input can make it panic.
//!
//! Where Clerk would throw (a `fea`/`pla` element without `:`, a non-string `fea`/`per`/
//! `fpm`), we cannot propagate an exception into the middleware, so:
//! * while decoding v2 org permissions, a malformed `fea` contributes no features, so
//!   `orgPermissions` is `[]` (the `o` claim is present, so it is an empty list, not absent);
//! * in `has()`, a feature/plan check against a malformed `fea`/`pla` fails (Clerk's own
//!   `has()` also turns that throw into a failure); role, permission and reverification
//!   checks are answered as usual.
//!
//! Where Clerk copies a claim of any type, we keep strings only (`sub`, `sid`, `sts`,
//! `org_id`, `org_role`, `org_slug`, `o.id`, `o.rol`, `o.slg`) and only the string elements
//! of `org_permissions`; each such difference can only turn a `has()` pass into a fail.

use crate::web::js;
use serde_json::{Map, Value};

/// Signed-in session auth properties derived from verified claims (v1 and v2 formats).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionAuth {
    /// `sub`, only when it is a string.
    pub user_id: Option<String>,
    /// `sid`, only when it is a string.
    pub session_id: Option<String>,
    /// `sts` (e.g. `active`, `pending`), only when it is a string.
    pub session_status: Option<String>,
    /// `act` as given (null → `None`).
    pub actor: Option<Value>,
    /// v1 `org_id` / v2 `o.id`, only when a string.
    pub org_id: Option<String>,
    /// v1 `org_role` verbatim / v2 `"org:" + o.rol` when `o.rol` is a non-empty string.
    pub org_role: Option<String>,
    /// v1 `org_slug` / v2 `o.slg`, only when a string.
    pub org_slug: Option<String>,
    /// v1 `org_permissions` (string elements only) / v2 decoded from `fea`, `o.per`, `o.fpm`.
    pub org_permissions: Option<Vec<String>>,
    /// `fva` as given (null → `None`); validated only when `has()` needs it.
    pub factor_verification_age: Option<Value>,
    /// The full claims payload.
    pub claims: Map<String, Value>,
}

/// Parameters of `has()`; `Value`s so that non-string inputs fail as Clerk's do.
///
/// `Some(Value::Null)` means "key present with value null", which Clerk treats as asked
/// (and then failed), unlike an absent key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HasParams {
    /// Organization role, e.g. `org:admin` or `admin`.
    pub role: Option<Value>,
    /// Organization permission, e.g. `org:invoices:read` or `invoices:read`.
    pub permission: Option<Value>,
    /// Billing feature, `scope:name` or bare `name`.
    pub feature: Option<Value>,
    /// Billing plan, `scope:name` or bare `name`.
    pub plan: Option<Value>,
    /// Preset name (`strict_mfa`, `strict`, `moderate`, `lax`) or `{level, afterMinutes}`.
    pub reverification: Option<Value>,
}

impl HasParams {
    /// Takes only role/permission/feature/plan/reverification from a JSON object; other keys
    /// are ignored. A non-object gives all `None`.
    pub fn from_json(v: &Value) -> HasParams {
        let Some(obj) = v.as_object() else {
            return HasParams::default();
        };
        let take = |k: &str| obj.get(k).cloned();
        HasParams {
            role: take("role"),
            permission: take("permission"),
            feature: take("feature"),
            plan: take("plan"),
            reverification: take("reverification"),
        }
    }
}

/// Outcome of one `has()` dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Skip,
    Pass,
    Fail,
}

impl Check {
    fn from_bool(ok: bool) -> Check {
        if ok {
            Check::Pass
        } else {
            Check::Fail
        }
    }
}

impl SessionAuth {
    /// Maps verified claims to auth properties: v2 when `v` is the number 2, v1 otherwise.
    pub fn from_claims(claims: Map<String, Value>) -> SessionAuth {
        let string = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_owned);
        let non_null = |k: &str| claims.get(k).filter(|v| !v.is_null()).cloned();

        let mut auth = SessionAuth {
            user_id: string("sub"),
            session_id: string("sid"),
            session_status: string("sts"),
            actor: non_null("act"),
            org_id: None,
            org_role: None,
            org_slug: None,
            org_permissions: None,
            factor_verification_age: non_null("fva"),
            claims: Map::new(),
        };

        // Clerk switches on `claims.v` with strict equality, so only the number 2 selects v2
        // (`2.0` is the same JS number; the string "2" is not).
        let is_v2 = claims.get("v").and_then(Value::as_f64) == Some(2.0);
        if is_v2 {
            // Clerk reads the org only when `o` is truthy; a truthy non-object `o` gives no
            // id/role/slug but still an (empty) permission list.
            if let Some(o) = claims.get("o").filter(|o| js::truthy(o)) {
                let field = |k: &str| o.get(k).and_then(Value::as_str);
                auth.org_id = field("id").map(str::to_owned);
                auth.org_slug = field("slg").map(str::to_owned);
                // `rol` carries no prefix in v2; it is prefixed as is (`org:admin` would become
                // `org:org:admin`, which role normalisation in `has()` absorbs).
                auth.org_role = field("rol")
                    .filter(|r| !r.is_empty())
                    .map(|r| format!("org:{r}"));
                auth.org_permissions = Some(decode_v2_permissions(
                    claims.get("fea").and_then(Value::as_str),
                    field("per"),
                    field("fpm"),
                ));
            }
        } else {
            auth.org_id = string("org_id");
            auth.org_role = string("org_role");
            auth.org_slug = string("org_slug");
            // Non-string elements could never equal a permission string in `has()`, so
            // dropping them changes no answer.
            auth.org_permissions =
                claims
                    .get("org_permissions")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    });
        }

        auth.claims = claims;
        auth
    }

    /// True when the session status claim is exactly `pending`.
    pub fn is_pending(&self) -> bool {
        self.session_status.as_deref() == Some("pending")
    }

    /// Clerk's `has()` (spec §4.5): true iff at least one asked dimension (org, billing,
    /// reverification) passes and none fails; false without a user id. Fail-closed: any
    /// malformed claim or parameter fails the dimension it belongs to.
    ///
    /// Pending sessions are not special-cased here; the caller decides whether a pending
    /// session is treated as signed out (where `has()` is always false).
    pub fn has(&self, params: &HasParams) -> bool {
        if self.user_id.as_deref().is_none_or(str::is_empty) {
            return false;
        }
        let checks = [
            self.check_org(params),
            self.check_billing(params),
            self.check_reverification(params),
        ];
        checks.contains(&Check::Pass) && !checks.contains(&Check::Fail)
    }

    /// Serializes the auth properties with Clerk's camelCase names (null when absent) for the
    /// conformance runner; the claims payload is not included.
    pub fn to_json(&self) -> Value {
        let opt_str = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
        let mut m = Map::new();
        m.insert("userId".into(), opt_str(&self.user_id));
        m.insert("sessionId".into(), opt_str(&self.session_id));
        m.insert("sessionStatus".into(), opt_str(&self.session_status));
        m.insert("actor".into(), self.actor.clone().unwrap_or(Value::Null));
        m.insert("orgId".into(), opt_str(&self.org_id));
        m.insert("orgRole".into(), opt_str(&self.org_role));
        m.insert("orgSlug".into(), opt_str(&self.org_slug));
        m.insert(
            "orgPermissions".into(),
            self.org_permissions.as_ref().map_or(Value::Null, |p| {
                Value::Array(p.iter().cloned().map(Value::String).collect())
            }),
        );
        m.insert(
            "factorVerificationAge".into(),
            self.factor_verification_age.clone().unwrap_or(Value::Null),
        );
        Value::Object(m)
    }

    fn check_org(&self, params: &HasParams) -> Check {
        if params.role.is_none() && params.permission.is_none() {
            return Check::Skip;
        }
        // An asked key with a non-string value (null included) fails before anything else.
        let Ok(role) = asked_string(&params.role) else {
            return Check::Fail;
        };
        let Ok(permission) = asked_string(&params.permission) else {
            return Check::Fail;
        };
        if self.org_id.as_deref().is_none_or(str::is_empty) {
            return Check::Fail;
        }
        if let Some(role) = role {
            let Some(org_role) = self.org_role.as_deref().filter(|r| !r.is_empty()) else {
                return Check::Fail;
            };
            if with_org_prefix(org_role) != with_org_prefix(role) {
                return Check::Fail;
            }
        }
        if let Some(permission) = permission {
            let Some(perms) = &self.org_permissions else {
                return Check::Fail;
            };
            // Only the asked key is normalised; claim entries must already be full keys.
            let wanted = with_org_prefix(permission);
            if !perms.contains(&wanted) {
                return Check::Fail;
            }
        }
        Check::Pass
    }

    fn check_billing(&self, params: &HasParams) -> Check {
        if params.feature.is_none() && params.plan.is_none() {
            return Check::Skip;
        }
        let Ok(feature) = asked_string(&params.feature) else {
            return Check::Fail;
        };
        let Ok(plan) = asked_string(&params.plan) else {
            return Check::Fail;
        };
        // `fea`/`pla` are read regardless of the token version, as Clerk does.
        if let Some(feature) = feature {
            if !entitled(self.claims.get("fea"), feature) {
                return Check::Fail;
            }
        }
        if let Some(plan) = plan {
            if !entitled(self.claims.get("pla"), plan) {
                return Check::Fail;
            }
        }
        Check::Pass
    }

    fn check_reverification(&self, params: &HasParams) -> Check {
        let Some(config) = &params.reverification else {
            return Check::Skip;
        };
        let Some((age1, age2)) = self.factor_ages() else {
            return Check::Fail;
        };
        let Some((level, after_minutes)) = reverification_config(config) else {
            return Check::Fail;
        };
        // -1 marks a factor group that is not enabled.
        let off1 = age1 == -1.0;
        let off2 = age2 == -1.0;
        if off1 && off2 {
            return Check::Fail;
        }
        let fresh1 = !off1 && after_minutes > age1;
        let fresh2 = !off2 && after_minutes > age2;
        Check::from_bool(match level {
            Level::First => fresh1,
            // Without a second factor the requirement downgrades to the first one.
            Level::Second if off2 => fresh1,
            Level::Second => fresh2,
            Level::Multi if off2 => fresh1,
            // A second factor alone cannot satisfy a multi-factor requirement.
            Level::Multi if off1 => false,
            Level::Multi => fresh1 && fresh2,
        })
    }

    /// `fva` as `(factor1Age, factor2Age)` when it is exactly two finite numbers, each -1 or ≥ 0.
    fn factor_ages(&self) -> Option<(f64, f64)> {
        let [a, b] = self
            .factor_verification_age
            .as_ref()?
            .as_array()?
            .as_slice()
        else {
            return None;
        };
        let age = |v: &Value| {
            v.as_f64()
                .filter(|x| x.is_finite() && (*x == -1.0 || *x >= 0.0))
        };
        Some((age(a)?, age(b)?))
    }
}

/// `None` → not asked; `Some(s)` → asked with a string; `Err` → asked with a non-string.
fn asked_string(v: &Option<Value>) -> Result<Option<&str>, ()> {
    match v {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(()),
    }
}

/// Replaces any run of leading `org:` prefixes by exactly one, so `admin`, `org:admin` and
/// `org:org:admin` compare equal (case-sensitively).
fn with_org_prefix(value: &str) -> String {
    let mut rest = value;
    while let Some(r) = rest.strip_prefix("org:") {
        rest = r;
    }
    format!("org:{rest}")
}

/// Names of a `fea`/`pla` claim, split by scope; `ou`/`uo` entries belong to both lists.
#[derive(Debug, Default, PartialEq)]
struct Scoped<'a> {
    org: Vec<&'a str>,
    user: Vec<&'a str>,
}

/// Splits a comma-separated `<scope>:<name>` claim. Unknown scopes are ignored; an element
/// without `:` is an error carrying that (trimmed) element, where Clerk throws
/// `Invalid claim element (missing colon): <element>`.
fn split_by_scope(claim: &str) -> Result<Scoped<'_>, &str> {
    let mut out = Scoped::default();
    if claim.is_empty() {
        return Ok(out);
    }
    for part in claim.split(',').map(js::trim) {
        let Some((scope, name)) = part.split_once(':') else {
            return Err(part);
        };
        match scope {
            "o" => out.org.push(name),
            "u" => out.user.push(name),
            "ou" | "uo" => {
                out.org.push(name);
                out.user.push(name);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Whether the `fea`/`pla` claim grants `asked` (`scope:name` or bare `name`).
///
/// Fails closed where Clerk's parsing is lax: an empty name (`org:`, ``) or a name with a
/// further `:` (Clerk would silently check only the part before it) is never granted.
fn entitled(claim: Option<&Value>, asked: &str) -> bool {
    let Some(claim) = claim.and_then(Value::as_str).filter(|c| !c.is_empty()) else {
        return false;
    };
    let Ok(scoped) = split_by_scope(claim) else {
        return false;
    };
    let (scope, name) = match asked.split_once(':') {
        Some((scope, name)) => (Some(scope), name),
        None => (None, asked),
    };
    if name.is_empty() || name.contains(':') {
        return false;
    }
    let in_org = || scoped.org.contains(&name);
    let in_user = || scoped.user.contains(&name);
    match scope {
        None => in_org() || in_user(),
        Some("o" | "org" | "organization") => in_org(),
        Some("u" | "user") => in_user(),
        Some(_) => false,
    }
}

/// v2 org permissions: bit `j` of the `i`-th `fpm` mask grants `org:<orgFeature_i>:<per_j>`.
///
/// Missing, empty or non-string `per`/`fpm` give no permissions; so does a malformed `fea`
/// (see the module docs). Masks beyond the org features and bits beyond `per` are ignored.
fn decode_v2_permissions(fea: Option<&str>, per: Option<&str>, fpm: Option<&str>) -> Vec<String> {
    let (Some(per), Some(fpm)) = (per.filter(|s| !s.is_empty()), fpm.filter(|s| !s.is_empty()))
    else {
        return Vec::new();
    };
    let Ok(scoped) = split_by_scope(fea.unwrap_or("")) else {
        return Vec::new();
    };
    let permissions: Vec<&str> = per.split(',').map(js::trim).collect();
    let mut out = Vec::new();
    // Zipping with the features first means masks without a feature are never decoded.
    for (feature, mask) in scoped.org.iter().zip(fpm.split(',')) {
        let Some(bits) = decimal_low_bits(js::trim(mask), permissions.len()) else {
            continue; // malformed mask: no permissions for this feature
        };
        for (permission, _) in permissions.iter().zip(bits).filter(|(_, set)| *set) {
            out.push(format!("org:{feature}:{permission}"));
        }
    }
    out
}

/// The `width` least-significant bits (LSB first) of an unsigned decimal string, exact for
/// any length; `None` unless it is one or more ASCII digits.
///
/// Only the low bits are ever needed, so the value is accumulated modulo 2^(64·limbs)
/// (carries only move upwards): linear in the digit count, whatever its magnitude.
fn decimal_low_bits(decimal: &str, width: usize) -> Option<Vec<bool>> {
    if decimal.is_empty() || !decimal.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut limbs = vec![0u64; width.div_ceil(64)];
    for digit in decimal.bytes().map(|b| u128::from(b - b'0')) {
        let mut carry = digit;
        for limb in limbs.iter_mut() {
            let v = u128::from(*limb) * 10 + carry;
            *limb = v as u64; // keep the low 64 bits; the rest carries on
            carry = v >> 64;
        }
    }
    Some(
        (0..width)
            .map(|j| {
                limbs
                    .get(j / 64)
                    .is_some_and(|limb| (limb >> (j % 64)) & 1 == 1)
            })
            .collect(),
    )
}

/// Which verified factors a reverification requirement looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    First,
    Second,
    Multi,
}

/// A preset name or `{level, afterMinutes > 0}` → `(level, afterMinutes)`; anything else `None`.
fn reverification_config(config: &Value) -> Option<(Level, f64)> {
    match config {
        Value::String(preset) => match preset.as_str() {
            "strict_mfa" => Some((Level::Multi, 10.0)),
            "strict" => Some((Level::Second, 10.0)),
            "moderate" => Some((Level::Second, 60.0)),
            "lax" => Some((Level::Second, 1440.0)),
            _ => None,
        },
        Value::Object(obj) => {
            let level = match obj.get("level")?.as_str()? {
                "first_factor" => Level::First,
                "second_factor" => Level::Second,
                "multi_factor" => Level::Multi,
                _ => return None,
            };
            let after = obj.get("afterMinutes")?.as_f64().filter(|m| *m > 0.0)?;
            Some((level, after))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Claims as the oracle builds them: `{sub: user_1, sid: sess_1}` overridden by `extra`.
    fn auth(extra: Value) -> SessionAuth {
        let mut claims = Map::new();
        claims.insert("sub".into(), json!("user_1"));
        claims.insert("sid".into(), json!("sess_1"));
        if let Value::Object(extra) = extra {
            claims.extend(extra);
        }
        SessionAuth::from_claims(claims)
    }

    fn has(a: &SessionAuth, params: Value) -> bool {
        a.has(&HasParams::from_json(&params))
    }

    fn perms(a: &SessionAuth) -> Vec<&str> {
        a.org_permissions
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(String::as_str)
            .collect()
    }

    fn set_bits(decimal: &str, width: usize) -> Option<Vec<usize>> {
        decimal_low_bits(decimal, width).map(|bits| {
            bits.iter()
                .enumerate()
                .filter(|(_, b)| **b)
                .map(|(i, _)| i)
                .collect()
        })
    }

    fn v1_org() -> Value {
        json!({"org_id": "org_9", "org_role": "org:owner", "org_slug": "widgets",
               "org_permissions": ["org:reports:view", "org:sys_domains:manage"]})
    }

    fn v2_org() -> Value {
        json!({"v": 2, "fea": "o:reports,u:inbox,uo:chat", "pla": "u:starter,o:team",
               "o": {"id": "org_9", "rol": "owner", "slg": "widgets", "per": "view,edit", "fpm": "3,2,1"}})
    }

    // ---- P-table (spec §7.A) -------------------------------------------------------------

    #[test]
    fn p1_no_org_claims_deny_everything() {
        let a = auth(json!({"act": {"sub": "user_imp"}}));
        for q in [
            json!({"role": "org:admin"}),
            json!({"role": "admin"}),
            json!({"permission": "org:f1:read"}),
            json!({"permission": "f1:read"}),
            json!({"feature": "org:reservations"}),
        ] {
            assert!(!has(&a, q.clone()), "{q}");
        }
    }

    fn p2_p3_checks(a: &SessionAuth) {
        assert!(has(a, json!({"role": "org:admin"})));
        assert!(has(a, json!({"role": "admin"})));
        assert!(has(a, json!({"permission": "org:f1:read"})));
        assert!(has(a, json!({"permission": "f1:read"})));
        assert!(!has(a, json!({"permission": "org:f1"})));
        assert!(has(a, json!({"permission": "org:f2:manage"})));
        assert!(!has(a, json!({"permission": "org:f2"})));
        assert!(!has(a, json!({"feature": "org:f1"})));
        assert!(!has(a, json!({"feature": "f1"})));
    }

    #[test]
    fn p2_v1_org_role_and_permissions() {
        p2_p3_checks(&auth(json!({"org_id": "org_1", "org_role": "org:admin",
            "org_permissions": ["org:f1:read", "org:f2:manage"]})));
    }

    #[test]
    fn p3_v1_legacy_role_without_prefix() {
        p2_p3_checks(&auth(json!({"org_id": "org_1", "org_role": "admin",
            "org_permissions": ["org:f1:read", "org:f2:manage"]})));
    }

    #[test]
    fn p4_v2_permissions_and_features() {
        let a = auth(json!({"v": 2, "fea": "o:reservations,o:impersonation",
            "o": {"id": "org_1", "rol": "admin", "per": "read,manage", "fpm": "3"}}));
        assert!(has(&a, json!({"role": "org:admin"})));
        assert!(has(&a, json!({"permission": "org:reservations:read"})));
        assert!(has(&a, json!({"permission": "reservations:read"})));
        assert!(has(&a, json!({"permission": "org:reservations:manage"})));
        assert!(!has(&a, json!({"permission": "org:impersonation:read"})));
        assert!(!has(&a, json!({"permission": "org:impersonation:manage"})));
        assert!(has(&a, json!({"feature": "org:reservations"})));
        assert!(has(&a, json!({"feature": "org:impersonation"})));
    }

    #[test]
    fn p5_v2_role_already_prefixed() {
        let a = auth(json!({"v": 2, "o": {"id": "org_1", "rol": "org:admin"}}));
        assert_eq!(a.org_role.as_deref(), Some("org:org:admin"));
        assert!(has(&a, json!({"role": "org:admin"})));
        assert!(has(&a, json!({"role": "admin"})));
    }

    fn p6_auth() -> SessionAuth {
        auth(json!({"v": 2,
            "fea": "o:reservations,u:dashboard,uo:support-chat,o:impersonation",
            "pla": "u:pro,o:business",
            "o": {"id": "org_1", "rol": "admin", "per": "read,manage", "fpm": "2,3"}}))
    }

    #[test]
    fn p6_v2_scoped_features_and_plans() {
        let a = p6_auth();
        let yes = |q: Value| assert!(has(&a, q.clone()), "{q}");
        let no = |q: Value| assert!(!has(&a, q.clone()), "{q}");
        no(json!({"permission": "org:reservations:read"}));
        yes(json!({"permission": "org:reservations:manage"}));
        yes(json!({"permission": "org:support-chat:read"}));
        yes(json!({"permission": "org:support-chat:manage"}));
        no(json!({"permission": "org:dashboard:read"}));
        no(json!({"permission": "org:dashboard:manage"}));
        yes(json!({"feature": "org:reservations"}));
        no(json!({"feature": "user:reservations"}));
        yes(json!({"feature": "org:impersonation"}));
        no(json!({"feature": "user:impersonation"}));
        no(json!({"feature": "org:dashboard"}));
        yes(json!({"feature": "user:dashboard"}));
        yes(json!({"feature": "org:support-chat"}));
        yes(json!({"feature": "user:support-chat"}));
        yes(json!({"plan": "org:business"}));
        no(json!({"plan": "user:business"}));
        no(json!({"plan": "org:pro"}));
        yes(json!({"plan": "user:pro"}));
    }

    #[test]
    fn p7_bare_names_search_both_scopes() {
        let a = p6_auth();
        assert!(has(&a, json!({"feature": "reservations"})));
        assert!(has(&a, json!({"feature": "dashboard"})));
        assert!(!has(&a, json!({"feature": "pro"})));
        assert!(has(&a, json!({"feature": "impersonation"})));
        assert!(has(&a, json!({"plan": "pro"})));
        assert!(has(&a, json!({"plan": "business"})));
    }

    #[test]
    fn p8_scope_aliases() {
        let a = auth(json!({"fea": "o:reservations,u:dashboard", "pla": "free_user,plus_user"}));
        for f in [
            "o:reservations",
            "org:reservations",
            "organization:reservations",
            "reservations",
        ] {
            assert!(has(&a, json!({ "feature": f })), "{f}");
        }
        for f in ["u:dashboard", "user:dashboard", "dashboard"] {
            assert!(has(&a, json!({ "feature": f })), "{f}");
        }
        assert!(!has(&a, json!({"feature": "lol:dashboard"})));
        // The plans claim lacks colons: Clerk throws inside has() and fails the check.
        assert!(!has(&a, json!({"plan": "free_user"})));
    }

    #[test]
    fn p9_non_string_params_fail() {
        let a = auth(v1_org());
        assert!(!has(&a, json!({"role": 123})));
        assert!(!has(&a, json!({"permission": {}})));
        assert!(!has(&a, json!({"feature": {}})));
        assert!(!has(&a, json!({"plan": {}})));
        assert!(!has(&a, json!({"role": null})));
        // A malformed key fails its dimension even when another key of it would pass.
        assert!(!has(
            &a,
            json!({"role": "owner", "permission": ["org:reports:view"]})
        ));
    }

    #[test]
    fn p10_empty_params() {
        let a = auth(v1_org());
        assert!(!has(&a, json!({})));
        assert!(!a.has(&HasParams::default()));
    }

    #[test]
    fn p11_no_org_with_reverification() {
        let a = auth(json!({"fva": [0, 0]}));
        assert!(has(&a, json!({"reverification": "strict"})));
        assert!(!has(
            &a,
            json!({"permission": "org:f1:read", "reverification": "strict"})
        ));
        assert!(!has(
            &a,
            json!({"role": "admin", "reverification": "strict"})
        ));
    }

    #[test]
    fn p12_malformed_fva_or_config() {
        for fva in [
            json!(null),
            json!(["0", "0"]),
            json!([-0.5, 0]),
            json!([1]),
            json!([1, 2, 3]),
            json!({"0": 1, "1": 1}),
            json!("1,1"),
            json!([-2, 0]),
        ] {
            let a = auth(json!({ "fva": fva }));
            assert!(!has(&a, json!({"reverification": "lax"})), "{fva}");
        }
        let a = auth(json!({"fva": [0, 0]}));
        for cfg in [
            json!("invalid-value"),
            json!({"level": "multi_factor"}),
            json!({"level": "multi_factor", "afterMinutes": 0}),
            json!({"level": "multi_factor", "afterMinutes": -1}),
            json!({"level": "multi_factor", "afterMinutes": "10"}),
            json!({"level": "third_factor", "afterMinutes": 10}),
            json!(null),
            json!(10),
            json!(["strict"]),
            json!(""),
        ] {
            assert!(!has(&a, json!({ "reverification": cfg })), "{cfg}");
        }
        // -0 counts as a valid age (JS `-0 >= 0`).
        assert!(has(
            &auth(json!({"fva": [-0.0, -1]})),
            json!({"reverification": "strict"})
        ));
    }

    #[test]
    fn p13_dimensions_are_anded() {
        let a = auth(json!({"org_id": "org_1", "org_role": "org:admin",
            "org_permissions": ["org:f1:read"], "fea": "o:f1", "pla": "o:gold"}));
        assert!(!has(
            &a,
            json!({"permission": "org:f1:write", "feature": "f1"})
        ));
        assert!(has(
            &a,
            json!({"permission": "org:f1:read", "feature": "f1"})
        ));
        assert!(!has(
            &a,
            json!({"role": "org:member", "permission": "org:f1:read"})
        ));
        assert!(has(
            &a,
            json!({"role": "org:admin", "permission": "org:f1:read"})
        ));
        assert!(!has(&a, json!({"feature": "f1", "plan": "silver"})));
        assert!(has(&a, json!({"feature": "f1", "plan": "gold"})));
        assert!(!has(
            &a,
            json!({"feature": "f1", "reverification": "strict"})
        ));
    }

    #[test]
    fn p14_second_factor_disabled_downgrades() {
        let ok =
            auth(json!({"org_id": "org_1", "org_permissions": ["org:f1:read"], "fva": [0, -1]}));
        assert!(has(
            &ok,
            json!({"permission": "org:f1:read", "reverification": "strict_mfa"})
        ));
        let off =
            auth(json!({"org_id": "org_1", "org_permissions": ["org:f1:read"], "fva": [-1, -1]}));
        assert!(!has(
            &off,
            json!({"permission": "org:f1:read", "reverification": "strict_mfa"})
        ));
    }

    #[test]
    fn p15_split_by_scope() {
        let s = split_by_scope("o:reservations,u:dashboard,ou:support-chat,uo:billing").unwrap();
        assert_eq!(s.org, ["reservations", "support-chat", "billing"]);
        assert_eq!(s.user, ["dashboard", "support-chat", "billing"]);
        assert_eq!(
            split_by_scope("reservations,dashboard"),
            Err("reservations")
        );
        assert_eq!(split_by_scope(""), Ok(Scoped::default()));
        // Unknown scopes are ignored; elements are trimmed; names keep any further colon.
        let s = split_by_scope(" x:a , o:b:c ,u:").unwrap();
        assert_eq!((s.org, s.user), (vec!["b:c"], vec![""]));
        assert_eq!(split_by_scope("o:a,"), Err(""));
    }

    #[test]
    fn p16_no_org_same_in_v1_and_v2() {
        let v1 = auth(json!({"fva": [1, 2], "sts": "active"}));
        let v2 = auth(json!({"v": 2, "fva": [1, 2], "sts": "active"}));
        assert_eq!(v1.to_json(), v2.to_json());
        assert_eq!(v1.org_id, None);
        assert_eq!(v1.org_permissions, None);
    }

    #[test]
    fn p17_v2_equals_v1() {
        let v2 = auth(json!({"v": 2, "fea": "o:impersonation",
            "o": {"id": "org_xxxxxxx", "rol": "admin", "slg": "org_test", "per": "read,manage", "fpm": "3"}}));
        let v1 = auth(
            json!({"org_id": "org_xxxxxxx", "org_role": "org:admin", "org_slug": "org_test",
            "org_permissions": ["org:impersonation:read", "org:impersonation:manage"]}),
        );
        assert_eq!(v2.to_json(), v1.to_json());
    }

    fn v2_perms(fea: &str, per: &str, fpm: &str) -> Vec<String> {
        let a = auth(
            json!({"v": 2, "fea": fea, "o": {"id": "org_1", "rol": "admin", "per": per, "fpm": fpm}}),
        );
        a.org_permissions.unwrap()
    }

    #[test]
    fn p18_to_p24_and_p26_permission_decoding() {
        let p18 = [
            "org:impersonation:read",
            "org:memberships:read",
            "org:memberships:manage",
        ];
        assert_eq!(
            v2_perms("o:impersonation,o:memberships", "read,manage", "1,3"),
            p18
        );
        assert_eq!(
            v2_perms(
                "o:impersonation,o:memberships,o:feature3",
                "read,manage",
                "1,3,0"
            ),
            p18
        );
        assert_eq!(
            v2_perms(
                "uo:impersonation,o:memberships,uo:feature3",
                "read,manage",
                "1,3,1"
            ),
            [&p18[..], &["org:feature3:read"]].concat()
        );
        assert_eq!(
            v2_perms("ou:memberships,u:impersonation", "read,manage", "3,0"),
            ["org:memberships:read", "org:memberships:manage"]
        );
        let mut p23 = Vec::new();
        for f in ["billing", "email", "fraud", "instance"] {
            p23.push(format!("org:{f}:manage"));
            p23.push(format!("org:{f}:read"));
        }
        p23.push("org:staging_plans:manage".into());
        assert_eq!(
            v2_perms(
                "o:billing,o:email,o:fraud,o:instance,o:staging_plans",
                "manage,read",
                "3,3,3,3,1"
            ),
            p23
        );
        assert_eq!(
            v2_perms(
                "o:repositories,o:projects,o:webhooks,o:impersonation",
                "read,manage",
                "1,2,3,0"
            ),
            [
                "org:repositories:read",
                "org:projects:manage",
                "org:webhooks:read",
                "org:webhooks:manage"
            ]
        );
        assert_eq!(
            v2_perms(
                "o:repositories,o:impersonation,o:billing",
                "manage,read,update",
                "6,0,3"
            ),
            [
                "org:repositories:read",
                "org:repositories:update",
                "org:billing:manage",
                "org:billing:read"
            ]
        );
        // §4.2 examples.
        assert_eq!(
            v2_perms(
                "o:repositories,o:projects",
                "read,create,update,delete,revoke",
                "7,21"
            ),
            [
                "org:repositories:read",
                "org:repositories:create",
                "org:repositories:update",
                "org:projects:read",
                "org:projects:update",
                "org:projects:revoke"
            ]
        );
    }

    #[test]
    fn p21_org_without_per_or_fpm() {
        let a = auth(json!({"v": 2, "o": {"id": "org_1", "rol": "admin"}}));
        assert_eq!(a.org_permissions, Some(vec![]));
        assert_eq!(a.org_role.as_deref(), Some("org:admin"));
        let a = auth(json!({"v": 2, "fea": "o:x", "o": {"id": "org_1", "per": "read", "fpm": ""}}));
        assert_eq!(a.org_permissions, Some(vec![]));
        let a = auth(json!({"v": 2, "fea": "o:x", "o": {"id": "org_1", "per": "", "fpm": "1"}}));
        assert_eq!(a.org_permissions, Some(vec![]));
    }

    #[test]
    fn p25_fpm_beyond_2_pow_53() {
        let per: Vec<String> = (0..54).map(|i| format!("permission_{i}")).collect();
        let per = per.join(",");
        let decoded = |fpm: &str| v2_perms("o:f", &per, fpm);
        // 2^53 + 1
        assert_eq!(
            decoded("9007199254740993"),
            ["org:f:permission_0", "org:f:permission_53"]
        );
        // 2^53 + 3
        assert_eq!(
            decoded("9007199254740995"),
            [
                "org:f:permission_0",
                "org:f:permission_1",
                "org:f:permission_53"
            ]
        );
        // 2^54: only bit 54, beyond the 54 permissions.
        assert!(decoded("18014398509481984").is_empty());
        assert_eq!(set_bits("18014398509481984", 55), Some(vec![54]));
        // 2^53 exactly, and with leading zeros.
        assert_eq!(set_bits("9007199254740992", 54), Some(vec![53]));
        assert_eq!(set_bits("0009007199254740992", 60), Some(vec![53]));
    }

    #[test]
    fn p27_mask_bits() {
        assert_eq!(set_bits("1", 3), Some(vec![0]));
        assert_eq!(set_bits("3", 3), Some(vec![0, 1]));
        assert_eq!(set_bits("7", 3), Some(vec![0, 1, 2]));
        assert_eq!(set_bits("21", 5), Some(vec![0, 2, 4]));
        for bad in ["1invalid", "-1", "1.5", "", "+1", " 1", "1e3", "٣"] {
            assert_eq!(decimal_low_bits(bad, 4), None, "{bad}");
        }
        assert_eq!(v2_perms("o:f", "a,b", "1invalid"), Vec::<String>::new());
        assert_eq!(v2_perms("o:f,o:g", "a,b", "-1,2"), ["org:g:b"]);
    }

    #[test]
    fn mask_bits_are_exact_across_limbs() {
        // 2^64 + 1, 2^128 - 1, 10^200 (= 2^200 · 5^200, so its lowest set bit is 200).
        assert_eq!(set_bits("18446744073709551617", 66), Some(vec![0, 64]));
        assert_eq!(
            set_bits("340282366920938463463374607431768211455", 130),
            Some((0..128).collect())
        );
        let ten_pow_200 = format!("1{}", "0".repeat(200));
        assert_eq!(set_bits(&ten_pow_200, 201), Some(vec![200]));
        assert_eq!(set_bits(&ten_pow_200, 200), Some(vec![]));
        assert_eq!(decimal_low_bits("5", 0), Some(vec![]));
        assert_eq!(set_bits("0", 2), Some(vec![]));
    }

    // ---- kinds of inputs found in the `has` vectors ----------------------------------------

    #[test]
    fn v1_role_normalisation_and_case() {
        let a = auth(v1_org());
        assert!(has(&a, json!({"role": "org:owner"})));
        assert!(has(&a, json!({"role": "owner"})));
        assert!(has(&a, json!({"role": "org:org:org:owner"})));
        assert!(!has(&a, json!({"role": "org:Owner"})));
        assert!(!has(&a, json!({"role": "org:viewer"})));
        assert!(!has(&a, json!({"role": "org:"})));
        assert!(!has(&a, json!({"role": "org:owner "})));
    }

    #[test]
    fn v1_permissions() {
        let a = auth(v1_org());
        assert!(has(&a, json!({"permission": "org:reports:view"})));
        assert!(has(&a, json!({"permission": "reports:view"})));
        assert!(has(&a, json!({"permission": "org:sys_domains:manage"})));
        assert!(!has(&a, json!({"permission": "org:reports"})));
        assert!(has(
            &a,
            json!({"role": "owner", "permission": "reports:view"})
        ));
        assert!(!has(
            &a,
            json!({"role": "owner", "permission": "reports:edit"})
        ));
        assert!(!has(&a, json!({"other": "x"})));
        // Claim entries are not normalised: a bare entry never matches.
        let bare = auth(json!({"org_id": "org_9", "org_permissions": ["reports:view"]}));
        assert!(!has(&bare, json!({"permission": "reports:view"})));
    }

    #[test]
    fn org_checks_need_an_org_id() {
        assert!(!has(
            &auth(json!({"org_role": "org:admin"})),
            json!({"role": "admin"})
        ));
        assert!(!has(
            &auth(json!({"org_id": "", "org_role": "org:admin"})),
            json!({"role": "admin"})
        ));
        assert!(!has(
            &auth(json!({"org_id": 7, "org_role": "org:admin"})),
            json!({"role": "admin"})
        ));
        assert!(!has(
            &auth(json!({"org_id": "org_1", "org_role": ""})),
            json!({"role": "org:"})
        ));
        assert!(!has(
            &auth(json!({"org_id": "org_1", "org_permissions": "org:a:b"})),
            json!({"permission": "org:a:b"})
        ));
    }

    #[test]
    fn v2_has_cases() {
        let a = auth(v2_org());
        let yes = |q: Value| assert!(has(&a, q.clone()), "{q}");
        let no = |q: Value| assert!(!has(&a, q.clone()), "{q}");
        yes(json!({"role": "org:owner"}));
        yes(json!({"permission": "org:reports:edit"}));
        // The second mask belongs to `chat` (`inbox` is user-only): 2 → edit only; the third
        // mask has no org feature.
        no(json!({"permission": "org:chat:view"}));
        yes(json!({"permission": "org:chat:edit"}));
        no(json!({"permission": "org:inbox:view"}));
        yes(json!({"feature": "org:reports"}));
        yes(json!({"feature": "inbox"}));
        no(json!({"feature": "user:reports"}));
        yes(json!({"feature": "u:inbox"}));
        no(json!({"feature": "team:reports"}));
        yes(json!({"plan": "user:starter"}));
        yes(json!({"plan": "o:team"}));
        yes(json!({"plan": "team"}));
        no(json!({"plan": "org:starter"}));
    }

    #[test]
    fn reverification_presets_and_boundaries() {
        let check = |fva: Value, cfg: Value| {
            has(
                &auth(json!({ "fva": fva })),
                json!({ "reverification": cfg }),
            )
        };
        assert!(check(json!([3, 3]), json!("strict")));
        assert!(!check(json!([3, 12]), json!("strict")));
        assert!(check(json!([3, -1]), json!("strict")));
        assert!(check(json!([-1, 3]), json!("strict")));
        assert!(!check(json!([-1, 30]), json!("strict")));
        assert!(check(json!([9, 9]), json!("strict_mfa")));
        assert!(!check(json!([10, 9]), json!("strict_mfa")));
        assert!(!check(json!([9, 10]), json!("strict_mfa")));
        assert!(!check(json!([-1, 1]), json!("strict_mfa")));
        assert!(check(json!([59, 59]), json!("moderate")));
        assert!(!check(json!([60, 60]), json!("moderate")));
        assert!(check(json!([59.9, -1]), json!("moderate")));
        assert!(check(json!([1439, -1]), json!("lax")));
        assert!(!check(json!([1440, -1]), json!("lax")));
        assert!(check(
            json!([4, -1]),
            json!({"level": "first_factor", "afterMinutes": 5})
        ));
        assert!(!check(
            json!([5, 0]),
            json!({"level": "first_factor", "afterMinutes": 5})
        ));
        assert!(!check(
            json!([-1, 0]),
            json!({"level": "first_factor", "afterMinutes": 5})
        ));
        assert!(check(
            json!([0, 0.5]),
            json!({"level": "second_factor", "afterMinutes": 0.75})
        ));
        assert!(check(
            json!([2, 2]),
            json!({"level": "multi_factor", "afterMinutes": 3, "extra": 1})
        ));
        assert!(!check(json!([-1, -1]), json!("lax")));
        assert!(!has(&auth(json!({})), json!({"reverification": "lax"})));
        let a = auth(
            json!({"org_id": "org_9", "org_permissions": ["org:reports:view"], "fva": [2, 2]}),
        );
        assert!(has(
            &a,
            json!({"permission": "org:reports:view", "reverification": "strict"})
        ));
        assert!(!has(
            &a,
            json!({"permission": "org:reports:view", "reverification": {"level": "first_factor", "afterMinutes": 2}})
        ));
    }

    #[test]
    fn no_user_id_means_no() {
        for sub in [json!(null), json!(""), json!(42), json!(["user_1"])] {
            let a = auth(json!({ "sub": sub, "fva": [0, 0] }));
            assert_eq!(a.user_id, sub.as_str().map(str::to_owned));
            assert!(!has(&a, json!({"reverification": "lax"})), "{sub}");
        }
        let mut claims = Map::new();
        claims.insert("fva".into(), json!([0, 0]));
        assert!(!SessionAuth::from_claims(claims)
            .has(&HasParams::from_json(&json!({"reverification": "lax"}))));
    }

    // ---- kinds of inputs found in the `claims` vectors -------------------------------------

    #[test]
    fn claims_v1_full() {
        let mut c = v1_org();
        c["act"] = json!({"sub": "user_support"});
        c["fva"] = json!([7, -1]);
        c["sts"] = json!("active");
        let a = auth(c);
        assert_eq!(
            a.to_json(),
            json!({"userId": "user_1", "sessionId": "sess_1", "sessionStatus": "active",
                   "actor": {"sub": "user_support"}, "orgId": "org_9", "orgRole": "org:owner",
                   "orgSlug": "widgets", "orgPermissions": ["org:reports:view", "org:sys_domains:manage"],
                   "factorVerificationAge": [7, -1]})
        );
        assert!(!a.is_pending());
        assert_eq!(a.claims.get("org_slug"), Some(&json!("widgets")));
    }

    #[test]
    fn claims_v2_org() {
        assert_eq!(
            auth(v2_org()).to_json(),
            json!({"userId": "user_1", "sessionId": "sess_1", "sessionStatus": null, "actor": null,
                   "orgId": "org_9", "orgRole": "org:owner", "orgSlug": "widgets",
                   "orgPermissions": ["org:reports:view", "org:reports:edit", "org:chat:edit"],
                   "factorVerificationAge": null})
        );
    }

    #[test]
    fn claims_v2_without_org() {
        let a = auth(json!({"v": 2, "fea": "u:inbox", "org_id": "org_v1_ignored"}));
        assert_eq!(a.org_id, None);
        assert_eq!(a.org_permissions, None);
        for falsy in [json!(null), json!(0), json!(""), json!(false)] {
            let a = auth(json!({"v": 2, "o": falsy}));
            assert_eq!((a.org_id, a.org_permissions), (None, None));
        }
    }

    #[test]
    fn claims_v2_truthy_non_object_org() {
        for o in [json!("x"), json!(1), json!(true), json!([]), json!({})] {
            let a = auth(json!({"v": 2, "o": o}));
            assert_eq!((a.org_id, a.org_role, a.org_slug), (None, None, None));
            assert_eq!(a.org_permissions, Some(vec![]));
        }
    }

    #[test]
    fn claims_version_must_be_the_number_2() {
        let o = json!({"id": "org_2", "rol": "admin"});
        assert_eq!(
            auth(json!({"v": 2.0, "o": o})).org_id.as_deref(),
            Some("org_2")
        );
        for v in [json!("2"), json!(1), json!(3), json!([2])] {
            let a = auth(json!({"v": v, "o": o, "org_id": "org_1"}));
            assert_eq!(a.org_id.as_deref(), Some("org_1"), "{v}");
        }
    }

    #[test]
    fn claims_pending_and_types() {
        let a = auth(json!({"sts": "pending"}));
        assert!(a.is_pending());
        assert_eq!(a.to_json()["sessionStatus"], json!("pending"));
        let a = auth(
            json!({"sts": 1, "sid": 5, "act": null, "fva": null, "org_role": 3,
                            "org_permissions": ["org:a:b", 1, null]}),
        );
        assert!(!a.is_pending());
        assert_eq!(
            (
                a.session_status,
                a.session_id,
                a.actor,
                a.factor_verification_age
            ),
            (None, None, None, None)
        );
        assert_eq!(a.org_role, None);
        assert_eq!(a.org_permissions, Some(vec!["org:a:b".to_string()]));
    }

    #[test]
    fn fea_without_colon_gives_no_permissions_and_fails_feature_checks() {
        let a = auth(json!({"v": 2, "fea": "o:reports,chat", "pla": "o:team",
            "o": {"id": "org_9", "rol": "owner", "per": "view", "fpm": "1,1"}}));
        assert_eq!(a.org_permissions, Some(vec![]));
        assert!(!has(&a, json!({"feature": "reports"})));
        assert!(!has(&a, json!({"feature": "o:reports"})));
        assert!(!has(&a, json!({"permission": "org:reports:view"})));
        // Other dimensions and the intact `pla` claim are unaffected.
        assert!(has(&a, json!({"role": "owner"})));
        assert!(has(&a, json!({"plan": "team"})));
        assert!(!has(&a, json!({"plan": "team", "feature": "reports"})));
    }

    #[test]
    fn non_string_billing_claims() {
        for fea in [
            json!(5),
            json!(["o:x"]),
            json!({"o": "x"}),
            json!(true),
            json!(""),
        ] {
            let a = auth(json!({"v": 2, "fea": fea, "o": {"id": "o", "per": "a", "fpm": "1"}}));
            assert_eq!(a.org_permissions, Some(vec![]), "{fea}");
            assert!(!has(&a, json!({"feature": "x"})), "{fea}");
        }
        let a = auth(json!({"v": 2, "fea": "o:x", "o": {"id": "o", "per": ["a"], "fpm": 1}}));
        assert_eq!(a.org_permissions, Some(vec![]));
    }

    #[test]
    fn query_names_fail_closed_where_clerk_is_lax() {
        let a = auth(json!({"fea": "o:a,o:,o:org,u:b:c"}));
        assert!(has(&a, json!({"feature": "org:a"})));
        assert!(!has(&a, json!({"feature": "org:a:zzz"})));
        assert!(!has(&a, json!({"feature": "b:c"})));
        assert!(!has(&a, json!({"feature": "org:"})));
        assert!(!has(&a, json!({"feature": ""})));
        assert!(!has(&a, json!({"feature": ":a"})));
        assert!(!has(&a, json!({"feature": " a"})));
    }

    #[test]
    fn names_are_trimmed_like_javascript() {
        let a = auth(
            json!({"v": 2, "fea": "\u{FEFF}o:f\u{3000}, o:g\n", "pla": "o:p\u{85}",
            "o": {"id": "o", "per": " a\t,\u{A0}b ", "fpm": " 1 ,\u{2028}2"}}),
        );
        assert_eq!(perms(&a), ["org:f:a", "org:g:b"]);
        assert!(has(&a, json!({"feature": "f"})));
        // U+0085 is not JavaScript whitespace, so it stays part of the name.
        assert!(!has(&a, json!({"plan": "p"})));
        assert!(has(&a, json!({"plan": "p\u{85}"})));
    }

    #[test]
    fn masks_without_features_and_features_without_masks() {
        assert_eq!(v2_perms("o:f", "a,b", "1,3,3"), ["org:f:a"]);
        assert_eq!(v2_perms("o:f,o:g,o:h", "a,b", "2"), ["org:f:b"]);
        assert_eq!(v2_perms("o:f,o:g", "a,b", "7,,1"), ["org:f:a", "org:f:b"]);
        assert_eq!(
            v2_perms("o:f", "a,,b", "7"),
            ["org:f:a", "org:f:", "org:f:b"]
        );
        assert_eq!(v2_perms("x:f,o:g", "a", "1"), ["org:g:a"]);
    }

    #[test]
    fn params_from_json() {
        let p = HasParams::from_json(&json!({"role": null, "permission": 1, "feature": "f",
            "plan": "p", "reverification": {"level": "x"}, "orgId": "o"}));
        assert_eq!(
            p,
            HasParams {
                role: Some(json!(null)),
                permission: Some(json!(1)),
                feature: Some(json!("f")),
                plan: Some(json!("p")),
                reverification: Some(json!({"level": "x"})),
            }
        );
        for v in [json!(null), json!("role"), json!([{"role": "a"}]), json!(1)] {
            assert_eq!(HasParams::from_json(&v), HasParams::default());
        }
    }

    #[test]
    fn to_json_of_empty_claims_is_all_null() {
        let j = SessionAuth::from_claims(Map::new()).to_json();
        let obj = j.as_object().unwrap();
        assert_eq!(obj.len(), 9);
        assert!(obj.values().all(Value::is_null));
    }

    #[test]
    fn js_truthiness() {
        for (v, t) in [
            (json!(null), false),
            (json!(false), false),
            (json!(0), false),
            (json!(-0.0), false),
            (json!(""), false),
            (json!(true), true),
            (json!(0.1), true),
            (json!("0"), true),
            (json!([]), true),
            (json!({}), true),
        ] {
            assert_eq!(js::truthy(&v), t, "{v}");
        }
    }

    // ---- robustness ------------------------------------------------------------------------

    /// xorshift64*: deterministic, dependency-free randomness for shape fuzzing.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const STRINGS: &[&str] = &[
        "",
        ":",
        ",",
        ",,",
        "o:a",
        "o:a,u:b",
        "ou:c,uo:d",
        "x:y",
        "a",
        "o:a,b",
        "org:admin",
        "admin",
        "org:org:admin",
        "org:a:read",
        "a:read",
        "1",
        "3",
        "1,3",
        "7,,21",
        "9007199254740993",
        "18014398509481984",
        "-1",
        "1.5",
        "1invalid",
        "read,manage",
        " read , manage ",
        "\u{FEFF}o:z",
        "é:ü",
        "strict",
        "strict_mfa",
        "moderate",
        "lax",
        "first_factor",
        "second_factor",
        "multi_factor",
        "pending",
        "active",
        "user_1",
        "99999999999999999999999999999999999999999",
    ];
    const KEYS: &[&str] = &[
        "sub",
        "sid",
        "sts",
        "act",
        "fva",
        "v",
        "o",
        "fea",
        "pla",
        "org_id",
        "org_role",
        "org_slug",
        "org_permissions",
        "id",
        "rol",
        "slg",
        "per",
        "fpm",
        "level",
        "afterMinutes",
        "role",
        "permission",
        "feature",
        "plan",
        "reverification",
    ];

    fn random_value(rng: &mut Rng, depth: u32) -> Value {
        let leaf_only = depth == 0;
        match rng.below(if leaf_only { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(rng.below(2) == 1),
            2 => [
                json!(-1),
                json!(0),
                json!(1),
                json!(2),
                json!(10),
                json!(59),
                json!(60),
                json!(1440),
                json!(u64::MAX),
            ][rng.below(9)]
            .clone(),
            3 => json!([-0.5, 0.5, 2.0, -0.0, 1e300, f64::MIN_POSITIVE][rng.below(6)]),
            4 => Value::String(rng.pick(STRINGS).to_owned()),
            5 => Value::Array(
                (0..rng.below(4))
                    .map(|_| random_value(rng, depth - 1))
                    .collect(),
            ),
            _ => Value::Object(random_object(rng, depth - 1)),
        }
    }

    fn random_object(rng: &mut Rng, depth: u32) -> Map<String, Value> {
        (0..rng.below(8))
            .map(|_| (rng.pick(KEYS).to_owned(), random_value(rng, depth)))
            .collect()
    }

    #[test]
    fn random_shapes_never_panic() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let mut claims = random_object(&mut rng, 3);
            if rng.below(2) == 0 {
                claims.insert("v".into(), json!(2));
            }
            let a = SessionAuth::from_claims(claims.clone());
            assert_eq!(a.claims, claims);
            let j = a.to_json();
            assert_eq!(j.as_object().map(Map::len), Some(9));
            let params = HasParams::from_json(&Value::Object(random_object(&mut rng, 2)));
            let granted = a.has(&params);
            if granted {
                assert!(a.user_id.as_deref().is_some_and(|u| !u.is_empty()));
                assert_ne!(params, HasParams::default());
            }
            assert!(!a.has(&HasParams::default()));
        }
    }

    #[test]
    fn long_inputs_stay_cheap() {
        // A 20k-digit mask over 2k permissions: linear in digits × limbs, not quadratic in digits.
        let per = vec!["p"; 2000].join(",");
        let fpm = "7".repeat(20_000);
        let a = auth(json!({"v": 2, "fea": "o:f", "o": {"id": "o", "per": per, "fpm": fpm}}));
        assert!(a.org_permissions.is_some_and(|p| p.len() <= 2000));
    }
}

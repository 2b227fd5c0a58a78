//! The auth objects of `clerkMiddleware()`'s handler (clerk-behavior.md "auth() and auth.protect()"): `requestState.toAuth()` then
//! `getAuthObjectForAcceptedToken`. The fields are decided here; `js/core.js` attaches Clerk's
//! functions (`has`, `getToken`, `debug`, `redirectToSignIn/Up`) and keeps Clerk's property
//! order for the objects user code sees.

use crate::decide::state::{AuthStatus, AuthView};
use crate::token::auth::SessionAuth;
use crate::token::kind::{Accepts, TokenType};
use crate::web::json_out::JsonOut;
use serde_json::{json, Map, Value};

/// Which auth object it is (the caller attaches functions by kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    SignedIn,
    SignedOut,
    Machine,
    UnauthenticatedMachine,
    Invalid,
}

impl AuthKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::SignedIn => "signedIn",
            AuthKind::SignedOut => "signedOut",
            AuthKind::Machine => "machine",
            AuthKind::UnauthenticatedMachine => "unauthenticatedMachine",
            AuthKind::Invalid => "invalid",
        }
    }
}

/// An auth object's fields and whether `redirectToSignIn/Up` belong on it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthObject {
    pub kind: AuthKind,
    pub object: Value,
    pub redirects: bool,
}

fn opt_value(v: Option<&Value>) -> Value {
    v.cloned().unwrap_or(Value::Null)
}

/// `signedInAuthObject` fields (functions are attached by the caller). Keys Clerk leaves
/// `undefined` are omitted.
pub fn signed_in_object(s: &SessionAuth) -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    };
    put("tokenType", Some(json!("session_token")));
    put("actor", s.claims.get("act").cloned());
    put("sessionClaims", Some(Value::Object(s.claims.clone())));
    put("sessionId", s.claims.get("sid").cloned());
    put(
        "sessionStatus",
        Some(opt_value(s.claims.get("sts").filter(|v| !v.is_null()))),
    );
    put("userId", s.claims.get("sub").cloned());
    put("orgId", s.org_id.clone().map(Value::String));
    put("orgRole", s.org_role.clone().map(Value::String));
    put("orgSlug", s.org_slug.clone().map(Value::String));
    put(
        "orgPermissions",
        s.org_permissions
            .as_ref()
            .map(|p| Value::Array(p.iter().cloned().map(Value::String).collect())),
    );
    put(
        "factorVerificationAge",
        Some(opt_value(s.claims.get("fva").filter(|v| !v.is_null()))),
    );
    put("isAuthenticated", Some(json!(true)));
    m
}

pub fn signed_out_object(session_status: Option<&str>) -> Value {
    json!({
        "tokenType": "session_token", "sessionClaims": null, "sessionId": null,
        "sessionStatus": session_status, "userId": null, "actor": null, "orgId": null,
        "orgRole": null, "orgSlug": null, "orgPermissions": null,
        "factorVerificationAge": null, "isAuthenticated": false,
    })
}

fn invalid_object() -> Value {
    json!({"isAuthenticated": false, "tokenType": null})
}

/// `requestState.toAuth({treatPendingAsSignedOut})`.
fn raw_auth(state: AuthView<'_>, treat_pending: bool) -> (AuthKind, Value) {
    match state.token_type {
        None => (AuthKind::Invalid, invalid_object()),
        Some(TokenType::SessionToken) => match (state.status, state.session) {
            (AuthStatus::SignedIn, Some(s)) if treat_pending && s.is_pending() => {
                (AuthKind::SignedOut, signed_out_object(Some("pending")))
            }
            (AuthStatus::SignedIn, Some(s)) => {
                (AuthKind::SignedIn, Value::Object(signed_in_object(s)))
            }
            _ => (AuthKind::SignedOut, signed_out_object(None)),
        },
        Some(t) if state.status == AuthStatus::SignedIn => (
            AuthKind::Machine,
            crate::decide::machine::machine_object(t, state.machine.unwrap_or(&Value::Null)),
        ),
        Some(t) => (
            AuthKind::UnauthenticatedMachine,
            crate::decide::machine::unauthenticated_machine_object(t),
        ),
    }
}

/// `auth({treatPendingAsSignedOut, acceptsToken})` inside the handler.
pub fn to_auth(state: AuthView<'_>, treat_pending: bool, accepts: &Accepts) -> AuthObject {
    let (raw_kind, raw) = raw_auth(state, treat_pending);
    let raw_type = match raw_kind {
        AuthKind::Invalid => None,
        AuthKind::SignedIn | AuthKind::SignedOut => Some(TokenType::SessionToken),
        _ => state.token_type,
    };
    let accepted = raw_type.is_some_and(|t| accepts.allows(t));
    let (kind, object) = match accepts {
        Accepts::Any => (raw_kind, raw),
        Accepts::List(_) if !accepted => (AuthKind::Invalid, invalid_object()),
        Accepts::List(_) => (raw_kind, raw),
        Accepts::One(t) if !accepted && *t != TokenType::SessionToken => (
            AuthKind::UnauthenticatedMachine,
            crate::decide::machine::unauthenticated_machine_object(*t),
        ),
        Accepts::One(_) if !accepted => (AuthKind::SignedOut, signed_out_object(None)),
        Accepts::One(_) => (raw_kind, raw),
    };
    let session_object = matches!(kind, AuthKind::SignedIn | AuthKind::SignedOut);
    AuthObject {
        kind,
        object,
        redirects: session_object && accepts.allows(TokenType::SessionToken),
    }
}

/// Clerk's property order of the non-session objects (`js/core.js` keeps the same lists for
/// the objects it hands to user code).
const MACHINE_HEAD: [&str; 6] = ["id", "subject", "isAuthenticated", "tokenType", "", ""];
const UNAUTHENTICATED_HEAD: [&str; 6] = [
    "id",
    "subject",
    "scopes",
    "isAuthenticated",
    "tokenType",
    "",
];
const INVALID_HEAD: [&str; 6] = ["isAuthenticated", "tokenType", "", "", "", ""];

fn machine_tail(t: Option<&str>) -> &'static [&'static str] {
    match t {
        Some("api_key") => &["name", "claims", "scopes", "userId", "orgId"],
        Some("m2m_token") => &["claims", "scopes", "machineId"],
        Some("oauth_token") => &["scopes", "userId", "clientId"],
        _ => &[],
    }
}

/// The `machineAuthObject` the request data carries for a machine (or invalid) auth object, in
/// Clerk's property order; `None` for session objects.
pub fn machine_auth_object_json(state: AuthView<'_>) -> Option<String> {
    let (kind, object) = raw_auth(state, true);
    let head: &[&str] = match kind {
        AuthKind::SignedIn | AuthKind::SignedOut => return None,
        AuthKind::Machine => &MACHINE_HEAD,
        AuthKind::UnauthenticatedMachine => &UNAUTHENTICATED_HEAD,
        AuthKind::Invalid => &INVALID_HEAD,
    };
    let fields = object.as_object()?;
    let tail = if kind == AuthKind::Invalid {
        &[][..]
    } else {
        machine_tail(fields.get("tokenType").and_then(Value::as_str))
    };
    let mut out = JsonOut::with_capacity(256);
    out.begin_object();
    let mut written: Vec<&str> = Vec::new();
    for k in head.iter().chain(tail).filter(|k| !k.is_empty()) {
        if written.contains(k) {
            continue;
        }
        if let Some(v) = fields.get(*k) {
            out.key_escaped(k);
            out.value(v);
            written.push(k);
        }
    }
    for (k, v) in fields {
        if !written.contains(&k.as_str()) {
            out.key_escaped(k);
            out.value(v);
        }
    }
    out.end_object();
    Some(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(claims: Value) -> SessionAuth {
        SessionAuth::from_claims(claims.as_object().cloned().unwrap_or_default())
    }

    fn view<'a>(
        session: Option<&'a SessionAuth>,
        t: TokenType,
        machine: Option<&'a Value>,
    ) -> AuthView<'a> {
        AuthView {
            status: AuthStatus::SignedIn,
            reason: None,
            message: None,
            token: Some("t"),
            session,
            token_type: Some(t),
            machine,
        }
    }

    #[test]
    fn signed_in_pending_and_accepts() {
        let s = session(json!({"sub": "user_1", "sid": "sess_1", "sts": "pending"}));
        let state = view(Some(&s), TokenType::SessionToken, None);
        let a = to_auth(state, true, &Accepts::One(TokenType::SessionToken));
        assert_eq!(a.kind, AuthKind::SignedOut);
        assert_eq!(a.object["sessionStatus"], json!("pending"));
        assert!(a.redirects);
        let a = to_auth(state, false, &Accepts::Any);
        assert_eq!(a.kind, AuthKind::SignedIn);
        assert_eq!(a.object["userId"], json!("user_1"));
        assert_eq!(a.object["sessionStatus"], json!("pending"));
        let a = to_auth(state, false, &Accepts::One(TokenType::ApiKey));
        assert_eq!(a.kind, AuthKind::UnauthenticatedMachine);
        assert!(!a.redirects);
        let a = to_auth(state, false, &Accepts::List(vec![TokenType::M2mToken]));
        assert_eq!((a.kind, a.object), (AuthKind::Invalid, invalid_object()));
        assert_eq!(machine_auth_object_json(state), None);
    }

    #[test]
    fn machine_object_in_clerks_order() {
        let data = json!({"id": "ak_id", "subject": "user_2", "name": "n", "scopes": ["a"], "claims": null});
        let state = view(None, TokenType::ApiKey, Some(&data));
        let a = to_auth(state, true, &Accepts::Any);
        assert_eq!(a.kind, AuthKind::Machine);
        let j = machine_auth_object_json(state).unwrap();
        assert!(
            j.starts_with(r#"{"id":"ak_id","subject":"user_2","isAuthenticated":true,"tokenType":"api_key","name":"n","claims":null,"scopes":["a"],"userId":"user_2""#),
            "{j}"
        );
        let parsed: Value = serde_json::from_str(&j).unwrap();
        assert_eq!(parsed, a.object);
    }
}

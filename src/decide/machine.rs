//! Machine tokens (API keys, M2M tokens, OAuth access tokens): which kind a bearer token is,
//! and the decision for it. The Next.js middleware accepts `any` token kind, so these reach
//! the core whenever a client sends one.

use crate::decide::config::Config;
use crate::decide::state::RequestState;
use crate::host::services::{BackendApi, MachineKind, SignatureVerifier};
use crate::token::jwt::{self, ClaimRules, Jwt, OptionReading, Verification};
use crate::token::kind::{opaque_type, TokenType};
use serde_json::{json, Map, Value};

/// The machine kind of a bearer token: opaque prefixes, or the M2M / OAuth JWT shapes.
pub fn machine_type(token: &str, jwt: Option<&Jwt>) -> Option<TokenType> {
    if let Some(t) = opaque_type(token) {
        return Some(t);
    }
    let jwt = jwt?;
    if matches!(
        jwt.header_str("typ"),
        Some("at+jwt") | Some("application/at+jwt")
    ) {
        return Some(TokenType::OauthToken);
    }
    jwt.claim_str("sub")
        .is_some_and(|s| s.starts_with("mch_"))
        .then_some(TokenType::M2mToken)
}

fn failure(t: TokenType, code: &str, message: &str, status: Option<u16>) -> RequestState {
    let status = status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "n/a".into());
    RequestState::signed_out_for(
        Some(t),
        code,
        &format!("{message} (code={code}, status={status})"),
    )
}

fn opt_value(v: Option<&Value>) -> Value {
    v.cloned().unwrap_or(Value::Null)
}

fn str_field<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

/// Clerk's verification result for a machine JWT (`M2MToken.fromJwtPayload`,
/// `IdPOAuthAccessToken.fromJwtPayload`), in the shape `machine_object` reads.
pub fn jwt_verification_result(t: TokenType, jwt: &Jwt) -> Value {
    let claim = |k: &str| jwt.claim(k).filter(|v| !v.is_null()).cloned();
    let split = |k: &str| {
        jwt.claim_str(k)
            .map(|s| Value::Array(s.split(' ').map(|x| json!(x)).collect()))
    };
    let id = claim("jti").unwrap_or_else(|| json!(""));
    let subject = opt_value(jwt.claim("sub"));
    match t {
        TokenType::OauthToken => json!({
            "id": id, "subject": subject,
            "scopes": claim("scp").or_else(|| split("scope")).unwrap_or_else(|| json!([])),
            "clientId": claim("client_id").unwrap_or_else(|| json!("")),
        }),
        _ => {
            const RESERVED: [&str; 6] = ["iss", "sub", "exp", "nbf", "iat", "jti"];
            let custom: Map<String, Value> = jwt
                .payload
                .iter()
                .filter(|(k, _)| !RESERVED.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            json!({
                "id": id, "subject": subject,
                "scopes": split("scopes").or_else(|| claim("aud")).unwrap_or_else(|| json!([])),
                "claims": if custom.is_empty() { Value::Null } else { Value::Object(custom) },
            })
        }
    }
}

/// `authenticatedMachineObject` fields from the verification result.
pub fn machine_object(t: TokenType, data: &Value) -> Value {
    let get = |k: &str| opt_value(data.get(k));
    let subject = str_field(data, "subject").unwrap_or("");
    let prefixed = |p: &str| {
        if subject.starts_with(p) {
            json!(subject)
        } else {
            Value::Null
        }
    };
    let mut m = json!({"id": get("id"), "subject": get("subject"), "isAuthenticated": true, "tokenType": t.as_str()});
    let extra = match t {
        TokenType::ApiKey => json!({
            "name": get("name"), "claims": get("claims"), "scopes": get("scopes"),
            "userId": prefixed("user_"), "orgId": prefixed("org_"),
        }),
        TokenType::M2mToken => json!({
            "claims": get("claims"), "scopes": get("scopes"), "machineId": get("subject"),
        }),
        _ => {
            // BAPI answers `client_id`; the JWT form is already `clientId`.
            let client = data.get("clientId").or_else(|| data.get("client_id"));
            json!({"scopes": get("scopes"), "userId": get("subject"), "clientId": opt_value(client)})
        }
    };
    if let (Some(obj), Some(more)) = (m.as_object_mut(), extra.as_object()) {
        obj.extend(more.clone());
    }
    m
}

/// `unauthenticatedMachineObject(tokenType)` fields.
pub fn unauthenticated_machine_object(t: TokenType) -> Value {
    let mut m = json!({"id": null, "subject": null, "scopes": null, "isAuthenticated": false, "tokenType": t.as_str()});
    let extra = match t {
        TokenType::ApiKey => json!({"name": null, "claims": null, "userId": null, "orgId": null}),
        TokenType::M2mToken => json!({"claims": null, "machineId": null}),
        _ => json!({"userId": null, "clientId": null}),
    };
    if let (Some(obj), Some(more)) = (m.as_object_mut(), extra.as_object()) {
        obj.extend(more.clone());
    }
    m
}

/// Verifies a machine token of kind `t` (`jwt`: the token decoded, when it decodes): JWT forms
/// locally, opaque tokens through BAPI.
pub async fn verify<V: SignatureVerifier, B: BackendApi>(
    token: &str,
    jwt: Option<&Jwt>,
    t: TokenType,
    cfg: &Config,
    now_ms: f64,
    verifier: &V,
    backend: &B,
) -> RequestState {
    if let Some(jwt) = jwt {
        if opaque_type(token).is_none() && machine_type(token, Some(jwt)) == Some(t) {
            let rules = ClaimRules {
                audience: &[],
                authorized_parties: &[],
                issuer: &[],
                skew_ms: cfg.skew_ms,
                reading: OptionReading::PLAIN,
            };
            let v = Verification {
                rules,
                ..cfg.verification(now_ms, verifier, backend)
            };
            return match jwt::verify_machine_jwt(jwt, &v).await {
                Ok(()) => RequestState::verified_machine(
                    token.to_string(),
                    t,
                    jwt_verification_result(t, jwt),
                ),
                Err(e) => failure(t, "token-verification-failed", &e.message, None),
            };
        }
    }
    let Some(kind) = t.kind() else {
        return failure(t, "token-invalid", "Invalid token", None);
    };
    match backend.verify_machine_token(kind, token).await {
        Ok(data) => RequestState::verified_machine(token.to_string(), t, data),
        Err((401, message)) => failure(t, "secret-key-invalid", &message, Some(401)),
        Err((404, _)) => {
            let what = match kind {
                MachineKind::ApiKey => "API key not found",
                MachineKind::M2mToken => "Machine token not found",
                MachineKind::OauthToken => "OAuth token not found",
            };
            failure(t, "token-invalid", what, Some(404))
        }
        Err((0, _)) => failure(t, "unexpected-error", "Unexpected error", None),
        Err((status, _)) => failure(t, "unexpected-error", "Unexpected error", Some(status)),
    }
}

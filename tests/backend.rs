//! What the core asks of Clerk's Backend API, through a fake whose answers each test sets: JWKS
//! keys and every `JwksError` mapped to Clerk's reason and message (spec §2.5), and session
//! refresh with every `session-token-expired-refresh-<x>` outcome (§1.10, §1.14).

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::host::services::{JwksError, RefreshError, RefreshRequest};
use support::*;

fn live() -> clerk_edge::Config {
    config(options(&LIVE))
}

/// No `jwtKey`: verification keys come from the JWKS.
fn remote() -> clerk_edge::Config {
    config(jwks_options(&LIVE))
}

fn api(token: &str) -> Req {
    Req::fetch(DASHBOARD).bearer(token)
}

// --- JWKS ----------------------------------------------------------------------------------------

#[test]
fn jwks_key_is_looked_up_by_kid() {
    let token = valid(&LIVE);
    let backend = FakeBackend::new();
    assert_signed_in(
        &run_with(&api(&token), &remote(), &backend).unwrap(),
        &token,
    );
    assert_eq!(backend.calls(), vec![Call::Jwks(Some(KID.into()))]);

    let token = session(&LIVE).without_header("kid").sign();
    let backend = FakeBackend::new();
    let req = Req::document(DASHBOARD).session_cookies(&token);
    assert_signed_in(&run_with(&req, &remote(), &backend).unwrap(), &token);
    assert_eq!(backend.calls(), vec![Call::Jwks(None)]);
}

#[test]
fn jwt_key_means_no_backend_calls() {
    let backend = FakeBackend::new().jwks(Err(JwksError::NoKeys));
    let token = valid(&LIVE);
    assert_signed_in(&run_with(&api(&token), &live(), &backend).unwrap(), &token);
    assert_eq!(backend.calls(), vec![]);
}

#[test]
fn jwks_key_that_did_not_sign_the_token() {
    let backend = FakeBackend::new().jwks(Ok(other_public_key()));
    assert_signed_out(
        &run_with(&api(&valid(&LIVE)), &remote(), &backend).unwrap(),
        "token-invalid-signature",
        "JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)",
    );
}

fn assert_jwks_error(error: JwksError, token: &str, reason: &str, message: &str, action: &str) {
    let backend = FakeBackend::new().jwks(Err(error.clone()));
    let state = run_with(&api(token), &remote(), &backend).unwrap();
    assert_signed_out(
        &state,
        reason,
        &full_message(message, Some(action), reason, "header"),
    );
    // A document GET with the token in cookies: same reason (not a time error, so no handshake).
    let backend = FakeBackend::new().jwks(Err(error));
    let req = Req::document(DASHBOARD).session_cookies(token);
    let state = run_with(&req, &remote(), &backend).unwrap();
    assert_signed_out(
        &state,
        reason,
        &full_message(message, Some(action), reason, "cookie"),
    );
}

#[test]
fn secret_key_invalid_carries_bapis_message() {
    let bapi = "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.";
    assert_jwks_error(
        JwksError::SecretKeyInvalid(bapi.into()),
        &valid(&LIVE),
        "secret-key-invalid",
        bapi,
        CONTACT_SUPPORT,
    );
}

#[test]
fn jwks_http_failure_names_the_url_and_status() {
    assert_jwks_error(
        JwksError::Http {
            url: "https://api.clerk.com/v1/jwks".into(),
            status: 502,
        },
        &valid(&LIVE),
        "jwk-remote-failed-to-load",
        "Error loading Clerk JWKS from https://api.clerk.com/v1/jwks with code=502",
        CONTACT_SUPPORT,
    );
}

#[test]
fn jwks_without_keys() {
    assert_jwks_error(
        JwksError::NoKeys,
        &valid(&LIVE),
        "jwk-remote-failed-to-load",
        "The JWKS endpoint did not contain any signing keys. Contact support@clerk.com.",
        CONTACT_SUPPORT,
    );
}

#[test]
fn jwks_unavailable_hides_the_transport_error() {
    assert_jwks_error(
        JwksError::Unavailable("connect ECONNREFUSED 10.0.0.1:443".into()),
        &valid(&LIVE),
        "jwk-remote-failed-to-load",
        "Failed to load JWKS from Clerk Backend or Frontend API.",
        CONTACT_SUPPORT,
    );
}

#[test]
fn jwks_kid_mismatch_names_the_kid() {
    let action = "Go to your Dashboard and validate your secret and public keys are correct. Contact support@clerk.com if the issue persists.";
    assert_jwks_error(
        JwksError::KidNotFound,
        &valid(&LIVE),
        "jwk-kid-mismatch",
        "Unable to find a signing key in JWKS that matches the kid='ins_2EdgeTestKid' of the provided session token. Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated session JWT.",
        action,
    );
    assert_jwks_error(
        JwksError::KidNotFound,
        &session(&LIVE).without_header("kid").sign(),
        "jwk-kid-mismatch",
        "Unable to find a signing key in JWKS that matches the kid='undefined' of the provided session token. Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated session JWT.",
        action,
    );
}

#[test]
fn key_is_resolved_before_typ_and_alg_are_checked() {
    let token = session(&LIVE)
        .header("alg", "none")
        .header("typ", "JWS")
        .sign();
    let backend = FakeBackend::new().jwks(Err(JwksError::NoKeys));
    let state = run_with(&api(&token), &remote(), &backend).unwrap();
    assert_signed_out(
        &state,
        "jwk-remote-failed-to-load",
        "The JWKS endpoint did not contain any signing keys. Contact support@clerk.com. Contact support@clerk.com (reason=jwk-remote-failed-to-load, token-carrier=header)",
    );
}

#[test]
fn handshake_jwt_and_its_session_both_use_the_jwks() {
    let token = valid(&LIVE);
    let directives = vec![format!("__session={token}; Path=/")];
    let hs = handshake_jwt(&directives)
        .header("kid", "ins_2HandshakeKid")
        .sign();
    let backend = FakeBackend::new();
    let req = Req::document(DASHBOARD).cookie("__clerk_handshake", &hs);
    let state = run_with(&req, &remote(), &backend).unwrap();
    assert_signed_in_with(&state, &token, resolved_headers(&directives));
    assert_eq!(
        backend.calls(),
        vec![
            Call::Jwks(Some("ins_2HandshakeKid".into())),
            Call::Jwks(Some(KID.into()))
        ]
    );
}

// --- Refresh -------------------------------------------------------------------------------------

const REFRESH_TOKEN: &str = "rt_2EdgeRefreshToken";

fn expired_token() -> String {
    session(&LIVE).expired(60).sign()
}

fn expired_message(carrier: &str) -> String {
    full_message(
        &format!(
            "JWT is expired. Expiry date: {}, Current date: {NOW_UTC}.",
            utc(-60)
        ),
        None,
        "token-expired",
        carrier,
    )
}

/// A navigation (`Accept: text/html`, so headers stay in sorted order) with an expired cookie
/// session and this instance's refresh cookie.
fn refreshable(token: &str) -> Req {
    Req::new("GET", DASHBOARD)
        .header("accept", "text/html")
        .session_cookies(token)
        .cookie(&LIVE.suffixed("__refresh"), REFRESH_TOKEN)
}

fn refresh_request(req: &Req, expired: &str, suffixed: bool) -> RefreshRequest {
    RefreshRequest {
        session_id: SESSION.into(),
        expired_token: expired.into(),
        refresh_token: REFRESH_TOKEN.into(),
        request_origin: APP.into(),
        request_headers: req.parts().headers,
        suffixed_cookies: suffixed,
    }
}

#[test]
fn refresh_success_is_signed_in_with_the_new_cookies() {
    let expired = expired_token();
    let fresh = session(&LIVE).claim("sid", SESSION).sign();
    let cookies = vec![
        format!("__session={fresh}; Path=/; Secure; SameSite=Lax"),
        format!("__client_uat={NOW}; Path=/; Secure; SameSite=Lax"),
    ];
    let req = refreshable(&expired);
    // Any GET can refresh, eligible for a handshake or not.
    for r in [req.clone(), req.clone().header("sec-fetch-dest", "empty")] {
        let backend = FakeBackend::new().refresh(Ok(cookies.clone()));
        let state = run_with(&r, &live(), &backend).unwrap();
        assert_signed_in_with(
            &state,
            &fresh,
            cookies.iter().map(|c| set_cookie(c)).collect(),
        );
        assert_eq!(
            backend.calls(),
            vec![Call::Refresh(refresh_request(&r, &expired, false))]
        );
    }
}

#[test]
fn refresh_reports_suffixed_cookies() {
    let expired = expired_token();
    let fresh = valid(&LIVE);
    let req = Req::new("GET", DASHBOARD)
        .header("accept", "text/html")
        .cookie(&LIVE.suffixed("__client_uat"), UAT)
        .cookie(&LIVE.suffixed("__refresh"), REFRESH_TOKEN)
        .cookie(&LIVE.suffixed("__session"), &expired);
    let cookies = vec![format!("__session_{}={fresh}; Path=/", LIVE.suffix)];
    let backend = FakeBackend::new().refresh(Ok(cookies.clone()));
    let state = run_with(&req, &live(), &backend).unwrap();
    assert_signed_in_with(&state, &fresh, vec![set_cookie(&cookies[0])]);
    assert_eq!(
        backend.calls(),
        vec![Call::Refresh(refresh_request(&req, &expired, true))]
    );
}

#[test]
fn refresh_of_an_expired_bearer_token() {
    let expired = expired_token();
    let fresh = valid(&LIVE);
    let req = Req::new("GET", DASHBOARD)
        .header("authorization", &format!("Bearer {expired}"))
        .cookie(&LIVE.suffixed("__refresh"), REFRESH_TOKEN);
    let backend = FakeBackend::new().refresh(Ok(vec![format!("__session={fresh}")]));
    let state = run_with(&req, &live(), &backend).unwrap();
    assert_signed_in_with(
        &state,
        &fresh,
        vec![set_cookie(&format!("__session={fresh}"))],
    );
    assert_eq!(
        backend.calls(),
        vec![Call::Refresh(refresh_request(&req, &expired, false))]
    );
}

/// The refresh failed with `<x>`: a handshake on the navigation, signed-out on a fetch.
fn assert_refresh_failure(answer: Result<Vec<String>, RefreshError>, x: &str) {
    let expired = expired_token();
    let reason = format!("session-token-expired-refresh-{x}");
    let req = refreshable(&expired);
    let backend = FakeBackend::new().refresh(answer.clone());
    assert_handshake(
        &run_with(&req, &live(), &backend).unwrap(),
        &reason,
        &expired_message("cookie"),
        &handshake_url(&LIVE.handshake_base(), DASHBOARD, false, &reason)
            .session(&expired)
            .build(),
        1,
    );
    assert_eq!(backend.calls().len(), 1);
    let backend = FakeBackend::new().refresh(answer);
    let fetch = req.header("sec-fetch-dest", "empty");
    assert_signed_out(
        &run_with(&fetch, &live(), &backend).unwrap(),
        &reason,
        &expired_message("cookie"),
    );
}

#[test]
fn refresh_bapi_unexpected_error_is_fetch_error() {
    assert_refresh_failure(
        Err(RefreshError::Api("unexpected_error".into())),
        "fetch-error",
    );
}

#[test]
fn refresh_bapi_error_code_is_the_reason() {
    assert_refresh_failure(
        Err(RefreshError::Api("session_not_found".into())),
        "session_not_found",
    );
    assert_refresh_failure(
        Err(RefreshError::Api("refresh_token_invalid".into())),
        "refresh_token_invalid",
    );
}

#[test]
fn refresh_non_api_failure_is_unexpected_bapi_error() {
    assert_refresh_failure(Err(RefreshError::Other), "unexpected-bapi-error");
}

#[test]
fn refresh_without_cookies_is_unexpected_sdk_error() {
    assert_refresh_failure(Ok(vec![]), "unexpected-sdk-error");
}

#[test]
fn refreshed_token_that_does_not_verify_is_invalid_session_token() {
    for bad in [
        session(&LIVE).signed_by_other_key().sign(),
        session(&LIVE).expired(10).sign(),
        "garbage".to_string(),
    ] {
        assert_refresh_failure(
            Ok(vec![format!("__session={bad}; Path=/")]),
            "invalid-session-token",
        );
    }
}

#[test]
fn refresh_cookies_without_a_session_are_invalid_session_token() {
    assert_refresh_failure(
        Ok(vec![format!("__client_uat={NOW}; Path=/")]),
        "invalid-session-token",
    );
    assert_refresh_failure(
        Ok(vec!["__session=; Path=/".to_string()]),
        "invalid-session-token",
    );
}

#[test]

fn refresh_bapi_error_with_an_empty_code_is_unexpected_sdk_error() {
    assert_refresh_failure(
        Err(RefreshError::Api(String::new())),
        "unexpected-sdk-error",
    );
}

#[test]

fn refresh_takes_the_last_session_cookie() {
    let first = session(&LIVE).claim("sid", "sess_first").sign();
    let last = session(&LIVE).claim("sid", "sess_last").sign();
    let cookies = vec![
        format!("__session={first}; Path=/"),
        format!("__session_{}={last}; Path=/", LIVE.suffix),
    ];
    let backend = FakeBackend::new().refresh(Ok(cookies.clone()));
    let state = run_with(&refreshable(&expired_token()), &live(), &backend).unwrap();
    assert_signed_in_with(
        &state,
        &last,
        cookies.iter().map(|c| set_cookie(c)).collect(),
    );
}

#[test]
fn expired_token_without_sid_cannot_be_refreshed() {
    let expired = session(&LIVE).expired(60).without("sid").sign();
    let reason = "session-token-expired-refresh-expired-session-token-missing-sid-claim";
    let backend = FakeBackend::new().refresh(Ok(vec![format!("__session={}", valid(&LIVE))]));
    let req = refreshable(&expired);
    assert_handshake(
        &run_with(&req, &live(), &backend).unwrap(),
        reason,
        &expired_message("cookie"),
        &handshake_url(&LIVE.handshake_base(), DASHBOARD, false, reason)
            .session(&expired)
            .build(),
        1,
    );
    assert_eq!(backend.calls(), vec![]);
}

#[test]
fn undecodable_cookie_session_beside_an_expired_bearer_cannot_be_refreshed() {
    // The refresh sends the cookie token when there is one (Clerk's `sessionToken`).
    let expired = expired_token();
    let req = Req::fetch(DASHBOARD)
        .bearer(&expired)
        .cookie("__session", "opaque")
        .cookie(&LIVE.suffixed("__refresh"), REFRESH_TOKEN);
    let backend = FakeBackend::new();
    assert_signed_out(
        &run_with(&req, &live(), &backend).unwrap(),
        "session-token-expired-refresh-expired-session-token-decode-failed",
        &expired_message("header"),
    );
    assert_eq!(backend.calls(), vec![]);
}

#[test]
fn non_get_requests_are_not_refreshed() {
    let expired = expired_token();
    for req in [
        refreshable(&expired).with_method("POST"),
        refreshable(&expired).with_method("HEAD"),
        // Not a GET wins over a missing refresh cookie.
        Req::post(DASHBOARD).session_cookies(&expired),
    ] {
        let backend = FakeBackend::new();
        assert_signed_out(
            &run_with(&req, &live(), &backend).unwrap(),
            "session-token-expired-refresh-non-eligible-non-get",
            &expired_message("cookie"),
        );
        assert_eq!(backend.calls(), vec![]);
    }
}

#[test]
fn only_the_suffixed_refresh_cookie_counts() {
    let expired = expired_token();
    let req = Req::fetch(DASHBOARD)
        .session_cookies(&expired)
        .cookie("__refresh", REFRESH_TOKEN)
        .cookie(&LIVE.suffixed("__refresh"), "");
    let backend = FakeBackend::new();
    assert_signed_out(
        &run_with(&req, &live(), &backend).unwrap(),
        "session-token-expired-refresh-non-eligible-no-refresh-cookie",
        &expired_message("cookie"),
    );
    assert_eq!(backend.calls(), vec![]);
}

#[test]
fn only_expiry_triggers_a_refresh() {
    for (token, reason) in [
        (
            session(&LIVE).claim("nbf", NOW + 60).sign(),
            "session-token-nbf",
        ),
        (
            session(&LIVE).claim("iat", NOW + 60).sign(),
            "session-token-iat-in-the-future",
        ),
        (
            session(&LIVE).signed_by_other_key().sign(),
            "token-invalid-signature",
        ),
    ] {
        let backend = FakeBackend::new().refresh(Ok(vec![format!("__session={}", valid(&LIVE))]));
        let req = refreshable(&token).header("sec-fetch-dest", "empty");
        assert_eq!(
            run_with(&req, &live(), &backend).unwrap().reason(),
            Some(reason)
        );
        assert_eq!(backend.calls(), vec![]);
    }
}

//! Session tokens in `Authorization` (spec §1.8, §1.10) and JWT verification (§2): Clerk's
//! header parsing quirks, every `TokenVerificationErrorReason` with its full message
//! `<message> [<action>] (reason=…, token-carrier=header)`, and the time boundaries with the
//! default and a zero clock skew. Opaque-key (JWKS) failures are in `backend.rs`.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::host::services::{block_on, RustVerifier};
use clerk_edge::token::jwt::{
    self, Carrier, ClaimRules, Jwt, KeySource, OptionReading, Verification,
};
use clerk_edge::Options;
use serde_json::json;
use support::*;

fn live() -> clerk_edge::Config {
    config(options(&LIVE))
}

/// An API request carrying `Authorization: Bearer <token>` (never handshake-eligible).
fn api(token: &str) -> Req {
    Req::fetch(DASHBOARD).bearer(token)
}

/// Signed-out through the header carrier, with the full message built from its parts.
fn assert_header_error(
    cfg: &clerk_edge::Config,
    token: &str,
    reason: &str,
    message: &str,
    action: Option<&str>,
    token_reason: &str,
) {
    let full = full_message(message, action, token_reason, "header");
    assert_signed_out(&run(&api(token), cfg), reason, &full);
}

/// The signed-out reason is the verification reason itself.
fn assert_rejected(
    cfg: &clerk_edge::Config,
    token: &str,
    reason: &str,
    message: &str,
    action: Option<&str>,
) {
    assert_header_error(cfg, token, reason, message, action, reason);
}

// --- Authorization parsing -----------------------------------------------------------------------

#[test]
fn bearer_token_is_signed_in_without_headers_or_azp_warning() {
    let token = session(&LIVE).without("azp").sign();
    for req in [
        api(&token),
        Req::document(DASHBOARD).bearer(&token),
        Req::post(DASHBOARD).bearer(&token),
    ] {
        let state = run(&req, &live());
        assert_signed_in(&state, &token);
        assert_eq!(state.diagnostics, vec![]);
    }
}

#[test]
fn header_token_decides_alone_and_cookies_are_ignored() {
    let good = valid(&LIVE);
    let bad = session(&LIVE).signed_by_other_key().sign();
    // A valid header token beside cookies that would fail.
    let req = api(&good).session_cookies(&bad);
    assert_signed_in(&run(&req, &live()), &good);
    // An invalid header token beside a valid cookie session.
    let req = api(&bad).session_cookies(&good);
    assert_signed_out(
        &run(&req, &live()),
        "token-invalid-signature",
        "JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)",
    );
    // Development: no dev browser needed when the token is in the header.
    let token = valid(&DEV);
    assert_signed_in(
        &run(
            &Req::document(DASHBOARD).bearer(&token),
            &config(options(&DEV)),
        ),
        &token,
    );
}

#[test]
fn authorization_without_a_space_is_the_token() {
    let token = valid(&LIVE);
    let req = Req::fetch(DASHBOARD).header("authorization", &token);
    assert_signed_in(&run(&req, &live()), &token);
}

#[test]
fn authorization_third_part_is_dropped() {
    let token = valid(&LIVE);
    let req = Req::fetch(DASHBOARD).header("authorization", &format!("Bearer {token} extra"));
    assert_signed_in(&run(&req, &live()), &token);
}

#[test]
fn bare_or_double_spaced_bearer_is_the_token_bearer() {
    let form = "Invalid JWT form. A JWT consists of three parts separated by dots. (reason=token-invalid, token-carrier=header)";
    let token = valid(&LIVE);
    for value in [
        "Bearer".to_string(),
        format!("Bearer  {token}"),
        "Bearer ".to_string(),
    ] {
        let req = Req::fetch(DASHBOARD).header("authorization", &value);
        assert_signed_out(&run(&req, &live()), "token-invalid", form);
    }
}

#[test]
fn other_schemes_fall_back_to_the_cookie_flow() {
    let token = valid(&LIVE);
    for value in [
        format!("bearer {token}"),
        format!("Basic {token}"),
        format!("Token {token}"),
    ] {
        let req = Req::fetch(DASHBOARD).header("authorization", &value);
        assert_signed_out(&run(&req, &live()), "session-token-and-uat-missing", "");
        let req = req.session_cookies(&token);
        assert_signed_in(&run(&req, &live()), &token);
    }
}

#[test]
fn machine_and_non_session_header_tokens_are_a_type_mismatch() {
    for token in [
        session(&LIVE).claim("sub", "mch_2EdgeMachine").sign(),
        session(&LIVE).header("typ", "at+jwt").sign(),
        session(&LIVE).header("cat", "cl_B7d4PD222AAA").sign(),
        session(&LIVE).header("cat", "cl_B7d4PD333AAA").sign(),
    ] {
        for req in [api(&token), Req::document(DASHBOARD).bearer(&token)] {
            assert_signed_out(&run(&req, &live()), "token-type-mismatch", "");
        }
    }
}

// --- Every verification reason ---------------------------------------------------------------------

#[test]
fn token_invalid_form_decode_and_type() {
    let cfg = live();
    assert_rejected(
        &cfg,
        "a.b",
        "token-invalid",
        "Invalid JWT form. A JWT consists of three parts separated by dots.",
        None,
    );
    assert_rejected(
        &cfg,
        "a.b.c.d",
        "token-invalid",
        "Invalid JWT form. A JWT consists of three parts separated by dots.",
        None,
    );
    assert_rejected(
        &cfg,
        "e30.bm90IGpzb24.c2ln",
        "token-invalid",
        "Invalid JWT form. The header, payload, or signature could not be decoded.",
        None,
    );
    assert_rejected(
        &cfg,
        "e30.e30.!!",
        "token-invalid",
        "Invalid JWT form. The header, payload, or signature could not be decoded.",
        None,
    );
    assert_rejected(
        &cfg,
        &session(&LIVE).header("typ", "JWS").sign(),
        "token-invalid",
        "Invalid JWT type \"JWS\". Expected \"JWT\".",
        Some(ENSURE_CLERK_JWT),
    );
    assert_rejected(
        &cfg,
        &session(&LIVE).header("typ", 1).sign(),
        "token-invalid",
        "Invalid JWT type 1. Expected \"JWT\".",
        Some(ENSURE_CLERK_JWT),
    );
    // No typ at all is accepted.
    let token = session(&LIVE).without_header("typ").sign();
    assert_signed_in(&run(&api(&token), &cfg), &token);
}

#[test]
fn token_invalid_algorithm() {
    let cfg = live();
    for (alg, shown) in [
        (json!("HS256"), "\"HS256\""),
        (json!("none"), "\"none\""),
        (json!(null), "null"),
    ] {
        let token = session(&LIVE).header("alg", alg).sign();
        assert_rejected(
            &cfg,
            &token,
            "token-invalid-algorithm",
            &format!("Invalid JWT algorithm {shown}. Supported: RS256,RS384,RS512."),
            Some(ENSURE_CLERK_JWT),
        );
    }
    let token = session(&LIVE).without_header("alg").sign();
    assert_rejected(
        &cfg,
        &token,
        "token-invalid-algorithm",
        "Invalid JWT algorithm undefined. Supported: RS256,RS384,RS512.",
        Some(ENSURE_CLERK_JWT),
    );
}

#[test]
fn rs384_and_rs512_fail_like_webcrypto_with_an_rs256_key() {
    for alg in ["RS384", "RS512"] {
        let token = session(&LIVE).header("alg", alg).sign();
        assert_rejected(
            &live(),
            &token,
            "token-verification-failed",
            "Error verifying JWT signature. Error: JWK \"alg\" does not match the requested algorithm",
            Some(ENSURE_CLERK_JWT),
        );
    }
}

#[test]
fn token_invalid_signature() {
    let cfg = live();
    let message = "JWT signature is invalid.";
    assert_rejected(
        &cfg,
        &session(&LIVE).signed_by_other_key().sign(),
        "token-invalid-signature",
        message,
        None,
    );
    // A valid signature over other claims.
    let token = valid(&LIVE);
    let forged = session(&LIVE)
        .claim("sub", "user_2Attacker")
        .signing_input();
    let sig = token.rsplit('.').next().unwrap();
    assert_rejected(
        &cfg,
        &format!("{forged}.{sig}"),
        "token-invalid-signature",
        message,
        None,
    );
    // No signature at all.
    let unsigned = format!("{}.", session(&LIVE).signing_input());
    assert_rejected(&cfg, &unsigned, "token-invalid-signature", message, None);
    // The signature is checked before any claim: an expired forgery is a signature error.
    let expired = session(&LIVE).expired(600).signed_by_other_key().sign();
    assert_rejected(&cfg, &expired, "token-invalid-signature", message, None);
}

#[test]
fn token_verification_failed_claim_types() {
    let cfg = live();
    let cases = [
        (
            session(&LIVE).without("sub"),
            "Subject claim (sub) is required and must be a string. Received undefined.",
        ),
        (
            session(&LIVE).claim("sub", 42),
            "Subject claim (sub) is required and must be a string. Received 42.",
        ),
        (
            session(&LIVE).claim("sub", json!(null)),
            "Subject claim (sub) is required and must be a string. Received null.",
        ),
        (
            session(&LIVE).without("exp"),
            "Invalid JWT expiry date claim (exp) undefined. Expected number.",
        ),
        (
            session(&LIVE).claim("exp", "soon"),
            "Invalid JWT expiry date claim (exp) \"soon\". Expected number.",
        ),
        (
            session(&LIVE).claim("nbf", "now"),
            "Invalid JWT not before date claim (nbf) \"now\". Expected number.",
        ),
        (
            session(&LIVE).claim("iat", json!([1])),
            "Invalid JWT issued at date claim (iat) [1]. Expected number.",
        ),
    ];
    for (token, message) in cases {
        assert_rejected(
            &cfg,
            &token.sign(),
            "token-verification-failed",
            message,
            Some(ENSURE_CLERK_JWT),
        );
    }
    // An empty subject is a string.
    let token = session(&LIVE).claim("sub", "").sign();
    assert_signed_in(&run(&api(&token), &cfg), &token);
}

#[test]
fn token_verification_failed_audience() {
    let cfg = config(Options {
        audience: Some(json!(["api://edge", ""])),
        ..options(&LIVE)
    });
    assert_rejected(
        &cfg,
        &session(&LIVE).claim("aud", "api://other").sign(),
        "token-verification-failed",
        "Invalid JWT audience claim (aud) \"api://other\". Is not included in \"[\"api://edge\"]\".",
        Some(ENSURE_CLERK_JWT),
    );
    assert_rejected(
        &cfg,
        &session(&LIVE).claim("aud", json!(["api://a", "api://b"])).sign(),
        "token-verification-failed",
        "Invalid JWT audience claim array (aud) [\"api://a\",\"api://b\"]. Is not included in \"[\"api://edge\"]\".",
        Some(ENSURE_CLERK_JWT),
    );
    for ok in [
        session(&LIVE).claim("aud", "api://edge"),
        session(&LIVE).claim("aud", json!(["api://a", "api://edge"])),
        session(&LIVE),
        session(&LIVE).claim("aud", ""),
    ] {
        let token = ok.sign();
        assert_signed_in(&run(&api(&token), &cfg), &token);
    }
    // A single configured audience as a string.
    let cfg = config(Options {
        audience: Some(json!("api://edge")),
        ..options(&LIVE)
    });
    assert_rejected(
        &cfg,
        &session(&LIVE).claim("aud", "api://other").sign(),
        "token-verification-failed",
        "Invalid JWT audience claim (aud) \"api://other\". Is not included in \"[\"api://edge\"]\".",
        Some(ENSURE_CLERK_JWT),
    );
}

#[test]
fn token_invalid_authorized_parties() {
    let cfg = config(Options {
        authorized_parties: Some(json!([AZP, "https://admin.example-app.test"])),
        ..options(&LIVE)
    });
    let expected = "Expected \"https://app.example-app.test,https://admin.example-app.test\".";
    assert_rejected(
        &cfg,
        &session(&LIVE).claim("azp", "https://evil.test").sign(),
        "token-invalid-authorized-parties",
        &format!("Invalid JWT Authorized party claim (azp) \"https://evil.test\". {expected}"),
        None,
    );
    // With authorizedParties set, a token without azp is rejected.
    assert_rejected(
        &cfg,
        &session(&LIVE).without("azp").sign(),
        "token-invalid-authorized-parties",
        &format!("Invalid JWT Authorized party claim (azp) undefined. {expected}"),
        None,
    );
    let token = session(&LIVE)
        .claim("azp", "https://admin.example-app.test")
        .sign();
    assert_signed_in(&run(&api(&token), &cfg), &token);
}

#[test]
fn token_invalid_issuer() {
    let cfg = config(Options {
        issuer: Some(json!([
            "https://clerk.other-app.test",
            "https://clerk.third.test"
        ])),
        ..options(&LIVE)
    });
    assert_rejected(
        &cfg,
        &valid(&LIVE),
        "token-invalid-issuer",
        "Invalid JWT issuer claim (iss) \"https://clerk.example-app.test\". Expected \"https://clerk.other-app.test,https://clerk.third.test\".",
        Some(ENSURE_CLERK_JWT),
    );
    let token = session(&LIVE)
        .claim("iss", "https://clerk.third.test")
        .sign();
    assert_signed_in(&run(&api(&token), &cfg), &token);
}

#[test]
fn claim_checks_run_in_clerks_order() {
    // sub before aud before azp before iss before exp.
    let cfg = config(Options {
        audience: Some(json!("api://edge")),
        authorized_parties: Some(json!([AZP])),
        issuer: Some(json!("https://clerk.other-app.test")),
        ..options(&LIVE)
    });
    let all_bad = session(&LIVE)
        .claim("aud", "api://other")
        .claim("azp", "https://evil.test")
        .expired(60);
    let token = all_bad.clone().without("sub").sign();
    assert_eq!(
        run(&api(&token), &cfg).reason(),
        Some("token-verification-failed")
    );
    let token = all_bad.clone().sign();
    assert_eq!(
        run(&api(&token), &cfg)
            .message()
            .map(|m| m.starts_with("Invalid JWT audience claim")),
        Some(true)
    );
    let token = all_bad.clone().claim("aud", "api://edge").sign();
    assert_eq!(
        run(&api(&token), &cfg).reason(),
        Some("token-invalid-authorized-parties")
    );
    let token = all_bad.claim("aud", "api://edge").claim("azp", AZP).sign();
    assert_eq!(
        run(&api(&token), &cfg).reason(),
        Some("token-invalid-issuer")
    );
}

#[test]
fn time_errors_become_handshake_reasons_with_the_full_message() {
    let cfg = live();
    let token = session(&LIVE).expired(5).sign();
    assert_header_error(
        &cfg,
        &token,
        "session-token-expired-refresh-non-eligible-no-refresh-cookie",
        &format!(
            "JWT is expired. Expiry date: {}, Current date: {NOW_UTC}.",
            utc(-5)
        ),
        None,
        "token-expired",
    );
    let token = session(&LIVE).claim("nbf", NOW + 6).sign();
    assert_header_error(
        &cfg,
        &token,
        "session-token-nbf",
        &format!(
            "JWT cannot be used prior to not before date claim (nbf). Not before date: {}; Current date: {NOW_UTC};",
            utc(6)
        ),
        None,
        "token-not-active-yet",
    );
    let token = session(&LIVE).claim("iat", NOW + 6).sign();
    assert_header_error(
        &cfg,
        &token,
        "session-token-iat-in-the-future",
        &format!(
            "JWT issued at date claim (iat) is in the future. Issued at date: {}; Current date: {NOW_UTC};",
            utc(6)
        ),
        None,
        "token-iat-in-the-future",
    );
}

#[test]
fn expired_bearer_token_on_a_document_get_handshakes() {
    let token = session(&LIVE).expired(5).sign();
    let reason = "session-token-expired-refresh-non-eligible-no-refresh-cookie";
    let message = full_message(
        &format!(
            "JWT is expired. Expiry date: {}, Current date: {NOW_UTC}.",
            utc(-5)
        ),
        None,
        "token-expired",
        "header",
    );
    assert_handshake(
        &run(&Req::document(DASHBOARD).bearer(&token), &live()),
        reason,
        &message,
        &handshake_url(&LIVE.handshake_base(), DASHBOARD, false, reason)
            .session(&token)
            .build(),
        1,
    );
    // A cookie session token is still preferred for the handshake's __session parameter.
    let cookie_token = valid(&LIVE);
    let req = Req::document(DASHBOARD)
        .bearer(&token)
        .session_cookies(&cookie_token);
    assert_handshake(
        &run(&req, &live()),
        reason,
        &message,
        &handshake_url(&LIVE.handshake_base(), DASHBOARD, false, reason)
            .session(&cookie_token)
            .build(),
        1,
    );
    // POST: not a GET, so not refreshable either.
    assert_signed_out(
        &run(&Req::post(DASHBOARD).bearer(&token), &live()),
        "session-token-expired-refresh-non-eligible-non-get",
        &message,
    );
}

#[test]
fn m2m_category_is_rejected_by_verify_token_itself() {
    let token = session(&LIVE)
        .header("cat", "cl_B7d4PD333AAA")
        .signed_by_other_key()
        .sign();
    let e = verify(&token, KeySource::Missing, 5000.0).unwrap_err();
    assert_eq!(
        e.full_message(Carrier::Header),
        "Invalid session token category. Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid, token-carrier=header)"
    );
}

fn verify(token: &str, key: KeySource<'_>, skew_ms: f64) -> Result<(), jwt::TokenError> {
    let jwt = Jwt::decode(token).expect("decodes");
    let rules = ClaimRules {
        audience: &[],
        authorized_parties: &[],
        issuer: &[],
        skew_ms,
        reading: OptionReading::PLAIN,
    };
    let backend = FakeBackend::new();
    let v = Verification {
        key,
        rules,
        now_ms: NOW_MS,
        verifier: &RustVerifier,
        backend: &backend,
    };
    block_on(jwt::verify_token(jwt, &v)).map(drop)
}

#[test]
fn jwk_failed_to_resolve_without_any_key_source() {
    // Config always has a secret key, so only verify_token reaches KeySource::Missing.
    let e = verify(&valid(&LIVE), KeySource::Missing, 5000.0).unwrap_err();
    assert_eq!(e.reason.as_str(), "jwk-failed-to-resolve");
    assert_eq!(
        e.full_message(Carrier::Header),
        "Failed to resolve JWK during verification. Set the CLERK_JWT_KEY environment variable. (reason=jwk-failed-to-resolve, token-carrier=header)"
    );
    assert_eq!(
        e.full_message(Carrier::Cookie),
        "Failed to resolve JWK during verification. Set the CLERK_JWT_KEY environment variable. (reason=jwk-failed-to-resolve, token-carrier=cookie)"
    );
    // The handshake JWT has its own wording.
    let hs = handshake_jwt(&[]).sign();
    let jwt = Jwt::decode(&hs).unwrap();
    let e = block_on(jwt::verify_handshake_token(
        &jwt,
        KeySource::Missing,
        &RustVerifier,
        &FakeBackend::new(),
    ))
    .unwrap_err();
    assert_eq!(
        e.message,
        "Failed to resolve JWK during handshake verification."
    );
    assert_eq!(e.reason.as_str(), "jwk-failed-to-resolve");
}

#[test]
fn verify_token_with_the_local_key_accepts_a_valid_token() {
    let key = public_key();
    assert_eq!(
        verify(&valid(&LIVE), KeySource::Local(&key), 5000.0),
        Ok(())
    );
    let other = other_public_key();
    assert_eq!(
        verify(&valid(&LIVE), KeySource::Local(&other), 5000.0)
            .unwrap_err()
            .reason
            .as_str(),
        "token-invalid-signature"
    );
}

// --- Time boundaries ---------------------------------------------------------------------------------

fn status_of(cfg: &clerk_edge::Config, token: Token) -> Option<String> {
    let token = token.sign();
    let state = run(&api(&token), cfg);
    Some(
        state
            .reason()
            .unwrap_or(state.status().as_str())
            .to_string(),
    )
}

#[test]
fn default_skew_is_five_seconds_each_way() {
    let cfg = live();
    let expired = Some("session-token-expired-refresh-non-eligible-no-refresh-cookie".to_string());
    let ok = Some("signed-in".to_string());
    assert_eq!(
        status_of(&cfg, session(&LIVE).claim("exp", NOW - 5)),
        expired
    );
    assert_eq!(status_of(&cfg, session(&LIVE).claim("exp", NOW - 4)), ok);
    assert_eq!(status_of(&cfg, session(&LIVE).claim("nbf", NOW + 5)), ok);
    assert_eq!(
        status_of(&cfg, session(&LIVE).claim("nbf", NOW + 6)),
        Some("session-token-nbf".into())
    );
    assert_eq!(status_of(&cfg, session(&LIVE).claim("iat", NOW + 5)), ok);
    assert_eq!(
        status_of(&cfg, session(&LIVE).claim("iat", NOW + 6)),
        Some("session-token-iat-in-the-future".into())
    );
    // Fractional seconds truncate toward zero.
    assert_eq!(
        status_of(&cfg, session(&LIVE).claim("exp", (NOW - 5) as f64 + 0.9)),
        expired
    );
    assert_eq!(
        status_of(&cfg, session(&LIVE).claim("nbf", (NOW + 5) as f64 + 0.9)),
        ok
    );
}

#[test]
fn zero_skew_is_honoured() {
    let cfg = config(Options {
        clock_skew_in_ms: Some(json!(0)),
        ..options(&LIVE)
    });
    let expired = Some("session-token-expired-refresh-non-eligible-no-refresh-cookie".to_string());
    let ok = Some("signed-in".to_string());
    assert_eq!(status_of(&cfg, session(&LIVE).claim("exp", NOW)), expired);
    assert_eq!(status_of(&cfg, session(&LIVE).claim("exp", NOW + 1)), ok);
    assert_eq!(status_of(&cfg, session(&LIVE).claim("nbf", NOW)), ok);
    assert_eq!(
        status_of(&cfg, session(&LIVE).claim("nbf", NOW + 1)),
        Some("session-token-nbf".into())
    );
    assert_eq!(status_of(&cfg, session(&LIVE).claim("iat", NOW)), ok);
    assert_eq!(
        status_of(&cfg, session(&LIVE).claim("iat", NOW + 1)),
        Some("session-token-iat-in-the-future".into())
    );
    let token = session(&LIVE).claim("exp", NOW).sign();
    assert_eq!(
        run(&api(&token), &cfg).message(),
        Some(
            "JWT is expired. Expiry date: Wed, 01 Jan 2025 12:00:00 GMT, Current date: Wed, 01 Jan 2025 12:00:00 GMT. (reason=token-expired, token-carrier=header)"
        )
    );
}

#[test]
fn non_numeric_skew_falls_back_to_five_seconds() {
    for skew in [json!("0"), json!(null), json!(true), json!({"ms": 0})] {
        let cfg = config(Options {
            clock_skew_in_ms: Some(skew),
            ..options(&LIVE)
        });
        assert_eq!(
            status_of(&cfg, session(&LIVE).claim("exp", NOW - 4)),
            Some("signed-in".into())
        );
        assert_eq!(
            status_of(&cfg, session(&LIVE).claim("exp", NOW - 5)),
            Some("session-token-expired-refresh-non-eligible-no-refresh-cookie".into())
        );
    }
}

#[test]
fn the_clock_is_the_callers_milliseconds() {
    let cfg = live();
    let token = session(&LIVE).claim("exp", NOW - 4).sign();
    let backend = FakeBackend::new();
    // Expired iff exp*1000 <= now - skew: still valid 999 ms later, expired 1000 ms later.
    let state = run_at(&api(&token), &cfg, &backend, NOW_MS + 999.0).unwrap();
    assert_signed_in(&state, &token);
    let state = run_at(&api(&token), &cfg, &backend, NOW_MS + 1000.0).unwrap();
    assert_signed_out(
        &state,
        "session-token-expired-refresh-non-eligible-no-refresh-cookie",
        "JWT is expired. Expiry date: Wed, 01 Jan 2025 11:59:56 GMT, Current date: Wed, 01 Jan 2025 12:00:01 GMT. (reason=token-expired, token-carrier=header)",
    );
}

// --- Debug headers --------------------------------------------------------------------------------

#[test]
fn debug_message_that_is_not_a_valid_header_value_is_skipped() {
    let token = session(&LIVE).header("typ", "JWT\u{2713}").sign();
    let state = run(&api(&token), &live());
    let message = "Invalid JWT type \"JWT\u{2713}\". Expected \"JWT\". Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid, token-carrier=header)";
    assert_eq!(state.message(), Some(message));
    assert_eq!(
        state.headers,
        vec![
            (
                "x-clerk-auth-reason".to_string(),
                "token-invalid".to_string()
            ),
            ("x-clerk-auth-status".to_string(), "signed-out".to_string()),
        ]
    );
    // Latin-1 is a valid header value and is kept.
    let token = session(&LIVE).header("typ", "caf\u{e9}").sign();
    let state = run(&api(&token), &live());
    assert_eq!(
        state.header("x-clerk-auth-message"),
        Some("Invalid JWT type \"caf\u{e9}\". Expected \"JWT\". Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid, token-carrier=header)")
    );
}

// --- acceptsToken without a header token ------------------------------------------------------------

#[test]
fn only_machine_tokens_accepted_and_none_in_the_header() {
    // §1.7 step 3: the cookie flow never runs, whatever the cookies say.
    for kind in ["api_key", "m2m_token", "oauth_token"] {
        let cfg = config(Options {
            accepts_token: Some(json!(kind)),
            ..options(&LIVE)
        });
        let req = Req::document(DASHBOARD).session_cookies(&valid(&LIVE));
        let state = run(&req, &cfg);
        assert_signed_out(&state, "No token in header", "");
        assert_eq!(state.token_type().map(|t| t.as_str()), Some(kind));
    }
}

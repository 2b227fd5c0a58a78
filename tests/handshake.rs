//! The handshake (spec §1.11, §1.12): the gate and its loop guard, the FAPI URL (proxy, forwarded
//! hosts, `redirect_url` serialisation), resolving nonces and legacy handshake JWTs in production
//! and development, and multi-domain sync (satellites C2/C3 and the development primary, C4).

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::decide::state::Diagnostic;
use clerk_edge::Options;
use support::*;

fn live() -> clerk_edge::Config {
    config(options(&LIVE))
}

fn dev() -> clerk_edge::Config {
    config(options(&DEV))
}

const CLIENT_ONLY: &str = "client-uat-but-no-session-token";

// --- The gate -------------------------------------------------------------------------------------

#[test]
fn eligibility_is_get_with_document_iframe_or_html_accept() {
    let base = Req::new("GET", DASHBOARD).cookie("__client_uat", UAT);
    let location = handshake_url(&LIVE.handshake_base(), DASHBOARD, false, CLIENT_ONLY).build();
    for eligible in [
        base.clone().header("sec-fetch-dest", "document"),
        base.clone().header("sec-fetch-dest", "iframe"),
        base.clone()
            .header("accept", "text/html,application/xhtml+xml"),
    ] {
        assert_handshake(&run(&eligible, &live()), CLIENT_ONLY, "", &location, 1);
    }
    for not_eligible in [
        base.clone(),
        base.clone().header("accept", "application/json"),
        base.clone().header("accept", "application/json, text/html"),
        base.clone()
            .header("sec-fetch-dest", "empty")
            .header("accept", "text/html"),
        base.clone().header("sec-fetch-dest", "script"),
        base.clone()
            .header("sec-fetch-dest", "document")
            .with_method("HEAD"),
        base.clone()
            .header("sec-fetch-dest", "document")
            .with_method("PUT"),
        base.header("sec-fetch-dest", "iframe").with_method("POST"),
    ] {
        assert_signed_out(&run(&not_eligible, &live()), CLIENT_ONLY, "");
    }
}

#[test]
fn loop_guard_counts_to_three_then_signs_out() {
    let location = handshake_url(&LIVE.handshake_base(), DASHBOARD, false, CLIENT_ONLY).build();
    for (cookie, next) in [("0", 1), ("1", 2), ("2", 3), ("not-a-number", 1)] {
        let req = Req::document(DASHBOARD)
            .cookie("__clerk_redirect_count", cookie)
            .cookie("__client_uat", UAT);
        let state = run(&req, &live());
        assert_handshake(&state, CLIENT_ONLY, "", &location, next);
        assert_eq!(state.diagnostics, vec![]);
    }
    let req = Req::document(DASHBOARD)
        .cookie("__clerk_redirect_count", 3)
        .cookie("__client_uat", UAT);
    let state = run(&req, &live());
    assert_signed_out(&state, CLIENT_ONLY, "");
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakeLoop { satellite: false }]
    );
    assert_eq!(
        state.diagnostics[0].message(),
        "Clerk: Refreshing the session token resulted in an infinite redirect loop. This usually means that your Clerk instance keys do not match - make sure to copy the correct publishable and secret keys from the Clerk dashboard."
    );
}

#[test]
fn loop_guard_is_exactly_three_so_a_tampered_four_keeps_redirecting() {
    let location = handshake_url(&LIVE.handshake_base(), DASHBOARD, false, CLIENT_ONLY).build();
    for (cookie, next) in [("4", 5), ("9", 10)] {
        let req = Req::document(DASHBOARD)
            .cookie("__clerk_redirect_count", cookie)
            .cookie("__client_uat", UAT);
        assert_handshake(&run(&req, &live()), CLIENT_ONLY, "", &location, next);
    }
    // Number("2.5") + 1.
    let req = Req::document(DASHBOARD)
        .cookie("__clerk_redirect_count", "2.5")
        .cookie("__client_uat", UAT);
    assert_eq!(
        run(&req, &live()).set_cookies().collect::<Vec<_>>(),
        vec!["__clerk_redirect_count=3.5; SameSite=Lax; HttpOnly; Max-Age=2"]
    );
}

#[test]
fn loop_guard_keeps_the_message_of_a_time_error() {
    let token = session(&LIVE).claim("nbf", NOW + 60).sign();
    let req = Req::document(DASHBOARD)
        .cookie("__clerk_redirect_count", 3)
        .session_cookies(&token);
    let state = run(&req, &live());
    assert_signed_out(
        &state,
        "session-token-nbf",
        &format!(
            "JWT cannot be used prior to not before date claim (nbf). Not before date: {}; Current date: {NOW_UTC}; (reason=token-not-active-yet, token-carrier=cookie)",
            utc(60)
        ),
    );
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakeLoop { satellite: false }]
    );
}

// --- The FAPI URL ---------------------------------------------------------------------------------

#[test]
fn redirect_url_drops_dev_browser_params_and_is_reserialised_as_a_form() {
    let url = "https://app.example-app.test/search?q=a%20b&__dev_session=x&star=*~&u=%C3%A9";
    let state = run(&Req::document(url).cookie("__client_uat", UAT), &live());
    assert_handshake(
        &state,
        CLIENT_ONLY,
        "",
        "https://clerk.example-app.test/v1/client/handshake?redirect_url=https%3A%2F%2Fapp.example-app.test%2Fsearch%3Fq%3Da%2Bb%26star%3D*%257E%26u%3D%25C3%25A9&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=client-uat-but-no-session-token&format=nonce",
        1,
    );
    // An empty query disappears; a fragment stays.
    for (url, redirect) in [
        (
            "https://app.example-app.test/search?",
            "https://app.example-app.test/search",
        ),
        (
            "https://app.example-app.test/search#frag",
            "https://app.example-app.test/search#frag",
        ),
    ] {
        let state = run(&Req::document(url).cookie("__client_uat", UAT), &live());
        assert_eq!(
            state.location(),
            Some(
                handshake_url(&LIVE.handshake_base(), redirect, false, CLIENT_ONLY)
                    .build()
                    .as_str()
            )
        );
    }
}

#[test]
fn redirect_url_is_the_public_url_from_forwarded_headers() {
    let req = Req::document("http://localhost:3000/dashboard?x=1")
        .header("x-forwarded-host", "app.example-app.test, internal.lb")
        .header("x-forwarded-proto", "https,http")
        .cookie("__client_uat", UAT);
    assert_eq!(
        run(&req, &live()).location(),
        Some(
            handshake_url(
                &LIVE.handshake_base(),
                "https://app.example-app.test/dashboard?x=1",
                false,
                CLIENT_ONLY
            )
            .build()
            .as_str()
        )
    );
    let req = Req::document("http://localhost:3000/dashboard")
        .header("host", "app.example-app.test")
        .cookie("__client_uat", UAT);
    assert_eq!(
        run(&req, &live()).location(),
        Some(
            handshake_url(
                &LIVE.handshake_base(),
                "http://app.example-app.test/dashboard",
                false,
                CLIENT_ONLY
            )
            .build()
            .as_str()
        )
    );
}

#[test]
fn proxy_url_replaces_the_frontend_api_host() {
    for proxy in [
        "https://app.example-app.test/__clerk",
        "https://app.example-app.test/__clerk/",
        "https://app.example-app.test/__clerk//",
    ] {
        let cfg = config(Options {
            proxy_url: Some(proxy.into()),
            ..options(&LIVE)
        });
        let state = run(&Req::document(DASHBOARD).cookie("__client_uat", UAT), &cfg);
        assert_handshake(
            &state,
            CLIENT_ONLY,
            "",
            &handshake_url(
                "https://app.example-app.test/__clerk/v1/client/handshake",
                DASHBOARD,
                false,
                CLIENT_ONLY,
            )
            .build(),
            1,
        );
    }
}

#[test]
fn relative_proxy_url_is_resolved_against_the_public_origin() {
    let cfg = config(Options {
        proxy_url: Some("/__clerk".into()),
        ..options(&LIVE)
    });
    let req = Req::document("http://localhost:3000/dashboard")
        .header("x-forwarded-host", "app.example-app.test")
        .header("x-forwarded-proto", "https")
        .cookie("__client_uat", UAT);
    assert_handshake(
        &run(&req, &cfg),
        CLIENT_ONLY,
        "",
        &handshake_url(
            "https://app.example-app.test/__clerk/v1/client/handshake",
            DASHBOARD,
            false,
            CLIENT_ONLY,
        )
        .build(),
        1,
    );
}

#[test]
fn proxy_url_keeps_tokens_of_the_original_frontend_api() {
    // The proxy changes where handshakes go, not which `iss` belongs to this instance.
    let cfg = config(Options {
        proxy_url: Some("https://app.example-app.test/__clerk".into()),
        ..options(&LIVE)
    });
    let mine = valid(&LIVE); // iat NOW - 10
    let newer = session(&LIVE).claim("iat", NOW - 5).sign();
    let req = Req::document(DASHBOARD)
        .cookie(&LIVE.suffixed("__client_uat"), UAT)
        .cookie(&LIVE.suffixed("__session"), &mine)
        .session_cookies(&newer);
    // Rule 2 sees the un-suffixed token as this instance's, so rule 4 picks the newer one.
    assert_signed_in(&run(&req, &cfg), &newer);
}

// --- Resolution: nonce --------------------------------------------------------------------------

#[test]
fn nonce_directives_set_cookies_and_the_last_session_directive_wins() {
    let first = session(&LIVE).claim("sid", "sess_first").sign();
    let last = session(&LIVE).claim("sid", "sess_last").sign();
    let directives = vec![
        format!("__session={first}; Path=/; Secure; SameSite=Lax"),
        format!(
            "__client_uat_{}={NOW}; Path=/; Secure; SameSite=Lax",
            LIVE.suffix
        ),
        format!(
            "__session_{}={last}; Path=/; Secure; SameSite=Lax",
            LIVE.suffix
        ),
        "__clerk_db_jwt=; Path=/; Max-Age=0".to_string(),
    ];
    let backend = FakeBackend::new().handshake_payload(Ok(directives.clone()));
    let req = Req::document(DASHBOARD).cookie("__clerk_handshake_nonce", "hsn_1");
    let state = run_with(&req, &live(), &backend).unwrap();
    assert_signed_in_with(&state, &last, resolved_headers(&directives));
    assert_eq!(
        state.session().unwrap().session_id.as_deref(),
        Some("sess_last")
    );
    assert_eq!(state.diagnostics, vec![]);
}

#[test]
fn nonce_in_the_query_wins_over_the_cookie_and_over_a_handshake_token() {
    let token = valid(&LIVE);
    let directives = vec![format!("__session={token}; Path=/")];
    let backend = FakeBackend::new().handshake_payload(Ok(directives.clone()));
    let req =
        Req::document("https://app.example-app.test/dashboard?__clerk_handshake_nonce=hsn_query")
            .cookie("__clerk_handshake_nonce", "hsn_cookie")
            .cookie(
                "__clerk_handshake",
                handshake_jwt(&[]).signed_by_other_key().sign(),
            );
    let state = run_with(&req, &live(), &backend).unwrap();
    assert_signed_in_with(&state, &token, resolved_headers(&directives));
    assert_eq!(
        backend.calls(),
        vec![Call::HandshakePayload("hsn_query".into())]
    );
}

#[test]
fn nonce_payload_error_is_signed_out_session_token_missing() {
    let backend = FakeBackend::new().handshake_payload(Err("BAPI answered 500".into()));
    let req = Req::document(DASHBOARD).cookie("__clerk_handshake_nonce", "hsn_1");
    let state = run_with(&req, &live(), &backend).unwrap();
    assert_signed_out_with(&state, "session-token-missing", "", resolved_headers(&[]));
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakePayloadFailed(
            "BAPI answered 500".into()
        )]
    );
    assert_eq!(
        state.diagnostics[0].message(),
        "Clerk: HandshakeService: error getting handshake payload: BAPI answered 500"
    );
}

#[test]
fn directives_without_a_session_value_are_session_token_missing() {
    for directives in [
        vec![],
        vec![format!("__client_uat=0; Path=/; Max-Age=0")],
        vec![
            format!("__session=; Path=/; Max-Age=0"),
            format!("__client_uat=0; Path=/"),
        ],
    ] {
        let backend = FakeBackend::new().handshake_payload(Ok(directives.clone()));
        let req = Req::document(DASHBOARD).cookie("__clerk_handshake_nonce", "hsn_1");
        let state = run_with(&req, &live(), &backend).unwrap();
        assert_signed_out_with(
            &state,
            "session-token-missing",
            "",
            resolved_headers(&directives),
        );
        assert_eq!(state.diagnostics, vec![]);
    }
}

#[test]
fn development_nonce_redirects_to_the_cleaned_url() {
    let token = valid(&DEV);
    let directives = vec![
        format!("__session={token}; Path=/"),
        format!("__client_uat={NOW}; Path=/"),
    ];
    let backend = FakeBackend::new().handshake_payload(Ok(directives.clone()));
    let req = Req::document(
        "https://app.example-app.test/dashboard?tab=2&__clerk_handshake_nonce=hsn_dev&__clerk_help=1&__clerk_db_jwt=dvb_q&keep=yes#section",
    );
    let state = run_with(&req, &dev(), &backend).unwrap();
    let mut headers = resolved_headers(&directives);
    headers.push((
        "location".into(),
        "https://app.example-app.test/dashboard?tab=2&keep=yes#section".into(),
    ));
    headers.push(("cache-control".into(), "no-store".into()));
    assert_signed_in_with(&state, &token, headers);
    assert_eq!(
        backend.calls(),
        vec![Call::HandshakePayload("hsn_dev".into())]
    );
}

#[test]
fn development_nonce_failure_still_redirects_to_the_cleaned_url() {
    let backend = FakeBackend::new().handshake_payload(Err("timeout".into()));
    let req =
        Req::document("https://app.example-app.test/dashboard?__clerk_handshake_nonce=hsn_dev");
    let state = run_with(&req, &dev(), &backend).unwrap();
    let mut headers = resolved_headers(&[]);
    headers.push(("location".into(), DASHBOARD.into()));
    headers.push(("cache-control".into(), "no-store".into()));
    assert_signed_out_with(&state, "session-token-missing", "", headers);
}

#[test]
fn development_expired_session_in_the_payload_is_retried_with_a_day_of_skew() {
    let token = session(&DEV)
        .claim("iat", NOW - 2000)
        .claim("nbf", NOW - 2000)
        .claim("exp", NOW - 1000)
        .sign();
    let directives = vec![format!("__session={token}; Path=/")];
    let backend = FakeBackend::new().handshake_payload(Ok(directives.clone()));
    let req =
        Req::document("https://app.example-app.test/dashboard?__clerk_handshake_nonce=hsn_dev");
    let state = run_with(&req, &dev(), &backend).unwrap();
    let mut headers = resolved_headers(&directives);
    headers.push(("location".into(), DASHBOARD.into()));
    headers.push(("cache-control".into(), "no-store".into()));
    assert_signed_in_with(&state, &token, headers);
    assert_eq!(state.diagnostics, vec![Diagnostic::ClockSkewRetry]);
    // A token from the future, too.
    let token = session(&DEV).claim("iat", NOW + 3600).sign();
    let directives = vec![format!("__session={token}")];
    let backend = FakeBackend::new().handshake_payload(Ok(directives.clone()));
    let state = run_with(&req, &dev(), &backend).unwrap();
    let mut headers = resolved_headers(&directives);
    headers.push(("location".into(), DASHBOARD.into()));
    headers.push(("cache-control".into(), "no-store".into()));
    assert_signed_in_with(&state, &token, headers);
    assert_eq!(state.diagnostics, vec![Diagnostic::ClockSkewRetry]);
}

#[test]
fn development_retry_failure_is_logged_and_the_cookie_flow_continues() {
    // Clerk throws a plain Error here, not a TokenVerificationError, so C1 logs and goes on.
    let token = session(&DEV)
        .claim("iat", NOW - 200_000)
        .claim("nbf", NOW - 200_000)
        .claim("exp", NOW - 190_000)
        .sign();
    let backend =
        FakeBackend::new().handshake_payload(Ok(vec![format!("__session={token}; Path=/")]));
    let req =
        Req::document("https://app.example-app.test/dashboard?__clerk_handshake_nonce=hsn_dev")
            .cookie("__clerk_db_jwt", DEV_BROWSER);
    let state = run_with(&req, &dev(), &backend).unwrap();
    assert_signed_out(&state, "session-token-and-uat-missing", "");
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakeUnresolved(format!(
            "JWT is expired. Expiry date: Mon, 30 Dec 2024 07:13:20 GMT, Current date: {NOW_UTC}."
        ))]
    );
}

#[test]
fn production_expired_session_in_the_payload_is_not_retried() {
    let token = session(&LIVE)
        .claim("iat", NOW - 2000)
        .claim("nbf", NOW - 2000)
        .claim("exp", NOW - 1000)
        .sign();
    let backend =
        FakeBackend::new().handshake_payload(Ok(vec![format!("__session={token}; Path=/")]));
    let req = Req::document(DASHBOARD).cookie("__clerk_handshake_nonce", "hsn_1");
    let state = run_with(&req, &live(), &backend).unwrap();
    assert_signed_out(&state, "session-token-and-uat-missing", "");
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakeUnresolved(format!(
            "JWT is expired. Expiry date: Wed, 01 Jan 2025 11:43:20 GMT, Current date: {NOW_UTC}."
        ))]
    );
    assert_eq!(
        state.diagnostics[0].message(),
        format!("Clerk: unable to resolve handshake: JWT is expired. Expiry date: Wed, 01 Jan 2025 11:43:20 GMT, Current date: {NOW_UTC}.")
    );
}

#[test]
fn invalid_session_in_the_payload_falls_through_to_the_cookies() {
    // Development too: a session-token failure is not a handshake-token failure.
    let bad = session(&DEV).signed_by_other_key().sign();
    let good = valid(&DEV);
    let backend = FakeBackend::new().handshake_payload(Ok(vec![format!("__session={bad}")]));
    let req = Req::document("https://app.example-app.test/dashboard?__clerk_handshake_nonce=n")
        .cookie("__clerk_db_jwt", DEV_BROWSER)
        .session_cookies(&good);
    let state = run_with(&req, &dev(), &backend).unwrap();
    assert_signed_in(&state, &good);
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakeUnresolved(
            "JWT signature is invalid.".into()
        )]
    );
}

// --- Resolution: legacy handshake JWT -------------------------------------------------------------

#[test]
fn production_handshake_cookie_jwt_resolves_without_redirect() {
    let token = valid(&LIVE);
    let directives = vec![
        format!("__session={token}; Path=/"),
        format!("__client_uat={NOW}; Path=/"),
    ];
    // The handshake JWT's own exp/nbf/iat are not checked.
    let hs = handshake_jwt(&directives).claim("exp", NOW - 3600).sign();
    let state = run(
        &Req::document(DASHBOARD).cookie("__clerk_handshake", &hs),
        &live(),
    );
    assert_signed_in_with(&state, &token, resolved_headers(&directives));
}

#[test]
fn development_handshake_query_jwt_redirects_without_handshake_params() {
    let token = valid(&DEV);
    let directives = vec![format!("__session={token}; Path=/")];
    let hs = handshake_jwt(&directives)
        .header("cat", "cl_B7d4PD111AAA")
        .sign();
    let url = format!(
        "https://app.example-app.test/dashboard?a=1&__clerk_handshake={hs}&__clerk_help=1&__clerk_db_jwt=dvb_q&b=%2F#top"
    );
    let state = run(&Req::document(&url), &dev());
    let mut headers = resolved_headers(&directives);
    headers.push((
        "location".into(),
        "https://app.example-app.test/dashboard?a=1&b=%2F#top".into(),
    ));
    headers.push(("cache-control".into(), "no-store".into()));
    assert_signed_in_with(&state, &token, headers);
}

#[test]
fn development_handshake_jwt_with_an_invalid_signature_is_a_bad_request() {
    let hs = handshake_jwt(&[format!("__session={}", valid(&DEV))])
        .signed_by_other_key()
        .sign();
    let req = Req::document(&format!("{DASHBOARD}?__clerk_handshake={hs}"))
        .cookie("__clerk_db_jwt", DEV_BROWSER);
    assert_eq!(
        run_with(&req, &dev(), &FakeBackend::new()),
        Err(AuthError::BadRequest(
            "Clerk: Handshake token verification failed due to an invalid signature. If you have switched Clerk keys locally, clear your cookies and try again.".into()
        ))
    );
}

#[test]
fn development_handshake_jwt_other_errors_are_bad_requests_with_the_full_message() {
    let cases = [
        (
            handshake_jwt(&[]).header("alg", "HS256").sign(),
            "Clerk: Handshake token verification failed: Invalid JWT algorithm \"HS256\". Supported: RS256,RS384,RS512. Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid-algorithm, token-carrier=undefined).",
        ),
        (
            handshake_jwt(&[]).header("cat", "cl_B7d4PD222AAA").sign(),
            "Clerk: Handshake token verification failed: Invalid handshake token category. Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid, token-carrier=undefined).",
        ),
        (
            handshake_jwt(&[]).header("typ", "JWS").sign(),
            "Clerk: Handshake token verification failed: Invalid JWT type \"JWS\". Expected \"JWT\". Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid, token-carrier=undefined).",
        ),
        (
            "not.a.jwt".to_string(),
            "Clerk: Handshake token verification failed: Invalid JWT form. The header, payload, or signature could not be decoded. (reason=token-invalid, token-carrier=undefined).",
        ),
    ];
    for (hs, message) in cases {
        let req = Req::document(&format!("{DASHBOARD}?__clerk_handshake={hs}"))
            .cookie("__clerk_db_jwt", DEV_BROWSER);
        assert_eq!(
            run_with(&req, &dev(), &FakeBackend::new()),
            Err(AuthError::BadRequest(message.into()))
        );
    }
}

#[test]
fn production_invalid_handshake_jwt_falls_through_to_the_cookie_flow() {
    let good = valid(&LIVE);
    let hs = handshake_jwt(&[format!("__session={good}")])
        .signed_by_other_key()
        .sign();
    let req = Req::document(DASHBOARD)
        .cookie("__clerk_handshake", &hs)
        .session_cookies(&good);
    let state = run(&req, &live());
    assert_signed_in(&state, &good);
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakeUnresolved(
            "Handshake signature is invalid.".into()
        )]
    );
    // Without session cookies the flow reaches C7.
    let state = run(
        &Req::document(DASHBOARD).cookie("__clerk_handshake", &hs),
        &live(),
    );
    assert_signed_out(&state, "session-token-and-uat-missing", "");
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakeUnresolved(
            "Handshake signature is invalid.".into()
        )]
    );
}

#[test]

fn handshake_jwt_without_a_directive_array_has_no_directives() {
    for claims in [
        serde_json::json!({"foo": 1}),
        serde_json::json!({"handshake": "__session=x"}),
    ] {
        let hs = token_with(claims).sign();
        let state = run(
            &Req::document(DASHBOARD).cookie("__clerk_handshake", &hs),
            &live(),
        );
        assert_signed_out_with(&state, "session-token-missing", "", resolved_headers(&[]));
    }
}

// --- Satellites -------------------------------------------------------------------------------------

const CART: &str = "https://shop-satellite.test/cart";

fn live_satellite(auto_sync: bool) -> clerk_edge::Config {
    config(Options {
        is_satellite: Some(true),
        domain: Some("shop-satellite.test".into()),
        satellite_auto_sync: Some(auto_sync),
        ..options(&LIVE)
    })
}

fn satellite_token() -> String {
    session(&LIVE)
        .claim("iss", "https://clerk.shop-satellite.test")
        .sign()
}

fn satellite_handshake(url: &str) -> HandshakeUrl {
    handshake_url(
        "https://clerk.shop-satellite.test/v1/client/handshake",
        url,
        false,
        "satellite-needs-syncing",
    )
}

#[test]
fn production_satellite_first_visit_without_auto_sync_is_signed_out() {
    let state = run(&Req::document(CART), &live_satellite(false));
    assert_signed_out(&state, "session-token-and-uat-missing", "");
}

#[test]
fn production_satellite_synced_false_forces_a_sync() {
    let url = "https://shop-satellite.test/cart?__clerk_synced=false";
    // Without cookies (the auto-sync skip does not apply to an explicit false).
    assert_handshake(
        &run(&Req::document(url), &live_satellite(false)),
        "satellite-needs-syncing",
        "",
        &satellite_handshake(url).build(),
        1,
    );
    // With cookies: the session goes along.
    let token = satellite_token();
    assert_handshake(
        &run(
            &Req::document(url).session_cookies(&token),
            &live_satellite(false),
        ),
        "satellite-needs-syncing",
        "",
        &satellite_handshake(url).session(&token).build(),
        1,
    );
}

#[test]
fn production_satellite_with_cookies_or_synced_true_continues() {
    let token = satellite_token();
    for auto_sync in [false, true] {
        assert_signed_in(
            &run(
                &Req::document(CART).session_cookies(&token),
                &live_satellite(auto_sync),
            ),
            &token,
        );
    }
    let synced = "https://shop-satellite.test/cart?__clerk_synced=true";
    assert_signed_out(
        &run(&Req::document(synced), &live_satellite(true)),
        "session-token-and-uat-missing",
        "",
    );
}

#[test]
fn production_satellite_loop_is_a_satellite_loop() {
    let state = run(
        &Req::document(CART).cookie("__clerk_redirect_count", 3),
        &live_satellite(true),
    );
    assert_signed_out(&state, "satellite-needs-syncing", "");
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakeLoop { satellite: true }]
    );
}

#[test]

fn satellite_loop_log_is_clerks_text() {
    assert_eq!(
        Diagnostic::HandshakeLoop { satellite: true }.message(),
        "Clerk: Satellite-domain authentication resulted in an infinite redirect loop. Check that this request is using a configured primary or satellite domain for the production instance. For preview deployments, use a development/staging Clerk instance or a supported configured preview-domain setup."
    );
}

#[test]
fn production_satellite_behind_a_proxy_syncs_through_the_proxy() {
    let cfg = config(Options {
        is_satellite: Some(true),
        proxy_url: Some("https://shop-satellite.test/__clerk".into()),
        satellite_auto_sync: Some(true),
        ..options(&LIVE)
    });
    assert_handshake(
        &run(&Req::document(CART), &cfg),
        "satellite-needs-syncing",
        "",
        &handshake_url(
            "https://shop-satellite.test/__clerk/v1/client/handshake",
            CART,
            false,
            "satellite-needs-syncing",
        )
        .build(),
        1,
    );
}

fn dev_satellite(sign_in: &str, auto_sync: bool) -> clerk_edge::Config {
    config(Options {
        is_satellite: Some(true),
        domain: Some("shop-satellite.test".into()),
        sign_in_url: Some(sign_in.into()),
        satellite_auto_sync: Some(auto_sync),
        ..options(&DEV)
    })
}

#[test]
fn development_satellite_redirects_to_the_primary_sign_in() {
    let url = "https://shop-satellite.test/cart?__clerk_synced=false";
    let cfg = dev_satellite("https://app.example-app.test/sign-in?lang=en", false);
    assert_handshake(
        &run(&Req::document(url), &cfg),
        "satellite-needs-syncing",
        "",
        "https://app.example-app.test/sign-in?lang=en&__clerk_redirect_url=https%3A%2F%2Fshop-satellite.test%2Fcart%3F__clerk_synced%3Dfalse",
        1,
    );
    // First visit without auto-sync: signed-out, no redirect.
    assert_signed_out(
        &run(&Req::document(CART), &cfg),
        "session-token-and-uat-missing",
        "",
    );
    // Loop guard.
    let state = run(
        &Req::document(url).cookie("__clerk_redirect_count", 3),
        &cfg,
    );
    assert_signed_out(&state, "satellite-needs-syncing", "");
    assert_eq!(
        state.diagnostics,
        vec![Diagnostic::HandshakeLoop { satellite: true }]
    );
}

#[test]
fn development_satellite_sign_in_url_checks_need_an_origin_header() {
    let same_origin = dev_satellite("https://shop-satellite.test/sign-in", true);
    let req = Req::document(CART).header("origin", "https://shop-satellite.test");
    assert_eq!(
        run_with(&req, &same_origin, &FakeBackend::new()),
        Err(AuthError::Fatal(
            "The signInUrl needs to be on a different origin than your satellite application."
                .into()
        ))
    );
    let relative = dev_satellite("/sign-in", true);
    assert_eq!(
        run_with(&req, &relative, &FakeBackend::new()),
        Err(AuthError::Fatal(
            "The signInUrl needs to have a absolute url format.".into()
        ))
    );
    // Without Origin the checks are skipped: the same-origin sign-in is used as is...
    assert_handshake(
        &run(&Req::document(CART), &same_origin),
        "satellite-needs-syncing",
        "",
        "https://shop-satellite.test/sign-in?__clerk_redirect_url=https%3A%2F%2Fshop-satellite.test%2Fcart",
        1,
    );
    // ...and a relative one cannot be parsed when the redirect is built (Clerk: `Invalid URL`).
    match run_with(&Req::document(CART), &relative, &FakeBackend::new()) {
        Err(AuthError::Fatal(m)) => assert!(m.starts_with("Invalid URL"), "{m}"),
        other => panic!("expected a fatal error, got {other:?}"),
    }
}

#[test]
fn development_primary_answers_sync_requests() {
    let url = |target: &str| {
        format!(
            "https://app.example-app.test/sign-in?__clerk_redirect_url={}",
            form(target)
        )
    };
    let cases = [
        // An existing __clerk_synced is replaced in place; the dev browser is appended first.
        (
            "https://shop-satellite.test/cart?__clerk_synced=false&x=1",
            Some(DEV_BROWSER),
            "https://shop-satellite.test/cart?__clerk_synced=true&x=1&__clerk_db_jwt=dvb_2EdgeTestDevBrowser",
        ),
        // No dev browser yet (C4 comes before C6).
        ("https://shop-satellite.test/cart", None, "https://shop-satellite.test/cart?__clerk_synced=true"),
    ];
    for (target, db, location) in cases {
        let mut req = Req::document(&url(target));
        if let Some(db) = db {
            req = req.cookie("__clerk_db_jwt", db);
        }
        assert_handshake(
            &run(&req, &dev()),
            "primary-responds-to-syncing",
            "",
            location,
            1,
        );
        assert_signed_out(
            &run(&req.clone().dest("empty"), &dev()),
            "primary-responds-to-syncing",
            "",
        );
    }
    // The dev browser in the primary's own query is the one forwarded.
    let req = Req::document(&format!("{}&__clerk_db_jwt=dvb_q", url(CART)));
    assert_eq!(
        run(&req, &dev()).location(),
        Some("https://shop-satellite.test/cart?__clerk_db_jwt=dvb_q&__clerk_synced=true")
    );
    // An unparseable or non-http(s) target is the client's error (a gateway answers 400).
    for target in [
        "not a url",
        "javascript:alert(1)",
        "data:text/html,x",
        "//evil.example/x",
    ] {
        match run_with(&Req::document(&url(target)), &dev(), &FakeBackend::new()) {
            Err(AuthError::BadRequest(m)) => assert_eq!(m, "Invalid URL"),
            other => panic!("expected a bad request for {target:?}, got {other:?}"),
        }
    }
}

#[test]

fn development_primary_ignores_an_empty_sync_request() {
    let req = Req::document("https://app.example-app.test/sign-in?__clerk_redirect_url=")
        .cookie("__clerk_db_jwt", DEV_BROWSER);
    assert_signed_out(&run(&req, &dev()), "session-token-and-uat-missing", "");
}

#[test]
fn production_primary_ignores_sync_requests() {
    let req = Req::document(&format!(
        "https://app.example-app.test/sign-in?__clerk_redirect_url={}",
        form(CART)
    ));
    assert_signed_out(&run(&req, &live()), "session-token-and-uat-missing", "");
    // A development satellite ignores it too (C3 decides first, then C5/C6).
    let cfg = dev_satellite("https://app.example-app.test/sign-in", false);
    let req = Req::fetch(&format!("{CART}?__clerk_redirect_url={}", form(DASHBOARD)));
    assert_signed_out(&run(&req, &cfg), "dev-browser-missing", "");
}

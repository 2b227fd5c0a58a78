//! The cookie flow row by row (spec §1.9, C1–C17), then the suffixed/un-suffixed cookie choice
//! (§1.3 rules 1–8). Every handshake row is checked twice: as a document GET (a 307 with Clerk's
//! exact `Location`, `Cache-Control` and counter cookie) and as requests that cannot be redirected
//! (a `fetch()` and a form POST), which must be signed-out with the same reason and message.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::decide::state::Diagnostic;
use clerk_edge::{AuthStatus, Options};
use serde_json::json;
use support::*;

fn live() -> clerk_edge::Config {
    config(options(&LIVE))
}

fn dev() -> clerk_edge::Config {
    config(options(&DEV))
}

/// A `fetch()` and a form POST carrying the same URL, headers and cookies.
fn not_eligible(req: &Req) -> [Req; 2] {
    [req.clone().dest("empty"), req.clone().with_method("POST")]
}

/// The handshake row contract: a document GET redirects, the others are signed-out with the
/// same reason and message.
fn assert_handshake_row(
    req: &Req,
    cfg: &clerk_edge::Config,
    reason: &str,
    message: &str,
    location: &str,
) {
    assert_handshake(&run(req, cfg), reason, message, location, 1);
    for other in not_eligible(req) {
        assert_signed_out(&run(&other, cfg), reason, message);
    }
}

/// `https://clerk.example-app.test/v1/client/handshake?redirect_url=<dashboard>&…`
fn live_dashboard(reason: &str, suffixed: bool) -> HandshakeUrl {
    handshake_url(&LIVE.handshake_base(), DASHBOARD, suffixed, reason)
}

fn dev_dashboard(reason: &str) -> HandshakeUrl {
    handshake_url(&DEV.handshake_base(), DASHBOARD, false, reason)
}

// --- C1 ---------------------------------------------------------------------------------------

#[test]
fn c1_handshake_nonce_resolves_to_signed_in_on_any_request() {
    let cfg = live();
    let token = valid(&LIVE);
    let directives = vec![
        format!("__session={token}; Path=/; Secure; SameSite=Lax"),
        format!("__client_uat={NOW}; Path=/; Max-Age=315360000; Secure; SameSite=Lax"),
    ];
    let req = Req::document(DASHBOARD).cookie("__clerk_handshake_nonce", "hsn_row_c1");
    for r in [
        req.clone(),
        req.clone().dest("empty"),
        req.with_method("POST"),
    ] {
        let backend = FakeBackend::new().handshake_payload(Ok(directives.clone()));
        let state = run_with(&r, &cfg, &backend).unwrap();
        assert_signed_in_with(&state, &token, resolved_headers(&directives));
        assert_eq!(
            backend.calls(),
            vec![Call::HandshakePayload("hsn_row_c1".into())]
        );
    }
}

// --- C2, C3, C4: multi-domain sync --------------------------------------------------------------

const SATELLITE_CART: &str = "https://shop-satellite.test/cart";

#[test]
fn c2_production_satellite_without_cookies_needs_syncing() {
    let cfg = config(Options {
        is_satellite: Some(true),
        domain: Some("shop-satellite.test".into()),
        satellite_auto_sync: Some(true),
        ..options(&LIVE)
    });
    let req = Req::document(SATELLITE_CART);
    assert_handshake(
        &run(&req, &cfg),
        "satellite-needs-syncing",
        "",
        "https://clerk.shop-satellite.test/v1/client/handshake?redirect_url=https%3A%2F%2Fshop-satellite.test%2Fcart&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=satellite-needs-syncing&format=nonce",
        1,
    );
    // Only document GETs are sync-eligible: the others skip C2 and meet C7.
    for other in not_eligible(&req) {
        assert_signed_out(&run(&other, &cfg), "session-token-and-uat-missing", "");
    }
}

#[test]
fn c3_development_satellite_syncs_through_the_primary_sign_in() {
    let cfg = config(Options {
        is_satellite: Some(true),
        domain: Some("shop-satellite.test".into()),
        sign_in_url: Some("https://app.example-app.test/sign-in".into()),
        satellite_auto_sync: Some(true),
        ..options(&DEV)
    });
    let req = Req::document(SATELLITE_CART);
    assert_handshake(
        &run(&req, &cfg),
        "satellite-needs-syncing",
        "",
        "https://app.example-app.test/sign-in?__clerk_redirect_url=https%3A%2F%2Fshop-satellite.test%2Fcart",
        1,
    );
    // Not sync-eligible: C3 is skipped and the missing dev browser (C6) decides.
    for other in not_eligible(&req) {
        assert_signed_out(&run(&other, &cfg), "dev-browser-missing", "");
    }
}

#[test]
fn c4_development_primary_answers_a_satellite_with_its_dev_browser() {
    let req = Req::document(
        "https://app.example-app.test/sign-in?__clerk_redirect_url=https%3A%2F%2Fshop-satellite.test%2Fcart",
    )
    .cookie("__clerk_db_jwt", DEV_BROWSER);
    assert_handshake_row(
        &req,
        &dev(),
        "primary-responds-to-syncing",
        "",
        "https://shop-satellite.test/cart?__clerk_db_jwt=dvb_2EdgeTestDevBrowser&__clerk_synced=true",
    );
}

// --- C5, C6: development browser ----------------------------------------------------------------

#[test]
fn c5_dev_browser_in_the_query_is_synced() {
    // The query token wins over the cookie, and is removed from redirect_url.
    let req =
        Req::document("https://app.example-app.test/dashboard?__clerk_db_jwt=dvb_fromQuery&tab=2")
            .cookie("__clerk_db_jwt", DEV_BROWSER);
    assert_handshake_row(
        &req,
        &dev(),
        "dev-browser-sync",
        "",
        "https://brave-otter-42.clerk.accounts.dev/v1/client/handshake?redirect_url=https%3A%2F%2Fapp.example-app.test%2Fdashboard%3Ftab%3D2&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=dev-browser-sync&format=nonce&__clerk_db_jwt=dvb_fromQuery",
    );
}

#[test]
fn c5_an_empty_dev_browser_query_parameter_still_syncs() {
    // Clerk (checked against @clerk/backend 3.25.0): `has()` is true for `?__clerk_db_jwt=`, and
    // the empty query value falls back to the cookie for the handshake parameter.
    let req = Req::document("https://app.example-app.test/dashboard?__clerk_db_jwt=")
        .cookie("__clerk_db_jwt", DEV_BROWSER);
    assert_handshake_row(
        &req,
        &dev(),
        "dev-browser-sync",
        "",
        &dev_dashboard("dev-browser-sync")
            .dev_browser(DEV_BROWSER)
            .build(),
    );
}

#[test]
fn c6_development_without_dev_browser_handshakes() {
    assert_handshake_row(
        &Req::document(DASHBOARD),
        &dev(),
        "dev-browser-missing",
        "",
        "https://brave-otter-42.clerk.accounts.dev/v1/client/handshake?redirect_url=https%3A%2F%2Fapp.example-app.test%2Fdashboard&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=dev-browser-missing&format=nonce",
    );
}

#[test]
fn c6_even_with_a_valid_session_and_it_is_forwarded() {
    let token = valid(&DEV);
    let req = Req::document(DASHBOARD).session_cookies(&token);
    assert_handshake_row(
        &req,
        &dev(),
        "dev-browser-missing",
        "",
        &dev_dashboard("dev-browser-missing").session(&token).build(),
    );
}

// --- C7, C8, C9: which cookies exist ------------------------------------------------------------

#[test]
fn c7_no_cookies_is_signed_out_never_a_handshake() {
    let cfg = live();
    for req in [
        Req::document(DASHBOARD),
        Req::fetch(DASHBOARD),
        Req::post(DASHBOARD),
        Req::document(DASHBOARD).cookie("__client_uat", 0),
        Req::document(DASHBOARD).cookie("__client_uat", "not-a-number"),
        Req::document(DASHBOARD).cookie("__session", ""),
    ] {
        let state = run(&req, &cfg);
        assert_signed_out(&state, "session-token-and-uat-missing", "");
        assert_eq!(state.diagnostics, vec![]);
    }
    // Development with a dev browser reaches C7 too.
    let req = Req::document(DASHBOARD).cookie("__clerk_db_jwt", DEV_BROWSER);
    assert_signed_out(&run(&req, &dev()), "session-token-and-uat-missing", "");
}

#[test]
fn c8_session_without_client_uat_handshakes() {
    let token = valid(&LIVE);
    for uat in [None, Some("0"), Some("garbage")] {
        let mut req = Req::document(DASHBOARD).cookie("__session", &token);
        if let Some(u) = uat {
            req = req.cookie("__client_uat", u);
        }
        assert_handshake_row(
            &req,
            &live(),
            "session-token-but-no-client-uat",
            "",
            &live_dashboard("session-token-but-no-client-uat", false)
                .session(&token)
                .build(),
        );
    }
}

#[test]
fn c9_client_uat_without_session_handshakes() {
    assert_handshake_row(
        &Req::document(DASHBOARD).cookie("__client_uat", UAT),
        &live(),
        "client-uat-but-no-session-token",
        "",
        "https://clerk.example-app.test/v1/client/handshake?redirect_url=https%3A%2F%2Fapp.example-app.test%2Fdashboard&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=client-uat-but-no-session-token&format=nonce",
    );
}

#[test]
fn c9_a_negative_client_uat_counts_as_a_client() {
    assert_handshake_row(
        &Req::document(DASHBOARD).cookie("__client_uat", "-5"),
        &live(),
        "client-uat-but-no-session-token",
        "",
        &live_dashboard("client-uat-but-no-session-token", false).build(),
    );
}

#[test]
fn c9_development_carries_the_dev_browser_in_the_handshake() {
    let req = Req::document(DASHBOARD)
        .cookie("__clerk_db_jwt", DEV_BROWSER)
        .cookie("__client_uat", UAT);
    assert_handshake_row(
        &req,
        &dev(),
        "client-uat-but-no-session-token",
        "",
        &dev_dashboard("client-uat-but-no-session-token")
            .dev_browser(DEV_BROWSER)
            .build(),
    );
}

// --- C10, C11: the cookie token's shape ----------------------------------------------------------

#[test]
fn c10_undecodable_cookie_token_is_token_invalid() {
    let cases = [
        (
            "not-a-jwt",
            "Invalid JWT form. A JWT consists of three parts separated by dots. (reason=token-invalid, token-carrier=cookie)",
        ),
        (
            "aaa.bbb.ccc",
            "Invalid JWT form. The header, payload, or signature could not be decoded. (reason=token-invalid, token-carrier=cookie)",
        ),
    ];
    for (token, message) in cases {
        let req = Req::document(DASHBOARD).session_cookies(token);
        for r in [
            req.clone(),
            req.clone().dest("empty"),
            req.with_method("POST"),
        ] {
            assert_signed_out(&run(&r, &live()), "token-invalid", message);
        }
    }
}

#[test]
fn c11_machine_and_non_session_tokens_are_a_type_mismatch() {
    let tokens = [
        session(&LIVE).claim("sub", "mch_2EdgeMachine").sign(),
        session(&LIVE).header("typ", "at+jwt").sign(),
        session(&LIVE).header("typ", "application/at+jwt").sign(),
        session(&LIVE).header("cat", "cl_B7d4PD222AAA").sign(),
        session(&LIVE).header("cat", "cl_B7d4PD333AAA").sign(),
        // C11 comes before any signature check.
        session(&LIVE)
            .claim("sub", "mch_2EdgeMachine")
            .signed_by_other_key()
            .sign(),
    ];
    for token in tokens {
        let req = Req::document(DASHBOARD).session_cookies(&token);
        for r in [
            req.clone(),
            req.clone().dest("empty"),
            req.with_method("POST"),
        ] {
            assert_signed_out(&run(&r, &live()), "token-type-mismatch", "");
        }
    }
}

#[test]
fn c11_session_and_ignore_categories_are_accepted() {
    for cat in ["cl_B7d4PD111AAA", "cl_I7d4PD111III"] {
        let token = session(&LIVE).header("cat", cat).sign();
        let state = run(&Req::document(DASHBOARD).session_cookies(&token), &live());
        assert_signed_in(&state, &token);
    }
}

// --- C12, C13: freshness and verification -------------------------------------------------------

#[test]
fn c12_token_issued_before_the_client_signed_in_again_handshakes() {
    let token = valid(&LIVE); // iat = NOW - 10
    let req = Req::document(DASHBOARD)
        .cookie("__client_uat", NOW - 9)
        .cookie("__session", &token);
    assert_handshake_row(
        &req,
        &live(),
        "session-token-iat-before-client-uat",
        "",
        &live_dashboard("session-token-iat-before-client-uat", false)
            .session(&token)
            .build(),
    );
    // iat == client_uat is fresh enough.
    let req = Req::document(DASHBOARD)
        .cookie("__client_uat", NOW - 10)
        .cookie("__session", &token);
    assert_signed_in(&run(&req, &live()), &token);
}

#[test]
fn c12_is_checked_before_the_signature() {
    let token = session(&LIVE).signed_by_other_key().sign();
    let req = Req::document(DASHBOARD)
        .cookie("__client_uat", NOW)
        .cookie("__session", &token);
    assert_handshake_row(
        &req,
        &live(),
        "session-token-iat-before-client-uat",
        "",
        &live_dashboard("session-token-iat-before-client-uat", false)
            .session(&token)
            .build(),
    );
}

#[test]
fn c13_verification_failure_is_signed_out_with_the_token_reason() {
    let token = session(&LIVE).signed_by_other_key().sign();
    let req = Req::document(DASHBOARD).session_cookies(&token);
    for r in [
        req.clone(),
        req.clone().dest("empty"),
        req.with_method("POST"),
    ] {
        assert_signed_out(
            &run(&r, &live()),
            "token-invalid-signature",
            "JWT signature is invalid. (reason=token-invalid-signature, token-carrier=cookie)",
        );
    }
}

#[test]
fn c13_expired_cookie_token_handshakes_and_names_the_refresh_outcome() {
    let token = session(&LIVE).expired(60).sign();
    let req = Req::document(DASHBOARD).session_cookies(&token);
    let message = format!(
        "JWT is expired. Expiry date: {}, Current date: {NOW_UTC}. (reason=token-expired, token-carrier=cookie)",
        utc(-60)
    );
    let reason = "session-token-expired-refresh-non-eligible-no-refresh-cookie";
    assert_handshake(
        &run(&req, &live()),
        reason,
        &message,
        &live_dashboard(reason, false).session(&token).build(),
        1,
    );
    assert_signed_out(&run(&req.clone().dest("empty"), &live()), reason, &message);
    assert_signed_out(
        &run(&req.with_method("POST"), &live()),
        "session-token-expired-refresh-non-eligible-non-get",
        &message,
    );
}

#[test]
fn c13_not_yet_valid_and_future_iat_cookie_tokens_handshake() {
    // nbf in the future (iat stays in the past so C12 does not fire).
    let token = session(&LIVE).claim("nbf", NOW + 60).sign();
    let message = format!(
        "JWT cannot be used prior to not before date claim (nbf). Not before date: {}; Current date: {NOW_UTC}; (reason=token-not-active-yet, token-carrier=cookie)",
        utc(60)
    );
    assert_handshake_row(
        &Req::document(DASHBOARD).session_cookies(&token),
        &live(),
        "session-token-nbf",
        &message,
        &live_dashboard("session-token-nbf", false)
            .session(&token)
            .build(),
    );

    let token = session(&LIVE).claim("iat", NOW + 60).sign();
    let message = format!(
        "JWT issued at date claim (iat) is in the future. Issued at date: {}; Current date: {NOW_UTC}; (reason=token-iat-in-the-future, token-carrier=cookie)",
        utc(60)
    );
    assert_handshake_row(
        &Req::document(DASHBOARD).session_cookies(&token),
        &live(),
        "session-token-iat-in-the-future",
        &message,
        &live_dashboard("session-token-iat-in-the-future", false)
            .session(&token)
            .build(),
    );
}

// --- C14, C17: signed in -------------------------------------------------------------------------

#[test]
fn c14_token_without_azp_is_signed_in_with_a_warning() {
    let token = session(&LIVE).without("azp").sign();
    let req = Req::document(DASHBOARD).session_cookies(&token);
    for r in [
        req.clone(),
        req.clone().dest("empty"),
        req.with_method("POST"),
    ] {
        let state = run(&r, &live());
        assert_signed_in(&state, &token);
        assert_eq!(state.diagnostics, vec![Diagnostic::MissingAzp]);
    }
    assert_eq!(
        Diagnostic::MissingAzp.message(),
        "Clerk: Session token from cookie is missing the azp claim. In a future version of Clerk, this token will be considered invalid. Please contact Clerk support if you see this warning."
    );
}

#[test]
fn c17_valid_cookie_token_is_signed_in_without_headers() {
    let token = valid(&LIVE);
    let req = Req::document(DASHBOARD).session_cookies(&token);
    for r in [
        req.clone(),
        req.clone().dest("empty"),
        req.with_method("POST"),
    ] {
        let state = run(&r, &live());
        assert_signed_in(&state, &token);
        assert_eq!(state.diagnostics, vec![]);
        let auth = state.to_auth(true).expect("signed-in auth");
        assert_eq!(auth.user_id.as_deref(), Some(USER));
        assert_eq!(auth.session_id.as_deref(), Some(SESSION));
    }
    // Development with a dev-browser cookie.
    let token = valid(&DEV);
    let req = Req::document(DASHBOARD)
        .cookie("__clerk_db_jwt", DEV_BROWSER)
        .session_cookies(&token);
    assert_signed_in(&run(&req, &dev()), &token);
}

#[test]
fn c17_pending_session_is_signed_in_but_not_authenticated_by_to_auth() {
    let token = session(&LIVE).claim("sts", "pending").sign();
    let state = run(&Req::document(DASHBOARD).session_cookies(&token), &live());
    assert_signed_in(&state, &token);
    assert_eq!(state.to_auth(true), None);
    assert_eq!(
        state.to_auth(false).unwrap().session_status.as_deref(),
        Some("pending")
    );
}

// --- C15: cross-origin referrer ----------------------------------------------------------------

#[test]
fn c15_cross_origin_referrer_forces_a_primary_sync() {
    let token = valid(&LIVE);
    let req = Req::document(DASHBOARD)
        .header("referer", "https://shop-satellite.test/cart")
        .session_cookies(&token);
    let reason = "primary-domain-cross-origin-sync";
    let message = "Cross-origin request from satellite domain requires handshake";
    assert_handshake(
        &run(&req, &live()),
        reason,
        message,
        &live_dashboard(reason, false).session(&token).build(),
        1,
    );
    // Only document GETs with a zero counter: everything else stays signed-in.
    for other in [
        req.clone().dest("empty"),
        req.clone().dest("iframe"),
        req.clone().with_method("POST"),
        req.clone().cookie("__clerk_redirect_count", 1),
    ] {
        assert_signed_in(&run(&other, &live()), &token);
    }
}

#[test]
fn c15_same_origin_unparseable_and_known_clerk_referrers_do_not_sync() {
    let token = valid(&LIVE);
    for referrer in [
        "https://app.example-app.test/sign-in",
        "not a url",
        // The Frontend API host.
        "https://clerk.example-app.test/v1/client",
        // The Account Portal origin derived from it.
        "https://accounts.example-app.test/sign-in",
    ] {
        let req = Req::document(DASHBOARD)
            .header("referer", referrer)
            .session_cookies(&token);
        assert_signed_in(&run(&req, &live()), &token);
    }
    // A development Account Portal is not trusted by a production instance.
    let req = Req::document(DASHBOARD)
        .header("referer", "https://happy-hippo-1.accounts.dev/sign-in")
        .session_cookies(&token);
    let reason = "primary-domain-cross-origin-sync";
    assert_handshake(
        &run(&req, &live()),
        reason,
        "Cross-origin request from satellite domain requires handshake",
        &live_dashboard(reason, false).session(&token).build(),
        1,
    );
}

#[test]
fn c15_development_trusts_development_account_portals() {
    let token = valid(&DEV);
    let base = Req::document(DASHBOARD)
        .cookie("__clerk_db_jwt", DEV_BROWSER)
        .session_cookies(&token);
    for referrer in [
        "https://brave-otter-42.accounts.dev/sign-in",
        "https://happy-hippo-1.accounts.dev/sign-in",
        "https://accounts.inspired.puma-74.lcl.dev/",
        "https://brave-otter-42.clerk.accounts.dev/v1/client",
    ] {
        let req = base.clone().header("referer", referrer);
        assert_signed_in(&run(&req, &dev()), &token);
    }
    // Another instance's Frontend API is not a portal.
    let reason = "primary-domain-cross-origin-sync";
    let req = base.header(
        "referer",
        "https://happy-hippo-1.clerk.accounts.dev/v1/client",
    );
    assert_handshake(
        &run(&req, &dev()),
        reason,
        "Cross-origin request from satellite domain requires handshake",
        &dev_dashboard(reason)
            .session(&token)
            .dev_browser(DEV_BROWSER)
            .build(),
        1,
    );
}

#[test]
fn c15_satellites_never_force_a_primary_sync() {
    let cfg = config(Options {
        is_satellite: Some(true),
        domain: Some("shop-satellite.test".into()),
        ..options(&LIVE)
    });
    let token = session(&LIVE)
        .claim("iss", "https://clerk.shop-satellite.test")
        .sign();
    let req = Req::document("https://shop-satellite.test/cart?__clerk_synced=true")
        .header("referer", "https://app.example-app.test/")
        .session_cookies(&token);
    assert_signed_in(&run(&req, &cfg), &token);
}

// --- C16: organization sync ----------------------------------------------------------------------

fn org_config() -> clerk_edge::Config {
    config(Options {
        organization_sync_options: Some(clerk_edge::decide::config::OrgSyncOptions {
            organization_patterns: Some(vec!["/orgs/:slug".into(), "/orgs/:slug/(.*)".into()]),
            personal_account_patterns: Some(vec!["/me".into(), "/me/(.*)".into()]),
        }),
        ..options(&LIVE)
    })
}

fn acme_member() -> Token {
    session(&LIVE)
        .claim("org_id", "org_2Acme")
        .claim("org_slug", "acme")
        .claim("org_role", "org:admin")
}

#[test]
fn c16_active_organization_matches_the_url() {
    let token = acme_member().sign();
    for path in ["/orgs/acme", "/orgs/acme/settings", "/dashboard"] {
        let req = Req::document(&format!("{APP}{path}")).session_cookies(&token);
        let state = run(&req, &org_config());
        assert_signed_in(&state, &token);
        assert_eq!(state.diagnostics, vec![]);
    }
}

#[test]
fn c16_other_organization_slug_handshakes_with_organization_id() {
    let token = acme_member().sign();
    let url = "https://app.example-app.test/orgs/globex/settings";
    let req = Req::document(url).session_cookies(&token);
    let reason = "active-organization-mismatch";
    assert_handshake(
        &run(&req, &org_config()),
        reason,
        "",
        &handshake_url(&LIVE.handshake_base(), url, false, reason)
            .session(&token)
            .organization("globex")
            .build(),
        1,
    );
    // Not eligible: stays signed-in (the mismatch is left to the page).
    for other in not_eligible(&req) {
        let state = run(&other, &org_config());
        assert_signed_in(&state, &token);
        assert_eq!(state.diagnostics, vec![]);
    }
}

#[test]
fn c16_organization_id_pattern_compares_ids_and_reads_v2_claims() {
    let cfg = config(Options {
        organization_sync_options: Some(clerk_edge::decide::config::OrgSyncOptions {
            organization_patterns: Some(vec!["/o/:id".into()]),
            personal_account_patterns: None,
        }),
        ..options(&LIVE)
    });
    let token = session(&LIVE)
        .claim("v", 2)
        .claim(
            "o",
            json!({"id": "org_2Acme", "slg": "acme", "rol": "admin"}),
        )
        .sign();
    let same = Req::document("https://app.example-app.test/o/org_2Acme").session_cookies(&token);
    assert_signed_in(&run(&same, &cfg), &token);

    let url = "https://app.example-app.test/o/org_2Globex";
    let reason = "active-organization-mismatch";
    assert_handshake(
        &run(&Req::document(url).session_cookies(&token), &cfg),
        reason,
        "",
        &handshake_url(&LIVE.handshake_base(), url, false, reason)
            .session(&token)
            .organization("org_2Globex")
            .build(),
        1,
    );
}

#[test]
fn c16_personal_account_url_with_an_active_organization_handshakes() {
    let token = acme_member().sign();
    let url = "https://app.example-app.test/me/profile";
    let reason = "active-organization-mismatch";
    assert_handshake(
        &run(&Req::document(url).session_cookies(&token), &org_config()),
        reason,
        "",
        &handshake_url(&LIVE.handshake_base(), url, false, reason)
            .session(&token)
            .organization("")
            .build(),
        1,
    );
    // Without an active organization the personal account is already active.
    let personal = valid(&LIVE);
    let req = Req::document(url).session_cookies(&personal);
    assert_signed_in(&run(&req, &org_config()), &personal);
}

#[test]
fn c16_after_three_redirects_the_mismatch_is_left_signed_in() {
    let token = acme_member().sign();
    for count in [3, 4, 10] {
        let req = Req::document("https://app.example-app.test/orgs/globex")
            .cookie("__clerk_redirect_count", count)
            .session_cookies(&token);
        let state = run(&req, &org_config());
        assert_signed_in(&state, &token);
        assert_eq!(state.diagnostics, vec![Diagnostic::OrganizationLoop]);
    }
    assert_eq!(
        Diagnostic::OrganizationLoop.message(),
        "Clerk: Organization activation handshake loop detected. This is likely due to an invalid organization ID or slug. Skipping organization activation."
    );
    // Two earlier redirects: the third is still issued.
    let req = Req::document("https://app.example-app.test/orgs/globex")
        .cookie("__clerk_redirect_count", 2)
        .session_cookies(&token);
    let state = run(&req, &org_config());
    assert_eq!(state.status(), AuthStatus::Handshake);
    assert_eq!(
        state.set_cookies().collect::<Vec<_>>(),
        vec![redirect_count_cookie(3)]
    );
}

#[test]
fn c16_pending_sessions_are_not_synced() {
    let token = acme_member().claim("sts", "pending").sign();
    let req = Req::document("https://app.example-app.test/orgs/globex").session_cookies(&token);
    assert_signed_in(&run(&req, &org_config()), &token);
}

#[test]

fn c16_an_empty_user_id_is_not_synced() {
    let token = acme_member().claim("sub", "").sign();
    let req = Req::document("https://app.example-app.test/orgs/globex").session_cookies(&token);
    assert_signed_in(&run(&req, &org_config()), &token);
}

#[test]
fn c16_every_handshake_on_an_organization_url_carries_organization_id() {
    let url = "https://app.example-app.test/orgs/globex";
    let reason = "client-uat-but-no-session-token";
    assert_handshake(
        &run(
            &Req::document(url).cookie("__client_uat", UAT),
            &org_config(),
        ),
        reason,
        "",
        &handshake_url(&LIVE.handshake_base(), url, false, reason)
            .organization("globex")
            .build(),
        1,
    );
    let url = "https://app.example-app.test/me";
    assert_handshake(
        &run(
            &Req::document(url).cookie("__client_uat", UAT),
            &org_config(),
        ),
        reason,
        "",
        &handshake_url(&LIVE.handshake_base(), url, false, reason)
            .organization("")
            .build(),
        1,
    );
}

// --- §1.3: suffixed or un-suffixed cookies -------------------------------------------------------

/// `__client_uat_<suffix>` and `__session_<suffix>`.
fn suffixed_pair(req: Req, uat: impl ToString, token: &str) -> Req {
    req.cookie(&LIVE.suffixed("__client_uat"), uat)
        .cookie(&LIVE.suffixed("__session"), token)
}

#[test]
fn suffix_rule_1_unsuffixed_session_that_is_not_a_jwt_or_has_no_iss() {
    let mine = valid(&LIVE);
    // Not a JWT: the un-suffixed cookies are read (and C8 follows: no un-suffixed client_uat).
    let req = suffixed_pair(Req::document(DASHBOARD), UAT, &mine).cookie("__session", "opaque");
    let reason = "session-token-but-no-client-uat";
    assert_handshake(
        &run(&req, &live()),
        reason,
        "",
        &live_dashboard(reason, false).session("opaque").build(),
        1,
    );
    // A JWT without iss: the un-suffixed pair is read and verifies.
    let no_iss = session(&LIVE).without("iss").sign();
    let req = suffixed_pair(Req::document(DASHBOARD), UAT, &mine).session_cookies(&no_iss);
    assert_signed_in(&run(&req, &live()), &no_iss);
}

#[test]
fn suffix_rule_2_unsuffixed_session_of_another_instance() {
    let mine = valid(&LIVE);
    let others = [
        session(&LIVE)
            .claim("iss", "https://clerk.other-app.test")
            .sign(),
        session(&LIVE).claim("iss", 42).sign(),
    ];
    for other in others {
        let req = suffixed_pair(Req::document(DASHBOARD), UAT, &mine).session_cookies(&other);
        assert_signed_in(&run(&req, &live()), &mine);
        // Beside the other app's cookies this instance has a client but no session: C9.
        let req = Req::document(DASHBOARD).session_cookies(&other);
        let reason = "client-uat-but-no-session-token";
        let state = run(&req.cookie(&LIVE.suffixed("__client_uat"), UAT), &live());
        assert_handshake(&state, reason, "", &live_dashboard(reason, true).build(), 1);
    }
    // Every http:// and https:// is removed before comparing: still this instance.
    let http = session(&LIVE)
        .claim("iss", "http://clerk.example-app.test")
        .sign();
    let req = suffixed_pair(Req::document(DASHBOARD), UAT, &mine).session_cookies(&http);
    assert_signed_in(&run(&req, &live()), &mine);
}

#[test]
fn suffix_rule_3_no_suffixed_cookies_means_unsuffixed() {
    let reason = "client-uat-but-no-session-token";
    assert_handshake(
        &run(
            &Req::document(DASHBOARD).cookie("__client_uat", UAT),
            &live(),
        ),
        reason,
        "",
        &live_dashboard(reason, false).build(),
        1,
    );
}

#[test]
fn suffix_rule_4_newer_unsuffixed_session_wins() {
    let newer = session(&LIVE).claim("iat", NOW - 5).sign();
    let older = session(&LIVE).claim("iat", NOW - 20).sign();
    let req = suffixed_pair(Req::document(DASHBOARD), UAT, &older).session_cookies(&newer);
    assert_signed_in(&run(&req, &live()), &newer);
    // Same age: rule 8 picks the suffixed pair.
    let twin = session(&LIVE)
        .claim("iat", NOW - 20)
        .claim("sid", "sess_twin")
        .sign();
    let req = suffixed_pair(Req::document(DASHBOARD), UAT, &older).session_cookies(&twin);
    assert_signed_in(&run(&req, &live()), &older);
}

#[test]
fn suffix_rule_5_suffixed_client_signed_out() {
    let mine = valid(&LIVE);
    let older_unsuffixed = session(&LIVE).claim("iat", NOW - 30).sign();
    let req = suffixed_pair(Req::document(DASHBOARD), 0, &mine).session_cookies(&older_unsuffixed);
    assert_signed_in(&run(&req, &live()), &older_unsuffixed);
}

#[test]
fn suffix_rule_6_development_expired_suffixed_session_with_signed_out_unsuffixed_client() {
    let expired = session(&DEV).expired(30).sign();
    let base = Req::document(DASHBOARD).cookie("__clerk_db_jwt", DEV_BROWSER);
    let req = base
        .clone()
        .cookie(&DEV.suffixed("__client_uat"), UAT)
        .cookie(&DEV.suffixed("__session"), &expired)
        .cookie("__client_uat", 0);
    // Un-suffixed: no client, no session.
    assert_signed_out(&run(&req, &dev()), "session-token-and-uat-missing", "");

    // Production does not apply rule 6: the suffixed, expired session is refreshed or handshaken.
    let expired = session(&LIVE).expired(30).sign();
    let req = suffixed_pair(Req::document(DASHBOARD), UAT, &expired).cookie("__client_uat", 0);
    let reason = "session-token-expired-refresh-non-eligible-no-refresh-cookie";
    let state = run(&req, &live());
    assert_eq!(state.reason(), Some(reason));
    assert_eq!(
        state.location(),
        Some(
            live_dashboard(reason, true)
                .session(&expired)
                .build()
                .as_str()
        )
    );

    // Development with a live suffixed session keeps it (and reads the suffixed dev browser).
    let fresh = valid(&DEV);
    let req = Req::document(DASHBOARD)
        .cookie(&DEV.suffixed("__clerk_db_jwt"), DEV_BROWSER)
        .cookie(&DEV.suffixed("__client_uat"), UAT)
        .cookie(&DEV.suffixed("__session"), &fresh)
        .cookie("__client_uat", 0);
    assert_signed_in(&run(&req, &dev()), &fresh);
}

#[test]
fn suffix_rule_7_suffixed_session_without_suffixed_client_uat() {
    let mine = valid(&LIVE);
    let req = Req::document(DASHBOARD)
        .cookie(&LIVE.suffixed("__session"), &mine)
        .cookie("__client_uat", UAT);
    let reason = "client-uat-but-no-session-token";
    assert_handshake(
        &run(&req, &live()),
        reason,
        "",
        &live_dashboard(reason, false).build(),
        1,
    );
}

#[test]
fn suffix_rule_8_suffixed_pair_is_read() {
    let mine = valid(&LIVE);
    let req = suffixed_pair(Req::document(DASHBOARD), UAT, &mine);
    assert_signed_in(&run(&req, &live()), &mine);
    // And the handshake says so.
    let req = Req::document(DASHBOARD).cookie(&LIVE.suffixed("__client_uat"), UAT);
    let reason = "client-uat-but-no-session-token";
    assert_handshake(
        &run(&req, &live()),
        reason,
        "",
        &live_dashboard(reason, true).build(),
        1,
    );
}

#[test]
fn suffixed_dev_browser_follows_the_suffix_choice() {
    let mine = valid(&DEV);
    let req = Req::document(DASHBOARD)
        .cookie(&DEV.suffixed("__clerk_db_jwt"), DEV_BROWSER)
        .cookie(&DEV.suffixed("__client_uat"), UAT)
        .cookie(&DEV.suffixed("__session"), &mine);
    assert_signed_in(&run(&req, &dev()), &mine);
    // Un-suffixed choice ignores a suffixed dev browser: C6.
    let req = Req::document(DASHBOARD)
        .cookie(&DEV.suffixed("__clerk_db_jwt"), DEV_BROWSER)
        .session_cookies(&mine);
    assert_handshake(
        &run(&req, &dev()),
        "dev-browser-missing",
        "",
        &dev_dashboard("dev-browser-missing").session(&mine).build(),
        1,
    );
}

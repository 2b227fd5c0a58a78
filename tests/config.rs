//! Configuration errors (spec §1.6, §3.1): Clerk's exact text, the option each error names,
//! and no secret (secret key, PEM body) in any message. Also the `jwtKey` forms Clerk accepts.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::decide::config::OrgSyncOptions;
use clerk_edge::{Config, ConfigError, Options};
use support::*;

fn error(options: Options) -> ConfigError {
    match Config::new(options) {
        Ok(_) => panic!("expected a configuration error"),
        Err(e) => e,
    }
}

/// The option, the message, and that neither the message nor `Display` leaks a secret.
fn assert_error(options: Options, option: &str, message: &str) {
    let e = error(options);
    assert_eq!((e.option, e.message.as_str()), (option, message));
    assert_eq!(e.to_string(), e.message);
    assert_no_secrets(&e);
}

fn assert_no_secrets(e: &ConfigError) {
    for secret in [LIVE.secret_key, DEV.secret_key] {
        assert!(!e.message.contains(secret), "{e:?}");
        assert!(!format!("{e:?}").contains(secret), "{e:?}");
    }
    for pem in [PUBLIC_PEM, OTHER_PUBLIC_PEM] {
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            for chunk in line.as_bytes().chunks(16).filter(|c| c.len() == 16) {
                let chunk = std::str::from_utf8(chunk).unwrap();
                assert!(
                    !e.message.contains(chunk),
                    "{e:?} contains PEM text {chunk}"
                );
            }
        }
    }
}

/// Clerk's text after a publishable-key error's first line.
const KEY_GUIDANCE: &str = "\n\nTo create a new Clerk app, run:\nnpx clerk@latest init\n\n'npx clerk@latest init' does not need a Clerk account and writes temporary dev keys.\n\nTo use an existing Clerk app, run:\nnpx clerk@latest link\nnpx clerk@latest env pull\n\nFor production keys, run:\nnpx clerk@latest env pull --instance prod\n\nOr copy keys from https://dashboard.clerk.com/~/api-keys into your .env file.";

fn with_key(key: Option<&str>) -> Options {
    Options {
        publishable_key: key.map(str::to_string),
        ..options(&LIVE)
    }
}

#[test]
fn publishable_key_missing_or_malformed() {
    for key in [None, Some("")] {
        let e = error(with_key(key));
        assert_eq!(e.option, "publishableKey");
        assert_eq!(
            e.message.lines().next(),
            Some("Publishable key is missing.")
        );
        assert_no_secrets(&e);
    }
    for key in [
        "sk_live_Y2xlcmsuZXhhbXBsZS1hcHAudGVzdCQ",
        "pk_test_",
        "pk_live_a_b",
        "PK_LIVE_Y2xlcmsuZXhhbXBsZS1hcHAudGVzdCQ",
    ] {
        let e = error(with_key(Some(key)));
        assert_eq!(e.option, "publishableKey");
        assert_eq!(
            e.message.lines().next(),
            Some("Publishable key not valid (expected format: pk_test_... or pk_live_...).")
        );
    }
}

#[test]

fn publishable_key_errors_carry_clerks_guidance() {
    assert_error(
        with_key(None),
        "publishableKey",
        &format!("Publishable key is missing.{KEY_GUIDANCE}"),
    );
    assert_error(
        with_key(Some("pk_test_")),
        "publishableKey",
        &format!("Publishable key not valid (expected format: pk_test_... or pk_live_...).{KEY_GUIDANCE}"),
    );
}

#[test]

fn undecodable_publishable_keys_are_reported_as_invalid_format() {
    for key in [
        "pk_live_!!!",
        "pk_live_YWJj",
        "pk_live_Y2xlcmsuZXhhbXBsZS1hcHAudGVzdCQkJA",
    ] {
        let e = error(with_key(Some(key)));
        assert_eq!(
            e.message.lines().next(),
            Some("Publishable key not valid (expected format: pk_test_... or pk_live_...)."),
            "{key}"
        );
    }
}

#[test]
fn publishable_key_is_checked_before_the_secret_key() {
    let e = error(Options::default());
    assert_eq!(e.option, "publishableKey");
}

#[test]
fn secret_key_missing() {
    for secret in [None, Some(String::new())] {
        assert_error(
            Options {
                secret_key: secret,
                ..options(&LIVE)
            },
            "secretKey",
            "Missing Clerk Secret Key. Go to https://dashboard.clerk.com and get your key for your instance.",
        );
    }
}

#[test]
fn development_satellite_needs_a_sign_in_url() {
    for secret in ["sk_test_EdgeSatellite", "test_EdgeLegacySatellite"] {
        assert_error(
            Options {
                secret_key: Some(secret.into()),
                is_satellite: Some(true),
                domain: Some("shop-satellite.test".into()),
                ..options(&DEV)
            },
            "signInUrl",
            "Missing signInUrl. Pass a signInUrl for dev instances if an app is satellite",
        );
    }
    // The sign-in check comes before the domain check.
    assert_error(
        Options {
            is_satellite: Some(true),
            ..options(&DEV)
        },
        "signInUrl",
        "Missing signInUrl. Pass a signInUrl for dev instances if an app is satellite",
    );
    // A production secret key does not need one.
    assert!(Config::new(Options {
        is_satellite: Some(true),
        domain: Some("shop-satellite.test".into()),
        ..options(&LIVE)
    })
    .is_ok());
}

#[test]
fn satellite_needs_a_domain_or_proxy_url() {
    for opts in [
        Options {
            is_satellite: Some(true),
            ..options(&LIVE)
        },
        Options {
            is_satellite: Some(true),
            domain: Some(String::new()),
            proxy_url: Some(String::new()),
            ..options(&LIVE)
        },
        Options {
            is_satellite: Some(true),
            sign_in_url: Some("https://app.example-app.test/sign-in".into()),
            ..options(&DEV)
        },
    ] {
        assert_error(
            opts,
            "domain",
            "Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl",
        );
    }
    assert!(Config::new(Options {
        is_satellite: Some(true),
        proxy_url: Some("https://shop-satellite.test/__clerk".into()),
        ..options(&LIVE)
    })
    .is_ok());
}

fn org_patterns(organization: &[&str], personal: &[&str]) -> Options {
    let list = |p: &[&str]| (!p.is_empty()).then(|| p.iter().map(|s| s.to_string()).collect());
    Options {
        organization_sync_options: Some(OrgSyncOptions {
            organization_patterns: list(organization),
            personal_account_patterns: list(personal),
        }),
        ..options(&LIVE)
    }
}

const PATH_TO_REGEXP_DOCS: &str = "Consult the documentation of path-to-regexp here: https://github.com/pillarjs/path-to-regexp/tree/6.x";

#[test]
fn invalid_organization_patterns_name_the_whole_list() {
    // Texts as @clerk/backend 3.25.0 throws them for these inputs.
    assert_error(
        org_patterns(&["/orgs/:id/***"], &[]),
        "organizationSyncOptions",
        &format!("Invalid pattern \"/orgs/:id/***\": Error: Invalid path and options: {PATH_TO_REGEXP_DOCS}\nUnexpected MODIFIER at 10, expected END"),
    );
    assert_error(
        org_patterns(&["/orgs/:id", "/o/("], &[]),
        "organizationSyncOptions",
        &format!("Invalid pattern \"/orgs/:id,/o/(\": Error: Invalid path and options: {PATH_TO_REGEXP_DOCS}\nUnbalanced pattern at 3"),
    );
    assert_error(
        org_patterns(&["/orgs/:slug"], &["/me/***"]),
        "organizationSyncOptions",
        &format!("Invalid pattern \"/me/***\": Error: Invalid path and options: {PATH_TO_REGEXP_DOCS}\nUnexpected MODIFIER at 4, expected END"),
    );
    assert!(Config::new(org_patterns(
        &["/orgs/:slug", "/orgs/:slug/(.*)"],
        &["/me", "/me/(.*)"]
    ))
    .is_ok());
}

fn with_jwt_key(pem: &str) -> Options {
    Options {
        jwt_key: Some(pem.to_string()),
        ..options(&LIVE)
    }
}

#[test]
fn unusable_jwt_keys_are_rejected_without_echoing_them() {
    let body: String = PUBLIC_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let half = &body[..body.len() / 2];
    let cases = [
        ("not a key!", "its body is not base64 (expected a PEM \"-----BEGIN PUBLIC KEY-----\" block or its base64 body)"),
        (half, "it is not a DER-encoded public key (neither SubjectPublicKeyInfo nor RSAPublicKey)"),
        (include_str!("fixtures/small-1024-public-key.pem"), "its modulus has 1024 bits; at least 2048 are required"),
    ];
    for (pem, why) in cases {
        assert_error(
            with_jwt_key(pem),
            "jwtKey",
            &format!("The JWT verification key (jwtKey / CLERK_JWT_KEY) is not usable: {why}."),
        );
    }
    // A private key pasted by mistake: rejected, and not a byte of it in the message.
    let private = include_str!("fixtures/test-signing-key.pem");
    let e = error(with_jwt_key(private));
    assert_eq!(e.option, "jwtKey");
    for line in private.lines().filter(|l| !l.starts_with("-----")) {
        for chunk in line.as_bytes().chunks(12).filter(|c| c.len() == 12) {
            assert!(
                !e.message.contains(std::str::from_utf8(chunk).unwrap()),
                "{}",
                e.message
            );
        }
    }
}

#[test]
fn jwt_key_in_the_forms_clerk_accepts_verifies_tokens() {
    let body: String = PUBLIC_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let forms = [
        PUBLIC_PEM.to_string(),
        PUBLIC_PEM.replace('\n', "\r\n"),
        body,
        // Env files often keep `\n` as two characters.
        PUBLIC_PEM.trim_end().replace('\n', "\\n"),
    ];
    let token = valid(&LIVE);
    for pem in forms {
        let cfg = config(with_jwt_key(&pem));
        assert_signed_in(&run(&Req::fetch(DASHBOARD).bearer(&token), &cfg), &token);
    }
    // An empty jwtKey means "not set": keys come from the JWKS.
    let cfg = config(with_jwt_key(""));
    let backend = FakeBackend::new();
    let state = run_with(&Req::fetch(DASHBOARD).bearer(&token), &cfg, &backend).unwrap();
    assert_signed_in(&state, &token);
    assert_eq!(backend.calls(), vec![Call::Jwks(Some(KID.into()))]);
}

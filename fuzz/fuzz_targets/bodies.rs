//! Fuzz target bodies, shared by the libFuzzer targets (fuzz/) and the regression test that
//! replays every seed and every saved crash natively (tests/fuzz_regressions.rs).
#![allow(dead_code)]

use clerk_edge::decide::request::{public_url, RequestParts};
use clerk_edge::downstream::request_data::{decrypt_clerk, decrypt_gcm, GcmKey};
use clerk_edge::host::key::RsaPublicKey;
use clerk_edge::host::services::{block_on, NoBackend, RustVerifier};
use clerk_edge::pattern::{normalize_route_path, PatternSet};
use clerk_edge::token::jwt::{check_claims, ClaimRules, Jwt, OptionReading};
use clerk_edge::web::cookies::Cookies;
use clerk_edge::web::url::Url;
use clerk_edge::{web::signature, Config, Options};
use std::sync::OnceLock;

/// Splits at a char boundary near the middle (the harness itself must not panic).
fn halves(s: &str) -> (&str, &str) {
    let mut mid = s.len() / 2;
    while !s.is_char_boundary(mid) {
        mid -= 1;
    }
    s.split_at(mid)
}

const PEM: &str = include_str!("../../tests/fixtures/test-public-key.pem");

fn configs() -> &'static [Config] {
    static C: OnceLock<Vec<Config>> = OnceLock::new();
    C.get_or_init(|| {
        let base = |pk: &str, sk: &str| Options {
            publishable_key: Some(pk.into()),
            secret_key: Some(sk.into()),
            jwt_key: Some(PEM.into()),
            ..Default::default()
        };
        let mut org = base("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "sk_live_x");
        org.organization_sync_options = serde_json::from_str(r#"{"organizationPatterns":["/orgs/:slug","/orgs/:slug/(.*)"],"personalAccountPatterns":["/me"]}"#).ok();
        org.accepts_token = Some(serde_json::json!("any"));
        vec![
            Config::new(base("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "sk_live_x")).unwrap(),
            Config::new(base("pk_test_Zm9vLWJhci0xMy5jbGVyay5hY2NvdW50cy5kZXYk", "sk_test_x")).unwrap(),
            Config::new(org).unwrap(),
        ]
    })
}

pub fn jwt(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(jwt) = Jwt::decode(&text) {
        let rules = ClaimRules {
            audience: &[],
            authorized_parties: &[],
            issuer: &[],
            skew_ms: 5000.0,
            reading: OptionReading::PLAIN,
        };
        let _ = check_claims(&jwt, &rules, 1.7e12);
        let _ = jwt.is_machine_jwt();
        let _ = jwt.has_non_session_category();
    }
    let _ = RsaPublicKey::from_pem(&text);
}

pub fn cookies_url(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let c = Cookies::parse(&text);
    let _ = c.get("__session");
    let (a, b) = halves(&text);
    if let Some(mut u) = Url::parse(a) {
        let _ = u.join(b);
        u.remove_query_params(&["__clerk_db_jwt"]);
        u.set_query_param("x", b);
        let _ = u.href();
        let req = RequestParts::new(
            "GET",
            &u.href(),
            vec![
                ("x-forwarded-host".into(), b.into()),
                ("x-forwarded-proto".into(), "https".into()),
            ],
        );
        let _ = public_url(&u, &req);
    }
}

pub fn pattern(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (pattern, path) = text.split_once('\n').unwrap_or((&text, "/a/b"));
    if let Ok(set) = PatternSet::compile(&[pattern]) {
        let _ = set.is_match(path);
        let _ = set.captures(path);
    }
    if let Ok(p) = normalize_route_path(path) {
        if let Ok(set) = PatternSet::compile(&["/(.*)", "/:a/:b?", "/x{-:y}*"]) {
            let _ = set.is_match(&p);
        }
    }
}

pub fn request_data(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(key) = GcmKey::from_setting("fuzzing-passphrase-of-at-least-32-chars") {
        let _ = decrypt_gcm(&key, &text);
    }
    let _ = decrypt_clerk("fuzz-key", &text);
    let (t, s) = halves(&text);
    let _ = signature::verify(t, s, "sk_test_fuzz");
}

pub fn authenticate(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or("GET");
    let path = lines.next().unwrap_or("/");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let req = RequestParts::new(method, &format!("https://app.example.com{path}"), headers);
    for cfg in configs() {
        let _ = block_on(clerk_edge::authenticate(
            &req,
            cfg,
            1.7e12,
            &RustVerifier,
            &NoBackend,
        ));
    }
}

//! Hostile input never panics and never leaks: a deterministic xorshift generator feeds arbitrary
//! strings to the parsers (`Jwt::decode`, `Cookies::parse`, `Url::parse`, `RsaPublicKey::from_pem`)
//! and arbitrary requests (methods, URLs, headers, cookies, tokens, Backend API answers) to
//! `authenticate`, checking the invariants of every outcome. Then oversized inputs: a 64 kB token
//! and a 1 MB cookie header, with their exact outcomes.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::decide::config::OrgSyncOptions;
use clerk_edge::host::key::RsaPublicKey;
use clerk_edge::host::services::{JwksError, RefreshError};
use clerk_edge::token::jwt::Jwt;
use clerk_edge::web::cookies::Cookies;
use clerk_edge::web::url::Url;
use clerk_edge::{AuthStatus, Config, Options, RequestState};
use support::*;

/// xorshift64*: deterministic, so a failure names its seed and iteration.
struct Rng(u64);

const FRAGMENTS: &[&str] = &[
    "%",
    "%2",
    "%zz",
    "%25",
    "%41",
    "%C3%A9",
    "%C3",
    "%E2%82",
    "%00",
    "%0D%0A",
    "%3B",
    "%3D",
    "=",
    ";",
    ",",
    ".",
    "..",
    " ",
    "\t",
    "\r\n",
    "\n",
    "\0",
    "\u{7f}",
    "\u{85}",
    "é",
    "€",
    "😀",
    "\u{feff}",
    "\u{fffd}",
    "\"",
    "'",
    "\\",
    "/",
    "//",
    "?",
    "#",
    "&",
    "@",
    ":",
    "[",
    "]",
    "<",
    ">",
    "eyJ",
    "e30",
    "e30.e30.",
    "Bearer ",
    "bearer",
    "__session",
    "__client_uat",
    "__clerk_db_jwt",
    "__clerk_handshake",
    "__refresh_",
    "=0",
    "=-1",
    "=1e309",
    "=NaN",
    "=0x10",
    "http://",
    "https://",
    "-----BEGIN PUBLIC KEY-----",
    "-----END PUBLIC KEY-----",
    "-----BEGIN ",
    "-----",
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
    "IDAQAB",
    "+",
    "-",
    "_",
    "AAAA",
    "====",
    "xn--",
    "localhost",
    "[::1]",
    ":0",
    ":65536",
    "1",
    "9007199254740993",
];

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// Fragments, ASCII, any Unicode scalar, and lossily decoded random bytes.
    fn string(&mut self, max_parts: usize) -> String {
        let mut s = String::new();
        for _ in 0..self.below(max_parts + 1) {
            match self.below(5) {
                0 | 1 => s.push_str(self.pick(FRAGMENTS)),
                2 => s.push(char::from(self.below(128) as u8)),
                3 => s.extend(char::from_u32(self.next() as u32 % 0x11_0000)),
                _ => s.push_str(&String::from_utf8_lossy(&self.bytes(6))),
            }
        }
        s
    }
    /// A copy of `s` with a few bytes flipped, inserted, removed or the string truncated.
    fn mutate(&mut self, s: &str) -> String {
        let mut b = s.as_bytes().to_vec();
        for _ in 0..=self.below(3) {
            if b.is_empty() {
                break;
            }
            let i = self.below(b.len());
            match self.below(4) {
                0 => b[i] ^= 1 << self.below(8),
                1 => b.insert(i, self.pick(b"./=%_-+ \0\xc3")),
                2 => {
                    b.remove(i);
                }
                _ => b.truncate(i),
            }
        }
        String::from_utf8_lossy(&b).into_owned()
    }
}

/// Tokens worth feeding in: valid, expired, foreign, machine, handshake JWTs, and garbage.
fn token_pool() -> Vec<String> {
    vec![
        valid(&LIVE),
        valid(&DEV),
        session(&LIVE).expired(60).sign(),
        session(&LIVE).expired(60).without("sid").sign(),
        session(&LIVE).signed_by_other_key().sign(),
        session(&LIVE).claim("nbf", NOW + 60).sign(),
        session(&LIVE).claim("sub", "mch_2Machine").sign(),
        session(&LIVE)
            .claim("org_id", "org_2Acme")
            .claim("org_slug", "acme")
            .sign(),
        session(&LIVE).claim("sts", "pending").without("azp").sign(),
        handshake_jwt(&[format!("__session={}", valid(&LIVE))]).sign(),
        handshake_jwt(&[]).signed_by_other_key().sign(),
        "e30.e30.".into(),
        "a.b.c".into(),
        String::new(),
    ]
}

#[test]
fn jwt_decode_never_panics() {
    let mut rng = Rng(0x5eed_0001);
    let pool = token_pool();
    for _ in 0..3000 {
        let input = if rng.chance(50) {
            let token = rng_pick(&mut rng, &pool);
            rng.mutate(token)
        } else if rng.chance(50) {
            let parts: Vec<String> = (0..rng.below(5)).map(|_| rng.string(6)).collect();
            parts.join(".")
        } else {
            rng.string(20)
        };
        if let Ok(jwt) = Jwt::decode(&input) {
            let _ = (
                jwt.header_str("alg"),
                jwt.claim_num("iat"),
                jwt.claim_str("sid"),
            );
            let _ = (
                jwt.is_machine_jwt(),
                jwt.has_non_session_category(),
                jwt.signing_input().len(),
            );
            assert!(jwt.signing_input().len() <= input.len());
        }
    }
}

fn rng_pick<'a>(rng: &mut Rng, pool: &'a [String]) -> &'a str {
    pool[rng.below(pool.len())].as_str()
}

#[test]
fn cookie_parsing_never_panics_and_first_wins() {
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..3000 {
        let header = rng.string(30);
        let cookies = Cookies::parse(&header);
        let mut seen = std::collections::HashSet::new();
        for (name, _) in cookies.iter() {
            assert!(
                seen.insert(name.to_string()),
                "{name:?} twice in {header:?}"
            );
        }
    }
}

#[test]
fn url_parsing_never_panics() {
    let mut rng = Rng(0x5eed_0003);
    let prefixes = [
        "https://",
        "http://",
        "HTTPS://",
        "https:",
        "https:///",
        "ftp://",
        "javascript:",
        "",
        " https://",
        "\thttp://",
    ];
    for _ in 0..3000 {
        let input = format!("{}{}", rng.pick(&prefixes), rng.string(12));
        let Some(mut url) = Url::parse(&input) else {
            continue;
        };
        let _ = (
            url.scheme(),
            url.hostname(),
            url.host(),
            url.port(),
            url.origin(),
        );
        let _ = (
            url.pathname(),
            url.search(),
            url.hash(),
            url.query_pairs(),
            url.is_special(),
        );
        let href = url.href();
        // Serialising is stable: what we print parses to itself.
        if let Some(again) = Url::parse(&href) {
            assert_eq!(again.href(), href, "from {input:?}");
        }
        let _ = url.join(&rng.string(6)).map(|u| u.href());
        url.append_query_param(&rng.string(3), &rng.string(3));
        url.set_query_param("__clerk_synced", &rng.string(3));
        url.remove_query_params(&["__clerk_db_jwt", "__dev_session"]);
        let _ = url.query_get("__clerk_synced");
        let _ = url.href();
    }
}

#[test]
fn pem_parsing_never_panics_nor_echoes_input() {
    let mut rng = Rng(0x5eed_0004);
    let pems = [
        PUBLIC_PEM.to_string(),
        OTHER_PUBLIC_PEM.to_string(),
        include_str!("fixtures/small-1024-public-key.pem").to_string(),
    ];
    for _ in 0..1500 {
        let input = match rng.below(3) {
            0 => {
                let pem = rng_pick(&mut rng, &pems);
                rng.mutate(pem)
            }
            1 => format!(
                "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
                clerk_edge::web::base64::encode_std(&rng.bytes(300))
            ),
            _ => rng.string(20),
        };
        if let Err(e) = RsaPublicKey::from_pem(&input) {
            let message = e.to_string();
            assert!(message.len() < 200, "{message}");
        }
    }
}

fn configs() -> Vec<Config> {
    let org = OrgSyncOptions {
        organization_patterns: Some(vec!["/orgs/:slug".into(), "/o/:id/(.*)".into()]),
        personal_account_patterns: Some(vec!["/me(.*)".into()]),
    };
    vec![
        config(options(&LIVE)),
        config(options(&DEV)),
        config(jwks_options(&LIVE)),
        config(Options {
            is_satellite: Some(true),
            domain: Some("shop-satellite.test".into()),
            satellite_auto_sync: Some(true),
            organization_sync_options: Some(org.clone()),
            ..options(&LIVE)
        }),
        config(Options {
            is_satellite: Some(true),
            domain: Some("shop-satellite.test".into()),
            sign_in_url: Some("https://app.example-app.test/sign-in".into()),
            ..options(&DEV)
        }),
        config(Options {
            proxy_url: Some("/__clerk".into()),
            organization_sync_options: Some(org),
            authorized_parties: Some(serde_json::json!([AZP])),
            audience: Some(serde_json::json!("api://edge")),
            ..options(&DEV)
        }),
    ]
}

const COOKIE_NAMES: &[&str] = &[
    "__session",
    "__session_55gphHB5",
    "__session_byyrAvIk",
    "__client_uat",
    "__client_uat_55gphHB5",
    "__client_uat_byyrAvIk",
    "__clerk_db_jwt",
    "__clerk_db_jwt_byyrAvIk",
    "__refresh_55gphHB5",
    "__refresh_byyrAvIk",
    "__clerk_handshake",
    "__clerk_handshake_nonce",
    "__clerk_redirect_count",
    "other",
];

const QUERY_NAMES: &[&str] = &[
    "__clerk_handshake",
    "__clerk_handshake_nonce",
    "__clerk_db_jwt",
    "__clerk_redirect_url",
    "__clerk_synced",
    "__dev_session",
    "__clerk_help",
    "q",
];

fn value(rng: &mut Rng, pool: &[String]) -> String {
    match rng.below(6) {
        0 | 1 => rng_pick(rng, pool).to_string(),
        2 => {
            let token = rng_pick(rng, pool);
            rng.mutate(token)
        }
        3 => [
            UAT.to_string(),
            NOW.to_string(),
            "0".into(),
            "3".into(),
            "-1".into(),
            "1e3".into(),
        ][rng.below(6)]
        .clone(),
        4 if rng.chance(5) => "%41x".repeat(2500),
        _ => rng.string(8),
    }
}

fn random_request(rng: &mut Rng, pool: &[String]) -> Req {
    let methods = [
        "GET", "GET", "GET", "POST", "HEAD", "PUT", "get", "", "G\u{0}T",
    ];
    let hosts = [
        "app.example-app.test",
        "shop-satellite.test",
        "localhost:3000",
        "[::1]:8080",
        "a..b",
        "%41.test",
        "user:pw@app.example-app.test",
        "APP.EXAMPLE-APP.TEST:443",
    ];
    let paths = [
        "/dashboard",
        "/orgs/acme",
        "/orgs/%2F..%2F",
        "/o/org_1/x",
        "/me",
        "//x",
        "/",
        "",
    ];
    let url = if rng.chance(10) {
        rng.string(15)
    } else {
        let mut url = format!(
            "{}://{}{}",
            rng.pick(&["https", "http", "HTTP"]),
            rng.pick(&hosts),
            rng.pick(&paths)
        );
        if rng.chance(30) {
            url.push_str(&rng.string(4));
        }
        for i in 0..rng.below(4) {
            let v = value(rng, pool);
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&format!(
                "{}={}",
                rng.pick(QUERY_NAMES),
                if rng.chance(50) { form(&v) } else { v }
            ));
        }
        if rng.chance(10) {
            url.push_str(&format!("#{}", rng.string(3)));
        }
        url
    };
    let mut req = Req::new(rng.pick(&methods), &url);
    let dests = ["document", "iframe", "empty", "", "DOCUMENT"];
    if rng.chance(70) {
        req = req.header("sec-fetch-dest", rng.pick(&dests));
    }
    if rng.chance(20) {
        req = req.header(
            "accept",
            rng.pick(&["text/html", "application/json", "*/*", "text/htmlx"]),
        );
    }
    if rng.chance(25) {
        let token = value(rng, pool);
        let scheme = rng.pick(&["Bearer ", "Bearer  ", "bearer ", "Basic ", ""]);
        req = req.header(
            rng.pick(&["authorization", "Authorization"]),
            &format!("{scheme}{token}"),
        );
    }
    for name in [
        "referer",
        "origin",
        "host",
        "x-forwarded-host",
        "x-forwarded-proto",
    ] {
        if rng.chance(10) {
            let v = if rng.chance(50) {
                format!("https://{}", rng.pick(&hosts))
            } else {
                rng.string(5)
            };
            req = req.header(name, &v);
        }
    }
    for _ in 0..rng.below(7) {
        req = req.cookie(rng.pick(COOKIE_NAMES), value(rng, pool));
    }
    if rng.chance(10) {
        req = req.header("cookie", &rng.string(20));
    }
    req
}

fn random_backend(rng: &mut Rng, pool: &[String]) -> FakeBackend {
    let jwks = match rng.below(6) {
        0 => Err(JwksError::KidNotFound),
        1 => Err(JwksError::NoKeys),
        2 => Err(JwksError::Unavailable("network".into())),
        3 => Ok(other_public_key()),
        _ => Ok(public_key()),
    };
    // Directives are BAPI's (trusted) Set-Cookie values, passed through verbatim: keep them
    // valid header values so the invariants below judge only what the core builds.
    let directives: Vec<String> = (0..rng.below(4))
        .map(|_| {
            let v: String = value(rng, pool)
                .chars()
                .filter(|c| (' '..='~').contains(c))
                .collect();
            format!(
                "{}={v}; Path=/",
                rng.pick(&["__session", "__session_55gphHB5", "__client_uat", "x"])
            )
        })
        .collect();
    let handshake = if rng.chance(80) {
        Ok(directives.clone())
    } else {
        Err(rng.string(4))
    };
    let refresh = match rng.below(4) {
        0 => Err(RefreshError::Api(
            rng.pick(&["unexpected_error", "session_not_found"])
                .to_string(),
        )),
        1 => Err(RefreshError::Other),
        _ => Ok(directives),
    };
    FakeBackend::new()
        .jwks(jwks)
        .handshake_payload(handshake)
        .refresh(refresh)
}

/// What every outcome must satisfy, whatever the input.
fn check_invariants(state: &RequestState) {
    let secrets = [LIVE.secret_key, DEV.secret_key];
    for (name, value) in &state.headers {
        assert_eq!(name, &name.to_ascii_lowercase());
        assert!(
            !value.contains(['\r', '\n', '\0']),
            "header injection: {name}: {value:?}"
        );
        assert!(
            value.chars().all(|c| c <= '\u{ff}'),
            "not a header value: {name}: {value:?}"
        );
        assert!(
            !secrets.iter().any(|s| value.contains(s)),
            "secret in {name}"
        );
    }
    let message = state.message().unwrap_or("");
    assert!(
        !secrets.iter().any(|s| message.contains(s)),
        "secret in message"
    );
    match state.status() {
        AuthStatus::SignedIn => {
            assert!(state.token().is_some() && state.session().is_some());
            assert_eq!((state.reason(), state.message()), (None, None));
            assert_eq!(state.header("x-clerk-auth-status"), None);
        }
        AuthStatus::SignedOut => {
            assert!(
                state.reason().is_some() && state.message().is_some() && state.token().is_none()
            );
            assert_eq!(state.header("x-clerk-auth-status"), Some("signed-out"));
        }
        AuthStatus::Handshake => {
            let location = state.location().expect("a handshake has a Location");
            assert!(
                Url::parse(location).is_some(),
                "Location does not parse: {location}"
            );
            assert_eq!(state.header("cache-control"), Some("no-store"));
            assert!(state
                .set_cookies()
                .any(|c| c.starts_with("__clerk_redirect_count=")));
            assert_eq!(state.header("x-clerk-auth-status"), Some("handshake"));
        }
    }
}

#[test]
fn authenticate_never_panics_on_arbitrary_requests() {
    let mut rng = Rng(0x5eed_0005);
    let pool = token_pool();
    let configs = configs();
    let mut outcomes = [0usize; 4];
    for i in 0..5000 {
        let cfg = &configs[rng.below(configs.len())];
        let req = random_request(&mut rng, &pool);
        let backend = random_backend(&mut rng, &pool);
        let now = NOW_MS + (rng.below(20_000) as f64 - 10_000.0);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_at(&req, cfg, &backend, now)
        }));
        let result =
            result.unwrap_or_else(|_| panic!("iteration {i} panicked on {:?}", req.parts()));
        match result {
            Ok(state) => {
                check_invariants(&state);
                outcomes[match state.status() {
                    AuthStatus::SignedIn => 0,
                    AuthStatus::SignedOut => 1,
                    AuthStatus::Handshake => 2,
                }] += 1;
            }
            Err(e) => {
                assert!(
                    !e.to_string().contains(LIVE.secret_key)
                        && !e.to_string().contains(DEV.secret_key)
                );
                outcomes[3] += 1;
            }
        }
    }
    // The generator reaches every kind of outcome.
    assert!(
        outcomes.iter().all(|n| *n > 0),
        "outcomes (in, out, handshake, error): {outcomes:?}"
    );
}

// --- Oversized inputs ------------------------------------------------------------------------------

#[test]
fn sixty_four_kilobyte_tokens() {
    let cfg = config(options(&LIVE));
    let padding = "x".repeat(64 * 1024);
    let big = session(&LIVE).claim("pad", padding.as_str());
    let token = big.sign();
    assert!(token.len() > 64 * 1024);
    assert_signed_in(&run(&Req::fetch(DASHBOARD).bearer(&token), &cfg), &token);

    let forged = big.signed_by_other_key().sign();
    assert_signed_out(
        &run(&Req::fetch(DASHBOARD).bearer(&forged), &cfg),
        "token-invalid-signature",
        "JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)",
    );
    let garbage = format!(
        "{}.{}.{}",
        "A".repeat(30_000),
        "%".repeat(30_000),
        "B".repeat(5_000)
    );
    assert_signed_out(
        &run(&Req::fetch(DASHBOARD).session_cookies(&garbage), &cfg),
        "token-invalid",
        "Invalid JWT form. The header, payload, or signature could not be decoded. (reason=token-invalid, token-carrier=cookie)",
    );
    let dots = ".".repeat(64 * 1024);
    assert_signed_out(
        &run(&Req::fetch(DASHBOARD).bearer(&dots), &cfg),
        "token-invalid",
        "Invalid JWT form. A JWT consists of three parts separated by dots. (reason=token-invalid, token-carrier=header)",
    );
}

/// About 1 MB of junk cookies (percent sequences, invalid escapes, control characters) in ~1 kB
/// values, then this instance's cookies, then decoys that must lose to them (first wins).
fn megabyte_of_cookies_then(real: &[(&str, String)]) -> String {
    let chunk = "%41%zz%C3\u{1}\u{7f};=%%3B".repeat(64);
    let mut header: String = (0..1000).map(|i| format!("junk{i}={chunk}; ")).collect();
    for (name, value) in real {
        header.push_str(&format!("{name}={value}; "));
    }
    header.push_str("__session=decoy; __client_uat=0");
    assert!(header.len() > 1_000_000, "{}", header.len());
    header
}

#[test]
fn megabyte_cookie_header() {
    let cfg = config(options(&LIVE));
    let expired = session(&LIVE).expired(60).sign();
    let header = megabyte_of_cookies_then(&[
        ("__client_uat", UAT.to_string()),
        ("__session", expired.clone()),
    ]);
    let req = Req::fetch(DASHBOARD).header("cookie", &header);
    assert_signed_out(
        &run(&req, &cfg),
        "session-token-expired-refresh-non-eligible-no-refresh-cookie",
        &format!(
            "JWT is expired. Expiry date: {}, Current date: {NOW_UTC}. (reason=token-expired, token-carrier=cookie)",
            utc(-60)
        ),
    );
    // Without them, the decoys at the very end are read: a session without a client (C8).
    let req = Req::fetch(DASHBOARD).header("cookie", &megabyte_of_cookies_then(&[]));
    assert_signed_out(&run(&req, &cfg), "session-token-but-no-client-uat", "");
    // One cookie whose value is a megabyte of escapes.
    let req = Req::fetch(DASHBOARD)
        .cookie("__client_uat", UAT)
        .cookie("__session", "%41".repeat(350_000));
    assert_signed_out(&run(&req, &cfg), "token-invalid", "Invalid JWT form. A JWT consists of three parts separated by dots. (reason=token-invalid, token-carrier=cookie)");
}

#[test]

fn many_tiny_cookies_parse_in_linear_time() {
    let cfg = config(options(&LIVE));
    let token = valid(&LIVE);
    let mut header: String = (0..150_000).map(|i| format!("c{i}=v; ")).collect();
    header.push_str(&format!("__client_uat={UAT}; __session={token}"));
    let started = std::time::Instant::now();
    assert_signed_in(
        &run(&Req::fetch(DASHBOARD).header("cookie", &header), &cfg),
        &token,
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn key_set_parsing_never_panics() {
    let mut rng = Rng(0x5eed_0005);
    let key = public_key();
    let jwk = format!(
        r#"{{"kty":"RSA","kid":"k","n":"{}","e":"AQAB"}}"#,
        clerk_edge::web::base64::encode_url(&key.n)
    );
    let sets = [
        format!("{PUBLIC_PEM}{OTHER_PUBLIC_PEM}"),
        format!(r#"{{"keys":[{jwk},{jwk}]}}"#),
    ];
    for _ in 0..1000 {
        let input = match rng.below(2) {
            0 => {
                let s = rng_pick(&mut rng, &sets);
                rng.mutate(s)
            }
            _ => format!("{{\"keys\":[{}]}}", rng.string(8)),
        };
        if let Err(e) = clerk_edge::token::keyset::KeySet::parse(&input) {
            assert!(e.len() < 200, "{e}");
        }
    }
}

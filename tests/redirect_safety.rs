//! Where a `Location` from the core may point, over many hostile requests: production
//! instances only ever redirect to the Frontend API; development instances also to the
//! request's own origin, the configured sign-in URL, and — as Clerk does, documented in the
//! README — the satellite URL named in `__clerk_redirect_url`.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::web::url::Url;
use clerk_edge::{Options, RequestParts};
use support::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const EVIL: &str = "https://evil.example";

fn random_request(rng: &mut Rng, token: &str) -> RequestParts {
    let query = rng.pick(&[
        "",
        "?__clerk_redirect_url=https%3A%2F%2Fevil.example%2Fx",
        "?__clerk_redirect_url=javascript%3Aalert(1)",
        "?__clerk_redirect_url=%2F%2Fevil.example",
        "?__clerk_synced=false",
        "?__clerk_db_jwt=dvb_x",
        "?__clerk_handshake=garbage",
        "?redirect_url=https%3A%2F%2Fevil.example",
    ]);
    let mut headers = vec![(
        "sec-fetch-dest".to_string(),
        rng.pick(&["document", "iframe", "empty"]).to_string(),
    )];
    let extra = [
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-proto", "https"),
        ("host", "evil.example"),
        ("referer", "https://evil.example/page"),
        ("origin", EVIL),
    ];
    for (k, v) in extra {
        if rng.next().is_multiple_of(3) {
            headers.push((k.into(), v.into()));
        }
    }
    let cookie = rng.pick(&[
        "",
        "__client_uat=1",
        "__client_uat=1; __clerk_db_jwt=dvb_1",
        "__session=x; __client_uat=1",
        "__clerk_redirect_count=2",
    ]);
    let cookie = if rng.next().is_multiple_of(4) {
        format!("__session={token}; __client_uat=1")
    } else {
        cookie.to_string()
    };
    if !cookie.is_empty() {
        headers.push(("cookie".into(), cookie));
    }
    RequestParts::new("GET", &format!("{DASHBOARD}{query}"), headers)
}

fn locations(inst: &Instance, opts: Options, seed: u64) -> Vec<(String, RequestParts)> {
    let cfg = config(opts);
    let mut rng = Rng(seed);
    let backend = FakeBackend::new();
    let mut out = Vec::new();
    let token = valid(inst); // signing is slow: once per run
    for _ in 0..3000 {
        let req = random_request(&mut rng, &token);
        let Ok(st) = clerk_edge::host::services::block_on(clerk_edge::authenticate(
            &req,
            &cfg,
            NOW_MS,
            &clerk_edge::host::services::RustVerifier,
            &backend,
        )) else {
            continue;
        };
        if let Some(l) = st.location() {
            out.push((l.to_string(), req));
        }
    }
    out
}

fn host(u: &str) -> String {
    Url::parse(u)
        .map(|u| u.host())
        .unwrap_or_else(|| format!("<unparsable {u}>"))
}

#[test]
fn production_redirects_only_to_the_frontend_api() {
    let found = locations(&LIVE, options(&LIVE), 0x5eed);
    assert!(
        found.len() > 100,
        "enough redirects exercised ({})",
        found.len()
    );
    for (l, _) in &found {
        assert_eq!(host(l), LIVE.fapi, "{l}");
    }
    let mut proxied = options(&LIVE);
    proxied.proxy_url = Some("https://app.example-app.test/__clerk".into());
    for (l, _) in locations(&LIVE, proxied, 7) {
        assert!(
            l.starts_with("https://app.example-app.test/__clerk/v1/client/handshake?"),
            "{l}"
        );
    }
}

#[test]
fn development_redirects_stay_within_the_documented_set() {
    let found = locations(&DEV, options(&DEV), 0xd3f);
    assert!(found.len() > 100);
    for (l, req) in &found {
        let h = host(l);
        let own = Url::parse(&req.url).map(|u| u.host()).unwrap_or_default();
        let c4 = req
            .url
            .contains("__clerk_redirect_url=https%3A%2F%2Fevil.example")
            && h == "evil.example";
        assert!(h == DEV.fapi || h == own || c4, "{l} for {}", req.url);
        assert!(l.starts_with("https://") || l.starts_with("http://"), "{l}");
    }
}

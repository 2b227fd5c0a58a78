//! Native timing of the core decision (no JS, no WebCrypto): where the core itself spends time.
//!   cargo run --release --example core_bench

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
use clerk_edge::host::cache::CachingVerifier;
use clerk_edge::host::services::{block_on, NoBackend, RustVerifier};
use clerk_edge::{authenticate, Config, Options, RequestParts};
use std::time::Instant;

const PEM: &str = include_str!("../tests/fixtures/test-public-key.pem");

fn main() {
    let mut o = Options {
        publishable_key: Some("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k".into()),
        secret_key: Some("sk_live_x".into()),
        jwt_key: Some(PEM.into()),
        ..Default::default()
    };
    let plain = Config::new(o.clone()).unwrap();
    o.organization_sync_options =
        serde_json::from_str(r#"{"organizationPatterns":["/orgs/:slug","/orgs/:slug/(.*)"]}"#).ok();
    let org = Config::new(o).unwrap();
    let v = CachingVerifier::new(RustVerifier);
    let req = RequestParts::new(
        "GET",
        "https://app.bench.test/dashboard",
        vec![
            ("sec-fetch-dest".into(), "empty".into()),
            ("accept".into(), "application/json".into()),
        ],
    );
    for (name, cfg) in [
        ("signed-out, no org sync", &plain),
        ("signed-out, org sync configured", &org),
    ] {
        let n = 200_000;
        let t = Instant::now();
        for _ in 0..n {
            let st = block_on(authenticate(&req, cfg, 1.7e12, &v, &NoBackend)).unwrap();
            std::hint::black_box(st);
        }
        println!(
            "{name}: {:.2} µs",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    }
    let pattern =
        clerk_edge::pattern::PatternSet::compile(&["/orgs/:slug", "/orgs/:slug/(.*)"]).unwrap();
    let t = Instant::now();
    for _ in 0..200_000 {
        std::hint::black_box(pattern.captures("/dashboard"));
    }
    println!(
        "org pattern captures on /dashboard: {:.2} µs",
        t.elapsed().as_secs_f64() * 1e6 / 200_000.0
    );
    let t = Instant::now();
    for _ in 0..200_000 {
        std::hint::black_box(clerk_edge::web::url::Url::parse(
            "https://app.bench.test/dashboard",
        ));
    }
    println!(
        "Url::parse: {:.2} µs",
        t.elapsed().as_secs_f64() * 1e6 / 200_000.0
    );
}

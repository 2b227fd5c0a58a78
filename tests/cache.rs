//! The verified-signature cache never changes a decision: claims are re-checked against the
//! current time on every request, so a cached token stops being trusted at the exact
//! millisecond an uncached run would reject it.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::host::cache::CachingVerifier;
use clerk_edge::host::services::{block_on, NoBackend, RustVerifier};
use clerk_edge::{authenticate, AuthStatus, RequestState};
use support::*;

fn run(v: &CachingVerifier<RustVerifier>, token: &str, now_ms: f64) -> RequestState {
    let cfg = config(options(&LIVE));
    let req = Req::fetch(DASHBOARD).session_cookies(token).parts();
    block_on(authenticate(&req, &cfg, now_ms, v, &NoBackend)).unwrap()
}

#[test]
fn cached_token_expires_at_the_exact_boundary() {
    let v = CachingVerifier::new(RustVerifier);
    let token = valid(&LIVE); // exp = NOW + 50 s
    assert_eq!(run(&v, &token, NOW_MS).status(), AuthStatus::SignedIn);
    assert_eq!(v.hits(), 0);
    // Default skew 5 s: still valid 1 ms before exp + 5 s, from the cache.
    let boundary = (NOW + 50) as f64 * 1000.0 + 5000.0;
    let before = run(&v, &token, boundary - 1.0);
    assert_eq!(before.status(), AuthStatus::SignedIn);
    assert_eq!(v.hits(), 1);
    // At exp + skew the cached signature no longer helps: expired, as without a cache.
    let at = run(&v, &token, boundary);
    assert_eq!(at.status(), AuthStatus::SignedOut);
    assert_eq!(
        at.reason(),
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie")
    );
    let uncached = run(&CachingVerifier::new(RustVerifier), &token, boundary);
    assert_eq!(at, uncached);
}

#[test]
fn a_forged_token_is_never_answered_from_the_cache() {
    let v = CachingVerifier::new(RustVerifier);
    let good = valid(&LIVE);
    assert_eq!(run(&v, &good, NOW_MS).status(), AuthStatus::SignedIn);
    let forged = session(&LIVE)
        .claim("sub", "user_attacker")
        .signed_by_other_key()
        .sign();
    for _ in 0..2 {
        let st = run(&v, &forged, NOW_MS);
        assert_eq!(st.reason(), Some("token-invalid-signature"));
    }
    // Same payload, the good token's signature: the signed bytes differ, so no hit.
    let (good_head, good_sig) = good.rsplit_once('.').unwrap();
    let (forged_head, _) = forged.rsplit_once('.').unwrap();
    assert_ne!(good_head, forged_head);
    let spliced = format!("{forged_head}.{good_sig}");
    assert_eq!(
        run(&v, &spliced, NOW_MS).reason(),
        Some("token-invalid-signature")
    );
}

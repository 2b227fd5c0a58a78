//! `jwtKey` with several keys (a signing-key rotation): concatenated PEMs tried in order, JWKS
//! keys chosen by `kid`, Clerk's reasons when no key fits, and a verified-signature cache that
//! spares the failed verify against the first key once a token of the second has been seen.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::host::cache::CachingVerifier;
use clerk_edge::host::key::RsaPublicKey;
use clerk_edge::host::services::{block_on, NoBackend, RustVerifier, SignatureVerifier};
use clerk_edge::{authenticate, AuthStatus, Options, RequestState};
use std::cell::Cell;
use std::rc::Rc;
use support::*;

fn with_keys(jwt_key: String) -> Options {
    Options {
        jwt_key: Some(jwt_key),
        ..options(&LIVE)
    }
}

fn run_v<V: SignatureVerifier>(opts: Options, token: &str, v: &V) -> RequestState {
    let cfg = config(opts);
    let req = Req::fetch(DASHBOARD).bearer(token).parts();
    block_on(authenticate(&req, &cfg, NOW_MS, v, &NoBackend)).unwrap()
}

fn run(opts: Options, token: &str) -> RequestState {
    run_v(opts, token, &RustVerifier)
}

fn jwk(key: &RsaPublicKey, kid: &str) -> String {
    format!(
        r#"{{"kty":"RSA","kid":"{kid}","alg":"RS256","use":"sig","n":"{}","e":"{}"}}"#,
        clerk_edge::web::base64::encode_url(&key.n),
        clerk_edge::web::base64::encode_url(&key.e)
    )
}

#[test]
fn concatenated_pems_accept_tokens_of_either_key() {
    let both = with_keys(format!("{OTHER_PUBLIC_PEM}\n{PUBLIC_PEM}"));
    for token in [valid(&LIVE), session(&LIVE).signed_by_other_key().sign()] {
        let st = run(both.clone(), &token);
        assert_eq!(st.status(), AuthStatus::SignedIn, "{:?}", st.message());
        assert_eq!(st.token(), Some(token.as_str()));
    }
    // `\n`-escaped, as env files keep it.
    let escaped = with_keys(
        format!("{OTHER_PUBLIC_PEM}{PUBLIC_PEM}")
            .trim_end()
            .replace('\n', "\\n"),
    );
    assert_eq!(run(escaped, &valid(&LIVE)).status(), AuthStatus::SignedIn);
}

#[test]
fn no_key_verifies_is_the_single_key_reason() {
    // Two keys, neither of which signed the token: what one wrong key says.
    let st = run(
        with_keys(format!("{OTHER_PUBLIC_PEM}\n{OTHER_PUBLIC_PEM}")),
        &valid(&LIVE),
    );
    let single = run(with_keys(OTHER_PUBLIC_PEM.into()), &valid(&LIVE));
    assert_eq!(st.status(), AuthStatus::SignedOut);
    assert_eq!(st.reason(), Some("token-invalid-signature"));
    assert_eq!(
        st.message(),
        Some("JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)")
    );
    assert_eq!(st, single);
}

#[test]
fn jwks_keys_are_chosen_by_kid() {
    let jwks = with_keys(format!(
        r#"{{"keys":[{},{}]}}"#,
        jwk(&other_public_key(), "ins_old"),
        jwk(&public_key(), KID)
    ));
    let token = valid(&LIVE);
    assert_eq!(run(jwks.clone(), &token).status(), AuthStatus::SignedIn);
    let by_old = session(&LIVE)
        .signed_by_other_key()
        .header("kid", "ins_old")
        .sign();
    assert_eq!(run(jwks.clone(), &by_old).status(), AuthStatus::SignedIn);
    // The right key exists, but the token names the other one: only that one is tried.
    let misnamed = session(&LIVE).header("kid", "ins_old").sign();
    let st = run(jwks.clone(), &misnamed);
    assert_eq!(st.reason(), Some("token-invalid-signature"));
    // No key with the token's kid: Clerk's JWKS reason and message.
    let unknown = session(&LIVE).header("kid", "ins_unknown").sign();
    let st = run(jwks, &unknown);
    assert_eq!(st.status(), AuthStatus::SignedOut);
    assert_eq!(st.reason(), Some("jwk-kid-mismatch"));
    assert_eq!(
        st.message(),
        Some("Unable to find a signing key in JWKS that matches the kid='ins_unknown' of the provided session token. Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated session JWT. Go to your Dashboard and validate your secret and public keys are correct. Contact support@clerk.com if the issue persists. (reason=jwk-kid-mismatch, token-carrier=header)")
    );
}

#[test]
fn the_algorithm_comes_from_the_key_not_the_header() {
    let both = with_keys(format!("{OTHER_PUBLIC_PEM}\n{PUBLIC_PEM}"));
    for alg in ["none", "HS256", "RS512"] {
        let token = session(&LIVE).header("alg", alg).sign();
        let st = run(both.clone(), &token);
        let single = run(options(&LIVE), &token);
        assert_eq!(st.status(), AuthStatus::SignedOut, "{alg}");
        assert_eq!(
            (st.reason(), st.message()),
            (single.reason(), single.message()),
            "{alg}"
        );
    }
}

/// Counts real RSA verifications under the cache.
struct Counting(Rc<Cell<u32>>);
impl SignatureVerifier for Counting {
    async fn verify_rs256(&self, k: &RsaPublicKey, m: &[u8], s: &[u8]) -> Result<bool, String> {
        self.0.set(self.0.get() + 1);
        RustVerifier.verify_rs256(k, m, s).await
    }
}

#[test]
fn the_cache_finds_the_second_key_without_a_failed_verify() {
    let count = Rc::new(Cell::new(0));
    let v = CachingVerifier::new(Counting(count.clone()));
    let both = with_keys(format!("{OTHER_PUBLIC_PEM}\n{PUBLIC_PEM}"));
    let token = valid(&LIVE); // signed by the second key
    let first = run_v(both.clone(), &token, &v);
    assert_eq!(first.status(), AuthStatus::SignedIn);
    assert_eq!(
        count.get(),
        2,
        "first sight: the first key fails, the second verifies"
    );
    let second = run_v(both.clone(), &token, &v);
    assert_eq!(second, first, "a cached decision equals an uncached one");
    assert_eq!(
        count.get(),
        2,
        "seen before: no RSA work, not even the failing key"
    );
    assert_eq!(v.len(), 1, "only the successful check is cached");
    // A token of the first key verifies at once and is cached under that key.
    let by_first = session(&LIVE).signed_by_other_key().sign();
    assert_eq!(
        run_v(both.clone(), &by_first, &v).status(),
        AuthStatus::SignedIn
    );
    assert_eq!(count.get(), 3);
    // The cache is per key: with only the first key configured, the second key's token
    // is not "known" and fails the real check.
    let st = run_v(with_keys(OTHER_PUBLIC_PEM.into()), &token, &v);
    assert_eq!(st.reason(), Some("token-invalid-signature"));
}

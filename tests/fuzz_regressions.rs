//! Replays every fuzz seed and every saved crash (fuzz/regressions/<target>/*) through the
//! same target bodies the fuzzers run, natively, on every `cargo test`.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../fuzz/fuzz_targets/bodies.rs"]
mod bodies;

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let mut n = 0;
    for dir in [
        format!("fuzz/corpus/{target}"),
        format!("fuzz/regressions/{target}"),
    ] {
        let Ok(entries) = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(&dir))
        else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if dir.contains("corpus") && !name.starts_with("seed") {
                continue; // local corpora are not committed
            }
            body(&std::fs::read(e.path()).unwrap());
            n += 1;
        }
    }
    n
}

#[test]
fn seeds_and_saved_crashes_replay_without_panicking() {
    let total = replay("jwt", bodies::jwt)
        + replay("cookies_url", bodies::cookies_url)
        + replay("pattern", bodies::pattern)
        + replay("request_data", bodies::request_data)
        + replay("authenticate", bodies::authenticate);
    assert!(total >= 6, "the committed seeds are present ({total})");
}

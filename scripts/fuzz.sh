#!/usr/bin/env bash
# Runs every fuzz target (cargo-fuzz / libFuzzer) for SECONDS each (default 60).
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
# Crashes land in fuzz/artifacts/<target>/; copy them to fuzz/regressions/<target>/ so
# `cargo test` replays them forever (tests/fuzz_regressions.rs).
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 enables them on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(jwt cookies_url pattern request_data authenticate)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "== fuzz $t (${SECONDS_EACH}s)"
  cargo fuzz run -O "$t" "fuzz/corpus/$t" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 2>&1 \
    | grep -a -E "^(Done|==[0-9]+==|SUMMARY|artifact_prefix)|panicked|Test unit written" || true
  if ls "fuzz/artifacts/$t"/crash-* >/dev/null 2>&1; then
    echo "fuzz $t: crash found, see fuzz/artifacts/$t" >&2
    exit 1
  fi
done
echo "fuzz: ${#TARGETS[@]} targets, ${SECONDS_EACH}s each, no crash"

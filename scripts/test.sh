#!/usr/bin/env bash
# Every test of clerk-edge: formatting, lints, native unit/integration tests, and the
# conformance runner on Clerk's vectors (../shared/conformance/clerk-vectors.json, or
# CLERK_VECTORS=path).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --all-targets -- -D warnings
echo "== cargo test"
cargo test 2>&1 | tee target/cargo-test.log
echo "== conformance"
vectors="${CLERK_VECTORS:-../shared/conformance/clerk-vectors.json}"
if [ ! -f "$vectors" ]; then
  echo "conformance vectors not found at $vectors (set CLERK_VECTORS)" >&2
  exit 1
fi
cargo run --quiet --release --bin conformance -- "$vectors"

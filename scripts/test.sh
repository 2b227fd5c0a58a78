#!/usr/bin/env bash
# Every test of clerk-edge: formatting, lints (native and wasm32), native unit/integration
# tests, the conformance runner on Clerk's vectors (../shared/conformance/clerk-vectors.json,
# or CLERK_VECTORS=path), the Next.js shim and apps, the Worker's end-to-end tests in workerd, and
# the origin readers (Python, Go, Node, Rust) on one generated vector file.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings (native, and the wasm32 Worker build)"
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --no-default-features --features worker -- -D warnings
cargo clippy --target wasm32-unknown-unknown --no-default-features --features js -- -D warnings
echo "== cargo test"
cargo test 2>&1 | tee target/cargo-test.log
echo "== fuzz smoke (scripts/fuzz.sh 10; long runs: scripts/fuzz.sh 600)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
echo "== conformance"
vectors="${CLERK_VECTORS:-../shared/conformance/clerk-vectors.json}"
if [ ! -f "$vectors" ]; then
  echo "conformance vectors not found at $vectors (set CLERK_VECTORS)" >&2
  exit 1
fi
cargo run --quiet --release --bin conformance -- --cache "$vectors" | tail -2
cargo run --quiet --release --bin conformance -- "$vectors"
echo "== Next.js shim: WebCrypto conformance, middleware vectors, interop, next build/start e2e"
CLERK_VECTORS="$vectors" bash scripts/test-next.sh
echo "== worker: build, then end-to-end tests in workerd (miniflare)"
bash scripts/build-worker.sh
node --test tests/worker/
echo "== origin readers: one vector file through Rust, Node, Python and Go; pytest; go test + fuzz; Worker → Python/Go origins"
bash scripts/test-readers.sh

#!/usr/bin/env bash
# Installs what clerk-edge's builds and tests need; skips what is already present.
# Pinned versions: see ../shared/notes/wasm-edge-toolchain.md and README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKER_BUILD_VERSION=0.8.7
WASM_BINDGEN_VERSION=0.2.130

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
rustup component add clippy rustfmt >/dev/null 2>&1 || true

if [ "${CLERK_EDGE_SETUP_WASM:-1}" = "1" ]; then
  if [ "$(worker-build --version 2>/dev/null | awk '{print $NF}')" != "$WORKER_BUILD_VERSION" ]; then
    echo "setup: installing worker-build $WORKER_BUILD_VERSION (about 5 minutes)"
    cargo install "worker-build@$WORKER_BUILD_VERSION" --locked
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    echo "setup: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
    # Not --locked: the locked webpki-roots version is not on the registry mirror.
    cargo install "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
  fi
fi

if [ "${CLERK_EDGE_SETUP_FUZZ:-1}" = "1" ] && ! command -v cargo-fuzz >/dev/null; then
  echo "setup: installing cargo-fuzz (about 2 minutes)"
  cargo install cargo-fuzz --locked
fi

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

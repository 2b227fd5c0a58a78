#!/usr/bin/env bash
# Builds the wasm-bindgen binding (src/js_api.rs) into js/pkg/ (clerk_edge.js + clerk_edge_bg.wasm),
# the engine of the Next.js shim: RS256 through WebCrypto, no pure-Rust RSA.
# Pinned, offline toolchain: wasm-bindgen CLI = the lib pin (0.2.130), wasm-opt from npm binaryen.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

: "${WASM_BINDGEN_BIN:?wasm-bindgen is not on PATH (bash scripts/setup.sh installs it)}"
[ -x "$WASM_OPT_BIN" ] || { echo "build-js: $WASM_OPT_BIN missing (npm ci)" >&2; exit 1; }

cargo build --release --target wasm32-unknown-unknown --no-default-features --features js --lib
"$WASM_BINDGEN_BIN" --target web --omit-default-module-path --out-dir js/pkg --out-name clerk_edge \
  target/wasm32-unknown-unknown/release/clerk_edge.wasm
# No --all-features: keep the target-features section, emit nothing edge runtimes cannot read.
"$WASM_OPT_BIN" -Oz js/pkg/clerk_edge_bg.wasm -o js/pkg/clerk_edge_bg.wasm

wasm=js/pkg/clerk_edge_bg.wasm
raw=$(wc -c < "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
glue=$(wc -c < js/pkg/clerk_edge.js)
echo "js/pkg: clerk_edge_bg.wasm $raw bytes ($gz gzip -9), clerk_edge.js $glue bytes"
bash scripts/size-check.sh js-wasm "$wasm"

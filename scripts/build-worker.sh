#!/usr/bin/env bash
# Builds the Worker (build/index.js + build/index_bg.wasm) with the pinned, offline toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# Default: with the demo origin (the demo and the end-to-end tests use it; its size is within the
# budget, so the production build is too). `--production`: what `wrangler deploy` builds.
features="worker,demo"
[ "${1:-}" = "--production" ] && features="worker"
worker-build --release --no-default-features --features "$features"
# worker-build runs wasm-opt (-Oz: Cargo.toml's wasm-pack metadata) with --debuginfo, which keeps the
# function-name section: 89 kB raw, 26 kB gzipped that only a debugger reads. Stripped here;
# scripts/size-report.sh builds a named copy when the names are wanted.
"$WASM_OPT_BIN" --strip-debug --strip-producers --enable-mutable-globals --enable-sign-ext \
  --enable-nontrapping-float-to-int --enable-bulk-memory --enable-multivalue --enable-reference-types \
  --enable-exception-handling build/index_bg.wasm -o build/index_bg.wasm
bash scripts/size-check.sh worker-wasm build/index_bg.wasm

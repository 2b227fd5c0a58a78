#!/usr/bin/env bash
# Builds the Worker (build/index.js + build/index_bg.wasm) with the pinned, offline toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# Default: with the demo origin (the demo and the end-to-end tests use it; its size is within the
# budget, so the production build is too). `--production`: exactly what `wrangler deploy` builds.
features="worker,demo"
[ "${1:-}" = "--production" ] && features="worker"
worker-build --release --no-default-features --features "$features"
bash scripts/size-check.sh worker-wasm build/index_bg.wasm

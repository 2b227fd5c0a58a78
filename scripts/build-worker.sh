#!/usr/bin/env bash
# Builds the Worker (build/index.js + build/index_bg.wasm) with the pinned, offline toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
worker-build --release --no-default-features --features worker
bash scripts/size-check.sh worker-wasm build/index_bg.wasm

#!/usr/bin/env bash
# Builds the installable clerk-edge package: js/pkg (wasm + glue + inlined base64 for the Node.js
# runtime) and `npm pack` of js/ into dist/clerk-edge-<version>.tgz. Install it in a Next.js app
# with `npm install /path/to/clerk-edge-<version>.tgz` (works offline: no dependencies, only peers).
# SKIP_BUILD=1 packs the js/pkg already built.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

[ "${SKIP_BUILD:-}" = 1 ] || bash scripts/build-js.sh
for f in clerk_edge.js clerk_edge_bg.wasm clerk_edge_bg.wasm.b64.js; do
  [ -s "js/pkg/$f" ] || { echo "pack-js: js/pkg/$f missing (scripts/build-js.sh)" >&2; exit 1; }
done
mkdir -p dist
rm -f dist/clerk-edge-*.tgz
tgz=$(npm pack ./js --pack-destination dist --silent --offline | tail -n 1)
echo "dist/$tgz ($(wc -c < "dist/$tgz") bytes)"

#!/usr/bin/env bash
# The Next.js shim (issue #6), end to end:
#   1. builds the wasm binding into js/pkg (scripts/build-js.sh);
#   2. js/test/: the conformance vectors through WebCrypto, the `middleware` section through
#      clerkMiddleware() (CLERK_VECTORS: one file or several separated by `:`), and interop with
#      unchanged @clerk/nextjs (its getAuth() reads what clerk-edge forwards);
#   3. tests/next/: `next build` + `next start` of examples/next-app (Turbopack, edge middleware)
#      and HTTP requests against it;
#   4. prints the size of the built middleware (its edge chunks and wasm, gzip -9).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

if [ ! -x node_modules/.bin/next ] || [ ! -d node_modules/@clerk/nextjs ]; then
  npm ci --no-audit --no-fund
fi
vectors="${CLERK_VECTORS:-../shared/conformance/clerk-vectors.json}"

echo "== build js/pkg"
bash scripts/build-js.sh
echo "== js/test (conformance through WebCrypto, middleware vectors, interop with @clerk/nextjs)"
CLERK_VECTORS="$vectors" node --test js/test/
echo "== tests/next (next build + next start of examples/next-app)"
node --test tests/next/
echo "== middleware bundle size"
node -e '
const fs = require("fs"), zlib = require("zlib");
const dir = "examples/next-app/.next/";
const m = JSON.parse(fs.readFileSync(dir + "server/middleware-manifest.json")).middleware["/"];
let raw = 0, gz = 0;
for (const f of [...m.files, ...(m.wasm || []).map((w) => w.filePath)]) {
  const b = fs.readFileSync(dir + f);
  raw += b.length;
  gz += zlib.gzipSync(b, { level: 9 }).length;
}
console.log(`middleware (edge chunks + wasm): ${raw} bytes, ${gz} gzip -9`);
'

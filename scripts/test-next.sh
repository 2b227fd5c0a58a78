#!/usr/bin/env bash
# The Next.js shim (issues #6, #14), end to end:
#   1. builds the wasm binding into js/pkg (scripts/build-js.sh);
#   2. js/test/: the conformance vectors through WebCrypto, the `middleware` section through
#      clerkMiddleware() (CLERK_VECTORS: one file or several separated by `:`), and interop with
#      unchanged @clerk/nextjs (its getAuth() reads what clerk-edge forwards);
#   3. packs the installable tarball (scripts/pack-js.sh → dist/clerk-edge-<version>.tgz);
#   4. tests/next/types.test.mjs: Clerk's documented middleware/proxy shapes under `tsc --noEmit`
#      (Next's default tsconfig) against @clerk/nextjs/server, clerk-edge/server and clerk-edge;
#   5. tests/next/next.test.mjs: the example app with clerk-edge installed from the tarball,
#      `next build` + `next start` of proxy.ts (Node.js runtime) and middleware.ts (edge runtime),
#      each with Turbopack and with webpack, the same HTTP checks each; prints each build's time
#      and what each runtime ships (edge chunks + wasm, or the proxy bundle and its file trace).
#      NEXT_VARIANTS=proxy-turbopack,… runs a subset.
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
echo "== pack"
SKIP_BUILD=1 bash scripts/pack-js.sh
echo "== tests/next/types (tsc --noEmit of Clerk's documented shapes)"
node --test tests/next/types.test.mjs
echo "== tests/next (tarball install; next build + next start: proxy/middleware × Turbopack/webpack)"
node --test tests/next/next.test.mjs

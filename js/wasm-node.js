// Loads the wasm engine in Node (tests, Node origins): reads js/pkg/clerk_edge_bg.wasm from disk.
// Inside a Next.js bundle, js/wasm-edge.js loads it instead.
import { initSync } from './pkg/clerk_edge.js';
import { useNodeCrypto } from './node-crypto.js';

export { useNodeCrypto };
export { setNodeCrypto } from './pkg/clerk_edge.js';

let ready = false;

/** Instantiates the engine once (a no-op when it is already instantiated, e.g. by wasm-edge.js).
 *  RS256 stays on WebCrypto, as on the edge runtime, unless CLERK_EDGE_NODE_CRYPTO=1 (to run a
 *  test suite as the Node.js runtime does); `useNodeCrypto()` switches to the Node.js runtime's
 *  verifier (what js/wasm-inline.js does) and `setNodeCrypto(undefined)` back. */
export function ensureWasm() {
  if (ready) return;
  const fs = process.getBuiltinModule('node:fs');
  initSync({ module: fs.readFileSync(new URL('./pkg/clerk_edge_bg.wasm', import.meta.url)) });
  if (process.env.CLERK_EDGE_NODE_CRYPTO === '1') useNodeCrypto();
  ready = true;
}

// RS256 on the Node.js runtime through `node:crypto` (synchronous `crypto.verify` against a
// KeyObject built once per key) instead of WebCrypto, whose `verify` goes through the thread pool
// and a Promise: a first-sight token is then decided without a Promise. Called by the Node
// entries (wasm-inline.js; tests and benchmarks through wasm-node.js), never by the edge one.
// `process.getBuiltinModule` (Node ≥ 20.16) rather than an import: no bundler resolves or traces
// it, and on an older Node the engine simply keeps WebCrypto.
import { setNodeCrypto } from './pkg/clerk_edge.js';

/** Registers `node:crypto` as the engine's RS256 verifier; false (WebCrypto kept) without it. */
export function useNodeCrypto() {
  const crypto = typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:crypto') : undefined;
  if (!crypto || typeof crypto.verify !== 'function') return false;
  setNodeCrypto({ createPublicKey: crypto.createPublicKey, verify: crypto.verify });
  return true;
}

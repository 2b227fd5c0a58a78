// Loads the engine on the Node.js runtime inside a bundle: the wasm bytes are inlined as base64
// (pkg/clerk_edge_bg.wasm.b64.js, written by scripts/build-js.sh). No `?module` (webpack's server
// compiler cannot parse it; Turbopack's Node loader globs the whole project) and no
// `new URL(…, import.meta.url)` asset whose path each bundler rewrites differently.
import wasmBase64 from './pkg/clerk_edge_bg.wasm.b64.js';
import { initSync } from './pkg/clerk_edge.js';
import { useNodeCrypto } from './node-crypto.js';

const bytes =
  typeof Buffer === 'function' ? Buffer.from(wasmBase64, 'base64') : Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
initSync({ module: new WebAssembly.Module(bytes) });
// RS256 through node:crypto, synchronously (WebCrypto if this Node lacks getBuiltinModule).
useNodeCrypto();

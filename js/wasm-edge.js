// The only file that knows how Next.js loads wasm-bindgen output (edge runtime, Turbopack or
// webpack): `?module` gives a precompiled WebAssembly.Module (compiling from bytes is forbidden
// at the edge), which `initSync` instantiates.
import wasmModule from './pkg/clerk_edge_bg.wasm?module';
import { initSync } from './pkg/clerk_edge.js';

// `next start` / `next dev` compile the module in Node's main realm and hand it to the edge
// sandbox, where `instanceof WebAssembly.Module` is false and wasm-bindgen would try to compile
// it again (and fail). `WebAssembly.Instance` accepts it once the prototype matches; on a real
// edge runtime the realms match and this is a no-op.
const mod = wasmModule;
if (!(mod instanceof WebAssembly.Module)) Object.setPrototypeOf(mod, WebAssembly.Module.prototype);
initSync({ module: mod });

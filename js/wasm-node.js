// Loads the wasm engine in Node (tests, Node origins): reads js/pkg/clerk_edge_bg.wasm from disk.
// Inside a Next.js bundle, js/wasm-edge.js loads it instead.
import { initSync } from './pkg/clerk_edge.js';

let ready = false;

/** Instantiates the engine once (a no-op when it is already instantiated, e.g. by wasm-edge.js). */
export function ensureWasm() {
  if (ready) return;
  const fs = process.getBuiltinModule('node:fs');
  initSync({ module: fs.readFileSync(new URL('./pkg/clerk_edge_bg.wasm', import.meta.url)) });
  ready = true;
}

// clerk-edge on the Node.js runtime (package condition `node`: Next 16's proxy.ts, middleware.ts
// with `runtime: 'nodejs'`, route handlers). The wasm is inlined (js/wasm-inline.js), so neither
// bundler needs a wasm loader and the file trace stays this package's own files.
import './wasm-inline.js';

export { clerkMiddleware, createRouteMatcher } from './api.js';

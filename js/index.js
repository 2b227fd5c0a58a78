// clerk-edge: `clerkMiddleware()` for Next.js with its decisions made in Rust (WebAssembly).
// A drop-in for `@clerk/nextjs/server`'s `clerkMiddleware` and `createRouteMatcher`.
// Edge runtime entry (package conditions `edge-light`, `worker`, `default`): the wasm comes
// through `?module` (js/wasm-edge.js), the only form Vercel's edge runtime accepts.
import './wasm-edge.js';

export { clerkMiddleware, createRouteMatcher } from './api.js';

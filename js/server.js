// `clerk-edge/server`: the same exports as `clerk-edge`, under the path `@clerk/nextjs/server` uses.
export { clerkMiddleware, createRouteMatcher } from './index.js';

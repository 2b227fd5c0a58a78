// `clerk-edge/server` (edge runtime): everything `@clerk/nextjs/server` exports, with clerk-edge's
// clerkMiddleware and createRouteMatcher in place of Clerk's, so swapping the import path works
// in any file (local exports win over `export *`).
export * from '@clerk/nextjs/server';
export { clerkMiddleware, createRouteMatcher } from './index.js';

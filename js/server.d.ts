// `clerk-edge/server`: the same exports as `@clerk/nextjs/server` (a peer dependency), with
// clerk-edge's clerkMiddleware and createRouteMatcher behind Clerk's own declarations, so that code
// type-checks exactly as with Clerk's SDK. `clerk-edge` (./index.d.ts) has clerk-edge's own
// declarations of the same shapes, for apps without @clerk/nextjs.
export * from '@clerk/nextjs/server';

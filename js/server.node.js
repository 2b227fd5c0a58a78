// `clerk-edge/server` on the Node.js runtime: as server.js, over index.node.js.
export * from '@clerk/nextjs/server';
export { clerkMiddleware, createRouteMatcher } from './index.node.js';

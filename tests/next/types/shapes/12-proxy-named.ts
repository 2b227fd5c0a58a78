// Next 16 proxy.ts with a named `proxy` export.
import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/server';

const isProtected = createRouteMatcher((req) => req.nextUrl.pathname.startsWith('/private'));

export const proxy = clerkMiddleware(async (auth, req) => {
  if (isProtected(req)) await auth.protect();
});

export const config = { matcher: ['/((?!_next).*)'] };

// clerkMiddleware itself as the middleware, and called from another function.
import { clerkMiddleware } from 'clerk-edge/server';
import type { NextFetchEvent, NextRequest } from 'next/server';

export default function middleware(req: NextRequest, event: NextFetchEvent) {
  return clerkMiddleware(req, event);
}

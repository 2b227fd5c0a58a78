// Role-based access through CustomJwtSessionClaims (Clerk's "basic RBAC" guide).
import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/server';
import { NextResponse } from 'next/server';

declare global {
  interface CustomJwtSessionClaims {
    metadata: { role?: 'admin' | 'moderator' };
  }
}

const isAdminRoute = createRouteMatcher(['/admin(.*)']);

export default clerkMiddleware(async (auth, req) => {
  const role: 'admin' | 'moderator' | undefined = (await auth()).sessionClaims?.metadata?.role;
  if (isAdminRoute(req) && role !== 'admin') {
    const url = new URL('/', req.url);
    return NextResponse.redirect(url);
  }
});

import { auth } from '@clerk/nextjs/server';

// Public route; @clerk/nextjs's own auth() verifies clerk-edge's signature and decrypts its
// request data, then reports who the middleware verified.
export async function GET() {
  const a = await auth();
  return Response.json({
    userId: a.userId,
    sessionId: a.sessionId,
    orgId: a.orgId ?? null,
    orgRole: a.orgRole ?? null,
    orgSlug: a.orgSlug ?? null,
    isAuthenticated: a.isAuthenticated,
  });
}

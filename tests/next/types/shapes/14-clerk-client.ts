// The rest of @clerk/nextjs/server from the same path: clerkClient() inside the handler. [server-only]
import { clerkClient, clerkMiddleware, createRouteMatcher } from 'clerk-edge/server';
import { NextResponse } from 'next/server';

const isOnboarding = createRouteMatcher(['/onboarding(.*)']);

export default clerkMiddleware(async (auth, req) => {
  const { userId, sessionClaims } = await auth();
  if (userId && isOnboarding(req) && !sessionClaims?.metadata) {
    const client = await clerkClient();
    const user = await client.users.getUser(userId);
    return NextResponse.json({ id: user.id });
  }
});

// Three parameters: the NextFetchEvent, and a NextResponse the handler builds.
import { clerkMiddleware } from 'clerk-edge/server';
import { NextResponse } from 'next/server';

export default clerkMiddleware(async (auth, req, event) => {
  event.waitUntil(Promise.resolve());
  const { userId } = await auth();
  const res = NextResponse.next();
  if (userId) res.headers.set('x-user', userId);
  return res;
});

// Protect routes by pattern (two parameters: auth and req inferred).
import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/server';

const isProtectedRoute = createRouteMatcher(['/dashboard(.*)', '/forum(.*)']);

export default clerkMiddleware(async (auth, req) => {
  if (isProtectedRoute(req)) await auth.protect();
});

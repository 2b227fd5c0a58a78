// Everything protected but public routes; a sync handler returning nothing.
import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/server';

const isPublicRoute = createRouteMatcher(['/sign-in(.*)', '/sign-up(.*)']);

export default clerkMiddleware(async (auth, request) => {
  if (!isPublicRoute(request)) {
    await auth.protect();
  }
});

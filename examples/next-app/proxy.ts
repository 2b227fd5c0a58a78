// The example's proxy (Next 16's name for middleware; Node.js runtime). With Clerk's SDK the first
// line would read
//   import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';
// that import is the only difference. The same file saved as middleware.ts runs on the edge
// runtime (tests/next/next.test.mjs builds both, with Turbopack and with webpack).
import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/server';

const isAdmin = createRouteMatcher(['/admin(.*)']);
const isPrivateApi = createRouteMatcher(['/api/private(.*)']);
const isProtected = createRouteMatcher(['/dashboard(.*)', '/actions(.*)']);

export default clerkMiddleware(
  async (auth, req) => {
    if (isAdmin(req)) await auth.protect({ role: 'org:admin' });
    if (isPrivateApi(req)) await auth.protect();
    if (isProtected(req)) await auth.protect();
  },
  {
    signInUrl: '/sign-in',
    organizationSyncOptions: {
      organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)'],
    },
  },
);

export const config = {
  matcher: [
    // Everything but Next internals and static files…
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    // …and always API routes.
    '/(api|trpc)(.*)',
  ],
};

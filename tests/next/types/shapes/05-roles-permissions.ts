// Authorization: a role, a permission, and a predicate over has().
import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/server';

const isAdmin = createRouteMatcher(['/admin(.*)']);
const isBilling = createRouteMatcher(['/billing(.*)']);

export default clerkMiddleware(async (auth, req) => {
  if (isAdmin(req)) await auth.protect({ role: 'org:admin' });
  if (isBilling(req)) {
    await auth.protect((has) => has({ permission: 'org:billing:manage' }) || has({ permission: 'org:billing:read' }));
  }
  const { has } = await auth();
  if (!has({ permission: 'org:team:read' })) return;
});

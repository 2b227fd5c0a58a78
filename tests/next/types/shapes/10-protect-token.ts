// auth.protect({ token }) for machine tokens.
import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/server';

const isMachineApi = createRouteMatcher(['/api/m2m(.*)']);

export default clerkMiddleware(async (auth, req) => {
  if (isMachineApi(req)) {
    const machine = await auth.protect({ token: 'm2m_token' });
    const tokenType: 'm2m_token' = machine.tokenType;
    void tokenType;
  }
  await auth.protect({ unauthenticatedUrl: 'https://example.com/sign-in', unauthorizedUrl: 'https://example.com/403' });
});

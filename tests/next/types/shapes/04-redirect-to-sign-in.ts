// One parameter: auth() then redirectToSignIn().
import { clerkMiddleware } from 'clerk-edge/server';

export default clerkMiddleware(async (auth) => {
  const { userId, redirectToSignIn } = await auth();
  if (!userId) return redirectToSignIn();
});

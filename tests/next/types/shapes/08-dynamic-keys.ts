// Handler plus options from a callback (dynamic keys per request).
import { clerkMiddleware } from 'clerk-edge/server';

export default clerkMiddleware(
  async (auth, req) => {
    if (req.nextUrl.pathname.startsWith('/app')) await auth.protect();
  },
  (req) => ({
    secretKey: req.nextUrl.hostname === 'a.example.com' ? process.env.CLERK_SECRET_KEY_A : process.env.CLERK_SECRET_KEY_B,
    publishableKey: process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
  }),
);

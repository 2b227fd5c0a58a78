// Must NOT compile: `signinUrl` is not an option (it is `signInUrl`).
import { clerkMiddleware } from 'clerk-edge/server';

export default clerkMiddleware({ signinUrl: '/sign-in' });

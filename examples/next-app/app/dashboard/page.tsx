import { auth } from '@clerk/nextjs/server';

// Protected by the middleware (`auth.protect()`); Clerk's own auth() reads what it forwarded.
export default async function Dashboard() {
  const { userId } = await auth();
  return <main>dashboard of {userId}</main>;
}

import { auth } from '@clerk/nextjs/server';

// The middleware requires `role: 'org:admin'`.
export default async function Admin() {
  const { userId, orgRole } = await auth();
  return (
    <main>
      admin page for {userId} ({orgRole})
    </main>
  );
}

import { auth } from '@clerk/nextjs/server';

// organizationSyncOptions: visiting /orgs/<slug> with another active organization makes the
// middleware hand the browser to Clerk (handshake) to activate <slug>.
export default async function Org({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { orgSlug } = await auth();
  return (
    <main>
      org page {slug}, active organization {orgSlug ?? 'none'}
    </main>
  );
}

import { headers } from 'next/headers';

// Echoes the x-clerk-* / x-middleware-* request headers the application server received.
export async function GET() {
  const seen: Record<string, string> = {};
  (await headers()).forEach((value, name) => {
    if (name.startsWith('x-clerk-') || name.startsWith('x-middleware-')) seen[name] = value;
  });
  return Response.json(seen);
}

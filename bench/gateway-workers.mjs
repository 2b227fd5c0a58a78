// The Workers of `node bench/gateway.mjs`, all in one workerd process:
// - `passthrough`: plain JavaScript, forwards every request to the origin (the floor);
// - `clerkjs`: what a user writes by hand today with @clerk/backend: authenticateRequest, the
//   handshake redirect, one protected prefix, Clerk's headers (HMAC-SHA1 signature) forwarded;
// - `driver`: sends each scenario's requests to one gateway through a service binding and times
//   the loop with performance.now() (workerd's clock advances across the awaited subrequests).
// The clerk-edge Worker is build/index.js itself; the origin answers every request with 200.
import { createClerkClient } from '@clerk/backend';

export const passthrough = {
  async fetch(request, env) {
    return env.ORIGIN.fetch(request);
  },
};

let clerk, hmacKey;
export const clerkjs = {
  async fetch(request, env) {
    clerk ??= createClerkClient({ secretKey: env.CLERK_SECRET_KEY, publishableKey: env.CLERK_PUBLISHABLE_KEY, jwtKey: env.CLERK_JWT_KEY });
    hmacKey ??= await crypto.subtle.importKey('raw', new TextEncoder().encode(env.CLERK_SECRET_KEY), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    const state = await clerk.authenticateRequest(request);
    if (state.headers.get('location')) return new Response(null, { status: 307, headers: state.headers });
    if (new URL(request.url).pathname.startsWith('/protected') && !state.isSignedIn) {
      return new Response('Not Found', { status: 404, headers: { 'x-clerk-auth-reason': 'protect-rewrite' } });
    }
    const headers = new Headers(request.headers);
    for (const name of [...headers.keys()]) if (name.startsWith('x-clerk-') || name.startsWith('x-middleware-')) headers.delete(name);
    const token = state.token ?? '';
    const signature = token
      ? [...new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, new TextEncoder().encode(token)))].map((b) => b.toString(16).padStart(2, '0')).join('')
      : '';
    headers.set('x-clerk-auth-status', state.status);
    headers.set('x-clerk-auth-token', token);
    headers.set('x-clerk-auth-signature', signature);
    headers.set('x-clerk-auth-reason', state.reason ?? '');
    headers.set('x-clerk-auth-message', state.message ?? '');
    headers.set('x-clerk-clerk-url', request.url);
    const response = await env.ORIGIN.fetch(new Request(request, { headers }));
    const out = new Response(response.body, response);
    state.headers.forEach((v, k) => out.headers.append(k, v));
    return out;
  },
};

export const origin = {
  async fetch() {
    return new Response('ok');
  },
};

export const driver = {
  async fetch(request, env) {
    const { impl, scenario, from, n } = await request.json();
    const s = env.SCENARIOS[scenario];
    const gateway = env[impl];
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const headers = s.requests[(from + i) % s.requests.length];
      const r = await gateway.fetch(new Request(s.url, { headers, redirect: 'manual' }));
      await r.arrayBuffer();
      // The pass-through gateway decides nothing: the origin's 200 every time.
      const expected = impl === 'passthrough' ? 200 : s.status;
      if (r.status !== expected) return new Response(`${impl} ${s.name}: status ${r.status}, expected ${expected}`, { status: 500 });
    }
    return Response.json({ ms: performance.now() - start });
  },
};

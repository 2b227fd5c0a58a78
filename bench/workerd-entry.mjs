// The benchmark Worker: clerk-edge (wasm-bindgen build) and @clerk/backend side by side in
// one workerd isolate, timed with performance.now() around loops of N requests.
import wasmModule from '../js/pkg/clerk_edge_bg.wasm';
import { initSync, Engine } from '../js/pkg/clerk_edge.js';
import { createClerkClient } from '@clerk/backend';

let instantiateMs = 0;
{
  const t = performance.now();
  initSync({ module: wasmModule });
  instantiateMs = performance.now() - t;
}
let state = null;

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/setup') {
      const { scenarios, options } = await request.json();
      state = {
        scenarios,
        options,
        engine: new Engine(JSON.stringify({ ...options, acceptsToken: 'any' })),
        clerk: createClerkClient({ secretKey: options.secretKey, publishableKey: options.publishableKey, jwtKey: options.jwtKey }),
      };
      // The floor: WebCrypto's verify alone, the CryptoKey imported once (as ours is).
      const der = Uint8Array.from(atob(options.jwtKey.replace(/-----[^-]+-----|\s/g, '')), (c) => c.charCodeAt(0));
      state.cryptoKey = await crypto.subtle.importKey('spki', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
      // Signature and signed bytes of every request's token, split and decoded here so that the
      // timed loop is the verify and nothing else.
      for (const sc of scenarios) {
        sc.verifyInputs = sc.requests.map((headers) => {
          const token = (headers.cookie || headers.authorization || '').replace(/^.*?(__session=|Bearer )/, '').split(';')[0];
          const [h, p, sig] = token.split('.');
          const bytes = Uint8Array.from(atob((sig || '').replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
          return [bytes, new TextEncoder().encode(`${h}.${p}`)];
        });
      }
      return Response.json({ instantiateMs });
    }
    const s = state.scenarios[Number(url.searchParams.get('s'))];
    const impl = url.searchParams.get('impl');
    const n = Number(url.searchParams.get('n'));
    const offset = Number(url.searchParams.get('offset'));
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const k = (offset + i) % s.requests.length;
      const headers = s.requests[k];
      let status;
      if (impl === 'verify') {
        const [signature, signed] = s.verifyInputs[k];
        const ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', state.cryptoKey, signature, signed);
        status = ok ? s.expect : 'bad signature';
      } else if (impl === 'ours') {
        status = JSON.parse(await state.engine.authenticate('GET', s.url, JSON.stringify(Object.entries(headers)), Date.now())).status;
      } else {
        const st = await state.clerk.authenticateRequest(new Request(s.url, { headers }), { organizationSyncOptions: state.options.organizationSyncOptions, acceptsToken: 'any' });
        status = st.status;
      }
      if (status !== s.expect) return new Response(`${s.name}: expected ${s.expect}, got ${status}`, { status: 500 });
    }
    return Response.json({ ms: performance.now() - start });
  },
};

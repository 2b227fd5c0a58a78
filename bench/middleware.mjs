#!/usr/bin/env node
// Node 20: the whole middleware, side by side, same NextRequests, same run, no handler:
//   - a no-op middleware (`NextResponse.next()` with a request-header override): the floor;
//   - clerk-edge's clerkMiddleware() (js/core.js over the wasm core) with RS256 through WebCrypto,
//     as the edge entry (index.js) runs it;
//   - the same with RS256 through node:crypto, as the Node entry (index.node.js: Next 16
//     proxy.ts, `runtime: 'nodejs'`) runs it;
//   - @clerk/nextjs's clerkMiddleware().
// First-sight scenarios give each clerk-edge row tokens of its own (the rows share the wasm's
// signature cache). "overhead" is clerk-edge minus the no-op.
//   node bench/middleware.mjs [--rounds 5] [--n 300]
import { createRequire } from 'node:module';
import { setup, median, PK, SECRET } from './scenarios.mjs';
import { ensureWasm, setNodeCrypto, useNodeCrypto } from '../js/wasm-node.js';
import { create } from '../js/core.js';

const require = createRequire(import.meta.url);
const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const ROUNDS = arg('rounds', 5), N = arg('n', 300);
const PER_ROW = (ROUNDS + 1) * N; // first-sight tokens one row uses (warm-up + rounds)

const { scenarios, options } = setup(2 * PER_ROW);
process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY = PK;
process.env.CLERK_SECRET_KEY = SECRET;
process.env.NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED = '1';
const { NextRequest, NextResponse } = require('next/server');
const clerk = require('@clerk/nextjs/server');
ensureWasm();
const ours = create({ NextResponse });
const mwOptions = { jwtKey: options.jwtKey, organizationSyncOptions: options.organizationSyncOptions };
const oursMw = ours.clerkMiddleware(mwOptions);
const clerkMw = clerk.clerkMiddleware(mwOptions);
/** The floor: what any middleware that forwards a request header costs. */
const noopMw = (req) => {
  const headers = new Headers(req.headers);
  headers.set('x-noop', '1');
  return NextResponse.next({ request: { headers } });
};

// clerk-edge and Clerk answer the same: 307 for the handshake, else a decorated 200.
const expectStatus = (s) => (s.expect === 'handshake' ? 307 : 200);
async function time(mw, s, offset, status = expectStatus(s)) {
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const res = await mw(new NextRequest(s.url, { headers: s.headers(offset + i) }), {});
    if (res.status !== status) throw new Error(`${s.name}: status ${res.status}`);
  }
  return ((performance.now() - start) * 1000) / N;
}
const edge = (s, offset) => { setNodeCrypto(undefined); return time(oursMw, s, offset); };
const node = (s, offset) => { if (!useNodeCrypto()) throw new Error('node:crypto unavailable'); return time(oursMw, s, PER_ROW + offset); };

const rows = [];
for (const s of scenarios) {
  // Warm-up, on tokens of its own.
  await time(noopMw, s, ROUNDS * N, 200); await edge(s, ROUNDS * N); await node(s, ROUNDS * N); await time(clerkMw, s, ROUNDS * N);
  const z = [], a = [], n = [], b = [];
  for (let r = 0; r < ROUNDS; r++) {
    z.push(await time(noopMw, s, r * N, 200));
    a.push(await edge(s, r * N));
    n.push(await node(s, r * N));
    b.push(await time(clerkMw, s, r * N));
  }
  rows.push({ name: s.name, noop: median(z), ours: median(a), node: median(n), clerk: median(b) });
}
setNodeCrypto(undefined);
const f = (x) => x.toFixed(1);
console.log(`Node ${process.version}, clerkMiddleware() without handler, ${ROUNDS} rounds x ${N} requests, median µs per request`);
console.log('| scenario | no-op middleware | clerk-edge, edge entry (WebCrypto) | clerk-edge, Node entry (node:crypto) | @clerk/nextjs | ratio edge / Node | overhead over no-op, edge / Node |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | ${f(r.noop)} | ${f(r.ours)} | ${f(r.node)} | ${f(r.clerk)} | ${(r.clerk / r.ours).toFixed(1)}× / ${(r.clerk / r.node).toFixed(1)}× | ${f(r.ours - r.noop)} / ${f(r.node - r.noop)} |`);
}

#!/usr/bin/env node
// Node 20: the whole middleware, side by side: clerk-edge's clerkMiddleware() (js/, wasm core)
// vs @clerk/nextjs's clerkMiddleware(), same NextRequests, same run, no handler.
//   node bench/middleware.mjs [--rounds 5] [--n 300]
import { createRequire } from 'node:module';
import { setup, median, PK, SECRET } from './scenarios.mjs';
import { ensureWasm } from '../js/wasm-node.js';
import { create } from '../js/core.js';

const require = createRequire(import.meta.url);
const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const ROUNDS = arg('rounds', 5), N = arg('n', 300);

const { scenarios, options } = setup((ROUNDS + 1) * N);
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

// Both answer the same: 307 for the handshake, else a decorated 200.
const expectStatus = (s) => (s.expect === 'handshake' ? 307 : 200);
async function time(mw, s, offset) {
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const res = await mw(new NextRequest(s.url, { headers: s.headers(offset + i) }), {});
    if (res.status !== expectStatus(s)) throw new Error(`${s.name}: status ${res.status}`);
  }
  return ((performance.now() - start) * 1000) / N;
}

const rows = [];
for (const s of scenarios) {
  await time(oursMw, s, ROUNDS * N); await time(clerkMw, s, ROUNDS * N); // warm-up, on tokens of its own
  const a = [], b = [];
  for (let r = 0; r < ROUNDS; r++) { a.push(await time(oursMw, s, r * N)); b.push(await time(clerkMw, s, r * N)); }
  rows.push({ name: s.name, ours: median(a), clerk: median(b) });
}
console.log(`Node ${process.version}, clerkMiddleware() without handler, ${ROUNDS} rounds x ${N} requests, median µs per request`);
console.log('| scenario | clerk-edge clerkMiddleware | @clerk/nextjs clerkMiddleware | ratio |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.ours.toFixed(1)} | ${r.clerk.toFixed(1)} | ${(r.clerk / r.ours).toFixed(1)}× |`);

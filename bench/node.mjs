#!/usr/bin/env node
// Node 20: clerk-edge (wasm-bindgen build, WebCrypto RS256) vs @clerk/backend's
// authenticateRequest on the same requests, same run. Medians of ROUNDS rounds of N requests.
//   node bench/node.mjs [--rounds 7] [--n 500]
import fs from 'node:fs';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { setup, median } from './scenarios.mjs';
import { initSync, Engine } from '../js/pkg/clerk_edge.js';

const require = createRequire(import.meta.url);
const { createClerkClient } = require('@clerk/backend');
const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const ROUNDS = arg('rounds', 7), N = arg('n', 500);

const wasmPath = new URL('../js/pkg/clerk_edge_bg.wasm', import.meta.url);
const bytes = fs.readFileSync(wasmPath);
const t0 = performance.now();
const module = new WebAssembly.Module(bytes);
const compileMs = performance.now() - t0;
const t1 = performance.now();
initSync({ module });
const instantiateMs = performance.now() - t1;

const { scenarios, options } = setup((ROUNDS + 1) * N);
const engine = new Engine(JSON.stringify({ ...options, acceptsToken: 'any' }));
const clerk = createClerkClient({ secretKey: options.secretKey, publishableKey: options.publishableKey, jwtKey: options.jwtKey });

const ours = async (s, i) => {
  const h = s.headers(i);
  const out = JSON.parse(await engine.authenticate('GET', s.url, JSON.stringify(Object.entries(h)), Date.now()));
  return out.status;
};
const theirs = async (s, i) => {
  const st = await clerk.authenticateRequest(new Request(s.url, { headers: s.headers(i) }), { organizationSyncOptions: options.organizationSyncOptions, acceptsToken: 'any' });
  return st.status;
};

async function time(fn, s, offset) {
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const status = await fn(s, offset + i);
    if (status !== s.expect) throw new Error(`${s.name}: expected ${s.expect}, got ${status}`);
  }
  return ((performance.now() - start) * 1000) / N;
}

const rows = [];
for (const s of scenarios) {
  await time(ours, s, ROUNDS * N); await time(theirs, s, ROUNDS * N); // warm-up, on tokens of its own
  const a = [], b = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await time(ours, s, r * N));
    b.push(await time(theirs, s, r * N));
  }
  rows.push({ name: s.name, ours: median(a), clerk: median(b) });
}
const gz = zlib.gzipSync(bytes, { level: 9 }).length;
console.log(`Node ${process.version}, ${ROUNDS} rounds x ${N} requests, median µs per request`);
console.log('| scenario | clerk-edge | @clerk/backend authenticateRequest | ratio |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.ours.toFixed(1)} | ${r.clerk.toFixed(1)} | ${(r.clerk / r.ours).toFixed(1)}× |`);
console.log(`wasm: ${bytes.length} bytes raw, ${gz} gzip -9; compile ${compileMs.toFixed(1)} ms, instantiate ${instantiateMs.toFixed(2)} ms`);

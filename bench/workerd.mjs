#!/usr/bin/env node
// workerd: clerk-edge vs @clerk/backend inside one isolate (bench/workerd-entry.mjs), same
// requests, same run. Medians of ROUNDS rounds, µs per request: N requests a round for the
// first-sight scenarios (each with a token never seen before, warm-up included), 10 × N for the
// others (workerd's clock ticks in whole milliseconds, so short requests need long loops).
//   node bench/workerd.mjs [--rounds 7] [--n 500]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { setup, median } from './scenarios.mjs';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const ROUNDS = arg('rounds', 7), N = arg('n', 500);
const root = new URL('..', import.meta.url).pathname;
const out = `${root}bench/.bench.bundle.mjs`; // beside the entry: relative wasm imports resolve
await build({
  entryPoints: [`${root}bench/workerd-entry.mjs`],
  bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'],
  external: ['*.wasm', 'node:*'], outfile: out, logLevel: 'error',
});
const { scenarios, options } = setup((ROUNDS + 1) * N);
const loops = (s) => (s.fresh ? N : 10 * N);
const data = {
  options,
  scenarios: scenarios.map((s) => ({ name: s.name, url: s.url, expect: s.expect, requests: Array.from({ length: s.fresh ? (ROUNDS + 1) * N : 1 }, (_, i) => s.headers(i)) })),
};
const mf = new Miniflare({
  modules: true, scriptPath: out, modulesRoot: root,
  modulesRules: [{ type: 'ESModule', include: ['**/*.js', '**/*.mjs'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'], cf: false,
});
const res = await mf.dispatchFetch('http://bench/setup', { method: 'POST', body: JSON.stringify(data) });
const { instantiateMs } = await res.json();
const run = async (impl, s, offset) => {
  const n = loops(scenarios[s]);
  const r = await mf.dispatchFetch(`http://bench/run?impl=${impl}&s=${s}&n=${n}&offset=${offset}`);
  if (r.status !== 200) throw new Error(await r.text());
  return ((await r.json()).ms * 1000) / n;
};
const rows = [];
// WebCrypto's verify alone on the first-sight tokens: the floor of any signed-in first sight.
const floor = [];
for (const i of scenarios.flatMap((s, i) => (s.fresh ? [i] : []))) {
  await run('verify', i, ROUNDS * N);
  const a = [];
  for (let r = 0; r < ROUNDS; r++) a.push(await run('verify', i, r * N));
  floor.push(median(a));
}
for (let i = 0; i < scenarios.length; i++) {
  await run('ours', i, ROUNDS * N); await run('clerk', i, ROUNDS * N); // warm-up, on tokens of its own
  const a = [], b = [];
  for (let r = 0; r < ROUNDS; r++) { a.push(await run('ours', i, r * N)); b.push(await run('clerk', i, r * N)); }
  rows.push({ name: scenarios[i].name, ours: median(a), clerk: median(b) });
}
await mf.dispose();
console.log(`workerd (miniflare ${(await import('miniflare/package.json', { with: { type: 'json' } })).default.version}), ${ROUNDS} rounds x ${N} requests (${10 * N} for repeat scenarios), median µs per request`);
console.log('| scenario | clerk-edge | @clerk/backend authenticateRequest | ratio |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.ours.toFixed(1)} | ${r.clerk.toFixed(1)} | ${(r.clerk / r.ours).toFixed(1)}× |`);
console.log(`WebCrypto \`crypto.subtle.verify\` alone on the same first-sight tokens (CryptoKey reused): ${floor.map((f) => f.toFixed(1)).join(' / ')} µs`);
const wasm = readFileSync(`${root}js/pkg/clerk_edge_bg.wasm`);
console.log(`wasm: ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} gzip -9; instantiate in workerd: ${instantiateMs < 1 ? 'under 1 ms' : `${instantiateMs.toFixed(0)} ms`} (its clock ticks in whole ms; \`node bench/node.mjs\` times it finely)`);

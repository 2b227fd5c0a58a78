#!/usr/bin/env node
// workerd: clerk-edge vs @clerk/backend inside one isolate (bench/workerd-entry.mjs), same
// requests, same run. Medians of ROUNDS rounds of N requests, µs per request.
//   node bench/workerd.mjs [--rounds 7] [--n 500]
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
const { scenarios, options } = setup(ROUNDS * N + 10);
const data = {
  options,
  scenarios: scenarios.map((s) => ({ name: s.name, url: s.url, expect: s.expect, requests: Array.from({ length: Math.min(ROUNDS * N + 10, 4000) }, (_, i) => s.headers(i)) })),
};
const mf = new Miniflare({
  modules: true, scriptPath: out, modulesRoot: root,
  modulesRules: [{ type: 'ESModule', include: ['**/*.js', '**/*.mjs'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'], cf: false,
});
const res = await mf.dispatchFetch('http://bench/setup', { method: 'POST', body: JSON.stringify(data) });
const { instantiateMs } = await res.json();
const run = async (impl, s, offset) => {
  const r = await mf.dispatchFetch(`http://bench/run?impl=${impl}&s=${s}&n=${N}&offset=${offset}`);
  if (r.status !== 200) throw new Error(await r.text());
  return ((await r.json()).ms * 1000) / N;
};
const rows = [];
for (let i = 0; i < scenarios.length; i++) {
  await run('ours', i, 0); await run('clerk', i, 0);
  const a = [], b = [];
  for (let r = 0; r < ROUNDS; r++) { a.push(await run('ours', i, r * N)); b.push(await run('clerk', i, r * N)); }
  rows.push({ name: scenarios[i].name, ours: median(a), clerk: median(b) });
}
await mf.dispose();
console.log(`workerd (miniflare ${(await import('miniflare/package.json', { with: { type: 'json' } })).default.version}), ${ROUNDS} rounds x ${N} requests, median µs per request`);
console.log('| scenario | clerk-edge | @clerk/backend authenticateRequest | ratio |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.ours.toFixed(1)} | ${r.clerk.toFixed(1)} | ${(r.clerk / r.ours).toFixed(1)}× |`);
console.log(`wasm instantiate in workerd: ${instantiateMs.toFixed(2)} ms (performance.now() resolution: 1 ms)`);

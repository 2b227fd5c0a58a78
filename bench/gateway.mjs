#!/usr/bin/env node
// The Worker's own cost (#15): the same requests, in one workerd process and one run, through
// (a) a JavaScript pass-through Worker, (b) a JavaScript Worker using @clerk/backend's
// authenticateRequest and forwarding Clerk's headers, (c) the clerk-edge Worker (build/index.js,
// `bash scripts/build-worker.sh` first). Every gateway reaches the same origin Worker through a
// service binding; a driver Worker times loops of N requests. Prints the median µs per request
// and what (b) and (c) add over (a).   node bench/gateway.mjs [--rounds 5] [--n 200]
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { setup, median } from './scenarios.mjs';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const ROUNDS = arg('rounds', 5), N = arg('n', 200);
const root = new URL('..', import.meta.url).pathname;
const bundle = await build({
  entryPoints: [`${root}bench/gateway-workers.mjs`], bundle: true, write: false, format: 'esm', platform: 'neutral',
  target: 'es2022', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], external: ['node:*'], logLevel: 'error',
});
const code = bundle.outputFiles[0].text;
const jsWorker = (name, exported, extra = {}) => ({
  name,
  modules: [
    { type: 'ESModule', path: `${name}.mjs`, contents: `import { ${exported} } from './workers.mjs'; export default ${exported};` },
    { type: 'ESModule', path: 'workers.mjs', contents: code },
  ],
  compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'],
  ...extra,
});

const { scenarios: base, options } = setup((ROUNDS + 1) * N);
const keys = { CLERK_PUBLISHABLE_KEY: options.publishableKey, CLERK_SECRET_KEY: options.secretKey, CLERK_JWT_KEY: options.jwtKey };
const pick = (name) => base.find((s) => s.name === name);
const doc = { 'sec-fetch-dest': 'document', accept: 'text/html' };
const api = { 'sec-fetch-dest': 'empty', accept: 'application/json' };
const count = (s) => (s.fresh ? (ROUNDS + 1) * N : 1);
const SCENARIOS = [
  { name: 'signed-in, first sight', status: 200, fresh: true, from: pick('signed-in cookie, first sight') },
  { name: 'signed-in, same token again', status: 200, from: pick('signed-in cookie, same token again') },
  { name: 'signed-out', status: 200, url: 'https://app.bench.test/public', headers: () => api },
  { name: 'protected, signed-out (404)', status: 404, url: 'https://app.bench.test/protected/x', headers: () => api },
  { name: 'handshake (307)', status: 307, url: 'https://app.bench.test/public', headers: () => ({ ...doc, cookie: '__client_uat=1' }) },
].map((s) => ({
  name: s.name,
  status: s.status,
  fresh: !!s.fresh,
  url: s.url ?? s.from.url,
  requests: Array.from({ length: count(s) }, (_, i) => (s.from ? s.from.headers(i) : s.headers(i))),
}));

const GATEWAYS = ['passthrough', 'clerkjs', 'edge'];
const mf = new Miniflare({
  workers: [
    driverWorker(),
    jsWorker('passthrough', 'passthrough', { serviceBindings: { ORIGIN: 'origin' } }),
    jsWorker('clerkjs', 'clerkjs', { bindings: keys, serviceBindings: { ORIGIN: 'origin' } }),
    {
      name: 'edge', modules: true, scriptPath: `${root}build/index.js`,
      modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: '2026-04-01',
      // One JSON log line per request is the default; off here, as console output in Miniflare goes
      // through a pipe to this process and would be measured instead of the Worker.
      bindings: { ...keys, CLERK_ROUTES: '/protected(.*) signed-in', CLERK_LOG: 'off' },
      serviceBindings: { ORIGIN: 'origin' },
    },
    jsWorker('origin', 'origin'),
  ],
});
function driverWorker() {
  return jsWorker('driver', 'driver', { bindings: { SCENARIOS }, serviceBindings: Object.fromEntries(GATEWAYS.map((g) => [g, g])) });
}

const run = async (impl, scenario, from, n) => {
  const r = await mf.dispatchFetch('http://driver/', { method: 'POST', body: JSON.stringify({ impl, scenario, from, n }) });
  if (r.status !== 200) throw new Error(await r.text());
  return ((await r.json()).ms * 1000) / n;
};
const rows = [];
for (let s = 0; s < SCENARIOS.length; s++) {
  const times = Object.fromEntries(GATEWAYS.map((g) => [g, []]));
  for (const g of GATEWAYS) await run(g, s, ROUNDS * N, N); // warm-up on tokens of its own
  for (let r = 0; r < ROUNDS; r++) for (const g of GATEWAYS) times[g].push(await run(g, s, r * N, N));
  rows.push({ name: SCENARIOS[s].name, ...Object.fromEntries(GATEWAYS.map((g) => [g, median(times[g])])) });
}
await mf.dispose();

console.log(`gateway Workers in one workerd (miniflare ${JSON.parse(readFileSync(`${root}node_modules/miniflare/package.json`)).version}), ${ROUNDS} rounds x ${N} requests, median µs per request`);
console.log('| scenario | pass-through | @clerk/backend Worker | clerk-edge Worker | added by @clerk/backend | added by clerk-edge | ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const a = r.clerkjs - r.passthrough, b = r.edge - r.passthrough;
  console.log(`| ${r.name} | ${r.passthrough.toFixed(1)} | ${r.clerkjs.toFixed(1)} | ${r.edge.toFixed(1)} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / Math.max(b, 0.1)).toFixed(1)}× |`);
}

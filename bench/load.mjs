#!/usr/bin/env node
// Load test on loopback: the Worker in workerd (Miniflare) in front of an origin that checks
// the auth signature of every forwarded request. A mix of signed-in, signed-out, expired and
// forged tokens; every response is checked against the decision it must carry.
//   node bench/load.mjs [--seconds 10] [--concurrency 32]
// Prints: requests, errors, wrong decisions, throughput, p50/p99 latency.
import crypto from 'node:crypto';
import http from 'node:http';
import { Miniflare } from 'miniflare';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = Math.min(arg('seconds', 10), 120);
const CONCURRENCY = Math.min(arg('concurrency', 32), 256);

const FAPI = 'clerk.load-test.example';
const PK = 'pk_live_' + Buffer.from(FAPI + '$').toString('base64').replace(/=+$/, '');
const SECRET = 'sk_live_load_' + crypto.randomBytes(8).toString('hex');
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const b64u = (b) => Buffer.from(b).toString('base64url');
function mint(claims, key = privateKey) {
  const now = Math.floor(Date.now() / 1000);
  const h = b64u(JSON.stringify({ alg: 'RS256', kid: 'ins_load', typ: 'JWT' }));
  const p = b64u(JSON.stringify({ exp: now + 3600, iat: now - 5, nbf: now - 10, iss: `https://${FAPI}`, sid: 'sess_load', sub: 'user_load', ...claims }));
  return `${h}.${p}.${b64u(crypto.sign('sha256', Buffer.from(`${h}.${p}`), key))}`;
}

// Origin: verifies x-clerk-auth-signature itself and answers with what it concluded.
const origin = http.createServer((req, res) => {
  const status = req.headers['x-clerk-auth-status'];
  const token = req.headers['x-clerk-auth-token'] || '';
  const sig = req.headers['x-clerk-auth-signature'] || '';
  const expected = token ? crypto.createHmac('sha1', SECRET).update(token).digest('hex') : '';
  const sigOk = status !== 'signed-in' || (sig.length === 40 && crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected)));
  let sub = null;
  if (status === 'signed-in') sub = JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).sub;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ status, reason: req.headers['x-clerk-auth-reason'], sigOk, sub }));
});
await new Promise((r) => origin.listen(0, '127.0.0.1', r));

const mf = new Miniflare({
  modules: true,
  scriptPath: new URL('../build/index.js', import.meta.url).pathname,
  modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2026-04-01',
  bindings: { CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }), ORIGIN_URL: `http://127.0.0.1:${origin.address().port}` },
  cf: false,
});
const base = await mf.ready;

const users = Array.from({ length: 50 }, (_, i) => `user_${i}`);
const kinds = [
  ...users.map((u) => ({ headers: { authorization: `Bearer ${mint({ sub: u })}` }, expect: { status: 'signed-in', sub: u } })),
  ...users.slice(0, 10).map((u) => ({ headers: { cookie: `__session=${mint({ sub: u })}; __client_uat=1` }, expect: { status: 'signed-in', sub: u } })),
  { headers: {}, expect: { status: 'signed-out', reason: 'session-token-and-uat-missing' } },
  { headers: { authorization: `Bearer ${mint({ exp: Math.floor(Date.now() / 1000) - 60 })}` }, expect: { status: 'signed-out', reason: 'session-token-expired-refresh-non-eligible-no-refresh-cookie' } },
  { headers: { authorization: `Bearer ${mint({}, other.privateKey)}` }, expect: { status: 'signed-out', reason: 'token-invalid-signature' } },
  { headers: { 'x-clerk-auth-status': 'signed-in', 'x-clerk-auth-token': mint({ sub: 'user_spoof' }) }, expect: { status: 'signed-out', reason: 'session-token-and-uat-missing' } },
];

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const target = new URL(base);
function once(kind) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: target.hostname, port: target.port, path: '/load', agent, headers: { accept: 'application/json', ...kind.headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code: res.statusCode, body }));
    });
    req.on('error', (e) => resolve({ ms: 0, code: 0, body: String(e) }));
    req.end();
  });
}

let requests = 0, errors = 0, wrong = 0;
const latencies = [];
const deadline = Date.now() + SECONDS * 1000;
let n = 0;
async function worker() {
  while (Date.now() < deadline) {
    const kind = kinds[n++ % kinds.length];
    const r = await once(kind);
    requests++;
    latencies.push(r.ms);
    if (r.code !== 200) { errors++; continue; }
    const got = JSON.parse(r.body);
    const ok = got.status === kind.expect.status && got.sigOk && (kind.expect.sub ? got.sub === kind.expect.sub : got.reason === kind.expect.reason);
    if (!ok) wrong++;
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
const elapsed = (Date.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2);
console.log(`load: ${SECONDS}s, concurrency ${CONCURRENCY}, ${kinds.length} request kinds (signed-in bearer/cookie, signed-out, expired, forged, spoofed headers)`);
console.log(`requests ${requests}, errors ${errors}, wrong decisions ${wrong}`);
console.log(`throughput ${(requests / elapsed).toFixed(0)} req/s, latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
await mf.dispose();
origin.close();
agent.destroy();
process.exit(errors || wrong ? 1 : 0);

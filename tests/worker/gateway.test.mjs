// The Worker's duties as a gateway that Clerk's middleware never had: the log line and data
// point per request, the forwarding headers the origin can trust, client-controlled input that
// is a 400 and never a 500, and URL settings checked at start-up. Run after build-worker.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Miniflare } from 'miniflare';
import { PK, SECRET, PEM, ROUTES, mint, startOrigin } from './harness.mjs';

const SCRIPT = new URL('../../build/index.js', import.meta.url).pathname;
const doc = { 'sec-fetch-dest': 'document', accept: 'text/html' };
const api = { 'sec-fetch-dest': 'empty', accept: 'application/json' };
const now = () => Math.floor(Date.now() / 1000);

/** The Worker with a stand-in Analytics Engine dataset (Miniflare's own is a no-op in local
 * mode) that prints each data point, and every console line collected. */
function gateway(bindings) {
  const lines = [];
  const mf = new Miniflare({
    structuredWorkerdLogs: true,
    handleStructuredLogs: ({ message }) => { lines.push(message); },
    workers: [
      {
        name: 'clerk-edge',
        modules: true,
        scriptPath: SCRIPT,
        modulesRules: [
          { type: 'ESModule', include: ['**/*.js'] },
          { type: 'CompiledWasm', include: ['**/*.wasm'] },
        ],
        compatibilityDate: '2026-04-01',
        bindings,
        wrappedBindings: { CLERK_ANALYTICS: { scriptName: 'analytics-stand-in' } },
      },
      {
        name: 'analytics-stand-in',
        modules: [
          {
            type: 'ESModule',
            path: 'analytics.mjs',
            contents: 'export default () => ({ writeDataPoint(p) { console.log("AE " + JSON.stringify(p)); } });',
          },
        ],
      },
    ],
  });
  return { mf, lines };
}

/** Fetches once and returns the response, the log line and the data point it produced. */
async function observed(g, path, init = {}) {
  const from = g.lines.length;
  const res = await g.mf.dispatchFetch(`https://app.e2e.test${path}`, { redirect: 'manual', ...init });
  const text = await res.text();
  // Console output arrives over workerd's stdout: wait until both lines are in.
  for (let i = 0; i < 100; i++) {
    const fresh = g.lines.slice(from);
    const log = fresh.find((l) => l.startsWith('{"event":"clerk-edge"'));
    const point = fresh.find((l) => l.startsWith('AE '));
    if (log && point) return { res, text, log: JSON.parse(log), raw: log, point: JSON.parse(point.slice(3)) };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no log line for ${path}: ${JSON.stringify(g.lines.slice(from))}`);
}

let origin, g, jwks, dev;
const base = () => ({
  CLERK_PUBLISHABLE_KEY: PK,
  CLERK_SECRET_KEY: SECRET,
  CLERK_SIGN_IN_URL: '/sign-in',
  CLERK_ROUTES: ROUTES,
  ORIGIN_URL: origin.url,
});

before(async () => {
  origin = await startOrigin();
  g = gateway({ ...base(), CLERK_JWT_KEY: PEM });
  // No JWT key and a Backend API that refuses connections: keys cannot be loaded.
  jwks = gateway({ ...base(), CLERK_API_URL: 'http://127.0.0.1:9' });
  const devFapi = 'e2e-dev.clerk.accounts.dev';
  dev = gateway({
    ...base(),
    CLERK_PUBLISHABLE_KEY: 'pk_test_' + Buffer.from(devFapi + '$').toString('base64').replace(/=+$/, ''),
    CLERK_SECRET_KEY: 'sk_test_e2e_secret_value',
    CLERK_JWT_KEY: PEM,
  });
});

after(async () => {
  await Promise.all([g?.mf.dispose(), jwks?.mf.dispose(), dev?.mf.dispose()]);
  origin?.server.close();
});

test('a signed-in request is one JSON log line and one data point, without token or query', async () => {
  const token = mint();
  const r = await observed(g, '/dashboard/x?__clerk_db_jwt=dvb_secret&q=1', {
    headers: { ...doc, cookie: `__session=${token}; __client_uat=${now() - 60}` },
  });
  assert.equal(r.res.status, 200);
  const { ms, ...fields } = r.log;
  assert.ok(Number.isInteger(ms) && ms >= 0);
  assert.deepEqual(fields, {
    event: 'clerk-edge',
    method: 'GET',
    path: '/dashboard/x',
    status: 200,
    outcome: 'forwarded',
    auth: 'signed-in',
    reason: null,
    error: null,
    rule: '/dashboard(.*)    signed-in',
  });
  assert.ok(!r.raw.includes(token.split('.')[2]) && !r.raw.includes('dvb_secret'));
  assert.deepEqual(r.point, {
    blobs: ['forwarded', 'signed-in', '', '', '/dashboard(.*)    signed-in', 'GET'],
    doubles: [200, ms],
    indexes: ['forwarded'],
  });
});

test('decisions that stop at the gateway are counted by outcome and reason', async () => {
  const cases = [
    ['/api/items', api, 404, 'not-found', 'signed-out', 'session-token-and-uat-missing', '/api(.*)          signed-in unauthenticated=404'],
    ['/dashboard', doc, 307, 'sign-in-redirect', 'signed-out', 'session-token-and-uat-missing', '/dashboard(.*)    signed-in'],
    ['/public', { ...doc, cookie: '__client_uat=1' }, 307, 'handshake', 'handshake', 'client-uat-but-no-session-token', null],
    ['/public', api, 200, 'forwarded', 'signed-out', 'session-token-and-uat-missing', null],
  ];
  for (const [path, headers, status, outcome, auth, reason, rule] of cases) {
    const r = await observed(g, path, { headers });
    assert.equal(r.res.status, status, path);
    assert.deepEqual(
      [r.log.status, r.log.outcome, r.log.auth, r.log.reason, r.log.error, r.log.rule],
      [status, outcome, auth, reason, null, rule],
      `${path} ${JSON.stringify(headers)}`,
    );
    assert.deepEqual(r.point.blobs.slice(0, 4), [outcome, auth, reason, '']);
    assert.deepEqual(r.point.indexes, [outcome]);
  }
});

test('an unreachable Backend API is an infrastructure error, not a plain signed-out', async () => {
  const r = await observed(jwks, '/public', { headers: { ...api, authorization: `Bearer ${mint()}` } });
  assert.equal(r.res.status, 200);
  assert.equal(r.log.auth, 'signed-out');
  assert.equal(r.log.reason, 'jwk-remote-failed-to-load');
  assert.equal(r.log.error, 'jwks-unavailable');
  assert.equal(r.point.blobs[3], 'jwks-unavailable');
});

test("the origin gets the gateway's forwarding headers, not the client's", async () => {
  const r = await observed(g, '/public', {
    headers: {
      ...api,
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'http',
      'x-forwarded-for': '10.9.9.9',
      forwarded: 'for=10.9.9.9;host=evil.example',
      'x-real-ip': '10.9.9.9',
    },
  });
  assert.equal(r.res.status, 200);
  const h = origin.seen.at(-1).headers;
  assert.equal(h['x-forwarded-host'], 'app.e2e.test');
  assert.equal(h['x-forwarded-proto'], 'https');
  assert.equal(h.forwarded, undefined);
  assert.equal(h['x-real-ip'], undefined);
  // Miniflare sets CF-Connecting-IP (the loopback client) as Cloudflare's edge does; the
  // client's own chain is gone.
  assert.equal(h['x-forwarded-for'], '127.0.0.1');
  assert.equal(h['x-clerk-clerk-url'], 'https://app.e2e.test/public');
});

test('client-controlled bad input on a development instance is a 400, never a 500', async () => {
  for (const target of ['javascript:alert(1)', 'data:text/html,x', '//evil.example/x', 'not a url']) {
    const r = await observed(dev, `/sign-in?__clerk_redirect_url=${encodeURIComponent(target)}`, {
      headers: { ...doc, cookie: '__clerk_db_jwt=dvb_e2e' },
    });
    assert.equal(r.res.status, 400, target);
    assert.equal(r.text, 'Invalid URL');
    assert.equal(r.log.outcome, 'bad-request');
    assert.equal(origin.seen.at(-1).url.includes('__clerk_redirect_url'), false);
  }
  const r = await observed(dev, '/dashboard?__clerk_handshake=not.a.jwt', {
    headers: { ...doc, cookie: '__clerk_db_jwt=dvb_e2e' },
  });
  assert.equal(r.res.status, 400);
  assert.match(r.text, /^Clerk: Handshake token verification failed: Invalid JWT form\./);
});

test('an invalid URL setting is caught at start-up and named, and the line says config-error', async () => {
  const bad = gateway({ ...base(), CLERK_JWT_KEY: PEM, CLERK_SIGN_IN_URL: 'https://' });
  try {
    const r = await observed(bad, '/public', { headers: api });
    assert.equal(r.res.status, 500);
    assert.equal(r.text, 'clerk-edge configuration error in CLERK_SIGN_IN_URL: must be a path starting with / or an absolute http(s) URL');
    assert.equal(r.log.outcome, 'config-error');
  } finally {
    await bad.mf.dispose();
  }
});

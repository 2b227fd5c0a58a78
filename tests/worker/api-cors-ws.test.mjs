// End-to-end tests of issue #12 parts 2 and 3 in workerd (Miniflare): API mode (JSON 401s, no
// handshake, no Set-Cookie), the CORS policy, and WebSockets through the Worker.
// Run after `bash scripts/build-worker.sh`. `ws` is the WebSocket server of the origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WebSocketServer } from 'ws';
import { FAPI, PK, SECRET, PEM, mint, hmac, startOrigin, startBapi, worker, call } from './harness.mjs';

const SPA = 'https://spa.e2e.test';
const doc = { 'sec-fetch-dest': 'document', accept: 'text/html' };
const api = { 'sec-fetch-dest': 'empty', accept: 'application/json' };
const now = () => Math.floor(Date.now() / 1000);
const EXPIRED_REASON = 'session-token-expired-refresh-non-eligible-no-refresh-cookie';
// This instance's `__refresh_<suffix>` cookie (the suffix: SHA-1 of the publishable key, base64url, 8 chars).
const REFRESH = `__refresh_${crypto.createHash('sha1').update(PK).digest('base64url').slice(0, 8)}=refresh-token`;

const ROUTES = `
/api/strict(.*)   signed-in api unauthenticated=403
/api/admin(.*)    role=org:admin api unauthorized=403
/api(.*)          signed-in api
/hooks(.*)        public api
/ws/private(.*)   signed-in
/dashboard(.*)    signed-in
`;

let origin, bapi, mf, global, upgrades;

before(async () => {
  origin = await startOrigin();
  bapi = await startBapi();
  // The origin also speaks WebSocket: it records each handshake and echoes messages.
  upgrades = [];
  const wss = new WebSocketServer({ noServer: true });
  origin.server.on('upgrade', (req, socket, head) => {
    upgrades.push({ url: req.url, headers: req.headers });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (m) => ws.send(`echo:${m}`));
    });
  });
  const base = {
    CLERK_PUBLISHABLE_KEY: PK,
    CLERK_SECRET_KEY: SECRET,
    CLERK_JWT_KEY: PEM,
    CLERK_SIGN_IN_URL: '/sign-in',
    ORIGIN_URL: origin.url,
    CLERK_API_URL: bapi.url,
  };
  mf = worker({
    ...base,
    CLERK_ROUTES: ROUTES,
    CLERK_CORS_ALLOWED_ORIGINS: `${SPA}, http://localhost:3000`,
    CLERK_CORS_ALLOW_CREDENTIALS: 'true',
    CLERK_CORS_ALLOWED_HEADERS: 'authorization, content-type',
    CLERK_CORS_MAX_AGE: '600',
    CLERK_CORS_EXPOSE_HEADERS: 'x-clerk-auth-reason',
  });
  global = worker({ ...base, CLERK_API_MODE: 'true', CLERK_ROUTES: '/private(.*) signed-in unauthenticated=403' });
});

after(async () => {
  await mf?.dispose();
  await global?.dispose();
  origin?.server.close();
  bapi?.server.close();
});

const last = () => origin.seen.at(-1);

/** A session cookie whose token expired 100 s ago (iat after __client_uat: no stale-token handshake). */
function expiredCookie() {
  const t = now();
  const token = mint({ iat: t - 700, nbf: t - 710, exp: t - 100 });
  return `__session=${token}; __client_uat=${t - 800}`;
}

test('API route, expired cookie on a page GET: JSON 401, no handshake, no Set-Cookie, no Location', async () => {
  const seen = origin.seen.length;
  const cookie = expiredCookie();
  const refreshCalls = () => bapi.calls.filter((c) => c.url.includes('/refresh')).length;
  // Off API routes, a fetch with this refresh cookie makes Clerk refresh the session (the stub
  // Backend API refuses it); on an API route the engine never sees the cookie.
  const page = await call(mf, '/dashboard', { headers: { ...api, cookie: `${cookie}; ${REFRESH}` } });
  assert.equal(page.status, 404);
  assert.equal(page.headers.get('x-clerk-auth-reason'), 'protect-rewrite, session-token-expired-refresh-unexpected-bapi-error');
  assert.equal(refreshCalls(), 1);
  for (const extra of ['', `; ${REFRESH}`]) {
    const r = await call(mf, '/api/items', { headers: { ...doc, cookie: cookie + extra } });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { error: 'unauthenticated', reason: EXPIRED_REASON });
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.headers.get('www-authenticate'), `Bearer error="invalid_token", error_description="${EXPIRED_REASON}"`);
    assert.equal(r.headers.get('x-clerk-auth-reason'), EXPIRED_REASON);
    assert.equal(r.headers.get('x-clerk-auth-status'), 'signed-out');
    assert.deepEqual(r.headers.getSetCookie(), []);
    assert.equal(r.headers.get('location'), null);
  }
  assert.equal(origin.seen.length, seen, 'the origin is not called');
  assert.equal(refreshCalls(), 1, 'no session refresh is attempted on the API route');
  // The same request on a page route is Clerk's handshake.
  const nav = await call(mf, '/dashboard', { headers: { ...doc, cookie } });
  assert.equal(nav.status, 307);
  assert.match(nav.headers.get('location'), new RegExp(`^https://${FAPI}/v1/client/handshake\\?`));
});

test('API route, garbage Bearer: JSON 401 with the engine\'s reason', async () => {
  const r = await call(mf, '/api/items', { headers: { ...api, authorization: 'Bearer not-a-jwt' } });
  assert.equal(r.status, 401);
  assert.deepEqual(r.json, { error: 'unauthenticated', reason: 'token-invalid' });
  assert.equal(r.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="token-invalid"');
  assert.equal(r.headers.get('x-clerk-auth-reason'), 'token-invalid');
});

test('API route, no token: the unauthenticated= fallback (404 by default, 403 when configured)', async () => {
  const seen = origin.seen.length;
  for (const headers of [api, doc]) {
    const r = await call(mf, '/api/items', { headers });
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { error: 'not_found' });
    assert.equal(r.headers.get('www-authenticate'), null);
    assert.equal(r.headers.get('x-clerk-auth-reason'), 'session-token-and-uat-missing');
    const strict = await call(mf, '/api/strict/x', { headers });
    assert.equal(strict.status, 403);
    assert.deepEqual(strict.json, { error: 'forbidden', reason: 'session-token-and-uat-missing' });
  }
  // __client_uat without a session token is "no token" too (a page route would handshake).
  const uat = await call(mf, '/api/strict', { headers: { ...doc, cookie: '__client_uat=1' } });
  assert.equal(uat.status, 403);
  assert.deepEqual(uat.json, { error: 'forbidden', reason: 'client-uat-but-no-session-token' });
  assert.deepEqual(uat.headers.getSetCookie(), []);
  assert.equal(origin.seen.length, seen, 'the origin is not called');
});

test('API route, valid token: the origin answers; roles use the unauthorized= fallback', async () => {
  const token = mint();
  const r = await call(mf, '/api/items?x=1', { headers: { ...api, authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  assert.equal(last().url, '/api/items?x=1');
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-in');
  assert.equal(last().headers['x-clerk-auth-signature'], hmac(token));
  assert.deepEqual(r.headers.getSetCookie(), ['origin_a=1; Path=/', 'origin_b=2; Path=/'], 'only the origin\'s own cookies');
  const member = mint({ org_id: 'org_1', org_slug: 'acme', org_role: 'org:member', org_permissions: [] });
  const denied = await call(mf, '/api/admin', { headers: { ...api, authorization: `Bearer ${member}` } });
  assert.equal(denied.status, 403);
  assert.deepEqual(denied.json, { error: 'forbidden' });
  const admin = mint({ org_id: 'org_1', org_slug: 'acme', org_role: 'org:admin', org_permissions: [] });
  assert.equal((await call(mf, '/api/admin', { headers: { ...api, authorization: `Bearer ${admin}` } })).status, 200);
  // A valid cookie session on a page GET to an API route is signed in (no handshake gate at all).
  const t = now();
  const cookie = `__session=${mint({ iat: t - 5 })}; __client_uat=${t - 60}`;
  assert.equal((await call(mf, '/api/items', { headers: { ...doc, cookie } })).status, 200);
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-in');
});

test('public API route: no handshake, the origin gets the request signed-out, no Set-Cookie from the Worker', async () => {
  const r = await call(mf, '/hooks/stripe', { headers: { ...doc, cookie: expiredCookie() } });
  assert.equal(r.status, 200);
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-out');
  assert.equal(last().headers['x-clerk-auth-reason'], EXPIRED_REASON);
  assert.deepEqual(r.headers.getSetCookie(), ['origin_a=1; Path=/', 'origin_b=2; Path=/']);
  assert.equal(r.headers.get('location'), null);
});

test('CORS preflight on a protected API route: answered by the Worker from the policy, never authenticated', async () => {
  const seen = origin.seen.length;
  const r = await call(mf, '/api/items', {
    method: 'OPTIONS',
    headers: { origin: SPA, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), SPA);
  assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(r.headers.get('access-control-allow-methods'), 'GET, HEAD, POST, PUT, PATCH, DELETE');
  assert.equal(r.headers.get('access-control-allow-headers'), 'authorization, content-type');
  assert.equal(r.headers.get('access-control-max-age'), '600');
  assert.equal(r.headers.get('vary'), 'Origin');
  assert.equal(r.headers.get('x-clerk-auth-status'), null);
  const evil = await call(mf, '/api/items', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  assert.equal(evil.status, 204);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  assert.equal(evil.headers.get('access-control-allow-credentials'), null);
  assert.equal(evil.headers.get('vary'), 'Origin');
  assert.equal(origin.seen.length, seen, 'the origin is not called');
});

test('CORS headers on real responses: the Worker\'s JSON 401 and the origin\'s 200', async () => {
  const denied = await call(mf, '/api/items', { headers: { ...api, origin: SPA, authorization: 'Bearer not-a-jwt' } });
  assert.equal(denied.status, 401);
  assert.equal(denied.headers.get('access-control-allow-origin'), SPA);
  assert.equal(denied.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(denied.headers.get('access-control-expose-headers'), 'x-clerk-auth-reason');
  assert.equal(denied.headers.get('vary'), 'Origin');
  const ok = await call(mf, '/api/items', { headers: { ...api, origin: 'http://localhost:3000', authorization: `Bearer ${mint()}` } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'http://localhost:3000');
  assert.equal(ok.headers.get('vary'), 'Origin');
  const other = await call(mf, '/api/items', { headers: { ...api, origin: 'https://evil.example' } });
  assert.equal(other.status, 404);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  assert.equal(other.headers.get('vary'), 'Origin');
});

test('without a CORS policy a preflight goes to the origin untouched: no auth, no rule, no spoofed headers', async () => {
  const r = await call(global, '/private/x', {
    method: 'OPTIONS',
    headers: { origin: SPA, 'access-control-request-method': 'DELETE', 'x-clerk-auth-status': 'signed-in' },
  });
  assert.equal(r.status, 200);
  assert.equal(last().method, 'OPTIONS');
  assert.equal(last().url, '/private/x');
  assert.equal(last().headers['access-control-request-method'], 'DELETE');
  assert.equal(last().headers.origin, SPA);
  assert.equal(last().headers['x-clerk-auth-status'], undefined);
  const dead = worker({ CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, CLERK_JWT_KEY: PEM, ORIGIN_URL: 'http://127.0.0.1:9' });
  try {
    const down = await call(dead, '/x', { method: 'OPTIONS', headers: { origin: SPA, 'access-control-request-method': 'GET' } });
    assert.equal(down.status, 502, 'an unreachable origin is a 502, as for any proxied request');
  } finally {
    await dead.dispose();
  }
  // Not a preflight (no Access-Control-Request-Method): an ordinary request under the rules.
  assert.equal((await call(global, '/private/x', { method: 'OPTIONS', headers: { origin: SPA } })).status, 403);
});

test('CLERK_API_MODE=true: every route is an API route; unmatched paths are public', async () => {
  const r = await call(global, '/private/data', { headers: { ...doc, cookie: expiredCookie() } });
  assert.equal(r.status, 401);
  assert.deepEqual(r.json, { error: 'unauthenticated', reason: EXPIRED_REASON });
  assert.deepEqual(r.headers.getSetCookie(), []);
  const none = await call(global, '/private/data', { headers: doc });
  assert.equal(none.status, 403);
  const open = await call(global, '/open', { headers: { ...doc, cookie: '__client_uat=1' } });
  assert.equal(open.status, 200);
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-out');
  assert.equal(last().headers['x-clerk-auth-reason'], 'client-uat-but-no-session-token');
  assert.deepEqual(open.headers.getSetCookie(), ['origin_a=1; Path=/', 'origin_b=2; Path=/']);
});

test('start-up validation: a wildcard origin with credentials is one clear 500', async () => {
  const bad = worker({ CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, ORIGIN_URL: 'demo', CLERK_CORS_ALLOWED_ORIGINS: '*', CLERK_CORS_ALLOW_CREDENTIALS: 'true' });
  try {
    const r = await call(bad, '/', {});
    assert.equal(r.status, 500);
    assert.equal(r.text, 'clerk-edge configuration error in CLERK_CORS_ALLOWED_ORIGINS: cannot be * when CLERK_CORS_ALLOW_CREDENTIALS=true (browsers reject a wildcard on credentialed requests): list the values');
  } finally {
    await bad.dispose();
  }
});

/** Opens a WebSocket through the Worker; resolves the Response (101 with .webSocket, or the refusal). */
async function upgrade(mf, path, headers = {}) {
  return mf.dispatchFetch(`https://app.e2e.test${path}`, { headers: { upgrade: 'websocket', ...headers }, redirect: 'manual' });
}

function exchange(ws, messages) {
  return new Promise((resolve, reject) => {
    const got = [];
    ws.addEventListener('message', (e) => {
      got.push(typeof e.data === 'string' ? e.data : Buffer.from(e.data).toString());
      if (got.length === messages.length) resolve(got);
    });
    ws.addEventListener('error', reject);
    setTimeout(() => reject(new Error(`timeout, got ${JSON.stringify(got)}`)), 5000).unref();
    for (const m of messages) ws.send(m);
  });
}

test('WebSocket: a signed-in upgrade is authenticated, proxied with the forwarded auth headers, and carries messages', async () => {
  const t = now();
  const token = mint({ iat: t - 5 });
  const before = upgrades.length;
  const res = await upgrade(mf, '/ws/private/room?id=7', { cookie: `__session=${token}; __client_uat=${t - 60}`, 'sec-fetch-dest': 'websocket' });
  assert.equal(res.status, 101);
  assert.ok(res.webSocket, 'the 101 carries the socket');
  const ws = res.webSocket;
  ws.accept();
  assert.deepEqual(await exchange(ws, ['hello', 'world']), ['echo:hello', 'echo:world']);
  ws.close(1000, 'done');
  assert.equal(upgrades.length, before + 1);
  const h = upgrades.at(-1).headers;
  assert.equal(upgrades.at(-1).url, '/ws/private/room?id=7');
  assert.equal(h['x-clerk-auth-status'], 'signed-in');
  assert.equal(h['x-clerk-auth-token'], token);
  assert.equal(h['x-clerk-auth-signature'], hmac(token));
  assert.equal(h['x-clerk-clerk-url'], 'https://app.e2e.test/ws/private/room?id=7');
});

test('WebSocket: a signed-out upgrade to a protected path is refused and never reaches the origin', async () => {
  const before = upgrades.length;
  const res = await upgrade(mf, '/ws/private/room', { 'sec-fetch-dest': 'websocket', cookie: '__client_uat=1' });
  assert.equal(res.status, 404);
  assert.equal(res.webSocket, null);
  assert.equal(res.headers.get('x-clerk-auth-reason'), 'protect-rewrite, client-uat-but-no-session-token');
  await res.arrayBuffer();
  const api = await upgrade(mf, '/api/socket', { authorization: 'Bearer not-a-jwt' });
  assert.equal(api.status, 401);
  assert.deepEqual(await api.json(), { error: 'unauthenticated', reason: 'token-invalid' });
  assert.equal(upgrades.length, before, 'the origin saw no handshake');
});

test('WebSocket: the state\'s Set-Cookie headers (handshake resolution) ride on the 101', async () => {
  const token = mint({ sub: 'user_ws_nonce' });
  bapi.state.sessionToken = token;
  const res = await upgrade(mf, '/ws/private/x', { cookie: '__clerk_handshake_nonce=good-nonce' });
  assert.equal(res.status, 101);
  res.webSocket.accept();
  assert.equal(upgrades.at(-1).headers['x-clerk-auth-token'], token);
  const cookies = res.headers.getSetCookie();
  assert.ok(cookies.includes(`__session=${token}; Path=/; Secure; SameSite=Lax`), JSON.stringify(cookies));
  assert.ok(cookies.some((c) => c.startsWith('__client_uat=')));
  res.webSocket.close(1000);
});

// End-to-end tests of the Worker in workerd (Miniflare), against a loopback origin and a
// stand-in for Clerk's Backend API. Run after `bash scripts/build-worker.sh`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { FAPI, PK, SECRET, ENCRYPTION_KEY, PEM, ROUTES, mint, hmac, startOrigin, startBapi, worker, call, otherKeys } from './harness.mjs';

let origin, bapi, mf, jwksWorker;
const doc = { 'sec-fetch-dest': 'document', accept: 'text/html' };
const api = { 'sec-fetch-dest': 'empty', accept: 'application/json' };
const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  origin = await startOrigin();
  bapi = await startBapi();
  const base = {
    CLERK_PUBLISHABLE_KEY: PK,
    CLERK_SECRET_KEY: SECRET,
    CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY,
    CLERK_SIGN_IN_URL: '/sign-in',
    CLERK_ORGANIZATION_PATTERNS: '/orgs/:slug,/orgs/:slug/(.*)',
    CLERK_PERSONAL_ACCOUNT_PATTERNS: '/me,/me/(.*)',
    CLERK_ROUTES: ROUTES,
    ORIGIN_URL: origin.url,
    CLERK_API_URL: bapi.url,
  };
  mf = worker({ ...base, CLERK_JWT_KEY: PEM.replace(/\n/g, '\\n') });
  jwksWorker = worker(base);
});

after(async () => {
  await mf?.dispose();
  await jwksWorker?.dispose();
  origin?.server.close();
  bapi?.server.close();
});

const last = () => origin.seen.at(-1);

test('signed-in cookie request reaches the origin with verifiable Clerk headers', async () => {
  const token = mint();
  const r = await call(mf, '/dashboard?x=1', { headers: { ...doc, cookie: `__session=${token}; __client_uat=${now() - 60}` } });
  assert.equal(r.status, 200);
  const h = last().headers;
  assert.equal(last().url, '/dashboard?x=1');
  assert.equal(h['x-clerk-auth-status'], 'signed-in');
  assert.equal(h['x-clerk-auth-token'], token);
  assert.equal(h['x-clerk-auth-signature'], hmac(token));
  assert.equal(h['x-clerk-auth-reason'], '');
  assert.equal(h['x-clerk-auth-message'], '');
  assert.equal(h['x-clerk-clerk-url'], 'https://app.e2e.test/dashboard?x=1');
  assert.match(h['x-clerk-request-data'], /^[A-Za-z0-9_-]+$/);
  assert.equal(h['x-forwarded-host'], 'app.e2e.test');
});

test('signed-out API request is forwarded with the reason, and the browser sees it too', async () => {
  const r = await call(mf, '/public/page', { headers: api });
  assert.equal(r.status, 200);
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-out');
  assert.equal(last().headers['x-clerk-auth-reason'], 'session-token-and-uat-missing');
  assert.equal(last().headers['x-clerk-auth-token'], '');
  assert.equal(last().headers['x-clerk-auth-signature'], '');
  assert.equal(r.headers.get('x-clerk-auth-status'), 'signed-out');
  assert.equal(r.headers.get('x-clerk-auth-reason'), 'session-token-and-uat-missing');
});

test('document request with __client_uat but no session gets the handshake redirect', async () => {
  const before = origin.seen.length;
  const r = await call(mf, '/dashboard', { headers: { ...doc, cookie: '__client_uat=1' } });
  assert.equal(r.status, 307);
  assert.equal(
    r.headers.get('location'),
    `https://${FAPI}/v1/client/handshake?redirect_url=https%3A%2F%2Fapp.e2e.test%2Fdashboard&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=client-uat-but-no-session-token&format=nonce`,
  );
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.deepEqual(r.headers.getSetCookie(), ['__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2']);
  assert.equal(r.headers.get('x-clerk-auth-status'), 'handshake');
  assert.equal(origin.seen.length, before, 'the origin is not called');
});

test('protected page, signed out: redirect to sign-in', async () => {
  const r = await call(mf, '/dashboard/settings', { headers: doc });
  assert.equal(r.status, 307);
  assert.equal(r.headers.get('location'), 'https://app.e2e.test/sign-in?redirect_url=https%3A%2F%2Fapp.e2e.test%2Fdashboard%2Fsettings');
  assert.equal(r.headers.get('x-clerk-redirect-to'), 'true');
  assert.equal(r.headers.get('x-clerk-auth-reason'), 'session-token-and-uat-missing');
});

test('protected API route, signed out: 404 (rule unauthenticated=404), also for browsers', async () => {
  for (const headers of [api, doc]) {
    const r = await call(mf, '/api/items', { headers });
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-clerk-auth-reason'), 'protect-rewrite, session-token-and-uat-missing');
  }
});

test('protected route, signed out, plain fetch: 404; server action: 401', async () => {
  assert.equal((await call(mf, '/dashboard', { headers: api })).status, 404);
  const r = await call(mf, '/dashboard', { method: 'POST', headers: { 'next-url': '/dashboard', 'next-action': 'abc' }, body: 'x' });
  assert.equal(r.status, 401);
});

test('role rule: signed in without org:admin gets 404; with it, the origin', async () => {
  const member = mint({ org_id: 'org_1', org_slug: 'acme', org_role: 'org:member', org_permissions: [] });
  assert.equal((await call(mf, '/admin', { headers: { authorization: `Bearer ${member}` } })).status, 404);
  const admin = mint({ org_id: 'org_1', org_slug: 'acme', org_role: 'org:admin', org_permissions: [] });
  const r = await call(mf, '/admin', { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(r.status, 200);
  assert.equal(last().headers['x-clerk-auth-token'], admin);
});

test('org sync: a URL for another organization triggers the activation handshake', async () => {
  const token = mint({ org_id: 'org_1', org_slug: 'acme', org_role: 'org:admin', org_permissions: [] });
  const r = await call(mf, '/orgs/globex/settings', { headers: { ...doc, cookie: `__session=${token}; __client_uat=${now() - 60}` } });
  assert.equal(r.status, 307);
  const loc = new URL(r.headers.get('location'));
  assert.equal(loc.origin + loc.pathname, `https://${FAPI}/v1/client/handshake`);
  assert.equal(loc.searchParams.get('__clerk_hs_reason'), 'active-organization-mismatch');
  assert.equal(loc.searchParams.get('organization_id'), 'globex');
  assert.equal(loc.searchParams.get('__session'), token);
  const same = await call(mf, '/orgs/acme', { headers: { ...doc, cookie: `__session=${token}; __client_uat=${now() - 60}` } });
  assert.equal(same.status, 200);
});

test('spoofed inbound x-clerk-* and x-middleware-* headers never reach the origin', async () => {
  const forged = mint({ sub: 'user_forged' }, { key: otherKeys.privateKey });
  const r = await call(mf, '/public', {
    headers: {
      ...api,
      'x-clerk-auth-status': 'signed-in',
      'x-clerk-auth-token': forged,
      'x-clerk-auth-signature': hmac(forged),
      'x-clerk-request-data': 'AAAA',
      'x-middleware-override-headers': 'x-clerk-auth-status',
      'x-middleware-request-x-clerk-auth-status': 'signed-in',
      'X-Clerk-Debug': 'true',
    },
  });
  assert.equal(r.status, 200);
  const h = last().headers;
  assert.equal(h['x-clerk-auth-status'], 'signed-out');
  assert.equal(h['x-clerk-auth-token'], '');
  assert.notEqual(h['x-clerk-request-data'], 'AAAA');
  assert.equal(Object.keys(h).filter((k) => k.startsWith('x-middleware-')).length, 0);
  assert.equal(h['x-clerk-debug'], undefined);
});

test('a forged Bearer token (other key) is signed-out with Clerk\'s reason', async () => {
  const forged = mint({}, { key: otherKeys.privateKey });
  await call(mf, '/public', { headers: { ...api, authorization: `Bearer ${forged}` } });
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-out');
  assert.equal(last().headers['x-clerk-auth-reason'], 'token-invalid-signature');
  assert.equal(last().headers['x-clerk-auth-message'], 'JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)');
});

test('handshake nonce resolves through the Backend API; every Set-Cookie survives', async () => {
  const token = mint({ sub: 'user_nonce' });
  bapi.state.sessionToken = token;
  const r = await call(mf, '/public', { headers: { ...doc, cookie: '__clerk_handshake_nonce=good-nonce' } });
  assert.equal(r.status, 200);
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-in');
  assert.equal(last().headers['x-clerk-auth-token'], token);
  const cookies = r.headers.getSetCookie();
  assert.ok(cookies.includes('origin_a=1; Path=/'));
  assert.ok(cookies.includes('origin_b=2; Path=/'));
  assert.ok(cookies.includes(`__session=${token}; Path=/; Secure; SameSite=Lax`));
  assert.ok(cookies.some((c) => c.startsWith('__client_uat=')));
  assert.equal(cookies.length, 4);
  assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
});

test('a failing handshake nonce is signed-out session-token-missing', async () => {
  await call(mf, '/public', { headers: { ...api, cookie: '__clerk_handshake_nonce=bad-nonce' } });
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-out');
  assert.equal(last().headers['x-clerk-auth-reason'], 'session-token-missing');
});

test('a 1 MB POST body reaches the origin byte for byte', async () => {
  const body = crypto.randomBytes(1024 * 1024);
  const token = mint();
  const r = await call(mf, '/upload', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body });
  assert.equal(r.status, 200);
  assert.equal(last().method, 'POST');
  assert.equal(last().bodyLength, body.length);
  assert.equal(last().bodySha256, crypto.createHash('sha256').update(body).digest('hex'));
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-in');
});

test('without CLERK_JWT_KEY the key comes from the JWKS endpoint, cached, refetched on a new kid', async () => {
  const jwksCalls = () => bapi.calls.filter((c) => c.url === '/v1/jwks').length;
  const start = jwksCalls();
  const token = mint({ sub: 'user_jwks' });
  await call(jwksWorker, '/public', { headers: { ...api, authorization: `Bearer ${token}` } });
  assert.equal(last().headers['x-clerk-auth-status'], 'signed-in');
  assert.equal(jwksCalls(), start + 1);
  await call(jwksWorker, '/public', { headers: { ...api, authorization: `Bearer ${token}` } });
  assert.equal(jwksCalls(), start + 1, 'second request uses the cache');
  const unknown = mint({}, { kid: 'ins_rotated' });
  await call(jwksWorker, '/public', { headers: { ...api, authorization: `Bearer ${unknown}` } });
  assert.equal(jwksCalls(), start + 2, 'an unknown kid refetches once');
  assert.equal(last().headers['x-clerk-auth-reason'], 'jwk-kid-mismatch');
  assert.match(last().headers['x-clerk-auth-message'], /kid='ins_rotated'/);
  assert.ok(bapi.calls.every((c) => c.auth === `Bearer ${SECRET}`));
});

test('an unreachable origin is a 502 that still carries the state headers', async () => {
  const dead = worker({ CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, CLERK_JWT_KEY: PEM, ORIGIN_URL: 'http://127.0.0.1:9' });
  try {
    const r = await call(dead, '/x', { headers: api });
    assert.equal(r.status, 502);
    assert.equal(r.headers.get('x-clerk-auth-status'), 'signed-out');
  } finally {
    await dead.dispose();
  }
});

test('configuration errors are one clear 500 naming the setting, never a secret', async () => {
  const bad = worker({ CLERK_SECRET_KEY: SECRET, ORIGIN_URL: 'demo' });
  try {
    const r = await call(bad, '/', {});
    assert.equal(r.status, 500);
    assert.match(r.text, /^clerk-edge configuration error in CLERK_PUBLISHABLE_KEY: Publishable key is missing\./);
    assert.ok(!r.text.includes(SECRET));
  } finally {
    await bad.dispose();
  }
});

test('the demo origin decrypts the request data it received', async () => {
  const demo = worker({ CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, CLERK_JWT_KEY: PEM, CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY, CLERK_SIGN_IN_URL: '/sign-in', ORIGIN_URL: 'demo' });
  try {
    const token = mint({ sub: 'user_demo' });
    const r = await call(demo, '/x', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    assert.equal(r.json.auth.status, 'signed-in');
    assert.equal(r.json.auth.userId, 'user_demo');
    assert.deepEqual(r.json.requestData, { publishableKey: PK, signInUrl: '/sign-in' });
  } finally {
    await demo.dispose();
  }
});

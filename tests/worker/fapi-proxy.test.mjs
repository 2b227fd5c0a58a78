// The Worker's Frontend API proxy (CLERK_FRONTEND_API_PROXY) in workerd, against a stand-in
// Frontend API (CLERK_FAPI_URL): what it receives, exactly; bodies byte for byte both ways; a
// 3xx passed back unfollowed; every Set-Cookie kept; no authentication or route rule on the way.
// Run after `bash scripts/build-worker.sh`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { PK, SECRET, PEM, mint, startOrigin, worker, call } from './harness.mjs';

let origin, fapi, fapiUrl, mf;
const seen = [];

function startFapi() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.sendDate = false;
        res.setHeader('set-cookie', ['__client=abc; Path=/; HttpOnly', '__client_uat=1; Path=/']);
        if (req.url.startsWith('/v1/redirect')) {
          res.writeHead(302, { location: `${fapiUrl}/v1/next?step=2` });
          return res.end();
        }
        if (req.method === 'POST') {
          // The request body back, as received.
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-fapi': 'yes', connection: 'keep-alive, x-fapi' });
          return res.end(body);
        }
        res.writeHead(200, { 'content-type': 'application/json', 'x-fapi': 'yes' });
        res.end(JSON.stringify({ object: 'client' }));
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

before(async () => {
  origin = await startOrigin();
  fapi = await startFapi();
  fapiUrl = `http://127.0.0.1:${fapi.address().port}`;
  mf = worker({
    CLERK_PUBLISHABLE_KEY: PK,
    CLERK_SECRET_KEY: SECRET,
    CLERK_JWT_KEY: PEM,
    CLERK_FRONTEND_API_PROXY: '/__clerk',
    CLERK_FAPI_URL: fapiUrl,
    // Everything else needs a signed-in user: the proxy must not.
    CLERK_ROUTES: '/(.*) signed-in',
    ORIGIN_URL: origin.url,
  });
});

after(async () => {
  await mf?.dispose();
  origin?.server.close();
  fapi?.close();
});

test('GET under the proxy path reaches the Frontend API with exactly Clerk\'s headers', async () => {
  const before = origin.seen.length;
  const r = await call(mf, '/__clerk/v1/client?_clerk_js_version=5&a=%2F', {
    headers: {
      accept: 'application/json',
      cookie: '__client_uat=1; __session=opaque',
      'cf-connecting-ip': '203.0.113.7',
      'x-forwarded-for': '198.51.100.1',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'http',
      // Hop-by-hop: dropped. (undici, the test's client, will not send Connection, Keep-Alive,
      // TE or Upgrade at all; src/gateway/fapi_proxy.rs's unit tests cover those and Connection-listed names.)
      'proxy-authorization': 'Basic eA==',
      'x-app': 'kept',
    },
  });
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"object":"client"}');
  assert.equal(r.headers.get('x-fapi'), 'yes');
  assert.equal(r.headers.get('x-clerk-auth-status'), null, 'not authenticated');
  assert.deepEqual(r.headers.getSetCookie(), ['__client=abc; Path=/; HttpOnly', '__client_uat=1; Path=/']);
  assert.equal(origin.seen.length, before, 'the origin is not called');
  const got = seen.at(-1);
  assert.equal(got.method, 'GET');
  assert.equal(got.url, '/v1/client?_clerk_js_version=5&a=%2F');
  assert.deepEqual(got.headers, {
    accept: 'application/json',
    'accept-encoding': 'identity',
    // Added by undici (the test's client) to the browser's request, and forwarded as received.
    'accept-language': '*',
    'sec-fetch-mode': 'cors',
    'user-agent': 'undici',
    // Added by workerd to every subrequest (which also drops cf-connecting-ip from it).
    'cf-worker': 'worker.example.com',
    'clerk-proxy-url': 'https://app.e2e.test/__clerk',
    'clerk-secret-key': SECRET,
    cookie: '__client_uat=1; __session=opaque',
    host: fapiUrl.slice('http://'.length),
    'x-app': 'kept',
    // Untrusted forwarded headers are replaced by the request URL's (CLERK_TRUST_FORWARDED_HEADERS off).
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-host': 'app.e2e.test',
    'x-forwarded-proto': 'https',
  });
});

test('POST body streamed byte for byte both ways', async () => {
  const body = crypto.randomBytes(256 * 1024);
  const r = await mf.dispatchFetch('https://app.e2e.test/__clerk/v1/client/sign_ins?_method=POST', {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body,
    redirect: 'manual',
  });
  const back = Buffer.from(await r.arrayBuffer());
  assert.equal(r.status, 200);
  const got = seen.at(-1);
  assert.equal(got.method, 'POST');
  assert.equal(got.url, '/v1/client/sign_ins?_method=POST');
  assert.equal(got.body.length, body.length);
  assert.ok(got.body.equals(body), 'the Frontend API received the exact bytes');
  assert.ok(back.equals(body), 'the browser received the exact bytes');
  assert.equal(got.headers['content-type'], 'application/octet-stream');
  assert.equal(r.headers.get('x-fapi'), null, 'a header the response\'s Connection names is dropped');
  assert.equal(r.headers.get('content-type'), 'application/octet-stream');
});

test('a 3xx from the Frontend API is passed back unfollowed, its Location through the proxy', async () => {
  const count = seen.length;
  const r = await call(mf, '/__clerk/v1/redirect?x=1', { headers: { accept: 'text/html' } });
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), 'https://app.e2e.test/__clerk/v1/next?step=2');
  assert.deepEqual(r.headers.getSetCookie(), ['__client=abc; Path=/; HttpOnly', '__client_uat=1; Path=/']);
  assert.equal(seen.length, count + 1, 'the redirect was not followed');
});

test('outside the proxy path: authenticated as usual, and handshakes go through the proxy', async () => {
  const r = await call(mf, '/dashboard', { headers: { 'sec-fetch-dest': 'document', accept: 'text/html', cookie: '__client_uat=1' } });
  assert.equal(r.status, 307);
  const loc = new URL(r.headers.get('location'));
  assert.equal(loc.origin + loc.pathname, 'https://app.e2e.test/__clerk/v1/client/handshake');
  assert.equal(loc.searchParams.get('__clerk_hs_reason'), 'client-uat-but-no-session-token');
  // A look-alike path is not the proxy.
  const other = await call(mf, '/__clerkish', { headers: { accept: 'application/json' } });
  assert.equal(other.status, 404);
  assert.equal(other.headers.get('x-clerk-auth-reason'), 'protect-rewrite, session-token-and-uat-missing');
  const signedIn = await call(mf, '/__clerkish', { headers: { authorization: `Bearer ${mint()}` } });
  assert.equal(signedIn.status, 200);
  assert.equal(origin.seen.at(-1).url, '/__clerkish');
});

test('an unreachable Frontend API is Clerk\'s 502 proxy_request_failed', async () => {
  const dead = worker({ CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, CLERK_JWT_KEY: PEM, CLERK_FRONTEND_API_PROXY: '/__clerk', CLERK_FAPI_URL: 'http://127.0.0.1:9', ORIGIN_URL: 'demo' });
  try {
    const r = await call(dead, '/__clerk/v1/environment');
    assert.equal(r.status, 502);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(r.json.errors[0].code, 'proxy_request_failed');
    assert.match(r.json.errors[0].message, /^Failed to proxy request to Clerk FAPI: /);
  } finally {
    await dead.dispose();
  }
});

test('a bad CLERK_FRONTEND_API_PROXY is one clear 500 naming it', async () => {
  const bad = worker({ CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, CLERK_FRONTEND_API_PROXY: '__clerk', ORIGIN_URL: 'demo' });
  try {
    const r = await call(bad, '/__clerk/v1/client');
    assert.equal(r.status, 500);
    assert.equal(r.text, 'clerk-edge configuration error in CLERK_FRONTEND_API_PROXY: must be a path below the root, such as /__clerk (no query, fragment, escapes or dot segments)');
    assert.ok(!r.text.includes(SECRET));
  } finally {
    await bad.dispose();
  }
});

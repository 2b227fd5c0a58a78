// clerk-edge's own guarantees around the middleware, beyond Clerk parity: configuration errors
// with Clerk's messages where Clerk reads the environment only once (so the differential test
// cannot vary it), inbound x-clerk-* / x-middleware-* headers never reaching the application,
// CLERK_JWT_KEY, and the reader's errors.
import { test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import { counted } from './counted.mjs';
import { ensureWasm } from '../wasm-node.js';
import { create } from '../core.js';
import { readAuth } from '../reader.js';

const require = createRequire(import.meta.url);
const { NextRequest, NextResponse } = require('next/server');
ensureWasm();
const { clerkMiddleware } = create({ NextResponse });

const PK = `pk_live_${Buffer.from('clerk.shim.test$').toString('base64')}`;
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwtKey = publicKey.export({ type: 'spki', format: 'pem' });
const b64u = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
function mint(claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  const h = b64u({ alg: 'RS256', kid: 'k', typ: 'JWT' });
  const p = b64u({ sub: 'user_1', sid: 'sess_1', iat: now - 5, nbf: now - 5, exp: now + 60, ...claims });
  return `${h}.${p}.${crypto.sign('sha256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
}
const run = (options, headers = {}, url = 'https://app.shim.test/x') =>
  clerkMiddleware(options)(new NextRequest(url, { headers }), {});

const saved = { ...process.env };
beforeEach(() => {
  for (const k of Object.keys(process.env)) if (/^(CLERK_|NEXT_PUBLIC_CLERK_)/.test(k)) delete process.env[k];
  Object.assign(process.env, { NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: 'sk_live_shim' });
});
after(() => Object.assign(process.env, saved));

const check = counted('shim');

check('no publishable key / no secret key: Clerk’s errors, in that order', async () => {
  delete process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY;
  delete process.env.CLERK_SECRET_KEY;
  await assert.rejects(run({}), /^Error: @clerk\/nextjs: Clerk keys are missing from your environment\.\n\nTo create a new Clerk app/);
  process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY = PK;
  await assert.rejects(run({}), /^Error: @clerk\/nextjs: Missing secretKey\.\n\nTo use an existing Clerk app/);
});

check('secretKey option without CLERK_ENCRYPTION_KEY: encryption_key_missing', async () => {
  await assert.rejects(run({ jwtKey, secretKey: 'sk_live_other' }), /code=encryption_key_missing/);
  process.env.CLERK_ENCRYPTION_KEY = 'x'.repeat(32);
  assert.equal((await run({ jwtKey, secretKey: 'sk_live_other' })).status, 200);
});

check('CLERK_JWT_KEY verifies without any option; the jwtKey option wins over it', async () => {
  process.env.CLERK_JWT_KEY = jwtKey;
  const res = await run(undefined, { authorization: `Bearer ${mint()}` });
  assert.equal(res.headers.get('x-middleware-request-x-clerk-auth-status'), 'signed-in');
  assert.equal(res.headers.get('x-middleware-request-x-clerk-request-data'), null);
  const { publicKey: other } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const wrong = await run({ jwtKey: other.export({ type: 'spki', format: 'pem' }) }, { authorization: `Bearer ${mint()}` });
  assert.equal(wrong.headers.get('x-middleware-request-x-clerk-auth-status'), 'signed-out');
});

check('inbound x-clerk-* / x-middleware-* headers are not forwarded, also through a handler’s request headers', async () => {
  process.env.CLERK_JWT_KEY = jwtKey;
  const spoof = { 'x-clerk-auth-status': 'signed-in', 'x-clerk-debug': 'true', 'x-clerk-request-data': 'U2FsdGVkX1+x', 'x-middleware-rewrite': 'https://evil.test/', 'x-custom': 'kept' };
  for (const handler of [undefined, async (auth, req) => NextResponse.next({ request: { headers: new Headers(req.headers) } })]) {
    const res = await (handler ? clerkMiddleware(handler) : clerkMiddleware())(new NextRequest('https://app.shim.test/x', { headers: spoof }), {});
    const list = res.headers.get('x-middleware-override-headers').split(',');
    assert.ok(list.includes('x-custom'));
    assert.equal(list.filter((n) => n === 'x-clerk-auth-status').length, 1);
    for (const n of ['x-clerk-debug', 'x-clerk-request-data', 'x-middleware-rewrite']) {
      assert.ok(!list.includes(n), n);
      assert.equal(res.headers.get(`x-middleware-request-${n}`), null, n);
    }
    assert.equal(res.headers.get('x-middleware-request-x-clerk-auth-status'), 'signed-out');
    assert.equal(res.headers.get('x-middleware-rewrite'), 'https://app.shim.test/x');
  }
});

check('readAuth without the middleware’s headers: Clerk’s "can’t detect clerkMiddleware()" error', () => {
  assert.throws(() => readAuth({ cookie: 'a=1' }, { secretKey: 'sk_live_shim' }), /can't detect usage of clerkMiddleware\(\)/);
});

check('readAuth: request data that does not decrypt → encryption_key_invalid', () => {
  assert.throws(
    () => readAuth({ 'x-clerk-auth-status': 'signed-out', 'x-clerk-request-data': 'U2FsdGVkX1/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }, { secretKey: 'sk_live_shim' }),
    /code=encryption_key_invalid/,
  );
});

// Options as Clerk reads them, where clerk-edge's own behaviour is the subject (the comparisons
// with @clerk/nextjs are in differential.test.mjs): a jwtKey that is no key is logged once per
// isolate, naming the setting and never its value; CLERK_API_VERSION reaches the Backend API
// paths (Clerk reads it once at start-up, so a per-test change cannot be compared with it).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import crypto from 'node:crypto';
import { ensureWasm } from '../wasm-node.js';
import { create } from '../core.js';

const require = createRequire(import.meta.url);
const { NextRequest, NextResponse } = require('next/server');
ensureWasm();

const paths = [];
const bapi = createServer((req, res) => {
  paths.push(req.url);
  res.writeHead(503, { 'content-type': 'application/json' });
  res.end('{}');
});
await new Promise((r) => bapi.listen(0, '127.0.0.1', r));
after(() => bapi.close());

const FAPI = 'clerk.options.test';
for (const k of Object.keys(process.env)) if (/^(CLERK_|NEXT_PUBLIC_CLERK_)/.test(k)) delete process.env[k];
process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY = `pk_live_${Buffer.from(`${FAPI}$`).toString('base64')}`;
process.env.CLERK_SECRET_KEY = 'sk_live_options';
process.env.CLERK_API_URL = `http://127.0.0.1:${bapi.address().port}`;
const { clerkMiddleware } = create({ NextResponse });

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const b64u = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const h = b64u({ alg: 'RS256', kid: 'ins_opt', typ: 'JWT' });
const p = b64u({ azp: 'https://app.options.test', exp: now + 60, iat: now - 5, nbf: now - 10, iss: `https://${FAPI}`, sid: 'sess_1', sub: 'user_1' });
const token = `${h}.${p}.${crypto.sign('sha256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
const call = (mw, headers = {}) => mw(new NextRequest('https://app.options.test/dashboard', { headers }), {});
const status = (res) => [res.status, res.headers.get('x-middleware-request-x-clerk-auth-status'), res.headers.get('x-middleware-request-x-clerk-auth-reason')];

test('a jwtKey that is no key: signed out on every request, one error per isolate naming the setting', async () => {
  const errors = [];
  const realError = console.error;
  console.error = (...args) => errors.push(args.join(' '));
  try {
    const secret = 'not-a-pem-VALUE-MUST-NOT-LEAK';
    const a = clerkMiddleware({ jwtKey: secret });
    const b = clerkMiddleware({ jwtKey: `${secret}-2`, signInUrl: '/sign-in' }); // another engine
    assert.deepEqual(status(await call(a)), [200, 'signed-out', 'session-token-and-uat-missing']);
    assert.deepEqual(status(await call(a, { authorization: `Bearer ${token}` })), [200, 'signed-out', 'token-invalid-signature']);
    assert.deepEqual(status(await call(b, { authorization: `Bearer ${token}` })), [200, 'signed-out', 'token-invalid-signature']);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /^clerk-edge: The JWT verification key \(jwtKey \/ CLERK_JWT_KEY\) is not usable: .*\. Every session token is treated as signed out \(token-invalid-signature\), as Clerk does\.$/);
    assert.ok(!errors[0].includes('VALUE-MUST-NOT-LEAK'));
  } finally {
    console.error = realError;
  }
});

test('apiVersion / CLERK_API_VERSION: the versioned Backend API paths', async () => {
  const jwks = async (options) => {
    paths.length = 0;
    const res = await call(clerkMiddleware(options), { authorization: `Bearer ${token}` });
    assert.deepEqual(status(res), [200, 'signed-out', 'jwk-remote-failed-to-load']);
    return [...new Set(paths)];
  };
  assert.deepEqual(await jwks({}), ['/v1/jwks']);
  assert.deepEqual(await jwks({ apiVersion: 'v2' }), ['/v2/jwks']);
  process.env.CLERK_API_VERSION = 'v3';
  try {
    assert.deepEqual(await jwks({ signUpUrl: '/a' }), ['/v3/jwks']);
    assert.deepEqual(await jwks({ apiVersion: 'v2', signUpUrl: '/a' }), ['/v2/jwks'], 'the option wins');
  } finally {
    delete process.env.CLERK_API_VERSION;
  }
});

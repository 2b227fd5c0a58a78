// Drop-in interop (issue #4): what clerk-edge's middleware forwards is read by unchanged
// @clerk/nextjs 7.9.17 on the application server. The path is Clerk's own: `getAuth(req)` from
// `@clerk/nextjs/server` (the same `getSessionAuthDataFromRequest` its App Router `auth()` runs):
// it decrypts `x-clerk-request-data` with Clerk's CryptoJS code, verifies
// `x-clerk-auth-signature` (HMAC-SHA1, constant time) and decodes the token. The request it gets
// is the one Next.js would build from the middleware's response (`x-middleware-override-headers`
// + `x-middleware-request-*`). One flipped bit in token, signature or ciphertext must make it
// throw; clerk-edge's own reader (js/reader.js) must agree on every case.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import { counted } from './counted.mjs';

const FAPI = 'clerk.interop.test';
const env = {
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from(`${FAPI}$`).toString('base64')}`,
  CLERK_SECRET_KEY: `sk_live_${crypto.randomBytes(12).toString('hex')}`,
  CLERK_ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
  NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED: '1',
};
// @clerk/nextjs reads its environment once, when it is loaded.
for (const k of Object.keys(process.env)) if (/^(CLERK_|NEXT_PUBLIC_CLERK_)/.test(k)) delete process.env[k];
delete process.env.NODE_ENV;
Object.assign(process.env, env);

const require = createRequire(import.meta.url);
const { NextRequest, NextResponse } = require('next/server');
const clerk = require('@clerk/nextjs/server');
const clerkVersion = JSON.parse(require('node:fs').readFileSync(new URL('../../node_modules/@clerk/nextjs/package.json', import.meta.url), 'utf8')).version;
const { ensureWasm } = await import('../wasm-node.js');
const { create } = await import('../core.js');
const { readAuth } = await import('../reader.js');
ensureWasm();
const { clerkMiddleware } = create({ NextResponse });

const check = counted(() => `interop (@clerk/nextjs ${clerkVersion})`);

const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwtKey = publicKey.export({ type: 'spki', format: 'pem' });
const b64u = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
function mint(claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  const h = b64u({ alg: 'RS256', kid: 'ins_interop', typ: 'JWT' });
  const p = b64u({ exp: now + 600, iat: now - 5, nbf: now - 10, iss: `https://${FAPI}`, sid: 'sess_1', sub: 'user_1', v: 2, ...claims });
  return `${h}.${p}.${crypto.sign('sha256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
}

/** The request Next.js hands the application server after the middleware answered `res`. */
function downstreamRequest(original, res) {
  const headers = new Headers(original.headers);
  const list = res.headers.get('x-middleware-override-headers');
  assert.ok(list !== null, 'the middleware decorated the request');
  const names = new Set(list.split(',').filter(Boolean));
  for (const [k] of [...headers]) if (!names.has(k)) headers.delete(k);
  for (const k of names) {
    const v = res.headers.get(`x-middleware-request-${k}`);
    if (v === null) headers.delete(k);
    else headers.set(k, v);
  }
  return new NextRequest(res.headers.get('x-middleware-rewrite'), { headers });
}

async function forwarded(options, headers) {
  const req = new NextRequest('https://app.interop.test/dashboard', { headers });
  const res = await clerkMiddleware(options)(req, {});
  return downstreamRequest(req, res);
}

function withHeader(req, name, transform) {
  const h = new Headers(req.headers);
  h.set(name, transform(h.get(name)));
  return new NextRequest(req.url, { headers: h });
}

const flipHex = (s, i) => s.slice(0, i) + ((parseInt(s[i], 16) ^ 1).toString(16)) + s.slice(i + 1);
function flipBase64(s, byte, fn = (b) => b.toString('base64')) {
  const raw = Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64');
  raw[byte] ^= 0x01;
  return fn(raw);
}
/** One bit of the token's signature segment. */
function flipTokenBit(t) {
  const [h, p, s] = t.split('.');
  return `${h}.${p}.${flipBase64(s, 20, (b) => b.toString('base64url'))}`;
}

const clerkError = (fn) => {
  try {
    fn();
  } catch (e) {
    return e.message;
  }
  return null;
};
const code = (message) => /\(code=([a-z_]+)\)/.exec(message ?? '')?.[1] ?? null;

check('signed in, options in request data: Clerk decrypts it, accepts the signature and sees the user', async () => {
  const token = mint({ o: { id: 'org_1', slg: 'acme', rol: 'admin' } });
  const req = await forwarded({ jwtKey, signInUrl: '/sign-in' }, { authorization: `Bearer ${token}` });
  assert.match(req.headers.get('x-clerk-request-data'), /^U2FsdGVkX1/);
  const auth = clerk.getAuth(req);
  assert.equal(auth.userId, 'user_1');
  assert.equal(auth.sessionId, 'sess_1');
  assert.equal(auth.orgId, 'org_1');
  assert.equal(auth.orgRole, 'org:admin');
  assert.equal(auth.has({ role: 'org:admin' }), true);
  assert.equal(await auth.getToken(), token);
  const ours = readAuth(req.headers);
  assert.equal(ours.userId, 'user_1');
  assert.equal(ours.orgRole, 'org:admin');
  assert.equal(ours.has({ role: 'org:admin' }), true);
  assert.deepEqual(ours.requestData, { jwtKey, signInUrl: '/sign-in' });
});

check('a secretKey middleware option: the signature is keyed with it and Clerk takes it from the request data', async () => {
  const optionKey = `sk_live_${crypto.randomBytes(12).toString('hex')}`;
  const token = mint({ sub: 'user_2' });
  const req = await forwarded({ jwtKey, secretKey: optionKey }, { authorization: `Bearer ${token}` });
  assert.equal(req.headers.get('x-clerk-auth-signature'), crypto.createHmac('sha1', optionKey).update(token).digest('hex'));
  assert.equal(clerk.getAuth(req).userId, 'user_2');
  assert.equal(readAuth(req.headers).userId, 'user_2');
});

check('no middleware options (CLERK_JWT_KEY from the environment): no request data, Clerk still verifies', async () => {
  process.env.CLERK_JWT_KEY = jwtKey;
  try {
    const req = await forwarded(undefined, { authorization: `Bearer ${mint({ sub: 'user_3' })}` });
    assert.equal(req.headers.get('x-clerk-request-data'), null);
    assert.equal(clerk.getAuth(req).userId, 'user_3');
    assert.equal(readAuth(req.headers).userId, 'user_3');
  } finally {
    delete process.env.CLERK_JWT_KEY;
  }
});

check('signed out: Clerk reads a signed-out auth object with the reason', async () => {
  const req = await forwarded({ jwtKey }, {});
  const auth = clerk.getAuth(req);
  assert.equal(auth.userId, null);
  assert.equal(auth.isAuthenticated, false);
  assert.equal(req.headers.get('x-clerk-auth-reason'), 'session-token-and-uat-missing');
  assert.equal(readAuth(req.headers).userId, null);
});

check('one flipped bit in the token, the signature or the ciphertext: Clerk and clerk-edge both reject', async () => {
  const req = await forwarded({ jwtKey }, { authorization: `Bearer ${mint()}` });
  const cases = {
    token: [withHeader(req, 'x-clerk-auth-token', flipTokenBit), 'auth_signature_invalid'],
    signature: [withHeader(req, 'x-clerk-auth-signature', (s) => flipHex(s, 7)), 'auth_signature_invalid'],
    // Byte 16 is the first ciphertext byte (after `Salted__` and the salt): the first plaintext
    // block decrypts to noise, which no JSON parser accepts.
    ciphertext: [withHeader(req, 'x-clerk-request-data', (s) => flipBase64(s, 16)), 'encryption_key_invalid'],
    salt: [withHeader(req, 'x-clerk-request-data', (s) => flipBase64(s, 9)), 'encryption_key_invalid'],
  };
  for (const [what, [tampered, expected]] of Object.entries(cases)) {
    const theirs = clerkError(() => clerk.getAuth(tampered));
    assert.equal(code(theirs), expected, `Clerk, flipped ${what}: ${theirs}`);
    const ours = clerkError(() => readAuth(tampered.headers));
    assert.equal(code(ours), expected, `clerk-edge reader, flipped ${what}: ${ours}`);
  }
  // Untampered, both still accept.
  assert.equal(clerk.getAuth(req).userId, 'user_1');
});

check('a forged signed-in status without a signature is rejected by both', async () => {
  const req = await forwarded({ jwtKey }, {});
  const forged = withHeader(withHeader(req, 'x-clerk-auth-status', () => 'signed-in'), 'x-clerk-auth-token', () => mint({ sub: 'user_forged' }));
  assert.equal(code(clerkError(() => clerk.getAuth(forged))), 'auth_signature_invalid');
  assert.equal(code(clerkError(() => readAuth(forged.headers))), 'auth_signature_invalid');
});

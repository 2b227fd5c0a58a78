// The Node.js runtime's RS256 verifier (src/host/node_crypto.rs, registered by js/wasm-inline.js):
// the same decisions as WebCrypto, made without a Promise on first sight. Wycheproof runs through
// both verifiers in wycheproof.test.mjs; the whole suite runs on node:crypto with
// CLERK_EDGE_NODE_CRYPTO=1 node --test js/test/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import '../wasm-inline.js'; // the Node entry's loader: instantiates the engine and registers node:crypto
import { setNodeCrypto, useNodeCrypto } from '../wasm-node.js';
import { Engine } from '../pkg/clerk_edge.js';
import { create } from '../core.js';

const require = createRequire(import.meta.url);
const { NextRequest, NextResponse } = require('next/server');

const FAPI = 'clerk.node-crypto.example';
const PK = 'pk_live_' + Buffer.from(FAPI + '$').toString('base64').replace(/=+$/, '');
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const pem = publicKey.export({ type: 'spki', format: 'pem' });
const b64u = (v) => Buffer.from(v).toString('base64url');
const now = Date.now();
let serial = 0;
/** A fresh session token (a new `sid` each time: never in the signature cache). */
function mint({ key = privateKey, claims = {} } = {}) {
  const h = b64u(JSON.stringify({ alg: 'RS256', kid: 'ins_node', typ: 'JWT' }));
  const sec = Math.floor(now / 1000);
  const p = b64u(JSON.stringify({ azp: 'https://app.example', exp: sec + 600, iat: sec - 5, nbf: sec - 10, iss: `https://${FAPI}`, sid: `sess_${serial++}`, sub: 'user_1', v: 2, ...claims }));
  return `${h}.${p}.${b64u(crypto.sign('sha256', Buffer.from(`${h}.${p}`), key))}`;
}
const engine = new Engine(JSON.stringify({ publishableKey: PK, secretKey: 'sk_live_x', jwtKey: pem }));
const authenticate = (token) =>
  engine.authenticate('GET', 'https://app.example/dashboard', JSON.stringify([['authorization', `Bearer ${token}`], ['accept', 'application/json']]), now, undefined);
const pick = (json) => {
  const s = JSON.parse(json);
  return { status: s.status, reason: s.reason, message: s.message, userId: s.auth?.userId ?? null };
};

test('the Node entry (wasm-inline.js) registers node:crypto: first sight decided synchronously', () => {
  assert.equal(typeof authenticate(mint()), 'string');
});

test('first sight: a string from node:crypto, a Promise from WebCrypto, the same decision', async () => {
  const cases = [
    [mint(), { status: 'signed-in', reason: null, message: null, userId: 'user_1' }],
    [mint({ key: other }), { status: 'signed-out', reason: 'token-invalid-signature', message: 'JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)', userId: null }],
    [mint({ claims: { exp: Math.floor(now / 1000) - 60 } }), { status: 'signed-out', reason: 'session-token-expired-refresh-non-eligible-no-refresh-cookie', userId: null }],
  ];
  for (const [token, want] of cases) {
    // The same token through each verifier: WebCrypto first, so node:crypto is not answered from
    // the signature cache (only successes are cached, and claims are checked either way).
    setNodeCrypto(undefined);
    const viaWebCrypto = authenticate(token);
    assert.ok(viaWebCrypto instanceof Promise, 'WebCrypto decides in a Promise');
    const web = pick(await viaWebCrypto);
    assert.ok(useNodeCrypto());
    const tokenAgain = want.status === 'signed-in' ? mint() : token; // a success would be cached
    const viaNode = authenticate(tokenAgain);
    assert.equal(typeof viaNode, 'string', 'node:crypto decides synchronously');
    const node = pick(viaNode);
    if (want.message === undefined) {
      assert.match(node.message, /^JWT is expired\. Expiry date: .*\(reason=token-expired, token-carrier=header\)/);
      delete node.message;
      delete web.message;
    }
    assert.deepEqual(node, want);
    assert.deepEqual(web, want);
  }
});

test('the signature cache is shared: a token verified once is answered without a verifier', () => {
  assert.ok(useNodeCrypto());
  const token = mint();
  assert.equal(pick(authenticate(token)).status, 'signed-in');
  setNodeCrypto(undefined); // WebCrypto would need a Promise; the cache answers synchronously
  const again = authenticate(token);
  assert.equal(typeof again, 'string');
  assert.equal(pick(again).status, 'signed-in');
  assert.ok(useNodeCrypto());
});

test('an unusable key from node:crypto is token-verification-failed, as from WebCrypto', () => {
  // A registered node:crypto that cannot build the key: the error, not a crash or a false.
  setNodeCrypto({
    createPublicKey: () => {
      throw new Error('boom');
    },
    verify: crypto.verify,
  });
  try {
    const s = pick(authenticate(mint()));
    assert.deepEqual(s, { status: 'signed-out', reason: 'token-verification-failed', message: 'Error verifying JWT signature. boom Make sure that this is a valid Clerk-generated JWT. (reason=token-verification-failed, token-carrier=header)', userId: null });
  } finally {
    assert.ok(useNodeCrypto());
  }
});

test('clerkMiddleware() on node:crypto: first-sight signed-in request, no thread-pool wait', async () => {
  assert.ok(useNodeCrypto());
  process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY = PK;
  process.env.CLERK_SECRET_KEY = 'sk_live_x';
  const { clerkMiddleware } = create({ NextResponse });
  const mw = clerkMiddleware({ jwtKey: pem });
  const res = await mw(new NextRequest('https://app.example/dashboard', { headers: { authorization: `Bearer ${mint()}`, accept: 'application/json' } }), {});
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-middleware-request-x-clerk-auth-status'), 'signed-in');
  assert.equal(res.headers.get('x-middleware-request-x-clerk-auth-reason'), '');
});

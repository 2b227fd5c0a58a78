// The Next shim's jwtKey / CLERK_JWT_KEY accepts a rotation's key set through the same core:
// concatenated PEMs (tried in order) and a JWKS chosen by kid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ensureWasm } from '../wasm-node.js';
import * as core from '../pkg/clerk_edge.js';

ensureWasm();
const pair = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const A = pair();
const B = pair();
const pem = (k) => k.publicKey.export({ type: 'spki', format: 'pem' });
const jwk = (k, kid) => ({ ...k.publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' });
const b64u = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
function mint(key, kid) {
  const now = Math.floor(Date.now() / 1000);
  const h = b64u({ alg: 'RS256', kid, typ: 'JWT' });
  const p = b64u({ sub: `user_${kid}`, sid: 'sess_1', iat: now - 5, nbf: now - 5, exp: now + 60 });
  return `${h}.${p}.${crypto.sign('sha256', Buffer.from(`${h}.${p}`), key.privateKey).toString('base64url')}`;
}
const verify = async (token, jwtKey) => JSON.parse(await core.verifyToken(token, JSON.stringify({ jwtKey }), Date.now()));

test('concatenated PEMs: a token of either key verifies; of neither, token-invalid-signature', async () => {
  const both = `${pem(A)}${pem(B)}`;
  assert.deepEqual(await verify(mint(A, 'a'), both), { ok: true, sub: 'user_a' });
  assert.deepEqual(await verify(mint(B, 'b'), both), { ok: true, sub: 'user_b' });
  const other = await verify(mint(pair(), 'c'), both);
  assert.equal(other.reason, 'token-invalid-signature');
});

test('a JWKS: the key is chosen by kid; an unknown kid is jwk-kid-mismatch', async () => {
  const jwks = JSON.stringify({ keys: [jwk(A, 'ins_a'), jwk(B, 'ins_b')] });
  assert.deepEqual(await verify(mint(B, 'ins_b'), jwks), { ok: true, sub: 'user_ins_b' });
  assert.equal((await verify(mint(B, 'ins_a'), jwks)).reason, 'token-invalid-signature');
  const unknown = await verify(mint(A, 'ins_x'), jwks);
  assert.equal(unknown.reason, 'jwk-kid-mismatch');
  assert.match(unknown.message, /kid='ins_x'/);
  await assert.rejects(verify(mint(A, 'a'), '{"keys":[]}'), /jwtKey \/ CLERK_JWT_KEY\) is not usable: its JWKS has no keys\./);
});

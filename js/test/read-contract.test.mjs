// read(): the reader contract in Node (the shared vectors run in scripts/test-readers.sh); here the
// JS surface: pairs or Headers, ReaderError codes, has(), the required request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { read, ReaderError } from '../reader.js';

const KEY = 'sk_test_nodeContractKey0123456789abcdef';
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const token = `${b64({ alg: 'RS256' })}.${b64({ sub: 'user_1', sid: 'sess_1', org_id: 'org_1', org_role: 'org:admin', exp: 2000 })}.c2ln`;
const sig = crypto.createHmac('sha1', KEY).update(token).digest('hex');
const headers = [['x-clerk-auth-status', 'signed-in'], ['x-clerk-auth-token', token], ['x-clerk-auth-signature', sig]];
const opts = { secretKey: KEY, encryptionKey: '', now: 1990, request: null };

test('signed in, has(), Headers input', () => {
  const a = read(new Headers(headers), opts);
  assert.equal(a.userId, 'user_1');
  assert.equal(a.orgId, 'org_1');
  assert.equal(a.has({ role: 'admin' }), true);
  assert.equal(a.has({ role: 'member' }), false);
});

test('errors are ReaderError codes, never the token', () => {
  const code = (h, o = opts) => {
    try { read(h, o); return null; } catch (e) { assert.ok(e instanceof ReaderError); assert.ok(!e.message.includes(token)); return e.code; }
  };
  assert.equal(code(headers, { ...opts, now: 2006 }), 'token_expired');
  assert.equal(code([...headers, ['X-Clerk-Auth-Token', token]]), 'header_duplicate');
  assert.equal(code(headers, { ...opts, secretKey: ['sk_other'] }), 'auth_signature_invalid');
  assert.equal(code(headers, { ...opts, request: { method: 'GET', path: '/', host: 'o' } }), 'edge_signature_missing');
  assert.throws(() => read(headers, { secretKey: KEY }), TypeError);
});

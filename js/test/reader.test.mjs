// clerk-edge/reader's readAuth for origins behind the Worker: several secret keys (a rotation:
// a signature made with any is accepted, each compared in constant time) and the Worker's
// default `gcm` request-data format, produced here from docs/request-data.md alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ensureWasm } from '../wasm-node.js';
import { readAuth } from '../reader.js';

ensureWasm();
const OLD = 'sk_live_reader_old';
const NEW = 'sk_live_reader_new';
const b64u = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
// The reader only decodes the token (the edge verified it): no RSA needed here.
const token = `${b64u({ alg: 'RS256', typ: 'JWT' })}.${b64u({ sub: 'user_r', sid: 'sess_r' })}.c2ln`;
const hmac = (key) => crypto.createHmac('sha1', key).update(token).digest('hex');
const signedIn = (key, extra = {}) => ({
  'x-clerk-auth-status': 'signed-in',
  'x-clerk-auth-token': token,
  'x-clerk-auth-signature': hmac(key),
  'x-clerk-auth-reason': '',
  'x-clerk-auth-message': '',
  ...extra,
});
const code = (fn) => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return /\(code=([a-z_]+)\)/.exec(e.message)?.[1] ?? e.message;
  }
};

// docs/request-data.md, `gcm` v1: base64url(0x01 ‖ nonce ‖ AES-256-GCM(plaintext, aad) ‖ tag).
function gcmKey(setting) {
  if (/^[0-9a-fA-F]{64}$/.test(setting)) return Buffer.from(setting, 'hex');
  const prk = crypto.createHmac('sha256', 'clerk-edge/request-data/v1/hkdf-salt').update(setting).digest();
  return crypto.createHmac('sha256', prk).update(Buffer.concat([Buffer.from('aes-256-gcm key'), Buffer.from([1])])).digest();
}
function sealGcm(obj, setting) {
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', gcmKey(setting), nonce);
  c.setAAD(Buffer.from('clerk-edge/request-data/v1'));
  const ct = Buffer.concat([c.update(JSON.stringify(obj)), c.final()]);
  return Buffer.concat([Buffer.from([1]), nonce, ct, c.getAuthTag()]).toString('base64url');
}

test('a signature made with either key of a rotation is accepted; another key is not', () => {
  for (const signer of [OLD, NEW]) {
    const auth = readAuth(signedIn(signer), { secretKey: [OLD, NEW] });
    assert.equal(auth.status, 'signed-in');
    assert.equal(auth.userId, 'user_r');
    assert.equal(code(() => readAuth(signedIn(signer), { secretKey: [NEW, OLD] })), 'no error');
  }
  assert.equal(code(() => readAuth(signedIn(OLD), { secretKey: [NEW] })), 'auth_signature_invalid');
  assert.equal(code(() => readAuth(signedIn(OLD), { secretKey: NEW })), 'auth_signature_invalid');
  assert.equal(code(() => readAuth(signedIn('sk_live_other'), { secretKey: [OLD, NEW] })), 'auth_signature_invalid');
  assert.equal(code(() => readAuth(signedIn(OLD), { secretKey: [] })), 'auth_signature_invalid');
  assert.equal(readAuth(signedIn(OLD), { secretKey: OLD }).userId, 'user_r', 'one key as before');
});

test('the gcm request-data format decrypts (hex key and passphrase); tampering is encryption_key_invalid', () => {
  const hex = crypto.randomBytes(32).toString('hex');
  const passphrase = 'a passphrase of at least thirty-two characters';
  for (const key of [hex, passphrase]) {
    const data = { publishableKey: 'pk_live_x', signInUrl: '/sign-in' };
    const value = sealGcm(data, key);
    const auth = readAuth(signedIn(NEW, { 'x-clerk-request-data': value }), { secretKey: [OLD, NEW], encryptionKey: key });
    assert.deepEqual(auth.requestData, data);
    const flipped = Buffer.from(value, 'base64url');
    flipped[20] ^= 1;
    const tampered = signedIn(NEW, { 'x-clerk-request-data': flipped.toString('base64url') });
    assert.equal(code(() => readAuth(tampered, { secretKey: [OLD, NEW], encryptionKey: key })), 'encryption_key_invalid');
    assert.equal(code(() => readAuth(signedIn(NEW, { 'x-clerk-request-data': value }), { secretKey: [OLD, NEW], encryptionKey: hex.replace(/.$/, (c) => (c === '0' ? '1' : '0')) })), 'encryption_key_invalid');
  }
});

test('without an encryption key the request data is opened with each secret key in turn', () => {
  const longOld = `${OLD}-padded-to-thirty-two-characters`;
  const longNew = `${NEW}-padded-to-thirty-two-characters`;
  const value = sealGcm({ secretKey: longNew }, longNew);
  const headers = signedIn(longNew, { 'x-clerk-request-data': value });
  const auth = readAuth(headers, { secretKey: [longOld, longNew], encryptionKey: '' });
  assert.equal(auth.requestData.secretKey, longNew);
  assert.equal(auth.userId, 'user_r');
});

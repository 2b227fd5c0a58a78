// Shared pieces of the Worker end-to-end tests: keys, tokens, a loopback origin that reports
// what it received, a stand-in for Clerk's Backend API, and Miniflare (workerd) instances.
import crypto from 'node:crypto';
import http from 'node:http';
import { Miniflare } from 'miniflare';

export const FAPI = 'clerk.e2e-instance.example';
export const PK = 'pk_live_' + Buffer.from(FAPI + '$').toString('base64').replace(/=+$/, '');
export const SECRET = 'sk_live_e2e_secret_value';
export const ENCRYPTION_KEY = crypto.randomBytes(32).toString('hex');

const b64u = (b) => Buffer.from(b).toString('base64url');
export const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
export const otherKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
export const PEM = keys.publicKey.export({ type: 'spki', format: 'pem' });
export const jwk = keys.publicKey.export({ format: 'jwk' });

export function mint(claims = {}, { key = keys.privateKey, kid = 'ins_e2e', header = {} } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { azp: 'https://app.e2e.test', exp: now + 600, iat: now - 5, nbf: now - 10, iss: `https://${FAPI}`, sid: 'sess_e2e', sub: 'user_e2e', ...claims };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  const h = b64u(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT', ...header }));
  const p = b64u(JSON.stringify(payload));
  return `${h}.${p}.${b64u(crypto.sign('sha256', Buffer.from(`${h}.${p}`), key))}`;
}

export const hmac = (token, key = SECRET) => crypto.createHmac('sha1', key).update(token).digest('hex');

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** An origin that answers with what it received and sets two cookies of its own. */
export async function startOrigin() {
  const seen = [];
  const server = await listen((req, res) => {
    const hash = crypto.createHash('sha256');
    let length = 0;
    req.on('data', (c) => { hash.update(c); length += c.length; });
    req.on('end', () => {
      const record = { method: req.method, url: req.url, headers: req.headers, bodyLength: length, bodySha256: hash.digest('hex') };
      seen.push(record);
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['origin_a=1; Path=/', 'origin_b=2; Path=/']);
      res.end(JSON.stringify(record));
    });
  });
  return { server, seen, url: `http://127.0.0.1:${server.address().port}` };
}

/** Clerk's Backend API, as far as JWKS and handshake nonces go. */
export async function startBapi() {
  const calls = [];
  const state = { kid: 'ins_e2e', sessionToken: null };
  const server = await listen((req, res) => {
    calls.push({ url: req.url, auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${SECRET}`) {
      res.statusCode = 401;
      return res.end(JSON.stringify({ errors: [{ code: 'clerk_key_invalid', message: 'The provided Clerk Secret Key is invalid.' }] }));
    }
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/v1/jwks') {
      return res.end(JSON.stringify({ keys: [{ ...jwk, kid: state.kid, alg: 'RS256', use: 'sig' }] }));
    }
    if (u.pathname === '/v1/clients/handshake_payload') {
      if (u.searchParams.get('nonce') !== 'good-nonce') {
        res.statusCode = 404;
        return res.end(JSON.stringify({ errors: [{ code: 'resource_not_found', message: 'nonce' }] }));
      }
      const now = Math.floor(Date.now() / 1000);
      return res.end(JSON.stringify({ directives: [`__session=${state.sessionToken}; Path=/; Secure; SameSite=Lax`, `__client_uat=${now}; Path=/; Max-Age=315360000; SameSite=Strict`] }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  return { server, calls, state, url: `http://127.0.0.1:${server.address().port}` };
}

export const ROUTES = `
/sign-in(.*)      public
/admin(.*)        role=org:admin
/api(.*)          signed-in unauthenticated=404
/dashboard(.*)    signed-in
/orgs/(.*)        signed-in
`;

export function worker(bindings) {
  return new Miniflare({
    modules: true,
    scriptPath: new URL('../../build/index.js', import.meta.url).pathname,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2026-04-01',
    bindings,
    cf: false,
  });
}

/** Fetches through the Worker and always consumes the body. */
export async function call(mf, path, init = {}) {
  const res = await mf.dispatchFetch(`https://app.e2e.test${path}`, { redirect: 'manual', ...init });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

// The receiving side of clerk-edge's forwarded headers, for origins (a Node server behind the
// Cloudflare Worker, or any app behind `clerkMiddleware()`): verifies `x-clerk-auth-signature`
// and decrypts `x-clerk-request-data` (Clerk's format, or the Worker's default `gcm` format) in
// Rust, as `@clerk/nextjs`'s `auth()` does on the application server.
import * as core from './pkg/clerk_edge.js';
import { ensureWasm } from './wasm-node.js';

const envOf = (name) => (typeof process !== 'undefined' && process.env ? process.env[name] : '') || '';

function headerPairs(headers) {
  if (headers && typeof headers.forEach === 'function' && typeof headers.get === 'function') {
    const out = [];
    headers.forEach((v, k) => out.push([k, v]));
    return out;
  }
  // Node's IncomingHttpHeaders or a plain object: arrays become repeated pairs.
  return Object.entries(headers || {}).flatMap(([k, v]) =>
    Array.isArray(v) ? v.map((x) => [k, String(x)]) : v == null ? [] : [[k, String(v)]],
  );
}

/**
 * Reads the auth the middleware forwarded. `secretKey` is one key or several (`[old, new]` while
 * the middleware switches keys): a signature made with any of them is accepted. Throws Clerk's
 * errors: `auth_signature_invalid` (signed in without a valid signature), `encryption_key_invalid`
 * (request data that does not decrypt), and the "can't detect usage of clerkMiddleware()" error
 * when no status is present.
 */
export function readAuth(headers, { secretKey = envOf('CLERK_SECRET_KEY'), encryptionKey = envOf('CLERK_ENCRYPTION_KEY') } = {}) {
  if (typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function') ensureWasm();
  const keys = Array.isArray(secretKey) ? secretKey.filter(Boolean).map(String) : [String(secretKey || '')];
  const r = JSON.parse(core.readAuth(JSON.stringify(headerPairs(headers)), JSON.stringify(keys), String(encryptionKey || '')));
  const claimsJson = r.claims ? JSON.stringify(r.claims) : null;
  const token = r.token || null;
  return {
    ...r.auth,
    status: r.status,
    reason: r.reason,
    message: r.message,
    requestData: r.requestData,
    has: (params) => (claimsJson ? core.has(claimsJson, JSON.stringify(params === undefined ? null : params)) : false),
    getToken: () => Promise.resolve(claimsJson ? token : null),
  };
}

/** A forwarded header set that must not be trusted; `code` is the reader contract's error code. */
export class ReaderError extends Error {
  constructor(code) {
    super(`clerk-edge reader: ${code}`);
    this.name = 'ReaderError';
    this.code = code;
  }
}

/**
 * The origin reader contract shared with the Python and Go readers (docs/reader-vectors.md): for an
 * origin behind the Worker. Stricter than `readAuth` (Clerk's `auth()`): duplicate/oversized headers,
 * `exp`/`nbf` (5 s skew), the Worker's `x-clerk-edge-signature` over `request` ({method, path, host}
 * as this origin received it; pass `request: null` only behind the Next shim), and a `secretKey` in the
 * request data only with `clerkCompatible`. Returns the auth with `has()`; throws `ReaderError`.
 */
export function read(headers, {
  secretKey = envOf('CLERK_SECRET_KEY').split(',').map((k) => k.trim()).filter(Boolean),
  encryptionKey = envOf('CLERK_ENCRYPTION_KEY'),
  clerkCompatible = false,
  clockSkewSeconds = 5,
  now = Date.now() / 1000,
  request,
  edgeMaxAgeSeconds = 30,
} = {}) {
  if (typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function') ensureWasm();
  if (request === undefined) throw new TypeError('read(): pass `request: {method, path, host}` (or null behind the Next shim)');
  const secretKeys = (Array.isArray(secretKey) ? secretKey : [secretKey]).filter(Boolean).map(String);
  const options = {
    secretKeys, encryptionKey: String(encryptionKey || ''), clerkCompatible: clerkCompatible === true,
    now: clockSkewSeconds === null ? null : now, clockSkewSeconds: clockSkewSeconds ?? 0,
    edgeSignature: request !== null, edgeMaxAgeSeconds, request: request ?? null,
  };
  // An array of [name, value] pairs keeps repeats and order as received.
  const pairs = Array.isArray(headers) ? headers.map(([k, v]) => [String(k), String(v)]) : headerPairs(headers);
  const r = JSON.parse(core.readVerified(JSON.stringify(pairs), JSON.stringify(options)));
  if (r.error) throw new ReaderError(r.error);
  const claimsJson = r.ok.isAuthenticated ? JSON.stringify(r.ok.sessionClaims) : null;
  return {
    ...r.ok,
    has: (params) => (claimsJson ? core.has(claimsJson, JSON.stringify(params === undefined ? null : params)) : false),
  };
}

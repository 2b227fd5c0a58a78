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

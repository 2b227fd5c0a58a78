// Issue #12 part 0 in the Next shim: a path that decodes to a line break or other control
// character is refused (400) before the user's handler runs — with or without createRouteMatcher
// — because no pattern's `.` matches a line terminator (Clerk lets these through). The rule is the
// Worker's (src/gateway/path_policy.rs `has_control_character`).
import { beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import { counted } from './counted.mjs';
import { ensureWasm } from '../wasm-node.js';
import { create } from '../core.js';

const require = createRequire(import.meta.url);
const { NextRequest, NextResponse } = require('next/server');
ensureWasm();
const { clerkMiddleware, createRouteMatcher } = create({ NextResponse });

const PK = `pk_live_${Buffer.from('clerk.paths.test$').toString('base64')}`;
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const b64u = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
function mint(claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  const h = b64u({ alg: 'RS256', kid: 'k', typ: 'JWT' });
  const p = b64u({ sub: 'user_1', sid: 'sess_1', iat: now - 5, nbf: now - 5, exp: now + 60, ...claims });
  return `${h}.${p}.${crypto.sign('sha256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
}

const saved = { ...process.env };
beforeEach(() => {
  for (const k of Object.keys(process.env)) if (/^(CLERK_|NEXT_PUBLIC_CLERK_)/.test(k)) delete process.env[k];
  Object.assign(process.env, {
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: PK,
    CLERK_SECRET_KEY: 'sk_live_paths',
    CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }),
  });
});
after(() => Object.assign(process.env, saved));

const check = counted('paths (shim)');

const VARIANTS = [
  '/admin/%0a', '/admin%0d', '/admin/users%0a', '/admin/%E2%80%A8', '/admin/%e2%80%a9', '/api/items%0a',
  '/dashboard/%0a', '/orgs/acme%0a', '/admin%00', '/admin%1f', '/admin%7F', '/admin%C2%85', '/admin\u2028', '/admin\u2029x',
];

const isProtected = createRouteMatcher(['/admin(.*)', '/api(.*)', '/dashboard(.*)', '/orgs/(.*)']);
const recipes = () => {
  const calls = [];
  const handler = async (auth, req) => {
    calls.push(req.nextUrl.pathname);
    if (isProtected(req)) await auth.protect();
  };
  return { calls, handler };
};

check('createRouteMatcher alone lets the line-break variants through (Clerk’s hole)', () => {
  for (const raw of VARIANTS.filter((v) => /%0a|%0d|%e2%80%a[89]|[\u2028\u2029]/i.test(v))) {
    const req = new NextRequest(`https://app.paths.test${raw}`);
    assert.equal(isProtected(req), false, raw);
  }
});

check('every variant is 400 "Bad Request: control-character" before the handler runs, with or without one', async () => {
  for (const raw of VARIANTS) {
    for (const headers of [{}, { authorization: `Bearer ${mint()}` }]) {
      const { calls, handler } = recipes();
      for (const mw of [clerkMiddleware(handler), clerkMiddleware()]) {
        const res = await mw(new NextRequest(`https://app.paths.test${raw}`, { headers }), {});
        assert.equal(res.status, 400, raw);
        assert.equal(await res.text(), 'Bad Request: control-character');
        assert.equal(res.headers.get('x-middleware-rewrite'), null);
        assert.equal(res.headers.get('x-middleware-next'), null);
      }
      assert.deepEqual(calls, []);
    }
  }
});

check('ordinary and merely odd paths still reach the handler as before', async () => {
  for (const [raw, rewritten] of [['/admin/x', true], ['/public', false], ['/admin/%250a', true], ['/public/%E2%80%A7', false], ['/public/a%20b', false]]) {
    const { calls, handler } = recipes();
    const res = await clerkMiddleware(handler)(new NextRequest(`https://app.paths.test${raw}`), {});
    assert.equal(res.status, 200, raw);
    assert.equal(calls.length, 1, raw);
    // protect() on a protected path: Clerk's 404 rewrite; elsewhere the request goes on as is.
    assert.equal(res.headers.get('x-clerk-auth-reason')?.startsWith('protect-rewrite') ?? false, rewritten, raw);
  }
});

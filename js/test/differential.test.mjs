// Differential test: the same scenarios through @clerk/nextjs 7.9.17's clerkMiddleware (the
// published package, a root devDependency) and through clerk-edge's, side by side, with
// `Date.now` pinned and the same keys. Compared: the thrown message, or the status, every
// response header (x-clerk-request-data decrypted with the environment's key and compared as
// text), JSON bodies, and the Backend API calls each made (method, path, body, credential). These cover what the `middleware` vectors do not:
// the auth object, has(), protect() variants, sign-in/up redirects, pending sessions, machine
// tokens, satellites, the dev browser on cross-origin redirects, user-set request headers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import crypto from 'node:crypto';

import { createServer } from 'node:http';

// A fake Backend API both implementations talk to (CLERK_API_URL): JWKS, handshake payloads,
// opaque machine tokens, session tokens from templates. Every call is recorded and compared.
const bapiCalls = [];
const bapi = createServer((req, res) => {
  let raw = '';
  req.on('data', (d) => (raw += d));
  req.on('end', () => {
    const url = new URL(req.url, 'http://bapi');
    const body = raw ? JSON.parse(raw) : null;
    bapiCalls.push({ method: req.method, path: url.pathname + url.search, body, auth: req.headers.authorization });
    const [status, payload] = bapiAnswer(req.method, url, body);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  });
});
await new Promise((r) => bapi.listen(0, '127.0.0.1', r));
after(() => bapi.close());

// A fake Frontend API behind the proxy (CLERK_FAPI_URL): answers with what it received.
const fapi = createServer((req, res) => {
  let raw = '';
  req.on('data', (d) => (raw += d));
  req.on('end', () => {
    const origin = `http://127.0.0.1:${fapi.address().port}`;
    res.sendDate = false; // a Date header could differ between the two runs
    res.setHeader('content-type', 'application/json');
    res.setHeader('set-cookie', ['__client=abc; Path=/; HttpOnly', '__client_uat=1; Path=/']);
    res.setHeader('location', `${origin}/v1/next?step=2#frag`);
    res.setHeader('x-fapi', 'yes');
    res.setHeader('connection', 'keep-alive, x-fapi');
    res.writeHead(req.url.includes('redirect') ? 302 : 200);
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: raw }));
  });
});
await new Promise((r) => fapi.listen(0, '127.0.0.1', r));
after(() => fapi.close());

const FAPI = 'clerk.diff.test';
const DEV_FAPI = 'calm-koala-7.clerk.accounts.dev';
const env = {
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from(`${FAPI}$`).toString('base64')}`,
  CLERK_SECRET_KEY: 'sk_live_differential',
  CLERK_ENCRYPTION_KEY: 'differential-encryption-key-0123456789',
  NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED: '1',
  CLERK_API_URL: `http://127.0.0.1:${bapi.address().port}`,
  CLERK_FAPI_URL: `http://127.0.0.1:${fapi.address().port}`,
};
for (const k of Object.keys(process.env)) if (/^(CLERK_|NEXT_PUBLIC_CLERK_|NETLIFY|VERCEL)/.test(k)) delete process.env[k];
delete process.env.NODE_ENV;
Object.assign(process.env, env);
const devKeys = { publishableKey: `pk_test_${Buffer.from(`${DEV_FAPI}$`).toString('base64')}`, secretKey: 'sk_test_differential' };

const require = createRequire(import.meta.url);
const { NextRequest, NextResponse } = require('next/server');
const clerk = require('@clerk/nextjs/server');
const { ensureWasm } = await import('../wasm-node.js');
const { create } = await import('../core.js');
ensureWasm();
const ours = create({ NextResponse });

const NOW = 1750000000;
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwtKey = publicKey.export({ type: 'spki', format: 'pem' });
const b64u = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
function mint(claims = {}, header = {}) {
  const h = b64u({ alg: 'RS256', kid: 'ins_diff', typ: 'JWT', ...header });
  const p = b64u({ azp: 'https://app.diff.test', exp: NOW + 60, iat: NOW - 5, nbf: NOW - 10, iss: `https://${FAPI}`, sid: 'sess_1', sub: 'user_1', ...claims });
  return `${h}.${p}.${crypto.sign('sha256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
}
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'ins_diff', alg: 'RS256', use: 'sig' };
const notFound = (what) => [404, { errors: [{ code: 'resource_not_found', message: `${what} not found` }] }];
function bapiAnswer(method, url, body) {
  const p = url.pathname;
  if (method === 'GET' && /^\/v\d+\/jwks$/.test(p)) return [200, { keys: [jwk] }]; // any apiVersion
  if (method === 'GET' && p === '/v1/clients/handshake_payload') {
    if (url.searchParams.get('nonce') !== 'good') return notFound('nonce');
    return [200, { directives: [`__session=${mint({ sub: 'user_hs' })}; Path=/; Secure; SameSite=Lax`, `__client_uat=${NOW - 10}; Path=/; Secure; SameSite=Lax`] }];
  }
  if (method === 'POST' && p === '/m2m_tokens/verify') {
    if (body?.token !== 'mt_good') return notFound('token');
    return [200, { object: 'machine_to_machine_token', id: 'mt_1', subject: 'mch_1', scopes: ['mch_2'], claims: { team: 'a' }, revoked: false, revocation_reason: null, expired: false, expiration: null, created_at: 1, updated_at: 2 }];
  }
  if (method === 'POST' && p === '/api_keys/verify') {
    if (body?.secret !== 'ak_good') return [401, { errors: [{ code: 'authentication_invalid', message: 'Invalid API key' }] }];
    return [200, { object: 'api_key', id: 'ak_1', type: 'api_key', name: 'ci', subject: 'user_5', scopes: ['read'], claims: { x: 1 }, revoked: false, revocation_reason: null, expired: false, expiration: null, created_by: 'user_5', description: null, last_used_at: null, created_at: 1, updated_at: 2 }];
  }
  if (method === 'POST' && p === '/oauth_applications/access_tokens/verify') {
    if (body?.access_token !== 'oat_good') return notFound('token');
    return [200, { object: 'clerk_idp_oauth_access_token', id: 'oat_1', client_id: 'cli_9', type: 'oauth:access_token', subject: 'user_7', scopes: ['email'], revoked: false, revocation_reason: null, expired: false, expiration: null, created_at: 1, updated_at: 2 }];
  }
  if (method === 'POST' && p.startsWith('/v1/sessions/sess_1/tokens')) return [200, { object: 'token', jwt: `jwt-for${p.slice('/v1/sessions/sess_1/tokens'.length)}-${body?.expires_in_seconds ?? ''}` }];
  return [500, { errors: [{ code: 'unexpected', message: `no route ${method} ${p}` }] }];
}

const V2_ORG = { v: 2, fea: 'o:invoices,u:chat', pla: 'o:pro', o: { id: 'org_1', slg: 'acme', rol: 'admin', per: 'read,manage', fpm: '3' } };
const V1_ORG = { org_id: 'org_2', org_role: 'org:member', org_slug: 'beta', org_permissions: ['org:x:read'] };
const session = (claims) => ({ cookie: `__session=${mint(claims)}; __client_uat=${NOW - 100}` });
const bearer = (claims, header) => ({ authorization: `Bearer ${mint(claims, header)}` });
const doc = { 'sec-fetch-dest': 'document' };

function decrypt(b64, passphrase) {
  const raw = Buffer.from(b64, 'base64');
  const salt = raw.subarray(8, 16);
  let m = Buffer.alloc(0);
  let prev = Buffer.alloc(0);
  while (m.length < 48) {
    prev = crypto.createHash('md5').update(Buffer.concat([prev, Buffer.from(passphrase), salt])).digest();
    m = Buffer.concat([m, prev]);
  }
  const d = crypto.createDecipheriv('aes-256-cbc', m.subarray(0, 32), m.subarray(32, 48));
  // Compared as text: the same JSON, property order included.
  return Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString('utf8');
}

async function run(impl, scenario) {
  const { url = 'https://app.diff.test/dashboard', headers = {}, handler, options } = scenario;
  const realNow = Date.now;
  const realLog = console.log;
  const realWarn = console.warn;
  const realError = console.error;
  Date.now = () => NOW * 1000;
  console.log = () => {};
  console.warn = () => {};
  console.error = () => {};
  bapiCalls.length = 0;
  const savedEnv = { ...process.env };
  Object.assign(process.env, scenario.env ?? {});
  try {
    const opts = typeof options === 'function' || scenario.noJwtKey ? options : { jwtKey, ...(options ?? {}) };
    const mw = handler ? impl.clerkMiddleware(handler(impl), opts) : impl.clerkMiddleware(opts);
    const res = await mw(new NextRequest(url, { headers, method: scenario.method, body: scenario.body }), {});
    const out = { status: res.status, headers: {}, bapi: bapiCalls.splice(0).map(({ auth, ...c }) => ({ ...c, auth: auth === `Bearer ${env.CLERK_SECRET_KEY}` ? 'secret key' : auth })) };
    res.headers.forEach((v, k) => {
      out.headers[k] = k.endsWith('request-data') ? decrypt(v, env.CLERK_ENCRYPTION_KEY) : v;
    });
    const text = await res.text();
    if (scenario.mask) {
      for (const [k, v] of Object.entries(out.headers)) if (typeof v === 'string') out.headers[k] = v.replace(scenario.mask, '<nonce>');
    }
    if (text) out.body = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
    return out;
  } catch (e) {
    return { throws: e instanceof Error ? e.message : String(e) };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    Date.now = realNow;
    console.log = realLog;
    console.warn = realWarn;
    console.error = realError;
  }
}

const totals = { passed: 0, failed: 0 };
after(() => process.stderr.write(`differential (@clerk/nextjs vs clerk-edge): ${totals.passed} passed, ${totals.failed} failed\n`));

function same(name, scenario) {
  test(name, async () => {
    const theirs = await run(clerk, scenario);
    const mine = await run(ours, scenario);
    try {
      assert.ok(isDeepStrictEqual(mine, theirs), `\n  clerk:      ${JSON.stringify(theirs)}\n  clerk-edge: ${JSON.stringify(mine)}`);
      totals.passed += 1;
    } catch (e) {
      totals.failed += 1;
      throw e;
    }
  });
}

// Handlers take the implementation (for its createRouteMatcher) and return the handler.
const authJson = (opts) => () => async (auth) => {
  const a = await auth(opts);
  return NextResponse.json({ ...a, keys: Object.keys(a), claimKeys: a.sessionClaims ? Object.keys(a.sessionClaims) : null });
};

// ---- the auth object
same('auth(): signed in, v2 claims with an organization', { headers: bearer(V2_ORG), handler: authJson() });
same('auth(): signed in, v1 claims', { headers: session(V1_ORG), handler: authJson() });
same('auth(): signed in without organization claims', { headers: bearer({ act: { sub: 'user_admin' }, fva: [3, -1] }), handler: authJson() });
same('auth(): signed out', { headers: doc, handler: authJson() });
same('auth(): pending session reads as signed out', { headers: bearer({ sts: 'pending' }), handler: authJson() });
same('auth({ treatPendingAsSignedOut: false }): pending session reads as signed in', { headers: bearer({ sts: 'pending' }), handler: authJson({ treatPendingAsSignedOut: false }) });
same("auth({ acceptsToken: 'any' })", { headers: bearer(), handler: authJson({ acceptsToken: 'any' }) });
same("auth({ acceptsToken: ['api_key'] }) with a session token: invalid-token object", { headers: bearer(), handler: authJson({ acceptsToken: ['api_key'] }) });
same("auth({ acceptsToken: 'm2m_token' }) with a session token: unauthenticated machine object", { headers: bearer(), handler: authJson({ acceptsToken: 'm2m_token' }) });
same('has(): roles, permissions, features, plans, reverification', {
  headers: bearer({ ...V2_ORG, fva: [5, 5] }),
  handler: () => async (auth) => {
    const { has } = await auth();
    const asks = [{ role: 'org:admin' }, { role: 'admin' }, { role: 'org:member' }, { permission: 'org:invoices:manage' }, { permission: 'invoices:read' }, { feature: 'invoices' }, { feature: 'u:chat' }, { plan: 'pro' }, { plan: 'u:pro' }, { reverification: 'strict' }, { reverification: 'strict_mfa' }, { reverification: { level: 'first_factor', afterMinutes: 2 } }, {}, { role: 'org:admin', plan: 'pro' }];
    return NextResponse.json(asks.map((a) => has(a)));
  },
});
same('getToken() returns the session token', { headers: bearer(), handler: () => async (auth) => NextResponse.json({ t: await (await auth()).getToken() }) });

// ---- protect()
const protect = (...args) => () => async (auth) => {
  await auth.protect(...args);
};
same('protect(): signed in → continue (decorated)', { headers: session(), handler: protect() });
same('protect({ role }) allowed', { headers: session(V2_ORG), handler: protect({ role: 'org:admin' }) });
same('protect({ permission }) denied on an API request → 404', { headers: bearer(V2_ORG), handler: protect({ permission: 'org:invoices:delete' }) });
same('protect(predicate) true', { headers: bearer(V2_ORG), handler: protect((has) => has({ role: 'org:admin' })) });
same('protect(predicate) false → 404', { headers: bearer(V2_ORG), handler: protect((has) => has({ role: 'org:member' })) });
same('protect(predicate) signed out, document → sign-in redirect', { headers: doc, handler: protect(() => true) });
same('protect({ role }, { unauthorizedUrl }) → redirect', { headers: session(V1_ORG), handler: protect({ role: 'org:admin' }, { unauthorizedUrl: 'https://app.diff.test/denied' }) });
same('protect({ unauthenticatedUrl }) on an API request', { handler: protect({ unauthenticatedUrl: 'https://app.diff.test/login' }) });
same("protect({ token: 'm2m_token' }) with a session token → 401", { headers: bearer(), handler: protect({ token: 'm2m_token' }) });
same("protect({ token: ['session_token', 'api_key'] }) signed in", { headers: bearer(), handler: protect({ token: ['session_token', 'api_key'] }) });
same('protect() in a server action (multipart) → 401', { headers: { 'next-url': '/dashboard', 'content-type': 'multipart/form-data; boundary=x' }, handler: protect() });
same('protect() on an App Router navigation (next-url, no action) → sign-in redirect', { headers: { 'next-url': '/dashboard' }, handler: protect() });
same('protect() on a Pages Router data request → sign-in redirect', { headers: { 'x-nextjs-data': '1' }, handler: protect() });
same('protect() pending session, document → sign-in /tasks redirect', { headers: { ...doc, ...bearer({ sts: 'pending' }) }, options: { signInUrl: '/sign-in' }, handler: protect() });
same('protect() returns the auth object', { headers: bearer(V2_ORG), handler: () => async (auth) => NextResponse.json(await auth.protect({ role: 'org:admin' })) });

// ---- redirects
same('redirectToSignIn({ returnBackUrl: null })', { headers: doc, options: { signInUrl: '/sign-in' }, handler: () => async (auth) => (await auth()).redirectToSignIn({ returnBackUrl: null }) });
same('redirectToSignUp({ returnBackUrl }) with signUpUrl', { headers: doc, options: { signUpUrl: '/join' }, handler: () => async (auth) => (await auth()).redirectToSignUp({ returnBackUrl: '/after?x=1' }) });
same('redirectToSignIn() to the Account Portal, forwarded host', { headers: { ...doc, 'x-forwarded-host': 'public.diff.test', 'x-forwarded-proto': 'https' }, handler: () => async (auth) => (await auth()).redirectToSignIn() });
same('dev instance: cross-origin sign-in redirect carries the dev browser token', {
  headers: { ...doc, cookie: '__clerk_db_jwt=dvb_123; __client_uat=0' },
  options: { ...devKeys },
  handler: protect(),
});
same('dev instance: a redirect the handler builds itself is not touched', {
  headers: { ...doc, cookie: '__clerk_db_jwt=dvb_123; __client_uat=0' },
  options: { ...devKeys },
  handler: () => async () => NextResponse.redirect('https://elsewhere.diff.test/x'),
});
same('satellite, dev, signed out: redirect to the primary sign-in', {
  headers: { ...doc, cookie: '__clerk_db_jwt=dvb_1' },
  url: 'https://sat.diff.test/page',
  options: { ...devKeys, isSatellite: true, domain: 'sat.diff.test', signInUrl: 'https://primary.diff.test/sign-in' },
  handler: protect(),
});

// ---- responses and request decoration
same('NextResponse.next({ request: { headers } }) keeps the user headers and adds Clerk’s', {
  headers: { ...session(), 'x-custom': 'a' },
  handler: () => async (auth, req) => {
    const headers = new Headers(req.headers);
    headers.set('x-user', 'u');
    return NextResponse.next({ request: { headers } });
  },
});
same('handler returns undefined / null → next()', { headers: bearer(), handler: () => async () => null });
same('same-origin rewrite with a query', { headers: bearer(), handler: () => async (a, req) => NextResponse.rewrite(new URL('/x?y=1', req.url)) });
same('a plain 403 response', { headers: bearer(), handler: () => async () => new NextResponse('no', { status: 403 }) });
same('forwarded host and proto become x-clerk-clerk-url', { headers: { ...bearer(), 'x-forwarded-host': 'public.diff.test', 'x-forwarded-proto': 'https' } });
same('options as a function of the request', { headers: doc, options: async (req) => ({ jwtKey, signInUrl: `/sign-in-${req.nextUrl.pathname.length}` }), handler: protect() });
same('debug: request header and override list', { headers: bearer(), options: { debug: true } });
same('authorized parties mismatch → signed out', { headers: session(), options: { authorizedParties: ['https://other.diff.test'] } });
same('organization sync: mismatch on a document → handshake', { headers: { ...doc, ...session(V2_ORG) }, url: 'https://app.diff.test/orgs/other', options: { organizationSyncOptions: { organizationPatterns: ['/orgs/:slug'] } } });
same('handshake with a session cookie (token expired)', { headers: { ...doc, cookie: `__session=${mint({ exp: NOW - 30 })}; __client_uat=${NOW - 100}` } });

// ---- machine tokens (acceptsToken: 'any' in the middleware)
const M2M = [{ sub: 'mch_1', scopes: 'read write', aud: undefined, sid: undefined }];
same('M2M JWT in Authorization: machine auth object and request data', { headers: bearer(...M2M), handler: authJson({ acceptsToken: 'any' }) });
same('M2M JWT: default auth() is a signed-out session object', { headers: bearer(...M2M), handler: authJson() });
same("M2M JWT: protect({ token: 'm2m_token' }) passes and is decorated", { headers: bearer(...M2M), handler: protect({ token: 'm2m_token' }) });
same('M2M JWT: protect() → 404 (a session token was asked for)', { headers: bearer(...M2M), handler: protect() });
const OAUTH = [{ sub: 'user_9', client_id: 'cli_1', scope: 'email profile', sid: undefined }, { typ: 'at+jwt' }];
same('OAuth JWT (typ at+jwt): protect() → 404 (a session token was asked for)', { headers: bearer(...OAUTH), handler: protect() });
same("OAuth JWT: protect({ token: 'oauth_token' }) passes; auth object", { headers: bearer(...OAUTH), handler: () => async (auth) => NextResponse.json(await auth.protect({ token: 'oauth_token' })) });
same("OAuth JWT: protect({ token: 'oauth_token', role }) → 401 with WWW-Authenticate", { headers: bearer(...OAUTH), handler: protect({ token: 'oauth_token', role: 'org:admin' }) });
same('M2M JWT with aud and no scopes', { headers: bearer({ sub: 'mch_2', aud: ['x', 'y'], sid: undefined, azp: undefined, jti: 'mt_jti' }), handler: authJson({ acceptsToken: 'any' }) });

// ---- contentSecurityPolicy (a strict policy's nonce is random: compared with it masked)
same('contentSecurityPolicy: defaults', { headers: bearer(), options: { contentSecurityPolicy: {} } });
same('contentSecurityPolicy: directives merged, custom ones, none, report-only, reportTo', {
  headers: doc,
  options: {
    contentSecurityPolicy: {
      reportOnly: true,
      reportTo: 'https://csp.diff.test/r',
      directives: { 'script-src': ['self', "'unsafe-inline'", 'https://cdn.diff.test'], 'img-src': 'none', 'frame-ancestors': ["'none'"], 'media-src': ['data:', 'self'] },
    },
  },
  handler: protect(),
});
same('contentSecurityPolicy: strict (nonce)', { headers: bearer(), options: { contentSecurityPolicy: { strict: true, directives: { 'connect-src': ['wss://ws.diff.test'] } } }, mask: /[A-Za-z0-9+/]{22}==/g });

// ---- Backend API (no jwtKey: JWKS; handshake nonces; opaque machine tokens; token templates)
same('no jwtKey: the session token verifies against the JWKS', { noJwtKey: true, headers: bearer(V2_ORG), handler: authJson() });
same('no jwtKey: cookie session on a document', { noJwtKey: true, headers: { ...doc, ...session() } });
same('no jwtKey: unknown kid → refetch, then signed out', { noJwtKey: true, headers: bearer({}, { kid: 'ins_rotated' }) });
same('handshake nonce: payload fetched, cookies set, redirect without the nonce', { url: 'https://app.diff.test/dashboard?x=1&__clerk_handshake_nonce=good', headers: doc });
same('handshake nonce the Backend API does not know', { url: 'https://app.diff.test/dashboard?__clerk_handshake_nonce=bad', headers: doc });
same('opaque M2M token verified by the Backend API', { headers: { authorization: 'Bearer mt_good' }, handler: authJson({ acceptsToken: 'any' }) });
same('opaque M2M token the Backend API does not know', { headers: { authorization: 'Bearer mt_bad' }, handler: authJson({ acceptsToken: 'm2m_token' }) });
same('API key verified by the Backend API; protect({ token: api_key })', { headers: { authorization: 'Bearer ak_good' }, handler: () => async (auth) => NextResponse.json(await auth.protect({ token: 'api_key' })) });
same('API key rejected (401) by the Backend API', { headers: { authorization: 'Bearer ak_bad' }, handler: authJson({ acceptsToken: 'api_key' }) });
same('opaque OAuth token verified by the Backend API', { headers: { authorization: 'Bearer oat_good' }, handler: authJson({ acceptsToken: 'oauth_token' }) });
same('getToken({ template, expiresInSeconds }) asks the Backend API', {
  headers: bearer(),
  handler: () => async (auth) => {
    const a = await auth();
    return NextResponse.json({ t: await a.getToken({ template: 'supabase' }), e: await a.getToken({ expiresInSeconds: 30 }) });
  },
});

// ---- Frontend API proxy (frontendApiProxy, automatic on *.vercel.app)
const hop = { connection: 'keep-alive, x-drop', 'x-drop': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'x-forwarded-for': '203.0.113.7, 10.0.0.1', cookie: '__client_uat=0' };
same('proxy: GET under /__clerk is forwarded (headers, Location rewrite, Set-Cookie)', { url: 'https://app.diff.test/__clerk/v1/client?_clerk_js_version=5', headers: hop, options: { frontendApiProxy: { enabled: true } } });
same('proxy: POST body and a redirect from the Frontend API', { url: 'https://app.diff.test/__clerk/v1/client/sign_ins/redirect', method: 'POST', body: '{"identifier":"a@b.c"}', headers: { 'content-type': 'application/json', 'x-forwarded-host': 'public.diff.test', 'x-forwarded-proto': 'https' }, options: { frontendApiProxy: { enabled: true } } });
same('proxy: custom path, enabled by a function', { url: 'https://app.diff.test/clerk-proxy', headers: { 'cf-connecting-ip': '198.51.100.1' }, options: { frontendApiProxy: { enabled: (u) => u.hostname === 'app.diff.test', path: '/clerk-proxy' } } });
same('proxy: disabled by its function → authenticated normally', { url: 'https://app.diff.test/__clerk/v1/client', options: { frontendApiProxy: { enabled: () => false } } });
same('proxy: outside the proxy path, the handshake goes through the proxy URL', { url: 'https://app.diff.test/page', headers: { ...doc, cookie: `__client_uat=${NOW - 100}` }, options: { frontendApiProxy: { enabled: true } } });
same('proxy: automatic on *.vercel.app with a production key', { url: 'https://my-app.vercel.app/__clerk/v1/environment', headers: { 'x-real-ip': '192.0.2.9' } });
same('proxy: not automatic when CLERK_DISABLE_AUTO_PROXY is set', { url: 'https://my-app.vercel.app/__clerk/v1/environment', env: { CLERK_DISABLE_AUTO_PROXY: 'true' } });
same('Vercel production auto proxy URL for the handshake (VERCEL_TARGET_ENV)', {
  url: 'https://my-app.vercel.app/page',
  headers: { ...doc, cookie: `__client_uat=${NOW - 100}` },
  env: { VERCEL_TARGET_ENV: 'production', VERCEL_PROJECT_PRODUCTION_URL: 'my-app.vercel.app' },
});

same('Netlify, development instance: the handshake redirect gets a cache-busting parameter', {
  headers: { ...doc, cookie: `__client_uat=${NOW - 100}; __clerk_db_jwt=dvb_1` },
  options: { ...devKeys },
  env: { NETLIFY: 'true' },
});

// ---- route matchers and errors
same('createRouteMatcher with strings and a RegExp', {
  url: 'https://app.diff.test/Admin//Users',
  handler: (impl) => {
    const m = impl.createRouteMatcher(['/nothing', /^\/admin\/users$/i, '/api(.*)']);
    return async (auth, req) => NextResponse.json({ m: m(req) });
  },
});
same('createRouteMatcher: malformed path with a RegExp list → 400', {
  url: 'https://app.diff.test/%E0%A4%A',
  handler: (impl) => {
    const m = impl.createRouteMatcher([/x/]);
    return async (auth, req) => {
      m(req);
    };
  },
});
same('createRouteMatcher: empty list never throws', {
  url: 'https://app.diff.test/%zz',
  handler: (impl) => {
    const m = impl.createRouteMatcher([]);
    return async (auth, req) => NextResponse.json({ m: m(req) });
  },
});
same('a Next notFound() thrown by the handler → 404 rewrite', {
  handler: () => async () => {
    throw Object.assign(new Error('NEXT_HTTP_ERROR_FALLBACK;404'), { digest: 'NEXT_HTTP_ERROR_FALLBACK;404' });
  },
});
same('an ordinary error thrown by the handler is rethrown', {
  handler: () => async () => {
    throw new Error('boom');
  },
});
same('satellite without domain or proxy throws', { options: { isSatellite: true } });
same('dev satellite with a relative signInUrl throws', { options: { ...devKeys, isSatellite: () => true, domain: 'sat.diff.test', signInUrl: '/sign-in' } });
same('an invalid publishable key option throws', { options: { publishableKey: 'pk_live_nope' } });
same('an invalid organization pattern throws', { options: { organizationSyncOptions: { organizationPatterns: ['/orgs/:id/***'] } } });

// ---- options as Clerk reads them (issue #14 item 6): strings and numbers where lists are
// expected, headerType, apiVersion / CLERK_API_VERSION, skipJwksCache, a jwtKey that is no key
same('authorizedParties as a string: azp equal to it → signed in', { headers: bearer(), options: { authorizedParties: 'https://app.diff.test' }, handler: authJson() });
same('authorizedParties as a string: azp inside it (String.includes) → signed in', { headers: bearer(), options: { authorizedParties: 'https://app.diff.test.example' }, handler: authJson() });
same('authorizedParties as a string: another party → signed out', { headers: bearer(), options: { authorizedParties: 'https://other.diff.test' }, handler: authJson() });
same('audience as a number: a string aud never matches it', { headers: bearer({ aud: '5' }), options: { audience: 5 }, handler: authJson() });
same('audience as a number: no aud claim → signed in', { headers: bearer(), options: { audience: 5 }, handler: authJson() });
same('audience [5, "api"]: aud "api" → signed in', { headers: bearer({ aud: 'api' }), options: { audience: [5, 'api'] }, handler: authJson() });
same('audience [5, "api"]: aud ["x"] → signed out with the list in the message', { headers: bearer({ aud: ['x'] }), options: { audience: [5, 'api'] }, handler: authJson() });
same('organizationPatterns as a string', { url: 'https://app.diff.test/orgs/acme/settings', headers: { ...doc, ...session(V2_ORG) }, options: { organizationSyncOptions: { organizationPatterns: '/orgs/:slug/(.*)' } }, handler: authJson() });
same('organizationPatterns as a string, another org → handshake', { url: 'https://app.diff.test/orgs/other', headers: { ...doc, ...session(V2_ORG) }, options: { organizationSyncOptions: { organizationPatterns: '/orgs/:slug' } } });
same('headerType custom+jwt accepts typ custom+jwt', { headers: bearer({}, { typ: 'custom+jwt' }), options: { headerType: 'custom+jwt' }, handler: authJson() });
same('headerType custom+jwt refuses typ JWT', { headers: bearer(), options: { headerType: 'custom+jwt' }, handler: authJson() });
same('headerType custom+jwt refuses a token without typ', { headers: bearer({}, { typ: undefined }), options: { headerType: 'custom+jwt' }, handler: authJson() });
same('headerType [JWT, custom+jwt] accepts both', { headers: bearer({}, { typ: 'custom+jwt' }), options: { headerType: ['JWT', 'custom+jwt'] }, handler: authJson() });
same('without headerType, typ custom+jwt is refused', { headers: bearer({}, { typ: 'custom+jwt' }), handler: authJson() });
same('jwtKey that is not a PEM: a token is signed out (token-invalid-signature)', { headers: bearer(), options: { jwtKey: 'not-a-pem' }, handler: authJson() });
same('jwtKey that is not a PEM: a public page is still served', { headers: doc, options: { jwtKey: 'not-a-pem' } });
same('jwtKey that is not a PEM: a cookie session is signed out', { headers: { ...doc, ...session() }, options: { jwtKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' } });
same('apiVersion option: the JWKS from /v2/jwks', { noJwtKey: true, headers: bearer(), options: { apiVersion: 'v2' }, handler: authJson() });
same('skipJwksCache: the JWKS fetched although cached', { noJwtKey: true, headers: bearer(), options: { skipJwksCache: true }, handler: authJson() });
same('without skipJwksCache: the cached JWKS', { noJwtKey: true, headers: bearer(), handler: authJson() });

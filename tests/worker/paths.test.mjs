// Issue #12: no path skips a rule, and the origin receives the path the Worker decided on.
// The "path matrix": every variant below × {anonymous, member, admin}, through the Worker in
// workerd, against one origin that reads each path it receives in four ways — (a) literal,
// (b) WSGI (percent-decoded PATH_INFO), (c) servlet-style (decoded, `\` → `/`, `;` parameters
// stripped, dot segments resolved, `//` merged), (d) (c) after NFKC folding. Under no reading may a
// protected resource be reached without the auth its rule requires. Run after
// `bash scripts/build-worker.sh`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { PK, SECRET, PEM, ROUTES, mint, startOrigin, worker, call } from './harness.mjs';

const BASE = 'https://app.e2e.test';
const api = { 'sec-fetch-dest': 'empty', accept: 'application/json' };
const org = (role) => mint({ org_id: 'org_1', org_slug: 'acme', org_role: role, org_permissions: [] });
const IDENTITIES = {
  anonymous: { level: 0, headers: () => api },
  member: { level: 1, headers: () => ({ ...api, authorization: `Bearer ${org('org:member')}` }) },
  admin: { level: 2, headers: () => ({ ...api, authorization: `Bearer ${org('org:admin')}` }) },
};

// What each protected resource needs (ROUTES in harness.mjs); anything else is public.
const PROTECTED = [
  ['/admin', 2],
  ['/dashboard', 1],
  ['/api', 1],
  ['/orgs/', 1],
];
const needed = (path) => PROTECTED.find(([prefix]) => path.toLowerCase().startsWith(prefix))?.[1] ?? 0;

// The four readings of a path as it arrives at the origin (req.url is ASCII: the URL parser
// percent-encodes everything else).
const decode = (p) => Buffer.from(p.replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
function servlet(p) {
  const out = [];
  for (const raw of p.replace(/\\/g, '/').split('/')) {
    const seg = raw.split(';')[0];
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}
const READINGS = {
  literal: (p) => p,
  wsgi: (p) => decode(p),
  servlet: (p) => servlet(decode(p)),
  nfkc: (p) => servlet(decode(p).normalize('NFKC')),
};

const CONTROL = [
  '/admin/%0a', '/admin%0d', '/admin/users%0a', '/admin/%E2%80%A8', '/admin/%e2%80%a9', '/api/items%0a',
  '/dashboard/%0a', '/orgs/acme%0a', '/admin%00', '/dashboard%09', '/dashboard%7F', '/dashboard%C2%85',
  '/api/items%0d%0a', '/api%0a/items',
];
const ESCAPED_SLASH = [
  '/x/..%2Fadmin', '/%2Fadmin', '/%5Cadmin', '/sign-in%2F..%2Fadmin', '/sign-in/..%2Fadmin', '/sign-in/..%5cadmin',
  '/sign-in%2F%2E%2E%2Fadmin', '/public/..%2fdashboard', '/public/..%5Cdashboard', '/public%2f..%2fapi/items',
  '/orgs%2Facme', '/x/..%2Forgs/acme', '/admin%2F',
];
const PARAMETER = ['/;x/admin', '/x/..;/admin', '/public/..;/admin', '/sign-in;/../admin', '/public/..;/api/items', '/;/api/items', '/api;/items', '/orgs;x/acme', '/admin;jsessionid=1', '/%3Badmin'];
const LOOKALIKE = [
  '/%EF%BD%81dmin', '/%EF%BC%8Fadmin', '/x%EF%BC%8F..%EF%BC%8Fadmin', '/%EF%BD%81%EF%BD%84%EF%BD%8D%EF%BD%89%EF%BD%8E',
  '/%EF%BD%8Frgs/acme', '/d%EF%BD%81shboard', '/%E2%85%B0%E2%85%B0', '/public/%EF%BC%8E%EF%BC%8E/admin',
];
const MALFORMED = ['/%C0%AE%C0%AE/admin', '/admin%zz', '/%E0%A4%A'];
const OTHER = [
  '/admin', '/ADMIN', '//admin', '/admin/x', '/admin/', '/admin.', '/admin%2e', '/admin%20', '/admin%23x', '/admin%3Fx',
  '/x/../admin', '/x/%2e%2e/admin', '/x/.%2e/admin', '/x/%2E%2E/admin', '/\\admin', '/x\\..\\admin', '/%61dmin',
  '/%2561dmin', '/adm%69n', '/%41DMIN', '/sign-in/%2e%2e/admin', '/sign-in/%2e%2e/%2e%2e/admin', '/./admin',
  '/dashboard', '/dashboard/', '/Dashboard/settings', '/public/%2e%2e/dashboard', '//dashboard//x',
  '/api/items', '/API/items', '//api//items', '/./api/items', '/%61pi/items',
  '/orgs/acme', '/orgs/./acme', '/orgs//acme', '/public/%2E%2E/orgs/acme', '/%6Frgs/acme',
  '/', '/public', '/public/page', '/sign-in', '/sign-in/..', '/public/%E6%97%A5%E6%9C%AC', '/public/a%20b',
  '/public/caf%C3%A9', '/public/a%3Fb', '/public/100%25', '/public/%E1%B4%80dmin',
];
const VARIANTS = [...CONTROL, ...ESCAPED_SLASH, ...PARAMETER, ...LOOKALIKE, ...MALFORMED, ...OTHER];

// Literal `..`, `%2e%2e` segments and `\` never reach a Worker as sent: Node's URL parser
// (dispatchFetch) and workerd's (request.url) both apply WHATWG rules for https URLs.
const parsed = (raw) => new URL(BASE + raw).pathname;
const NORMALISED_BY_URL_PARSER = [
  '/sign-in;/../admin', '/x/../admin', '/x/%2e%2e/admin', '/x/.%2e/admin', '/x/%2E%2E/admin', '/\\admin', '/x\\..\\admin',
  '/sign-in/%2e%2e/admin', '/sign-in/%2e%2e/%2e%2e/admin', '/./admin', '/public/%2e%2e/dashboard', '/./api/items',
  '/orgs/./acme', '/public/%2E%2E/orgs/acme', '/sign-in/..',
];

let origin;
const workers = {};

before(async () => {
  origin = await startOrigin();
  const base = { CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, CLERK_JWT_KEY: PEM, CLERK_ROUTES: ROUTES, ORIGIN_URL: origin.url };
  workers.strict = worker(base);
  workers.redirect = worker({ ...base, CLERK_ESCAPED_SLASHES: 'redirect' });
  workers.clerk = worker({ ...base, CLERK_PATH_NORMALIZATION: 'clerk' });
});

after(async () => {
  await Promise.all(Object.values(workers).map((w) => w.dispose()));
  origin?.server.close();
});

/** One request; what the origin received for it (by a unique query marker), if anything. */
let marker = 0;
async function probe(mf, raw, identity) {
  const tag = `m=${++marker}`;
  const r = await call(mf, `${raw}?${tag}`, { headers: IDENTITIES[identity].headers() });
  const seen = origin.seen.find((s) => s.url.endsWith(`?${tag}`));
  return { ...r, seen, path: seen?.url.slice(0, -tag.length - 1) };
}

/** Every reading of the forwarded path must be allowed for the identity. */
function assertNoBypass(raw, identity, path) {
  for (const [name, read] of Object.entries(READINGS)) {
    const reading = read(path);
    assert.ok(
      IDENTITIES[identity].level >= needed(reading),
      `${identity} ${raw} reached the origin as ${path}, which a ${name} origin reads as ${reading}`,
    );
  }
}

test('the matrix has ≥ 70 variants, and the URL parser already normalises exactly the listed ones', () => {
  assert.ok(VARIANTS.length >= 70, `${VARIANTS.length} variants`);
  assert.equal(new Set(VARIANTS).size, VARIANTS.length);
  assert.deepEqual(VARIANTS.filter((raw) => parsed(raw) !== raw), NORMALISED_BY_URL_PARSER);
  assert.equal(parsed('/x/%2e%2e/admin'), '/admin');
  assert.equal(parsed('/\\admin'), '//admin', '`\\` becomes `/`; `//` stays');
  assert.equal(parsed('/x/..;/admin'), '/x/..;/admin', '`..;` is not a dot segment to the URL parser');
  assert.equal(parsed('/x/..%2Fadmin'), '/x/..%2Fadmin');
});

for (const mode of ['strict', 'redirect']) {
  test(`path matrix (${mode}): ${VARIANTS.length} variants × 3 identities, no reading reaches a protected resource without its auth`, async () => {
    const mf = workers[mode];
    let forwarded = 0;
    for (const raw of VARIANTS) {
      for (const identity of Object.keys(IDENTITIES)) {
        const r = await probe(mf, raw, identity);
        if (!r.seen) continue;
        forwarded += 1;
        assert.equal(r.status, 200, `${identity} ${raw}`);
        assertNoBypass(raw, identity, r.path);
        // The origin gets the very URL the Worker decided on (and reported to it).
        const decided = new URL(r.seen.headers['x-clerk-clerk-url']);
        assert.equal(r.seen.url, decided.pathname + decided.search, `${identity} ${raw}`);
        // …and that path means the same to every origin: a fixed point of every reading but NFKC's
        // (which only folds characters refused earlier) and the decoding of escapes kept encoded.
        assert.equal(servlet(r.path), r.path === '/' ? '/' : r.path.replace(/\/$/, ''), `${identity} ${raw} → ${r.path}`);
      }
    }
    // Everything not refused (400/308) and not short of auth (404) — the matrix is not vacuous.
    assert.equal(forwarded, 89);
  });
}

/** A request line written to workerd's socket as is: no Node URL parser in between. */
async function rawRequestLine(mf, path) {
  const u = await mf.ready;
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () =>
      s.write(`GET ${path} HTTP/1.1\r\nHost: app.e2e.test\r\nAccept: application/json\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    s.on('data', (c) => (data += c));
    s.on('end', () => resolve(data.split('\r\n')[0]));
    s.on('error', reject);
  });
}

test('raw request lines reach the Worker WHATWG-normalised too (workerd parses request.url the same way)', async () => {
  for (const [line, received] of [
    ['/x/../public', '/public'],
    ['/x/%2e%2e/public', '/public'],
    ['/x\\..\\public', '/public'],
    ['/\\public', '//public'],
    ['/a/..%2Fpublic', '/a/..%2Fpublic'],
  ]) {
    assert.equal(await rawRequestLine(workers.clerk, line), 'HTTP/1.1 200 OK', line);
    assert.equal(origin.seen.at(-1).url, received, line);
  }
  assert.equal(await rawRequestLine(workers.strict, '/a/..%2Fpublic'), 'HTTP/1.1 400 Bad Request');
  assert.equal(await rawRequestLine(workers.strict, '/\\public'), 'HTTP/1.1 200 OK');
  assert.equal(origin.seen.at(-1).url, '/public', 'strict merges the `//` the parser left');
});

test('every control-character variant is 400 before any rule, in every mode and for every identity', async () => {
  for (const mf of Object.values(workers)) {
    for (const raw of CONTROL) {
      for (const identity of Object.keys(IDENTITIES)) {
        const r = await probe(mf, raw, identity);
        assert.equal(r.status, 400, `${identity} ${raw}`);
        assert.equal(r.text, 'Bad Request: control-character');
        assert.equal(r.seen, undefined);
        assert.equal(r.headers.get('x-clerk-auth-status'), null, 'refused before authentication');
      }
    }
  }
});

test('strict: the issue’s confusion paths are refused with their reason, for admins too', async () => {
  const expect = [
    ...ESCAPED_SLASH.map((p) => [p, 'escaped-slash']),
    ...PARAMETER.filter((p) => parsed(p).includes(';')).map((p) => [p, 'path-parameter']),
    ['/%3Badmin', 'path-parameter'],
    ...LOOKALIKE.map((p) => [p, 'lookalike-character']),
    ...MALFORMED.map((p) => [p, 'malformed-encoding']),
  ];
  for (const [raw, reason] of expect) {
    for (const identity of ['anonymous', 'admin']) {
      const r = await probe(workers.strict, raw, identity);
      assert.equal(r.status, 400, `${identity} ${raw}`);
      assert.equal(r.text, `Bad Request: ${reason}`, raw);
      assert.equal(r.seen, undefined);
    }
  }
});

test('strict: dot segments, merged slashes and unreserved escapes are resolved before the rules, and forwarded so', async () => {
  for (const [raw, path, status] of [
    ['/%61dmin', '/admin', 404],
    ['/adm%69n/x', '/admin/x', 404],
    ['//api//items', '/api/items', 404],
    ['/sign-in/%2e%2e/admin', '/admin', 404],
    ['/public/%2E%2E/orgs/acme', '/orgs/acme', 404],
  ]) {
    const anon = await probe(workers.strict, raw, 'anonymous');
    assert.equal(anon.status, status, raw);
    assert.equal(anon.seen, undefined);
    const admin = await probe(workers.strict, raw, 'admin');
    assert.equal(admin.status, 200, raw);
    assert.equal(admin.path, path, raw);
  }
  const r = await probe(workers.strict, '/public/a%3fb/%7euser/caf%c3%a9', 'anonymous');
  assert.equal(r.path, '/public/a%3Fb/~user/caf%C3%A9');
});

test('legitimate requests still work', async () => {
  const ok = async (raw, identity, status) => {
    const r = await probe(workers.strict, raw, identity);
    assert.equal(r.status, status, `${identity} ${raw}`);
    if (status === 200) assert.equal(r.path, raw);
    return r;
  };
  await ok('/dashboard', 'member', 200);
  await ok('/dashboard/settings', 'member', 200);
  await ok('/api/items', 'member', 200);
  await ok('/orgs/acme/settings', 'member', 200);
  await ok('/admin/x', 'admin', 200);
  for (const identity of Object.keys(IDENTITIES)) await ok('/public', identity, 200);
  await ok('/public/%E6%97%A5%E6%9C%AC', 'anonymous', 200);
  await ok('/admin/x', 'member', 404);
  await ok('/dashboard', 'anonymous', 404);
  const q = await probe(workers.strict, '/x/%2e%2e/dashboard', 'member');
  assert.equal(q.status, 200);
  const withQuery = await call(workers.strict, '/a/./b?x=%2F..;&y=%0a', { headers: api });
  assert.equal(withQuery.status, 200);
  assert.equal(origin.seen.at(-1).url, '/a/b?x=%2F..;&y=%0a', 'the query is untouched');
});

test('redirect mode: encoded slashes become a 308 to the unescaped, normalised path (query kept)', async () => {
  for (const [raw, location] of [
    ['/x/..%2Fadmin?q=1', '/admin?q=1'],
    ['/sign-in%2F..%2Fadmin', '/admin'],
    ['/public/..%5Cdashboard', '/dashboard'],
    ['/%2F%2Fevil.example/x', '/evil.example/x'],
    ['/a%2Fb/', '/a/b/'],
  ]) {
    const before = origin.seen.length;
    const r = await call(workers.redirect, raw, { headers: api });
    assert.equal(r.status, 308, raw);
    assert.equal(r.headers.get('location'), location, raw);
    assert.equal(origin.seen.length, before);
  }
  const r = await call(workers.redirect, '/;x/admin', { headers: api });
  assert.equal(r.status, 400);
  assert.equal(r.text, 'Bad Request: path-parameter');
});

test('clerk mode keeps Clerk’s semantics: decided on createRouteMatcher’s view, forwarded as received', async () => {
  for (const raw of VARIANTS) {
    if (CONTROL.includes(raw) || MALFORMED.includes(raw)) continue;
    const r = await probe(workers.clerk, raw, 'admin');
    assert.equal(r.status, 200, raw);
    assert.equal(r.path, parsed(raw), `${raw} reaches the origin as the URL parser left it`);
  }
  // This is the confusion strict mode exists for: a servlet-style origin would serve /admin.
  const r = await probe(workers.clerk, '/x/..%2Fadmin', 'anonymous');
  assert.equal(r.status, 200);
  assert.equal(r.path, '/x/..%2Fadmin');
  assert.equal(READINGS.servlet(r.path), '/admin');
  assert.equal((await probe(workers.clerk, '/admin%zz', 'admin')).status, 400, 'Clerk’s MalformedURLError');
});

test('reserved headers are stripped in their underscore spelling too', async () => {
  const forged = mint({ sub: 'user_forged' });
  const r = await call(workers.strict, '/public', {
    headers: {
      ...api,
      x_clerk_auth_status: 'signed-in',
      X_Clerk_Auth_Token: forged,
      'x_clerk-auth-signature': 'f00',
      x_middleware_rewrite: 'https://evil.example/',
      'x-middleware_override_headers': 'x-clerk-auth-status',
      x_clerkish: 'kept',
    },
  });
  assert.equal(r.status, 200);
  const h = origin.seen.at(-1).headers;
  const reserved = Object.keys(h).filter((k) => /^x-(clerk|middleware)-/.test(k.replace(/_/g, '-')));
  assert.deepEqual(reserved.sort(), ['x-clerk-auth-message', 'x-clerk-auth-reason', 'x-clerk-auth-signature', 'x-clerk-auth-status', 'x-clerk-auth-token', 'x-clerk-clerk-url', 'x-clerk-edge-signature']);
  assert.equal(h['x-clerk-auth-status'], 'signed-out');
  assert.equal(h['x_clerkish'], 'kept');
});

test('configuration errors name the path settings', async () => {
  for (const [env, message] of [
    [{ CLERK_PATH_NORMALIZATION: 'envoy' }, 'clerk-edge configuration error in CLERK_PATH_NORMALIZATION: must be "strict" (default) or "clerk"'],
    [{ CLERK_ESCAPED_SLASHES: 'keep' }, 'clerk-edge configuration error in CLERK_ESCAPED_SLASHES: must be "reject" (default) or "redirect"'],
    [{ CLERK_PATH_NORMALIZATION: 'clerk', CLERK_ESCAPED_SLASHES: 'redirect' }, 'clerk-edge configuration error in CLERK_ESCAPED_SLASHES: applies only with CLERK_PATH_NORMALIZATION = "strict" ("clerk" forwards the path as received)'],
  ]) {
    const bad = worker({ CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, ORIGIN_URL: 'demo', ...env });
    try {
      const r = await call(bad, '/', {});
      assert.equal(r.status, 500);
      assert.equal(r.text, message);
    } finally {
      await bad.dispose();
    }
  }
});

test('the look-alike table in the wasm is exactly what this Node’s ICU folds to ASCII', async () => {
  const fs = await import('node:fs');
  const { lookalikeRanges, render } = await import('../../scripts/gen-lookalikes.mjs');
  const file = fs.readFileSync(new URL('../../src/gateway/path_policy/lookalike.rs', import.meta.url), 'utf8');
  // The header names the ICU version; compare the ranges (a Node upgrade may only change that line).
  const body = (text) => text.slice(text.indexOf('pub const'));
  assert.equal(body(file), body(render(lookalikeRanges())), 'run node scripts/gen-lookalikes.mjs');
});

// End-to-end: the example app (examples/next-app: proxy.ts = clerk-edge's clerkMiddleware, pages
// and route handlers using @clerk/nextjs's own auth()), with clerk-edge installed from the packed
// tarball (dist/clerk-edge-*.tgz, scripts/pack-js.sh) as a user would, built with `next build`
// and served by `next start`, then exercised over HTTP. Four variants, each built once:
//   proxy-turbopack, proxy-webpack           proxy.ts (Node.js runtime)
//   middleware-turbopack, middleware-webpack the same file as middleware.ts (edge runtime)
// NEXT_VARIANTS=a,b runs a subset, or adds nodemiddleware-turbopack / nodemiddleware-webpack
// (middleware.ts with `runtime: 'nodejs'`); `clerk-<variant>` (not in the default set) builds the same app
// with @clerk/nextjs's own clerkMiddleware and only measures it (the size comparison). Each variant is a copy of the app under tests/next/.apps/
// (git-ignored; inside the repository so that both bundlers find `next` in its node_modules).
//
// Per run: a fresh RSA key pair, secret key and encryption key. Tokens are minted here with
// node:crypto; the app gets the public key as CLERK_JWT_KEY (networkless verification).
//
//   bash scripts/pack-js.sh && node --test tests/next/
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { cpSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import crypto from 'node:crypto';
import { counted } from '../../js/test/counted.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const exampleDir = `${root}examples/next-app`;
const appsDir = `${root}tests/next/.apps`;
const nextBin = `${root}node_modules/.bin/next`;
// Turbopack compiles only files under its root, `next` included: the repository, or (a git
// worktree whose node_modules is a symlink) the directory holding both.
const turbopackRoot = (() => {
  const a = realpathSync(root).split('/');
  const b = realpathSync(`${root}node_modules`).split('/');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return a.slice(0, i).join('/') || '/';
})();

const ALL = ['proxy-turbopack', 'proxy-webpack', 'middleware-turbopack', 'middleware-webpack'];
// Not in the default set (CI time): middleware.ts with `runtime: 'nodejs'` (Next ≥ 15.5).
const EXTRA = ['nodemiddleware-turbopack', 'nodemiddleware-webpack'];
const variants = (process.env.NEXT_VARIANTS || ALL.join(',')).split(',').filter(Boolean);
for (const v of variants) if (![...ALL, ...EXTRA].includes(v.replace(/^clerk-/, ''))) throw new Error(`NEXT_VARIANTS: unknown variant ${v} (known: ${ALL.join(', ')})`);

const FAPI = 'clerk.e2e.test';
const publishableKey = `pk_live_${Buffer.from(`${FAPI}$`).toString('base64')}`;
const secretKey = `sk_live_${crypto.randomBytes(16).toString('hex')}`;
const encryptionKey = crypto.randomBytes(32).toString('hex');
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' });
const { privateKey: otherKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

const env = {
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: publishableKey,
  CLERK_SECRET_KEY: secretKey,
  CLERK_ENCRYPTION_KEY: encryptionKey,
  CLERK_JWT_KEY: publicPem,
};
const childEnv = { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' };
delete childEnv.NODE_ENV;

let base;
let server;
let serverLog = '';

const b64u = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

function mint(extra = {}, { key = privateKey, header = {} } = {}) {
  const now = nowS();
  const h = b64u({ alg: 'RS256', kid: 'ins_e2e', typ: 'JWT', ...header });
  const p = b64u({ azp: base, exp: now + 600, iat: now - 5, iss: `https://${FAPI}`, nbf: now - 10, sid: 'sess_e2e', sub: 'user_e2e', v: 2, ...extra });
  return `${h}.${p}.${crypto.sign('sha256', Buffer.from(`${h}.${p}`), key).toString('base64url')}`;
}

const ORG_ADMIN = { o: { id: 'org_acme', slg: 'acme', rol: 'admin' } };
const cookie = (token) => `__session=${token}; __client_uat=${nowS() - 100}`;
const sign = (token) => crypto.createHmac('sha1', secretKey).update(token).digest('hex');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port: p } = s.address();
      s.close(() => resolve(p));
    });
  });
}

async function waitForServer(deadlineMs) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`next start exited (${server.exitCode}):\n${serverLog}`);
    try {
      const r = await fetch(`${base}/`, { signal: AbortSignal.timeout(2000) });
      await r.text();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`next start did not answer within ${deadlineMs} ms:\n${serverLog}`);
}

function stopServer() {
  if (!server || server.exitCode !== null) return;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

/** Installs the packed tarball once into tests/next/.apps (every variant resolves it from there). */
function installTarball() {
  const dist = `${root}dist`;
  const tgz = existsSync(dist) ? readdirSync(dist).filter((f) => /^clerk-edge-.*\.tgz$/.test(f)) : [];
  if (tgz.length !== 1) throw new Error(`expected one dist/clerk-edge-*.tgz (bash scripts/pack-js.sh), found ${tgz.length}`);
  rmSync(appsDir, { recursive: true, force: true });
  mkdirSync(appsDir, { recursive: true });
  writeFileSync(`${appsDir}/package.json`, '{ "name": "clerk-edge-e2e-apps", "private": true }\n');
  // Peers (next, react, @clerk/nextjs) come from the repository's node_modules, one level up.
  const npm = spawnSync(
    'npm',
    ['install', '--offline', '--no-save', '--no-package-lock', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', `${dist}/${tgz[0]}`],
    { cwd: appsDir, encoding: 'utf8', timeout: 120_000 },
  );
  if (npm.status !== 0) throw new Error(`npm install of ${tgz[0]} failed:\n${npm.stdout}\n${npm.stderr}`);
  return tgz[0];
}

/** A copy of the example with only `file` (proxy.ts or middleware.ts) as its middleware. */
function prepareApp(variant) {
  const [kind] = variant.replace(/^clerk-/, '').split('-');
  const dir = `${appsDir}/${variant}`;
  cpSync(exampleDir, dir, {
    recursive: true,
    filter: (src) => !/\/(\.next|node_modules|next-env\.d\.ts|\.env\.local|package\.json|tsconfig\.tsbuildinfo)$/.test(src),
  });
  if (variant.startsWith('clerk-')) {
    const file = `${dir}/proxy.ts`;
    writeFileSync(file, readFileSync(file, 'utf8').replace("from 'clerk-edge/server'", "from '@clerk/nextjs/server'"));
  }
  if (kind === 'middleware' || kind === 'nodemiddleware') {
    let source = readFileSync(`${dir}/proxy.ts`, 'utf8');
    if (kind === 'nodemiddleware') source = source.replace('export const config = {', "export const config = {\n  runtime: 'nodejs',");
    writeFileSync(`${dir}/middleware.ts`, source);
    rmSync(`${dir}/proxy.ts`);
  }
  // The Turbopack root is where `next` is installed (a repository layout matter: the user's
  // config needs nothing for clerk-edge).
  writeFileSync(`${dir}/next.config.mjs`, `export default { turbopack: { root: ${JSON.stringify(turbopackRoot)} } };\n`);
  const dotenv = Object.entries(env)
    .map(([k, v]) => `${k}="${v.replace(/\n/g, '\\n')}"`)
    .join('\n');
  writeFileSync(`${dir}/.env.local`, `${dotenv}\n`);
  return dir;
}

const gz = (b) => gzipSync(b, { level: 9 }).length;

/** What each runtime ships: edge chunks + wasm (middleware.ts), or the Node.js entry and its trace (proxy.ts). */
function measure(dir) {
  const next = `${dir}/.next/`;
  const manifest = JSON.parse(readFileSync(`${next}server/middleware-manifest.json`, 'utf8'));
  const edge = manifest.middleware?.['/'];
  if (edge) {
    let raw = 0;
    let z = 0;
    for (const f of [...edge.files, ...(edge.wasm || []).map((w) => w.filePath)]) {
      const b = readFileSync(next + f);
      raw += b.length;
      z += gz(b);
    }
    return `edge middleware (chunks + wasm): ${raw} bytes, ${z} gzip -9`;
  }
  const nft = ['middleware.js.nft.json', 'proxy.js.nft.json'].map((f) => `${next}server/${f}`).find(existsSync);
  if (!nft) return 'node runtime: no middleware.js.nft.json / proxy.js.nft.json found';
  const traced = JSON.parse(readFileSync(nft, 'utf8')).files.map((f) => new URL(f, `file://${nft}`).pathname);
  let bytes = 0;
  for (const f of traced) if (existsSync(f) && statSync(f).isFile()) bytes += statSync(f).size;
  const entry = nft.replace(/\.nft\.json$/, '');
  const chunks = traced.filter((f) => f.startsWith(`${next}server/`) && f.endsWith('.js'));
  let raw = 0;
  let z = 0;
  for (const f of [entry, ...chunks]) {
    const b = readFileSync(f);
    raw += b.length;
    z += gz(b);
  }
  return `node runtime (entry + server chunks): ${raw} bytes, ${z} gzip -9; trace ${traced.length} files, ${(bytes / 1e6).toFixed(2)} MB (${nft.slice(next.length)})`;
}

const report = [];
let installed;

before(() => {
  installed = installTarball();
});

after(() => {
  stopServer();
  process.stderr.write(`next e2e (${installed}):\n${report.map((l) => `  ${l}`).join('\n')}\n`);
});

/** A request with `redirect: manual`; the body is always read. */
async function get(path, { headers = {}, method = 'GET', body } = {}) {
  const res = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** The HTTP checks, the same for every variant. */
const checks = [];
const e2e = (name, fn) => checks.push([name, fn]);

const doc = { 'sec-fetch-dest': 'document', accept: 'text/html' };

e2e('public page, signed out: 200 with the signed-out headers', async () => {
  const r = await get('/', { headers: doc });
  assert.equal(r.status, 200);
  assert.match(r.text, /public home page/);
  assert.equal(r.headers.get('x-clerk-auth-status'), 'signed-out');
  assert.equal(r.headers.get('x-clerk-auth-reason'), 'session-token-and-uat-missing');
});

e2e('protected page, signed in (cookie): 200, and @clerk/nextjs auth() in the page sees the user', async () => {
  const r = await get('/dashboard', { headers: { ...doc, cookie: cookie(mint()) } });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.text, /dashboard of (<!-- -->)?user_e2e/);
  assert.equal(r.headers.get('x-clerk-auth-status'), null);
});

e2e('protected page, signed out: 307 to sign-in with redirect_url', async () => {
  const r = await get('/dashboard', { headers: doc });
  assert.equal(r.status, 307);
  const loc = new URL(r.headers.get('location'), base);
  assert.equal(loc.pathname, '/sign-in');
  assert.equal(loc.searchParams.get('redirect_url'), `${base}/dashboard`);
  assert.equal(r.headers.get('x-clerk-auth-reason'), 'session-token-and-uat-missing');
});

e2e('handshake: client_uat without a session on a document request → 307 to the Frontend API', async () => {
  const r = await get('/', { headers: { ...doc, cookie: `__client_uat=${nowS() - 100}` } });
  assert.equal(r.status, 307);
  const loc = new URL(r.headers.get('location'));
  assert.equal(loc.origin, `https://${FAPI}`);
  assert.equal(loc.pathname, '/v1/client/handshake');
  assert.equal(loc.searchParams.get('redirect_url'), `${base}/`);
  assert.equal(loc.searchParams.get('__clerk_hs_reason'), 'client-uat-but-no-session-token');
  assert.match(r.headers.get('set-cookie') ?? '', /__clerk_redirect_count=1/);
  assert.equal(r.headers.get('x-clerk-auth-status'), 'handshake');
});

e2e('protected API route, signed out: 404 (protect rewrite)', async () => {
  const r = await get('/api/private');
  assert.equal(r.status, 404);
  assert.equal(r.headers.get('x-clerk-auth-reason'), 'protect-rewrite, session-token-and-uat-missing');
  const ok = await get('/api/private', { headers: { authorization: `Bearer ${mint()}` } });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json(), { private: true });
});

e2e('server action, signed out: 401', async () => {
  const r = await get('/actions', {
    method: 'POST',
    headers: { 'next-action': 'a'.repeat(40), 'next-url': '/actions', accept: 'text/x-component', 'content-type': 'text/plain;charset=UTF-8' },
    body: '[]',
  });
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('x-clerk-auth-status'), 'signed-out');
});

e2e('admin page: signed in without org:admin → 404; with it → 200', async () => {
  const no = await get('/admin', { headers: { ...doc, cookie: cookie(mint()) } });
  assert.equal(no.status, 404);
  assert.equal(no.headers.get('x-clerk-auth-reason'), 'protect-rewrite');
  const yes = await get('/admin', { headers: { ...doc, cookie: cookie(mint(ORG_ADMIN)) } });
  assert.equal(yes.status, 200);
  assert.match(yes.text, /org:admin/);
});

e2e('organization sync: another active organization → handshake with organization_id; the same → 200', async () => {
  const token = mint(ORG_ADMIN);
  const r = await get('/orgs/other', { headers: { ...doc, cookie: cookie(token) } });
  assert.equal(r.status, 307);
  const loc = new URL(r.headers.get('location'));
  assert.equal(loc.origin, `https://${FAPI}`);
  assert.equal(loc.searchParams.get('__clerk_hs_reason'), 'active-organization-mismatch');
  assert.equal(loc.searchParams.get('organization_id'), 'other');
  const same = await get('/orgs/acme', { headers: { ...doc, cookie: cookie(token) } });
  assert.equal(same.status, 200);
  assert.match(same.text, /active organization (<!-- -->)?acme/);
});

e2e("@clerk/nextjs's auth() in a route handler returns the userId clerk-edge verified", async () => {
  const viaHeader = await get('/api/whoami', { headers: { authorization: `Bearer ${mint(ORG_ADMIN)}` } });
  assert.equal(viaHeader.status, 200, viaHeader.text);
  assert.deepEqual(viaHeader.json(), {
    userId: 'user_e2e',
    sessionId: 'sess_e2e',
    orgId: 'org_acme',
    orgRole: 'org:admin',
    orgSlug: 'acme',
    isAuthenticated: true,
  });
  const viaCookie = await get('/api/whoami', { headers: { cookie: cookie(mint({ sub: 'user_cookie' })) } });
  assert.equal(viaCookie.json().userId, 'user_cookie');
  const out = await get('/api/whoami');
  assert.equal(out.json().userId, null);
});

e2e('tokens that must not verify: flipped signature bit, other key, expired', async () => {
  const t = mint();
  const [h, p, s] = t.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[10] ^= 1;
  for (const bad of [`${h}.${p}.${sig.toString('base64url')}`, mint({}, { key: otherKey }), mint({ exp: nowS() - 60, iat: nowS() - 600, nbf: nowS() - 600 })]) {
    const r = await get('/api/whoami', { headers: { authorization: `Bearer ${bad}` } });
    assert.equal(r.json().userId, null);
    assert.equal(r.headers.get('x-clerk-auth-status'), 'signed-out');
  }
});

e2e('spoofed inbound x-clerk-* / x-middleware-* headers do not change what auth() sees', async () => {
  const victim = mint({ sub: 'user_victim', sid: 'sess_victim' });
  const spoof = {
    'x-clerk-auth-status': 'signed-in',
    'x-clerk-auth-token': victim,
    'x-clerk-auth-signature': sign(victim), // even a correct signature
    'x-clerk-auth-reason': 'spoofed',
    'x-clerk-debug': 'true',
    'x-clerk-evil': 'x',
    'x-middleware-override-headers': 'x-clerk-auth-status,x-clerk-evil',
    'x-middleware-request-x-clerk-auth-status': 'signed-in',
    'x-middleware-request-x-clerk-auth-token': victim,
    'x-middleware-request-x-clerk-evil': 'y',
  };
  const anon = await get('/api/whoami', { headers: spoof });
  assert.equal(anon.status, 200, anon.text);
  assert.equal(anon.json().userId, null);
  const signedIn = await get('/api/whoami', { headers: { ...spoof, cookie: cookie(mint()) } });
  assert.equal(signedIn.json().userId, 'user_e2e');
  const seen = (await get('/api/headers', { headers: spoof })).json();
  assert.equal(seen['x-clerk-auth-status'], 'signed-out');
  assert.equal(seen['x-clerk-auth-token'], '');
  assert.equal(seen['x-clerk-auth-reason'], 'session-token-and-uat-missing');
  for (const name of ['x-clerk-debug', 'x-clerk-evil']) assert.equal(seen[name], undefined, name);
  assert.deepEqual(
    Object.keys(seen).filter((k) => k.startsWith('x-middleware-')),
    [],
  );
  // The request data the app decrypts is clerk-edge's (it carries the middleware's options).
  assert.match(seen['x-clerk-request-data'], /^U2FsdGVkX1/);
});

for (const variant of variants) {
  describe(variant, () => {
    const check = counted(`next e2e ${variant}`);
    before(
      async () => {
        const dir = prepareApp(variant);
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        serverLog = '';
        const args = ['build', dir, ...(variant.endsWith('-webpack') ? ['--webpack'] : [])];
        const t0 = Date.now();
        const build = spawnSync(nextBin, args, { cwd: root, env: childEnv, encoding: 'utf8', timeout: 600_000 });
        const secs = ((Date.now() - t0) / 1000).toFixed(1);
        if (build.status !== 0) throw new Error(`next ${args.join(' ')} failed (${build.status ?? build.signal}):\n${build.stdout}\n${build.stderr}`);
        const glob = `${build.stdout}${build.stderr}`.match(/matches \d+ files/);
        if (variant.startsWith('clerk-')) {
          report.push(`${variant} (@clerk/nextjs): next build ${secs} s; ${measure(dir)}`);
          return;
        }
        report.push(`${variant}: next build ${secs} s; ${measure(dir)}${glob ? `; build warning: ${glob[0]}` : ''}`);
        // `-H localhost`: Next builds the middleware's request URL from the same host name it
        // relativizes rewrites against, so that same-origin rewrites stay internal.
        server = spawn(nextBin, ['start', dir, '-H', 'localhost', '-p', String(port)], {
          cwd: root,
          env: childEnv,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        server.stdout.on('data', (d) => (serverLog += d));
        server.stderr.on('data', (d) => (serverLog += d));
        await waitForServer(60_000);
      },
      { timeout: 660_000 },
    );
    after(stopServer);
    if (variant.startsWith('clerk-')) test('built (size measured only)', () => {});
    else for (const [name, fn] of checks) check(name, fn);
  });
}

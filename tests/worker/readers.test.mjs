// The Worker in workerd in front of real Python (wsgiref + ClerkEdgeWSGI) and Go (net/http +
// clerkedge.Middleware) origins, each answering with what its reader saw; and header sets sent
// straight to the origins (spoofed, replayed later, replayed against another key) rejected.
// The origins require the Worker's x-clerk-edge-signature.
// Run by scripts/test-readers.sh after build-worker.sh (READERS_PYTHON = the venv's python).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PK, SECRET, PEM, ENCRYPTION_KEY, mint, hmac, worker, call } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const api = { 'sec-fetch-dest': 'empty', accept: 'application/json' };
const now = () => Math.floor(Date.now() / 1000);
const procs = [];

/** Starts an origin process; resolves to its base URL once it printed its port. */
function startOrigin(cmd, args, env, cwd = root) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(p);
    p.on('error', reject);
    p.stdout.once('data', (d) => resolve(`http://127.0.0.1:${String(d).trim()}`));
  });
}

const python = process.env.READERS_PYTHON || `${root}readers/python/.venv/bin/python`;
// Needs the Python venv and Go that scripts/test-readers.sh sets up; skipped (not failed) without them.
const ready = existsSync(python) && spawnSync('go', ['version']).status === 0;
const skip = ready ? false : 'needs readers/python/.venv and go: run scripts/test-readers.sh';
const keysEnv = { CLERK_SECRET_KEY: SECRET, CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY };
const wrongEnv = { CLERK_SECRET_KEY: 'sk_live_some_other_instance', CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY };
const origins = {};

before(async () => {
  if (!ready) return;
  const py = (env) => startOrigin(python, [`${root}readers/python/tests/e2e_origin.py`], env);
  // Built once and run directly: `go run` would leave its child running when killed.
  const bin = join(mkdtempSync(join(tmpdir(), 'clerk-edge-go-')), 'origin');
  const built = spawnSync('go', ['build', '-o', bin, './cmd/clerk-edge-echo-origin'], { cwd: `${root}readers/go`, stdio: 'inherit' });
  assert.equal(built.status, 0, 'go build');
  const go = (env) => startOrigin(bin, [], env);
  const [pyUrl, goUrl, pyWrong, goWrong] = await Promise.all([py(keysEnv), go(keysEnv), py(wrongEnv), go(wrongEnv)]);
  for (const [name, url, wrong] of [['python', pyUrl, pyWrong], ['go', goUrl, goWrong]]) {
    origins[name] = {
      url, wrong,
      mf: worker({ CLERK_PUBLISHABLE_KEY: PK, CLERK_SECRET_KEY: SECRET, CLERK_JWT_KEY: PEM, CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY, CLERK_SIGN_IN_URL: '/sign-in', ORIGIN_URL: url }),
    };
  }
});

after(async () => {
  for (const o of Object.values(origins)) await o.mf?.dispose();
  for (const p of procs) p.kill();
});

const session = (token) => ({ ...api, cookie: `__session=${token}; __client_uat=${now() - 60}` });

/** Sends a captured header set straight to an origin, as an attacker on its network could. */
async function direct(url, path, headers) {
  const res = await fetch(url + path, { headers });
  return { status: res.status, json: await res.json() };
}

for (const name of ['python', 'go']) {
  test(`${name} origin: signed in through the Worker, with request data`, { skip }, async () => {
    const { mf } = origins[name];
    const r = await call(mf, '/account?x=1', { headers: session(mint({ sub: 'user_py_go' })) });
    assert.equal(r.status, 200);
    assert.equal(r.json.reader, name);
    assert.equal(r.json.auth.status, 'signed-in');
    assert.equal(r.json.auth.userId, 'user_py_go');
    assert.equal(r.json.auth.sessionId, 'sess_e2e');
    assert.equal(r.json.auth.orgId, null);
    assert.equal(r.json.auth.isAdmin, false);
    assert.deepEqual(r.json.auth.requestData, { publishableKey: PK, signInUrl: '/sign-in' });
  });

  test(`${name} origin: organization and has()`, { skip }, async () => {
    const token = mint({ sub: 'user_admin', org_id: 'org_e2e', org_role: 'org:admin', org_slug: 'acme', org_permissions: [] });
    const r = await call(origins[name].mf, '/orgs/acme', { headers: session(token) });
    assert.equal(r.status, 200);
    assert.equal(r.json.auth.orgId, 'org_e2e');
    assert.equal(r.json.auth.orgRole, 'org:admin');
    assert.equal(r.json.auth.isAdmin, true);
  });

  test(`${name} origin: signed out through the Worker`, { skip }, async () => {
    const r = await call(origins[name].mf, '/public', { headers: api });
    assert.equal(r.status, 200);
    assert.equal(r.json.auth.status, 'signed-out');
    assert.equal(r.json.auth.reason, 'session-token-and-uat-missing');
    assert.equal(r.json.auth.userId, null);
  });

  test(`${name} origin: spoofed headers sent straight to the origin are rejected`, { skip }, async () => {
    const token = mint({ sub: 'user_victim' });
    const forged = { 'x-clerk-auth-status': 'signed-in', 'x-clerk-auth-token': token, 'x-clerk-auth-signature': hmac(token, 'sk_guess') };
    assert.deepEqual(await direct(origins[name].url, '/', forged), { status: 401, json: { error: 'edge_signature_missing' } });
    // Even with Clerk's own signature right (a leaked secret-key HMAC), the edge signature is missing.
    const clerkSigned = { ...forged, 'x-clerk-auth-signature': hmac(token) };
    assert.deepEqual(await direct(origins[name].url, '/', clerkSigned), { status: 401, json: { error: 'edge_signature_missing' } });
    const edgeForged = { ...clerkSigned, 'x-clerk-edge-signature': `v1,${now()},${'0'.repeat(64)}` };
    assert.deepEqual(await direct(origins[name].url, '/', edgeForged), { status: 401, json: { error: 'edge_signature_invalid' } });
    assert.deepEqual(await direct(origins[name].url, '/', {}), { status: 401, json: { error: 'middleware_missing' } });
  });

  test(`${name} origin: a captured header set is rejected on another path, method, status, host or key`, { skip }, async () => {
    const r = await call(origins[name].mf, '/account?x=1', { headers: session(mint({ sub: 'user_captured' })) });
    const captured = r.json.forwarded;
    assert.equal(captured['x-clerk-auth-status'], 'signed-in');
    assert.match(captured['x-clerk-edge-signature'], /^v1,\d+,[0-9a-f]{64}$/);
    // Replayed at once, to the same request, it is accepted (the window is 30 s)...
    assert.equal((await direct(origins[name].url, '/account?x=1', captured)).json.auth.userId, 'user_captured');
    const invalid = { status: 401, json: { error: 'edge_signature_invalid' } };
    // ...but not to another path or query,
    assert.deepEqual(await direct(origins[name].url, '/admin', captured), invalid);
    assert.deepEqual(await direct(origins[name].url, '/account?x=2', captured), invalid);
    // with another method,
    const post = await fetch(origins[name].url + '/account?x=1', { method: 'POST', headers: captured, body: 'x' });
    assert.deepEqual({ status: post.status, json: await post.json() }, invalid);
    // with a changed status,
    assert.deepEqual(await direct(origins[name].url, '/account?x=1', { ...captured, 'x-clerk-auth-status': 'signed-out' }), invalid);
    // to another origin (another Host),
    const other = origins[name === 'python' ? 'go' : 'python'].url;
    assert.deepEqual(await direct(other, '/account?x=1', captured), invalid);
    // or by an origin holding another secret key.
    assert.deepEqual(await direct(origins[name].wrong, '/account?x=1', captured), invalid);
  });
}

test('a captured header set replayed after its token expired is rejected by both origins', { skip }, async () => {
  const token = mint({ sub: 'user_late', exp: now() + 2, iat: now() - 1, nbf: now() - 1 });
  const captured = {};
  for (const name of ['python', 'go']) {
    const r = await call(origins[name].mf, '/account', { headers: session(token) });
    assert.equal(r.json.auth.userId, 'user_late');
    captured[name] = r.json.forwarded;
  }
  // Past exp plus the readers' default 5 s skew.
  await new Promise((r) => setTimeout(r, 8500));
  for (const name of ['python', 'go']) {
    assert.deepEqual(await direct(origins[name].url, '/account', captured[name]), { status: 401, json: { error: 'token_expired' } }, name);
  }
});

// Key rotation without downtime, end to end: traffic runs continuously through the Worker while
// the JWT verification key goes A → A+B → B and the secret key old → new, and every request is
// a 200 from an origin whose reader (clerk-edge/reader's readAuth, keys [old, new]) accepts the
// signature. Run after `bash scripts/build-worker.sh` and `bash scripts/build-js.sh` (the reader).
//
// What models what:
// - A redeploy of the Worker with new settings is a second Miniflare instance behind a switch,
//   not `mf.setOptions(…)`: setOptions restarts workerd and drops the requests in flight (checked:
//   a request held by a slow origin across setOptions fails with "fetch failed"), which no real
//   deploy does. The new version starts while the old one serves; then, for a rollout window,
//   each request goes to either version at random (Cloudflare rolls a deploy out across its edge,
//   so both versions answer for a while); then only the new one, and the old one is disposed once
//   its in-flight requests are done.
// - Clerk's rotation of the instance's signing key is the token minter switching from key A
//   to key B (sessions keep tokens of A until they are refreshed, so both are in flight).
// - The origin's deploy with [old, new] happens before the Worker switches, and dropping the
//   old key from it after: the origin accepts both throughout this test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { PK, ENCRYPTION_KEY, mint, worker } from './harness.mjs';

const pkg = new URL('../../js/pkg/clerk_edge_bg.wasm', import.meta.url);
assert.ok(existsSync(pkg), 'the origin reads with js/reader.js: run `bash scripts/build-js.sh` first');
const { readAuth } = await import('../../js/reader.js');

const OLD = 'sk_live_rotation_old';
const NEW = 'sk_live_rotation_new';
const pair = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const A = pair();
const B = pair();
const pem = (k) => k.publicKey.export({ type: 'spki', format: 'pem' });

let origin, originUrl;
const instances = [];
const signedWith = { [OLD]: 0, [NEW]: 0 };

before(async () => {
  origin = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      let out;
      try {
        const auth = readAuth(req.headers, { secretKey: [OLD, NEW], encryptionKey: ENCRYPTION_KEY });
        const token = req.headers['x-clerk-auth-token'];
        const sig = req.headers['x-clerk-auth-signature'];
        for (const k of [OLD, NEW]) if (crypto.createHmac('sha1', k).update(token).digest('hex') === sig) signedWith[k]++;
        out = { status: auth.status, userId: auth.userId, reason: auth.reason, publishableKey: auth.requestData.publishableKey };
        res.statusCode = auth.status === 'signed-in' ? 200 : 401;
      } catch (e) {
        res.statusCode = 403;
        out = { error: e.message };
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(out));
    });
  });
  await new Promise((r) => origin.listen(0, '127.0.0.1', r));
  originUrl = `http://127.0.0.1:${origin.address().port}`;
});

after(async () => {
  await Promise.all(instances.map((i) => i.disposed || i.mf.dispose()));
  origin?.close();
});

/** Versions of the Worker behind a switch: `route()` picks one per request. */
function deployments() {
  let serving = [];
  const start = async (env) => {
    const inst = { mf: worker(env), inflight: 0, served: 0, disposed: null };
    await inst.mf.ready;
    instances.push(inst);
    return inst;
  };
  const rollouts = [];
  return {
    rollouts,
    async first(env) {
      serving = [await start(env)];
    },
    /**
     * Starts the new version, rolls out until each version has served `each` requests of the
     * mixed traffic (bounded by time, so a stalled machine fails instead of hanging), then
     * retires the old one once its in-flight requests are done.
     */
    async deploy(env, each) {
      const next = await start(env);
      const [old] = serving;
      serving = [old, next];
      const before = [old.served, next.served];
      const t0 = Date.now();
      while ((old.served - before[0] < each || next.served - before[1] < each) && Date.now() - t0 < 10000) {
        await new Promise((r) => setTimeout(r, 10));
      }
      serving = [next];
      rollouts.push([old.served - before[0], next.served - before[1]]);
      while (old.inflight > 0) await new Promise((r) => setTimeout(r, 5));
      old.disposed = old.mf.dispose();
    },
    route() {
      return serving[Math.floor(Math.random() * serving.length)];
    },
  };
}

const settings = (jwtKey, secretKey) => ({
  CLERK_PUBLISHABLE_KEY: PK,
  CLERK_SECRET_KEY: secretKey,
  CLERK_JWT_KEY: jwtKey,
  CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY,
  ORIGIN_URL: originUrl,
});

/**
 * Runs `steps` under continuous traffic (4 concurrent clients, Bearer tokens minted by the
 * step's keys) and returns what happened. A step with `env` is a Worker deploy.
 */
async function drive(steps) {
  const versions = deployments();
  await versions.first(steps[0].env);
  let minting = steps[0].mint;
  let sent = 0;
  let running = true;
  const failures = [];
  const byKey = { A: 0, B: 0 };
  const client = async (id) => {
    while (running) {
      const key = minting[(sent + id) % minting.length];
      const sub = `user_${id}_${sent++}`;
      byKey[key === A ? 'A' : 'B']++;
      const token = mint({ sub }, { key: key.privateKey, kid: key === A ? 'ins_a' : 'ins_b' });
      const inst = versions.route();
      inst.inflight++;
      inst.served++;
      try {
        const res = await inst.mf.dispatchFetch('https://app.e2e.test/dashboard', { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
        const body = await res.text();
        const json = JSON.parse(body || 'null');
        if (res.status !== 200 || json?.userId !== sub || json?.publishableKey !== PK) failures.push({ status: res.status, body });
      } catch (e) {
        failures.push({ error: String(e) });
      } finally {
        inst.inflight--;
      }
    }
  };
  const clients = Promise.all([0, 1, 2, 3].map(client));
  // Each step holds until 50 requests have been sent in it (bounded by time as well).
  const hold = async (n) => {
    const [from, t0] = [sent, Date.now()];
    while (sent - from < n && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 10));
  };
  await hold(50);
  for (const step of steps.slice(1)) {
    if (step.env) await versions.deploy(step.env, 10);
    minting = step.mint;
    await hold(50);
  }
  running = false;
  await clients;
  return { sent, failures, byKey, rollouts: versions.rollouts };
}

test('JWT key A → A+B → B and secret key old → new under continuous traffic: 0 failed requests', async () => {
  // Step by step, as the README's procedure: each step with `env` is a Worker deploy; Clerk's
  // own switch to key B is when the minter moves from A to B.
  const { sent, failures, byKey, rollouts } = await drive([
    { name: 'start: key A, old secret', env: settings(pem(A), OLD), mint: [A] },
    { name: 'add key B (concatenated PEMs)', env: settings(`${pem(A)}${pem(B)}`, OLD), mint: [A] },
    { name: 'Clerk rotates: new tokens by B, old sessions still on A', mint: [A, B] },
    { name: 'switch the Worker to the new secret', env: settings(`${pem(A)}${pem(B)}`, NEW), mint: [A, B] },
    { name: 'sessions of A expired: tokens by B only', mint: [B] },
    { name: 'remove key A', env: settings(pem(B), NEW), mint: [B] },
  ]);
  console.log(`rotation: ${sent} requests, ${failures.length} failed; tokens ${JSON.stringify(byKey)}; signatures old ${signedWith[OLD]}, new ${signedWith[NEW]}; rollouts (old, new) ${JSON.stringify(rollouts)}`);
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${sent} requests failed`);
  assert.ok(sent >= 300, `enough traffic to mean something (${sent} requests)`);
  assert.ok(byKey.A > 0 && byKey.B > 0, JSON.stringify(byKey));
  assert.ok(signedWith[OLD] > 0 && signedWith[NEW] > 0, `the origin saw both signers: ${JSON.stringify(signedWith)}`);
  assert.equal(rollouts.length, 3);
  for (const [old, next] of rollouts) assert.ok(old >= 10 && next >= 10, `both versions served during each rollout: ${JSON.stringify(rollouts)}`);
});

test('control: switching A → B in one step, with tokens of A in flight, does fail requests', async () => {
  const { sent, failures } = await drive([
    { name: 'key A', env: settings(pem(A), NEW), mint: [A] },
    { name: 'key B only, sessions still on A', env: settings(pem(B), NEW), mint: [A] },
  ]);
  assert.ok(failures.length > 0, `expected failures without the A+B step (${sent} requests)`);
  assert.ok(failures.every((f) => f.status === 401 && JSON.parse(f.body).reason === 'token-invalid-signature'), JSON.stringify(failures[0]));
});

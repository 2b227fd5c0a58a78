// The pattern engine (src/pattern/: path-to-regexp 6.3.0's front end compiled to our own
// linear-time VM) against the real thing: path-to-regexp 6.3.0 building the regex source and V8
// running it (`pathToRegexp(p)` is `new RegExp(src, 'i')`, as Clerk's createRouteMatcher does).
// Same accept/reject for every pattern, same match/no-match for every path. Patterns: Clerk's
// documented ones plus seeded random ones (PATTERN_SEED=n to try another seed; it is printed).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { counted } from './counted.mjs';
import { ensureWasm } from '../wasm-node.js';
import { RouteMatcher } from '../pkg/clerk_edge.js';

const require = createRequire(import.meta.url);
const { pathToRegexp } = require('path-to-regexp');
ensureWasm();

const seed = Number(process.env.PATTERN_SEED ?? 20261130);
const GENERATED = Number(process.env.PATTERN_CASES ?? 2500);
let state = seed >>> 0 || 1;
const rand = () => {
  // xorshift32: deterministic for a seed, so a difference can be replayed.
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 4294967296;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

/** Patterns from Clerk's docs and issues, and shapes users write. */
const REAL_WORLD = [
  '/', '/sign-in(.*)', '/sign-up(.*)', '/dashboard(.*)', '/forum(.*)', '/api(.*)', '/admin(.*)',
  '/(api|trpc)(.*)', '/orgs/:slug', '/orgs/:slug/(.*)', '/me', '/me/(.*)', '/api/webhooks(.*)',
  '/blog/:slug', '/:locale/sign-in(.*)', '/organization/:id(.*)', '/((?!sign-in).*)', '/((?!api|trpc).*)',
  '/user/:id(\\d+)', '/files/:path*', '/files/:path+', '/docs/:section?', '/shop{/:category}?',
  '/:org/settings(.*)', '/api/v:version(\\d+)/(.*)', '/product/:id-:slug', '/a.:ext', '/app/(.*)/edit',
  '/:lang(en|fr|de)/(.*)', '/reports/:year(\\d{4})/:month(\\d{2})', '/(.*)', '(.*)', '/:path(.*)',
  '/protected{/*}?', '/x/:id((?!new)[^/]+)', '/teams/:team/:rest*', '/api/(.*)/private',
  // Malformed ones Clerk's users hit: every one must be rejected exactly as path-to-regexp does.
  '/orgs/:id/***', '/(', '/a)', '/:', '/(?:x)', '/((a))', '/:id(', '/{a', '/a}', '/\\', '/?', '/:a?:b',
];

const LITERALS = ['/', '/', '/', 'a', 'orgs', 'sign-in', 'api', 'x', '-', '.', 'é', '_', '~', '%20', 'A', '1'];
const REGEXES = ['.*', '\\d+', '[a-z]+', '[^/]+', 'a|b', '(?!admin).*', '(?:x|y)+', '.+', '\\w*', '[0-9]{2}', 'en|fr',
  '(?!_next)[^?]*', '.', '\\.', 'a?b', '[\\s\\S]*', '(?=a).*', '\\/x'];
const BROKEN = ['(', ')', '(?', '{', '}', '\\', ':', '*', '+', '?', '((', '[', '(a(b))'];

function randomPattern() {
  const parts = [];
  const n = 1 + Math.floor(rand() * 5);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.35) parts.push(pick(LITERALS));
    else if (r < 0.55) parts.push(`/:${pick(['id', 'slug', 'a_b', 'x1'])}` + (rand() < 0.3 ? `(${pick(REGEXES)})` : ''));
    else if (r < 0.75) parts.push(`${rand() < 0.7 ? '/' : ''}(${pick(REGEXES)})`);
    else if (r < 0.85) parts.push(`{${pick(LITERALS)}${rand() < 0.5 ? ':p' : ''}}`);
    else if (r < 0.93) parts.push(pick(['?', '*', '+']));
    else parts.push(pick(BROKEN));
  }
  return parts.join('');
}

const PATH_PIECES = ['/', '/', 'a', 'orgs', 'ORGS', 'sign-in', 'api', 'admin', '1', '23', '2026', '-', '.', 'é', 'É',
  '%2F', '%20', ' ', '\n', '\u2028', '_next', 'x.js', 'json', 'new', 'en', 'b', 'x', 'y', '~'];
function randomPath() {
  let p = '/';
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) p += pick(PATH_PIECES);
  return p;
}

/** Paths worth trying against a pattern: random ones plus the pattern's own literal text. */
function pathsFor(pattern) {
  const out = ['/', '', '//', '/a', '/a/', '/orgs/acme', '/orgs/acme/x', '/sign-in', '/sign-in/x', '/api', '/api/', '/API/x'];
  const literal = pattern.replace(/[(){}:?*+\\]/g, '');
  out.push(literal, `${literal}/`, `${literal}/x`, `${literal}x`, literal.toUpperCase());
  for (let i = 0; i < 14; i++) out.push(randomPath());
  return out;
}

function compileTheirs(p) {
  try {
    return { re: pathToRegexp(p) };
  } catch (e) {
    return { error: e.message };
  }
}
function compileOurs(p) {
  try {
    return { m: new RouteMatcher(JSON.stringify([p])) };
  } catch (e) {
    return { error: e.message };
  }
}

/** Compares one pattern; returns the number of path checks made. */
function compare(pattern) {
  const theirs = compileTheirs(pattern);
  const ours = compileOurs(pattern);
  assert.equal(
    ours.error === undefined,
    theirs.error === undefined,
    `pattern ${JSON.stringify(pattern)} (seed ${seed}): path-to-regexp ${theirs.error ?? 'accepts'}, clerk-edge ${ours.error ?? 'accepts'}`,
  );
  if (theirs.error !== undefined) return 0;
  let checks = 0;
  try {
    for (const path of pathsFor(pattern)) {
      const expected = theirs.re.test(path);
      assert.equal(
        ours.m.matchesAt(0, path),
        expected,
        `pattern ${JSON.stringify(pattern)} → /${theirs.re.source}/i on ${JSON.stringify(path)} (seed ${seed})`,
      );
      checks += 1;
    }
  } finally {
    ours.m.free();
  }
  return checks;
}

const check = counted(() => `pattern differential (seed ${seed})`);
let paths = 0;

check(`${REAL_WORLD.length} real-world patterns: same accept/reject and matches as path-to-regexp 6.3.0 + V8`, () => {
  for (const p of REAL_WORLD) paths += compare(p);
});

check(`${GENERATED} generated patterns: same accept/reject and matches`, () => {
  let accepted = 0;
  for (let i = 0; i < GENERATED; i++) {
    const p = randomPattern();
    const n = compare(p);
    paths += n;
    if (n) accepted += 1;
  }
  process.stderr.write(`pattern differential: ${GENERATED} generated patterns (${accepted} compiled), ${paths} path comparisons\n`);
  // A generator that only produced syntax errors would prove nothing.
  assert.ok(accepted > GENERATED / 3, `only ${accepted} generated patterns compiled`);
});

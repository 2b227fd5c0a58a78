#!/usr/bin/env node
// Mints a demo session token signed with the demo key pair (.demo/private.pem).
//   node scripts/mint.mjs [--sub user_1] [--sid sess_1] [--org-id org_1 --org-slug acme --role admin]
//                         [--perms org:invoices:read,org:invoices:manage] [--exp 3600] [--iat-offset 0]
import crypto from 'node:crypto';
import fs from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const key = fs.readFileSync(new URL('../.demo/private.pem', import.meta.url));
const now = Math.floor(Date.now() / 1000) + Number(args['iat-offset'] || 0);
const claims = {
  azp: args.azp || 'http://127.0.0.1:8787',
  exp: now + Number(args.exp || 3600),
  iat: now,
  iss: args.iss || 'https://clerk.clerk-edge.example',
  nbf: now - 5,
  sid: args.sid || 'sess_demo',
  sub: args.sub || 'user_demo',
};
if (args['org-id']) {
  claims.org_id = args['org-id'];
  claims.org_slug = args['org-slug'] || args['org-id'];
  claims.org_role = args.role ? (args.role.startsWith('org:') ? args.role : `org:${args.role}`) : 'org:member';
  claims.org_permissions = args.perms ? args.perms.split(',') : [];
}
const b64u = (b) => Buffer.from(b).toString('base64url');
const head = b64u(JSON.stringify({ alg: 'RS256', kid: 'ins_demo', typ: 'JWT' }));
const body = b64u(JSON.stringify(claims));
const sig = crypto.sign('sha256', Buffer.from(`${head}.${body}`), key);
process.stdout.write(`${head}.${body}.${b64u(sig)}\n`);

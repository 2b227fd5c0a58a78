// Benchmark scenarios shared by the Node and workerd harnesses: the same requests go to
// clerk-edge and to Clerk's own code in the same run.
import crypto from 'node:crypto';

export const FAPI = 'clerk.bench-instance.example';
export const PK = 'pk_live_' + Buffer.from(FAPI + '$').toString('base64').replace(/=+$/, '');
export const SECRET = 'sk_live_bench_secret';

// `count`: distinct tokens for the first-sight scenarios (no token may be seen twice in a run).
export function setup(count = 4000) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const b64u = (b) => Buffer.from(b).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const mint = (claims = {}) => {
    const h = b64u(JSON.stringify({ alg: 'RS256', kid: 'ins_bench', typ: 'JWT' }));
    const p = b64u(JSON.stringify({ azp: 'https://app.bench.test', exp: now + 3600, iat: now - 5, nbf: now - 10, iss: `https://${FAPI}`, sid: 'sess_bench', sub: 'user_bench', v: 2, ...claims }));
    return `${h}.${p}.${b64u(crypto.sign('sha256', Buffer.from(`${h}.${p}`), privateKey))}`;
  };
  // Distinct tokens for "first sight" (no cache can help), one token for "again".
  const fresh = Array.from({ length: count }, (_, i) => mint({ sid: `sess_${i}` }));
  const freshBearer = Array.from({ length: count }, (_, i) => mint({ sid: `sess_b${i}` }));
  const again = mint();
  const expired = mint({ exp: now - 120, iat: now - 300, nbf: now - 300 });
  const org = mint({ o: { id: 'org_1', rol: 'admin', slg: 'acme', per: 'read,manage', fpm: '3' }, fea: 'o:billing' });
  const uat = String(now - 60);
  const doc = { 'sec-fetch-dest': 'document', accept: 'text/html' };
  const api = { 'sec-fetch-dest': 'empty', accept: 'application/json' };
  const url = 'https://app.bench.test/dashboard';
  const scenarios = [
    { name: 'signed-in cookie, first sight', url, headers: (i) => ({ ...doc, cookie: `__session=${fresh[i % count]}; __client_uat=${uat}` }), expect: 'signed-in', fresh: true },
    { name: 'signed-in cookie, same token again', url, headers: () => ({ ...doc, cookie: `__session=${again}; __client_uat=${uat}` }), expect: 'signed-in' },
    { name: 'signed-out, no cookies', url, headers: () => ({ ...api }), expect: 'signed-out' },
    { name: 'expired token (handshake)', url, headers: () => ({ ...doc, cookie: `__session=${expired}; __client_uat=${uat}` }), expect: 'handshake' },
    { name: 'Bearer token, first sight', url, headers: (i) => ({ ...api, authorization: `Bearer ${freshBearer[i % count]}` }), expect: 'signed-in', fresh: true },
    { name: 'org-sync URL', url: 'https://app.bench.test/orgs/acme/settings', headers: () => ({ ...doc, cookie: `__session=${org}; __client_uat=${uat}` }), expect: 'signed-in' },
  ];
  const options = { publishableKey: PK, secretKey: SECRET, jwtKey: pem, organizationSyncOptions: { organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)'] } };
  return { scenarios, options, pem };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

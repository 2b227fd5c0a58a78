// clerkMiddleware() and createRouteMatcher() over the Rust core (js/pkg, built by
// scripts/build-js.sh). Every decision is made in Rust (src/next/, marshalled by src/js_api.rs);
// this file calls the user's code (handlers, option functions, predicates), reads the
// environment, and applies the decisions to NextResponse objects. It does not load the wasm
// module: js/wasm-edge.js does that for Next.js (edge runtime), js/wasm-node.js for Node.
//
// Crossings into wasm per request without a handler: 2 (`begin`, `finishLast`); a
// `NextMiddleware` is built once per distinct options value.
//
// `create({ NextResponse, nextVersion })` builds the API around a NextResponse class, so that the
// same code runs inside a Next.js bundle (`next/server`) and in Node tests (`next/server.js`).
import * as core from './pkg/clerk_edge.js';

const VERSION = '0.1.0';

const H = {
  location: 'location',
  next: 'x-middleware-next',
  rewrite: 'x-middleware-rewrite',
  override: 'x-middleware-override-headers',
  redirectTo: 'x-clerk-redirect-to',
  debug: 'x-clerk-debug',
};

/** The environment as Clerk's Next SDK reads it (clerk-behavior.md "Middleware pipeline", clerk-behavior.md "Environment variables"), plus CLERK_JWT_KEY. Read per
 *  request; static property accesses so that bundlers can inline NEXT_PUBLIC_* values. */
function readEnv() {
  if (typeof process === 'undefined' || !process.env) return {};
  return {
    publishableKey: process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY || '',
    secretKey: process.env.CLERK_SECRET_KEY || '',
    encryptionKey: process.env.CLERK_ENCRYPTION_KEY || '',
    jwtKey: process.env.CLERK_JWT_KEY || '',
    signInUrl: process.env.NEXT_PUBLIC_CLERK_SIGN_IN_URL || '',
    signUpUrl: process.env.NEXT_PUBLIC_CLERK_SIGN_UP_URL || '',
    domain: process.env.NEXT_PUBLIC_CLERK_DOMAIN || '',
    proxyUrl: process.env.NEXT_PUBLIC_CLERK_PROXY_URL || '',
    isSatellite: process.env.NEXT_PUBLIC_CLERK_IS_SATELLITE,
    apiUrl: process.env.CLERK_API_URL || '',
    apiVersion: process.env.CLERK_API_VERSION || '',
    machineSecretKey: process.env.CLERK_MACHINE_SECRET_KEY || '',
    nodeEnv: process.env.NODE_ENV,
    vercel: process.env.VERCEL,
    disableAutoProxy: process.env.CLERK_DISABLE_AUTO_PROXY,
    vercelTargetEnv: process.env.VERCEL_TARGET_ENV,
    vercelProjectProductionUrl: process.env.VERCEL_PROJECT_PRODUCTION_URL,
    fapiUrl: process.env.CLERK_FAPI_URL || '',
    netlify:
      Boolean(process.env.NETLIFY) ||
      Boolean(process.env.NETLIFY_FUNCTIONS_TOKEN) ||
      (typeof process.env.URL === 'string' && process.env.URL.endsWith('netlify.app')),
  };
}

// ---- debug logging (clerk-behavior.md "Debug logging") -------------------------------------------------------------------

const SENSITIVE_KEYS = new Set(['sessionToken', 'tokenInHeader', 'sessionTokenInCookie', 'secretKey', 'jwtKey']);

function maskSecretKey(str) {
  if (!str || typeof str !== 'string') return str;
  return str.replace(/^(sk_(live|test)_)(.+?)(.{3})$/, '$1*********$4');
}

function redact(value, key) {
  if (key && SENSITIVE_KEYS.has(key) && typeof value === 'string') return value.substring(0, 7);
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  return maskSecretKey(value);
}

const formatEntry = (entry) =>
  entry.map((e) => (typeof e === 'string' ? maskSecretKey(e) : JSON.stringify(redact(e), null, 2))).join(', ');

function truncateBytes(str, max) {
  const bytes = new TextEncoder().encode(str).slice(0, max);
  return new TextDecoder('utf-8').decode(bytes).replace(/\uFFFD/g, '');
}

function createLogger(name, nextVersion) {
  const entries = [];
  let enabled = false;
  return {
    enable: () => {
      enabled = true;
    },
    debug: (...args) => {
      if (enabled) entries.push(args.map((a) => (typeof a === 'function' ? a() : a)));
    },
    commit: () => {
      if (!enabled) return;
      console.log(`[clerk debug start: ${name}]`);
      for (const entry of entries) {
        let out = formatEntry(entry)
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n');
        if (readEnv().vercel) out = truncateBytes(out, 4096);
        console.log(out);
      }
      const ts = Math.round(new Date().getTime() / 1000);
      console.log(`[clerk debug end: ${name}] (clerk-edge=${VERSION},next=${nextVersion},timestamp=${ts})`);
    },
  };
}

/** `createDebug`: the auth object's `debug()` with secrets and tokens cut to 7 characters. */
function createDebug(data) {
  return () => {
    const res = { ...data };
    for (const k of ['secretKey', 'jwtKey', 'sessionToken', 'tokenInHeader', 'sessionTokenInCookie', 'refreshTokenInCookie', 'devBrowserToken', 'handshakeToken']) {
      res[k] = (res[k] || '').substring(0, 7);
    }
    return res;
  };
}

// ---- Next.js control-flow errors (the digests Next and Clerk use) ------------------------------

function nextRedirectError(url, extra) {
  const error = new Error('NEXT_REDIRECT');
  error.digest = `NEXT_REDIRECT;replace;${url};307;`;
  error.clerk_digest = 'CLERK_PROTECT_REDIRECT_TO_URL';
  Object.assign(error, extra);
  return error;
}

function httpFallbackError(status) {
  const error = new Error(`NEXT_HTTP_ERROR_FALLBACK;${status}`);
  error.digest = `NEXT_HTTP_ERROR_FALLBACK;${status}`;
  return error;
}

const returnBack = (url, returnBackUrl) => (returnBackUrl === null ? '' : returnBackUrl || url);

// ---- auth objects: Clerk's property order (what `console.log(auth)` and the serialized machine
// object in the request data show); `fn:` marks where its functions sit --------------------------

const SESSION_KEYS = {
  signedIn: ['tokenType', 'actor', 'sessionClaims', 'sessionId', 'sessionStatus', 'userId', 'orgId', 'orgRole', 'orgSlug', 'orgPermissions', 'factorVerificationAge', 'fn:getToken', 'fn:has', 'fn:debug', 'isAuthenticated'],
  signedOut: ['tokenType', 'sessionClaims', 'sessionId', 'sessionStatus', 'userId', 'actor', 'orgId', 'orgRole', 'orgSlug', 'orgPermissions', 'factorVerificationAge', 'fn:getToken', 'fn:has', 'fn:debug', 'isAuthenticated'],
  machine: ['id', 'subject', 'fn:getToken', 'fn:has', 'fn:debug', 'isAuthenticated', 'tokenType', 'name', 'claims', 'scopes', 'userId', 'orgId', 'machineId', 'clientId'],
  unauthenticatedMachine: ['id', 'subject', 'scopes', 'fn:has', 'fn:getToken', 'fn:debug', 'isAuthenticated', 'tokenType', 'name', 'claims', 'userId', 'orgId', 'machineId', 'clientId'],
  invalid: ['isAuthenticated', 'tokenType', 'fn:getToken', 'fn:has', 'fn:debug'],
};
const MACHINE_ORDER = {
  api_key: ['name', 'claims', 'scopes', 'userId', 'orgId'],
  m2m_token: ['claims', 'scopes', 'machineId'],
  oauth_token: ['scopes', 'userId', 'clientId'],
};

/** Builds the object in Clerk's property order from the core's fields and the functions. */
function ordered(kind, fields, fns) {
  let keys = SESSION_KEYS[kind];
  if (kind === 'machine' || kind === 'unauthenticatedMachine') {
    const tail = MACHINE_ORDER[fields.tokenType] ?? [];
    keys = [...keys.slice(0, keys.indexOf('tokenType') + 1), ...tail];
  }
  const out = {};
  for (const k of keys) {
    if (k.startsWith('fn:')) {
      if (fns[k.slice(3)]) out[k.slice(3)] = fns[k.slice(3)];
    } else out[k] = fields[k]; // present even when undefined, as in Clerk's objects
  }
  for (const k of Object.keys(fields)) if (!(k in out)) out[k] = fields[k];
  return out;
}

/** The token's payload as written (property order kept), for `sessionClaims`. */
function payloadOf(token) {
  try {
    const b64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

// ---- options: one NextMiddleware per distinct options value ----------------------------------

const MAX_MIDDLEWARES = 32;
const middlewares = new Map();

/** What identifies an options value: its JSON and which options are functions. */
function prepare(params) {
  const fns = [];
  for (const [k, v] of Object.entries(params)) if (typeof v === 'function') fns.push(k);
  if (typeof params.frontendApiProxy?.enabled === 'function') fns.push('frontendApiProxy.enabled');
  return { json: JSON.stringify(params), fns: fns.join(',') };
}

/** The validated options for this value and environment, built once (past the cap, per request:
 *  then freed by the garbage collector). */
function middlewareFor(prepared, envJson) {
  const key = `${prepared.fns}\n${envJson}\n${prepared.json}`;
  let mw = middlewares.get(key);
  if (!mw) {
    mw = new core.NextMiddleware(prepared.json, envJson, prepared.fns);
    reportJwtKeyProblem(mw.jwtKeyProblem);
    if (middlewares.size < MAX_MIDDLEWARES) middlewares.set(key, mw);
  }
  return mw;
}

/** The values of option functions for this request (`handleValueOrFn`: `undefined` → null). */
function resolveFunctions(params, request, headersJson) {
  const out = {};
  const url = new URL(request.url);
  const call = (key, arg) => {
    const v = params[key](arg);
    out[key] = v === undefined ? null : v;
  };
  const proxy = params.frontendApiProxy;
  if (typeof proxy?.enabled === 'function') out.proxyEnabled = Boolean(proxy.enabled(new URL(request.nextUrl?.href ?? request.url)));
  if (typeof params.proxyUrl === 'function') call('proxyUrl', new URL(core.clerkUrl(request.url, headersJson)));
  if (typeof params.isSatellite === 'function') call('isSatellite', url);
  if (typeof params.domain === 'function') call('domain', url);
  return JSON.stringify(out);
}

const warned = new Set();
/** A `jwtKey` that is not a usable key signs every token out (as in Clerk); said once per
 *  isolate, naming the setting, never its value. */
function reportJwtKeyProblem(problem) {
  if (!problem || warned.has('jwtKey')) return;
  warned.add('jwtKey');
  console.error(`clerk-edge: ${problem} Every session token is treated as signed out (token-invalid-signature), as Clerk does.`);
}
function reportDiagnostics(list) {
  for (const message of list || []) {
    // Clerk warns about a missing `azp` once per process; everything else every time.
    if (message.includes('missing the azp claim')) {
      if (warned.has(message)) continue;
      warned.add(message);
    }
    console.warn(message);
  }
}

// ---- the API -------------------------------------------------------------------------------

const AUTH_PARAM_KEYS = ['role', 'permission', 'feature', 'plan', 'reverification'];

/** `auth.protect()`'s authorization argument: a predicate, the authorization keys present, or
 *  undefined. */
function authorizationParams(arg) {
  if (!arg) return undefined;
  if (typeof arg === 'function') return arg;
  const params = {};
  for (const key of AUTH_PARAM_KEYS) {
    if (arg[key] !== undefined) params[key] = arg[key];
  }
  return Object.keys(params).length === 0 ? undefined : params;
}

export function create({ NextResponse, nextVersion = 'unknown' }) {
  /** Applies `[["set" | "append", k, v] | ["delete", k]]` from the core to a response. */
  function applyOps(res, ops) {
    for (const [op, name, value] of ops) {
      if (op === 'set') res.headers.set(name, value);
      else if (op === 'append') res.headers.append(name, value);
      else res.headers.delete(name);
    }
  }

  /** Turns what a handler threw into a response (clerk-behavior.md "auth() and auth.protect()"), or rethrows it. */
  function controlFlowResponse(e, decision, requestUrl) {
    const error = {
      isError: e instanceof Error,
      name: e != null && typeof e.name === 'string' ? e.name : null,
      digest: e != null && typeof e.digest === 'string' ? e.digest : null,
      clerkDigest: e != null && typeof e.clerk_digest === 'string' ? e.clerk_digest : null,
      returnBackUrl: e == null || e.returnBackUrl == null ? null : String(e.returnBackUrl),
    };
    const r = JSON.parse(decision.catchError(JSON.stringify(error), Date.now()));
    const redirectHeaders = { headers: { [H.redirectTo]: 'true' } };
    switch (r.kind) {
      case 'status': {
        const res = new NextResponse(null, r.status === 400 ? { status: 400, statusText: 'Bad Request' } : { status: r.status });
        for (const [k, v] of r.headers) res.headers.set(k, v);
        return res;
      }
      case 'rewrite': {
        const res = NextResponse.rewrite(new URL(r.path, requestUrl));
        for (const [k, v] of r.headers) res.headers.set(k, v);
        return res;
      }
      case 'redirect':
        return NextResponse.redirect(r.url, redirectHeaders);
      case 'redirect-adapter':
        return NextResponse.redirect(e.redirectUrl, redirectHeaders);
      default:
        throw e;
    }
  }

  async function handle(request, event, handler, params, logger, preparedStatic) {
    const resolvedParams = (typeof params === 'function' ? await params(request) : params) || {};
    const prepared = preparedStatic ?? prepare(resolvedParams);
    const env = readEnv();
    const mw = middlewareFor(prepared, JSON.stringify(env));
    const headersJson = JSON.stringify([...request.headers]);
    if (resolvedParams.debug) {
      logger.enable();
      const options = {
        publishableKey: resolvedParams.publishableKey || env.publishableKey || '',
        secretKey: resolvedParams.secretKey || env.secretKey || '',
        signInUrl: resolvedParams.signInUrl || env.signInUrl,
        signUpUrl: resolvedParams.signUpUrl || env.signUpUrl,
        ...resolvedParams,
      };
      const clerkUrl = core.clerkUrl(request.url, headersJson);
      logger.debug('options', options);
      logger.debug('url', () => ({
        url: clerkUrl,
        method: request.method,
        headers: JSON.stringify(Object.fromEntries(request.headers)),
        clerkUrl,
        cookies: JSON.stringify(Object.fromEntries(JSON.parse(core.cookiesJson(request.headers.get('cookie') || '')))),
      }));
      const authorization = request.headers.get('authorization');
      if (authorization && authorization.startsWith('Basic ')) logger.debug('Basic Auth detected');
      const csp = request.headers.get('content-security-policy');
      if (csp) logger.debug('Content-Security-Policy detected', () => ({ value: csp }));
    }

    // Crossing 1: keys, the path rule, the Frontend API proxy, authentication, Clerk's redirects.
    const resolved = prepared.fns ? resolveFunctions(resolvedParams, request, headersJson) : undefined;
    const begun = await mw.begin(request.method, request.url, headersJson, Date.now(), resolved, backendTransport);
    if (typeof begun === 'string') {
      const a = JSON.parse(begun);
      if (a.kind === 'refuse') return new NextResponse(a.body, { status: 400, statusText: 'Bad Request' });
      if (a.kind !== 'redirect') return proxyToFrontendApi(request, a);
      // clerk-behavior.md "Middleware pipeline" step 8: handshakes and other Clerk redirects; the handler does not run.
      reportDiagnostics(a.diagnostics);
      logger.debug('requestState', () => ({
        status: a.status,
        headers: JSON.stringify(Object.fromEntries(new Headers([['location', a.location], ...a.headers]))),
        reason: a.reason,
      }));
      const res = NextResponse.redirect(a.location);
      for (const [k, v] of a.headers) res.headers.append(k, v);
      return res;
    }
    const [diagnostics, decision] = begun;
    if (diagnostics) reportDiagnostics(JSON.parse(diagnostics));
    logger.debug('requestState', () => {
      const s = JSON.parse(decision.debugState());
      return { status: s.status, headers: JSON.stringify(Object.fromEntries(new Headers(s.headers))), reason: s.reason };
    });

    let result = NextResponse.next();
    if (handler) {
      const auth = handlerAuth(decision, logger);
      try {
        result = (await handler(auth, request, event)) || result;
      } catch (e) {
        result = controlFlowResponse(e, decision, request.url);
      }
    }

    // Crossing 2: the state's headers, the CSP, the dev-browser redirect and the decorated
    // request (clerk-behavior.md "Middleware pipeline" steps 11–13, clerk-behavior.md "Forwarded headers", clerk-behavior.md "Request data encryption", clerk-behavior.md "Content-Security-Policy"). Without a handler nothing else holds the
    // decision: `finishLast` frees it.
    const h = result.headers;
    const location = h.get('Location');
    const view = JSON.stringify({ overrideHeaders: h.get(H.override), next: h.get(H.next), rewrite: h.get(H.rewrite), location, redirectTo: h.get(H.redirectTo) });
    const f = JSON.parse(handler ? decision.finish(view) : decision.finishLast(view));
    applyOps(result, f.ops);
    if (f.csp) logger.debug('Clerk generated CSP', () => ({ headers: f.csp }));
    if (location) logger.debug('handlerResult is redirect');
    return f.redirect ? NextResponse.redirect(f.redirect, result) : result;
  }

  /** The handler's `auth` (clerk-behavior.md "auth() and auth.protect()"), asking the decision kept in wasm. */
  function handlerAuth(decision, logger) {
    const redirectTo = (digest) => (opts = {}) => {
      const clerkUrl = decision.clerkUrl;
      throw nextRedirectError(clerkUrl, { clerk_digest: digest, returnBackUrl: returnBack(clerkUrl, opts.returnBackUrl) });
    };
    const redirectToSignIn = redirectTo('CLERK_PROTECT_REDIRECT_TO_SIGN_IN');
    const redirectToSignUp = redirectTo('CLERK_PROTECT_REDIRECT_TO_SIGN_UP');
    const debugData = () => {
      const d = JSON.parse(decision.debugData());
      return { ...d.options, status: d.status, reason: d.reason, message: d.message, sessionToken: d.sessionToken };
    };

    /** An auth object from `toAuth` (the core decides which kind), with Clerk's functions. */
    const authObject = (authOpts, withRedirects) => {
      const { kind, object, redirects, token } = JSON.parse(decision.toAuth(JSON.stringify(authOpts)));
      const fns = { debug: kind === 'invalid' ? () => ({}) : () => createDebug(debugData())() };
      if (kind === 'signedIn') {
        object.sessionClaims = payloadOf(token) ?? object.sessionClaims;
        const sessionId = object.sessionId;
        fns.getToken = async (tokenOpts = {}) => {
          if (!sessionId) return null;
          if (tokenOpts.template || tokenOpts.expiresInSeconds !== undefined) {
            const expires = tokenOpts.expiresInSeconds === undefined ? undefined : JSON.stringify(tokenOpts.expiresInSeconds);
            return fetchSessionToken(JSON.parse(decision.tokenRequest(sessionId, tokenOpts.template || undefined, expires)));
          }
          return token;
        };
        fns.has = (p) => decision.has(JSON.stringify(p === undefined ? null : p));
      } else {
        fns.getToken = () => Promise.resolve(kind === 'machine' ? token : null);
        fns.has = () => false;
      }
      const o = ordered(kind, object, fns);
      if (withRedirects && redirects) Object.assign(o, { redirectToSignIn, redirectToSignUp });
      return o;
    };

    logger.debug('auth', () => {
      const defaultAuth = authObject({ acceptsToken: 'any' }, false);
      return { auth: defaultAuth, debug: defaultAuth.debug() };
    });

    const auth = async (opts) =>
      authObject(
        {
          treatPendingAsSignedOut: opts?.treatPendingAsSignedOut,
          acceptsToken: opts?.acceptsToken ?? 'session_token',
        },
        true,
      );
    auth.protect = async (...args) => {
      const [a0, a1] = args;
      const paramsOrFn = authorizationParams(a0);
      const token = a0?.token || a1?.token || 'session_token';
      const base = {
        has: typeof paramsOrFn === 'object' ? paramsOrFn : null,
        predicate: null,
        unauthenticatedUrl: a0?.unauthenticatedUrl || a1?.unauthenticatedUrl || null,
        unauthorizedUrl: a0?.unauthorizedUrl || a1?.unauthorizedUrl || null,
        token,
      };
      const decide = (p) => JSON.parse(decision.protect(JSON.stringify(p)));
      const accepted = () => authObject({ acceptsToken: token }, false);
      let out = decide(base);
      if (out.outcome === 'allow' && typeof paramsOrFn === 'function') {
        if (!paramsOrFn(accepted().has)) out = decide({ ...base, predicate: false });
      }
      switch (out.outcome) {
        case 'allow':
          return accepted();
        case 'redirect-to-sign-in':
          return redirectToSignIn();
        case 'redirect':
          throw nextRedirectError(out.url, { redirectUrl: out.url });
        case 'unauthorized':
          throw httpFallbackError(401);
        default:
          throw httpFallbackError(404);
      }
    };
    return auth;
  }

  /**
   * `clerkMiddleware()`, `clerkMiddleware(options)`, `clerkMiddleware(handler, options?)`, or used
   * directly as the middleware: `export default clerkMiddleware`.
   */
  function clerkMiddleware(...args) {
    const direct = args[0] instanceof Request;
    const handler = typeof args[0] === 'function' ? args[0] : undefined;
    const params = direct ? {} : (args.length === 2 ? args[1] : handler ? {} : args[0]) || {};
    // A static options object is serialised once; an options function per request.
    const prepared = typeof params === 'function' ? undefined : prepare(params);
    const middleware = async (request, event) => {
      const logger = createLogger('clerkMiddleware', nextVersion);
      try {
        return await handle(request, event, handler, params, logger, prepared);
      } finally {
        logger.commit();
      }
    };
    if (direct && args[1]) return middleware(args[0], args[1]);
    return middleware;
  }

  /** `createRouteMatcher(routes)`: a predicate over `req.nextUrl.pathname` (clerk-behavior.md "createRouteMatcher"). */
  function createRouteMatcher(routes) {
    if (typeof routes === 'function') return (req) => routes(req);
    const list = [routes || ''].flat().filter(Boolean);
    const strings = [];
    const entries = list.map((r) => (r instanceof RegExp ? { re: r } : { i: strings.push(String(r)) - 1 }));
    const matcher = new core.RouteMatcher(JSON.stringify(strings));
    if (strings.length === list.length) return (req) => matcher.matches(req.nextUrl.pathname);
    return (req) => {
      if (entries.length === 0) return false;
      const path = core.normalizeRoutePath(req.nextUrl.pathname);
      return entries.some((e) => (e.re ? e.re.test(path) : matcher.matchesAt(e.i, path)));
    };
  }

  return { clerkMiddleware, createRouteMatcher };
}

/** Clerk's Backend API for the core (JWKS without a jwtKey, handshake nonces, session refresh,
 *  opaque machine tokens): the core decides the URL, key and headers; this only sends.
 *  `call(method, url, headersJson, body)` → `[status, bodyText]`. */
const backendTransport = {
  call: async (method, url, headersJson, body) => {
    const res = await fetch(url, {
      method,
      headers: JSON.parse(headersJson),
      body: body ?? undefined,
      signal: typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(10_000) : undefined,
    });
    return [res.status, await res.text()];
  },
};

const proxyError = (status, code, message) =>
  new Response(JSON.stringify({ errors: [{ code, message }] }), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });

/** Forwards a request under the proxy path to Clerk's Frontend API (clerk-behavior.md "Frontend API proxy"); the core decided the
 *  target and the headers sent (`plan`), and decides the headers returned. */
async function proxyToFrontendApi(request, plan) {
  if (plan.kind === 'proxy-error') return proxyError(plan.status, plan.code, plan.message);
  try {
    const init = { method: request.method, headers: new Headers(plan.headers), redirect: 'manual' };
    if (request.body !== null) {
      init.duplex = 'half';
      init.body = request.body;
    }
    const response = await fetch(plan.url, init);
    const headers = new Headers();
    const received = [];
    response.headers.forEach((v, k) => received.push([k, v]));
    for (const [op, k, v] of JSON.parse(core.frontendApiProxyResponse(JSON.stringify(received), plan.fapiBase, plan.fapiHost, plan.proxyUrl))) {
      if (op === 'append') headers.append(k, v);
      else headers.set(k, v);
    }
    const out = new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    out.headers.delete('content-encoding');
    out.headers.delete('content-length');
    return out;
  } catch (error) {
    const message = error instanceof Error ? error.message : 'Unknown error';
    return proxyError(502, 'proxy_request_failed', `Failed to proxy request to Clerk FAPI: ${message}`);
  }
}

/** `getToken({ template, expiresInSeconds })`: a new token from the Backend API (`t`: the
 *  request the core built: `{url, headers, body}`). */
async function fetchSessionToken(t) {
  const res = await fetch(t.url, { method: 'POST', headers: t.headers, body: t.body ?? undefined });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const message = body?.errors?.[0]?.message || `Backend API error ${res.status}`;
    throw Object.assign(new Error(message), { status: res.status, errors: body?.errors ?? [] });
  }
  return body?.jwt ?? null;
}

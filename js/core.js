// clerkMiddleware() and createRouteMatcher() over the Rust core (js/pkg, built by
// scripts/build-js.sh). Every decision is made in Rust (src/js_api.rs); this file calls the user's
// code (handlers, option functions, predicates), reads the environment, and turns the decisions
// into NextResponse objects. It does not load the wasm module: js/wasm-edge.js does that for
// Next.js (edge runtime), js/wasm-node.js for Node.
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
    apiVersion: process.env.CLERK_API_VERSION || 'v1',
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

// ---- engines -------------------------------------------------------------------------------

const MAX_ENGINES = 32;
const engines = new Map();

/** A validated configuration per distinct set of options, built once. Engines are never freed
 *  while cached (a request may still be using one); past the cap they are per-request. */
async function withEngine(optionsJson, run) {
  let engine = engines.get(optionsJson);
  if (engine) return run(engine);
  engine = new core.Engine(optionsJson);
  reportJwtKeyProblem(engine.jwtKeyProblem);
  if (engines.size < MAX_ENGINES) {
    engines.set(optionsJson, engine);
    return run(engine);
  }
  try {
    return await run(engine);
  } finally {
    engine.free();
  }
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

/** `handleValueOrFn(value, url)` for the JSON input of `authOptions` (absent → the core takes the
 *  environment default; a function's `undefined` stays "no value"). */
function resolveValueOrFn(out, key, value, url) {
  if (typeof value === 'function') {
    const v = value(url);
    out[key] = v === undefined ? null : v;
  } else if (value !== undefined) {
    out[key] = value;
  }
}

export function create({ NextResponse, nextVersion = 'unknown' }) {
  /** Applies `[["set", k, v] | ["delete", k]]` from the core to a response's headers. */
  function applyOps(res, opsJson) {
    for (const [op, name, value] of JSON.parse(opsJson)) {
      if (op === 'set') res.headers.set(name, value);
      else res.headers.delete(name);
    }
  }

  /** Turns what a handler threw into a response (clerk-behavior.md "auth() and auth.protect()"), or rethrows it. */
  function controlFlowResponse(e, ctx) {
    const error = {
      isError: e instanceof Error,
      name: e != null && typeof e.name === 'string' ? e.name : null,
      digest: e != null && typeof e.digest === 'string' ? e.digest : null,
      clerkDigest: e != null && typeof e.clerk_digest === 'string' ? e.clerk_digest : null,
      returnBackUrl: e == null || e.returnBackUrl == null ? null : String(e.returnBackUrl),
    };
    const r = JSON.parse(core.controlFlow(JSON.stringify(error), JSON.stringify({ ...ctx, nowMs: Date.now() })));
    const redirectHeaders = { headers: { [H.redirectTo]: 'true' } };
    switch (r.kind) {
      case 'status': {
        const res = new NextResponse(null, r.status === 400 ? { status: 400, statusText: 'Bad Request' } : { status: r.status });
        for (const [k, v] of r.headers) res.headers.set(k, v);
        return res;
      }
      case 'rewrite': {
        const res = NextResponse.rewrite(new URL(r.path, ctx.requestUrl));
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

  async function handle(request, event, handler, params, logger) {
    const resolvedParams = (typeof params === 'function' ? await params(request) : params) || {};
    const env = readEnv();
    const publishableKey = resolvedParams.publishableKey || env.publishableKey || '';
    const secretKey = resolvedParams.secretKey || env.secretKey || '';
    core.assertKeys(String(publishableKey), String(secretKey));
    const requestUrl = new URL(request.nextUrl?.href ?? request.url);
    // clerk-edge's one path rule (a deviation): a path decoding to a line break or other control
    // character is refused before the handler runs, since no route pattern's `.` would match it.
    const refusal = core.pathRefusal(requestUrl.pathname);
    if (refusal) return new NextResponse(refusal, { status: 400, statusText: 'Bad Request' });
    // clerk-behavior.md "Middleware pipeline" step 3 / clerk-behavior.md "Frontend API proxy": requests under the Frontend API proxy path are forwarded, unauthenticated.
    let proxyConfig = resolvedParams.frontendApiProxy;
    const explicitProxyOrDomain = resolvedParams.proxyUrl || env.proxyUrl || resolvedParams.domain || env.domain;
    if (!proxyConfig && !explicitProxyOrDomain && core.autoProxy(String(publishableKey), requestUrl.hostname, env.disableAutoProxy ?? undefined)) {
      proxyConfig = { enabled: true };
    }
    if (proxyConfig) {
      const { enabled, path = DEFAULT_PROXY_PATH } = proxyConfig;
      const on = typeof enabled === 'function' ? enabled(requestUrl) : enabled;
      if (on && core.proxyPathMatches(request.url, path)) {
        return proxyToFrontendApi(request, { proxyPath: path, publishableKey: String(publishableKey), secretKey: String(secretKey), fapiUrl: env.fapiUrl });
      }
    }

    const signInUrl = resolvedParams.signInUrl || env.signInUrl;
    const signUpUrl = resolvedParams.signUpUrl || env.signUpUrl;
    const options = { publishableKey, secretKey, signInUrl, signUpUrl, ...resolvedParams };
    if (options.debug) logger.enable();

    const headerList = [...request.headers];
    const headersJson = JSON.stringify(headerList);
    const cookieHeader = request.headers.get('cookie') || '';
    const clerkUrl = core.clerkUrl(request.url, headersJson);
    logger.debug('options', options);
    logger.debug('url', () => ({
      url: clerkUrl,
      method: request.method,
      headers: JSON.stringify(Object.fromEntries(request.headers)),
      clerkUrl,
      cookies: JSON.stringify(Object.fromEntries(JSON.parse(core.cookiesJson(cookieHeader)))),
    }));
    const authorization = request.headers.get('authorization');
    if (authorization && authorization.startsWith('Basic ')) logger.debug('Basic Auth detected');
    const csp = request.headers.get('content-security-policy');
    if (csp) logger.debug('Content-Security-Policy detected', () => ({ value: csp }));

    // clerk-behavior.md "Middleware pipeline" step 7: the options authenticateRequest gets.
    const input = {
      options: JSON.parse(JSON.stringify(options)),
      clerkUrl,
      env: {
        proxyUrl: env.proxyUrl,
        domain: env.domain,
        isSatellite: env.isSatellite ?? null,
        signInUrl: env.signInUrl,
        secretKey: env.secretKey,
        jwtKey: env.jwtKey,
        disableAutoProxy: env.disableAutoProxy ?? null,
        vercelTargetEnv: env.vercelTargetEnv ?? null,
        vercelProjectProductionUrl: env.vercelProjectProductionUrl ?? null,
      },
    };
    // A user-configured Frontend API proxy that is on for this request is the proxy URL.
    if (options.frontendApiProxy && !options.proxyUrl) {
      const { enabled, path = DEFAULT_PROXY_PATH } = options.frontendApiProxy;
      const requestUrl = new URL(request.url);
      if (typeof enabled === 'function' ? enabled(requestUrl) : enabled) input.proxyUrl = `${requestUrl.origin}${path}`;
    }
    if (!input.options.apiUrl && env.apiUrl) input.options.apiUrl = env.apiUrl;
    if (!('proxyUrl' in input)) resolveValueOrFn(input, 'proxyUrl', options.proxyUrl, new URL(clerkUrl));
    resolveValueOrFn(input, 'isSatellite', options.isSatellite, new URL(request.url));
    resolveValueOrFn(input, 'domain', options.domain, new URL(request.url));
    const authOptionsJson = core.authOptions(JSON.stringify(input));
    const authOptions = JSON.parse(authOptionsJson);

    // CLERK_API_VERSION, as the clerkClient Clerk builds per request reads it (the option wins).
    const engineJson = !authOptions.apiVersion && env.apiVersion !== 'v1' ? JSON.stringify({ ...authOptions, apiVersion: env.apiVersion }) : authOptionsJson;
    const stateJson = await withEngine(engineJson, (engine) =>
      engine.authenticate(request.method, request.url, headersJson, Date.now(), backendTransport(engine.apiUrl, String(authOptions.secretKey || ''), String(authOptions.machineSecretKey || env.machineSecretKey || ''))),
    );
    const state = JSON.parse(stateJson);
    reportDiagnostics(state.diagnostics);
    logger.debug('requestState', () => ({
      status: state.status,
      headers: JSON.stringify(Object.fromEntries(new Headers(state.headers))),
      reason: state.reason,
    }));

    // clerk-behavior.md "Middleware pipeline" step 8: handshakes and other Clerk redirects; the handler does not run.
    if (state.location) {
      const location = core.netlifyCacheBust(state.location, String(publishableKey), Date.now(), Boolean(env.netlify));
      const res = NextResponse.redirect(location);
      for (const [k, v] of state.headers) if (k !== H.location) res.headers.append(k, v);
      return res;
    }
    if (state.status === 'handshake') throw new Error('Clerk: handshake status without redirect');

    const debugData = { ...authOptions, status: state.status, reason: state.reason, message: state.message ?? '', sessionToken: state.token || '' };
    const tokenValue = state.token;
    const apiBase = () => authOptions.apiUrl || core.apiUrlFromPublishableKey(String(publishableKey));

    const redirectToSignIn = (opts = {}) => {
      throw nextRedirectError(clerkUrl, { clerk_digest: 'CLERK_PROTECT_REDIRECT_TO_SIGN_IN', returnBackUrl: returnBack(clerkUrl, opts.returnBackUrl) });
    };
    const redirectToSignUp = (opts = {}) => {
      throw nextRedirectError(clerkUrl, { clerk_digest: 'CLERK_PROTECT_REDIRECT_TO_SIGN_UP', returnBackUrl: returnBack(clerkUrl, opts.returnBackUrl) });
    };

    /** An auth object from `toAuth` (the core decides which kind), with Clerk's functions. */
    const authObject = (authOpts, withRedirects) => {
      const { kind, object, redirects } = JSON.parse(core.toAuth(stateJson, JSON.stringify(authOpts)));
      const fns = { debug: kind === 'invalid' ? () => ({}) : createDebug(debugData) };
      if (kind === 'signedIn') {
        const claimsJson = JSON.stringify(object.sessionClaims);
        object.sessionClaims = payloadOf(tokenValue) ?? object.sessionClaims;
        const sessionId = object.sessionId;
        fns.getToken = async (tokenOpts = {}) => {
          if (!sessionId) return null;
          if (tokenOpts.template || tokenOpts.expiresInSeconds !== undefined) {
            return fetchSessionToken(apiBase(), authOptions.apiVersion || env.apiVersion, String(secretKey), sessionId, tokenOpts);
          }
          return tokenValue;
        };
        fns.has = (p) => core.has(claimsJson, JSON.stringify(p === undefined ? null : p));
      } else {
        fns.getToken = () => Promise.resolve(kind === 'machine' ? tokenValue : null);
        fns.has = () => false;
      }
      const o = ordered(kind, object, fns);
      if (withRedirects && redirects) Object.assign(o, { redirectToSignIn, redirectToSignUp });
      return o;
    };

    const defaultAuth = authObject({ acceptsToken: 'any' }, false);
    logger.debug('auth', () => ({ auth: defaultAuth, debug: defaultAuth.debug() }));

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
      const decide = (p) => JSON.parse(core.protect(stateJson, headersJson, JSON.stringify(p)));
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

    let result = NextResponse.next();
    try {
      result = (await handler?.(auth, request, event)) || result;
    } catch (e) {
      result = controlFlowResponse(e, {
        state,
        clerkUrl,
        requestUrl: request.url,
        signInUrl: authOptions.signInUrl,
        signUpUrl: authOptions.signUpUrl,
        publishableKey: String(publishableKey),
        isSatellite: authOptions.isSatellite,
      });
    }

    // clerk-behavior.md "Content-Security-Policy": the contentSecurityPolicy option, on the response and forwarded as request headers.
    if (options.contentSecurityPolicy) {
      const cspJson = core.contentSecurityPolicy(JSON.stringify(options.contentSecurityPolicy), String(publishableKey), env.nodeEnv ?? '');
      const csp = JSON.parse(cspJson);
      for (const [k, v] of csp) result.headers.set(k, v);
      applyOps(result, core.nextOverrideHeaders(result.headers.get(H.override) || null, headersJson, cspJson));
      logger.debug('Clerk generated CSP', () => ({ headers: csp }));
    }

    // clerk-behavior.md "Middleware pipeline" step 11: the state's headers go on whatever the handler returned.
    for (const [k, v] of state.headers) result.headers.append(k, v);

    // clerk-behavior.md "Middleware pipeline" step 12 / clerk-behavior.md "Dev-browser redirects".
    const location = result.headers.get('Location');
    if (location) {
      logger.debug('handlerResult is redirect');
      if (result.headers.get(H.redirectTo) === 'true') {
        const withDb = core.devBrowserRedirect(location, clerkUrl, String(options.secretKey || ''), cookieHeader);
        if (withDb !== location) return NextResponse.redirect(withDb, result);
      }
      return result;
    }

    // clerk-behavior.md "Middleware pipeline" step 13: `x-clerk-debug: true` for the application server (set before the auth headers).
    const debugHeaders = options.debug ? [[H.debug, 'true']] : [];

    // clerk-behavior.md "Forwarded headers": decorate the request the application server receives.
    const target = JSON.parse(
      core.rewriteTarget(
        JSON.stringify({ location: null, next: result.headers.get(H.next), rewrite: result.headers.get(H.rewrite) }),
        request.url,
      ),
    );
    if (!target.decorate) {
      if (debugHeaders.length) applyOps(result, core.nextOverrideHeaders(result.headers.get(H.override) || null, headersJson, JSON.stringify(debugHeaders)));
      if (target.deleteNext) result.headers.delete(H.next);
      return result;
    }
    if (target.deleteNext) result.headers.delete(H.next);

    // clerk-behavior.md "Request data encryption": the user's options (and a machine auth object) travel encrypted.
    const raw = JSON.parse(core.toAuth(stateJson, JSON.stringify({ acceptsToken: 'any' })));
    const machineAuthObject = raw.kind === 'signedIn' || raw.kind === 'signedOut' ? null : ordered(raw.kind, raw.object, {});
    const hasValues = Object.values(resolvedParams).some((v) => v !== undefined);
    let requestData;
    if (hasValues || machineAuthObject) {
      const key = core.requestDataKey(
        JSON.stringify({ encryptionKey: env.encryptionKey, secretKey: env.secretKey, nodeEnv: env.nodeEnv ?? null }),
        Boolean(resolvedParams.secretKey),
      );
      requestData = core.encryptRequestData(JSON.stringify({ ...resolvedParams, machineAuthObject: machineAuthObject ?? undefined }), key);
    }
    const signingKey = String(resolvedParams.secretKey || env.secretKey || '');
    const forwarded = [...debugHeaders, ...JSON.parse(core.forwardedHeaders(stateJson, clerkUrl, signingKey, requestData))];
    applyOps(result, core.nextOverrideHeaders(result.headers.get(H.override) || null, headersJson, JSON.stringify(forwarded)));
    result.headers.set(H.rewrite, target.rewrite);
    return result;
  }

  /**
   * `clerkMiddleware()`, `clerkMiddleware(options)`, `clerkMiddleware(handler, options?)`, or used
   * directly as the middleware: `export default clerkMiddleware`.
   */
  function clerkMiddleware(...args) {
    const direct = args[0] instanceof Request;
    const handler = typeof args[0] === 'function' ? args[0] : undefined;
    const params = direct ? {} : (args.length === 2 ? args[1] : handler ? {} : args[0]) || {};
    const middleware = async (request, event) => {
      const logger = createLogger('clerkMiddleware', nextVersion);
      try {
        return await handle(request, event, handler, params, logger);
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

const BAPI_VERSION = '2026-05-12';

function bapiHeaders(secretKey) {
  return {
    Authorization: `Bearer ${secretKey}`,
    'Clerk-API-Version': BAPI_VERSION,
    'Content-Type': 'application/json',
    'User-Agent': `clerk-edge/${VERSION}`,
  };
}

/** Clerk's Backend API for the core (JWKS without a jwtKey, handshake nonces, session refresh,
 *  opaque machine tokens): `call(method, path, body)` → `[status, bodyText]`. */
function backendTransport(apiUrl, secretKey, machineSecretKey) {
  const origin = apiUrl.replace(/\/+$/, '');
  return {
    call: async (method, path, body) => {
      // M2M tokens are verified with the machine secret key when there is one, as Clerk does.
      const key = machineSecretKey && path.startsWith('/m2m_tokens/') ? machineSecretKey : secretKey;
      const res = await fetch(`${origin}${path}`, {
        method,
        headers: bapiHeaders(key),
        body: body ?? undefined,
        signal: typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(10_000) : undefined,
      });
      return [res.status, await res.text()];
    },
  };
}

const DEFAULT_PROXY_PATH = '/__clerk';

const proxyError = (status, code, message) =>
  new Response(JSON.stringify({ errors: [{ code, message }] }), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });

/** Forwards a request under the proxy path to Clerk's Frontend API (clerk-behavior.md "Frontend API proxy"); the core decides the
 *  target, the headers sent and the headers returned. */
async function proxyToFrontendApi(request, { proxyPath, publishableKey, secretKey, fapiUrl }) {
  const plan = JSON.parse(
    core.frontendApiProxy(JSON.stringify({ requestUrl: request.url, headers: [...request.headers], proxyPath, publishableKey, secretKey, fapiUrl })),
  );
  if (plan.kind === 'error') return proxyError(plan.status, plan.code, plan.message);
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

/** `getToken({ template, expiresInSeconds })`: a new token from the Backend API. */
async function fetchSessionToken(apiUrl, apiVersion, secretKey, sessionId, { template, expiresInSeconds }) {
  const path = ['sessions', sessionId, 'tokens', ...(template ? [template] : [])].map(encodeURIComponent).join('/');
  const url = `${apiUrl.replace(/\/+$/, '')}/${apiVersion}/${path}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: bapiHeaders(secretKey),
    body: expiresInSeconds !== undefined ? JSON.stringify({ expires_in_seconds: expiresInSeconds }) : undefined,
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const message = body?.errors?.[0]?.message || `Backend API error ${res.status}`;
    throw Object.assign(new Error(message), { status: res.status, errors: body?.errors ?? [] });
  }
  return body?.jwt ?? null;
}

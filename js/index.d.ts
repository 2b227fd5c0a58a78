// Types of clerk-edge's `clerkMiddleware()` and `createRouteMatcher()`: the shapes of
// `@clerk/nextjs/server`'s, written for this package (no dependency on Clerk's types).
import type { NextFetchEvent, NextMiddleware, NextRequest } from 'next/server';

export type TokenType = 'session_token' | 'api_key' | 'm2m_token' | 'oauth_token';
export type AcceptsToken = TokenType | TokenType[] | 'any';

export type ReverificationConfig =
  | 'strict_mfa'
  | 'strict'
  | 'moderate'
  | 'lax'
  | { level: 'first_factor' | 'second_factor' | 'multi_factor'; afterMinutes: number };

/** What `has()` checks; several keys are ANDed. */
export interface CheckAuthorizationParams {
  role?: string;
  permission?: string;
  feature?: string;
  plan?: string;
  reverification?: ReverificationConfig;
}
export type CheckAuthorization = (params: CheckAuthorizationParams) => boolean;

export interface GetTokenOptions {
  template?: string;
  expiresInSeconds?: number;
}

export interface RedirectOptions {
  /** Where to come back after signing in; `null` → no `redirect_url`. Default: the current URL. */
  returnBackUrl?: string | URL | null;
}

interface AuthCommon {
  has: CheckAuthorization;
  getToken: (options?: GetTokenOptions) => Promise<string | null>;
  debug: () => Record<string, unknown>;
}

export interface SignedInAuthObject extends AuthCommon {
  tokenType: 'session_token';
  isAuthenticated: true;
  userId: string;
  sessionId: string;
  sessionStatus: string | null;
  sessionClaims: Record<string, unknown>;
  actor: Record<string, unknown> | null | undefined;
  orgId: string | undefined;
  orgRole: string | undefined;
  orgSlug: string | undefined;
  orgPermissions: string[] | undefined;
  factorVerificationAge: [number, number] | null;
}

export interface SignedOutAuthObject extends AuthCommon {
  tokenType: 'session_token';
  isAuthenticated: false;
  userId: null;
  sessionId: null;
  sessionStatus: string | null;
  sessionClaims: null;
  actor: null;
  orgId: null;
  orgRole: null;
  orgSlug: null;
  orgPermissions: null;
  factorVerificationAge: null;
}

export interface MachineAuthObject extends AuthCommon {
  tokenType: Exclude<TokenType, 'session_token'>;
  isAuthenticated: boolean;
  id: string | null;
  subject: string | null;
  scopes: string[] | null;
  [key: string]: unknown;
}

export interface InvalidTokenAuthObject extends AuthCommon {
  tokenType: null;
  isAuthenticated: false;
}

export interface SessionRedirects {
  /** Throws: the middleware answers with a redirect to sign-in. */
  redirectToSignIn: (options?: RedirectOptions) => never;
  /** Throws: the middleware answers with a redirect to sign-up. */
  redirectToSignUp: (options?: RedirectOptions) => never;
}

export type SessionAuthObject = (SignedInAuthObject | SignedOutAuthObject) & SessionRedirects;
export type AuthObject = SignedInAuthObject | SignedOutAuthObject | MachineAuthObject | InvalidTokenAuthObject;

export interface AuthOptions {
  acceptsToken?: AcceptsToken;
  treatPendingAsSignedOut?: boolean;
}

export interface AuthProtectOptions {
  unauthenticatedUrl?: string;
  unauthorizedUrl?: string;
  token?: AcceptsToken;
}

export interface AuthProtect {
  (params?: CheckAuthorizationParams & AuthProtectOptions, options?: AuthProtectOptions): Promise<SignedInAuthObject>;
  (predicate: (has: CheckAuthorization) => boolean, options?: AuthProtectOptions): Promise<SignedInAuthObject>;
  (params: AuthProtectOptions & { token: Exclude<AcceptsToken, 'session_token'> }, options?: AuthProtectOptions): Promise<AuthObject>;
}

export interface ClerkMiddlewareAuth {
  (options?: AuthOptions & { acceptsToken?: 'session_token' }): Promise<SessionAuthObject>;
  (options: AuthOptions): Promise<AuthObject & Partial<SessionRedirects>>;
  protect: AuthProtect;
}

export interface OrganizationSyncOptions {
  organizationPatterns?: string[];
  personalAccountPatterns?: string[];
}

export interface ClerkMiddlewareOptions {
  publishableKey?: string;
  secretKey?: string;
  /** PEM public key of the instance: networkless verification (default: `CLERK_JWT_KEY`). */
  jwtKey?: string;
  signInUrl?: string;
  signUpUrl?: string;
  audience?: string | string[];
  authorizedParties?: string[];
  clockSkewInMs?: number;
  domain?: string | ((url: URL) => string);
  isSatellite?: boolean | ((url: URL) => boolean);
  proxyUrl?: string | ((url: URL) => string);
  satelliteAutoSync?: boolean;
  organizationSyncOptions?: OrganizationSyncOptions;
  /** Logs each request's decision (secrets redacted) and sets `x-clerk-debug` downstream. */
  debug?: boolean;
  /** Backend API origin (default `CLERK_API_URL`, else derived from the publishable key). */
  apiUrl?: string;
  /** Verifies opaque M2M tokens (default `CLERK_MACHINE_SECRET_KEY`). */
  machineSecretKey?: string;
  contentSecurityPolicy?: ContentSecurityPolicyOptions;
  /** Forwards requests under `path` (default `/__clerk`) to Clerk's Frontend API. */
  frontendApiProxy?: { enabled: boolean | ((url: URL) => boolean); path?: string };
  [key: string]: unknown;
}

export interface ContentSecurityPolicyOptions {
  /** A nonce per request (`x-nonce`) and `'strict-dynamic'` in `script-src`. */
  strict?: boolean;
  /** `content-security-policy-report-only` instead of `content-security-policy`. */
  reportOnly?: boolean;
  /** `reporting-endpoints: csp-endpoint="<reportTo>"` and `report-to csp-endpoint`. */
  reportTo?: string;
  /** Merged into Clerk's defaults; `'none'` replaces a directive. */
  directives?: Record<string, string | string[]>;
}

export type ClerkMiddlewareOptionsCallback = (req: NextRequest) => ClerkMiddlewareOptions | Promise<ClerkMiddlewareOptions>;

export type ClerkMiddlewareHandler = (
  auth: ClerkMiddlewareAuth,
  request: NextRequest,
  event: NextFetchEvent,
) => Response | void | undefined | null | Promise<Response | void | undefined | null>;

export interface ClerkMiddleware {
  /** Used directly: `export default clerkMiddleware`. */
  (request: NextRequest, event: NextFetchEvent): ReturnType<NextMiddleware>;
  (options?: ClerkMiddlewareOptions | ClerkMiddlewareOptionsCallback): NextMiddleware;
  (handler: ClerkMiddlewareHandler, options?: ClerkMiddlewareOptions | ClerkMiddlewareOptionsCallback): NextMiddleware;
}

export declare const clerkMiddleware: ClerkMiddleware;

export type RouteMatcherParam = string | RegExp | Array<string | RegExp> | ((req: NextRequest) => boolean);

/**
 * A predicate over `req.nextUrl.pathname` with path-to-regexp 6 patterns (case-insensitive,
 * decoded once, `//` collapsed). Throws an error named `MalformedURLError` for a path with bad
 * percent-encoding; inside `clerkMiddleware` that becomes a 400.
 */
export declare function createRouteMatcher(routes: RouteMatcherParam): (req: NextRequest) => boolean;

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

declare global {
  /**
   * Your own session-token claims, as with Clerk's SDK: redeclare this interface globally and
   * `sessionClaims` is typed with its keys (Clerk's declaration merges with this one).
   */
  interface CustomJwtSessionClaims {}
}

/** The verified session token's claims (`sessionClaims`). */
export type JwtPayload = {
  iss: string;
  sub: string;
  sid: string;
  nbf: number;
  exp: number;
  iat: number;
  azp?: string;
  act?: Record<string, unknown>;
  fva?: [number, number];
  sts?: string;
  v?: number;
  o?: { id: string; slg?: string; rol?: string; per?: string; fpm?: string };
  [k: string]: unknown;
} & CustomJwtSessionClaims;

export type SessionTokenType = 'session_token';
export type MachineTokenType = Exclude<TokenType, SessionTokenType>;

export interface SignedInAuthObject extends AuthCommon {
  tokenType: 'session_token';
  isAuthenticated: true;
  userId: string;
  sessionId: string;
  sessionStatus: string | null;
  sessionClaims: JwtPayload;
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

export interface AuthenticatedMachineObject<T extends MachineTokenType = MachineTokenType> extends AuthCommon {
  tokenType: T;
  isAuthenticated: true;
  id: string;
  subject: string;
  scopes: string[];
  [key: string]: unknown;
}

export interface UnauthenticatedMachineObject<T extends MachineTokenType = MachineTokenType> extends AuthCommon {
  tokenType: T;
  isAuthenticated: false;
  id: null;
  subject: null;
  scopes: null;
  [key: string]: unknown;
}

export type MachineAuthObject<T extends MachineTokenType = MachineTokenType> = T extends unknown
  ? AuthenticatedMachineObject<T> | UnauthenticatedMachineObject<T>
  : never;

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

/** `auth({ acceptsToken })` narrowing, as `@clerk/backend`'s InferAuthObjectFromToken(Array). */
export type InferAuthObjectFromToken<T extends TokenType, S, M> = T extends SessionTokenType
  ? S
  : M & { tokenType: Exclude<T, SessionTokenType> };
export type InferAuthObjectFromTokenArray<T extends readonly TokenType[], S, M> = SessionTokenType extends T[number]
  ? T[number] extends SessionTokenType
    ? S
    : S | (M & { tokenType: Exclude<T[number], SessionTokenType> })
  : M & { tokenType: Exclude<T[number], SessionTokenType> };

export interface PendingSessionOptions {
  treatPendingAsSignedOut?: boolean;
}

export interface AuthOptions extends PendingSessionOptions {
  acceptsToken?: AcceptsToken;
}

export interface AuthProtectOptions {
  unauthenticatedUrl?: string;
  unauthorizedUrl?: string;
  token?: AcceptsToken;
}

/** `auth.protect()`: the overloads of `@clerk/nextjs`'s AuthProtect, in its order. */
export interface AuthProtect {
  (params?: CheckAuthorizationParams & Omit<AuthProtectOptions, 'token'>, options?: AuthProtectOptions): Promise<SignedInAuthObject>;
  (params?: (has: CheckAuthorization) => boolean, options?: AuthProtectOptions): Promise<SignedInAuthObject>;
  <T extends TokenType>(
    options?: AuthProtectOptions & { token: T },
  ): Promise<InferAuthObjectFromToken<T, SignedInAuthObject, AuthenticatedMachineObject>>;
  <T extends TokenType[]>(
    options?: AuthProtectOptions & { token: T },
  ): Promise<InferAuthObjectFromTokenArray<T, SignedInAuthObject, AuthenticatedMachineObject>>;
  (options?: AuthProtectOptions & { token: 'any' }): Promise<SignedInAuthObject | AuthenticatedMachineObject>;
  (options?: AuthProtectOptions): Promise<SignedInAuthObject>;
}

/** The `auth` handed to the handler: `@clerk/backend`'s GetAuthFnNoRequest overloads, in its order. */
export interface ClerkMiddlewareAuth {
  <T extends TokenType[]>(
    options: AuthOptions & { acceptsToken: T },
  ): Promise<InferAuthObjectFromTokenArray<T, SessionAuthObject, MachineAuthObject<Exclude<T[number], SessionTokenType>>> | InvalidTokenAuthObject>;
  <T extends TokenType>(
    options: AuthOptions & { acceptsToken: T },
  ): Promise<InferAuthObjectFromToken<T, SessionAuthObject, MachineAuthObject<Exclude<T, SessionTokenType>>>>;
  (options: AuthOptions & { acceptsToken: 'any' }): Promise<Exclude<AuthObject, SignedInAuthObject | SignedOutAuthObject> | SessionAuthObject>;
  (options?: PendingSessionOptions): Promise<SessionAuthObject>;
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
  /** Backend API version (default `CLERK_API_VERSION`, else `v1`). */
  apiVersion?: string;
  afterSignInUrl?: string;
  afterSignUpUrl?: string;
  /** Accepted for compatibility with Clerk's options; clerk-edge verifies with `jwtKey` only. */
  skipJwksCache?: boolean;
  /** Accepted for compatibility with Clerk's options; clerk-edge verifies with `jwtKey` only. */
  jwksCacheTtlInMs?: number;
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
) => ReturnType<NextMiddleware>;

/** Clerk's overloads in Clerk's order: a handler first, so that `(auth, req) => …` and `(auth) => …` infer both parameters. */
export interface ClerkMiddleware {
  /** `clerkMiddleware((auth, request, event) => { … }, options)` */
  (handler: ClerkMiddlewareHandler, options?: ClerkMiddlewareOptions): NextMiddleware;
  /** `clerkMiddleware((auth, request, event) => { … }, (req) => options)` */
  (handler: ClerkMiddlewareHandler, options?: ClerkMiddlewareOptionsCallback): NextMiddleware;
  /** `clerkMiddleware(options)` */
  (options?: ClerkMiddlewareOptions): NextMiddleware;
  /** Used directly: `export default clerkMiddleware`. */
  (request: NextRequest, event: NextFetchEvent): ReturnType<NextMiddleware>;
}

export declare const clerkMiddleware: ClerkMiddleware;

export type RouteMatcherParam = string | RegExp | Array<string | RegExp> | ((req: NextRequest) => boolean);

/**
 * A predicate over `req.nextUrl.pathname` with path-to-regexp 6 patterns (case-insensitive,
 * decoded once, `//` collapsed). Throws an error named `MalformedURLError` for a path with bad
 * percent-encoding; inside `clerkMiddleware` that becomes a 400.
 */
export declare function createRouteMatcher(routes: RouteMatcherParam): (req: NextRequest) => boolean;

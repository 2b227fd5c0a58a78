import type { SignedInAuthObject, SignedOutAuthObject } from './index.js';

export interface ReadAuthOptions {
  /**
   * Checks `x-clerk-auth-signature` (default `CLERK_SECRET_KEY`; a `secretKey` in the request data
   * wins). Several keys (`[old, new]`) while the middleware switches keys: any of them is accepted.
   */
  secretKey?: string | readonly string[];
  /**
   * Decrypts `x-clerk-request-data`, in Clerk's format or the Worker's `gcm` format (default
   * `CLERK_ENCRYPTION_KEY`, else each secret key).
   */
  encryptionKey?: string;
}

export type ReadAuthResult = (Omit<SignedInAuthObject, 'debug'> | Omit<SignedOutAuthObject, 'debug'>) & {
  /** `x-clerk-auth-status`: `signed-in` or `signed-out`. */
  status: string;
  reason: string;
  message: string;
  /** The decrypted `x-clerk-request-data` (`{}` when absent). */
  requestData: Record<string, unknown>;
};

export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

/**
 * Reads what the middleware forwarded. Throws Clerk's errors (`auth_signature_invalid`,
 * `encryption_key_invalid`, or the "can't detect usage of clerkMiddleware()" error).
 */
export declare function readAuth(headers: HeadersLike, options?: ReadAuthOptions): ReadAuthResult;

/** A forwarded header set that must not be trusted (docs/reader-vectors.md lists the codes). */
export declare class ReaderError extends Error {
  readonly code: string;
}

export interface ReadOptions {
  /** One key or several (rotation); default `CLERK_SECRET_KEY`, comma-separated. */
  secretKey?: string | string[];
  /** Default `CLERK_ENCRYPTION_KEY`; empty → the secret keys are tried. */
  encryptionKey?: string;
  /** Honour a `secretKey` in the request data (Clerk's dynamic keys). Default false. */
  clerkCompatible?: boolean;
  /** Tolerance for `exp`/`nbf` and the edge signature's age; `null` turns the time checks off. Default 5. */
  clockSkewSeconds?: number | null;
  /** Unix seconds; default now. */
  now?: number;
  /** The request as this origin received it, bound by the Worker's `x-clerk-edge-signature`; `null` only behind the Next shim. */
  request: { method: string; path: string; host: string } | null;
  /** Default 30. */
  edgeMaxAgeSeconds?: number;
}

export interface ReadResult {
  status: 'signed-in' | 'signed-out';
  reason: string;
  message: string;
  isAuthenticated: boolean;
  userId: string | null;
  sessionId: string | null;
  sessionStatus: string | null;
  orgId: string | null;
  orgRole: string | null;
  orgSlug: string | null;
  orgPermissions: string[] | null;
  sessionClaims: Record<string, unknown> | null;
  requestData: Record<string, unknown>;
  has(params: { role?: string; permission?: string; feature?: string; plan?: string; reverification?: unknown }): boolean;
}

/** The reader contract shared with the Python and Go readers; throws `ReaderError`. */
export declare function read(headers: HeadersLike | Array<[string, string]>, options: ReadOptions): ReadResult;

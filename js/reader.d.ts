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

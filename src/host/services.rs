//! What the pure core asks of its host: a signature check (WebCrypto at the edge, RustCrypto
//! natively) and Clerk's Backend API (JWKS, handshake nonce, refresh, machine tokens). The core
//! never does I/O itself; adapters implement these, tests use fakes.
#![allow(async_fn_in_trait)] // single-threaded hosts (wasm) do not need `Send` futures

use crate::host::key::RsaPublicKey;

/// RSASSA-PKCS1-v1_5 / SHA-256 verification.
pub trait SignatureVerifier {
    /// `Ok(false)`: the signature does not match. `Err(message)`: the key cannot be used
    /// (becomes `token-verification-failed`).
    async fn verify_rs256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, String>;

    /// Whether this exact check is already known to succeed (a cache), without verifying.
    /// Lets a key set find the right key of a rotation without failed RSA work.
    fn is_known(&self, _key: &RsaPublicKey, _message: &[u8], _signature: &[u8]) -> bool {
        false
    }
}

/// Why the JWKS could not give a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksError {
    /// BAPI answered `clerk_key_invalid`; carries BAPI's message.
    SecretKeyInvalid(String),
    /// Non-OK response (after the adapter's retries).
    Http { url: String, status: u16 },
    /// The key set was empty.
    NoKeys,
    /// No key with that `kid` (after a refetch).
    KidNotFound,
    /// Network or parse failure; never shown to users verbatim.
    Unavailable(String),
}

/// A BAPI error for a session refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshError {
    /// BAPI returned an error body; carries its `code` (`unexpected_error` maps to `fetch-error`).
    Api(String),
    /// Anything else (network, parsing).
    Other,
}

/// What the refresh endpoint needs (`POST /v1/sessions/{sid}/refresh`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRequest {
    pub session_id: String,
    pub expired_token: String,
    pub refresh_token: String,
    pub request_origin: String,
    pub request_headers: Vec<(String, String)>,
    pub suffixed_cookies: bool,
}

/// Opaque machine-token kinds, verified only by BAPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineKind {
    ApiKey,
    M2mToken,
    OauthToken,
}

/// Clerk's Backend API, as far as request authentication needs it.
pub trait BackendApi {
    /// The JWKS key for `kid`. Adapters cache per (API URL, secret key) with a TTL and refetch
    /// once on an unknown `kid`.
    async fn jwks_key(&self, kid: Option<&str>) -> Result<RsaPublicKey, JwksError>;
    /// `GET /v1/clients/handshake_payload?nonce=…` → Set-Cookie directives.
    async fn handshake_payload(&self, nonce: &str) -> Result<Vec<String>, String>;
    /// Session refresh → Set-Cookie strings.
    async fn refresh_session(&self, request: &RefreshRequest) -> Result<Vec<String>, RefreshError>;
    /// Opaque machine token verification → the JSON BAPI returned, or (status, message).
    async fn verify_machine_token(
        &self,
        kind: MachineKind,
        token: &str,
    ) -> Result<serde_json::Value, (u16, String)>;
}

/// A backend for networkless deployments: every call fails, so only `jwtKey` verification works
/// and handshake nonces resolve to "no directives", exactly as a BAPI outage would.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoBackend;

impl BackendApi for NoBackend {
    async fn jwks_key(&self, _kid: Option<&str>) -> Result<RsaPublicKey, JwksError> {
        Err(JwksError::Unavailable("no Backend API configured".into()))
    }
    async fn handshake_payload(&self, _nonce: &str) -> Result<Vec<String>, String> {
        Err("no Backend API configured".into())
    }
    async fn refresh_session(&self, _r: &RefreshRequest) -> Result<Vec<String>, RefreshError> {
        Err(RefreshError::Other)
    }
    async fn verify_machine_token(
        &self,
        _kind: MachineKind,
        _token: &str,
    ) -> Result<serde_json::Value, (u16, String)> {
        Err((0, "no Backend API configured".into()))
    }
}

/// Pure-Rust RS256 (jwt-compact over RustCrypto `rsa`), for native builds and tests.
#[cfg(feature = "rust-verifier")]
#[derive(Debug, Default, Clone, Copy)]
pub struct RustVerifier;

#[cfg(feature = "rust-verifier")]
impl SignatureVerifier for RustVerifier {
    async fn verify_rs256(
        &self,
        key: &RsaPublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, String> {
        use jwt_compact::alg::{Rsa, RsaSignature};
        use jwt_compact::{Algorithm, AlgorithmSignature};
        let rust_key = key
            .rust_key()
            .ok_or_else(|| "unusable RSA key".to_string())?;
        let Ok(sig) = RsaSignature::try_from_slice(signature) else {
            return Ok(false);
        };
        Ok(Rsa::rs256().verify_signature(&sig, rust_key, message))
    }
}

/// Drives a future to completion on the current thread. The core's futures only wait on the
/// services above; with in-process implementations they are ready immediately.
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    use std::pin::pin;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

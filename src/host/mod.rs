//! Layer 2 — what the host provides: the service traits (signature verification, Clerk's
//! Backend API), RSA public keys, the signature cache, and the implementations over `fetch` and
//! WebCrypto (and `node:crypto` for the Next shim on Node). Imports only `web`.

pub mod cache;
pub mod http_backend;
pub mod key;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod node_crypto;
pub mod services;
#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
pub mod webcrypto;

//! # clerk-edge
//!
//! Clerk's `clerkMiddleware()` decision, rebuilt as a pure Rust core: given a request, a
//! validated [`Config`] and the current time, [`authenticate`] decides signed-in, signed-out or
//! handshake exactly as `@clerk/backend`'s `authenticateRequest()` does, with the same reasons,
//! messages, redirect URLs and cookies. The core performs no I/O and reads no clock: signature
//! checks and Clerk's Backend API are [`services`] the host provides (WebCrypto and `fetch` at
//! the edge, RustCrypto and fakes natively).
//!
//! What an integrator uses is re-exported here: [`Options`] → [`Config`] (validated once),
//! [`RequestParts`], [`authenticate`] → [`RequestState`] (one [`Outcome`]), the host
//! [`services`], and on the origin's side the [`reader`]. The layer modules below them
//! (`web`, `pattern`, `host`, `token`, `decide`, `gateway`, `downstream`; ARCHITECTURE.md) are
//! public for this repository's tests, fuzzers and binaries, hidden from the docs, and not a
//! stable API.
//!
//! ```
//! use clerk_edge::services::{block_on, NoBackend, RustVerifier};
//! use clerk_edge::{authenticate, AuthStatus, Config, Options, Outcome, RequestParts};
//!
//! // Validated once per configuration; requests reuse it.
//! let cfg = Config::new(Options {
//!     publishable_key: Some("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k".into()), // clerk.example.com
//!     secret_key: Some("sk_live_example".into()),
//!     ..Options::default()
//! })
//! .expect("valid options");
//!
//! // A page request with no session cookie. The time is an input, like everything else.
//! let req = RequestParts::new("GET", "https://app.example.com/dashboard", vec![]);
//! let now_ms = 1_767_225_600_000.0;
//! let state = block_on(authenticate(&req, &cfg, now_ms, &RustVerifier, &NoBackend))
//!     .expect("an absolute request URL");
//!
//! assert_eq!(state.status(), AuthStatus::SignedOut);
//! assert_eq!(state.reason(), Some("session-token-and-uat-missing"));
//! assert!(matches!(state.outcome, Outcome::SignedOut { .. }));
//! // The debug headers Clerk attaches to every unauthenticated state.
//! assert_eq!(state.header("x-clerk-auth-status"), Some("signed-out"));
//! ```
// The no-panic rules are in Cargo.toml's [lints] table; unit tests may unwrap and index.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

// The layers, lowest first (ARCHITECTURE.md; `tests/layers.rs` keeps imports pointing down).
#[doc(hidden)]
pub mod decide;
#[doc(hidden)]
pub mod downstream;
#[doc(hidden)]
pub mod gateway;
#[doc(hidden)]
pub mod host;
#[doc(hidden)]
pub mod pattern;
#[doc(hidden)]
pub mod token;
#[doc(hidden)]
pub mod web;

// The adapters.
#[doc(hidden)]
pub mod cloudflare;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
#[doc(hidden)]
pub mod js_api;
pub mod next;

pub use decide::config::{Config, ConfigError, Options};
pub use decide::flow::{authenticate, AuthError};
pub use decide::request::RequestParts;
pub use decide::state::{
    AuthStatus, AuthView, Diagnostic, MachineAuth, Outcome, Rejection, RequestState, Session,
};
pub use token::auth::SessionAuth;
pub use token::jwt::VerifiedToken;

/// What the host provides: the [`services::SignatureVerifier`] and [`services::BackendApi`]
/// traits, with native implementations (RustCrypto RS256, no Backend API) for hosts and tests.
pub mod services {
    pub use crate::host::services::*;
}

/// The origin's side: read the forwarded `x-clerk-*` headers back into a verified auth object
/// (the contract every language's reader implements; `docs/reader-vectors.md`).
pub mod reader {
    pub use crate::downstream::reader::*;
}

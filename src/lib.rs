//! # clerk-edge
//!
//! Clerk's `clerkMiddleware()` decision, rebuilt as a pure Rust core: given a request, a
//! validated [`Config`] and the current time, [`authenticate`] decides signed-in, signed-out or
//! handshake exactly as `@clerk/backend`'s `authenticateRequest()` does, with the same reasons,
//! messages, redirect URLs and cookies. The core performs no I/O and reads no clock: signature
//! checks and Clerk's Backend API are [`services`] the host provides (WebCrypto and `fetch` at
//! the edge, RustCrypto and fakes natively).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod decide;
pub mod downstream;
pub mod gateway;
pub mod host;
pub mod pattern;
pub mod token;
pub mod web;

pub mod cloudflare;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js_api;
pub mod next;

pub use decide::config::{Config, ConfigError, Options};
pub use decide::flow::{authenticate, AuthError};
pub use decide::request::RequestParts;
pub use decide::state::{AuthStatus, RequestState};

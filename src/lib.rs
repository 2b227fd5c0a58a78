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

pub mod api_mode;
pub mod auth;
pub mod base64;
pub mod cache;
pub mod cloudflare;
pub mod config;
pub mod cookies;
pub mod cors;
pub mod date;
pub mod downstream;
pub mod edge_signature;
pub mod fapi_proxy;
pub mod flow;
pub mod handshake;
pub mod http_backend;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js_api;
pub mod jsnum;
pub mod json_out;
pub mod jwt;
pub mod key;
pub mod keys;
pub mod keyset;
pub mod machine;
pub mod orgsync;
pub mod path_policy;
pub mod pattern;
pub mod protect;
pub mod reader;
pub mod reason;
pub mod redirect;
pub mod request;
pub mod request_data;
pub mod routes;
pub mod services;
pub mod signature;
pub mod state;
pub mod url;
#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
pub mod webcrypto;

pub use config::{Config, ConfigError, Options};
pub use flow::{authenticate, AuthError};
pub use request::RequestParts;
pub use state::{AuthStatus, RequestState};

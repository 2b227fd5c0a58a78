//! The Next.js adapter (`clerkMiddleware()` in `js/core.js`): every decision the shim makes,
//! native and typed, so that it is tested with `cargo test`; `crate::js_api` only marshals it
//! across the wasm boundary and `js/core.js` only calls user code and `NextResponse`.
//!
//! Per options value, [`options::MiddlewareOptions`] is read once; per request,
//! [`middleware::begin`] → (the host awaits `authenticate`) → [`middleware::Pending::decide`] →
//! a [`middleware::Decision`] the handler's `auth()` / `auth.protect()` ask, ending in
//! [`middleware::Decision::finish`].

pub mod auth_object;
pub mod control_flow;
pub mod csp;
pub mod middleware;
pub mod options;
pub mod response;

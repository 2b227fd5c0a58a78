//! The Cloudflare Worker adapter: environment → [`settings::Settings`], then per request
//! authenticate, apply route rules, and proxy to the origin with the verified session.

pub mod settings;

#[cfg(all(target_arch = "wasm32", feature = "worker"))]
mod api_cors;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
mod backend;
#[cfg(any(test, feature = "demo"))]
pub mod demo;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
mod edge_sign;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
mod entry;
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
mod fapi_proxy;
pub mod observe;
pub mod upstream;

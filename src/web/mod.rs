//! Layer 1 — web primitives with the exact semantics Clerk's JavaScript relies on: WHATWG URLs,
//! cookies, base64, dates, JavaScript's number/string rules, JSON output and the HMAC auth
//! signature. Imports nothing from the crate.

pub mod base64;
pub mod cookies;
pub mod date;
pub mod js;
pub mod json_out;
pub mod signature;
pub mod url;

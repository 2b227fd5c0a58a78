//! Layer 3 — tokens: JWT decoding and verification, key sets, the instance's publishable and
//! secret keys, token kinds, the session auth object with `has()`, and Clerk's reason strings.
//! Imports `web` and `host`.

pub mod auth;
pub mod jwt;
pub mod keys;
pub mod keyset;
pub mod kind;
pub mod reason;

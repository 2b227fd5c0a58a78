//! Layer 5 — what travels to the origin and how the origin reads it back: Clerk's `x-clerk-*`
//! headers, the encrypted request data, the edge signature and the reader contract. Imports the
//! layers below; not `gateway`.

mod headers;
pub use headers::*;

pub mod edge_signature;
pub mod reader;
pub mod request_data;

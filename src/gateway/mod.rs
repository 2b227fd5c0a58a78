//! Layer 5 — a gateway's rules around the decision: route rules, API mode, CORS, path
//! normalisation and the Frontend API proxy. Imports the layers below; not `downstream`.

pub mod api_mode;
pub mod cors;
pub mod fapi_proxy;
pub mod path_policy;
pub mod routes;

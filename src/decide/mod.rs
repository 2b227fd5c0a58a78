//! Layer 4 — the decision: validated configuration, the normalised request, Clerk's cookie and
//! header flows, handshakes, machine tokens, organization sync, `auth.protect()` and redirects,
//! ending in a [`state::RequestState`]. Imports `web`, `pattern`, `host` and `token`.

pub mod config;
pub mod flow;
pub mod handshake;
pub mod machine;
pub mod orgsync;
pub mod protect;
pub mod redirect;
pub mod request;
pub mod state;

//! Token decoder, PEM parser and verification with arbitrary bytes.
#![no_main]
#[path = "bodies.rs"]
mod bodies;
libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::jwt(data));

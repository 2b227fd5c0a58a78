//! The whole decision with arbitrary method, URL, headers and cookies.
#![no_main]
#[path = "bodies.rs"]
mod bodies;
libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::authenticate(data));

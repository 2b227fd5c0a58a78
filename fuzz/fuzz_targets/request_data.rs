//! The request-data decryptors and the receiving-side signature check with arbitrary input.
#![no_main]
#[path = "bodies.rs"]
mod bodies;
libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::request_data(data));

//! Cookie header parsing and URL normalisation (parse, join, query edits, public URL).
#![no_main]
#[path = "bodies.rs"]
mod bodies;
libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::cookies_url(data));

//! Route and org patterns: compile arbitrary patterns, match arbitrary paths.
#![no_main]
#[path = "bodies.rs"]
mod bodies;
libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::pattern(data));

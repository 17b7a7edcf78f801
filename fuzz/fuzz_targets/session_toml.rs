//! Any text as a session.toml.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = rapporteur::session::metadata::parse(text);
});

//! Any text as a speakers.toml, checked against a real session record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapporteur::session::record::SessionRecord;

fuzz_target!(|text: &str| {
    thread_local! {
        static RECORD: SessionRecord =
            SessionRecord::parse(include_str!("../../tests/golden/listening-session/session.json"), "golden session.json")
                .expect("the golden record parses");
    }
    RECORD.with(|record| {
        let _ = rapporteur::session::speakers::parse(text, record);
    });
});

//! Any bytes, under any of the extensions users give, through the whole decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapporteur::audio::decode::{Channels, Options, decode_source};

const EXTENSIONS: [Option<&str>; 8] =
    [None, Some("wav"), Some("mp3"), Some("m4a"), Some("flac"), Some("ogg"), Some("mp4"), Some("mkv")];

fuzz_target!(|data: &[u8]| {
    let Some((first, bytes)) = data.split_first() else { return };
    let ext = EXTENSIONS[*first as usize % EXTENSIONS.len()];
    let channels = match first / 8 % 3 {
        0 => Channels::Mix,
        1 => Channels::One(1),
        _ => Channels::Each,
    };
    let options = Options { channels, allow_truncated: first & 0x80 != 0 };
    let _ = decode_source(Box::new(std::io::Cursor::new(bytes.to_vec())), ext, options, &|_| {});
});

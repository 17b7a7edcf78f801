//! Speech to text with whisper.cpp (through whisper-rs).

pub mod worker;

pub use worker::{DecodeOptions, Model, TranscribeError};

//! rapporteur: recorded meeting audio → transcript, speakers, minutes and a thematic summary.
//! The stages live in modules named after them; `commands` ties them to the CLI.

pub mod audio;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diarize;
pub mod eval;
pub mod exit;
pub mod fsutil;
pub mod models;
pub mod pipeline;
pub mod progress;
pub mod prose;
pub mod render;
pub mod safe_text;
pub mod session;
pub mod text;
pub mod themes;
pub mod transcribe;
pub mod voices;

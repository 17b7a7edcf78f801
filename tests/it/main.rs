//! Integration tests: one binary, a module per feature. They run the real `rapporteur` binary
//! on the bundled sample and on audio they generate, with the real tiny.en model.

mod analysis;
mod batch;
mod chunking;
mod errors;
mod folders;
mod formats;
mod helpers;
mod languages;
mod minutes;
mod models;
mod naming;
mod prose;
mod review;
mod safety;
mod sentences;
mod speakers;
mod transcript;
mod vocabulary;

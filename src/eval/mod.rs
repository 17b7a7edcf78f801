//! Measuring quality against references (used by tests and benchmarks).

pub mod der;
pub mod reference;
pub mod wer;

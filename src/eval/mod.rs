//! Measuring quality against references (used by tests and benchmarks).

pub mod wer;
pub mod reference;
pub mod der;

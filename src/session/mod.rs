//! The session record and how it is assembled from the stages' results.

pub mod record;

pub use record::SessionRecord;

//! Exit codes, in one place. Documented in the README; scripts rely on them.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Ok = 0,
    /// Something failed that fits no class below, or failures of several classes.
    Failed = 1,
    /// The command line is wrong (clap's own code).
    Usage = 2,
    /// A recording or input document could not be read or decoded.
    Input = 3,
    /// A model is missing, damaged, or could not be installed.
    Model = 4,
    /// The output folder could not be created or written.
    Output = 5,
    /// Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
    Interrupted = 130,
}

impl Exit {
    /// One code for a run with several failures: their class if they share one.
    pub fn combine(failures: &[Exit]) -> Exit {
        match failures.split_first() {
            None => Exit::Ok,
            Some((first, rest)) if rest.iter().all(|f| f == first) => *first,
            Some(_) => Exit::Failed,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combines_failures() {
        assert_eq!(Exit::combine(&[]), Exit::Ok);
        assert_eq!(Exit::combine(&[Exit::Input, Exit::Input]), Exit::Input);
        assert_eq!(Exit::combine(&[Exit::Input, Exit::Model]), Exit::Failed);
    }
}

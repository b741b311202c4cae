//! Force returns in, the pseudonymised dataset out: find and read returns (CSV folders, XLSX
//! workbooks, collection folders), validate them with the data standard's rule codes, and
//! write accepted rows as Parquet with rejected rows quarantined.

pub mod dataset;
pub mod ingest;
pub mod parallel;
pub mod pseudonym;
pub mod read;
pub mod report;
pub mod rules;
pub mod source;
pub mod text;
pub mod validate;

pub use read::{RawReturn, ReadLimits, ReturnRejected, read_return, read_return_within};
pub use rules::{Rule, Severity};
pub use source::{InputError, ReturnSource, Skipped, find_returns};
pub use validate::{ValidateOptions, Validated, validate};

/// A test hook: when the environment variable `CSAE_CRASH_AT` names this point, the process
/// aborts here, as a power cut or `kill -9` would. The crash tests use it to show that the
/// dataset survives an interruption at every step. Unset in normal use.
pub fn crash_point(name: &str) {
    if std::env::var_os("CSAE_CRASH_AT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

/// Step timings for the pipeline benchmark: with `CSAE_TIMING` set, each lap prints
/// `timing: <step> <s> s` (the time since the previous lap) to standard error, and the
/// benchmark reads those lines. Silent otherwise.
pub struct Timing(Option<std::cell::Cell<std::time::Instant>>);

impl Timing {
    pub fn start() -> Timing {
        Timing(std::env::var_os("CSAE_TIMING").map(|_| std::cell::Cell::new(std::time::Instant::now())))
    }

    pub fn lap(&self, step: &str) {
        if let Some(t) = &self.0 {
            let now = std::time::Instant::now();
            eprintln!("timing: {step} {:.3} s", (now - t.get()).as_secs_f64());
            t.set(now);
        }
    }
}

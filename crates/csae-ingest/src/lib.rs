//! Force returns in, the pseudonymised dataset out: find and read returns (CSV folders, XLSX
//! workbooks, collection folders), validate them with the data standard's rule codes,
//! pseudonymise the accepted rows and hand them to the dataset (`csae-dataset`) with the
//! rejected rows quarantined.

pub mod arrow_rows;
pub mod history;
pub mod ingest;
pub mod pseudonym;
pub mod quarantine;
pub mod read;
pub mod report;
pub mod rules;
pub mod source;
pub mod validate;

pub use read::{RawReturn, ReadLimits, ReturnRejected, read_return, read_return_within};
pub use rules::{Rule, Severity};
pub use source::{InputError, ReturnSource, Skipped, check_declared, find_returns};
pub use validate::{ValidateOptions, Validated, validate};

/// `work(item)` for every item on rayon's threads, the largest items (by `size`) first so a
/// large return is not left to run alone at the end; results in the order of `items`.
pub(crate) fn largest_first<T: Sync, R: Send>(items: &[T], size: impl Fn(&T) -> u64, work: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(size(&items[i])));
    let mut done: Vec<(usize, R)> = order.into_par_iter().with_max_len(1).map(|i| (i, work(&items[i]))).collect();
    done.sort_by_key(|d| d.0);
    done.into_iter().map(|d| d.1).collect()
}

//! `manifest.json`: what a dataset holds and where it came from. It carries the key's
//! fingerprint (never the key), and per return and table the source file, its SHA-256, and rows
//! read, accepted and rejected. No personal value is ever written here.

use std::collections::BTreeMap;

use csae_model::Table;
use serde::{Deserialize, Serialize};

pub const DATASET_SCHEMA: &str = "csae.dataset/1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub schema: String,
    pub return_schema: String,
    pub key_fingerprint: String,
    pub updated_at: String,
    /// One entry per force return (force and period) held by the dataset, sorted.
    pub returns: Vec<ReturnEntry>,
    /// Sums over `returns`.
    pub totals: BTreeMap<Table, TableEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReturnEntry {
    pub force_id: String,
    /// `FROM..TO`, inclusive ISO dates.
    pub period: String,
    pub source: String,
    pub ingested_at: String,
    pub tables: BTreeMap<Table, TableEntry>,
    /// Rejected rows per rule code.
    pub rules: BTreeMap<String, usize>,
    /// Warned rows per warning code.
    pub warnings: BTreeMap<String, usize>,
    /// Where this return's rejected rows are, relative to the dataset: the prefix of its files
    /// in `quarantine/` (`quarantine_prefix`), or, in a dataset written before, its folder.
    pub quarantine: String,
    /// The return was made by `csae synth` (its crime references carry the synthetic mark):
    /// every publication built with it says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub synthetic: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct TableEntry {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    pub read: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub warnings: usize,
}

impl Manifest {
    pub fn new(key_fingerprint: String, updated_at: String, mut returns: Vec<ReturnEntry>) -> Manifest {
        returns.sort_by(|a, b| (&a.force_id, &a.period).cmp(&(&b.force_id, &b.period)));
        let mut totals: BTreeMap<Table, TableEntry> = Table::ALL.into_iter().map(|t| (t, TableEntry::default())).collect();
        for r in &returns {
            for (t, e) in &r.tables {
                let s = totals.entry(*t).or_default();
                s.read += e.read;
                s.accepted += e.accepted;
                s.rejected += e.rejected;
                s.warnings += e.warnings;
            }
        }
        Manifest {
            schema: DATASET_SCHEMA.into(),
            return_schema: csae_model::RETURN_SCHEMA.into(),
            key_fingerprint,
            updated_at,
            returns,
            totals,
        }
    }
}

//! `headline.json` (`csae.headline/1`): the national figures in one file. Keys are the
//! contract of `analysis.md`; a few more are added (marking, the options used).

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Period {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NetworkHeadline {
    pub count: u64,
    pub multi_offender: u64,
    pub multi_force: u64,
    pub largest_crimes: u64,
    pub single_suspect_crimes_in_multi_offender_networks: u64,
}

/// Category counts in the order of the code list (an ordered map serialises in that order).
pub type Categories = indexmap::IndexMap<String, u64>;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Headline {
    pub schema: &'static str,
    pub disclosure: String,
    pub marking: String,
    /// Built with returns made by `csae synth`: not official statistics.
    pub synthetic: bool,
    pub period: Period,
    /// Which ethnicity was used: `self` or `officer-fallback`.
    pub ethnicity: String,
    pub min_suspects: u32,
    pub forces_with_data: u64,
    pub csae_crimes: u64,
    pub out_of_scope_crimes: u64,
    pub group_based_crimes: u64,
    pub group_based_share: Option<f64>,
    pub group_based_by_category: Categories,
    pub category_source: BTreeMap<String, u64>,
    pub familial_share: Option<f64>,
    /// `CSE` / `group_based_crimes`.
    pub cse_share: Option<f64>,
    pub victim_records: u64,
    pub suspect_records: u64,
    /// Distinct identified people among the suspect and victim records (the distinct-persons rule).
    pub distinct_identified_suspects: u64,
    pub distinct_identified_victims: u64,
    pub suspect_records_age_known: u64,
    pub suspects_aged_10_17_share_of_known: Option<f64>,
    pub suspect_ethnicity_recorded_share: Option<f64>,
    pub suspect_ethnicity_of_recorded: indexmap::IndexMap<String, Option<f64>>,
    pub suspect_nationality_known_share: Option<f64>,
    pub victims_female_share_of_known: Option<f64>,
    pub online_share: Option<f64>,
    pub non_recent_share: Option<f64>,
    pub networks: NetworkHeadline,
}

/// A share, `None` (JSON null) when the denominator is 0.
pub fn share(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

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
    /// The series of a one-year report (`series.md`); absent for other periods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesHeadline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<ChangeHeadline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_suspects: Option<RepeatHeadline>,
    /// The national rate of group-based crimes per 100,000 population (R01's England and Wales row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<PopulationHeadline>,
    /// Per ethnic group, the ratio of its share of suspect records to its share of the population (R02).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspect_ethnicity_ratio: Option<indexmap::IndexMap<String, RatioHeadline>>,
}

/// A rate as R01 publishes it (one decimal), with its 95% interval.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PopulationHeadline {
    /// The population file's name.
    pub source: String,
    pub group_based_rate_per_100k: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// A ratio as R02 publishes it (two decimals), with its 95% interval.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RatioHeadline {
    pub ratio: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// Per year of the series, keyed by the year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SeriesHeadline {
    pub years: Vec<i32>,
    pub csae_crimes: BTreeMap<String, u64>,
    pub group_based_crimes: BTreeMap<String, u64>,
    pub forces_with_data: BTreeMap<String, u64>,
}

/// The year against the year before (all null without one).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChangeHeadline {
    pub previous_year: Option<i32>,
    pub group_based_previous: Option<u64>,
    /// (current − previous) / previous; null when previous is 0 or absent.
    pub group_based_change_share: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RepeatHeadline {
    pub distinct_identified_suspects: u64,
    pub repeat: u64,
    pub repeat_share: Option<f64>,
}

impl Headline {
    /// Adds the series keys.
    pub fn with_series(mut self, s: &crate::series::Series) -> Headline {
        let per_year = |f: &dyn Fn(&crate::series::YearFigures) -> u64| s.years.iter().map(|y| (y.year.to_string(), f(y))).collect();
        self.series = Some(SeriesHeadline {
            years: s.years.iter().map(|y| y.year).collect(),
            csae_crimes: per_year(&|y| y.csae()),
            group_based_crimes: per_year(&|y| y.group_based()),
            forces_with_data: per_year(&|y| y.forces_with_data),
        });
        let prev = s.previous().map(|p| p.group_based());
        let cur = s.current().group_based();
        self.change = Some(ChangeHeadline {
            previous_year: s.previous().map(|p| p.year),
            group_based_previous: prev,
            group_based_change_share: prev.filter(|p| *p > 0).map(|p| (cur as f64 - p as f64) / p as f64),
        });
        if let Some(r) = s.repeat.last() {
            let distinct = r.repeat + r.first_seen;
            self.repeat_suspects = Some(RepeatHeadline { distinct_identified_suspects: distinct, repeat: r.repeat, repeat_share: share(r.repeat, distinct) });
        }
        self
    }
}

impl Headline {
    /// Adds the population keys from R01 and R02, at the decimals the tables publish.
    pub fn with_population(mut self, tables: &[crate::Table], source: &str) -> Headline {
        let find = |id: &str| tables.iter().find(|t| t.id == id);
        let at = |t: &crate::Table, r: &str, c: &str| -> Option<f64> {
            let d = t.cols.iter().position(|x| x.0 == c).and_then(|c| t.decimals.get(c)).copied().unwrap_or(0);
            t.get(r, c).map(|x| round_to(x, d))
        };
        if let Some(t) = find(crate::rates::R01) {
            let e = crate::rates::ENGLAND_AND_WALES;
            self.population = Some(PopulationHeadline {
                source: source.to_string(),
                group_based_rate_per_100k: at(t, e, "RATE_PER_100K"),
                lower: at(t, e, "RATE_LOWER"),
                upper: at(t, e, "RATE_UPPER"),
            });
        }
        if let Some(t) = find(crate::rates::R02) {
            self.suspect_ethnicity_ratio = Some(
                t.rows.iter().map(|(g, _)| (g.clone(), RatioHeadline { ratio: at(t, g, "RATIO"), lower: at(t, g, "RATIO_LOWER"), upper: at(t, g, "RATIO_UPPER") })).collect(),
            );
        }
        self
    }
}

/// A value rounded to `decimals` places, as a table publishes it.
pub fn round_to(x: f64, decimals: u8) -> f64 {
    let p = 10f64.powi(i32::from(decimals));
    (x * p).round() / p
}

/// A share, `None` (JSON null) when the denominator is 0.
pub fn share(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

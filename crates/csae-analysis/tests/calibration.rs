//! The synthetic collection, analysed, lands near the published 2023 national figures
//! (docs/synthetic-data.md). A third of the national scale keeps the test quick while leaving
//! about 1,400 group-based crimes, enough for these tolerances.

mod common;

use csae_analysis::{Analysis, Options};

fn near(name: &str, got: Option<f64>, target: f64, tolerance: f64) {
    let got = got.unwrap_or_else(|| panic!("{name} is null"));
    assert!((got - target).abs() <= tolerance, "{name}: {got:.4}, target {target} ± {tolerance}");
}

#[test]
fn synthetic_collection_matches_the_published_2023_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::synthetic_dataset(tmp.path(), 0.35);
    let h = Analysis::open(&ds, &Options::default()).unwrap().headline().unwrap();
    assert!((38_000..=42_000).contains(&h.csae_crimes), "{}", h.csae_crimes);
    assert_eq!(h.forces_with_data, 44);
    near("group-based share", h.group_based_share, 0.037, 0.005);
    near("familial share", h.familial_share, 0.26, 0.04);
    near("CSE share", h.group_based_by_category.get("CSE").map(|&n| n as f64 / h.group_based_crimes as f64), 0.17, 0.04);
    near("suspects aged 10-17", h.suspects_aged_10_17_share_of_known, 0.48, 0.05);
    near("suspect ethnicity recorded", h.suspect_ethnicity_recorded_share, 0.34, 0.04);
    let e = &h.suspect_ethnicity_of_recorded;
    near("White", *e.get("WHITE").unwrap(), 0.83, 0.05);
    near("Asian", *e.get("ASIAN").unwrap(), 0.07, 0.03);
    near("Black", *e.get("BLACK").unwrap(), 0.05, 0.03);
    near("Mixed", *e.get("MIXED").unwrap(), 0.03, 0.02);
    assert!(h.networks.multi_force > 0, "travelling offenders link forces");
    assert!(h.networks.single_suspect_crimes_in_multi_offender_networks > 0);
}

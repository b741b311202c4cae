//! The hand-made sample (`fixtures/tiny`, copied from the national reference set) must give its
//! worked validation answers exactly.

use std::path::PathBuf;

use csae_ingest::report::{ForceReport, ValidationReport};
use csae_ingest::{ValidateOptions, find_returns, read_return, validate};
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny")
}

#[test]
fn tiny_sample_gives_expected_validation_exactly() {
    let (sources, skipped) = find_returns(&[fixtures().join("cumbria")]).unwrap();
    assert!(skipped.is_empty());
    assert_eq!(sources.len(), 1);
    let raw = read_return(&sources[0]).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let v = validate(&raw, &ValidateOptions { today, show_personal: false, period: None });
    let mut report = ValidationReport::new(skipped);
    report.forces.insert("cumbria".into(), ForceReport::from_validated(v));
    let got: Value = serde_json::from_str(&report.to_json()).unwrap();
    let got = &got["forces"]["cumbria"];
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected-validation.json")).unwrap()).unwrap();
    let expected = &expected["cumbria"];
    for table in ["crimes", "victims", "suspects", "relationships"] {
        assert_eq!(got["tables"][table]["read"], expected["read"][table], "{table} read");
        assert_eq!(got["tables"][table]["rejected"], expected["rejected"][table], "{table} rejected");
        let c = &got["tables"][table];
        assert_eq!(c["read"].as_u64().unwrap(), c["accepted"].as_u64().unwrap() + c["rejected"].as_u64().unwrap());
    }
    assert_eq!(got["rules"], expected["rules"]);
    assert_eq!(got["warnings"], expected["warnings"]);
    // Row numbers are the submitter's: CR9 is on rows 10 and 11 of crimes.csv.
    let c06: Vec<u64> = got["issues"].as_array().unwrap().iter().filter(|i| i["rule"] == "C06").map(|i| i["row"].as_u64().unwrap()).collect();
    assert_eq!(c06, [10, 11]);
    // Personal values are hidden unless asked for.
    let json = report.to_json();
    assert!(!json.contains("\"S51\""), "person_ref leaked into the report");
}

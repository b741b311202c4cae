//! The history checks (H01–H05) on a synthetic series: validating a year against a dataset of
//! the year before raises exactly the queries the series lists in its `injected.json`, and the
//! series' designed changes raise every check.

use std::collections::BTreeSet;

use csae_ingest::ingest::{IngestOptions, ingest};
use csae_ingest::pseudonym::Key;
use csae_ingest::report::validate_returns;
use csae_synth::{Format, SynthOptions, synth_years};

type Raised = BTreeSet<(String, String, Option<String>, String, String)>;

#[test]
fn a_year_checked_against_the_year_before_raises_exactly_the_injected_queries() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("returns");
    // Large enough that the larger forces clear every check's floor.
    let opts = SynthOptions { seed: 11, scale: 0.25, dirty: 0.0, format: Format::Csv };
    let summary = synth_years(&root, &opts, 2022, 2023, &|_| {}).unwrap();
    let key = Key::from_bytes(b"synthetic-test-key-of-32-bytes!!!!").unwrap();
    let ds = tmp.path().join("ds");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let (earlier, skipped) = csae_ingest::find_returns(&[root.join("2022")]).unwrap();
    ingest(&earlier, skipped, &ds, &key, &IngestOptions { today, period: None, now: "2026-01-01T00:00:00Z".into() }).unwrap();

    let (sources, skipped) = csae_ingest::find_returns(&[root.join("2023")]).unwrap();
    let vopts = csae_ingest::ValidateOptions { today, show_personal: false, period: None };
    let mut report = validate_returns(&sources, skipped, &vopts);
    csae_analysis::history::check_returns(&sources, None, &ds, today, None, &mut report).unwrap();

    let mut raised = Raised::new();
    for (k, f) in &report.forces {
        let h = f.history.as_ref().unwrap_or_else(|| panic!("{k} was checked"));
        assert!(h.compared, "{k} has a 2022 return");
        assert_eq!(h.previous_period, "2022-01-01..2022-12-31");
        for q in &h.queries {
            let figure = |v| serde_json::to_value(v).unwrap().to_string();
            raised.insert((q.rule.code().into(), k.rsplit('/').next().unwrap().into(), q.month.clone(), figure(q.previous), figure(q.current)));
        }
    }
    let injected: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root.join("2023").join("injected.json")).unwrap()).unwrap();
    let expected: Raised = injected["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["rule"].as_str().unwrap().into(), q["force_id"].as_str().unwrap().into(), q["month"].as_str().map(Into::into), q["previous"].to_string(), q["current"].to_string()))
        .collect();
    assert_eq!(raised, expected);

    // Every designed change of 2023 raises its check.
    let rules: BTreeSet<&str> = raised.iter().map(|q| q.0.as_str()).collect();
    assert!(rules.contains("H01") && rules.contains("H02"), "recording changes: {raised:?}");
    assert!(rules.contains("H03"), "the missing month: {raised:?}");
    for (force, year, what) in &summary.lapses {
        assert_eq!(*year, 2023);
        let rule = if *what == "ethnicity" { "H04" } else { "H05" };
        assert!(raised.iter().any(|q| q.0 == rule && &q.1 == force), "{rule} for {force}: {raised:?}");
    }
    assert_eq!(summary.lapses.len(), 2);
}

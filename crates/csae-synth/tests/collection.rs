//! The synthetic collection: deterministic for a seed, clean when asked, and when dirty,
//! validation reports exactly the issues listed in injected.json: no more, no fewer.

use std::collections::BTreeSet;
use std::path::Path;

use csae_ingest::report::validate_returns;
use csae_ingest::{ValidateOptions, find_returns};
use csae_synth::{Format, SynthOptions, synth};

fn options(seed: u64, scale: f64, dirty: f64, format: Format) -> SynthOptions {
    SynthOptions { seed, scale, dirty, format }
}

fn validate(dir: &Path) -> csae_ingest::report::ValidationReport {
    let (sources, skipped) = find_returns(&[dir.to_path_buf()]).unwrap();
    assert_eq!(sources.len(), 44);
    assert!(skipped.iter().all(|s| s.path.ends_with(".json")), "{skipped:?}");
    validate_returns(&sources, skipped, &ValidateOptions { today: chrono::Local::now().date_naive(), show_personal: false, period: None })
}

type Key = (String, String, u32, String);

fn reported(r: &csae_ingest::report::ValidationReport) -> BTreeSet<Key> {
    r.forces
        .iter()
        .flat_map(|(f, fr)| fr.issues.iter().map(move |i| (f.clone(), i.table.name().to_string(), i.row, i.rule.code().to_string())))
        .collect()
}

fn expected(dir: &Path) -> BTreeSet<Key> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("injected.json")).unwrap()).unwrap();
    v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["force"].as_str().unwrap().into(), i["table"].as_str().unwrap().into(), i["row"].as_u64().unwrap() as u32, i["rule"].as_str().unwrap().into()))
        .collect()
}

#[test]
fn dirty_collections_report_exactly_the_injected_issues() {
    let tmp = tempfile::tempdir().unwrap();
    for (seed, format) in [(1, Format::Csv), (2, Format::Xlsx), (3, Format::Mixed)] {
        let dir = tmp.path().join(format!("dirty-{seed}"));
        let s = synth(&dir, &options(seed, 0.03, 0.02, format), &|_| {}).unwrap();
        assert!(s.injected > 50, "{}", s.injected);
        let exp = expected(&dir);
        // Every error rule of the standard is injected at least once (P06 and P07 as warnings).
        let rules: BTreeSet<&str> = exp.iter().map(|k| k.3.as_str()).collect();
        for r in ["C01", "C02", "C03", "C04", "C05", "C06", "C07", "P01", "P02", "P03", "P04", "P05", "P06", "P07", "R01", "R02", "R03", "R04", "W02"] {
            assert!(rules.contains(r), "{format:?}: no {r} injected");
        }
        let got = reported(&validate(&dir));
        let missing: Vec<_> = exp.difference(&got).take(5).collect();
        let extra: Vec<_> = got.difference(&exp).take(5).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{format:?}: missing {missing:?}, extra {extra:?}");
    }
}

#[test]
fn a_clean_collection_has_no_rejected_rows_and_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    synth(&a, &options(9, 0.02, 0.0, Format::Mixed), &|_| {}).unwrap();
    synth(&b, &options(9, 0.02, 0.0, Format::Mixed), &|_| {}).unwrap();
    let r = validate(&a);
    assert!(!r.has_rejections(), "{}", r.summary(2));
    // Same seed, same bytes (CSV files; workbooks carry a creation time stamp).
    for f in r.forces.keys() {
        let (ca, cb) = (a.join(f).join("crimes.csv"), b.join(f).join("crimes.csv"));
        if ca.exists() {
            assert_eq!(std::fs::read(&ca).unwrap(), std::fs::read(&cb).unwrap(), "{f}");
        }
    }
    let c = tmp.path().join("c");
    synth(&c, &options(10, 0.02, 0.0, Format::Csv), &|_| {}).unwrap();
    assert_ne!(std::fs::read(c.join("metropolitan/crimes.csv")).unwrap(), std::fs::read(b.join("metropolitan/crimes.csv")).unwrap_or_default());
    // A rerun replaces an earlier synthetic collection in place.
    synth(&c, &options(11, 0.01, 0.0, Format::Csv), &|_| {}).unwrap();
    assert!(!c.join("injected.json").exists());
}

#[test]
fn volumes_follow_recorded_crime_and_bad_options_are_refused() {
    let v = csae_synth::volumes(1.0);
    let total: usize = v.iter().sum();
    assert!((113_900..=114_100).contains(&total), "{total}");
    let ids: Vec<&str> = csae_model::forces().iter().map(|f| f.id.as_str()).collect();
    let met = v[ids.iter().position(|i| *i == "metropolitan").unwrap()];
    let city = v[ids.iter().position(|i| *i == "city-of-london").unwrap()];
    assert!(met > 50 * city.max(1), "{met} {city}");
    for bad in [options(1, 0.0, 0.0, Format::Csv), options(1, -1.0, 0.0, Format::Csv), options(1, f64::NAN, 0.0, Format::Csv), options(1, 1e9, 0.0, Format::Csv), options(1, 1.0, 0.9, Format::Csv)] {
        assert!(bad.check().is_err());
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("mine.txt"), "x").unwrap();
    let e = synth(tmp.path(), &options(1, 0.01, 0.0, Format::Csv), &|_| {}).unwrap_err();
    assert!(e.0.contains("is not a synthetic collection"), "{e}");
    assert!("parquet".parse::<Format>().is_err());
}

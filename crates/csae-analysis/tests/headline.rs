//! The analysis against the hand-made sample's worked answers, and its definitions on edge
//! cases: periods, options, additivity, shuffled input.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use csae_analysis::{Analysis, Kind, Options};
use csae_ingest::ingest::{IngestOptions, ingest};
use csae_ingest::pseudonym::Key;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny")
}

fn d(s: &str) -> NaiveDate {
    csae_model::dates::parse_iso(s).unwrap()
}

fn year_2023() -> Option<(NaiveDate, NaiveDate)> {
    Some((d("2023-01-01"), d("2023-12-31")))
}

/// Ingests returns into a new dataset with a fixed test key.
fn dataset(returns: &[PathBuf], dir: &Path) -> PathBuf {
    let (sources, skipped) = csae_ingest::find_returns(returns).unwrap();
    let key = Key::from_bytes(b"test-key-of-thirty-two-bytes-or-more").unwrap();
    let ds = dir.join("ds");
    let opts = IngestOptions { today: d("2026-11-25"), period: None, now: "2026-11-25T00:00:00Z".into() };
    ingest(&sources, skipped, &ds, &key, &opts).unwrap();
    ds
}

fn headline(ds: &Path, opts: &Options) -> Value {
    serde_json::to_value(Analysis::open(ds, opts).unwrap().headline().unwrap()).unwrap()
}

/// Compares every number and value of `expected` with `got` (extra keys in `got` allowed).
fn assert_matches(expected: &Value, got: &Value, path: &str) {
    match expected {
        Value::Object(m) => {
            for (k, v) in m {
                assert!(got.get(k).is_some(), "{path}{k} missing");
                assert_matches(v, &got[k], &format!("{path}{k}."));
            }
        }
        Value::Number(n) => {
            let g = got.as_f64().unwrap_or_else(|| panic!("{path} is {got}, expected {n}"));
            assert!((n.as_f64().unwrap() - g).abs() < 1e-12, "{path} is {g}, expected {n}");
        }
        _ => assert_eq!(expected, got, "{path}"),
    }
}

#[test]
fn tiny_sample_gives_expected_headline_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset(&[fixtures().join("cumbria")], tmp.path());
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected-headline.json")).unwrap()).unwrap();
    let got = headline(&ds, &Options { period: year_2023(), ..Options::default() });
    assert_matches(&expected, &got, "");
    // With officer-observed ethnicity as fallback, S21 of CR2 becomes WHITE through IC1.
    let got = headline(&ds, &Options { period: year_2023(), officer_fallback: true, ..Options::default() });
    assert!((got["suspect_ethnicity_recorded_share"].as_f64().unwrap() - 8.0 / 13.0).abs() < 1e-12);
    assert_eq!(got["ethnicity"], "officer-fallback");
}

#[test]
fn the_publication_reads_fewer_columns_and_gets_the_same_answers() {
    use csae_analysis::Columns;
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset(&[fixtures().join("cumbria")], tmp.path());
    let open = |columns| Analysis::open(&ds, &Options { period: year_2023(), columns, ..Options::default() }).unwrap();
    let (publication, all) = (open(Columns::Publication), open(Columns::All));
    let names = |an: &Analysis, view: &str| -> Vec<String> {
        let b = an.query(&format!("SELECT * FROM {view} LIMIT 1")).unwrap();
        b.first().map(|b| b.schema().fields().iter().map(|f| f.name().clone()).collect()).unwrap_or_default()
    };
    // An analyst sees every column; the publication only those its SQL reads (persons are
    // numbered, and crimes' references found by key, for the networks outside SQL).
    for (view, pseudonyms) in [
        ("relationship_records", &["crime_ref", "victim_ref", "suspect_ref", "period"][..]),
        ("victims", &["crime_ref", "person_ref", "pnc_id", "period", "age_derived"][..]),
        ("suspect_records", &["crime_ref", "person_ref", "pnc_id", "age_derived"][..]),
        ("crimes", &["crime_ref", "period", "offence_date_to"][..]),
    ] {
        let (p, a) = (names(&publication, view), names(&all, view));
        for col in pseudonyms {
            assert!(a.iter().any(|n| n == col), "{view} lacks {col} for csae sql: {a:?}");
            assert!(!p.iter().any(|n| n == col), "{view} keeps {col} in the publication: {p:?}");
        }
        assert!(p.iter().any(|n| n == "crime_key") && p.iter().any(|n| n == "force_id"), "{view}: {p:?}");
    }
    // Coded columns stay dictionaries in the publication and are plain text for an analyst.
    let kind = |an: &Analysis, table: &str, col: &str| {
        let b = an.query(&format!("SELECT {col} FROM {table} LIMIT 1")).unwrap();
        b[0].schema().field(0).data_type().clone()
    };
    for (table, col) in [("crimes", "offence_code"), ("crimes", "force_id"), ("victims", "ethnicity"), ("relationships", "relationship")] {
        assert!(matches!(kind(&publication, table, col), datafusion::arrow::datatypes::DataType::Dictionary(..)), "{table}.{col} in the publication");
        assert_eq!(kind(&all, table, col), datafusion::arrow::datatypes::DataType::Utf8, "{table}.{col} for csae sql");
    }
    // The networks, built from person refs, PNC ids and crime refs outside SQL, are the same.
    assert_eq!(publication.networks, all.networks);
    // The same numbers either way.
    assert_eq!(serde_json::to_value(publication.headline().unwrap()).unwrap(), serde_json::to_value(all.headline().unwrap()).unwrap());
    let (tp, ta) = (publication.tables().unwrap(), all.tables().unwrap());
    assert_eq!(tp.len(), ta.len());
    for (p, a) in tp.iter().zip(&ta) {
        assert_eq!((&p.id, &p.values), (&a.id, &a.values), "{} differs", p.id);
    }
}

#[test]
fn count_tables_add_up_and_agree_with_the_headline() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset(&[fixtures().join("cumbria")], tmp.path());
    let an = Analysis::open(&ds, &Options { period: year_2023(), ..Options::default() }).unwrap();
    let h = an.headline().unwrap();
    let tables = an.tables().unwrap();
    for t in tables.iter().filter(|t| t.kind == Kind::Count) {
        let last = t.values.len() - 1;
        let tc = t.cols.len() - 1;
        for row in &t.values {
            let s: f64 = row[..tc].iter().map(|v| v.unwrap()).sum();
            assert_eq!(Some(s), row[tc], "{}: a row does not add up", t.id);
        }
        for c in 0..t.cols.len() {
            let s: f64 = t.values[..last].iter().map(|r| r[c].unwrap()).sum();
            assert_eq!(Some(s), t.values[last][c], "{}: a column does not add up", t.id);
        }
    }
    let total = |id: &str| tables.iter().find(|t| t.id == id).unwrap().get("Total", "Total").unwrap() as u64;
    assert_eq!(total("T01_scale_by_force"), h.csae_crimes);
    assert_eq!(total("T02_scale_by_region"), h.csae_crimes);
    assert_eq!(total("T12_recorded_by_month"), h.csae_crimes);
    assert_eq!(total("T03_offence_group_by_category"), h.group_based_crimes);
    assert_eq!(total("T05_group_size_by_category"), h.group_based_crimes);
    assert_eq!(total("T06_victim_age_by_sex"), h.victim_records);
    assert_eq!(total("T07_suspect_age_by_sex"), h.suspect_records);
    assert_eq!(total("T15_networks_by_size"), h.networks.count);
    let t01 = tables.iter().find(|t| t.id == "T01_scale_by_force").unwrap();
    assert_eq!(t01.rows.len(), 45, "44 forces and the Total row");
    assert_eq!(t01.get("cumbria", "GROUP_BASED"), Some(6.0));
    let t11 = tables.iter().find(|t| t.id == "T11_relationship_by_category").unwrap();
    assert_eq!(t11.get("PARENT", "FAMILIAL"), Some(3.0));
    let q02 = tables.iter().find(|t| t.id == "Q02_validation_by_force").unwrap();
    assert_eq!(q02.get("cumbria", "CRIMES_REJECTED"), Some(4.0));
    assert_eq!(q02.get("cumbria", "OUT_OF_SCOPE"), Some(1.0));
    let q01 = tables.iter().find(|t| t.id == "Q01_completeness_by_force").unwrap();
    assert!((q01.get("cumbria", "SUSPECT_AGE_KNOWN").unwrap() - 1000.0 / 13.0).abs() < 1e-9);
    assert_eq!(q01.get("durham", "SUSPECT_AGE_KNOWN"), None, "no suspects: not applicable");
}

#[test]
fn periods_options_and_empty_periods() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset(&[fixtures().join("cumbria")], tmp.path());
    // A period that cuts the network CR2–CR6 in two leaves no network.
    let h = headline(&ds, &Options { period: Some((d("2023-01-01"), d("2023-06-30"))), ..Options::default() });
    assert_eq!(h["networks"]["count"], 0);
    assert_eq!(h["csae_crimes"], 4);
    // Only CR2 has three accepted suspects.
    let h = headline(&ds, &Options { period: year_2023(), min_suspects: 3, ..Options::default() });
    assert_eq!(h["group_based_crimes"], 1);
    assert_eq!(h["group_based_by_category"]["CSE"], 1);
    // A period with no crimes: an empty but valid headline with null shares.
    let h = headline(&ds, &Options { period: Some((d("2030-01-01"), d("2030-12-31"))), ..Options::default() });
    assert_eq!(h["csae_crimes"], 0);
    assert_eq!(h["forces_with_data"], 0);
    assert!(h["group_based_share"].is_null() && h["familial_share"].is_null() && h["suspect_ethnicity_of_recorded"]["WHITE"].is_null());
    // Default period: the dataset's first to last recorded date.
    let h = headline(&ds, &Options::default());
    assert_eq!(h["period"]["from"], "2023-02-10");
}

/// Writes the sample with each table's data rows in another order.
fn shuffled_copy(dir: &Path, seed: u64) -> PathBuf {
    let out = dir.join(format!("shuffled-{seed}")).join("cumbria");
    std::fs::create_dir_all(&out).unwrap();
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    for t in ["crimes", "victims", "suspects", "relationships"] {
        let text = std::fs::read_to_string(fixtures().join("cumbria").join(format!("{t}.csv"))).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        for i in (1..lines.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            lines.swap(i, (state >> 33) as usize % (i + 1));
        }
        std::fs::write(out.join(format!("{t}.csv")), format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    }
    out
}

#[test]
fn shuffling_rows_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let base = headline(&dataset(&[fixtures().join("cumbria")], tmp.path()), &Options { period: year_2023(), ..Options::default() });
    for seed in 1..=4 {
        let dir = tmp.path().join(format!("s{seed}"));
        let ds = dataset(&[shuffled_copy(tmp.path(), seed)], &dir);
        assert_eq!(headline(&ds, &Options { period: year_2023(), ..Options::default() }), base, "seed {seed}");
    }
}

#[test]
fn sql_is_read_only_and_bad_datasets_are_one_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset(&[fixtures().join("cumbria")], tmp.path());
    let an = Analysis::open(&ds, &Options::default()).unwrap();
    let b = an.query("SELECT count(*) AS n FROM group_crimes").unwrap();
    assert_eq!(b[0].num_rows(), 1);
    for bad in ["DROP TABLE crimes", "CREATE TABLE x AS SELECT 1", "INSERT INTO crimes SELECT * FROM crimes", "SET datafusion.execution.batch_size = 1"] {
        assert!(an.query(bad).is_err(), "{bad}");
    }
    assert!(an.relations().contains(&"group_crimes".to_string()));
    // Missing, damaged, a table with other columns, partial, other schema.
    let e = Analysis::open(&tmp.path().join("nope"), &Options::default()).err().unwrap();
    assert!(e.to_string().contains("is not a dataset folder"), "{e}");
    let file = |t| csae_dataset::return_file(&ds, t, "cumbria", "2023-01-01..2023-12-31");
    let victims_file = file(csae_model::Table::Victims);
    let victims = std::fs::read(&victims_file).unwrap();
    std::fs::write(&victims_file, &victims[..victims.len() / 2]).unwrap();
    let e = Analysis::open(&ds, &Options::default()).err().unwrap();
    assert!(e.to_string().contains("victims/2023-01-01_2023-12-31_cumbria.parquet") && e.to_string().contains("ingest the returns again"), "{e}");
    std::fs::copy(file(csae_model::Table::Crimes), &victims_file).unwrap();
    let e = Analysis::open(&ds, &Options::default()).err().unwrap();
    assert!(e.to_string().contains("victims/2023-01-01_2023-12-31_cumbria.parquet: it does not have the columns of csae.dataset/1"), "{e}");
    std::fs::remove_file(&victims_file).unwrap();
    let e = Analysis::open(&ds, &Options::default()).err().unwrap();
    assert!(e.to_string().contains("victims is missing"), "{e}");
    let m = std::fs::read_to_string(ds.join("manifest.json")).unwrap().replace("csae.dataset/1", "csae.dataset/0");
    std::fs::write(ds.join("manifest.json"), m).unwrap();
    let e = Analysis::open(&ds, &Options::default()).err().unwrap();
    assert!(e.to_string().contains("dataset schema csae.dataset/0"), "{e}");
}

/// `csae_crimes` holds the definition of group-based: the CSAE crimes of the period with
/// `group_based` by the `--min-suspects` given; the tables of all CSAE crimes read it, and
/// `group_crimes`, recency and the relationship counts follow its group-based crimes.
#[test]
fn csae_crimes_carry_the_group_rule_of_the_options() {
    use datafusion::arrow::array::{Array, Int64Array};
    let tmp = tempfile::tempdir().unwrap();
    let ds = dataset(&[fixtures().join("cumbria")], tmp.path());
    for min in [2, 3] {
        let an = Analysis::open(&ds, &Options { period: year_2023(), min_suspects: min, ..Options::default() }).unwrap();
        let h = an.headline().unwrap();
        let ints = |sql: &str| -> Vec<i64> {
            let b = an.query(sql).unwrap();
            let b = b.iter().find(|b| b.num_rows() > 0).unwrap();
            (0..b.num_columns()).map(|c| b.column(c).as_any().downcast_ref::<Int64Array>().unwrap().value(0)).collect()
        };
        let got = ints("SELECT count(*), sum(CASE WHEN group_based THEN 1 ELSE 0 END), sum(CASE WHEN group_based = (n_suspects >= 2) THEN 0 ELSE 1 END) FROM csae_crimes");
        assert_eq!(got[0] as u64, h.csae_crimes, "min {min}");
        assert_eq!(got[1] as u64, h.group_based_crimes, "min {min}");
        // With a minimum of 3 the crimes with exactly two suspects are no longer group-based.
        assert_eq!(got[2] > 0, min == 3, "min {min}");
        assert_eq!(ints("SELECT count(*) FROM group_crimes")[0] as u64, h.group_based_crimes, "min {min}");
        assert_eq!(ints("SELECT count(*) FROM crime_recency")[0] as u64, h.group_based_crimes, "min {min}");
        let outside = "SELECT count(*) FROM crime_relationships r LEFT JOIN group_crimes g ON g.crime_key = r.crime_key WHERE g.crime_key IS NULL";
        assert_eq!(ints(outside)[0], 0, "min {min}");
        assert!(ints("SELECT count(*) FROM crime_relationships")[0] > 0, "min {min}");
        assert_eq!(ints("SELECT count(*) FROM crime_scope WHERE NOT is_csae")[0] as u64, h.out_of_scope_crimes, "min {min}");
        let t01 = an.tables().unwrap().into_iter().find(|t| t.id == "T01_scale_by_force").unwrap();
        assert_eq!(t01.get("cumbria", "GROUP_BASED"), Some(h.group_based_crimes as f64), "min {min}");
    }
}

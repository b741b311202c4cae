//! A synthetic series end to end: each year's row of the series tables is that year's own
//! report, and replacing one force's return for one year changes only that force's cells of
//! that year (and the totals they add to), leaving every other year's files as they were.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csae")).env_remove("CSAE_PSEUDONYM_KEY_FILE").args(args).output().unwrap()
}

fn ok(args: &[&str]) {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}

fn p(x: &Path) -> &str {
    x.to_str().unwrap()
}

/// A wide table CSV as (row code, column code) → text.
fn table(publication: &Path, id: &str) -> HashMap<(String, String), String> {
    let mut r = csv::Reader::from_path(publication.join("tables").join(format!("{id}.csv"))).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut out = HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        for (c, col) in header.iter().enumerate().skip(2) {
            out.insert((rec[0].to_string(), col.clone()), rec[c].to_string());
        }
    }
    out
}

fn cell(t: &HashMap<(String, String), String>, r: &str, c: &str) -> String {
    t.get(&(r.to_string(), c.to_string())).unwrap_or_else(|| panic!("no cell ({r}, {c})")).clone()
}

fn report(ds: &Path, out: &Path, year: i32) {
    ok(&["report", p(ds), "--out", p(out), "--disclosure", "internal", "--period", &format!("{year}-01-01..{year}-12-31"), "--allow-empty"]);
}

struct Series {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    ds: PathBuf,
    key: PathBuf,
}

const YEARS: [i32; 3] = [2021, 2022, 2023];

fn series() -> Series {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("returns");
    ok(&["synth", "--out", p(&root), "--years", "2021..2023", "--scale", "0.02"]);
    let key = tmp.path().join("k.key");
    ok(&["key", "new", p(&key)]);
    let ds = tmp.path().join("ds");
    let years: Vec<PathBuf> = YEARS.iter().map(|y| root.join(y.to_string())).collect();
    let mut args = vec!["ingest"];
    args.extend(years.iter().map(|y| p(y)));
    args.extend(["--out", p(&ds), "--key-file", p(&key)]);
    ok(&args);
    Series { root, ds, key, _tmp: tmp }
}

#[test]
fn each_years_row_of_the_series_is_that_years_own_report() {
    let s = series();
    let tmp = tempfile::tempdir().unwrap();
    let main = tmp.path().join("2023");
    report(&s.ds, &main, 2023);
    let (s01, s02, s03, s04, s05) = (table(&main, "S01_scale_by_year"), table(&main, "S02_group_based_by_force_and_year"), table(&main, "S03_category_by_year"), table(&main, "S04_suspect_age_by_year"), table(&main, "S05_suspect_ethnicity_by_year"));
    for y in YEARS {
        let own = tmp.path().join(format!("own{y}"));
        report(&s.ds, &own, y);
        let ys = y.to_string();
        let (t01, t03, t07, t08) = (table(&own, "T01_scale_by_force"), table(&own, "T03_offence_group_by_category"), table(&own, "T07_suspect_age_by_sex"), table(&own, "T08_suspect_ethnicity_by_category"));
        for c in ["GROUP_BASED", "NOT_GROUP_BASED", "Total"] {
            assert_eq!(cell(&s01, &ys, c), cell(&t01, "Total", c), "S01 {y} {c}");
        }
        for f in csae_model::forces() {
            assert_eq!(cell(&s02, &f.id, &ys), cell(&t01, &f.id, "GROUP_BASED"), "S02 {} {y}", f.id);
        }
        for code in csae_model::code_list("cocad_category").codes.iter().map(|c| c.code.as_str()) {
            assert_eq!(cell(&s03, &ys, code), cell(&t03, "Total", code), "S03 {y} {code}");
        }
        for band in ["UNDER_10", "10_17", "18_24", "25_34", "35_44", "45_54", "55_64", "65_PLUS", "UNKNOWN", "Total"] {
            assert_eq!(cell(&s04, &ys, band), cell(&t07, band, "Total"), "S04 {y} {band}");
        }
        for g in ["ASIAN", "BLACK", "MIXED", "WHITE", "OTHER", "NOT_RECORDED", "Total"] {
            assert_eq!(cell(&s05, &ys, g), cell(&t08, g, "Total"), "S05 {y} {g}");
        }
    }
    // Persons reappear: some suspects of later years were suspects before, none in the first.
    let s06 = table(&main, "S06_repeat_suspects_by_year");
    assert_eq!(cell(&s06, "2021", "REPEAT"), "0");
    assert!(cell(&s06, "2023", "REPEAT").parse::<u64>().unwrap() > 0);
    let h: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(main.join("headline.json")).unwrap()).unwrap();
    assert_eq!(h["series"]["years"], serde_json::json!(YEARS));
    assert_eq!(h["repeat_suspects"]["repeat"].as_u64().unwrap().to_string(), cell(&s06, "2023", "REPEAT"));
    assert_eq!(h["change"]["previous_year"], 2022);
    // --series-years 2 shows the last two years only.
    let short = tmp.path().join("short");
    ok(&["report", p(&s.ds), "--out", p(&short), "--disclosure", "internal", "--period", "2023-01-01..2023-12-31", "--series-years", "2"]);
    let s01 = table(&short, "S01_scale_by_year");
    assert!(!s01.contains_key(&("2021".to_string(), "Total".to_string())) && s01.contains_key(&("2022".to_string(), "Total".to_string())));
    // A period that is not a calendar year has no series, and says so.
    let part = tmp.path().join("part");
    ok(&["report", p(&s.ds), "--out", p(&part), "--disclosure", "internal", "--period", "2023-01-01..2023-06-30"]);
    assert!(!part.join("tables/S01_scale_by_year.csv").exists());
    assert!(std::fs::read_to_string(part.join("report.html")).unwrap().contains("is not one calendar year, so it has no series"));
}

#[test]
fn replacing_one_forces_year_changes_only_its_cells_and_files() {
    let s = series();
    let tmp = tempfile::tempdir().unwrap();
    let before = tmp.path().join("before");
    report(&s.ds, &before, 2023);
    // Every file but cumbria's of 2022 is kept as it was.
    let force = "cumbria";
    let replaced = format!("2022-01-01_2022-12-31_{force}.parquet");
    let kept: Vec<(PathBuf, Vec<u8>)> = ["crimes", "victims", "suspects", "relationships"]
        .iter()
        .flat_map(|t| std::fs::read_dir(s.ds.join(t)).unwrap().map(|e| e.unwrap().path()))
        .filter(|f| !f.ends_with(&replaced))
        .map(|f| (f.clone(), std::fs::read(&f).unwrap()))
        .collect();
    assert!(kept.len() > 4 * 100, "{}", kept.len());
    // Cumbria's 2022 return loses its first five crimes (CSAE crimes among them).
    let crimes = s.root.join("2022").join(force).join("crimes.csv");
    let text = std::fs::read_to_string(&crimes).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.drain(1..6);
    std::fs::write(&crimes, lines.join("\n") + "\n").unwrap();
    ok(&["ingest", p(&s.root.join("2022").join(force)), "--out", p(&s.ds), "--key-file", p(&s.key)]);
    for (f, b) in &kept {
        assert_eq!(&std::fs::read(f).unwrap(), b, "{} was rewritten", f.display());
    }
    let after = tmp.path().join("after");
    report(&s.ds, &after, 2023);
    let (a, b) = (table(&before, "S02_group_based_by_force_and_year"), table(&after, "S02_group_based_by_force_and_year"));
    let may_change = |r: &str, c: &str| (r == force || r == "Total") && (c == "2022" || c == "Total");
    for ((r, c), v) in &a {
        if !may_change(r, c) {
            assert_eq!(Some(v), b.get(&(r.clone(), c.clone())), "S02 ({r}, {c}) changed");
        }
    }
    let (a, b) = (table(&before, "S01_scale_by_year"), table(&after, "S01_scale_by_year"));
    for ((r, c), v) in &a {
        if r != "2022" && r != "Total" {
            assert_eq!(Some(v), b.get(&(r.clone(), c.clone())), "S01 ({r}, {c}) changed");
        }
    }
    assert_ne!(cell(&a, "2022", "Total"), cell(&b, "2022", "Total"), "the removed crime is gone from 2022");
}

/// Every file of a folder with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn a_crash_at_any_step_of_replacing_a_force_year_leaves_the_series_intact() {
    let s = series();
    let tmp = tempfile::tempdir().unwrap();
    let before = tmp.path().join("before");
    report(&s.ds, &before, 2023);
    let force_year = s.root.join("2022").join("cumbria");
    let crimes = force_year.join("crimes.csv");
    let text = std::fs::read_to_string(&crimes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&crimes, lines[..lines.len() - 3].join("\n") + "\n").unwrap();
    let old = snapshot(&s.ds);
    for point in ["after-validate", "after-table", "before-commit"] {
        let o = Command::new(env!("CARGO_BIN_EXE_csae"))
            .env_remove("CSAE_PSEUDONYM_KEY_FILE")
            .env("CSAE_CRASH_AT", point)
            .args(["ingest", p(&force_year), "--out", p(&s.ds), "--key-file", p(&s.key)])
            .output()
            .unwrap();
        assert!(!o.status.success(), "{point}: the crash hook fired");
        assert!(snapshot(&s.ds) == old, "{point}: the series' dataset is untouched");
    }
    let after = tmp.path().join("after");
    report(&s.ds, &after, 2023);
    for id in ["S01_scale_by_year", "S02_group_based_by_force_and_year", "S06_repeat_suspects_by_year"] {
        assert_eq!(table(&before, id), table(&after, id), "{id}");
    }
}

/// The history queries of a validation report, as (rule, force, month) per return.
fn reported_queries(report: &serde_json::Value) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for (key, f) in report["forces"].as_object().unwrap() {
        let force = key.rsplit('/').next().unwrap().to_string();
        assert_eq!(f["history"]["compared"], true, "{key} compared with its previous year");
        for q in f["history"]["queries"].as_array().unwrap() {
            out.push((q["rule"].as_str().unwrap().to_string(), force.clone(), q["month"].as_str().map(str::to_string)));
        }
    }
    out.sort();
    out
}

#[test]
fn history_checks_raise_exactly_the_queries_the_series_was_made_with() {
    let s = series();
    let tmp = tempfile::tempdir().unwrap();
    let mut raised = Vec::new();
    for y in [2022, 2023] {
        let json = tmp.path().join(format!("v{y}.json"));
        let o = run(&["validate", p(&s.root.join(y.to_string())), "--history", p(&s.ds), "--json", p(&json)]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let injected: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(s.root.join(y.to_string()).join("injected.json")).unwrap()).unwrap();
        let mut expected: Vec<(String, String, Option<String>)> = injected["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| (q["rule"].as_str().unwrap().to_string(), q["force_id"].as_str().unwrap().to_string(), q["month"].as_str().map(str::to_string)))
            .collect();
        expected.sort();
        assert_eq!(reported_queries(&report), expected, "{y}");
        // Figures too: every query's previous and current figures are the injected ones.
        let figures: Vec<(serde_json::Value, serde_json::Value)> = injected["history"].as_array().unwrap().iter().map(|q| (q["previous"].clone(), q["current"].clone())).collect();
        for f in report["forces"].as_object().unwrap().values() {
            for q in f["history"]["queries"].as_array().unwrap() {
                assert!(figures.contains(&(q["previous"].clone(), q["current"].clone())), "{q}");
            }
        }
        // The terminal summary shows them as a block per return.
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(text.matches("  history: ").count(), 44, "{text}");
        for (rule, _, _) in &expected {
            assert!(text.contains(&format!("    {rule}  ")), "{rule} in {text}");
        }
        raised.extend(expected.into_iter().map(|q| q.0));
    }
    // The series is made to raise the recording changes and the missing month in its later years.
    assert!(raised.contains(&"H01".to_string()) && raised.contains(&"H03".to_string()), "{raised:?}");
    // The first year has nothing before it, and says so.
    let o = run(&["validate", p(&s.root.join("2021")), "--history", p(&s.ds)]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("history: the dataset has no return of this force for 2020-01-01..2020-12-31; nothing compared"));
    // A folder that is not a dataset is refused in one line, exit 2.
    let o = run(&["validate", p(&s.root.join("2023")), "--history", p(&s.root)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("--history"), "{err}");
}

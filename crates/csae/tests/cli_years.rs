//! Collection folders named after a year declare their returns' period: crimes recorded
//! outside it are rejected (`C08`), one force can be given once per year, and a folder named
//! like a year that is not one, or a `--period` that disagrees, is refused in one sentence.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csae")).env_remove("CSAE_PSEUDONYM_KEY_FILE").args(args).output().unwrap()
}

fn out(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn p(x: &Path) -> &str {
    x.to_str().unwrap()
}

fn tiny() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny/cumbria")
}

/// Every ISO date of a text moved `by` years (dates of birth too, so ages stay as they were).
fn shift_years(text: &str, by: i32) -> String {
    let mut s = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let date = b.len() - i >= 10 && b[i..i + 4].iter().all(u8::is_ascii_digit) && b[i + 4] == b'-' && b[i + 7] == b'-' && (i == 0 || !b[i - 1].is_ascii_digit());
        if date {
            let y: i32 = text[i..i + 4].parse().unwrap();
            s.push_str(&format!("{:04}", y + by));
            i += 4;
        } else {
            s.push(b[i] as char);
            i += 1;
        }
    }
    s
}

/// The sample's return copied into `root/<year>/cumbria`, its dates moved to that year.
fn year_return(root: &Path, year: i32) -> PathBuf {
    let dir = root.join(year.to_string()).join("cumbria");
    std::fs::create_dir_all(&dir).unwrap();
    for f in std::fs::read_dir(tiny()).unwrap() {
        let f = f.unwrap().path();
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(dir.join(f.file_name().unwrap()), shift_years(&text, year - 2023)).unwrap();
    }
    dir
}

/// The sample as 2022 and 2023 returns under `dir/series`, and a key.
fn two_years(dir: &Path) -> (PathBuf, PathBuf) {
    let root = dir.join("series");
    year_return(&root, 2022);
    year_return(&root, 2023);
    let key = dir.join("k.key");
    assert!(run(&["key", "new", p(&key)]).status.success());
    (root, key)
}

fn validation(args: &[&str], json: &Path) -> serde_json::Value {
    let mut all = vec!["validate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--json", p(json)]);
    let o = run(&all);
    assert!(o.status.code() == Some(0) || o.status.code() == Some(1), "{}", out(&o));
    serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
}

#[test]
fn a_year_folder_declares_the_period_of_its_returns() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("series");
    year_return(&root, 2023);
    // The sample's return in a 2022 folder: its 2023 crimes are outside the declared year.
    let wrong = root.join("wrong").join("2022").join("cumbria");
    std::fs::create_dir_all(&wrong).unwrap();
    for f in std::fs::read_dir(tiny()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, wrong.join(f.file_name().unwrap())).unwrap();
    }
    let plain = validation(&[p(&tiny())], &tmp.path().join("plain.json"));
    let in_year = validation(&[p(&root.join("2023"))], &tmp.path().join("2023.json"));
    let misfiled = validation(&[p(&wrong)], &tmp.path().join("2022.json"));
    // In its own year the return is checked as without a folder; its name in the report says the year.
    let (a, b) = (&plain["forces"]["cumbria"], &in_year["forces"]["2023/cumbria"]);
    assert_eq!(a["tables"], b["tables"], "{in_year}");
    assert_eq!(a["rules"], b["rules"]);
    let c08 = misfiled["forces"]["2022/cumbria"]["rules"]["C08"].as_u64().unwrap_or(0);
    assert!(c08 >= 10, "{misfiled}");
    assert_eq!(misfiled["forces"]["2022/cumbria"]["tables"]["crimes"]["accepted"], 0);
}

#[test]
fn several_years_of_one_force_are_ingested_at_once_and_kept_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, key) = two_years(tmp.path());
    let ds = tmp.path().join("ds");
    let o = run(&["ingest", p(&root.join("2022")), p(&root.join("2023")), "--out", p(&ds), "--key-file", p(&key)]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("2022/cumbria: accepted") && out(&o).contains("2023/cumbria: accepted"), "{}", out(&o));
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(ds.join("manifest.json")).unwrap()).unwrap();
    let mut periods: Vec<String> = manifest["returns"].as_array().unwrap().iter().map(|r| format!("{} {}", r["force_id"].as_str().unwrap(), r["period"].as_str().unwrap())).collect();
    periods.sort();
    assert_eq!(periods, ["cumbria 2022-01-01..2022-12-31", "cumbria 2023-01-01..2023-12-31"]);
    let per_year = |ds: &Path| {
        let o = run(&["sql", p(ds), "SELECT period, count(*) AS n FROM crimes GROUP BY period ORDER BY period"]);
        assert!(o.status.success(), "{}", out(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let both = per_year(&ds);
    assert!(both.contains("2022-01-01..2022-12-31") && both.contains("2023-01-01..2023-12-31"), "{both}");
    // Replacing one year's return leaves the other year's data as it was: its files are the
    // same files (same inode), and only the replaced year's are written again.
    use std::os::unix::fs::MetadataExt;
    let inodes = |ds: &Path, year: &str| -> Vec<u64> {
        csae_model::Table::ALL.iter().map(|&t| std::fs::metadata(csae_dataset::return_file(ds, t, "cumbria", &format!("{year}-01-01..{year}-12-31"))).unwrap().ino()).collect()
    };
    let (old_2022, old_2023) = (inodes(&ds, "2022"), inodes(&ds, "2023"));
    let o = run(&["ingest", p(&root.join("2023")), "--out", p(&ds), "--key-file", p(&key)]);
    assert!(o.status.success() && out(&o).contains("replaced earlier data of cumbria for 2023-01-01..2023-12-31"), "{}", out(&o));
    assert!(!out(&o).contains("for 2022-"), "{}", out(&o));
    assert_eq!(per_year(&ds), both);
    assert_eq!(inodes(&ds, "2022"), old_2022, "the 2022 files are kept as they were");
    assert!(inodes(&ds, "2023").iter().zip(&old_2023).all(|(a, b)| a != b), "the 2023 files are written again");
}

/// Datasets written before returns were stored apart (one file per table, or one file per
/// period) are read as they are, and the next ingest writes a file per return, keeping every
/// other return's rows.
#[test]
fn older_layouts_are_read_and_then_rewritten_a_file_per_return() {
    for single in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        let (root, key) = two_years(tmp.path());
        let (ds, fresh) = (tmp.path().join("ds"), tmp.path().join("fresh"));
        assert!(run(&["ingest", p(&root.join("2022")), "--out", p(&ds), "--key-file", p(&key)]).status.success());
        let period = "2022-01-01..2022-12-31";
        for t in csae_model::Table::ALL {
            let file = csae_dataset::return_file(&ds, t, "cumbria", period);
            if single {
                std::fs::rename(&file, csae_dataset::single_table_file(&ds, t)).unwrap();
                std::fs::remove_dir(csae_dataset::table_dir(&ds, t)).unwrap();
            } else {
                std::fs::rename(&file, csae_dataset::period_file(&ds, t, period)).unwrap();
            }
        }
        // The older quarantine: a folder per return, named in the manifest.
        let legacy = ds.join("quarantine/cumbria/2022-01-01_2022-12-31");
        std::fs::create_dir_all(&legacy).unwrap();
        let prefix = "2022-01-01_2022-12-31_cumbria.";
        let mut moved = Vec::new();
        for e in std::fs::read_dir(ds.join("quarantine")).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(rest) = name.strip_prefix(prefix) {
                std::fs::rename(e.path(), legacy.join(rest)).unwrap();
                moved.push(rest.to_string());
            }
        }
        assert!(moved.contains(&"issues.csv".to_string()), "{moved:?}");
        let manifest = ds.join("manifest.json");
        let text = std::fs::read_to_string(&manifest).unwrap().replace("\"quarantine/2022-01-01_2022-12-31_cumbria\"", "\"quarantine/cumbria/2022-01-01_2022-12-31\"");
        std::fs::write(&manifest, text).unwrap();
        let count = |ds: &Path| {
            let o = run(&["sql", p(ds), "SELECT period, count(*) AS n FROM victims GROUP BY period ORDER BY period"]);
            assert!(o.status.success(), "{}", out(&o));
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        let before = count(&ds);
        assert!(before.contains(period), "{before}");
        assert!(run(&["ingest", p(&root.join("2023")), "--out", p(&ds), "--key-file", p(&key)]).status.success());
        assert!(run(&["ingest", p(&root.join("2022")), p(&root.join("2023")), "--out", p(&fresh), "--key-file", p(&key)]).status.success());
        for t in csae_model::Table::ALL {
            assert!(!csae_dataset::single_table_file(&ds, t).exists() && !csae_dataset::period_file(&ds, t, period).exists(), "{t}: written a file per return");
            assert!(csae_dataset::return_file(&ds, t, "cumbria", period).is_file(), "{t}");
            let read = |ds: &Path| csae_dataset::read_table_without(ds, t, &[]).unwrap();
            assert_eq!(read(&ds), read(&fresh), "{t}");
        }
        assert_eq!(count(&ds), count(&fresh));
        for f in &moved {
            assert!(ds.join("quarantine/cumbria/2022-01-01_2022-12-31").join(f).is_file(), "{f} kept in its folder");
        }
        assert!(ds.join("quarantine/2023-01-01_2023-12-31_cumbria.issues.csv").is_file());
    }
}

#[test]
fn bad_year_folders_and_disagreeing_periods_are_refused_in_one_sentence() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("series");
    let good = year_return(&root, 2023);
    // A folder named like a year that is not one.
    let typo = tmp.path().join("2O23").join("cumbria");
    std::fs::create_dir_all(&typo).unwrap();
    std::fs::copy(good.join("crimes.csv"), typo.join("crimes.csv")).unwrap();
    // The same force twice for one year.
    let again = tmp.path().join("other").join("2023");
    std::fs::create_dir_all(&again).unwrap();
    let again_cumbria = year_return(&tmp.path().join("other"), 2023);
    assert!(again_cumbria.starts_with(&again));
    let (in_year, typo_dir) = (root.join("2023"), typo.parent().unwrap().to_path_buf());
    let tiny = tiny();
    let cases: [(Vec<&str>, &str); 5] = [
        (vec!["validate", p(&typo)], "is named like a year but \"2O23\" is not one"),
        (vec!["validate", p(&typo_dir)], "is named like a year"),
        (vec!["validate", p(&in_year), "--period", "2022-01-01..2022-12-31"], "which declares its period, but --period says 2022-01-01..2022-12-31"),
        (vec!["validate", p(&in_year), p(&again)], "give one return per force and year"),
        (vec!["validate", p(&in_year), p(&tiny)], "one is in a year folder and one is not"),
    ];
    for (args, want) in cases {
        let o = run(&args);
        let text = out(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {text}");
        assert!(text.contains(want), "{args:?}: {text}");
        assert_eq!(text.trim().lines().count(), 1, "one sentence: {text}");
        assert!(!text.contains("panicked"));
    }
    // The same --period as the folder's year is no conflict.
    let o = run(&["validate", p(&root.join("2023")), "--period", "2023-01-01..2023-12-31"]);
    assert!(o.status.code() == Some(0) || o.status.code() == Some(1), "{}", out(&o));
}

/// A wide table CSV as (row code, column code) → text.
fn wide_csv(path: &Path) -> std::collections::HashMap<(String, String), String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut out = std::collections::HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        for (c, col) in header.iter().enumerate().skip(2) {
            out.insert((rec[0].to_string(), col.clone()), rec[c].to_string());
        }
    }
    out
}

fn series_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny-series")
}

fn headline_of(ds: &Path, publication: &Path, period: &str) -> serde_json::Value {
    let o = run(&["report", p(ds), "--out", p(publication), "--disclosure", "internal", "--period", period]);
    assert!(o.status.success(), "{}", out(&o));
    serde_json::from_str(&std::fs::read_to_string(publication.join("headline.json")).unwrap()).unwrap()
}

/// The hand-made second year (fixtures/tiny-series): its validation, its own year's figures and
/// the suspect who reappears, as worked out by hand in expected-series.json.
#[test]
fn the_hand_made_second_year_gives_its_worked_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let expected: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(series_fixture().join("expected-series.json")).unwrap()).unwrap();
    // 2023 is the hand-made sample itself, in a folder that declares its year.
    let y2023 = tmp.path().join("2023").join("cumbria");
    std::fs::create_dir_all(&y2023).unwrap();
    for f in std::fs::read_dir(tiny()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, y2023.join(f.file_name().unwrap())).unwrap();
    }
    let y2022 = series_fixture().join("2022");
    let v = validation(&[p(&y2022)], &tmp.path().join("v.json"));
    let got = &v["forces"]["2022/cumbria"];
    let want = &expected["validation_2022"];
    for t in ["crimes", "victims", "suspects", "relationships"] {
        assert_eq!(got["tables"][t]["read"], want["read"][t], "{t} read");
        assert_eq!(got["tables"][t]["rejected"], want["rejected"][t], "{t} rejected");
    }
    assert_eq!(got["rules"], want["rules"]);
    assert_eq!(got["warnings"].as_object().map_or(0, |w| w.len()), 0);

    let key = tmp.path().join("k.key");
    assert!(run(&["key", "new", p(&key)]).status.success());
    let ds = tmp.path().join("ds");
    let o = run(&["ingest", p(&y2022), p(&tmp.path().join("2023")), "--out", p(&ds), "--key-file", p(&key)]);
    assert!(o.status.success(), "{}", out(&o));
    let h2022 = headline_of(&ds, &tmp.path().join("p2022"), "2022-01-01..2022-12-31");
    for (k, v) in expected["headline_2022"].as_object().unwrap() {
        assert_eq!(&h2022[k], v, "2022 {k}");
    }
    let h2023 = headline_of(&ds, &tmp.path().join("p2023"), "2023-01-01..2023-12-31");
    let s01 = &expected["S01_scale_by_year"];
    assert_eq!((&h2023["csae_crimes"], &h2023["group_based_crimes"]), (&s01["2023"]["Total"], &s01["2023"]["GROUP_BASED"]));
    assert_eq!(h2023["distinct_identified_suspects"], expected["S06_repeat_suspects_by_year"]["2023"]["Total"]);
    // The series tables and headline additions, worked by hand.
    for id in ["S01_scale_by_year", "S06_repeat_suspects_by_year", "C01_change_by_force"] {
        let got = wide_csv(&tmp.path().join("p2023/tables").join(format!("{id}.csv")));
        for (row, cells) in expected[id].as_object().unwrap() {
            for (col, want) in cells.as_object().unwrap() {
                let want = want.as_u64().map_or_else(|| want.as_str().unwrap().to_string(), |n| n.to_string());
                assert_eq!(got.get(&(row.clone(), col.clone())), Some(&want), "{id} ({row}, {col})");
            }
        }
    }
    for (k, v) in expected["headline_2023_additions"].as_object().unwrap() {
        assert_eq!(&h2023[k], v, "2023 {k}");
    }
    // The repeat suspect: one person is a suspect in both years (pseudonyms are stable across
    // years because the dataset has one key).
    let o = run(&["sql", p(&ds), "SELECT count(DISTINCT a.person_ref) AS repeat FROM suspects a JOIN suspects b ON a.person_ref = b.person_ref AND a.period < b.period"]);
    assert!(o.status.success(), "{}", out(&o));
    let repeat = expected["S06_repeat_suspects_by_year"]["2023"]["REPEAT"].as_u64().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("| {repeat} ")), "{}", out(&o));
}

/// Revisions: a publication compared with an earlier one names what changed; a folder that is
/// not a publication, or one of the other disclosure mode, is refused in one sentence (exit 2).
#[test]
fn revisions_against_a_previous_publication() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, key) = two_years(tmp.path());
    let (y2022, y2023) = (root.join("2022"), root.join("2023"));
    let ds = tmp.path().join("ds");
    assert!(run(&["ingest", p(&y2022), "--out", p(&ds), "--key-file", p(&key)]).status.success());
    let year = "2023-01-01..2023-12-31";
    let first = tmp.path().join("first");
    let o = run(&["report", p(&ds), "--out", p(&first), "--disclosure", "internal", "--period", "2022-01-01..2022-12-31", "--allow-empty"]);
    assert!(o.status.success(), "{}", out(&o));
    // Same publication again: nothing changed.
    let same = tmp.path().join("same");
    let o = run(&["report", p(&ds), "--out", p(&same), "--disclosure", "internal", "--period", "2022-01-01..2022-12-31", "--previous", p(&first)]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(!same.join("tables/V01_revisions.csv").exists());
    let page = std::fs::read_to_string(same.join("report.html")).unwrap();
    assert!(page.contains("No force's data changed") && page.contains("No published figure changed"), "revisions section");
    // Cumbria's 2023 return is replaced by one without crime CR3: the changed figures
    // and the return are named, and 2022 is not.
    assert!(run(&["ingest", p(&y2022), p(&y2023), "--out", p(&ds), "--key-file", p(&key)]).status.success());
    let before = tmp.path().join("before");
    assert!(run(&["report", p(&ds), "--out", p(&before), "--disclosure", "internal", "--period", year]).status.success());
    let crimes = y2023.join("cumbria/crimes.csv");
    let text = std::fs::read_to_string(&crimes).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("cumbria,CR3,")).collect();
    assert!(kept.len() < text.lines().count());
    std::fs::write(&crimes, kept.join("\n") + "\n").unwrap();
    assert!(run(&["ingest", p(&y2023), "--out", p(&ds), "--key-file", p(&key)]).status.success());
    let second = tmp.path().join("second");
    let o = run(&["report", p(&ds), "--out", p(&second), "--disclosure", "internal", "--period", year, "--previous", p(&before)]);
    assert!(o.status.success(), "{}", out(&o));
    let v01 = wide_csv(&second.join("tables/V01_revisions.csv"));
    let h1: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(before.join("headline.json")).unwrap()).unwrap();
    let h2: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(second.join("headline.json")).unwrap()).unwrap();
    let row = |k: &str| ["PREVIOUS", "CURRENT", "DIFFERENCE"].map(|c| v01.get(&(k.to_string(), c.to_string())).cloned());
    let mut changed = 0;
    for k in ["csae_crimes", "out_of_scope_crimes", "group_based_crimes", "victim_records", "suspect_records"] {
        let (a, b) = (h1[k].as_i64().unwrap(), h2[k].as_i64().unwrap());
        if a == b {
            assert_eq!(row(k), [None, None, None], "{k} did not change");
        } else {
            changed += 1;
            assert_eq!(row(k), [Some(a.to_string()), Some(b.to_string()), Some((b - a).to_string())], "{k}");
        }
    }
    assert!(changed > 0, "removing a crime changes a count");
    let page = std::fs::read_to_string(second.join("report.html")).unwrap();
    assert!(page.contains("Data changed since the previous publication for: Cumbria (2023-01-01 to 2023-12-31)."), "names the return");
    // Refusals.
    for (prev, why) in [(ds.clone(), "is not a csae publication"), (tmp.path().join("nowhere"), "is not a csae publication")] {
        let o = run(&["report", p(&ds), "--out", p(&tmp.path().join("x")), "--period", year, "--previous", p(&prev)]);
        assert_eq!(o.status.code(), Some(2), "{}", out(&o));
        assert!(out(&o).contains(why) && out(&o).lines().count() == 1, "{}", out(&o));
    }
    let o = run(&["report", p(&ds), "--out", p(&tmp.path().join("x")), "--period", year, "--previous", p(&before)]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("was built with --disclosure internal"), "{}", out(&o));
    assert!(!tmp.path().join("x").exists(), "nothing written");
}

/// A series with a gap year is valid but incomplete: the gap is named in the outputs, and the
/// change on the year before is not given (there is no year before).
#[test]
fn a_gap_year_is_named_and_no_change_is_given() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("series");
    year_return(&root, 2021);
    year_return(&root, 2023);
    let key = tmp.path().join("k.key");
    assert!(run(&["key", "new", p(&key)]).status.success());
    let ds = tmp.path().join("ds");
    assert!(run(&["ingest", p(&root.join("2021")), p(&root.join("2023")), "--out", p(&ds), "--key-file", p(&key)]).status.success());
    let publication = tmp.path().join("p");
    let h = headline_of(&ds, &publication, "2023-01-01..2023-12-31");
    assert_eq!(h["series"]["years"], serde_json::json!([2021, 2023]));
    assert_eq!((&h["change"]["previous_year"], &h["change"]["group_based_change_share"]), (&serde_json::Value::Null, &serde_json::Value::Null));
    assert!(!publication.join("tables/C01_change_by_force.csv").exists(), "no year before, no C01");
    let s01 = wide_csv(&publication.join("tables/S01_scale_by_year.csv"));
    assert!(s01.contains_key(&("2021".to_string(), "Total".to_string())) && !s01.contains_key(&("2022".to_string(), "Total".to_string())));
    let metadata = std::fs::read_to_string(publication.join("tables/metadata.json")).unwrap();
    assert!(metadata.contains("(no data for 2022)"), "the tables' titles name the gap");
    let page = std::fs::read_to_string(publication.join("report.html")).unwrap();
    assert!(page.contains("The dataset has no data for 2022"), "the report names the gap");
    assert!(page.contains("The dataset has no figures for 2022 to compare with"), "no change is given");
}

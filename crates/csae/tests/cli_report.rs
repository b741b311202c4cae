//! `csae report`, `csae sql` and `csae demo` from the command line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn csae(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csae")).args(args).env_remove("CSAE_PSEUDONYM_KEY_FILE").output().unwrap()
}

fn p(x: &Path) -> &str {
    x.to_str().unwrap()
}

fn tiny_dataset(dir: &Path) -> PathBuf {
    let tiny = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny/cumbria");
    let key = dir.join("k");
    assert!(csae(&["key", "new", p(&key)]).status.success());
    let ds = dir.join("ds");
    assert!(csae(&["ingest", p(&tiny), "--out", p(&ds), "--key-file", p(&key)]).status.success());
    ds
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn report_writes_the_headline_and_tables_of_the_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tiny_dataset(tmp.path());
    let out = tmp.path().join("pub");
    let o = csae(&["report", p(&ds), "--out", p(&out), "--disclosure", "internal", "--period", "2023-01-01..2023-12-31"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let h: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("headline.json")).unwrap()).unwrap();
    assert_eq!(h["group_based_crimes"], 6);
    assert_eq!(h["marking"], "OFFICIAL-SENSITIVE");
    let t01 = std::fs::read_to_string(out.join("tables/T01_scale_by_force.csv")).unwrap();
    // The header is the first line; the marking is in README.txt and tables/metadata.json.
    assert_eq!(t01.lines().next(), Some("force,label,GROUP_BASED,NOT_GROUP_BASED,Total"), "{t01}");
    let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("tables/metadata.json")).unwrap()).unwrap();
    assert!(meta.to_string().contains("OFFICIAL-SENSITIVE"), "{meta}");
    assert!(t01.contains("\ncumbria,Cumbria,6,1,7\n"), "{t01}");
    assert!(t01.ends_with("Total,Total,6,1,7\n"), "{t01}");
    // No pseudonym of the dataset appears in any published file.
    let o = csae(&["sql", p(&ds), "SELECT crime_ref AS x FROM crimes UNION ALL SELECT person_ref FROM suspects UNION ALL SELECT person_ref FROM victims"]);
    let listing = String::from_utf8_lossy(&o.stdout).into_owned();
    let pseudonyms: Vec<&str> = listing.split(|c: char| !c.is_ascii_hexdigit()).filter(|w| w.len() == 64).collect();
    assert!(pseudonyms.len() > 30, "{listing}");
    for (f, text) in publication_text(&out) {
        assert!(pseudonyms.iter().all(|ps| !text.contains(ps)), "{} holds a pseudonym", f.display());
    }
    // Rerun replaces in place; a folder that is not a publication is refused.
    assert!(csae(&["report", p(&ds), "--out", p(&out), "--disclosure", "internal"]).status.success());
    std::fs::write(tmp.path().join("mine.txt"), "x").unwrap();
    let o = csae(&["report", p(&ds), "--out", p(tmp.path()), "--disclosure", "internal"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn report_errors_are_one_sentence_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let o = csae(&["report", p(&tmp.path().join("nope")), "--out", p(&tmp.path().join("o")), "--disclosure", "internal"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a dataset folder") && stderr(&o).lines().count() == 1, "{}", stderr(&o));
    let ds = tiny_dataset(tmp.path());
    let o = csae(&["report", p(&ds), "--out", p(&tmp.path().join("o")), "--min-cell", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--min-cell"), "{}", stderr(&o));
    // An empty period, when asked for, is a valid publication with null shares.
    let o = csae(&["report", p(&ds), "--out", p(&tmp.path().join("o")), "--disclosure", "internal", "--period", "2030-01-01..2030-12-31", "--allow-empty"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn sql_answers_queries_and_refuses_anything_else() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tiny_dataset(tmp.path());
    let o = csae(&["sql", p(&ds), "SELECT category, count(*) AS n FROM group_crimes GROUP BY category ORDER BY category"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("FAMILIAL") && out.contains("| 2 "), "{out}");
    for bad in ["DROP TABLE crimes", "COPY crimes TO '/tmp/x.csv'", "SELEC nonsense"] {
        let o = csae(&["sql", p(&ds), bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert_eq!(stderr(&o).lines().count(), 1, "{bad}: {}", stderr(&o));
    }
    let o = csae(&["sql", p(&ds), "--list"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("suspect_records"));
    // A reader that stops early (`| head`) ends the output without a panic.
    let mut child = Command::new(env!("CARGO_BIN_EXE_csae"))
        .args(["sql", p(&ds), "SELECT * FROM victims"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success() && !stderr(&o).contains("panicked"), "{:?} {}", o.status, stderr(&o));
}

#[test]
fn demo_runs_the_pipeline_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let o = csae(&["demo", "--out", p(&out), "--scale", "0.02"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("group-based") && text.contains("report.html"), "{text}");
    for f in ["headline.json", "report.html", "tables.xlsx", "README.txt", "tables/T01_scale_by_force.csv"] {
        assert!(out.join("publication").join(f).is_file(), "{f} missing");
    }
    // Running it again reuses the key and replaces everything.
    assert!(csae(&["demo", "--out", p(&out), "--scale", "0.02"]).status.success());
}

#[test]
fn public_mode_publishes_no_small_count_and_no_pseudonym() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tiny_dataset(tmp.path());
    let out = tmp.path().join("public");
    let o = csae(&["report", p(&ds), "--out", p(&out), "--period", "2023-01-01..2023-12-31"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let h: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("headline.json")).unwrap()).unwrap();
    assert_eq!((h["disclosure"].as_str(), h["marking"].as_str()), (Some("public"), Some("OFFICIAL")));
    // Every published count is 0, at least 5, or withheld.
    for f in std::fs::read_dir(out.join("tables")).unwrap() {
        let path = f.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains("_pct") || name.starts_with("Q") || !name.ends_with(".csv") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.starts_with('#'), "{name} starts with its header");
        for line in text.lines().skip(1) {
            for cell in line.split(',').skip(2) {
                if let Ok(n) = cell.parse::<u64>() {
                    assert!(n == 0 || n >= 5, "{name}: {n} published in {line}");
                }
            }
        }
    }
    let o = csae(&["sql", p(&ds), "SELECT crime_ref AS x FROM crimes UNION ALL SELECT person_ref FROM suspects UNION ALL SELECT person_ref FROM victims"]);
    let listing = String::from_utf8_lossy(&o.stdout).into_owned();
    let pseudonyms: Vec<&str> = listing.split(|c: char| !c.is_ascii_hexdigit()).filter(|w| w.len() == 64).collect();
    for (f, text) in publication_text(&out) {
        assert!(pseudonyms.iter().all(|ps| !text.contains(ps)), "{}", f.display());
        // CSVs start with their header; their marking is in tables/metadata.json.
        let csv = f.extension().is_some_and(|e| e == "csv");
        assert!((csv || text.contains("OFFICIAL")) && !text.contains("OFFICIAL-SENSITIVE"), "{} carries no public marking", f.display());
    }
}

/// Every file of a publication as text: CSV, JSON, HTML and README as they are; the workbook
/// as the text of all its cells (and its sheet names).
fn publication_text(out: &Path) -> Vec<(PathBuf, String)> {
    use calamine::{Reader, open_workbook_auto};
    let mut files: Vec<PathBuf> = std::fs::read_dir(out).unwrap().map(|f| f.unwrap().path()).filter(|f| f.is_file()).collect();
    for dir in [out.join("tables"), out.join("tables/long")] {
        files.extend(std::fs::read_dir(dir).unwrap().map(|f| f.unwrap().path()).filter(|f| f.is_file()));
    }
    assert!(files.iter().any(|f| f.ends_with("tables.xlsx")) && files.iter().any(|f| f.ends_with("report.html")));
    files
        .into_iter()
        .map(|f| {
            let text = if f.extension().is_some_and(|e| e == "xlsx") {
                let mut wb = open_workbook_auto(&f).unwrap();
                let mut text = String::new();
                for name in wb.sheet_names() {
                    text.push_str(&name);
                    text.push('\n');
                    let range = wb.worksheet_range(&name).unwrap();
                    for row in range.rows() {
                        for c in row {
                            text.push_str(&c.to_string());
                            text.push('\t');
                        }
                        text.push('\n');
                    }
                }
                text
            } else {
                std::fs::read_to_string(&f).unwrap()
            };
            (f, text)
        })
        .collect()
}

#[test]
fn public_files_hold_no_reference_or_pseudonym_of_the_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let o = csae(&["demo", "--out", p(&out), "--scale", "0.03"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ds = out.join("dataset");
    // Pseudonyms as stored, and the force references and PNC ids as sent.
    let o = csae(&["sql", p(&ds), "SELECT crime_ref AS x FROM crimes UNION ALL SELECT person_ref FROM suspects UNION ALL SELECT person_ref FROM victims UNION ALL SELECT pnc_id FROM suspects WHERE pnc_id IS NOT NULL"]);
    let listing = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut secrets: std::collections::BTreeSet<String> = listing.split(|c: char| !c.is_ascii_hexdigit()).filter(|w| w.len() == 64).map(str::to_string).collect();
    assert!(secrets.len() > 1000, "{}", secrets.len());
    // The demo's returns: one collection per year.
    let dirs: Vec<std::path::PathBuf> = std::fs::read_dir(out.join("returns")).unwrap().flat_map(|y| std::fs::read_dir(y.unwrap().path()).unwrap()).map(|e| e.unwrap().path()).collect();
    assert!(dirs.len() >= 44 * 5, "{}", dirs.len());
    for dir in dirs {
        for table in ["crimes", "victims", "suspects"] {
            let Ok(mut r) = csv::Reader::from_path(dir.join(format!("{table}.csv"))) else { continue };
            let headers = r.headers().unwrap().clone();
            let cols: Vec<usize> = headers.iter().enumerate().filter(|(_, h)| ["crime_ref", "person_ref", "pnc_id"].contains(h)).map(|(i, _)| i).collect();
            for rec in r.records().flatten() {
                for &c in &cols {
                    let v = rec.get(c).unwrap_or("").trim();
                    // Short unidentified placeholders (UNK1) are not references of anyone.
                    if v.len() >= 6 {
                        secrets.insert(v.to_string());
                    }
                }
            }
        }
    }
    let publication = publication_text(&out.join("publication"));
    assert!(publication.len() >= 20);
    for (f, text) in publication {
        if let Some(s) = secrets.iter().find(|s| text.contains(s.as_str())) {
            panic!("{} holds {s}", f.display());
        }
    }
}

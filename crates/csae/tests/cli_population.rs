//! The population context (`series.md`): R01 and R02 of the hand-made sample against their
//! worked answers, `--population` files good and bad, and what public mode withholds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn csae(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csae")).args(args).env_remove("CSAE_PSEUDONYM_KEY_FILE").output().unwrap()
}

fn p(x: &Path) -> &str {
    x.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(rel)
}

fn tiny_dataset(dir: &Path) -> PathBuf {
    let key = dir.join("k");
    assert!(csae(&["key", "new", p(&key)]).status.success());
    let ds = dir.join("ds");
    assert!(csae(&["ingest", p(&fixture("tiny/cumbria")), "--out", p(&ds), "--key-file", p(&key)]).status.success());
    ds
}

/// A publication of the sample's 2023 with extra flags.
fn report(ds: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["report", p(ds), "--out", p(out), "--period", "2023-01-01..2023-12-31"];
    args.extend(extra);
    csae(&args)
}

/// A wide table's rows by code: the values after the code and label.
fn rows(out: &Path, id: &str) -> (String, std::collections::BTreeMap<String, String>) {
    let text = std::fs::read_to_string(out.join(format!("tables/{id}.csv"))).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().collect::<Vec<_>>().join(",");
    let rows = r.records().map(|x| x.unwrap()).map(|x| (x[0].to_string(), x.iter().skip(2).collect::<Vec<_>>().join(","))).collect();
    (header, rows)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_sample_gives_its_worked_rates_and_ratios() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tiny_dataset(tmp.path());
    let out = tmp.path().join("pub");
    let o = report(&ds, &out, &["--disclosure", "internal"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = json(&fixture("tiny/expected-population.json"));
    for id in ["R01_rate_by_force", "R02_suspect_ethnicity_vs_population"] {
        let (header, got) = rows(&out, id);
        assert_eq!(header, want[id]["header"].as_str().unwrap(), "{id}");
        for (code, values) in want[id]["rows"].as_object().unwrap() {
            assert_eq!(got.get(code).map(String::as_str), values.as_str(), "{id} row {code}");
        }
    }
    assert_eq!(rows(&out, "R01_rate_by_force").1.len(), 44 + 11 + 1, "forces, regions, England and Wales");
    let h = json(&out.join("headline.json"));
    assert_eq!(h["population"], want["headline"]["population"]);
    assert_eq!(h["suspect_ethnicity_ratio"], want["headline"]["suspect_ethnicity_ratio"]);
    // The recorded share stands beside R02 in every output that shows it: its title.
    let meta = json(&out.join("tables/metadata.json")).to_string();
    let title_ends = want["R02_suspect_ethnicity_vs_population"]["title_ends"].as_str().unwrap();
    assert!(meta.contains(title_ends), "{meta}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for text in [title_ends, "id=\"context\"", "Asian or Asian British: 3.80 (95% interval 1.09 to 8.53)", "Cumbria: 1.2 (95% interval 0.4 to 2.6)", "British Transport Police: [z] (not applicable)", "records, not independent people", "of all ages and from the 2011 Census", "χ²(0.975; 2k + 2)"] {
        assert!(html.contains(&text.replace('\'', "&#39;")), "report.html lacks {text}");
    }
    // The workbook has both tables, their numbers stored as numbers.
    use calamine::{Data, Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(out.join("tables.xlsx")).unwrap();
    let r02 = wb.worksheet_range("R02").unwrap();
    let asian = r02.rows().find(|r| r.first().is_some_and(|c| c.to_string() == "ASIAN")).expect("an ASIAN row");
    assert_eq!(asian[7], Data::Float(3.8), "{asian:?}");
    assert!(wb.worksheet_range("R01").is_ok());
    let notes = wb.worksheet_range("Notes").unwrap();
    assert!(notes.rows().any(|r| r.iter().any(|c| c.to_string().contains("leaves out 0 group-based crimes"))));
}

#[test]
fn a_malformed_population_file_is_refused_with_its_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tiny_dataset(tmp.path());
    let header = "force_id,population,white,mixed,asian,black,other\n";
    let cases = [
        ("missing-column.csv", "force_id,population,white,mixed,asian,black\ncumbria,10,10,0,0,0\n".to_string(), "row 1: the column other is missing"),
        ("unknown-force.csv", format!("{header}atlantis,10,10,0,0,0,0\n"), "row 2, column force_id: \"atlantis\" is not the id of a force"),
        ("not-summing.csv", format!("{header}cumbria,10,9,0,0,0,0\n"), "row 2, column population: the five groups sum to 9, not to the population 10"),
        ("negative.csv", format!("{header}cumbria,10,11,0,0,-1,0\n"), "row 2, column black: \"-1\" is negative"),
        ("fraction.csv", format!("{header}cumbria,10.5,10,0,0,0,0\n"), "row 2, column population: \"10.5\" is not a whole number"),
        ("duplicate.csv", format!("{header}cumbria,10,10,0,0,0,0\ncumbria,10,10,0,0,0,0\n"), "row 3, column force_id: cumbria appears twice"),
    ];
    for (name, text, want) in cases {
        let file = tmp.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = tmp.path().join(format!("out-{name}"));
        let o = report(&ds, &out, &["--disclosure", "internal", "--population", p(&file)]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {e}");
        assert!(e.contains(name) && e.contains(want) && e.trim().lines().count() == 1, "{name}: {e}");
        assert!(!out.exists(), "{name}: nothing is written");
    }
    let o = report(&ds, &tmp.path().join("o"), &["--population", p(&tmp.path().join("absent.csv"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read the population file"), "{}", stderr(&o));
}

#[test]
fn another_population_file_is_named_and_a_children_column_adds_rates_per_child() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tiny_dataset(tmp.path());
    // Only two forces: every other force has no population, so no rate.
    let file = tmp.path().join("mid-2022-estimates.csv");
    std::fs::write(&file, "force_id,population,white,mixed,asian,black,other,children\ncumbria,500000,480000,5000,10000,3000,2000,100000\ncheshire,1000000,950000,10000,20000,15000,5000,200000\n").unwrap();
    let out = tmp.path().join("pub");
    let o = report(&ds, &out, &["--disclosure", "internal", "--population", p(&file)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, r01) = rows(&out, "R01_rate_by_force");
    assert!(header.ends_with(",CHILDREN,GROUP_BASED_PER_10K_CHILDREN,GROUP_BASED_PER_10K_CHILDREN_LOWER,GROUP_BASED_PER_10K_CHILDREN_UPPER"), "{header}");
    // 6 crimes: per 100,000 of 500,000 is 1.2, per 10,000 of 100,000 children 0.6 (0.2 to 1.3).
    assert_eq!(r01["cumbria"], "500000,6,1.2,0.4,2.6,7,1.4,100000,0.6,0.2,1.3");
    assert_eq!(r01["lancashire"], "[z],0,[z],[z],[z],0,[z],[z],[z],[z],[z]");
    assert_eq!(r01["North West"], "1500000,6,0.4,0.1,0.9,7,0.5,300000,0.2,0.1,0.4");
    let (_, r02) = rows(&out, "R02_suspect_ethnicity_vs_population");
    // Asian: 30,000 of 1,500,000 is 2.0% of the population; 28.57% of records: ratio 14.29.
    assert!(r02["ASIAN"].starts_with("2,28.6,8.2,64.1,2.0,14.29,"), "{}", r02["ASIAN"]);
    let h = json(&out.join("headline.json"));
    assert_eq!(h["population"]["source"], "mid-2022-estimates.csv");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("mid-2022-estimates.csv, the population file given for this publication"));
    assert!(html.contains("as the file mid-2022-estimates.csv gives it"));
}

#[test]
fn public_mode_withholds_every_rate_share_and_ratio_of_a_withheld_count() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tiny_dataset(tmp.path());
    let (internal, public) = (tmp.path().join("internal"), tmp.path().join("public"));
    assert!(report(&ds, &internal, &["--disclosure", "internal"]).status.success());
    let o = report(&ds, &public, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(public.join("report.html")).unwrap();
    let internal_html = std::fs::read_to_string(internal.join("report.html")).unwrap();
    let long = |dir: &Path, id: &str| std::fs::read_to_string(dir.join(format!("tables/long/{id}.csv"))).unwrap();
    let mut withheld = 0;
    for (id, count_cols) in [("R01_rate_by_force", vec![(1, vec![2, 3, 4]), (5, vec![6])]), ("R02_suspect_ethnicity_vs_population", vec![(0, vec![1, 2, 3, 5, 6, 7])])] {
        let (_, pubrows) = rows(&public, id);
        let (_, introws) = rows(&internal, id);
        for (code, line) in &pubrows {
            let cells: Vec<&str> = line.split(',').collect();
            let exact: Vec<&str> = introws[code].split(',').collect();
            for (count, derived) in &count_cols {
                if cells[*count] != "[c]" {
                    continue;
                }
                withheld += 1;
                for &d in derived {
                    assert!(cells[d] == "[c]" || (cells[d] == "[z]" && exact[d] == "[z]"), "{id} {code}: column {d} is {} with its count withheld", cells[d]);
                }
            }
        }
        // The long file says the same, cell by cell.
        let pub_long = long(&public, id);
        assert_eq!(pub_long.matches(",[c]\n").count(), pubrows.values().map(|l| l.matches("[c]").count()).sum::<usize>(), "{id}");
    }
    assert!(withheld >= 3, "the sample's small counts are withheld ({withheld})");
    // The report's charts and text show no figure of a withheld count: each withheld group's
    // chart line is "[c]", and its exact figures (as the internal report shows them) are nowhere.
    for (label, exact) in [("Asian or Asian British", "3.80 (95% interval 1.09 to 8.53)"), ("Black or Black British", "4.30 (95% interval 0.77 to 15.43)"), ("White", "0.66 (95% interval 0.29 to 0.98)")] {
        assert!(internal_html.contains(&format!("{label}: {exact}")), "the internal report shows {label}");
        assert!(html.contains(&format!("{label}: [c]")) && !html.contains(exact), "{label}");
    }
    let h = json(&public.join("headline.json"));
    for g in ["ASIAN", "BLACK", "WHITE"] {
        assert_eq!(h["suspect_ethnicity_ratio"][g], serde_json::json!({"ratio": null, "lower": null, "upper": null}), "{g}");
    }
    // The workbook's R02 holds no number where its count is withheld.
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(public.join("tables.xlsx")).unwrap();
    let r02 = wb.worksheet_range("R02").unwrap();
    let asian = r02.rows().find(|r| r.first().is_some_and(|c| c.to_string() == "ASIAN")).expect("an ASIAN row");
    assert!(asian[2..].iter().enumerate().all(|(i, c)| i == 4 || c.to_string() == "[c]"), "{asian:?}");
}

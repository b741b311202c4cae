//! The publication read as a Government statistician reviews a release: one definition of each
//! figure in every output, records told apart from people, what a bulletin must carry (release
//! information, the synthetic warning, the caveats first), plain words, and key findings whose
//! every number is published.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use csae_publish::{Mode, PublishOptions, ReleaseOptions, publish};
use serde_json::Value;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn headline(out: &Path) -> Value {
    serde_json::from_str(&read(&out.join("headline.json"))).unwrap()
}

/// A wide CSV table: header, then rows.
fn table(out: &Path, id: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(out.join("tables").join(format!("{id}.csv"))).unwrap();
    r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect()
}

fn cell(t: &[Vec<String>], row: &str, col: &str) -> String {
    let c = t[0].iter().position(|h| h == col).unwrap_or_else(|| panic!("no column {col}"));
    t.iter().find(|r| r[0] == row).unwrap_or_else(|| panic!("no row {row}"))[c].clone()
}

/// The text a reader sees: the page without its tags, style sheet and entities.
fn visible_text(html: &str) -> String {
    let body = &html[html.find("<body>").unwrap_or(0)..];
    let mut out = String::new();
    let mut in_tag = false;
    for ch in body.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}

/// The key findings, as the page lists them.
fn findings(html: &str) -> Vec<String> {
    let list = html.split("<ul class=\"findings\">").nth(1).unwrap().split("</ul>").next().unwrap();
    list.split("<li>").skip(1).map(|li| visible_text(&format!("<body>{}", li.split("</li>").next().unwrap()))).map(|s| s.trim().to_string()).collect()
}

/// Numbers in a text: `1,234`, `3.7%`, `26%`, `12`.
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let joins = (c == ',' || c == '.') && !cur.is_empty() && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || joins {
            cur.push(c);
        } else {
            if !cur.is_empty() {
                if c == '%' {
                    cur.push('%');
                }
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Every number a reader can find in the tables (cells and labels, as the CSV and the page
/// write them) and in headline.json (counts, and shares as the text writes them).
fn published_numbers(out: &Path, mode: Mode) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for f in std::fs::read_dir(out.join("tables")).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(&p).unwrap();
        for rec in r.records() {
            for c in rec.unwrap().iter() {
                for n in numbers(c) {
                    set.insert(n);
                }
                if let Ok(x) = c.parse::<u64>() {
                    set.insert(csae_publish::numbers::thousands(x));
                }
            }
        }
    }
    fn walk(v: &Value, mode: Mode, set: &mut BTreeSet<String>) {
        match v {
            Value::Number(n) if n.is_u64() => {
                set.insert(csae_publish::numbers::thousands(n.as_u64().unwrap()));
            }
            Value::Number(n) => {
                set.insert(csae_publish::numbers::share_text(n.as_f64(), mode));
            }
            Value::Object(m) => m.values().for_each(|x| walk(x, mode, set)),
            Value::Array(a) => a.iter().for_each(|x| walk(x, mode, set)),
            _ => {}
        }
    }
    walk(&headline(out), mode, &mut set);
    set
}

/// Q02's out-of-scope column and headline.json's `out_of_scope_crimes` are one figure, whether a
/// blank flag leaves the in-scope test without an answer or not: on the hand-made sample with a
/// crime whose flags are blank, and on a clean and a dirty synthetic collection.
#[test]
fn out_of_scope_crimes_are_one_figure_in_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    // The sample plus an adult's rape with blank flags: out of scope, by the definition.
    let returns = tmp.path().join("sample/cumbria");
    std::fs::create_dir_all(&returns).unwrap();
    for f in ["crimes", "victims", "suspects", "relationships"] {
        let mut text = read(&common::tiny_return().join(format!("{f}.csv")));
        match f {
            "crimes" => text.push_str("cumbria,CR12,2023-11-01,2023-10-01,,19C,,,N,,DWELLING_OTHER,\n"),
            "victims" => text.push_str("cumbria,CR12,V12,,30,,F,W1,,GBR\n"),
            _ => {}
        }
        std::fs::write(returns.join(format!("{f}.csv")), text).unwrap();
    }
    let sample = common::ingest_returns(&returns, &tmp.path().join("sample"));
    let clean = common::synthetic_dataset_with(&tmp.path().join("clean"), 0.05, 0.0);
    let dirty = common::synthetic_dataset_with(&tmp.path().join("dirty"), 0.05, 0.02);
    for (name, ds, expected) in [("sample", sample, Some(2)), ("clean", clean, None), ("dirty", dirty, None)] {
        for mode in [Mode::Internal, Mode::Public] {
            let out = tmp.path().join(format!("{name}-{}", mode.name()));
            common::publish_to(&ds, &out, mode);
            let h = headline(&out);
            let q02 = table(&out, "Q02_validation_by_force");
            let total: u64 = cell(&q02, "Total", "OUT_OF_SCOPE").parse().unwrap();
            if mode == Mode::Internal {
                assert_eq!(h["out_of_scope_crimes"].as_u64(), Some(total), "{name}: Q02's column and the headline");
            } else {
                assert!(h["out_of_scope_crimes"].is_null() || h["out_of_scope_crimes"].as_u64() == Some(total), "{name} public");
            }
            if let Some(n) = expected {
                assert_eq!(total, n, "{name}: the crime with blank flags is out of scope");
            }
            let scale = read(&out.join("report.html"));
            let scale = scale.split("<section id=\"scale\"").nth(1).unwrap();
            if let Some(n) = h["out_of_scope_crimes"].as_u64() {
                assert!(scale.contains(&format!("{} further crimes in the returns were out of scope", csae_publish::numbers::thousands(n))), "{name}");
            }
        }
    }
}

/// A publication built from `csae synth` data says so in every output; one built from other
/// data says nothing of it.
#[test]
fn synthetic_data_is_marked_everywhere_and_real_data_nowhere() {
    let tmp = tempfile::tempdir().unwrap();
    let synthetic = common::synthetic_dataset(&tmp.path().join("synthetic"), 0.02);
    let real = common::tiny_dataset(&tmp.path().join("real"));
    for (ds, marked) in [(synthetic, true), (real, false)] {
        for mode in [Mode::Public, Mode::Internal] {
            let out = tmp.path().join(format!("out-{marked}-{}", mode.name()));
            common::publish_to(&ds, &out, mode);
            let html = read(&out.join("report.html"));
            let title = html.split("<title>").nth(1).unwrap().split("</title>").next().unwrap();
            let h1 = html.split("<h1>").nth(1).unwrap().split("</h1>").next().unwrap();
            let readme = read(&out.join("README.txt"));
            let meta: Value = serde_json::from_str(&read(&out.join("tables/metadata.json"))).unwrap();
            let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("tables.xlsx")).unwrap();
            use calamine::Reader as _;
            let cover: Vec<String> = wb.worksheet_range("Cover").unwrap().rows().map(|r| r[0].to_string()).collect();
            let s = csae_publish::SYNTHETIC;
            assert_eq!(title.contains(s), marked, "{mode:?}: page title");
            assert_eq!(h1.contains(s), marked, "{mode:?}: heading");
            assert_eq!(html.contains("<div class=\"synthetic\""), marked, "{mode:?}: banner");
            assert_eq!(readme.contains(s), marked);
            assert_eq!(cover[0].contains(s) && cover.iter().any(|l| l == s), marked, "{cover:?}");
            assert_eq!(meta["marking"].as_str().unwrap().contains(s), marked);
            assert_eq!(meta["synthetic"], marked);
            assert_eq!(headline(&out)["synthetic"], marked);
        }
    }
}

/// Release information as bulletins give it, in the report, on the cover and in README.txt;
/// without a contact every output says one must be set.
#[test]
fn release_information_is_in_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::tiny_dataset(tmp.path());
    let release = ReleaseOptions { contact: Some("Jane Smith, csae-stats@example.gov.uk".into()), next_release: chrono::NaiveDate::from_ymd_opt(2025, 6, 30), status: None };
    let out = tmp.path().join("release");
    publish(&ds, &out, &PublishOptions { release, ..PublishOptions::default() }).unwrap();
    let html = visible_text(&read(&out.join("report.html")));
    let readme = read(&out.join("README.txt"));
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("tables.xlsx")).unwrap();
    use calamine::Reader as _;
    let cover = wb.worksheet_range("Cover").unwrap().rows().map(|r| r[0].to_string()).collect::<Vec<_>>().join("\n");
    for text in [&html, &readme, &cover] {
        for needed in [
            "Release date", "Next release", "2025-06-30", "Statistics status", "Official statistics in development", "Jane Smith, csae-stats@example.gov.uk",
            "Revisions policy", "Related statistics", "Police recorded crime", "Accessibility", "43 territorial police forces", "British Transport Police",
        ] {
            assert!(text.contains(needed), "{needed} missing from {}", &text[..text.len().min(300)]);
        }
    }
    // "Things you need to know" near the top: before the key findings.
    let page = read(&out.join("report.html"));
    let know = page.find("Things you need to know").unwrap();
    assert!(know < page.find("<section id=\"findings\"").unwrap());
    for caveat in ["recording practice", "Ethnicity is recorded for", "records, not people"] {
        assert!(page[know..].split("</div>").next().unwrap().contains(caveat), "{caveat}");
    }
    let out = tmp.path().join("default");
    common::publish_to(&ds, &out, Mode::Public);
    assert!(read(&out.join("report.html")).contains(csae_publish::release::CONTACT_NOT_SET));
    assert!(read(&out.join("README.txt")).contains(csae_publish::release::CONTACT_NOT_SET));
}

/// At most five key findings; every number in them is in a table or headline.json; the
/// non-recent finding uses the methodology's definition; ethnicity shares carry their caveat
/// in the same sentence; small shares keep a decimal.
#[test]
fn key_findings_are_few_published_and_defined_as_the_methodology_defines() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::synthetic_dataset(tmp.path(), 0.05);
    for mode in [Mode::Public, Mode::Internal] {
        let out = tmp.path().join(mode.name());
        common::publish_to(&ds, &out, mode);
        let html = read(&out.join("report.html"));
        let found = findings(&html);
        assert!(!found.is_empty() && found.len() <= 5, "{} findings", found.len());
        let published = published_numbers(&out, mode);
        let h = headline(&out);
        for f in &found {
            let period = format!("from {} to {}", h["period"]["from"].as_str().unwrap(), h["period"]["to"].as_str().unwrap());
            for n in numbers(&f.replace(&period, "")) {
                assert!(published.contains(&n), "{mode:?}: {n} in \"{f}\" is in no table and not in headline.json");
            }
        }
        let non_recent = found.iter().find(|f| f.contains("non-recent")).expect("a finding on non-recent crimes");
        assert!(non_recent.contains(csae_analysis::plain::NON_RECENT_WHEN) && !non_recent.contains("more than a year"), "{non_recent}");
        let methodology = html.split("<section id=\"methodology\"").nth(1).unwrap();
        assert!(methodology.contains(csae_analysis::plain::NON_RECENT_WHEN), "one sentence for both");
        let ethnicity = found.iter().find(|f| f.contains("White")).unwrap();
        assert!(ethnicity.starts_with("Of the ") && ethnicity.contains("of suspect records with ethnicity recorded") && ethnicity.contains("may not reflect all suspects"), "{ethnicity}");
        let share = h["group_based_share"].as_f64().unwrap();
        assert!(share < 0.1 && found[0].contains(&format!("({:.1}%)", 100.0 * share)), "{}", found[0]);
        let people = found.iter().find(|f| f.contains("suspect records")).unwrap();
        assert!(people.contains("distinct identified suspects"), "{people}");
    }
}

/// Records and people: distinct identified suspects and victims beside the record counts, in
/// headline.json, a table and the report; records counted by the distinct-persons rule.
#[test]
fn distinct_identified_people_are_published_beside_the_records() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::synthetic_dataset(tmp.path(), 0.05);
    let out = tmp.path().join("internal");
    common::publish_to(&ds, &out, Mode::Internal);
    let h = headline(&out);
    let t18 = table(&out, "T18_persons_summary");
    for (key, row) in [("suspect_records", "SUSPECT_RECORDS"), ("distinct_identified_suspects", "DISTINCT_IDENTIFIED_SUSPECTS"), ("victim_records", "VICTIM_RECORDS"), ("distinct_identified_victims", "DISTINCT_IDENTIFIED_VICTIMS")] {
        assert_eq!(cell(&t18, row, "ENGLAND_AND_WALES"), h[key].as_u64().unwrap().to_string(), "{key}");
    }
    let (records, people) = (h["suspect_records"].as_u64().unwrap(), h["distinct_identified_suspects"].as_u64().unwrap());
    assert!(people > 0 && people < records, "repeat suspects make fewer people than records: {people} of {records}");
    let html = read(&out.join("report.html"));
    for section in ["suspects", "victims"] {
        let s = html.split(&format!("<section id=\"{section}\"")).nth(1).unwrap().split("</section>").next().unwrap();
        assert!(s.contains(&format!("distinct identified {section}")) && s.contains("one person in one crime"), "{section}");
    }
    // Networks and the category source are tables too.
    let t16 = table(&out, "T16_networks_summary");
    assert_eq!(cell(&t16, "NETWORKS", "ENGLAND_AND_WALES"), h["networks"]["count"].as_u64().unwrap().to_string());
    assert_eq!(cell(&t16, "SINGLE_SUSPECT_CRIMES_IN_MULTI_OFFENDER", "ENGLAND_AND_WALES"), h["networks"]["single_suspect_crimes_in_multi_offender_networks"].as_u64().unwrap().to_string());
    let t17 = table(&out, "T17_category_source_by_category");
    assert_eq!(cell(&t17, "DERIVED", "Total"), h["category_source"]["derived"].as_u64().unwrap().to_string());
}

/// The report speaks in labels: no field name or code of the data standard in its text, the
/// six categories and the derivation rules explained, the offences in scope listed.
#[test]
fn the_report_uses_plain_words_and_lists_what_is_in_scope() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::synthetic_dataset(tmp.path(), 0.02);
    let out = tmp.path().join("public");
    common::publish_to(&ds, &out, Mode::Public);
    let html = read(&out.join("report.html"));
    let text = visible_text(&html);
    for word in text.split(|c: char| c.is_whitespace() || ",;:().\"".contains(c)) {
        assert!(!word.contains('_'), "a field name or code in the report: {word}");
    }
    for raw in ["= Y", "csa_flag", "18_PLUS", "NON_GBR", "cocad"] {
        assert!(!text.contains(raw), "{raw}");
    }
    let methodology = visible_text(html.split("<section id=\"methodology\"").nth(1).unwrap());
    for needed in ["Familial abuse", "Child sexual exploitation (CSE)", "Institutional abuse", "Ritualistic abuse", "Other group-based abuse", "Unknown category"] {
        assert!(methodology.contains(needed), "{needed}");
    }
    assert!(methodology.contains("(offence 71)") && methodology.contains("(offence 72)") && methodology.contains("position of trust"));
    assert!(methodology.contains("Rape of a female child under 16 (offence 19D)"), "child-specific offences listed");
}

/// A percentage with no denominator is `[z]` in every mode (City of London has no group-based
/// crime in the sample); a non-zero one that rounds to zero is `[low]`, explained with the
/// other symbols.
#[test]
fn no_denominator_is_not_applicable_in_every_mode_and_tiny_shares_are_low() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::tiny_dataset(tmp.path());
    for mode in [Mode::Public, Mode::Internal] {
        let out = tmp.path().join(mode.name());
        common::publish_to(&ds, &out, mode);
        let q01 = table(&out, "Q01_completeness_by_force");
        assert_eq!(cell(&q01, "city-of-london", "SUSPECT_AGE_KNOWN"), "[z]", "{mode:?}");
        assert!(read(&out.join("README.txt")).contains("[low] a percentage that rounds to zero"));
    }
    assert_eq!(csae_publish::cell_text(csae_analysis::Kind::Percent, Some(0.3), false, Mode::Public), "[low]");
    assert_eq!(csae_publish::cell_text(csae_analysis::Kind::Percent, None, false, Mode::Public), "[z]");
}

/// `sources.json` names every return the publication was built from, per force and period,
/// with each file's SHA-256 as the dataset's manifest records it, and nothing personal.
#[test]
fn sources_json_lists_every_return_with_its_files_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::tiny_dataset(tmp.path());
    let out = tmp.path().join("public");
    common::publish_to(&ds, &out, Mode::Public);
    let sources: Value = serde_json::from_str(&read(&out.join("sources.json"))).unwrap();
    let manifest: Value = serde_json::from_str(&read(&ds.join("manifest.json"))).unwrap();
    assert_eq!((sources["schema"].as_str(), sources["marking"].as_str()), (Some("csae.sources/1"), Some("OFFICIAL")));
    let (got, want) = (sources["returns"].as_array().unwrap(), manifest["returns"].as_array().unwrap());
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!((&g["force_id"], &g["period"]), (&w["force_id"], &w["period"]));
        for t in ["crimes", "victims", "suspects", "relationships"] {
            assert_eq!(g["files"][t]["sha256"], w["tables"][t]["sha256"], "{t}");
            assert_eq!(g["files"][t]["sha256"].as_str().unwrap().len(), 64);
        }
    }
    // Only these keys: no counts of rejected rows, no fingerprint of the key.
    let keys: BTreeSet<&str> = got[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["force_id", "period", "ingested_at", "files"]));
    assert!(!read(&out.join("sources.json")).contains(manifest["key_fingerprint"].as_str().unwrap()));
    assert!(read(&out.join("README.txt")).contains("sources.json"));
}

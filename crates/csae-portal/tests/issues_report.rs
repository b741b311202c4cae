//! The error report of a submission (`issues.xlsx`, `issues.csv`): every issue with how to fix
//! it, values for the force's own users only, formula-like values always text, and the access
//! of the submission itself.

mod common;

use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, DataType as _, Reader, Xlsx};
use common::*;

/// Values a spreadsheet would run as formulas, each in a coded column (`csa_flag`), so each
/// comes back in an issue (C05).
const FORMULAS: [&str; 4] = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1)"];

/// A person_ref over 64 characters (P04): a personal value, shown to the force only.
fn long_ref() -> String {
    format!("PERSONAL{}", "Q".repeat(70))
}

/// The tiny return with four crimes holding formula-like flags and a victim with a long ref.
fn hostile_return() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    for t in ["crimes", "victims", "suspects", "relationships"] {
        std::fs::copy(tiny_cumbria().join(format!("{t}.csv")), dir.path().join(format!("{t}.csv"))).unwrap();
    }
    let mut crimes = std::fs::read_to_string(dir.path().join("crimes.csv")).unwrap();
    for (k, v) in FORMULAS.iter().enumerate() {
        let quoted = format!("\"{}\"", v.replace('"', "\"\""));
        crimes.push_str(&format!("cumbria,XF{k},2023-02-10,,,19E,{quoted},N,N,,HOTEL,\n"));
    }
    std::fs::write(dir.path().join("crimes.csv"), crimes).unwrap();
    let mut victims = std::fs::read_to_string(dir.path().join("victims.csv")).unwrap();
    victims.push_str(&format!("cumbria,CR1,{},,9,,F,W1,,GBR\n", long_ref()));
    std::fs::write(dir.path().join("victims.csv"), victims).unwrap();
    zip_folder(dir.path(), Some("cumbria"))
}

async fn get(e: &Env, path: &str, token: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    e.send(Request::builder().uri(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap()).await
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("the download is a workbook")
}

fn string(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        other => panic!("a text cell, not {other:?}"),
    }
}

/// The Issues sheet's table: its header row and data rows (header on row 6, Excel row numbers).
fn issues_table(wb: &mut Xlsx<Cursor<Vec<u8>>>) -> (Vec<String>, Vec<Vec<Data>>) {
    let r = wb.worksheet_range("Issues").unwrap();
    let (last_row, last_col) = r.end().unwrap();
    let header: Vec<String> = (0..=last_col).map(|c| string(r.get_value((5, c)))).collect();
    let rows = (6..=last_row).map(|row| (0..=last_col).map(|c| r.get_value((row, c)).cloned().unwrap_or(Data::Empty)).collect()).collect();
    (header, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_error_report_lists_every_issue_with_values_for_the_force_only_and_never_a_formula() {
    for backend in backends() {
        let e = env(backend).await;
        let sub = e.user("sub", "submitter", Some("cumbria")).await;
        let viewer = e.user("viewer", "force_viewer", Some("cumbria")).await;
        let other = e.user("other", "submitter", Some("durham")).await;
        let an = e.user("an", "analyst", None).await;
        e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;
        let (s, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&sub), hostile_return()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_str().unwrap().to_string();
        let stored_issues = v["validation"]["forces"]["cumbria"]["issues"].as_array().unwrap().len();
        let stored_rules = v["validation"]["forces"]["cumbria"]["rules"].as_object().unwrap().clone();

        // The submitter's workbook.
        let (s, h, xlsx) = get(&e, &format!("/api/v1/submissions/{id}/issues.xlsx"), &sub).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {}", String::from_utf8_lossy(&xlsx));
        assert_eq!(h["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(h["content-disposition"].to_str().unwrap().contains(&format!("cumbria-2023-{id}-issues.xlsx")));
        let mut wb = open(&xlsx);
        assert_eq!(wb.sheet_names(), ["Cover", "Summary", "Issues"]);
        let cover = wb.worksheet_range("Cover").unwrap();
        let cover_text: Vec<String> = cover.used_cells().filter_map(|(_, _, d)| if let Data::String(s) = d { Some(s.clone()) } else { None }).collect();
        assert!(cover_text.iter().any(|t| t.starts_with("OFFICIAL-SENSITIVE")), "{cover_text:?}");
        assert!(cover_text.iter().any(|t| t.starts_with("Validation issues: Cumbria") && t.ends_with(", period 2023")), "{cover_text:?}");
        assert!(cover_text.iter().any(|t| t.contains(&id)), "the submission id is on the cover");
        assert!(cover_text.iter().any(|t| t.starts_with(&format!("{stored_issues} issues"))), "{cover_text:?}");

        // Summary: one row per rule with its fix; the rejected rows per rule as the stored validation counts them.
        let summary = wb.worksheet_range("Summary").unwrap();
        let heads: Vec<String> = (0..6).map(|c| string(summary.get_value((5, c)))).collect();
        assert_eq!(heads, ["Rule", "Severity", "What it checks", "How to fix", "Rows", "Issues"]);
        let mut summary_rules = std::collections::BTreeMap::new();
        for row in 6..=summary.end().unwrap().0 {
            let rule = csae_ingest::Rule::from_code(&string(summary.get_value((row, 0)))).expect("a rule code");
            assert_eq!(string(summary.get_value((row, 3))), rule.how_to_fix());
            assert_eq!(string(summary.get_value((row, 2))), rule.description());
            let rows = summary.get_value((row, 4)).and_then(|d| d.as_f64()).unwrap() as u64;
            summary_rules.insert(rule.code().to_string(), (string(summary.get_value((row, 1))), rows));
        }
        for (code, n) in &stored_rules {
            assert_eq!(summary_rules[code], ("error".to_string(), n.as_u64().unwrap()), "{code}");
        }
        assert!(summary_rules.contains_key("C05") && summary_rules.contains_key("P04"), "{summary_rules:?}");

        // Issues: the header with the value column, the formula-like values as plain text, no formulas at all.
        let (header, rows) = issues_table(&mut wb);
        assert_eq!(header, ["Table", "Row", "Column", "Rule", "Severity", "Message", "How to fix", "Value"]);
        assert_eq!(rows.len(), stored_issues, "every issue of the validation");
        for v in FORMULAS {
            let row = rows.iter().find(|r| r[7] == Data::String(v.to_string())).unwrap_or_else(|| panic!("{v} is a text cell of the Issues sheet"));
            assert_eq!((&row[0], &row[2], &row[3]), (&Data::String("crimes".into()), &Data::String("csa_flag".into()), &Data::String("C05".into())));
            assert!(matches!(row[1], Data::Float(_) | Data::Int(_)), "the row number is a number");
            assert_eq!(row[6], Data::String(csae_ingest::Rule::C05.how_to_fix().into()));
        }
        assert!(rows.iter().any(|r| r[7] == Data::String(long_ref())), "the force sees its personal value");
        for sheet in ["Cover", "Summary", "Issues"] {
            let formulas = wb.worksheet_formula(sheet).unwrap();
            assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "{sheet} has no formula");
        }

        // The submitter's CSV: the value column, formula-like values prefixed with '.
        let (s, h, csv) = get(&e, &format!("/api/v1/submissions/{id}/issues.csv"), &sub).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h["content-type"], "text/csv; charset=utf-8");
        let mut rd = csv::Reader::from_reader(csv.as_slice());
        assert_eq!(rd.headers().unwrap().iter().collect::<Vec<_>>(), ["table", "row", "column", "rule", "severity", "message", "how_to_fix", "value"]);
        let records: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), stored_issues);
        for v in FORMULAS {
            assert!(records.iter().any(|r| r[7] == format!("'{v}")), "{v} is written '{v}");
            assert!(!records.iter().any(|r| r[7] == *v), "{v} is never written bare");
        }
        assert!(records.iter().all(|r| !r.iter().any(issues_report_formula_like)), "no field starts like a formula");

        // A submission stored before the report was made at upload gets the same file, made from
        // its stored validation and personal values on download.
        for name in ["issues-force.csv", "issues-national.csv"] {
            std::fs::remove_file(e.dir.path().join("uploads").join(&id).join(name)).unwrap();
        }
        let (s, _, again) = get(&e, &format!("/api/v1/submissions/{id}/issues.csv"), &sub).await;
        assert_eq!((s, &again), (StatusCode::OK, &csv), "the CSV made on download is the one made at upload");

        // A viewer of the force gets the values too.
        let (s, _, csv) = get(&e, &format!("/api/v1/submissions/{id}/issues.csv"), &viewer).await;
        assert_eq!(s, StatusCode::OK);
        assert!(String::from_utf8_lossy(&csv).contains(&long_ref()));

        // The analyst: the same issues without the value column, and no personal value anywhere.
        let (s, _, xlsx) = get(&e, &format!("/api/v1/submissions/{id}/issues.xlsx"), &an).await;
        assert_eq!(s, StatusCode::OK);
        let mut wb = open(&xlsx);
        let (header, an_rows) = issues_table(&mut wb);
        assert_eq!(header, ["Table", "Row", "Column", "Rule", "Severity", "Message", "How to fix"]);
        assert_eq!(an_rows.len(), rows.len());
        for (a, f) in an_rows.iter().zip(&rows) {
            assert_eq!(a[..5], f[..5], "the same issues in the same order");
        }
        let every_cell: Vec<String> = wb.worksheets().into_iter().flat_map(|(_, r)| r.used_cells().map(|(_, _, d)| d.to_string()).collect::<Vec<_>>()).collect();
        assert!(!every_cell.iter().any(|c| c.contains("PERSONAL")), "no personal value in the analyst's workbook");
        let (s, _, csv) = get(&e, &format!("/api/v1/submissions/{id}/issues.csv"), &an).await;
        assert_eq!(s, StatusCode::OK);
        let mut rd = csv::Reader::from_reader(csv.as_slice());
        assert_eq!(rd.headers().unwrap().iter().collect::<Vec<_>>(), ["table", "row", "column", "rule", "severity", "message", "how_to_fix"]);
        assert_eq!(rd.records().count(), stored_issues);
        assert!(!String::from_utf8_lossy(&csv).contains("PERSONAL"));

        // Another force's submitter, and an unknown id: 404 as JSON, like the submission itself.
        for path in [format!("/api/v1/submissions/{id}/issues.xlsx"), format!("/api/v1/submissions/{id}/issues.csv"), "/api/v1/submissions/nope/issues.xlsx".into()] {
            let (s, v) = e.api("GET", &path, Some(&other), vec![]).await;
            assert_eq!((s, v["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{path}");
        }

        // The page links to both, and its routes serve them behind the session.
        let sess = e.session("sub").await;
        let (s, page) = e.page("GET", &format!("/submissions/{id}"), Some(&sess), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains(&format!("href=\"/submissions/{id}/issues.xlsx\"")) && page.contains(&format!("href=\"/submissions/{id}/issues.csv\"")), "{page}");
        let cookie = format!("csae_session={sess}");
        let (s, h, body) = e.send(Request::builder().uri(format!("/submissions/{id}/issues.csv")).header("cookie", cookie).body(Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(h["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert!(String::from_utf8_lossy(&body).contains("'@SUM(A1)"));

        // Every download is audited with counts only; no value reaches the log.
        let audit = e.audit_lines().await;
        let downloads: Vec<_> = audit.iter().filter(|a| a.1 == "download").collect();
        assert!(downloads.iter().filter(|a| a.2 == "ok").count() >= 6, "{downloads:?}");
        assert!(downloads.iter().any(|a| a.0 == "other" && a.2 == "refused"));
        assert!(downloads.iter().any(|a| a.0 == "an" && a.3.contains("values left out")));
        assert!(!audit.iter().any(|a| a.3.contains("PERSONAL") || a.3.contains("HYPERLINK")));
        assert!(csae_portal::audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems.is_empty());
    }
}

fn issues_report_formula_like(s: &str) -> bool {
    csae_portal::issues_report::formula_like(s)
}

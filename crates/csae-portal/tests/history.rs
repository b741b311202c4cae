//! The data-quality loop's history side: an upload is checked against its force's previous
//! period in the latest build (H01–H05, the same queries `csae validate --history` raises), and a
//! build carries the earlier periods (its series) and its period's previous build (revisions).

mod common;

use axum::http::StatusCode;
use common::*;

/// The entry names of a build's zip file.
async fn zip_names(e: &Env, token: &str, build: &str, name: &str) -> Vec<String> {
    let req = axum::http::Request::get(format!("/api/v1/builds/{build}/files/{name}")).header("authorization", format!("Bearer {token}")).body(axum::body::Body::empty()).unwrap();
    let (s, _, bytes) = e.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    z.file_names().map(|n| n.unwrap().into_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_checked_against_the_latest_build_and_builds_carry_the_series() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("series");
    let opts = csae_synth::SynthOptions { seed: 3, scale: 0.05, dirty: 0.0, format: csae_synth::Format::Csv };
    csae_synth::synth_years(&root, &opts, 2022, 2023, &|_| {}).unwrap();
    // A force the 2023 data raises queries for, and what it raises.
    let injected: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root.join("2023/injected.json")).unwrap()).unwrap();
    let queries = injected["history"].as_array().unwrap();
    let force = queries.iter().find(|q| q["rule"] == "H01").unwrap_or(&queries[0])["force_id"].as_str().unwrap().to_string();
    let mut expected: Vec<(String, Option<String>)> =
        queries.iter().filter(|q| q["force_id"] == force.as_str()).map(|q| (q["rule"].as_str().unwrap().to_string(), q["month"].as_str().map(str::to_string))).collect();
    expected.sort();

    let e = env("sqlite").await;
    let sub = e.user("sub", "submitter", Some(&force)).await;
    let an = e.user("an", "analyst", None).await;
    for y in [2022, 2023] {
        let (s, _) = e.api("POST", "/api/v1/periods", Some(&an), format!(r#"{{"id":"{y}","from":"{y}-01-01","to":"{y}-12-31"}}"#).into_bytes()).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let upload = |y: i32| zip_folder(&root.join(y.to_string()).join(&force), None);

    // Before any build there is nothing to compare with.
    let (s, v) = e.api("POST", "/api/v1/submissions?period=2022", Some(&sub), upload(2022)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["validation"]["forces"][&force]["history"].is_null(), "{v}");
    let first = v["id"].as_str().unwrap().to_string();
    e.api("POST", &format!("/api/v1/submissions/{first}/confirm"), Some(&sub), vec![]).await;
    let (s, b) = e.api("POST", "/api/v1/builds?period=2022", Some(&an), vec![]).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // 2023 is checked against 2022 in that build: the queries of the series, and no others.
    let (s, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&sub), upload(2023)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let h = &v["validation"]["forces"][&force]["history"];
    assert_eq!((h["compared"].as_bool(), h["previous_period"].as_str()), (Some(true), Some("2022-01-01..2022-12-31")), "{v}");
    let mut got: Vec<(String, Option<String>)> =
        h["queries"].as_array().unwrap().iter().map(|q| (q["rule"].as_str().unwrap().to_string(), q["month"].as_str().map(str::to_string))).collect();
    got.sort();
    assert_eq!(got, expected);
    let second = v["id"].as_str().unwrap().to_string();
    // The submission page shows them with both figures.
    let sess = e.session("sub").await;
    let (s, page) = e.page("GET", &format!("/submissions/{second}"), Some(&sess), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Checks against 2022-01-01..2022-12-31") && page.contains("These are queries, not rejections"), "{page}");
    for (rule, _) in &expected {
        assert!(page.contains(&format!("<td>{rule}</td>")), "{rule} on the page");
    }
    // A query never blocks a confirmation.
    let (s, _) = e.api("POST", &format!("/api/v1/submissions/{second}/confirm"), Some(&sub), vec![]).await;
    assert_eq!(s, StatusCode::OK);

    // A 2023 build ingests 2022 too (the series), and a rebuild lists its revisions.
    let (s, b) = e.api("POST", "/api/v1/builds?period=2023", Some(&an), vec![]).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["submissions"], serde_json::json!([first, second]));
    assert_eq!(b["headline"]["series"]["years"], serde_json::json!([2022, 2023]), "{b}");
    let one = b["id"].as_str().unwrap().to_string();
    assert!(!zip_names(&e, &an, &one, "internal.zip").await.iter().any(|n| n.contains("V01_revisions")));
    // Another force confirms 2023, so the rebuild's figures differ from the first build's.
    let other = csae_model::forces().iter().map(|f| f.id.clone()).find(|f| *f != force).unwrap();
    let sub2 = e.user("sub2", "submitter", Some(&other)).await;
    let (_, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&sub2), zip_folder(&root.join("2023").join(&other), None)).await;
    e.api("POST", &format!("/api/v1/submissions/{}/confirm", v["id"].as_str().unwrap()), Some(&sub2), vec![]).await;
    let (s, b) = e.api("POST", "/api/v1/builds?period=2023", Some(&an), vec![]).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let two = b["id"].as_str().unwrap().to_string();
    for zip in ["internal.zip", "public.zip"] {
        assert!(zip_names(&e, &an, &two, zip).await.iter().any(|n| n == "tables/V01_revisions.csv"), "{zip} of the rebuild lists revisions");
    }
}

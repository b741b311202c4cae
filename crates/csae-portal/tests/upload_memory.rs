//! Uploads within every size limit that would need more memory than a validation may use are
//! refused (413, saying what the limit is) before the work, under a memory limit on this whole
//! test process: a portal that read them would abort it. Nothing else belongs in this file.

mod common;

use std::io::Write as _;

use axum::http::StatusCode;
use common::*;

/// The address-space limit of this process.
const PROCESS_LIMIT: u64 = 3 << 30;

fn limit_memory() {
    let lim = libc::rlimit { rlim_cur: PROCESS_LIMIT, rlim_max: PROCESS_LIMIT };
    // SAFETY: setrlimit reads the struct we pass and changes only this process's limit.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) }, 0);
}

/// A zip of the tiny return whose crimes.csv is followed by `rows` rows made by `row`, written
/// into the zip as they are made (the test never holds the uncompressed file).
fn zip_with_crimes(rows: usize, row: impl Fn(usize) -> String) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    for t in ["crimes", "victims", "suspects", "relationships"] {
        z.start_file(format!("{t}.csv"), opts).unwrap();
        z.write_all(&std::fs::read(tiny_cumbria().join(format!("{t}.csv"))).unwrap()).unwrap();
        if t == "crimes" {
            let mut buf = String::with_capacity(1 << 20);
            for i in 0..rows {
                buf.push_str(&row(i));
                if buf.len() > (1 << 20) - 200 {
                    z.write_all(buf.as_bytes()).unwrap();
                    buf.clear();
                }
            }
            z.write_all(buf.as_bytes()).unwrap();
        }
    }
    z.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_needing_more_than_the_memory_budget_are_refused_before_the_work() {
    limit_memory();
    let e = env_with("sqlite", |c| {
        c.max_upload_bytes = 128 * 1024 * 1024;
        c.max_validation_memory_bytes = 256 * 1024 * 1024;
    })
    .await;
    let t = e.user("sub", "submitter", Some("cumbria")).await;
    let an = e.user("an", "analyst", None).await;
    e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;

    // 360 MB of crimes in a zip well under the upload limit: refused from the zip's entries.
    let big = zip_with_crimes(4_700_000, |i| format!("cumbria,CR{i:08},2023-02-{:02},,,19E\n", 1 + i % 28));
    assert!(big.len() < 128 * 1024 * 1024, "within the upload limit: {} bytes", big.len());
    let (s, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&t), big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    let detail = v["detail"].as_str().unwrap();
    assert!(detail.contains("add up to more than 16 MB uncompressed"), "{detail}");
    assert!(detail.contains("max_validation_memory_mb, is 256 MB"), "{detail}");

    // Millions of tiny rows within the byte limit: refused while they are counted.
    let rows = zip_with_crimes(1_500_000, |i| format!("{i}\n"));
    let (s, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&t), rows).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    let detail = v["detail"].as_str().unwrap();
    assert!(detail.contains("has more rows than the 32768 a return may have here"), "{detail}");
    assert!(detail.contains("and 32768 rows"), "{detail}");

    // Nothing was stored, and a return within the budget is still taken.
    assert_eq!(std::fs::read_dir(e.app.layout.uploads()).unwrap().count(), 0);
    let (s, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&t), zip_folder(&tiny_cumbria(), None)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// A workbook with one value at XFD1048576 and a CSV cell of 20 MB: read in bounded memory,
/// the far value rejected with F02 and the long one echoed capped, in the stored report too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_cells_are_read_in_bounded_memory_and_echoed_capped() {
    limit_memory();
    let e = env_with("sqlite", |c| c.max_upload_bytes = 64 * 1024 * 1024).await;
    let t = e.user("sub", "submitter", Some("cumbria")).await;
    let an = e.user("an", "analyst", None).await;
    e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;

    let mut wb = rust_xlsxwriter::Workbook::new();
    for table in ["crimes", "victims", "suspects", "relationships"] {
        let ws = wb.add_worksheet();
        ws.set_name(table).unwrap();
        let header = std::fs::read_to_string(tiny_cumbria().join(format!("{table}.csv"))).unwrap();
        for (c, h) in header.lines().next().unwrap().split(',').enumerate() {
            ws.write_string(0, c as u16, h).unwrap();
        }
    }
    wb.worksheet_from_index(0).unwrap().write_string(1_048_575, 16_383, "far").unwrap();
    let (s, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&t), wb.save_to_buffer().unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["validation"]["forces"]["cumbria"]["rules"]["F02"], 1, "{v}");

    // A 20 MB offence code (digits, so the zip is no bomb) is echoed as 100 characters.
    let mut x = 7u64;
    let huge: String = (0..20 * 1024 * 1024).map(|_| { x = x.wrapping_mul(6364136223846793005).wrapping_add(1); char::from(b'0' + (x >> 60) as u8 % 10) }).collect();
    let crimes = format!("force_id,crime_ref,recorded_date,offence_code\ncumbria,CR1,2023-02-10,{huge}\n");
    let heads = ["force_id,crime_ref,person_ref", "force_id,crime_ref,person_ref", "force_id,crime_ref,victim_ref,suspect_ref,relationship"];
    let zip = zip_entries(&[("crimes.csv", crimes.as_bytes()), ("victims.csv", heads[0].as_bytes()), ("suspects.csv", heads[1].as_bytes()), ("relationships.csv", heads[2].as_bytes())]);
    let (s, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&t), zip).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v.to_string().len() < 20_000, "{} bytes", v.to_string().len());
    let issue = &v["validation"]["forces"]["cumbria"]["issues"].as_array().unwrap().iter().find(|i| i["rule"] == "C04").unwrap().clone();
    assert_eq!(issue["value"].as_str().unwrap(), format!("{}… (20971520 bytes)", &huge[..100]));
    let (s, page) = e.page("GET", &format!("/submissions/{}", v["id"].as_str().unwrap()), Some(&e.session("sub").await), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.len() < 100_000 && page.contains("(20971520 bytes)"), "{} bytes", page.len());
}

/// By default a validation may use half the machine's memory shared by the validation slots.
#[test]
fn the_default_budget_fits_every_slot_in_half_the_memory() {
    limit_memory();
    let dir = tempfile::tempdir().unwrap();
    let cfg = csae_portal::Config::for_data_dir(dir.path());
    let info = std::fs::read_to_string("/proc/meminfo").unwrap();
    let kb: u64 = info.lines().find_map(|l| l.strip_prefix("MemTotal:")).unwrap().trim().trim_end_matches("kB").trim().parse().unwrap();
    assert_eq!(cfg.max_validation_memory_bytes, kb * 1024 / 2 / cfg.validation_slots as u64);
    let limits = cfg.read_limits();
    assert!(limits.max_bytes > 0 && limits.max_rows > 100_000, "{limits:?}");
}

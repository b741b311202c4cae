//! `report.html`: self-contained and accessible by its markup (every build), and rendered in a
//! real headless browser without errors or network requests (when Debian's Chromium is
//! installed: `scripts/install-browser`, which `.ci/run` calls).

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use csae_publish::Mode;

fn publication(dir: &Path, mode: Mode) -> PathBuf {
    let ds = common::synthetic_dataset(dir, 0.02);
    let out = dir.join(mode.name());
    common::publish_to(&ds, &out, mode);
    out
}

/// Tags of the page in order, as (name, full tag text).
fn tags(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else { break };
        let tag = &rest[i + 1..i + j];
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '!').collect();
        let name = if tag.starts_with('/') { format!("/{name}") } else { name };
        out.push((name.to_ascii_lowercase(), tag.to_string()));
        rest = &rest[i + j + 1..];
    }
    out
}

#[test]
fn the_report_is_self_contained_and_accessible_markup() {
    let tmp = tempfile::tempdir().unwrap();
    for mode in [Mode::Public, Mode::Internal] {
        let out = publication(&tmp.path().join(mode.name()), mode);
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
        // The browser itself refuses any request the page might make.
        assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
        // Nothing outside the page: no scripts, styles, images, fonts or frames to fetch.
        for bad in ["<script", "<link", "<img", "<iframe", "<object", "@import", "url(", "src=", "href=\"http", "href=\"//"] {
            assert!(!html.contains(bad), "{mode:?}: report.html contains {bad}");
        }
        let tags = tags(&html);
        // Headings in order: one h1, no level skipped.
        let levels: Vec<u32> = tags.iter().filter_map(|(n, _)| n.strip_prefix('h').and_then(|d| d.parse().ok())).collect();
        assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1);
        assert_eq!(levels[0], 1);
        for w in levels.windows(2) {
            assert!(w[1] <= w[0] + 1, "heading level skipped: {levels:?}");
        }
        // Every section of the contract, linked from the contents.
        for (id, _) in csae_publish::html::SECTIONS {
            assert!(html.contains(&format!("<section id=\"{id}\"")) && html.contains(&format!("href=\"#{id}\"")), "section {id}");
        }
        // Tables: labelled by a caption above their scrolling area, header cells with scope;
        // charts: titled images with a text alternative.
        let tables: Vec<&String> = tags.iter().filter(|(n, _)| n == "table").map(|(_, t)| t).collect();
        assert!(tables.len() >= 20, "{}", tables.len());
        for t in &tables {
            let id = t.split(" id=\"").nth(1).unwrap().split('"').next().unwrap();
            assert!(t.contains(&format!("aria-labelledby=\"{id}-cap\"")), "{t}");
            assert!(html.contains(&format!("<p class=\"table-caption\" id=\"{id}-cap\">")), "{id}: caption outside the scrolling area");
        }
        assert!(!html.contains("(per cent) (per cent)") && !html.contains("per cent, per cent"));
        assert!(tags.iter().filter(|(n, _)| n == "th").all(|(_, t)| t.contains("scope=")));
        let svgs: Vec<&String> = tags.iter().filter(|(n, _)| n == "svg").map(|(_, t)| t).collect();
        assert!(svgs.len() >= 12, "{}", svgs.len());
        assert!(svgs.iter().all(|t| t.contains("role=\"img\"") && t.contains("aria-labelledby=")));
        assert_eq!(tags.iter().filter(|(n, _)| n == "title").count(), svgs.len() + 1, "a title for the page and each chart");
        assert_eq!(tags.iter().filter(|(n, _)| n == "desc").count(), svgs.len());
        // Ids unique (labels point at one element each).
        let ids: Vec<String> = tags.iter().filter_map(|(_, t)| t.split(" id=\"").nth(1).map(|s| s.split('"').next().unwrap().to_string())).collect();
        let unique: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "duplicate ids");
        // The marking at the top and the bottom; the key findings in words with numbers.
        // The synthetic collection is marked as such beside the protective marking.
        let marking = format!("<p>{} — {}</p>", mode.marking(), csae_publish::SYNTHETIC);
        assert_eq!(html.matches(&marking).count(), 2, "{mode:?}");
        assert!(html.contains("The police recorded ") && html.contains("were group-based"));
        if mode == Mode::Public {
            assert!(!html.contains("OFFICIAL-SENSITIVE"));
        }
    }
}

/// A listener standing in for an HTTP proxy: Chromium sends every non-local request to it,
/// so any connection means the page tried to reach the network.
fn proxy_trap() -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(std::sync::Mutex::new(Vec::new()));
    let h = hits.clone();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let n = s.read(&mut buf).unwrap_or(0);
            // The request line: "GET http://host/path HTTP/1.1" or "CONNECT host:443 HTTP/1.1".
            // Chromium sometimes opens a connection to its proxy ahead of need and closes it
            // unused: a connection that sends nothing asks for nothing, so it is not a request.
            let line = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_string();
            if !line.is_empty() {
                h.lock().unwrap().push(line);
            }
        }
    });
    (port, hits)
}

/// Flags that keep Chromium's own background traffic (updates, sync, metrics, safe browsing)
/// off, so that any request the trap sees comes from the page.
const QUIET: [&str; 14] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--metrics-recording-only",
    "--disable-features=OptimizationHints,Translate,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
];

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().map(PathBuf::from).find(|p| p.exists())
}

#[test]
fn the_report_renders_in_headless_chromium_without_errors_or_requests() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed (run scripts/install-browser)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = publication(tmp.path(), Mode::Public);
    let page = format!("file://{}", out.join("report.html").display());
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let (port, hits) = proxy_trap();
    for (name, size) in [("report-desktop.png", "1280,2400"), ("report-phone.png", "390,2400")] {
        let shot = shots.join(name);
        let _ = std::fs::remove_file(&shot);
        let o = Command::new(&browser)
            .args(QUIET)
            .arg("--hide-scrollbars")
            .arg(format!("--user-data-dir={}", tmp.path().join("profile").display()))
            .arg(format!("--proxy-server=http://127.0.0.1:{port}"))
            .arg("--proxy-bypass-list=<-loopback>")
            .args(["--enable-logging=stderr", "--v=0"])
            .arg(format!("--window-size={size}"))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(&page)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "chromium failed: {stderr}");
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "{name}: {} bytes", png.len());
        for line in stderr.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("ERR_")) {
            panic!("the page logged an error: {line}");
        }
        eprintln!("screenshot: {}", shot.display());
    }
    // The rendered DOM has the content (the page was laid out, not an error page).
    let o = Command::new(&browser)
        .args(QUIET)
        .arg("--dump-dom")
        .arg(format!("--user-data-dir={}", tmp.path().join("profile").display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{port}"))
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(&page)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(dom.contains("Key findings") && dom.contains("<svg") && dom.contains("Methodology"), "{}", &dom[..dom.len().min(500)]);
    std::thread::sleep(std::time::Duration::from_millis(200));
    // Chromium's own service calls (clock, component updates, accounts) are not the page's.
    const BROWSER_SERVICES: [&str; 3] = ["clients2.google.com", "update.googleapis.com", "accounts.google.com"];
    let hits: Vec<String> = hits.lock().unwrap().iter().filter(|l| !BROWSER_SERVICES.iter().any(|h| l.contains(&format!("//{h}/")) || l.contains(&format!(" {h}:")))).cloned().collect();
    assert!(hits.is_empty(), "the page made network requests: {hits:?}");
}

/// Measures the page as a 390 px phone shows it: the smallest chart text in CSS pixels (font
/// size times the SVG's scale on screen) and any chart caption inside a scrolling box. Headless
/// Chromium will not open a window that narrow, so the report is shown in a 390 px frame (its
/// own viewport, so the phone styles apply) and measured by the page around it.
const MEASURE: &str = "<script>\
const f=document.getElementById('f');f.addEventListener('load',()=>{const d=f.contentDocument,w=f.contentWindow;let min=1e9,n=0,bad=[];\
for(const t of d.querySelectorAll('svg text')){const m=t.getScreenCTM();if(!m)continue;\
const px=parseFloat(w.getComputedStyle(t).fontSize)*Math.hypot(m.a,m.b);n++;if(px<min)min=px;}\
for(const c of d.querySelectorAll('figcaption,.table-caption')){let e=c.parentElement;\
while(e){const o=w.getComputedStyle(e).overflowX;if(o==='auto'||o==='scroll'){bad.push(c.id);break;}e=e.parentElement;}}\
const p=document.createElement('pre');p.id='measured';\
p.textContent=JSON.stringify({texts:n,min:min,width:d.documentElement.clientWidth,scrolled:bad});\
document.body.appendChild(p);});</script>";

#[test]
fn on_a_phone_chart_text_is_at_least_12px_and_captions_stay_outside_scrolling_boxes() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed (run scripts/install-browser)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = publication(tmp.path(), Mode::Public);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let srcdoc = html.replace('&', "&amp;").replace('"', "&quot;");
    let probe = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">\
         <iframe id=\"f\" style=\"border:0;width:390px;height:2400px\" srcdoc=\"{srcdoc}\"></iframe>{MEASURE}</body></html>"
    );
    let page = tmp.path().join("probe.html");
    std::fs::write(&page, probe).unwrap();
    let o = Command::new(&browser)
        .args(QUIET)
        .arg(format!("--user-data-dir={}", tmp.path().join("profile").display()))
        .args(["--hide-scrollbars", "--window-size=800,2400", "--virtual-time-budget=3000", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "chromium failed: {}", String::from_utf8_lossy(&o.stderr));
    let dom = String::from_utf8_lossy(&o.stdout);
    let json = dom.split("<pre id=\"measured\">").nth(1).and_then(|s| s.split("</pre>").next()).unwrap_or_else(|| panic!("no measurement in the DOM"));
    let m: serde_json::Value = serde_json::from_str(&json.replace("&quot;", "\"")).unwrap();
    eprintln!("phone measurement: {m}");
    assert_eq!(m["width"].as_f64().unwrap(), 390.0, "the frame is phone-wide: {m}");
    assert!(m["texts"].as_u64().unwrap() > 100, "chart text was measured: {m}");
    assert!(m["min"].as_f64().unwrap() >= 12.0, "chart text below 12 px on a phone: {m}");
    assert_eq!(m["scrolled"].as_array().unwrap().len(), 0, "captions inside a scrolling box: {m}");
}

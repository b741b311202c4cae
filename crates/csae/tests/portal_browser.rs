//! The portal's main flow in a real browser: the `csae serve` binary, Debian's headless
//! Chromium driven by ChromeDriver over the W3C WebDriver protocol (plain HTTP + JSON).
//!
//! A submitter signs in, uploads a return with errors and sees them with table, row and column,
//! discards it, uploads a corrected workbook and confirms it, signs out; an analyst signs in,
//! sees the tracker, builds the period and downloads a file; an admin adds a user and disables
//! the submitter. Screenshots of each step go to
//! target/tmp/screenshots/portal-*.png. Skipped (with a message) when Chromium or ChromeDriver
//! is not installed: `scripts/install-browser` installs them.

use std::io::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";
/// The key W3C WebDriver gives element references under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// Longest wait for anything in the browser (a build of one small return takes about a second).
const PATIENCE: Duration = Duration::from_secs(30);

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).map(|d| d.join(name)).find(|p| p.is_file())
}

/// A child process killed when the test ends, however it ends.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for_port(port: u16, what: &str) {
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed() < PATIENCE, "{what} did not start listening on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn csae(data: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_csae"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(c.stdin.take());
    let out = c.wait_with_output().unwrap();
    assert!(out.status.success(), "csae {args:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    String::from_utf8(out.stdout).unwrap()
}

/// Polls `f` until it gives a value, failing after [`PATIENCE`] with `what`.
fn wait<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let t = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(t.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Decodes standard base64 (WebDriver screenshots).
fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("the screenshot is not base64"),
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= u32::from(val(*c)) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// A WebDriver session on ChromeDriver; ended (and the browser closed) when dropped.
struct Browser {
    http: ureq::Agent,
    session: String,
    base: String,
    shots: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.session).call();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(60))).build().into()
}

/// Sends a WebDriver command; `Err((error, message))` when the driver reports an error.
fn command(http: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Result<Value, (String, String)> {
    let r = match (method, body) {
        ("GET", _) => http.get(url).call(),
        ("DELETE", _) => http.delete(url).call(),
        (_, Some(b)) => http.post(url).send_json(&b),
        (_, None) => http.post(url).send_json(json!({})),
    };
    let mut r = r.unwrap_or_else(|e| panic!("ChromeDriver did not answer {method} {url}: {e}"));
    let v: Value = serde_json::from_str(&r.body_mut().with_config().limit(64 << 20).read_to_string().unwrap()).expect("ChromeDriver answers JSON");
    match v["value"].get("error").and_then(Value::as_str) {
        Some(e) => Err((e.to_string(), v["value"]["message"].as_str().unwrap_or("").lines().next().unwrap_or("").to_string())),
        None => Ok(v["value"].clone()),
    }
}

impl Browser {
    fn start(driver_port: u16, base: &str, profile: &Path, downloads: &Path) -> Browser {
        let http = agent();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": on_path("chromium").expect("chromium is on PATH"),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400",
                         "--no-first-run", "--disable-extensions", format!("--user-data-dir={}", profile.display())],
                "prefs": {"download.default_directory": downloads, "download.prompt_for_download": false}
            }
        }}});
        let v = command(&http, "POST", &format!("http://127.0.0.1:{driver_port}/session"), Some(caps)).unwrap_or_else(|e| panic!("Chromium did not start under ChromeDriver: {} ({})", e.0, e.1));
        let session = format!("http://127.0.0.1:{driver_port}/session/{}", v["sessionId"].as_str().unwrap());
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        let b = Browser { http, session, base: base.to_string(), shots };
        // Downloads without a prompt, into our folder (headless Chromium's own setting).
        b.cmd("POST", "/goog/cdp/execute", Some(json!({"cmd": "Browser.setDownloadBehavior", "params": {"behavior": "allow", "downloadPath": downloads}})));
        b
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        command(&self.http, method, &format!("{}{path}", self.session), body).unwrap_or_else(|e| panic!("WebDriver {method} {path} failed: {} ({})", e.0, e.1))
    }

    fn goto(&self, path: &str) {
        self.cmd("POST", "/url", Some(json!({"url": format!("{}{path}", self.base)})));
    }

    fn url(&self) -> String {
        let v = self.cmd("GET", "/url", None);
        v.as_str().unwrap_or_else(|| panic!("no URL: {v}")).to_string()
    }

    fn try_find(&self, css: &str) -> Option<String> {
        match command(&self.http, "POST", &format!("{}/element", self.session), Some(json!({"using": "css selector", "value": css}))) {
            Ok(v) => Some(v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element reference in {v}")).to_string()),
            // Not there (yet), or the page is being replaced: the caller polls.
            Err(_) => None,
        }
    }

    /// Waits for an element to be on the page; its reference.
    fn find(&self, css: &str) -> String {
        wait(&format!("{css} on the page (at {})", self.url()), || self.try_find(css))
    }

    fn click(&self, css: &str) {
        let el = self.find(css);
        self.cmd("POST", &format!("/element/{el}/click"), None);
    }

    /// Clicks the button whose text is `label`.
    fn press(&self, label: &str) {
        let xpath = format!("//button[normalize-space()='{label}']");
        let el = wait(&format!("a button {label:?} (at {})", self.url()), || {
            let v = command(&self.http, "POST", &format!("{}/element", self.session), Some(json!({"using": "xpath", "value": xpath}))).ok()?;
            v[ELEMENT].as_str().map(str::to_string)
        });
        self.cmd("POST", &format!("/element/{el}/click"), None);
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.cmd("POST", &format!("/element/{el}/value"), Some(json!({"text": text})));
    }

    fn text(&self, css: &str) -> String {
        let el = self.find(css);
        self.cmd("GET", &format!("/element/{el}/text"), None).as_str().unwrap_or("").to_string()
    }

    /// The text of an element, or None while it is missing or its page is being replaced.
    fn try_text(&self, css: &str) -> Option<String> {
        let el = self.try_find(css)?;
        command(&self.http, "GET", &format!("{}/element/{el}/text", self.session), None).ok()?.as_str().map(str::to_string)
    }

    /// Waits until the page's main heading is `h1` (after a click or a form's redirect).
    fn on_page(&self, h1: &str) {
        wait(&format!("the page {h1:?} (at {})", self.url()), || (self.try_text("h1")? == h1).then_some(()));
    }

    /// The body rows of the table captioned `caption`, as cell texts.
    fn table(&self, caption: &str) -> Vec<Vec<String>> {
        let script = "const t = [...document.querySelectorAll('table')].find(t => t.caption && t.caption.textContent.trim() === arguments[0]);\
                      return t ? [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent.trim())) : null;";
        let v = self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": [caption]})));
        assert!(!v.is_null(), "no table {caption:?} on {}", self.url());
        serde_json::from_value(v).unwrap()
    }

    fn screenshot(&self, name: &str) {
        let png = base64(self.cmd("GET", "/screenshot", None).as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "the screenshot {name} is not a PNG");
        std::fs::write(self.shots.join(format!("portal-{name}.png")), png).unwrap();
    }

    fn sign_in(&self, user: &str) {
        self.goto("/sign-in");
        self.on_page("Sign in");
        self.type_into("#username", user);
        self.type_into("#password", PASSWORD);
        self.click("form[action='/sign-in'] button");
        self.on_page("CSAE national collection");
    }

    fn upload(&self, file: &Path) {
        self.type_into("input#file", file.to_str().unwrap());
        self.click("form[action^='/upload'] button");
        self.on_page("Validation result");
    }
}

/// The Issues sheet of a downloaded error workbook as text cells (rows whose Row is a number),
/// or None while the file is still being written.
fn issue_rows(path: &Path) -> Option<Vec<Vec<String>>> {
    use calamine::Reader as _;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).ok()?;
    let sheet = wb.worksheet_range("Issues").ok()?;
    let cell = |c: &calamine::Data| match c {
        calamine::Data::Float(f) => format!("{f}"),
        other => other.to_string(),
    };
    Some(sheet.rows().filter(|r| matches!(r.get(1), Some(calamine::Data::Float(_)))).map(|r| r.iter().map(cell).collect()).collect())
}

/// The tiny hand-made Cumbria return (known errors), zipped.
fn return_with_errors(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny/cumbria");
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for t in ["crimes", "victims", "suspects", "relationships"] {
        z.start_file(format!("{t}.csv"), zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(&std::fs::read(src.join(format!("{t}.csv"))).unwrap()).unwrap();
    }
    let path = dir.join("cumbria.zip");
    std::fs::write(&path, z.finish().unwrap().into_inner()).unwrap();
    path
}

/// A clean synthetic Cumbria return as a workbook (the corrected upload).
fn corrected_return(dir: &Path) -> PathBuf {
    let (i, f) = csae_model::forces().iter().enumerate().find(|(_, f)| f.id == "cumbria").unwrap();
    let prc = csae_model::reference::prc_volumes();
    let pool = csae_synth::generate::travellers(7, 0.01);
    let data = csae_synth::generate::ForceGenerator::new(f, i, 7, &prc, &pool).generate(40);
    let mut rng = csae_synth::rng::Rng::new(7, 1000 + i as u64);
    let style = csae_synth::write::Style::draw(&mut rng);
    let path = dir.join("cumbria.xlsx");
    csae_synth::write::write_xlsx(&path, &data, &style, &mut rng).unwrap();
    path
}

#[test]
fn submitter_and_analyst_main_flow_in_chromium() {
    let (Some(_), Some(chromedriver)) = (on_path("chromium"), on_path("chromedriver")) else {
        println!("skipped: chromium/chromedriver not installed (run scripts/install-browser)");
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pw = format!("{PASSWORD}\n");
    csae(&data, &["user", "add", "--username", "cumbria.sub", "--role", "submitter", "--force", "cumbria"], Some(&pw));
    csae(&data, &["user", "add", "--username", "lead.analyst", "--role", "analyst"], Some(&pw));
    csae(&data, &["user", "add", "--username", "lead.admin", "--role", "admin"], Some(&pw));
    let analyst_token = csae(&data, &["token", "new", "--username", "lead.analyst"], None).trim().to_string();
    let with_errors = return_with_errors(dir.path());
    let corrected = corrected_return(dir.path());

    // The portal as shipped (Secure cookies on: browsers accept them on loopback).
    let port = free_port();
    let server = Proc(
        Command::new(env!("CARGO_BIN_EXE_csae"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(&data)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port, "csae serve");
    let base = format!("http://127.0.0.1:{port}");
    let mut r = agent()
        .post(format!("{base}/api/v1/periods"))
        .header("Authorization", format!("Bearer {analyst_token}"))
        .send(r#"{"id":"2023","from":"2023-01-01","to":"2023-12-31","due":"2024-03-31"}"#)
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "opening the period failed: {}", r.body_mut().read_to_string().unwrap_or_default());

    let driver_port = free_port();
    let _driver = Proc(Command::new(chromedriver).arg(format!("--port={driver_port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    wait_for_port(driver_port, "chromedriver");
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let b = Browser::start(driver_port, &base, &dir.path().join("profile"), &downloads);

    // Submitter: sign in, upload a return with errors, see them with table, row and column.
    b.goto("/");
    b.on_page("Sign in");
    b.screenshot("1-sign-in");
    b.sign_in("cumbria.sub");
    assert!(b.text("main").contains("Returns of Cumbria"), "the submitter's start page does not name the force");
    b.click("a[href='/upload?period=2023']");
    b.on_page("Upload a return");
    b.screenshot("2-upload");
    b.upload(&with_errors);
    assert!(b.text(".govuk-error-summary").contains("12 rows were rejected"), "the error summary does not count the rejected rows");
    let rows = b.table("Rows to correct");
    assert_eq!(rows.len(), 13, "13 problems expected (12 rejected rows and a warning): {rows:?}");
    // Table, row, column, value, rule, as `csae validate` reports them for fixtures/tiny.
    for want in [["crimes", "12", "offence_code", "99Z", "C04"], ["crimes", "13", "recorded_date", "2023-13-01", "C03"], ["suspects", "19", "sex", "X", "P04"]] {
        assert!(rows.iter().any(|r| r[..5] == want), "the page does not list {want:?}: {rows:?}");
    }
    b.cmd("POST", "/execute/sync", Some(json!({"script": "document.getElementById('rejected-rows').scrollIntoView()", "args": []})));
    b.screenshot("3-errors");

    // The error workbook to take away: every issue with its value and how to fix it.
    b.click("a[href$='/issues.xlsx']");
    let workbook = wait("issues.xlsx to be downloaded", || {
        std::fs::read_dir(&downloads).ok()?.flatten().map(|e| e.path()).find(|p| p.to_string_lossy().ends_with("-issues.xlsx"))
    });
    let issues = wait("the workbook to be complete", || issue_rows(&workbook));
    assert_eq!(issues.len(), 13, "{issues:?}");
    assert!(issues.iter().any(|r| r[..4] == ["crimes", "12", "offence_code", "C04"] && r[7] == "99Z" && r[6].contains("offence catalogue")), "{issues:?}");

    // Discard it, upload the corrected workbook, confirm it.
    b.click("form[action$='/discard'] button");
    b.on_page("Upload a return");
    b.upload(&corrected);
    assert!(b.text("main").contains("Every row passed validation"), "the corrected return did not pass: {}", b.text("main"));
    assert!(b.try_find(".govuk-error-summary").is_none(), "the corrected return shows errors");
    b.screenshot("4-corrected");
    b.click("form[action$='/confirm'] button");
    wait("the submission to show as confirmed", || b.try_text(".govuk-summary-list")?.contains("Confirmed version 1").then_some(()));
    b.screenshot("5-confirmed");
    b.click("form[action='/sign-out'] button");
    b.on_page("Sign in");

    // The session is gone: the upload page asks to sign in again.
    b.goto("/upload?period=2023");
    b.on_page("Sign in");
    assert!(b.text("main").contains("You need to sign in"), "a signed-out browser still reaches the upload page");

    // Analyst: tracker, build, download.
    b.sign_in("lead.analyst");
    b.click("a[href='/tracker?period=2023']");
    b.on_page("Tracker: period 2023");
    assert!(b.text("main").contains("1 of 44 forces have confirmed"), "the tracker does not count Cumbria");
    let forces = b.table("Forces");
    assert_eq!(forces.len(), 44, "the tracker lists {} forces", forces.len());
    let cumbria = forces.iter().find(|r| r[0] == "Cumbria").expect("Cumbria is in the tracker");
    assert_eq!((cumbria[1].as_str(), cumbria[2].as_str()), ("Accepted", "1"), "Cumbria's row: {cumbria:?}");
    // The due date has passed: the 43 forces without a confirmed return are overdue; Cumbria
    // meets the standard (nothing rejected in its confirmed version).
    assert!(b.text("main").contains("43 forces are overdue"), "{}", b.text("main"));
    assert_eq!((cumbria[6].as_str(), cumbria[7].as_str(), cumbria[8].as_str()), ("0%", "Meets the standard", ""), "Cumbria's row: {cumbria:?}");
    assert!(forces.iter().filter(|r| r[8] == "Overdue").count() == 43, "{forces:?}");
    b.screenshot("6-tracker");
    b.click("form[action='/builds?period=2023'] button");
    b.on_page("Build");
    b.screenshot("7-build");
    b.click("a[href$='/files/headline.json']");
    let file = downloads.join("headline.json");
    let headline: Value = wait("headline.json to be downloaded", || {
        let text = std::fs::read_to_string(&file).ok()?;
        serde_json::from_str(&text).ok()
    });
    assert!(headline.is_object() && headline.as_object().is_some_and(|o| !o.is_empty()), "the downloaded headline.json is empty");

    // A query on Cumbria's return, raised by the analyst, answered by the force, closed; its
    // text is shown as text wherever it appears.
    b.goto("/tracker?period=2023");
    b.on_page("Tracker: period 2023");
    b.click("a[href^='/submissions/']");
    b.on_page("Validation result");
    let submission = b.url();
    let hostile = "<script>document.title='pwned'</script><b id=\"injected\">bold</b> check row 12";
    b.type_into("#query-text", hostile);
    b.press("Raise the query");
    wait("the query on the page", || b.try_text(".query-text")?.contains("<script>").then_some(()));
    b.goto("/tracker?period=2023");
    b.on_page("Tracker: period 2023");
    assert!(b.table("Open queries").iter().any(|r| r[0] == "Cumbria" && r[3] == hostile), "{:?}", b.table("Open queries"));
    assert_eq!(b.table("Forces").iter().find(|r| r[0] == "Cumbria").map(|r| r[9].clone()), Some("1".to_string()));
    assert!(b.try_find("#injected").is_none() && !b.cmd("GET", "/title", None).as_str().unwrap_or("").contains("pwned"), "the query ran as HTML");
    b.screenshot("7b-query");
    b.goto("/");
    b.click("form[action='/sign-out'] button");
    b.on_page("Sign in");
    b.sign_in("cumbria.sub");
    b.goto(submission.trim_start_matches(&base));
    b.on_page("Validation result");
    b.type_into("form[action$='/replies'] textarea", "The code was a typing error; corrected in the system.");
    b.press("Send the reply");
    wait("the reply on the page", || b.try_text(".query-reply")?.contains("typing error").then_some(()));
    b.click("form[action='/sign-out'] button");
    b.on_page("Sign in");
    b.sign_in("lead.analyst");
    b.goto(submission.trim_start_matches(&base));
    b.on_page("Validation result");
    b.press("Close this query");
    wait("the query to show as closed", || b.try_text(".query p")?.contains("Closed").then_some(()));
    b.goto("/tracker?period=2023");
    b.on_page("Tracker: period 2023");
    assert!(b.text("main").contains("No query is open."), "{}", b.text("main"));
    b.goto("/");
    b.click("form[action='/sign-out'] button");
    b.on_page("Sign in");

    // Admin: add a user with the form, disable the submitter.
    b.sign_in("lead.admin");
    b.click("a[href='/admin/users']");
    b.on_page("Users");
    b.click("a[href='/admin/users/new']");
    b.on_page("Add a user");
    b.type_into("#username", "durham.viewer");
    b.click("#role-force_viewer");
    b.click("#force option[value='durham']");
    b.type_into("#password", PASSWORD);
    b.screenshot("8-add-user");
    b.press("Add the user");
    b.on_page("Users");
    assert!(b.text(".govuk-notification-banner").contains("durham.viewer has been added"), "no confirmation of the new user");
    b.press("Disable cumbria.sub");
    b.on_page("Users");
    assert!(b.text(".govuk-notification-banner").contains("cumbria.sub has been disabled"), "no confirmation of the disabled user");
    let users = b.table("Users");
    let state = |name: &str| users.iter().find(|r| r[0] == name).map(|r| (r[1].clone(), r[2].clone(), r[3].clone()));
    assert_eq!(state("durham.viewer"), Some(("force_viewer".into(), "durham".into(), "Active".into())), "{users:?}");
    assert_eq!(state("cumbria.sub").map(|s| s.2), Some("Disabled".into()), "{users:?}");
    b.screenshot("9-users");

    drop(b);
    drop(server);
    let out = csae(&data, &["audit", "verify"], None);
    assert!(out.contains("intact"), "{out}");
    println!("browser flow took {:.1} s; screenshots in {}", started.elapsed().as_secs_f64(), Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots").display());
}

//! The portal under load: the 44 forces upload their returns at the same moment to the
//! whole-program build of `csae serve`, each through the API with its own submitter's token.
//!
//!   bench/portal-load                      (builds target/dist/csae, then runs this)
//!   cargo bench -p csae-portal --bench portal_load
//!
//! Set-up (not timed): a fresh data folder, a period, 44 submitters (one per force) and an
//! analyst made with `csae user add` and `csae token new`, and per force a synthetic return of
//! about `CSAE_BENCH_RETURN_MB` (default 5) MB of CSV, zipped in memory. Then 44 threads wait on
//! a barrier and all POST at once. Timed: from the barrier to the last answer. Checked: every
//! upload answered 201 with the force's validation, every submission reads back with the same
//! rows, all 44 confirm and the tracker shows 44 forces submitted, and 44 upload folders exist —
//! nothing lost. Memory: the server's peak resident set (VmHWM in /proc/<pid>/status). Then the
//! 44 forces download their error workbooks at the same moment: each is read back and lists
//! exactly its upload's issues, and each download's time is compared with `csae validate` of
//! that return alone (target: the 95th percentile under 2×).
//!
//! Meanwhile `CSAE_BENCH_IDLE` (default 200) connections send half a request head and stop
//! (reopened whenever the server drops them), and a client signs in again and again; a first
//! run without them gives the sign-in time to compare with.
//!
//! Other settings: `CSAE_BENCH_RUNS` (default 3; a fresh server each run), `CSAE_BENCH_SLOTS`
//! (the server's `validation_slots`; default: the server's own default), `CSAE_BENCH_DIRTY`
//! (share of rows broken on purpose, default 0.01), `CSAE_BIN` (the binary; default
//! target/dist/csae).

use std::io::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use csae_model::{Table, forces};
use csae_synth::generate::{ForceGenerator, travellers};
use csae_synth::rng::Rng;

const PASSWORD: &str = "a long benchmark passphrase";
const TARGET_WALL: f64 = 10.0;
const TARGET_MB: f64 = 500.0;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn binary() -> PathBuf {
    let bin = std::env::var_os("CSAE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/dist/csae"));
    assert!(bin.exists(), "{} does not exist; build it first with `cargo build --profile dist -p csae` (bench/portal-load does)", bin.display());
    bin
}

/// Runs a `csae` account command on the data folder; returns its standard output.
fn csae(bin: &Path, data: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(bin)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the csae binary starts");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "csae {args:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    String::from_utf8(out.stdout).unwrap()
}

/// A submitter per force plus an analyst; returns (force id, token) pairs and the analyst's token.
fn accounts(bin: &Path, data: &Path) -> (Vec<(String, String)>, String) {
    let pw = format!("{PASSWORD}\n");
    let mut tokens = Vec::new();
    for f in forces() {
        let user = format!("{}.sub", f.id);
        csae(bin, data, &["user", "add", "--username", &user, "--role", "submitter", "--force", &f.id], Some(&pw));
        tokens.push((f.id.clone(), csae(bin, data, &["token", "new", "--username", &user], None).trim().to_string()));
    }
    csae(bin, data, &["user", "add", "--username", "bench.analyst", "--role", "analyst"], Some(&pw));
    let analyst = csae(bin, data, &["token", "new", "--username", "bench.analyst"], None).trim().to_string();
    (tokens, analyst)
}

/// One force's synthetic return as a zip of its four CSV files (deflated), and its CSV bytes.
fn force_return(i: usize, crimes: usize, dirty: f64, seed: u64, work: &Path) -> (Vec<u8>, u64) {
    let f = &forces()[i];
    let prc = csae_model::reference::prc_volumes();
    let pool = travellers(seed, 1.0);
    let mut data = ForceGenerator::new(f, i, seed, &prc, &pool).generate(crimes);
    let mut rng = Rng::new(seed, 1000 + i as u64);
    if dirty > 0.0 {
        let file_of = |t: Table| format!("{}/{}.csv", f.id, t.name());
        csae_synth::dirty::inject(&mut data, &f.id, dirty, &mut rng, &file_of);
    }
    let style = csae_synth::write::Style::draw(&mut rng);
    let dir = work.join(&f.id);
    csae_synth::write::write_csv(&dir, &data, &style, &mut rng).unwrap();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut csv_bytes = 0;
    for t in Table::ALL {
        let bytes = std::fs::read(dir.join(format!("{}.csv", t.name()))).unwrap();
        csv_bytes += bytes.len() as u64;
        z.start_file(format!("{}.csv", t.name()), opts).unwrap();
        z.write_all(&bytes).unwrap();
    }
    // The folder stays: each return is also validated alone, the yardstick of a download.
    (z.finish().unwrap().into_inner(), csv_bytes)
}

/// The 44 returns, each about `mb` MB of CSV (crimes per force calibrated on a trial return).
fn returns(mb: f64, dirty: f64, work: &Path) -> Vec<(Vec<u8>, u64)> {
    let seed = 2023;
    let trial = 2000;
    let (_, trial_bytes) = force_return(0, trial, dirty, seed, &work.join("trial"));
    let crimes = ((mb * 1024.0 * 1024.0) * trial as f64 / trial_bytes as f64).round() as usize;
    let n = forces().len();
    // Two threads (the machine's cores), each making every other force's return.
    let mut made: Vec<(usize, (Vec<u8>, u64))> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2).map(|k| s.spawn(move || (k..n).step_by(2).map(|i| (i, force_return(i, crimes, dirty, seed, work))).collect::<Vec<_>>())).collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    made.sort_by_key(|m| m.0);
    made.into_iter().map(|m| m.1).collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(bin: &Path, data: &Path, port: u16, config: &Path) -> Server {
    let child = Command::new(bin)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data)
        .arg("--config")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("csae serve starts");
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed() < Duration::from_secs(30), "csae serve did not start listening within 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    Server { child }
}

/// VmHWM of a process in MB (its peak resident set so far).
fn peak_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status is readable (Linux)");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM is in /proc/<pid>/status");
    kb / 1024.0
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(300))).build().into()
}

fn json(mut r: ureq::http::Response<ureq::Body>) -> (u16, serde_json::Value) {
    let status = r.status().as_u16();
    let text = r.body_mut().with_config().limit(256 << 20).read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

struct Upload {
    force: String,
    status: u16,
    body: serde_json::Value,
    finished: Instant,
    took: Duration,
}

struct RunResult {
    wall: Duration,
    latencies: Vec<Duration>,
    /// Sign-ins made while the uploads ran.
    sign_ins: Vec<Duration>,
    peak_mb: f64,
    idle_mb: f64,
    rows: i64,
    rejected: i64,
    /// Per force (in force order): the time to download its error workbook, all 44 at once.
    downloads: Vec<Duration>,
    /// Issues listed in the 44 workbooks, all checked against the uploads' validations.
    issues: usize,
}

/// Holds `n` connections that each send half a request head and nothing more (opening a new
/// one whenever the server closes one) until `stop` is set.
fn idle_connections(port: u16, n: usize, stop: Arc<std::sync::atomic::AtomicBool>) -> std::thread::JoinHandle<()> {
    use std::sync::atomic::Ordering;
    std::thread::spawn(move || {
        let open = |_| {
            let mut c = TcpStream::connect(("127.0.0.1", port)).ok()?;
            c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").ok()?;
            c.set_nonblocking(true).ok()?;
            Some(c)
        };
        let mut conns: Vec<Option<TcpStream>> = (0..n).map(open).collect();
        while !stop.load(Ordering::Relaxed) {
            for (i, c) in conns.iter_mut().enumerate() {
                let closed = match c {
                    Some(s) => matches!(std::io::Read::read(s, &mut [0u8; 64]), Ok(0)),
                    None => true,
                };
                if closed {
                    *c = open(i);
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    })
}

/// Signs in (the form, then the post) again and again until `stop` is set; the time of each.
fn sign_ins(base: String, stop: Arc<std::sync::atomic::AtomicBool>) -> std::thread::JoinHandle<Vec<Duration>> {
    use std::sync::atomic::Ordering;
    std::thread::spawn(move || {
        let a: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).timeout_global(Some(Duration::from_secs(60))).build().into();
        let mut times = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let t = Instant::now();
            let form = a.get(format!("{base}/sign-in")).call().unwrap();
            let cookie = form.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|c| c.split(';').next()).unwrap_or_default().to_string();
            let token = cookie.split_once('=').map(|x| x.1.to_string()).unwrap_or_default();
            let r = a
                .post(format!("{base}/sign-in"))
                .header("Cookie", &cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .send(format!("csrf={token}&username=bench.analyst&password={}", PASSWORD.replace(' ', "+")))
                .unwrap();
            assert_eq!(r.status().as_u16(), 303, "a sign-in failed during the uploads");
            times.push(t.elapsed());
        }
        times
    })
}

fn run(bin: &Path, returns: &Arc<Vec<(Vec<u8>, u64)>>, slots: Option<usize>, idle: usize) -> RunResult {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("portal.toml");
    let mut cfg = String::from("secure_cookies = false\n");
    if let Some(n) = slots {
        cfg.push_str(&format!("validation_slots = {n}\n"));
    }
    std::fs::write(&config, cfg).unwrap();
    let (tokens, analyst) = accounts(bin, &data);
    let port = free_port();
    let server = start(bin, &data, port, &config);
    let pid = server.child.id();
    let base = format!("http://127.0.0.1:{port}");
    let a = agent();
    let (s, b) = json(
        a.post(format!("{base}/api/v1/periods"))
            .header("Authorization", format!("Bearer {analyst}"))
            .send(r#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#)
            .unwrap(),
    );
    assert_eq!(s, 201, "opening the period failed: {b}");
    let idle_mb = peak_mb(pid);

    let n = tokens.len();
    let barrier = Arc::new(Barrier::new(n + 1));
    let handles: Vec<_> = tokens
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, (force, token))| {
            let (barrier, returns, base) = (barrier.clone(), returns.clone(), base.clone());
            std::thread::spawn(move || {
                let a = agent();
                let body = &returns[i].0;
                barrier.wait();
                let t = Instant::now();
                let r = a
                    .post(format!("{base}/api/v1/submissions?period=2023"))
                    .header("Authorization", format!("Bearer {token}"))
                    .header("X-File-Name", format!("{force}.zip"))
                    .header("Content-Type", "application/zip")
                    .send(&body[..]);
                let (status, body) = match r {
                    Ok(r) => json(r),
                    Err(e) => (0, serde_json::Value::String(format!("the request failed: {e}"))),
                };
                Upload { force, status, body, finished: Instant::now(), took: t.elapsed() }
            })
        })
        .collect();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let holder = (idle > 0).then(|| idle_connections(port, idle, stop.clone()));
    // The half-open connections are in place before the uploads start.
    std::thread::sleep(Duration::from_millis(if idle > 0 { 500 } else { 0 }));
    let signing = sign_ins(base.clone(), stop.clone());
    barrier.wait();
    let start = Instant::now();
    let uploads: Vec<Upload> = handles.into_iter().map(|h| h.join().expect("an upload thread panicked")).collect();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut sign_in_times = signing.join().expect("the sign-in thread panicked");
    sign_in_times.sort();
    if let Some(h) = holder {
        h.join().expect("the idle connections' thread panicked");
    }
    let wall = uploads.iter().map(|u| u.finished.duration_since(start)).max().unwrap();
    let peak = peak_mb(pid);

    // Every upload answered 201 with its force's validation…
    let mut ids = Vec::new();
    let (mut rows, mut rejected) = (0, 0);
    for u in &uploads {
        assert_eq!(u.status, 201, "the upload of {} answered {} instead of 201: {}", u.force, u.status, u.body);
        assert_eq!(u.body["force_id"], u.force.as_str(), "the upload of {} came back for another force", u.force);
        let report = &u.body["validation"]["forces"][&u.force];
        assert!(report["tables"].is_object(), "the upload of {} answered without its validation", u.force);
        let read = u.body["rows"]["read"].as_i64().unwrap();
        assert!(read > 0, "the upload of {} read no rows", u.force);
        rows += read;
        rejected += u.body["rows"]["rejected"].as_i64().unwrap();
        ids.push((u.force.clone(), u.body["id"].as_str().expect("an id").to_string(), read));
    }
    // …is stored: it reads back, confirms, and the tracker shows all 44 forces.
    for ((force, id, read), (_, token)) in ids.iter().zip(&tokens) {
        let (s, b) = json(a.get(format!("{base}/api/v1/submissions/{id}")).header("Authorization", format!("Bearer {token}")).call().unwrap());
        assert_eq!(s, 200, "the submission of {force} does not read back: {b}");
        assert_eq!(b["rows_read"].as_i64(), Some(*read), "the submission of {force} reads back with other rows");
        let (s, b) = json(a.post(format!("{base}/api/v1/submissions/{id}/confirm")).header("Authorization", format!("Bearer {token}")).send_empty().unwrap());
        assert_eq!(s, 200, "the submission of {force} could not be confirmed: {b}");
    }
    let (s, b) = json(a.get(format!("{base}/api/v1/tracker?period=2023")).header("Authorization", format!("Bearer {analyst}")).call().unwrap());
    assert_eq!(s, 200, "the tracker failed: {b}");
    let submitted = b["forces"].as_array().unwrap().iter().filter(|f| f["status"] != "not_submitted" && f["version"] == 1).count();
    assert_eq!(submitted, n, "the tracker shows {submitted} of {n} forces submitted");
    let folders = std::fs::read_dir(data.join("uploads")).unwrap().count();
    assert_eq!(folders, n, "{folders} upload folders for {n} uploads");
    let (downloads, issues) = download_workbooks(&base, &ids, &tokens, &uploads);
    drop(server);
    let mut latencies: Vec<Duration> = uploads.iter().map(|u| u.took).collect();
    latencies.sort();
    RunResult { wall, latencies, sign_ins: sign_in_times, peak_mb: peak, idle_mb, rows, rejected, downloads, issues }
}

/// Each force downloads its error workbook, all at the same moment: every answer is 200 and a
/// workbook whose Issues sheet lists exactly the issues of that upload's validation. Returns
/// each download's time (in force order) and the issues listed in all.
fn download_workbooks(base: &str, ids: &[(String, String, i64)], tokens: &[(String, String)], uploads: &[Upload]) -> (Vec<Duration>, usize) {
    use calamine::Reader as _;
    let barrier = Arc::new(Barrier::new(ids.len() + 1));
    let handles: Vec<_> = ids
        .iter()
        .zip(tokens)
        .map(|((force, id, _), (_, token))| {
            let (barrier, url, token, force) = (barrier.clone(), format!("{base}/api/v1/submissions/{id}/issues.xlsx"), token.clone(), force.clone());
            std::thread::spawn(move || {
                let a = agent();
                barrier.wait();
                let t = Instant::now();
                let mut r = a.get(url).header("Authorization", format!("Bearer {token}")).call().unwrap_or_else(|e| panic!("the download of {force}'s workbook failed: {e}"));
                let status = r.status().as_u16();
                let bytes = r.body_mut().with_config().limit(1 << 30).read_to_vec().unwrap();
                (force, status, bytes, t.elapsed())
            })
        })
        .collect();
    barrier.wait();
    let mut times = Vec::new();
    let mut listed = 0;
    for (h, u) in handles.into_iter().zip(uploads) {
        let (force, status, bytes, took) = h.join().expect("a download thread panicked");
        assert_eq!(status, 200, "the download of {force}'s workbook answered {status}");
        let mut wb = calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{force}'s workbook does not open: {e}"));
        let sheet = wb.worksheet_range("Issues").unwrap();
        let rows = sheet.rows().filter(|r| matches!(r.get(1), Some(calamine::Data::Float(_))) && r.get(3).is_some_and(|c| c.to_string().len() == 3)).count();
        let expected = u.body["validation"]["forces"][&force]["issues"].as_array().map_or(0, Vec::len);
        assert_eq!(rows, expected, "{force}'s workbook lists {rows} issues; its validation has {expected}");
        listed += rows;
        times.push(took);
    }
    (times, listed)
}

/// The time `csae validate` takes over each return alone (in force order), one after another.
fn validate_alone(bin: &Path, work: &Path) -> Vec<Duration> {
    forces()
        .iter()
        .map(|f| {
            let t = Instant::now();
            let out = Command::new(bin).arg("validate").arg(work.join(&f.id)).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
            assert!(out.code().is_some_and(|c| c <= 1), "csae validate failed on {}", f.id);
            t.elapsed()
        })
        .collect()
}

fn main() {
    // `cargo bench` passes --bench; nothing else is taken.
    let bin = binary();
    let mb: f64 = env_or("CSAE_BENCH_RETURN_MB", 5.0);
    let runs: usize = env_or("CSAE_BENCH_RUNS", 3);
    let dirty: f64 = env_or("CSAE_BENCH_DIRTY", 0.01);
    let slots: Option<usize> = std::env::var("CSAE_BENCH_SLOTS").ok().and_then(|v| v.parse().ok());
    let idle: usize = env_or("CSAE_BENCH_IDLE", 200);
    let work = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let returns = Arc::new(returns(mb, dirty, work.path()));
    let zip_total: u64 = returns.iter().map(|r| r.0.len() as u64).sum();
    let csv_total: u64 = returns.iter().map(|r| r.1).sum();
    let (zmin, zmax) = (returns.iter().map(|r| r.0.len()).min().unwrap(), returns.iter().map(|r| r.0.len()).max().unwrap());
    eprintln!("{} returns made in {:.1} s", returns.len(), t.elapsed().as_secs_f64());
    let alone = validate_alone(&bin, work.path());

    // The sign-in time with no idle connections, for comparison.
    let quiet = run(&bin, &returns, slots, 0);
    let p95 = |v: &[Duration]| v.get(((v.len().max(1) - 1) as f64 * 0.95).round() as usize).map_or(0.0, Duration::as_secs_f64);
    let quiet_p95 = p95(&quiet.sign_ins);
    eprintln!("without idle connections: 44 uploads in {:.2} s, sign-in p95 {quiet_p95:.2} s ({} sign-ins)", quiet.wall.as_secs_f64(), quiet.sign_ins.len());
    let mut results = Vec::new();
    for i in 0..runs {
        let r = run(&bin, &returns, slots, idle);
        eprintln!(
            "run {}: 44 uploads in {:.2} s beside {idle} idle connections, server peak {:.0} MB (idle {:.0} MB), slowest upload {:.2} s, sign-in p95 {:.2} s",
            i + 1,
            r.wall.as_secs_f64(),
            r.peak_mb,
            r.idle_mb,
            r.latencies.last().unwrap().as_secs_f64(),
            p95(&r.sign_ins)
        );
        results.push(r);
    }
    results.sort_by(|a, b| a.wall.cmp(&b.wall));
    let med = &results[results.len() / 2];
    let worst_peak = results.iter().map(|r| r.peak_mb).fold(0.0, f64::max);
    let worst_wall = results.last().unwrap().wall.as_secs_f64();
    let mbf = |b: u64| b as f64 / (1024.0 * 1024.0);
    let q = |p: f64| med.latencies[((med.latencies.len() - 1) as f64 * p).round() as usize].as_secs_f64();
    let slots_text = slots.map_or("default".to_string(), |n| n.to_string());

    println!("| measure | figure |");
    println!("|---|---|");
    println!("| uploads at the same moment | 44 (one per force, API, bearer tokens) |");
    println!("| each return | {mb:.0} MB of CSV, zip {:.1}–{:.1} MB (deflate) |", mbf(zmin as u64), mbf(zmax as u64));
    println!("| all 44 | {:.0} MB of CSV, {:.0} MB uploaded, {} rows read, {} rejected (dirty {dirty}) |", mbf(csv_total), mbf(zip_total), med.rows, med.rejected);
    println!("| validation_slots | {slots_text} |");
    println!("| wall time, barrier → last answer (median of {runs}; worst) | {:.2} s; {worst_wall:.2} s |", med.wall.as_secs_f64());
    println!("| one upload's answer time: fastest / median / slowest | {:.2} / {:.2} / {:.2} s |", q(0.0), q(0.5), q(1.0));
    println!("| server peak memory, VmHWM (worst of {runs}; idle before the uploads) | {worst_peak:.0} MB ({:.0} MB) |", med.idle_mb);
    println!("| answered 201 with validation / read back / confirmed / tracker | 44 / 44 / 44 / 44 in every run |");
    let worst_p95 = results.iter().map(|r| p95(&r.sign_ins)).fold(0.0, f64::max);
    println!("| half-open connections held during the uploads | {idle} |");
    println!("| sign-in p95 during the uploads: without / with them (worst of {runs}) | {quiet_p95:.2} s / {worst_p95:.2} s |");
    // A download against validating its return alone, per force; the 95th percentile of all runs.
    let mut ratios: Vec<f64> = results.iter().flat_map(|r| r.downloads.iter().zip(&alone).map(|(d, v)| d.as_secs_f64() / v.as_secs_f64())).collect();
    ratios.sort_by(f64::total_cmp);
    let ratio_p95 = ratios[((ratios.len() - 1) as f64 * 0.95).round() as usize];
    let mut all_downloads: Vec<Duration> = results.iter().flat_map(|r| r.downloads.iter().copied()).collect();
    all_downloads.sort();
    let mut alone_sorted = alone.clone();
    alone_sorted.sort();
    println!("| error workbooks downloaded at the same moment, issues listed (each checked) | 44, {} |", med.issues);
    println!("| one download: median / p95 (all runs) | {:.2} / {:.2} s |", all_downloads[all_downloads.len() / 2].as_secs_f64(), p95(&all_downloads));
    println!("| `csae validate` of one return alone: median / slowest | {:.2} / {:.2} s |", alone_sorted[alone_sorted.len() / 2].as_secs_f64(), alone_sorted.last().unwrap().as_secs_f64());
    println!("| p95 of a download's time over its return's validation time | {ratio_p95:.2} |");
    let ok_download = ratio_p95 < 2.0;
    let ok_wall = worst_wall < TARGET_WALL;
    let ok_mem = worst_peak < TARGET_MB;
    let ok_sign_in = worst_p95 < 2.0 * quiet_p95.max(0.01);
    println!();
    println!(
        "targets: wall < {TARGET_WALL} s: {}; peak < {TARGET_MB} MB: {}; sign-in p95 < 2x without idle connections: {}; download p95 < 2x validating the return alone: {}",
        if ok_wall { "met" } else { "MISSED" },
        if ok_mem { "met" } else { "MISSED" },
        if ok_sign_in { "met" } else { "MISSED" },
        if ok_download { "met" } else { "MISSED" }
    );
}

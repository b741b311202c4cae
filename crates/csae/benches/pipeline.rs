//! The pipeline benchmark: the national synthetic collection (scale 1, about 114,000 CSAE
//! crimes) through the `csae` binary (the dist build by default), each step beside a baseline measured in the same
//! run: the time to read and parse the same CSV files once and do nothing else.
//!
//!   cargo bench -p csae --bench pipeline            (CSV, 5 runs per step)
//!   CSAE_BENCH_XLSX=1 cargo bench -p csae --bench pipeline   (also the XLSX collection)
//!   CSAE_BENCH_SCALE=10 ...                           (another scale)
//!
//! Wall time is the median of the runs; memory is the peak resident set of the process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

/// Runs the csae binary, returning wall time and peak RSS (MB) of the child.
fn csae(args: &[&str]) -> (Duration, f64) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_csae")).args(args).stdout(std::process::Stdio::null()).spawn().expect("csae runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 on our own child with valid out-pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert!(rc == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1, "csae {args:?} failed");
    (wall, usage.ru_maxrss as f64 / 1024.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Baseline: read every CSV file of the collection and parse its records (2 threads, as the
/// product uses), keeping nothing.
fn parse_only(dir: &Path) -> (Duration, usize) {
    let start = Instant::now();
    let mut files: Vec<PathBuf> = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            files.extend(std::fs::read_dir(e.path()).unwrap().flatten().map(|f| f.path()));
        }
    }
    let half = files.len() / 2;
    let (a, b) = files.split_at(half);
    let count = |fs: &[PathBuf]| -> usize {
        fs.iter()
            .map(|f| {
                let bytes = std::fs::read(f).unwrap();
                let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(&bytes[..]);
                let mut rec = csv::StringRecord::new();
                let mut n = 0;
                while r.read_record(&mut rec).unwrap() {
                    n += 1;
                }
                n
            })
            .sum()
    };
    let rows = std::thread::scope(|s| {
        let h = s.spawn(|| count(a));
        count(b) + h.join().unwrap()
    });
    (start.elapsed(), rows)
}

fn step(name: &str, runs: usize, mut f: impl FnMut() -> (Duration, f64)) -> (String, Duration, f64) {
    let mut times = Vec::new();
    let mut peak: f64 = 0.0;
    for _ in 0..runs {
        let (t, m) = f();
        times.push(t);
        peak = peak.max(m);
    }
    (name.to_string(), median(times), peak)
}

fn main() {
    let scale = std::env::var("CSAE_BENCH_SCALE").unwrap_or_else(|_| "1".into());
    let tmp = tempfile::tempdir().unwrap();
    let p = |x: &Path| x.to_str().unwrap().to_string();
    let coll = tmp.path().join("collection");
    let key = tmp.path().join("key");
    csae(&["key", "new", &p(&key)]);
    let mut rows = Vec::new();
    rows.push(step("synth (csv)", 1, || csae(&["synth", "--out", &p(&coll), "--scale", &scale])));
    let bytes: u64 = walk_size(&coll);
    let mut n_rows = 0;
    rows.push(step("baseline: read + parse the CSV once", RUNS, || {
        let (t, n) = parse_only(&coll);
        n_rows = n;
        (t, 0.0)
    }));
    rows.push(step("csae validate", RUNS, || csae(&["validate", &p(&coll)])));
    let ds = tmp.path().join("ds");
    rows.push(step("csae ingest (new dataset)", RUNS, || {
        let _ = std::fs::remove_dir_all(&ds);
        csae(&["ingest", &p(&coll), "--out", &p(&ds), "--key-file", &p(&key)])
    }));
    rows.push(step("csae ingest (replacing all 44 returns)", RUNS, || csae(&["ingest", &p(&coll), "--out", &p(&ds), "--key-file", &p(&key)])));
    // Stages of an ingest (new dataset), from its own timing lines (CSAE_TIMING=1).
    let ingest_stages = stages(&["ingest", &p(&coll), "--out", &p(&ds), "--key-file", &p(&key)], || {
        let _ = std::fs::remove_dir_all(&ds);
    });
    rows.extend(of_which(&ingest_stages, &[
        ("returns read, validated and pseudonymised", ""),
        ("Parquet tables, quarantine and manifest written", " (concurrently)"),
        ("files made durable", " (fsync)"),
        ("dataset committed", ""),
    ]));
    let publication = tmp.path().join("publication");
    rows.push(step("csae report (internal, all tables + headline)", RUNS, || csae(&["report", &p(&ds), "--out", &p(&publication), "--disclosure", "internal"])));
    let public = tmp.path().join("public");
    rows.push(step("csae report (public: + suppression and exact audit)", RUNS, || csae(&["report", &p(&ds), "--out", &p(&public)])));
    // Stages of the public report, likewise.
    let report_stages = stages(&["report", &p(&ds), "--out", &p(&public)], || {});
    rows.extend(of_which(&report_stages, &[
        ("analysis: dataset, definitions, networks", ""),
        ("analysis: tables and headline", ""),
        ("disclosure control", " (suppression + exact audit of every table)"),
        ("publication files", " (CSV, tables.xlsx, report.html, headline)"),
    ]));
    let ds2 = tmp.path().join("ds2");
    rows.push(step("end to end: CSV returns → ingest → report", RUNS, || {
        let _ = std::fs::remove_dir_all(&ds2);
        let (a, m1) = csae(&["ingest", &p(&coll), "--out", &p(&ds2), "--key-file", &p(&key)]);
        let (b, m2) = csae(&["report", &p(&ds2), "--out", &p(&publication), "--disclosure", "internal"]);
        (a + b, m1.max(m2))
    }));
    let reference = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../csae-model/reference");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/baseline_headline.py");
    if Command::new("python3").arg("--version").output().is_ok() {
        rows.push(step("baseline: Python csv script, 4 headline figures only", 3, || {
            let start = Instant::now();
            let ok = Command::new("python3").args([p(&script), p(&coll), p(&reference)]).stdout(std::process::Stdio::null()).status().expect("python3 runs");
            assert!(ok.success());
            (start.elapsed(), 0.0)
        }));
    }
    if std::env::var_os("CSAE_BENCH_XLSX").is_some() {
        let x = tmp.path().join("xlsx");
        rows.push(step("synth (xlsx)", 1, || csae(&["synth", "--out", &p(&x), "--scale", &scale, "--format", "xlsx"])));
        let dx = tmp.path().join("dsx");
        rows.push(step("csae ingest (xlsx, new dataset)", 3, || {
            let _ = std::fs::remove_dir_all(&dx);
            csae(&["ingest", &p(&x), "--out", &p(&dx), "--key-file", &p(&key)])
        }));
    }
    // The statistics series: ten years (2014–2023) against the one-year figures, in this run.
    let mut ratios = Vec::new();
    if std::env::var_os("CSAE_BENCH_NO_SERIES").is_none() {
        let series = tmp.path().join("series");
        rows.push(step("synth --years 2014..2023 (csv)", 1, || csae(&["synth", "--out", &p(&series), "--years", "2014..2023", "--scale", &scale])));
        let years: Vec<String> = (2014..=2023).map(|y| p(&series.join(y.to_string()))).collect();
        let ds10 = tmp.path().join("ds10");
        rows.push(step("series: csae ingest of 10 years (new dataset)", 1, || {
            let _ = std::fs::remove_dir_all(&ds10);
            let mut args = vec!["ingest"];
            args.extend(years.iter().map(String::as_str));
            let (o, k) = (p(&ds10), p(&key));
            args.extend(["--out", &o, "--key-file", &k]);
            csae(&args)
        }));
        let year = "2023-01-01..2023-12-31";
        let one = step("series: public report of 2023, one-year dataset", RUNS, || csae(&["report", &p(&ds), "--out", &p(&public), "--period", year]));
        let pub10 = tmp.path().join("pub10");
        let ten = step("series: public report of 2023 with its 10-year series", RUNS, || csae(&["report", &p(&ds10), "--out", &p(&pub10), "--period", year]));
        ratios.push(format!("(a) report with a 10-year series / one-year report: {:.2}× time (target ≤ 4×), {:.2}× peak memory (target ≤ 2×)", ten.1.as_secs_f64() / one.1.as_secs_f64(), ten.2 / one.2));
        rows.push(one);
        rows.push(ten);
        // One force's return for one year: into an empty dataset, and replacing it in the ten years.
        let force_year = series.join("2018").join("west-yorkshire");
        let empty = tmp.path().join("ds-one");
        let fresh = step("series: ingest one force-year into an empty dataset", RUNS, || {
            let _ = std::fs::remove_dir_all(&empty);
            csae(&["ingest", &p(&force_year), "--out", &p(&empty), "--key-file", &p(&key)])
        });
        let replace = step("series: replace that force-year in the 10-year dataset", RUNS, || csae(&["ingest", &p(&force_year), "--out", &p(&ds10), "--key-file", &p(&key)]));
        ratios.push(format!("(b) replacing one force-year in 10 years / ingesting it into an empty dataset: {:.2}× time (target ≤ 2×)", replace.1.as_secs_f64() / fresh.1.as_secs_f64()));
        rows.push(fresh);
        rows.push(replace);
    }
    println!("\ncsae pipeline benchmark: scale {scale}, {n_rows} data rows, {:.1} MB of CSV, {} cores", bytes as f64 / 1e6, std::thread::available_parallelism().map_or(1, |n| n.get()));
    println!("| step | wall time (median) | × baseline | peak memory |");
    println!("|---|---|---|---|");
    let base = rows[1].1.as_secs_f64();
    for (name, t, mem) in &rows {
        let mem = if *mem > 0.0 { format!("{mem:.0} MB") } else { "-".into() };
        println!("| {name} | {:.3} s | {:.1} | {mem} |", t.as_secs_f64(), t.as_secs_f64() / base);
    }
    for r in ratios {
        println!("\n{r}");
    }
}

/// Median time of each stage a command reports on its `timing: <stage> <s> s` lines.
fn stages(args: &[&str], mut before: impl FnMut()) -> std::collections::BTreeMap<String, Duration> {
    let mut all: std::collections::BTreeMap<String, Vec<Duration>> = Default::default();
    for _ in 0..RUNS {
        before();
        let o = Command::new(env!("CARGO_BIN_EXE_csae")).args(args).env("CSAE_TIMING", "1").output().unwrap();
        for line in String::from_utf8_lossy(&o.stderr).lines().filter_map(|l| l.strip_prefix("timing: ")) {
            if let Some((stage, secs)) = line.strip_suffix(" s").and_then(|l| l.rsplit_once(' ')) {
                all.entry(stage.to_string()).or_default().push(Duration::from_secs_f64(secs.parse().unwrap_or(0.0)));
            }
        }
    }
    all.into_iter().map(|(k, v)| (k, median(v))).collect()
}

/// "of which" rows for the named stages, with a note after each name.
fn of_which(stages: &std::collections::BTreeMap<String, Duration>, names: &[(&str, &str)]) -> Vec<(String, Duration, f64)> {
    names.iter().filter_map(|(stage, note)| stages.get(*stage).map(|t| (format!("  of which {stage}{note}"), *t, 0.0))).collect()
}

fn walk_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| if e.path().is_dir() { walk_size(&e.path()) } else { e.metadata().map_or(0, |m| m.len()) })
        .sum()
}

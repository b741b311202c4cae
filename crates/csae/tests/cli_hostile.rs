//! The command line against careless and hostile input: bounded memory and time, nothing a
//! user has dropped or counted twice without a word, and output a terminal cannot act on.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn csae() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_csae"));
    c.env_remove("CSAE_PSEUDONYM_KEY_FILE").env_remove("CSAE_CRASH_AT").env_remove("CSAE_NO_RENAME_EXCHANGE");
    c
}

fn run(args: &[&str]) -> Output {
    csae().args(args).output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn p(x: &Path) -> &str {
    x.to_str().unwrap()
}

fn tiny() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny/cumbria")
}

/// A copy of the tiny sample's return in `dir/cumbria`.
fn tiny_copy(dir: &Path) -> PathBuf {
    let ret = dir.join("cumbria");
    std::fs::create_dir_all(&ret).unwrap();
    for f in std::fs::read_dir(tiny()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), ret.join(f.file_name())).unwrap();
    }
    ret
}

fn new_key(dir: &Path) -> PathBuf {
    let k = dir.join("k.key");
    assert!(run(&["key", "new", p(&k)]).status.success());
    k
}

fn no_panic(o: &Output) {
    let (out, err) = text(o);
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE") && !out.contains("panicked"), "{err}");
}

/// A workbook of the tiny sample's headers with one value at XFD1048576 on the crimes sheet.
fn far_cell_workbook(path: &Path) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    for t in ["crimes", "victims", "suspects", "relationships"] {
        let ws = wb.add_worksheet();
        ws.set_name(t).unwrap();
        let header = std::fs::read_to_string(tiny().join(format!("{t}.csv"))).unwrap();
        for (c, h) in header.lines().next().unwrap().split(',').enumerate() {
            ws.write_string(0, c as u16, h).unwrap();
        }
        if t == "crimes" {
            ws.write_string(1_048_575, 16_383, "far").unwrap();
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn a_far_cell_workbook_is_validated_and_ingested_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("cumbria.xlsx");
    far_cell_workbook(&book);
    assert!(std::fs::metadata(&book).unwrap().len() < 20_000, "a small file");
    let key = new_key(dir.path());
    for args in [vec!["validate", p(&book)], vec!["ingest", p(&book), "--out", p(&dir.path().join("ds")), "--key-file", p(&key)]] {
        let mut c = csae();
        c.args(&args);
        // SAFETY: setrlimit in the child before exec touches nothing shared with the parent.
        unsafe {
            c.pre_exec(|| {
                let lim = libc::rlimit { rlim_cur: 4 << 30, rlim_max: 4 << 30 };
                if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let o = c.output().unwrap();
        no_panic(&o);
        let (out, err) = text(&o);
        assert!(o.status.code() == Some(0) || o.status.code() == Some(1), "{args:?}: {:?} {out} {err}", o.status);
        if args[0] == "validate" {
            assert!(out.contains("F02") && out.contains("row 1048576: the row has a value in column XFD"), "{out}");
        } else {
            assert!(out.contains("crimes 0/1"), "{out}");
        }
    }
}

#[test]
fn a_named_pipe_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let ret = tiny_copy(dir.path());
    std::fs::remove_file(ret.join("crimes.csv")).unwrap();
    let c = std::ffi::CString::new(p(&ret.join("crimes.csv"))).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let mut child = csae().args(["validate", p(&ret)]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("csae validate hangs on a named pipe");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).0.contains("cumbria/crimes.csv is not an ordinary file"), "{}", text(&o).0);
}

#[test]
fn ingest_never_deletes_a_file_the_user_put_in_the_dataset_folder() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path());
    let ds = dir.path().join("ds");
    assert!(run(&["ingest", p(&tiny()), "--out", p(&ds), "--key-file", p(&key)]).status.success());
    std::fs::write(ds.join("notes.txt"), "my notes").unwrap();
    let o = run(&["ingest", p(&tiny()), "--out", p(&ds), "--key-file", p(&key)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("holds \"notes.txt\", which is not part of a csae dataset; it would be lost"), "{}", text(&o).1);
    assert_eq!(std::fs::read_to_string(ds.join("notes.txt")).unwrap(), "my notes");
    // The same for a publication folder.
    let out = dir.path().join("pub");
    std::fs::remove_file(ds.join("notes.txt")).unwrap();
    assert!(run(&["report", p(&ds), "--out", p(&out), "--disclosure", "internal"]).status.success());
    std::fs::write(out.join("my-chart.png"), "png").unwrap();
    let o = run(&["report", p(&ds), "--out", p(&out), "--disclosure", "internal"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("\"my-chart.png\", which is not part of a csae publication"), "{}", text(&o).1);
    assert!(out.join("my-chart.png").exists());
}

fn headline(dir: &Path, ds: &Path, name: &str) -> serde_json::Value {
    let out = dir.join(name);
    let o = run(&["report", p(ds), "--out", p(&out), "--disclosure", "internal"]);
    assert!(o.status.success(), "{:?}", text(&o));
    serde_json::from_str(&std::fs::read_to_string(out.join("headline.json")).unwrap()).unwrap()
}

#[test]
fn a_return_declared_for_another_period_cannot_be_counted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path());
    let (once, twice) = (dir.path().join("once"), dir.path().join("twice"));
    for ds in [&once, &twice] {
        assert!(run(&["ingest", p(&tiny()), "--out", p(ds), "--key-file", p(&key)]).status.success());
    }
    // The same return again, declared for 2022: every crime is rejected (its 2023 crimes with C08).
    let o = run(&["ingest", p(&tiny()), "--out", p(&twice), "--key-file", p(&key), "--period", "2022-01-01..2022-12-31"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).0.contains("crimes 0/12") && text(&o).0.contains("C08×11"), "{}", text(&o).0);
    let (a, b) = (headline(dir.path(), &once, "pub-once"), headline(dir.path(), &twice, "pub-twice"));
    for key in ["csae_crimes", "group_based_crimes", "group_based_share", "suspect_records", "victim_records"] {
        assert_eq!(a[key], b[key], "{key}");
    }
    assert!(b["group_based_share"].as_f64().unwrap() <= 1.0);
}

#[test]
fn a_report_for_a_period_without_data_keeps_the_earlier_publication_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path());
    let ds = dir.path().join("ds");
    assert!(run(&["ingest", p(&tiny()), "--out", p(&ds), "--key-file", p(&key)]).status.success());
    let out = dir.path().join("pub");
    let before = headline(dir.path(), &ds, "pub");
    let o = run(&["report", p(&ds), "--out", p(&out), "--period", "2030-01-01..2030-12-31"]);
    assert_eq!(o.status.code(), Some(1));
    let (_, err) = text(&o);
    assert!(err.contains("no accepted crime") && err.contains("nothing was written") && err.contains("--allow-empty"), "{err}");
    let kept: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("headline.json")).unwrap()).unwrap();
    assert_eq!(kept, before);
    let o = run(&["report", p(&ds), "--out", p(&out), "--period", "2030-01-01..2030-12-31", "--allow-empty"]);
    assert!(o.status.success(), "{:?}", text(&o));
}

#[test]
fn terminal_control_sequences_in_cells_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let ret = tiny_copy(dir.path());
    let crimes = std::fs::read_to_string(ret.join("crimes.csv")).unwrap();
    let mut lines: Vec<String> = crimes.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen("cumbria", "\u{1b}[2J\u{1b}]0;owned\u{7}", 1);
    std::fs::write(ret.join("crimes.csv"), lines.join("\n") + "\n").unwrap();
    let o = run(&["validate", p(&ret)]);
    let (out, err) = text(&o);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}') && !err.contains('\u{1b}'), "{out:?}");
    assert!(out.contains("\\u{1b}[2J"), "{out}");
    assert!(out.contains("F03"), "{out}");
}

#[test]
fn an_unwritable_json_path_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path());
    let ds = dir.path().join("ds");
    let o = run(&["ingest", p(&tiny()), "--out", p(&ds), "--key-file", p(&key), "--json", "/no/such/dir/v.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("cannot write /no/such/dir/v.json (the folder /no/such/dir does not exist)"), "{}", text(&o).1);
    assert!(!ds.exists(), "the dataset was not written");
    let o = run(&["validate", p(&tiny()), "--json", "/no/such/dir/v.json"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_has_examples_for_every_group_and_names_every_file_report_writes() {
    for args in [vec!["token", "revoke", "--help"], vec!["audit", "verify", "--help"], vec!["key", "--help"], vec!["user", "--help"], vec!["token", "--help"], vec!["audit", "--help"]] {
        let (out, _) = text(&run(&args));
        assert!(out.contains("Example"), "{args:?}: {out}");
    }
    let (out, _) = text(&run(&["user", "add", "--help"]));
    assert!(out.contains("--username <U>") && out.contains("sign-in name"), "{out}");
    let (out, _) = text(&run(&["--help"]));
    for f in ["report.html", "tables.xlsx", "tables/<id>.csv", "headline.json", "sources.json", "README.txt"] {
        assert!(out.contains(f), "{f}: {out}");
    }
}

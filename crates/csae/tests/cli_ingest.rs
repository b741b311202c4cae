//! The command line end to end: exit codes, one-sentence errors, the key, the dataset, and
//! crashes at every step of an ingest leaving the previous dataset intact.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn csae() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_csae"));
    c.env_remove("CSAE_PSEUDONYM_KEY_FILE").env_remove("CSAE_CRASH_AT").env_remove("CSAE_NO_RENAME_EXCHANGE");
    c
}

fn run(args: &[&str]) -> Output {
    csae().args(args).output().unwrap()
}

fn tiny() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny/cumbria")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn p(x: &Path) -> &str {
    x.to_str().unwrap()
}

/// A user error: exit 2 and one line on stderr, no panic or backtrace.
fn assert_user_error(o: &Output, contains: &str) {
    let (_, err) = text(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    assert!(err.starts_with("error: ") && err.contains(contains), "{err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
}

#[test]
fn validate_reports_the_sample_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("v.json");
    let o = run(&["validate", p(&tiny()), "--json", p(&json)]);
    assert_eq!(o.status.code(), Some(1));
    let (out, _) = text(&o);
    assert!(out.contains("rejected rows C06      2"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["schema"], "csae.validation/1");
    assert_eq!(v["forces"]["cumbria"]["tables"]["crimes"]["rejected"], 4);
    // No personal value in the national summary or report.
    for leak in ["\"S51\"", "\"S99\"", "\"S42\""] {
        assert!(!out.contains(leak) && !v.to_string().contains(leak), "{leak}");
    }
}

#[test]
fn validate_lists_collection_entries_it_skips() {
    let dir = tempfile::tempdir().unwrap();
    let coll = dir.path().join("returns");
    std::fs::create_dir_all(coll.join("cumbria")).unwrap();
    for f in std::fs::read_dir(tiny()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), coll.join("cumbria").join(f.file_name())).unwrap();
    }
    std::fs::write(coll.join("README.txt"), "notes").unwrap();
    std::fs::create_dir(coll.join("atlantis")).unwrap();
    let o = run(&["validate", p(&coll)]);
    let (out, _) = text(&o);
    assert!(out.contains("skipped") && out.contains("README.txt") && out.contains("atlantis"), "{out}");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn unusable_inputs_are_one_sentence_and_exit_2() {
    assert_user_error(&run(&["validate", "/no/such/folder"]), "/no/such/folder cannot be opened");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    assert_user_error(&run(&["validate", p(dir.path())]), "holds no force return");
    assert_user_error(&run(&["validate", p(&dir.path().join("notes.txt"))]), "is not a force return");
    let o = run(&["ingest", p(&tiny()), "--out", p(&dir.path().join("ds")), "--period", "2023..2024"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("is not a period"));
}

#[test]
fn a_whole_return_rejected_is_f01_with_file_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let ret = dir.path().join("cumbria");
    std::fs::create_dir(&ret).unwrap();
    for f in std::fs::read_dir(tiny()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), ret.join(f.file_name())).unwrap();
    }
    let crimes = std::fs::read_to_string(ret.join("crimes.csv")).unwrap().replacen("offence_code", "offence", 1);
    std::fs::write(ret.join("crimes.csv"), crimes).unwrap();
    let json = dir.path().join("v.json");
    let o = run(&["validate", p(&ret), "--json", p(&json)]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["forces"]["cumbria"]["rejected_whole"], true);
    assert_eq!(v["forces"]["cumbria"]["reason"], "cumbria/crimes.csv lacks the required column offence_code; add a header cell named offence_code in row 1 and submit the return again (F01)");
    // Ingested, it changes nothing and leaves nothing behind.
    let k = new_key(dir.path(), "k");
    let ds = dir.path().join("ds");
    assert!(run(&["ingest", p(&tiny()), "--out", p(&ds), "--key-file", p(&k)]).status.success());
    let before = snapshot(&ds);
    let o = run(&["ingest", p(&ret), "--out", p(&ds), "--key-file", p(&k)]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    assert_eq!(snapshot(&ds), before);
    assert!(!dir.path().join(".ds.new").exists(), "no staging folder is left");
}

#[test]
fn key_new_is_private_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k");
    assert!(run(&["key", "new", p(&key)]).status.success());
    assert_user_error(&run(&["key", "new", p(&key)]), "already exists");
}

#[test]
fn ingest_refuses_without_a_key_and_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    assert_user_error(&run(&["ingest", p(&tiny()), "--out", p(&ds)]), "csae key new");
    assert!(!ds.exists(), "nothing written without a key");
    std::fs::write(dir.path().join("short"), "too short").unwrap();
    assert_user_error(&run(&["ingest", p(&tiny()), "--out", p(&ds), "--key-file", p(&dir.path().join("short"))]), "at least 32");
}

fn new_key(dir: &Path, name: &str) -> PathBuf {
    let k = dir.join(name);
    assert!(run(&["key", "new", p(&k)]).status.success());
    k
}

#[test]
fn ingest_writes_a_pseudonymised_dataset_and_refuses_to_mix_keys() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    let k1 = new_key(dir.path(), "k1");
    let o = run(&["ingest", p(&tiny()), "--out", p(&ds), "--key-file", p(&k1)]);
    assert!(o.status.success(), "{:?}", text(&o));
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(ds.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["returns"][0]["period"], "2023-01-01..2023-12-31");
    assert_eq!(m["totals"]["suspects"]["accepted"], 15);
    assert_eq!(m["returns"][0]["tables"]["crimes"]["sha256"].as_str().unwrap().len(), 64);
    for t in csae_model::Table::ALL {
        let rows = csae_dataset::count_rows(&ds, t).unwrap();
        assert_eq!(rows as u64, m["totals"][t.name()]["accepted"].as_u64().unwrap(), "{t}");
    }
    // No clear reference or date of birth in the Parquet files or the manifest.
    let mut files: Vec<PathBuf> = csae_model::Table::ALL.iter().flat_map(|&t| csae_dataset::table_files(&ds, t).unwrap()).collect();
    files.push(ds.join("manifest.json"));
    assert_eq!(files.len(), 5, "one file per table for the one period: {files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let f = f.display();
        for needle in ["CR1", "S20", "12/345678A", "V8", "2010-03-01", "UNK1"] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{needle} in {f}");
        }
    }
    // Another key is refused before anything is written.
    let before = std::fs::read(ds.join("manifest.json")).unwrap();
    let k2 = new_key(dir.path(), "k2");
    assert_user_error(&run(&["ingest", p(&tiny()), "--out", p(&ds), "--key-file", p(&k2)]), "another pseudonymisation key");
    assert_eq!(before, std::fs::read(ds.join("manifest.json")).unwrap());
    // The environment variable names the key as well; re-ingesting replaces, never doubles.
    let o = csae().args(["ingest", p(&tiny()), "--out", p(&ds)]).env("CSAE_PSEUDONYM_KEY_FILE", &k1).output().unwrap();
    assert!(o.status.success());
    assert!(text(&o).0.contains("replaced earlier data of cumbria for 2023-01-01..2023-12-31"));
    assert_eq!(csae_dataset::count_rows(&ds, csae_model::Table::Crimes).unwrap(), 8);
}

#[test]
fn a_folder_that_is_not_a_dataset_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "x").unwrap();
    let k = new_key(dir.path(), "k");
    assert_user_error(&run(&["ingest", p(&tiny()), "--out", p(dir.path()), "--key-file", p(&k)]), "not a csae dataset");
}

/// A return like the sample but with one crime fewer, so old and new datasets differ.
fn smaller_return(dir: &Path) -> PathBuf {
    let ret = dir.join("smaller").join("cumbria");
    std::fs::create_dir_all(&ret).unwrap();
    for f in std::fs::read_dir(tiny()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), ret.join(f.file_name())).unwrap();
    }
    let crimes: Vec<String> = std::fs::read_to_string(ret.join("crimes.csv")).unwrap().lines().filter(|l| !l.contains(",CR5,")).map(str::to_string).collect();
    std::fs::write(ret.join("crimes.csv"), crimes.join("\n")).unwrap();
    ret
}

fn snapshot(ds: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![ds.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                files.push((e.path().strip_prefix(ds).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// The sample's return as another force's (every `cumbria` in it becomes `durham`).
fn as_durham(dir: &Path) -> PathBuf {
    let ret = dir.join("other").join("durham");
    std::fs::create_dir_all(&ret).unwrap();
    for f in std::fs::read_dir(tiny()).unwrap() {
        let f = f.unwrap();
        std::fs::write(ret.join(f.file_name()), std::fs::read_to_string(f.path()).unwrap().replace("cumbria", "durham")).unwrap();
    }
    ret
}

#[test]
fn reingesting_keeps_the_other_forces_and_replacing_every_return_keeps_nothing_old() {
    let dir = tempfile::tempdir().unwrap();
    let k = new_key(dir.path(), "k");
    let ds = dir.path().join("ds");
    let (durham, smaller) = (as_durham(dir.path()), smaller_return(dir.path()));
    let crimes = |ds: &Path| csae_dataset::count_rows(ds, csae_model::Table::Crimes).unwrap();
    assert!(run(&["ingest", p(&tiny()), p(&durham), "--out", p(&ds), "--key-file", p(&k)]).status.success());
    assert_eq!(crimes(&ds), 16);
    // One force replaced: the other's rows are read back and kept.
    assert!(run(&["ingest", p(&smaller), "--out", p(&ds), "--key-file", p(&k)]).status.success());
    assert_eq!(crimes(&ds), 15);
    // Every return replaced: the old tables are not read (a damaged one is no obstacle), and
    // the dataset is exactly a fresh ingest of the same returns.
    std::fs::write(csae_dataset::return_file(&ds, csae_model::Table::Relationships, "cumbria", "2023-01-01..2023-12-31"), b"damaged").unwrap();
    let o = run(&["ingest", p(&tiny()), p(&durham), "--out", p(&ds), "--key-file", p(&k)]);
    assert!(o.status.success(), "{:?}", text(&o));
    let fresh = dir.path().join("fresh");
    assert!(run(&["ingest", p(&tiny()), p(&durham), "--out", p(&fresh), "--key-file", p(&k)]).status.success());
    for t in csae_model::Table::ALL {
        let read = |ds: &Path| csae_dataset::read_table_without(ds, t, &[]).unwrap();
        assert_eq!(read(&ds), read(&fresh), "{t}");
    }
    assert_eq!(crimes(&ds), 16);
}

#[test]
fn a_crash_at_any_step_of_ingest_leaves_the_previous_dataset_intact() {
    let dir = tempfile::tempdir().unwrap();
    let k = new_key(dir.path(), "k");
    let smaller = smaller_return(dir.path());
    for (point, no_exchange) in [("after-validate", false), ("after-table", false), ("before-commit", false), ("before-commit", true), ("after-exchange", false), ("between-renames", true)] {
        let ds = dir.path().join(format!("ds-{point}-{no_exchange}"));
        assert!(run(&["ingest", p(&tiny()), "--out", p(&ds), "--key-file", p(&k)]).status.success());
        let old = snapshot(&ds);
        let mut cmd = csae();
        cmd.args(["ingest", p(&smaller), "--out", p(&ds), "--key-file", p(&k)]).env("CSAE_CRASH_AT", point);
        if no_exchange {
            cmd.env("CSAE_NO_RENAME_EXCHANGE", "1");
        }
        let o = cmd.output().unwrap();
        assert!(!o.status.success(), "{point}: the crash hook fired");
        match point {
            // The swap happened: the new version is complete.
            "after-exchange" => assert_eq!(csae_dataset::count_rows(&ds, csae_model::Table::Crimes).unwrap(), 7, "{point}"),
            // Killed between the two fallback renames: the next run puts the old version back.
            "between-renames" => {}
            _ => assert_eq!(snapshot(&ds), old, "{point}: the previous dataset is untouched"),
        }
        // The next ingest tidies up and succeeds.
        let o = run(&["ingest", p(&smaller), "--out", p(&ds), "--key-file", p(&k)]);
        assert!(o.status.success(), "{point}: {:?}", text(&o));
        assert_eq!(csae_dataset::count_rows(&ds, csae_model::Table::Crimes).unwrap(), 7);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".new") || n.ends_with(".old")).collect();
        assert!(leftovers.is_empty(), "{point}: {leftovers:?}");
    }
}

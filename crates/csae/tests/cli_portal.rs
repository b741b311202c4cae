//! The portal through the real binary: accounts on the command line, `audit verify`, and a
//! server killed in the middle of an upload leaving nothing half-stored.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn csae(data: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_csae"));
    c.args(args).arg("--data-dir").arg(data).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(data: &Path, port: u16) -> Child {
    start_crashing(data, port, "")
}

/// `start` with the process set to abort at `crash` (`CSAE_CRASH_AT`; none when empty).
fn start_crashing(data: &Path, port: u16, crash: &str) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_csae"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data)
        .env("CSAE_CRASH_AT", crash)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed() < Duration::from_secs(30), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// One HTTP/1.1 request; returns status and body.
fn http(port: u16, method: &str, path: &str, token: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text.split_once("\r\n\r\n").map(|x| x.1.to_string()).unwrap_or_default())
}

fn tiny_zip() -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny/cumbria");
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for t in ["crimes", "victims", "suspects", "relationships"] {
        z.start_file(format!("{t}.csv"), zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(&std::fs::read(dir.join(format!("{t}.csv"))).unwrap()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn accounts_tokens_and_audit_verify_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, out, err) = csae(&data, &["user", "add", "--username", "cumbria.sub", "--role", "submitter", "--force", "cumbria"], Some("a long enough password\n"));
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = csae(&data, &["user", "add", "--username", "no.force", "--role", "submitter"], Some("a long enough password\n"));
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    let (code, _, err) = csae(&data, &["user", "add", "--username", "short.pw", "--role", "analyst"], Some("short\n"));
    assert_eq!(code, 2);
    assert!(err.contains("at least 12"), "{err}");
    let (code, out, _) = csae(&data, &["token", "new", "--username", "cumbria.sub"], None);
    assert_eq!(code, 0);
    assert!(out.trim().starts_with("csae_") && out.trim().len() > 60, "{out}");
    let (code, out, _) = csae(&data, &["audit", "verify"], None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"));
    // A head recorded elsewhere: the log is checked against it.
    let (code, head, err) = csae(&data, &["audit", "head"], None);
    assert_eq!(code, 0, "{err}");
    let head = head.trim().to_string();
    assert!(head.split_once(':').is_some_and(|(seq, hash)| seq.parse::<i64>().is_ok() && hash.len() == 64), "{head}");
    assert_eq!(csae(&data, &["audit", "verify", "--head", &head], None).0, 0);
    let (seq, _) = head.split_once(':').unwrap();
    let (code, _, err) = csae(&data, &["audit", "verify", "--head", &format!("{seq}:{}", "0".repeat(64))], None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("differs from the head recorded elsewhere"), "{err}");
    assert_eq!(csae(&data, &["audit", "verify", "--head", "nonsense"], None).0, 2);
    // Removing the chain's anchor makes the end of the log unverifiable: exit 1.
    std::fs::remove_file(data.join("audit.head")).unwrap();
    let (code, _, err) = csae(&data, &["audit", "verify"], None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("audit log has been altered"), "{err}");
}

#[test]
fn a_server_killed_mid_upload_leaves_nothing_half_stored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(csae(&data, &["user", "add", "--username", "sub", "--role", "submitter", "--force", "cumbria"], Some("a long enough password\n")).0, 0);
    assert_eq!(csae(&data, &["user", "add", "--username", "an", "--role", "analyst"], Some("a long enough password\n")).0, 0);
    let sub = csae(&data, &["token", "new", "--username", "sub"], None).1.trim().to_string();
    let an = csae(&data, &["token", "new", "--username", "an"], None).1.trim().to_string();
    let port = free_port();
    let mut server = start(&data, port);
    let (s, b) = http(port, "POST", "/api/v1/periods", &an, br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#);
    assert_eq!(s, 201, "{b}");
    // Half a body: the headers promise 2 MB, half arrives, then the server is killed.
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let total = 2 * 1024 * 1024;
    let head = format!("POST /api/v1/submissions?period=2023 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {sub}\r\nContent-Length: {total}\r\n\r\n");
    conn.write_all(head.as_bytes()).unwrap();
    let mut half = tiny_zip();
    half.resize(total / 2, b'x');
    conn.write_all(&half).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(std::fs::read_dir(data.join("tmp")).unwrap().count() >= 1, "the upload was being received into tmp/");
    server.kill().unwrap();
    server.wait().unwrap();
    drop(conn);
    // Restarted: no submission, no debris, and a complete upload works.
    let mut server = start(&data, port);
    let (s, b) = http(port, "GET", "/api/v1/submissions", &sub, b"");
    assert_eq!(s, 200, "{b}");
    assert!(b.contains(r#""submissions":[]"#), "{b}");
    assert_eq!(std::fs::read_dir(data.join("tmp")).unwrap().count(), 0);
    assert_eq!(std::fs::read_dir(data.join("uploads")).unwrap().count(), 0);
    let (s, b) = http(port, "POST", "/api/v1/submissions?period=2023", &sub, &tiny_zip());
    assert_eq!(s, 201, "{b}");
    server.kill().unwrap();
    server.wait().unwrap();
    let (code, out, err) = csae(&data, &["audit", "verify"], None);
    assert_eq!(code, 0, "{out}{err}");
}

/// A server killed at every step of an upload, a confirmation and a build (before the audit
/// entry is written, and after the commit but before the head file moves) never leaves the
/// change without its entry: `csae audit verify`, which checks that every submission,
/// confirmation and build has one, passes after each, and the change is either whole or absent.
#[test]
fn a_server_killed_at_any_step_leaves_no_change_without_its_audit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(csae(&data, &["user", "add", "--username", "sub", "--role", "submitter", "--force", "cumbria"], Some("a long enough password\n")).0, 0);
    assert_eq!(csae(&data, &["user", "add", "--username", "an", "--role", "analyst"], Some("a long enough password\n")).0, 0);
    let sub = csae(&data, &["token", "new", "--username", "sub"], None).1.trim().to_string();
    let an = csae(&data, &["token", "new", "--username", "an"], None).1.trim().to_string();
    let port = free_port();
    let mut server = start(&data, port);
    assert_eq!(http(port, "POST", "/api/v1/periods", &an, br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#).0, 201);
    server.kill().unwrap();
    server.wait().unwrap();
    let verify = || {
        let (code, out, err) = csae(&data, &["audit", "verify"], None);
        assert_eq!(code, 0, "{out}{err}");
    };
    let submissions = |port: u16| http(port, "GET", "/api/v1/submissions", &sub, b"").1;
    let count = |port: u16| submissions(port).matches(r#""id":"#).count();
    for crash in ["portal-before-audit", "portal-after-commit"] {
        // An upload: absent when killed before its entry, whole when killed after the commit.
        let mut server = start(&data, port);
        let before = count(port);
        server.kill().unwrap();
        server.wait().unwrap();
        let mut server = start_crashing(&data, port, crash);
        let _ = std::panic::catch_unwind(|| http(port, "POST", "/api/v1/submissions?period=2023", &sub, &tiny_zip()));
        let _ = server.wait();
        verify();
        let mut server = start(&data, port);
        assert_eq!(count(port), before + usize::from(crash == "portal-after-commit"), "{crash}");
        // Make sure there is a submission to confirm, then a confirmation.
        let (_, b) = http(port, "POST", "/api/v1/submissions?period=2023", &sub, &tiny_zip());
        let id = b.split(r#""id":""#).nth(1).unwrap().split('"').next().unwrap().to_string();
        server.kill().unwrap();
        server.wait().unwrap();
        let mut server = start_crashing(&data, port, crash);
        let _ = std::panic::catch_unwind(|| http(port, "POST", &format!("/api/v1/submissions/{id}/confirm"), &sub, b""));
        let _ = server.wait();
        verify();
        // A build of the confirmed returns (at least the one just confirmed, if it was).
        let mut server = start(&data, port);
        if !submissions(port).contains("confirmed") {
            assert_eq!(http(port, "POST", &format!("/api/v1/submissions/{id}/confirm"), &sub, b"").0, 200);
        }
        server.kill().unwrap();
        server.wait().unwrap();
        let mut server = start_crashing(&data, port, crash);
        let _ = std::panic::catch_unwind(|| http(port, "POST", "/api/v1/builds?period=2023", &an, b""));
        let _ = server.wait();
        verify();
    }
}

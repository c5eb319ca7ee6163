//! The `bedrock-emulator` binary: prints its endpoint, loads a behaviours file, and exits
//! when its piped stdin closes or on SIGTERM.

use bmm_emulator::testing::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bedrock-emulator"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let endpoint = line
        .trim()
        .strip_prefix("listening ")
        .expect("listening line")
        .to_string();
    (child, endpoint)
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "emulator did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One unsigned Converse over a raw HTTP/1.1 connection; returns the status line.
async fn converse_status(endpoint: &str) -> String {
    let addr = endpoint.trim_start_matches("http://");
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    converse_status_over(stream, addr).await
}

async fn converse_status_over<S>(mut stream: S, addr: &str) -> String
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = user_body("hi").to_string();
    let request = format!(
        "POST /model/{MODEL_PATH}/converse HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn binary_serves_behaviours_and_exits_when_stdin_closes() {
    let dir = std::env::temp_dir().join(format!("bmm-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("behaviors.json");
    std::fs::write(
        &file,
        format!(r#"{{"models": {{"{MODEL}": {{"fault": "throttle"}}}}}}"#),
    )
    .unwrap();
    let (mut child, endpoint) = spawn(&[
        "--port",
        "0",
        "--no-verify",
        "--behaviors",
        file.to_str().unwrap(),
    ]);
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    assert_eq!(
        converse_status(&endpoint).await,
        "HTTP/1.1 429 Too Many Requests"
    );
    drop(child.stdin.take());
    assert!(wait_exit(&mut child).success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn binary_stops_on_sigterm() {
    let (mut child, endpoint) = spawn(&["--no-verify"]);
    assert_eq!(converse_status(&endpoint).await, "HTTP/1.1 200 OK");
    // SIGTERM by pid, through the system's kill(1).
    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(killed.success());
    assert!(wait_exit(&mut child).success());
}

#[test]
fn binary_rejects_bad_arguments() {
    let output = Command::new(env!("CARGO_BIN_EXE_bedrock-emulator"))
        .arg("--bogus")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown argument"));
}

#[tokio::test]
async fn binary_serves_https_with_the_ca_it_wrote() {
    let dir = std::env::temp_dir().join(format!("bmm-emulator-tls-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    let (mut child, endpoint) = spawn(&[
        "--no-verify",
        "--tls-generate",
        "--ca-out",
        ca_file.to_str().unwrap(),
    ]);
    let addr = endpoint
        .strip_prefix("https://")
        .unwrap_or_else(|| panic!("not an https endpoint: {endpoint}"));
    // Written before the listening line, so it is complete now.
    let ca = std::fs::read_to_string(&ca_file).expect("CA file");
    let config = tls_client(&ca, &["http/1.1"], rustls::DEFAULT_VERSIONS);
    let stream = connect_tls(addr.parse().unwrap(), config, "localhost")
        .await
        .expect("the written CA verifies the emulator");
    assert_eq!(converse_status_over(stream, addr).await, "HTTP/1.1 200 OK");
    drop(child.stdin.take());
    assert!(wait_exit(&mut child).success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn binary_rejects_conflicting_tls_arguments() {
    for args in [
        &[
            "--tls-generate",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
        ][..],
        &["--tls-cert", "c.pem"][..],
        &["--ca-out", "ca.pem"][..],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_bedrock-emulator"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

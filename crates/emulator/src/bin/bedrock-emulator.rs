//! `bedrock-emulator`: runs the Bedrock Runtime emulator in its own process (for
//! benchmarks), prints `listening http://HOST:PORT` (`https://` with TLS) once it accepts
//! connections, and runs until SIGTERM, SIGINT or the closing of a piped stdin.

use bmm_emulator::{BehaviorSet, Emulator, EmulatorOptions, TlsIdentity};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str =
    "usage: bedrock-emulator [--port N] [--host ADDR] [--behaviors FILE.json] [--no-verify]
                        [--credentials AKID:SECRET]... [--threads N] [--max-recorded N]
                        [--no-stdin-watch]
                        [--tls-generate [--ca-out FILE] | --tls-cert FILE --tls-key FILE]

  --port N             port to listen on (default 0: an ephemeral port)
  --host ADDR          address to listen on (default 127.0.0.1)
  --behaviors FILE     JSON {\"default\": Behavior, \"models\": {\"<modelId>\": Behavior}}
  --no-verify          accept requests without checking SigV4 signatures
  --credentials K:S    accepted credential pair (repeatable; default AKIDEMULATOR:emulator-secret)
  --threads N          runtime worker threads (default: 2, or 1 on a single core)
  --max-recorded N     requests kept for GET /__emulator/requests (default 10000)
  --no-stdin-watch     do not exit when a piped stdin closes
  --tls-generate       serve HTTPS (ALPN h2, http/1.1) with a fresh test CA's leaf for
                       localhost, 127.0.0.1 and ::1 (--tls is the same)
  --ca-out FILE        with --tls-generate: write the test CA's PEM certificate there,
                       before the listening line, for NODE_EXTRA_CA_CERTS and the like
  --tls-cert FILE      serve HTTPS with this PEM certificate chain (leaf first) ...
  --tls-key FILE       ... and this PEM private key";

struct Args {
    options: EmulatorOptions,
    behaviors: Option<BehaviorSet>,
    watch_stdin: bool,
    ca_out: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut options = EmulatorOptions::default();
    let mut behaviors = None;
    let mut watch_stdin = true;
    let mut credentials: Vec<(String, String)> = Vec::new();
    let mut generate = false;
    let mut ca_out = None;
    let mut cert_file = None;
    let mut key_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                options.port = value("--port")?
                    .parse()
                    .map_err(|e| format!("--port: {e}"))?
            }
            "--host" => options.host = value("--host")?,
            "--behaviors" => {
                let path = value("--behaviors")?;
                let text = read_file("--behaviors", &path)?;
                behaviors = Some(
                    BehaviorSet::from_json(&text)
                        .map_err(|e| format!("--behaviors {path}: {e}"))?,
                );
            }
            "--no-verify" => options.verify_signatures = false,
            "--credentials" => {
                let pair = value("--credentials")?;
                let (id, secret) = pair
                    .split_once(':')
                    .ok_or("--credentials takes AKID:SECRET")?;
                credentials.push((id.to_string(), secret.to_string()));
            }
            "--threads" => {
                options.worker_threads = value("--threads")?
                    .parse()
                    .map_err(|e| format!("--threads: {e}"))?
            }
            "--max-recorded" => {
                options.max_recorded_requests = value("--max-recorded")?
                    .parse()
                    .map_err(|e| format!("--max-recorded: {e}"))?
            }
            "--no-stdin-watch" => watch_stdin = false,
            "--tls" | "--tls-generate" => generate = true,
            "--ca-out" => ca_out = Some(value("--ca-out")?),
            "--tls-cert" => cert_file = Some(value("--tls-cert")?),
            "--tls-key" => key_file = Some(value("--tls-key")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !credentials.is_empty() {
        options.credentials = credentials;
    }
    options.tls = match (generate, cert_file, key_file) {
        (false, None, None) => None,
        (true, None, None) => Some(TlsIdentity::Generate),
        (false, Some(cert), Some(key)) => Some(TlsIdentity::Pem {
            cert_chain: read_file("--tls-cert", &cert)?,
            private_key: read_file("--tls-key", &key)?,
        }),
        (true, _, _) => {
            return Err("--tls-generate and --tls-cert/--tls-key exclude each other".into())
        }
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    if ca_out.is_some() && !generate {
        return Err("--ca-out needs --tls-generate (a given identity's CA is the caller's)".into());
    }
    if let Some(default) = behaviors.as_mut().and_then(|set| set.default.take()) {
        options.default_behavior = default;
    }
    Ok(Args {
        options,
        behaviors,
        watch_stdin,
        ca_out,
    })
}

fn read_file(flag: &str, path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{flag} {path}: {e}"))
}

/// Only a pipe or socket on stdin means "a parent that will close it when done"; a
/// terminal or /dev/null (a background job, CI) must not stop the emulator.
fn stdin_is_pipe() -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata("/dev/stdin")
        .map(|m| m.file_type().is_fifo() || m.file_type().is_socket())
        .unwrap_or(false)
}

/// Installs the signal handlers, then announces the endpoint (so a parent that signals as
/// soon as it reads the line is heard), then waits for a reason to exit.
async fn announce_and_wait(endpoint: String, watch_stdin: bool) {
    use tokio::io::AsyncReadExt;
    use tokio::signal::unix::{signal, SignalKind};
    let mut sigterm = signal(SignalKind::terminate()).ok();
    let mut sigint = signal(SignalKind::interrupt()).ok();

    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening {endpoint}");
    let _ = stdout.flush();

    let stdin_closed = async {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 256];
        // Anything written is ignored; end-of-file (or an error) is the signal.
        while let Ok(n) = stdin.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    };
    let term = async {
        match sigterm.as_mut() {
            Some(s) => s.recv().await,
            None => std::future::pending().await,
        }
    };
    let int = async {
        match sigint.as_mut() {
            Some(s) => s.recv().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = term => {}
        _ = int => {}
        _ = stdin_closed => {}
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(why) => {
            if why.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("bedrock-emulator: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(args.options) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("bedrock-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(set) = args.behaviors {
        for (model, behavior) in set.models {
            if let Err(e) = emulator.set_behavior(&model, behavior) {
                eprintln!("bedrock-emulator: model {model}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let (Some(path), Some(pem)) = (&args.ca_out, emulator.ca_pem()) {
        if let Err(e) = std::fs::write(path, pem) {
            eprintln!("bedrock-emulator: --ca-out {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let watch_stdin = args.watch_stdin && stdin_is_pipe();
    // The emulator has its own runtime; this one only waits for signals and stdin.
    let waiter = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bedrock-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    waiter.block_on(announce_and_wait(emulator.endpoint(), watch_stdin));
    emulator.stop();
    // A stdin read may still be blocked in a runtime thread; do not wait for it.
    waiter.shutdown_background();
    ExitCode::SUCCESS
}

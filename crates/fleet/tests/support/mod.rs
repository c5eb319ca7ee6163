//! A real redis-server for the fleet tests: on a free loopback port, in its own temp dir, stopped on drop.
//!
//! It fails loudly when redis-server cannot start (`scripts/install-redis.sh` installs it;
//! `npm run test:rust` runs that first): these tests are never skipped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static SERVERS: AtomicUsize = AtomicUsize::new(0);

pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    /// TLS only, with an ACL user: the test CA's PEM certificate.
    tls: Option<String>,
    /// The ACL user may use pub/sub channels (TLS servers only).
    pubsub: bool,
}

/// The ACL user of a TLS server, and its password.
pub const USER: (&str, &str) = ("fleet", "s3cret");

impl RedisServer {
    pub fn start() -> Self {
        Self::start_with(None, true)
    }

    /// A server speaking TLS only (a certificate for `localhost` from a fresh test CA), where
    /// the default user is off and [`USER`] may do anything.
    pub fn start_tls() -> Self {
        let certs = bmm_emulator::generate_test_certificates().expect("test certificates");
        Self::start_with(Some(certs), true)
    }

    /// [`Self::start_tls`], but the user may not use any pub/sub channel.
    pub fn start_tls_without_pubsub() -> Self {
        let certs = bmm_emulator::generate_test_certificates().expect("test certificates");
        Self::start_with(Some(certs), false)
    }

    fn start_with(certs: Option<bmm_emulator::TestCertificates>, pubsub: bool) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "bmm-fleet-redis-{}-{}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir for redis-server");
        let tls = certs.map(|certs| {
            let write = |name: &str, pem: &str| {
                std::fs::write(dir.join(name), pem).expect("write a test certificate");
            };
            write("ca.pem", &certs.ca_pem);
            write("cert.pem", &certs.cert_chain_pem);
            write("key.pem", &certs.private_key_pem);
            certs.ca_pem
        });
        let mut server = Self {
            child: None,
            port: 0,
            dir,
            tls,
            pubsub,
        };
        // A port found free may be taken before redis binds it: try a few.
        for _ in 0..5 {
            server.port = free_port();
            if server.spawn() {
                return server;
            }
        }
        panic!(
            "redis-server could not start (log: {}); install it with scripts/install-redis.sh",
            server.dir.join("redis.log").display()
        );
    }

    pub fn url(&self) -> String {
        match self.tls {
            None => format!("redis://127.0.0.1:{}", self.port),
            Some(_) => format!("rediss://{}:{}@localhost:{}/2", USER.0, USER.1, self.port),
        }
    }

    /// The test CA a TLS server's certificate chains to.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_deref()
    }

    /// SIGKILL, as a crash: nothing is saved.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A new, empty server on the same port.
    pub fn restart(&mut self) {
        self.kill();
        assert!(
            self.spawn(),
            "redis-server did not restart on port {}",
            self.port
        );
    }

    /// SIGSTOP: connections stay open and nothing answers.
    pub fn pause(&self) {
        self.signal(libc::SIGSTOP);
    }

    pub fn resume(&self) {
        self.signal(libc::SIGCONT);
    }

    fn signal(&self, signal: libc::c_int) {
        let child = self.child.as_ref().expect("redis-server running");
        // SAFETY: kill(2) on our own child's pid, which has not been waited for.
        let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        assert_eq!(rc, 0, "kill({signal}) on redis-server");
    }

    /// Starts redis-server on `self.port` and waits (bounded) until it answers PING.
    fn spawn(&mut self) -> bool {
        let port = self.port.to_string();
        let mut command = Command::new("redis-server");
        if self.tls.is_some() {
            let file = |name: &str| self.dir.join(name).display().to_string();
            command
                .args([
                    "--port",
                    "0",
                    "--tls-port",
                    &port,
                    "--tls-auth-clients",
                    "no",
                ])
                .args(["--tls-cert-file", &file("cert.pem")])
                .args(["--tls-key-file", &file("key.pem")])
                .args(["--tls-ca-cert-file", &file("ca.pem")])
                .args(["--user", "default", "off"])
                .args(["--user", USER.0, "on", &format!(">{}", USER.1)])
                .args([
                    "~*",
                    if self.pubsub { "&*" } else { "resetchannels" },
                    "+@all",
                ]);
        } else {
            command.args(["--port", &port]);
        }
        let spawned = command
            .args(["--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .arg("--logfile")
            .arg(self.dir.join("redis.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                panic!("cannot run redis-server ({e}); install it with scripts/install-redis.sh")
            }
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return false; // exited: the port was taken, most likely
            }
            // A TLS server cannot be PINGed in clear text: it is ready once it accepts.
            let ready = match self.tls {
                None => pong(self.port),
                Some(_) => TcpStream::connect(("127.0.0.1", self.port)).is_ok(),
            };
            if ready {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.resume();
        }
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn pong(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

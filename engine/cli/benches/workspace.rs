//! The workspace under load: an edition of 1,000 laureates, its page with
//! the timeline, served to 20 clients at once by a real `jalon daemon`,
//! beside the sign-in page (no database, the same server and frame) in the
//! same run. Each request is a new connection, as from 20 phones.
//!
//! `cargo bench -p jalon-cli --bench workspace`. `JALON_BENCH_REQUESTS`
//! sets the requests per client (default 50).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[path = "../../bench_support/editions.rs"]
mod editions;
#[path = "../../bench_support/figures.rs"]
mod figures;
// Only `jalon()` is used here.
#[allow(dead_code)]
#[path = "../../bench_support/cli.rs"]
mod support;

const LAUREATES: usize = 1_000;
const CLIENTS: usize = 20;

fn main() {
    let per_client: usize = std::env::var("JALON_BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let work = tempfile::tempdir().expect("a work folder");
    let definitions = work.path().join("definitions");
    std::fs::create_dir_all(definitions.join("programmes")).expect("folders");
    std::fs::copy(
        root.join("definitions/programmes/val-doise.yaml"),
        definitions.join("programmes/val-doise.yaml"),
    )
    .expect("the template copied");
    // Running now: started in June, launched in November.
    let text = editions::edition(
        Path::new("programmes/val-doise.yaml"),
        "charge",
        "2026-06-01",
        "2027-09-30",
        "2026-11-02",
        LAUREATES,
    );
    std::fs::write(definitions.join("charge.yaml"), text).expect("edition written");

    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let address = format!("127.0.0.1:{port}");
    let public = format!("http://{address}");
    let db = work.path().join("jalon.db");
    let daemon = Daemon::start(work.path(), &definitions, &db, &address, &public);
    daemon.wait_for("next wake-up");

    let output = support::jalon()
        .current_dir(work.path())
        .args(["login-link", "charge", "ana", "--public-url", &public])
        .arg("--definitions")
        .arg(&definitions)
        .arg("--db")
        .arg(&db)
        .output()
        .expect("jalon login-link runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let link = String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .expect("a link")
        .trim_start_matches(&public)
        .to_owned();
    let cookie = sign_in(&address, &link);

    println!("an edition of {LAUREATES} laureates; {CLIENTS} clients × {per_client} requests each");
    let mut table = figures::Table::new("workspace", &["page", "size", "p50", "p99", "pages/s"]);
    for (name, path) in [
        ("sign-in page (anchor)", "/connexion"),
        ("edition page with its timeline", "/editions/charge"),
    ] {
        // Once alone: the size, and the cache filled.
        let (status, body) = get(&address, path, &cookie);
        assert_eq!(status, 200, "{path}: {body}");
        let (mut latencies, elapsed) = load(&address, path, &cookie, per_client);
        latencies.sort_by(f64::total_cmp);
        let at =
            |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        println!(
            "{name}: {} KiB; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} pages/s",
            body.len() / 1024,
            at(0.50),
            at(0.99),
            latencies[latencies.len() - 1],
            latencies.len() as f64 / elapsed.as_secs_f64()
        );
        table.row(vec![
            name.to_owned(),
            format!("{} KiB", body.len() / 1024),
            format!("{} ms", figures::round(at(0.50))),
            format!("{} ms", figures::round(at(0.99))),
            figures::round(latencies.len() as f64 / elapsed.as_secs_f64()),
        ]);
    }
    daemon.stop();
    table.write();
}

/// Every client's latencies (ms), and how long the whole took.
fn load(address: &str, path: &str, cookie: &str, per_client: usize) -> (Vec<f64>, Duration) {
    let start = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (address, path, cookie) = (address.to_owned(), path.to_owned(), cookie.to_owned());
            std::thread::spawn(move || {
                (0..per_client)
                    .map(|_| {
                        let begun = Instant::now();
                        let (status, _) = get(&address, &path, &cookie);
                        assert_eq!(status, 200, "{path}");
                        begun.elapsed().as_secs_f64() * 1000.0
                    })
                    .collect::<Vec<f64>>()
            })
        })
        .collect();
    let latencies = workers
        .into_iter()
        .flat_map(|w| w.join().expect("a client"))
        .collect();
    (latencies, start.elapsed())
}

/// One request on its own connection: status and body.
fn request(
    address: &str,
    method: &str,
    path: &str,
    cookie: &str,
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).expect("the daemon answers");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(body);
    stream.write_all(head.as_bytes()).expect("sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("an answer");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status");
    (status, head.to_owned(), body.to_owned())
}

fn get(address: &str, path: &str, cookie: &str) -> (u16, String) {
    let (status, _, body) = request(address, "GET", path, cookie, "");
    (status, body)
}

/// The value of the first `Set-Cookie` of a head, as `name=value`.
fn set_cookie(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|v| v.split(';').next())
        .expect("a cookie")
        .to_owned()
}

/// Signs in with the printed link: its page (and form cookie), its button.
fn sign_in(address: &str, link: &str) -> String {
    let (status, head, page) = request(address, "GET", link, "", "");
    assert_eq!(status, 200, "{page}");
    let form_cookie = set_cookie(&head);
    let token = form_cookie.split_once('=').expect("a value").1.to_owned();
    let (status, head, page) = request(
        address,
        "POST",
        link,
        &form_cookie,
        &format!("form={token}"),
    );
    assert_eq!(status, 303, "{page}");
    set_cookie(&head)
}

struct Daemon {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Daemon {
    fn start(work: &Path, definitions: &Path, db: &Path, address: &str, public: &str) -> Daemon {
        let mut child = support::jalon()
            .current_dir(work)
            .arg("daemon")
            .arg("--definitions")
            .arg(definitions)
            .arg("--db")
            .arg(db)
            .args(["--listen", address, "--public-url", public])
            .env("JALON_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("jalon daemon starts");
        let stderr = child.stderr.take().expect("its log");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Daemon { child, lines }
    }

    fn wait_for(&self, text: &str) {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) if line.contains(text) => return,
                Ok(line) => seen.push(line),
                Err(e) => panic!(
                    "the daemon never logged {text:?} ({e}):\n{}",
                    seen.join("\n")
                ),
            }
        }
    }

    fn stop(mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

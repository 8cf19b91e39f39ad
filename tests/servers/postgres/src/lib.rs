//! Real PostgreSQL servers for Jalon's tests, installed and started by the
//! tests themselves.
//!
//! The first use in a test process runs `tests/servers/postgres.sh
//! target/test-servers/postgres`, which installs Debian's `postgresql` when
//! it is missing (needs root) and runs `initdb` once into a template; each
//! [`Cluster`] is a copy of that template (`cp -a`) under
//! `target/test-servers/postgres/clusters/<pid>-<n>`, served by its own
//! `postgres` on 127.0.0.1 and a free port (no Unix socket), with `fsync` on.
//! Its superuser `jalon` connects without password. As root, the servers run
//! as the `postgres` system user (PostgreSQL refuses root), else as the
//! current user.
//!
//! Each cluster has a watchdog (`sh`) that reads a pipe whose other end only
//! the test process holds: however the test process ends (normal exit, a
//! failed test, a panic, SIGKILL), the pipe closes, and the watchdog shuts the
//! server down at once (SIGQUIT, SIGKILL after 1.5 s) and removes the
//! cluster's folder. The Rust test harness never drops statics, so this is
//! what stops [`Cluster::shared`]; an own cluster ([`Cluster::start_own`]) is
//! also stopped and removed when dropped. Folders left by processes that died
//! with their watchdog (e.g. `kill -9` of a whole process group, a reboot)
//! are removed by the next test process.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The superuser of every cluster, trusted without password.
pub const USER: &str = "jalon";

/// How long a server may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a fast shutdown may take before the server is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(60);
/// How many free ports to try when another program takes the one picked.
const PORT_ATTEMPTS: usize = 8;
/// Lines of the server's log shown when it fails.
const LOG_TAIL: usize = 40;

/// Kills a cluster's server and removes its folder (`$1`) when the test
/// process is gone, which closes this script's stdin. The test process
/// tells it on stdin which postmaster runs: `pid N`, or `none`.
const WATCHDOG: &str = r#"
trap '' INT HUP
folder=$1
pid=
while IFS= read -r line; do
  case $line in
    "pid "*) pid=${line#pid } ;;
    *) pid= ;;
  esac
done
alive() {
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}
if [ -n "$pid" ] && alive "$pid"; then
  kill -QUIT "$pid" 2>/dev/null
  i=0
  while alive "$pid" && [ "$i" -lt 30 ]; do
    sleep 0.05
    i=$((i + 1))
  done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null
fi
rm -rf "$folder"
"#;

/// A PostgreSQL server of its own, for one test process, on 127.0.0.1 and a
/// free port, data under `target/test-servers/postgres/clusters/<unique>`.
pub struct Cluster {
    /// `clusters/<pid>-<n>`: `data/` and `server.log`.
    folder: PathBuf,
    data: PathBuf,
    log: PathBuf,
    port: AtomicU16,
    databases: AtomicUsize,
    state: Mutex<State>,
}

struct State {
    /// The running postmaster (in a process group of its own).
    postmaster: Option<Child>,
    /// The watchdog, whose stdin we hold.
    watchdog: Option<Child>,
}

impl Cluster {
    /// The one cluster of this test process, started on first use,
    /// provisioning first. Do not stop or kill it: other tests use it.
    /// Panics with a clear message if it cannot start.
    pub fn shared() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(Cluster::create)
    }

    /// A new cluster of its own (for a test that stops, kills or restarts its
    /// server), copied from the template. Dropping it stops the server and
    /// removes its data.
    pub fn start_own() -> Cluster {
        Cluster::create()
    }

    /// A new empty database on this server, with a unique name; returns its
    /// URL `postgres://jalon@127.0.0.1:PORT/NAME`.
    pub fn fresh_database(&self) -> String {
        let name = format!("test_{}", self.databases.fetch_add(1, Ordering::Relaxed));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    pub fn port(&self) -> u16 {
        self.port.load(Ordering::Relaxed)
    }

    /// The URL of a database by name.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port())
    }

    /// Path of a PostgreSQL program (psql, pg_dump, pg_ctl...) of the
    /// installed version. Clients connect with `-h 127.0.0.1 -p PORT -U
    /// jalon` (there is no Unix socket); as root, server programs (pg_ctl,
    /// postgres, pg_resetwal...) must run as the `postgres` user, which owns
    /// [`Cluster::data_directory`].
    pub fn program(&self, name: &str) -> PathBuf {
        installation().bindir.join(name)
    }

    /// The cluster's data folder (PGDATA).
    pub fn data_directory(&self) -> &Path {
        &self.data
    }

    /// The last `lines` lines of the server's log, to print when a test fails.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }

    /// Runs SQL through psql on that database and returns its stdout
    /// (`psql -X -A -t -q -v ON_ERROR_STOP=1`: rows only, `|` between
    /// columns, one line per row). Panics with psql's stderr on failure.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        self.try_psql(database, sql).unwrap_or_else(|error| {
            panic!(
                "psql on database {database:?} of the PostgreSQL server on port {} failed: \
                 {error}\nSQL: {sql}",
                self.port()
            )
        })
    }

    /// Stops the server (fast shutdown) and waits until it is down. Does
    /// nothing if it is not running.
    pub fn stop(&self) {
        let mut state = self.lock();
        if !state.shut_down("INT", STOP_TIMEOUT) {
            panic!(
                "PostgreSQL on port {} did not stop within {STOP_TIMEOUT:?} of a fast shutdown \
                 (SIGINT), and was killed; the end of its log {}:\n{}",
                self.port(),
                self.log.display(),
                self.log_tail(LOG_TAIL)
            );
        }
    }

    /// Kills the postmaster and its children with SIGKILL, like a crash, and
    /// waits until they are gone; [`Cluster::start`] then recovers. Does
    /// nothing if the server is not running.
    pub fn kill(&self) {
        self.lock().kill();
    }

    /// Starts it again on the same port and data, waiting until it accepts
    /// connections. Does nothing if it is running.
    pub fn start(&self) {
        let mut state = self.lock();
        if let Some(postmaster) = state.postmaster.as_mut() {
            if matches!(postmaster.try_wait(), Ok(None)) {
                return;
            }
            state.postmaster = None;
            state.tell_watchdog("none");
        }
        if let Err(PortTaken) = self.launch(&mut state) {
            panic!(
                "cannot start PostgreSQL again on port {}: another program listens there now; \
                 the end of its log {}:\n{}",
                self.port(),
                self.log.display(),
                self.log_tail(LOG_TAIL)
            );
        }
    }

    /// Copies the template and starts a server on it, on a free port.
    fn create() -> Cluster {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let installation = installation();
        let name = format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let folder = installation.folder.join("clusters").join(name);
        fs::create_dir_all(&folder)
            .unwrap_or_else(|error| panic!("cannot create {}: {error}", folder.display()));
        // The watchdog first: from now on the folder goes away with us.
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("jalon-postgres-watchdog")
            .arg(&folder)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start sh (the cluster's watchdog): {error}"));
        let data = folder.join("data");
        let template = installation.folder.join("template");
        let copy = Command::new("cp")
            .arg("-a")
            .arg(&template)
            .arg(&data)
            .output()
            .unwrap_or_else(|error| panic!("cannot run cp: {error}"));
        assert!(
            copy.status.success(),
            "cannot copy the PostgreSQL template {} to {} (cp -a: {}): {}",
            template.display(),
            data.display(),
            copy.status,
            String::from_utf8_lossy(&copy.stderr)
        );
        let cluster = Cluster {
            log: folder.join("server.log"),
            folder,
            data,
            port: AtomicU16::new(0),
            databases: AtomicUsize::new(1),
            state: Mutex::new(State {
                postmaster: None,
                watchdog: Some(watchdog),
            }),
        };
        // A free port may be taken by another program before the server
        // binds it: then try another one.
        let mut started = false;
        for _ in 0..PORT_ATTEMPTS {
            cluster.port.store(free_port(), Ordering::Relaxed);
            let mut state = cluster.lock();
            if cluster.launch(&mut state).is_ok() {
                started = true;
                break;
            }
        }
        assert!(
            started,
            "PostgreSQL found the port taken {PORT_ATTEMPTS} times in a row; the end of its \
             log {}:\n{}",
            cluster.log.display(),
            cluster.log_tail(LOG_TAIL)
        );
        cluster
    }

    /// Starts the postmaster on `self.port()` and waits until it accepts
    /// connections. Panics if it does not, but for a port already taken.
    fn launch(&self, state: &mut State) -> Result<(), PortTaken> {
        let installation = installation();
        let port = self.port();
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap_or_else(|error| panic!("cannot open {}: {error}", self.log.display()));
        let log_start = log.metadata().map(|m| m.len()).unwrap_or(0);
        let log_again = log
            .try_clone()
            .unwrap_or_else(|error| panic!("cannot share {}: {error}", self.log.display()));
        let postgres = installation.bindir.join("postgres");
        let mut command = match installation.run_as {
            Some(user) => {
                let mut command = Command::new("setpriv");
                command
                    .arg(format!("--reuid={user}"))
                    .arg(format!("--regid={user}"))
                    .args(["--init-groups", "--"])
                    .arg(&postgres);
                command
            }
            None => Command::new(&postgres),
        };
        command
            .arg("-D")
            .arg(&self.data)
            .arg("-p")
            .arg(port.to_string())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "unix_socket_directories="])
            .args(["-c", "max_connections=200"])
            .args(["-c", "logging_collector=off"])
            // A folder the server's user can reach (not the test's own).
            .current_dir(&self.folder)
            .stdin(Stdio::null())
            .stdout(log_again)
            .stderr(log)
            // Out of the terminal's process group: Ctrl-C reaches the
            // tests, whose watchdogs then stop the servers.
            .process_group(0)
            .env("LC_ALL", "C");
        without_pg_variables(&mut command);
        let postmaster = command.spawn().unwrap_or_else(|error| {
            panic!(
                "cannot run {} (as {}): {error}",
                postgres.display(),
                installation.run_as.unwrap_or("the current user")
            )
        });
        state.tell_watchdog(&format!("pid {}", postmaster.id()));
        state.postmaster = Some(postmaster);

        let deadline = Instant::now() + READY_TIMEOUT;
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            let postmaster = state
                .postmaster
                .as_mut()
                .expect("the postmaster was just started");
            if let Ok(Some(status)) = postmaster.try_wait() {
                state.postmaster = None;
                state.tell_watchdog("none");
                let output = fs::read(&self.log).unwrap_or_default();
                let output =
                    String::from_utf8_lossy(output.get(log_start as usize..).unwrap_or(&[]));
                if output.contains("Address already in use") {
                    return Err(PortTaken);
                }
                panic!(
                    "PostgreSQL ({}) exited ({status}) instead of starting on 127.0.0.1:{port} \
                     with data {}; the end of its log {}:\n{}",
                    postgres.display(),
                    self.data.display(),
                    self.log.display(),
                    self.log_tail(LOG_TAIL)
                );
            }
            // Ready when it answers SQL, and it is ours that answers (another
            // server may have taken the port, ours then exits).
            if TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok() {
                if let Ok(folder) =
                    self.try_psql("postgres", "select current_setting('data_directory')")
                {
                    if same_path(Path::new(folder.trim()), &self.data) {
                        return Ok(());
                    }
                }
            }
            if Instant::now() > deadline {
                state.kill();
                panic!(
                    "PostgreSQL did not accept connections on 127.0.0.1:{port} within \
                     {READY_TIMEOUT:?}; the end of its log {}:\n{}",
                    self.log.display(),
                    self.log_tail(LOG_TAIL)
                );
            }
            sleep(Duration::from_millis(10));
        }
    }

    fn try_psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let psql = self.program("psql");
        let mut command = Command::new(&psql);
        command
            .args(["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", "127.0.0.1", "-p", &self.port().to_string()])
            .args(["-U", USER, "-d", database, "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        without_pg_variables(&mut command).env("PGCONNECT_TIMEOUT", "10");
        let mut child = command
            .spawn()
            .map_err(|error| format!("cannot run {}: {error}", psql.display()))?;
        // From another thread: psql may write much before reading it all.
        let writer = child.stdin.take().map(|mut stdin| {
            let sql = sql.to_owned();
            std::thread::spawn(move || {
                // psql may exit early on an error, closing the pipe.
                let _ = stdin.write_all(sql.as_bytes());
            })
        });
        let output = child
            .wait_with_output()
            .map_err(|error| format!("cannot wait for psql: {error}"))?;
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "psql {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ))
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked holding it leaves a state still worth using.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        // Immediate shutdown: the data goes away anyway.
        state.shut_down("QUIT", Duration::from_secs(10));
        if let Some(mut watchdog) = state.watchdog.take() {
            // End of its input: it removes the folder and exits.
            drop(watchdog.stdin.take());
            let _ = watchdog.wait();
        }
        let _ = fs::remove_dir_all(&self.folder);
    }
}

/// The server could not listen: another program took its port.
struct PortTaken;

impl State {
    fn tell_watchdog(&mut self, line: &str) {
        if let Some(stdin) = self.watchdog.as_mut().and_then(|w| w.stdin.as_mut()) {
            // If the watchdog is gone, nobody is left to tell.
            let _ = writeln!(stdin, "{line}");
        }
    }

    /// Sends `signal` to the postmaster and waits until it exits; after
    /// `timeout`, kills it. False if it had to be killed.
    fn shut_down(&mut self, signal: &str, timeout: Duration) -> bool {
        let Some(postmaster) = self.postmaster.as_mut() else {
            return true;
        };
        let pid = postmaster.id();
        if matches!(postmaster.try_wait(), Ok(None)) {
            send_signal(signal, &[pid]);
        }
        let deadline = Instant::now() + timeout;
        while matches!(postmaster.try_wait(), Ok(None)) {
            if Instant::now() > deadline {
                self.kill();
                return false;
            }
            sleep(Duration::from_millis(5));
        }
        self.postmaster = None;
        self.tell_watchdog("none");
        true
    }

    /// Kills the postmaster and its children (each in a process group of its
    /// own) at once, and waits until they are gone.
    fn kill(&mut self) {
        let Some(mut postmaster) = self.postmaster.take() else {
            return;
        };
        let pid = postmaster.id();
        if matches!(postmaster.try_wait(), Ok(None)) {
            // Stopped first, so that it starts no child meanwhile.
            send_signal("STOP", &[pid]);
            let mut pids = children_of(pid);
            pids.push(pid);
            send_signal("KILL", &pids);
            let _ = postmaster.wait();
            // Until they are gone, their shared memory is in use, and a new
            // server on the same data would refuse to start.
            let deadline = Instant::now() + Duration::from_secs(10);
            while pids.iter().any(|&pid| alive(pid)) && Instant::now() < deadline {
                sleep(Duration::from_millis(5));
            }
        } else {
            let _ = postmaster.wait();
        }
        self.tell_watchdog("none");
    }
}

/// Where PostgreSQL is installed, found (and installed if need be) once per
/// test process.
struct Installation {
    /// `target/test-servers/postgres`
    folder: PathBuf,
    /// The folder of `postgres`, `psql`...
    bindir: PathBuf,
    /// The user the servers run as when the tests run as root.
    run_as: Option<&'static str>,
}

fn installation() -> &'static Installation {
    static INSTALLATION: OnceLock<Installation> = OnceLock::new();
    INSTALLATION.get_or_init(|| {
        let root = workspace_root();
        let folder = root.join("target/test-servers/postgres");
        let script = root.join("tests/servers/postgres.sh");
        let output = Command::new("bash")
            .arg(&script)
            .arg(&folder)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run bash {}: {error}", script.display()));
        assert!(
            output.status.success(),
            "installing PostgreSQL for the tests failed (bash {} {}: {}); as root, it installs \
             Debian's postgresql package, else run that command as root first:\n{}{}",
            script.display(),
            folder.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let bindir = fs::read_to_string(folder.join("bindir")).unwrap_or_else(|error| {
            panic!(
                "{} wrote no {}/bindir: {error}",
                script.display(),
                folder.display()
            )
        });
        let run_as = running_as_root().then_some("postgres");
        remove_stale_clusters(&folder.join("clusters"));
        Installation {
            folder,
            bindir: PathBuf::from(bindir.trim_end()),
            run_as,
        }
    })
}

/// The workspace's folder: the one above this crate holding `Cargo.lock`
/// (and the provisioning script).
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|folder| {
            folder.join("Cargo.lock").is_file()
                && folder.join("tests/servers/postgres.sh").is_file()
        })
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            panic!(
                "no folder above {} holds Cargo.lock and tests/servers/postgres.sh: \
                 jalon-test-postgres must stay in Jalon's workspace (run cargo once to \
                 write Cargo.lock)",
                manifest.display()
            )
        })
}

/// Removes the cluster folders of test processes that are gone (their
/// watchdog died with them), unless a server still runs there.
fn remove_stale_clusters(clusters: &Path) {
    let Ok(entries) = fs::read_dir(clusters) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if alive(pid) {
            continue;
        }
        let postmaster = fs::read_to_string(entry.path().join("data/postmaster.pid"))
            .ok()
            .and_then(|text| {
                text.lines()
                    .next()
                    .and_then(|line| line.trim().parse().ok())
            });
        if postmaster.is_some_and(alive) {
            continue;
        }
        let _ = fs::remove_dir_all(entry.path());
    }
}

/// A loopback port nobody listens on (right now).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or_else(|error| panic!("cannot find a free port on 127.0.0.1: {error}"))
}

/// Whether the effective user is root (from /proc, else `id -u`).
fn running_as_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(uids) = status.lines().find_map(|line| line.strip_prefix("Uid:")) {
        return uids.split_whitespace().nth(1) == Some("0");
    }
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

/// Whether a process runs (a zombie does not count: it holds nothing).
fn alive(pid: u32) -> bool {
    stat(pid).is_some_and(|(state, _)| state != "Z")
}

/// A process's state and parent, from /proc/PID/stat.
fn stat(pid: u32) -> Option<(String, u32)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (COMMAND) STATE PPID ...": the command may hold spaces and ")".
    let (_, rest) = text.rsplit_once(") ")?;
    let mut fields = rest.split(' ');
    let state = fields.next()?.to_owned();
    let parent = fields.next()?.parse().ok()?;
    Some((state, parent))
}

/// The processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&child| stat(child).is_some_and(|(state, parent)| parent == pid && state != "Z"))
        .collect()
}

/// `kill -SIGNAL PIDS...` (the shell's: procps' kill may be missing).
fn send_signal(signal: &str, pids: &[u32]) {
    let pids: Vec<String> = pids.iter().map(u32::to_string).collect();
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{signal} {} 2>/dev/null", pids.join(" ")))
        .status();
}

fn same_path(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (fs::canonicalize(a), fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// Without PGHOST, PGOPTIONS, PGDATA...: every setting is on the command line.
fn without_pg_variables(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PG") {
            command.env_remove(name);
        }
    }
    command
}

/// The last `lines` lines of a file.
fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

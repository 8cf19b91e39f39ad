//! Events recorded by another process — an operator's `jalon approve` on
//! the same database — wake the scheduling loop within about a second.
//!
//! Nothing is rescanned on a timer: the database's folder is watched, and
//! only while its file or journal is being written is one number read, the
//! highest event number, on a connection kept for it. The loop is woken
//! only when that number moved, so the daemon's own outbox writes (which
//! record no event) do not wake it into a loop.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jalon_store::{Backend, Store};
use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::Notify;
use tracing::{debug, info, warn};

/// After the first write seen, the wait before the first look.
const SETTLE: Duration = Duration::from_millis(100);

/// How often to look while writes go on.
const EVERY: Duration = Duration::from_millis(250);

/// How long to keep looking after the last write: a commit becomes visible
/// to readers after its last write to the journal (the WAL index is shared
/// memory, which no file event reports), later still on a slow disk.
const LINGER: Duration = Duration::from_secs(2);

/// Watches the folder of `db`; rings `wake` when an event was recorded
/// there by anyone. The watch lasts as long as the returned watcher.
pub fn watch<B: Backend>(
    db: &Path,
    backend: B,
    wake: Arc<Notify>,
) -> notify::Result<RecommendedWatcher> {
    let folder = match db.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = db.file_name().map(OsString::from).unwrap_or_default();
    let mut names = vec![name.clone()];
    for suffix in ["-wal", "-journal"] {
        let mut with = name.clone();
        with.push(suffix);
        names.push(with);
    }
    let (writes, written) = mpsc::channel::<()>();
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<Event>| match event {
            Ok(event) if is_write(&event, &names) => {
                let _ = writes.send(());
            }
            Ok(_) => {}
            Err(e) => warn!("watching the database's folder: {e}"),
        })?;
    watcher.watch(&folder, RecursiveMode::NonRecursive)?;
    let mut probe = Probe::new(backend);
    std::thread::Builder::new()
        .name("jalon-recorded".into())
        .spawn(move || probe.run(&written, &wake))
        .map_err(|e| notify::Error::generic(&format!("cannot start the watch: {e}")))?;
    Ok(watcher)
}

/// A write (not a read, nor the shared-memory index) to one of `names`.
fn is_write(event: &Event, names: &[OsString]) -> bool {
    let write = matches!(
        event.kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
    );
    write
        && event
            .paths
            .iter()
            .any(|p| p.file_name().is_some_and(|n| names.iter().any(|m| m == n)))
}

/// The highest event number, read on a kept connection.
struct Probe<B: Backend> {
    backend: B,
    store: Option<B::Store>,
    last: i64,
}

impl<B: Backend> Probe<B> {
    fn new(backend: B) -> Self {
        let mut probe = Probe {
            backend,
            store: None,
            last: 0,
        };
        probe.last = probe.highest().unwrap_or(0);
        probe
    }

    /// Idle until a write; then look now and then until writes stop.
    fn run(&mut self, written: &mpsc::Receiver<()>, wake: &Notify) {
        while written.recv().is_ok() {
            let mut quiet_at = Instant::now() + LINGER;
            let mut look_at = Instant::now() + SETTLE;
            loop {
                let now = Instant::now();
                if now >= look_at {
                    if self.moved() {
                        info!(
                            seq = self.last,
                            "an event was recorded by another process: a pass"
                        );
                        wake.notify_one();
                    }
                    if now >= quiet_at {
                        break;
                    }
                    look_at = now + EVERY;
                }
                match written.recv_timeout(look_at.saturating_duration_since(Instant::now())) {
                    Ok(()) => quiet_at = Instant::now() + LINGER,
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        }
    }

    /// Whether the highest event number changed since the last look.
    fn moved(&mut self) -> bool {
        match self.highest() {
            Some(seq) if seq != self.last => {
                self.last = seq;
                true
            }
            _ => false,
        }
    }

    fn highest(&mut self) -> Option<i64> {
        if self.store.is_none() {
            // Not there yet (the first pass creates it): look again later.
            self.store = self.backend.open_read_only().ok().flatten();
        }
        let store = self.store.as_ref()?;
        match store.last_seq() {
            Ok(seq) => Some(seq),
            Err(e) => {
                // Not migrated yet, say. The connection is kept: opening
                // one again would touch the journal and look like a write.
                debug!("cannot read the highest event number: {e}");
                None
            }
        }
    }
}

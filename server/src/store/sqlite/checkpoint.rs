//! WAL checkpoints on their own thread, so the writer does not stop for them.
//!
//! A checkpoint copies the pages the WAL holds into the database file and syncs it. Run by
//! SQLite's automatic checkpoint, it happened inside the commit that crossed the threshold:
//! every request of that group, and everything queued behind it, waited for it. In
//! `examples/store_load.rs` (200 rooms at saturation) those commits were the p99 (20-25 ms
//! against 11 ms with no checkpoints at all), but leaving the WAL to grow is slower still
//! (0.7-0.9x the events per second: every page read searches a longer WAL index).
//!
//! So the writer's connection checkpoints nothing by itself. A hook on its commits counts the
//! WAL's frames; past [`Thresholds::start`] the writer wakes this thread, which runs `PASSIVE` checkpoints
//! on its own connection while the writer goes on appending (WAL mode allows one checkpoint
//! beside one writer). A checkpoint copies only the frames that were there when it began, and
//! SQLite starts the WAL again from its beginning only when a write transaction begins with
//! every frame copied, so the thread repeats its pass over what was appended meanwhile until
//! at most [`Thresholds::tail`] frames are left, and the writer copies that small rest itself between two
//! commits; its next commit then writes from the WAL's start. Should the thread fall behind,
//! the writer checkpoints itself once the WAL reaches [`Thresholds::limit`] frames.
//!
//! The purge's scrub needs a `TRUNCATE` checkpoint that nothing blocks: it holds
//! [`Checkpoints::pause`] meanwhile, which waits for a running pass to end and starts no new
//! one.

use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use rusqlite::Connection;

use super::schema::{Access, connect};
use crate::store::StoreError;

/// When checkpoints happen, in WAL frames (pages).
#[derive(Clone, Copy, Debug)]
pub(super) struct Thresholds {
    /// Frames in the WAL after a commit at which the thread is woken. A checkpoint writes
    /// each page once however many frames hold it, and with many rooms most frames are the
    /// same index pages written again: a larger WAL means fewer page writes per event, a
    /// smaller one shorter page lookups. 15,000 (62 MB) measured best when the writer still
    /// checkpointed itself (1.1-1.3x the events per second of 4,000).
    pub start: u32,
    /// Frames the thread leaves to the writer: about 1-2 ms of the writer's time.
    pub tail: u32,
    /// Passes the thread makes before leaving the rest to the writer whatever its size.
    pub passes: u32,
    /// Frames at which the writer checkpoints itself (the thread fell behind).
    pub limit: u32,
}

impl Thresholds {
    pub(super) const DEFAULT: Thresholds = Thresholds {
        start: 15_000,
        tail: 1_000,
        passes: 4,
        limit: 40_000,
    };
}

thread_local! {
    /// Frames in the WAL after the last commit on this thread's connection; set by
    /// [`count_frames`]. Thread-local because SQLite's hook takes a plain function, and the
    /// writer's connection is only ever used on the writer's thread.
    static FRAMES: Cell<u32> = const { Cell::new(0) };
}

fn count_frames(_wal: &rusqlite::hooks::Wal, frames: std::ffi::c_int) -> rusqlite::Result<()> {
    FRAMES.set(u32::try_from(frames).unwrap_or(0));
    Ok(())
}

#[derive(Default)]
struct State {
    /// The writer asked for a round of passes and the thread has not finished it.
    running: bool,
    /// The thread left at most [`Thresholds::tail`] frames for the writer.
    tail_ready: bool,
    stop: bool,
}

struct Shared {
    thresholds: Thresholds,
    state: Mutex<State>,
    wake: Condvar,
    /// Held for every checkpoint, on either thread: one at a time, and none during a scrub.
    gate: Mutex<()>,
    /// Checkpoints made by the thread, and by the writer after the thread (tail) or without
    /// it (limit).
    counts: Counts,
}

#[derive(Default)]
pub(super) struct Counts {
    pub thread: AtomicU64,
    pub tail: AtomicU64,
    pub limit: AtomicU64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn gate(&self) -> MutexGuard<'_, ()> {
        self.gate.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The writer's side: owned by the writer thread.
pub(super) struct Checkpoints {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpoints {
    /// Turns off the automatic checkpoint of `writer` (the writer's connection) and starts the
    /// thread with a connection of its own to `path`.
    pub(super) fn start(
        writer: &Connection,
        path: &Path,
        thresholds: Thresholds,
    ) -> Result<Checkpoints, StoreError> {
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        // After the pragma: it installs SQLite's own hook, which this one replaces.
        writer.wal_hook(Some(count_frames));
        FRAMES.set(0);
        let conn = connect(path, Access::Write)?;
        let shared = Arc::new(Shared {
            thresholds,
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            gate: Mutex::new(()),
            counts: Counts::default(),
        });
        let thread = std::thread::Builder::new()
            .name("kring-checkpoint".to_owned())
            .spawn({
                let shared = shared.clone();
                move || run(conn, &shared)
            })
            .map_err(|e| StoreError::Backend(format!("starting the checkpoint thread: {e}")))?;
        Ok(Checkpoints {
            shared,
            thread: Some(thread),
        })
    }

    /// Called by the writer after each commit, with its connection.
    pub(super) fn after_commit(&self, writer: &Connection) {
        let frames = FRAMES.get();
        let at = self.shared.thresholds;
        let mut state = self.shared.state();
        if state.tail_ready {
            state.tail_ready = false;
            drop(state);
            self.shared.counts.tail.fetch_add(1, Ordering::Relaxed);
            self.checkpoint_here(writer, frames, "tail");
        } else if frames >= at.limit {
            drop(state);
            self.shared.counts.limit.fetch_add(1, Ordering::Relaxed);
            self.checkpoint_here(writer, frames, "limit");
        } else if frames >= at.start && !state.running {
            state.running = true;
            self.shared.wake.notify_one();
        }
    }

    /// A `PASSIVE` checkpoint on the writer's connection: nothing is appended meanwhile, so
    /// it copies every frame, and the next commit starts the WAL again.
    fn checkpoint_here(&self, writer: &Connection, frames: u32, why: &'static str) {
        let _gate = self.pause();
        let started = Instant::now();
        match passive(writer) {
            Ok((log, done)) => tracing::debug!(
                why,
                frames,
                log,
                done,
                micros = started.elapsed().as_micros() as u64,
                "writer checkpoint"
            ),
            Err(e) => tracing::error!(error = %e, why, "WAL checkpoint failed"),
        }
        // What the hook counted is stale until the next commit.
        FRAMES.set(0);
    }

    /// How many checkpoints were made, and where.
    #[cfg(test)]
    pub(super) fn counts(&self) -> &Counts {
        &self.shared.counts
    }

    /// Holds off the thread's checkpoints (waiting for a running one) while the guard lives.
    pub(super) fn pause(&self) -> MutexGuard<'_, ()> {
        self.shared.gate()
    }

    /// Ends the thread and closes its connection.
    pub(super) fn stop(mut self) {
        self.shared.state().stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.shared.state().stop = true;
            self.shared.wake.notify_one();
        }
    }
}

/// The thread's body: a round of passes per request, until stopped.
fn run(conn: Connection, shared: &Shared) {
    loop {
        {
            let mut state = shared.state();
            while !state.running && !state.stop {
                state = shared.wake.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            if state.stop {
                break;
            }
        }
        let tail_ready = round(&conn, shared);
        let mut state = shared.state();
        state.running = false;
        state.tail_ready = tail_ready;
    }
    if let Err((_, e)) = conn.close() {
        tracing::error!(error = %e, "closing the checkpoint connection");
    }
}

/// Passes until at most [`Thresholds::tail`] frames are left (or [`Thresholds::passes`] were
/// made); whether the writer should copy the rest.
fn round(conn: &Connection, shared: &Shared) -> bool {
    let started = Instant::now();
    let at = shared.thresholds;
    let mut pass = 0;
    loop {
        pass += 1;
        let passed = {
            let _gate = shared.gate();
            passive(conn)
        };
        let (log, done) = match passed {
            Ok(frames) => frames,
            Err(e) => {
                tracing::error!(error = %e, "WAL checkpoint failed");
                return false;
            }
        };
        shared.counts.thread.fetch_add(1, Ordering::Relaxed);
        if log - done <= i64::from(at.tail) || pass >= at.passes {
            tracing::debug!(
                pass,
                log,
                done,
                micros = started.elapsed().as_micros() as u64,
                "WAL checkpointed"
            );
            return true;
        }
        if shared.state().stop {
            return false;
        }
    }
}

/// Runs a `PASSIVE` checkpoint: frames in the WAL and frames copied.
fn passive(conn: &Connection) -> Result<(i64, i64), StoreError> {
    let (_busy, log, done): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
    Ok((log, done))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::DB_FILE;

    /// Small thresholds, so a test reaches them in a few hundred commits.
    const SMALL: Thresholds = Thresholds {
        start: 60,
        tail: 10,
        passes: 4,
        limit: 2_000,
    };

    /// A writer's connection to a fresh file, with the thread started beside it.
    fn open(dir: &Path, thresholds: Thresholds) -> (Connection, Checkpoints) {
        let conn = connect(&dir.join(DB_FILE), Access::Write).expect("writer");
        conn.execute_batch("CREATE TABLE t (x BLOB)")
            .expect("table");
        let checkpoints = Checkpoints::start(&conn, &dir.join(DB_FILE), thresholds).expect("start");
        (conn, checkpoints)
    }

    /// Commits one row as the writer does (a page or so in the WAL) and tells the checkpoints;
    /// the WAL's frames after the commit.
    fn commit(conn: &Connection, checkpoints: &Checkpoints) -> u32 {
        conn.execute("INSERT INTO t (x) VALUES (zeroblob(3000))", [])
            .expect("insert");
        let frames = FRAMES.get();
        checkpoints.after_commit(conn);
        frames
    }

    /// Under steady commits the thread does the checkpoints, the writer only copies the small
    /// rest, and the WAL starts again from its beginning instead of growing.
    #[test]
    fn the_thread_checkpoints_and_the_wal_starts_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (conn, checkpoints) = open(dir.path(), SMALL);
        let mut most = 0;
        let mut restarts = 0;
        let mut last = 0;
        for _ in 0..1_500 {
            let frames = commit(&conn, &checkpoints);
            if frames < last {
                restarts += 1;
            }
            last = frames;
            most = most.max(frames);
        }
        let counts = checkpoints.counts();
        let (thread, tail, limit) = (
            counts.thread.load(Ordering::Relaxed),
            counts.tail.load(Ordering::Relaxed),
            counts.limit.load(Ordering::Relaxed),
        );
        checkpoints.stop();
        assert!(thread >= 3, "the thread checkpointed {thread} times");
        assert!(tail >= 3, "the writer copied the rest {tail} times");
        assert_eq!(limit, 0, "the thread kept up");
        assert!(restarts >= 3, "the WAL started again {restarts} times");
        assert!(most < SMALL.limit, "the WAL reached {most} frames");
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .expect("count");
        assert_eq!(rows, 1_500);
    }

    /// With the thread stopped (as if it could not keep up), the writer checkpoints itself at
    /// the limit: the WAL does not grow without end.
    #[test]
    fn the_writer_checkpoints_at_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let limit = Thresholds {
            start: u32::MAX,
            limit: 100,
            ..SMALL
        };
        let (conn, checkpoints) = open(dir.path(), limit);
        let mut most = 0;
        for _ in 0..500 {
            most = most.max(commit(&conn, &checkpoints));
        }
        let counts = checkpoints.counts();
        assert_eq!(counts.thread.load(Ordering::Relaxed), 0);
        assert!(counts.limit.load(Ordering::Relaxed) >= 3);
        assert!(most <= 100 + 4, "the WAL reached {most} frames");
        checkpoints.stop();
    }

    /// A paused thread starts no checkpoint, so a `TRUNCATE` checkpoint on the writer is
    /// never busy because of it.
    #[test]
    fn a_pause_holds_the_thread_off() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (conn, checkpoints) = open(dir.path(), SMALL);
        for round in 0..20 {
            for _ in 0..80 {
                commit(&conn, &checkpoints);
            }
            let _paused = checkpoints.pause();
            let busy: i64 = conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))
                .expect("checkpoint");
            assert_eq!(busy, 0, "round {round}");
        }
        checkpoints.stop();
    }
}

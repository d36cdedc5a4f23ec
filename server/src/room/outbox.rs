//! A connection's outbound queue: bounded, never waited on by the room, and cheap when idle.
//!
//! tokio's `mpsc` allocates a block of 32 slots per channel up front (about 1.6 KB per idle
//! connection, a sixth of the budget); this queue allocates nothing until a frame is queued
//! and frees its buffer when the connection takes the frames.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::ws::Utf8Bytes;
use kring_protocol::ErrorCode;
use tokio::sync::Notify;

/// What a connection writes.
pub enum Outbound {
    Frame(Utf8Bytes),
    /// Send what came before, then a close frame with this code.
    Close(ErrorCode),
}

/// What the connection's task gets when it asks for work.
pub enum Taken {
    Frames(VecDeque<Outbound>),
    /// Drop the client now, with this reason, without writing what is queued.
    Killed(ErrorCode),
}

pub struct Outbox {
    state: Mutex<State>,
    wake: Notify,
    capacity: usize,
    /// Bytes this connection may have queued and unwritten at once.
    max_bytes: usize,
    /// Bytes queued and unwritten by every connection from the same address, and their bound.
    shared: Option<(Arc<AtomicUsize>, usize)>,
}

/// What the connections of one address have queued and not yet written, in bytes.
pub type AddressBytes = Arc<AtomicUsize>;

#[derive(Default)]
struct State {
    frames: VecDeque<Outbound>,
    killed: Option<ErrorCode>,
    /// The first reason a close was asked for (a kill or a close frame).
    reason: Option<ErrorCode>,
    /// Bytes queued or taken and not yet written (see [`Outbox::written`]).
    bytes: usize,
}

impl Outbox {
    pub fn new(capacity: usize) -> Self {
        Outbox::bounded(capacity, usize::MAX, None)
    }

    /// A queue of at most `capacity` frames and `max_bytes` bytes, whose bytes also count
    /// toward its address's total (at most the bound given with it).
    pub fn bounded(
        capacity: usize,
        max_bytes: usize,
        shared: Option<(AddressBytes, usize)>,
    ) -> Self {
        Outbox {
            state: Mutex::new(State::default()),
            wake: Notify::new(),
            capacity,
            max_bytes,
            shared,
        }
    }

    /// The writer wrote `bytes` it took: they no longer count as queued.
    pub fn written(&self, bytes: usize) {
        let mut state = self.state();
        let bytes = bytes.min(state.bytes);
        state.bytes -= bytes;
        drop(state);
        if let Some((total, _)) = &self.shared {
            total.fetch_sub(bytes, Ordering::Relaxed);
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Every critical section is a push or a take; a panic cannot leave it half done.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues without waiting. `false` when the connection is being dropped, or is now, because
    /// its queue is full.
    pub fn push(&self, out: Outbound) -> bool {
        let mut state = self.state();
        if state.killed.is_some() {
            return false;
        }
        let len = match &out {
            Outbound::Frame(frame) => frame.len(),
            Outbound::Close(_) => 0,
        };
        // Frames, bytes, and the address's bytes: a client that does not read is dropped
        // (and resumes) before what waits for it costs more than its share.
        let address_full = self
            .shared
            .as_ref()
            .is_some_and(|(total, max)| total.load(Ordering::Relaxed) + len > *max);
        if state.frames.len() >= self.capacity || state.bytes + len > self.max_bytes || address_full
        {
            state.killed = Some(ErrorCode::SlowConsumer);
            state.reason.get_or_insert(ErrorCode::SlowConsumer);
            drop(state);
            self.wake.notify_one();
            return false;
        }
        if let Outbound::Close(code) = &out {
            state.reason.get_or_insert(*code);
        }
        state.bytes += len;
        if let Some((total, _)) = &self.shared {
            total.fetch_add(len, Ordering::Relaxed);
        }
        state.frames.push_back(out);
        drop(state);
        self.wake.notify_one();
        true
    }

    pub fn kill(&self, code: ErrorCode) {
        let mut state = self.state();
        state.killed.get_or_insert(code);
        state.reason.get_or_insert(code);
        drop(state);
        self.wake.notify_one();
    }

    pub fn reason(&self) -> Option<ErrorCode> {
        self.state().reason
    }

    pub fn is_killed(&self) -> bool {
        self.state().killed.is_some()
    }

    /// Waits for frames (all of them at once) or a kill.
    pub async fn take(&self) -> Taken {
        loop {
            {
                let mut state = self.state();
                if let Some(code) = state.killed {
                    return Taken::Killed(code);
                }
                if !state.frames.is_empty() {
                    return Taken::Frames(std::mem::take(&mut state.frames));
                }
            }
            // A push between the check and here leaves a permit, so this does not miss it.
            self.wake.notified().await;
        }
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        // Whatever was never written stops counting for the address.
        let bytes = self.state().bytes;
        if let Some((total, _)) = &self.shared {
            total.fetch_sub(bytes, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(s: &'static str) -> Outbound {
        Outbound::Frame(Utf8Bytes::from_static(s))
    }

    #[tokio::test]
    async fn frames_come_out_in_order_and_a_full_queue_kills() {
        let outbox = Outbox::new(2);
        assert!(outbox.push(frame("a")));
        assert!(outbox.push(frame("b")));
        assert!(!outbox.push(frame("c")), "full");
        assert!(matches!(
            outbox.take().await,
            Taken::Killed(ErrorCode::SlowConsumer)
        ));
        assert_eq!(outbox.reason(), Some(ErrorCode::SlowConsumer));
        assert!(!outbox.push(frame("d")), "nothing after a kill");
    }

    #[tokio::test]
    async fn bytes_are_bounded_per_connection_and_per_address() {
        let outbox = Outbox::bounded(100, 3, None);
        assert!(outbox.push(frame("ab")));
        assert!(!outbox.push(frame("cd")), "over its bytes");
        assert_eq!(outbox.reason(), Some(ErrorCode::SlowConsumer));

        let address = AddressBytes::default();
        let one = Outbox::bounded(100, 100, Some((address.clone(), 4)));
        let two = Outbox::bounded(100, 100, Some((address.clone(), 4)));
        assert!(one.push(frame("abc")));
        assert!(!two.push(frame("de")), "over the address's bytes");
        assert!(matches!(one.take().await, Taken::Frames(_)));
        one.written(3);
        let three = Outbox::bounded(100, 100, Some((address.clone(), 4)));
        assert!(three.push(frame("de")), "written bytes no longer count");
        drop(three);
        assert_eq!(address.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn take_waits_for_a_push() {
        let outbox = std::sync::Arc::new(Outbox::new(8));
        let waiter = tokio::spawn({
            let outbox = outbox.clone();
            async move {
                match outbox.take().await {
                    Taken::Frames(f) => f.len(),
                    Taken::Killed(_) => 0,
                }
            }
        });
        tokio::task::yield_now().await;
        outbox.push(frame("a"));
        assert_eq!(waiter.await.unwrap(), 1);
        outbox.push(Outbound::Close(ErrorCode::TakenOver));
        assert_eq!(outbox.reason(), Some(ErrorCode::TakenOver));
    }
}

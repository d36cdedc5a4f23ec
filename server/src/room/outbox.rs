//! A connection's outbound queue: bounded, never waited on by the room, and cheap when idle.
//!
//! tokio's `mpsc` allocates a block of 32 slots per channel up front (about 1.6 KB per idle
//! connection, a sixth of the budget); this queue allocates nothing until a frame is queued
//! and frees its buffer when the connection takes the frames.

use std::collections::VecDeque;
use std::sync::Mutex;

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
}

#[derive(Default)]
struct State {
    frames: VecDeque<Outbound>,
    killed: Option<ErrorCode>,
    /// The first reason a close was asked for (a kill or a close frame).
    reason: Option<ErrorCode>,
}

impl Outbox {
    pub fn new(capacity: usize) -> Self {
        Outbox {
            state: Mutex::new(State::default()),
            wake: Notify::new(),
            capacity,
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
        if state.frames.len() >= self.capacity {
            state.killed = Some(ErrorCode::SlowConsumer);
            state.reason.get_or_insert(ErrorCode::SlowConsumer);
            drop(state);
            self.wake.notify_one();
            return false;
        }
        if let Outbound::Close(code) = &out {
            state.reason.get_or_insert(*code);
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

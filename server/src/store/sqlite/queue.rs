//! The writer's queue: bounded, and woken once per round of submissions rather than once per
//! request.
//!
//! A request is queued at once, but the writer thread is woken only after the submitting task
//! has yielded to the runtime once: every request that tasks submit in the meantime (other
//! rooms, the other appends of a `join!`) is then in the queue when the writer looks, and goes
//! into the same transaction. Woken per request, the writer started a commit (and an fsync)
//! for the first of them and left the others to the next one.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tokio::sync::Semaphore;

use super::writer::Request;
use crate::store::StoreError;

pub(super) struct Queue {
    state: Mutex<State>,
    ready: Condvar,
    /// Free places; a submitter waits for one when the queue is full (backpressure).
    room: Arc<Semaphore>,
}

#[derive(Default)]
struct State {
    requests: VecDeque<Request>,
    /// The writer sleeps on `ready` and must be woken to see new requests.
    waiting: bool,
    /// No more requests will come (the store was dropped); the writer ends when it is empty.
    closed: bool,
}

impl Queue {
    pub(super) fn new(capacity: usize) -> Queue {
        Queue {
            state: Mutex::new(State::default()),
            ready: Condvar::new(),
            room: Arc::new(Semaphore::new(capacity)),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `request` and wakes the writer once the calling task has let the others run.
    pub(super) async fn submit(&self, request: Request) -> Result<(), StoreError> {
        let place = self.room.acquire().await.map_err(|_| StoreError::Closed)?;
        place.forget();
        let wake = {
            let mut state = self.state();
            if state.closed {
                return Err(StoreError::Closed);
            }
            state.requests.push_back(request);
            Wake(self)
        };
        tokio::task::yield_now().await;
        drop(wake);
        Ok(())
    }

    /// Queues `request` and wakes the writer now.
    pub(super) async fn submit_now(&self, request: Request) -> Result<(), StoreError> {
        let place = self.room.acquire().await.map_err(|_| StoreError::Closed)?;
        place.forget();
        let mut state = self.state();
        if state.closed {
            return Err(StoreError::Closed);
        }
        state.requests.push_back(request);
        drop(state);
        self.wake();
        Ok(())
    }

    fn wake(&self) {
        if self.state().waiting {
            self.ready.notify_one();
        }
    }

    /// No more requests; the writer finishes what is queued and ends.
    pub(super) fn close(&self) {
        self.state().closed = true;
        self.room.close();
        self.ready.notify_one();
    }

    /// The writer's side: up to `max` requests in order, waiting while there are none;
    /// `None` once the queue is closed and empty.
    pub(super) fn take(&self, max: usize, into: &mut Vec<Request>) -> bool {
        let mut state = self.state();
        while state.requests.is_empty() {
            if state.closed {
                return false;
            }
            state.waiting = true;
            state = self.ready.wait(state).unwrap_or_else(|e| e.into_inner());
            state.waiting = false;
        }
        let n = state.requests.len().min(max);
        into.extend(state.requests.drain(..n));
        drop(state);
        self.room.add_permits(n);
        true
    }
}

/// Wakes the writer when dropped: after the yield, or when the submitting future is dropped
/// before it (its request is queued and must not wait for someone else's).
struct Wake<'a>(&'a Queue);

impl Drop for Wake<'_> {
    fn drop(&mut self) {
        self.0.wake();
    }
}

//! A connection's outbound queue: bounded, never waited on by the room, cheap when idle, and
//! for a plain TCP socket, written through.
//!
//! Whoever pushes a frame onto an empty queue of a plain socket (the room broadcasting, the
//! connection answering a ping) writes it to the socket at once, with a non-blocking `write`:
//! the usual case, a socket whose kernel buffer has room, costs one system call and wakes no
//! task. Only what the kernel does not take is queued, and then the connection's task is woken
//! to write the rest, everything queued in one `writev`, when the socket is writable again.
//! A TLS socket cannot be written from outside its task (the TLS state is the task's), so
//! there the task is woken for every batch and writes what is queued.
//!
//! A room holds the frames of one batch (events, acks, a welcome and its replay) and writes
//! each socket's share with one `writev` at the end of the batch ([`Outbox::push_held`],
//! [`Outbox::write_held`]): the sender of a command gets its event and its ack in one write,
//! and a busy room's members several events in one.
//!
//! The queue is bounded in frames and in bytes, and the bytes of all connections from one
//! address together are bounded too: a client that does not read is dropped (and resumes)
//! before what waits for it costs more than its share. Bytes count from when they are
//! queued until they are written (for a TLS socket, until its task reports them written).
//!
//! Nothing is allocated while the queue is empty.

use std::collections::VecDeque;
use std::io::IoSlice;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::{Buf, Bytes};
use kring_protocol::ErrorCode;
use tokio::net::TcpStream;
use tokio::sync::Notify;

use crate::socket::Frame;

/// Most frames handed to one `writev`.
const MAX_IOV: usize = 16;

pub(crate) struct Outbox {
    state: Mutex<State>,
    wake: Notify,
    capacity: usize,
    /// Bytes this connection may have queued and unwritten at once.
    max_bytes: usize,
    /// Bytes queued and unwritten by every connection from the same address, and their bound.
    shared: Option<(AddressBytes, usize)>,
    /// The socket, for writing without waking the connection's task (plain TCP only).
    direct: Option<Arc<TcpStream>>,
}

/// What the connections of one address have queued and not yet written, in bytes.
pub(crate) type AddressBytes = Arc<AtomicUsize>;

#[derive(Default)]
struct State {
    /// Wire bytes not yet written.
    queue: VecDeque<Bytes>,
    /// The first of them is the rest of a frame partly on the wire already.
    partial: bool,
    /// The room holds frames here to write them itself at the end of its batch.
    held: bool,
    killed: Option<ErrorCode>,
    /// A close frame is queued (or written): nothing may follow it.
    closing: Option<ErrorCode>,
    /// The first reason a close was asked for (a kill or a close frame).
    reason: Option<ErrorCode>,
    /// A write failed: the peer is gone.
    broken: bool,
    /// Bytes queued, or taken by a TLS task and not yet written (see [`Outbox::written`]).
    bytes: usize,
}

/// What the connection's task is to do next about writing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Flush {
    /// Everything is written.
    Done,
    /// The socket's buffer is full: wait until it is writable and flush again.
    Blocked,
    /// Everything up to and including a close frame is written: wait for the peer's close.
    Closed(ErrorCode),
    /// Drop the client now, with this reason.
    Killed(ErrorCode),
    /// The socket failed.
    Broken,
}

/// For a TLS socket: what the task writes.
pub(crate) enum Taken {
    /// The frames to write, and whether the last of them is a close frame.
    Frames(VecDeque<Bytes>, Option<ErrorCode>),
    Killed(ErrorCode),
}

impl Outbox {
    /// `direct`: the plain TCP socket to write through; `None` for a socket only the
    /// connection's task may write (TLS).
    #[cfg(test)]
    pub(crate) fn new(capacity: usize, direct: Option<Arc<TcpStream>>) -> Self {
        Outbox::bounded(capacity, usize::MAX, None, direct)
    }

    /// A queue of at most `capacity` frames and `max_bytes` bytes, whose bytes also count
    /// toward its address's total (at most the bound given with it).
    pub(crate) fn bounded(
        capacity: usize,
        max_bytes: usize,
        shared: Option<(AddressBytes, usize)>,
        direct: Option<Arc<TcpStream>>,
    ) -> Self {
        Outbox {
            state: Mutex::new(State::default()),
            wake: Notify::new(),
            capacity,
            max_bytes,
            shared,
            direct,
        }
    }

    /// Whether `len` more bytes may wait for this socket: within its frames, its bytes and
    /// its address's bytes. If not, the client is marked to be dropped as a slow consumer.
    fn admit(&self, state: &mut State, len: usize) -> bool {
        let address_full = self
            .shared
            .as_ref()
            .is_some_and(|(total, max)| total.load(Ordering::Relaxed) + len > *max);
        if state.queue.len() >= self.capacity
            || state.bytes.saturating_add(len) > self.max_bytes
            || address_full
        {
            state.killed = Some(ErrorCode::SlowConsumer);
            state.reason.get_or_insert(ErrorCode::SlowConsumer);
            return false;
        }
        true
    }

    /// Queues `bytes`, counting them for the socket and its address.
    fn enqueue(&self, state: &mut State, bytes: Bytes) {
        state.bytes += bytes.len();
        if let Some((total, _)) = &self.shared {
            total.fetch_add(bytes.len(), Ordering::Relaxed);
        }
        state.queue.push_back(bytes);
    }

    /// The TLS task wrote `bytes` it took: they no longer count as queued.
    pub(crate) fn written(&self, bytes: usize) {
        let mut state = self.state();
        release(&mut state, &self.shared, bytes);
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Every critical section is a push or a take; a panic cannot leave it half done.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues (or writes) without waiting. `false` when the connection is being dropped or
    /// closed, or is now, because its queue is full.
    pub(crate) fn push(&self, frame: &Frame) -> bool {
        self.push_bytes(frame.wire(), None)
    }

    /// Queues without writing: the caller writes what it held with [`Outbox::write_held`]
    /// once it has queued everything of its batch. `false` as for [`Outbox::push`].
    pub(crate) fn push_held(&self, frame: &Frame) -> bool {
        let mut state = self.state();
        if state.killed.is_some() || state.closing.is_some() || state.broken {
            return false;
        }
        if !self.admit(&mut state, frame.len()) {
            drop(state);
            self.wake.notify_one();
            return false;
        }
        if state.queue.is_empty() {
            // With an empty queue the task is not writing: this batch is the caller's to write.
            // (Otherwise the task is awake and writes these too.)
            state.held = true;
        }
        self.enqueue(&mut state, frame.wire().clone());
        true
    }

    /// Writes what [`Outbox::push_held`] queued, as far as the socket takes it, in one
    /// `writev`; the task is woken for the rest.
    pub(crate) fn write_held(&self) {
        let mut state = self.state();
        if !std::mem::take(&mut state.held) || state.queue.is_empty() {
            return;
        }
        if let Some(tcp) = &self.direct
            && write_queue(&mut state, &self.shared, tcp).is_ok()
            && state.queue.is_empty()
        {
            state.queue = VecDeque::new();
            return;
        }
        drop(state);
        self.wake.notify_one();
    }

    /// Sends a close frame after what is queued; nothing is sent after it.
    pub(crate) fn push_close(&self, frame: &Frame, code: ErrorCode) -> bool {
        self.push_bytes(frame.wire(), Some(code))
    }

    fn push_bytes(&self, wire: &Bytes, close: Option<ErrorCode>) -> bool {
        let mut state = self.state();
        if state.killed.is_some() || state.closing.is_some() || state.broken {
            return false;
        }
        // Checked before a write-through too: the bound is on what could wait, whatever the
        // kernel then takes at once.
        if !self.admit(&mut state, wire.len()) {
            drop(state);
            self.wake.notify_one();
            return false;
        }
        if let Some(code) = close {
            state.closing = Some(code);
            state.reason.get_or_insert(code);
        }
        let was_empty = state.queue.is_empty();
        let mut rest = wire.clone();
        if was_empty && let Some(tcp) = &self.direct {
            match tcp.try_write(&rest) {
                Ok(n) => rest.advance(n),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => {
                    state.broken = true;
                    drop(state);
                    self.wake.notify_one();
                    return false;
                }
            }
            state.partial = !rest.is_empty() && rest.len() < wire.len();
            if rest.is_empty() {
                drop(state);
                if close.is_some() {
                    // The task closes the handshake.
                    self.wake.notify_one();
                }
                return true;
            }
        }
        self.enqueue(&mut state, rest);
        drop(state);
        // A queue that was not empty has its task awake already (it writes until empty).
        if was_empty || close.is_some() {
            self.wake.notify_one();
        }
        true
    }

    /// Drops the client at once: what is queued is not written (but a frame already partly
    /// on the wire is finished, so the close frame that follows can be read).
    pub(crate) fn kill(&self, code: ErrorCode) {
        let mut state = self.state();
        state.killed.get_or_insert(code);
        state.reason.get_or_insert(code);
        drop(state);
        self.wake.notify_one();
    }

    pub(crate) fn reason(&self) -> Option<ErrorCode> {
        self.state().reason
    }

    pub(crate) fn is_killed(&self) -> bool {
        self.state().killed.is_some()
    }

    /// Waits until there is something for the connection's task to do.
    pub(crate) async fn notified(&self) {
        self.wake.notified().await;
    }

    /// The task's side for a plain socket: writes what is queued, as far as the socket takes
    /// it, many frames per `writev`.
    pub(crate) fn flush(&self, tcp: &TcpStream) -> Flush {
        let mut state = self.state();
        if let Some(code) = state.killed {
            return Flush::Killed(code);
        }
        if state.broken {
            return Flush::Broken;
        }
        match write_queue(&mut state, &self.shared, tcp) {
            Err(()) => return Flush::Broken,
            Ok(()) if !state.queue.is_empty() => return Flush::Blocked,
            Ok(()) => {}
        }
        // Free the queue's buffer: an idle connection holds none.
        state.queue = VecDeque::new();
        match state.closing {
            Some(code) => Flush::Closed(code),
            None => Flush::Done,
        }
    }

    /// The task's side for a socket it writes itself (TLS): everything queued. The bytes
    /// count until the task reports them with [`Outbox::written`].
    pub(crate) fn take(&self) -> Taken {
        let mut state = self.state();
        if let Some(code) = state.killed {
            return Taken::Killed(code);
        }
        let frames = std::mem::take(&mut state.queue);
        let closing = state.closing.filter(|_| !frames.is_empty());
        Taken::Frames(frames, closing)
    }

    /// Stops all further writes and returns what must still go out before a close frame:
    /// everything queued, or after a kill only the rest of a frame already partly written.
    pub(crate) fn seal(&self) -> Vec<Bytes> {
        let mut state = self.state();
        state.closing.get_or_insert(ErrorCode::Internal);
        let queue = std::mem::take(&mut state.queue);
        if state.killed.is_some() {
            let partial = std::mem::take(&mut state.partial);
            return queue.into_iter().take(usize::from(partial)).collect();
        }
        queue.into()
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

/// `bytes` were written: they no longer count for the socket or its address.
fn release(state: &mut State, shared: &Option<(AddressBytes, usize)>, bytes: usize) {
    let bytes = bytes.min(state.bytes);
    state.bytes -= bytes;
    if let Some((total, _)) = shared {
        total.fetch_sub(bytes, Ordering::Relaxed);
    }
}

/// Writes the queue to `tcp` until it is empty or the socket's buffer is full (`Ok`), many
/// frames per `writev`. `Err` when the socket failed (marked broken).
fn write_queue(
    state: &mut State,
    shared: &Option<(AddressBytes, usize)>,
    tcp: &TcpStream,
) -> Result<(), ()> {
    while let Some(front) = state.queue.front() {
        let written = if state.queue.len() == 1 {
            tcp.try_write(front)
        } else {
            // On the stack: no allocation per write.
            let mut slices = [IoSlice::new(&[]); MAX_IOV];
            let mut n = 0;
            for (slot, bytes) in slices.iter_mut().zip(&state.queue) {
                *slot = IoSlice::new(bytes);
                n += 1;
            }
            tcp.try_write_vectored(&slices[..n])
        };
        match written {
            Ok(n) if n > 0 => {
                state.partial = consume(&mut state.queue, n);
                release(state, shared, n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(()),
            _ => {
                state.broken = true;
                return Err(());
            }
        }
    }
    Ok(())
}

/// Takes `n` written bytes off the front of the queue; whether the front is now partly
/// written.
fn consume(queue: &mut VecDeque<Bytes>, mut n: usize) -> bool {
    while n > 0 {
        let Some(front) = queue.front_mut() else {
            return false;
        };
        if n >= front.len() {
            n -= front.len();
            queue.pop_front();
        } else {
            front.advance(n);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(s: &str) -> Frame {
        Frame::text(s)
    }

    fn queued(outbox: &Outbox) -> usize {
        outbox.state().queue.len()
    }

    #[tokio::test]
    async fn frames_come_out_in_order_and_a_full_queue_kills() {
        let outbox = Outbox::new(2, None);
        assert!(outbox.push(&frame("a")));
        assert!(outbox.push(&frame("b")));
        assert!(!outbox.push(&frame("c")), "full");
        assert!(matches!(
            outbox.take(),
            Taken::Killed(ErrorCode::SlowConsumer)
        ));
        assert_eq!(outbox.reason(), Some(ErrorCode::SlowConsumer));
        assert!(!outbox.push(&frame("d")), "nothing after a kill");
    }

    #[tokio::test]
    async fn bytes_are_bounded_per_connection_and_per_address() {
        let outbox = Outbox::bounded(100, 6, None, None);
        assert!(outbox.push(&frame("ab")), "4 bytes on the wire");
        assert!(!outbox.push(&frame("cd")), "over its bytes");
        assert_eq!(outbox.reason(), Some(ErrorCode::SlowConsumer));

        let address = AddressBytes::default();
        let one = Outbox::bounded(100, 100, Some((address.clone(), 8)), None);
        let two = Outbox::bounded(100, 100, Some((address.clone(), 8)), None);
        assert!(one.push(&frame("abcde")));
        assert!(!two.push(&frame("de")), "over the address's bytes");
        assert!(matches!(one.take(), Taken::Frames(..)));
        assert_eq!(address.load(Ordering::Relaxed), 7, "taken, not yet written");
        one.written(7);
        let three = Outbox::bounded(100, 100, Some((address.clone(), 8)), None);
        assert!(three.push(&frame("de")), "written bytes no longer count");
        drop(three);
        assert_eq!(address.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn written_through_and_flushed_bytes_stop_counting() {
        let (tcp, mut peer) = pair().await;
        socket2::SockRef::from(&*tcp)
            .set_send_buffer_size(4096)
            .unwrap();
        let address = AddressBytes::default();
        let big = frame(&"z".repeat(60_000));
        let outbox = Outbox::bounded(
            100,
            1_000_000,
            Some((address.clone(), 1_000_000)),
            Some(tcp.clone()),
        );
        assert!(outbox.push(&frame("hello")));
        assert_eq!(address.load(Ordering::Relaxed), 0, "written at once");
        for _ in 0..5 {
            assert!(outbox.push(&big));
        }
        let waiting = address.load(Ordering::Relaxed);
        assert!(waiting > 0, "the kernel buffer filled up");
        assert_eq!(waiting, outbox.state().bytes);
        let total = 7 + 5 * big.len();
        let reader = tokio::spawn(async move { read_exactly(&mut peer, total).await.len() });
        loop {
            match outbox.flush(&tcp) {
                Flush::Done => break,
                Flush::Blocked => tcp.writable().await.unwrap(),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(reader.await.unwrap(), total);
        assert_eq!(address.load(Ordering::Relaxed), 0, "all written");
        // Over the bound with what waits: dropped.
        let small = Outbox::bounded(100, 10, Some((address.clone(), 1_000_000)), None);
        assert!(!small.push(&big), "one frame over the connection's bytes");
        assert!(small.is_killed());
    }

    #[tokio::test]
    async fn a_push_wakes_the_task_and_the_task_takes_everything() {
        let outbox = Arc::new(Outbox::new(8, None));
        let waiter = tokio::spawn({
            let outbox = outbox.clone();
            async move {
                outbox.notified().await;
                match outbox.take() {
                    Taken::Frames(f, closing) => (f.len(), closing),
                    Taken::Killed(_) => (0, None),
                }
            }
        });
        tokio::task::yield_now().await;
        outbox.push(&frame("a"));
        outbox.push_close(&Frame::close(4002, "x"), ErrorCode::TakenOver);
        assert_eq!(waiter.await.unwrap(), (2, Some(ErrorCode::TakenOver)));
        assert_eq!(outbox.reason(), Some(ErrorCode::TakenOver));
        assert!(!outbox.push(&frame("b")), "nothing after a close frame");
    }

    /// A connected pair of plain sockets.
    async fn pair() -> (Arc<TcpStream>, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        (Arc::new(accepted.unwrap().0), client.unwrap())
    }

    async fn read_exactly(peer: &mut TcpStream, n: usize) -> Vec<u8> {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0; n];
        peer.read_exact(&mut buf).await.unwrap();
        buf
    }

    #[tokio::test]
    async fn a_plain_socket_is_written_through_without_the_task() {
        let (tcp, mut peer) = pair().await;
        let outbox = Outbox::new(8, Some(tcp.clone()));
        assert!(outbox.push(&frame("hello")));
        assert_eq!(queued(&outbox), 0, "written at once, nothing queued");
        assert_eq!(read_exactly(&mut peer, 7).await, b"\x81\x05hello");
    }

    #[tokio::test]
    async fn what_the_socket_does_not_take_is_queued_and_flushed_in_order() {
        let (tcp, mut peer) = pair().await;
        socket2::SockRef::from(&*tcp)
            .set_send_buffer_size(4096)
            .unwrap();
        let outbox = Outbox::new(10_000, Some(tcp.clone()));
        let big = "y".repeat(60_000);
        let mut sent = Vec::new();
        for i in 0..40 {
            let f = if i % 2 == 0 {
                frame(&big)
            } else {
                frame(&format!("small {i}"))
            };
            sent.extend_from_slice(f.wire());
            assert!(outbox.push(&f));
        }
        assert!(queued(&outbox) > 0, "the kernel buffer filled up");
        let reader = tokio::spawn(async move { read_exactly(&mut peer, sent.len()).await == sent });
        loop {
            match outbox.flush(&tcp) {
                Flush::Done => break,
                Flush::Blocked => tcp.writable().await.unwrap(),
                other => panic!("{other:?}"),
            }
        }
        assert!(reader.await.unwrap(), "every byte, in order");
        assert_eq!(
            outbox.state().queue.capacity(),
            0,
            "no buffer kept when idle"
        );
    }

    #[tokio::test]
    async fn a_batch_is_held_and_written_in_one_go() {
        let (tcp, mut peer) = pair().await;
        let outbox = Outbox::new(8, Some(tcp.clone()));
        assert!(outbox.push_held(&frame("event")));
        assert!(outbox.push_held(&frame("ack")));
        assert_eq!(queued(&outbox), 2, "held, not written yet");
        let mut nothing = [0u8; 16];
        assert!(
            peer.try_read(&mut nothing).is_err(),
            "nothing sent before the end"
        );
        outbox.write_held();
        assert_eq!(queued(&outbox), 0);
        assert_eq!(
            read_exactly(&mut peer, 12).await,
            b"\x81\x05event\x81\x03ack"
        );
        // Without held frames, writing held frames does nothing.
        outbox.write_held();
        assert!(outbox.push(&frame("next")));
        assert_eq!(read_exactly(&mut peer, 6).await, b"\x81\x04next");
    }

    #[tokio::test]
    async fn a_kill_keeps_only_the_rest_of_a_partly_written_frame() {
        let outbox = Outbox::new(8, None);
        outbox.push(&frame("a"));
        outbox.push(&frame("b"));
        outbox.kill(ErrorCode::SlowConsumer);
        assert!(outbox.seal().is_empty(), "whole frames are dropped");
        let outbox = Outbox::new(8, None);
        outbox.push(&frame("a"));
        outbox.push(&frame("b"));
        assert_eq!(outbox.seal().len(), 2, "a close sends what was queued");
        assert!(!outbox.push(&frame("c")), "sealed");
    }
}

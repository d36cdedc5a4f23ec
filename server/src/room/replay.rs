//! The recent events of a room as ready-to-send frames, for clients that resume.

use std::collections::VecDeque;

use kring_protocol::Seq;

use crate::socket::Frame;

/// Bounded by count and by bytes, so a busy room cannot hold unbounded memory.
pub struct ReplayBuffer {
    frames: VecDeque<(Seq, Frame)>,
    bytes: usize,
    /// Sequence number of the newest frame (or of the room when empty).
    last: Seq,
    max_frames: usize,
    max_bytes: usize,
}

impl ReplayBuffer {
    pub fn new(last: Seq, max_frames: usize, max_bytes: usize) -> Self {
        ReplayBuffer {
            frames: VecDeque::new(),
            bytes: 0,
            last,
            max_frames,
            max_bytes,
        }
    }

    pub fn push(&mut self, seq: Seq, frame: Frame) {
        debug_assert_eq!(seq, self.last + 1, "frames are pushed in order");
        self.last = seq;
        self.bytes += frame.len();
        self.frames.push_back((seq, frame));
        while self.frames.len() > self.max_frames || self.bytes > self.max_bytes {
            match self.frames.pop_front() {
                Some((_, f)) => self.bytes -= f.len(),
                None => break,
            }
        }
    }

    /// Whether every event after `last_seen` up to `upto` is (or, for events still to be
    /// pushed, will be) in the buffer.
    pub fn covers(&self, last_seen: Seq, upto: Seq) -> bool {
        let oldest = self.frames.front().map_or(self.last + 1, |(s, _)| *s);
        last_seen <= upto && last_seen + 1 >= oldest
    }

    /// Frames with `from < seq <= to`, in order.
    pub fn range(&self, from: Seq, to: Seq) -> impl Iterator<Item = &Frame> {
        self.frames
            .iter()
            .filter(move |(s, _)| *s > from && *s <= to)
            .map(|(_, f)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(n: Seq) -> Frame {
        Frame::text(&format!("frame {n:04}"))
    }

    #[test]
    fn keeps_the_newest_frames_within_bounds() {
        let mut buf = ReplayBuffer::new(0, 3, 1000);
        for n in 1..=5 {
            buf.push(n, frame(n));
        }
        assert!(buf.covers(2, 5));
        assert!(!buf.covers(1, 5));
        let got: Vec<_> = buf
            .range(2, 5)
            .map(|f| String::from_utf8_lossy(f.payload()).into_owned())
            .collect();
        assert_eq!(got, ["frame 0003", "frame 0004", "frame 0005"]);
    }

    #[test]
    fn byte_bound_evicts() {
        let mut buf = ReplayBuffer::new(0, 100, 25);
        for n in 1..=5 {
            buf.push(n, frame(n));
        }
        assert_eq!(buf.range(0, 5).count(), 2);
    }

    #[test]
    fn empty_buffer_covers_only_the_present() {
        let buf = ReplayBuffer::new(7, 10, 100);
        assert!(buf.covers(7, 7));
        assert!(buf.covers(7, 9), "events still to come will be pushed");
        assert!(!buf.covers(6, 7));
        assert!(
            !buf.covers(8, 7),
            "a client ahead of the room gets a full view"
        );
    }
}

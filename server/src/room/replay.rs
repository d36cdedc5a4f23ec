//! The recent events of a room as ready-to-send frames, for clients that resume.

use std::collections::VecDeque;

use kring_protocol::{Event, ItemId, Millis, Seq, event_json};

use crate::socket::Frame;

/// An event ready to send: its frame (the public form) and the items whose text it carries.
pub(super) struct Encoded {
    pub frame: Frame,
    pub texts: Vec<ItemId>,
}

/// Serialises an event once for the store and its frame. Most events are public as they are
/// (a question, a phase change): their frame is the stored JSON inside the frame's envelope,
/// copied rather than serialised a second time. The rest (a join carries a token hash, a vote
/// its voter) get their public form serialised on its own.
pub(super) fn encode(seq: Seq, at: Millis, event: &Event) -> (Encoded, String) {
    let json = serde_json::to_string(event).expect("events always serialise");
    let public = event.to_public();
    if public != *event {
        return (encode_public(seq, at, &public), json);
    }
    let encoded = Encoded {
        frame: event_frame(seq, at, &json),
        texts: public.texts(),
    };
    (encoded, json)
}

/// An event's frame alone (for events already stored).
pub(super) fn encode_public(seq: Seq, at: Millis, event: &Event) -> Encoded {
    let public = event.to_public();
    Encoded {
        frame: Frame::text(&event_json(seq, at, &public)),
        texts: public.texts(),
    }
}

/// The frame `event_json` makes, around an event already serialised.
fn event_frame(seq: Seq, at: Millis, event: &str) -> Frame {
    use std::io::Write;
    // The envelope with two 20-digit numbers and the closing brace: 78 bytes.
    Frame::text_with(78 + event.len(), |buf| {
        let _ = write!(buf, r#"{{"type":"event","seq":{seq},"at":{at},"event":"#);
        buf.extend_from_slice(event.as_bytes());
        buf.push(b'}');
    })
}

/// Bounded by count and by bytes, so a busy room cannot hold unbounded memory.
///
/// Each frame remembers which items' text it carries. When an item is hidden or withdrawn,
/// every frame up to the newest one carrying its text is dropped: a client further behind
/// gets a full view (which withholds the text) instead of the original `item_added`.
pub(super) struct ReplayBuffer {
    frames: VecDeque<(Seq, Frame, Vec<ItemId>)>,
    bytes: usize,
    /// Sequence number of the newest frame (or of the room when empty).
    last: Seq,
    max_frames: usize,
    max_bytes: usize,
}

impl ReplayBuffer {
    pub(super) fn new(last: Seq, max_frames: usize, max_bytes: usize) -> Self {
        ReplayBuffer {
            frames: VecDeque::new(),
            bytes: 0,
            last,
            max_frames,
            max_bytes,
        }
    }

    /// Keeps an event's frame ([`encode`]) and returns it for broadcast.
    pub(super) fn record(&mut self, seq: Seq, encoded: Encoded, event: &Event) -> Frame {
        let Encoded { frame, texts } = encoded;
        self.push(seq, frame.clone(), texts);
        if let Some(item) = event.conceals() {
            self.forget_text(item);
        }
        frame
    }

    pub(super) fn push(&mut self, seq: Seq, frame: Frame, texts: Vec<ItemId>) {
        debug_assert_eq!(seq, self.last + 1, "frames are pushed in order");
        self.last = seq;
        self.bytes += frame.len();
        self.frames.push_back((seq, frame, texts));
        while self.frames.len() > self.max_frames || self.bytes > self.max_bytes {
            if !self.pop() {
                break;
            }
        }
    }

    fn pop(&mut self) -> bool {
        match self.frames.pop_front() {
            Some((_, f, _)) => {
                self.bytes -= f.len();
                true
            }
            None => false,
        }
    }

    /// Drops every frame up to the newest that carries `item`'s text.
    pub(super) fn forget_text(&mut self, item: ItemId) {
        if let Some(newest) = self.frames.iter().rposition(|(_, _, t)| t.contains(&item)) {
            for _ in 0..=newest {
                self.pop();
            }
        }
    }

    /// Whether every event after `last_seen` up to `upto` is (or, for events still to be
    /// pushed, will be) in the buffer.
    pub(super) fn covers(&self, last_seen: Seq, upto: Seq) -> bool {
        let oldest = self.frames.front().map_or(self.last + 1, |(s, _, _)| *s);
        last_seen <= upto && last_seen + 1 >= oldest
    }

    /// Frames with `from < seq <= to`, in order.
    pub(super) fn range(&self, from: Seq, to: Seq) -> impl Iterator<Item = &Frame> {
        self.frames
            .iter()
            .filter(move |(s, _, _)| *s > from && *s <= to)
            .map(|(_, f, _)| f)
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
            buf.push(n, frame(n), Vec::new());
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
            buf.push(n, frame(n), Vec::new());
        }
        assert_eq!(buf.range(0, 5).count(), 2);
    }

    #[test]
    fn concealing_an_item_forgets_every_frame_up_to_its_text() {
        let mut buf = ReplayBuffer::new(0, 100, 10_000);
        buf.push(1, frame(1), Vec::new());
        buf.push(2, frame(2), vec![ItemId(7)]);
        buf.push(3, frame(3), Vec::new());
        buf.forget_text(ItemId(7));
        assert!(!buf.covers(1, 3), "the text is no longer replayed");
        assert!(buf.covers(2, 3));
        assert_eq!(buf.range(2, 3).count(), 1);
    }

    #[test]
    fn an_event_is_framed_as_event_json_frames_its_public_form() {
        use kring_protocol::{MemberId, MemberInfo, Role};
        // Control characters reach a frame only in a name recorded by an earlier version,
        // which the journal reader keeps as it was accepted.
        let name = kring_protocol::DisplayName::deserialize_recorded(serde_json::Value::from(
            "An \"Bé\"\n\u{1}",
        ))
        .expect("a recorded name");
        for event in [
            Event::MemberRenamed {
                member: MemberId(2),
                name: name.clone(),
            },
            // Its public form has no token hash: serialised on its own.
            Event::MemberJoined {
                member: MemberInfo {
                    id: MemberId(2),
                    name: name.clone(),
                    role: Role::Participant,
                },
                token_hash: Some("ab12".into()),
            },
            Event::HandRaised {
                member: MemberId(3),
            },
        ] {
            let (encoded, json) = encode(u64::MAX - 1, 1_800_000_000_123, &event);
            assert_eq!(
                json,
                serde_json::to_string(&event).unwrap(),
                "stored as it is"
            );
            let want = event_json(u64::MAX - 1, 1_800_000_000_123, &event.to_public());
            assert_eq!(encoded.frame, Frame::text(&want), "{want}");
            assert_eq!(encoded.texts, event.to_public().texts());
        }
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

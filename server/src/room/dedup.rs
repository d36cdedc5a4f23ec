//! Client message ids already applied, with the ack to send again on a retry.

use std::collections::{HashMap, VecDeque};

use kring_protocol::MemberId;

use crate::socket::Frame;

/// Bounded: the oldest ids are forgotten first. The store keeps all of them, so a room loaded
/// from the store remembers the newest ones again.
pub(super) struct Dedup {
    acks: HashMap<(MemberId, String), Frame>,
    order: VecDeque<(MemberId, String)>,
    capacity: usize,
}

impl Dedup {
    pub(super) fn new(capacity: usize) -> Self {
        Dedup {
            acks: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    pub(super) fn get(&self, member: MemberId, id: &str) -> Option<&Frame> {
        self.acks.get(&(member, id.to_owned()))
    }

    pub(super) fn insert(&mut self, member: MemberId, id: String, ack: Frame) {
        let key = (member, id);
        if self.acks.insert(key.clone(), ack).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.acks.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_per_member_and_forgets_the_oldest() {
        let mut d = Dedup::new(2);
        d.insert(MemberId(1), "a".into(), Frame::text("ack-a"));
        d.insert(MemberId(2), "a".into(), Frame::text("ack-2a"));
        assert_eq!(
            d.get(MemberId(1), "a").map(|f| f.payload()),
            Some(&b"ack-a"[..])
        );
        assert_eq!(
            d.get(MemberId(2), "a").map(|f| f.payload()),
            Some(&b"ack-2a"[..])
        );
        d.insert(MemberId(1), "b".into(), Frame::text("ack-b"));
        assert!(d.get(MemberId(1), "a").is_none());
        assert!(d.get(MemberId(1), "b").is_some());
    }
}

//! Deciding a member's command: dedup, engine decision, ack.

use kring_engine::Rejection;
use kring_protocol::{Ack, CommandEnvelope, ErrorCode, Event, MemberId, Millis, ServerMsg};

use super::effects::{Effect, Pending};
use super::task::Room;
use super::{ConnId, to_frame};
use crate::socket::Frame;
use crate::store::StoredMsgId;

impl Room {
    pub(super) fn decide_command(
        &mut self,
        member: MemberId,
        conn: ConnId,
        envelope: CommandEnvelope,
        now: Millis,
        p: &mut Pending,
    ) {
        let CommandEnvelope { id, phase, command } = envelope;
        if let Some(ack) = self.dedup.get(member, &id) {
            // A retry of an applied command: same effect (none), same ack.
            p.effects.push(Effect::Send {
                conn,
                id,
                frame: ack.clone(),
            });
            return;
        }
        let spent = self.commands.get(&member).copied().unwrap_or(0);
        let facilitator =
            self.session.member_role(member) == Some(kring_protocol::Role::Facilitator);
        let decided = if spent >= crate::limits::MAX_COMMANDS_PER_MEMBER && !facilitator {
            Err(Rejection {
                detail: Some("you have made as many changes as a session allows".to_owned()),
                ..Rejection::new(ErrorCode::LimitReached)
            })
        } else {
            self.session.decide(member, &command, phase, now)
        };
        let decision = match decided {
            Ok(decision) => decision,
            Err(rejection) => {
                self.deps.metrics.reject(rejection.code);
                tracing::debug!(room = %crate::redact::RoomTag(&self.code), %member, command = command.name(), code = %rejection.code, "command refused");
                // A warning is counted for the facilitator (no text, no member); like every
                // event it is durable before anyone hears of it, the refusal included.
                self.record(rejection.events(), now, p);
                let error = rejection.into_error_msg().with_id(id.clone());
                p.effects.push(Effect::Send {
                    conn,
                    id,
                    frame: to_frame(&ServerMsg::Error(error)),
                });
                return;
            }
        };
        let removed: Vec<MemberId> = decision
            .events
            .iter()
            .filter_map(|e| match e {
                Event::MemberRemoved { member } => Some(*member),
                _ => None,
            })
            .collect();
        let recorded = !decision.events.is_empty();
        self.record(decision.events, now, p);
        for gone in removed {
            self.away_since.remove(&gone);
            if let Some(c) = self
                .member_conn
                .remove(&gone)
                .and_then(|cid| self.conns.remove(&cid))
            {
                p.effects.push(Effect::Close {
                    sink: c.sink,
                    code: ErrorCode::Removed,
                });
            }
        }
        let ack_json = serde_json::to_string(&ServerMsg::Ack(Ack {
            id: id.clone(),
            seq: self.session.seq(),
            item: decision.item,
        }))
        .expect("acks serialise");
        let ack = Frame::text(&ack_json);
        if recorded {
            *self.commands.entry(member).or_default() += 1;
            p.msg_ids.push(StoredMsgId {
                member,
                msg_id: id.clone(),
                ack_json,
            });
            self.dedup.insert(member, id.clone(), ack.clone());
        }
        p.effects.push(Effect::Send {
            conn,
            id,
            frame: ack,
        });
    }
}

//! Members: joining, names, roles, removal and the room lock.

use kring_protocol::{ErrorCode, Event, MemberId, MemberInfo, Millis, Role, SessionStatus};

use crate::decide::Actor;
use crate::state::Session;
use crate::{Decision, JoinAs, Joined, Rejection, limits};

impl Session {
    /// Decides whether a new socket may join, and as whom. `token_hash` is the hash of the
    /// resume token the caller generated for a new member (for the facilitator: the hash of
    /// the facilitator token, so that token also resumes).
    pub fn decide_join(
        &self,
        join: &JoinAs,
        token_hash: &str,
        _now: Millis,
    ) -> Result<Joined, Rejection> {
        if self.status == SessionStatus::Ended {
            return Err(ErrorCode::SessionEnded.into());
        }
        let (name, role) = match join {
            JoinAs::Member { name } => (name, Role::Participant),
            JoinAs::Facilitator { name } => {
                // The token opens the member it was made for, even after they handed the
                // facilitator role to someone else (then as the participant they are now).
                if let Some(existing) = self
                    .members
                    .iter()
                    .find(|m| m.token_hash.as_deref() == Some(token_hash))
                {
                    if existing.removed {
                        return Err(ErrorCode::Removed.into());
                    }
                    return Ok(Joined {
                        member: existing.id(),
                        events: Vec::new(),
                    });
                }
                if self.active_members().any(|m| m.role() == Role::Facilitator) {
                    return Err(ErrorCode::BadToken.into());
                }
                (name, Role::Facilitator)
            }
        };
        // Checked before the name, so that a guesser learns nothing from a bad name about a
        // locked room (the server answers `room_locked` as it answers an unknown code).
        if self.locked && role != Role::Facilitator {
            return Err(ErrorCode::RoomLocked.into());
        }
        // The facilitator always gets in: a room nobody can run is of no use.
        if role != Role::Facilitator && self.active_members().count() >= limits::MAX_MEMBERS {
            return Err(ErrorCode::RoomFull.into());
        }
        let name = valid_name(name, "join.name")?;
        // Removed members keep their entry, so ids are never reused.
        let id = MemberId(u32::try_from(self.members.len()).unwrap_or(u32::MAX - 1) + 1);
        Ok(Joined {
            member: id,
            events: vec![Event::MemberJoined {
                member: MemberInfo { id, name, role },
                token_hash: Some(token_hash.to_owned()),
            }],
        })
    }

    pub(crate) fn rename(&self, actor: Actor, name: &str) -> Result<Decision, Rejection> {
        let name = valid_name(name, "command.name")?;
        Ok(Decision::events(vec![Event::MemberRenamed {
            member: actor.id,
            name,
        }]))
    }

    pub(crate) fn lock_room(&self, locked: bool) -> Decision {
        Decision::events(vec![Event::RoomLocked { locked }])
    }

    /// Role changes that make `member` the case-bringer (or nobody), the previous one going
    /// back to participant.
    pub(crate) fn case_bringer_events(&self, member: Option<MemberId>) -> Vec<Event> {
        let previous = self.case_bringer();
        if previous == member {
            return Vec::new();
        }
        let mut events = Vec::new();
        if let Some(previous) = previous {
            events.push(Event::RoleChanged {
                member: previous,
                role: Role::Participant,
            });
        }
        if let Some(member) = member {
            events.push(Event::RoleChanged {
                member,
                role: Role::CaseBringer,
            });
        }
        events
    }

    pub(crate) fn set_case_bringer(&self, member: Option<MemberId>) -> Result<Decision, Rejection> {
        const FIELD: &str = "command.member";
        if let Some(id) = member {
            match self.member_role(id) {
                None => return Err(Rejection::field(ErrorCode::NoSuchMember, FIELD)),
                Some(Role::Facilitator | Role::Screen) => {
                    return Err(Rejection::field(ErrorCode::InvalidValue, FIELD));
                }
                Some(_) => {}
            }
        }
        let events = self.case_bringer_events(member);
        if events.is_empty() {
            return Err(Rejection::field(ErrorCode::InvalidValue, FIELD));
        }
        Ok(Decision::events(events))
    }

    /// Only participant <-> note-taker: the case-bringer comes from the case choice or
    /// `set_case_bringer`, and there is one facilitator.
    pub(crate) fn set_role(&self, member: MemberId, role: Role) -> Result<Decision, Rejection> {
        if !matches!(role, Role::Participant | Role::NoteTaker) {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.role"));
        }
        let current = self
            .member_role(member)
            .ok_or_else(|| Rejection::field(ErrorCode::NoSuchMember, "command.member"))?;
        if !matches!(current, Role::Participant | Role::NoteTaker) || current == role {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.member"));
        }
        Ok(Decision::events(vec![Event::RoleChanged { member, role }]))
    }

    pub(crate) fn remove_member(
        &self,
        actor: Actor,
        member: MemberId,
    ) -> Result<Decision, Rejection> {
        if member == actor.id {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.member"));
        }
        if self.member(member).is_none() {
            return Err(Rejection::field(ErrorCode::NoSuchMember, "command.member"));
        }
        let mut events = Vec::new();
        if self.floor.as_ref().is_some_and(|f| f.member == member) {
            events.extend(self.floor_ended(actor.now));
        }
        events.push(Event::MemberRemoved { member });
        Ok(Decision::events(events))
    }
}

/// A display name: trimmed, 1 to 40 characters, no control characters.
fn valid_name(name: &str, field: &'static str) -> Result<String, Rejection> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > limits::NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(Rejection::field(ErrorCode::InvalidName, field));
    }
    Ok(name.to_owned())
}

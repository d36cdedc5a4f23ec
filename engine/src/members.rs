//! Members: joining, names, roles, removal and the room lock.

use kring_protocol::{
    DisplayName, ErrorCode, Event, MemberId, MemberInfo, Millis, Role, SessionStatus,
};

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
        now: Millis,
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
        // The facilitator always gets in: a room nobody can run is of no use. Seats are for
        // members present (or just gone); the roster bounds everyone else.
        if role != Role::Facilitator
            && (self.seated(now) >= limits::MAX_MEMBERS
                || self.active_members().count() >= limits::MAX_ROSTER
                || self.seq >= limits::MAX_EVENTS_PER_ROOM)
        {
            return Err(ErrorCode::RoomFull.into());
        }
        let name = valid_name(name, "join.name")?;
        self.check_distinct(&name, None, "join.name")?;
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
        // A rename to the same name changes nothing and would only grow the journal.
        if self.member(actor.id).is_some_and(|m| m.info.name == name) {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.name"));
        }
        self.check_distinct(&name, Some(actor.id), "command.name")?;
        if let Some(m) = self.member(actor.id) {
            if m.renames >= limits::MAX_RENAMES {
                return Err(Rejection::detail(
                    ErrorCode::LimitReached,
                    "no more renames in this session",
                ));
            }
            let next = m.renamed_at + limits::RENAME_INTERVAL_MS;
            if m.renames > 0 && actor.now < next {
                return Err(Rejection {
                    retry_after_ms: Some(next - actor.now),
                    ..Rejection::new(ErrorCode::RateLimited)
                });
            }
        }
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

    /// Every member who is offline now, except the facilitator; `no_such_member` when there is
    /// nobody to remove.
    pub(crate) fn remove_offline(&self, actor: Actor) -> Result<Decision, Rejection> {
        let gone: Vec<MemberId> = self
            .active_members()
            .filter(|m| !m.online && m.role() != Role::Facilitator && m.id() != actor.id)
            .map(|m| m.id())
            .collect();
        if gone.is_empty() {
            return Err(Rejection::detail(
                ErrorCode::NoSuchMember,
                "nobody is offline",
            ));
        }
        let mut events = Vec::new();
        if self
            .floor
            .as_ref()
            .is_some_and(|f| gone.contains(&f.member))
        {
            events.extend(self.floor_ended(actor.now));
        }
        events.extend(
            gone.into_iter()
                .map(|member| Event::MemberRemoved { member }),
        );
        Ok(Decision::events(events))
    }
}

impl Session {
    /// `name_taken` when another member (not `except`) has a name that looks the same: the
    /// same confusable skeleton (UTS #39), case ignored. Otherwise "Anna" could pose as
    /// "Аnna" (Cyrillic A) in front of the group.
    fn check_distinct(
        &self,
        name: &str,
        except: Option<MemberId>,
        field: &'static str,
    ) -> Result<(), Rejection> {
        let looks = skeleton(name);
        let taken = self
            .active_members()
            .filter(|m| Some(m.id()) != except)
            .any(|m| skeleton(&m.info.name) == looks);
        if taken {
            return Err(Rejection::field(ErrorCode::NameTaken, field));
        }
        Ok(())
    }
}

/// What a name looks like: its confusable skeleton, case ignored.
fn skeleton(name: &str) -> String {
    unicode_security::confusable_detection::skeleton(&name.to_lowercase())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The name parsed (`DisplayName` holds the rules), or `invalid_name` on `field`.
fn valid_name(name: &str, field: &'static str) -> Result<DisplayName, Rejection> {
    DisplayName::parse(name).map_err(|invalid| Rejection::field(invalid.code(), field))
}

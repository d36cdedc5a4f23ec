//! The attendance record's human part: each member confirms "I was present" (optionally with a
//! registration number for their own certificate), writes a personal reflection for their own
//! one-page record, and the facilitator confirms the list.
//!
//! Minutes present are not here: presence is not history (see the crate docs), so the server
//! measures it. These are decisions like any other, journaled, so that a replay rebuilds them
//! and an ack means they are durable.
//!
//! They are accepted from the start of the session on (someone who must leave early confirms
//! before leaving) and still after it has ended, until the server deletes its content: at the
//! end is when people do it.

use std::collections::BTreeMap;

use kring_protocol::{AttendanceState, ErrorCode, Event, MemberId, Millis, Role};
use serde::{Deserialize, Serialize};

use crate::decide::Actor;
use crate::state::Session;
use crate::{Decision, Rejection, limits};

pub use kring_protocol::limits::{
    REFLECTION_MAX_CHARS, REGISTRATION_MAX_CHARS, SET_MINUTES_MAX as MAX_MINUTES,
};

/// One member's confirmation.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub at: Millis,
    pub registration: Option<String>,
}

/// Confirmations, reflections and the facilitator's confirmation of the list.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Default)]
pub(crate) struct Attestations {
    /// In the order members first confirmed.
    confirmed: Vec<(MemberId, Confirmation)>,
    reflections: BTreeMap<MemberId, kring_protocol::Text>,
    list_confirmed_at: Option<Millis>,
    /// Minutes the facilitator set instead of the measured ones.
    #[serde(default)]
    minutes: BTreeMap<MemberId, u32>,
    /// How often each member wrote their reflection ([`limits::MAX_REFLECTION_WRITES`]).
    #[serde(default)]
    reflection_writes: BTreeMap<MemberId, u32>,
    /// Everyone who held the facilitator role, in the order they first did (the facilitator
    /// who opened the room, then whoever it was handed to): the record's "led by".
    #[serde(default)]
    led_by: Vec<MemberId>,
    /// Everyone who was made a co-facilitator, in the order they first were.
    #[serde(default)]
    co_led_by: Vec<MemberId>,
}

impl Attestations {
    /// Notes who led the meeting; called for every role a member takes (joining included).
    pub fn note_role(&mut self, member: MemberId, role: Role) {
        if role == Role::Facilitator && !self.led_by.contains(&member) {
            self.led_by.push(member);
        }
    }

    /// Notes a co-facilitator (one whose rights ended later stays: they did co-lead).
    pub fn note_co_facilitator(&mut self, member: MemberId) {
        if !self.co_led_by.contains(&member) {
            self.co_led_by.push(member);
        }
    }

    pub fn apply(&mut self, at: Millis, event: &Event) {
        match event {
            Event::PresenceConfirmed {
                member,
                registration,
            } => {
                let registration = registration.clone();
                match self.confirmed.iter_mut().find(|(m, _)| m == member) {
                    // The first confirmation's time stays; only the number changes.
                    Some((_, c)) => c.registration = registration,
                    None => self
                        .confirmed
                        .push((*member, Confirmation { at, registration })),
                }
            }
            Event::ReflectionWritten { member, text } => {
                self.reflections
                    .insert(*member, text.clone().unwrap_or_default());
                *self.reflection_writes.entry(*member).or_default() += 1;
            }
            Event::ListConfirmed {} => self.list_confirmed_at = Some(at),
            Event::MinutesSet { member, minutes } => {
                match minutes {
                    Some(m) => self.minutes.insert(*member, *m),
                    None => self.minutes.remove(member),
                };
                // The facilitator vouches for the list as it is: a changed list is confirmed anew.
                self.list_confirmed_at = None;
            }
            _ => {}
        }
    }
}

impl Session {
    pub(crate) fn confirm_presence(
        &self,
        actor: Actor,
        registration: Option<&str>,
    ) -> Result<Decision, Rejection> {
        let registration = valid_registration(registration)?;
        if let Some(c) = self.confirmation(actor.id)
            && c.registration == registration
        {
            // Nothing to change: a decision is never empty.
            return Err(Rejection::detail(
                ErrorCode::InvalidValue,
                "Your presence is already confirmed.",
            ));
        }
        Ok(Decision::events(vec![Event::PresenceConfirmed {
            member: actor.id,
            registration,
        }]))
    }

    pub(crate) fn write_reflection(&self, actor: Actor, text: &str) -> Result<Decision, Rejection> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Rejection::field(ErrorCode::TextEmpty, "command.text"));
        }
        if text.chars().count() > REFLECTION_MAX_CHARS {
            return Err(Rejection::field(ErrorCode::TextTooLong, "command.text"));
        }
        // As in item text: what costs six bytes on the wire and shows as nothing is refused,
        // so the view's reservation for a reflection holds.
        if limits::has_forbidden_control(text) {
            return Err(Rejection {
                detail: Some("control characters other than line breaks and tabs".to_owned()),
                ..Rejection::field(ErrorCode::InvalidValue, "command.text")
            });
        }
        // Every write is journaled: an unchanged one would only grow the journal.
        if self.reflection(actor.id) == Some(text) {
            return Err(Rejection::detail(
                ErrorCode::InvalidValue,
                "Your reflection is already saved like this.",
            ));
        }
        let writes = self.attest.reflection_writes.get(&actor.id).copied();
        if writes.unwrap_or(0) >= limits::MAX_REFLECTION_WRITES {
            return Err(Rejection::detail(
                ErrorCode::LimitReached,
                "no more changes to your reflection in this session",
            ));
        }
        Ok(Decision::events(vec![Event::ReflectionWritten {
            member: actor.id,
            text: Some(text.into()),
        }]))
    }

    pub(crate) fn confirm_list(&self) -> Result<Decision, Rejection> {
        if self.attest.list_confirmed_at.is_some() {
            return Err(Rejection::detail(
                ErrorCode::InvalidValue,
                "The list is already confirmed.",
            ));
        }
        Ok(Decision::events(vec![Event::ListConfirmed {}]))
    }

    pub(crate) fn set_minutes(
        &self,
        member: MemberId,
        minutes: Option<u32>,
    ) -> Result<Decision, Rejection> {
        match self.member_role(member) {
            None if !self.roster().any(|(id, _, _)| id == member) => {
                return Err(Rejection::field(ErrorCode::NoSuchMember, "command.member"));
            }
            Some(Role::Screen) => {
                return Err(Rejection::field(ErrorCode::InvalidValue, "command.member"));
            }
            _ => {}
        }
        if minutes.is_some_and(|m| m > MAX_MINUTES) {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.minutes"));
        }
        if self.minutes_set(member) == minutes {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.minutes"));
        }
        Ok(Decision::events(vec![Event::MinutesSet {
            member,
            minutes,
        }]))
    }

    /// The minutes the facilitator set for the member, if any.
    pub fn minutes_set(&self, member: MemberId) -> Option<u32> {
        self.attest.minutes.get(&member).copied()
    }

    /// The member's confirmation of presence, if they gave it.
    pub fn confirmation(&self, member: MemberId) -> Option<&Confirmation> {
        self.attest
            .confirmed
            .iter()
            .find(|(m, _)| *m == member)
            .map(|(_, c)| c)
    }

    /// The member's personal reflection.
    pub fn reflection(&self, member: MemberId) -> Option<&str> {
        self.attest.reflections.get(&member).map(|t| t.as_str())
    }

    /// The hash of the member's resume token (removed members keep theirs here, unusable).
    pub fn token_hash_of(&self, member: MemberId) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.id() == member)
            .and_then(|m| m.token_hash.as_deref())
    }

    /// When the facilitator confirmed the attendance list.
    pub fn list_confirmed_at(&self) -> Option<Millis> {
        self.attest.list_confirmed_at
    }

    /// Members removed since they confirmed are left out: the list is bounded by the roster,
    /// as the view's budget counts it ([`limits::ATTEST_VIEW_BYTES`]). The record keeps them.
    pub(crate) fn attendance_state(&self) -> AttendanceState {
        AttendanceState {
            confirmed: self
                .attest
                .confirmed
                .iter()
                .map(|(m, _)| *m)
                .filter(|m| !self.was_removed(*m))
                .collect(),
            list_confirmed_at: self.attest.list_confirmed_at,
        }
    }

    /// The attendance record's "led by": everyone who held the facilitator role during the
    /// meeting, in the order they first did (the facilitator who opened the room first, then
    /// whoever it was handed to), by their current names.
    pub fn facilitator_names(&self) -> Vec<&str> {
        let now = self
            .roster()
            .filter(|(_, _, role)| *role == Role::Facilitator)
            .map(|(id, _, _)| id);
        // A snapshot from before the history was kept knows only who leads now.
        let mut ids = self.attest.led_by.clone();
        for id in now {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        self.names_of(&ids)
    }

    /// Everyone who had the facilitator's rights beside the facilitator during the meeting,
    /// in the order they were appointed. A co-facilitator who later took the role over is
    /// named as a facilitator instead; one whose rights ended stays.
    pub fn co_facilitator_names(&self) -> Vec<&str> {
        let ids: Vec<MemberId> = self
            .attest
            .co_led_by
            .iter()
            .copied()
            .filter(|id| !self.attest.led_by.contains(id))
            .filter(|id| {
                self.member(*id)
                    .is_none_or(|m| m.role() != Role::Facilitator)
            })
            .collect();
        self.names_of(&ids)
    }

    /// Each case round of the meeting so far: its method and who brought the case (`None`
    /// where nobody did; the latest member to hold the role in that round).
    pub fn case_rounds(&self) -> Vec<(&kring_protocol::MethodTemplate, Option<MemberId>)> {
        self.cases
            .iter()
            .map(|c| (&c.method, c.case_bringer))
            .collect()
    }

    /// The current name of a member on the roster (removed members included).
    pub fn member_name(&self, member: MemberId) -> Option<&str> {
        self.roster()
            .find(|(id, _, _)| *id == member)
            .map(|(_, name, _)| name)
    }

    fn names_of(&self, ids: &[MemberId]) -> Vec<&str> {
        ids.iter().filter_map(|id| self.member_name(*id)).collect()
    }
}

/// A registration number: trimmed, at most [`REGISTRATION_MAX_CHARS`], no control or format
/// characters (a bidi override would make a certificate show another number than it holds).
/// Empty means none.
fn valid_registration(registration: Option<&str>) -> Result<Option<String>, Rejection> {
    let Some(text) = registration.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > REGISTRATION_MAX_CHARS
        || text.chars().any(|c| c.is_control() || limits::is_format(c))
    {
        return Err(Rejection::field(
            ErrorCode::InvalidValue,
            "command.registration",
        ));
    }
    Ok(Some(text.to_owned()))
}

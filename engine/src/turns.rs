//! Turn-taking: raised hands, the floor, rounds, and speaking time.
//!
//! The order of the queue and of a round is in the events, so every client shows the same.
//! Speaking time is settled in `floor_ended` events (the member's new total), never computed
//! in `apply`.

use kring_protocol::{ErrorCode, Event, MemberId, Millis, Role};

use crate::decide::Actor;
use crate::permissions::{has_floor, may_hold_floor};
use crate::state::Session;
use crate::{Decision, Rejection};

impl Session {
    /// `floor_ended` for whoever holds the floor, with their new speaking total.
    pub(crate) fn floor_ended(&self, now: Millis) -> Vec<Event> {
        self.floor
            .iter()
            .map(|floor| Event::FloorEnded {
                member: floor.member,
                speaking_ms: self
                    .speaking_total(floor.member)
                    .saturating_add(now.saturating_sub(floor.since)),
            })
            .collect()
    }

    fn rejoin_if_left(&self, member: MemberId, events: &mut Vec<Event>) {
        if self.left_turns_flag(member) {
            events.push(Event::RejoinedTurns { member });
        }
    }

    /// The phases where `role` can raise a hand or take the floor, for `phase_forbids`.
    fn phases_with_floor(&self, role: Role) -> Vec<u16> {
        self.method()
            .phases
            .iter()
            .enumerate()
            .filter(|(_, p)| may_hold_floor(p, role))
            .filter_map(|(i, _)| u16::try_from(i).ok())
            .collect()
    }

    fn check_floor_phase(&self, role: Role) -> Result<(), Rejection> {
        let (_, phase) = self.running()?;
        if role == Role::CaseBringer && phase.case_bringer_listens {
            return Err(ErrorCode::CaseBringerListens.into());
        }
        if !may_hold_floor(phase, role) {
            return Err(Rejection {
                phases: self.phases_with_floor(role),
                ..Rejection::new(ErrorCode::PhaseForbids)
            });
        }
        Ok(())
    }

    /// Whether the floor can move to `member` now: present, in turns, and not a case-bringer
    /// who listens in this phase (one appointed mid-phase may still be in the round).
    fn can_take_floor(&self, member: MemberId) -> bool {
        let role = self.member_role(member).unwrap_or(Role::Screen);
        let allowed = self
            .running()
            .is_ok_and(|(_, phase)| may_hold_floor(phase, role));
        self.available(member) && allowed
    }

    /// The next member of the round who can take the floor now, other than `except`.
    fn next_in_round(&self, except: Option<MemberId>) -> Option<MemberId> {
        let round = self.round.as_ref()?;
        round
            .pending()
            .find(|m| Some(*m) != except && self.can_take_floor(*m))
    }

    pub(crate) fn raise_hand(&self, actor: Actor) -> Result<Decision, Rejection> {
        self.check_floor_phase(actor.role)?;
        if self.hands.contains(&actor.id) {
            return Err(ErrorCode::AlreadyInQueue.into());
        }
        let mut events = Vec::new();
        self.rejoin_if_left(actor.id, &mut events);
        events.push(Event::HandRaised { member: actor.id });
        Ok(Decision::events(events))
    }

    pub(crate) fn lower_hand(&self, actor: Actor) -> Result<Decision, Rejection> {
        if !self.hands.contains(&actor.id) {
            return Err(ErrorCode::NotInQueue.into());
        }
        Ok(Decision::events(vec![Event::HandLowered {
            member: actor.id,
        }]))
    }

    pub(crate) fn give_floor(&self, actor: Actor, member: MemberId) -> Result<Decision, Rejection> {
        let role = self
            .member_role(member)
            .ok_or_else(|| Rejection::field(ErrorCode::NoSuchMember, "command.member"))?;
        self.check_floor_phase(role)?;
        if self.floor.as_ref().is_some_and(|f| f.member == member) {
            return Err(Rejection::detail(
                ErrorCode::InvalidValue,
                "this member already has the floor",
            ));
        }
        let mut events = self.floor_ended(actor.now);
        if self.hands.contains(&member) {
            events.push(Event::HandLowered { member });
        }
        self.rejoin_if_left(member, &mut events);
        events.push(Event::FloorGiven { member });
        Ok(Decision::events(events))
    }

    pub(crate) fn end_floor(&self, actor: Actor) -> Result<Decision, Rejection> {
        self.running()?;
        let events = self.floor_ended(actor.now);
        if events.is_empty() {
            return Err(Rejection::detail(
                ErrorCode::InvalidValue,
                "nobody has the floor",
            ));
        }
        Ok(Decision::events(events))
    }

    /// In a round: the speaker's turn is done and the next present member in the order gets
    /// the floor. Otherwise (or when the round is through): the first raised hand gets it.
    pub(crate) fn next_speaker(&self, actor: Actor) -> Result<Decision, Rejection> {
        self.running()?;
        let current = self.floor.as_ref().map(|f| f.member);
        let mut events = self.floor_ended(actor.now);
        if let (Some(round), Some(member)) = (&self.round, current)
            && round.order.contains(&member)
            && !round.is_done(member)
        {
            events.push(Event::RoundTurnDone {
                member,
                passed: false,
            });
        }
        if let Some(next) = self.next_in_round(current) {
            events.push(Event::FloorGiven { member: next });
        } else if let Some(&first) = self.hands.iter().find(|m| self.can_take_floor(**m)) {
            events.push(Event::HandLowered { member: first });
            events.push(Event::FloorGiven { member: first });
        }
        if events.is_empty() {
            return Err(Rejection::detail(
                ErrorCode::NotInQueue,
                "nobody is waiting for the floor",
            ));
        }
        Ok(Decision::events(events))
    }

    /// The round's current speaker passes (the floor moves on), or a member later in the
    /// round passes ahead of time.
    pub(crate) fn pass(&self, actor: Actor) -> Result<Decision, Rejection> {
        self.running()?;
        let round = self.round.as_ref().ok_or(ErrorCode::NoRound)?;
        if !round.order.contains(&actor.id) || round.is_done(actor.id) {
            return Err(ErrorCode::NotYourTurn.into());
        }
        let has_floor = self.floor.as_ref().is_some_and(|f| f.member == actor.id);
        let mut events = Vec::new();
        if has_floor {
            events.extend(self.floor_ended(actor.now));
        }
        events.push(Event::RoundTurnDone {
            member: actor.id,
            passed: true,
        });
        if has_floor && let Some(next) = self.next_in_round(Some(actor.id)) {
            events.push(Event::FloorGiven { member: next });
        }
        Ok(Decision::events(events))
    }

    /// The facilitator skips a member: their round turn goes by (recorded as passed), or
    /// their hand is lowered.
    pub(crate) fn skip_speaker(
        &self,
        actor: Actor,
        member: MemberId,
    ) -> Result<Decision, Rejection> {
        self.running()?;
        if self.member(member).is_none() {
            return Err(Rejection::field(ErrorCode::NoSuchMember, "command.member"));
        }
        let in_round = self
            .round
            .as_ref()
            .is_some_and(|r| r.order.contains(&member) && !r.is_done(member));
        let has_floor = self.floor.as_ref().is_some_and(|f| f.member == member);
        let mut events = Vec::new();
        if in_round {
            if has_floor {
                events.extend(self.floor_ended(actor.now));
            }
            events.push(Event::RoundTurnDone {
                member,
                passed: true,
            });
            if has_floor && let Some(next) = self.next_in_round(Some(member)) {
                events.push(Event::FloorGiven { member: next });
            }
        } else if self.hands.contains(&member) {
            events.push(Event::HandLowered { member });
        } else {
            return Err(Rejection::detail(
                ErrorCode::NotInQueue,
                "this member is not waiting for a turn",
            ));
        }
        Ok(Decision::events(events))
    }

    pub(crate) fn start_round(&self, actor: Actor) -> Result<Decision, Rejection> {
        let (_, phase) = self.running()?;
        // A round is for phases where everyone speaks; where only the case-bringer does,
        // nobody else may be given the floor.
        if !has_floor(phase) || phase.turns == kring_protocol::TurnMode::CaseBringerOnly {
            return Err(Rejection {
                phases: self.phases_with_floor(Role::Participant),
                ..Rejection::new(ErrorCode::PhaseForbids)
            });
        }
        let order = self.round_order(phase);
        let Some(&first) = order.first() else {
            return Err(Rejection::detail(
                ErrorCode::NoRound,
                "nobody present takes turns in this phase",
            ));
        };
        let mut events = self.floor_ended(actor.now);
        events.push(Event::RoundStarted { order });
        events.push(Event::FloorGiven { member: first });
        Ok(Decision::events(events))
    }

    /// Events for a member who was away past the grace period, crediting their speaking time
    /// up to `now` if they held the floor. Empty when they were not in turn-taking.
    pub fn left_turns_at(&self, member: MemberId, now: Millis) -> Vec<Event> {
        if self.member(member).is_none() || self.status != kring_protocol::SessionStatus::Running {
            return Vec::new();
        }
        let has_floor = self.floor.as_ref().is_some_and(|f| f.member == member);
        let in_round = self
            .round
            .as_ref()
            .is_some_and(|r| r.order.contains(&member) && !r.is_done(member));
        if !(has_floor || in_round || self.hands.contains(&member)) {
            return Vec::new();
        }
        let mut events = Vec::new();
        if has_floor {
            events.extend(self.floor_ended(now));
        }
        events.push(Event::LeftTurns { member });
        events
    }

    /// Like [`Session::left_turns_at`], for callers without a clock at hand: a floor the
    /// member held is ended at the moment they got it, so the away time is not counted as
    /// speaking.
    pub fn left_turns(&self, member: MemberId) -> Vec<Event> {
        let since = self
            .floor
            .as_ref()
            .filter(|f| f.member == member)
            .map_or(0, |f| f.since);
        self.left_turns_at(member, since)
    }

    /// Events for a member who comes back after [`Session::left_turns`]: they take part in
    /// rounds again. Empty when they never left.
    pub fn rejoined_turns(&self, member: MemberId) -> Vec<Event> {
        let mut events = Vec::new();
        self.rejoin_if_left(member, &mut events);
        events
    }
}

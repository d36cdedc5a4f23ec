//! The session's lifecycle and time boxes: start, move between phases, extend, end, and the
//! time-up announcement.

use kring_protocol::{
    ErrorCode, Event, MemberId, Millis, PhaseTemplate, Role, RoundOrder, SessionStatus, TurnMode,
};

use crate::decide::Actor;
use crate::methods::MAX_MINUTES;
use crate::permissions::needs_case_bringer;
use crate::state::Session;
use crate::{Decision, Rejection};

const MINUTE_MS: Millis = 60_000;

/// The time box of one speaker's turn: from ten seconds to an hour.
pub const TURN_LIMIT_SECONDS: std::ops::RangeInclusive<u32> = 10..=3600;

impl Session {
    pub(crate) fn start_session(&self, actor: Actor) -> Result<Decision, Rejection> {
        self.enter_phase(actor, 0)
    }

    pub(crate) fn step_phase(&self, actor: Actor, step: i32) -> Result<Decision, Rejection> {
        let (run, _) = self.running()?;
        let last = self.method().phases.len().saturating_sub(1);
        if step > 0 && usize::from(run.index) == last && self.method().rotates() {
            // Troika: after the last phase the next member of the trio brings their case.
            if let Some(next) = self.next_rotation() {
                return self.start_case_with(actor, self.method().clone(), Some(next));
            }
        }
        let target = i32::from(run.index) + step;
        let target = u16::try_from(target).map_err(|_| ErrorCode::NoSuchPhase)?;
        self.enter_phase(actor, target)
    }

    pub(crate) fn goto_phase(&self, actor: Actor, index: u16) -> Result<Decision, Rejection> {
        self.running()?;
        if usize::from(index) >= self.method().phases.len() {
            return Err(Rejection::field(ErrorCode::NoSuchPhase, "command.index"));
        }
        self.enter_phase(actor, index)
    }

    /// Entering a phase: a new phase stamp, a fresh time box, no hands, no floor; the round
    /// order (for round phases) and the first speaker are decided here so every replay and
    /// every client agrees on them.
    fn enter_phase(&self, actor: Actor, index: u16) -> Result<Decision, Rejection> {
        let phase = self
            .method()
            .phases
            .get(usize::from(index))
            .ok_or(ErrorCode::NoSuchPhase)?;
        let mut events = self.floor_ended(actor.now);
        events.extend(self.phase_events(phase, index, self.case_bringer(), actor.now)?);
        Ok(Decision::events(events))
    }

    /// `phase_changed` (and the first `floor_given`) for entering `phase` at `index` with
    /// `case_bringer` in that role (who may be about to get it with a new case round).
    pub(crate) fn phase_events(
        &self,
        phase: &PhaseTemplate,
        index: u16,
        case_bringer: Option<MemberId>,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        if needs_case_bringer(phase) && case_bringer.is_none() {
            return Err(ErrorCode::NoCaseBringer.into());
        }
        let phase_seq = self.phase.as_ref().map_or(1, |p| p.seq.saturating_add(1));
        let deadline = now.saturating_add(Millis::from(phase.minutes) * MINUTE_MS);
        let round = match phase.turns {
            TurnMode::Round => self.round_order_with(phase, case_bringer),
            _ => Vec::new(),
        };
        let first = match phase.turns {
            TurnMode::Round => round.first().copied(),
            TurnMode::CaseBringerOnly => case_bringer,
            TurnMode::Free | TurnMode::Silent => None,
        };
        let mut events = vec![Event::PhaseChanged {
            index,
            phase_seq,
            deadline: Some(deadline),
            round,
        }];
        if let Some(member) = first {
            events.push(Event::FloorGiven { member });
        }
        Ok(events)
    }

    /// Who takes a turn in a round of `phase` started now: present members whose role takes
    /// part in the phase, leaving out those who left turns, in join order except where the
    /// method puts the case-bringer first or last.
    pub(crate) fn round_order(&self, phase: &PhaseTemplate) -> Vec<MemberId> {
        self.round_order_with(phase, self.case_bringer())
    }

    fn round_order_with(&self, phase: &PhaseTemplate, cb: Option<MemberId>) -> Vec<MemberId> {
        let role_of = |id: MemberId, role: Role| match (Some(id) == cb, role) {
            (true, _) => Role::CaseBringer,
            (false, Role::CaseBringer) => Role::Participant,
            (false, role) => role,
        };
        let mut order: Vec<MemberId> = self
            .active_members()
            .filter(|m| self.takes_turns_as(phase, role_of(m.id(), m.role())))
            .filter(|m| self.available(m.id()))
            .map(|m| m.id())
            .collect();
        if let Some(cb) = cb.filter(|cb| order.contains(cb)) {
            match phase.round_order {
                RoundOrder::Joined => {}
                RoundOrder::CaseBringerFirst => {
                    order.retain(|m| *m != cb);
                    order.insert(0, cb);
                }
                RoundOrder::CaseBringerLast => {
                    order.retain(|m| *m != cb);
                    order.push(cb);
                }
            }
        }
        order
    }

    pub(crate) fn extend_timer(&self, actor: Actor, seconds: i32) -> Result<Decision, Rejection> {
        let (run, _) = self.running()?;
        if seconds == 0 {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.seconds"));
        }
        let shift = i64::from(seconds) * 1000;
        if let Some(left) = run.paused_left {
            // A paused clock keeps its pause: only what is left changes.
            let left_ms = if shift > 0 {
                left.saturating_add(shift.unsigned_abs())
            } else {
                left.saturating_sub(shift.unsigned_abs())
            };
            return Ok(Decision::events(vec![Event::TimerPaused { left_ms }]));
        }
        let deadline = run.deadline.unwrap_or(actor.now);
        let new = if shift > 0 {
            // A time box that already ran out is extended from now, not from the past.
            deadline.max(actor.now).saturating_add(shift.unsigned_abs())
        } else {
            deadline.saturating_sub(shift.unsigned_abs()).max(actor.now)
        };
        Ok(Decision::events(vec![Event::TimerChanged {
            deadline: Some(new),
        }]))
    }

    /// Stops the clock with what is left (a clock already past its deadline keeps none), or
    /// starts it again from there.
    pub(crate) fn pause_timer(&self, actor: Actor, paused: bool) -> Result<Decision, Rejection> {
        let (run, _) = self.running()?;
        let invalid = || Rejection::field(ErrorCode::InvalidValue, "command.paused");
        let event = match (paused, run.paused_left, run.deadline) {
            (true, None, Some(deadline)) => Event::TimerPaused {
                left_ms: deadline.saturating_sub(actor.now),
            },
            (false, Some(left), _) => Event::TimerChanged {
                deadline: Some(actor.now.saturating_add(left)),
            },
            _ => return Err(invalid()),
        };
        Ok(Decision::events(vec![event]))
    }

    /// "Five minutes from now" (or, paused, five minutes left when it runs again).
    pub(crate) fn set_timer(&self, actor: Actor, seconds: u32) -> Result<Decision, Rejection> {
        let (run, _) = self.running()?;
        if seconds > u32::from(MAX_MINUTES) * 60 {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.seconds"));
        }
        let ms = u64::from(seconds) * 1000;
        let event = if run.paused_left.is_some() {
            Event::TimerPaused { left_ms: ms }
        } else {
            Event::TimerChanged {
                deadline: Some(actor.now.saturating_add(ms)),
            }
        };
        Ok(Decision::events(vec![event]))
    }

    pub(crate) fn set_turn_limit(&self, seconds: Option<u32>) -> Result<Decision, Rejection> {
        let (run, _) = self.running()?;
        if seconds.is_some_and(|s| !TURN_LIMIT_SECONDS.contains(&s)) {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.seconds"));
        }
        // Every accepted command records something: setting what is set is refused.
        if run.turn_limit == seconds {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.seconds"));
        }
        Ok(Decision::events(vec![Event::TurnLimitSet { seconds }]))
    }

    /// Shows the dot counts of this phase, once.
    pub(crate) fn reveal_votes(&self) -> Result<Decision, Rejection> {
        let (run, _) = self.running()?;
        if run.votes_revealed {
            return Err(Rejection::detail(
                ErrorCode::InvalidValue,
                "the dots are shown already",
            ));
        }
        Ok(Decision::events(vec![Event::VotesRevealed {}]))
    }

    pub(crate) fn end_session(&self, actor: Actor) -> Decision {
        let mut events = self.floor_ended(actor.now);
        events.push(Event::SessionEnded {});
        Decision::events(events)
    }

    /// Ends a session that has reached its maximum age (the operator's bound on how long a
    /// session lives, however active): the same events as `end_session`. Empty once ended.
    pub fn expire(&self, now: Millis) -> Vec<Event> {
        if self.status == SessionStatus::Ended {
            return Vec::new();
        }
        let mut events = self.floor_ended(now);
        events.push(Event::SessionEnded {});
        events
    }

    /// Events due at `now`: the time-up announcement, once per deadline. The facilitator
    /// decides when to move on.
    pub fn tick(&self, now: Millis) -> Vec<Event> {
        match self.pending_deadline() {
            Some((deadline, phase_seq)) if deadline <= now => vec![Event::TimeUp { phase_seq }],
            _ => Vec::new(),
        }
    }

    /// When [`Session::tick`] will next have something to do.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.pending_deadline().map(|(deadline, _)| deadline)
    }

    fn pending_deadline(&self) -> Option<(Millis, u32)> {
        if self.status != SessionStatus::Running {
            return None;
        }
        let run = self.phase.as_ref().filter(|p| !p.time_up)?;
        Some((run.deadline?, run.seq))
    }
}

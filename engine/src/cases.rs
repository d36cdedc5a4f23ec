//! Several cases in one meeting, and what belongs to the case-bringer of each: starting the
//! next case round (and Troika's rotation), reactions and sharing them, the chosen key
//! question, consent to carry commitments, the process evaluation, and the facilitator's
//! helpers (co-facilitators, handing over, reordering a round).

use kring_protocol::{
    ErrorCode, Event, InputKind, ItemId, MemberId, MethodTemplate, PROCESS_ITEMS, Reaction,
    ReactionEntry, Role, Text,
};

use crate::decide::Actor;
use crate::state::Session;
use crate::{Decision, Rejection, methods};

/// At most this many case rounds in one meeting (a Troika of ten rotates ten times).
pub const MAX_CASE_ROUNDS: usize = 20;

/// The longest remark on a process evaluation, in characters (part of the wire contract).
pub const MAX_REMARK_CHARS: usize = kring_protocol::limits::REMARK_MAX_CHARS;

/// A process evaluation is summed only once this many members answered: with fewer, the
/// facilitator could tell who gave which score, and the evaluation is anonymous.
pub const MIN_PROCESS_ANSWERS: usize = 3;

/// Kinds addressed to the case-bringer, which they may react to.
fn reactable(kind: InputKind) -> bool {
    matches!(
        kind,
        InputKind::Question | InputKind::Analysis | InputKind::Advice | InputKind::PrivateNote
    )
}

impl Session {
    pub(crate) fn start_case(
        &self,
        actor: Actor,
        method: &str,
        case_bringer: Option<MemberId>,
    ) -> Result<Decision, Rejection> {
        self.running()?;
        let template = methods::find(method)
            .ok_or_else(|| Rejection::field(ErrorCode::InvalidValue, "command.method"))?;
        if let Some(id) = case_bringer {
            match self.member_role(id) {
                None => {
                    return Err(Rejection::field(
                        ErrorCode::NoSuchMember,
                        "command.case_bringer",
                    ));
                }
                Some(Role::Facilitator | Role::Screen) => {
                    return Err(Rejection::field(
                        ErrorCode::InvalidValue,
                        "command.case_bringer",
                    ));
                }
                Some(_) => {}
            }
        }
        self.start_case_with(actor, template.clone(), case_bringer)
    }

    /// Ends the running case round and starts the next with `method` at its first phase.
    pub(crate) fn start_case_with(
        &self,
        actor: Actor,
        mut method: MethodTemplate,
        case_bringer: Option<MemberId>,
    ) -> Result<Decision, Rejection> {
        if self.cases.len() >= MAX_CASE_ROUNDS {
            return Err(Rejection::detail(
                ErrorCode::LimitReached,
                "a meeting holds at most 20 cases",
            ));
        }
        // Reporting back belongs to the meeting's start, not to every case.
        method.phases.retain(|p| p.id != methods::REPORT_BACK_PHASE);
        let first = method.phases.first().ok_or(ErrorCode::NoSuchPhase)?;
        let phase_events = self.phase_events(first, 0, case_bringer, actor.now)?;
        let mut events = self.floor_ended(actor.now);
        events.push(Event::CaseRoundStarted {
            index: self.case_round().saturating_add(1),
            method,
            case_bringer,
        });
        events.extend(self.case_bringer_events(case_bringer));
        events.extend(phase_events);
        Ok(Decision::events(events))
    }

    /// The next member (join order) who is present and has not brought a case in this
    /// meeting yet: Troika's next client.
    pub(crate) fn next_rotation(&self) -> Option<MemberId> {
        let brought: Vec<MemberId> = self.cases.iter().filter_map(|c| c.case_bringer).collect();
        self.active_members()
            .filter(|m| {
                matches!(
                    m.role(),
                    Role::Participant | Role::NoteTaker | Role::CaseBringer
                )
            })
            .filter(|m| self.available(m.id()) && !brought.contains(&m.id()))
            .map(|m| m.id())
            .next()
    }

    pub(crate) fn reorder_round(&self, order: &[MemberId]) -> Result<Decision, Rejection> {
        self.running()?;
        let round = self.round.as_ref().ok_or(ErrorCode::NoRound)?;
        let pending: Vec<MemberId> = round.pending().collect();
        let mut sorted_new = order.to_vec();
        sorted_new.sort();
        let mut sorted_old = pending.clone();
        sorted_old.sort();
        if sorted_new != sorted_old || order == pending.as_slice() {
            return Err(Rejection {
                detail: Some("give the members still to speak, each once, in a new order".into()),
                ..Rejection::field(ErrorCode::InvalidValue, "command.order")
            });
        }
        let mut full = round.done.clone();
        full.extend_from_slice(order);
        Ok(Decision::events(vec![Event::RoundReordered {
            order: full,
        }]))
    }

    pub(crate) fn set_co_facilitator(
        &self,
        member: MemberId,
        on: bool,
    ) -> Result<Decision, Rejection> {
        const FIELD: &str = "command.member";
        let m = self
            .member(member)
            .ok_or_else(|| Rejection::field(ErrorCode::NoSuchMember, FIELD))?;
        if matches!(m.role(), Role::Facilitator | Role::Screen) || m.co_facilitator == on {
            return Err(Rejection::field(ErrorCode::InvalidValue, FIELD));
        }
        Ok(Decision::events(vec![Event::CoFacilitatorSet {
            member,
            on,
        }]))
    }

    /// The facilitator becomes a participant and `member` the facilitator. The facilitator
    /// token keeps opening the member it was made for (now a participant), never the new
    /// facilitator's place.
    pub(crate) fn hand_facilitator(
        &self,
        actor: Actor,
        member: MemberId,
    ) -> Result<Decision, Rejection> {
        const FIELD: &str = "command.member";
        let m = self
            .member(member)
            .ok_or_else(|| Rejection::field(ErrorCode::NoSuchMember, FIELD))?;
        if member == actor.id || !matches!(m.role(), Role::Participant | Role::NoteTaker) {
            return Err(Rejection {
                detail: Some("hand the role to a participant (not the case-bringer)".into()),
                ..Rejection::field(ErrorCode::InvalidValue, FIELD)
            });
        }
        let mut events = Vec::new();
        if m.co_facilitator {
            events.push(Event::CoFacilitatorSet { member, on: false });
        }
        events.push(Event::RoleChanged {
            member: actor.id,
            role: Role::Participant,
        });
        events.push(Event::RoleChanged {
            member,
            role: Role::Facilitator,
        });
        Ok(Decision::events(events))
    }

    /// The case-bringer of the running case round, or `not_case_bringer`.
    fn check_case_bringer(&self, actor: Actor) -> Result<(), Rejection> {
        self.running()?;
        if actor.role != Role::CaseBringer {
            return Err(ErrorCode::NotCaseBringer.into());
        }
        Ok(())
    }

    /// An item of the running case round, or `no_such_item`.
    fn round_item(&self, item: ItemId) -> Result<&kring_protocol::Item, Rejection> {
        self.item(item)
            .filter(|i| i.case_round == self.case_round())
            .ok_or_else(|| Rejection::field(ErrorCode::NoSuchItem, "command.item"))
    }

    pub(crate) fn react(
        &self,
        actor: Actor,
        item: ItemId,
        reaction: Reaction,
    ) -> Result<Decision, Rejection> {
        self.check_may(actor, InputKind::Reaction)?;
        let target = self.round_item(item)?;
        let unrevealed = target.kind == InputKind::PrivateNote && !target.revealed;
        if !reactable(target.kind) || unrevealed || target.by == Some(actor.id) {
            return Err(Rejection::field(ErrorCode::InvalidTarget, "command.item"));
        }
        Ok(Decision::events(vec![Event::ItemReacted {
            item: Some(item),
            reaction: Some(reaction),
            shared: self.round_state().reactions_shared,
        }]))
    }

    pub(crate) fn share_reactions(
        &self,
        actor: Actor,
        shared: bool,
    ) -> Result<Decision, Rejection> {
        self.check_case_bringer(actor)?;
        let round = self.round_state();
        if round.reactions_shared == shared {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.shared"));
        }
        Ok(Decision::events(vec![Event::ReactionsShared {
            case_round: self.case_round(),
            shared,
            reactions: if shared {
                round.reactions.clone()
            } else {
                Vec::new()
            },
        }]))
    }

    pub(crate) fn choose_key_question(
        &self,
        actor: Actor,
        item: ItemId,
    ) -> Result<Decision, Rejection> {
        self.check_case_bringer(actor)?;
        let (_, phase) = self.running()?;
        if phase.case_bringer_listens {
            return Err(ErrorCode::CaseBringerListens.into());
        }
        let target = self.round_item(item)?;
        if target.kind != InputKind::KeyQuestion || target.hidden {
            return Err(Rejection::field(ErrorCode::InvalidTarget, "command.item"));
        }
        if self.round_state().key_question == Some(item) {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.item"));
        }
        Ok(Decision::events(vec![Event::KeyQuestionChosen { item }]))
    }

    /// Only the commitment's author (the case-bringer who made it) decides, also after their
    /// case round.
    pub(crate) fn carry_commitment(
        &self,
        actor: Actor,
        item: ItemId,
        carry: bool,
    ) -> Result<Decision, Rejection> {
        self.running()?;
        let target = self
            .item(item)
            .ok_or_else(|| Rejection::field(ErrorCode::NoSuchItem, "command.item"))?;
        if target.kind != InputKind::Commitment {
            return Err(Rejection::field(ErrorCode::InvalidTarget, "command.item"));
        }
        if target.by != Some(actor.id) {
            return Err(ErrorCode::NotAuthor.into());
        }
        if target.kept == carry {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.carry"));
        }
        if carry && !self.params.settings.keep_for_group {
            return Err(Rejection {
                detail: Some("this session keeps nothing for the group's next meeting".into()),
                ..Rejection::field(ErrorCode::InvalidValue, "command.carry")
            });
        }
        Ok(Decision::events(vec![Event::CommitmentCarried {
            item,
            carry,
        }]))
    }

    /// In the last phase of a method, every member but the facilitator (whose facilitation is
    /// being rated) and the screen. Answering again replaces the earlier answer.
    pub(crate) fn rate_process(
        &self,
        actor: Actor,
        scores: &[u8],
        remark: Option<&str>,
    ) -> Result<Decision, Rejection> {
        let (run, _) = self.running()?;
        let last = u16::try_from(self.method().phases.len().saturating_sub(1)).unwrap_or(0);
        if run.index != last || actor.role == Role::Facilitator {
            return Err(Rejection {
                phases: if actor.role == Role::Facilitator {
                    Vec::new()
                } else {
                    vec![last]
                },
                detail: Some("the process is evaluated in a method's last phase".into()),
                ..Rejection::new(ErrorCode::PhaseForbids)
            });
        }
        if scores.len() != PROCESS_ITEMS.len() || scores.iter().any(|s| *s > 5) {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.scores"));
        }
        let remark = remark.map(str::trim).filter(|r| !r.is_empty());
        if remark.is_some_and(|r| r.chars().count() > MAX_REMARK_CHARS) {
            return Err(Rejection::field(ErrorCode::TextTooLong, "command.remark"));
        }
        if remark.is_some_and(|r| r.chars().any(|c| c.is_control() && c != '\n')) {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.remark"));
        }
        if remark.is_none() && scores.iter().all(|s| *s == 0) {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.scores"));
        }
        let round = self.round_state();
        let others = round.ratings.iter().filter(|r| r.by != actor.id).count();
        let count = u16::try_from(others + 1).unwrap_or(u16::MAX);
        Ok(Decision::events(vec![Event::ProcessRated {
            case_round: self.case_round(),
            count,
            by: Some(actor.id),
            scores: Some(scores.to_vec()),
            remark: remark.map(Text::from),
        }]))
    }

    /// The reaction entries of the running round after `entry` is recorded.
    pub(crate) fn upsert_reaction(reactions: &mut Vec<ReactionEntry>, entry: ReactionEntry) {
        reactions.retain(|r| r.item != entry.item);
        if entry.reaction != Reaction::default() {
            reactions.push(entry);
        }
    }
}

//! The entry point for commands: the checks every command passes (member, lifecycle,
//! facilitator, phase stamp), then the subject's own rules.

use kring_protocol::{Command, ErrorCode, Event, InputKind, MemberId, Millis, PhaseTemplate, Role};

use crate::permissions::{self, allowed_in_lobby, attestation, facilitator_only};
use crate::state::{PhaseRun, Session};
use crate::{Decision, Rejection, limits};

/// Who acts, as what, when.
#[derive(Clone, Copy)]
pub(crate) struct Actor {
    pub id: MemberId,
    pub role: Role,
    pub now: Millis,
}

impl Session {
    /// Decides a member's command. `stamp` is the phase sequence number the client saw when the
    /// user acted (`None`: the current phase). Never panics; never changes anything.
    pub fn decide(
        &self,
        actor: MemberId,
        command: &Command,
        stamp: Option<u32>,
        now: Millis,
    ) -> Result<Decision, Rejection> {
        let role = self
            .member(actor)
            .map(|m| m.role())
            .ok_or(ErrorCode::NoSuchMember)?;
        match self.status {
            kring_protocol::SessionStatus::Ended if !attestation(command) => {
                return Err(ErrorCode::SessionEnded.into());
            }
            _ if facilitator_only(command) && !self.has_facilitator_rights(actor) => {
                return Err(ErrorCode::NotFacilitator.into());
            }
            // Appointing and handing over stay with the facilitator: a co-facilitator helps,
            // but does not take over.
            _ if matches!(
                command,
                Command::SetCoFacilitator { .. } | Command::HandFacilitator { .. }
            ) && role != Role::Facilitator =>
            {
                return Err(ErrorCode::NotFacilitator.into());
            }
            kring_protocol::SessionStatus::Lobby if !allowed_in_lobby(command) => {
                return Err(ErrorCode::NotStarted.into());
            }
            kring_protocol::SessionStatus::Running => {
                if matches!(command, Command::StartSession {}) {
                    return Err(ErrorCode::AlreadyStarted.into());
                }
                // A double-clicked "next" carries the stamp of the phase it already left.
                if let (Some(stamp), Some(run)) = (stamp, &self.phase) {
                    if stamp > run.seq {
                        return Err(Rejection {
                            field: Some("phase"),
                            detail: Some(
                                "The phase stamp names a phase that has not started.".to_owned(),
                            ),
                            ..Rejection::new(ErrorCode::InvalidValue)
                        });
                    }
                    // The attendance record belongs to the meeting, not to a phase.
                    if stamp < run.seq && !attestation(command) {
                        return Err(ErrorCode::PhaseClosed.into());
                    }
                }
            }
            kring_protocol::SessionStatus::Lobby | kring_protocol::SessionStatus::Ended => {}
        }
        // The journal's bound: members stop at the cap, the facilitator a little later, and
        // the session can always be ended.
        let cap = match role {
            Role::Facilitator => limits::MAX_EVENTS_PER_ROOM + limits::FACILITATOR_EVENT_RESERVE,
            _ => limits::MAX_EVENTS_PER_ROOM,
        };
        if self.seq >= cap && !matches!(command, Command::EndSession {}) {
            return Err(Rejection::detail(
                ErrorCode::LimitReached,
                "the session has recorded as much as it can; end it",
            ));
        }
        let actor = Actor {
            id: actor,
            role,
            now,
        };
        match command {
            Command::StartSession {} => self.start_session(actor),
            Command::NextPhase {} => self.step_phase(actor, 1),
            Command::PrevPhase {} => self.step_phase(actor, -1),
            Command::GotoPhase { index } => self.goto_phase(actor, *index),
            Command::ExtendTimer { seconds } => self.extend_timer(actor, *seconds),
            Command::PauseTimer { paused } => self.pause_timer(actor, *paused),
            Command::SetTimer { seconds } => self.set_timer(actor, *seconds),
            Command::SetTurnLimit { seconds } => self.set_turn_limit(*seconds),
            Command::EndSession {} => Ok(self.end_session(actor)),
            Command::LockRoom { locked } => Ok(self.lock_room(*locked)),
            Command::SetCaseBringer { member } => self.set_case_bringer(*member),
            Command::SetRole { member, role } => self.set_role(*member, *role),
            Command::RemoveMember { member } => self.remove_member(actor, *member),
            Command::RemoveAndLock { member } => {
                let mut decision = self.remove_member(actor, *member)?;
                if !self.locked {
                    decision.events.push(Event::RoomLocked { locked: true });
                }
                Ok(decision)
            }
            Command::RemoveOffline {} => self.remove_offline(actor),
            Command::Rename { name } => self.rename(actor, name),
            Command::ChooseCase { case, keep_others } => self.choose_case(*case, *keep_others),
            Command::KeepCase { case, keep } => self.keep_case(*case, *keep),
            Command::GiveFloor { member } => self.give_floor(actor, *member),
            Command::EndFloor {} => self.end_floor(actor),
            Command::NextSpeaker {} => self.next_speaker(actor),
            Command::SkipSpeaker { member } => self.skip_speaker(actor, *member),
            Command::StartRound {} => self.start_round(actor),
            Command::RaiseHand {} => self.raise_hand(actor),
            Command::LowerHand {} => self.lower_hand(actor),
            Command::Pass {} => self.pass(actor),
            Command::HideItem { item, hidden } => self.hide_item(*item, *hidden),
            Command::RevealNotes {} => self.reveal_notes(),
            Command::StartCase {
                method,
                case_bringer,
            } => self.start_case(actor, method, *case_bringer),
            Command::ReorderRound { order } => self.reorder_round(order),
            Command::SetCoFacilitator { member, on } => self.set_co_facilitator(*member, *on),
            Command::HandFacilitator { member } => self.hand_facilitator(actor, *member),
            Command::ShareReactions { shared } => self.share_reactions(actor, *shared),
            Command::ChooseKeyQuestion { item } => self.choose_key_question(actor, *item),
            Command::CarryCommitment { item, carry } => self.carry_commitment(actor, *item, *carry),
            Command::RateProcess { scores, remark } => {
                self.rate_process(actor, scores, remark.as_deref())
            }
            Command::RevealVotes {} => self.reveal_votes(),
            Command::Submit {
                input,
                text,
                reply_to,
                anonymous,
                confirm,
            } => self.submit(
                actor,
                crate::board::Submission {
                    kind: *input,
                    text,
                    reply_to: *reply_to,
                    anonymous: *anonymous,
                    confirm: *confirm,
                },
            ),
            Command::Vote { item } => self.vote(actor, *item, true),
            Command::Unvote { item } => self.vote(actor, *item, false),
            Command::Triage { item, status } => self.triage(actor, *item, *status),
            Command::React { item, reaction } => self.react(actor, *item, *reaction),
            Command::Withdraw { item } => self.withdraw(actor, *item),
            Command::ConfirmPresence { registration } => {
                self.confirm_presence(actor, registration.as_deref())
            }
            Command::WriteReflection { text } => self.write_reflection(actor, text),
            Command::ConfirmList {} => self.confirm_list(),
            Command::SetMinutes { member, minutes } => self.set_minutes(*member, *minutes),
        }
    }

    /// The running phase and its template; `not_started` otherwise. The dispatcher already
    /// refused ended sessions and the lobby, so this is a guard, not a rule.
    pub(crate) fn running(&self) -> Result<(&PhaseRun, &PhaseTemplate), Rejection> {
        let run = self.phase.as_ref().ok_or(ErrorCode::NotStarted)?;
        let template = self
            .method()
            .phases
            .get(usize::from(run.index))
            .ok_or(ErrorCode::NoSuchPhase)?;
        Ok((run, template))
    }

    /// `phase_forbids`, saying where `role` may submit `kind`.
    pub(crate) fn forbidden(&self, role: Role, kind: InputKind) -> Rejection {
        Rejection {
            phases: permissions::phases_allowing(self.method(), role, kind),
            field: Some("command.input"),
            ..Rejection::new(ErrorCode::PhaseForbids)
        }
    }

    /// The common permission check for input of `kind` in the current phase.
    /// A case-bringer who listens may still react and keep their notepad: both are private.
    pub(crate) fn check_may(&self, actor: Actor, kind: InputKind) -> Result<(), Rejection> {
        let (_, phase) = self.running()?;
        if actor.role == Role::CaseBringer
            && phase.case_bringer_listens
            && !permissions::is_private(kind)
        {
            return Err(ErrorCode::CaseBringerListens.into());
        }
        if !self.may(phase, actor.role, kind) {
            return Err(self.forbidden(actor.role, kind));
        }
        Ok(())
    }

    /// The permission table, with a self-led group's facilitator also taking part.
    pub(crate) fn may(&self, phase: &PhaseTemplate, role: Role, kind: InputKind) -> bool {
        permissions::may_submit(phase, role, kind)
            || (role == Role::Facilitator
                && self.params.settings.facilitator_takes_part
                && permissions::may_submit(phase, Role::Participant, kind))
    }

    /// Whether `role` takes turns in `phase`, a self-led group's facilitator included.
    pub(crate) fn takes_turns_as(&self, phase: &PhaseTemplate, role: Role) -> bool {
        permissions::takes_turns(phase, role)
            || (role == Role::Facilitator && self.params.settings.facilitator_takes_part)
    }
}

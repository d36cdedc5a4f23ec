//! Who may do what in which phase. The method template is the table; these functions read it
//! the same way everywhere (submit, vote, react, round order, "needs a case-bringer").

use kring_protocol::{Command, InputKind, MethodTemplate, PhaseTemplate, Role, TurnMode};

/// The kinds `role` may submit in `phase`.
///
/// A note-taker has the participant's permissions unless the phase lists `note_taker` itself:
/// most templates need not mention the optional role, and one that does means it.
pub fn allowed(phase: &PhaseTemplate, role: Role) -> &[InputKind] {
    match role {
        Role::Screen => &[],
        Role::NoteTaker if !phase.allow.contains_key(&Role::NoteTaker) => {
            phase.allowed(Role::Participant)
        }
        Role::CaseBringer if phase.case_bringer_listens => &[],
        _ => phase.allowed(role),
    }
}

pub fn may_submit(phase: &PhaseTemplate, role: Role, kind: InputKind) -> bool {
    allowed(phase, role).contains(&kind)
}

/// Indices of the phases where `role` may submit `kind`: what a client shows with
/// `phase_forbids` ("advice is allowed in: Advice round").
pub fn phases_allowing(method: &MethodTemplate, role: Role, kind: InputKind) -> Vec<u16> {
    method
        .phases
        .iter()
        .enumerate()
        .filter(|(_, phase)| may_submit(phase, role, kind))
        .filter_map(|(i, _)| u16::try_from(i).ok())
        .collect()
}

/// Whether a phase cannot run without a case-bringer: the role has something to do in it, is
/// explicitly silenced in it, or holds the floor in it.
pub fn needs_case_bringer(phase: &PhaseTemplate) -> bool {
    !phase.allowed(Role::CaseBringer).is_empty()
        || phase.case_bringer_listens
        || phase.turns == TurnMode::CaseBringerOnly
}

/// Whether a member in `role` takes part in turn-taking (rounds) in `phase`: participants
/// always (a round of spoken contributions needs no written input), others when they may
/// contribute something of their own there. Answering a question and reacting to advice are
/// responses to other people's turns, not turns: the case-bringer answers in the question
/// round and reacts in the advice round without holding the floor. Never the facilitator
/// (who runs the round) or the screen.
pub fn takes_turns(phase: &PhaseTemplate, role: Role) -> bool {
    match role {
        Role::Facilitator | Role::Screen => false,
        Role::Participant => true,
        Role::CaseBringer | Role::NoteTaker => allowed(phase, role)
            .iter()
            .any(|kind| !matches!(kind, InputKind::Answer | InputKind::Reaction)),
    }
}

/// Whether hands may be raised and the floor given in `phase` at all.
pub fn has_floor(phase: &PhaseTemplate) -> bool {
    phase.turns != TurnMode::Silent
}

/// Commands only the facilitator may give (the list on [`Command`]).
pub fn facilitator_only(command: &Command) -> bool {
    matches!(
        command,
        Command::StartSession {}
            | Command::NextPhase {}
            | Command::PrevPhase {}
            | Command::GotoPhase { .. }
            | Command::ExtendTimer { .. }
            | Command::PauseTimer { .. }
            | Command::SetTimer { .. }
            | Command::SetTurnLimit { .. }
            | Command::EndSession {}
            | Command::LockRoom { .. }
            | Command::SetCaseBringer { .. }
            | Command::SetRole { .. }
            | Command::RemoveMember { .. }
            | Command::RemoveAndLock { .. }
            | Command::RemoveOffline {}
            | Command::ChooseCase { .. }
            | Command::KeepCase { .. }
            | Command::GiveFloor { .. }
            | Command::EndFloor {}
            | Command::NextSpeaker {}
            | Command::SkipSpeaker { .. }
            | Command::StartRound {}
            | Command::HideItem { .. }
            | Command::RevealNotes {}
            | Command::RevealVotes {}
            | Command::ConfirmList {}
            | Command::SetMinutes { .. }
    )
}

/// The attendance record's commands (`attest`): not tied to a phase, accepted from the start of
/// the session on and still after it has ended.
pub fn attestation(command: &Command) -> bool {
    matches!(
        command,
        Command::ConfirmPresence { .. }
            | Command::WriteReflection { .. }
            | Command::ConfirmList {}
            | Command::SetMinutes { .. }
    )
}

/// Commands that make sense before the session starts. Everything else answers `not_started`
/// in the lobby.
pub fn allowed_in_lobby(command: &Command) -> bool {
    matches!(
        command,
        Command::StartSession {}
            | Command::EndSession {}
            | Command::LockRoom { .. }
            | Command::SetCaseBringer { .. }
            | Command::SetRole { .. }
            | Command::RemoveMember { .. }
            | Command::RemoveAndLock { .. }
            | Command::RemoveOffline {}
            | Command::Rename { .. }
    )
}

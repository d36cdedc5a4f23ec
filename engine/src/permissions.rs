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

/// Whether `role` may submit `kind` in `phase`. Two kinds are the case-bringer's private
/// business and not in `allow`: the notepad (where the phase has `case_bringer_notes`) and
/// reactions (every phase: they are never shown unless the case-bringer shares them).
pub fn may_submit(phase: &PhaseTemplate, role: Role, kind: InputKind) -> bool {
    match kind {
        InputKind::Notepad => role == Role::CaseBringer && phase.case_bringer_notes,
        InputKind::Reaction => role == Role::CaseBringer,
        _ => allowed(phase, role).contains(&kind),
    }
}

/// Input that nobody else sees, so a listening case-bringer may give it.
pub fn is_private(kind: InputKind) -> bool {
    matches!(kind, InputKind::Notepad | InputKind::Reaction)
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
        || phase.case_bringer_notes
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

/// Whether submitting `kind` is a contribution that takes a turn (as opposed to answering,
/// reacting or the private notepad).
pub fn takes_a_turn(kind: InputKind) -> bool {
    !matches!(
        kind,
        InputKind::Answer | InputKind::Reaction | InputKind::Notepad | InputKind::Vote
    )
}

/// Whether hands may be raised and the floor given in `phase` at all.
pub fn has_floor(phase: &PhaseTemplate) -> bool {
    phase.turns != TurnMode::Silent
}

/// Whether a member in `role` can raise a hand or be given the floor in `phase`: not in a
/// silent phase, not a listening case-bringer, and nobody but the case-bringer where only
/// the case-bringer speaks.
pub fn may_hold_floor(phase: &PhaseTemplate, role: Role) -> bool {
    match phase.turns {
        TurnMode::Silent => false,
        TurnMode::CaseBringerOnly => role == Role::CaseBringer,
        TurnMode::Free | TurnMode::Round => {
            !(role == Role::CaseBringer && phase.case_bringer_listens)
        }
    }
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
            | Command::StartCase { .. }
            | Command::ReorderRound { .. }
            | Command::SetCoFacilitator { .. }
            | Command::HandFacilitator { .. }
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
            | Command::SetCoFacilitator { .. }
            | Command::HandFacilitator { .. }
    )
}

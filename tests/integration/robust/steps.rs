//! Random steps: commands (valid, and invalid on purpose), retries and malformed frames, from
//! the facilitator, the case-bringer, participants or the shared screen.

use kring_engine::{limits, methods};
use kring_protocol::*;
use proptest::prelude::*;

use crate::helpers::submit;

/// Clients by index: 0 is the facilitator, 1 the case-bringer (when one is set), 2 to 4
/// participants, 5 the shared screen.
pub const FACILITATOR: usize = 0;
pub const SCREEN: usize = 5;
pub const NAMES: [&str; 4] = ["Carla", "Piet", "Anna", "Bram"];

#[derive(Debug, Clone)]
pub enum Step {
    Command {
        actor: usize,
        choice: Choice,
        stamp: Stamp,
    },
    /// The actor sends its last accepted command again, with the same id.
    Retry {
        actor: usize,
    },
    Garbage {
        actor: usize,
        frame: Garbage,
    },
}

/// The phase stamp a command carries.
#[derive(Debug, Clone, Copy)]
pub enum Stamp {
    Current,
    Absent,
    /// Off from the current phase by this much (a phase that closed, or never was).
    Stale(i8),
}

#[derive(Debug, Clone, Copy)]
pub enum Garbage {
    NotJson,
    UnknownType,
    UnknownField,
    SecondHello,
    Ping,
}

/// A command, with targets by index into what the room holds when it is sent.
#[derive(Debug, Clone)]
pub enum Choice {
    StartSession,
    NextPhase,
    PrevPhase,
    Goto(u16),
    Extend(i32),
    Pause(bool),
    SetTimer(u32),
    TurnLimit(Option<u32>),
    RevealVotes,
    End,
    Lock(bool),
    SetCaseBringer(Option<usize>),
    SetRole(usize, bool),
    Remove(usize),
    ChooseCase(usize, bool),
    KeepCase(usize, bool),
    GiveFloor(usize),
    EndFloor,
    NextSpeaker,
    Skip(usize),
    StartRound,
    Hide(usize, bool),
    Reveal,
    RaiseHand,
    LowerHand,
    Pass,
    Submit {
        kind: usize,
        text: usize,
        anonymous: bool,
        confirm: bool,
        /// Sent by the first member from the actor on who may submit something now.
        steer: bool,
    },
    Answer(usize),
    Vote(usize),
    Unvote(usize),
    Triage(usize),
    React(usize),
    Withdraw(usize),
    Rename(usize),
    /// Aimed at an item that never existed.
    UnknownItem(usize),
    /// One of `kind`'s texts, longer than its limit.
    Overlong {
        kind: usize,
        extra: usize,
    },
}

pub const TEXTS: &[&str] = &[
    "What makes this hard for you?",
    "Have you tried asking her?",
    "  ",
    "A colleague keeps missing deadlines.",
    "Talk to her this week.",
];

const NAMES_TO_TRY: &[&str] = &["Anna B.", "", "  ", "Tab\there", "Zoë"];

fn choice() -> impl Strategy<Value = Choice> {
    let member = 0..6usize;
    let item = 0..10usize;
    prop_oneof![
        2 => Just(Choice::StartSession),
        20 => Just(Choice::NextPhase),
        3 => Just(Choice::PrevPhase),
        5 => (0..12u16).prop_map(Choice::Goto),
        3 => prop_oneof![Just(0), -900..900i32].prop_map(Choice::Extend),
        2 => any::<bool>().prop_map(Choice::Pause),
        1 => (0..20_000u32).prop_map(Choice::SetTimer),
        1 => proptest::option::of(0..4000u32).prop_map(Choice::TurnLimit),
        1 => Just(Choice::RevealVotes),
        1 => Just(Choice::End),
        2 => any::<bool>().prop_map(Choice::Lock),
        3 => proptest::option::of(member.clone()).prop_map(Choice::SetCaseBringer),
        2 => (member.clone(), any::<bool>()).prop_map(|(m, n)| Choice::SetRole(m, n)),
        1 => member.clone().prop_map(Choice::Remove),
        3 => (item.clone(), any::<bool>()).prop_map(|(i, k)| Choice::ChooseCase(i, k)),
        2 => (item.clone(), any::<bool>()).prop_map(|(i, k)| Choice::KeepCase(i, k)),
        4 => member.clone().prop_map(Choice::GiveFloor),
        2 => Just(Choice::EndFloor),
        6 => Just(Choice::NextSpeaker),
        2 => member.prop_map(Choice::Skip),
        3 => Just(Choice::StartRound),
        2 => (item.clone(), any::<bool>()).prop_map(|(i, h)| Choice::Hide(i, h)),
        2 => Just(Choice::Reveal),
        8 => Just(Choice::RaiseHand),
        4 => Just(Choice::LowerHand),
        4 => Just(Choice::Pass),
        20 => (0..12usize, 0..TEXTS.len(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(kind, text, anonymous, confirm, steer)| Choice::Submit {
                kind,
                text,
                anonymous,
                confirm,
                steer,
            }
        ),
        4 => item.clone().prop_map(Choice::Answer),
        6 => item.clone().prop_map(Choice::Vote),
        2 => item.clone().prop_map(Choice::Unvote),
        3 => item.clone().prop_map(Choice::Triage),
        3 => item.clone().prop_map(Choice::React),
        2 => item.clone().prop_map(Choice::Withdraw),
        2 => (0..NAMES_TO_TRY.len()).prop_map(Choice::Rename),
        3 => item.prop_map(Choice::UnknownItem),
        3 => (0..12usize, 1..64usize).prop_map(|(kind, extra)| Choice::Overlong { kind, extra }),
    ]
}

fn stamp() -> impl Strategy<Value = Stamp> {
    prop_oneof![
        16 => Just(Stamp::Current),
        2 => Just(Stamp::Absent),
        2 => prop_oneof![-3..0i8, 1..3i8].prop_map(Stamp::Stale),
    ]
}

fn garbage() -> impl Strategy<Value = Garbage> {
    prop_oneof![
        Just(Garbage::NotJson),
        Just(Garbage::UnknownType),
        Just(Garbage::UnknownField),
        Just(Garbage::SecondHello),
        Just(Garbage::Ping),
    ]
}

/// Mostly a member; now and then the shared screen.
fn actor() -> impl Strategy<Value = usize> {
    prop_oneof![19 => 0..SCREEN, 1 => Just(SCREEN)]
}

pub fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        24 => (actor(), choice(), stamp(), proptest::bool::weighted(0.8)).prop_map(
            |(actor, choice, stamp, as_facilitator)| {
                // Facilitator commands mostly come from the facilitator; the rest try the
                // wrong role.
                let actor = if as_facilitator && facilitator_choice(&choice) {
                    FACILITATOR
                } else {
                    actor
                };
                Step::Command { actor, choice, stamp }
            }
        ),
        1 => (0..SCREEN).prop_map(|actor| Step::Retry { actor }),
        1 => (actor(), garbage()).prop_map(|(actor, frame)| Step::Garbage { actor, frame }),
    ]
}

pub fn method() -> impl Strategy<Value = &'static str> {
    let ids: Vec<&'static str> = methods::builtin().iter().map(|m| m.id.as_str()).collect();
    proptest::sample::select(ids)
}

fn facilitator_choice(choice: &Choice) -> bool {
    !matches!(
        choice,
        Choice::RaiseHand
            | Choice::LowerHand
            | Choice::Pass
            | Choice::Submit { .. }
            | Choice::Answer(_)
            | Choice::Vote(_)
            | Choice::Unvote(_)
            | Choice::Triage(_)
            | Choice::React(_)
            | Choice::Withdraw(_)
            | Choice::Rename(_)
            | Choice::UnknownItem(_)
            | Choice::Overlong { .. }
    )
}

/// What the room holds when a choice becomes a command.
pub struct Targets {
    /// Member ids by client index (the screen's slot: an id nobody has).
    pub members: [MemberId; 6],
    /// Items on the boards, oldest first.
    pub items: Vec<ItemId>,
    /// What the actor may submit in this phase, per the method.
    pub allowed: Vec<InputKind>,
}

impl Targets {
    fn item(&self, i: usize) -> ItemId {
        match self.items.as_slice() {
            [] => ItemId(i as u32 + 1),
            items => items[i % items.len()],
        }
    }

    /// The command, and whether it is invalid whatever the room's state.
    pub fn command(&self, choice: &Choice) -> (Command, bool) {
        let m = |i: usize| self.members[i % 6];
        let item = |i: usize| self.item(i);
        let command = match choice.clone() {
            Choice::StartSession => Command::StartSession {},
            Choice::NextPhase => Command::NextPhase {},
            Choice::PrevPhase => Command::PrevPhase {},
            Choice::Goto(index) => Command::GotoPhase { index },
            Choice::Extend(seconds) => Command::ExtendTimer { seconds },
            Choice::Pause(paused) => Command::PauseTimer { paused },
            Choice::SetTimer(seconds) => Command::SetTimer { seconds },
            Choice::TurnLimit(seconds) => Command::SetTurnLimit { seconds },
            Choice::RevealVotes => Command::RevealVotes {},
            Choice::End => Command::EndSession {},
            Choice::Lock(locked) => Command::LockRoom { locked },
            Choice::SetCaseBringer(i) => Command::SetCaseBringer { member: i.map(m) },
            Choice::SetRole(i, note_taker) => Command::SetRole {
                member: m(i),
                role: if note_taker {
                    Role::NoteTaker
                } else {
                    Role::Participant
                },
            },
            Choice::Remove(i) => Command::RemoveMember { member: m(i) },
            Choice::ChooseCase(i, keep_others) => Command::ChooseCase {
                case: item(i),
                keep_others,
            },
            Choice::KeepCase(i, keep) => Command::KeepCase {
                case: item(i),
                keep,
            },
            Choice::GiveFloor(i) => Command::GiveFloor { member: m(i) },
            Choice::EndFloor => Command::EndFloor {},
            Choice::NextSpeaker => Command::NextSpeaker {},
            Choice::Skip(i) => Command::SkipSpeaker { member: m(i) },
            Choice::StartRound => Command::StartRound {},
            Choice::Hide(i, hidden) => Command::HideItem {
                item: item(i),
                hidden,
            },
            Choice::Reveal => Command::RevealNotes {},
            Choice::RaiseHand => Command::RaiseHand {},
            Choice::LowerHand => Command::LowerHand {},
            Choice::Pass => Command::Pass {},
            Choice::Submit {
                kind,
                text,
                anonymous,
                confirm,
                ..
            } => self.submit(kind, TEXTS[text], anonymous, confirm),
            Choice::Answer(i) => answer(item(i), "Mostly that I feel responsible."),
            Choice::Vote(i) => Command::Vote { item: item(i) },
            Choice::Unvote(i) => Command::Unvote { item: item(i) },
            Choice::Triage(i) => Command::Triage {
                item: item(i),
                status: TriageStatus::Parked,
            },
            Choice::React(i) => Command::React {
                item: item(i),
                reaction: Reaction {
                    temperature: Temperature::None,
                    useful: true,
                },
            },
            Choice::Withdraw(i) => Command::Withdraw { item: item(i) },
            Choice::Rename(i) => Command::Rename {
                name: NAMES_TO_TRY[i].into(),
            },
            Choice::UnknownItem(i) => {
                let unknown = ItemId(9_000 + i as u32);
                let command = match i % 4 {
                    0 => Command::Vote { item: unknown },
                    1 => answer(unknown, "An answer to nothing."),
                    2 => Command::Withdraw { item: unknown },
                    _ => Command::React {
                        item: unknown,
                        reaction: Reaction {
                            temperature: Temperature::Cold,
                            useful: false,
                        },
                    },
                };
                return (command, true);
            }
            Choice::Overlong { kind, extra } => {
                let kind = text_kind(kind);
                let text = "x".repeat(limits::max_chars(kind) + extra);
                return (submit(kind, &text), true);
            }
        };
        (command, false)
    }

    /// Mostly a kind the phase allows the actor, so input lands often.
    fn submit(&self, kind: usize, text: &str, anonymous: bool, confirm: bool) -> Command {
        let kind = match self.allowed.get(kind % self.allowed.len().max(1)) {
            Some(allowed) if !kind.is_multiple_of(4) => *allowed,
            _ => InputKind::ALL[kind % InputKind::ALL.len()],
        };
        match kind {
            InputKind::Vote => Command::Vote {
                item: self.item(kind as usize),
            },
            InputKind::Reaction => Command::React {
                item: self.item(kind as usize),
                reaction: Reaction {
                    temperature: Temperature::Cold,
                    useful: false,
                },
            },
            InputKind::Answer => answer(self.item(0), text),
            _ => Command::Submit {
                input: kind,
                text: text.into(),
                reply_to: None,
                anonymous,
                confirm,
            },
        }
    }
}

fn text_kind(i: usize) -> InputKind {
    let kinds: Vec<InputKind> = InputKind::ALL.into_iter().filter(|k| k.is_text()).collect();
    kinds[i % kinds.len()]
}

fn answer(question: ItemId, text: &str) -> Command {
    Command::Submit {
        input: InputKind::Answer,
        text: text.into(),
        reply_to: Some(question),
        anonymous: false,
        confirm: false,
    }
}

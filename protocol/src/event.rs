//! Events: the facts a room records. They are the journal (durable history) and, through
//! [`Event::to_public`], what members receive.
//!
//! A few fields exist only in the journal (a resume token's hash, who cast a vote, the author of
//! an anonymous item, the text of a private note before it is revealed, a registration number,
//! a personal reflection). They are `None` on the
//! wire and absent from the TypeScript types.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    DisplayName, ErrorCode, InputKind, ItemId, MemberId, MethodTemplate, Millis, Reaction, Role,
    Seq, Temperature, Text, TriageStatus,
};

/// One event with its place in the room's history.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Sequenced {
    pub seq: Seq,
    pub at: Millis,
    pub event: Event,
}

/// A member as recorded when joining.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MemberInfo {
    pub id: MemberId,
    #[serde(deserialize_with = "DisplayName::deserialize_recorded")]
    pub name: DisplayName,
    pub role: Role,
}

/// An item on a board.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: ItemId,
    pub kind: InputKind,
    /// The author; `null` for other members when the item is anonymous.
    pub by: Option<MemberId>,
    #[serde(default)]
    pub anonymous: bool,
    /// `null` while a private note is unrevealed, or for hidden items (except for the
    /// facilitator).
    pub text: Option<Text>,
    /// Index of the phase the item was made in.
    pub phase: u16,
    /// Sequence number of that phase (a phase visited twice has two).
    pub phase_seq: u32,
    /// The case round (0-based) the item belongs to; `phase` indexes that round's method.
    #[serde(default)]
    pub case_round: u16,
    pub at: Millis,
    #[serde(default)]
    pub reply_to: Option<ItemId>,
    /// Upvotes (questions) or dots (cases).
    #[serde(default)]
    pub votes: u16,
    #[serde(default)]
    pub status: TriageStatus,
    #[serde(default)]
    pub hidden: bool,
    /// A case proposal kept for the group's next meeting, or a commitment its case-bringer
    /// agreed to take there.
    #[serde(default)]
    pub kept: bool,
    /// The case proposal that was chosen, or the key question the case-bringer chose.
    #[serde(default)]
    pub chosen: bool,
    /// A private note that the facilitator revealed.
    #[serde(default)]
    pub revealed: bool,
}

/// A reaction with the item it is on.
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReactionEntry {
    pub item: ItemId,
    pub reaction: Reaction,
}

/// A fact about a room, tagged by `kind`.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    MemberJoined {
        member: MemberInfo,
        /// Journal only: SHA-256 (hex) of the member's resume token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(skip)]
        token_hash: Option<String>,
    },
    MemberRenamed {
        member: MemberId,
        #[serde(deserialize_with = "DisplayName::deserialize_recorded")]
        name: DisplayName,
    },
    /// A member's role. A new case-bringer of the running case round does not inherit the
    /// previous one's reactions: that round's reactions go, and are no longer shared.
    RoleChanged {
        member: MemberId,
        role: Role,
    },
    /// Like `left_turns`, and the member is gone from the roster. What they wrote stays.
    MemberRemoved {
        member: MemberId,
    },
    /// The session moved to phase `index` (from the lobby, this starts the session). `round`
    /// is the speaking order when the phase takes turns in rounds (empty: no round). Entering a
    /// phase lowers every raised hand and clears the floor (the engine records `floor_ended`
    /// first, so speaking time is never lost) and replaces the round.
    PhaseChanged {
        index: u16,
        phase_seq: u32,
        deadline: Option<Millis>,
        round: Vec<MemberId>,
    },
    /// A new deadline for the phase; a paused clock runs again.
    TimerChanged {
        deadline: Option<Millis>,
    },
    /// The phase's clock stopped with `left_ms` to go (no deadline until it runs again).
    TimerPaused {
        left_ms: u64,
    },
    /// The time box of each speaker's turn in this phase (`null`: none).
    TurnLimitSet {
        seconds: Option<u32>,
    },
    /// The dot counts of this phase are shown.
    VotesRevealed {},
    /// The time box of the phase is up. The facilitator decides when to move on.
    TimeUp {
        phase_seq: u32,
    },
    SessionEnded {},
    RoomLocked {
        locked: bool,
    },
    HandRaised {
        member: MemberId,
    },
    HandLowered {
        member: MemberId,
    },
    FloorGiven {
        member: MemberId,
    },
    /// `speaking_ms` is the member's new total speaking time.
    FloorEnded {
        member: MemberId,
        speaking_ms: u64,
    },
    RoundStarted {
        order: Vec<MemberId>,
    },
    RoundTurnDone {
        member: MemberId,
        passed: bool,
    },
    /// The member was away past the grace period and no longer takes turns: their hand is
    /// lowered and they leave the current round (if they held the floor, `floor_ended` comes
    /// first). What they wrote stays.
    LeftTurns {
        member: MemberId,
    },
    /// A member who had left turns is back: taken into rounds that start from now on.
    RejoinedTurns {
        member: MemberId,
    },
    ItemAdded {
        item: Item,
    },
    ItemVoted {
        item: ItemId,
        votes: u16,
        up: bool,
        /// Journal only: who voted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(skip)]
        by: Option<MemberId>,
    },
    ItemTriaged {
        item: ItemId,
        status: TriageStatus,
        /// Journal only, and only in journals written before reactions became private: the
        /// case-bringer's temperature, which triage carried then. Applying it records it as
        /// their (unshared) reaction. New events never carry it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(skip)]
        temperature: Option<Temperature>,
    },
    /// `restored` carries the item again when it is un-hidden, for members who never saw it.
    ItemHidden {
        item: ItemId,
        hidden: bool,
        restored: Option<Item>,
    },
    /// The case-bringer reacted. While reactions are not shared, members get the event
    /// without `item` and `reaction` (it keeps the history gap-free and says nothing).
    ItemReacted {
        item: Option<ItemId>,
        reaction: Option<Reaction>,
        shared: bool,
    },
    /// The case-bringer showed (`shared`) or hid their reactions; shown ones come along.
    ReactionsShared {
        case_round: u16,
        shared: bool,
        reactions: Vec<ReactionEntry>,
    },
    /// A note on the case-bringer's private notepad. Members get `note: null`.
    NoteTaken {
        note: Option<Item>,
    },
    KeyQuestionChosen {
        item: ItemId,
    },
    /// The pending part of the running round in a new order (done members stay in front).
    RoundReordered {
        order: Vec<MemberId>,
    },
    CommitmentCarried {
        item: ItemId,
        carry: bool,
    },
    /// A member answered the process evaluation of `case_round`. Members get only the number
    /// of answers so far; scores, remark and author stay in the journal.
    ProcessRated {
        case_round: u16,
        count: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(skip)]
        by: Option<MemberId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(skip)]
        scores: Option<Vec<u8>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(skip)]
        remark: Option<Text>,
    },
    CoFacilitatorSet {
        member: MemberId,
        on: bool,
    },
    /// The next case of the meeting starts (followed by `phase_changed` to its first phase).
    CaseRoundStarted {
        index: u16,
        method: MethodTemplate,
        case_bringer: Option<MemberId>,
    },
    /// The author took the item back; any reaction to it goes with it.
    ItemWithdrawn {
        item: ItemId,
    },
    CaseChosen {
        case: ItemId,
        case_bringer: MemberId,
    },
    CaseKept {
        case: ItemId,
        keep: bool,
    },
    NotesRevealed {
        notes: Vec<Item>,
    },
    /// The member confirmed being present (again: with another registration number).
    PresenceConfirmed {
        member: MemberId,
        /// Journal only: the registration number for the member's own certificate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(skip)]
        registration: Option<String>,
    },
    /// The member wrote (or rewrote) their personal reflection.
    ReflectionWritten {
        member: MemberId,
        /// Journal only: the reflection, which only its author sees (in `me.reflection`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(skip)]
        text: Option<Text>,
    },
    /// The facilitator confirmed the attendance list.
    ListConfirmed {},
    /// The facilitator set a member's minutes on the attendance list (`null`: as measured);
    /// the list's confirmation is undone.
    MinutesSet {
        member: MemberId,
        /// Journal only: attendance is for the facilitator, who reads the list over HTTP.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(skip)]
        minutes: Option<u32>,
    },
    /// A member was warned about their text (see [`Warning`]) and nothing was added. It names
    /// nobody and carries no text: it only counts towards the facilitator's tally.
    WarningShown {
        warning: Warning,
    },
    /// A member sent a text anyway after its warning; recorded with the text's `item_added`.
    WarningOverridden {
        warning: Warning,
    },
}

/// The gentle warnings on a member's text: the method asks for something else here. The member
/// may rephrase or send the text anyway (`confirm`). Each has its own error code.
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    /// A question that reads like advice ([`ErrorCode::AdviceLikeQuestion`]).
    AdviceQuestion,
    /// Typed as a question, but advice ([`ErrorCode::AdviceLikeStatement`]).
    AdviceStatement,
    /// Typed as a question, but asks nothing ([`ErrorCode::NotAQuestion`]).
    NotAQuestion,
    /// Advice in an analysis, hypothesis or gossip before the advice round
    /// ([`ErrorCode::AdviceInAnalysis`]).
    AdviceInAnalysis,
}

impl Warning {
    pub const ALL: [Warning; 4] = [
        Warning::AdviceQuestion,
        Warning::AdviceStatement,
        Warning::NotAQuestion,
        Warning::AdviceInAnalysis,
    ];

    /// The error code a member gets with this warning.
    pub fn code(self) -> ErrorCode {
        match self {
            Warning::AdviceQuestion => ErrorCode::AdviceLikeQuestion,
            Warning::AdviceStatement => ErrorCode::AdviceLikeStatement,
            Warning::NotAQuestion => ErrorCode::NotAQuestion,
            Warning::AdviceInAnalysis => ErrorCode::AdviceInAnalysis,
        }
    }

    pub fn of_code(code: ErrorCode) -> Option<Warning> {
        Warning::ALL.into_iter().find(|w| w.code() == code)
    }
}

impl Item {
    /// The item as members other than its author may see it.
    pub fn to_public(&self) -> Item {
        let mut item = self.clone();
        if item.anonymous {
            item.by = None;
        }
        if item.kind == InputKind::PrivateNote && !item.revealed {
            item.text = None;
        }
        if item.hidden {
            item.text = None;
        }
        item
    }
}

impl Event {
    /// The event as it is sent to members: journal-only fields removed, private text withheld.
    pub fn to_public(&self) -> Event {
        match self {
            Event::MemberJoined { member, .. } => Event::MemberJoined {
                member: member.clone(),
                token_hash: None,
            },
            Event::ItemVoted {
                item, votes, up, ..
            } => Event::ItemVoted {
                item: *item,
                votes: *votes,
                up: *up,
                by: None,
            },
            Event::ItemAdded { item } => Event::ItemAdded {
                item: item.to_public(),
            },
            Event::ItemHidden {
                item,
                hidden,
                restored,
            } => Event::ItemHidden {
                item: *item,
                hidden: *hidden,
                restored: restored.as_ref().map(Item::to_public),
            },
            Event::NotesRevealed { notes } => Event::NotesRevealed {
                notes: notes.iter().map(Item::to_public).collect(),
            },
            Event::PresenceConfirmed { member, .. } => Event::PresenceConfirmed {
                member: *member,
                registration: None,
            },
            Event::ReflectionWritten { member, .. } => Event::ReflectionWritten {
                member: *member,
                text: None,
            },
            Event::MinutesSet { member, .. } => Event::MinutesSet {
                member: *member,
                minutes: None,
            },
            Event::ItemTriaged { item, status, .. } => Event::ItemTriaged {
                item: *item,
                status: *status,
                temperature: None,
            },
            Event::ItemReacted { shared: false, .. } => Event::ItemReacted {
                item: None,
                reaction: None,
                shared: false,
            },
            Event::ReactionsShared {
                case_round,
                shared,
                reactions,
            } => Event::ReactionsShared {
                case_round: *case_round,
                shared: *shared,
                reactions: if *shared {
                    reactions.clone()
                } else {
                    Vec::new()
                },
            },
            Event::NoteTaken { .. } => Event::NoteTaken { note: None },
            Event::ProcessRated {
                case_round, count, ..
            } => Event::ProcessRated {
                case_round: *case_round,
                count: *count,
                by: None,
                scores: None,
                remark: None,
            },
            // No catch-all: a new event with a private field must be given its public form
            // here, or this does not compile.
            Event::MemberRenamed { .. }
            | Event::RoleChanged { .. }
            | Event::MemberRemoved { .. }
            | Event::PhaseChanged { .. }
            | Event::TimerChanged { .. }
            | Event::TimeUp { .. }
            | Event::SessionEnded {}
            | Event::RoomLocked { .. }
            | Event::HandRaised { .. }
            | Event::HandLowered { .. }
            | Event::FloorGiven { .. }
            | Event::FloorEnded { .. }
            | Event::RoundStarted { .. }
            | Event::RoundTurnDone { .. }
            | Event::LeftTurns { .. }
            | Event::RejoinedTurns { .. }
            | Event::ItemReacted { .. }
            | Event::KeyQuestionChosen { .. }
            | Event::RoundReordered { .. }
            | Event::CommitmentCarried { .. }
            | Event::CoFacilitatorSet { .. }
            | Event::CaseRoundStarted { .. }
            | Event::ItemWithdrawn { .. }
            | Event::CaseChosen { .. }
            | Event::CaseKept { .. }
            | Event::ListConfirmed {}
            | Event::WarningShown { .. }
            | Event::WarningOverridden { .. }
            | Event::TimerPaused { .. }
            | Event::TurnLimitSet { .. }
            | Event::VotesRevealed {} => self.clone(),
        }
    }

    /// Items whose text this event carries (call it on the public form, which is what is
    /// sent): a resuming client must not be replayed them once the item is hidden or withdrawn.
    pub fn texts(&self) -> Vec<ItemId> {
        let with_text = |item: &Item| item.text.is_some().then_some(item.id);
        match self {
            Event::ItemAdded { item } => with_text(item).into_iter().collect(),
            Event::ItemHidden {
                restored: Some(item),
                ..
            } => with_text(item).into_iter().collect(),
            Event::NotesRevealed { notes } => notes.iter().filter_map(with_text).collect(),
            _ => Vec::new(),
        }
    }

    /// The item this event takes out of sight (hidden or withdrawn), if any.
    pub fn conceals(&self) -> Option<ItemId> {
        match self {
            Event::ItemHidden {
                item, hidden: true, ..
            }
            | Event::ItemWithdrawn { item } => Some(*item),
            _ => None,
        }
    }

    /// A short, content-free name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Event::MemberJoined { .. } => "member_joined",
            Event::MemberRenamed { .. } => "member_renamed",
            Event::RoleChanged { .. } => "role_changed",
            Event::MemberRemoved { .. } => "member_removed",
            Event::PhaseChanged { .. } => "phase_changed",
            Event::TimerChanged { .. } => "timer_changed",
            Event::TimerPaused { .. } => "timer_paused",
            Event::TurnLimitSet { .. } => "turn_limit_set",
            Event::VotesRevealed {} => "votes_revealed",
            Event::TimeUp { .. } => "time_up",
            Event::SessionEnded {} => "session_ended",
            Event::RoomLocked { .. } => "room_locked",
            Event::HandRaised { .. } => "hand_raised",
            Event::HandLowered { .. } => "hand_lowered",
            Event::FloorGiven { .. } => "floor_given",
            Event::FloorEnded { .. } => "floor_ended",
            Event::RoundStarted { .. } => "round_started",
            Event::RoundTurnDone { .. } => "round_turn_done",
            Event::LeftTurns { .. } => "left_turns",
            Event::RejoinedTurns { .. } => "rejoined_turns",
            Event::ItemAdded { .. } => "item_added",
            Event::ItemVoted { .. } => "item_voted",
            Event::ItemTriaged { .. } => "item_triaged",
            Event::ItemHidden { .. } => "item_hidden",
            Event::ItemReacted { .. } => "item_reacted",
            Event::ItemWithdrawn { .. } => "item_withdrawn",
            Event::CaseChosen { .. } => "case_chosen",
            Event::CaseKept { .. } => "case_kept",
            Event::NotesRevealed { .. } => "notes_revealed",
            Event::PresenceConfirmed { .. } => "presence_confirmed",
            Event::ReflectionWritten { .. } => "reflection_written",
            Event::ListConfirmed {} => "list_confirmed",
            Event::MinutesSet { .. } => "minutes_set",
            Event::ReactionsShared { .. } => "reactions_shared",
            Event::NoteTaken { .. } => "note_taken",
            Event::KeyQuestionChosen { .. } => "key_question_chosen",
            Event::RoundReordered { .. } => "round_reordered",
            Event::CommitmentCarried { .. } => "commitment_carried",
            Event::ProcessRated { .. } => "process_rated",
            Event::CoFacilitatorSet { .. } => "co_facilitator_set",
            Event::CaseRoundStarted { .. } => "case_round_started",
            Event::WarningShown { .. } => "warning_shown",
            Event::WarningOverridden { .. } => "warning_overridden",
        }
    }
}

//! Commands: what a member asks a room to do. The engine decides whether the member may.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{InputKind, ItemId, MemberId, Role, Text};

/// A command, tagged by `kind`.
///
/// Facilitator-only: `start_session`, `next_phase`, `prev_phase`, `goto_phase`, `extend_timer`,
/// `pause_timer`, `set_timer`, `set_turn_limit`, `end_session`, `lock_room`, `set_case_bringer`,
/// `set_role`, `remove_member`, `remove_and_lock`, `remove_offline`, `choose_case`, `keep_case`,
/// `give_floor`, `end_floor`, `next_speaker`, `skip_speaker`, `start_round`, `hide_item`,
/// `reveal_notes`, `reveal_votes`, `start_case`, `reorder_round`, `set_co_facilitator`,
/// `hand_facilitator` (a co-facilitator may give all of them except the last two).
///
/// Members, as the current phase allows for their role: `submit`, `vote`, `unvote`,
/// `rate_process` (last phase of a method). The case-bringer of the running case round:
/// `triage`, `react`, `share_reactions`, `choose_key_question`, `carry_commitment`. Everyone:
/// `raise_hand`, `lower_hand`, `pass`, `withdraw` (own item, same phase), `rename`.
///
/// The attendance record (from the start of the session on, and also after it has ended until
/// its content is deleted): every member `confirm_presence` and `write_reflection`; the
/// facilitator (or a co-facilitator) `confirm_list` and `set_minutes`.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    StartSession {},
    NextPhase {},
    PrevPhase {},
    GotoPhase {
        index: u16,
    },
    /// Moves the deadline of the current phase by `seconds` (negative shortens, never before now).
    ExtendTimer {
        seconds: i32,
    },
    /// Stops the phase's clock, keeping the time left (`paused: true`), or starts it again from
    /// there. Pausing a paused clock, or resuming a running one, is `invalid_value`.
    PauseTimer {
        paused: bool,
    },
    /// Sets the time left in the phase to `seconds` (at most 240 minutes); a paused clock stays
    /// paused with that much left.
    SetTimer {
        seconds: u32,
    },
    /// A time box for each speaker's turn in this phase (10 seconds to 60 minutes), or none.
    /// Clients count it down from `floor.since`; the facilitator decides when a turn ends.
    SetTurnLimit {
        seconds: Option<u32>,
    },
    EndSession {},
    LockRoom {
        locked: bool,
    },
    SetCaseBringer {
        member: Option<MemberId>,
    },
    /// Switches a member between `participant` and `note_taker`.
    SetRole {
        member: MemberId,
        role: Role,
    },
    RemoveMember {
        member: MemberId,
    },
    /// Removes the member and locks the room, so the link does not let them in again.
    RemoveAndLock {
        member: MemberId,
    },
    /// Removes every member who is offline now (not the facilitator), e.g. after people who
    /// left on purpose, or bots that joined and left, kept seats and names.
    RemoveOffline {},
    /// Confirms a proposed case: its proposer becomes the case-bringer.
    ChooseCase {
        case: ItemId,
        /// Keep the other proposals for the next meeting of the group.
        #[serde(default)]
        #[ts(as = "Option<bool>", optional)]
        keep_others: bool,
    },
    KeepCase {
        case: ItemId,
        keep: bool,
    },
    GiveFloor {
        member: MemberId,
    },
    EndFloor {},
    /// Free turns: floor to the first raised hand. Round: the current speaker is done.
    NextSpeaker {},
    SkipSpeaker {
        member: MemberId,
    },
    /// A new round over the members present now.
    StartRound {},
    HideItem {
        item: ItemId,
        hidden: bool,
    },
    /// Reveals every private note not yet revealed, all at once.
    RevealNotes {},
    /// Ends the running case round and starts the next one (a second case in the same
    /// meeting) with a built-in method, at its first phase.
    StartCase {
        /// Id of a built-in method.
        method: String,
        /// The next case-bringer; `null` when the method chooses the case first.
        #[serde(default)]
        #[ts(optional = nullable)]
        case_bringer: Option<MemberId>,
    },
    /// A new order for the members of the running round whose turn has not come yet.
    ReorderRound {
        order: Vec<MemberId>,
    },
    /// A co-facilitator holds a second console with the facilitator's rights.
    SetCoFacilitator {
        member: MemberId,
        on: bool,
    },
    /// Hands the facilitator role to another member; the facilitator becomes a participant.
    HandFacilitator {
        member: MemberId,
    },
    /// Shows how many dots each case has. Until then, while a phase allows dots, clients show
    /// no counts (nobody follows the crowd); the next phase shows them anyway.
    RevealVotes {},

    RaiseHand {},
    LowerHand {},
    /// Passes my turn in the current round.
    Pass {},
    Submit {
        input: InputKind,
        /// Trimmed, then at most as many characters (Unicode scalar values) as the kind allows:
        /// 500 for a question or key question, 600 for a case, 1000 for a commitment, 4000 for
        /// a statement, 1500 for the rest (the table is `limits::max_chars`, and `MAX_CHARS` in
        /// `wire.js`). Longer text is refused with `text_too_long`, never cut.
        text: Text,
        /// The question an `answer` answers.
        #[serde(default)]
        #[ts(optional = nullable)]
        reply_to: Option<ItemId>,
        /// Hide my name from the other members (never from the rules).
        #[serde(default)]
        #[ts(as = "Option<bool>", optional)]
        anonymous: bool,
        /// Submit even though the question reads like advice.
        #[serde(default)]
        #[ts(as = "Option<bool>", optional)]
        confirm: bool,
    },
    /// A dot for a case, or an upvote for a question.
    Vote {
        item: ItemId,
    },
    Unvote {
        item: ItemId,
    },
    /// The case-bringer marks a question open, answered or parked (public).
    Triage {
        item: ItemId,
        status: TriageStatus,
    },
    /// The case-bringer's own reaction to something addressed to them (a question, analysis,
    /// revealed note or advice of their case round). Private unless they share reactions.
    React {
        item: ItemId,
        reaction: Reaction,
    },
    /// The case-bringer shows (or hides again) their reactions to everyone.
    ShareReactions {
        shared: bool,
    },
    /// The case-bringer picks the key question: a proposal or their own wording.
    ChooseKeyQuestion {
        item: ItemId,
    },
    /// The case-bringer's consent, per commitment, to take it to the group's next meeting.
    CarryCommitment {
        item: ItemId,
        carry: bool,
    },
    /// The process evaluation at the end of a method: a score of 1 to 5 per item of
    /// [`PROCESS_ITEMS`] (0: no answer) and an optional remark of at most 500 characters.
    /// Anonymous: the facilitator sees aggregates. Sending again replaces the earlier answer.
    RateProcess {
        scores: Vec<u8>,
        #[serde(default)]
        #[ts(optional = nullable)]
        remark: Option<Text>,
    },
    Withdraw {
        item: ItemId,
    },
    Rename {
        /// 1 to 40 characters after trimming, no control characters (`invalid_name`).
        name: String,
    },

    /// "I was present": my confirmation for the attendance record. Confirming again changes
    /// only the registration number.
    ConfirmPresence {
        /// My number with a professional register (e.g. `BIG 19012345601`, `SKJ 100012345`),
        /// shown on my own certificate only, never to other members or on the list. Trimmed;
        /// 1 to 60 characters without control characters (`invalid_value`); empty or absent:
        /// none.
        #[serde(default)]
        #[ts(optional = nullable)]
        registration: Option<String>,
    },
    /// My personal reflection on the meeting, for my own one-page record; nobody else sees it.
    /// Writing again replaces it. Trimmed, at most 3000 characters (`text_too_long`).
    WriteReflection {
        text: Text,
    },
    /// The facilitator confirms the attendance list (its times, members and minutes).
    ConfirmList {},
    /// The facilitator corrects a member's minutes present on the attendance list (e.g. a
    /// phone that was locked longer than the grace while its owner sat in the room); `null`
    /// goes back to the measured minutes. At most 1440. The list states both, and its
    /// confirmation is undone: the facilitator confirms the corrected list again.
    SetMinutes {
        member: MemberId,
        minutes: Option<u32>,
    },
}

impl Command {
    /// A short, content-free name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Command::StartSession {} => "start_session",
            Command::NextPhase {} => "next_phase",
            Command::PrevPhase {} => "prev_phase",
            Command::GotoPhase { .. } => "goto_phase",
            Command::ExtendTimer { .. } => "extend_timer",
            Command::PauseTimer { .. } => "pause_timer",
            Command::SetTimer { .. } => "set_timer",
            Command::SetTurnLimit { .. } => "set_turn_limit",
            Command::EndSession {} => "end_session",
            Command::LockRoom { .. } => "lock_room",
            Command::SetCaseBringer { .. } => "set_case_bringer",
            Command::SetRole { .. } => "set_role",
            Command::RemoveMember { .. } => "remove_member",
            Command::RemoveAndLock { .. } => "remove_and_lock",
            Command::RemoveOffline {} => "remove_offline",
            Command::ChooseCase { .. } => "choose_case",
            Command::KeepCase { .. } => "keep_case",
            Command::GiveFloor { .. } => "give_floor",
            Command::EndFloor {} => "end_floor",
            Command::NextSpeaker {} => "next_speaker",
            Command::SkipSpeaker { .. } => "skip_speaker",
            Command::StartRound {} => "start_round",
            Command::HideItem { .. } => "hide_item",
            Command::RevealNotes {} => "reveal_notes",
            Command::StartCase { .. } => "start_case",
            Command::ReorderRound { .. } => "reorder_round",
            Command::SetCoFacilitator { .. } => "set_co_facilitator",
            Command::HandFacilitator { .. } => "hand_facilitator",
            Command::RevealVotes {} => "reveal_votes",
            Command::RaiseHand {} => "raise_hand",
            Command::LowerHand {} => "lower_hand",
            Command::Pass {} => "pass",
            Command::Submit { .. } => "submit",
            Command::Vote { .. } => "vote",
            Command::Unvote { .. } => "unvote",
            Command::Triage { .. } => "triage",
            Command::React { .. } => "react",
            Command::ShareReactions { .. } => "share_reactions",
            Command::ChooseKeyQuestion { .. } => "choose_key_question",
            Command::CarryCommitment { .. } => "carry_commitment",
            Command::RateProcess { .. } => "rate_process",
            Command::Withdraw { .. } => "withdraw",
            Command::Rename { .. } => "rename",
            Command::ConfirmPresence { .. } => "confirm_presence",
            Command::WriteReflection { .. } => "write_reflection",
            Command::ConfirmList {} => "confirm_list",
            Command::SetMinutes { .. } => "set_minutes",
        }
    }
}

/// The case-bringer's triage of a question.
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum TriageStatus {
    #[default]
    Open,
    Answered,
    Parked,
}

/// How much something touches the case-bringer ("Hoe raakt dit je?": warm / lauw / koud).
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Temperature {
    #[default]
    None,
    Warm,
    Lukewarm,
    Cold,
}

/// The case-bringer's reaction to an item: how it touches them, and whether it is useful.
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Reaction {
    #[serde(default)]
    pub temperature: Temperature,
    #[serde(default)]
    pub useful: bool,
}

/// The items of the process evaluation, in order (the client's catalog words them).
pub const PROCESS_ITEMS: [&str; 4] = ["method_followed", "open_questions", "safe", "facilitation"];

//! The state of one session and the read-only questions decisions ask of it.

use kring_protocol::{
    Floor, Item, ItemId, MemberId, MemberInfo, MethodTemplate, Millis, ReactionEntry, Role, Seq,
    SessionStatus, WarningTally,
};
use serde::{Deserialize, Serialize};

use crate::{SessionParams, Viewer, limits, methods};

#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    pub info: MemberInfo,
    pub token_hash: Option<String>,
    pub removed: bool,
    pub joined_at: Millis,
    /// Sequence number of the member's own `member_joined`: a member never needs (and is never
    /// replayed) history from before it.
    pub joined_seq: Seq,
    /// Total of finished turns on the floor.
    pub speaking_ms: u64,
    /// False after [`Session::left_turns`] until [`Session::rejoined_turns`].
    pub in_turns: bool,
    /// Times of this member's latest submissions (at most the rate limit's count), for the
    /// rate limit. From event timestamps, so a replay rebuilds them.
    pub recent: Vec<Millis>,
    /// Renames so far and when the last one was (from event timestamps).
    pub renames: u32,
    pub renamed_at: Millis,
    /// Holds a second console with the facilitator's rights.
    #[serde(default)]
    pub co_facilitator: bool,
    /// Presence is not history: never journaled, never in a snapshot.
    #[serde(skip)]
    pub online: bool,
    /// When the member was last known present (joining, or going offline); 0: not since the
    /// room was loaded. Presence, like `online`.
    #[serde(skip)]
    pub seen_at: Millis,
}

impl Member {
    pub fn id(&self) -> MemberId {
        self.info.id
    }

    pub fn role(&self) -> Role {
        self.info.role
    }
}

/// The phase that is running.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct PhaseRun {
    pub index: u16,
    pub seq: u32,
    pub started_at: Millis,
    pub deadline: Option<Millis>,
    /// The time-up announcement for this deadline was made.
    pub time_up: bool,
    /// Time left while the clock is paused (then there is no deadline).
    #[serde(default)]
    pub paused_left: Option<u64>,
    /// Seconds per speaker's turn in this phase, if limited.
    #[serde(default)]
    pub turn_limit: Option<u32>,
    /// The dot counts are shown in this phase.
    #[serde(default)]
    pub votes_revealed: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Round {
    pub order: Vec<MemberId>,
    /// Whose turn is over, in the order it ended.
    pub done: Vec<MemberId>,
    pub passed: Vec<MemberId>,
}

impl Round {
    pub fn is_done(&self, member: MemberId) -> bool {
        self.done.contains(&member)
    }

    pub fn pending(&self) -> impl Iterator<Item = MemberId> + '_ {
        self.order.iter().copied().filter(|m| !self.is_done(*m))
    }
}

/// One dot on a case, or one upvote on a question.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Vote {
    pub member: MemberId,
    pub item: ItemId,
}

/// One member's answer to a process evaluation.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub(crate) struct Rating {
    pub by: MemberId,
    pub scores: Vec<u8>,
    pub remark: Option<kring_protocol::Text>,
}

/// One case of the meeting: its method, its case-bringer and what only it has.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub(crate) struct CaseRound {
    pub method: MethodTemplate,
    /// Who brought the case (the latest member to hold the role in this round).
    pub case_bringer: Option<MemberId>,
    pub started_at: Option<Millis>,
    /// The chosen case proposal.
    pub case: Option<ItemId>,
    pub key_question: Option<ItemId>,
    pub reactions_shared: bool,
    /// The case-bringer's reactions, latest per item.
    pub reactions: Vec<ReactionEntry>,
    pub ratings: Vec<Rating>,
}

impl CaseRound {
    pub fn new(method: MethodTemplate, case_bringer: Option<MemberId>) -> Self {
        CaseRound {
            method,
            case_bringer,
            started_at: None,
            case: None,
            key_question: None,
            reactions_shared: false,
            reactions: Vec::new(),
            ratings: Vec::new(),
        }
    }
}

/// The state of one session.
///
/// Serialisable as a snapshot (presence excluded); the journal of events stays the source of
/// truth. `Debug` is redacted: it shows counts, never names or text.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct Session {
    pub(crate) params: SessionParams,
    pub(crate) seq: Seq,
    pub(crate) status: SessionStatus,
    pub(crate) started_at: Option<Millis>,
    pub(crate) ended_at: Option<Millis>,
    pub(crate) locked: bool,
    pub(crate) members: Vec<Member>,
    pub(crate) phase: Option<PhaseRun>,
    /// Raised hands, in queue order.
    pub(crate) hands: Vec<MemberId>,
    pub(crate) floor: Option<Floor>,
    pub(crate) round: Option<Round>,
    /// Items on the boards, in the order they were made; withdrawn items are gone.
    pub(crate) items: Vec<Item>,
    /// The highest item id handed out, so a withdrawn item's id is never reused.
    pub(crate) last_item: u32,
    pub(crate) votes: Vec<Vote>,
    /// Confirmations of presence, personal reflections, the list's confirmation.
    #[serde(default)]
    pub(crate) attest: crate::attest::Attestations,
    /// The case rounds of the meeting; the last one runs. Never empty.
    pub(crate) cases: Vec<CaseRound>,
    /// The case-bringers' private notepads (every round), never in anyone else's view.
    pub(crate) notepad: Vec<Item>,
    /// What the largest view costs besides the items (title, method, report-back, every
    /// member a room may have, the rest of the view), in serialised bytes. Fixed at creation.
    pub(crate) fixed_bytes: usize,
    /// What the items cost in the largest view ([`limits::cost_of`]), in serialised bytes.
    /// Kept in step by `apply`; a snapshot without it is not read (the journal is replayed).
    pub(crate) items_bytes: usize,
    /// How often each warning was shown and overridden, in the order of
    /// [`kring_protocol::Warning`]; no text, no names.
    #[serde(default)]
    pub(crate) warnings: Vec<WarningTally>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("code", &self.params.code)
            .field("seq", &self.seq)
            .field("status", &self.status)
            .field("phase", &self.phase.as_ref().map(|p| (p.index, p.seq)))
            .field("members", &self.members.len())
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A new session in the lobby. A follow-up meeting (with `report_back`) gets a report-back
    /// phase before the method's own phases.
    pub fn new(mut params: SessionParams) -> Self {
        if params.report_back.is_some() {
            params.method.phases.insert(0, methods::report_back_phase());
        }
        let first = CaseRound::new(params.method.clone(), None);
        let mut session = Session {
            params,
            seq: 0,
            status: SessionStatus::Lobby,
            started_at: None,
            ended_at: None,
            locked: false,
            members: Vec::new(),
            phase: None,
            hands: Vec::new(),
            floor: None,
            round: None,
            items: Vec::new(),
            last_item: 0,
            votes: Vec::new(),
            attest: Default::default(),
            cases: vec![first],
            notepad: Vec::new(),
            fixed_bytes: 0,
            items_bytes: 0,
            warnings: Vec::new(),
        };
        // The view of the empty session carries the title, method, report-back, group name and
        // time zone as they will always be; everything else that may grow has its own bound.
        // Later case rounds may bring a larger (built-in) method and add their own line to
        // `cases`.
        let shell = serde_json::to_vec(&session.view(Viewer::Screen)).map_or(0, |v| v.len());
        let method = serde_json::to_vec(&session.params.method).map_or(0, |v| v.len());
        session.fixed_bytes = shell
            + limits::VIEW_SLACK_BYTES
            + limits::MAX_ROSTER * limits::MEMBER_VIEW_BYTES
            + limits::ATTEST_VIEW_BYTES
            + limits::WARNING_TALLY_BYTES
            + limits::case_rounds_reserve(method);
        session
    }

    /// What the items may cost in serialised bytes, so that the largest view stays within
    /// [`limits::MAX_VIEW_BYTES`].
    pub fn item_budget(&self) -> usize {
        limits::MAX_VIEW_BYTES.saturating_sub(self.fixed_bytes)
    }

    /// What the items cost now (the part of [`Session::item_budget`] in use).
    pub fn items_bytes(&self) -> usize {
        self.items_bytes
    }

    /// The method of the running case round.
    pub fn method(&self) -> &MethodTemplate {
        &self.round_state().method
    }

    /// The running case round's index.
    pub fn case_round(&self) -> u16 {
        u16::try_from(self.cases.len().saturating_sub(1)).unwrap_or(u16::MAX)
    }

    /// The method id of every case round so far, in order (e.g. for an attendance record).
    pub fn methods_used(&self) -> Vec<&str> {
        self.cases.iter().map(|c| c.method.id.as_str()).collect()
    }

    /// The case-bringer of each case round so far (`None` where nobody brought one).
    pub fn case_bringers(&self) -> Vec<Option<MemberId>> {
        self.cases.iter().map(|c| c.case_bringer).collect()
    }

    pub(crate) fn round_state(&self) -> &CaseRound {
        self.cases
            .last()
            .expect("a session always has a case round")
    }

    pub(crate) fn round_state_mut(&mut self) -> &mut CaseRound {
        self.cases
            .last_mut()
            .expect("a session always has a case round")
    }

    /// Whether `id` has the facilitator's rights: the facilitator, or a co-facilitator.
    pub fn has_facilitator_rights(&self, id: MemberId) -> bool {
        self.member(id)
            .is_some_and(|m| m.role() == Role::Facilitator || m.co_facilitator)
    }

    pub fn params(&self) -> &SessionParams {
        &self.params
    }

    pub fn code(&self) -> &str {
        &self.params.code
    }

    /// Sequence number of the last applied event (0 before any).
    pub fn seq(&self) -> Seq {
        self.seq
    }

    pub fn status(&self) -> SessionStatus {
        self.status
    }

    /// When the session was started and ended (from event timestamps).
    pub fn started_at(&self) -> Option<Millis> {
        self.started_at
    }

    pub fn ended_at(&self) -> Option<Millis> {
        self.ended_at
    }

    /// The running phase: its index and sequence number (the phase stamp).
    pub fn current_phase(&self) -> Option<(u16, u32)> {
        self.phase.as_ref().map(|p| (p.index, p.seq))
    }

    /// Whether newcomers are kept out.
    pub fn locked(&self) -> bool {
        self.locked
    }

    pub fn member_role(&self, id: MemberId) -> Option<Role> {
        self.member(id).map(Member::role)
    }

    /// Display name and role of every member, removed ones included (for attendance).
    pub fn roster(&self) -> impl Iterator<Item = (MemberId, &str, Role)> {
        self.members
            .iter()
            .map(|m| (m.id(), m.info.name.as_str(), m.role()))
    }

    /// The member whose resume token hashes to `hash`; removed members have none. Every
    /// member's hash is compared, each in constant time, so how long the lookup takes says
    /// nothing about how close a guess came, or to whose token.
    pub fn member_by_token_hash(&self, hash: &str) -> Option<MemberId> {
        let mut found = None;
        for m in &self.members {
            let same = m.token_hash.as_deref().is_some_and(|h| same_hash(h, hash));
            if same && !m.removed {
                found = Some(m.id());
            }
        }
        found
    }

    /// Sequence number of the member's `member_joined` event.
    pub fn joined_seq(&self, id: MemberId) -> Option<Seq> {
        self.member(id).map(|m| m.joined_seq)
    }

    pub fn was_removed(&self, id: MemberId) -> bool {
        self.members.iter().any(|m| m.id() == id && m.removed)
    }

    /// Marks a member present or away. Not an event: decisions read it (rounds visit the
    /// members present), `apply` never does.
    pub fn set_online(&mut self, id: MemberId, online: bool) {
        if let Some(m) = self.members.iter_mut().find(|m| m.id() == id && !m.removed) {
            m.online = online;
        }
    }

    /// Like [`Session::set_online`], remembering `now` as when the member was last present,
    /// so a member who just dropped off keeps their seat for [`limits::SEAT_KEPT_MS`].
    pub fn set_presence(&mut self, id: MemberId, online: bool, now: Millis) {
        if let Some(m) = self.members.iter_mut().find(|m| m.id() == id && !m.removed) {
            m.online = online;
            m.seen_at = now;
        }
    }

    /// Members who hold a seat: present now, or within [`limits::SEAT_KEPT_MS`].
    pub(crate) fn seated(&self, now: Millis) -> usize {
        self.active_members()
            .filter(|m| m.online || (m.seen_at > 0 && now < m.seen_at + limits::SEAT_KEPT_MS))
            .count()
    }

    pub fn online_members(&self) -> Vec<MemberId> {
        self.members
            .iter()
            .filter(|m| m.online && !m.removed)
            .map(Member::id)
            .collect()
    }

    pub fn case_bringer(&self) -> Option<MemberId> {
        self.active_members()
            .find(|m| m.role() == Role::CaseBringer)
            .map(Member::id)
    }

    /// Whether the member is out of turn-taking after being away (see [`Session::left_turns`]).
    pub fn left_turns_flag(&self, id: MemberId) -> bool {
        self.member(id).is_some_and(|m| !m.in_turns)
    }

    pub(crate) fn member(&self, id: MemberId) -> Option<&Member> {
        self.members.iter().find(|m| m.id() == id && !m.removed)
    }

    pub(crate) fn active_members(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| !m.removed)
    }

    /// Present now and not out of turns: who a round or the floor can go to.
    pub(crate) fn available(&self, id: MemberId) -> bool {
        self.member(id).is_some_and(|m| m.online && m.in_turns)
    }

    pub(crate) fn item(&self, id: ItemId) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub(crate) fn speaking_total(&self, id: MemberId) -> u64 {
        self.members
            .iter()
            .find(|m| m.id() == id)
            .map_or(0, |m| m.speaking_ms)
    }
}

/// Compares two token hashes in time independent of where they differ.
pub fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

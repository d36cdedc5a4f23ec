//! The state of one session and the read-only questions decisions ask of it.

use kring_protocol::{Floor, Item, ItemId, MemberId, MemberInfo, Millis, Role, Seq, SessionStatus};
use serde::{Deserialize, Serialize};

use crate::{SessionParams, methods};

#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    pub info: MemberInfo,
    pub token_hash: Option<String>,
    pub removed: bool,
    pub joined_at: Millis,
    /// Total of finished turns on the floor.
    pub speaking_ms: u64,
    /// False after [`Session::left_turns`] until [`Session::rejoined_turns`].
    pub in_turns: bool,
    /// Times of this member's latest submissions (at most the rate limit's count), for the
    /// rate limit. From event timestamps, so a replay rebuilds them.
    pub recent: Vec<Millis>,
    /// Presence is not history: never journaled, never in a snapshot.
    #[serde(skip)]
    pub online: bool,
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
        Session {
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
        }
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

    pub fn member_role(&self, id: MemberId) -> Option<Role> {
        self.member(id).map(Member::role)
    }

    /// Display name and role of every member, removed ones included (for attendance).
    pub fn roster(&self) -> impl Iterator<Item = (MemberId, &str, Role)> {
        self.members
            .iter()
            .map(|m| (m.id(), m.info.name.as_str(), m.role()))
    }

    /// The member whose resume token hashes to `hash`; removed members have none.
    pub fn member_by_token_hash(&self, hash: &str) -> Option<MemberId> {
        self.members
            .iter()
            .find(|m| !m.removed && m.token_hash.as_deref() == Some(hash))
            .map(Member::id)
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

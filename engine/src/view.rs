//! The projection of a session for one viewer: the public form of everything, plus what only
//! the viewer may see.
//!
//! Private to one viewer, never in anyone else's view (tested in `engine/tests/cases.rs`):
//! the case-bringer's reactions (until they share them), their notepad, unrevealed private
//! notes, votes, and which process evaluations the viewer answered. The process evaluation's
//! sums are in no view at all: a view must be what a client can build from the public events,
//! and those go to everyone; the facilitator and co-facilitators read the sums on request
//! (`Session::process_aggregates`).

use kring_protocol::{
    CaseRoundView, InputKind, Item, Me, MemberId, MemberView, PROCESS_ITEMS, PhaseState,
    ProcessAggregate, ReactionEntry, Role, RoundView, SessionView,
};

use crate::Viewer;
use crate::state::{CaseRound, Session};

impl Session {
    pub fn view(&self, viewer: Viewer) -> SessionView {
        let (member, role) = match viewer {
            Viewer::Member(id) => (Some(id), self.member_role(id).unwrap_or(Role::Participant)),
            Viewer::Screen => (None, Role::Screen),
        };
        let items = self
            .items
            .iter()
            .map(|item| self.item_for(item, role))
            .collect();
        let mine = |i: &&Item| i.by.is_some() && i.by == member;
        let me = Me {
            member,
            role,
            votes: self
                .votes
                .iter()
                .filter(|v| Some(v.member) == member)
                .map(|v| v.item)
                .collect(),
            items: self.items.iter().filter(mine).map(|i| i.id).collect(),
            notes: self
                .items
                .iter()
                .filter(mine)
                .filter(|i| i.kind == InputKind::PrivateNote && !i.revealed)
                .cloned()
                .collect(),
            notepad: self.notepad.iter().filter(mine).cloned().collect(),
            rated: self
                .cases
                .iter()
                .enumerate()
                .filter(|(_, c)| c.ratings.iter().any(|r| Some(r.by) == member))
                .filter_map(|(i, _)| u16::try_from(i).ok())
                .collect(),
        };
        SessionView {
            code: self.params.code.clone(),
            title: self.params.title.clone(),
            language: self.params.language,
            method: self.method().clone(),
            case_round: self.case_round(),
            cases: self
                .cases
                .iter()
                .enumerate()
                .map(|(i, c)| case_view(i, c))
                .collect(),
            status: self.status,
            phase: self.phase.as_ref().map(|run| PhaseState {
                index: run.index,
                seq: run.seq,
                started_at: run.started_at,
                deadline: run.deadline,
                time_up: run.time_up,
            }),
            locked: self.locked,
            case_bringer: self.case_bringer(),
            members: self
                .active_members()
                .map(|m| MemberView {
                    id: m.id(),
                    name: m.info.name.clone(),
                    role: m.role(),
                    online: m.online,
                    speaking_ms: m.speaking_ms,
                    in_turns: m.in_turns,
                    co_facilitator: m.co_facilitator,
                })
                .collect(),
            hands: self.hands.clone(),
            floor: self.floor.clone(),
            round: self.round.as_ref().map(|r| RoundView {
                order: r.order.clone(),
                done: r.done.clone(),
                passed: r.passed.clone(),
            }),
            items,
            reactions: self.reactions_for(member),
            report_back: self.params.report_back.clone().map(|mut rb| {
                // The trend of earlier evaluations is the facilitator's, read on request.
                rb.process.clear();
                rb
            }),
            settings: self.params.settings.clone(),
            me,
        }
    }

    /// Reactions `member` may see: every reaction of the rounds they brought, and the shared
    /// ones of every round. Nobody else's, and never on the screen unless shared.
    pub fn reactions_for(&self, member: Option<MemberId>) -> Vec<ReactionEntry> {
        self.cases
            .iter()
            .filter(|c| c.reactions_shared || (member.is_some() && c.case_bringer == member))
            .flat_map(|c| c.reactions.iter().copied())
            .collect()
    }

    /// The process evaluation of every case round that enough members answered, summed;
    /// remarks without names.
    pub fn process_aggregates(&self) -> Vec<ProcessAggregate> {
        self.cases
            .iter()
            .enumerate()
            .filter(|(_, c)| c.ratings.len() >= crate::cases::MIN_PROCESS_ANSWERS)
            .map(|(i, c)| {
                let mut agg = ProcessAggregate {
                    case_round: u16::try_from(i).unwrap_or(u16::MAX),
                    method_id: c.method.id.clone(),
                    count: u16::try_from(c.ratings.len()).unwrap_or(u16::MAX),
                    sums: vec![0; PROCESS_ITEMS.len()],
                    answered: vec![0; PROCESS_ITEMS.len()],
                    remarks: Vec::new(),
                };
                for rating in &c.ratings {
                    for (k, score) in rating.scores.iter().enumerate().filter(|(_, s)| **s > 0) {
                        if let (Some(sum), Some(n)) = (agg.sums.get_mut(k), agg.answered.get_mut(k))
                        {
                            *sum += u32::from(*score);
                            *n += 1;
                        }
                    }
                    agg.remarks.extend(rating.remark.clone());
                }
                // Order of arrival would tell who wrote which remark.
                agg.remarks.sort();
                agg
            })
            .collect()
    }

    /// The public form; the facilitator also reads hidden items (to decide about un-hiding),
    /// but not unrevealed notes, which are nobody's business until revealed.
    fn item_for(&self, item: &Item, role: Role) -> Item {
        let mut public = item.to_public();
        let unrevealed_note = item.kind == InputKind::PrivateNote && !item.revealed;
        if role == Role::Facilitator && item.hidden && !unrevealed_note {
            public.text = item.text.clone();
        }
        public
    }
}

fn case_view(index: usize, c: &CaseRound) -> CaseRoundView {
    CaseRoundView {
        index: u16::try_from(index).unwrap_or(u16::MAX),
        method_id: c.method.id.clone(),
        method_name: c.method.name.clone(),
        case_bringer: c.case_bringer,
        started_at: c.started_at,
        case: c.case,
        key_question: c.key_question,
        reactions_shared: c.reactions_shared,
        process_count: u16::try_from(c.ratings.len()).unwrap_or(u16::MAX),
    }
}

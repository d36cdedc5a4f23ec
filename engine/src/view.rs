//! The projection of a session for one viewer: the public form of everything, plus what only
//! the viewer may see.
//!
//! Everything but `me` is the same for every viewer of a role (the facilitator also reads hidden
//! items' text), so the server serialises it once and splices each viewer's `me` in.
//!
//! Private to one viewer, only in their `me`, never in anyone else's view (tested in
//! `engine/tests/cases.rs`): the case-bringer's own reactions (`view.reactions` holds the
//! shared ones, for everyone), their notepad, unrevealed private notes, votes, and which
//! process evaluations the viewer answered. The process evaluation's
//! sums are in no view at all: a view must be what a client can build from the public events,
//! and those go to everyone; the facilitator and co-facilitators read the sums on request
//! (`Session::process_aggregates`).

use kring_protocol::{
    CaseRoundView, InputKind, Item, Me, MemberId, MemberView, PROCESS_ITEMS, PhaseState,
    ProcessAggregate, ReactionEntry, Role, RoundView, SessionView, Text,
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
        let me = self.me_of(member, role);
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
                paused_left: run.paused_left,
                turn_limit: run.turn_limit,
                votes_revealed: run.votes_revealed,
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
            reactions: self.shared_reactions(),
            report_back: self.params.report_back.clone().map(|mut rb| {
                // The trend of earlier evaluations is the facilitator's, read on request.
                rb.process.clear();
                rb
            }),
            settings: self.params.settings.clone(),
            group_name: self.params.group_name.clone(),
            time_zone: self.params.time_zone.clone(),
            attendance: self.attendance_state(),
            me,
        }
    }

    /// The reactions case-bringers shared: the same for every viewer, the screen included.
    pub fn shared_reactions(&self) -> Vec<ReactionEntry> {
        self.cases
            .iter()
            .filter(|c| c.reactions_shared)
            .flat_map(|c| c.reactions.iter().copied())
            .collect()
    }

    /// Every reaction of the case rounds `member` brought, shared or not: theirs alone.
    pub fn own_reactions(&self, member: Option<MemberId>) -> Vec<ReactionEntry> {
        self.cases
            .iter()
            .filter(|c| member.is_some() && c.case_bringer == member)
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

    /// What only `viewer` sees: the `me` part of their view.
    pub fn me(&self, viewer: Viewer) -> Me {
        match viewer {
            Viewer::Member(id) => {
                self.me_of(Some(id), self.member_role(id).unwrap_or(Role::Participant))
            }
            Viewer::Screen => self.me_of(None, Role::Screen),
        }
    }

    fn me_of(&self, member: Option<MemberId>, role: Role) -> Me {
        let mine = |i: &&Item| i.by.is_some() && i.by == member;
        Me {
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
            registration: member
                .and_then(|m| self.confirmation(m))
                .and_then(|c| c.registration.clone()),
            reflection: member.and_then(|m| self.reflection(m)).map(Text::from),
            notepad: self.notepad.iter().filter(mine).cloned().collect(),
            reactions: self.own_reactions(member),
            rated: self
                .cases
                .iter()
                .enumerate()
                .filter(|(_, c)| c.ratings.iter().any(|r| Some(r.by) == member))
                .filter_map(|(i, _)| u16::try_from(i).ok())
                .collect(),
            warnings: if role == Role::Facilitator {
                self.warnings.clone()
            } else {
                Vec::new()
            },
        }
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

//! The projection of a session for one viewer: the public form of everything, plus what only
//! the viewer may see.

use kring_protocol::{InputKind, Item, Me, MemberView, PhaseState, Role, RoundView, SessionView};

use crate::Viewer;
use crate::state::Session;

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
            method: self.params.method.clone(),
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
            report_back: self.params.report_back.clone(),
            settings: self.params.settings.clone(),
            group_name: self.params.group_name.clone(),
            time_zone: self.params.time_zone.clone(),
            attendance: self.attendance_state(),
            me,
        }
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

    fn me_of(&self, member: Option<kring_protocol::MemberId>, role: Role) -> Me {
        Me {
            member,
            role,
            votes: self
                .votes
                .iter()
                .filter(|v| Some(v.member) == member)
                .map(|v| v.item)
                .collect(),
            items: self
                .items
                .iter()
                .filter(|i| i.by.is_some() && i.by == member)
                .map(|i| i.id)
                .collect(),
            notes: self
                .items
                .iter()
                .filter(|i| i.by.is_some() && i.by == member)
                .filter(|i| i.kind == InputKind::PrivateNote && !i.revealed)
                .cloned()
                .collect(),
            registration: member
                .and_then(|m| self.confirmation(m))
                .and_then(|c| c.registration.clone()),
            reflection: member.and_then(|m| self.reflection(m)).map(str::to_owned),
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

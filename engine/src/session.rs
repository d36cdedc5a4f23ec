//! Session state and its decide/apply functions.

use kring_protocol::{
    Command, ErrorCode, Event, InputKind, Item, ItemId, Me, MemberId, MemberInfo, MemberView,
    Millis, Reaction, Role, Seq, SessionStatus, SessionView, Temperature, TriageStatus,
};
use serde::{Deserialize, Serialize};

use crate::{Decision, JoinAs, Joined, Rejection, SessionParams, Viewer, limits};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
struct Member {
    info: MemberInfo,
    token_hash: Option<String>,
    removed: bool,
    #[serde(skip)]
    online: bool,
}

/// The state of one session.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Session {
    params: SessionParams,
    seq: Seq,
    status: SessionStatus,
    members: Vec<Member>,
    hands: Vec<MemberId>,
    items: Vec<Item>,
}

impl Session {
    pub fn new(params: SessionParams) -> Self {
        Session {
            params,
            seq: 0,
            status: SessionStatus::Lobby,
            members: Vec::new(),
            hands: Vec::new(),
            items: Vec::new(),
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

    fn member(&self, id: MemberId) -> Option<&Member> {
        self.members.iter().find(|m| m.info.id == id && !m.removed)
    }

    fn member_mut(&mut self, id: MemberId) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.info.id == id)
    }

    pub fn member_role(&self, id: MemberId) -> Option<Role> {
        self.member(id).map(|m| m.info.role)
    }

    /// The member whose resume token hashes to `hash`; removed members have none.
    pub fn member_by_token_hash(&self, hash: &str) -> Option<MemberId> {
        self.members
            .iter()
            .find(|m| !m.removed && m.token_hash.as_deref() == Some(hash))
            .map(|m| m.info.id)
    }

    pub fn was_removed(&self, id: MemberId) -> bool {
        self.members.iter().any(|m| m.info.id == id && m.removed)
    }

    pub fn set_online(&mut self, id: MemberId, online: bool) {
        if let Some(m) = self.member_mut(id) {
            m.online = online;
        }
    }

    pub fn online_members(&self) -> Vec<MemberId> {
        self.members
            .iter()
            .filter(|m| m.online && !m.removed)
            .map(|m| m.info.id)
            .collect()
    }

    /// Decides whether a new socket may join, and as whom. `token_hash` is the hash of the
    /// resume token the caller generated for a new member.
    pub fn decide_join(
        &self,
        join: &JoinAs,
        token_hash: &str,
        _now: Millis,
    ) -> Result<Joined, Rejection> {
        if self.status == SessionStatus::Ended {
            return Err(ErrorCode::SessionEnded.into());
        }
        let (name, role) = match join {
            JoinAs::Member { name } => (name, Role::Participant),
            JoinAs::Facilitator { name } => {
                if let Some(existing) = self
                    .members
                    .iter()
                    .find(|m| m.info.role == Role::Facilitator && !m.removed)
                {
                    return Ok(Joined {
                        member: existing.info.id,
                        events: Vec::new(),
                    });
                }
                (name, Role::Facilitator)
            }
        };
        let name = valid_name(name)?;
        if self.members.iter().filter(|m| !m.removed).count() >= limits::MAX_MEMBERS {
            return Err(ErrorCode::RoomFull.into());
        }
        let id = MemberId(self.members.len() as u32 + 1);
        Ok(Joined {
            member: id,
            events: vec![Event::MemberJoined {
                member: MemberInfo { id, name, role },
                token_hash: Some(token_hash.to_owned()),
            }],
        })
    }

    pub fn decide(
        &self,
        actor: MemberId,
        command: &Command,
        _stamp: Option<u32>,
        now: Millis,
    ) -> Result<Decision, Rejection> {
        if self.member(actor).is_none() {
            return Err(ErrorCode::NoSuchMember.into());
        }
        match command {
            Command::RaiseHand {} => {
                if self.hands.contains(&actor) {
                    return Err(ErrorCode::AlreadyInQueue.into());
                }
                Ok(Decision {
                    events: vec![Event::HandRaised { member: actor }],
                    item: None,
                })
            }
            Command::LowerHand {} => {
                if !self.hands.contains(&actor) {
                    return Err(ErrorCode::NotInQueue.into());
                }
                Ok(Decision {
                    events: vec![Event::HandLowered { member: actor }],
                    item: None,
                })
            }
            Command::Submit { input, text, .. } => {
                let id = ItemId(self.items.len() as u32 + 1);
                let item = Item {
                    id,
                    kind: *input,
                    by: Some(actor),
                    anonymous: false,
                    text: Some(text.clone()),
                    phase: 0,
                    phase_seq: 0,
                    at: now,
                    reply_to: None,
                    votes: 0,
                    status: TriageStatus::Open,
                    temperature: Temperature::None,
                    reaction: Reaction::None,
                    hidden: false,
                    kept: false,
                    chosen: false,
                    revealed: false,
                };
                Ok(Decision {
                    events: vec![Event::ItemAdded { item }],
                    item: Some(id),
                })
            }
            _ => Err(ErrorCode::InvalidValue.into()),
        }
    }

    /// Events due at `now` (a time box that ran out).
    pub fn tick(&self, _now: Millis) -> Vec<Event> {
        Vec::new()
    }

    /// When [`Session::tick`] will next have something to do.
    pub fn next_deadline(&self) -> Option<Millis> {
        None
    }

    /// Events for a member who was away past the grace period.
    pub fn left_turns(&self, member: MemberId) -> Vec<Event> {
        if self.hands.contains(&member) {
            vec![Event::LeftTurns { member }]
        } else {
            Vec::new()
        }
    }

    /// Applies one recorded event. `seq` must follow the current sequence number.
    pub fn apply(&mut self, seq: Seq, _at: Millis, event: &Event) {
        debug_assert_eq!(seq, self.seq + 1, "events are applied in order");
        self.seq = seq;
        match event {
            Event::MemberJoined { member, token_hash } => self.members.push(Member {
                info: member.clone(),
                token_hash: token_hash.clone(),
                removed: false,
                online: false,
            }),
            Event::HandRaised { member } => self.hands.push(*member),
            Event::HandLowered { member } | Event::LeftTurns { member } => {
                self.hands.retain(|m| m != member)
            }
            Event::ItemAdded { item } => self.items.push(item.clone()),
            _ => {}
        }
    }

    pub fn view(&self, viewer: Viewer) -> SessionView {
        let (member, role) = match viewer {
            Viewer::Member(id) => (Some(id), self.member_role(id).unwrap_or(Role::Participant)),
            Viewer::Screen => (None, Role::Screen),
        };
        SessionView {
            code: self.params.code.clone(),
            title: self.params.title.clone(),
            language: self.params.language,
            method: self.params.method.clone(),
            status: self.status,
            phase: None,
            locked: false,
            case_bringer: None,
            members: self
                .members
                .iter()
                .filter(|m| !m.removed)
                .map(|m| MemberView {
                    id: m.info.id,
                    name: m.info.name.clone(),
                    role: m.info.role,
                    online: m.online,
                    speaking_ms: 0,
                    in_turns: true,
                })
                .collect(),
            hands: self.hands.clone(),
            floor: None,
            round: None,
            items: self.items.iter().map(Item::to_public).collect(),
            report_back: self.params.report_back.clone(),
            me: Me {
                member,
                role,
                votes: Vec::new(),
                items: Vec::new(),
                notes: Vec::new(),
            },
        }
    }
}

fn valid_name(name: &str) -> Result<String, Rejection> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > limits::NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(Rejection {
            field: Some("join.name"),
            ..Rejection::new(ErrorCode::InvalidName)
        });
    }
    Ok(name.to_owned())
}

#[allow(dead_code)]
fn _kinds_used() -> InputKind {
    InputKind::Question
}

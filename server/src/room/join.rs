//! Admitting a socket: a new member, the facilitator, a returning member, or the shared screen.

use kring_engine::{JoinAs, Rejection, Viewer};
use kring_protocol::{
    Epoch, ErrorCode, ErrorMsg, Event, Join, MemberId, Millis, PROTOCOL_VERSION, Role, Seq,
    ServerMsg, Welcome,
};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::effects::{Effect, Pending};
use super::task::{Conn, Room};
use super::{ConnSink, JoinError, Joined, to_frame};
use crate::limits::{Budget, SharedBudget};
use crate::secrets::{hash_token, new_token, same_hash};
use crate::socket::Frame;

fn lock(budget: &SharedBudget) -> std::sync::MutexGuard<'_, Budget> {
    budget.lock().unwrap_or_else(|e| e.into_inner())
}

struct Admitted {
    member: Option<MemberId>,
    role: Role,
    token: Option<String>,
    events: Vec<Event>,
    /// The epoch and last sequence a returning client saw.
    resume: Option<(Option<Epoch>, Option<Seq>)>,
}

/// To someone guessing codes, a room that is locked, has ended or does not know their token
/// must look exactly like no room at all: same code, same message, same close code.
fn as_seen_by_guesser(error: ErrorMsg, new_member: bool) -> ErrorMsg {
    let disguise = match error.code {
        ErrorCode::RoomLocked | ErrorCode::BadToken => true,
        // The facilitator (who holds the token) may learn that their session has ended.
        ErrorCode::SessionEnded => new_member,
        _ => false,
    };
    if disguise {
        ErrorMsg::new(ErrorCode::RoomNotFound)
    } else {
        error
    }
}

impl Room {
    pub(super) fn decide_join(
        &mut self,
        join: Join,
        peer: std::net::IpAddr,
        sink: ConnSink,
        reply: oneshot::Sender<Result<Joined, JoinError>>,
        now: Millis,
        p: &mut Pending,
    ) {
        let new_member = matches!(join, Join::Member { .. });
        if new_member && let Err(wait) = self.member_joins.check(peer) {
            // Joining as someone new, again and again, from one address: wait.
            let mut error = ErrorMsg::new(ErrorCode::RateLimited);
            error.retry_after_ms = Some(wait.as_millis().max(1) as u64);
            self.deps.metrics.reject(ErrorCode::RateLimited);
            sink.send(&ServerMsg::Error(error));
            let _ = reply.send(Err(JoinError::Refused(ErrorCode::RateLimited)));
            return;
        }
        let admitted = match self.admit(join, now) {
            Ok(admitted) => admitted,
            Err(error) => {
                let error = as_seen_by_guesser(error, new_member);
                self.deps.metrics.reject(error.code);
                let code = error.code;
                sink.send(&ServerMsg::Error(error));
                let _ = reply.send(Err(JoinError::Refused(code)));
                return;
            }
        };
        let budget = admitted.member.map(|m| self.budget_of(m));
        if let Some(wait) = budget.as_ref().and_then(|b| lock(b).banned()) {
            // Kept out for flooding a moment ago: refused before it costs a welcome.
            let mut error = ErrorMsg::new(ErrorCode::Flooding);
            error.retry_after_ms = Some(wait.as_millis() as u64);
            self.deps.metrics.reject(ErrorCode::Flooding);
            sink.send(&ServerMsg::Error(error));
            let _ = reply.send(Err(JoinError::Refused(ErrorCode::Flooding)));
            return;
        }
        if new_member {
            let _ = self.member_joins.hit(peer);
        }
        self.record(admitted.events, now, p);
        if let Some(member) = admitted.member {
            self.away_since.remove(&member);
            // Back after the grace period: into turn-taking again.
            let back = self.session.rejoined_turns(member);
            self.record(back, now, p);
            match self.member_conn.insert(member, sink.id) {
                Some(old) => {
                    // Same member on a new device or tab: the old socket goes, presence stays.
                    if let Some(c) = self.conns.remove(&old) {
                        p.effects.push(Effect::Close {
                            sink: c.sink,
                            code: ErrorCode::TakenOver,
                        });
                    }
                }
                None => {
                    self.session.set_presence(member, true, now);
                    self.view_cache = [None, None];
                    self.attendance.online(member, now);
                    p.effects.push(Effect::Presence {
                        member,
                        online: true,
                    });
                }
            }
        }
        let seq = self.session.seq();
        // Replay only what fits in the client's queue with the welcome (and some room for
        // what follows); a client further behind gets the full view, which is one frame.
        let fits = |last: Seq| seq - last < self.deps.cfg.client_queue.saturating_sub(16) as Seq;
        // Never history from before the member's own join: a client claiming to be further
        // behind than that gets the full view, which shows what a member may see now.
        let joined = admitted
            .member
            .and_then(|m| self.session.joined_seq(m))
            .unwrap_or(Seq::MAX);
        let replay = match admitted.resume {
            Some((Some(epoch), Some(last)))
                if epoch == self.epoch
                    && last >= joined
                    && self.replay.covers(last, seq)
                    && fits(last) =>
            {
                Some((last, seq))
            }
            _ => None,
        };
        let viewer = match admitted.member {
            Some(m) => Viewer::Member(m),
            None => Viewer::Screen,
        };
        let welcome = Welcome {
            protocol: PROTOCOL_VERSION,
            member: admitted.member,
            role: admitted.role,
            resume_token: admitted.token,
            epoch: self.epoch,
            seq,
            server_time: now,
            online: self.session.online_members(),
            retention_ms: u64::try_from(self.deps.cfg.retention.as_millis()).unwrap_or(u64::MAX),
            view: None,
        };
        let welcome = match replay {
            Some(_) => to_frame(&ServerMsg::Welcome(welcome)),
            None => self.welcome_with_view(welcome, viewer, admitted.role),
        };
        if welcome.len() > kring_protocol::MAX_SERVER_MESSAGE_BYTES {
            // The engine's budget should make this impossible; say so if it ever is not.
            tracing::error!(room = %crate::redact::RoomTag(&self.code), bytes = welcome.len(), "welcome above the largest message size");
        }
        let conn = sink.id;
        self.conns.insert(
            conn,
            Conn {
                sink,
                member: admitted.member,
                live: false,
            },
        );
        p.effects.push(Effect::Live {
            conn,
            welcome,
            replay,
            reply,
            joined: Joined {
                member: admitted.member,
                budget,
            },
        });
    }

    fn admit(&self, join: Join, now: Millis) -> Result<Admitted, ErrorMsg> {
        match join {
            Join::Member { name } => {
                let token = new_token();
                let joined = self
                    .session
                    .decide_join(&JoinAs::Member { name }, &hash_token(&token), now)
                    .map_err(Rejection::into_error_msg)?;
                Ok(Admitted {
                    member: Some(joined.member),
                    role: Role::Participant,
                    token: Some(token),
                    events: joined.events,
                    resume: None,
                })
            }
            Join::Facilitator { token, name } => {
                let hash = self.facilitator_hash(&token)?;
                let joined = self
                    .session
                    .decide_join(&JoinAs::Facilitator { name }, &hash, now)
                    .map_err(Rejection::into_error_msg)?;
                Ok(Admitted {
                    member: Some(joined.member),
                    // After handing the role over, the token opens a participant.
                    role: self
                        .session
                        .member_role(joined.member)
                        .unwrap_or(Role::Facilitator),
                    token: Some(token),
                    events: joined.events,
                    resume: None,
                })
            }
            Join::Resume {
                token,
                epoch,
                last_seq,
            } => {
                let member = self
                    .session
                    .member_by_token_hash(&hash_token(&token))
                    .ok_or_else(|| ErrorMsg::new(ErrorCode::BadToken))?;
                Ok(Admitted {
                    member: Some(member),
                    role: self
                        .session
                        .member_role(member)
                        .unwrap_or(Role::Participant),
                    token: Some(token),
                    events: Vec::new(),
                    resume: Some((epoch, last_seq)),
                })
            }
            Join::Screen { token } => {
                let hash = hash_token(&token);
                let screen = self.session.params().screen_token_hash.as_deref();
                if !screen.is_some_and(|s| same_hash(&hash, s)) {
                    self.facilitator_hash(&token)?;
                }
                Ok(Admitted {
                    member: None,
                    role: Role::Screen,
                    token: None,
                    events: Vec::new(),
                    resume: None,
                })
            }
        }
    }

    /// The welcome with the full view. Everything in a view but `me` is the same for every
    /// viewer of a role (the facilitator reads hidden items' text, nobody else does), so that
    /// part is serialised once per change of the room and spliced into each welcome: a dozen
    /// phones joining a large room cost one serialisation, not a dozen.
    fn welcome_with_view(&mut self, welcome: Welcome, viewer: Viewer, role: Role) -> Frame {
        let slot = usize::from(role == Role::Facilitator);
        let shared = match &self.view_cache[slot] {
            Some(shared) => shared.clone(),
            None => {
                let full = serde_json::to_string(&self.session.view(viewer))
                    .expect("views always serialise");
                // `me` is the view's last field; a quote inside text is escaped, so this
                // finds the field itself.
                let cut = full.rfind(",\"me\":").unwrap_or(full.len());
                let shared: Arc<str> = Arc::from(&full[..cut]);
                self.view_cache[slot] = Some(shared.clone());
                shared
            }
        };
        #[cfg(debug_assertions)]
        let expected = ServerMsg::Welcome(Welcome {
            view: Some(self.session.view(viewer)),
            ..welcome.clone()
        });
        let head = serde_json::to_string(&ServerMsg::Welcome(welcome)).expect("welcomes serialise");
        let me = serde_json::to_string(&self.session.me(viewer)).expect("views always serialise");
        // The welcome's last field is `view`, serialised as `null` here.
        let head = head.strip_suffix("null}").unwrap_or(&head);
        let mut frame = String::with_capacity(head.len() + shared.len() + me.len() + 8);
        frame.push_str(head);
        frame.push_str(&shared);
        frame.push_str(",\"me\":");
        frame.push_str(&me);
        frame.push_str("}}");
        #[cfg(debug_assertions)]
        {
            let spliced: ServerMsg =
                serde_json::from_str(&frame).expect("a spliced welcome parses");
            assert_eq!(spliced, expected, "the spliced welcome is the welcome");
        }
        Frame::text(&frame)
    }

    fn budget_of(&mut self, member: MemberId) -> SharedBudget {
        let cfg = &self.deps.cfg;
        self.budgets
            .entry(member)
            .or_insert_with(|| Arc::new(Mutex::new(Budget::for_messages(cfg))))
            .clone()
    }

    fn facilitator_hash(&self, token: &str) -> Result<String, ErrorMsg> {
        let hash = hash_token(token);
        if same_hash(&hash, &self.session.params().facilitator_token_hash) {
            Ok(hash)
        } else {
            Err(ErrorMsg::new(ErrorCode::BadToken))
        }
    }

    pub(super) fn gone(&mut self, conn: super::ConnId, left: bool, now: Millis, p: &mut Pending) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        if let Some(member) = c.member
            && self.member_conn.get(&member) == Some(&conn)
        {
            self.member_conn.remove(&member);
            // Last seen now, so the seat is kept a while; not when they left on purpose.
            self.session
                .set_presence(member, false, if left { 0 } else { now });
            self.view_cache = [None, None];
            self.attendance.offline(member, now);
            self.away_since.insert(member, now);
            p.effects.push(Effect::Presence {
                member,
                online: false,
            });
        }
    }
}

//! Sessions to decide fuzzed commands against: several methods, each in the lobby, in every
//! phase with items, hands, a floor and rounds, and ended. Built once, by the same decide and
//! apply the room uses, with the journal a restored room would read.

use std::sync::LazyLock;

use kring_engine::{JoinAs, Session, SessionParams, Viewer, methods, permissions};
use kring_protocol::{
    Command, CommandEnvelope, Event, InputKind, ItemId, Language, MemberId, Millis, Reaction,
    ReportBack, Role, SessionSettings, Temperature, TriageStatus,
};

use super::checks;

const T0: Millis = 1_700_000_000_000;
/// Between two scripted commands, so no member reaches the submit limit.
const STEP_MS: Millis = 7_000;
/// Not a member of any fixture.
const STRANGER: MemberId = MemberId(u32::MAX);

pub(super) struct Fixture {
    session: Session,
    /// The state a room restores from a snapshot: the same, without presence.
    restored: Session,
    now: Millis,
    /// Everyone who ever joined, removed members included.
    members: Vec<MemberId>,
}

static FIXTURES: LazyLock<Vec<Fixture>> = LazyLock::new(build_all);

pub(super) fn all() -> &'static [Fixture] {
    &FIXTURES
}

impl Fixture {
    /// Decides `envelope` as every member, a removed one and a stranger; applies what is
    /// accepted to a copy.
    pub(super) fn check_command(&self, envelope: &CommandEnvelope) {
        for actor in self.members.iter().copied().chain([STRANGER]) {
            match self
                .session
                .decide(actor, &envelope.command, envelope.phase, self.now)
            {
                Ok(decision) => {
                    assert!(!decision.events.is_empty(), "accepted without events");
                    let after = self.check_accepted(&decision.events);
                    if let Some(item) = decision.item {
                        let view = after.view(Viewer::Screen);
                        let private = decision
                            .events
                            .iter()
                            .any(|e| matches!(e, Event::NoteTaken { .. }));
                        // A note on the case-bringer's notepad is never on the screen.
                        assert_eq!(
                            view.items.iter().any(|i| i.id == item),
                            !private,
                            "acked item"
                        );
                    }
                }
                Err(rejection) => {
                    checks::command_refusal(&rejection);
                    // What the room still records of a refusal (a warning's tally) applies
                    // and replays like any event.
                    let recorded = rejection.events();
                    if !recorded.is_empty() {
                        self.check_accepted(&recorded);
                    }
                }
            }
        }
    }

    pub(super) fn check_join(&self, join: &JoinAs) {
        // The server checks the facilitator token and passes its hash.
        let hash = match join {
            JoinAs::Facilitator { .. } => self.session.params().facilitator_token_hash.as_str(),
            JoinAs::Member { .. } => "fuzz-token-hash",
        };
        match self.session.decide_join(join, hash, self.now) {
            Ok(joined) if joined.events.is_empty() => {
                assert!(
                    matches!(join, JoinAs::Facilitator { .. })
                        && self.session.member_by_token_hash(hash) == Some(joined.member),
                    "only the facilitator token's member comes back without events"
                );
            }
            Ok(joined) => {
                self.check_accepted(&joined.events);
            }
            Err(rejection) => checks::join_refusal(&rejection),
        }
    }

    /// Applies `events` as the room does, and as a room restored from a snapshot would replay
    /// them; both must agree.
    fn check_accepted(&self, events: &[Event]) -> Session {
        let mut after = self.session.clone();
        let mut replayed = self.restored.clone();
        for event in events {
            checks::event_forms(event);
            let seq = after.seq() + 1;
            after.apply(seq, self.now, event);
            replayed.apply(seq, self.now, event);
        }
        for member in after.online_members() {
            replayed.set_online(member, true);
        }
        assert!(replayed == after, "a replay rebuilds another state");
        checks::well_formed(&after);
        let members: Vec<MemberId> = after.roster().map(|(id, _, _)| id).collect();
        checks::views(&after, &members);
        after
    }
}

fn build_all() -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    let follow_up = ReportBack {
        previous_title: "Previous meeting".into(),
        previous_date: T0 - 28 * 24 * 3_600_000,
        commitments: Vec::new(),
        kept_cases: Vec::new(),
        process: Vec::new(),
    };
    // Self-led: the facilitator takes part too.
    let closed = SessionSettings {
        allow_anonymous: false,
        keep_for_group: true,
        facilitator_takes_part: true,
        video_url: Some("https://meet.example.org/team-noord".into()),
    };
    let open = SessionSettings {
        allow_anonymous: true,
        ..SessionSettings::default()
    };
    fixtures.extend(Script::new(params("basic", None, open)).run());
    fixtures.extend(Script::new(params("incident", None, closed)).run());
    fixtures.extend(
        Script::new(params(
            "gossip",
            Some(follow_up),
            SessionSettings::default(),
        ))
        .run(),
    );
    fixtures
}

fn params(
    method: &str,
    report_back: Option<ReportBack>,
    settings: SessionSettings,
) -> SessionParams {
    SessionParams {
        code: kring_protocol::RoomCode::parse("FZZ234567").expect("a room code"),
        title: kring_protocol::Title::parse("Fuzzing").expect("a title"),
        language: Language::En,
        method: methods::find(method).expect("a built-in method").clone(),
        settings,
        created_at: T0,
        facilitator_token_hash: "fuzz-facilitator".into(),
        screen_token_hash: None,
        report_back,
        submit_limit: Default::default(),
        group_name: None,
        time_zone: kring_engine::DEFAULT_TIME_ZONE.into(),
    }
}

/// Walks a session through its method the way a group would, saving a fixture in the lobby,
/// in every phase and at the end.
struct Script {
    session: Session,
    journal: Vec<(u64, Millis, Event)>,
    params: SessionParams,
    now: Millis,
    members: Vec<MemberId>,
    fixtures: Vec<Fixture>,
}

impl Script {
    fn new(params: SessionParams) -> Script {
        Script {
            session: Session::new(params.clone()),
            journal: Vec::new(),
            params,
            now: T0,
            members: Vec::new(),
            fixtures: Vec::new(),
        }
    }

    fn run(mut self) -> Vec<Fixture> {
        let f = self.join(JoinAs::Facilitator {
            name: "Fenna".into(),
        });
        let [carla, piet, anna, bram, dirk] = ["Carla", "Piet", "Anna", "Bram", "Dirk"]
            .map(|name| self.join(JoinAs::Member { name: name.into() }));
        self.must(
            f,
            Command::SetRole {
                member: anna,
                role: Role::NoteTaker,
            },
        );
        self.must(
            f,
            Command::SetCaseBringer {
                member: Some(carla),
            },
        );
        self.save();
        self.must(f, Command::StartSession {});
        let phases = self.session.params().method.phases.len();
        for index in 0..phases {
            if index > 0 {
                self.must(f, Command::NextPhase {});
            }
            // The case-bringer last: answers and reactions need questions and advice.
            for member in [piet, anna, bram, dirk, carla] {
                self.contribute(member);
            }
            self.try_command(piet, Command::RaiseHand {});
            self.try_command(dirk, Command::RaiseHand {});
            let moderation = match index {
                1 => Some(Command::RemoveMember { member: bram }),
                2 => Some(Command::HideItem {
                    item: self.first(&InputKind::ALL),
                    hidden: true,
                }),
                3 => Some(Command::NextSpeaker {}),
                // Notes written so far are revealed, later ones stay private.
                4 => Some(Command::RevealNotes {}),
                _ => None,
            };
            if let Some(command) = moderation {
                self.try_command(f, command);
            }
            if index == 2 {
                self.leave_turns(dirk);
            }
            self.save();
        }
        self.must(f, Command::EndSession {});
        self.save();
        self.fixtures
    }

    /// What `member` may put on the boards in this phase, once each.
    fn contribute(&mut self, member: MemberId) {
        let (Some((index, _)), Some(role)) = (
            self.session.current_phase(),
            self.session.member_role(member),
        ) else {
            return;
        };
        let phase = &self.session.params().method.phases[usize::from(index)];
        let kinds = permissions::allowed(phase, role).to_vec();
        let question = self.first(&[InputKind::Question]);
        for kind in kinds {
            let command = match kind {
                InputKind::Vote => Command::Vote {
                    item: self.first(&[InputKind::Case, InputKind::Question]),
                },
                InputKind::Reaction => Command::React {
                    item: self.first(&[InputKind::Advice]),
                    reaction: Reaction {
                        temperature: Temperature::Warm,
                        useful: true,
                    },
                },
                InputKind::Answer => Command::Submit {
                    input: kind,
                    text: "An answer".into(),
                    reply_to: Some(question),
                    anonymous: false,
                    confirm: false,
                },
                _ => Command::Submit {
                    input: kind,
                    text: format!("Some {}", kind.as_str()).into(),
                    reply_to: None,
                    anonymous: role == Role::NoteTaker,
                    confirm: true,
                },
            };
            self.try_command(member, command);
        }
        self.try_command(
            member,
            Command::Triage {
                item: question,
                status: TriageStatus::Parked,
            },
        );
    }

    /// The oldest item of one of `kinds` (an id nothing has when there is none).
    fn first(&self, kinds: &[InputKind]) -> ItemId {
        let view = self.session.view(Viewer::Screen);
        let item = view.items.iter().find(|i| kinds.contains(&i.kind));
        item.map_or(ItemId(1), |i| i.id)
    }

    fn join(&mut self, join: JoinAs) -> MemberId {
        // As the server does: the facilitator's member carries the facilitator token's hash.
        let hash = match join {
            JoinAs::Facilitator { .. } => self.params.facilitator_token_hash.clone(),
            JoinAs::Member { .. } => "token-hash".to_owned(),
        };
        let joined = self
            .session
            .decide_join(&join, &hash, self.now)
            .expect("a scripted join is accepted");
        self.record(joined.events);
        self.session.set_online(joined.member, true);
        self.members.push(joined.member);
        joined.member
    }

    /// Away past the grace period: out of turns, and shown away.
    fn leave_turns(&mut self, member: MemberId) {
        self.session.set_online(member, false);
        let events = self.session.left_turns_at(member, self.now);
        self.record(events);
    }

    fn try_command(&mut self, actor: MemberId, command: Command) -> bool {
        self.now += STEP_MS;
        match self.session.decide(actor, &command, None, self.now) {
            Ok(decision) => {
                self.record(decision.events);
                true
            }
            Err(_) => false,
        }
    }

    fn must(&mut self, actor: MemberId, command: Command) {
        let name = command.name();
        assert!(self.try_command(actor, command), "scripted {name} refused");
    }

    fn record(&mut self, events: Vec<Event>) {
        for event in events {
            let seq = self.session.seq() + 1;
            self.session.apply(seq, self.now, &event);
            self.journal.push((seq, self.now, event));
        }
    }

    fn save(&mut self) {
        let mut replayed = Session::new(self.params.clone());
        for (seq, at, event) in &self.journal {
            replayed.apply(*seq, *at, event);
        }
        let snapshot = serde_json::to_string(&self.session).expect("a session serialises");
        let restored: Session = serde_json::from_str(&snapshot).expect("a snapshot parses");
        assert!(restored == replayed, "snapshot and journal disagree");
        for member in self.session.online_members() {
            replayed.set_online(member, true);
        }
        assert!(
            replayed == self.session,
            "the journal rebuilds another state"
        );
        self.fixtures.push(Fixture {
            session: self.session.clone(),
            restored,
            now: self.now + STEP_MS,
            members: self.members.clone(),
        });
    }
}

//! Properties under random command sequences: the queue and rounds stay well formed, a round
//! visits every present member once, a journal replay rebuilds the same state and views, and a
//! snapshot survives serialisation.

mod common;

use std::collections::BTreeSet;

use common::*;
use kring_engine::{Session, Viewer, methods, permissions};
use kring_protocol::{Command, Event, InputKind, ItemId, MemberId, Role, TriageStatus};
use proptest::prelude::*;

const MEMBERS: usize = 6; // the facilitator and five others

#[derive(Debug, Clone)]
enum Step {
    Command {
        actor: usize,
        command: Choice,
        stale: bool,
    },
    Online(usize, bool),
    LeftTurns(usize),
    Rejoin(usize),
    Tick,
    Wait(u32),
}

#[derive(Debug, Clone)]
enum Choice {
    RaiseHand,
    LowerHand,
    GiveFloor(usize),
    EndFloor,
    NextSpeaker,
    Pass,
    Skip(usize),
    StartRound,
    NextPhase,
    PrevPhase,
    Goto(u16),
    Extend(i32),
    Pause(bool),
    SetTimer(u32),
    TurnLimit(Option<u32>),
    RevealVotes,
    Submit(usize, usize, bool, bool),
    Answer(usize),
    Vote(usize),
    Unvote(usize),
    Triage(usize),
    React(usize),
    Withdraw(usize),
    Hide(usize, bool),
    Reveal,
    ChooseCase(usize, bool),
    KeepCase(usize, bool),
    SetCaseBringer(Option<usize>),
    SetRole(usize, bool),
    Remove(usize),
    Lock(bool),
    Rename(usize),
    End,
}

const TEXTS: &[&str] = &[
    "Wat maakt het voor jou zo lastig?",
    "Have you tried asking her?",
    "  ",
    "Een casus over werkdruk.",
    "Hoe reageerde je team?",
];

fn choice() -> impl Strategy<Value = Choice> {
    let m = 0..MEMBERS;
    let i = 0..12usize;
    prop_oneof![
        12 => Just(Choice::RaiseHand),
        6 => Just(Choice::LowerHand),
        6 => m.clone().prop_map(Choice::GiveFloor),
        3 => Just(Choice::EndFloor),
        12 => Just(Choice::NextSpeaker),
        9 => Just(Choice::Pass),
        3 => m.clone().prop_map(Choice::Skip),
        3 => Just(Choice::StartRound),
        9 => Just(Choice::NextPhase),
        3 => Just(Choice::PrevPhase),
        3 => (0..12u16).prop_map(Choice::Goto),
        3 => (-900..900i32).prop_map(Choice::Extend),
        3 => any::<bool>().prop_map(Choice::Pause),
        2 => (0..1200u32).prop_map(Choice::SetTimer),
        2 => proptest::option::of(0..200u32).prop_map(Choice::TurnLimit),
        2 => Just(Choice::RevealVotes),
        24 => (0..12usize, 0..TEXTS.len(), any::<bool>(), any::<bool>())
            .prop_map(|(k, t, a, c)| Choice::Submit(k, t, a, c)),
        6 => i.clone().prop_map(Choice::Answer),
        9 => i.clone().prop_map(Choice::Vote),
        3 => i.clone().prop_map(Choice::Unvote),
        3 => i.clone().prop_map(Choice::Triage),
        3 => i.clone().prop_map(Choice::React),
        3 => i.clone().prop_map(Choice::Withdraw),
        3 => (i.clone(), any::<bool>()).prop_map(|(i, h)| Choice::Hide(i, h)),
        3 => Just(Choice::Reveal),
        3 => (i.clone(), any::<bool>()).prop_map(|(i, k)| Choice::ChooseCase(i, k)),
        3 => (i, any::<bool>()).prop_map(|(i, k)| Choice::KeepCase(i, k)),
        3 => proptest::option::of(m.clone()).prop_map(Choice::SetCaseBringer),
        3 => (m.clone(), any::<bool>()).prop_map(|(m, n)| Choice::SetRole(m, n)),
        3 => m.clone().prop_map(Choice::Remove),
        3 => any::<bool>().prop_map(Choice::Lock),
        3 => m.prop_map(Choice::Rename),
        1 => Just(Choice::End),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let m = 0..MEMBERS;
    prop_oneof![
        20 => (m.clone(), choice(), proptest::bool::weighted(0.1))
            .prop_map(|(actor, command, stale)| Step::Command { actor, command, stale }),
        2 => (m.clone(), any::<bool>()).prop_map(|(m, o)| Step::Online(m, o)),
        1 => m.clone().prop_map(Step::LeftTurns),
        1 => m.prop_map(Step::Rejoin),
        1 => Just(Step::Tick),
        2 => (0..400_000u32).prop_map(Step::Wait),
    ]
}

struct Sim {
    room: Room,
    members: Vec<MemberId>,
}

impl Sim {
    fn new(method: &str) -> Sim {
        let mut room = Room::new(method);
        let mut members = vec![room.f];
        for name in ["Carla", "Piet", "Anna", "Bram", "Dirk"] {
            members.push(room.join(name));
        }
        room.ok(
            room.f,
            Command::SetCaseBringer {
                member: Some(members[1]),
            },
        );
        room.ok(room.f, Command::StartSession {});
        Sim { room, members }
    }

    fn item(&self, index: usize) -> ItemId {
        let items = self.room.view(self.room.f).items;
        items
            .get(index % items.len().max(1))
            .map_or(ItemId(index as u32 + 1), |i| i.id)
    }

    /// The kinds `actor` may submit now (read from the template, to aim random input at
    /// what the phase allows most of the time).
    fn allowed_now(&self, actor: MemberId) -> Vec<InputKind> {
        let (Some((index, _)), Some(role)) =
            (self.room.s.current_phase(), self.room.s.member_role(actor))
        else {
            return Vec::new();
        };
        let phase = &self.room.s.params().method.phases[usize::from(index)];
        let role = if role == Role::NoteTaker && !phase.allow.contains_key(&role) {
            Role::Participant
        } else {
            role
        };
        phase.allowed(role).to_vec()
    }

    fn command(&self, choice: &Choice, actor: MemberId) -> Command {
        let m = |i: usize| self.members[i % MEMBERS];
        match choice.clone() {
            Choice::RaiseHand => Command::RaiseHand {},
            Choice::LowerHand => Command::LowerHand {},
            Choice::GiveFloor(i) => Command::GiveFloor { member: m(i) },
            Choice::EndFloor => Command::EndFloor {},
            Choice::NextSpeaker => Command::NextSpeaker {},
            Choice::Pass => Command::Pass {},
            Choice::Skip(i) => Command::SkipSpeaker { member: m(i) },
            Choice::StartRound => Command::StartRound {},
            Choice::NextPhase => Command::NextPhase {},
            Choice::PrevPhase => Command::PrevPhase {},
            Choice::Goto(index) => Command::GotoPhase { index },
            Choice::Extend(seconds) => Command::ExtendTimer { seconds },
            Choice::Pause(paused) => Command::PauseTimer { paused },
            Choice::SetTimer(seconds) => Command::SetTimer { seconds },
            Choice::TurnLimit(seconds) => Command::SetTurnLimit { seconds },
            Choice::RevealVotes => Command::RevealVotes {},
            Choice::Submit(kind, text, anonymous, confirm) => {
                let allowed = self.allowed_now(actor);
                let input = match allowed.get(kind % allowed.len().max(1)) {
                    Some(k) if kind % 4 != 0 => *k,
                    _ => InputKind::ALL[kind % InputKind::ALL.len()],
                };
                match input {
                    InputKind::Vote => Command::Vote {
                        item: self.item(text),
                    },
                    InputKind::Reaction => Command::React {
                        item: self.item(text),
                        reaction: NOT_FOR_ME,
                    },
                    InputKind::Answer => answer(self.item(text), TEXTS[text]),
                    _ => Command::Submit {
                        input,
                        text: TEXTS[text].into(),
                        reply_to: None,
                        anonymous,
                        confirm,
                    },
                }
            }
            Choice::Answer(i) => answer(self.item(i), "Dat ging zo."),
            Choice::Vote(i) => Command::Vote { item: self.item(i) },
            Choice::Unvote(i) => Command::Unvote { item: self.item(i) },
            Choice::Triage(i) => Command::Triage {
                item: self.item(i),
                status: TriageStatus::Parked,
            },
            Choice::React(i) => Command::React {
                item: self.item(i),
                reaction: USEFUL,
            },
            Choice::Withdraw(i) => Command::Withdraw { item: self.item(i) },
            Choice::Hide(i, hidden) => Command::HideItem {
                item: self.item(i),
                hidden,
            },
            Choice::Reveal => Command::RevealNotes {},
            Choice::ChooseCase(i, keep_others) => Command::ChooseCase {
                case: self.item(i),
                keep_others,
            },
            Choice::KeepCase(i, keep) => Command::KeepCase {
                case: self.item(i),
                keep,
            },
            Choice::SetCaseBringer(i) => Command::SetCaseBringer { member: i.map(m) },
            Choice::SetRole(i, note_taker) => Command::SetRole {
                member: m(i),
                role: if note_taker {
                    Role::NoteTaker
                } else {
                    Role::Participant
                },
            },
            Choice::Remove(i) => Command::RemoveMember { member: m(i) },
            Choice::Lock(locked) => Command::LockRoom { locked },
            Choice::Rename(i) => Command::Rename {
                name: format!("Naam {i}"),
            },
            Choice::End => Command::EndSession {},
        }
    }

    fn run(&mut self, step: &Step) {
        let room = &mut self.room;
        match step {
            Step::Command {
                actor,
                command,
                stale,
            } => {
                // Facilitator commands mostly come from the facilitator and member commands
                // mostly from members; the rest tries the other way round.
                let f_only = permissions::facilitator_only(&self.command(command, self.room.f));
                let actor = match (f_only, *actor) {
                    (true, 5) => self.members[5],
                    (true, _) => self.room.f,
                    (false, 0) => self.room.f,
                    (false, i) => self.members[i],
                };
                let command = self.command(command, actor);
                let room = &mut self.room;
                let stamp = room
                    .s
                    .current_phase()
                    .map(|(_, seq)| if *stale { seq.wrapping_sub(1) } else { seq });
                let _ = room.run(actor, command, stamp);
            }
            Step::Online(i, online) => room.s.set_online(self.members[*i], *online),
            Step::LeftTurns(i) => {
                let events = room.s.left_turns_at(self.members[*i], room.now);
                room.apply(&events);
            }
            Step::Rejoin(i) => {
                let events = room.s.rejoined_turns(self.members[*i]);
                room.apply(&events);
            }
            Step::Tick => {
                room.tick();
            }
            Step::Wait(ms) => room.advance(u64::from(*ms)),
        }
    }

    fn check_invariants(&self) -> Result<(), TestCaseError> {
        let view = self.room.view(self.room.f);
        let active: BTreeSet<MemberId> = view.members.iter().map(|m| m.id).collect();
        let distinct: BTreeSet<MemberId> = view.hands.iter().copied().collect();
        prop_assert_eq!(
            distinct.len(),
            view.hands.len(),
            "a hand twice in the queue"
        );
        prop_assert!(distinct.is_subset(&active), "a removed member in the queue");
        if let Some(floor) = &view.floor {
            prop_assert!(
                active.contains(&floor.member),
                "a removed member has the floor"
            );
        }
        if let Some(round) = &view.round {
            let order: BTreeSet<MemberId> = round.order.iter().copied().collect();
            prop_assert_eq!(order.len(), round.order.len(), "a member twice in a round");
            let done: BTreeSet<MemberId> = round.done.iter().copied().collect();
            prop_assert_eq!(done.len(), round.done.len(), "a turn done twice");
            prop_assert!(round.passed.iter().all(|m| done.contains(m)));
        }
        Ok(())
    }
}

fn presence_of(session: &Session) -> Vec<MemberId> {
    session.online_members()
}

fn method() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(
        methods::builtin()
            .iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 160,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random commands from random members: the queue never holds a member twice, rounds stay
    /// well formed, nothing panics, and every accepted command produced events.
    #[test]
    fn turn_taking_stays_well_formed(method in method(), steps in prop::collection::vec(step(), 1..80)) {
        let mut sim = Sim::new(method);
        for step in &steps {
            sim.run(step);
            sim.check_invariants()?;
        }
    }

    /// Replaying the journal through `apply` on a fresh session yields the same state and the
    /// same view for everyone; a snapshot survives serialisation.
    #[test]
    fn replay_and_snapshot_rebuild_the_same_session(
        method in method(),
        steps in prop::collection::vec(step(), 1..80),
    ) {
        let mut sim = Sim::new(method);
        for step in &steps {
            sim.run(step);
        }
        let original = &sim.room.s;
        let mut replayed = sim.room.replay(params(method));
        for member in presence_of(original) {
            replayed.set_online(member, true);
        }
        prop_assert_eq!(&replayed, original);
        for viewer in sim.members.iter().map(|m| Viewer::Member(*m)).chain([Viewer::Screen]) {
            prop_assert_eq!(replayed.view(viewer), original.view(viewer));
        }

        let json = serde_json::to_string(original).expect("a snapshot serialises");
        let restored: Session = serde_json::from_str(&json).expect("a snapshot parses");
        let mut offline = original.clone();
        for member in presence_of(original) {
            offline.set_online(member, false);
        }
        prop_assert_eq!(restored, offline, "presence is not in a snapshot, the rest is");
    }

    /// A round visits every present member who takes turns exactly once, in join order except
    /// that the method puts the case-bringer last here, however the facilitator and members
    /// move it on.
    #[test]
    fn a_round_visits_every_present_member_once(
        present in prop::collection::vec(any::<bool>(), 5),
        moves in prop::collection::vec((0..3u8, 0..MEMBERS), 0..30),
    ) {
        let mut sim = Sim::new("basic");
        for (i, online) in present.iter().enumerate() {
            sim.room.s.set_online(sim.members[i + 1], *online);
        }
        let mut expected: Vec<MemberId> = sim.members[1..]
            .iter()
            .zip(&present)
            .filter(|(_, online)| **online)
            .map(|(m, _)| *m)
            .collect();
        // The core round: the case-bringer rewords the key question after hearing the group.
        let cb = sim.members[1];
        if expected.contains(&cb) {
            expected.retain(|m| *m != cb);
            expected.push(cb);
        }
        let f = sim.room.f;
        // The core round: the case-bringer takes a turn there too (rewording the key question).
        let decision = sim.room.ok(f, goto(3));
        let order = decision.events.iter().find_map(|e| match e {
            Event::PhaseChanged { round, .. } => Some(round.clone()),
            _ => None,
        });
        prop_assert_eq!(order, Some(expected.clone()));
        let mut given: Vec<MemberId> = decision
            .events
            .iter()
            .filter_map(|e| match e {
                Event::FloorGiven { member } => Some(*member),
                _ => None,
            })
            .collect();
        let record = |events: &[Event], given: &mut Vec<MemberId>| {
            given.extend(events.iter().filter_map(|e| match e {
                Event::FloorGiven { member } => Some(*member),
                _ => None,
            }));
        };
        for (kind, who) in moves {
            let who = sim.members[who];
            let result = match kind {
                0 => sim.room.run(f, Command::NextSpeaker {}, None),
                1 => sim.room.run(who, Command::Pass {}, None),
                _ => sim.room.run(f, Command::SkipSpeaker { member: who }, None),
            };
            if let Ok(decision) = result {
                record(&decision.events, &mut given);
            }
        }
        for _ in 0..2 * MEMBERS {
            if let Ok(decision) = sim.room.run(f, Command::NextSpeaker {}, None) {
                record(&decision.events, &mut given);
            }
        }
        let round = sim.room.view(f).round;
        let done: Vec<MemberId> = round.map(|r| r.done).unwrap_or_default();
        let mut sorted = done.clone();
        sorted.sort();
        let mut all = expected.clone();
        all.sort();
        prop_assert_eq!(&sorted, &all, "every present member's turn is over, once");
        let distinct: BTreeSet<MemberId> = given.iter().copied().collect();
        prop_assert_eq!(distinct.len(), given.len(), "nobody got the floor twice in the round");
        prop_assert!(given.iter().all(|m| expected.contains(m)), "only present members speak");
    }
}

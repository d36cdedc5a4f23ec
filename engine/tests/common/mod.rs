//! A room driven the way the server drives it: decide, then apply what was decided, with a
//! journal of everything applied so tests can replay it.
#![allow(dead_code)]

use kring_engine::{Decision, JoinAs, Rejection, Session, SessionParams, Viewer, methods};
use kring_protocol::{
    Command, ErrorCode, Event, InputKind, Item, ItemId, Language, MemberId, Millis, Reaction,
    ReportBack, SessionSettings, SessionView, Temperature, TriageStatus,
};

pub const T0: Millis = 1_700_000_000_000;

/// "Useful" without a temperature.
pub const USEFUL: Reaction = Reaction {
    temperature: Temperature::None,
    useful: true,
};

/// Cold and not useful: the old "not for me".
pub const NOT_FOR_ME: Reaction = Reaction {
    temperature: Temperature::Cold,
    useful: false,
};

pub fn params(method: &str) -> SessionParams {
    SessionParams {
        code: kring_protocol::RoomCode::parse("K7M3QX9PA").expect("a room code"),
        title: kring_protocol::Title::parse("Team Noord, maart").expect("a title"),
        language: Language::Nl,
        method: methods::find(method).expect("built-in method").clone(),
        settings: SessionSettings::default(),
        created_at: T0,
        facilitator_token_hash: "f-hash".into(),
        screen_token_hash: None,
        report_back: None,
        submit_limit: Default::default(),
        group_name: None,
        time_zone: kring_engine::DEFAULT_TIME_ZONE.into(),
    }
}

pub struct Room {
    pub s: Session,
    pub now: Millis,
    pub f: MemberId,
    pub journal: Vec<(u64, Millis, Event)>,
}

impl Room {
    pub fn new(method: &str) -> Room {
        Room::with_params(params(method))
    }

    pub fn with_params(params: SessionParams) -> Room {
        let mut room = Room {
            s: Session::new(params),
            now: T0,
            f: MemberId(0),
            journal: Vec::new(),
        };
        let joined = room
            .s
            .decide_join(
                &JoinAs::Facilitator {
                    name: "Fenna".into(),
                },
                "f-hash",
                room.now,
            )
            .expect("facilitator joins");
        room.apply(&joined.events);
        room.s.set_online(joined.member, true);
        room.f = joined.member;
        room
    }

    pub fn apply(&mut self, events: &[Event]) {
        for event in events {
            let seq = self.s.seq() + 1;
            self.s.apply(seq, self.now, event);
            self.journal.push((seq, self.now, event.clone()));
        }
    }

    pub fn join(&mut self, name: &str) -> MemberId {
        let joined = self
            .s
            .decide_join(
                &JoinAs::Member { name: name.into() },
                &format!("hash-{name}"),
                self.now,
            )
            .expect("member joins");
        self.apply(&joined.events);
        self.s.set_online(joined.member, true);
        joined.member
    }

    /// Decides and, when accepted, applies; of a refusal, applies what the room records of it
    /// (a warning's tally).
    pub fn run(
        &mut self,
        actor: MemberId,
        command: Command,
        stamp: Option<u32>,
    ) -> Result<Decision, Rejection> {
        let decision = match self.s.decide(actor, &command, stamp, self.now) {
            Ok(decision) => decision,
            Err(rejection) => {
                self.apply(&rejection.events());
                return Err(rejection);
            }
        };
        assert!(
            !decision.events.is_empty(),
            "{} accepted without events",
            command.name()
        );
        self.apply(&decision.events);
        Ok(decision)
    }

    #[track_caller]
    pub fn ok(&mut self, actor: MemberId, command: Command) -> Decision {
        let name = command.name();
        match self.run(actor, command, None) {
            Ok(d) => d,
            Err(r) => panic!("{name} by {actor} refused: {:?}", r.code),
        }
    }

    #[track_caller]
    pub fn err(&mut self, actor: MemberId, command: Command) -> Rejection {
        let name = command.name();
        match self.run(actor, command, None) {
            Ok(d) => panic!("{name} by {actor} accepted: {d:?}"),
            Err(r) => r,
        }
    }

    #[track_caller]
    pub fn code(&mut self, actor: MemberId, command: Command) -> ErrorCode {
        self.err(actor, command).code
    }

    #[track_caller]
    pub fn submit(&mut self, actor: MemberId, kind: InputKind, text: &str) -> ItemId {
        self.ok(actor, submit(kind, text))
            .item
            .expect("submit returns the item")
    }

    pub fn advance(&mut self, ms: Millis) {
        self.now += ms;
    }

    pub fn tick(&mut self) -> Vec<Event> {
        let events = self.s.tick(self.now);
        self.apply(&events);
        events
    }

    pub fn view(&self, viewer: MemberId) -> SessionView {
        self.s.view(Viewer::Member(viewer))
    }

    pub fn phase(&self) -> (u16, u32) {
        self.s.current_phase().expect("running")
    }

    pub fn stamp(&self) -> u32 {
        self.phase().1
    }

    pub fn floor(&self) -> Option<MemberId> {
        self.view(self.f).floor.map(|f| f.member)
    }

    /// Puts an item on the board directly (test setup), as if made in another phase.
    pub fn plant(&mut self, kind: InputKind, by: MemberId, text: &str) -> ItemId {
        let id = ItemId(
            self.view(self.f)
                .items
                .iter()
                .map(|i| i.id.0)
                .max()
                .unwrap_or(0)
                + 1000,
        );
        self.apply(&[Event::ItemAdded {
            item: item(id, kind, by, text),
        }]);
        id
    }

    /// Replays the journal into a fresh session made from the same parameters.
    pub fn replay(&self, params: SessionParams) -> Session {
        let mut fresh = Session::new(params);
        for (seq, at, event) in &self.journal {
            fresh.apply(*seq, *at, event);
        }
        fresh
    }
}

pub fn item(id: ItemId, kind: InputKind, by: MemberId, text: &str) -> Item {
    Item {
        id,
        kind,
        by: Some(by),
        anonymous: false,
        text: Some(text.into()),
        phase: u16::MAX,
        phase_seq: 0,
        case_round: 0,
        at: T0,
        reply_to: None,
        votes: 0,
        status: TriageStatus::Open,
        hidden: false,
        kept: false,
        chosen: false,
        revealed: false,
    }
}

pub fn submit(kind: InputKind, text: &str) -> Command {
    Command::Submit {
        input: kind,
        text: text.into(),
        reply_to: None,
        anonymous: false,
        confirm: false,
    }
}

pub fn answer(question: ItemId, text: &str) -> Command {
    Command::Submit {
        input: InputKind::Answer,
        text: text.into(),
        reply_to: Some(question),
        anonymous: false,
        confirm: false,
    }
}

pub fn report_back() -> ReportBack {
    ReportBack {
        previous_title: "Team Noord, januari".into(),
        previous_date: T0 - 42 * 24 * 3600 * 1000,
        commitments: Vec::new(),
        kept_cases: Vec::new(),
        process: Vec::new(),
    }
}

pub fn goto(index: u16) -> Command {
    Command::GotoPhase { index }
}

pub fn next() -> Command {
    Command::NextPhase {}
}

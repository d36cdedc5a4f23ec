//! What a client can know: the events it received, applied by the engine to the view the room
//! first sent, plus what the client itself did (its own items and votes, which the public
//! events do not attribute).

use std::collections::{BTreeMap, HashMap};

use kring_engine::{Session, SessionParams, Viewer};
use kring_protocol::*;

/// The room's history as the shared screen received it, from the very first event.
pub struct Fold {
    session: Session,
    /// The speaker queue as the events describe it, to catch a hand raised twice.
    hands: Vec<MemberId>,
    /// Public events carry a revealed note's text only in `notes_revealed`.
    revealed: HashMap<ItemId, Text>,
    /// Per case round, the sequence number at which its case-bringer last changed.
    reset: HashMap<u16, Seq>,
}

/// What one member did that only the member's own view shows.
#[derive(Default)]
pub struct Mine {
    /// Items this member made, with the text as the server keeps it.
    pub items: BTreeMap<ItemId, Text>,
    /// Dots and upvotes, in the order given (a case once per dot).
    pub votes: Vec<ItemId>,
    /// Reactions as case-bringer, latest per item (private unless shared), with the sequence
    /// number of their acknowledgement.
    pub reactions: Vec<(Seq, ReactionEntry)>,
}

impl Mine {
    /// Records what an accepted command of this member changed about it.
    pub fn accepted(&mut self, command: &Command, ack: &Ack) {
        match command {
            Command::Submit { text, .. } => {
                let item = ack.item.expect("a submit's ack names its item");
                self.items.insert(item, text.trim().into());
            }
            Command::Vote { item } => self.votes.push(*item),
            Command::React { item, reaction } => {
                self.reactions.retain(|(_, r)| r.item != *item);
                if *reaction != Reaction::default() {
                    let entry = ReactionEntry {
                        item: *item,
                        reaction: *reaction,
                    };
                    self.reactions.push((ack.seq, entry));
                }
            }
            Command::Unvote { item } => {
                // The engine takes back the latest of this member's votes on the item.
                let last = self.votes.iter().rposition(|v| v == item);
                self.votes
                    .remove(last.expect("an accepted unvote had a vote"));
            }
            _ => {}
        }
    }
}

impl Fold {
    /// Starts from the screen's welcome in an empty room, which must be what the engine shows.
    pub fn new(welcome: &SessionView) -> Fold {
        assert!(welcome.report_back.is_none(), "a first meeting");
        let params = SessionParams {
            code: welcome.code.clone(),
            title: welcome.title.clone(),
            language: welcome.language,
            method: welcome.method.clone(),
            settings: welcome.settings.clone(),
            created_at: 0,
            facilitator_token_hash: String::new(),
            screen_token_hash: None,
            report_back: None,
            submit_limit: Default::default(),
            group_name: welcome.group_name.clone(),
            time_zone: welcome.time_zone.clone(),
        };
        let fold = Fold {
            session: Session::new(params),
            hands: Vec::new(),
            revealed: HashMap::new(),
            reset: HashMap::new(),
        };
        assert_eq!(
            &fold.view(None, &Mine::default()),
            welcome,
            "the empty room"
        );
        fold
    }

    pub fn seq(&self) -> Seq {
        self.session.seq()
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn apply(&mut self, e: &Sequenced) {
        assert_eq!(e.seq, self.seq() + 1, "the screen's history has no gap");
        self.track_hands(&e.event);
        if let Event::NotesRevealed { notes } = &e.event {
            for note in notes {
                let text = note.text.clone().expect("a revealed note shows its text");
                self.revealed.insert(note.id, text);
            }
        }
        if let Event::RoleChanged {
            member,
            role: Role::CaseBringer,
        } = &e.event
        {
            let round = self.session.case_round();
            let view = self.session.view(Viewer::Screen);
            if view.cases[usize::from(round)].case_bringer != Some(*member) {
                self.reset.insert(round, e.seq);
            }
        }
        self.session.apply(e.seq, e.at, &e.event);
        // Every member in these tests is connected from joining until removed.
        if let Event::MemberJoined { member, .. } = &e.event {
            self.session.set_online(member.id, true);
        }
    }

    /// The queue as a client keeps it from events: a hand is never raised while up.
    fn track_hands(&mut self, event: &Event) {
        match event {
            Event::HandRaised { member } => {
                assert!(!self.hands.contains(member), "{member} raised a hand twice");
                self.hands.push(*member);
            }
            Event::HandLowered { member }
            | Event::MemberRemoved { member }
            | Event::LeftTurns { member } => self.hands.retain(|m| m != member),
            Event::PhaseChanged { .. } | Event::SessionEnded {} => self.hands.clear(),
            _ => {}
        }
    }

    /// The view `member` (`None`: the screen) can build from the events and its own acts.
    pub fn view(&self, member: Option<MemberId>, mine: &Mine) -> SessionView {
        let viewer = member.map_or(Viewer::Screen, Viewer::Member);
        let mut view = self.session.view(viewer);
        let role = view.me.role;
        for item in &mut view.items {
            let shown = !item.hidden || role == Role::Facilitator;
            if let Some(text) = self.revealed.get(&item.id).filter(|_| shown) {
                item.text = Some(text.clone());
            }
        }
        if let Some(member) = member {
            view.me.items = own_items(&view.items, mine);
            view.me.votes = own_votes(&view.items, mine);
            view.me.notes = own_notes(&view.items, mine, member);
            view.me.reactions = self.own_reactions(member, mine);
        }
        assert_eq!(
            view.hands, self.hands,
            "the queue the events describe is the engine's"
        );
        view
    }
}

impl Fold {
    /// My reactions to the items of the case rounds I bring now, case round by case round;
    /// a round's case-bringer changing drops what was given before.
    fn own_reactions(&self, member: MemberId, mine: &Mine) -> Vec<ReactionEntry> {
        let view = self.session.view(Viewer::Screen);
        let mut out = Vec::new();
        for round in view.cases.iter().filter(|c| c.case_bringer == Some(member)) {
            let since = self.reset.get(&round.index).copied().unwrap_or(0);
            out.extend(
                mine.reactions
                    .iter()
                    .filter(|(seq, r)| {
                        *seq > since
                            && view
                                .items
                                .iter()
                                .any(|i| i.id == r.item && i.case_round == round.index)
                    })
                    .map(|(_, r)| *r),
            );
        }
        out
    }
}

fn own_items(items: &[Item], mine: &Mine) -> Vec<ItemId> {
    items
        .iter()
        .filter(|i| mine.items.contains_key(&i.id))
        .map(|i| i.id)
        .collect()
}

fn own_votes(items: &[Item], mine: &Mine) -> Vec<ItemId> {
    // Votes on a withdrawn item go with it.
    mine.votes
        .iter()
        .copied()
        .filter(|v| items.iter().any(|i| i.id == *v))
        .collect()
}

fn own_notes(items: &[Item], mine: &Mine, member: MemberId) -> Vec<Item> {
    items
        .iter()
        .filter(|i| i.kind == InputKind::PrivateNote && !i.revealed)
        .filter_map(|i| {
            let text = mine.items.get(&i.id)?;
            Some(Item {
                by: Some(member),
                text: Some(text.clone()),
                ..i.clone()
            })
        })
        .collect()
}

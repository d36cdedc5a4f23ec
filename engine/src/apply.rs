//! Evolving the state by recorded events. Only facts from the event and its timestamp are used,
//! so replaying a journal rebuilds the same state.

use kring_protocol::{
    Event, Floor, InputKind, Item, MemberId, Millis, ReactionEntry, Role, Seq, SessionStatus,
    Temperature, Warning, WarningTally,
};

use crate::limits;
use crate::state::{CaseRound, Member, PhaseRun, Rating, Round, Session, Vote};

impl Session {
    /// Applies one recorded event. `seq` must follow the current sequence number; `at` is the
    /// event's timestamp.
    pub fn apply(&mut self, seq: Seq, at: Millis, event: &Event) {
        debug_assert_eq!(seq, self.seq + 1, "events are applied in order");
        self.seq = seq;
        match event {
            Event::MemberJoined { member, token_hash } => {
                debug_assert!(self.members.iter().all(|m| m.id() != member.id));
                self.attest.note_role(member.id, member.role);
                self.members.push(Member {
                    info: member.clone(),
                    token_hash: token_hash.clone(),
                    removed: false,
                    joined_at: at,
                    joined_seq: seq,
                    speaking_ms: 0,
                    in_turns: true,
                    recent: Vec::new(),
                    co_facilitator: false,
                    renames: 0,
                    renamed_at: 0,
                    online: false,
                    seen_at: 0,
                });
            }
            Event::MemberRenamed { member, name } => {
                if let Some(m) = self.member_entry(*member) {
                    m.info.name = name.clone();
                    m.renames = m.renames.saturating_add(1);
                    m.renamed_at = at;
                }
            }
            Event::RoleChanged { member, role } => {
                self.attest.note_role(*member, *role);
                if let Some(m) = self.member_entry(*member) {
                    m.info.role = *role;
                }
                if *role == Role::CaseBringer {
                    let round = self.round_state_mut();
                    if round.case_bringer != Some(*member) {
                        // Reactions are the case-bringer's own and private: a new case-bringer
                        // of this case round does not inherit the previous one's.
                        round.reactions.clear();
                        round.reactions_shared = false;
                    }
                    round.case_bringer = Some(*member);
                }
            }
            Event::MemberRemoved { member } => {
                self.take_out_of_turns(*member);
                if let Some(m) = self.member_entry(*member) {
                    m.removed = true;
                    // The server closes their connection; presence must not outlive that.
                    m.online = false;
                }
            }
            Event::PhaseChanged {
                index,
                phase_seq,
                deadline,
                round,
            } => {
                if self.status == SessionStatus::Lobby {
                    self.status = SessionStatus::Running;
                    self.started_at = Some(at);
                }
                self.round_state_mut().started_at.get_or_insert(at);
                self.phase = Some(PhaseRun {
                    index: *index,
                    seq: *phase_seq,
                    started_at: at,
                    deadline: *deadline,
                    time_up: false,
                    paused_left: None,
                    turn_limit: None,
                    votes_revealed: false,
                });
                self.hands.clear();
                self.floor = None;
                self.round = (!round.is_empty()).then(|| Round {
                    order: round.clone(),
                    ..Round::default()
                });
            }
            Event::TimerChanged { deadline } => {
                if let Some(phase) = &mut self.phase {
                    phase.deadline = *deadline;
                    phase.time_up = false;
                    phase.paused_left = None;
                }
            }
            Event::TimerPaused { left_ms } => {
                if let Some(phase) = &mut self.phase {
                    phase.deadline = None;
                    phase.time_up = false;
                    phase.paused_left = Some(*left_ms);
                }
            }
            Event::TurnLimitSet { seconds } => {
                if let Some(phase) = &mut self.phase {
                    phase.turn_limit = *seconds;
                }
            }
            Event::VotesRevealed {} => {
                if let Some(phase) = &mut self.phase {
                    phase.votes_revealed = true;
                }
            }
            Event::TimeUp { phase_seq } => {
                if let Some(phase) = self.phase.as_mut().filter(|p| p.seq == *phase_seq) {
                    phase.time_up = true;
                }
            }
            Event::SessionEnded {} => {
                self.status = SessionStatus::Ended;
                self.ended_at = Some(at);
                self.hands.clear();
                self.floor = None;
            }
            Event::RoomLocked { locked } => self.locked = *locked,
            Event::HandRaised { member } => {
                if !self.hands.contains(member) {
                    self.hands.push(*member);
                }
            }
            Event::HandLowered { member } => self.hands.retain(|m| m != member),
            Event::FloorGiven { member } => {
                self.floor = Some(Floor {
                    member: *member,
                    since: at,
                });
            }
            Event::FloorEnded {
                member,
                speaking_ms,
            } => {
                if let Some(m) = self.member_entry(*member) {
                    m.speaking_ms = *speaking_ms;
                }
                if self.floor.as_ref().is_some_and(|f| f.member == *member) {
                    self.floor = None;
                }
            }
            Event::RoundStarted { order } => {
                self.round = Some(Round {
                    order: order.clone(),
                    ..Round::default()
                });
            }
            Event::RoundTurnDone { member, passed } => {
                if let Some(round) = &mut self.round
                    && !round.done.contains(member)
                {
                    round.done.push(*member);
                    if *passed {
                        round.passed.push(*member);
                    }
                }
            }
            Event::LeftTurns { member } => {
                self.take_out_of_turns(*member);
                if let Some(m) = self.member_entry(*member) {
                    m.in_turns = false;
                }
            }
            Event::RejoinedTurns { member } => {
                if let Some(m) = self.member_entry(*member) {
                    m.in_turns = true;
                }
            }
            Event::ItemAdded { item } => self.add_item(item, at),
            Event::ItemVoted {
                item,
                votes,
                up,
                by,
                ..
            } => {
                if let Some(member) = by {
                    if *up {
                        self.votes.push(Vote {
                            member: *member,
                            item: *item,
                        });
                    } else if let Some(pos) = self
                        .votes
                        .iter()
                        .rposition(|v| v.member == *member && v.item == *item)
                    {
                        self.votes.remove(pos);
                    }
                }
                if let Some(i) = self.item_entry(*item) {
                    i.votes = *votes;
                }
            }
            Event::ItemTriaged {
                item,
                status,
                temperature,
            } => {
                if let Some(i) = self.item_entry(*item) {
                    i.status = *status;
                }
                // A journal from before reactions were private: triage set the temperature.
                if let Some(temperature) = temperature {
                    self.upgrade_temperature(*item, *temperature);
                }
            }
            Event::ItemHidden { item, hidden, .. } => {
                if let Some(i) = self.item_entry(*item) {
                    i.hidden = *hidden;
                }
            }
            Event::ItemReacted {
                item: Some(item),
                reaction: Some(reaction),
                ..
            } => {
                let entry = ReactionEntry {
                    item: *item,
                    reaction: *reaction,
                };
                Session::upsert_reaction(&mut self.round_state_mut().reactions, entry);
            }
            // The public form (what a client folds) carries nothing to apply.
            Event::ItemReacted { .. } => {}
            Event::ReactionsShared {
                case_round,
                shared,
                reactions,
            } => {
                if let Some(round) = self.cases.get_mut(usize::from(*case_round)) {
                    round.reactions_shared = *shared;
                    // What the event shows is what a client that folds it knows (the same
                    // entries the room already holds).
                    for entry in reactions {
                        Session::upsert_reaction(&mut round.reactions, *entry);
                    }
                }
            }
            Event::NoteTaken { note: Some(note) } => {
                // Like an item: its id is used, it counts for the rate limit and it costs
                // its bytes in the case-bringer's view (`me.notepad`).
                self.last_item = self.last_item.max(note.id.0);
                let mut note = note.clone();
                note.at = at;
                self.note_submission(note.by, at);
                self.items_bytes += limits::cost_of(&note);
                self.notepad.push(note);
            }
            Event::NoteTaken { note: None } => {}
            Event::KeyQuestionChosen { item } => {
                let round = self.case_round();
                for i in &mut self.items {
                    if i.kind == InputKind::KeyQuestion && i.case_round == round {
                        i.chosen = i.id == *item;
                    }
                }
                self.round_state_mut().key_question = Some(*item);
            }
            Event::RoundReordered { order } => {
                if let Some(round) = &mut self.round {
                    round.order = order.clone();
                }
            }
            Event::CommitmentCarried { item, carry } => {
                if let Some(i) = self.item_entry(*item) {
                    i.kept = *carry;
                }
            }
            Event::ProcessRated {
                case_round,
                by,
                scores,
                remark,
                ..
            } => {
                if let (Some(by), Some(scores), Some(round)) =
                    (by, scores, self.cases.get_mut(usize::from(*case_round)))
                {
                    round.ratings.retain(|r| r.by != *by);
                    round.ratings.push(Rating {
                        by: *by,
                        scores: scores.clone(),
                        remark: remark.clone(),
                    });
                }
            }
            Event::CoFacilitatorSet { member, on } => {
                if let Some(m) = self.member_entry(*member) {
                    m.co_facilitator = *on;
                }
                if *on {
                    self.attest.note_co_facilitator(*member);
                }
            }
            Event::CaseRoundStarted {
                method,
                case_bringer,
                ..
            } => {
                let mut round = CaseRound::new(method.clone(), *case_bringer);
                round.started_at = Some(at);
                self.cases.push(round);
            }
            Event::ItemWithdrawn { item } => {
                let freed = self.item(*item).map_or(0, limits::cost_of);
                self.items_bytes = self.items_bytes.saturating_sub(freed);
                self.items.retain(|i| i.id != *item);
                self.votes.retain(|v| v.item != *item);
                // A reaction goes with its item (it costs view bytes the item paid for).
                for round in &mut self.cases {
                    round.reactions.retain(|r| r.item != *item);
                }
            }
            Event::CaseChosen { case, .. } => {
                // Only this round's earlier choice is undone; earlier cases stay chosen.
                let previous = self.round_state().case;
                for i in &mut self.items {
                    if i.kind == InputKind::Case && (Some(i.id) == previous || i.id == *case) {
                        i.chosen = i.id == *case;
                    }
                }
                self.round_state_mut().case = Some(*case);
            }
            Event::CaseKept { case, keep } => {
                if let Some(i) = self.item_entry(*case) {
                    i.kept = *keep;
                }
            }
            Event::NotesRevealed { notes } => {
                for note in notes {
                    if let Some(i) = self.item_entry(note.id) {
                        i.revealed = true;
                    }
                }
            }
            Event::PresenceConfirmed { .. }
            | Event::ReflectionWritten { .. }
            | Event::ListConfirmed {}
            | Event::MinutesSet { .. } => self.attest.apply(at, event),
            Event::WarningShown { warning } => {
                let t = self.tally_entry(*warning);
                t.shown = t.shown.saturating_add(1);
            }
            Event::WarningOverridden { warning } => {
                let t = self.tally_entry(*warning);
                t.sent_anyway = t.sent_anyway.saturating_add(1);
            }
        }
    }

    /// The tally of one warning, kept in the order of [`Warning::ALL`].
    fn tally_entry(&mut self, warning: Warning) -> &mut WarningTally {
        let at = match self.warnings.binary_search_by_key(&warning, |t| t.warning) {
            Ok(at) => at,
            Err(at) => {
                self.warnings.insert(
                    at,
                    WarningTally {
                        warning,
                        shown: 0,
                        sent_anyway: 0,
                    },
                );
                at
            }
        };
        &mut self.warnings[at]
    }

    fn member_entry(&mut self, id: MemberId) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.id() == id)
    }

    fn item_entry(&mut self, id: kring_protocol::ItemId) -> Option<&mut Item> {
        self.items.iter_mut().find(|i| i.id == id)
    }

    /// Records an old journal's triage temperature as the case-bringer's reaction to the
    /// question (keeping whether they found it useful).
    fn upgrade_temperature(&mut self, item: kring_protocol::ItemId, temperature: Temperature) {
        let Some(round) = self.item(item).map(|i| usize::from(i.case_round)) else {
            return;
        };
        let Some(case) = self.cases.get_mut(round) else {
            return;
        };
        let mut reaction = case
            .reactions
            .iter()
            .find(|r| r.item == item)
            .map(|r| r.reaction)
            .unwrap_or_default();
        reaction.temperature = temperature;
        Session::upsert_reaction(&mut case.reactions, ReactionEntry { item, reaction });
    }

    fn add_item(&mut self, item: &Item, at: Millis) {
        let mut item = item.clone();
        item.at = at;
        self.last_item = self.last_item.max(item.id.0);
        self.note_submission(item.by, at);
        self.items_bytes += limits::cost_of(&item);
        self.items.push(item);
    }

    /// Remembers a submission's time for its author's rate limit.
    fn note_submission(&mut self, by: Option<MemberId>, at: Millis) {
        let keep = self.params.submit_limit.max;
        if let Some(author) = by.and_then(|by| self.member_entry(by)) {
            author.recent.push(at);
            let excess = author.recent.len().saturating_sub(keep);
            author.recent.drain(..excess);
        }
    }

    /// Lowers the member's hand, takes them out of the pending part of the round and off the
    /// floor. The decision recorded `floor_ended` before, so no speaking time is lost here.
    fn take_out_of_turns(&mut self, member: MemberId) {
        self.hands.retain(|m| *m != member);
        if let Some(round) = &mut self.round
            && !round.is_done(member)
        {
            round.order.retain(|m| *m != member);
        }
        if self.floor.as_ref().is_some_and(|f| f.member == member) {
            self.floor = None;
        }
    }
}

//! The boards: submitting items, votes and upvotes, triage, reactions, hiding, withdrawing,
//! revealing private notes, and choosing and keeping cases.

use kring_protocol::{
    ErrorCode, Event, InputKind, Item, ItemId, Role, TextSpan, TriageStatus, Warning,
};

use crate::advice::Verdict;
use crate::decide::Actor;
use crate::state::Session;
use crate::{Decision, Rejection, advice, limits, permissions};

/// A warning on a submitted text: which, the words that made it advice-like (spans of the
/// trimmed text) and, for advice in an analysis, the later phases that take advice.
struct TextWarning {
    warning: Warning,
    cues: Vec<TextSpan>,
    phases: Vec<u16>,
}

/// The fields of a `submit` command.
pub(crate) struct Submission<'a> {
    pub kind: InputKind,
    pub text: &'a str,
    pub reply_to: Option<ItemId>,
    pub anonymous: bool,
    pub confirm: bool,
}

impl Session {
    pub(crate) fn submit(&self, actor: Actor, sub: Submission<'_>) -> Result<Decision, Rejection> {
        let (run, phase) = self.running()?;
        if !sub.kind.is_text() {
            return Err(Rejection {
                detail: Some("votes and reactions have their own commands".to_owned()),
                ..Rejection::field(ErrorCode::InvalidValue, "command.input")
            });
        }
        self.check_may(actor, sub.kind)?;
        if sub.anonymous && !self.params.settings.allow_anonymous {
            return Err(Rejection::field(
                ErrorCode::AnonymityDisabled,
                "command.anonymous",
            ));
        }
        let text = sub.text.trim();
        if text.is_empty() {
            return Err(Rejection::field(ErrorCode::TextEmpty, "command.text"));
        }
        if text.chars().count() > limits::max_chars(sub.kind) {
            return Err(Rejection::field(ErrorCode::TextTooLong, "command.text"));
        }
        if limits::has_forbidden_control(text) {
            return Err(Rejection {
                detail: Some("control characters other than line breaks and tabs".to_owned()),
                ..Rejection::field(ErrorCode::InvalidValue, "command.text")
            });
        }
        self.check_reply_to(sub.kind, sub.reply_to)?;
        let round = self.case_round();
        if phase.one_per_turn && crate::permissions::takes_a_turn(sub.kind) {
            self.check_one_per_turn(actor, sub.kind, text)?;
        }
        if let Some(&max) = phase.max_per_member.get(&sub.kind) {
            // Counted over every visit of the phase: going back does not grant new questions.
            let made = self
                .items
                .iter()
                .filter(|i| i.by == Some(actor.id) && i.kind == sub.kind && i.phase == run.index)
                .filter(|i| i.case_round == round)
                .count();
            if made >= usize::from(max) {
                return Err(ErrorCode::LimitReached.into());
            }
        }
        let by_member = self.items.iter().filter(|i| i.by == Some(actor.id)).count();
        if by_member >= limits::MAX_ITEMS_PER_MEMBER
            || self.items.len() >= limits::MAX_ITEMS_PER_ROOM
        {
            return Err(Rejection {
                detail: Some("the session holds as many items as it can".to_owned()),
                ..Rejection::new(ErrorCode::LimitReached)
            });
        }
        // Every welcome carries the boards: the room holds no more text than its largest view
        // can deliver in one message.
        if self.items_bytes + limits::item_cost(sub.kind, text) > self.item_budget() {
            return Err(Rejection {
                detail: Some("the session holds as much text as it can".to_owned()),
                ..Rejection::new(ErrorCode::LimitReached)
            });
        }
        let recent = self.member(actor.id).map_or(&[][..], |m| &m.recent);
        if let Some(retry) = limits::rate_retry_after(self.params.submit_limit, recent, actor.now) {
            return Err(Rejection {
                retry_after_ms: Some(retry),
                ..Rejection::new(ErrorCode::RateLimited)
            });
        }
        // Last, so "send anyway" never runs into another refusal the member could not see.
        let warning = self.text_warning(actor, sub.kind, text, run.index);
        if let Some(w) = &warning
            && !sub.confirm
        {
            // Spans of the text as sent, not as trimmed.
            let lead = sub.text[..sub.text.len() - sub.text.trim_start().len()]
                .encode_utf16()
                .count();
            let lead = u32::try_from(lead).unwrap_or(u32::MAX);
            return Err(Rejection {
                warned: Some(w.warning),
                phases: w.phases.clone(),
                cues: w
                    .cues
                    .iter()
                    .map(|c| TextSpan {
                        start: c.start.saturating_add(lead),
                        end: c.end.saturating_add(lead),
                    })
                    .collect(),
                ..Rejection::field(w.warning.code(), "command.text")
            });
        }
        let id = ItemId(self.last_item.saturating_add(1));
        let item = Item {
            id,
            kind: sub.kind,
            by: Some(actor.id),
            anonymous: sub.anonymous,
            text: Some(text.into()),
            phase: run.index,
            phase_seq: run.seq,
            case_round: round,
            at: actor.now,
            reply_to: sub.reply_to,
            votes: 0,
            status: TriageStatus::Open,
            hidden: false,
            kept: false,
            chosen: false,
            revealed: false,
        };
        let mut events = match sub.kind {
            InputKind::Notepad => vec![Event::NoteTaken { note: Some(item) }],
            // The case-bringer's own wording is their choice; a proposal waits to be picked.
            InputKind::KeyQuestion if actor.role == Role::CaseBringer => vec![
                Event::ItemAdded { item },
                Event::KeyQuestionChosen { item: id },
            ],
            _ => vec![Event::ItemAdded { item }],
        };
        if let Some(w) = warning {
            events.push(Event::WarningOverridden { warning: w.warning });
        }
        Ok(Decision {
            events,
            item: Some(id),
        })
    }

    /// One contribution per turn: only the member on the floor writes, once per turn, and a
    /// question is asked once.
    fn check_one_per_turn(
        &self,
        actor: Actor,
        kind: InputKind,
        text: &str,
    ) -> Result<(), Rejection> {
        let (run, _) = self.running()?;
        let Some(floor) = self.floor.as_ref().filter(|f| f.member == actor.id) else {
            return Err(ErrorCode::WaitYourTurn.into());
        };
        let used = self.items.iter().any(|i| {
            i.by == Some(actor.id)
                && i.phase_seq == run.seq
                && i.at >= floor.since
                && crate::permissions::takes_a_turn(i.kind)
        });
        if used {
            return Err(Rejection::detail(
                ErrorCode::WaitYourTurn,
                "one contribution per turn; the next one waits for your next turn",
            ));
        }
        let asked = |i: &&Item| {
            i.kind == kind
                && i.case_round == self.case_round()
                && i.text.as_deref().is_some_and(|t| same_words(t, text))
        };
        if kind == InputKind::Question && self.items.iter().any(|i| asked(&i)) {
            return Err(Rejection {
                detail: Some("this question was asked already; each question once".into()),
                ..Rejection::field(ErrorCode::InvalidValue, "command.text")
            });
        }
        Ok(())
    }

    /// Whether a text breaks the method where it is typed: a question that is advice or asks
    /// nothing, or an analysis that gives advice while the member may not give advice yet (in
    /// the gossip, Troika and Tietze methods analysis and advice share a phase, and advice is
    /// welcome there).
    fn text_warning(
        &self,
        actor: Actor,
        kind: InputKind,
        text: &str,
        phase: u16,
    ) -> Option<TextWarning> {
        let method = self.method();
        let verdict = match kind {
            InputKind::Question => advice::check(text, advice::Context::Question),
            InputKind::Analysis => {
                let here = method.phases.get(usize::from(phase))?;
                if permissions::may_submit(here, actor.role, InputKind::Advice) {
                    return None;
                }
                advice::check(text, advice::Context::Analysis)
            }
            _ => return None,
        };
        let (warning, cues) = match (kind, verdict) {
            (_, Verdict::Fine) => return None,
            (InputKind::Analysis, Verdict::Advice { cues, .. }) => {
                (Warning::AdviceInAnalysis, cues)
            }
            (
                _,
                Verdict::Advice {
                    question: true,
                    cues,
                    ..
                },
            ) => (Warning::AdviceQuestion, cues),
            (_, Verdict::Advice { cues, .. }) => (Warning::AdviceStatement, cues),
            (_, Verdict::NotAQuestion) => (Warning::NotAQuestion, Vec::new()),
        };
        let phases = if warning == Warning::AdviceInAnalysis {
            permissions::phases_allowing(method, actor.role, InputKind::Advice)
                .into_iter()
                .filter(|&i| i > phase)
                .collect()
        } else {
            Vec::new()
        };
        Some(TextWarning {
            warning,
            cues,
            phases,
        })
    }

    /// An answer answers a question; nothing else replies to anything.
    fn check_reply_to(&self, kind: InputKind, reply_to: Option<ItemId>) -> Result<(), Rejection> {
        const FIELD: &str = "command.reply_to";
        match (kind, reply_to) {
            (InputKind::Answer, None) => Err(Rejection::field(ErrorCode::InvalidTarget, FIELD)),
            (InputKind::Answer, Some(target)) => match self.item(target) {
                None => Err(Rejection::field(ErrorCode::NoSuchItem, FIELD)),
                Some(item) if item.kind != InputKind::Question => {
                    Err(Rejection::field(ErrorCode::InvalidTarget, FIELD))
                }
                Some(_) => Ok(()),
            },
            (_, Some(_)) => Err(Rejection::field(ErrorCode::InvalidTarget, FIELD)),
            (_, None) => Ok(()),
        }
    }

    fn existing(&self, item: ItemId) -> Result<&Item, Rejection> {
        self.item(item)
            .ok_or_else(|| Rejection::field(ErrorCode::NoSuchItem, "command.item"))
    }

    /// A dot on a case (the method's dots, stacking allowed) or an upvote on a question (one
    /// per member, for whoever may ask questions now). `up == false` takes one back.
    pub(crate) fn vote(&self, actor: Actor, item: ItemId, up: bool) -> Result<Decision, Rejection> {
        let target = self.existing(item)?;
        let round = self.case_round();
        if target.case_round != round {
            return Err(Rejection::field(ErrorCode::InvalidTarget, "command.item"));
        }
        let mine = |i: ItemId| {
            self.votes
                .iter()
                .filter(|v| v.member == actor.id && v.item == i)
                .count()
        };
        match target.kind {
            InputKind::Case => {
                self.check_may(actor, InputKind::Vote)?;
                let used: usize = self
                    .votes
                    .iter()
                    .filter(|v| v.member == actor.id)
                    .filter(|v| {
                        self.item(v.item)
                            .is_some_and(|i| i.kind == InputKind::Case && i.case_round == round)
                    })
                    .count();
                if up && used >= usize::from(self.method().dots_per_member) {
                    return Err(ErrorCode::VoteLimit.into());
                }
            }
            InputKind::Question => {
                self.check_may(actor, InputKind::Question)?;
                if up && mine(item) > 0 {
                    return Err(ErrorCode::VoteLimit.into());
                }
            }
            _ => return Err(Rejection::field(ErrorCode::InvalidTarget, "command.item")),
        }
        if !up && mine(item) == 0 {
            return Err(ErrorCode::NotVoted.into());
        }
        let votes = if up {
            target.votes.saturating_add(1)
        } else {
            target.votes.saturating_sub(1)
        };
        Ok(Decision::events(vec![Event::ItemVoted {
            item,
            votes,
            up,
            by: Some(actor.id),
        }]))
    }

    pub(crate) fn triage(
        &self,
        actor: Actor,
        item: ItemId,
        status: TriageStatus,
    ) -> Result<Decision, Rejection> {
        let (_, phase) = self.running()?;
        if actor.role != Role::CaseBringer {
            return Err(Rejection::detail(
                ErrorCode::PhaseForbids,
                "only the case-bringer triages questions",
            ));
        }
        if phase.case_bringer_listens {
            return Err(ErrorCode::CaseBringerListens.into());
        }
        let target = self.existing(item)?;
        if target.kind != InputKind::Question || target.case_round != self.case_round() {
            return Err(Rejection::field(ErrorCode::InvalidTarget, "command.item"));
        }
        Ok(Decision::events(vec![Event::ItemTriaged {
            item,
            status,
            temperature: None,
        }]))
    }

    /// Only the author, and only while the phase it was made in is still running: once others
    /// may have responded to it, it stays.
    pub(crate) fn withdraw(&self, actor: Actor, item: ItemId) -> Result<Decision, Rejection> {
        let (run, _) = self.running()?;
        let target = self.existing(item)?;
        if target.by != Some(actor.id) || target.phase_seq != run.seq {
            return Err(ErrorCode::NotAuthor.into());
        }
        Ok(Decision::events(vec![Event::ItemWithdrawn { item }]))
    }

    pub(crate) fn hide_item(&self, item: ItemId, hidden: bool) -> Result<Decision, Rejection> {
        let target = self.existing(item)?;
        if target.hidden == hidden {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.hidden"));
        }
        // Members who joined while it was hidden never saw its text: send it along again.
        let restored = (!hidden).then(|| Item {
            hidden: false,
            ..target.clone()
        });
        Ok(Decision::events(vec![Event::ItemHidden {
            item,
            hidden,
            restored,
        }]))
    }

    /// Reveals every unrevealed note at once; a note the facilitator hid stays unrevealed
    /// (revealing it would show everyone an empty slot and the facilitator its text). The
    /// notes travel in events of at most [`limits::REVEAL_CHUNK_BYTES`] each (at least one
    /// note per event), recorded together, so a full board is a handful of ordinary frames.
    pub(crate) fn reveal_notes(&self) -> Result<Decision, Rejection> {
        let mut events = Vec::new();
        let mut chunk: Vec<Item> = Vec::new();
        let mut chunk_bytes = 0;
        for note in self
            .items
            .iter()
            .filter(|i| i.kind == InputKind::PrivateNote && !i.revealed && !i.hidden)
            .filter(|i| i.case_round == self.case_round())
        {
            let cost = limits::cost_of(note);
            if !chunk.is_empty() && chunk_bytes + cost > limits::REVEAL_CHUNK_BYTES {
                events.push(Event::NotesRevealed {
                    notes: std::mem::take(&mut chunk),
                });
                chunk_bytes = 0;
            }
            chunk_bytes += cost;
            chunk.push(Item {
                revealed: true,
                ..note.clone()
            });
        }
        if chunk.is_empty() {
            return Err(Rejection::detail(
                ErrorCode::NoSuchItem,
                "there are no notes to reveal",
            ));
        }
        events.push(Event::NotesRevealed { notes: chunk });
        Ok(Decision::events(events))
    }

    /// The proposer of the chosen case becomes the case-bringer; a previous case-bringer goes
    /// back to being a participant.
    pub(crate) fn choose_case(
        &self,
        case: ItemId,
        keep_others: bool,
    ) -> Result<Decision, Rejection> {
        let target = self.existing(case)?;
        let earlier = self.cases[..self.cases.len() - 1]
            .iter()
            .any(|c| c.case == Some(case));
        if target.kind != InputKind::Case || earlier {
            return Err(Rejection::field(ErrorCode::InvalidTarget, "command.case"));
        }
        let proposer = target
            .by
            .filter(|by| self.member(*by).is_some())
            .ok_or_else(|| Rejection::field(ErrorCode::NoSuchMember, "command.case"))?;
        if self.member_role(proposer) == Some(Role::Facilitator) {
            return Err(Rejection::detail(
                ErrorCode::InvalidTarget,
                "the facilitator cannot be the case-bringer",
            ));
        }
        let mut events = self.case_bringer_events(Some(proposer));
        events.push(Event::CaseChosen {
            case,
            case_bringer: proposer,
        });
        if keep_others {
            events.extend(
                self.items
                    .iter()
                    .filter(|i| i.kind == InputKind::Case && i.id != case && !i.kept)
                    .map(|i| Event::CaseKept {
                        case: i.id,
                        keep: true,
                    }),
            );
        }
        Ok(Decision::events(events))
    }

    pub(crate) fn keep_case(&self, case: ItemId, keep: bool) -> Result<Decision, Rejection> {
        let target = self.existing(case)?;
        if target.kind != InputKind::Case {
            return Err(Rejection::field(ErrorCode::InvalidTarget, "command.case"));
        }
        if target.kept == keep {
            return Err(Rejection::field(ErrorCode::InvalidValue, "command.keep"));
        }
        Ok(Decision::events(vec![Event::CaseKept { case, keep }]))
    }
}

/// Two texts with the same words, ignoring case, spacing and punctuation.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    words(a) == words(b)
}

//! What outlives a session: each case-bringer's summary, and what a fixed group carries to its
//! next meeting. Everything else should not outlive its purpose.

use kring_protocol::{
    CarriedItem, InputKind, Item, Language, MemberId, Millis, ProcessPoint, Reaction, ReportBack,
    Text, TriageStatus,
};

use crate::limits;
use crate::state::{CaseRound, Session};

/// How many meetings' process evaluations a group keeps for its trend.
pub const PROCESS_TREND_LEN: usize = 24;

/// One case-bringer's summary of one case round, for the server to render as a download.
/// Everything the method produced for them, with their own reactions and private notepad.
/// Hidden items and unrevealed notes are left out.
#[derive(Clone, PartialEq, Eq)]
pub struct Summary {
    pub title: kring_protocol::Title,
    /// In the summary's language.
    pub method_name: String,
    pub language: Language,
    /// When the case round started (or the session was created, if it never started).
    pub date: Millis,
    pub case_round: u16,
    /// The chosen case's pitch.
    pub case: Option<Text>,
    /// The case as told, each under its real author.
    pub statements: Vec<SummaryText>,
    /// The key question the case-bringer chose.
    pub key_question: Option<Text>,
    /// When none was chosen: the key questions proposed, so none is lost (and none is
    /// presented as chosen).
    pub key_question_proposals: Vec<Text>,
    pub questions: Vec<SummaryQuestion>,
    /// Analyses, hypotheses, gossip.
    pub analyses: Vec<SummaryItem>,
    /// Private notes the facilitator revealed.
    pub notes: Vec<SummaryItem>,
    pub advice: Vec<SummaryItem>,
    /// The case-bringer's private notepad.
    pub notepad: Vec<Text>,
    pub commitments: Vec<SummaryCommitment>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct SummaryText {
    pub text: Text,
    /// Display name of the author (empty when unknown).
    pub by_name: String,
}

#[derive(Clone, PartialEq, Eq)]
pub struct SummaryQuestion {
    pub text: Text,
    pub status: TriageStatus,
    /// "Wil ik ook weten": members who want to know too.
    pub votes: u16,
    pub answers: Vec<Text>,
    pub reaction: Reaction,
}

#[derive(Clone, PartialEq, Eq)]
pub struct SummaryItem {
    pub text: Text,
    pub reaction: Reaction,
}

#[derive(Clone, PartialEq, Eq)]
pub struct SummaryCommitment {
    pub text: Text,
    /// The case-bringer agreed to take it to the group's next meeting.
    pub carried: bool,
}

// A summary is all content; logs get its shape.
impl std::fmt::Debug for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Summary")
            .field("case_round", &self.case_round)
            .field("statements", &self.statements.len())
            .field("questions", &self.questions.len())
            .field("analyses", &self.analyses.len())
            .field("advice", &self.advice.len())
            .field("commitments", &self.commitments.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    fn visible(&self, round: u16, kind: InputKind) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(move |i| i.kind == kind && !i.hidden && i.case_round == round)
    }

    fn date(&self) -> Millis {
        self.started_at.unwrap_or(self.params.created_at)
    }

    fn name_of(&self, by: Option<MemberId>) -> String {
        by.and_then(|by| self.members.iter().find(|m| m.id() == by))
            .map(|m| m.info.name.to_string())
            .unwrap_or_default()
    }

    /// The case rounds `member` brought, oldest first.
    pub fn rounds_brought_by(&self, member: MemberId) -> Vec<u16> {
        self.cases
            .iter()
            .enumerate()
            .filter(|(_, c)| c.case_bringer == Some(member))
            .filter_map(|(i, _)| u16::try_from(i).ok())
            .collect()
    }

    /// The summary of case round `round` in the session's language.
    pub fn summary(&self, round: u16) -> Option<Summary> {
        self.summary_in(round, self.params.language)
    }

    /// The summary of case round `round` in `language` (the reader's choice, which may differ
    /// from the session's).
    pub fn summary_in(&self, round: u16, language: Language) -> Option<Summary> {
        let case_round: &CaseRound = self.cases.get(usize::from(round))?;
        let reaction = |item: &Item| {
            case_round
                .reactions
                .iter()
                .find(|r| r.item == item.id)
                .map(|r| r.reaction)
                .unwrap_or_default()
        };
        let items = |kind| -> Vec<SummaryItem> {
            self.visible(round, kind)
                .filter(|i| kind != InputKind::PrivateNote || i.revealed)
                .map(|i| SummaryItem {
                    text: i.text.clone().unwrap_or_default(),
                    reaction: reaction(i),
                })
                .collect()
        };
        let questions = self
            .visible(round, InputKind::Question)
            .map(|q| SummaryQuestion {
                text: q.text.clone().unwrap_or_default(),
                status: q.status,
                votes: q.votes,
                answers: self
                    .visible(round, InputKind::Answer)
                    .filter(|a| a.reply_to == Some(q.id))
                    .filter_map(|a| a.text.clone())
                    .collect(),
                reaction: reaction(q),
            })
            .collect();
        let key_question = case_round
            .key_question
            .and_then(|id| self.item(id))
            .filter(|i| !i.hidden)
            .and_then(|i| i.text.clone());
        let key_question_proposals = if key_question.is_none() {
            self.visible(round, InputKind::KeyQuestion)
                .filter_map(|i| i.text.clone())
                .collect()
        } else {
            Vec::new()
        };
        Some(Summary {
            title: self.params.title.clone(),
            method_name: case_round.method.name.get(language).to_owned(),
            language,
            date: case_round.started_at.unwrap_or_else(|| self.date()),
            case_round: round,
            case: case_round
                .case
                .and_then(|id| self.item(id))
                .and_then(|c| c.text.clone()),
            statements: self
                .visible(round, InputKind::Statement)
                .map(|s| SummaryText {
                    text: s.text.clone().unwrap_or_default(),
                    by_name: if s.anonymous {
                        String::new()
                    } else {
                        self.name_of(s.by)
                    },
                })
                .collect(),
            key_question,
            key_question_proposals,
            questions,
            analyses: items(InputKind::Analysis),
            notes: items(InputKind::PrivateNote),
            advice: items(InputKind::Advice),
            notepad: self
                .notepad
                .iter()
                .filter(|n| n.case_round == round)
                .filter_map(|n| n.text.clone())
                .collect(),
            commitments: self
                .visible(round, InputKind::Commitment)
                .map(|c| SummaryCommitment {
                    text: c.text.clone().unwrap_or_default(),
                    carried: c.kept && self.params.settings.keep_for_group,
                })
                .collect(),
        })
    }

    /// What the group's next meeting opens with: the commitments their case-bringers agreed
    /// to carry (every case round) and kept case proposals, text and the author's display name
    /// only (empty for anonymous items), at most [`limits::MAX_CARRY_BYTES`] of them,
    /// commitments first and in the order they were made (what is carried counts toward the
    /// next meeting's budget, so it cannot fill it); and the process evaluation's numbers,
    /// appended to the trend earlier meetings kept.
    pub fn carry_over(&self) -> ReportBack {
        let carried = |item: &Item| -> Option<CarriedItem> {
            Some(CarriedItem {
                text: item.text.clone()?,
                by_name: if item.anonymous {
                    String::new()
                } else {
                    self.name_of(item.by)
                },
            })
        };
        let visible = |kind| {
            self.items
                .iter()
                .filter(move |i| i.kind == kind && !i.hidden)
        };
        let mut room = limits::MAX_CARRY_BYTES;
        let mut fits = |carried: &CarriedItem| {
            // The JSON around one carried item: `{"text":"","by_name":""},`.
            let cost = 26 + limits::json_len(&carried.text) + limits::json_len(&carried.by_name);
            let fits = cost <= room;
            if fits {
                room -= cost;
            }
            fits
        };
        let commitments: Vec<CarriedItem> = visible(InputKind::Commitment)
            .filter(|c| c.kept)
            .filter_map(carried)
            .filter(|c| fits(c))
            .collect();
        let kept_cases: Vec<CarriedItem> = visible(InputKind::Case)
            .filter(|c| c.kept && !c.chosen)
            .filter_map(carried)
            .filter(|c| fits(c))
            .collect();
        let mut process = self
            .params
            .report_back
            .as_ref()
            .map(|r| r.process.clone())
            .unwrap_or_default();
        process.extend(self.process_aggregates().into_iter().map(|a| {
            ProcessPoint {
                date: self
                    .cases
                    .get(usize::from(a.case_round))
                    .and_then(|c| c.started_at)
                    .unwrap_or_else(|| self.date()),
                method_id: a.method_id,
                count: a.count,
                sums: a.sums,
                answered: a.answered,
            }
        }));
        let excess = process.len().saturating_sub(PROCESS_TREND_LEN);
        process.drain(..excess);
        ReportBack {
            previous_title: self.params.title.as_str().to_owned(),
            previous_date: self.date(),
            commitments,
            kept_cases,
            process,
        }
    }
}

//! What outlives a session: the case-bringer's summary, and what a fixed group carries to its
//! next meeting. Everything else should not outlive its purpose.

use kring_protocol::{
    CarriedItem, InputKind, Item, Language, Millis, Reaction, ReportBack, Temperature, TriageStatus,
};

use crate::limits;
use crate::state::Session;

/// The case-bringer's summary, for the server to render as a download. Hidden items and
/// private notes are left out.
#[derive(Clone, PartialEq, Eq)]
pub struct Summary {
    pub title: String,
    /// In the summary's language.
    pub method_name: String,
    pub language: Language,
    /// When the session started (or was created, if it never started).
    pub date: Millis,
    /// The chosen case's pitch.
    pub case: Option<String>,
    /// The case as the case-bringer told it.
    pub statements: Vec<String>,
    /// The last worded key question.
    pub key_question: Option<String>,
    pub questions: Vec<SummaryQuestion>,
    pub advice: Vec<SummaryAdvice>,
    pub commitments: Vec<String>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct SummaryQuestion {
    pub text: String,
    pub status: TriageStatus,
    pub temperature: Temperature,
    pub votes: u16,
    pub answers: Vec<String>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct SummaryAdvice {
    pub text: String,
    pub reaction: Reaction,
}

// A summary is all content; logs get its shape.
impl std::fmt::Debug for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Summary")
            .field("statements", &self.statements.len())
            .field("questions", &self.questions.len())
            .field("advice", &self.advice.len())
            .field("commitments", &self.commitments.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    fn visible(&self, kind: InputKind) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(move |i| i.kind == kind && !i.hidden)
    }

    fn texts(&self, kind: InputKind) -> Vec<String> {
        self.visible(kind).filter_map(|i| i.text.clone()).collect()
    }

    fn date(&self) -> Millis {
        self.started_at.unwrap_or(self.params.created_at)
    }

    /// The summary in the session's language.
    pub fn summary(&self) -> Summary {
        self.summary_in(self.params.language)
    }

    /// The summary in `language` (the reader's choice, which may differ from the session's).
    pub fn summary_in(&self, language: Language) -> Summary {
        let questions = self
            .visible(InputKind::Question)
            .map(|q| SummaryQuestion {
                text: q.text.clone().unwrap_or_default(),
                status: q.status,
                temperature: q.temperature,
                votes: q.votes,
                answers: self
                    .visible(InputKind::Answer)
                    .filter(|a| a.reply_to == Some(q.id))
                    .filter_map(|a| a.text.clone())
                    .collect(),
            })
            .collect();
        Summary {
            title: self.params.title.clone(),
            method_name: self.params.method.name.get(language).to_owned(),
            language,
            date: self.date(),
            case: self
                .visible(InputKind::Case)
                .find(|c| c.chosen)
                .and_then(|c| c.text.clone()),
            statements: self.texts(InputKind::Statement),
            key_question: self.texts(InputKind::KeyQuestion).pop(),
            questions,
            advice: self
                .visible(InputKind::Advice)
                .map(|a| SummaryAdvice {
                    text: a.text.clone().unwrap_or_default(),
                    reaction: a.reaction,
                })
                .collect(),
            commitments: self.texts(InputKind::Commitment),
        }
    }

    /// What the group's next meeting opens with: commitments and kept case proposals, text
    /// and the author's display name only (empty for anonymous items). At most
    /// [`limits::MAX_CARRY_BYTES`] of them, commitments first and in the order they were made:
    /// what is carried counts toward the next meeting's budget, so it cannot fill it.
    pub fn carry_over(&self) -> ReportBack {
        let carried = |item: &Item| -> Option<CarriedItem> {
            let by_name = match item.by {
                Some(by) if !item.anonymous => self
                    .members
                    .iter()
                    .find(|m| m.id() == by)
                    .map(|m| m.info.name.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            Some(CarriedItem {
                text: item.text.clone()?,
                by_name,
            })
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
        let commitments: Vec<CarriedItem> = self
            .visible(InputKind::Commitment)
            .filter_map(carried)
            .filter(|c| fits(c))
            .collect();
        let kept_cases: Vec<CarriedItem> = self
            .visible(InputKind::Case)
            .filter(|c| c.kept && !c.chosen)
            .filter_map(carried)
            .filter(|c| fits(c))
            .collect();
        ReportBack {
            previous_title: self.params.title.clone(),
            previous_date: self.date(),
            commitments,
            kept_cases,
        }
    }
}

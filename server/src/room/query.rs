//! Reads of a room's state for the HTTP API. Each question is its own type and names the
//! answer it gets ([`Question::Answer`]), so a handler receives exactly what it asked for: no
//! shared answer enum whose other variants a handler would have to call impossible.
//!
//! On the way to the room task a question travels type-erased ([`Asked`]), with the typed
//! sender its answer goes back through. The room answers it from its state and sends the
//! answer only after the batch it arrived in commits, so it never shows anything that could
//! still be rolled back.

use kring_engine::Session;
use kring_protocol::{
    Attendance as AttendanceRecord, ErrorCode, Language, MemberId, ProcessResults, SessionPreview,
    SessionStatus,
};
use tokio::sync::oneshot;

use super::task::Room;
use crate::clock::now_ms;
use crate::records::render::ReflectionPage;
use crate::secrets::same_hash;
use crate::store::MeetingRecord;

/// Why a room did not answer a question with what it asked for. Every variant is an answer
/// the API gives on purpose (see `http/query.rs`); none of them is an internal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueryError {
    /// Not available yet, for the reason the code gives (e.g. `not_ended`).
    NotYet(ErrorCode),
    /// The token belongs to a member who may not read this.
    Forbidden,
    /// The room does not know the token (or, for a newcomer's preview, is not open to them).
    UnknownToken,
    /// The store is away; ask again later.
    Unavailable,
}

/// What a room answers a question with.
pub(crate) type Reply<T> = Result<T, QueryError>;

/// A read of a room's state, answered from the room's state alone.
pub(crate) trait Question: Send + 'static {
    type Answer: Send + 'static;

    fn answer(self, room: &Room) -> Reply<Self::Answer>;
}

/// A question on its way to the room task, with where its answer goes.
pub(crate) struct Asked(Box<dyn Erased>);

impl Asked {
    /// The question to send, and where its answer arrives.
    pub(crate) fn new<Q: Question>(question: Q) -> (Asked, oneshot::Receiver<Reply<Q::Answer>>) {
        let (reply, answer) = oneshot::channel();
        (Asked(Box::new(Typed { question, reply })), answer)
    }

    /// Answers from the room's state; the answer leaves when the returned delivery is sent.
    pub(crate) fn answer(self, room: &Room) -> Delivery {
        self.0.answer(room)
    }

    /// Answers without the room's state (it is away).
    pub(crate) fn refuse(self, error: QueryError) {
        self.0.refuse(error);
    }
}

/// An answer ready to leave, held until its batch is durable.
pub(crate) struct Delivery(Box<dyn Deliver>);

impl Delivery {
    /// The batch is durable: the answer leaves.
    pub(crate) fn send(self) {
        self.0.send();
    }

    /// The batch did not become durable: the answer may show what was rolled back, so the
    /// caller is told to ask again instead.
    pub(crate) fn refuse(self, error: QueryError) {
        self.0.refuse(error);
    }
}

trait Deliver: Send {
    fn send(self: Box<Self>);
    fn refuse(self: Box<Self>, error: QueryError);
}

struct Answered<T> {
    reply: oneshot::Sender<Reply<T>>,
    answer: Reply<T>,
}

// A caller that gave up waiting has nobody to tell: a failed send is ignored.
impl<T: Send> Deliver for Answered<T> {
    fn send(self: Box<Self>) {
        let _ = self.reply.send(self.answer);
    }

    fn refuse(self: Box<Self>, error: QueryError) {
        let _ = self.reply.send(Err(error));
    }
}

/// A question with its typed sender, behind one object type for the room's queue.
trait Erased: Send {
    fn answer(self: Box<Self>, room: &Room) -> Delivery;
    fn refuse(self: Box<Self>, error: QueryError);
}

struct Typed<Q: Question> {
    question: Q,
    reply: oneshot::Sender<Reply<Q::Answer>>,
}

impl<Q: Question> Erased for Typed<Q> {
    fn answer(self: Box<Self>, room: &Room) -> Delivery {
        let Typed { question, reply } = *self;
        let answer = question.answer(room);
        Delivery(Box::new(Answered { reply, answer }))
    }

    fn refuse(self: Box<Self>, error: QueryError) {
        let _ = self.reply.send(Err(error));
    }
}

/// The case-bringer's summary; `token_hash` must be a case-bringer's of the meeting.
pub(crate) struct Summary {
    pub(crate) token_hash: String,
    /// Which of the member's case rounds (default: the latest they brought).
    pub(crate) case: Option<u16>,
    /// The reader's language when given, else the session's.
    pub(crate) language: Option<Language>,
}

impl Question for Summary {
    type Answer = Box<kring_engine::Summary>;

    fn answer(self, room: &Room) -> Reply<Self::Answer> {
        let session = &room.session;
        let member = known(session, &self.token_hash)?;
        // Every case-bringer of the meeting keeps theirs, also after the next case.
        let brought = session.rounds_brought_by(member);
        let round = match self.case {
            Some(case) => brought.into_iter().find(|r| *r == case),
            None => brought.last().copied(),
        };
        let language = self.language.unwrap_or(session.params().language);
        round
            .and_then(|r| session.summary_in(r, language))
            .map(Box::new)
            .ok_or(QueryError::Forbidden)
    }
}

/// The attendance record, and the session's language; `token_hash` must be the facilitator
/// token's, or the resume token's of a member with the facilitator's rights now.
pub(crate) struct Attendance {
    pub(crate) token_hash: String,
}

impl Question for Attendance {
    type Answer = (Box<AttendanceRecord>, Language);

    fn answer(self, room: &Room) -> Reply<Self::Answer> {
        let session = &room.session;
        let params = session.params();
        // The facilitator token (whoever opened the room answers for the record, also after
        // handing the role over), or the resume token of a member who has the facilitator's
        // rights now: whoever the role was handed to, a co-facilitator.
        let leads_now = session
            .member_by_token_hash(&self.token_hash)
            .is_some_and(|m| session.has_facilitator_rights(m));
        if !leads_now && !same_hash(&self.token_hash, &params.facilitator_token_hash) {
            return Err(not_allowed(session, &self.token_hash));
        }
        let attendance = match room.meeting_record(now_ms()) {
            Some(record) => {
                crate::records::attendance(&record, Some(params.title.as_str().to_owned()))
            }
            None => crate::records::lobby_attendance(session),
        };
        Ok((Box::new(attendance), params.language))
    }
}

/// A member's certificate of participation: the meeting's record and which of its members
/// asks; `token_hash` is theirs.
pub(crate) struct Certificate {
    pub(crate) token_hash: String,
}

impl Question for Certificate {
    type Answer = (Box<MeetingRecord>, MemberId);

    fn answer(self, room: &Room) -> Reply<Self::Answer> {
        let session = &room.session;
        let member = known(session, &self.token_hash)?;
        if session.ended_at().is_none() {
            return Err(QueryError::NotYet(ErrorCode::NotEnded));
        }
        if session.confirmation(member).is_none() {
            return Err(QueryError::NotYet(ErrorCode::NotConfirmed));
        }
        match room.meeting_record(now_ms()) {
            Some(record) => Ok((Box::new(record), member)),
            None => Err(QueryError::NotYet(ErrorCode::NotEnded)),
        }
    }
}

/// A member's one-page record with their reflection; `token_hash` is theirs.
pub(crate) struct Reflection {
    pub(crate) token_hash: String,
}

impl Question for Reflection {
    type Answer = Box<ReflectionPage>;

    fn answer(self, room: &Room) -> Reply<Self::Answer> {
        let member = known(&room.session, &self.token_hash)?;
        crate::records::reflection_page(&room.session, member)
            .map(Box::new)
            .ok_or(QueryError::NotYet(ErrorCode::NotStarted))
    }
}

/// The process evaluation's sums; `token_hash` must be a member's with the facilitator's
/// rights now (the facilitator, also after a handover, or a co-facilitator).
pub(crate) struct Process {
    pub(crate) token_hash: String,
}

impl Question for Process {
    type Answer = ProcessResults;

    fn answer(self, room: &Room) -> Reply<Self::Answer> {
        let session = &room.session;
        let member = known(session, &self.token_hash)?;
        if !session.has_facilitator_rights(member) {
            return Err(QueryError::Forbidden);
        }
        Ok(ProcessResults {
            process: session.process_aggregates(),
            trend: session
                .params()
                .report_back
                .as_ref()
                .map(|r| r.process.clone())
                .unwrap_or_default(),
        })
    }
}

/// What a newcomer's join page shows; nothing for a room they could not join.
pub(crate) struct Preview;

impl Question for Preview {
    type Answer = SessionPreview;

    fn answer(self, room: &Room) -> Reply<Self::Answer> {
        let session = &room.session;
        // A room a newcomer cannot enter looks like no room at all (`join.rs`).
        if session.locked() || session.status() == SessionStatus::Ended {
            return Err(QueryError::UnknownToken);
        }
        let params = session.params();
        Ok(SessionPreview {
            title: params.title.as_str().to_owned(),
            language: params.language,
        })
    }
}

/// The member whose token this is; a token the room does not know says nothing more than an
/// unknown room does.
fn known(session: &Session, token_hash: &str) -> Reply<MemberId> {
    session
        .member_by_token_hash(token_hash)
        .ok_or(QueryError::UnknownToken)
}

/// A member's token that may not read this is `Forbidden`; an unknown one is unknown.
fn not_allowed(session: &Session, token_hash: &str) -> QueryError {
    match session.member_by_token_hash(token_hash) {
        Some(_) => QueryError::Forbidden,
        None => QueryError::UnknownToken,
    }
}

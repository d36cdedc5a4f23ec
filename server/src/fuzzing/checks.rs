//! The invariants a fuzz input must not break. Messages name kinds and codes, never content.

use std::collections::BTreeSet;

use kring_engine::{Rejection, Session, Viewer};
use kring_protocol::{
    ClientMsg, ErrorCode, ErrorMsg, Event, InputKind, Item, MAX_CLIENT_MESSAGE_BYTES, MemberId,
    Role, ServerMsg, event_json,
};

/// What `decode` may answer: the frame errors of the protocol's table.
const FRAME_CODES: &[ErrorCode] = &[
    ErrorCode::BadJson,
    ErrorCode::BadMessage,
    ErrorCode::UnknownType,
    ErrorCode::MessageTooLarge,
];

/// What the engine may refuse a command with (its documented table).
const COMMAND_CODES: &[ErrorCode] = &[
    ErrorCode::NoSuchMember,
    ErrorCode::SessionEnded,
    ErrorCode::NotFacilitator,
    ErrorCode::NotStarted,
    ErrorCode::AlreadyStarted,
    ErrorCode::PhaseClosed,
    ErrorCode::PhaseForbids,
    ErrorCode::CaseBringerListens,
    ErrorCode::NoCaseBringer,
    ErrorCode::NoSuchPhase,
    ErrorCode::NoSuchItem,
    ErrorCode::InvalidTarget,
    ErrorCode::InvalidValue,
    ErrorCode::InvalidName,
    ErrorCode::NameTaken,
    ErrorCode::TextEmpty,
    ErrorCode::TextTooLong,
    ErrorCode::LimitReached,
    ErrorCode::RateLimited,
    ErrorCode::AnonymityDisabled,
    ErrorCode::AdviceLikeQuestion,
    ErrorCode::AdviceLikeStatement,
    ErrorCode::NotAQuestion,
    ErrorCode::AdviceInAnalysis,
    ErrorCode::VoteLimit,
    ErrorCode::NotVoted,
    ErrorCode::AlreadyInQueue,
    ErrorCode::NotInQueue,
    ErrorCode::NoRound,
    ErrorCode::NotYourTurn,
    ErrorCode::NotAuthor,
    ErrorCode::WaitYourTurn,
    ErrorCode::NotCaseBringer,
];

/// What the engine may refuse a join with.
const JOIN_CODES: &[ErrorCode] = &[
    ErrorCode::SessionEnded,
    ErrorCode::InvalidName,
    ErrorCode::NameTaken,
    ErrorCode::RoomLocked,
    ErrorCode::RoomFull,
    ErrorCode::Removed,
    ErrorCode::BadToken,
];

pub(super) fn frame_refusal(error: &ErrorMsg) {
    assert!(FRAME_CODES.contains(&error.code), "decode: {}", error.code);
    assert_eq!(error.category, error.code.category(), "{}", error.code);
    assert!(error.id.is_none(), "a frame error is about no command");
    assert!(
        error.code.close_code().is_none(),
        "a bad frame leaves the socket open"
    );
    let msg = ServerMsg::Error(error.clone());
    assert_eq!(wire(&msg), msg, "the error frame survives the wire");
}

/// A decoded message encodes to itself, so a client library built on the same types agrees.
pub(super) fn round_trip(msg: &ClientMsg) {
    let json = serde_json::to_string(msg).expect("client messages serialise");
    let again: ClientMsg = serde_json::from_str(&json).expect("an encoded message parses");
    assert_eq!(&again, msg, "a message survives encoding");
    if json.len() <= MAX_CLIENT_MESSAGE_BYTES {
        let decoded = crate::conn::decode(&json).map_err(|e| e.code);
        assert_eq!(decoded, Ok(msg.clone()), "decode accepts what encodes");
    }
}

pub(super) fn command_refusal(rejection: &Rejection) {
    let code = rejection.code;
    assert!(COMMAND_CODES.contains(&code), "command refused with {code}");
    refusal_shape(rejection);
}

pub(super) fn join_refusal(rejection: &Rejection) {
    let code = rejection.code;
    assert!(JOIN_CODES.contains(&code), "join refused with {code}");
    refusal_shape(rejection);
}

fn refusal_shape(rejection: &Rejection) {
    let code = rejection.code;
    assert_eq!(
        rejection.retry_after_ms.is_some(),
        code == ErrorCode::RateLimited,
        "{code}: retry_after_ms"
    );
    assert!(
        rejection.phases.is_empty()
            || matches!(code, ErrorCode::PhaseForbids | ErrorCode::AdviceInAnalysis),
        "{code}: phases"
    );
    let warning = kring_protocol::Warning::of_code(code);
    assert_eq!(rejection.warned, warning, "{code}: a warning says which");
    assert!(
        rejection.cues.is_empty() || warning.is_some(),
        "{code}: cues only on a warning"
    );
    assert_eq!(
        rejection.events().len(),
        usize::from(warning.is_some()),
        "{code}: only a warning records anything"
    );
    if let Some(field) = rejection.field {
        assert!(
            field.starts_with("command.") || field.starts_with("join.") || field == "phase",
            "{code}: field {field}"
        );
    }
}

/// The event as the journal stores it and as members receive it.
pub(super) fn event_forms(event: &Event) {
    let json = serde_json::to_string(event).expect("events serialise");
    let stored: Event = serde_json::from_str(&json).expect("a journaled event parses");
    assert_eq!(&stored, event, "{} survives the journal", event.name());

    let public = event.to_public();
    let frame: ServerMsg =
        serde_json::from_str(&event_json(1, 1, &public)).expect("an event frame parses");
    match frame {
        ServerMsg::Event(sequenced) => assert_eq!(sequenced.event, public, "{}", event.name()),
        _ => panic!("{} is not sent as an event", event.name()),
    }
    match &public {
        Event::MemberJoined { token_hash, .. } => assert!(token_hash.is_none()),
        Event::ItemVoted { by, .. } => assert!(by.is_none(), "who voted is not public"),
        Event::ItemAdded { item } => public_item(item, Role::Participant),
        Event::ItemHidden {
            restored: Some(item),
            ..
        } => public_item(item, Role::Participant),
        Event::NotesRevealed { notes } => notes
            .iter()
            .for_each(|note| public_item(note, Role::Participant)),
        Event::PresenceConfirmed { registration, .. } => {
            assert!(
                registration.is_none(),
                "a registration number is not public"
            )
        }
        Event::ReflectionWritten { text, .. } => {
            assert!(text.is_none(), "a personal reflection is not public")
        }
        Event::MinutesSet { minutes, .. } => {
            assert!(minutes.is_none(), "attendance is for the facilitator")
        }
        _ => {}
    }
}

/// What an item on a board may show to a viewer in `role`.
fn public_item(item: &Item, role: Role) {
    if item.anonymous {
        assert!(item.by.is_none(), "an anonymous author shows");
    }
    if item.kind == InputKind::PrivateNote && !item.revealed {
        assert!(item.text.is_none(), "an unrevealed note shows");
    }
    if item.hidden && role != Role::Facilitator {
        assert!(item.text.is_none(), "a hidden item shows");
    }
}

/// Queue, floor, round and items as every client relies on them.
pub(super) fn well_formed(session: &Session) {
    let view = session.view(Viewer::Screen);
    let active: BTreeSet<MemberId> = view.members.iter().map(|m| m.id).collect();
    let hands = distinct(&view.hands, "a hand twice in the queue");
    assert!(hands.is_subset(&active), "a removed member in the queue");
    if let Some(floor) = &view.floor {
        assert!(
            active.contains(&floor.member),
            "a removed member has the floor"
        );
    }
    if let Some(round) = &view.round {
        let order = distinct(&round.order, "a member twice in a round");
        let done = distinct(&round.done, "a turn done twice");
        assert!(done.is_subset(&order), "a turn done outside the round");
        assert!(
            round.passed.iter().all(|m| done.contains(m)),
            "a pass not done"
        );
    }
    let ids: Vec<_> = view.items.iter().map(|i| i.id).collect();
    distinct(&ids, "an item id twice");
}

fn distinct<T: Ord + Copy>(list: &[T], what: &str) -> BTreeSet<T> {
    let set: BTreeSet<T> = list.iter().copied().collect();
    assert_eq!(set.len(), list.len(), "{what}");
    set
}

/// Every viewer's projection keeps what is private private.
pub(super) fn views(session: &Session, members: &[MemberId]) {
    let viewers = members.iter().map(|m| Viewer::Member(*m));
    for viewer in viewers.chain([Viewer::Screen]) {
        let view = session.view(viewer);
        for item in &view.items {
            public_item(item, view.me.role);
        }
        for note in &view.me.notes {
            assert!(
                view.me.member.is_some() && note.by == view.me.member,
                "someone else's note in `me`"
            );
        }
    }
}

fn wire(msg: &ServerMsg) -> ServerMsg {
    let json = serde_json::to_string(msg).expect("server messages serialise");
    serde_json::from_str(&json).expect("a server message parses")
}

//! Error codes: machine-readable, stable, documented. A client decides what to do from the
//! [`Category`]; it shows the user its own catalog text for the code.
//!
//! | code | category | meaning |
//! |---|---|---|
//! | `bad_json` | fix | the frame is not JSON (the connection stays open) |
//! | `bad_message` | fix | JSON, but not a valid message; `field` names where |
//! | `unknown_type` | fix | no message has this `type` |
//! | `message_too_large` | fix | a message above 16 KiB ([`crate::MAX_CLIENT_MESSAGE_BYTES`]); the connection stays open. Above 64 KiB the server closes it with close code 1009 and this code as reason |
//! | `hello_required` | fix | the first message must be `hello` |
//! | `already_joined` | fix | a second `hello` on one socket |
//! | `unsupported_version` | fatal | the client speaks another protocol version: reload the app |
//! | `room_not_found` | fatal | no open session with this code, as far as the caller may know: also sent when the room is locked or has ended (to a new member) and for a token the room does not know, so that a guesser cannot tell these apart |
//! | `room_locked` | fatal | the facilitator locked the room; never sent to a joining client, who gets `room_not_found` |
//! | `room_full` | fatal | the member limit is reached |
//! | `bad_token` | fatal | (HTTP) no bearer token; over the WebSocket an unknown token gets `room_not_found` |
//! | `invalid_name` | fix | display name empty, too long, with control or format characters (bidi controls, zero-width characters), or nothing visible |
//! | `name_taken` | fix | another member has this name, or one that looks the same (same confusable skeleton, case ignored) |
//! | `removed` | fatal | the facilitator removed this member |
//! | `taken_over` | fatal | the same member opened the session on another device or tab |
//! | `rate_limited` | retry | too many messages; `retry_after_ms` says when; like every refusal of a command frame, it names the command's `id`, so the client sends that id again |
//! | `flooding` | fatal | the client kept sending after `rate_limited`; the connection is closed with close code 1008 |
//! | `too_many_attempts` | retry | too many unknown room codes or tokens from this address |
//! | `slow_consumer` | reconnect | the client did not read fast enough; reconnect and resume |
//! | `heartbeat_timeout` | reconnect | nothing heard from the client in time |
//! | `shutting_down` | reconnect | the server restarts; reconnect and resume |
//! | `store_unavailable` | retry | the command could not be made durable; retry with the same id |
//! | `room_moved` | reconnect | another server serves this session now (it took over from this one, or this one hands it over); reconnect and resume: the load balancer finds it |
//! | `internal` | retry | unexpected server error (details only in the server log, without content) |
//! | `not_facilitator` | fix | only the facilitator may do this |
//! | `not_started` | fix | the session has not started yet |
//! | `already_started` | fix | the session is already running |
//! | `session_ended` | fatal | the session is over; nothing can be added |
//! | `phase_forbids` | fix | this phase does not allow this input for your role; `phases` lists where it is allowed |
//! | `case_bringer_listens` | fix | in this phase the case-bringer listens and does not post |
//! | `phase_closed` | fix | the command was made for a phase that has closed |
//! | `no_case_bringer` | fix | the next phase needs a case-bringer; choose a case or set one |
//! | `no_such_phase` | fix | phase index out of range, or no phase before/after this one |
//! | `no_such_item` | fix | the item does not exist (or was withdrawn) |
//! | `no_such_member` | fix | the member does not exist (or was removed) |
//! | `invalid_target` | fix | the item is of the wrong kind for this command |
//! | `invalid_value` | fix | a value is out of range (e.g. extend by 0 seconds) |
//! | `text_empty` | fix | the text is empty |
//! | `text_too_long` | fix | the text is longer than this kind allows |
//! | `limit_reached` | fix | you reached the number of items of this kind allowed in this phase |
//! | `vote_limit` | fix | no votes left (one upvote per question; the method's dots for cases) |
//! | `not_voted` | fix | nothing to take back |
//! | `already_in_queue` | fix | your hand is already raised |
//! | `not_in_queue` | fix | your hand is not raised |
//! | `not_your_turn` | fix | it is not your turn in the round |
//! | `wait_your_turn` | fix | one contribution per turn in this phase: write when you hold the floor (your turn is coming), one item per turn |
//! | `not_case_bringer` | fix | only the case-bringer of the running case can do this |
//! | `no_round` | fix | no round is running |
//! | `not_author` | fix | only the author may withdraw an item, and only in the phase it was made in |
//! | `anonymity_disabled` | fix | this session does not allow anonymous items |
//! | `advice_like_question` | confirm | the question reads like advice: rephrase it as an open question, or send again with `confirm`; `cues` are the words that made it so |
//! | `advice_like_statement` | confirm | typed as a question, but it is advice, not a question ("You must..."); rephrase or send again with `confirm`; `cues` as above |
//! | `not_a_question` | confirm | typed as a question, but it asks nothing ("What a story."); rephrase or send again with `confirm` |
//! | `advice_in_analysis` | confirm | an analysis, hypothesis or piece of gossip that gives advice before the method's advice round; `phases` are the later phases where advice is allowed (empty when none is); rephrase or send again with `confirm`; `cues` as above |
//! | `invalid_request` | fix | (HTTP) the request body is not valid; `field` names where |
//! | `invalid_template` | fix | (HTTP) the custom method template is not valid; `field` names where |
//! | `unknown_method` | fix | (HTTP) no built-in method with this id |
//! | `forbidden` | fatal | (HTTP) this token may not see this |
//! | `read_only` | fatal | the shared screen only shows the session; it cannot send commands |
//! | `not_found` | fatal | (HTTP) nothing here |
//! | `not_ended` | fix | (HTTP) a certificate is issued once the session has ended (its minutes are final then) |
//! | `not_confirmed` | fix | (HTTP) confirm your presence (`confirm_presence`) before downloading your certificate |
//!
//! WebSocket close codes follow one rule: `4000..=4399` means "reconnect and resume",
//! `4400..=4999` means "do not reconnect automatically". `1012` (service restart) and `1001`
//! (going away) mean reconnect. See [`ErrorCode::close_code`]. Frames the WebSocket layer
//! itself refuses end the connection with the standard codes, the error code as reason:
//! `1009` (`message_too_large`, above 64 KiB), `1007` (`bad_message`, a text frame that is not
//! UTF-8), `1002` (`bad_message`, a WebSocket protocol violation) and `1008` (`flooding`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a client should do about an error.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The input was wrong; sending it again unchanged fails again.
    Fix,
    /// Transient; send the same message (same id) again later.
    Retry,
    /// The connection is over; reconnect and resume.
    Reconnect,
    /// A warning: change the input, or send it again with `confirm: true`.
    Confirm,
    /// Nothing the client can do; tell the user.
    Fatal,
}

macro_rules! error_codes {
    ($($variant:ident => $code:literal, $category:ident, $message:literal;)*) => {
        /// A machine-readable error code. See the table in the module documentation.
        #[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire form, e.g. `phase_forbids`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            pub fn category(self) -> Category {
                match self {
                    $(ErrorCode::$variant => Category::$category,)*
                }
            }

            /// The default English message. Never contains session content.
            pub fn message(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $message,)*
                }
            }
        }
    };
}

error_codes! {
    BadJson => "bad_json", Fix, "The message is not valid JSON.";
    BadMessage => "bad_message", Fix, "The message does not match the protocol.";
    UnknownType => "unknown_type", Fix, "Unknown message type.";
    MessageTooLarge => "message_too_large", Fix, "The message is too large.";
    HelloRequired => "hello_required", Fix, "The first message must be hello.";
    AlreadyJoined => "already_joined", Fix, "This connection has already joined.";
    UnsupportedVersion => "unsupported_version", Fatal, "This app speaks another protocol version; reload the page.";
    RoomNotFound => "room_not_found", Fatal, "No open session has this code. Check the code; the session may also have ended, or the facilitator may have locked it.";
    RoomLocked => "room_locked", Fatal, "The facilitator has locked this session; new members cannot join.";
    RoomFull => "room_full", Fatal, "This session is full.";
    BadToken => "bad_token", Fatal, "This token is not valid for this session.";
    InvalidName => "invalid_name", Fix, "Choose a name of 1 to 40 characters.";
    NameTaken => "name_taken", Fix, "Another member already has this name, or one that looks the same.";
    Removed => "removed", Fatal, "The facilitator removed you from this session.";
    TakenOver => "taken_over", Fatal, "You opened this session on another device or tab.";
    RateLimited => "rate_limited", Retry, "Too many messages; wait a moment.";
    Flooding => "flooding", Fatal, "Too many messages, even after being asked to wait; the connection was closed.";
    TooManyAttempts => "too_many_attempts", Retry, "Too many attempts; wait a moment before trying again.";
    SlowConsumer => "slow_consumer", Reconnect, "The connection could not keep up; reconnecting.";
    HeartbeatTimeout => "heartbeat_timeout", Reconnect, "Nothing was heard from this connection in time.";
    ShuttingDown => "shutting_down", Reconnect, "The server is restarting; reconnect in a moment.";
    StoreUnavailable => "store_unavailable", Retry, "Your input could not be saved; it will be sent again.";
    RoomMoved => "room_moved", Reconnect, "This session moved to another server; reconnecting.";
    Internal => "internal", Retry, "Something went wrong on the server.";
    NotFacilitator => "not_facilitator", Fix, "Only the facilitator can do this.";
    NotStarted => "not_started", Fix, "The session has not started yet.";
    AlreadyStarted => "already_started", Fix, "The session has already started.";
    SessionEnded => "session_ended", Fatal, "This session has ended.";
    PhaseForbids => "phase_forbids", Fix, "This phase does not allow this input for your role.";
    CaseBringerListens => "case_bringer_listens", Fix, "In this phase the case-bringer listens and does not post.";
    PhaseClosed => "phase_closed", Fix, "The phase this was written in has closed.";
    NoCaseBringer => "no_case_bringer", Fix, "Choose a case or a case-bringer first.";
    NoSuchPhase => "no_such_phase", Fix, "There is no such phase.";
    NoSuchItem => "no_such_item", Fix, "This item does not exist.";
    NoSuchMember => "no_such_member", Fix, "This member does not exist.";
    InvalidTarget => "invalid_target", Fix, "This item cannot be used for this.";
    InvalidValue => "invalid_value", Fix, "A value is out of range.";
    TextEmpty => "text_empty", Fix, "The text is empty.";
    TextTooLong => "text_too_long", Fix, "The text is too long.";
    LimitReached => "limit_reached", Fix, "You reached the limit for this phase.";
    VoteLimit => "vote_limit", Fix, "You have no votes left.";
    NotVoted => "not_voted", Fix, "You have not voted for this.";
    AlreadyInQueue => "already_in_queue", Fix, "Your hand is already raised.";
    NotInQueue => "not_in_queue", Fix, "Your hand is not raised.";
    NotYourTurn => "not_your_turn", Fix, "It is not your turn.";
    WaitYourTurn => "wait_your_turn", Fix, "One contribution per turn here; your turn is coming.";
    NotCaseBringer => "not_case_bringer", Fix, "Only the case-bringer of this case can do this.";
    NoRound => "no_round", Fix, "No round is running.";
    NotAuthor => "not_author", Fix, "Only the author can withdraw this, and only in the same phase.";
    AnonymityDisabled => "anonymity_disabled", Fix, "This session does not allow anonymous input.";
    AdviceLikeQuestion => "advice_like_question", Confirm, "This question reads like advice. Ask an open question, or send it anyway.";
    AdviceLikeStatement => "advice_like_statement", Confirm, "This reads like advice, and this round is for questions. Ask an open question, or send it anyway.";
    NotAQuestion => "not_a_question", Confirm, "This is not a question, and this round is for questions. Rephrase it as a question, or send it anyway.";
    AdviceInAnalysis => "advice_in_analysis", Confirm, "This reads like advice, and advice comes later in this method. Keep to what you notice, or send it anyway.";
    InvalidRequest => "invalid_request", Fix, "The request is not valid.";
    InvalidTemplate => "invalid_template", Fix, "The method template is not valid.";
    UnknownMethod => "unknown_method", Fix, "There is no method with this id.";
    Forbidden => "forbidden", Fatal, "You may not see this.";
    ReadOnly => "read_only", Fatal, "The shared screen only shows the session; it cannot send commands.";
    NotFound => "not_found", Fatal, "Not found.";
    NotEnded => "not_ended", Fix, "The session has not ended yet; certificates are issued at its end.";
    NotConfirmed => "not_confirmed", Fix, "Confirm that you were present first.";
}

impl ErrorCode {
    /// The WebSocket close code for errors that end a connection; `None` for errors that leave
    /// it open. `4000..=4399`: reconnect and resume. `4400..=4999`: do not reconnect.
    pub fn close_code(self) -> Option<u16> {
        Some(match self {
            ErrorCode::SlowConsumer => 4000,
            ErrorCode::HeartbeatTimeout => 4001,
            ErrorCode::StoreUnavailable => 4002,
            ErrorCode::Internal => 4003,
            ErrorCode::RoomMoved => 4004,
            ErrorCode::ShuttingDown => 1012,
            ErrorCode::UnsupportedVersion => 4400,
            ErrorCode::HelloRequired => 4400,
            ErrorCode::BadToken => 4401,
            ErrorCode::Removed => 4403,
            ErrorCode::RoomNotFound => 4404,
            ErrorCode::TakenOver => 4409,
            ErrorCode::SessionEnded => 4410,
            ErrorCode::RoomLocked => 4423,
            ErrorCode::RoomFull => 4423,
            ErrorCode::TooManyAttempts => 4029,
            ErrorCode::Flooding => 1008,
            _ => return None,
        })
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_matches_as_str() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn every_code_is_in_the_documented_table() {
        let doc = include_str!("error.rs");
        for code in ErrorCode::ALL {
            let row = format!("//! | `{}` | ", code.as_str());
            assert!(doc.contains(&row), "{code} missing from the table");
        }
    }

    #[test]
    fn close_codes_follow_the_reconnect_rule() {
        for code in ErrorCode::ALL {
            if let Some(close) = code.close_code() {
                let reconnect = close == 1012 || (4000..4400).contains(&close);
                let says_reconnect =
                    matches!(code.category(), Category::Reconnect | Category::Retry);
                assert_eq!(reconnect, says_reconnect, "{code}: close code {close}");
            }
        }
    }
}

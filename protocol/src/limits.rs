//! Limits that are part of the wire contract: the server enforces them and a client checks them
//! before sending, so they live here and are generated into `web-client/src/wire.js`.

use crate::InputKind;

/// Display names, in characters (after trimming).
pub const NAME_MAX_CHARS: usize = 40;

/// Session titles, in characters (after trimming).
pub const TITLE_MAX_CHARS: usize = 120;

/// A group's name on the attendance record, in characters (after trimming).
pub const GROUP_NAME_MAX_CHARS: usize = 80;

/// A registration number (e.g. `BIG 19012345601`), in characters (after trimming).
pub const REGISTRATION_MAX_CHARS: usize = 60;

/// A personal reflection, in characters (after trimming): about one printed page.
pub const REFLECTION_MAX_CHARS: usize = 3000;

/// Minutes the facilitator may set for a member on the attendance list: a day.
pub const SET_MINUTES_MAX: u32 = 24 * 60;
/// The remark on a process evaluation, in characters (after trimming).
pub const REMARK_MAX_CHARS: usize = 500;

/// The longest text, in characters (after trimming), each kind of input may have.
///
/// | kind | chars | why |
/// |---|---|---|
/// | `case` | 600 | a pitch of at most three sentences |
/// | `statement` | 4000 | the case told in full |
/// | `question` | 500 | one question, not a speech |
/// | `answer` | 1500 | a short answer |
/// | `key_question` | 500 | one question |
/// | `analysis` | 1500 | a hypothesis or what strikes you |
/// | `advice` | 1500 | one piece of advice |
/// | `private_note` | 1500 | a note to read out later |
/// | `commitment` | 1000 | what the case-bringer will do |
/// | `reflection` | 1500 | a look back on the session |
/// | `notepad` | 1500 | the case-bringer's private note while listening |
/// | `vote`, `reaction` | 0 | not text: they act on an existing item |
pub fn max_chars(kind: InputKind) -> usize {
    match kind {
        InputKind::Case => 600,
        InputKind::Statement => 4000,
        InputKind::Question => 500,
        InputKind::Answer => 1500,
        InputKind::KeyQuestion => 500,
        InputKind::Analysis => 1500,
        InputKind::Advice => 1500,
        InputKind::PrivateNote => 1500,
        InputKind::Notepad => 1500,
        InputKind::Commitment => 1000,
        InputKind::Reflection => 1500,
        InputKind::Vote | InputKind::Reaction => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_kind_has_a_limit_and_other_kinds_none() {
        for kind in InputKind::ALL {
            assert_eq!(max_chars(kind) > 0, kind.is_text(), "{}", kind.as_str());
        }
    }

    #[test]
    fn messages_that_name_a_limit_name_the_current_one() {
        let name = crate::ErrorCode::InvalidName.message();
        assert!(name.contains(&format!(" {NAME_MAX_CHARS} ")), "{name}");
    }
}

//! Reading a room's journal, including events that earlier versions wrote.
//!
//! The journal is the source of truth and is never rewritten: a session that was live while
//! the server was upgraded keeps its events in the shape they were written in. [`read_event`]
//! parses the current shape directly and upgrades the shapes earlier versions wrote, so no
//! accepted input is lost. The upgrades, oldest first:
//!
//! * Before case rounds (reactions private to the case-bringer): every `Item` carried
//!   `temperature` and `reaction` (copies of what triage and reactions set; the events below
//!   keep the facts, so the copies are dropped); `item_triaged` carried the question's
//!   `temperature` (kept as the event's journal-only field, applied as the case-bringer's
//!   unshared reaction); `item_reacted` had `reaction: "none" | "useful" | "not_for_me"` and
//!   no `shared` (now a reaction that is useful, or "koud" for "not for me", the nearest on
//!   the new scale; unshared). The group carried every commitment when the session kept
//!   anything for it, so an old commitment counts as carried with consent.

use serde_json::{Map, Value};

use crate::Event;

/// One journal event from its stored JSON, in any shape a version of kring wrote.
pub fn read_event(json: &str) -> Result<Event, serde_json::Error> {
    let error = match serde_json::from_str(json) {
        Ok(event) => return Ok(event),
        Err(error) => error,
    };
    let Ok(Value::Object(mut event)) = serde_json::from_str::<Value>(json) else {
        return Err(error);
    };
    if !upgrade_before_case_rounds(&mut event) {
        return Err(error);
    }
    serde_json::from_value(Value::Object(event))
}

/// Rewrites an event written before case rounds; false when it is not such an event.
fn upgrade_before_case_rounds(event: &mut Map<String, Value>) -> bool {
    let mut changed = false;
    match event.get("kind").and_then(Value::as_str) {
        Some("item_added") => changed |= event.get_mut("item").is_some_and(upgrade_item),
        Some("item_hidden") => changed |= event.get_mut("restored").is_some_and(upgrade_item),
        Some("notes_revealed") => {
            if let Some(Value::Array(notes)) = event.get_mut("notes") {
                for note in notes {
                    changed |= upgrade_item(note);
                }
            }
        }
        Some("item_reacted") => {
            if let Some(Value::String(old)) = event.get("reaction") {
                let (temperature, useful) = match old.as_str() {
                    "useful" => ("none", true),
                    "not_for_me" => ("cold", false),
                    _ => ("none", false),
                };
                event.insert(
                    "reaction".into(),
                    serde_json::json!({"temperature": temperature, "useful": useful}),
                );
                event.entry("shared").or_insert(Value::Bool(false));
                changed = true;
            }
        }
        _ => {}
    }
    changed
}

/// Drops an item's old `temperature` and `reaction` copies; true if it had them.
fn upgrade_item(item: &mut Value) -> bool {
    let Value::Object(item) = item else {
        return false;
    };
    let old = item.remove("temperature").is_some() | item.remove("reaction").is_some();
    if old && item.get("kind").and_then(Value::as_str) == Some("commitment") {
        item.insert("kept".into(), Value::Bool(true));
    }
    old
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Reaction, Temperature};

    #[test]
    fn current_events_parse_as_they_are() {
        let json = r#"{"kind":"item_triaged","item":3,"status":"answered"}"#;
        let Event::ItemTriaged { temperature, .. } = read_event(json).unwrap() else {
            panic!()
        };
        assert_eq!(temperature, None);
    }

    #[test]
    fn an_old_reaction_becomes_an_unshared_reaction() {
        let json = r#"{"kind":"item_reacted","item":6,"reaction":"not_for_me"}"#;
        assert_eq!(
            read_event(json).unwrap(),
            Event::ItemReacted {
                item: Some(crate::ItemId(6)),
                reaction: Some(Reaction {
                    temperature: Temperature::Cold,
                    useful: false
                }),
                shared: false,
            }
        );
    }

    #[test]
    fn garbage_stays_an_error() {
        assert!(read_event(r#"{"kind":"item_reacted","item":6,"reaction":7}"#).is_err());
        assert!(read_event(r#"{"kind":"no_such_event"}"#).is_err());
        assert!(read_event("[1]").is_err());
    }
}

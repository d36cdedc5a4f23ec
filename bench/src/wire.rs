//! The messages the generator sends, built from the protocol's own types (`kring_protocol`), so
//! that a change to the wire contract breaks the benchmark at compile time instead of in a run.
//!
//! What it receives is read without a JSON parser on the hot path (see `client.rs`); the
//! welcome, once per join, is read into [`WelcomeHead`]: the fields the generator needs, from
//! kring and from the Node.js baseline alike (whose view is not kring's).

use kring_protocol::{ClientMsg, Command, CommandEnvelope, Epoch, InputKind, ItemId, Join, Seq};
use serde::Deserialize;
use serde::de::IgnoredAny;

/// A message as the text of one WebSocket frame.
fn text(msg: &ClientMsg) -> String {
    // A `ClientMsg` is plain data (strings, numbers, enums): serialising it cannot fail.
    serde_json::to_string(msg).unwrap_or_default()
}

/// `hello` in the protocol version this generator was built with.
pub fn hello(join: Join) -> String {
    text(&ClientMsg::Hello {
        protocol: kring_protocol::PROTOCOL_VERSION,
        join,
    })
}

pub fn member(name: impl Into<String>) -> Join {
    Join::Member { name: name.into() }
}

pub fn facilitator(token: impl Into<String>) -> Join {
    Join::Facilitator {
        token: token.into(),
        name: "Facilitator".to_owned(),
    }
}

pub fn resume(token: impl Into<String>, epoch: Option<Epoch>, last_seq: Seq) -> Join {
    Join::Resume {
        token: token.into(),
        epoch,
        last_seq: Some(last_seq),
    }
}

/// A command with client message id `id`.
pub fn command(id: impl Into<String>, command: Command) -> String {
    text(&ClientMsg::Command(CommandEnvelope {
        id: id.into(),
        phase: None,
        command,
    }))
}

/// A question for the current phase.
pub fn question(text: impl Into<String>) -> Command {
    Command::Submit {
        input: InputKind::Question,
        text: kring_protocol::Text::new(text),
        reply_to: None,
        anonymous: false,
        confirm: false,
    }
}

pub fn vote(item: u64) -> Command {
    Command::Vote {
        item: ItemId(u32::try_from(item).unwrap_or(u32::MAX)),
    }
}

/// The fields of a `welcome` the generator uses.
#[derive(Deserialize, Debug)]
pub struct WelcomeHead {
    pub resume_token: Option<String>,
    pub epoch: Epoch,
    pub seq: Seq,
    /// Present (not `null`) when the welcome carries the full view instead of a replay.
    #[serde(default)]
    pub view: Option<IgnoredAny>,
}

impl WelcomeHead {
    pub fn parse(text: &str) -> anyhow::Result<WelcomeHead> {
        Ok(serde_json::from_str(text)?)
    }

    pub fn full_view(&self) -> bool {
        self.view.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_what_the_server_reads() {
        let hello = hello(member("P1"));
        let back: ClientMsg = serde_json::from_str(&hello).expect("a hello");
        assert_eq!(
            back,
            ClientMsg::Hello {
                protocol: kring_protocol::PROTOCOL_VERSION,
                join: Join::Member { name: "P1".into() }
            }
        );
        assert!(hello.starts_with(r#"{"type":"hello""#));
        let cmd = command("c7", Command::RaiseHand {});
        assert_eq!(
            cmd,
            r#"{"type":"command","id":"c7","phase":null,"command":{"kind":"raise_hand"}}"#
        );
        let q: ClientMsg = serde_json::from_str(&command("c8", question("Why?"))).expect("q");
        assert!(matches!(
            q,
            ClientMsg::Command(CommandEnvelope {
                command: Command::Submit { .. },
                ..
            })
        ));
    }

    #[test]
    fn welcomes_are_read_from_kring_and_the_baseline() {
        let replay = r#"{"type":"welcome","protocol":9,"member":2,"role":"participant","resume_token":"t","epoch":1,"seq":40,"server_time":1,"online":[],"retention_ms":5,"view":null}"#;
        let w = WelcomeHead::parse(replay).expect("welcome");
        assert_eq!((w.epoch, w.seq, w.full_view()), (1, 40, false));
        assert_eq!(w.resume_token.as_deref(), Some("t"));
        let full =
            r#"{"type":"welcome","resume_token":"t","epoch":2,"seq":3,"view":{"anything":[1,2]}}"#;
        assert!(WelcomeHead::parse(full).expect("welcome").full_view());
    }
}

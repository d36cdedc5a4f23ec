//! The wire contract's values for the browser client, generated from the Rust constants.
//!
//! `typescript` generates the client's types; this generates the values a client needs before
//! it sends anything (protocol version, id and text limits, what each error code means) into
//! `web-client/src/wire.js`, so the client holds no hand copy that could drift. The file is
//! checked in (the client needs no build step); `cargo test -p kring-protocol` fails when it is
//! stale and `KRING_UPDATE_TYPES=1 cargo test -p kring-protocol` regenerates it with the types.

use std::fmt::Write;

use crate::limits::{
    GROUP_NAME_MAX_CHARS, NAME_MAX_CHARS, REFLECTION_MAX_CHARS, REGISTRATION_MAX_CHARS,
    REMARK_MAX_CHARS, SET_MINUTES_MAX, TITLE_MAX_CHARS, max_chars,
};
use crate::{
    ErrorCode, InputKind, MAX_CLIENT_MESSAGE_BYTES, MAX_COMMAND_ID_LEN, PROCESS_ITEMS,
    PROTOCOL_VERSION, ROOM_CODE_ALPHABET, ROOM_CODE_LEN,
};

/// The generated ES module.
pub fn module() -> String {
    let mut out = String::from(
        "// Generated from the Rust constants in protocol/ by `kring_protocol::client_values`.\n\
         // Do not edit: run `KRING_UPDATE_TYPES=1 cargo test -p kring-protocol`.\n\n\
         /** @typedef {import('./protocol').ErrorCode} ErrorCode */\n\
         /** @typedef {import('./protocol').Category} Category */\n\
         /** @typedef {import('./protocol').InputKind} InputKind */\n\n",
    );
    let _ = writeln!(out, "/** The protocol version `hello` must name. */");
    let _ = writeln!(out, "export const PROTOCOL_VERSION = {PROTOCOL_VERSION};\n");
    let _ = writeln!(
        out,
        "/** Longest command id, in bytes (UTF-8). */\nexport const MAX_COMMAND_ID_LEN = {MAX_COMMAND_ID_LEN};\n"
    );
    let _ = writeln!(
        out,
        "/** Largest message a client may send, in bytes (UTF-8). */\nexport const MAX_CLIENT_MESSAGE_BYTES = {MAX_CLIENT_MESSAGE_BYTES};\n"
    );
    let _ = writeln!(
        out,
        "/** Characters of a room code in canonical form (`RoomCode`). */\nexport const ROOM_CODE_LEN = {ROOM_CODE_LEN};\n"
    );
    let _ = writeln!(
        out,
        "/** The characters a room code is made of (people may type them in lower case, with `-`, `.` or spaces between). */\nexport const ROOM_CODE_ALPHABET = \"{}\";\n",
        String::from_utf8_lossy(ROOM_CODE_ALPHABET)
    );
    let _ = writeln!(
        out,
        "/** Display names, in characters after trimming. */\nexport const NAME_MAX_CHARS = {NAME_MAX_CHARS};\n"
    );
    let _ = writeln!(
        out,
        "/** Session titles, in characters after trimming. */\nexport const TITLE_MAX_CHARS = {TITLE_MAX_CHARS};\n"
    );
    let _ = writeln!(
        out,
        "/** A group's name on the attendance record, in characters after trimming. */\nexport const GROUP_NAME_MAX_CHARS = {GROUP_NAME_MAX_CHARS};\n"
    );
    let _ = writeln!(
        out,
        "/** A registration number, in characters after trimming. */\nexport const REGISTRATION_MAX_CHARS = {REGISTRATION_MAX_CHARS};\n"
    );
    let _ = writeln!(
        out,
        "/** A personal reflection, in characters after trimming. */\nexport const REFLECTION_MAX_CHARS = {REFLECTION_MAX_CHARS};\n"
    );
    let _ = writeln!(
        out,
        "/** Minutes the facilitator may set for a member. */\nexport const SET_MINUTES_MAX = {SET_MINUTES_MAX};\n"
    );

    let _ = writeln!(
        out,
        "/** A process evaluation's remark, in characters after trimming. */\nexport const REMARK_MAX_CHARS = {REMARK_MAX_CHARS};\n"
    );
    out.push_str("/** The items of the process evaluation, in the order of its scores. */\n");
    out.push_str(
        "export const PROCESS_ITEMS = /** @type {readonly string[]} */ (Object.freeze([\n",
    );
    for item in PROCESS_ITEMS {
        let _ = writeln!(out, "  \"{item}\",");
    }
    out.push_str("]));\n\n");

    out.push_str("/** Every input kind, in the protocol's order. */\n");
    out.push_str(
        "export const INPUT_KINDS = /** @type {readonly InputKind[]} */ (Object.freeze([\n",
    );
    for kind in InputKind::ALL {
        let _ = writeln!(out, "  \"{}\",", kind.as_str());
    }
    out.push_str("]));\n\n");

    out.push_str("/** Kinds that put a text item on a board (`InputKind::is_text`). */\n");
    out.push_str(
        "export const TEXT_KINDS = /** @type {readonly InputKind[]} */ (Object.freeze([\n",
    );
    for kind in InputKind::ALL.into_iter().filter(|k| k.is_text()) {
        let _ = writeln!(out, "  \"{}\",", kind.as_str());
    }
    out.push_str("]));\n\n");

    out.push_str(
        "/**\n * The longest text per kind, in characters after trimming (0: not text).\n \
         * @type {Readonly<Record<InputKind, number>>}\n */\nexport const MAX_CHARS = Object.freeze({\n",
    );
    for kind in InputKind::ALL {
        let _ = writeln!(out, "  {}: {},", kind.as_str(), max_chars(kind));
    }
    out.push_str("});\n\n");

    out.push_str(
        "/**\n * Every error code with its category, in the order of the server's table.\n \
         * @type {Readonly<Record<ErrorCode, Category>>}\n */\nexport const CODE_CATEGORY = Object.freeze({\n",
    );
    for code in ErrorCode::ALL {
        let category = serde_json::to_string(&code.category()).unwrap_or_default();
        let _ = writeln!(out, "  {}: {category},", code.as_str());
    }
    out.push_str("});\n\n");

    out.push_str(
        "/**\n * The WebSocket close code of each error that ends a connection.\n \
         * @type {Readonly<Partial<Record<ErrorCode, number>>>}\n */\nexport const CODE_CLOSE = Object.freeze({\n",
    );
    for code in ErrorCode::ALL {
        if let Some(close) = code.close_code() {
            let _ = writeln!(out, "  {}: {close},", code.as_str());
        }
    }
    out.push_str("});\n");
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn client_values_are_current() {
        let fresh = module();
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web-client/src/wire.js");
        if std::env::var_os("KRING_UPDATE_TYPES").is_some() {
            std::fs::write(&path, &fresh).expect("write wire.js");
            return;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == fresh,
            "web-client/src/wire.js is stale: run `KRING_UPDATE_TYPES=1 cargo test -p \
             kring-protocol` and commit it"
        );
    }
}

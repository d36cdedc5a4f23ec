//! TypeScript declarations for the browser client, generated from the wire types.
//!
//! The generated file is checked in at `web-client/src/protocol.d.ts` so the client needs no
//! build step. `cargo test -p kring-protocol` fails when it is stale; regenerate with
//! `KRING_UPDATE_TYPES=1 cargo test -p kring-protocol`.

use ts_rs::{Config, TS};

use crate::*;

macro_rules! declare {
    ($cfg:expr, $out:expr, $($ty:ty),* $(,)?) => {
        $(
            $out.push_str("export ");
            $out.push_str(&<$ty as TS>::decl($cfg));
            $out.push_str("\n\n");
        )*
    };
}

/// Every wire type, in one TypeScript declaration file.
pub fn declarations() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types in protocol/ by `kring_protocol::typescript`.\n\
         // Do not edit: run `KRING_UPDATE_TYPES=1 cargo test -p kring-protocol`.\n\n",
    );
    declare!(
        &cfg,
        out,
        MemberId,
        ItemId,
        RoomCode,
        DisplayName,
        Title,
        Text,
        Localized,
        Language,
        Role,
        InputKind,
        TurnMode,
        MethodTemplate,
        PhaseTemplate,
        RoundOrder,
        Command,
        TriageStatus,
        Temperature,
        Reaction,
        ReactionEntry,
        Sequenced,
        MemberInfo,
        Item,
        Event,
        Warning,
        SessionStatus,
        SessionView,
        PhaseState,
        MemberView,
        Floor,
        RoundView,
        CaseRoundView,
        ProcessAggregate,
        Me,
        AttendanceState,
        WarningTally,
        ReportBack,
        CarriedItem,
        ProcessPoint,
        ClientMsg,
        Join,
        CommandEnvelope,
        ServerMsg,
        Welcome,
        Ack,
        ErrorMsg,
        TextSpan,
        Category,
        ErrorCode,
        CreateSession,
        SessionSettings,
        SessionCreated,
        SessionPreview,
        MethodList,
        ApiError,
        Attendance,
        AttendanceCase,
        AttendanceRow,
        CertificateCase,
        Verification,
        ProcessResults,
    );
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn generated_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web-client/src/protocol.d.ts")
    }

    #[test]
    fn typescript_declarations_are_current() {
        let fresh = declarations();
        let path = generated_path();
        if std::env::var_os("KRING_UPDATE_TYPES").is_some() {
            std::fs::write(&path, &fresh).expect("write protocol.d.ts");
            return;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == fresh,
            "web-client/src/protocol.d.ts is stale: run \
             `KRING_UPDATE_TYPES=1 cargo test -p kring-protocol` and commit it"
        );
    }

    #[test]
    fn every_referenced_type_is_declared() {
        let ts = declarations();
        let declared: Vec<&str> = ts
            .lines()
            .filter_map(|l| l.strip_prefix("export type "))
            .filter_map(|l| l.split([' ', '<']).next())
            .collect();
        let cfg = Config::new();
        let deps = [
            ClientMsg::dependencies(&cfg),
            ServerMsg::dependencies(&cfg),
            CreateSession::dependencies(&cfg),
            SessionCreated::dependencies(&cfg),
            SessionPreview::dependencies(&cfg),
            MethodList::dependencies(&cfg),
            ApiError::dependencies(&cfg),
            Attendance::dependencies(&cfg),
            Verification::dependencies(&cfg),
            ProcessResults::dependencies(&cfg),
        ];
        for dep in deps.iter().flatten() {
            assert!(
                declared.contains(&dep.ts_name.as_str()),
                "{} is used but not declared",
                dep.ts_name
            );
        }
    }
}

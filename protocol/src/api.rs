//! HTTP API bodies (`/api/...`). Errors use [`ApiError`] with the same codes as the socket.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Category, ErrorCode, Language, MethodTemplate, Millis};

/// `POST /api/sessions`
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    /// Id of a built-in method (see `GET /api/methods`). Ignored when `template` is given.
    #[serde(default)]
    #[ts(optional)]
    pub method: Option<String>,
    /// A custom method template, checked with errors that name the field.
    #[serde(default)]
    #[ts(optional)]
    pub template: Option<MethodTemplate>,
    /// 1 to 120 characters after trimming, no control characters.
    #[schema(
        pattern = r"^\s*[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]{0,118}[^\s\x00-\x1f\x7f-\x9f])?\s*$"
    )]
    pub title: String,
    #[serde(default)]
    #[ts(optional)]
    pub language: Option<Language>,
    #[serde(default)]
    #[ts(optional)]
    pub settings: Option<SessionSettings>,
    /// Start this session as the next meeting of a group (the token from an earlier session).
    #[serde(default)]
    #[ts(optional)]
    pub group_token: Option<String>,
    /// The group's name (e.g. `Intervisiegroep Jeugd Noord`), for the attendance record and
    /// certificates, which are kept long after the session's content: no case content here.
    /// Trimmed; 1 to 80 characters without control characters; empty or absent: none.
    #[serde(default)]
    #[ts(optional)]
    pub group_name: Option<String>,
    /// IANA time zone the meeting takes place in (e.g. `Europe/Brussels`); the attendance
    /// record states its local start and end in it. Default `Europe/Amsterdam`.
    #[serde(default)]
    #[ts(optional)]
    pub time_zone: Option<String>,
}

#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    /// Members may hide their name on items from the other members. Off by default: in a
    /// small fixed group, anonymity hides little and costs trust.
    #[serde(default)]
    pub allow_anonymous: bool,
    /// The group keeps a carry-over for its next meeting: kept cases, the process
    /// evaluation's numbers, and each commitment its case-bringer agreed to carry.
    #[serde(default)]
    pub keep_for_group: bool,
    /// A self-led group: the facilitator also takes part (takes turns, posts what
    /// participants may).
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub facilitator_takes_part: bool,
    /// The video call of a remote or hybrid group (an `https://` address of at most 500
    /// characters), shown to members in the lobby and on their phones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub video_url: Option<String>,
}

/// `201 Created` from `POST /api/sessions`.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SessionCreated {
    /// The room code as people read it, e.g. `K7M-3QX-9PA` (typed case-insensitively, dashes
    /// optional); `ws_path` holds its canonical form.
    pub code: String,
    /// The link participants open (also as QR code at `qr_url`).
    pub join_url: String,
    /// The join link as a QR code (SVG).
    pub qr_url: String,
    /// WebSocket path of the room.
    pub ws_path: String,
    /// Secret (128 bits or more): joins as facilitator and opens the shared screen.
    pub facilitator_token: String,
    /// Secret that only opens the read-only shared screen (`join.as = "screen"`), for a
    /// projector PC that must not hold the facilitator's powers.
    pub screen_token: String,
    /// The shared screen's link, with the screen token in the fragment (never sent to a
    /// server in a request).
    pub screen_url: String,
    /// Secret for starting the group's next meeting (see `CreateSession::group_token`).
    pub group_token: String,
}

/// `GET /api/sessions/{code}/preview`: what the join page shows before asking a name. A room
/// that is unknown, locked or ended is `404 room_not_found`, counted as a failed join.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SessionPreview {
    pub title: String,
    pub language: Language,
}

/// `GET /api/methods`
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MethodList {
    pub methods: Vec<MethodTemplate>,
}

/// The body of every HTTP error.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    pub code: ErrorCode,
    pub category: Category,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

/// `GET /api/sessions/{code}/attendance` (facilitator): the meeting's attendance record. No
/// content: it is kept for `--attendance-retention` (default 6 years), long after the session.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    /// The session's title while its content is kept; `null` once it is deleted (a title can
    /// say more than a register needs).
    pub title: Option<String>,
    pub group_name: Option<String>,
    /// IANA time zone of the local times below.
    pub time_zone: String,
    /// Local date of the start, `YYYY-MM-DD`; `null` before the start.
    pub date: Option<String>,
    /// Local start and end, `HH:MM`.
    pub start: Option<String>,
    pub end: Option<String>,
    pub started_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    /// The method of each case round, by name in the session's language.
    pub methods: Vec<String>,
    /// Each case round: its method and who brought the case.
    pub cases: Vec<AttendanceCase>,
    /// Who led the meeting: everyone who held the facilitator role, in order (several names
    /// when the role was handed over).
    pub facilitator: String,
    /// Who had the facilitator's rights beside them.
    pub co_facilitators: Vec<String>,
    /// When the facilitator confirmed the list.
    pub list_confirmed_at: Option<Millis>,
    pub members: Vec<AttendanceRow>,
}

/// `GET /api/sessions/{code}/process` (the facilitator or a co-facilitator): the process
/// evaluation of every case round that at least three members answered, summed, and the
/// group's earlier meetings. No names. Not in the view: events go to everyone and could not
/// keep it current for the facilitator alone.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProcessResults {
    pub process: Vec<crate::ProcessAggregate>,
    /// The group's earlier meetings, oldest first.
    pub trend: Vec<crate::ProcessPoint>,
}

/// One case round on the attendance list.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttendanceCase {
    /// The method's name in the session's language.
    pub method: String,
    /// Who brought the case; `null` if nobody did.
    pub case_bringer: Option<String>,
}

/// One case round on a certificate. It names no other member: a certificate is shown to
/// third parties.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CertificateCase {
    pub method: String,
    /// The certificate's holder brought this case.
    pub brought: bool,
}

#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRow {
    /// The member's id in the session (`set_minutes` names them with it).
    #[schema(value_type = u32)]
    pub member: crate::MemberId,
    pub name: String,
    pub role: crate::Role,
    pub joined_at: Millis,
    /// Time present between the start and the end of the meeting: connected, or away for no
    /// longer than the turn grace (a locked phone, a network drop).
    pub present_ms: u64,
    /// Minutes present on the list: as the facilitator set them, or else `present_ms` in whole
    /// minutes, rounded to the nearest.
    pub minutes: u32,
    /// `present_ms` in whole minutes, rounded to the nearest.
    pub measured_minutes: u32,
    /// The facilitator set `minutes` (a correction of what was measured).
    pub set_by_facilitator: bool,
    /// Hours as registers count them: `minutes` rounded down to whole quarter hours, e.g.
    /// `1.75`.
    pub hours: f64,
    /// When the member confirmed "I was present".
    pub confirmed_at: Option<Millis>,
}

/// `GET /verify/{code}?format=json`: whether a certificate of participation is genuine, and
/// what it states.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// The code as kring writes it, e.g. `K7MQ-3QX9-PA2T-8CWR`.
    pub code: String,
    pub name: String,
    pub registration: Option<String>,
    pub role: crate::Role,
    pub group_name: Option<String>,
    pub time_zone: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub methods: Vec<String>,
    /// Each case round: its method, and whether the holder brought the case.
    pub cases: Vec<CertificateCase>,
    pub facilitator: String,
    pub co_facilitators: Vec<String>,
    pub minutes: u32,
    pub hours: f64,
    /// The minutes were set by the facilitator rather than measured.
    pub set_by_facilitator: bool,
    pub confirmed_at: Option<Millis>,
    pub list_confirmed_at: Option<Millis>,
}

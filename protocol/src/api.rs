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
}

#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    /// Members may hide their name on items from the other members.
    #[serde(default = "yes")]
    pub allow_anonymous: bool,
    /// Keep the case-bringer's commitments and kept cases for the group's next meeting.
    #[serde(default)]
    pub keep_for_group: bool,
    /// The video call of a remote or hybrid group (an `https://` address of at most 500
    /// characters), shown to members in the lobby and on their phones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub video_url: Option<String>,
}

fn yes() -> bool {
    true
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            allow_anonymous: true,
            keep_for_group: false,
            video_url: None,
        }
    }
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

/// `GET /api/sessions/{code}/attendance` (facilitator): who attended, when, how long. No content.
#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    pub title: String,
    pub started_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub members: Vec<AttendanceRow>,
}

#[derive(Serialize, Deserialize, TS, utoipa::ToSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRow {
    pub name: String,
    pub role: crate::Role,
    pub joined_at: Millis,
    /// Time connected, summed over all connections.
    pub present_ms: u64,
}

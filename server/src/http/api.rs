//! `/api/...`: methods and session creation.

use axum::Json;
use axum::body::Bytes;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use kring_engine::{SessionParams, methods};
use kring_protocol::limits::GROUP_NAME_MAX_CHARS;
use kring_protocol::{
    ApiError, CreateSession, ErrorCode, MethodList, ReportBack, RoomCode, SessionCreated,
    SessionPreview, Title,
};

use super::join::base_url;
use super::{ApiErr, AppState, query};
use crate::clock::now_ms;
use crate::hub::HubError;
use crate::room::query::Preview;
use crate::secrets::{hash_token, new_room_code, new_token};
use crate::store::{GroupLink, StoreError};

const VIDEO_URL_MAX_CHARS: usize = 500;

/// What a newcomer's join page shows before asking a name (the title and language), so a
/// mistyped code is caught first. Answers only for a room the newcomer could join.
#[utoipa::path(
    get,
    path = "/api/sessions/{code}/preview",
    tag = "sessions",
    params(("code" = String, Path, description = "The room code, case-insensitive, dashes optional.")),
    responses(
        (status = 200, description = "The room is open to newcomers.", body = SessionPreview),
        (status = 404, description = "No room a newcomer could join has this code (`room_not_found`): unknown, locked and ended rooms look alike. Counts as a failed join.", body = ApiError),
        (status = 429, description = "Too many failed joins from this address (`too_many_attempts`).", body = ApiError),
    ),
)]
pub(super) async fn preview(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, ApiErr> {
    let preview = query::ask_untokened(&app, peer.ip(), &code, Preview).await?;
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(preview),
    ))
}

/// The built-in methods, with their phases and instructions in every language.
#[utoipa::path(
    get,
    path = "/api/methods",
    tag = "sessions",
    responses((status = 200, description = "The built-in method templates.", body = MethodList)),
)]
pub(super) async fn methods() -> Json<MethodList> {
    Json(MethodList {
        methods: methods::builtin().to_vec(),
    })
}

/// Creates a session (a room) and returns its code, links and secrets.
#[utoipa::path(
    post,
    path = "/api/sessions",
    tag = "sessions",
    request_body(content = CreateSession, content_type = "application/json"),
    responses(
        (status = 201, description = "The session exists; its secrets are in the body and nowhere else.", body = SessionCreated),
        (status = 400, description = "The body is not JSON or not a `CreateSession` (`invalid_request`, `field` names where).", body = ApiError),
        (status = 403, description = "Sent by a page of another site (`forbidden`): `Sec-Fetch-Site: cross-site` or an `Origin` that is not allowed.", body = ApiError),
        (status = 408, description = "The body did not arrive within `--body-timeout` of the headers; the connection is closed.", body = ApiError),
        (status = 413, description = "The body is larger than 64 KiB.", body = ApiError),
        (status = 415, description = "The body is not sent as `application/json` (`invalid_request`).", body = ApiError),
        (status = 422, description = "The title, method, template or group token is not valid (`field` names which).", body = ApiError),
        (status = 429, description = "This address created many sessions lately, or holds `--max-live-sessions-per-ip` live ones (`rate_limited`; see `Retry-After`).", body = ApiError),
        (status = 503, description = "The server is shutting down.", body = ApiError),
        (status = 507, description = "The data directory has less free space than `--min-free-disk` (`store_unavailable`); try again later.", body = ApiError),
    ),
)]
pub(super) async fn create_session(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<SessionCreated>), ApiErr> {
    // JSON only: a page of any site can make a browser send text/plain, form or multipart
    // bodies without asking, but not application/json.
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiErr::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::InvalidRequest,
        )
        .message("The body must be JSON, sent as application/json."));
    }
    let request = parse(&body)?;
    if app.hub.disk_low() {
        // Whatever is stored now must stay writable; new sessions wait for space.
        tracing::error!("data directory below --min-free-disk; new session refused");
        return Err(ApiErr::new(
            StatusCode::INSUFFICIENT_STORAGE,
            ErrorCode::StoreUnavailable,
        )
        .message("The server is low on disk space; try again later."));
    }
    app.hub
        .may_hold_another(peer.ip(), now_ms())
        .map_err(|wait| {
            ApiErr::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited)
                .message("This address has many sessions open; end one or wait.")
                .retry_after(wait)
        })?;
    app.hub.may_create(peer.ip()).map_err(|wait| {
        ApiErr::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited)
            .message("This address has created many sessions lately; wait a while.")
            .retry_after(wait)
    })?;
    // Parsed after the address limits, as it always was: a refused title says nothing more.
    let title = Title::parse(&request.title).map_err(|invalid| {
        ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, invalid.code())
            .field("title", invalid.message())
    })?;
    let method = match request.template {
        Some(template) => {
            methods::validate(&template).map_err(|e| {
                ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidTemplate)
                    .field(format!("template.{}", e.field), e.message)
            })?;
            template
        }
        None => {
            let id = request.method.as_deref().unwrap_or("basic");
            methods::find(id).cloned().ok_or_else(|| {
                ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::UnknownMethod)
                    .field("method", "There is no built-in method with this id.")
            })?
        }
    };
    let group_name = group_name(request.group_name)?;
    let time_zone = request
        .time_zone
        .map(|tz| tz.trim().to_owned())
        .unwrap_or_else(|| kring_engine::DEFAULT_TIME_ZONE.to_owned());
    if !crate::records::is_time_zone(&time_zone) {
        return Err(
            ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidRequest).field(
                "time_zone",
                "Use a time zone name such as Europe/Amsterdam or Europe/Brussels.",
            ),
        );
    }
    let mut settings = request.settings.unwrap_or_default();
    settings.video_url = video_url(settings.video_url.take())?;
    let (group, group_token, report_back) = group_for(&app, request.group_token).await?;
    let facilitator_token = new_token();
    let screen_token = new_token();
    let mut params = SessionParams {
        code: new_room_code(),
        title,
        language: request.language.unwrap_or_default(),
        method,
        settings,
        created_at: now_ms(),
        facilitator_token_hash: hash_token(&facilitator_token),
        screen_token_hash: Some(hash_token(&screen_token)),
        report_back,
        submit_limit: app.hub.config().submit_limit,
        group_name,
        time_zone,
    };
    let code = create_with_fresh_code(&app, &mut params, group).await?;
    app.hub.created_by(peer.ip(), &code, params.created_at);
    let shown = code.display();
    let base = base_url(&app, &headers);
    tracing::info!(room = %crate::redact::RoomTag(&code), method = %params.method.id, "session created");
    Ok((
        StatusCode::CREATED,
        Json(SessionCreated {
            join_url: format!("{base}/join/{shown}"),
            screen_url: format!("{base}/screen/{shown}#{screen_token}"),
            screen_token,
            qr_url: format!("{base}/join/{shown}/qr.svg"),
            ws_path: format!("/ws/{}", code.as_str()),
            code: shown,
            facilitator_token,
            group_token,
        }),
    ))
}

/// A group name as given: trimmed, empty means none. No control or format characters: it is
/// printed on every certificate, where a bidi override could make it read as something else.
fn group_name(name: Option<String>) -> Result<Option<String>, ApiErr> {
    let Some(name) = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let hidden = |c: char| c.is_control() || kring_engine::limits::is_format(c);
    if name.chars().count() > GROUP_NAME_MAX_CHARS || name.chars().any(hidden) {
        return Err(
            ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidRequest).field(
                "group_name",
                format!(
                    "The group name must be at most {GROUP_NAME_MAX_CHARS} characters, without control or formatting characters."
                ),
            ),
        );
    }
    Ok(Some(name))
}

/// The video call's address as given (trimmed; empty is none). Only `https://` addresses: a
/// browser opens it from the app, and nothing but a web page belongs there.
fn video_url(url: Option<String>) -> Result<Option<String>, ApiErr> {
    let Some(url) = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let host = url
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])
        .unwrap_or("");
    let valid = !host.is_empty()
        && !host.starts_with(['/', '@', ':'])
        && url.chars().count() <= VIDEO_URL_MAX_CHARS
        && url.chars().all(|c| {
            c.is_ascii_graphic() || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
        });
    if !valid {
        return Err(
            ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidRequest).field(
                "settings.video_url",
                "The video call must be an https:// address of at most 500 characters.",
            ),
        );
    }
    Ok(Some(url))
}

/// The session's group: the one the token names (the next meeting, opening with what the
/// group kept last time), or a new one with a new token.
async fn group_for(
    app: &AppState,
    token: Option<String>,
) -> Result<(GroupLink, String, Option<ReportBack>), ApiErr> {
    let Some(token) = token else {
        let token = new_token();
        let link = GroupLink {
            id: new_token(),
            new_token_hash: Some(hash_token(&token)),
        };
        return Ok((link, token, None));
    };
    let group = app
        .hub
        .store()
        .group_by_token(&hash_token(&token))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "group lookup failed");
            ApiErr::internal()
        })?
        .ok_or_else(|| {
            ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::BadToken).field(
                "group_token",
                "No group has this token (or it was deleted).",
            )
        })?;
    let report_back = match group.carry_json {
        Some(json) => Some(serde_json::from_str(&json).map_err(|_| ApiErr::internal())?),
        // The group met but kept nothing: still a follow-up, with an empty report-back.
        None => Some(ReportBack::default()),
    };
    let link = GroupLink {
        id: group.id,
        new_token_hash: None,
    };
    Ok((link, token, report_back))
}

fn parse(body: &[u8]) -> Result<CreateSession, ApiErr> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let request = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let unknown_field = e.inner().to_string().starts_with("unknown field");
        let field = shown_path(e.path(), unknown_field);
        let inner = e.into_inner();
        let err = ApiErr::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest);
        if inner.is_data() && unknown_field {
            let message = format!("The request has a field the API does not know, in `{field}`.");
            return match field.starts_with("template") {
                true => ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidTemplate)
                    .field(field, message),
                false => err.field(field, message),
            };
        }
        if !inner.is_data() || field == "." {
            return err.field(".", "The body must be a JSON object with at least `title`.");
        }
        let message = format!("The request does not match the API at `{field}`.");
        match field.strip_prefix("template.") {
            Some(_) => ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidTemplate)
                .field(field, message),
            None => err.field(field, message),
        }
    })?;
    // One JSON value: anything after it is refused rather than ignored.
    de.end().map_err(|_| {
        ApiErr::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest).field(
            ".",
            "The body must be one JSON object, with nothing after it.",
        )
    })?;
    Ok(request)
}

/// The path of a field that did not parse, as the error names it. An unknown field's name
/// is the client's own text and is left out: the path ends at the object that holds it.
fn shown_path(path: &serde_path_to_error::Path, unknown_field: bool) -> String {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let keep = match (unknown_field, segments.last()) {
        (true, Some(Segment::Map { .. })) => segments.len() - 1,
        _ => segments.len(),
    };
    let mut shown = String::new();
    for segment in &segments[..keep] {
        match segment {
            Segment::Seq { index } => shown.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(key);
            }
            Segment::Enum { variant } => {
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(variant);
            }
            Segment::Unknown => shown.push_str(".?"),
        }
    }
    if shown.is_empty() { ".".into() } else { shown }
}

/// Codes are random; on the rare collision, draw again.
async fn create_with_fresh_code(
    app: &AppState,
    params: &mut SessionParams,
    group: GroupLink,
) -> Result<RoomCode, ApiErr> {
    for attempt in 0..5 {
        // The first code was drawn with the params; a duplicate draws another.
        if attempt > 0 {
            params.code = new_room_code();
        }
        let code = params.code.clone();
        match app.hub.create(params.clone(), Some(group.clone())).await {
            Ok(()) => return Ok(code),
            Err(HubError::Store(StoreError::Duplicate)) => continue,
            Err(HubError::ShuttingDown) => {
                return Err(ApiErr::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::ShuttingDown,
                ));
            }
            Err(e) => {
                tracing::error!(error = %e, "session creation failed");
                return Err(ApiErr::internal());
            }
        }
    }
    Err(ApiErr::internal())
}

// Generated from the Rust constants in protocol/ by `kring_protocol::client_values`.
// Do not edit: run `KRING_UPDATE_TYPES=1 cargo test -p kring-protocol`.

/** @typedef {import('./protocol').ErrorCode} ErrorCode */
/** @typedef {import('./protocol').Category} Category */
/** @typedef {import('./protocol').InputKind} InputKind */

/** The protocol version `hello` must name. */
export const PROTOCOL_VERSION = 2;

/** Longest command id, in bytes (UTF-8). */
export const MAX_COMMAND_ID_LEN = 64;

/** Largest message a client may send, in bytes (UTF-8). */
export const MAX_CLIENT_MESSAGE_BYTES = 16384;

/** Characters of a room code in canonical form (`RoomCode`). */
export const ROOM_CODE_LEN = 9;

/** The characters a room code is made of (people may type them in lower case, with `-`, `.` or spaces between). */
export const ROOM_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ";

/** Display names, in characters after trimming. */
export const NAME_MAX_CHARS = 40;

/** Session titles, in characters after trimming. */
export const TITLE_MAX_CHARS = 120;

/** A group's name on the attendance record, in characters after trimming. */
export const GROUP_NAME_MAX_CHARS = 80;

/** A registration number, in characters after trimming. */
export const REGISTRATION_MAX_CHARS = 60;

/** A personal reflection, in characters after trimming. */
export const REFLECTION_MAX_CHARS = 3000;

/** Minutes the facilitator may set for a member. */
export const SET_MINUTES_MAX = 1440;

/** A process evaluation's remark, in characters after trimming. */
export const REMARK_MAX_CHARS = 500;

/** The items of the process evaluation, in the order of its scores. */
export const PROCESS_ITEMS = /** @type {readonly string[]} */ (Object.freeze([
  "method_followed",
  "open_questions",
  "safe",
  "facilitation",
]));

/** Every input kind, in the protocol's order. */
export const INPUT_KINDS = /** @type {readonly InputKind[]} */ (Object.freeze([
  "case",
  "vote",
  "statement",
  "question",
  "answer",
  "key_question",
  "analysis",
  "advice",
  "private_note",
  "reaction",
  "commitment",
  "reflection",
  "notepad",
]));

/** Kinds that put a text item on a board (`InputKind::is_text`). */
export const TEXT_KINDS = /** @type {readonly InputKind[]} */ (Object.freeze([
  "case",
  "statement",
  "question",
  "answer",
  "key_question",
  "analysis",
  "advice",
  "private_note",
  "commitment",
  "reflection",
  "notepad",
]));

/**
 * The longest text per kind, in characters after trimming (0: not text).
 * @type {Readonly<Record<InputKind, number>>}
 */
export const MAX_CHARS = Object.freeze({
  case: 600,
  vote: 0,
  statement: 4000,
  question: 500,
  answer: 1500,
  key_question: 500,
  analysis: 1500,
  advice: 1500,
  private_note: 1500,
  reaction: 0,
  commitment: 1000,
  reflection: 1500,
  notepad: 1500,
});

/**
 * Every error code with its category, in the order of the server's table.
 * @type {Readonly<Record<ErrorCode, Category>>}
 */
export const CODE_CATEGORY = Object.freeze({
  bad_json: "fix",
  bad_message: "fix",
  unknown_type: "fix",
  message_too_large: "fix",
  hello_required: "fix",
  already_joined: "fix",
  unsupported_version: "fatal",
  room_not_found: "fatal",
  room_locked: "fatal",
  room_full: "fatal",
  bad_token: "fatal",
  invalid_name: "fix",
  name_taken: "fix",
  removed: "fatal",
  taken_over: "fatal",
  rate_limited: "retry",
  flooding: "fatal",
  too_many_attempts: "retry",
  slow_consumer: "reconnect",
  heartbeat_timeout: "reconnect",
  shutting_down: "reconnect",
  store_unavailable: "retry",
  room_moved: "reconnect",
  internal: "retry",
  not_facilitator: "fix",
  not_started: "fix",
  already_started: "fix",
  session_ended: "fatal",
  phase_forbids: "fix",
  case_bringer_listens: "fix",
  phase_closed: "fix",
  no_case_bringer: "fix",
  no_such_phase: "fix",
  no_such_item: "fix",
  no_such_member: "fix",
  invalid_target: "fix",
  invalid_value: "fix",
  text_empty: "fix",
  text_too_long: "fix",
  limit_reached: "fix",
  vote_limit: "fix",
  not_voted: "fix",
  already_in_queue: "fix",
  not_in_queue: "fix",
  not_your_turn: "fix",
  wait_your_turn: "fix",
  not_case_bringer: "fix",
  no_round: "fix",
  not_author: "fix",
  anonymity_disabled: "fix",
  advice_like_question: "confirm",
  advice_like_statement: "confirm",
  not_a_question: "confirm",
  advice_in_analysis: "confirm",
  invalid_request: "fix",
  invalid_template: "fix",
  unknown_method: "fix",
  forbidden: "fatal",
  read_only: "fatal",
  not_found: "fatal",
  not_ended: "fix",
  not_confirmed: "fix",
});

/**
 * The WebSocket close code of each error that ends a connection.
 * @type {Readonly<Partial<Record<ErrorCode, number>>>}
 */
export const CODE_CLOSE = Object.freeze({
  hello_required: 4400,
  unsupported_version: 4400,
  room_not_found: 4404,
  room_locked: 4423,
  room_full: 4423,
  bad_token: 4401,
  removed: 4403,
  taken_over: 4409,
  flooding: 1008,
  too_many_attempts: 4029,
  slow_consumer: 4000,
  heartbeat_timeout: 4001,
  shutting_down: 1012,
  store_unavailable: 4002,
  room_moved: 4004,
  internal: 4003,
  session_ended: 4410,
});

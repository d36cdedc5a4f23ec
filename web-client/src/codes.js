// Error codes, categories and close codes, mirroring `protocol/src/error.rs`.
//
// The server tells the client what to do through the category of an error and the range of a
// close code; the client never guesses from the English message. `test/codes.test.js` checks
// that this table names every code the generated protocol types know.

/** @typedef {import('./protocol').ErrorCode} ErrorCode */
/** @typedef {import('./protocol').Category} Category */

/** What to do about an error. */
export const Category = Object.freeze({
  /** The input was wrong; sending it again unchanged fails again. */
  Fix: /** @type {Category} */ ("fix"),
  /** Transient; send the same message (same id) again later. */
  Retry: /** @type {Category} */ ("retry"),
  /** The connection is over; reconnect and resume. */
  Reconnect: /** @type {Category} */ ("reconnect"),
  /** A warning: change the input, or send it again with `confirm: true`. */
  Confirm: /** @type {Category} */ ("confirm"),
  /** Nothing the client can do; tell the user. */
  Fatal: /** @type {Category} */ ("fatal"),
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
  removed: "fatal",
  taken_over: "fatal",
  rate_limited: "retry",
  flooding: "fatal",
  too_many_attempts: "retry",
  slow_consumer: "reconnect",
  heartbeat_timeout: "reconnect",
  shutting_down: "reconnect",
  store_unavailable: "retry",
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
  no_round: "fix",
  not_author: "fix",
  anonymity_disabled: "fix",
  advice_like_question: "confirm",
  invalid_request: "fix",
  invalid_template: "fix",
  unknown_method: "fix",
  forbidden: "fatal",
  not_found: "fatal",
  not_ended: "fix",
  not_confirmed: "fix",
});

/** @type {readonly ErrorCode[]} */
export const ERROR_CODES = Object.freeze(/** @type {ErrorCode[]} */ (Object.keys(CODE_CATEGORY)));

/**
 * The category of a code; unknown codes (a newer server) count as `fix`, which makes the client
 * show the error and keep going.
 * @param {string} code
 * @returns {Category}
 */
export function categoryOf(code) {
  return Object.hasOwn(CODE_CATEGORY, code) ? CODE_CATEGORY[/** @type {ErrorCode} */ (code)] : "fix";
}

/** WebSocket close codes the server uses (`ErrorCode::close_code`). */
export const Close = Object.freeze({
  Normal: 1000,
  GoingAway: 1001,
  Abnormal: 1006,
  ServiceRestart: 1012,
  SlowConsumer: 4000,
  HeartbeatTimeout: 4001,
  StoreUnavailable: 4002,
  Internal: 4003,
  TooManyAttempts: 4029,
  UnsupportedVersion: 4400,
  BadToken: 4401,
  Removed: 4403,
  RoomNotFound: 4404,
  TakenOver: 4409,
  SessionEnded: 4410,
  RoomLockedOrFull: 4423,
  /** Sent by this client when it gives up on a silent socket (3000-4999 is for applications). */
  ClientDeadConnection: 4900,
});

/**
 * Whether to reconnect after a close: `4000..=4399` and `1012`/`1001` mean reconnect and
 * resume, `4400..=4999` and the protocol failures `1002`, `1007`, `1008`, `1009` mean do not. Anything else (a dropped network, `1006`) is a lost
 * connection: try again.
 * @param {number} code
 */
export function closeMeansReconnect(code) {
  if (code >= 4400 && code <= 4999) return false;
  // The server failed the connection for what this client sent (too much, too fast, not
  // UTF-8, not WebSocket): sending the same again would only repeat it.
  if (code === 1002 || code === 1007 || code === 1008 || code === 1009) return false;
  return true;
}

/**
 * The error code a close frame names in its reason (the server sends the code's wire form).
 * @param {number} code
 * @param {string} reason
 * @returns {ErrorCode | null}
 */
export function closeError(code, reason) {
  if (Object.hasOwn(CODE_CATEGORY, reason)) return /** @type {ErrorCode} */ (reason);
  /** @type {Record<number, ErrorCode>} */
  const byClose = {
    4000: "slow_consumer",
    4001: "heartbeat_timeout",
    4002: "store_unavailable",
    4003: "internal",
    1012: "shutting_down",
    4029: "too_many_attempts",
    4400: "unsupported_version",
    4401: "bad_token",
    4403: "removed",
    4404: "room_not_found",
    4409: "taken_over",
    4410: "session_ended",
    4423: "room_locked",
  };
  return byClose[code] ?? null;
}

// Error codes, categories and close codes. The table itself is generated from
// `protocol/src/error.rs` into `wire.js`; this module adds what the client does with it.
//
// The server tells the client what to do through the category of an error and the range of a
// close code; the client never guesses from the English message.

import { CODE_CATEGORY, CODE_CLOSE } from "./wire.js";

export { CODE_CATEGORY };

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

/** @type {readonly ErrorCode[]} */
export const ERROR_CODES = Object.freeze(/** @type {ErrorCode[]} */ (Object.keys(CODE_CATEGORY)));

/**
 * The category of a code; unknown codes (a newer server) count as `fix`, which makes the client
 * show the error and keep going.
 * @param {string} code
 * @returns {Category}
 */
export function categoryOf(code) {
  return Object.hasOwn(CODE_CATEGORY, code)
    ? CODE_CATEGORY[/** @type {ErrorCode} */ (code)]
    : "fix";
}

/**
 * Close codes this client sends. The server's close codes per error are `CODE_CLOSE` in the
 * generated `wire.js`.
 */
export const Close = Object.freeze({
  Normal: 1000,
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
 * The first error code with each close code (the server's table order), for a close frame
 * whose reason is missing.
 * @type {ReadonlyMap<number, ErrorCode>}
 */
const BY_CLOSE = new Map(
  /** @type {[ErrorCode, number][]} */ (Object.entries(CODE_CLOSE))
    .reverse()
    .map(([code, close]) => [close, code]),
);

/**
 * The error code a close frame names in its reason (the server sends the code's wire form).
 * @param {number} code
 * @param {string} reason
 * @returns {ErrorCode | null}
 */
export function closeError(code, reason) {
  if (Object.hasOwn(CODE_CATEGORY, reason)) return /** @type {ErrorCode} */ (reason);
  return BY_CLOSE.get(code) ?? null;
}

// What this browser remembers per room, in `localStorage`: the facilitator, screen and group
// tokens of sessions created here, and each room's resume token, epoch and last sequence, so a
// reload or a locked phone comes back as the same member; and the groups whose next meeting
// can be started from here. Secrets stay on this device; none of it is ever sent in a URL (the
// screen link carries its token in the fragment, which browsers do not send).

import { ROOM_CODE_ALPHABET, ROOM_CODE_LEN } from "./wire.js";

/**
 * @typedef {Object} Credentials
 * @property {string} token resume token (for the facilitator: the facilitator token)
 * @property {number | null} member
 * @property {number} epoch
 * @property {number} seq last sequence seen
 */

/**
 * @typedef {Object} RecentSession
 * @property {string} code canonical code
 * @property {string} title
 * @property {number} at when it was last opened (ms)
 * @property {boolean} facilitator
 */

/**
 * A group whose next meeting can be started from this device.
 * @typedef {Object} RememberedGroup
 * @property {string} token the group's secret (the same for every meeting of the group)
 * @property {string} title the title of its latest meeting created here
 * @property {number} at when that meeting was created (ms)
 */

/** How many groups this device remembers (the most recently met first). */
export const MAX_GROUPS = 12;

/**
 * Canonical form of a typed room code (case-insensitive, separators ignored), or null.
 * @param {string} typed
 */
export function normalizeCode(typed) {
  const code = typed.replace(/[-\s.]/g, "").toUpperCase();
  if (code.length !== ROOM_CODE_LEN) return null;
  for (const c of code) if (!ROOM_CODE_ALPHABET.includes(c)) return null;
  return code;
}

/**
 * The form people read and type: `K7M-3QX-9PA`.
 * @param {string} code
 */
export function displayCode(code) {
  return code.replace(/(.{3})(?=.)/g, "$1-");
}

/** @param {string} key */
function read(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? null : JSON.parse(raw);
  } catch {
    return null;
  }
}

/**
 * @param {string} key
 * @param {unknown} value
 */
function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage blocked or full: this page still works, a reload will not resume
  }
}

/** @param {string} code */
export function facilitatorToken(code) {
  const v = read(`kring:fac:${code}`);
  return typeof v === "string" ? v : null;
}

/**
 * @param {string} code
 * @param {string} token
 */
export function saveFacilitatorToken(code, token) {
  write(`kring:fac:${code}`, token);
}

/**
 * @param {string} code
 * @returns {Credentials | null}
 */
export function credentials(code) {
  const v = read(`kring:room:${code}`);
  if (!v || typeof v.token !== "string") return null;
  return v;
}

/**
 * @param {string} code
 * @param {Credentials | null} creds
 */
export function saveCredentials(code, creds) {
  write(`kring:room:${code}`, creds);
}

/** The name this person used last, offered again when joining. */
export function lastName() {
  const v = read("kring:name");
  return typeof v === "string" ? v : "";
}

/** @param {string} name */
export function saveName(name) {
  write("kring:name", name);
}

/** @returns {RecentSession[]} */
export function recentSessions() {
  const v = read("kring:recent");
  return Array.isArray(v) ? v.filter((r) => r && typeof r.code === "string") : [];
}

/** @param {RecentSession} session */
export function rememberSession(session) {
  const rest = recentSessions().filter((r) => r.code !== session.code);
  write("kring:recent", [session, ...rest].slice(0, 8));
}

/** @param {string} code */
export function forgetSession(code) {
  write(
    "kring:recent",
    recentSessions().filter((r) => r.code !== code),
  );
  saveCredentials(code, null);
}

/**
 * A draft typed in a composer, kept across reloads until it is sent.
 * @param {string} code
 * @param {string} slot
 */
export function draft(code, slot) {
  try {
    return sessionStorage.getItem(`kring:draft:${code}:${slot}`) ?? "";
  } catch {
    return "";
  }
}

/**
 * @param {string} code
 * @param {string} slot
 * @param {string} text
 */
export function saveDraft(code, slot, text) {
  try {
    if (text) sessionStorage.setItem(`kring:draft:${code}:${slot}`, text);
    else sessionStorage.removeItem(`kring:draft:${code}:${slot}`);
  } catch {
    // not kept
  }
}

/**
 * The shared screen's own token (from the screen link, or from creating the session here).
 * @param {string} code
 */
export function screenToken(code) {
  const v = read(`kring:screen:${code}`);
  return typeof v === "string" ? v : null;
}

/**
 * @param {string} code
 * @param {string | null} token
 */
export function saveScreenToken(code, token) {
  write(`kring:screen:${code}`, token);
}

/**
 * The group token of a session created on this device.
 * @param {string} code
 */
export function groupToken(code) {
  const v = read(`kring:group:${code}`);
  return typeof v === "string" ? v : null;
}

/**
 * @param {string} code
 * @param {string} token
 */
export function saveGroupToken(code, token) {
  write(`kring:group:${code}`, token);
}

/** @returns {RememberedGroup[]} the most recently met first */
export function groups() {
  return cleanGroups(read("kring:groups"));
}

/**
 * Remembers a group after one of its meetings was created here (its latest title and date).
 * @param {RememberedGroup} group
 */
export function rememberGroup(group) {
  write("kring:groups", mergeGroup(groups(), group));
}

/**
 * Forgets a group on this device (its token is then only where the facilitator kept it).
 * @param {string} token
 */
export function forgetGroup(token) {
  write(
    "kring:groups",
    groups().filter((g) => g.token !== token),
  );
}

/**
 * The list with `group` first: one entry per token, the newest meeting's title and date.
 * @param {readonly RememberedGroup[]} list
 * @param {RememberedGroup} group
 * @param {number} [max]
 * @returns {RememberedGroup[]}
 */
export function mergeGroup(list, group, max = MAX_GROUPS) {
  const rest = list.filter((g) => g.token !== group.token);
  return [group, ...rest].sort((a, b) => b.at - a.at).slice(0, max);
}

/**
 * Only well-formed entries from what was stored (another version or a person may have
 * changed it).
 * @param {unknown} stored
 * @returns {RememberedGroup[]}
 */
export function cleanGroups(stored) {
  if (!Array.isArray(stored)) return [];
  return stored
    .filter(
      (g) =>
        g &&
        typeof g.token === "string" &&
        g.token !== "" &&
        typeof g.title === "string" &&
        Number.isFinite(g.at),
    )
    .map((g) => ({ token: g.token, title: g.title, at: g.at }));
}

/**
 * The code last typed or followed, for this tab only: going back from the name step to the
 * home page shows it again instead of an empty field.
 * @param {string} code
 */
export function saveTypedCode(code) {
  try {
    sessionStorage.setItem("kring:typed-code", code);
  } catch {
    // not kept; the field starts empty
  }
}

export function typedCode() {
  try {
    return sessionStorage.getItem("kring:typed-code") ?? "";
  } catch {
    return "";
  }
}

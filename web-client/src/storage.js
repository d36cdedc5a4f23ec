// What this browser remembers per room, in `localStorage`: the facilitator token of sessions
// created here, and each room's resume token, epoch and last sequence, so a reload or a
// locked phone comes back as the same member. Secrets stay on this device; nothing of it is
// ever put in a URL.

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

const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ";
export const CODE_LEN = 9;

/**
 * Canonical form of a typed room code (case-insensitive, separators ignored), or null.
 * @param {string} typed
 */
export function normalizeCode(typed) {
  const code = typed.replace(/[-\s.]/g, "").toUpperCase();
  if (code.length !== CODE_LEN) return null;
  for (const c of code) if (!CODE_ALPHABET.includes(c)) return null;
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
  write("kring:recent", recentSessions().filter((r) => r.code !== code));
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

// Commands on their way to the server.
//
// Every command gets a client message id when the user acts, and the phase stamp (the phase
// the user saw). It stays here, in `localStorage`, until the server acknowledges it, so a lost
// connection, a locked phone or a reload does not lose what someone typed. After reconnecting,
// the client sends it again with the SAME id: the server applies an id once and acknowledges a
// repeat with the original result. If the server refuses it (the phase had closed, the text
// was too long, ...) the entry moves to `refused`, where the person can read and copy the text
// until they dismiss it.

/** @typedef {import('./protocol').Command} Command */
/** @typedef {import('./protocol').ErrorCode} ErrorCode */
/** @typedef {import('./protocol').TextSpan} TextSpan */

/**
 * @typedef {Object} OutboxEntry
 * @property {string} id client message id
 * @property {number | null} phase phase stamp (`phase.seq`), null before the session starts
 * @property {Command} command
 * @property {number} created when the user acted (client clock, ms)
 */

/**
 * @typedef {Object} RefusedEntry
 * @property {string} id
 * @property {Command} command
 * @property {ErrorCode} code why the server refused it
 * @property {number | null} phase the phase stamp it carried
 * @property {number} created
 * @property {TextSpan[]} [cues] for a warning on advice: the words that made the text advice-like
 * @property {number[]} [phases] where the input belongs (`phase_forbids`, `advice_in_analysis`)
 */

/**
 * A fresh client message id: 128 random bits as hex. `crypto.getRandomValues` works on every
 * origin; `crypto.randomUUID` is missing on plain-http LAN addresses (not a secure context).
 * @returns {string}
 */
export function newId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Keeps the last refusals only: they are for reading, not an archive. */
const MAX_REFUSED = 20;

export class Outbox {
  /**
   * @param {Pick<Storage, "getItem" | "setItem" | "removeItem"> | null} storage
   * @param {string} key where this room's outbox is kept
   * @param {() => number} [now]
   */
  constructor(storage, key, now = () => Date.now()) {
    this.storage = storage;
    this.key = key;
    this.now = now;
    /** @type {OutboxEntry[]} */
    this.pending = [];
    /** @type {RefusedEntry[]} */
    this.refused = [];
    this.load();
  }

  load() {
    if (!this.storage) return;
    try {
      const raw = this.storage.getItem(this.key);
      if (!raw) return;
      const data = JSON.parse(raw);
      if (Array.isArray(data.pending)) this.pending = data.pending.filter(isEntry);
      if (Array.isArray(data.refused)) this.refused = data.refused.filter(isEntry);
    } catch {
      // A broken entry (another version of the app) is dropped, not fatal.
      this.pending = [];
      this.refused = [];
    }
  }

  save() {
    if (!this.storage) return;
    try {
      if (this.pending.length === 0 && this.refused.length === 0) {
        this.storage.removeItem(this.key);
      } else {
        this.storage.setItem(
          this.key,
          JSON.stringify({ pending: this.pending, refused: this.refused }),
        );
      }
    } catch {
      // Storage full or blocked (private mode): the outbox still works for this page.
    }
  }

  /**
   * Queues a command with a new id and the phase stamp.
   * @param {Command} command
   * @param {number | null} phase
   * @returns {OutboxEntry}
   */
  add(command, phase) {
    const entry = { id: newId(), phase, command, created: this.now() };
    this.pending.push(entry);
    this.save();
    return entry;
  }

  /** @param {string} id */
  get(id) {
    return this.pending.find((e) => e.id === id);
  }

  /**
   * The server acknowledged it: done.
   * @param {string} id
   * @returns {OutboxEntry | undefined} the entry, if it was here
   */
  ack(id) {
    const entry = this.get(id);
    if (!entry) return undefined;
    this.pending = this.pending.filter((e) => e.id !== id);
    this.save();
    return entry;
  }

  /**
   * The server refused it. Commands with text are kept for the person to read and copy.
   * @param {string} id
   * @param {ErrorCode} code
   * @param {{keep?: boolean, cues?: TextSpan[], phases?: number[]}} [options] `keep: false` drops
   *   it silently (the UI handles it); `cues` and `phases` come with the refusal
   * @returns {OutboxEntry | undefined}
   */
  refuse(id, code, options = {}) {
    const entry = this.get(id);
    if (!entry) return undefined;
    this.pending = this.pending.filter((e) => e.id !== id);
    const keep = options.keep ?? entry.command.kind === "submit";
    if (keep) {
      /** @type {RefusedEntry} */
      const refused = {
        id,
        command: entry.command,
        code,
        phase: entry.phase,
        created: entry.created,
      };
      if (options.cues?.length) refused.cues = options.cues;
      if (options.phases?.length) refused.phases = options.phases;
      this.refused.push(refused);
      if (this.refused.length > MAX_REFUSED)
        this.refused.splice(0, this.refused.length - MAX_REFUSED);
    }
    this.save();
    return entry;
  }

  /** @param {string} id */
  dismiss(id) {
    this.refused = this.refused.filter((e) => e.id !== id);
    this.save();
  }

  /** Everything not yet acknowledged, oldest first: what to send (again) after connecting. */
  unacknowledged() {
    return [...this.pending];
  }

  /** Drops everything (the session is over or this member is gone). */
  clear() {
    this.pending = [];
    this.refused = [];
    this.save();
  }
}

/** @param {unknown} e */
function isEntry(e) {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (/** @type {any} */ (e).id) === "string" &&
    typeof (/** @type {any} */ (e).command) === "object"
  );
}

/**
 * The text a command carries, if any (for showing what was not sent).
 * @param {Command} command
 * @returns {string | null}
 */
export function commandText(command) {
  if (command.kind === "submit") return command.text;
  if (command.kind === "rename") return command.name;
  return null;
}

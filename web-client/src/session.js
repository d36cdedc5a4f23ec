// One open session in this page: the transport, the view built from welcome + events, the
// outbox, and the clock offset to the server. Views read `session.view` and call `send`.
//
// Sequencing: events apply in order; a duplicate (seq already seen) is ignored, a gap means
// this client missed something, so it reconnects asking for a full view. The events a resume
// replays are held until the last one is in, then applied in one batch with one render (and one
// write of the resume point), not one each.

import { Transport, State } from "./transport.js";
import { Outbox } from "./outbox.js";
import { applyAck, applyEvents, applyOnline, applyPresence } from "./session-state.js";
import { categoryOf } from "./codes.js";
import { PROTOCOL_VERSION } from "./wire.js";
import * as storage from "./storage.js";

/** @typedef {import('./protocol').SessionView} SessionView */
/** @typedef {import('./protocol').ServerMsg} ServerMsg */
/** @typedef {import('./protocol').ClientMsg} ClientMsg */
/** @typedef {import('./protocol').Command} Command */
/** @typedef {import('./protocol').ErrorMsg} ErrorMsg */
/** @typedef {import('./protocol').ErrorCode} ErrorCode */
/** @typedef {import('./protocol').Role} Role */
/** @typedef {import('./protocol').Sequenced} Sequenced */
/** @typedef {import('./transport.js').ConnState} ConnState */
/** @typedef {import('./outbox.js').OutboxEntry} OutboxEntry */

/**
 * How this page joins.
 * @typedef {{as: "member", name: string} | {as: "facilitator", name: string} | {as: "screen", token: string} | {as: "resume"}} JoinMode
 */

/**
 * @typedef {Object} CommandOutcome
 * @property {(entry: OutboxEntry, ack: import('./protocol').Ack) => void} [ok]
 * @property {(error: ErrorMsg, entry: OutboxEntry) => void} [error]
 */

/**
 * What an error on screen was about: the command it answered and the phase it was in, so it
 * can go away by itself once it no longer applies.
 * @typedef {{kind: string | null, phaseSeq: number | null}} NoticeContext
 */

/** How long to wait before sending again after a `retry` error without `retry_after_ms`. */
const RETRY_MS = 2_000;
/** How long an error about an action (not about typed text) stays on screen. */
const NOTICE_MS = 12_000;

export class Session {
  /**
   * @param {string} code canonical room code
   * @param {JoinMode} mode
   */
  constructor(code, mode) {
    this.code = code;
    this.mode = mode;
    /** @type {SessionView | null} */
    this.view = null;
    /** @type {ConnState} */
    this.conn = State.Connecting;
    /** @type {number | null} */
    this.member = null;
    /** @type {Role | null} */
    this.role = null;
    this.epoch = 0;
    this.seq = 0;
    /** How long the server keeps what was written after the session ends (from the welcome). */
    this.retentionMs = 86_400_000;
    /** @type {number | null} the time of the event at `seq`, when it came as an event */
    this.lastEventAt = null;
    /** The sequence of the last full view: acks up to here are already in the view. */
    this.fullViewSeq = 0;
    /** Server clock minus client clock, in ms. */
    this.clockOffset = 0;
    this.bestRtt = Infinity;
    /** Ask for a full view on the next connect (after a gap). */
    this.needFull = true;
    /** @type {{code: ErrorCode | null, closeCode: number} | null} */
    this.fatal = null;
    /** A join refused before the welcome (e.g. `invalid_name`): the page asks again. */
    /** @type {ErrorMsg | null} */
    this.joinError = null;
    /** @type {ErrorMsg[]} errors not tied to a command the page tracks */
    this.notices = [];
    /** @type {Map<ErrorMsg, NoticeContext>} */
    this.noticeContext = new Map();
    /** @type {Map<string, CommandOutcome>} */
    this.outcomes = new Map();
    /** @type {Set<(session: Session) => void>} */
    this.listeners = new Set();
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.notifyTimer = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retryTimer = null;
    this.triedFreshJoin = false;
    /** @type {{until: number, online: number[]} | null} */
    this.replay = null;
    /** Events of a replay under way, applied together once the last one is in. */
    /** @type {Sequenced[]} */
    this.replayed = [];
    /** A replay is under way: listeners hear of it once, when it is applied. */
    this.holding = false;

    this.creds = storage.credentials(code);
    this.facToken = storage.facilitatorToken(code);
    this.outbox = new Outbox(safeStorage(), `kring:outbox:${code}`);

    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.transport = new Transport({
      url: `${scheme}//${location.host}/ws/${code}`,
      hello: () => this.hello(),
      onMessage: (msg) => this.receive(msg),
      onState: (state) => {
        this.conn = state;
        // Keep what a broken-off replay brought; the next connection goes on from there.
        if (state !== State.Connected) this.applyReplayed();
        this.changed();
      },
      onFatal: (code, closeCode) => this.closedForGood(code, closeCode),
    });
    this.transport.onPong = (sent, received, serverTime) =>
      this.clockSample(sent, received, serverTime);
  }

  start() {
    this.transport.start();
  }

  stop() {
    this.transport.stop();
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /**
   * @param {(session: Session) => void} listener
   */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The server's clock now, as well as this client can tell. */
  now() {
    return Date.now() + this.clockOffset;
  }

  /**
   * Sends a command now, or as soon as the connection is back. Returns its client id.
   * @param {Command} command
   * @param {CommandOutcome} [outcome]
   */
  send(command, outcome) {
    const phase =
      this.view && this.view.status === "running" && this.view.phase ? this.view.phase.seq : null;
    const entry = this.outbox.add(command, phase);
    if (outcome) this.outcomes.set(entry.id, outcome);
    this.transmit(entry);
    this.changed();
    return entry.id;
  }

  /** Commands typed but not acknowledged yet (shown as "waiting to send"). */
  pending() {
    return this.outbox.unacknowledged();
  }

  /** Refused input the person can still read and copy. */
  refused() {
    return this.outbox.refused;
  }

  /** @param {string} id */
  dismiss(id) {
    this.outbox.dismiss(id);
    this.changed();
  }

  /** @param {ErrorMsg} notice */
  dismissNotice(notice) {
    if (!this.notices.includes(notice)) return;
    this.notices = this.notices.filter((n) => n !== notice);
    this.noticeContext.delete(notice);
    this.changed();
  }

  /**
   * Errors go away by themselves once they no longer apply: the same action worked after
   * all, the phase moved on, or what was missing is there now.
   * @param {string | null} [succeeded] the kind of a command that was just acknowledged
   */
  clearResolvedNotices(succeeded = null) {
    const view = this.view;
    const stale = this.notices.filter((n) => {
      const ctx = this.noticeContext.get(n);
      if (succeeded !== null && ctx?.kind === succeeded) return true;
      if (!view) return false;
      if (ctx && ctx.phaseSeq !== null && view.phase && view.phase.seq !== ctx.phaseSeq)
        return true;
      if (n.code === "no_case_bringer" && view.case_bringer !== null) return true;
      if (n.code === "not_started" && view.status !== "lobby") return true;
      if (
        n.code === "already_started" &&
        view.status === "running" &&
        ctx?.kind === "start_session"
      )
        return true;
      return false;
    });
    for (const n of stale) this.dismissNotice(n);
  }

  /** Tries again now (a person pressed "reconnect", or a tab taken over is taken back). */
  reconnect() {
    if (this.fatal || this.transport.stopped) {
      this.fatal = null;
      this.restartTransport();
    } else {
      this.transport.reconnectNow();
    }
    this.changed();
  }

  /**
   * The page came back from the back-forward cache: its socket was closed on `pagehide`.
   */
  resume() {
    if (this.transport.stopped && !this.fatal && !this.joinError) {
      this.restartTransport();
      this.changed();
    }
  }

  restartTransport() {
    this.transport = new Transport(this.transport.options);
    this.transport.onPong = (sent, received, serverTime) =>
      this.clockSample(sent, received, serverTime);
    this.transport.start();
  }

  // ---- protocol ----

  /** @returns {ClientMsg} */
  hello() {
    const protocol = PROTOCOL_VERSION;
    if (this.mode.as === "screen") {
      return { type: "hello", protocol, join: { as: "screen", token: this.mode.token } };
    }
    if (this.creds) {
      const replay = !this.needFull && this.view !== null;
      return {
        type: "hello",
        protocol,
        join: replay
          ? { as: "resume", token: this.creds.token, epoch: this.epoch, last_seq: this.seq }
          : { as: "resume", token: this.creds.token },
      };
    }
    if (this.facToken) {
      const name =
        this.mode.as === "facilitator" || this.mode.as === "member" ? this.mode.name : "";
      return {
        type: "hello",
        protocol,
        join: { as: "facilitator", token: this.facToken, name: name || "Facilitator" },
      };
    }
    const name = this.mode.as === "member" ? this.mode.name : "";
    return { type: "hello", protocol, join: { as: "member", name } };
  }

  /** @param {ServerMsg} msg */
  receive(msg) {
    // Anything but the replay's own events comes after them: apply what is held first.
    if (msg.type !== "event") this.applyReplayed();
    switch (msg.type) {
      case "welcome":
        this.welcome(msg);
        break;
      case "event":
        this.event(msg);
        // A replay renders once, when its last event is in.
        if (this.holding) return;
        break;
      case "ack":
        this.ack(msg);
        break;
      case "error":
        this.error(msg);
        break;
      case "pong":
        break;
      case "presence":
        if (this.view) this.view = applyPresence(this.view, msg.member, msg.online);
        break;
    }
    this.changed();
  }

  /** @param {import('./protocol').Welcome} w */
  welcome(w) {
    this.joinError = null;
    this.member = w.member;
    this.role = w.role;
    this.retentionMs = w.retention_ms;
    this.clockSample(Date.now(), Date.now(), w.server_time, true);
    if (w.view) {
      this.view = applyOnline(w.view, w.online);
      this.fullViewSeq = w.seq;
      this.needFull = false;
      this.replay = null;
    } else if (this.view) {
      // Presence after the replayed events: a member who joined meanwhile is in `online` but
      // only on the roster once their `member_joined` is replayed.
      this.replay = { until: w.seq, online: w.online };
      this.holding = w.seq > this.seq;
      this.catchUpPresence();
    }
    this.epoch = w.epoch;
    // With a full view we are at `w.seq`; with a replay the missed events follow.
    if (w.view) this.seq = w.seq;
    if (w.resume_token) {
      this.creds = { token: w.resume_token, member: w.member, epoch: w.epoch, seq: this.seq };
      storage.saveCredentials(this.code, this.creds);
    }
    if (this.view) {
      storage.rememberSession({
        code: this.code,
        title: this.view.title,
        at: Date.now(),
        facilitator: w.role === "facilitator",
      });
    }
    for (const entry of this.outbox.unacknowledged()) this.transmit(entry);
  }

  /** @param {Sequenced} e */
  event(e) {
    const last = this.replayed.at(-1)?.seq ?? this.seq;
    if (!this.view || e.seq <= last) return;
    if (e.seq !== last + 1) {
      // Missed something: start over from a full view.
      this.replayed = [];
      this.holding = false;
      this.needFull = true;
      this.transport.reconnectNow();
      return;
    }
    this.replayed.push(e);
    // The replay's last event applies them all; a live event applies at once.
    if (!this.holding || !this.replay || e.seq >= this.replay.until) this.applyReplayed();
  }

  /** Applies the events held (one of them, or a whole replay) in one step. */
  applyReplayed() {
    const events = this.replayed;
    this.replayed = [];
    if (this.holding) {
      this.holding = false;
      this.changed();
    }
    const last = events.at(-1);
    if (!this.view || !last) return;
    this.view = applyEvents(this.view, events);
    this.seq = last.seq;
    this.lastEventAt = last.at;
    this.catchUpPresence();
    if (this.notices.length > 0) this.clearResolvedNotices();
    if (this.creds) {
      this.creds.seq = last.seq;
      this.creds.epoch = this.epoch;
      storage.saveCredentials(this.code, this.creds);
    }
  }

  /** Once the replay after a resume is applied, the welcome's presence list is current. */
  catchUpPresence() {
    if (this.replay && this.view && this.seq >= this.replay.until) {
      this.view = applyOnline(this.view, this.replay.online);
      this.replay = null;
    }
  }

  /** @param {import('./protocol').Ack} a */
  ack(a) {
    const entry = this.outbox.ack(a.id);
    if (!entry) return;
    // A repeat's ack for a command whose events the last full view already shows.
    // The ack follows its events: the last one applied carries the command's time.
    const at = a.seq === this.seq && this.lastEventAt !== null ? this.lastEventAt : this.now();
    if (this.view && a.seq > this.fullViewSeq)
      this.view = applyAck(this.view, entry.command, a, at);
    const outcome = this.outcomes.get(a.id);
    this.outcomes.delete(a.id);
    this.clearResolvedNotices(entry.command.kind);
    outcome?.ok?.(entry, a);
  }

  /** @param {ErrorMsg} err */
  error(err) {
    const entry = err.id ? this.outbox.get(err.id) : undefined;
    if (!entry) {
      if (!this.view && this.conn !== State.Connected && categoryOf(err.code) === "fix") {
        // The join itself was refused (a name the server does not accept): ask again.
        this.joinError = err;
        this.transport.stop();
        return;
      }
      // Too many messages or join attempts: the next connection waits as long as asked.
      if (err.retry_after_ms) this.transport.delayNext(err.retry_after_ms);
      if (
        categoryOf(err.code) !== "fatal" &&
        err.code !== "rate_limited" &&
        err.code !== "too_many_attempts"
      )
        this.notice(err);
      return;
    }
    const category = categoryOf(err.code);
    if (category === "retry") {
      // Same id again later: the server applies it once.
      const wait = err.retry_after_ms ?? RETRY_MS;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        for (const e of this.outbox.unacknowledged()) this.transmit(e);
      }, wait);
      return;
    }
    const outcome = this.outcomes.get(entry.id);
    this.outcomes.delete(entry.id);
    // Text the server refused stays readable (and copyable) until the person dismisses it,
    // unless the page that sent it handles the refusal itself.
    const handled = outcome?.error !== undefined;
    this.outbox.refuse(entry.id, err.code, {
      keep: !handled && entry.command.kind === "submit",
      cues: err.cues,
      phases: err.phases,
    });
    if (outcome?.error) outcome.error(err, entry);
    // A click meant for a phase that has just closed (a double-clicked "next") needs no alarm.
    else if (entry.command.kind !== "submit" && err.code !== "phase_closed")
      this.notice(err, entry.command.kind);
  }

  /**
   * Shows an error for a while (the person may dismiss it sooner; it also goes once it no
   * longer applies).
   * @param {ErrorMsg} err
   * @param {string | null} [kind] the command it answered
   */
  notice(err, kind = null) {
    // The same error twice in a row is one notice (a button pressed again).
    const same = this.notices.find(
      (n) => n.code === err.code && this.noticeContext.get(n)?.kind === kind,
    );
    if (same) this.dismissNotice(same);
    this.notices.push(err);
    this.noticeContext.set(err, { kind, phaseSeq: this.view?.phase?.seq ?? null });
    setTimeout(() => this.dismissNotice(err), NOTICE_MS);
  }

  /**
   * @param {ErrorCode | null} code
   * @param {number} closeCode
   */
  closedForGood(code, closeCode) {
    // The server answers a token it does not know as it answers an unknown room (so a guesser
    // cannot tell them apart); with stored credentials, either may mean a stale token.
    const unknownHere = code === "bad_token" || code === "room_not_found";
    if (
      unknownHere &&
      this.creds &&
      !this.triedFreshJoin &&
      (this.facToken || this.mode.as === "member")
    ) {
      // The stored resume token is not valid here (any more): join afresh once.
      this.triedFreshJoin = true;
      this.creds = null;
      storage.saveCredentials(this.code, null);
      this.reconnectFresh();
      return;
    }
    if (unknownHere || code === "removed") storage.saveCredentials(this.code, null);
    // A screen link that is not (or no longer) valid is not tried again on a reload.
    if (
      unknownHere &&
      this.mode.as === "screen" &&
      this.mode.token === storage.screenToken(this.code)
    ) {
      storage.saveScreenToken(this.code, null);
    }
    if (code === "removed" || code === "session_ended") this.outbox.clear();
    this.fatal = { code, closeCode };
    this.changed();
  }

  reconnectFresh() {
    this.needFull = true;
    this.fatal = { code: null, closeCode: 0 };
    this.reconnect();
  }

  /** @param {OutboxEntry} entry */
  transmit(entry) {
    /** @type {ClientMsg} */
    const msg = { type: "command", id: entry.id, phase: entry.phase, command: entry.command };
    this.transport.send(msg);
  }

  /**
   * Keeps the estimate with the shortest round trip (the least uncertainty).
   * @param {number} sent
   * @param {number} received
   * @param {number} serverTime
   * @param {boolean} [fromWelcome]
   */
  clockSample(sent, received, serverTime, fromWelcome = false) {
    const rtt = received - sent;
    if (fromWelcome && this.bestRtt !== Infinity) return;
    if (rtt <= this.bestRtt || fromWelcome) {
      this.bestRtt = fromWelcome ? 1_000 : rtt;
      this.clockOffset = serverTime - (sent + received) / 2;
    }
  }

  /** Tells the listeners (once for everything that changed in this turn of the event loop). */
  changed() {
    if (this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      // A replay under way renders once, when it is applied (which calls this again).
      if (this.holding) return;
      for (const l of this.listeners) l(this);
    }, 0);
  }
}

function safeStorage() {
  try {
    return typeof localStorage !== "undefined" ? localStorage : null;
  } catch {
    return null;
  }
}

// One WebSocket to a room, kept alive: connect, say hello, reconnect with full-jitter
// exponential backoff, and notice a dead connection (browsers cannot see WebSocket pings, so
// the client pings at application level and gives up on a socket that stays silent).
//
// The transport knows frames and connection states, not sessions: what to say in `hello` is
// asked anew on every connect (the session resumes with its latest token and sequence), and
// every decoded message goes to `onMessage`.

import { closeError, closeMeansReconnect, Close } from "./codes.js";

/** @typedef {import('./protocol').ClientMsg} ClientMsg */
/** @typedef {import('./protocol').ServerMsg} ServerMsg */
/** @typedef {import('./protocol').ErrorCode} ErrorCode */

/** The connection as the person sees it. */
export const State = Object.freeze({
  /** First connection attempt. */
  Connecting: "connecting",
  /** Joined: the server welcomed us. */
  Connected: "connected",
  /** Lost; trying again after a backoff. */
  Reconnecting: "reconnecting",
  /** The device says it has no network; trying again when it comes back. */
  Offline: "offline",
  /** Over for good (the server said not to reconnect, or the page stopped it). */
  Closed: "closed",
});

/** @typedef {typeof State[keyof typeof State]} ConnState */

/** Backoff: 0.5 s doubling to 20 s, full jitter (a random delay up to the cap). */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 20_000;
/** Application ping interval; the server closes a socket silent for 40 s. */
export const PING_EVERY_MS = 10_000;
/** No frame at all for this long: the connection is dead, even if the socket says open. */
export const DEAD_AFTER_MS = 25_000;
/** While the device says it is offline, try at most this often. */
const OFFLINE_RETRY_MS = 15_000;
/** After the page comes back to the foreground, a pong must come this fast. */
const WAKE_CHECK_MS = 4_000;

/**
 * Full-jitter exponential backoff: a uniformly random delay between 0 and
 * `min(cap, base * 2^attempt)`.
 * @param {number} attempt 0 for the first retry
 * @param {() => number} [random]
 */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.floor(random() * ceiling);
}

/**
 * @typedef {Object} TransportOptions
 * @property {string} url ws(s)://host/ws/{code}
 * @property {() => ClientMsg} hello the first message on each new socket
 * @property {(msg: ServerMsg) => void} onMessage
 * @property {(state: ConnState) => void} onState
 * @property {(code: ErrorCode | null, closeCode: number) => void} onFatal the server closed
 *   and asked not to reconnect
 * @property {(msg: ServerMsg) => boolean} [isWelcome] the message that makes us Connected
 */

export class Transport {
  /** @param {TransportOptions} options */
  constructor(options) {
    this.options = options;
    /** @type {WebSocket | null} */
    this.ws = null;
    /** @type {ConnState} */
    this.state = State.Connecting;
    this.attempt = 0;
    this.lastHeard = 0;
    this.lastPing = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retryTimer = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.pingTimer = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.wakeTimer = null;
    /** Milliseconds to wait before the next attempt at least (`retry_after_ms`). */
    this.minDelay = 0;
    this.stopped = false;
    /** Round-trip samples from pongs: `[clientSent, clientReceived, serverTime]`. */
    /** @type {((sent: number, received: number, serverTime: number) => void) | null} */
    this.onPong = null;

    this.handleOnline = () => this.reconnectNow();
    // The device says it lost its network: a socket cannot survive that (and would only be
    // noticed dead after the timeout), so give it up now and wait for `online`.
    this.handleOffline = () => {
      if (this.stopped) return;
      this.drop();
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.setState(State.Offline);
      this.scheduleRetry();
    };
    this.handleVisible = () => {
      if (document.visibilityState === "visible") this.checkAlive();
    };
  }

  start() {
    this.stopped = false;
    window.addEventListener("online", this.handleOnline);
    window.addEventListener("offline", this.handleOffline);
    document.addEventListener("visibilitychange", this.handleVisible);
    this.pingTimer = setInterval(() => this.tick(), PING_EVERY_MS / 2);
    this.open();
  }

  /** Ends the connection for good (leaving the page, or a fatal error). */
  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.handleOnline);
    window.removeEventListener("offline", this.handleOffline);
    document.removeEventListener("visibilitychange", this.handleVisible);
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.pingTimer = this.retryTimer = this.wakeTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) {
      if (ws.readyState === WebSocket.OPEN) this.rawSend(ws, { type: "leave" });
      ws.close(Close.Normal);
    }
    this.setState(State.Closed);
  }

  /**
   * Sends a message if joined. Returns false when it could not be sent now (the caller keeps
   * it and sends it after the next welcome).
   * @param {ClientMsg} msg
   */
  send(msg) {
    if (this.state !== State.Connected || !this.ws || this.ws.readyState !== WebSocket.OPEN)
      return false;
    return this.rawSend(this.ws, msg);
  }

  /** Gives up on the current socket and connects again at once (e.g. to get a full view). */
  reconnectNow() {
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    this.drop();
    this.open();
  }

  /**
   * Asks for a longer wait before the next attempt (`retry_after_ms` of an error).
   * @param {number} ms
   */
  delayNext(ms) {
    this.minDelay = Math.max(this.minDelay, ms);
  }

  // ---- internals ----

  open() {
    if (this.stopped) return;
    if (this.state === State.Connected || this.state === State.Closed)
      this.setState(State.Reconnecting);
    const ws = new WebSocket(this.options.url);
    this.ws = ws;
    this.lastHeard = Date.now();
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      this.rawSend(ws, this.options.hello());
    });
    ws.addEventListener("message", (e) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      /** @type {ServerMsg} */
      let msg;
      try {
        msg = JSON.parse(typeof e.data === "string" ? e.data : "");
      } catch {
        return;
      }
      if (msg.type === "pong" && typeof msg.t === "number" && this.onPong) {
        this.onPong(msg.t, Date.now(), msg.server_time);
      }
      const welcome = this.options.isWelcome ? this.options.isWelcome(msg) : msg.type === "welcome";
      if (welcome) {
        this.attempt = 0;
        this.minDelay = 0;
        this.setState(State.Connected);
      }
      this.options.onMessage(msg);
    });
    ws.addEventListener("close", (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.closed(e.code, e.reason);
    });
    // An error is always followed by close; nothing to do here.
  }

  /**
   * @param {number} code
   * @param {string} reason
   */
  closed(code, reason) {
    if (this.stopped) return;
    if (!closeMeansReconnect(code)) {
      this.stop();
      this.options.onFatal(closeError(code, reason), code);
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    if (this.stopped || this.retryTimer) return;
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    this.setState(offline ? State.Offline : State.Reconnecting);
    // Offline, the `online` event reconnects at once; until then try only now and then (in case
    // the device's idea of being offline is wrong).
    const delay = Math.max(
      this.minDelay,
      backoffDelay(this.attempt),
      offline ? OFFLINE_RETRY_MS : 0,
    );
    this.attempt += 1;
    this.minDelay = 0;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  /** Drops the socket without waiting for the close handshake (a dead link never answers). */
  drop() {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      try {
        ws.close(Close.ClientDeadConnection, "dead connection");
      } catch {
        // already closing
      }
    }
  }

  tick() {
    if (this.stopped || !this.ws) return;
    const silent = Date.now() - this.lastHeard;
    if (silent > DEAD_AFTER_MS) {
      this.drop();
      this.scheduleRetry();
      return;
    }
    const now = Date.now();
    if (
      this.ws.readyState === WebSocket.OPEN &&
      this.state === State.Connected &&
      now - this.lastPing >= PING_EVERY_MS
    ) {
      this.lastPing = now;
      this.rawSend(this.ws, { type: "ping", t: now });
    }
  }

  /** Back in the foreground (a phone was unlocked): make sure the socket still works. */
  checkAlive() {
    if (this.stopped) return;
    if (!this.ws) {
      this.reconnectNow();
      return;
    }
    if (this.state !== State.Connected || this.ws.readyState !== WebSocket.OPEN) return;
    const before = this.lastHeard;
    this.rawSend(this.ws, { type: "ping", t: Date.now() });
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      if (this.lastHeard === before) this.reconnectNow();
    }, WAKE_CHECK_MS);
  }

  /**
   * @param {WebSocket} ws
   * @param {ClientMsg} msg
   */
  rawSend(ws, msg) {
    try {
      ws.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;
    }
  }

  /** @param {ConnState} state */
  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.options.onState(state);
  }
}

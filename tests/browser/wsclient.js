// A protocol client for Node tests: joins over a real WebSocket and keeps a view with the web
// client's own reducer (`web-client/src/session-state.js`), exactly as the browser does.

import WebSocket from "ws";
import { applyAck, applyEvent, applyOnline, applyPresence } from "../../web-client/src/session-state.js";
import { PROTOCOL_VERSION } from "../../web-client/src/wire.js";

let counter = 0;

export class WsClient {
  /**
   * @param {string} baseUrl http://host:port
   * @param {string} code room code
   */
  constructor(baseUrl, code) {
    this.url = `${baseUrl.replace(/^http/, "ws")}/ws/${code}`;
    /** @type {any} */
    this.view = null;
    this.seq = 0;
    this.fullViewSeq = 0;
    /** @type {any} */
    this.welcomeMsg = null;
    /** @type {Map<string, {command: any, resolve: (v: any) => void}>} */
    this.waiting = new Map();
    /** @type {any[]} */
    this.errors = [];
    /** @type {WebSocket | null} */
    this.ws = null;
    this.closed = null;
    /** @type {{until: number, online: number[]} | null} */
    this.replay = null;
  }

  /**
   * Joins and resolves with the welcome.
   * @param {any} join
   */
  connect(join) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.on("open", () => ws.send(JSON.stringify({ type: "hello", protocol: PROTOCOL_VERSION, join })));
      ws.on("message", (data) => {
        const msg = JSON.parse(String(data));
        if (msg.type === "welcome") {
          this.welcomeMsg = msg;
          if (msg.view) {
            this.view = applyOnline(msg.view, msg.online);
            this.seq = msg.seq;
            this.fullViewSeq = msg.seq;
          } else if (this.view) {
            // As the web client does: presence once the replayed events are applied.
            this.replay = { until: msg.seq, online: msg.online };
            this.catchUpPresence();
          }
          resolve(msg);
        } else if (msg.type === "event") {
          if (msg.seq <= this.seq) return;
          if (msg.seq !== this.seq + 1) throw new Error(`gap: ${this.seq} -> ${msg.seq}`);
          this.view = applyEvent(this.view, msg);
          this.seq = msg.seq;
          this.lastAt = msg.at;
          this.catchUpPresence();
        } else if (msg.type === "presence") {
          if (this.view) this.view = applyPresence(this.view, msg.member, msg.online);
        } else if (msg.type === "ack") {
          const w = this.waiting.get(msg.id);
          if (!w) return;
          this.waiting.delete(msg.id);
          const at = msg.seq === this.seq && this.lastAt !== undefined ? this.lastAt : Date.now();
          if (msg.seq > this.fullViewSeq) this.view = applyAck(this.view, w.command, msg, at);
          w.resolve(msg);
        } else if (msg.type === "error") {
          if (!this.welcomeMsg) return reject(new Error(`join refused: ${msg.code}`));
          const w = msg.id ? this.waiting.get(msg.id) : undefined;
          if (w) {
            this.waiting.delete(msg.id);
            w.resolve(msg);
          } else {
            this.errors.push(msg);
          }
        }
      });
      ws.on("close", (code) => {
        this.closed = code;
      });
      ws.on("error", reject);
    });
  }

  catchUpPresence() {
    if (this.replay && this.seq >= this.replay.until) {
      this.view = applyOnline(this.view, this.replay.online);
      this.replay = null;
    }
  }

  /**
   * Sends a command; resolves with its ack or error.
   * @param {any} command
   * @param {{phase?: number | null, id?: string}} [opts]
   */
  send(command, opts = {}) {
    const id = opts.id ?? `t${++counter}-${Date.now()}`;
    const phase = opts.phase === undefined ? this.view?.phase?.seq ?? null : opts.phase;
    return new Promise((resolve) => {
      this.waiting.set(id, { command, resolve });
      this.ws?.send(JSON.stringify({ type: "command", id, phase, command }));
    });
  }

  /** Sends and fails the test unless acknowledged. */
  async ok(command, opts) {
    const reply = await this.send(command, opts);
    if (reply.type !== "ack") throw new Error(`${command.kind} refused: ${reply.code} (${reply.message})`);
    return reply;
  }

  /** Waits until this client has applied events up to `seq`. */
  async caughtUp(seq, timeoutMs = 5_000) {
    const end = Date.now() + timeoutMs;
    while (this.seq < seq) {
      if (Date.now() > end) throw new Error(`stuck at ${this.seq}, want ${seq}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close() {
    this.ws?.close();
  }

  /** Drops the socket without a goodbye (like a phone losing its network). */
  kill() {
    this.ws?.terminate();
  }
}

// One open session, without a socket: the server's messages go straight to `receive`, one turn
// of the event loop each, as a WebSocket delivers them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { lobby } from "./fixtures.js";

/** A `localStorage` that counts its writes of resume points. */
class CountingStorage {
  constructor() {
    /** @type {Map<string, string>} */
    this.map = new Map();
    this.resumePoints = 0;
  }
  /** @param {string} key */
  getItem(key) {
    return this.map.get(key) ?? null;
  }
  /** @param {string} key @param {string} value */
  setItem(key, value) {
    if (key.startsWith("kring:room:")) this.resumePoints++;
    this.map.set(key, value);
  }
  /** @param {string} key */
  removeItem(key) {
    this.map.delete(key);
  }
}

const storage = new CountingStorage();
Object.assign(globalThis, {
  location: { protocol: "http:", host: "kring.test" },
  localStorage: storage,
  sessionStorage: new CountingStorage(),
});
const { Session } = await import("../src/session.js");

/** One turn of the event loop: the session's notification timer runs if it is due. */
const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

/**
 * @param {number} seq
 * @param {import('../src/protocol').SessionView | null} view
 * @returns {import('../src/protocol').ServerMsg}
 */
function welcome(seq, view) {
  return {
    type: "welcome",
    protocol: 1,
    member: 2,
    role: "participant",
    resume_token: "resume-token",
    epoch: 1,
    seq,
    server_time: Date.now(),
    online: [1, 2],
    retention_ms: 86_400_000,
    view,
  };
}

/** @param {number} seq @param {string} name @returns {import('../src/protocol').ServerMsg} */
const renamed = (seq, name) => ({
  type: "event",
  seq,
  at: 1_000 + seq,
  event: { kind: "member_renamed", member: 1, name },
});

/** A session that has seen the room up to `seq` 10 and then lost its connection. */
async function resumed() {
  const session = new Session("ABCDEFGHJ", { as: "member", name: "Anna" });
  session.receive(welcome(10, lobby()));
  await turn();
  let renders = 0;
  session.subscribe(() => renders++);
  return { session, renders: () => renders };
}

test("a replay of many events is applied in one batch: one render, one resume point written", async () => {
  const { session, renders } = await resumed();
  const N = 50;
  const before = storage.resumePoints;
  session.receive(welcome(10 + N, null));
  for (let i = 1; i <= N; i++) {
    session.receive(renamed(10 + i, `Bea ${i}`));
    await turn();
  }
  await turn();
  assert.equal(session.seq, 10 + N);
  assert.equal(session.view?.members.find((m) => m.id === 1)?.name, `Bea ${N}`);
  assert.equal(renders(), 1, "the welcome and its replay render once");
  assert.equal(storage.resumePoints - before, 2, "the welcome's resume point and the replay's");

  // After the replay, live events render as they come.
  session.receive(renamed(11 + N, "Bea live"));
  await turn();
  session.receive(renamed(12 + N, "Bea again"));
  await turn();
  assert.equal(renders(), 3);
  assert.equal(session.view?.members.find((m) => m.id === 1)?.name, "Bea again");
});

test("a message that is not part of the replay applies what came before it", async () => {
  const { session, renders } = await resumed();
  session.receive(welcome(13, null));
  session.receive(renamed(11, "Bea 1"));
  session.receive(renamed(12, "Bea 2"));
  await turn();
  assert.equal(renders(), 0, "held");
  assert.equal(session.seq, 10);
  session.receive({ type: "presence", member: 1, online: false });
  assert.equal(session.seq, 12, "the presence change comes after the events before it");
  await turn();
  assert.equal(renders(), 1);
  assert.equal(session.view?.members.find((m) => m.id === 1)?.online, false);
  // The rest of the replay still applies, in order.
  session.receive(renamed(13, "Bea 3"));
  await turn();
  assert.equal(session.seq, 13);
  assert.equal(session.view?.members.find((m) => m.id === 1)?.name, "Bea 3");
});

test("a gap in a replay asks for a full view instead of applying part of it", async () => {
  const { session } = await resumed();
  let reconnects = 0;
  session.transport.reconnectNow = () => reconnects++;
  session.receive(welcome(14, null));
  session.receive(renamed(11, "Bea 1"));
  session.receive(renamed(13, "Bea 3"));
  await turn();
  assert.equal(reconnects, 1);
  assert.equal(session.needFull, true);
  assert.equal(session.seq, 10, "nothing of the broken replay is applied");
  assert.equal(session.holding, false, "the page renders again");
});

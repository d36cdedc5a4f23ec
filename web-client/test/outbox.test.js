import { test } from "node:test";
import assert from "node:assert/strict";
import { Outbox, newId, commandText } from "../src/outbox.js";

class MemoryStorage {
  constructor() {
    /** @type {Map<string, string>} */
    this.map = new Map();
  }
  getItem(/** @type {string} */ k) {
    return this.map.get(k) ?? null;
  }
  setItem(/** @type {string} */ k, /** @type {string} */ v) {
    this.map.set(k, v);
  }
  removeItem(/** @type {string} */ k) {
    this.map.delete(k);
  }
}

const question = { kind: "submit", input: "question", text: "Wat maakt het lastig?" };

test("ids are 128 random bits in hex, fit the protocol's 64 characters and do not repeat", () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newId()));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
});

test("a command carries its phase stamp and survives a reload with the same id", () => {
  const storage = new MemoryStorage();
  const box = new Outbox(storage, "kring:outbox:X", () => 1000);
  const entry = box.add(/** @type {any} */ (question), 7);
  assert.equal(entry.phase, 7);
  const again = new Outbox(storage, "kring:outbox:X");
  assert.deepEqual(again.unacknowledged(), [entry], "the reloaded page resends the SAME id");
});

test("an ack removes the command; the storage entry goes when nothing is left", () => {
  const storage = new MemoryStorage();
  const box = new Outbox(storage, "k");
  const a = box.add(/** @type {any} */ (question), 1);
  const b = box.add(/** @type {any} */ ({ kind: "raise_hand" }), 1);
  assert.equal(box.ack(a.id)?.id, a.id);
  assert.equal(box.ack(a.id), undefined, "a second ack for the same id is harmless");
  assert.deepEqual(
    box.unacknowledged().map((e) => e.id),
    [b.id],
  );
  box.ack(b.id);
  assert.equal(storage.getItem("k"), null);
});

test("refused text is kept to read and copy; refused actions without text are dropped", () => {
  const storage = new MemoryStorage();
  const box = new Outbox(storage, "k");
  const a = box.add(/** @type {any} */ (question), 3);
  const b = box.add(/** @type {any} */ ({ kind: "raise_hand" }), 3);
  box.refuse(a.id, "phase_closed");
  box.refuse(b.id, "phase_forbids");
  assert.equal(box.unacknowledged().length, 0);
  assert.equal(box.refused.length, 1);
  assert.equal(box.refused[0].code, "phase_closed");
  assert.equal(commandText(box.refused[0].command), question.text);
  const reloaded = new Outbox(storage, "k");
  assert.equal(reloaded.refused.length, 1, "still there after a reload");
  reloaded.dismiss(a.id);
  assert.equal(reloaded.refused.length, 0);
});

test("a warning keeps the words it points at and the phases it names, across a reload", () => {
  const storage = new MemoryStorage();
  const box = new Outbox(storage, "k");
  const a = box.add(
    /** @type {any} */ ({ kind: "submit", input: "question", text: "Heb je de ouders al gebeld?" }),
    3,
  );
  box.refuse(a.id, "advice_like_question", {
    cues: [
      { start: 0, end: 6 },
      { start: 19, end: 21 },
    ],
    phases: [],
  });
  const reloaded = new Outbox(storage, "k");
  assert.deepEqual(reloaded.refused[0].cues, [
    { start: 0, end: 6 },
    { start: 19, end: 21 },
  ]);
  assert.equal(reloaded.refused[0].phases, undefined, "no empty lists kept");
});

test("refuse with keep: false drops even text (the page handles it itself)", () => {
  const box = new Outbox(null, "k");
  const a = box.add(/** @type {any} */ (question), 3);
  box.refuse(a.id, "advice_like_question", { keep: false });
  assert.equal(box.refused.length, 0);
});

test("a broken or foreign storage entry is ignored, not fatal", () => {
  const storage = new MemoryStorage();
  storage.setItem("k", "{not json");
  assert.deepEqual(new Outbox(storage, "k").unacknowledged(), []);
  storage.setItem(
    "k",
    JSON.stringify({
      pending: [{ nope: 1 }, { id: "x", command: { kind: "pass" }, phase: null, created: 1 }],
    }),
  );
  assert.equal(new Outbox(storage, "k").unacknowledged().length, 1);
});

test("storage that throws (private mode, quota) does not break the outbox", () => {
  const throwing = {
    getItem() {
      throw new Error("blocked");
    },
    setItem() {
      throw new Error("quota");
    },
    removeItem() {
      throw new Error("blocked");
    },
  };
  const box = new Outbox(throwing, "k");
  const a = box.add(/** @type {any} */ (question), null);
  assert.equal(box.unacknowledged()[0].id, a.id);
  box.ack(a.id);
});

// What this browser remembers about groups and the shared screen: a group's newest meeting,
// one entry per group token, only well-formed entries, and tokens per room.

import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";

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

const memory = new MemoryStorage();
Object.defineProperty(globalThis, "localStorage", { value: memory, configurable: true });
const storage = await import("../src/storage.js");

beforeEach(() => memory.map.clear());

test("a group is remembered once, with its newest meeting's title and date, newest first", () => {
  storage.rememberGroup({ token: "g1", title: "Team Noord januari", at: 1000 });
  storage.rememberGroup({ token: "g2", title: "Coaches", at: 2000 });
  storage.rememberGroup({ token: "g1", title: "Team Noord maart", at: 3000 });
  assert.deepEqual(storage.groups(), [
    { token: "g1", title: "Team Noord maart", at: 3000 },
    { token: "g2", title: "Coaches", at: 2000 },
  ]);
  storage.forgetGroup("g1");
  assert.deepEqual(
    storage.groups().map((g) => g.token),
    ["g2"],
  );
});

test("at most MAX_GROUPS groups are kept: the ones met longest ago go", () => {
  let list = /** @type {import('../src/storage.js').RememberedGroup[]} */ ([]);
  for (let i = 0; i < storage.MAX_GROUPS + 3; i++)
    list = storage.mergeGroup(list, { token: `g${i}`, title: `T${i}`, at: i });
  assert.equal(list.length, storage.MAX_GROUPS);
  assert.equal(list[0].token, `g${storage.MAX_GROUPS + 2}`);
  assert.ok(!list.some((g) => g.token === "g0" || g.token === "g2"));
});

test("what was stored by hand or by another version is cleaned, not trusted", () => {
  memory.setItem(
    "kring:groups",
    JSON.stringify([
      { token: "ok", title: "T", at: 5, extra: "<b>" },
      { token: "", title: "T", at: 1 },
      { token: 3, title: "T", at: 1 },
      null,
      { token: "x", title: "T", at: "soon" },
    ]),
  );
  assert.deepEqual(storage.groups(), [{ token: "ok", title: "T", at: 5 }]);
  memory.setItem("kring:groups", "not json");
  assert.deepEqual(storage.groups(), []);
  assert.deepEqual(storage.cleanGroups({ token: "g" }), []);
});

test("screen and group tokens are kept per room, and a screen token can be dropped", () => {
  storage.saveScreenToken("K7M3QX9PA", "s".repeat(40));
  storage.saveGroupToken("K7M3QX9PA", "g".repeat(40));
  assert.equal(storage.screenToken("K7M3QX9PA"), "s".repeat(40));
  assert.equal(storage.screenToken("OTHERROOM"), null);
  assert.equal(storage.groupToken("K7M3QX9PA"), "g".repeat(40));
  storage.saveScreenToken("K7M3QX9PA", null);
  assert.equal(storage.screenToken("K7M3QX9PA"), null);
});

// The turn alert: a phone vibrates once for each new turn of its member, when chosen.
import { test } from "node:test";
import assert from "node:assert/strict";

/** @type {number[][]} */
const buzzed = [];
const store = new Map([["kring:prefs", JSON.stringify({ vibrateTurn: true })]]);
Object.defineProperty(globalThis, "localStorage", {
  value: {
    getItem: (/** @type {string} */ k) => store.get(k) ?? null,
    setItem: (/** @type {string} */ k, /** @type {string} */ v) => store.set(k, v),
  },
});
Object.defineProperty(globalThis, "navigator", {
  value: { vibrate: (/** @type {number[]} */ p) => buzzed.push(p) },
});
const { Alerts } = await import("../src/device.js");

/** @param {{member: number, since: number} | null} floor */
const view = (floor) =>
  /** @type {any} */ ({ phase: null, status: "running", floor, me: { member: 4 } });
const scope = { time: false, turnLimitOf: null };

test("a turn that ends and starts again between two checks still vibrates", () => {
  const alerts = new Alerts();
  alerts.check(view({ member: 4, since: 1000 }), 2000, scope);
  assert.equal(buzzed.length, 0, "a turn already running when the page starts is not announced");
  alerts.check(view({ member: 4, since: 1000 }), 3000, scope);
  assert.equal(buzzed.length, 0, "the same turn once");
  // The floor went elsewhere and came back between two checks: a new turn.
  alerts.check(view({ member: 4, since: 5000 }), 6000, scope);
  assert.equal(buzzed.length, 1);
  alerts.check(view({ member: 2, since: 7000 }), 8000, scope);
  alerts.check(view({ member: 4, since: 9000 }), 10000, scope);
  assert.equal(buzzed.length, 2);
});

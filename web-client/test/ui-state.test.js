// The views' memory between renders lives in one object: two fresh ones share nothing, and no
// view module keeps state of its own beside it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createUiState, ui } from "../src/views/ui-state.js";

/**
 * Every object reachable from `value` (Sets and Maps included).
 * @param {unknown} value
 * @param {Set<object>} [seen]
 */
function objectsIn(value, seen = new Set()) {
  if (value === null || typeof value !== "object" || seen.has(value)) return seen;
  seen.add(value);
  const children =
    value instanceof Map
      ? [...value.keys(), ...value.values()]
      : value instanceof Set
        ? [...value]
        : Object.values(value);
  for (const child of children) objectsIn(child, seen);
  return seen;
}

/**
 * Changes every part of a state, as a person using the views would.
 * @param {import('../src/views/ui-state.js').UiState} state
 */
function use(state) {
  for (const part of Object.values(state)) {
    for (const [key, value] of Object.entries(part)) {
      if (value instanceof Set) value.add(1);
      else if (value instanceof Map) value.set("ABCDEFGHJ", { busy: true });
      else if (typeof value === "boolean") Reflect.set(part, key, !value);
      else Reflect.set(part, key, "changed");
    }
  }
}

test("two fresh UI states share no object, and using one leaves the other fresh", () => {
  const a = createUiState();
  const b = createUiState();
  const shared = [...objectsIn(a)].filter((o) => objectsIn(b).has(o));
  assert.deepEqual(shared, []);
  use(a);
  assert.notDeepEqual(a, createUiState(), "use changes every part");
  assert.deepEqual(b, createUiState());
});

test("the page's UI state starts fresh", () => {
  assert.deepEqual(ui, createUiState());
  assert.equal(objectsIn(ui).has(createUiState().boards.answering), false);
});

/** Module-level state a view module may keep beside the UI state, each for a written reason. */
const NOT_UI_STATE = [
  "console.js: let shortcutsBound", // keys bound to the document once per page
  "participant.js: let records", // the records views, loaded on demand (code, not state)
  "participant.js: let loadingRecords",
  "screen.js: const built = new WeakMap()", // the DOM the screen built, keyed by that DOM
  "screen.js: const watched = new WeakSet()", // containers whose size is observed
];

test("no view module keeps UI state of its own: it goes in ui-state.js", () => {
  const dir = new URL("../src/views/", import.meta.url);
  const found = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".js") || name === "ui-state.js") continue;
    const source = readFileSync(new URL(name, dir), "utf8");
    for (const m of source.matchAll(
      /^(let \w+|const \w+ = new (?:Set|Map|WeakMap|WeakSet)\(\))/gm,
    )) {
      found.push(`${name}: ${m[1]}`);
    }
  }
  assert.deepEqual(found.sort(), [...NOT_UI_STATE].sort());
});

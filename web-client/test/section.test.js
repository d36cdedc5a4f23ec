// A section's signature is derived from the inputs it declares: equal values (in fresh copies,
// as after every event) keep it, any changed input or another language changes it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { section } from "../src/views/common.js";
import { sessionLanguage } from "../src/i18n/index.js";

const build = () => /** @type {HTMLElement} */ (/** @type {unknown} */ ({}));

test("a section's signature follows its inputs by value, and the language", async () => {
  const phase = { seq: 3, index: 1, paused: false };
  const a = section("phase", [phase, ["Anna", "Bea"], null], build);
  const copy = section("phase", [structuredClone(phase), ["Anna", "Bea"], null], build);
  assert.equal(a.key, "phase");
  assert.equal(a.build, build);
  assert.equal(copy.sig, a.sig, "a fresh copy of the same view keeps the section");
  for (const changed of [
    [{ ...phase, paused: true }, ["Anna", "Bea"], null],
    [phase, ["Anna", "Bo"], null],
    [phase, ["Anna", "Bea"], 0],
    [phase, ["Anna", "Bea"]],
  ]) {
    assert.notEqual(section("phase", changed, build).sig, a.sig, JSON.stringify(changed));
  }
  await sessionLanguage("de");
  assert.notEqual(section("phase", [phase, ["Anna", "Bea"], null], build).sig, a.sig);
});

// Both catalogs have the same keys, plural forms and parameters, and every key the code uses
// exists. Keys built at run time (`t(\`error.${code}\`)`) are checked against their domains.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import nl from "../src/i18n/nl.js";
import en from "../src/i18n/en.js";
import { translate } from "../src/i18n/index.js";
import { CODE_CATEGORY, ERROR_CODES } from "../src/codes.js";
import { State } from "../src/transport.js";
import { TEXT_KINDS, WARNINGS } from "../src/session-state.js";
import { BOARD_KINDS } from "../src/views/boards.js";

const src = join(dirname(fileURLToPath(import.meta.url)), "../src");

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".js") && !path.includes("/i18n/") ? [path] : [];
  });
}

const code = sources(src).map((p) => readFileSync(p, "utf8")).join("\n");
const INPUT_KINDS = ["case", "vote", "statement", "question", "answer", "key_question", "analysis", "advice", "private_note", "reaction", "commitment", "reflection"];
const COMPOSED = TEXT_KINDS.filter((k) => k !== "answer");
const PROBLEMS = ["noToken", "forbidden", "gone", "tooMany", "failed"];
const FATAL = ["removed", "taken_over", "session_ended", "room_not_found", "room_locked", "room_full", "bad_token", "unsupported_version", "forbidden", "not_found", "flooding", "other"];

/** Run-time key prefixes and every value they are completed with. */
const DOMAINS = {
  "board.": BOARD_KINDS,
  "compose.hint.": [...COMPOSED, "answer"],
  "compose.label.": COMPOSED,
  "compose.send.": COMPOSED,
  "conn.": Object.values(State),
  "confirm.title.": ERROR_CODES.filter((c) => CODE_CATEGORY[c] === "confirm"),
  "confirm.text.": ERROR_CODES.filter((c) => CODE_CATEGORY[c] === "confirm" && c !== "advice_in_analysis"),
  "error.": ERROR_CODES,
  "fatal.": FATAL.flatMap((f) => [`${f}.title`, `${f}.text`]),
  "kind.": INPUT_KINDS,
  "lang.": ["nl", "en"],
  "reaction.": ["none", "useful", "not_for_me"],
  "role.": ["facilitator", "case_bringer", "participant", "note_taker", "screen"],
  "summary.problem.": PROBLEMS,
  "attendance.problem.": PROBLEMS,
  "attest.problem.": [...PROBLEMS, "notEnded", "notConfirmed"],
  "tally.kind.": WARNINGS,
  "temp.": ["none", "warm", "cold"],
  "triage.": ["open", "answered", "parked"],
};

const prefixes = new Set(Object.keys(nl).map((k) => k.split(".")[0]));

test("nl and en have the same keys", () => {
  const a = Object.keys(nl).sort();
  const b = Object.keys(en).sort();
  assert.deepEqual(a.filter((k) => !b.includes(k)), [], "in nl, missing in en");
  assert.deepEqual(b.filter((k) => !a.includes(k)), [], "in en, missing in nl");
});

test("both languages take the same parameters and plural forms", () => {
  const params = (/** @type {unknown} */ m) =>
    [...new Set(JSON.stringify(m).match(/\{\w+\}/g) ?? [])].sort();
  for (const key of Object.keys(nl)) {
    assert.deepEqual(params(nl[key]), params(en[key]), key);
    assert.equal(typeof nl[key], typeof en[key], `${key}: plural in one language only`);
    if (typeof nl[key] === "object") {
      assert.ok("other" in nl[key] && "other" in en[key], `${key}: needs an "other" form`);
    }
  }
});

test("every literal key in the code exists", () => {
  const literals = [...code.matchAll(/["']([a-z]+(?:\.[A-Za-z_]+)+)["']/g)]
    .map((m) => m[1])
    .filter((k) => prefixes.has(k.split(".")[0]) && !/\.(js|css|svg|html)$/.test(k));
  assert.ok(literals.length > 100, `found only ${literals.length} keys: is the scan broken?`);
  const missing = [...new Set(literals)].filter((k) => !(k in nl));
  assert.deepEqual(missing, []);
});

test("every run-time key prefix has a domain, and every key in it exists", () => {
  const dynamic = [...code.matchAll(/t\(`([a-z.]+)\$\{/g)].map((m) => m[1]);
  assert.ok(dynamic.length > 5);
  for (const prefix of new Set(dynamic)) {
    const domain = DOMAINS[/** @type {keyof typeof DOMAINS} */ (prefix)];
    assert.ok(domain, `no domain declared for t(\`${prefix}\${...}\`)`);
    for (const value of domain) assert.ok(`${prefix}${value}` in nl, `${prefix}${value} missing`);
  }
});

test("plurals follow Intl.PluralRules and numbers are formatted", () => {
  assert.equal(translate("nl", "board.dotsLeft", { count: 1 }), "Je hebt nog 1 stip.");
  assert.equal(translate("nl", "board.dotsLeft", { count: 3 }), "Je hebt nog 3 stippen.");
  assert.equal(translate("nl", "board.dotsLeft", { count: 0 }), "Je stippen zijn op.");
  assert.equal(translate("en", "screen.present", { count: 1 }), "1 person present");
  assert.equal(translate("en", "screen.present", { count: 1200 }), "1,200 people present");
  assert.equal(translate("nl", "screen.present", { count: 1200 }), "1.200 mensen aanwezig");
});

test("a missing key shows the key, and missing parameters stay visible", () => {
  assert.equal(translate("en", "no.such.key"), "no.such.key");
  assert.equal(translate("en", "join.code"), "Session {code}");
});

test("the catalogs hold no keys the code never uses", () => {
  const used = new Set([...code.matchAll(/["'`]([a-z]+(?:\.[A-Za-z_]+)+)["'`]/g)].map((m) => m[1]));
  for (const [prefix, domain] of Object.entries(DOMAINS)) for (const v of domain) used.add(`${prefix}${v}`);
  const unused = Object.keys(nl).filter((k) => !used.has(k));
  assert.deepEqual(unused, []);
});

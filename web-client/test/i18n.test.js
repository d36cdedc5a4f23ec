// Every catalog has the same keys, plural forms and parameters, none is left untranslated, and
// every key the code uses exists. Keys built at run time (`t(\`error.${code}\`)`) are checked
// against their domains. The method explanations (`src/help/`) are held to the same.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import nl from "../src/i18n/nl.js";
import en from "../src/i18n/en.js";
import de from "../src/i18n/de.js";
import fr from "../src/i18n/fr.js";
import helpNl from "../src/help/nl.js";
import helpEn from "../src/help/en.js";
import helpDe from "../src/help/de.js";
import helpFr from "../src/help/fr.js";
import { translate, loadLanguage, LANGUAGES, formatPeriod } from "../src/i18n/index.js";
import { CODE_CATEGORY, ERROR_CODES } from "../src/codes.js";
import { State } from "../src/transport.js";
import { TEXT_KINDS, WARNINGS } from "../src/session-state.js";
import { BOARD_KINDS } from "../src/views/boards.js";
import { PROCESS_ITEMS } from "../src/wire.js";

const src = join(dirname(fileURLToPath(import.meta.url)), "../src");

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".js") && !path.includes("/i18n/") ? [path] : [];
  });
}

const code = sources(src)
  .map((p) => readFileSync(p, "utf8"))
  .join("\n");
const INPUT_KINDS = [
  "case",
  "vote",
  "statement",
  "question",
  "answer",
  "key_question",
  "analysis",
  "advice",
  "private_note",
  "reaction",
  "commitment",
  "reflection",
  "notepad",
];
const COMPOSED = TEXT_KINDS.filter((k) => k !== "answer");
const PROBLEMS = ["noToken", "forbidden", "gone", "tooMany", "failed"];
const FATAL = [
  "removed",
  "taken_over",
  "session_ended",
  "room_not_found",
  "room_locked",
  "room_full",
  "bad_token",
  "unsupported_version",
  "forbidden",
  "not_found",
  "flooding",
  "other",
];

/** Run-time key prefixes and every value they are completed with. */
const DOMAINS = {
  "board.": BOARD_KINDS,
  "compose.hint.": [...COMPOSED, "answer"],
  "compose.label.": COMPOSED,
  "compose.send.": COMPOSED,
  "conn.": Object.values(State),
  "confirm.title.": ERROR_CODES.filter((c) => CODE_CATEGORY[c] === "confirm"),
  "confirm.text.": ERROR_CODES.filter(
    (c) => CODE_CATEGORY[c] === "confirm" && c !== "advice_in_analysis",
  ),
  "error.": ERROR_CODES,
  "fatal.": FATAL.flatMap((f) => [`${f}.title`, `${f}.text`]),
  "kind.": INPUT_KINDS,
  "lang.": ["nl", "en", "de", "fr"],
  "process.item.": PROCESS_ITEMS,
  "process.short.": PROCESS_ITEMS,
  "process.problem.": PROBLEMS,
  "role.": ["facilitator", "case_bringer", "participant", "note_taker", "screen"],
  "summary.problem.": PROBLEMS,
  "attendance.problem.": PROBLEMS,
  "attest.problem.": [...PROBLEMS, "notEnded", "notConfirmed"],
  "tally.kind.": WARNINGS,
  "temp.": ["none", "warm", "lukewarm", "cold"],
  "triage.": ["open", "answered", "parked"],
  // Built in rules.js as keys, translated by the views.
  "rule.now.": [
    "case",
    "vote",
    "question",
    "key_question",
    "analysis",
    "advice",
    "private_note",
    "reflection",
    "commitment",
    "statement",
  ],
  "may.": INPUT_KINDS,
};

/** @type {Record<string, Record<string, unknown>>} */
const CATALOGS = { nl, en, de, fr };

/**
 * Texts that are the same in a translation as in English or Dutch, on purpose: names, codes,
 * units, file formats and words the languages share ("Methode", "Analyse", "Code").
 */
const SHARED_WORDS = {
  de: new Set([
    "lang.label",
    "lang.nl",
    "lang.en",
    "lang.de",
    "lang.fr",
    "home.groupOption",
    "attendance.csv",
    "attendance.startedEnded",
    "compose.count",
    "fac.minutesUnit",
    "fac.minus",
    "fac.plus",
    "screen.turnLimit",
    "kind.statement",
    "board.analysis",
    "rule.now.analysis",
    "kq.title",
    "summary.markdown",
    "attendance.colName",
    "conn.offline",
    "join.codeLabel",
    "temp.warm",
    "conn.connecting",
    "home.method",
    "kind.analysis",
    "member.withRole",
  ]),
  fr: new Set([
    "lang.nl",
    "lang.en",
    "lang.de",
    "lang.fr",
    "home.groupOption",
    "attendance.csv",
    "attendance.startedEnded",
    "compose.count",
    "fac.minutesUnit",
    "fac.minus",
    "fac.plus",
    "board.questions",
    "board.question",
    "kind.question",
    "rule.now.question",
    "triage.open",
    "reaction.none",
    "role.participant",
    "kind.reaction",
    "fatal.reload",
    "summary.markdown",
    "attendance.colName",
    "role.screen",
    "fac.pause",
    "fac.set",
    "fac.minutesUnit",
    "attendance.colRole",
    "home.phases",
    "join.codeLabel",
    "phase.minutes",
    "kind.private_note",
    "board.count",
    "fac.phases",
    "fac.actionBar",
    "member.withRole",
    "fac.turnLimitMinutes",
    "fac.notesTitle",
    "screen.silent",
    "kind.analysis",
    "board.analysis",
  ]),
};

const prefixes = new Set(Object.keys(nl).map((k) => k.split(".")[0]));

test("every catalog has the same keys", () => {
  assert.deepEqual(Object.keys(CATALOGS), [...LANGUAGES], "a catalog per language the app offers");
  const a = Object.keys(nl).sort();
  for (const [lang, catalog] of Object.entries(CATALOGS)) {
    const b = Object.keys(catalog).sort();
    assert.deepEqual(
      a.filter((k) => !b.includes(k)),
      [],
      `in nl, missing in ${lang}`,
    );
    assert.deepEqual(
      b.filter((k) => !a.includes(k)),
      [],
      `in ${lang}, missing in nl`,
    );
  }
});

test("every language takes the same parameters and plural forms", () => {
  const params = (/** @type {unknown} */ m) =>
    [...new Set(JSON.stringify(m).match(/\{\w+\}/g) ?? [])].sort();
  for (const [lang, catalog] of Object.entries(CATALOGS)) {
    for (const key of Object.keys(nl)) {
      const m = /** @type {any} */ (catalog)[key];
      assert.deepEqual(params(m), params(nl[key]), `${lang}: ${key}`);
      assert.equal(typeof m, typeof nl[key], `${lang}: ${key}: plural in one language only`);
      if (typeof m === "object") assert.ok("other" in m, `${lang}: ${key}: needs an "other" form`);
    }
  }
});

test("nothing is left untranslated", () => {
  for (const lang of /** @type {const} */ (["de", "fr"])) {
    const catalog = CATALOGS[lang];
    const same = Object.keys(en).filter(
      (k) => JSON.stringify(catalog[k]) === JSON.stringify(en[k]) && !SHARED_WORDS[lang].has(k),
    );
    assert.deepEqual(same, [], `${lang}: still English`);
    const dutch = Object.keys(nl).filter(
      (k) =>
        JSON.stringify(catalog[k]) === JSON.stringify(nl[k]) &&
        JSON.stringify(nl[k]) !== JSON.stringify(en[k]) &&
        !SHARED_WORDS[lang].has(k),
    );
    assert.deepEqual(dutch, [], `${lang}: still Dutch`);
  }
  const englishAsDutch = Object.keys(nl).filter(
    (k) =>
      JSON.stringify(nl[k]) === JSON.stringify(en[k]) &&
      !/^lang\.|^compose\.count$|^attendance\.|^fac\.(minus|plus|minutesUnit)$|^home\.groupOption$|^summary\.markdown$/.test(
        k,
      ),
  );
  // Dutch and English share a few words (Status, Code, Link...), never whole sentences.
  assert.ok(
    englishAsDutch.every((k) => typeof nl[k] === "string" && !/ .* /.test(String(nl[k]))),
    `nl: still English: ${englishAsDutch}`,
  );
});

/**
 * Every text in a nested object (values only, not keys).
 * @param {unknown} value
 * @returns {string[]}
 */
function texts(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value && typeof value === "object") return Object.values(value).flatMap(texts);
  return [];
}

test("the method explanations have the same shape in every language, translated", () => {
  const shape = (/** @type {any} */ help) => ({
    top: Object.keys(help).sort(),
    agreements: help.agreements.length,
    roles: Object.keys(help.roles).sort(),
    good: help.goodQuestions.length,
    bad: help.badQuestions.length,
    purposes: Object.keys(help.purposes).sort(),
    generic: Object.keys(help.generic).sort(),
  });
  const helps = { nl: helpNl, en: helpEn, de: helpDe, fr: helpFr };
  for (const [lang, help] of Object.entries(helps)) {
    assert.deepEqual(shape(help), shape(helpNl), lang);
    if (lang === "en") continue;
    const english = new Set(texts(helpEn));
    const left = texts(help).filter((s) => english.has(s));
    assert.deepEqual(left, [], `${lang}: explanation still in English`);
  }
});

test("the built-in methods all have explained phases", async () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), "../../engine/methods");
  for (const file of readdirSync(root).filter((f) => f.endsWith(".json"))) {
    const method = JSON.parse(readFileSync(join(root, file), "utf8"));
    for (const phase of method.phases) {
      assert.ok(
        `${method.id}/${phase.id}` in helpNl.purposes,
        `no purpose for ${method.id}/${phase.id}`,
      );
    }
  }
});

test("languages load on demand", async () => {
  for (const lang of LANGUAGES) {
    const catalog = await loadLanguage(lang);
    assert.equal(catalog, CATALOGS[lang]);
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

test("plurals follow Intl.PluralRules and numbers are formatted", async () => {
  for (const lang of LANGUAGES) await loadLanguage(lang);
  assert.equal(translate("nl", "board.dotsLeft", { count: 1 }), "Je hebt nog 1 stip.");
  assert.equal(translate("nl", "board.dotsLeft", { count: 3 }), "Je hebt nog 3 stippen.");
  assert.equal(translate("nl", "board.dotsLeft", { count: 0 }), "Je stippen zijn op.");
  assert.equal(translate("en", "screen.present", { count: 1 }), "1 person present");
  assert.equal(translate("en", "screen.present", { count: 1200 }), "1,200 people present");
  assert.equal(translate("nl", "screen.present", { count: 1200 }), "1.200 mensen aanwezig");
  assert.equal(translate("de", "screen.present", { count: 1200 }), "1.200 Personen anwesend");
  assert.equal(translate("fr", "screen.present", { count: 2 }), "2 personnes présentes");
});

test("a missing key shows the key, and missing parameters stay visible", async () => {
  await loadLanguage("en");
  assert.equal(translate("en", "no.such.key"), "no.such.key");
  assert.equal(translate("en", "join.code"), "Session {code}");
});

test("the catalogs hold no keys the code never uses", () => {
  const used = new Set([...code.matchAll(/["'`]([a-z]+(?:\.[A-Za-z_]+)+)["'`]/g)].map((m) => m[1]));
  for (const [prefix, domain] of Object.entries(DOMAINS))
    for (const v of domain) used.add(`${prefix}${v}`);
  const unused = Object.keys(nl).filter((k) => !used.has(k));
  assert.deepEqual(unused, []);
});

test("the retention period reads as people say it, in every language", () => {
  assert.equal(formatPeriod(86_400_000, "nl"), "24 uur");
  assert.equal(formatPeriod(86_400_000, "en"), "24 hours");
  assert.equal(formatPeriod(7 * 86_400_000, "de"), "7 Tage");
  // French puts a no-break space between number and unit.
  assert.equal(formatPeriod(3 * 86_400_000, "fr").replace(/\s/gu, " "), "3 jours");
  assert.equal(formatPeriod(90 * 60_000, "nl"), "90 minuten");
  assert.equal(formatPeriod(36 * 3_600_000, "en"), "36 hours");
  // Every ended-session text names the server's period, never a fixed one.
  for (const lang of LANGUAGES) {
    for (const key of ["summary.retention", "ended.deleted", "fac.endedText"]) {
      const text = translate(lang, key, { retention: "§" });
      assert.ok(text.includes("§") && !/24/.test(text), `${lang} ${key}: ${text}`);
    }
  }
});

// Every text the app shows comes from a catalog (`nl.js`, `en.js`, `de.js`, `fr.js`), by key.
//
// A message may take parameters (`{name}`) and may have plural forms chosen with
// `Intl.PluralRules` from the `count` parameter. Dates, times, durations and numbers are
// formatted with `Intl` in the person's language. The language is the session's unless the
// person picked another; that choice is remembered on this device.
//
// Only the catalog in use is downloaded (each is about 9 KB compressed); another one loads
// when someone switches, before the page shows it.

import { NAME_MAX_CHARS, TITLE_MAX_CHARS } from "../wire.js";

/** @typedef {import('../protocol').Language} Language */
/** @typedef {string | {[form: string]: string}} Message */
/** @typedef {Record<string, Message>} Catalog */

/** The catalogs loaded so far. @type {Partial<Record<Language, Catalog>>} */
export const CATALOGS = {};
export const LANGUAGES = /** @type {const} */ (["nl", "en", "de", "fr"]);
/**
 * Limits of the wire contract that texts may name (`{nameMax}`), so no catalog repeats a number
 * the server decides.
 * @type {Record<string, number>}
 */
const WIRE_PARAMS = { nameMax: NAME_MAX_CHARS, titleMax: TITLE_MAX_CHARS };
const STORAGE_KEY = "kring:lang";

/** @type {Partial<Record<Language, Promise<Catalog>>>} */
const loading = {};

/**
 * Loads the catalog of `lang` (once).
 * @param {Language} lang
 * @returns {Promise<Catalog>}
 */
export function loadLanguage(lang) {
  const have = CATALOGS[lang];
  if (have) return Promise.resolve(have);
  let promise = loading[lang];
  if (!promise) {
    const importer = {
      nl: () => import("./nl.js"),
      en: () => import("./en.js"),
      de: () => import("./de.js"),
      fr: () => import("./fr.js"),
    }[lang];
    promise = importer().then((m) => {
      CATALOGS[lang] = m.default;
      return m.default;
    });
    promise.catch(() => delete loading[lang]);
    loading[lang] = promise;
  }
  return promise;
}

/**
 * @param {unknown} v
 * @returns {v is Language}
 */
export function isLanguage(v) {
  return typeof v === "string" && /** @type {readonly string[]} */ (LANGUAGES).includes(v);
}

/** @type {Language} */
let current = initialLanguage();
if (typeof document !== "undefined") document.documentElement.lang = current;
/** @type {Set<() => void>} */
const listeners = new Set();

/** @returns {Language} */
function initialLanguage() {
  const chosen = readChoice();
  if (chosen) return chosen;
  const nav =
    typeof navigator !== "undefined" ? (navigator.language || "").toLowerCase().slice(0, 2) : "";
  return isLanguage(nav) ? nav : "nl";
}

/** @returns {Language | null} */
function readChoice() {
  try {
    const v = typeof localStorage !== "undefined" ? localStorage.getItem(STORAGE_KEY) : null;
    return isLanguage(v) ? v : null;
  } catch {
    return null;
  }
}

export function language() {
  return current;
}

/**
 * The person picked a language: use it everywhere from now on, on this device.
 * @param {Language} lang
 */
export function chooseLanguage(lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, still used
  }
  return setLanguage(lang);
}

/**
 * The session's language applies unless the person chose one.
 * @param {Language} lang
 */
export function sessionLanguage(lang) {
  return readChoice() ? Promise.resolve() : setLanguage(lang);
}

/** The latest language asked for (a slow catalog must not win over a later choice). */
let wanted = current;

/**
 * Switches once the catalog is there; until then the page stays in the language it has.
 * @param {Language} lang
 */
async function setLanguage(lang) {
  wanted = lang;
  await loadLanguage(lang);
  if (lang === current || lang !== wanted) return;
  current = lang;
  if (typeof document !== "undefined") document.documentElement.lang = lang;
  for (const l of listeners) l();
}

/**
 * Called when the language changes (views re-render their texts).
 * @param {() => void} listener
 */
export function onLanguageChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The text for `key` in the current language, with `{param}`s filled in. A missing key shows
 * the key itself (the catalog test makes sure none is missing).
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(key, params) {
  return translate(current, key, params);
}

/**
 * @param {Language} lang
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
export function translate(lang, key, params) {
  const message = CATALOGS[lang]?.[key] ?? CATALOGS.nl?.[key];
  if (message === undefined) return key;
  let text;
  if (typeof message === "string") {
    text = message;
  } else {
    const count = typeof params?.count === "number" ? params.count : 0;
    const form = count === 0 && message.zero !== undefined ? "zero" : plural(lang, count);
    text = message[form] ?? message.other ?? "";
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    const v = params?.[name] ?? WIRE_PARAMS[name];
    if (v === undefined) return whole;
    return typeof v === "number" ? formatNumber(v, lang) : v;
  });
}

/** @type {Map<string, Intl.PluralRules>} */
const pluralRules = new Map();
/**
 * @param {Language} lang
 * @param {number} n
 */
function plural(lang, n) {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return rules.select(n);
}

/**
 * @param {number} n
 * @param {Language} [lang]
 */
export function formatNumber(n, lang = current) {
  return new Intl.NumberFormat(lang).format(n);
}

/**
 * A number with one decimal, e.g. an average score ("4,2").
 * @param {number} n
 */
export function formatDecimal(n) {
  return new Intl.NumberFormat(current, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(n);
}

/**
 * A clock time, e.g. "14:05".
 * @param {number} ms epoch milliseconds
 */
export function formatTime(ms) {
  return new Intl.DateTimeFormat(current, { hour: "2-digit", minute: "2-digit" }).format(
    new Date(ms),
  );
}

/**
 * A date, e.g. "3 maart 2025".
 * @param {number} ms
 */
export function formatDate(ms) {
  return new Intl.DateTimeFormat(current, {
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(new Date(ms));
}

/**
 * "5 minuten geleden", "over 2 minuten": the nearest sensible unit.
 * @param {number} ms target time
 * @param {number} now
 */
export function formatRelative(ms, now) {
  const rtf = new Intl.RelativeTimeFormat(current, { numeric: "auto" });
  const diff = ms - now;
  const abs = Math.abs(diff);
  /** @type {[Intl.RelativeTimeFormatUnit, number][]} */
  const units = [
    ["week", 7 * 86_400_000],
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  for (const [unit, size] of units) {
    if (abs >= size) return rtf.format(Math.round(diff / size), unit);
  }
  return rtf.format(Math.round(diff / 1000), "second");
}

/**
 * A countdown "12:05" (minutes:seconds), or "1:02:05" above an hour.
 * @param {number} ms
 */
export function formatClock(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return hours > 0 ? `${hours}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/**
 * A duration in words for screen readers and tables: "3 min 20 s" / "3 min. 20 sec.".
 * @param {number} ms
 */
export function formatDuration(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  const unit = (/** @type {"minute" | "second"} */ u, /** @type {number} */ n) =>
    new Intl.NumberFormat(current, { style: "unit", unit: u, unitDisplay: "short" }).format(n);
  return m > 0 ? `${unit("minute", m)} ${unit("second", s)}` : unit("second", s);
}

/**
 * A retention period in words, in the largest unit that divides it: "24 uur", "7 Tage",
 * "90 minutes" (the operator's `--retention`, which the welcome carries).
 * @param {number} ms
 * @param {Language} [lang]
 */
export function formatPeriod(ms, lang = current) {
  /** @type {["day" | "hour" | "minute", number][]} */
  const units = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  // "24 uur" rather than "1 dag": days from two on.
  const [unit, size] = units.find(
    ([u, size]) => ms >= (u === "day" ? 2 * size : size) && ms % size === 0,
  ) ?? ["minute", 60_000];
  const n = Math.max(1, Math.ceil(ms / size));
  return new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "long" }).format(n);
}

/**
 * A localized text from a method template (German and French may be missing in a custom
 * template: then English, as the server does).
 * @param {import('../protocol').Localized} text
 */
export function local(text) {
  return text[current] || text.en || text.nl;
}

// What the current phase means for the group, in words people read from across the room:
// the phase rule on the big screen ("QUESTIONS · no advice yet"), the facilitator's line
// "participants can now: ask questions", and where a method has no cases at all (so texts
// that speak of cases would not fit). Pure functions of the view: the catalog keys they
// return are translated by the caller.

import { allowed, currentPhase } from "./session-state.js";

/** @typedef {import('./protocol').SessionView} SessionView */
/** @typedef {import('./protocol').InputKind} InputKind */
/** @typedef {import('./protocol').PhaseTemplate} PhaseTemplate */

/** What a phase is mainly about, when the group may write more than one kind. */
const MAIN_ORDER = /** @type {const} */ ([
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
]);

/**
 * The phase rule: what the group does now, and what it must not do yet.
 * @param {SessionView} view
 * @returns {{now: string, notYet: string | null} | null} catalog keys
 */
export function phaseRule(view) {
  const phase = currentPhase(view);
  if (!phase || view.status !== "running" || !view.phase) return null;
  const group = allowed(phase, "participant");
  const main = MAIN_ORDER.find((k) => group.includes(k));
  /** @type {string} */
  let now;
  if (main) now = `rule.now.${main}`;
  else if (phase.turns === "case_bringer_only") now = "rule.now.listen";
  else if (phase.turns === "silent") now = "rule.now.silent";
  else now = "rule.now.talk";
  /** @type {string | null} */
  let notYet = null;
  const adviceLater = view.method.phases.some(
    (p, i) => i > (view.phase?.index ?? 0) && allowed(p, "participant").includes("advice"),
  );
  if (phase.case_bringer_listens) notYet = "rule.notYet.cbListens";
  else if (!group.includes("advice") && adviceLater) notYet = "rule.notYet.advice";
  return { now, notYet };
}

/**
 * What each side may do now, as catalog keys of verbs ("ask questions").
 * @param {SessionView} view
 * @returns {{group: string[], caseBringer: string[]}}
 */
export function mayNow(view) {
  const phase = currentPhase(view);
  if (!phase || view.status !== "running") return { group: [], caseBringer: [] };
  const verbs = (/** @type {readonly InputKind[]} */ kinds) => kinds.map((k) => `may.${k}`);
  const group = verbs(allowed(phase, "participant"));
  if (group.length === 0) group.push(phase.turns === "silent" ? "may.think" : "may.listen");
  const cb = phase.case_bringer_listens ? ["may.listen"] : verbs(allowed(phase, "case_bringer"));
  return { group, caseBringer: cb };
}

/**
 * Whether the method ever has case proposals (the gossip method, for one, has none: the
 * case-bringer simply brings a question).
 * @param {SessionView} view
 */
export function hasCases(view) {
  return view.method.phases.some((p) =>
    Object.values(p.allow).some((kinds) => kinds?.includes("case")),
  );
}

/**
 * The key question the group works on: the chosen one, else the case-bringer's latest, else
 * the latest. Hidden ones and ones without text are not shown.
 * @param {SessionView} view
 */
export function keyQuestion(view) {
  const shown = view.items.filter(
    (i) => i.kind === "key_question" && i.case_round === view.case_round && !i.hidden && i.text,
  );
  return (
    shown.find((i) => i.chosen) ??
    [...shown].reverse().find((i) => i.by !== null && i.by === view.case_bringer) ??
    shown[shown.length - 1] ??
    null
  );
}

/**
 * Whether the key question is pinned now: in phases where advice is given.
 * @param {SessionView} view
 */
export function pinKeyQuestion(view) {
  const phase = currentPhase(view);
  if (!phase || view.status !== "running") return false;
  const adviceNow = Object.values(phase.allow).some((kinds) => kinds?.includes("advice"));
  return adviceNow && keyQuestion(view) !== null;
}

/**
 * How many of `kind` I may still write in this phase, if the method limits it.
 * @param {SessionView} view
 * @param {InputKind} kind
 * @returns {{max: number, left: number} | null}
 */
export function limitLeft(view, kind) {
  const phase = currentPhase(view);
  const max = phase?.max_per_member?.[kind];
  if (!phase || !view.phase || max === undefined) return null;
  const index = view.phase.index;
  const mine = new Set(view.me.items);
  // As the engine counts: every visit of this phase, anonymous items included.
  const made = view.items.filter(
    (i) => mine.has(i.id) && i.kind === kind && i.phase === index,
  ).length;
  return { max, left: Math.max(0, max - made) };
}

/**
 * Whether dot counts are shown: not while the group is still giving dots, unless the
 * facilitator revealed them.
 * @param {SessionView} view
 */
export function votesVisible(view) {
  const phase = currentPhase(view);
  if (!phase || view.status !== "running" || !view.phase) return true;
  const voting = Object.values(phase.allow).some((kinds) => kinds?.includes("vote"));
  return !voting || view.phase.votes_revealed;
}

/**
 * What keeps the session from starting, as a catalog key, or null when it can start.
 * @param {SessionView} view
 */
export function startBlocker(view) {
  if (view.status !== "lobby") return null;
  const first = view.method.phases[0];
  if (first && needsCaseBringer(first) && view.case_bringer === null)
    return "fac.startNeedsCaseBringer";
  return null;
}

/**
 * `permissions::needs_case_bringer`.
 * @param {PhaseTemplate} p
 */
export function needsCaseBringer(p) {
  return (
    (p.allow.case_bringer ?? []).length > 0 ||
    p.case_bringer_listens ||
    p.turns === "case_bringer_only"
  );
}

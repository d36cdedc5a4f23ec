// What the methods add to a meeting, in small sections the pages place where they fit: which
// case of the meeting runs (and Troika's rotation), the chosen key question pinned for
// everyone, the case-bringer's private notepad and the choice to share their reactions, the
// process evaluation (the form for members, the sums for the facilitator), starting the next
// case, earlier cases, and the facilitator's helpers (reordering a round, a co-facilitator,
// handing the role over).
//
// Private things stay private here too: the notepad and unshared reactions come only in the
// case-bringer's own view, and none of these sections is put on the shared screen except the
// case line and the chosen key question, which are everyone's.

import { h } from "../dom.js";
import { icon } from "../icons.js";
import { t, local, formatDate, formatDecimal } from "../i18n/index.js";
import { fetchProcess, fetchMethods } from "../api.js";
import {
  currentPhase,
  hasFacilitatorRights,
  maySubmit,
  memberById,
  nextRotation,
  roundPending,
  roundsBroughtBy,
} from "../session-state.js";
import * as storage from "../storage.js";
import { PROCESS_ITEMS, REMARK_MAX_CHARS } from "../wire.js";
import { composer } from "./composer.js";
import { nameOf } from "./common.js";
import { ui } from "./ui-state.js";
import { section } from "./section.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').Item} Item */
/** @typedef {import('../protocol').MemberView} MemberView */
/** @typedef {import('../protocol').MemberId} MemberId */
/** @typedef {import('../protocol').ProcessAggregate} ProcessAggregate */
/** @typedef {import('../protocol').ProcessResults} ProcessResults */
/** @typedef {import('../protocol').MethodTemplate} MethodTemplate */
/** @typedef {import('../api.js').Problem} Problem */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('./section.js').Section} Section */

// ---------------------------------------------------------------- where the meeting is

/**
 * "Case 2 of the meeting · Incident method · case-bringer Anna", or Troika's "Round 2 of 3".
 * Null while the meeting has one case and its method does not rotate.
 * @param {SessionView} view
 * @returns {string | null}
 */
export function caseLineText(view) {
  const rotates = view.method.rotate_case_bringer === true;
  if (view.cases.length <= 1 && !rotates) return null;
  const round = view.cases[view.case_round];
  const cb = round?.case_bringer ?? null;
  const who =
    cb === null ? t("cases.noCaseBringerYet") : t("cases.caseBringer", { name: nameOf(view, cb) });
  if (rotates) {
    // Everyone who has brought a case, plus whoever can still take a turn at it.
    const brought = new Set(view.cases.map((c) => c.case_bringer).filter((m) => m !== null));
    const waiting = view.members.filter(
      (m) =>
        ["participant", "note_taker", "case_bringer"].includes(m.role) &&
        m.online &&
        m.in_turns &&
        !brought.has(m.id),
    ).length;
    const total = Math.max(view.case_round + 1, brought.size + waiting);
    return `${t("cases.rotation", { n: view.case_round + 1, total })} · ${who}`;
  }
  return `${t("cases.caseOf", { n: view.case_round + 1 })} · ${local(view.method.name)} · ${who}`;
}

/**
 * The case line as an element (for the phase card's neighbourhood), or null.
 * @param {SessionView} view
 */
export function caseLine(view) {
  const text = caseLineText(view);
  return text === null
    ? null
    : h("p", { class: "case-line", dataset: { caseRound: view.case_round } }, text);
}

/**
 * The key question the case-bringer chose, pinned for everyone (phones, console, screen).
 * @param {SessionView} view
 * @param {{big?: boolean}} [opts]
 * @returns {Section | null}
 */
export function keyQuestionPin(view, opts = {}) {
  const id = view.cases[view.case_round]?.key_question ?? null;
  const item = id === null ? undefined : view.items.find((i) => i.id === id);
  if (!item || item.hidden || item.text === null || view.status === "lobby") return null;
  const text = item.text;
  return section("key-question", [item.id, text, opts.big ?? false], () =>
    h(
      "section",
      {
        class: ["card", "key-question", "key-question-pin", opts.big && "big"],
        "aria-labelledby": "kq-pin-title",
        dataset: { item: item.id },
      },
      h("h2", { id: "kq-pin-title" }, icon("star"), t("cases.keyQuestion")),
      h("p", { class: ["key-question-text", "item-text"] }, text),
    ),
  );
}

// ---------------------------------------------------------------- the case-bringer's own

/**
 * The case-bringer's private notepad: where the phase keeps one (also while they listen), and
 * whatever they noted in this case so far. Only in their own view; never shown to others.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function notepadSection(session, view) {
  const phase = currentPhase(view);
  const canWrite =
    view.status === "running" && phase !== null && maySubmit(phase, view.me.role, "notepad");
  const notes = view.me.notepad.filter((n) => n.case_round === view.case_round);
  if (!canWrite && notes.length === 0) return null;
  return section(
    "notepad",
    [canWrite, view.phase?.seq, notes.map((n) => n.id), session.conn === "connected"],
    () =>
      h(
        "section",
        { class: "card notepad", "aria-labelledby": "notepad-title" },
        h("h2", { id: "notepad-title" }, t("notepad.title")),
        h("p", { class: "hint" }, t("notepad.hint")),
        canWrite ? composer(session, { kind: "notepad", compact: true }) : null,
        notes.length > 0
          ? h(
              "ol",
              { class: "items" },
              notes.map((n) =>
                h(
                  "li",
                  { class: "item item-notepad mine", dataset: { item: n.id } },
                  h("p", { class: "item-text" }, n.text ?? ""),
                ),
              ),
            )
          : null,
      ),
  );
}

/**
 * The case-bringer decides whether the group sees their reactions. Only for the case-bringer
 * of the running case, once there is something to react to.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function shareReactionsSection(session, view) {
  const round = view.cases[view.case_round];
  if (
    view.status !== "running" ||
    !round ||
    round.case_bringer !== view.me.member ||
    view.me.role !== "case_bringer"
  )
    return null;
  const shared = round.reactions_shared;
  const mine = view.me.reactions.length;
  return section("share-reactions", [shared, mine > 0], () =>
    h(
      "section",
      { class: "card share-reactions", "aria-labelledby": "share-title" },
      h("h2", { id: "share-title" }, t("reactions.title")),
      h("p", null, shared ? t("reactions.sharedText") : t("reactions.privateText")),
      h(
        "button",
        {
          type: "button",
          class: shared ? "" : "primary",
          "aria-pressed": String(shared),
          "data-fk": "share-reactions",
          onclick: () => session.send({ kind: "share_reactions", shared: !shared }),
        },
        shared ? t("reactions.hide") : t("reactions.share"),
      ),
    ),
  );
}

/**
 * "This is my key question": the case-bringer picks a proposal (their own wording is chosen
 * when they post it).
 * @param {Session} session
 * @param {SessionView} view
 * @param {Item} item
 * @returns {HTMLElement | null}
 */
export function chooseKeyQuestionButton(session, view, item) {
  const phase = currentPhase(view);
  if (
    item.kind !== "key_question" ||
    item.chosen ||
    item.hidden ||
    item.case_round !== view.case_round
  )
    return null;
  if (
    view.me.role !== "case_bringer" ||
    view.status !== "running" ||
    !phase ||
    phase.case_bringer_listens
  )
    return null;
  return h(
    "button",
    {
      type: "button",
      class: "primary",
      "data-fk": `choose-kq-${item.id}`,
      onclick: () => session.send({ kind: "choose_key_question", item: item.id }),
    },
    t("cases.chooseKeyQuestion"),
  );
}

/**
 * The author's consent, per commitment, to take it to the group's next meeting (only where
 * the session keeps anything for the group).
 * @param {Session} session
 * @param {SessionView} view
 * @param {Item} item
 * @returns {HTMLElement | null}
 */
export function carryButton(session, view, item) {
  if (item.kind !== "commitment" || item.by === null || item.by !== view.me.member) return null;
  if (!view.settings.keep_for_group || view.status !== "running") return null;
  return h(
    "button",
    {
      type: "button",
      class: ["carry", item.kept && "on"],
      "aria-pressed": String(item.kept),
      "data-fk": `carry-${item.id}`,
      onclick: () => session.send({ kind: "carry_commitment", item: item.id, carry: !item.kept }),
    },
    t("cases.carry"),
  );
}

// ---------------------------------------------------------------- process evaluation

/**
 * Whether the process evaluation is open to me now: a method's last phase, everyone but the
 * facilitator (whose facilitation is being rated) and the screen.
 * @param {SessionView} view
 */
export function processOpen(view) {
  if (view.status !== "running" || !view.phase) return false;
  if (view.me.role === "facilitator" || view.me.role === "screen" || view.me.member === null)
    return false;
  return view.phase.index === view.method.phases.length - 1;
}

/**
 * The process evaluation form: four statements on a 1-5 scale and a remark, anonymous.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function processFormSection(session, view) {
  if (!processOpen(view)) return null;
  const round = view.case_round;
  const rated = view.me.rated.includes(round);
  return section(`process-form-${round}`, [round, rated, view.phase?.seq], () =>
    processForm(session, view, round, rated),
  );
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {number} round
 * @param {boolean} rated
 */
function processForm(session, view, round, rated) {
  const key = `${session.code}:${round}`;
  const draft = ui.cases.processDrafts.get(key) ?? {
    scores: PROCESS_ITEMS.map(() => 0),
    remark: "",
  };
  ui.cases.processDrafts.set(key, draft);
  const error = h("p", { class: "field-error", role: "alert" });
  const remark = h("textarea", {
    id: "process-remark",
    rows: 2,
    maxlength: REMARK_MAX_CHARS,
    "data-fk": "process-remark",
    value: draft.remark,
    oninput: (/** @type {Event} */ e) => {
      draft.remark = /** @type {HTMLTextAreaElement} */ (e.target).value;
    },
  });
  const scales = PROCESS_ITEMS.map((item, i) =>
    h(
      "fieldset",
      { class: "scale", dataset: { processItem: item } },
      h("legend", null, t(`process.item.${item}`)),
      h(
        "div",
        { class: "scale-options" },
        [1, 2, 3, 4, 5].map((n) =>
          h(
            "label",
            { class: "scale-option" },
            h("input", {
              type: "radio",
              name: `process-${i}`,
              value: String(n),
              checked: draft.scores[i] === n,
              "data-fk": `process-${item}-${n}`,
              // The ends of the scale say what they mean; 2 to 4 are their number.
              "aria-label": n === 1 ? t("process.low") : n === 5 ? t("process.high") : undefined,
              onchange: () => {
                draft.scores[i] = n;
                error.textContent = "";
              },
            }),
            h("span", { "aria-hidden": "true" }, String(n)),
          ),
        ),
      ),
    ),
  );
  return h(
    "section",
    { class: "card process-form", "aria-labelledby": "process-title" },
    h("h2", { id: "process-title" }, t("process.title")),
    h("p", null, t("process.intro")),
    h("p", { class: "hint" }, t("process.scale")),
    h(
      "form",
      {
        class: "stack",
        onsubmit: (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const text = draft.remark.trim();
          if (draft.scores.every((s) => s === 0) && !text) {
            error.textContent = t("process.empty");
            return;
          }
          if ([...text].length > REMARK_MAX_CHARS) {
            error.textContent = t("error.text_too_long");
            remark.focus();
            return;
          }
          session.send({ kind: "rate_process", scores: [...draft.scores], remark: text || null });
        },
      },
      scales,
      h("label", { for: "process-remark" }, t("process.remark")),
      remark,
      error,
      h(
        "button",
        { type: "submit", class: "primary", "data-fk": "process-send" },
        rated ? t("process.change") : t("process.send"),
      ),
    ),
    rated
      ? h("p", { class: "notice", role: "status" }, t("process.thanks"))
      : h("p", { class: "hint" }, t("process.anonymous")),
  );
}

/** @param {Session} session */
async function loadProcess(session) {
  const before = ui.cases.processResults.get(session.code);
  ui.cases.processResults.set(session.code, {
    busy: true,
    problem: null,
    data: before?.data ?? null,
  });
  session.changed();
  const token = storage.credentials(session.code)?.token ?? storage.facilitatorToken(session.code);
  const res = await fetchProcess(session.code, token);
  ui.cases.processResults.set(session.code, {
    busy: false,
    problem: res.ok ? null : res.problem,
    data: res.ok ? res.value : (before?.data ?? null),
  });
  session.changed();
}

/**
 * The facilitator's view of the process evaluation: how many answered per case (from the
 * events), and, read from the server when asked (no event may carry it), the sums as averages
 * once three have answered (fewer would tell who gave which score), anonymous remarks, and the
 * group's trend over earlier meetings.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function processResultsSection(session, view) {
  if (!hasFacilitatorRights(view)) return null;
  const inLast =
    view.status === "running" &&
    view.phase !== null &&
    view.phase.index === view.method.phases.length - 1;
  const answered = view.cases.some((c) => c.process_count > 0);
  const followUp = view.report_back !== null;
  if (!inLast && !answered && !followUp) return null;
  const state = ui.cases.processResults.get(session.code) ?? null;
  // Once on showing the card (e.g. after a reload); after that when the facilitator asks.
  if (state === null) void loadProcess(session);
  return section("process-results", [view.cases.map((c) => c.process_count), state], () =>
    processResultsCard(session, view, state),
  );
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {import("./ui-state.js").ProcessState | null} state
 */
function processResultsCard(session, view, state) {
  const sums = state?.data?.process ?? [];
  const rounds = view.cases.filter((c) => c.process_count > 0 || c.index === view.case_round);
  /** @type {Node | null} */
  let status = null;
  if (state?.busy) status = h("p", { class: "hint" }, t("attendance.loading"));
  else if (state?.problem)
    status = h("p", { class: "field-error" }, t(`process.problem.${state.problem}`));
  const trend = state?.data?.trend ?? [];
  return h(
    "section",
    { class: "card process-results", "aria-labelledby": "process-results-title" },
    h("h2", { id: "process-results-title" }, t("process.resultsTitle")),
    h("p", { class: "hint" }, t("process.resultsHint")),
    rounds.map((c) => {
      const agg = sums.find((a) => a.case_round === c.index);
      return h(
        "div",
        { class: "process-round", dataset: { caseRound: c.index } },
        view.cases.length > 1
          ? h("h3", null, t("cases.caseOf", { n: c.index + 1 }), " · ", local(c.method_name))
          : null,
        h("p", null, t("process.count", { count: c.process_count })),
        agg ? aggregateTable(agg) : h("p", { class: "hint" }, t("process.fromThree")),
        agg && agg.remarks.length > 0
          ? [
              h("h4", null, t("process.remarks")),
              h(
                "ul",
                { class: "plain remarks" },
                agg.remarks.map((r) => h("li", null, r)),
              ),
            ]
          : null,
      );
    }),
    trend.length > 0
      ? h(
          "details",
          { class: "process-trend" },
          h("summary", null, t("process.trend")),
          h(
            "ul",
            { class: "plain" },
            trend.map((p) =>
              h(
                "li",
                null,
                `${formatDate(p.date)}: `,
                PROCESS_ITEMS.map(
                  (item, i) => `${t(`process.short.${item}`)} ${mean(p.sums[i], p.answered[i])}`,
                ).join(" · "),
              ),
            ),
          ),
        )
      : null,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          "data-fk": "process-load",
          disabled: state?.busy === true,
          onclick: () => loadProcess(session),
        },
        t("process.refresh"),
      ),
    ),
    h("div", { role: "status" }, status),
  );
}

/** @param {ProcessAggregate} agg */
function aggregateTable(agg) {
  return h(
    "table",
    { class: "process-table" },
    h("caption", { class: "visually-hidden" }, t("process.resultsTitle")),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "col" }, t("process.colItem")),
        h("th", { scope: "col", class: "num" }, t("process.colMean")),
        h("th", { scope: "col", class: "num" }, t("process.colAnswers")),
      ),
    ),
    h(
      "tbody",
      null,
      PROCESS_ITEMS.map((item, i) =>
        h(
          "tr",
          null,
          h("th", { scope: "row" }, t(`process.item.${item}`)),
          h("td", { class: "num" }, mean(agg.sums[i], agg.answered[i])),
          h("td", { class: "num" }, String(agg.answered[i] ?? 0)),
        ),
      ),
    ),
  );
}

/**
 * An average on the 1-5 scale with one decimal, or a dash when nobody answered the item.
 * @param {number | undefined} sum
 * @param {number | undefined} n
 */
function mean(sum, n) {
  if (!n || sum === undefined) return "–";
  return formatDecimal(sum / n);
}

// ---------------------------------------------------------------- several cases

/**
 * What the facilitator picked for the next case, kept across re-renders (the confirmation
 * step rebuilds the card).
 * @type {{method: string | null, caseBringer: string}}
 */
const nextChoice = { method: null, caseBringer: "" };

/**
 * The facilitator starts the next case of the meeting: its method and case-bringer (or none
 * yet, when the method chooses its case first). Troika rotates by itself after its last phase.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function nextCaseSection(session, view) {
  if (view.status !== "running" || !hasFacilitatorRights(view)) return null;
  // Offered where a method ends: before that, the console speaks only of what runs now (a
  // method without case proposals never mentions cases while it runs).
  const last = view.phase !== null && view.phase.index === view.method.phases.length - 1;
  if (!last) return null;
  if (!ui.cases.methodsAsked) {
    ui.cases.methodsAsked = true;
    void fetchMethods().then((list) => {
      ui.cases.methodList = list;
      session.changed();
    });
  }
  return section(
    "next-case",
    [
      view.case_round,
      last,
      view.members.map((m) => [m.id, m.name, m.role]),
      ui.cases.methodList?.length ?? 0,
      ui.cases.confirming.has("next-case"),
    ],
    () => nextCaseCard(session, view, last),
  );
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {boolean} last
 */
function nextCaseCard(session, view, last) {
  const methods = ui.cases.methodList ?? [];
  const chosen = nextChoice.method ?? view.method.id;
  const method = h(
    "select",
    {
      id: "next-method",
      "data-fk": "next-method",
      onchange: (/** @type {Event} */ e) =>
        (nextChoice.method = /** @type {HTMLSelectElement} */ (e.target).value),
    },
    methods.length === 0
      ? h("option", { value: view.method.id }, local(view.method.name))
      : methods.map((m) => h("option", { value: m.id, selected: m.id === chosen }, local(m.name))),
  );
  const brought = new Map(
    view.cases.filter((c) => c.case_bringer !== null).map((c) => [c.case_bringer, c.index]),
  );
  const candidates = view.members.filter((m) =>
    ["participant", "case_bringer", "note_taker"].includes(m.role),
  );
  const who = h(
    "select",
    {
      id: "next-cb",
      "data-fk": "next-cb",
      onchange: (/** @type {Event} */ e) =>
        (nextChoice.caseBringer = /** @type {HTMLSelectElement} */ (e.target).value),
    },
    h("option", { value: "" }, t("cases.chooseLater")),
    candidates.map((m) => {
      const earlier = brought.get(m.id);
      return h(
        "option",
        { value: String(m.id), selected: nextChoice.caseBringer === String(m.id) },
        earlier === undefined
          ? m.name
          : t("cases.broughtEarlier", { name: m.name, n: earlier + 1 }),
      );
    }),
  );
  const sure = ui.cases.confirming.has("next-case");
  const start = () => {
    ui.cases.confirming.delete("next-case");
    session.send({
      kind: "start_case",
      method: method.value,
      case_bringer: who.value === "" ? null : Number(who.value),
    });
    nextChoice.method = null;
    nextChoice.caseBringer = "";
  };
  return h(
    "section",
    { class: "card next-case", "aria-labelledby": "next-case-title" },
    h(
      "details",
      { open: last || sure },
      h(
        "summary",
        { "data-fk": "next-case-fold" },
        h("h2", { id: "next-case-title", class: "inline-heading" }, t("cases.nextTitle")),
      ),
      h("p", { class: "hint" }, t("cases.nextHint")),
      h("label", { for: "next-method" }, t("home.method")),
      method,
      h("label", { for: "next-cb" }, t("cases.nextCaseBringer")),
      who,
      sure
        ? [
            h("p", { role: "alert" }, t("cases.nextConfirm")),
            h(
              "div",
              { class: "actions" },
              h(
                "button",
                { type: "button", class: "primary", "data-fk": "next-case-yes", onclick: start },
                t("cases.nextYes"),
              ),
              h(
                "button",
                {
                  type: "button",
                  "data-fk": "next-case-cancel",
                  onclick: () => {
                    ui.cases.confirming.delete("next-case");
                    session.changed();
                  },
                },
                t("fac.cancel"),
              ),
            ),
          ]
        : h(
            "div",
            { class: "actions" },
            h(
              "button",
              {
                type: "button",
                "data-fk": "next-case",
                onclick: () => {
                  ui.cases.confirming.add("next-case");
                  session.changed();
                },
              },
              t("cases.nextStart"),
            ),
          ),
    ),
  );
}

/**
 * Troika: on the last phase, the facilitator's "next" starts the next member's round.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {HTMLElement | null}
 */
export function nextRotationButton(session, view) {
  const run = view.phase;
  if (view.status !== "running" || !run || run.index !== view.method.phases.length - 1) return null;
  const next = nextRotation(view);
  if (next === null) return null;
  return h(
    "button",
    {
      type: "button",
      class: "primary",
      "data-fk": "next-rotation",
      onclick: () => session.send({ kind: "next_phase" }),
    },
    t("cases.nextRotation", { name: nameOf(view, next) }),
  );
}

/**
 * The meeting's earlier cases, folded: method, case-bringer, and what each produced (public
 * items only, as everyone saw them). Their case-bringer can still give or withdraw consent
 * for their commitments there.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function earlierCasesSection(session, view) {
  const earlier = view.cases.filter((c) => c.index < view.case_round);
  if (earlier.length === 0) return null;
  const items = view.items.filter((i) => i.case_round < view.case_round);
  return section(
    "earlier-cases",
    [earlier, items, view.members.map((m) => [m.id, m.name]), view.status],
    () =>
      h(
        "section",
        { class: "card earlier-cases", "aria-labelledby": "earlier-title" },
        h("h2", { id: "earlier-title" }, t("cases.earlierTitle")),
        earlier.map((c) => {
          const own = items.filter(
            (i) => i.case_round === c.index && !i.hidden && i.text !== null && i.kind !== "answer",
          );
          return h(
            "details",
            {
              class: "earlier-case",
              dataset: { caseRound: c.index },
              open: ui.cases.unfoldedCases.has(c.index),
              ontoggle: (/** @type {Event} */ e) => {
                if (/** @type {HTMLDetailsElement} */ (e.currentTarget).open)
                  ui.cases.unfoldedCases.add(c.index);
                else ui.cases.unfoldedCases.delete(c.index);
              },
            },
            h(
              "summary",
              { "data-fk": `earlier-${c.index}` },
              t("cases.caseOf", { n: c.index + 1 }),
              " · ",
              local(c.method_name),
              " · ",
              c.case_bringer === null
                ? t("cases.noCaseBringerYet")
                : t("cases.caseBringer", { name: nameOf(view, c.case_bringer) }),
            ),
            own.length === 0
              ? h("p", { class: "empty" }, t("board.empty"))
              : h(
                  "ul",
                  { class: "plain earlier-items" },
                  own.map((i) =>
                    h(
                      "li",
                      { class: "earlier-item", dataset: { item: i.id } },
                      h("span", { class: "badge" }, t(`kind.${i.kind}`)),
                      " ",
                      i.text ?? "",
                      i.chosen
                        ? [" ", h("span", { class: "badge chosen" }, t("item.chosen"))]
                        : null,
                      i.kind === "commitment" && i.kept
                        ? [" ", h("span", { class: "badge" }, t("item.carried"))]
                        : null,
                      carryButton(session, view, i),
                    ),
                  ),
                ),
          );
        }),
      ),
  );
}

// ---------------------------------------------------------------- the facilitator's helpers

/**
 * Moving a member of the running round one place earlier or later (among those still to
 * speak).
 * @param {Session} session
 * @param {SessionView} view
 * @param {MemberId} id
 * @returns {HTMLElement[]}
 */
export function reorderButtons(session, view, id) {
  const pending = roundPending(view);
  const at = pending.indexOf(id);
  if (at < 0 || pending.length < 2) return [];
  const move = (/** @type {number} */ by) => {
    const order = [...pending];
    const [m] = order.splice(at, 1);
    order.splice(at + by, 0, m);
    session.send({ kind: "reorder_round", order });
  };
  const name = nameOf(view, id);
  return [
    h(
      "button",
      {
        type: "button",
        class: "small quiet",
        disabled: at === 0,
        "aria-label": t("cases.earlier", { name }),
        "data-fk": `rup-${id}`,
        onclick: () => move(-1),
      },
      "↑",
    ),
    h(
      "button",
      {
        type: "button",
        class: "small quiet",
        disabled: at === pending.length - 1,
        "aria-label": t("cases.later", { name }),
        "data-fk": `rdown-${id}`,
        onclick: () => move(1),
      },
      "↓",
    ),
  ];
}

/**
 * On a roster row, for the facilitator (not a co-facilitator): make a member co-facilitator,
 * or hand the facilitator role to them (two steps).
 * @param {Session} session
 * @param {SessionView} view
 * @param {MemberView} m
 * @returns {HTMLElement[]}
 */
export function facilitationButtons(session, view, m) {
  if (view.me.role !== "facilitator" || view.status === "ended") return [];
  if (m.role !== "participant" && m.role !== "note_taker") return [];
  const handing = ui.cases.confirming.has(`hand-${m.id}`);
  /** @type {HTMLElement[]} */
  const out = [
    h(
      "button",
      {
        type: "button",
        class: "small quiet",
        "aria-pressed": String(m.co_facilitator),
        "data-fk": `cofac-${m.id}`,
        onclick: () =>
          session.send({ kind: "set_co_facilitator", member: m.id, on: !m.co_facilitator }),
      },
      m.co_facilitator ? t("cases.coFacOff") : t("cases.coFacOn"),
    ),
  ];
  if (handing) {
    out.push(
      h(
        "button",
        {
          type: "button",
          class: "small danger",
          "data-fk": `hand-yes-${m.id}`,
          onclick: () => {
            ui.cases.confirming.delete(`hand-${m.id}`);
            session.send({ kind: "hand_facilitator", member: m.id });
          },
        },
        t("cases.handYes", { name: m.name }),
      ),
      h(
        "button",
        {
          type: "button",
          class: "small",
          "data-fk": `hand-no-${m.id}`,
          onclick: () => {
            ui.cases.confirming.delete(`hand-${m.id}`);
            session.changed();
          },
        },
        t("fac.cancel"),
      ),
    );
  } else {
    out.push(
      h(
        "button",
        {
          type: "button",
          class: "small quiet",
          "data-fk": `hand-${m.id}`,
          onclick: () => {
            ui.cases.confirming.add(`hand-${m.id}`);
            session.changed();
          },
        },
        t("cases.hand"),
      ),
    );
  }
  return out;
}

/** The confirmations in progress, for a section's signature. */
export function pendingConfirmations() {
  return [...ui.cases.confirming];
}

/**
 * The role a member has in this case, for labelling what they wrote: "case-bringer" for the
 * one who brought the item's case, "facilitator" for the facilitator; null otherwise.
 * @param {SessionView} view
 * @param {Item} item
 * @returns {string | null}
 */
export function authorRole(view, item) {
  if (item.by === null) return null;
  if (view.cases[item.case_round]?.case_bringer === item.by) return t("role.case_bringer");
  const m = memberById(view, item.by);
  if (m?.role === "facilitator") return t("role.facilitator");
  return null;
}

/**
 * The case rounds whose summary I can fetch now: the ones I brought that are over, and the
 * running one from its last phase on.
 * @param {SessionView} view
 * @returns {number[]}
 */
export function summaryRounds(view) {
  const lastPhase = view.phase !== null && view.phase.index === view.method.phases.length - 1;
  return roundsBroughtBy(view, view.me.member).filter(
    (r) =>
      r < view.case_round || view.status === "ended" || (view.status === "running" && lastPhase),
  );
}

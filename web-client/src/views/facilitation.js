// The facilitator's parts of what the methods add to a meeting, placed by the console: the
// process evaluation's sums, starting the next case (and Troika's next round), and the helpers
// for running a round (reordering it, a co-facilitator, handing the role over). They live apart
// from cases.js so that they load with the console, not on every participant's phone.

import { h } from "../dom.js";
import { t, local, formatDate, formatDecimal } from "../i18n/index.js";
import { fetchProcess, fetchMethods } from "../api.js";
import { hasFacilitatorRights, nextRotation, roundPending } from "../session-state.js";
import * as storage from "../storage.js";
import { PROCESS_ITEMS } from "../wire.js";
import { nameOf, section } from "./common.js";
import { ui } from "./ui-state.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').MemberView} MemberView */
/** @typedef {import('../protocol').MemberId} MemberId */
/** @typedef {import('../protocol').ProcessAggregate} ProcessAggregate */
/** @typedef {import('../protocol').MethodTemplate} MethodTemplate */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('./common.js').Section} Section */

// ---------------------------------------------------------------- process evaluation

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

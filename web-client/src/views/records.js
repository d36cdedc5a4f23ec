// What a session leaves behind, and for whom: the case-bringer's summary (Markdown or a
// printable page, only for them), the end state and how long content stays, the facilitator's
// attendance record (no content), and the report back a group's next meeting opens with.

import { h } from "../dom.js";
import { t, formatDate, formatTime, language } from "../i18n/index.js";
import { fetchAttendance, fetchAttendanceCsv, fetchSummary, fileName, openPrintable, saveFile, wholeMinutes } from "../api.js";
import { currentPhase } from "../session-state.js";
import { hasCases } from "../rules.js";
import * as storage from "../storage.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').Attendance} Attendance */
/** @typedef {import('../protocol').CarriedItem} CarriedItem */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('../api.js').Problem} Problem */
/** @typedef {{key: string, sig: string, build: () => HTMLElement}} Section */

/** The id of the phase a group's next meeting opens with (`engine/src/methods.rs`). */
export const REPORT_BACK_PHASE = "report-back";

/**
 * What happened to the last summary request, per room (kept across renders).
 * @typedef {{busy: "md" | "html" | null, problem: Problem | null, done: {format: "md" | "html", name: string} | null, link: string | null}} SummaryState
 */
/** @type {Map<string, SummaryState>} */
const summaries = new Map();

/**
 * @typedef {{busy: boolean, problem: Problem | null, data: Attendance | null, saved: string | null, asked: boolean}} AttendanceState
 */
/** @type {Map<string, AttendanceState>} */
const attendances = new Map();

/**
 * Whether the case-bringer is offered the summary now: once the session has ended, and already
 * in its last phase (so it can be fetched while everyone is still there).
 * @param {SessionView} view
 */
export function summaryOffered(view) {
  if (view.me.role !== "case_bringer") return false;
  if (view.status === "ended") return true;
  return view.status === "running" && view.phase !== null && view.phase.index === view.method.phases.length - 1;
}

/**
 * The case-bringer's summary downloads.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section}
 */
export function summarySection(session, view) {
  const state = summaries.get(session.code) ?? null;
  return {
    key: "summary",
    sig: JSON.stringify([document.documentElement.lang, view.status, state]),
    build: () => summaryCard(session, view, state),
  };
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {SummaryState | null} state
 */
function summaryCard(session, view, state) {
  const ended = view.status === "ended";
  const get = async (/** @type {"md" | "html"} */ format) => {
    summaries.set(session.code, { busy: format, problem: null, done: null, link: null });
    session.changed();
    const res = await fetchSummary(session.code, storage.credentials(session.code)?.token ?? null, format, language());
    /** @type {SummaryState} */
    const next = { busy: null, problem: null, done: null, link: null };
    if (!res.ok) {
      next.problem = res.problem;
    } else if (format === "md") {
      const name = fileName("kring-summary", view.title, "md");
      saveFile(res.value, "text/markdown;charset=utf-8", name);
      next.done = { format, name };
    } else {
      next.link = openPrintable(res.value);
      next.done = { format, name: "" };
    }
    summaries.set(session.code, next);
    session.changed();
  };
  /** @type {Node | null} */
  let status = null;
  if (state?.busy) status = h("p", { class: "hint" }, t("summary.loading"));
  else if (state?.problem) status = h("p", { class: "field-error" }, t(`summary.problem.${state.problem}`));
  else if (state?.link) {
    status = h("p", null, t("summary.blocked"), " ", h("a", { href: state.link, target: "_blank", rel: "noopener" }, t("summary.openLink")));
  } else if (state?.done?.format === "md") status = h("p", { class: "hint" }, t("summary.saved", { name: state.done.name }));
  else if (state?.done?.format === "html") status = h("p", { class: "hint" }, t("summary.opened"));
  return h(
    "section",
    { class: ["card", "summary-card", ended && "ended"], "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, t("summary.title")),
    h("p", null, t("summary.text")),
    ended ? null : h("p", { class: "hint" }, t("summary.beforeEnd")),
    h("p", { class: "notice retention" }, t("summary.retention")),
    h(
      "div",
      { class: "actions stacked" },
      h(
        "button",
        { type: "button", class: "primary", "data-fk": "summary-md", disabled: state?.busy != null, onclick: () => get("md") },
        t("summary.markdown"),
      ),
      h(
        "button",
        { type: "button", "data-fk": "summary-html", disabled: state?.busy != null, "aria-describedby": "summary-html-hint", onclick: () => get("html") },
        t("summary.printable"),
      ),
    ),
    h("p", { id: "summary-html-hint", class: "hint" }, t("summary.printableHint")),
    h("div", { role: "status", class: "summary-status" }, status),
  );
}

/**
 * For members once the session is over: what is deleted, and what (if anything) is kept.
 * @param {SessionView} view
 * @returns {Section}
 */
export function endedSection(view) {
  return {
    key: "ended",
    sig: JSON.stringify([document.documentElement.lang, view.settings.keep_for_group]),
    build: () =>
      h(
        "section",
        { class: "card ended-card", "aria-labelledby": "ended-title" },
        h("h2", { id: "ended-title" }, t("ended.title")),
        h("p", null, t("ended.deleted")),
        h("p", null, view.settings.keep_for_group ? t(hasCases(view) ? "ended.kept" : "ended.kept.noCases") : t("ended.notKept")),
      ),
  };
}

/**
 * The facilitator's attendance record: a table, and the CSV to download.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section}
 */
export function attendanceSection(session, view) {
  const state = attendances.get(session.code) ?? null;
  // Once the session has ended the record is final: show it without being asked.
  if (view.status === "ended" && !state?.asked) void loadAttendance(session);
  return {
    key: "attendance",
    sig: JSON.stringify([document.documentElement.lang, view.status, state]),
    build: () => attendanceCard(session, view, state),
  };
}

/** @param {Session} session */
async function loadAttendance(session) {
  const before = attendances.get(session.code);
  attendances.set(session.code, { busy: true, problem: null, data: before?.data ?? null, saved: null, asked: true });
  session.changed();
  const res = await fetchAttendance(session.code, storage.facilitatorToken(session.code));
  attendances.set(session.code, {
    busy: false,
    problem: res.ok ? null : res.problem,
    data: res.ok ? res.value : (before?.data ?? null),
    saved: null,
    asked: true,
  });
  session.changed();
}

/**
 * @param {Session} session
 * @param {SessionView} view
 */
async function downloadCsv(session, view) {
  const state = attendances.get(session.code) ?? { busy: false, problem: null, data: null, saved: null, asked: true };
  const res = await fetchAttendanceCsv(session.code, storage.facilitatorToken(session.code));
  const name = fileName("kring-attendance", view.title, "csv");
  if (res.ok) saveFile(res.value, "text/csv;charset=utf-8", name);
  attendances.set(session.code, { ...state, problem: res.ok ? null : res.problem, saved: res.ok ? name : null });
  session.changed();
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {AttendanceState | null} state
 */
function attendanceCard(session, view, state) {
  const data = state?.data ?? null;
  /** @type {Node | null} */
  let status = null;
  if (state?.busy) status = h("p", { class: "hint" }, t("attendance.loading"));
  else if (state?.problem) status = h("p", { class: "field-error" }, t(`attendance.problem.${state.problem}`));
  else if (state?.saved) status = h("p", { class: "hint" }, t("summary.saved", { name: state.saved }));
  return h(
    "section",
    { class: "card attendance", "aria-labelledby": "attendance-title" },
    h("h2", { id: "attendance-title" }, t("attendance.title")),
    h("p", { class: "hint" }, t("attendance.hint")),
    data ? attendanceTable(data) : null,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        { type: "button", "data-fk": "attendance-load", disabled: state?.busy === true, onclick: () => loadAttendance(session) },
        data ? t("attendance.refresh") : t("attendance.show"),
      ),
      h("button", { type: "button", class: view.status === "ended" ? "primary" : "", "data-fk": "attendance-csv", onclick: () => downloadCsv(session, view) }, t("attendance.csv")),
    ),
    h("div", { role: "status" }, status),
  );
}

/** @param {Attendance} a */
function attendanceTable(a) {
  const rows = [...a.members].sort((x, y) => x.joined_at - y.joined_at);
  const times =
    a.started_at === null
      ? t("attendance.notStarted")
      : a.ended_at === null
        ? t("attendance.started", { start: formatTime(a.started_at) })
        : t("attendance.startedEnded", { start: formatTime(a.started_at), end: formatTime(a.ended_at) });
  return h(
    "div",
    { class: "table-wrap" },
    h("p", { class: "attendance-times" }, a.started_at !== null ? `${formatDate(a.started_at)} · ${times}` : times),
    rows.length === 0
      ? h("p", { class: "empty" }, t("attendance.none"))
      : h(
          "table",
          { class: "attendance-table" },
          h("caption", { class: "visually-hidden" }, t("attendance.caption", { title: a.title })),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, t("attendance.colName")),
              h("th", { scope: "col" }, t("attendance.colRole")),
              h("th", { scope: "col" }, t("attendance.colJoined")),
              h("th", { scope: "col", class: "num" }, t("attendance.colMinutes")),
            ),
          ),
          h(
            "tbody",
            null,
            rows.map((r) =>
              h(
                "tr",
                null,
                h("th", { scope: "row" }, h("bdi", null, r.name)),
                h("td", null, t(`role.${r.role}`)),
                h("td", null, formatTime(r.joined_at)),
                h("td", { class: "num" }, String(wholeMinutes(r.present_ms))),
              ),
            ),
          ),
        ),
  );
}

/**
 * Whether the report back is shown prominently now: before the start (what the group brings)
 * and in the report-back phase.
 * @param {SessionView} view
 */
export function reportBackNow(view) {
  if (!view.report_back) return false;
  if (view.status === "lobby") return true;
  return view.status === "running" && currentPhase(view)?.id === REPORT_BACK_PHASE;
}

/**
 * What was carried over from the group's previous meeting: its commitments (with who made
 * them) and the cases kept for later.
 * @param {SessionView} view
 * @param {{big?: boolean}} [opts]
 * @returns {Section | null}
 */
export function reportBackSection(view, opts = {}) {
  const rb = view.report_back;
  if (!rb) return null;
  return {
    key: "report",
    sig: JSON.stringify([document.documentElement.lang, rb, opts.big ?? false]),
    build: () => {
      const empty = rb.commitments.length === 0 && rb.kept_cases.length === 0;
      const heading = rb.previous_title ? t("report.title", { title: rb.previous_title, date: formatDate(rb.previous_date) }) : t("report.titleUnnamed");
      return h(
        "section",
        { class: ["card", "report-back", opts.big && "big"], "aria-labelledby": "rb-title", dataset: { board: "report-back" } },
        h("h2", { id: "rb-title" }, heading),
        empty ? h("p", { class: "empty" }, t("report.empty")) : null,
        rb.commitments.length > 0 ? [h("h3", null, t("report.commitments")), carriedList(rb.commitments)] : null,
        rb.kept_cases.length > 0 ? [h("h3", null, t("report.kept")), carriedList(rb.kept_cases)] : null,
      );
    },
  };
}

/** @param {CarriedItem[]} items */
function carriedList(items) {
  return h(
    "ul",
    { class: "items carried" },
    items.map((c) =>
      h("li", { class: "item" }, h("p", { class: "item-text" }, c.text), c.by_name ? h("p", { class: "item-meta" }, t("report.by", { name: c.by_name })) : null),
    ),
  );
}

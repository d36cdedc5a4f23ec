// What a session leaves behind, and for whom: the case-bringer's summary (Markdown or a
// printable page, only for them), the end state and how long content stays, the facilitator's
// attendance record (no content), each member's confirmation of presence with their certificate
// of participation and their personal reflection, and the report back a group's next meeting
// opens with.

import { h } from "../dom.js";
import { t, local, formatDate, formatPeriod, formatTime, language } from "../i18n/index.js";
import {
  fetchAttendance,
  fetchAttendanceCsv,
  fetchAttendanceHtml,
  fetchCertificate,
  fetchReflection,
  fetchSummary,
  fileName,
  openPrintable,
  printableHtml,
  saveFile,
} from "../api.js";
import { currentPhase } from "../session-state.js";
import { hasCases } from "../rules.js";
import * as storage from "../storage.js";
import { REFLECTION_MAX_CHARS, REGISTRATION_MAX_CHARS, SET_MINUTES_MAX } from "../wire.js";
import { summaryRounds } from "./cases.js";
import { REPORT_BACK_PHASE, attestOffered, reportBackNow, summaryOffered } from "./records-when.js";
import { ui } from "./ui-state.js";
import { section } from "./common.js";

// The predicates live apart so that a participant's page can decide without loading this module.
export { REPORT_BACK_PHASE, attestOffered, reportBackNow, summaryOffered };

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').Attendance} Attendance */
/** @typedef {import('../protocol').CarriedItem} CarriedItem */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('../api.js').Problem} Problem */
/** @typedef {import('./common.js').Section} Section */

/** @typedef {import('./ui-state.js').SummaryState} SummaryState */
/** @typedef {import('./ui-state.js').AttendanceState} AttendanceState */
/** @typedef {import('./ui-state.js').Download} Download */

/**
 * The case-bringer's summary downloads, one block per case they brought.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section}
 */
export function summarySection(session, view) {
  const rounds = summaryRounds(view);
  const states = rounds.map((r) => ui.records.summaries.get(`${session.code}:${r}`) ?? null);
  return section("summary", [view.status, rounds, states, view.case_round], () =>
    rounds.length === 1
      ? summaryCard(session, view, rounds[0], states[0])
      : h(
          "div",
          { class: "stack" },
          rounds.map((r, i) => summaryCard(session, view, r, states[i])),
        ),
  );
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {number} round the case round
 * @param {SummaryState | null} state
 */
function summaryCard(session, view, round, state) {
  const ended = view.status === "ended" || round < view.case_round;
  const key = `${session.code}:${round}`;
  const id = (/** @type {string} */ name) => `${name}-${round}`;
  const get = async (/** @type {"md" | "html"} */ format) => {
    ui.records.summaries.set(key, { busy: format, problem: null, done: null, link: null });
    session.changed();
    const res = await fetchSummary(
      session.code,
      storage.credentials(session.code)?.token ?? null,
      format,
      round,
      language(),
    );
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
    ui.records.summaries.set(key, next);
    session.changed();
  };
  const several = view.cases.length > 1;
  /** @type {Node | null} */
  let status = null;
  if (state?.busy) status = h("p", { class: "hint" }, t("summary.loading"));
  else if (state?.problem)
    status = h("p", { class: "field-error" }, t(`summary.problem.${state.problem}`));
  else if (state?.link) {
    status = h(
      "p",
      null,
      t("summary.blocked"),
      " ",
      h("a", { href: state.link, target: "_blank", rel: "noopener" }, t("summary.openLink")),
    );
  } else if (state?.done?.format === "md")
    status = h("p", { class: "hint" }, t("summary.saved", { name: state.done.name }));
  else if (state?.done?.format === "html") status = h("p", { class: "hint" }, t("summary.opened"));
  const fk = (/** @type {string} */ name) => (several ? `${name}-${round}` : name);
  return h(
    "section",
    {
      class: ["card", "summary-card", ended && "ended"],
      "aria-labelledby": id("summary-title"),
      dataset: { caseRound: round },
    },
    h(
      "h2",
      { id: id("summary-title") },
      several
        ? t("summary.titleCase", {
            n: round + 1,
            method: local(view.cases[round]?.method_name ?? view.method.name),
          })
        : t("summary.title"),
    ),
    h("p", null, t("summary.text")),
    ended ? null : h("p", { class: "hint" }, t("summary.beforeEnd")),
    h(
      "p",
      { class: "notice retention" },
      t("summary.retention", { retention: formatPeriod(session.retentionMs) }),
    ),
    h(
      "div",
      { class: "actions stacked" },
      h(
        "button",
        {
          type: "button",
          class: "primary",
          "data-fk": fk("summary-md"),
          disabled: state?.busy != null,
          onclick: () => get("md"),
        },
        t("summary.markdown"),
      ),
      h(
        "button",
        {
          type: "button",
          "data-fk": fk("summary-html"),
          disabled: state?.busy != null,
          "aria-describedby": id("summary-html-hint"),
          onclick: () => get("html"),
        },
        t("summary.printable"),
      ),
    ),
    h("p", { id: id("summary-html-hint"), class: "hint" }, t("summary.printableHint")),
    h("div", { role: "status", class: "summary-status" }, status),
  );
}

/**
 * For members once the session is over: what is deleted, and what (if anything) is kept.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section}
 */
export function endedSection(session, view) {
  return section("ended", [view.settings.keep_for_group, session.retentionMs], () =>
    h(
      "section",
      { class: "card ended-card", "aria-labelledby": "ended-title" },
      h("h2", { id: "ended-title" }, t("ended.title")),
      h("p", null, t("ended.deleted", { retention: formatPeriod(session.retentionMs) })),
      h(
        "p",
        null,
        view.settings.keep_for_group
          ? t(hasCases(view) ? "ended.kept" : "ended.kept.noCases")
          : t("ended.notKept"),
      ),
    ),
  );
}

/**
 * The facilitator's attendance record: a table, and the CSV to download.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section}
 */
export function attendanceSection(session, view) {
  const state = ui.records.attendances.get(session.code) ?? null;
  // Once the session has ended the record is final: show it without being asked.
  if (view.status === "ended" && !state?.asked) void loadAttendance(session);
  return section("attendance", [view.status, state, view.attendance, view.members.length], () =>
    attendanceCard(session, view, state),
  );
}

/** @param {Session} session */
async function loadAttendance(session) {
  const before = ui.records.attendances.get(session.code);
  ui.records.attendances.set(session.code, {
    busy: true,
    problem: null,
    data: before?.data ?? null,
    saved: null,
    asked: true,
  });
  session.changed();
  const res = await fetchAttendance(session.code, listToken(session));
  ui.records.attendances.set(session.code, {
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
  const state = ui.records.attendances.get(session.code) ?? {
    busy: false,
    problem: null,
    data: null,
    saved: null,
    asked: true,
  };
  const res = await fetchAttendanceCsv(session.code, listToken(session));
  const name = fileName("kring-attendance", view.title, "csv");
  if (res.ok) saveFile(res.value, "text/csv;charset=utf-8", name);
  ui.records.attendances.set(session.code, {
    ...state,
    problem: res.ok ? null : res.problem,
    saved: res.ok ? name : null,
  });
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
  else if (state?.problem)
    status = h("p", { class: "field-error" }, t(`attendance.problem.${state.problem}`));
  else if (state?.link)
    status = h(
      "p",
      null,
      t("summary.blocked"),
      " ",
      h("a", { href: state.link, target: "_blank", rel: "noopener" }, t("attendance.openLink")),
    );
  else if (state?.saved)
    status = h("p", { class: "hint" }, t("summary.saved", { name: state.saved }));
  const listConfirmed = view.attendance.list_confirmed_at;
  const started = view.status !== "lobby";
  return h(
    "section",
    { class: "card attendance", "aria-labelledby": "attendance-title" },
    h("h2", { id: "attendance-title" }, t("attendance.title")),
    h("p", { class: "hint" }, t("attendance.hint")),
    started
      ? h(
          "p",
          null,
          t("attendance.confirmedCount", {
            count: view.attendance.confirmed.length,
            total: view.members.length,
          }),
        )
      : null,
    data ? attendanceTable(data) : null,
    data && started && data.members.length > 0 ? minutesForm(session, data) : null,
    started
      ? listConfirmed === null
        ? h(
            "div",
            { class: "actions" },
            h(
              "button",
              {
                type: "button",
                class: view.status === "ended" ? "primary" : "",
                "data-fk": "attendance-confirm",
                onclick: () => session.send({ kind: "confirm_list" }),
              },
              t("attendance.confirmList"),
            ),
          )
        : h(
            "p",
            { class: "confirmed" },
            t("attendance.listConfirmed", { time: formatTime(listConfirmed) }),
          )
      : null,
    started ? h("p", { class: "hint" }, t("attendance.confirmListHint")) : null,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          "data-fk": "attendance-load",
          disabled: state?.busy === true,
          onclick: () => loadAttendance(session),
        },
        data ? t("attendance.refresh") : t("attendance.show"),
      ),
      h(
        "button",
        {
          type: "button",
          "data-fk": "attendance-print",
          disabled: !started,
          onclick: () => printList(session, view),
        },
        t("attendance.print"),
      ),
      h(
        "button",
        { type: "button", "data-fk": "attendance-csv", onclick: () => downloadCsv(session, view) },
        t("attendance.csv"),
      ),
    ),
    h("p", { class: "hint" }, t("attendance.kept")),
    h("div", { role: "status" }, status),
  );
}

/**
 * @param {Session} session
 * @param {SessionView} view
 */
async function printList(session, view) {
  const state = ui.records.attendances.get(session.code) ?? {
    busy: false,
    problem: null,
    data: null,
    saved: null,
    asked: true,
  };
  const res = await fetchAttendanceHtml(session.code, listToken(session));
  const link = res.ok ? openPrintable(res.value) : null;
  ui.records.attendances.set(session.code, {
    ...state,
    problem: res.ok ? null : res.problem,
    saved: null,
    link,
  });
  session.changed();
  void view;
}

/**
 * The facilitator corrects a member's minutes (a phone locked longer than the grace while its
 * owner sat in the room), or goes back to what was measured. The list says so, and asks to be
 * confirmed again.
 * @param {Session} session
 * @param {Attendance} a
 */
function minutesForm(session, a) {
  const who = h(
    "select",
    { id: "minutes-member", name: "member" },
    a.members.map((m) => h("option", { value: String(m.member) }, m.name)),
  );
  const minutes = h("input", {
    id: "minutes-value",
    name: "minutes",
    type: "number",
    min: 0,
    max: SET_MINUTES_MAX,
    step: 1,
    inputmode: "numeric",
  });
  const error = h("p", { class: "field-error", role: "alert" });
  const reload = { ok: () => void loadAttendance(session) };
  const send = (/** @type {number | null} */ value) =>
    session.send({ kind: "set_minutes", member: Number(who.value), minutes: value }, reload);
  return h(
    "details",
    { class: "minutes-form" },
    h("summary", null, t("attendance.correct")),
    h("p", { class: "hint" }, t("attendance.correctHint")),
    h(
      "div",
      { class: "field" },
      h("label", { for: "minutes-member" }, t("attendance.correctWho")),
      who,
      h("label", { for: "minutes-value" }, t("attendance.correctMinutes")),
      minutes,
      error,
    ),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          "data-fk": "minutes-save",
          onclick: () => {
            const value = Number(minutes.value);
            if (
              minutes.value === "" ||
              !Number.isInteger(value) ||
              value < 0 ||
              value > SET_MINUTES_MAX
            ) {
              error.textContent = t("attendance.correctInvalid", { max: SET_MINUTES_MAX });
              return;
            }
            error.textContent = "";
            send(value);
          },
        },
        t("attendance.correctSave"),
      ),
      h(
        "button",
        { type: "button", "data-fk": "minutes-measured", onclick: () => send(null) },
        t("attendance.correctMeasured"),
      ),
    ),
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
        : t("attendance.startedEnded", {
            start: formatTime(a.started_at),
            end: formatTime(a.ended_at),
          });
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "p",
      { class: "attendance-times" },
      a.started_at !== null ? `${formatDate(a.started_at)} · ${times}` : times,
    ),
    rows.length === 0
      ? h("p", { class: "empty" }, t("attendance.none"))
      : h(
          "table",
          { class: "attendance-table" },
          h(
            "caption",
            { class: "visually-hidden" },
            t("attendance.caption", { title: a.title ?? a.group_name ?? "" }),
          ),
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
              h("th", { scope: "col" }, t("attendance.colConfirmed")),
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
                h(
                  "td",
                  { class: "num" },
                  r.set_by_facilitator
                    ? t("attendance.minutesSet", {
                        minutes: r.minutes,
                        measured: r.measured_minutes,
                      })
                    : String(r.minutes),
                ),
                h(
                  "td",
                  null,
                  r.confirmed_at === null
                    ? t("attendance.notConfirmed")
                    : t("attendance.confirmedAt", { time: formatTime(r.confirmed_at) }),
                ),
              ),
            ),
          ),
        ),
  );
}

/**
 * Runs a member's download: a printable page in a new tab, or a file.
 * @param {Session} session
 * @param {string} key which download (`certificate`, `reflection`)
 * @param {() => Promise<import('../api.js').Result<string>>} fetcher
 * @param {{file?: {name: string, type: string}}} how
 */
async function memberDownload(session, key, fetcher, how) {
  const slot = `${session.code}:${key}`;
  ui.records.downloads.set(slot, { busy: true, problem: null, done: null, link: null });
  session.changed();
  const res = await fetcher();
  /** @type {Download} */
  const next = { busy: false, problem: null, done: null, link: null };
  if (!res.ok) next.problem = res.problem;
  else if (how.file) {
    const body = how.file.type.startsWith("text/html")
      ? printableHtml(res.value, location.origin)
      : res.value;
    saveFile(body, how.file.type, how.file.name);
    next.done = t("summary.saved", { name: how.file.name });
  } else {
    next.link = openPrintable(res.value);
    next.done = next.link ? null : t("attest.opened");
  }
  ui.records.downloads.set(slot, next);
  session.changed();
}

/**
 * @param {Session} session
 * @param {string} key
 */
function downloadStatus(session, key) {
  const d = ui.records.downloads.get(`${session.code}:${key}`);
  if (!d) return null;
  if (d.busy) return h("p", { class: "hint" }, t("summary.loading"));
  if (d.problem) return h("p", { class: "field-error" }, t(`attest.problem.${d.problem}`));
  if (d.link)
    return h(
      "p",
      null,
      t("summary.blocked"),
      " ",
      h("a", { href: d.link, target: "_blank", rel: "noopener" }, t("attest.openLink")),
    );
  return d.done ? h("p", { class: "hint" }, d.done) : null;
}

/**
 * "I was present": a member confirms, with an optional registration number for their own
 * certificate, and downloads the certificate once the session has ended.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section}
 */
export function attestSection(session, view) {
  const me = view.me.member;
  const confirmed = me !== null && view.attendance.confirmed.includes(me);
  return section(
    "attest",
    [
      view.status,
      confirmed,
      view.me.registration,
      view.attendance.list_confirmed_at,
      ui.records.downloads.get(`${session.code}:certificate`) ?? null,
    ],
    () => attestCard(session, view, confirmed),
  );
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {boolean} confirmed
 */
function attestCard(session, view, confirmed) {
  const ended = view.status === "ended";
  const registration = h("input", {
    id: "attest-registration",
    name: "registration",
    type: "text",
    maxlength: REGISTRATION_MAX_CHARS,
    autocomplete: "off",
    value: view.me.registration ?? "",
    "aria-describedby": "attest-registration-hint",
  });
  const confirm = () =>
    session.send({ kind: "confirm_presence", registration: registration.value.trim() || null });
  const registrationField = h(
    "div",
    { class: "field" },
    h("label", { for: "attest-registration" }, t("attest.registration")),
    registration,
    h("p", { id: "attest-registration-hint", class: "hint" }, t("attest.registrationHint")),
  );
  return h(
    "section",
    { class: ["card", "attest-card", confirmed && "confirmed"], "aria-labelledby": "attest-title" },
    h("h2", { id: "attest-title" }, t("attest.title")),
    confirmed
      ? [
          h("p", { class: "confirmed", role: "status" }, t("attest.confirmed")),
          registrationField,
          h(
            "div",
            { class: "actions" },
            h(
              "button",
              { type: "button", "data-fk": "attest-registration-save", onclick: confirm },
              t("attest.saveRegistration"),
            ),
          ),
        ]
      : [
          h("p", null, t("attest.text")),
          registrationField,
          h(
            "div",
            { class: "actions" },
            h(
              "button",
              { type: "button", class: "primary", "data-fk": "attest-confirm", onclick: confirm },
              t("attest.confirm"),
            ),
          ),
        ],
    h("h3", null, t("attest.certificateTitle")),
    !ended
      ? h("p", { class: "hint" }, t("attest.certificateAfterEnd"))
      : !confirmed
        ? h("p", { class: "hint" }, t("attest.certificateAfterConfirm"))
        : [
            h("p", null, t("attest.certificateText")),
            h(
              "div",
              { class: "actions stacked" },
              h(
                "button",
                {
                  type: "button",
                  class: "primary",
                  "data-fk": "certificate-download",
                  onclick: () =>
                    memberDownload(
                      session,
                      "certificate",
                      () =>
                        fetchCertificate(
                          session.code,
                          storage.credentials(session.code)?.token ?? null,
                        ),
                      {
                        file: {
                          name: fileName(
                            "kring-certificate",
                            view.group_name ?? view.title,
                            "html",
                          ),
                          type: "text/html;charset=utf-8",
                        },
                      },
                    ),
                },
                t("attest.certificateDownload"),
              ),
              h(
                "button",
                {
                  type: "button",
                  "data-fk": "certificate-print",
                  onclick: () =>
                    memberDownload(
                      session,
                      "certificate",
                      () =>
                        fetchCertificate(
                          session.code,
                          storage.credentials(session.code)?.token ?? null,
                        ),
                      {},
                    ),
                },
                t("attest.certificatePrint"),
              ),
            ),
            h("p", { class: "hint" }, t("attest.certificateKept")),
          ],
    h("div", { role: "status", class: "attest-status" }, downloadStatus(session, "certificate")),
  );
}

/**
 * A member's personal reflection: written at the end, seen by nobody else, downloaded as a
 * one-page record of the meeting.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section}
 */
export function reflectionSection(session, view) {
  return section(
    "reflection",
    [
      view.status,
      view.me.reflection,
      ui.records.downloads.get(`${session.code}:reflection`) ?? null,
      session.retentionMs,
    ],
    () => reflectionCard(session, view),
  );
}

/**
 * @param {Session} session
 * @param {SessionView} view
 */
function reflectionCard(session, view) {
  const saved = view.me.reflection;
  const text = h("textarea", {
    id: "reflection-text",
    name: "reflection",
    rows: 5,
    maxlength: REFLECTION_MAX_CHARS,
    "aria-describedby": "reflection-hint",
    value: storage.draft(session.code, "reflection") || saved || "",
    oninput: (/** @type {InputEvent} */ e) =>
      storage.saveDraft(
        session.code,
        "reflection",
        /** @type {HTMLTextAreaElement} */ (e.target).value,
      ),
  });
  const token = () => storage.credentials(session.code)?.token ?? null;
  return h(
    "section",
    { class: "card reflection-card", "aria-labelledby": "reflection-title" },
    h("h2", { id: "reflection-title" }, t("reflection.title")),
    h("p", { id: "reflection-hint" }, t("reflection.text")),
    h("label", { for: "reflection-text", class: "visually-hidden" }, t("reflection.label")),
    text,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          class: "primary",
          "data-fk": "reflection-save",
          onclick: () => {
            const value = text.value.trim();
            if (!value) return;
            // Every save is kept by the server (and counted): an unchanged text is not sent.
            if (value !== saved) session.send({ kind: "write_reflection", text: value });
            storage.saveDraft(session.code, "reflection", "");
          },
        },
        t("reflection.save"),
      ),
    ),
    saved ? h("p", { class: "hint" }, t("reflection.saved")) : null,
    h(
      "div",
      { class: "actions stacked" },
      h(
        "button",
        {
          type: "button",
          "data-fk": "reflection-print",
          disabled: !saved,
          onclick: () =>
            memberDownload(
              session,
              "reflection",
              () => fetchReflection(session.code, token(), "html"),
              {},
            ),
        },
        t("reflection.print"),
      ),
      h(
        "button",
        {
          type: "button",
          "data-fk": "reflection-text-download",
          disabled: !saved,
          onclick: () =>
            memberDownload(
              session,
              "reflection",
              () => fetchReflection(session.code, token(), "text"),
              {
                file: {
                  name: fileName("kring-reflection", view.group_name ?? view.title, "txt"),
                  type: "text/plain;charset=utf-8",
                },
              },
            ),
        },
        t("reflection.download"),
      ),
    ),
    h(
      "p",
      { class: "notice retention" },
      t("reflection.retention", { retention: formatPeriod(session.retentionMs) }),
    ),
    h("div", { role: "status" }, downloadStatus(session, "reflection")),
  );
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
  return section("report", [rb, opts.big ?? false], () => {
    const empty = rb.commitments.length === 0 && rb.kept_cases.length === 0;
    const heading = rb.previous_title
      ? t("report.title", { title: rb.previous_title, date: formatDate(rb.previous_date) })
      : t("report.titleUnnamed");
    return h(
      "section",
      {
        class: ["card", "report-back", opts.big && "big"],
        "aria-labelledby": "rb-title",
        dataset: { board: "report-back" },
      },
      h("h2", { id: "rb-title" }, heading),
      empty ? h("p", { class: "empty" }, t("report.empty")) : null,
      rb.commitments.length > 0
        ? [h("h3", null, t("report.commitments")), carriedList(rb.commitments)]
        : null,
      rb.kept_cases.length > 0
        ? [h("h3", null, t("report.kept")), carriedList(rb.kept_cases)]
        : null,
    );
  });
}

/** @param {CarriedItem[]} items */
function carriedList(items) {
  return h(
    "ul",
    { class: "items carried" },
    items.map((c) =>
      h(
        "li",
        { class: "item" },
        h("p", { class: "item-text" }, c.text),
        c.by_name ? h("p", { class: "item-meta" }, t("report.by", { name: c.by_name })) : null,
      ),
    ),
  );
}

/**
 * The token the attendance list is read with: the facilitator token on the device that opened
 * the room (also after handing the role over), otherwise this member's own token (whoever the
 * role was handed to, or a co-facilitator: the server checks their rights now).
 * @param {Session} session
 * @returns {string | null}
 */
function listToken(session) {
  return storage.facilitatorToken(session.code) ?? storage.credentials(session.code)?.token ?? null;
}

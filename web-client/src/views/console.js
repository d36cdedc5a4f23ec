// The facilitator's console, run while talking: a sticky action bar with what is used every
// minute (the next speaker, the next phase, the clock) and keyboard shortcuts for it; below,
// the phase with what the group may do now, the floor, round and queue, and the boards; at
// the side the phases, the roster (each member's actions in a menu), the room, how to join
// (folded once the session runs), the big screen, the group and the attendance record.

import { h, copyText } from "../dom.js";
import { icon } from "../icons.js";
import { t, local, formatDate, formatNumber, formatPeriod } from "../i18n/index.js";
import {
  WARNINGS,
  currentPhase,
  facilitatorTakesPart,
  hasFloor,
  mayHoldFloor,
  roundPending,
} from "../session-state.js";
import { displayCode, groupToken, screenToken } from "../storage.js";
import {
  hasCases,
  keyQuestion,
  needsCaseBringer,
  pinKeyQuestion,
  startBlocker,
  votesVisible,
} from "../rules.js";
import { board, boardSignature, boardsToShow } from "./boards.js";
import {
  keyQuestionCard,
  menu,
  nameOf,
  noticeSections,
  phaseCard,
  speakingTime,
  timer,
  turnTimer,
  videoLink,
  section,
} from "./common.js";
import {
  attendanceSection,
  attestSection,
  reflectionSection,
  reportBackNow,
  reportBackSection,
  summaryOffered,
  summarySection,
} from "./records.js";
import {
  caseLine,
  caseLineText,
  earlierCasesSection,
  keyQuestionPin,
  processFormSection,
} from "./cases.js";
import {
  facilitationButtons,
  nextCaseSection,
  nextRotationButton,
  pendingConfirmations,
  processResultsSection,
  reorderButtons,
} from "./facilitation.js";
import { composeSectionFor, turnSectionFor } from "./participant.js";
import { ui } from "./ui-state.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').MemberView} MemberView */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('./common.js').Section} Section */

/** Turn limits offered, in seconds. */
const TURN_LIMITS = [60, 120, 180, 300];

/**
 * The keys of the action bar. They press the button that carries them, so a key does only
 * what its button would do now (nothing when the button is disabled). Shown on the buttons.
 */
const SHORTCUTS = {
  nextSpeaker: "N",
  firstHand: "H",
  nextPhase: "F",
  plusMinute: "+",
  minusMinute: "-",
  pause: "P",
  setTime: "T",
};

/** The keys are bound to the document once per page (not UI state: it outlives any). */
let shortcutsBound = false;

/**
 * Listens for the action bar's keys (once per page). Keys typed into a field, or with Ctrl,
 * Alt or Cmd, are left alone.
 * @param {Session} _session
 */
export function bindShortcuts(_session) {
  if (shortcutsBound) return;
  shortcutsBound = true;
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = e.target;
    if (
      target instanceof HTMLElement &&
      (target.closest("input, textarea, select, [contenteditable]") || target.isContentEditable)
    )
      return;
    const key = e.key === "=" ? "+" : e.key.toUpperCase();
    const el = document.querySelector(`.action-bar [data-shortcut="${CSS.escape(key)}"]`);
    if (!(el instanceof HTMLElement)) return;
    e.preventDefault();
    if (el instanceof HTMLInputElement) {
      el.focus();
      el.select();
    } else if (el instanceof HTMLButtonElement && !el.disabled) {
      el.click();
    }
  });
}

/**
 * A key shown on its button.
 * @param {string} key
 */
function kbd(key) {
  return h("kbd", { class: "shortcut", "aria-hidden": "true" }, key);
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @returns {{bar: Section[], main: Section[], side: Section[]}}
 */
export function consoleSections(session, view) {
  /** @type {Section[]} */
  const bar = [];
  /** @type {Section[]} */
  const main = [];
  /** @type {Section[]} */
  const side = [];

  bar.push(
    section(
      "actions",
      [
        view.status,
        view.phase,
        view.floor,
        view.round,
        view.hands,
        view.case_bringer,
        view.case_round,
        view.cases.length,
        view.members.map((m) => [m.id, m.name, m.online, m.role, m.in_turns]),
      ],
      () => actionBar(session, view),
    ),
  );

  main.push(...noticeSections(session, view));

  // The facilitator holds the token this device was made with; a co-facilitator (or whoever
  // the role was handed to) has the facilitator's rights on their own device, without it.
  const isFacilitator = view.me.role === "facilitator";

  if (view.status === "ended") {
    main.push(
      section("ended", [view.settings.keep_for_group, session.retentionMs], () =>
        h(
          "section",
          { class: "card ended-card", "aria-labelledby": "fac-ended-title" },
          h("h2", { id: "fac-ended-title" }, t("fac.endedTitle")),
          h("p", null, t("fac.endedText", { retention: formatPeriod(session.retentionMs) })),
          h(
            "p",
            null,
            view.settings.keep_for_group
              ? t(hasCases(view) ? "ended.kept" : "ended.kept.noCases")
              : t("ended.notKept"),
          ),
          h("p", null, t("fac.endedSummary")),
        ),
      ),
    );
    main.push(attendanceSection(session, view));
    // The facilitator took part too: their own confirmation, certificate and reflection.
    main.push(attestSection(session, view), reflectionSection(session, view));
  } else {
    main.push(
      section(
        "phase",
        [view.status, view.phase, view.case_bringer, view.settings.video_url, caseLineText(view)],
        () =>
          h(
            "div",
            { class: "stack" },
            caseLine(view),
            phaseCard(view, { headingLevel: 2, now: session.now(), facilitator: true }),
            view.status === "lobby" ? videoLink(view) : null,
          ),
      ),
    );
    // Before the start, the way in is what matters: it leads the page, then the method.
    if (view.status === "lobby") {
      main.push(section("join", [view.code, view.locked, view.status], () => joinCard(view)));
      main.push(section("help", [view.method.id], () => helpCard(view)));
    }
    // The key question the case-bringer chose; before they choose, while advice is given,
    // the one worded last.
    const pinned = keyQuestionPin(view);
    if (pinned) main.push(pinned);
    else if (pinKeyQuestion(view))
      main.push(section("key-question", [keyQuestion(view)], () => keyQuestionCard(view)));
    // A self-led group's facilitator, and a co-facilitator, also take part.
    if (!isFacilitator || facilitatorTakesPart(view)) {
      const turn = turnSectionFor(session, view);
      if (turn) main.push(turn);
      main.push(composeSectionFor(session, view));
      const rating = processFormSection(session, view);
      if (rating) main.push(rating);
    }
    // A group's next meeting: what it kept, right under the phase that reports on it.
    const report = reportBackNow(view) ? reportBackSection(view) : null;
    if (report) main.push(report);
    if (view.status === "running") {
      main.push(
        section(
          "speaker",
          [view.status, view.phase, view.floor, view.round, view.hands, view.members],
          () => speakerCard(session, view),
        ),
      );
    }
  }
  // Revealing shows this case's notes; an earlier case's unrevealed notes stay private.
  const unrevealed = view.items.filter(
    (i) => i.kind === "private_note" && !i.revealed && i.case_round === view.case_round,
  ).length;
  if (unrevealed > 0) {
    main.push(
      section("reveal", [unrevealed], () =>
        h(
          "section",
          { class: "card", "aria-labelledby": "reveal-title" },
          h("h2", { id: "reveal-title" }, t("fac.notesTitle")),
          h("p", null, t("fac.notesWaiting", { count: unrevealed })),
          h(
            "button",
            {
              type: "button",
              class: "primary",
              "data-fk": "reveal",
              onclick: () => session.send({ kind: "reveal_notes" }),
            },
            icon("show"),
            t("fac.reveal"),
          ),
        ),
      ),
    );
  }
  if (!votesVisible(view)) {
    main.push(
      section("reveal-dots", [], () =>
        h(
          "section",
          { class: "card", "aria-labelledby": "dots-title" },
          h("h2", { id: "dots-title" }, t("fac.dotsTitle")),
          h("p", null, t("fac.dotsHidden")),
          h(
            "button",
            {
              type: "button",
              "data-fk": "reveal-dots",
              onclick: () => session.send({ kind: "reveal_votes" }),
            },
            icon("show"),
            t("fac.revealDots"),
          ),
        ),
      ),
    );
  }
  for (const { kind, current } of boardsToShow(view)) {
    main.push(
      section(`board-${kind}`, [current, boardSignature(view, kind, "facilitator")], () =>
        board(session, view, kind, { mode: "facilitator", current }),
      ),
    );
  }
  const earlier = earlierCasesSection(session, view);
  if (earlier) main.push(earlier);
  // A co-facilitator who brought a case keeps their summary.
  if (!isFacilitator && summaryOffered(view)) main.push(summarySection(session, view));

  side.push(
    section(
      "phases",
      [view.status, view.phase?.index, view.case_bringer, view.case_round, caseLineText(view)],
      () => phaseList(session, view),
    ),
  );
  // The meeting's next case (another method, another case-bringer).
  const nextCase = nextCaseSection(session, view);
  if (nextCase) side.push(nextCase);
  // Speaking times tick live through the ticker; the roster is rebuilt on real changes.
  side.push(
    section(
      "roster",
      [
        view.members,
        view.hands,
        view.floor,
        view.case_bringer,
        view.status,
        view.phase?.seq,
        [...ui.console.confirming],
        pendingConfirmations(),
        view.me.role,
      ],
      () => roster(session, view),
    ),
  );
  const process = processResultsSection(session, view);
  if (process) side.push(process);
  if (view.status !== "ended") {
    side.push(
      section(
        "room",
        [
          view.locked,
          view.status,
          view.case_bringer,
          view.members.map((m) => [m.id, m.name, m.role]),
          ui.console.confirming.has("end"),
        ],
        () => roomControls(session, view),
      ),
    );
    if (view.status === "running")
      side.push(section("join", [view.code, view.locked, view.status], () => joinCard(view)));
  }
  // The warnings, the big screen, the group's key and the attendance are the facilitator's.
  if (!isFacilitator) return { bar, main, side };
  side.push(section("warnings", [view.me.warnings ?? []], () => warningTally(view)));
  side.push(section("screen", [view.code], () => screenCard(session, view)));
  side.push(
    section(
      "group",
      [
        view.settings.keep_for_group,
        view.report_back?.previous_title,
        view.report_back?.previous_date,
      ],
      () => groupCard(session, view),
    ),
  );
  if (view.status !== "ended") side.push(attendanceSection(session, view));
  return { bar, main, side };
}

/**
 * The three things used every minute: the next speaker, the next phase, the clock.
 * @param {Session} session
 * @param {SessionView} view
 */
function actionBar(session, view) {
  if (view.status === "lobby") return lobbyBar(session, view);
  if (view.status === "ended") {
    return h(
      "div",
      { class: "action-row" },
      h("p", { class: "bar-status" }, icon("check"), t("fac.endedTitle")),
    );
  }
  const run = view.phase;
  const phase = currentPhase(view);
  if (!run || !phase) return h("div");
  const now = session.now();
  const floor = view.floor;
  const pending = roundPending(view).filter((m) => m !== floor?.member);
  const firstHand = view.hands[0] ?? null;
  const next = view.method.phases[run.index + 1];
  const nextBlocked = next && needsCaseBringer(next) && view.case_bringer === null;
  const paused = run.paused_left !== null && run.paused_left !== undefined;
  const active = document.activeElement;
  const typing = active instanceof HTMLElement && active.dataset.fk === "set-minutes";
  const minutes = h("input", {
    type: "number",
    id: "set-minutes",
    min: 0,
    max: 240,
    step: 1,
    inputmode: "numeric",
    value:
      typing && ui.console.typedMinutes !== null
        ? ui.console.typedMinutes
        : String(
            Math.max(
              1,
              Math.round(((paused ? run.paused_left : (run.deadline ?? now) - now) ?? 0) / 60_000),
            ),
          ),
    "data-shortcut": SHORTCUTS.setTime,
    "aria-keyshortcuts": SHORTCUTS.setTime,
    "data-fk": "set-minutes",
    oninput: (/** @type {Event} */ e) => {
      ui.console.typedMinutes = /** @type {HTMLInputElement} */ (e.target).value;
    },
  });
  return h(
    "div",
    { class: "action-row" },
    // The floor.
    h(
      "div",
      { class: "action-group", role: "group", "aria-label": t("fac.speakers") },
      h(
        "p",
        { class: "bar-status" },
        hasFloor(phase) ? icon("mic") : icon("users"),
        !hasFloor(phase)
          ? t("turns.silentNow")
          : floor
            ? h(
                "span",
                null,
                nameOf(view, floor.member),
                " ",
                speakingTime(view, floor.member, now),
                " ",
                turnTimer(view, now),
              )
            : t("turns.nobody"),
      ),
      hasFloor(phase)
        ? [
            h(
              "button",
              {
                type: "button",
                class: "primary",
                "data-fk": "bar-next-speaker",
                "data-shortcut": SHORTCUTS.nextSpeaker,
                "aria-keyshortcuts": SHORTCUTS.nextSpeaker,
                disabled: pending.length === 0 && view.hands.length === 0 && !floor,
                onclick: () => session.send({ kind: "next_speaker" }),
              },
              icon("skip"),
              t("fac.nextSpeaker"),
              kbd(SHORTCUTS.nextSpeaker),
            ),
            view.round === null
              ? h(
                  "button",
                  {
                    type: "button",
                    "data-fk": "bar-first-hand",
                    "data-shortcut": SHORTCUTS.firstHand,
                    "aria-keyshortcuts": SHORTCUTS.firstHand,
                    disabled: firstHand === null,
                    onclick: () =>
                      firstHand !== null && session.send({ kind: "give_floor", member: firstHand }),
                  },
                  icon("hand"),
                  firstHand !== null
                    ? t("fac.floorTo", { name: nameOf(view, firstHand) })
                    : t("fac.noHandsShort"),
                  kbd(SHORTCUTS.firstHand),
                )
              : null,
          ]
        : null,
    ),
    // The phase.
    h(
      "div",
      { class: "action-group", role: "group", "aria-label": t("fac.phases") },
      next
        ? h(
            "button",
            {
              type: "button",
              class: "primary",
              "data-fk": "next",
              "data-shortcut": SHORTCUTS.nextPhase,
              "aria-keyshortcuts": SHORTCUTS.nextPhase,
              disabled: nextBlocked,
              "aria-describedby": nextBlocked ? "next-blocked" : undefined,
              onclick: () => session.send({ kind: "next_phase" }),
            },
            icon("next"),
            t("fac.next", { name: local(next.name) }),
            kbd(SHORTCUTS.nextPhase),
          )
        : (nextRotationButton(session, view) ??
            h("p", { class: "bar-status" }, t("fac.lastPhase"))),
      nextBlocked
        ? h(
            "p",
            { id: "next-blocked", class: "bar-reason" },
            t(hasCases(view) ? "fac.nextNeedsCase" : "fac.nextNeedsCaseBringer"),
          )
        : null,
    ),
    // The clock.
    h(
      "div",
      { class: "action-group timer-group", role: "group", "aria-label": t("fac.timerLabel") },
      timer(view, now),
      h(
        "button",
        {
          type: "button",
          class: "icon-button",
          "data-fk": "minus1",
          "data-shortcut": SHORTCUTS.minusMinute,
          "aria-keyshortcuts": SHORTCUTS.minusMinute,
          "aria-label": t("fac.minus", { n: 1 }),
          title: `${t("fac.minus", { n: 1 })} (${SHORTCUTS.minusMinute})`,
          onclick: () => session.send({ kind: "extend_timer", seconds: -60 }),
        },
        icon("minus"),
      ),
      h(
        "button",
        {
          type: "button",
          "data-fk": "plus1",
          "data-shortcut": SHORTCUTS.plusMinute,
          "aria-keyshortcuts": SHORTCUTS.plusMinute,
          onclick: () => session.send({ kind: "extend_timer", seconds: 60 }),
        },
        t("fac.plus", { n: 1 }),
        kbd(SHORTCUTS.plusMinute),
      ),
      h(
        "button",
        {
          type: "button",
          "aria-pressed": String(paused),
          "data-fk": "pause",
          "data-shortcut": SHORTCUTS.pause,
          "aria-keyshortcuts": SHORTCUTS.pause,
          onclick: () => session.send({ kind: "pause_timer", paused: !paused }),
        },
        icon(paused ? "play" : "pause"),
        paused ? t("fac.resume") : t("fac.pause"),
        kbd(SHORTCUTS.pause),
      ),
      h(
        "form",
        {
          class: "set-time",
          onsubmit: (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            const n = Math.round(Number(minutes.value));
            if (!Number.isFinite(n) || n < 0 || n > 240) return;
            session.send({ kind: "set_timer", seconds: n * 60 });
            ui.console.typedMinutes = null;
            minutes.blur();
          },
        },
        h("label", { for: "set-minutes" }, t("fac.setTo"), kbd(SHORTCUTS.setTime)),
        minutes,
        h("span", { class: "unit" }, t("fac.minutesUnit")),
        h("button", { type: "submit", "data-fk": "set-time" }, t("fac.set")),
      ),
    ),
  );
}

/**
 * Before the start: Start (disabled, with the reason, until it can start) and who is here.
 * @param {Session} session
 * @param {SessionView} view
 */
function lobbyBar(session, view) {
  const blocker = startBlocker(view);
  const here = view.members.filter(
    (m) => m.online && m.role !== "facilitator" && m.role !== "screen",
  ).length;
  return h(
    "div",
    { class: "action-row" },
    h(
      "div",
      { class: "action-group" },
      h(
        "button",
        {
          type: "button",
          class: "primary big-button",
          "data-fk": "start",
          disabled: blocker !== null,
          "aria-describedby": "start-reason",
          onclick: () => session.send({ kind: "start_session" }),
        },
        icon("play"),
        t("fac.start"),
      ),
      h(
        "p",
        { id: "start-reason", class: ["bar-reason", blocker === null && "ok"] },
        blocker
          ? t(blocker)
          : here === 0
            ? t("fac.startNobody")
            : t("fac.startReady", { count: here }),
      ),
    ),
  );
}

/**
 * The method's phases; any phase can be jumped to.
 * @param {Session} session
 * @param {SessionView} view
 */
function phaseList(session, view) {
  const run = view.phase;
  return h(
    "section",
    { class: "card controls", "aria-labelledby": "controls-title" },
    h("h2", { id: "controls-title" }, t("fac.phases")),
    caseLine(view),
    h(
      "ol",
      { class: "phase-list stepper" },
      view.method.phases.map((p, i) => {
        const current = run !== null && run.index === i && view.status === "running";
        return h(
          "li",
          { class: [current && "current", run !== null && i < run.index && "done"] },
          view.status === "running" && !current
            ? h(
                "button",
                {
                  type: "button",
                  class: "linkish",
                  "data-fk": `goto-${i}`,
                  "aria-label": t("fac.goto", { name: local(p.name) }),
                  onclick: () => session.send({ kind: "goto_phase", index: i }),
                },
                local(p.name),
              )
            : h("span", { "aria-current": current ? "step" : undefined }, local(p.name)),
          " ",
          h("span", { class: "hint" }, t("phase.minutes", { count: p.minutes })),
          needsCaseBringer(p) &&
            view.case_bringer === null &&
            view.status !== "ended" &&
            i === (run ? run.index + 1 : 0)
            ? h("span", { class: "hint warn-text" }, " ", t("fac.needsCaseBringer"))
            : null,
        );
      }),
    ),
    view.status === "running" && run
      ? h(
          "div",
          { class: "actions" },
          h(
            "button",
            {
              type: "button",
              class: "quiet",
              disabled: run.index === 0,
              "data-fk": "prev",
              onclick: () => session.send({ kind: "prev_phase" }),
            },
            t("fac.prev"),
          ),
        )
      : null,
  );
}

/**
 * Case-bringer, lock, end.
 * @param {Session} session
 * @param {SessionView} view
 */
function roomControls(session, view) {
  const candidates = view.members.filter(
    (m) => m.role === "participant" || m.role === "case_bringer" || m.role === "note_taker",
  );
  const select = h(
    "select",
    { id: "cb-select", "data-fk": "cb-select" },
    h("option", { value: "", selected: view.case_bringer === null }, t("fac.noCaseBringer")),
    candidates.map((m) =>
      h("option", { value: String(m.id), selected: view.case_bringer === m.id }, m.name),
    ),
  );
  const ending = ui.console.confirming.has("end");
  return h(
    "section",
    { class: "card room", "aria-labelledby": "room-title" },
    h("h2", { id: "room-title" }, t("fac.room")),
    h(
      "form",
      {
        class: "inline-form",
        onsubmit: (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const v = select.value;
          session.send({ kind: "set_case_bringer", member: v === "" ? null : Number(v) });
        },
      },
      h("label", { for: "cb-select" }, t("fac.caseBringer")),
      select,
      h("button", { type: "submit", "data-fk": "cb-set" }, t("fac.setCaseBringer")),
    ),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          "aria-pressed": String(view.locked),
          "data-fk": "lock",
          onclick: () => session.send({ kind: "lock_room", locked: !view.locked }),
        },
        icon(view.locked ? "lock" : "unlock"),
        view.locked ? t("fac.unlock") : t("fac.lock"),
      ),
    ),
    h("p", { class: "hint" }, view.locked ? t("fac.lockedHint") : t("fac.lockHint")),
    h(
      "div",
      { class: "danger-zone" },
      ending
        ? [
            h("p", { role: "alert" }, t("fac.endConfirm")),
            h(
              "div",
              { class: "actions" },
              h(
                "button",
                {
                  type: "button",
                  class: "danger",
                  "data-fk": "end-yes",
                  onclick: () => {
                    ui.console.confirming.delete("end");
                    session.send({ kind: "end_session" });
                  },
                },
                t("fac.endYes"),
              ),
              h(
                "button",
                {
                  type: "button",
                  "data-fk": "end",
                  onclick: () => {
                    ui.console.confirming.delete("end");
                    session.changed();
                  },
                },
                t("fac.cancel"),
              ),
            ),
          ]
        : h(
            "button",
            {
              type: "button",
              class: "danger",
              "data-fk": "end",
              onclick: () => {
                ui.console.confirming.add("end");
                session.changed();
              },
            },
            icon("stop"),
            t("fac.end"),
          ),
    ),
  );
}

/**
 * The floor, the round, the raised hands, and the time box per speaker.
 * @param {Session} session
 * @param {SessionView} view
 */
function speakerCard(session, view) {
  const phase = currentPhase(view);
  const title = h("h2", { id: "speaker-title" }, t("fac.speakers"));
  if (!phase || view.status !== "running") {
    return h(
      "section",
      { class: "card speakers", "aria-labelledby": "speaker-title" },
      title,
      h("p", null, t("fac.speakersIdle")),
    );
  }
  if (!hasFloor(phase)) {
    return h(
      "section",
      { class: "card speakers", "aria-labelledby": "speaker-title" },
      title,
      h("p", null, t("turn.silent")),
    );
  }
  const now = session.now();
  const floor = view.floor;
  const limit = view.phase?.turn_limit ?? null;
  const limitSelect = h(
    "select",
    {
      id: "turn-limit",
      "data-fk": "turn-limit",
      onchange: (/** @type {Event} */ e) => {
        const v = /** @type {HTMLSelectElement} */ (e.target).value;
        session.send({ kind: "set_turn_limit", seconds: v === "" ? null : Number(v) });
      },
    },
    h("option", { value: "", selected: limit === null }, t("fac.turnLimitNone")),
    [...new Set([...TURN_LIMITS, ...(limit !== null ? [limit] : [])])]
      .sort((a, b) => a - b)
      .map((s) =>
        h(
          "option",
          { value: String(s), selected: limit === s },
          t("fac.turnLimitMinutes", { count: s / 60 }),
        ),
      ),
  );
  return h(
    "section",
    { class: "card speakers", "aria-labelledby": "speaker-title" },
    title,
    h(
      "div",
      { class: "floor" },
      floor
        ? [
            h(
              "p",
              { class: "floor-name" },
              icon("mic"),
              t("turns.speaking", { name: nameOf(view, floor.member) }),
              " ",
              speakingTime(view, floor.member, now),
              " ",
              turnTimer(view, now),
            ),
            h(
              "button",
              {
                type: "button",
                "data-fk": "end-floor",
                onclick: () => session.send({ kind: "end_floor" }),
              },
              t("fac.endFloor"),
            ),
          ]
        : h("p", { class: "floor-name" }, t("turns.nobody")),
      // Where only the case-bringer speaks there is no round to start.
      phase.turns === "case_bringer_only"
        ? null
        : h(
            "button",
            {
              type: "button",
              "data-fk": "start-round",
              onclick: () => session.send({ kind: "start_round" }),
            },
            icon("round"),
            view.round ? t("fac.newRound") : t("fac.startRound"),
          ),
    ),
    h(
      "div",
      { class: "inline-form turn-limit" },
      h("label", { for: "turn-limit" }, t("fac.turnLimit")),
      limitSelect,
    ),
    view.round
      ? h(
          "div",
          { class: "round" },
          h("h3", null, t("fac.round")),
          h(
            "ol",
            { class: "round-list" },
            view.round.order.map((id) => {
              const done = view.round?.done.includes(id) ?? false;
              const passed = view.round?.passed.includes(id) ?? false;
              const speaking = floor?.member === id;
              return h(
                "li",
                { class: [done && "done", speaking && "speaking-now"] },
                h("span", null, nameOf(view, id)),
                " ",
                h(
                  "span",
                  { class: "hint" },
                  speaking
                    ? t("fac.speakingNow")
                    : passed
                      ? t("fac.passed")
                      : done
                        ? t("fac.spoke")
                        : t("fac.waiting"),
                ),
                !done
                  ? h(
                      "span",
                      { class: "row-actions" },
                      !speaking
                        ? h(
                            "button",
                            {
                              type: "button",
                              class: "small",
                              "data-fk": `rgive-${id}`,
                              onclick: () => session.send({ kind: "give_floor", member: id }),
                            },
                            t("fac.giveFloor"),
                          )
                        : null,
                      h(
                        "button",
                        {
                          type: "button",
                          class: "small quiet",
                          "data-fk": `rskip-${id}`,
                          onclick: () => session.send({ kind: "skip_speaker", member: id }),
                        },
                        t("fac.skip"),
                      ),
                      reorderButtons(session, view, id),
                    )
                  : null,
              );
            }),
          ),
        )
      : null,
    h(
      "div",
      { class: "queue" },
      h("h3", null, icon("hand"), t("fac.queue", { count: view.hands.length })),
      view.hands.length === 0
        ? h("p", { class: "empty" }, t("fac.noHands"))
        : h(
            "ol",
            { class: "queue-list" },
            view.hands.map((id) =>
              h(
                "li",
                null,
                h("span", null, nameOf(view, id)),
                h(
                  "span",
                  { class: "row-actions" },
                  h(
                    "button",
                    {
                      type: "button",
                      class: "small primary",
                      "data-fk": `give-${id}`,
                      onclick: () => session.send({ kind: "give_floor", member: id }),
                    },
                    t("fac.giveFloor"),
                  ),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "small quiet",
                      "data-fk": `skip-${id}`,
                      onclick: () => session.send({ kind: "skip_speaker", member: id }),
                    },
                    t("fac.skip"),
                  ),
                ),
              ),
            ),
          ),
    ),
  );
}

/**
 * Who is here, their role, presence and speaking time; what to do with each, in a menu.
 * @param {Session} session
 * @param {SessionView} view
 */
function roster(session, view) {
  const now = session.now();
  const people = view.members.filter((m) => m.role !== "screen");
  const online = people.filter((m) => m.online).length;
  // People who left (or joined and left in a loop) keep a place on the roster until removed.
  const offline = people.filter((m) => !m.online && m.role !== "facilitator").length;
  const clearing = ui.console.confirming.has("remove-offline");
  /** @type {(Node | null)[]} */
  const clear = [];
  if (offline > 0 && view.status !== "ended") {
    if (clearing) {
      clear.push(
        h(
          "button",
          {
            type: "button",
            class: "small danger",
            "data-fk": "remove-offline-yes",
            onclick: () => {
              ui.console.confirming.delete("remove-offline");
              session.send({ kind: "remove_offline" });
            },
          },
          t("fac.removeOfflineYes", { count: offline }),
        ),
        h(
          "button",
          {
            type: "button",
            class: "small",
            "data-fk": "remove-offline",
            onclick: () => {
              ui.console.confirming.delete("remove-offline");
              session.changed();
            },
          },
          t("fac.cancel"),
        ),
      );
    } else {
      clear.push(
        h(
          "button",
          {
            type: "button",
            class: "small quiet",
            "data-fk": "remove-offline",
            onclick: () => {
              ui.console.confirming.add("remove-offline");
              session.changed();
            },
          },
          t("fac.removeOffline", { count: offline }),
        ),
      );
    }
  }
  return h(
    "section",
    { class: "card roster", "aria-labelledby": "roster-title" },
    h(
      "h2",
      { id: "roster-title" },
      t("fac.roster"),
      " ",
      h("span", { class: "count-badge" }, t("fac.present", { n: online, total: people.length })),
    ),
    h(
      "ul",
      { class: "plain roster-list" },
      people.map((m) => rosterRow(session, view, m, now)),
    ),
    clear.length > 0 ? h("div", { class: "row-actions" }, clear) : null,
  );
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {MemberView} m
 * @param {number} now
 */
function rosterRow(session, view, m, now) {
  const hand = view.hands.includes(m.id);
  const removing = ui.console.confirming.has(`remove-${m.id}`);
  const phase = currentPhase(view);
  // Only who may hold the floor in this phase is offered it (nobody but the case-bringer
  // where only they speak).
  const canFloor =
    view.status === "running" &&
    phase !== null &&
    mayHoldFloor(
      phase,
      m.role === "facilitator" && facilitatorTakesPart(view) ? "participant" : m.role,
    ) &&
    (m.role !== "facilitator" || facilitatorTakesPart(view)) &&
    view.floor?.member !== m.id;
  /** @type {(Node | null)[]} */
  const actions = [];
  if (canFloor) {
    actions.push(
      h(
        "button",
        {
          type: "button",
          "data-fk": `floor-${m.id}`,
          onclick: () => session.send({ kind: "give_floor", member: m.id }),
        },
        icon("mic"),
        t("fac.giveFloor"),
      ),
    );
  }
  if (view.status !== "ended" && (m.role === "participant" || m.role === "note_taker")) {
    actions.push(
      h(
        "button",
        {
          type: "button",
          "data-fk": `cb-${m.id}`,
          onclick: () => session.send({ kind: "set_case_bringer", member: m.id }),
        },
        t("fac.makeCaseBringer"),
      ),
    );
  }
  if (view.status !== "ended" && (m.role === "participant" || m.role === "note_taker")) {
    actions.push(
      h(
        "button",
        {
          type: "button",
          "data-fk": `role-${m.id}`,
          onclick: () =>
            session.send({
              kind: "set_role",
              member: m.id,
              role: m.role === "participant" ? "note_taker" : "participant",
            }),
        },
        m.role === "participant" ? t("fac.makeNoteTaker") : t("fac.makeParticipant"),
      ),
    );
  }
  actions.push(...facilitationButtons(session, view, m));
  if (m.role !== "facilitator" && view.status !== "ended") {
    if (removing) {
      actions.push(
        h(
          "button",
          {
            type: "button",
            class: "danger",
            "data-fk": `remove-yes-${m.id}`,
            onclick: () => {
              ui.console.confirming.delete(`remove-${m.id}`);
              session.send({ kind: "remove_member", member: m.id });
            },
          },
          t("fac.removeYes", { name: m.name }),
        ),
        // The link still opens the room to a new name; locking it too keeps them out.
        view.locked
          ? null
          : h(
              "button",
              {
                type: "button",
                class: "danger",
                "data-fk": `remove-lock-${m.id}`,
                onclick: () => {
                  ui.console.confirming.delete(`remove-${m.id}`);
                  session.send({ kind: "remove_and_lock", member: m.id });
                },
              },
              t("fac.removeAndLock", { name: m.name }),
            ),
        h(
          "button",
          {
            type: "button",
            "data-fk": `remove-no-${m.id}`,
            onclick: () => {
              ui.console.confirming.delete(`remove-${m.id}`);
              session.changed();
            },
          },
          t("fac.cancel"),
        ),
      );
    } else {
      actions.push(
        h(
          "button",
          {
            type: "button",
            class: "danger",
            "data-fk": `remove-${m.id}`,
            onclick: (/** @type {Event} */ e) => {
              e.stopPropagation();
              ui.console.confirming.add(`remove-${m.id}`);
              session.changed();
            },
          },
          t("fac.remove"),
        ),
      );
    }
  }
  const actionMenu =
    actions.length > 0
      ? menu(
          {
            label: t("fac.memberActions", { name: m.name }),
            icon: "more",
            fk: `menu-${m.id}`,
            class: "member-menu",
          },
          actions,
        )
      : null;
  // A confirmation in progress keeps its menu open across the rebuild.
  if (actionMenu && removing) actionMenu.open = true;
  return h(
    "li",
    {
      class: ["roster-row", !m.online && "away", view.floor?.member === m.id && "speaking-now"],
      dataset: { member: m.id },
    },
    h(
      "div",
      { class: "roster-line" },
      h("span", {
        class: ["presence", m.online ? "on" : "off"],
        role: "img",
        "aria-label": m.online ? t("fac.online") : t("fac.away"),
      }),
      h("bdi", { class: "member-name" }, m.name),
      hand ? h("span", { class: "badge hand-badge" }, icon("hand"), t("fac.handUp")) : null,
      m.co_facilitator ? h("span", { class: "badge co-fac" }, t("cases.coFac")) : null,
      m.role === "facilitator"
        ? null
        : h(
            "span",
            { class: "roster-time" },
            h("span", { class: "visually-hidden" }, t("fac.colSpeaking"), " "),
            speakingTime(view, m.id, now),
          ),
      actionMenu,
    ),
    h(
      "p",
      { class: "hint roster-role" },
      t(`role.${m.role}`),
      m.online ? "" : ` · ${t("fac.away")}`,
      !m.in_turns ? ` · ${t("fac.outOfTurns")}` : "",
    ),
  );
}

/**
 * The code, QR code and link people join with; folded once the session runs (latecomers
 * still find it, but it no longer takes the room it needs before the start).
 * @param {SessionView} view
 */
function joinCard(view) {
  const code = displayCode(view.code.replace(/-/g, ""));
  const link = `${location.origin}/join/${code}`;
  const linkBox = h("input", {
    type: "text",
    readonly: true,
    value: link,
    id: "join-link",
    class: "link-box",
  });
  const status = h("span", { class: "hint", role: "status" });
  const body = [
    h(
      "p",
      { class: "code" },
      h("span", { class: "visually-hidden" }, t("join.codeLabel"), " "),
      code,
    ),
    h("img", {
      src: `/join/${code}/qr.svg`,
      alt: t("fac.qrAlt", { code }),
      class: "qr",
      width: 160,
      height: 160,
    }),
    h("label", { for: "join-link" }, t("fac.joinLink")),
    h(
      "div",
      { class: "inline-form" },
      linkBox,
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            const ok = await copyText(link, linkBox);
            status.textContent = ok ? t("outbox.copied") : t("outbox.copyManually");
          },
        },
        t("outbox.copy"),
      ),
    ),
    status,
    view.locked ? h("p", { class: "notice" }, t("fac.lockedHint")) : null,
  ];
  if (view.status === "lobby") {
    return h(
      "section",
      { class: "card join-card", "aria-labelledby": "join-title" },
      h("h2", { id: "join-title" }, t("fac.joinTitle")),
      body,
    );
  }
  return h(
    "section",
    { class: "card join-card folded", "aria-labelledby": "join-title" },
    h(
      "details",
      null,
      h(
        "summary",
        { "data-fk": "join-fold" },
        h(
          "h2",
          { id: "join-title" },
          t("fac.joinTitle"),
          " ",
          h("span", { class: "code-inline" }, code),
        ),
      ),
      body,
    ),
  );
}

/**
 * "How this method works", folded: to read out or look up while people come in.
 * @param {SessionView} view
 */
function helpCard(view) {
  const body = h("div", { class: "help-inline", "aria-busy": "true" });
  const details = h(
    "details",
    {
      ontoggle: () => {
        if (details.open && body.getAttribute("aria-busy"))
          void import("./help.js").then((help) => help.fillHelp(body, view));
      },
    },
    h("summary", { "data-fk": "help-fold" }, h("h2", { id: "help-card-title" }, t("help.title"))),
    body,
  );
  return h("section", { class: "card help-card", "aria-labelledby": "help-card-title" }, details);
}

/**
 * The big screen: opened here, or on the room's projector PC through its own link (the screen
 * token in the fragment), which shows the screen without the facilitator's powers.
 * @param {Session} session
 * @param {SessionView} view
 */
function screenCard(session, view) {
  const token = screenToken(session.code);
  const path = `/screen/${displayCode(session.code)}`;
  const link = token ? `${location.origin}${path}#${token}` : null;
  const status = h("span", { class: "hint", role: "status" });
  const linkBox = link
    ? h("input", {
        type: "text",
        readonly: true,
        value: link,
        id: "screen-link",
        class: "link-box",
      })
    : null;
  const details = h(
    "details",
    { class: "secret" },
    h("summary", null, t("screen.showLink")),
    h("label", { for: "screen-link" }, t("screen.linkLabel")),
    linkBox,
  );
  return h(
    "section",
    { class: "card screen-card", "aria-labelledby": "screen-card-title" },
    h("h2", { id: "screen-card-title" }, t("screen.linkTitle")),
    link
      ? [
          h("p", { class: "hint" }, t("screen.linkText")),
          h("p", { class: "hint warn-text" }, t("screen.linkWarn")),
        ]
      : null,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          "data-fk": "screen",
          // The link carries the screen token in its fragment (never sent to a server).
          onclick: () => window.open(link ?? path, `kring-screen-${view.code}`, "noopener"),
        },
        icon("screen"),
        t("fac.openScreen"),
      ),
      link && linkBox
        ? h(
            "button",
            {
              type: "button",
              "data-fk": "screen-copy",
              onclick: () => copySecret(link, linkBox, details, status),
            },
            t("screen.copyLink"),
          )
        : null,
    ),
    status,
    // Folded: the console may itself be on a projector.
    link ? details : h("p", { class: "hint" }, t("screen.linkUnknown")),
  );
}

/**
 * The group this session belongs to: what it keeps for the next meeting, and the key to start
 * that meeting with (only offered when the session keeps something).
 * @param {Session} session
 * @param {SessionView} view
 */
function groupCard(session, view) {
  const token = view.settings.keep_for_group ? groupToken(session.code) : null;
  const status = h("span", { class: "hint", role: "status" });
  const keyBox = token
    ? h("input", { type: "text", readonly: true, value: token, id: "group-key", class: "link-box" })
    : null;
  const details = h(
    "details",
    { class: "secret" },
    h("summary", null, t("group.show")),
    h("label", { for: "group-key" }, t("group.keyLabel")),
    keyBox,
  );
  const rb = view.report_back;
  return h(
    "section",
    { class: "card group-card", "aria-labelledby": "group-card-title" },
    h("h2", { id: "group-card-title" }, t("group.title")),
    rb && rb.previous_title
      ? h(
          "p",
          null,
          t("group.followUp", { title: rb.previous_title, date: formatDate(rb.previous_date) }),
        )
      : null,
    h(
      "p",
      null,
      view.settings.keep_for_group
        ? t(hasCases(view) ? "group.keeps" : "group.keeps.noCases")
        : t("group.keepsNothing"),
    ),
    !view.settings.keep_for_group
      ? null
      : token && keyBox
        ? [
            h("p", { class: "hint" }, t("group.keyText")),
            h(
              "div",
              { class: "actions" },
              h(
                "button",
                {
                  type: "button",
                  "data-fk": "group-copy",
                  onclick: () => copySecret(token, keyBox, details, status),
                },
                t("group.copy"),
              ),
              status,
            ),
            details,
          ]
        : h("p", { class: "hint" }, t("group.keyUnknown")),
  );
}

/**
 * Copies a secret shown folded away. Only where the clipboard cannot be used (a plain-http LAN
 * address) is it unfolded and selected for the person to copy.
 * @param {string} text
 * @param {HTMLInputElement} box
 * @param {HTMLDetailsElement} details
 * @param {HTMLElement} status
 */
async function copySecret(text, box, details, status) {
  let ok = await copyText(text);
  if (!ok) {
    details.open = true;
    ok = await copyText(text, box);
  }
  status.textContent = ok ? t("outbox.copied") : t("outbox.copyManually");
}

/**
 * How often the warnings on advice (and on "questions" that ask nothing) were shown in this
 * session and how often their texts were sent anyway: for coaching the group, so counts only,
 * never texts or names.
 * @param {SessionView} view
 */
function warningTally(view) {
  const tally = view.me.warnings ?? [];
  const rows = WARNINGS.map((w) => tally.find((r) => r.warning === w)).filter(
    (r) => r !== undefined,
  );
  return h(
    "section",
    { class: "card tally", "aria-labelledby": "tally-title" },
    h("h2", { id: "tally-title" }, t("tally.title")),
    h("p", { class: "hint" }, t("tally.hint")),
    rows.length === 0
      ? h("p", { "data-fk": "tally-none" }, t("tally.none"))
      : h(
          "table",
          { class: "tally-table" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, t("tally.warning")),
              h("th", { scope: "col" }, t("tally.shown")),
              h("th", { scope: "col" }, t("tally.sentAnyway")),
            ),
          ),
          h(
            "tbody",
            null,
            rows.map((r) =>
              h(
                "tr",
                { dataset: { warning: r.warning } },
                h("th", { scope: "row" }, t(`tally.kind.${r.warning}`)),
                h("td", { class: "num" }, formatNumber(r.shown)),
                h("td", { class: "num" }, formatNumber(r.sent_anyway)),
              ),
            ),
          ),
        ),
  );
}

// The big screen of a hybrid room (read-only), made to be read from the back of the room and
// left alone: its type scales with the screen, it always fits the screen's height with the
// newest items in view, and it shows nothing private (no hidden items, no reactions of the
// case-bringer).
//
// Before the start: how to join (a large QR code and the code), who is in, how the method
// works. While running: the phase rule as a banner, the phase and its time, the key question
// while advice is given, the boards of this phase, who speaks and who is next, and a small
// way in for latecomers. At the end: thanks, and nothing else.

import { h, replace } from "../dom.js";
import { icon } from "../icons.js";
import { t, language, local, formatClock } from "../i18n/index.js";
import { currentPhase, hasFloor, roundPending } from "../session-state.js";
import { keyQuestion, pinKeyQuestion } from "../rules.js";
import { displayCode } from "../storage.js";
import { board, boardSignature, boardsToShow } from "./boards.js";
import {
  keyQuestionCard,
  nameOf,
  ruleText,
  timer,
  turnTimer,
  section,
  syncSections as sync,
} from "./common.js";
import { reportBackNow, reportBackSection } from "./records.js";
import { caseLine, caseLineText, keyQuestionPin } from "./cases.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('./common.js').Section} Section */

/** The screen's parts, per container, for the mode it was built for (the DOM it built, keyed by
 * that DOM: not UI state). */
/** @type {WeakMap<HTMLElement, {mode: string, slots: Record<string, HTMLElement>}>} */
const built = new WeakMap();

/**
 * Renders the screen into `container`, keeping what did not change.
 * @param {HTMLElement} container
 * @param {SessionView} view
 * @param {number} now the server's time now
 */
export function renderScreen(container, view, now) {
  const mode = view.status;
  let state = built.get(container);
  if (!state || state.mode !== mode) {
    state = { mode, slots: skeleton(container, mode) };
    built.set(container, state);
    watchSize(container);
  }
  const { slots } = state;
  if (mode === "lobby") {
    sync(slots.main, lobbySections(view));
  } else if (mode === "running") {
    sync(slots.top, topSections(view, now));
    sync(slots.pinned, pinnedSections(view));
    const boards = boardSections(view);
    slots.boards.style.setProperty("--boards", String(Math.max(1, boards.length)));
    sync(slots.boards, boards);
    sync(slots.side, sideSections(view, now));
  } else {
    sync(slots.main, [section("ended", [view.title], () => ended(view))]);
  }
  fit(container);
}

/**
 * @param {HTMLElement} container
 * @param {string} mode
 */
function skeleton(container, mode) {
  container.className = `screen screen-${mode}`;
  /** @type {Record<string, HTMLElement>} */
  const slots = {};
  if (mode === "running") {
    slots.top = h("div", { class: "screen-top" });
    slots.pinned = h("div", { class: "screen-pinned" });
    slots.boards = h("div", { class: "screen-boards" });
    slots.side = h("aside", { class: "screen-side" });
    replace(
      container,
      slots.top,
      h(
        "div",
        { class: "screen-body" },
        h("div", { class: "screen-work" }, slots.pinned, slots.boards),
        slots.side,
      ),
    );
  } else {
    slots.main = h("div", { class: "screen-main" });
    replace(container, slots.main);
  }
  return slots;
}

/** @type {WeakSet<HTMLElement>} */
const watched = new WeakSet();

/**
 * Fits again when the window changes size (a projector PC switching resolution).
 * @param {HTMLElement} container
 */
function watchSize(container) {
  if (watched.has(container) || typeof ResizeObserver === "undefined") return;
  watched.add(container);
  new ResizeObserver(() => fit(container)).observe(container);
}

// ---------------------------------------------------------------- before the start

/** @param {SessionView} view */
function lobbySections(view) {
  const here = view.members.filter(
    (m) => m.online && m.role !== "facilitator" && m.role !== "screen",
  );
  return [
    section("title", [view.title, view.method.name], () =>
      h(
        "header",
        { class: "screen-title" },
        h("p", { class: "screen-method" }, local(view.method.name)),
        h("h1", null, view.title),
      ),
    ),
    section("join", [view.code, view.locked], () => joinPanel(view, { big: true })),
    section("present", [here.map((m) => [m.id, m.name])], () =>
      h(
        "section",
        { class: "screen-present", "aria-labelledby": "screen-present-title" },
        h(
          "h2",
          { id: "screen-present-title" },
          icon("users"),
          t("screen.present", { count: here.length }),
        ),
        here.length === 0
          ? h("p", { class: "empty" }, t("screen.nobodyYet"))
          : h(
              "ul",
              { class: "plain name-cloud" },
              here.map((m) => h("li", null, h("bdi", null, m.name))),
            ),
      ),
    ),
    section("method", [view.method.id, view.method.phases.map((p) => p.id)], () =>
      methodPanel(view),
    ),
  ];
}

/**
 * The phases ahead and the group's agreements (loaded with the method explanation).
 * @param {SessionView} view
 */
function methodPanel(view) {
  const agreements = h("ul", { class: "agreements" });
  void import("./help.js")
    .then((help) => help.helpTexts(language()))
    .then((texts) =>
      replace(
        agreements,
        texts.agreements.slice(0, 4).map((a) => h("li", null, a)),
      ),
    )
    .catch(() => {});
  return h(
    "section",
    { class: "screen-method-panel", "aria-labelledby": "screen-method-title" },
    h("h2", { id: "screen-method-title" }, t("screen.howItGoes")),
    h(
      "ol",
      { class: "screen-phases" },
      view.method.phases.map((p) =>
        h(
          "li",
          null,
          local(p.name),
          " ",
          h("span", { class: "muted" }, t("phase.minutes", { count: p.minutes })),
        ),
      ),
    ),
    h("h2", null, t("help.agreements")),
    agreements,
  );
}

/**
 * The way in: large before the start, small in a corner once the session runs.
 * @param {SessionView} view
 * @param {{big: boolean}} opts
 */
function joinPanel(view, opts) {
  const code = displayCode(view.code.replace(/-/g, ""));
  if (view.locked) {
    return h(
      "section",
      { class: ["screen-join", opts.big && "big"], "aria-labelledby": "screen-join-title" },
      h("h2", { id: "screen-join-title" }, icon("lock"), t("screen.locked")),
    );
  }
  return h(
    "section",
    { class: ["screen-join", opts.big && "big"], "aria-labelledby": "screen-join-title" },
    h("h2", { id: "screen-join-title" }, t("screen.join")),
    h("img", {
      src: `/join/${code}/qr.svg`,
      alt: t("fac.qrAlt", { code }),
      class: "qr",
      width: 256,
      height: 256,
    }),
    opts.big
      ? h("p", { class: "screen-url" }, t("screen.howTo", { host: location.host }))
      : h("p", { class: "screen-url" }, location.host),
    h("p", { class: "code big-code" }, code),
  );
}

// ---------------------------------------------------------------- while running

/**
 * The phase rule and the phase with its time.
 * @param {SessionView} view
 * @param {number} now
 */
function topSections(view, now) {
  const phase = currentPhase(view);
  const run = view.phase;
  if (!phase || !run) return [];
  return [
    section("rule", [run.index, run.seq], () =>
      h("p", { class: "screen-rule", role: "note" }, ruleText(view) ?? ""),
    ),
    section("phase", [run, caseLineText(view)], () =>
      h(
        "section",
        { class: ["screen-phase", run.time_up && "time-up"], "aria-labelledby": "phase-name" },
        h(
          "div",
          { class: "screen-phase-text" },
          caseLine(view),
          h(
            "p",
            { class: "phase-step" },
            t("phase.step", { n: run.index + 1, total: view.method.phases.length }),
            " · ",
            view.title,
          ),
          h("h1", { id: "phase-name" }, local(phase.name)),
          h("p", { class: "phase-instruction" }, local(phase.instruction)),
        ),
        timer(view, now),
      ),
    ),
  ];
}

/**
 * Above the boards: the key question while advice is given, and a group's report back.
 * @param {SessionView} view
 */
function pinnedSections(view) {
  /** @type {Section[]} */
  const out = [];
  // The key question the case-bringer chose stays in sight while the group works on it;
  // before they choose, the one worded last while advice is given.
  const chosen = keyQuestionPin(view, { big: true });
  if (chosen) out.push(chosen);
  else if (pinKeyQuestion(view)) {
    out.push(
      section("key-question", [keyQuestion(view)], () => keyQuestionCard(view, { big: true })),
    );
  }
  const report = reportBackNow(view) ? reportBackSection(view, { big: true }) : null;
  if (report) out.push(report);
  return out;
}

/**
 * The boards of this phase, side by side.
 * @param {SessionView} view
 */
function boardSections(view) {
  /** @type {Section[]} */
  const out = [];
  for (const { kind } of boardsToShow(view).filter((b) => b.current)) {
    out.push(
      section(`board-${kind}`, [boardSignature(view, kind, "screen")], () =>
        board(null, view, kind, { mode: "screen", current: true }),
      ),
    );
  }
  return out;
}

/**
 * Who speaks, who is next, the raised hands; and the way in for latecomers.
 * @param {SessionView} view
 * @param {number} now
 */
function sideSections(view, now) {
  return [
    section(
      "speakers",
      [
        view.phase?.index,
        view.phase?.turn_limit,
        view.floor,
        view.round,
        view.hands,
        view.members.map((m) => [m.id, m.name]),
      ],
      () => speakers(view, now),
    ),
    section("join", [view.code, view.locked], () => joinPanel(view, { big: false })),
  ];
}

/**
 * @param {SessionView} view
 * @param {number} now
 */
function speakers(view, now) {
  const phase = currentPhase(view);
  const pending = roundPending(view).filter((m) => m !== view.floor?.member);
  if (phase && !hasFloor(phase)) {
    return h(
      "section",
      { class: "screen-speakers", "aria-labelledby": "screen-speakers-title" },
      h("h2", { id: "screen-speakers-title" }, t("screen.silent")),
      h("p", { class: "floor-name" }, t("turns.silentNow")),
    );
  }
  const limit = view.phase?.turn_limit ?? null;
  return h(
    "section",
    { class: "screen-speakers", "aria-labelledby": "screen-speakers-title" },
    h("h2", { id: "screen-speakers-title" }, icon("mic"), t("screen.speakers")),
    view.floor
      ? h("p", { class: "floor-name" }, nameOf(view, view.floor.member))
      : h("p", { class: "floor-name none" }, t("turns.nobody")),
    view.floor && limit !== null
      ? h(
          "p",
          { class: "turn-box" },
          turnTimer(view, now),
          h("span", { class: "muted" }, t("screen.turnLimit", { time: formatClock(limit * 1000) })),
        )
      : null,
    pending.length > 0
      ? [
          h("h3", null, t("screen.nextInRound")),
          h(
            "ol",
            { class: "round-list" },
            pending.slice(0, 4).map((id) => h("li", null, nameOf(view, id))),
          ),
        ]
      : null,
    pending.length > 4
      ? h("p", { class: "muted" }, t("screen.more", { count: pending.length - 4 }))
      : null,
    view.hands.length > 0
      ? [
          h("h3", null, icon("hand"), t("screen.hands")),
          h(
            "ol",
            { class: "queue-list" },
            view.hands.slice(0, 4).map((id) => h("li", null, nameOf(view, id))),
          ),
        ]
      : null,
    view.hands.length > 4
      ? h("p", { class: "muted" }, t("screen.more", { count: view.hands.length - 4 }))
      : null,
  );
}

// ---------------------------------------------------------------- at the end

/** @param {SessionView} view */
function ended(view) {
  return h(
    "section",
    { class: "screen-ended-card", "aria-labelledby": "screen-ended-title" },
    h("p", { class: "screen-method" }, view.title),
    h("h1", { id: "screen-ended-title" }, t("screen.thanks")),
    h("p", null, t("screen.endedText")),
  );
}

// ---------------------------------------------------------------- fitting the height

/**
 * Makes every board fit the screen's height with its newest items in view: the oldest are
 * left out first, and a line at the top says how many are not shown.
 * @param {HTMLElement} container
 */
export function fit(container) {
  for (const el of container.querySelectorAll(".screen-boards .board")) {
    if (el instanceof HTMLElement) fitBoard(el);
  }
}

/** @param {HTMLElement} boardEl */
function fitBoard(boardEl) {
  const list = boardEl.querySelector("ol.items");
  if (!(list instanceof HTMLElement)) return;
  const items = [...list.children].filter(
    (li) => li instanceof HTMLElement && li.classList.contains("item"),
  );
  for (const li of items) /** @type {HTMLElement} */ (li).hidden = false;
  list.querySelector(":scope > .earlier")?.remove();
  const overflows = () => boardEl.scrollHeight > boardEl.clientHeight + 1;
  if (!overflows()) return;
  const earlier = h("li", { class: "earlier" }, "");
  list.prepend(earlier);
  let hidden = 0;
  // Keep at least the newest item, however long it is.
  while (overflows() && hidden < items.length - 1) {
    /** @type {HTMLElement} */ (items[hidden]).hidden = true;
    hidden += 1;
    earlier.textContent = t("screen.earlier", { count: hidden });
  }
}

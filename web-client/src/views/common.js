// Pieces every view uses: the top bar (connection status, help, this device's settings,
// language), the lost-connection banner, the phase card with its timer and rule, menus, error
// texts, and the live ticker that keeps timers and speaking times current.

import { h, setText, syncList } from "../dom.js";
import { icon } from "../icons.js";
import {
  t,
  local,
  language,
  chooseLanguage,
  isLanguage,
  LANGUAGES,
  formatClock,
  formatDuration,
} from "../i18n/index.js";
import {
  currentPhase,
  memberById,
  remainingMs,
  roundPending,
  speakingMs,
} from "../session-state.js";
import { hasCases, keyQuestion, mayNow, phaseRule } from "../rules.js";
import { canVibrate, prefs, setPref } from "../device.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').ErrorMsg} ErrorMsg */
/** @typedef {import('../protocol').ErrorCode} ErrorCode */
/** @typedef {import('../protocol').MemberId} MemberId */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('../transport.js').ConnState} ConnState */
/** @typedef {import('../icons.js').IconName} IconName */

// ---------------------------------------------------------------- sections
//
// The pages are lists of sections, kept in step with the view by `syncList`: a section whose
// signature did not change keeps its element (and with it focus, open details, scroll). The
// signature is derived here from what the section declares it shows, plus the language every
// section is written in, so no view writes one by hand (or forgets the language in it).

/**
 * A part of a page: its key in the list, the signature of what it shows, and how to build it.
 * @typedef {{key: string, sig: string, build: () => HTMLElement}} Section
 */

/**
 * A section that is rebuilt when one of its inputs changes, compared by value (the view is a
 * fresh copy after every event, so sameness of objects would say nothing). `build` must show
 * nothing but what `inputs` holds; anything it reads from elsewhere belongs in them.
 * @param {string} key
 * @param {readonly unknown[]} inputs
 * @param {() => HTMLElement} build
 * @returns {Section}
 */
export function section(key, inputs, build) {
  return { key, sig: JSON.stringify([language(), ...inputs]), build };
}

/**
 * Puts `sections` into `container`, rebuilding only those whose inputs changed.
 * @param {Element} container
 * @param {readonly Section[]} sections
 */
export function syncSections(container, sections) {
  syncList(
    container,
    sections,
    (s) => s.key,
    (s) => s.sig,
    (s) => s.build(),
  );
}

/**
 * The connection state, always visible. `role="status"` so a change is announced politely.
 * @param {ConnState} state
 * @param {number} pending commands waiting to be sent
 */
export function connectionStatus(state, pending) {
  const label = t(`conn.${state}`);
  return h(
    "p",
    { class: ["conn", `conn-${state}`], role: "status", dataset: { state } },
    state === "connected"
      ? h("span", { class: "conn-dot", "aria-hidden": "true" })
      : icon("offline"),
    h("span", { class: "conn-label" }, label),
    pending > 0 && state !== "connected"
      ? h("span", { class: "conn-pending" }, t("conn.waiting", { count: pending }))
      : null,
  );
}

/**
 * A full-width banner while the connection is lost: hard to miss on a phone, and on the big
 * screen (where nobody touches anything) the only sign that what it shows may be stale.
 * @param {ConnState} state
 * @param {{screen?: boolean, pending?: number}} [opts]
 */
export function connectionBanner(state, opts = {}) {
  if (state === "connected" || state === "connecting") return null;
  const text =
    state === "offline"
      ? t("conn.bannerOffline")
      : state === "closed"
        ? t("conn.bannerClosed")
        : t("conn.bannerReconnecting");
  return h(
    "div",
    { class: ["conn-banner", `conn-banner-${state}`], role: "alert" },
    icon("offline"),
    h(
      "p",
      null,
      h("strong", null, text),
      " ",
      opts.screen ? t("conn.bannerScreen") : t("conn.bannerKeep"),
    ),
  );
}

/** A language switch that remembers the choice on this device. */
export function languageSwitch() {
  const id = "lang-switch";
  return h(
    "div",
    { class: "lang" },
    h("label", { for: id, class: "visually-hidden" }, t("lang.label")),
    h(
      "select",
      {
        id,
        "data-fk": "lang",
        onchange: (/** @type {Event} */ e) => {
          const v = /** @type {HTMLSelectElement} */ (e.target).value;
          if (isLanguage(v)) void chooseLanguage(v);
        },
      },
      LANGUAGES.map((l) =>
        h(
          "option",
          { value: l, selected: l === language(), lang: l, "aria-label": t(`lang.${l}`) },
          l.toUpperCase(),
        ),
      ),
    ),
  );
}

/**
 * A small menu that opens under its button (a `details` element: no script needed to open
 * it, and the keyboard works). Closes when something in it is chosen or on a click outside.
 * @param {{label: string, icon?: IconName, text?: string, class?: string, fk?: string}} button
 * @param {(Node | null)[]} items
 */
export function menu(button, items) {
  const details = h(
    "details",
    { class: ["menu", button.class] },
    h(
      "summary",
      {
        class: "menu-button",
        "aria-label": button.text ? undefined : button.label,
        title: button.label,
        "data-fk": button.fk,
      },
      button.icon ? icon(button.icon) : null,
      button.text ? h("span", null, button.text) : null,
    ),
    h("div", { class: "menu-panel", role: "group", "aria-label": button.label }, items),
  );
  details.addEventListener("click", (e) => {
    if (e.target instanceof Element && e.target.closest(".menu-panel button")) details.open = false;
  });
  return details;
}

// One click outside closes every open menu.
if (typeof document !== "undefined") {
  document.addEventListener("click", (e) => {
    for (const open of document.querySelectorAll("details.menu[open]")) {
      if (!(e.target instanceof Node) || !open.contains(e.target))
        /** @type {HTMLDetailsElement} */ (open).open = false;
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    for (const open of document.querySelectorAll("details.menu[open]")) {
      /** @type {HTMLDetailsElement} */ (open).open = false;
      open.querySelector("summary")?.focus();
    }
  });
}

/**
 * This device's alerts: a chime and a vibration near the end of the time, a vibration on my
 * turn. All off until chosen.
 * @param {{turn: boolean}} opts whether "my turn" applies (not for the facilitator)
 */
export function settingsMenu(opts) {
  const p = prefs();
  /** @param {"chime" | "vibrateTime" | "vibrateTurn"} name @param {string} label */
  const toggle = (name, label) => {
    const id = `pref-${name}`;
    return h(
      "label",
      { class: "check menu-check", for: id },
      h("input", {
        type: "checkbox",
        id,
        checked: p[name],
        "data-fk": id,
        onchange: (/** @type {Event} */ e) =>
          setPref(name, /** @type {HTMLInputElement} */ (e.target).checked),
      }),
      label,
    );
  };
  return menu({ label: t("prefs.title"), icon: "bell", class: "prefs", fk: "prefs" }, [
    h("p", { class: "menu-title" }, t("prefs.title")),
    toggle("chime", t("prefs.chime")),
    canVibrate() ? toggle("vibrateTime", t("prefs.vibrateTime")) : null,
    canVibrate() && opts.turn ? toggle("vibrateTurn", t("prefs.vibrateTurn")) : null,
    h("p", { class: "hint" }, t("prefs.hint")),
  ]);
}

/**
 * The bar at the top of every page.
 * @param {{title?: string, conn?: ConnState, pending?: number, help?: (() => void) | null, prefs?: {turn: boolean} | null}} opts
 */
export function topBar(opts) {
  return h(
    "header",
    { class: "topbar" },
    h("a", { href: "/", class: "brand", "aria-label": t("app.home") }, "kring"),
    opts.title ? h("p", { class: "topbar-title" }, opts.title) : null,
    h(
      "div",
      { class: "topbar-end" },
      opts.conn ? connectionStatus(opts.conn, opts.pending ?? 0) : null,
      opts.help
        ? h(
            "button",
            {
              type: "button",
              class: "icon-button help-button",
              "aria-label": t("help.open"),
              title: t("help.open"),
              "data-fk": "help",
              onclick: opts.help,
            },
            icon("help"),
          )
        : null,
      opts.prefs ? settingsMenu(opts.prefs) : null,
      languageSwitch(),
    ),
  );
}

/**
 * @param {SessionView} view
 * @param {MemberId | null} id
 */
export function nameOf(view, id) {
  if (id === null) return t("item.anonymous");
  const member = memberById(view, id);
  if (!member) return t("member.gone");
  // The facilitator's role stands beside their name, so nobody can pose as them by name.
  if (member.role === "facilitator")
    return t("member.withRole", { name: isolate(member.name), role: t("role.facilitator") });
  return isolate(member.name);
}

/**
 * A name isolated from the text around it (first strong isolate ... pop directional isolate,
 * the plain-text form of `<bdi>`): a right-to-left name cannot reorder the sentence it stands
 * in. Names cannot hold these characters themselves (the server refuses format characters).
 * @param {string} name
 */
export function isolate(name) {
  return `\u2068${name}\u2069`;
}

/**
 * The phase rule as people read it from across the room: "QUESTIONS · no advice yet".
 * @param {SessionView} view
 */
export function ruleText(view) {
  const rule = phaseRule(view);
  if (!rule) return null;
  return rule.notYet ? `${t(rule.now)} · ${t(rule.notYet)}` : t(rule.now);
}

/**
 * "Participants can now: ask questions, support questions" (and the case-bringer's part).
 * @param {SessionView} view
 */
export function mayNowLines(view) {
  const may = mayNow(view);
  if (may.group.length === 0) return null;
  const list = (/** @type {string[]} */ keys) => keys.map((k) => t(k)).join(", ");
  return h(
    "div",
    { class: "may-now" },
    h("p", null, h("strong", null, t("may.group")), " ", list(may.group)),
    view.case_bringer !== null || may.caseBringer.length > 0
      ? h(
          "p",
          null,
          h("strong", null, t("may.caseBringer")),
          " ",
          may.caseBringer.length > 0 ? list(may.caseBringer) : t("may.listen"),
        )
      : null,
  );
}

/**
 * The phase: where we are, what it asks, and its time box.
 * @param {SessionView} view
 * @param {{big?: boolean, headingLevel?: 1 | 2, now?: number, facilitator?: boolean}} [opts]
 */
export function phaseCard(view, opts = {}) {
  const Heading = opts.headingLevel === 2 ? "h2" : "h1";
  if (view.status === "lobby") {
    return h(
      "section",
      { class: ["phase", "card", opts.big && "big"], "aria-labelledby": "phase-name" },
      h("p", { class: "phase-step" }, local(view.method.name)),
      h(Heading, { id: "phase-name" }, t("phase.lobby")),
      h(
        "p",
        { class: "phase-instruction" },
        t(opts.facilitator ? "phase.lobbyHintFacilitator" : "phase.lobbyHint"),
      ),
    );
  }
  if (view.status === "ended") {
    return h(
      "section",
      { class: ["phase", "card", opts.big && "big"], "aria-labelledby": "phase-name" },
      h("p", { class: "phase-step" }, local(view.method.name)),
      h(Heading, { id: "phase-name" }, t("phase.ended")),
      h("p", { class: "phase-instruction" }, t("phase.endedHint")),
    );
  }
  const phase = currentPhase(view);
  const run = view.phase;
  if (!phase || !run) return h("section", { class: "phase card" });
  const rule = ruleText(view);
  return h(
    "section",
    {
      class: ["phase", "card", opts.big && "big", run.time_up && "time-up"],
      "aria-labelledby": "phase-name",
    },
    h(
      "div",
      { class: "phase-head" },
      h(
        "p",
        { class: "phase-step" },
        t("phase.step", { n: run.index + 1, total: view.method.phases.length }),
      ),
      timer(view, opts.now),
      h(Heading, { id: "phase-name" }, local(phase.name)),
    ),
    rule && !opts.big ? h("p", { class: "phase-rule" }, rule) : null,
    h("p", { class: "phase-instruction" }, local(phase.instruction)),
    opts.facilitator ? mayNowLines(view) : null,
  );
}

/**
 * The countdown of the time box. Its text is kept current by the ticker; the element is a
 * `role="timer"` (not live: announcing every second would drown everything else). A paused
 * clock shows what is left and says it is paused.
 * @param {SessionView} view
 * @param {number} [now] the server's time now (the ticker keeps it current from then on)
 */
export function timer(view, now) {
  const run = view.phase;
  if (!run || view.status !== "running") return h("span");
  if (run.paused_left !== null && run.paused_left !== undefined) {
    return h(
      "p",
      { class: ["timer", "paused"], role: "timer" },
      h("span", { class: "visually-hidden" }, t("timer.label")),
      h("span", { class: "timer-clock" }, formatClock(run.paused_left)),
      h("span", { class: "timer-note" }, icon("pause"), t("timer.paused")),
    );
  }
  if (run.deadline === null) return h("span");
  const el = h(
    "p",
    {
      class: "timer",
      role: "timer",
      dataset: { deadline: run.deadline, timeUp: run.time_up ? "1" : "0" },
    },
    h("span", { class: "visually-hidden" }, t("timer.label")),
    h("span", { class: "timer-clock" }, ""),
    h("span", { class: "timer-note" }, ""),
  );
  if (now !== undefined) showTimer(el, now);
  return el;
}

/**
 * Fills a timer element for `now`.
 * @param {HTMLElement} el
 * @param {number} now
 */
function showTimer(el, now) {
  const left = Number(el.dataset.deadline) - now;
  const clock = el.querySelector(".timer-clock");
  const note = el.querySelector(".timer-note");
  const over = left <= 0;
  el.classList.toggle("over", over);
  el.classList.toggle("soon", !over && left <= 60_000);
  if (clock) setText(clock, over ? `+${formatClock(-left)}` : formatClock(left));
  if (note) setText(note, over ? t("timer.up") : t("timer.left"));
}

/**
 * The speaker's own time box (a turn limit in this phase): counts down from when they got
 * the floor, then counts up in red.
 * @param {SessionView} view
 * @param {number} now
 */
export function turnTimer(view, now) {
  const limit = view.phase?.turn_limit ?? null;
  const floor = view.floor;
  if (limit === null || !floor) return null;
  const end = floor.since + limit * 1000;
  const el = h(
    "span",
    {
      class: "turn-timer",
      dataset: { turnEnd: end },
      title: t("turn.limitTitle", { time: formatClock(limit * 1000) }),
    },
    icon("clock"),
    h("span", { class: "visually-hidden" }, t("turn.limitLabel"), " "),
    h("span", { class: "turn-clock" }, ""),
  );
  showTurnTimer(el, now);
  return el;
}

/**
 * @param {HTMLElement} el
 * @param {number} now
 */
function showTurnTimer(el, now) {
  const left = Number(el.dataset.turnEnd) - now;
  const clock = el.querySelector(".turn-clock");
  el.classList.toggle("over", left <= 0);
  if (clock) setText(clock, left > 0 ? formatClock(left) : `+${formatClock(-left)}`);
}

/**
 * Who has the floor and who is next, in one line.
 * @param {SessionView} view
 * @param {number} [now]
 */
export function turnLine(view, now) {
  const phase = currentPhase(view);
  if (!phase || view.status !== "running") return null;
  const parts = [];
  if (phase.turns === "silent") {
    parts.push(t("turns.silentNow"));
  } else if (view.floor) {
    parts.push(t("turns.speaking", { name: nameOf(view, view.floor.member) }));
  } else {
    parts.push(t("turns.nobody"));
  }
  if (view.round) {
    const pending = roundPending(view).filter((m) => !view.floor || m !== view.floor.member);
    if (pending.length > 0) parts.push(t("turns.nextInRound", { name: nameOf(view, pending[0]) }));
  }
  return h(
    "p",
    { class: "turn-line" },
    icon(view.floor ? "mic" : "users"),
    h("span", null, parts.join(" · ")),
    now !== undefined ? turnTimer(view, now) : null,
  );
}

/**
 * The key question, pinned while advice is given: advice answers it.
 * @param {SessionView} view
 * @param {{big?: boolean}} [opts]
 */
export function keyQuestionCard(view, opts = {}) {
  const kq = keyQuestion(view);
  if (!kq) return h("div");
  return h(
    "section",
    {
      class: ["card", "key-question", opts.big && "big"],
      "aria-labelledby": "kq-title",
      dataset: { item: kq.id },
    },
    h("h2", { id: "kq-title" }, icon("star"), t("kq.title")),
    h("p", { class: "item-text" }, kq.text ?? ""),
  );
}

/**
 * The session's video call, for remote and hybrid groups.
 * @param {SessionView} view
 */
export function videoLink(view) {
  const url = view.settings.video_url;
  if (!url) return null;
  let host = "";
  try {
    host = new URL(url).host;
  } catch {
    return null;
  }
  return h(
    "p",
    { class: "video-link" },
    h(
      "a",
      { href: url, class: "button", target: "_blank", rel: "noopener noreferrer" },
      icon("video"),
      t("video.open"),
      h("span", { class: "video-host" }, host),
    ),
  );
}

/**
 * The person-facing text for an error, with the phases where an input is allowed.
 * @param {SessionView | null} view
 * @param {ErrorMsg | {code: ErrorCode, phases?: number[]}} err
 */
export function errorText(view, err) {
  // In a method without case proposals, "choose a case first" would not fit.
  const base =
    err.code === "no_case_bringer" && view && !hasCases(view)
      ? t("error.no_case_bringer.noCases")
      : t(`error.${err.code}`);
  if (err.code === "phase_forbids" && view && err.phases && err.phases.length > 0) {
    const names = err.phases.map((i) => local(view.method.phases[i]?.name ?? { nl: "?", en: "?" }));
    return `${base} ${t("error.allowedIn", { phases: names.join(", ") })}`;
  }
  return base;
}

/**
 * The name of phase `index`.
 * @param {SessionView} view
 * @param {number} index
 */
export function phaseName(view, index) {
  const p = view.method.phases[index];
  return p ? local(p.name) : "";
}

/**
 * Keeps timers and live speaking times current, every half second.
 * @param {() => number} serverNow
 * @param {(now: number) => void} [each] called on every tick (alerts)
 */
export function startTicker(serverNow, each) {
  const tick = () => {
    const now = serverNow();
    for (const el of document.querySelectorAll("[data-deadline]")) {
      if (el instanceof HTMLElement) showTimer(el, now);
    }
    for (const el of document.querySelectorAll("[data-turn-end]")) {
      if (el instanceof HTMLElement) showTurnTimer(el, now);
    }
    for (const el of document.querySelectorAll("[data-speaking-base]")) {
      if (!(el instanceof HTMLElement)) continue;
      const base = Number(el.dataset.speakingBase);
      const since = el.dataset.speakingSince ? Number(el.dataset.speakingSince) : null;
      const ms = since === null ? base : base + Math.max(0, now - since);
      setText(el, formatClock(ms));
      el.setAttribute("title", formatDuration(ms));
    }
    each?.(now);
  };
  tick();
  return setInterval(tick, 500);
}

/**
 * A speaking time that the ticker keeps live while the member has the floor.
 * @param {SessionView} view
 * @param {MemberId} id
 * @param {number} serverNow
 */
export function speakingTime(view, id, serverNow) {
  const m = memberById(view, id);
  const since = view.floor && view.floor.member === id ? view.floor.since : undefined;
  return h(
    "span",
    { class: "speaking", dataset: { speakingBase: m ? m.speaking_ms : 0, speakingSince: since } },
    formatClock(speakingMs(view, id, serverNow)),
  );
}

/**
 * Announces phase changes, time-up and "your turn" once, politely.
 */
export class Announcer {
  constructor() {
    const existing = document.getElementById("announcer");
    this.el =
      existing ?? h("div", { id: "announcer", class: "visually-hidden", "aria-live": "polite" });
    if (!existing) document.body.appendChild(this.el);
    /** @type {string | null} */
    this.lastKey = null;
  }

  /**
   * @param {SessionView} view
   * @param {MemberId | null} me
   */
  update(view, me) {
    const phase = currentPhase(view);
    const run = view.phase;
    const key = [
      view.status,
      run?.seq,
      run?.time_up,
      view.floor?.member === me && me !== null,
    ].join("|");
    if (key === this.lastKey) return;
    const first = this.lastKey === null;
    const previous = this.lastKey ? this.lastKey.split("|") : [];
    this.lastKey = key;
    if (first) return;
    if (view.status === "ended") return this.say(t("phase.ended"));
    if (!phase || !run) return;
    if (String(run.seq) !== previous[1]) {
      return this.say(
        `${t("announce.phase", { name: local(phase.name) })} ${local(phase.instruction)}`,
      );
    }
    if (run.time_up && previous[2] !== "true") return this.say(t("timer.up"));
    if (view.floor?.member === me && me !== null) this.say(t("turns.yourTurn"));
  }

  /** @param {string} text */
  say(text) {
    // Clear first so the same text twice is still announced.
    this.el.textContent = "";
    setTimeout(() => {
      this.el.textContent = text;
    }, 50);
  }
}

/**
 * Remaining time in words, for places that are not live (e.g. a summary line).
 * @param {SessionView} view
 * @param {number} now
 */
export function remainingText(view, now) {
  const left = remainingMs(view, now);
  if (left === null) return "";
  return left > 0 ? formatClock(left) : t("timer.up");
}

/**
 * A full-page message (session over, removed, not found) with a way on.
 * @param {string} title
 * @param {string} text
 * @param {Node[]} actions
 */
export function messagePage(title, text, actions) {
  return h(
    "section",
    { class: "card message", "aria-labelledby": "message-title" },
    h("h1", { id: "message-title" }, title),
    h("p", null, text),
    actions.length > 0 ? h("div", { class: "actions" }, actions) : null,
  );
}

/**
 * Errors about actions (not about typed text), each dismissable; they also go by themselves
 * once they no longer apply.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section[]}
 */
export function noticeSections(session, view) {
  return session.notices.map((notice, i) =>
    section(`notice-${i}-${notice.code}`, [notice.code, notice.phases], () =>
      h(
        "div",
        { class: "card notice-card", role: "alert" },
        h("p", null, errorText(view, notice)),
        h(
          "button",
          {
            type: "button",
            class: "quiet small icon-button",
            "aria-label": t("outbox.dismiss"),
            title: t("outbox.dismiss"),
            onclick: () => session.dismissNotice(notice),
          },
          icon("close"),
        ),
      ),
    ),
  );
}

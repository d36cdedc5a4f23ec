// Pieces every view uses: the top bar (connection status, language), the phase card with its
// timer, error texts, and the live ticker that keeps timers and speaking times current.

import { h, setText } from "../dom.js";
import { t, local, language, chooseLanguage, LANGUAGES, formatClock, formatDuration } from "../i18n/index.js";
import { currentPhase, memberById, remainingMs, roundPending, speakingMs } from "../session-state.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').ErrorMsg} ErrorMsg */
/** @typedef {import('../protocol').ErrorCode} ErrorCode */
/** @typedef {import('../protocol').MemberId} MemberId */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('../transport.js').ConnState} ConnState */

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
    h("span", { class: "conn-dot", "aria-hidden": "true" }),
    h("span", { class: "conn-label" }, label),
    pending > 0 && state !== "connected" ? h("span", { class: "conn-pending" }, t("conn.waiting", { count: pending })) : null,
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
          if (v === "nl" || v === "en") chooseLanguage(v);
        },
      },
      LANGUAGES.map((l) => h("option", { value: l, selected: l === language(), lang: l, "aria-label": t(`lang.${l}`) }, l.toUpperCase())),
    ),
  );
}

/**
 * The bar at the top of every page.
 * @param {{title?: string, conn?: ConnState, pending?: number, extra?: Node | null}} opts
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
      opts.extra ?? null,
      opts.conn ? connectionStatus(opts.conn, opts.pending ?? 0) : null,
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
  if (member.role === "facilitator") return t("member.withRole", { name: isolate(member.name), role: t("role.facilitator") });
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
      h("p", { class: "phase-instruction" }, t(opts.facilitator ? "phase.lobbyHintFacilitator" : "phase.lobbyHint")),
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
  return h(
    "section",
    { class: ["phase", "card", opts.big && "big", run.time_up && "time-up"], "aria-labelledby": "phase-name" },
    h(
      "div",
      { class: "phase-head" },
      h("p", { class: "phase-step" }, t("phase.step", { n: run.index + 1, total: view.method.phases.length })),
      timer(view, opts.now),
      h(Heading, { id: "phase-name" }, local(phase.name)),
    ),
    h("p", { class: "phase-instruction" }, local(phase.instruction)),
  );
}

/**
 * The countdown of the time box. Its text is kept current by the ticker; the element is a
 * `role="timer"` (not live: announcing every second would drown everything else).
 * @param {SessionView} view
 * @param {number} [now] the server's time now (the ticker keeps it current from then on)
 */
export function timer(view, now) {
  const run = view.phase;
  if (!run || run.deadline === null || view.status !== "running") return h("span");
  const el = h(
    "p",
    { class: "timer", role: "timer", dataset: { deadline: run.deadline, timeUp: run.time_up ? "1" : "0" } },
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
 * Who has the floor and who is next, in one line.
 * @param {SessionView} view
 */
export function turnLine(view) {
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
  return h("p", { class: "turn-line" }, parts.join(" · "));
}

/**
 * The person-facing text for an error, with the phases where an input is allowed.
 * @param {SessionView | null} view
 * @param {ErrorMsg | {code: ErrorCode, phases?: number[]}} err
 */
export function errorText(view, err) {
  const base = t(`error.${err.code}`);
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
 */
export function startTicker(serverNow) {
  const tick = () => {
    const now = serverNow();
    for (const el of document.querySelectorAll("[data-deadline]")) {
      if (el instanceof HTMLElement) showTimer(el, now);
    }
    for (const el of document.querySelectorAll("[data-speaking-base]")) {
      if (!(el instanceof HTMLElement)) continue;
      const base = Number(el.dataset.speakingBase);
      const since = el.dataset.speakingSince ? Number(el.dataset.speakingSince) : null;
      const ms = since === null ? base : base + Math.max(0, now - since);
      setText(el, formatClock(ms));
      el.setAttribute("title", formatDuration(ms));
    }
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
    this.el = existing ?? h("div", { id: "announcer", class: "visually-hidden", "aria-live": "polite" });
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
    const key = [view.status, run?.seq, run?.time_up, view.floor?.member === me && me !== null].join("|");
    if (key === this.lastKey) return;
    const first = this.lastKey === null;
    const previous = this.lastKey ? this.lastKey.split("|") : [];
    this.lastKey = key;
    if (first) return;
    if (view.status === "ended") return this.say(t("phase.ended"));
    if (!phase || !run) return;
    if (String(run.seq) !== previous[1]) {
      return this.say(`${t("announce.phase", { name: local(phase.name) })} ${local(phase.instruction)}`);
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
 * Errors about actions (not about typed text), each dismissable.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {{key: string, sig: string, build: () => HTMLElement}[]}
 */
export function noticeSections(session, view) {
  return session.notices.map((notice, i) => ({
    key: `notice-${i}-${notice.code}`,
    sig: JSON.stringify([document.documentElement.lang, notice.code, notice.phases]),
    build: () =>
      h(
        "div",
        { class: "card notice-card", role: "alert" },
        h("p", null, errorText(view, notice)),
        h("button", { type: "button", class: "quiet small", onclick: () => session.dismissNotice(notice) }, t("outbox.dismiss")),
      ),
  }));
}

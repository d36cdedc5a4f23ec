// The big screen of a hybrid room (read-only): how to join (QR code and code, large), the
// phase and its timer, who speaks and who is next, and the boards of this phase (in a group's
// next meeting, first what it kept last time).

import { h } from "../dom.js";
import { t, language } from "../i18n/index.js";
import { roundPending } from "../session-state.js";
import { displayCode } from "../storage.js";
import { board, boardSignature, boardsToShow } from "./boards.js";
import { nameOf, phaseCard } from "./common.js";
import { reportBackNow, reportBackSection } from "./records.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {{key: string, sig: string, build: () => HTMLElement}} Section */

/**
 * @param {SessionView} view
 * @param {number} now the server's time now
 * @returns {{top: Section[], boards: Section[]}}
 */
export function screenSections(view, now) {
  const lang = language();
  /** @type {Section[]} */
  const top = [
    {
      key: "phase",
      sig: JSON.stringify([lang, view.status, view.phase]),
      build: () => phaseCard(view, { big: true, now }),
    },
    view.status === "lobby"
      ? {
          key: "present",
          sig: JSON.stringify([lang, view.members.map((m) => [m.id, m.name, m.online, m.role])]),
          build: () => present(view),
        }
      : {
          key: "speakers",
          sig: JSON.stringify([lang, view.status, view.floor, view.round, view.hands, view.members.map((m) => [m.id, m.name])]),
          build: () => speakers(view),
        },
    {
      key: "join",
      sig: JSON.stringify([lang, view.code, view.locked, view.status, view.members.filter((m) => m.online).length]),
      build: () => join(view),
    },
  ];
  const shown = boardsToShow(view).filter((b) => b.current);
  /** @type {Section[]} */
  const boards = shown.map(({ kind }) => ({
    key: `board-${kind}`,
    sig: JSON.stringify([lang, boardSignature(view, kind, "screen")]),
    build: () => board(null, view, kind, { mode: "screen", current: true }),
  }));
  // A group's next meeting: last time's commitments, large, while they are reported back.
  const report = view.status === "running" && reportBackNow(view) ? reportBackSection(view, { big: true }) : null;
  if (report) boards.unshift(report);
  return { top, boards };
}

/** @param {SessionView} view */
function speakers(view) {
  const pending = roundPending(view).filter((m) => m !== view.floor?.member);
  return h(
    "section",
    { class: "card screen-speakers", "aria-labelledby": "screen-speakers-title" },
    h("h2", { id: "screen-speakers-title" }, t("screen.speakers")),
    view.floor
      ? h("p", { class: "floor-name big-text" }, nameOf(view, view.floor.member))
      : h("p", { class: "floor-name" }, t("turns.nobody")),
    pending.length > 0
      ? [h("h3", null, t("screen.nextInRound")), h("ol", { class: "round-list" }, pending.slice(0, 6).map((id) => h("li", null, nameOf(view, id))))]
      : null,
    view.hands.length > 0
      ? [h("h3", null, t("screen.hands")), h("ol", { class: "queue-list" }, view.hands.map((id) => h("li", null, nameOf(view, id))))]
      : null,
  );
}

/**
 * Before the start: who is already here (so people see they got in).
 * @param {SessionView} view
 */
function present(view) {
  const here = view.members.filter((m) => m.online && m.role !== "facilitator" && m.role !== "screen");
  return h(
    "section",
    { class: "card screen-present", "aria-labelledby": "screen-present-title" },
    h("h2", { id: "screen-present-title" }, t("screen.present", { count: here.length })),
    here.length === 0 ? h("p", { class: "empty" }, t("screen.nobodyYet")) : h("ul", { class: "plain name-cloud" }, here.map((m) => h("li", null, h("bdi", null, m.name)))),
  );
}

/** @param {SessionView} view */
function join(view) {
  const code = displayCode(view.code.replace(/-/g, ""));
  const online = view.members.filter((m) => m.online && m.role !== "screen").length;
  return h(
    "section",
    { class: "card screen-join", "aria-labelledby": "screen-join-title" },
    h("h2", { id: "screen-join-title" }, view.locked ? t("screen.locked") : t("screen.join")),
    view.locked || view.status === "ended"
      ? null
      : [
          h("img", { src: `/join/${code}/qr.svg`, alt: t("fac.qrAlt", { code }), class: "qr", width: 220, height: 220 }),
          h("p", { class: "screen-url" }, t("screen.howTo", { host: location.host })),
        ],
    h("p", { class: "code big-code" }, code),
    view.status === "lobby" ? null : h("p", { class: "hint" }, t("screen.present", { count: online })),
  );
}

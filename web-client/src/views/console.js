// The facilitator's console (laptop): phase controls and the time box, the floor, round and
// queue, the roster with presence and speaking time, moderation, the room lock, the big screen
// (and its link for a projector PC), the group's key, ending the session and the attendance
// record.

import { h, copyText } from "../dom.js";
import { t, local, language, formatDate, formatNumber } from "../i18n/index.js";
import { WARNINGS, currentPhase, hasFloor, roundPending } from "../session-state.js";
import { displayCode, groupToken, screenToken } from "../storage.js";
import { board, boardSignature, boardsToShow } from "./boards.js";
import { nameOf, noticeSections, phaseCard, speakingTime } from "./common.js";
import { attendanceSection, attestSection, reflectionSection, reportBackNow, reportBackSection } from "./records.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').MemberView} MemberView */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {{key: string, sig: string, build: () => HTMLElement}} Section */

/** Two-step confirmations in progress ("end session", "remove member"), kept across renders. */
const confirming = new Set();

/**
 * @param {Session} session
 * @param {SessionView} view
 * @returns {{control: Section[], main: Section[], side: Section[]}}
 */
export function consoleSections(session, view) {
  const lang = language();
  /** @type {Section[]} */
  const control = [];
  /** @type {Section[]} */
  const main = [];
  /** @type {Section[]} */
  const side = [];

  control.push(...noticeSections(session, view));

  control.push({
    key: "phases",
    sig: JSON.stringify([lang, view.status, view.phase, view.case_bringer, [...confirming]]),
    build: () => phaseControls(session, view),
  });
  // Once ended there is nothing left to set, lock or end.
  if (view.status !== "ended") control.push({
    key: "room",
    sig: JSON.stringify([lang, view.locked, view.status, view.case_bringer, view.members.map((m) => [m.id, m.name, m.role]), [...confirming]]),
    build: () => roomControls(session, view),
  });

  if (view.status === "ended") {
    main.push({
      key: "ended",
      sig: JSON.stringify([lang, view.settings.keep_for_group]),
      build: () =>
        h(
          "section",
          { class: "card ended-card", "aria-labelledby": "fac-ended-title" },
          h("h2", { id: "fac-ended-title" }, t("fac.endedTitle")),
          h("p", null, t("fac.endedText")),
          h("p", null, view.settings.keep_for_group ? t("ended.kept") : t("ended.notKept")),
          h("p", null, t("fac.endedSummary")),
        ),
    });
    main.push(attendanceSection(session, view));
    // The facilitator took part too: their own confirmation, certificate and reflection.
    main.push(attestSection(session, view), reflectionSection(session, view));
  }
  if (view.status !== "ended") {
    main.push({
      key: "phase",
      sig: JSON.stringify([lang, view.status, view.phase, view.floor, view.round, view.members.map((m) => m.name)]),
      build: () => phaseCard(view, { headingLevel: 2, now: session.now(), facilitator: true }),
    });
    // A group's next meeting: what it kept, right under the phase that reports on it.
    const report = reportBackNow(view) ? reportBackSection(view) : null;
    if (report) main.push(report);
    main.push({
      key: "speaker",
      sig: JSON.stringify([lang, view.status, view.phase?.seq, view.floor, view.round, view.hands, view.members]),
      build: () => speakerCard(session, view),
    });
  }
  const unrevealed = view.items.filter((i) => i.kind === "private_note" && !i.revealed).length;
  if (unrevealed > 0) {
    main.push({
      key: "reveal",
      sig: JSON.stringify([lang, unrevealed]),
      build: () =>
        h(
          "section",
          { class: "card", "aria-labelledby": "reveal-title" },
          h("h2", { id: "reveal-title" }, t("fac.notesTitle")),
          h("p", null, t("fac.notesWaiting", { count: unrevealed })),
          h("button", { type: "button", class: "primary", "data-fk": "reveal", onclick: () => session.send({ kind: "reveal_notes" }) }, t("fac.reveal")),
        ),
    });
  }
  for (const { kind, current } of boardsToShow(view)) {
    main.push({
      key: `board-${kind}`,
      sig: JSON.stringify([lang, current, boardSignature(view, kind, "facilitator")]),
      build: () => board(session, view, kind, { mode: "facilitator", current }),
    });
  }

  side.push({ key: "join", sig: JSON.stringify([lang, view.code, view.locked]), build: () => joinCard(view) });
  side.push({
    key: "roster",
    // Speaking times tick live through the ticker; the roster is rebuilt on real changes.
    sig: JSON.stringify([lang, view.members, view.hands, view.floor, view.case_bringer, view.status, [...confirming]]),
    build: () => roster(session, view),
  });
  side.push({ key: "warnings", sig: JSON.stringify([lang, view.me.warnings ?? []]), build: () => warningTally(view) });
  if (view.status !== "ended") side.push(attendanceSection(session, view));
  control.push({ key: "screen", sig: JSON.stringify([lang, view.code]), build: () => screenCard(session, view) });
  control.push({
    key: "group",
    sig: JSON.stringify([lang, view.settings.keep_for_group, view.report_back?.previous_title, view.report_back?.previous_date]),
    build: () => groupCard(session, view),
  });
  return { control, main, side };
}

/**
 * Start, back, next, jump to a phase; the time box and its extension.
 * @param {Session} session
 * @param {SessionView} view
 */
function phaseControls(session, view) {
  const run = view.phase;
  const last = view.method.phases.length - 1;
  /** @type {(Node | null)[]} */
  const buttons = [];
  if (view.status === "lobby") {
    buttons.push(h("button", { type: "button", class: "primary big-button", "data-fk": "start", onclick: () => session.send({ kind: "start_session" }) }, t("fac.start")));
  } else if (view.status === "running" && run) {
    buttons.push(
      h("button", { type: "button", disabled: run.index === 0, "data-fk": "prev", onclick: () => session.send({ kind: "prev_phase" }) }, t("fac.prev")),
      run.index < last
        ? h("button", { type: "button", class: "primary", "data-fk": "next", onclick: () => session.send({ kind: "next_phase" }) }, t("fac.next", { name: local(view.method.phases[run.index + 1].name) }))
        : null,
    );
  }
  /** @type {Node | null} */
  let timerControls = null;
  if (view.status === "running" && run) {
    timerControls = h(
      "div",
      { class: "timer-controls", role: "group", "aria-label": t("fac.timerLabel") },
      h("button", { type: "button", "data-fk": "minus1", onclick: () => session.send({ kind: "extend_timer", seconds: -60 }) }, t("fac.minus", { n: 1 })),
      h("button", { type: "button", "data-fk": "plus1", onclick: () => session.send({ kind: "extend_timer", seconds: 60 }) }, t("fac.plus", { n: 1 })),
      h("button", { type: "button", "data-fk": "plus5", onclick: () => session.send({ kind: "extend_timer", seconds: 300 }) }, t("fac.plus", { n: 5 })),
    );
  }
  return h(
    "section",
    { class: "card controls", "aria-labelledby": "controls-title" },
    h("h2", { id: "controls-title" }, t("fac.phases")),
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
          needsCaseBringer(p) && view.case_bringer === null && view.status !== "ended" && i === (run ? run.index + 1 : 0)
            ? h("span", { class: "hint warn-text" }, " ", t("fac.needsCaseBringer"))
            : null,
        );
      }),
    ),
    h("div", { class: "actions" }, buttons),
    timerControls,
  );
}

/** @param {import('../protocol').PhaseTemplate} p */
function needsCaseBringer(p) {
  return (p.allow.case_bringer ?? []).length > 0 || p.case_bringer_listens || p.turns === "case_bringer_only";
}

/**
 * Lock, case-bringer, big screen, end.
 * @param {Session} session
 * @param {SessionView} view
 */
function roomControls(session, view) {
  const candidates = view.members.filter((m) => m.role === "participant" || m.role === "case_bringer" || m.role === "note_taker");
  const select = h(
    "select",
    { id: "cb-select", "data-fk": "cb-select" },
    h("option", { value: "", selected: view.case_bringer === null }, t("fac.noCaseBringer")),
    candidates.map((m) => h("option", { value: String(m.id), selected: view.case_bringer === m.id }, m.name)),
  );
  const ending = confirming.has("end");
  return h(
    "section",
    { class: "card room", "aria-labelledby": "room-title" },
    h("h2", { id: "room-title" }, t("fac.room")),
    view.status !== "ended"
      ? h(
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
        )
      : null,
    h(
      "div",
      { class: "actions" },
      view.status !== "ended"
        ? h(
            "button",
            { type: "button", "aria-pressed": String(view.locked), "data-fk": "lock", onclick: () => session.send({ kind: "lock_room", locked: !view.locked }) },
            view.locked ? t("fac.unlock") : t("fac.lock"),
          )
        : null,
    ),
    view.status === "ended" ? null : h("p", { class: "hint" }, view.locked ? t("fac.lockedHint") : t("fac.lockHint")),
    view.status !== "ended"
      ? h(
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
                        confirming.delete("end");
                        session.send({ kind: "end_session" });
                      },
                    },
                    t("fac.endYes"),
                  ),
                  h("button", { type: "button", "data-fk": "end", onclick: () => { confirming.delete("end"); session.changed(); } }, t("fac.cancel")),
                ),
              ]
            : h("button", { type: "button", class: "danger", "data-fk": "end", onclick: () => { confirming.add("end"); session.changed(); } }, t("fac.end")),
        )
      : null,
  );
}

/**
 * The floor, the round and the raised hands.
 * @param {Session} session
 * @param {SessionView} view
 */
function speakerCard(session, view) {
  const phase = currentPhase(view);
  const title = h("h2", { id: "speaker-title" }, t("fac.speakers"));
  if (!phase || view.status !== "running") {
    return h("section", { class: "card speakers", "aria-labelledby": "speaker-title" }, title, h("p", null, t("fac.speakersIdle")));
  }
  if (!hasFloor(phase)) {
    return h("section", { class: "card speakers", "aria-labelledby": "speaker-title" }, title, h("p", null, t("turn.silent")));
  }
  const now = session.now();
  const floor = view.floor;
  const pending = roundPending(view);
  return h(
    "section",
    { class: "card speakers", "aria-labelledby": "speaker-title" },
    title,
    h(
      "div",
      { class: "floor" },
      floor
        ? [
            h("p", { class: "floor-name" }, t("turns.speaking", { name: nameOf(view, floor.member) }), " ", speakingTime(view, floor.member, now)),
            h("button", { type: "button", "data-fk": "end-floor", onclick: () => session.send({ kind: "end_floor" }) }, t("fac.endFloor")),
          ]
        : h("p", { class: "floor-name" }, t("turns.nobody")),
      h(
        "button",
        {
          type: "button",
          class: "primary",
          "data-fk": "next-speaker",
          disabled: pending.filter((m) => m !== floor?.member).length === 0 && view.hands.length === 0 && !floor,
          onclick: () => session.send({ kind: "next_speaker" }),
        },
        t("fac.nextSpeaker"),
      ),
      h("button", { type: "button", "data-fk": "start-round", onclick: () => session.send({ kind: "start_round" }) }, view.round ? t("fac.newRound") : t("fac.startRound")),
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
                h("span", { class: "hint" }, speaking ? t("fac.speakingNow") : passed ? t("fac.passed") : done ? t("fac.spoke") : t("fac.waiting")),
                !done
                  ? h("span", { class: "row-actions" },
                      !speaking ? h("button", { type: "button", class: "small", "data-fk": `rgive-${id}`, onclick: () => session.send({ kind: "give_floor", member: id }) }, t("fac.giveFloor")) : null,
                      h("button", { type: "button", class: "small quiet", "data-fk": `rskip-${id}`, onclick: () => session.send({ kind: "skip_speaker", member: id }) }, t("fac.skip")),
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
      h("h3", null, t("fac.queue", { count: view.hands.length })),
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
                  h("button", { type: "button", class: "small primary", "data-fk": `give-${id}`, onclick: () => session.send({ kind: "give_floor", member: id }) }, t("fac.giveFloor")),
                  h("button", { type: "button", class: "small quiet", "data-fk": `skip-${id}`, onclick: () => session.send({ kind: "skip_speaker", member: id }) }, t("fac.skip")),
                ),
              ),
            ),
          ),
    ),
  );
}

/**
 * Who is here, their role, presence and speaking time.
 * @param {Session} session
 * @param {SessionView} view
 */
function roster(session, view) {
  const now = session.now();
  const people = view.members.filter((m) => m.role !== "screen");
  const online = people.filter((m) => m.online).length;
  // People who left (or joined and left in a loop) keep a place on the roster until removed.
  const offline = people.filter((m) => !m.online && m.role !== "facilitator").length;
  const clearing = confirming.has("remove-offline");
  /** @type {(Node | null)[]} */
  const clear = [];
  if (offline > 0 && view.status !== "ended") {
    if (clearing) {
      clear.push(
        h("button", { type: "button", class: "small danger", "data-fk": "remove-offline-yes", onclick: () => { confirming.delete("remove-offline"); session.send({ kind: "remove_offline" }); } }, t("fac.removeOfflineYes", { count: offline })),
        h("button", { type: "button", class: "small", "data-fk": "remove-offline", onclick: () => { confirming.delete("remove-offline"); session.changed(); } }, t("fac.cancel")),
      );
    } else {
      clear.push(h("button", { type: "button", class: "small quiet", "data-fk": "remove-offline", onclick: () => { confirming.add("remove-offline"); session.changed(); } }, t("fac.removeOffline", { count: offline })));
    }
  }
  return h(
    "section",
    { class: "card roster", "aria-labelledby": "roster-title" },
    h("h2", { id: "roster-title" }, t("fac.roster"), " ", h("span", { class: "count-badge" }, t("fac.present", { n: online, total: people.length }))),
    h("ul", { class: "plain roster-list" }, people.map((m) => rosterRow(session, view, m, now))),
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
  const removing = confirming.has(`remove-${m.id}`);
  const canFloor = view.status === "running" && m.role !== "facilitator" && view.floor?.member !== m.id;
  /** @type {(Node | null)[]} */
  const buttons = [];
  if (canFloor) {
    buttons.push(h("button", { type: "button", class: "small", "data-fk": `floor-${m.id}`, onclick: () => session.send({ kind: "give_floor", member: m.id }) }, t("fac.giveFloor")));
  }
  if (m.role === "participant" || m.role === "note_taker") {
    buttons.push(
      h(
        "button",
        {
          type: "button",
          class: "small quiet",
          "data-fk": `role-${m.id}`,
          onclick: () => session.send({ kind: "set_role", member: m.id, role: m.role === "participant" ? "note_taker" : "participant" }),
        },
        m.role === "participant" ? t("fac.makeNoteTaker") : t("fac.makeParticipant"),
      ),
    );
  }
  if (m.role !== "facilitator" && view.status !== "ended") {
    if (removing) {
      buttons.push(
        h("button", { type: "button", class: "small danger", "data-fk": `remove-yes-${m.id}`, onclick: () => { confirming.delete(`remove-${m.id}`); session.send({ kind: "remove_member", member: m.id }); } }, t("fac.removeYes", { name: m.name })),
        // The link still opens the room to a new name; locking it too keeps them out.
        view.locked
          ? null
          : h("button", { type: "button", class: "small danger", "data-fk": `remove-lock-${m.id}`, onclick: () => { confirming.delete(`remove-${m.id}`); session.send({ kind: "remove_and_lock", member: m.id }); } }, t("fac.removeAndLock", { name: m.name })),
        h("button", { type: "button", class: "small", "data-fk": `remove-${m.id}`, onclick: () => { confirming.delete(`remove-${m.id}`); session.changed(); } }, t("fac.cancel")),
      );
    } else {
      buttons.push(h("button", { type: "button", class: "small quiet", "data-fk": `remove-${m.id}`, onclick: () => { confirming.add(`remove-${m.id}`); session.changed(); } }, t("fac.remove")));
    }
  }
  return h(
    "li",
    { class: ["roster-row", !m.online && "away", view.floor?.member === m.id && "speaking-now"], dataset: { member: m.id } },
    h(
      "div",
      { class: "roster-line" },
      h("span", { class: ["presence", m.online ? "on" : "off"], role: "img", "aria-label": m.online ? t("fac.online") : t("fac.away") }),
      h("bdi", { class: "member-name" }, m.name),
      hand ? h("span", { class: "badge" }, t("fac.handUp")) : null,
      m.role === "facilitator" ? null : h("span", { class: "roster-time" }, h("span", { class: "visually-hidden" }, t("fac.colSpeaking"), " "), speakingTime(view, m.id, now)),
    ),
    h("p", { class: "hint roster-role" }, t(`role.${m.role}`), m.online ? "" : ` · ${t("fac.away")}`, !m.in_turns ? ` · ${t("fac.outOfTurns")}` : ""),
    buttons.length > 0 ? h("div", { class: "row-actions" }, buttons) : null,
  );
}

/**
 * The code, QR code and link people join with.
 * @param {SessionView} view
 */
function joinCard(view) {
  const code = displayCode(view.code.replace(/-/g, ""));
  const link = `${location.origin}/join/${code}`;
  const linkBox = h("input", { type: "text", readonly: true, value: link, id: "join-link", class: "link-box" });
  const status = h("span", { class: "hint", role: "status" });
  return h(
    "section",
    { class: "card join-card", "aria-labelledby": "join-title" },
    h("h2", { id: "join-title" }, t("fac.joinTitle")),
    h("p", { class: "code" }, h("span", { class: "visually-hidden" }, t("join.codeLabel"), " "), code),
    h("img", { src: `/join/${code}/qr.svg`, alt: t("fac.qrAlt", { code }), class: "qr", width: 160, height: 160 }),
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
  );
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
  const linkBox = link ? h("input", { type: "text", readonly: true, value: link, id: "screen-link", class: "link-box" }) : null;
  const details = h("details", { class: "secret" }, h("summary", null, t("screen.showLink")), h("label", { for: "screen-link" }, t("screen.linkLabel")), linkBox);
  return h(
    "section",
    { class: "card screen-card", "aria-labelledby": "screen-card-title" },
    h("h2", { id: "screen-card-title" }, t("screen.linkTitle")),
    link ? [h("p", { class: "hint" }, t("screen.linkText")), h("p", { class: "hint warn-text" }, t("screen.linkWarn"))] : null,
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
 * that meeting with.
 * @param {Session} session
 * @param {SessionView} view
 */
function groupCard(session, view) {
  const token = groupToken(session.code);
  const status = h("span", { class: "hint", role: "status" });
  const keyBox = token ? h("input", { type: "text", readonly: true, value: token, id: "group-key", class: "link-box" }) : null;
  const details = h("details", { class: "secret" }, h("summary", null, t("group.show")), h("label", { for: "group-key" }, t("group.keyLabel")), keyBox);
  const rb = view.report_back;
  return h(
    "section",
    { class: "card group-card", "aria-labelledby": "group-card-title" },
    h("h2", { id: "group-card-title" }, t("group.title")),
    rb && rb.previous_title ? h("p", null, t("group.followUp", { title: rb.previous_title, date: formatDate(rb.previous_date) })) : null,
    h("p", null, view.settings.keep_for_group ? t("group.keeps") : t("group.keepsNothing")),
    token && keyBox
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
  const rows = WARNINGS.map((w) => tally.find((r) => r.warning === w)).filter((r) => r !== undefined);
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
          h("thead", null, h("tr", null, h("th", { scope: "col" }, t("tally.warning")), h("th", { scope: "col" }, t("tally.shown")), h("th", { scope: "col" }, t("tally.sentAnyway")))),
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

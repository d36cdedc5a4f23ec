// The participant's (and case-bringer's) view, phone first: where we are, the time, what I may
// do now (and where the rest comes later), my turn, and the boards.

import { h } from "../dom.js";
import { icon } from "../icons.js";
import { t, local } from "../i18n/index.js";
import {
  allowed,
  currentPhase,
  facilitatorTakesPart,
  hasFloor,
  mayHoldFloor,
  queuePlace,
  roundPending,
  TEXT_KINDS,
} from "../session-state.js";
import { hasCases, keyQuestion, limitLeft, pinKeyQuestion } from "../rules.js";
import { composer, laterInputs, offlineHint, pendingList, refusedCard } from "./composer.js";
import { board, boardSignature, boardsToShow, methodOverview } from "./boards.js";
import {
  keyQuestionCard,
  nameOf,
  noticeSections,
  phaseCard,
  turnLine,
  turnTimer,
  videoLink,
  section,
} from "./common.js";
import { attestOffered, reportBackNow, summaryOffered } from "./records-when.js";
import {
  caseLine,
  caseLineText,
  earlierCasesSection,
  keyQuestionPin,
  notepadSection,
  processFormSection,
  shareReactionsSection,
} from "./cases.js";
import { ui } from "./ui-state.js";

/** @type {typeof import("./records.js") | null} */
let records = null;
/** @type {Promise<void> | null} */
let loadingRecords = null;

/**
 * The records views (summary, presence, reflection, report back, the end), loaded the first time
 * this page shows one of them: a participant's first load carries only what the phases use.
 * @param {import('../session.js').Session} session
 */
function recordsViews(session) {
  if (!records && !loadingRecords) {
    loadingRecords = import("./records.js").then(
      (m) => {
        records = m;
        session.changed();
      },
      () => {
        // Offline for a moment: the next render asks again.
        loadingRecords = null;
      },
    );
  }
  return records;
}

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').InputKind} InputKind */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('./common.js').Section} Section */

/** Kinds written in the top composers (answers are written under their question, the
 * case-bringer's notepad in its own section). */
const COMPOSED = TEXT_KINDS.filter((k) => k !== "answer" && k !== "notepad");

/**
 * Whether `kind` is the optional one among what a role may write now.
 * @param {InputKind} kind
 * @param {readonly InputKind[]} all
 */
function optionalNext(kind, all) {
  if (all.length < 2) return false;
  if (kind === "private_note") return true;
  if (kind === "reflection") return all.includes("commitment");
  if (kind === "key_question") return all.includes("statement");
  return false;
}

/**
 * In a method without case proposals, the case-bringer tells a question, not a case.
 * @param {SessionView} view
 * @param {InputKind} kind
 * @returns {{labelKey?: string, hintKey?: string}}
 */
function statementLabels(view, kind) {
  if (kind !== "statement" || hasCases(view)) return {};
  return { labelKey: "compose.label.statement.noCases", hintKey: "compose.hint.statement.noCases" };
}

/**
 * The sections of the participant page, each with a signature of what it shows.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section[]}
 */
export function participantSections(session, view) {
  const me = view.me.member;
  /** @type {Section[]} */
  const sections = [];

  sections.push(
    section(
      "phase",
      [
        view.status,
        view.phase,
        view.floor,
        view.round,
        view.members.map((m) => m.name),
        view.settings.video_url,
        caseLineText(view),
      ],
      () =>
        h(
          "div",
          { class: "stack" },
          caseLine(view),
          phaseCard(view, { now: session.now() }),
          turnLine(view, session.now()),
          view.status !== "ended" ? videoLink(view) : null,
        ),
    ),
  );
  // The key question the case-bringer chose stays in sight; before they choose, while advice
  // is given, the question it answers.
  const pinned = keyQuestionPin(view);
  if (pinned) sections.push(pinned);
  else if (pinKeyQuestion(view)) {
    sections.push(section("key-question", [keyQuestion(view)], () => keyQuestionCard(view)));
  }

  sections.push(
    section("whoami", [me, view.me.role, view.members.find((m) => m.id === me)?.name], () =>
      whoAmI(view),
    ),
  );

  // At the end, what happens now comes first; the case-bringer's downloads right with it.
  const rec =
    view.status === "ended" || reportBackNow(view) || summaryOffered(view) || attestOffered(view)
      ? recordsViews(session)
      : null;
  if (view.status === "ended" && rec) {
    if (summaryOffered(view)) sections.push(rec.summarySection(session, view));
    sections.push(rec.attestSection(session, view), rec.reflectionSection(session, view));
    sections.push(rec.endedSection(session, view));
  }

  const turn = turnSectionFor(session, view);
  if (turn) sections.push(turn);

  sections.push(...noticeSections(session, view));

  // A group's next meeting opens with what it kept last time.
  const report = reportBackNow(view) && rec ? rec.reportBackSection(view) : null;
  if (report) sections.push(report);

  for (const entry of session.refused()) {
    sections.push(
      section(`refused-${entry.id}`, [entry.id, view.phase?.seq, view.me.role], () =>
        refusedCard(session, view, entry),
      ),
    );
  }

  if (view.status === "lobby") {
    sections.push(
      section("lobby", [view.title, view.method.id, view.settings], () => lobbyCard(view)),
    );
  }

  if (view.status !== "ended") sections.push(composeSectionFor(session, view));

  // The case-bringer's own: the notepad while listening, and whether the group sees their
  // reactions. Then the process evaluation at the end of a method.
  for (const own of [
    notepadSection(session, view),
    shareReactionsSection(session, view),
    processFormSection(session, view),
  ]) {
    if (own) sections.push(own);
  }

  // In the last phase the case-bringer can already fetch the summary, below what they write.
  if (view.status === "running" && summaryOffered(view) && rec)
    sections.push(rec.summarySection(session, view));
  // In the last phase everyone can already confirm and reflect (someone may leave early).
  if (view.status === "running" && attestOffered(view) && rec)
    sections.push(rec.attestSection(session, view), rec.reflectionSection(session, view));

  const pending = pendingList(session);
  if (pending) {
    sections.push(
      section(
        "pending",
        [session.pending().map((e) => e.id), session.conn],
        () => pendingList(session) ?? h("div"),
      ),
    );
  }

  if (view.me.notes.length > 0) {
    sections.push(section("notes", [view.me.notes], () => myNotes(view)));
  }

  for (const { kind, current } of boardsToShow(view)) {
    sections.push(
      section(`board-${kind}`, [current, boardSignature(view, kind, "member")], () =>
        board(session, view, kind, { mode: "member", current }),
      ),
    );
  }
  const earlier = earlierCasesSection(session, view);
  if (earlier) sections.push(earlier);
  return sections;
}

/**
 * The composers as a section (also on the console of a facilitator who takes part, and of a
 * co-facilitator).
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section}
 */
export function composeSectionFor(session, view) {
  return section(
    "compose",
    [
      view.status,
      view.phase?.seq,
      view.phase?.index,
      view.me.role,
      session.conn === "connected",
      view.floor?.member === view.me.member,
      COMPOSED.map((k) => limitLeft(view, k)?.left ?? null),
    ],
    () => composeSection(session, view),
  );
}

/**
 * My turn as a section, or null when turns do not apply now.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function turnSectionFor(session, view) {
  const turn = turnSection(session, view);
  if (!turn) return null;
  return section(
    "turn",
    [
      view.status,
      view.phase?.seq,
      view.hands,
      view.floor?.member,
      view.round,
      view.me.role,
      session.conn,
    ],
    () => turn(),
  );
}

/**
 * Before the start: what this session is, how it will go (the method explained, loaded on
 * the spot), and the video call for whoever is not in the room.
 * @param {SessionView} view
 */
function lobbyCard(view) {
  const explained = h("div", { class: "help-inline", "aria-busy": "true" }, methodOverview(view));
  void import("./help.js")
    .then((help) => help.fillHelp(explained, view, { fold: true }))
    .catch(() => explained.removeAttribute("aria-busy"));
  return h(
    "section",
    { class: "card lobby", "aria-labelledby": "lobby-title" },
    h("h2", { id: "lobby-title" }, view.title),
    h("p", null, local(view.method.description)),
    h(
      "p",
      { class: "hint" },
      view.settings.keep_for_group ? t("lobby.keeps") : t("lobby.keepsNothing"),
    ),
    h("h3", null, t("help.title")),
    explained,
  );
}

/** @param {SessionView} view */
function whoAmI(view) {
  const me = view.me.member;
  return h(
    "p",
    { class: "whoami" },
    t("me.youAre", { name: nameOf(view, me), role: t(`role.${view.me.role}`) }),
  );
}

/**
 * Raise or lower my hand, my place in the queue, passing in a round. Returns a builder, or
 * null when turns do not apply now.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {(() => HTMLElement) | null}
 */
function turnSection(session, view) {
  const phase = currentPhase(view);
  const me = view.me.member;
  if (!phase || view.status !== "running" || me === null) return null;
  return () => {
    const listens = view.me.role === "case_bringer" && phase.case_bringer_listens;
    if (listens) {
      return h(
        "section",
        { class: "card turn listens", "aria-labelledby": "turn-title" },
        h("h2", { id: "turn-title" }, t("turn.listensTitle")),
        h("p", null, t("turn.listensText")),
      );
    }
    if (!hasFloor(phase)) {
      // Silent phase: the turn line already says everyone writes; no turn controls.
      return h("p", { class: "hint turn silent" }, t("turn.silent"));
    }
    if (!mayHoldFloor(phase, view.me.role)) {
      // Only the case-bringer speaks now: no hands to raise.
      return h("p", { class: "hint turn silent" }, t("turn.caseBringerSpeaks"));
    }
    const speaking = view.floor?.member === me;
    const place = queuePlace(view, me);
    const pending = roundPending(view);
    const inRound = pending.includes(me);
    const roundPlace = pending.filter((m) => m !== view.floor?.member).indexOf(me) + 1;
    /** @type {Node[]} */
    const lines = [];
    if (speaking)
      lines.push(
        h(
          "p",
          { class: "your-turn" },
          icon("mic"),
          t("turns.yourTurn"),
          " ",
          turnTimer(view, session.now()),
        ),
      );
    else if (inRound && roundPlace > 0)
      lines.push(h("p", null, t("turn.roundPlace", { count: roundPlace })));
    if (place > 0) lines.push(h("p", { class: "queue-place" }, t("turn.queuePlace", { place })));
    /** @type {Node[]} */
    const buttons = [];
    if (place > 0) {
      buttons.push(
        h(
          "button",
          {
            type: "button",
            class: "hand on",
            "aria-pressed": "true",
            "data-fk": "hand",
            onclick: () => session.send({ kind: "lower_hand" }),
          },
          icon("hand"),
          t("turn.lowerHand"),
        ),
      );
    } else if (!speaking) {
      buttons.push(
        h(
          "button",
          {
            type: "button",
            class: "hand",
            "aria-pressed": "false",
            "data-fk": "hand",
            onclick: () => session.send({ kind: "raise_hand" }),
          },
          icon("hand"),
          t("turn.raiseHand"),
        ),
      );
    }
    if (inRound) {
      buttons.push(
        h(
          "button",
          { type: "button", "data-fk": "pass", onclick: () => session.send({ kind: "pass" }) },
          speaking ? t("turn.done") : t("turn.pass"),
        ),
      );
    }
    return h(
      "section",
      { class: ["card", "turn", speaking && "speaking-now"], "aria-labelledby": "turn-title" },
      h("h2", { id: "turn-title" }, t("turn.title")),
      lines,
      h("div", { class: "actions" }, buttons),
      phase.turns === "round" && !inRound && !speaking
        ? h("p", { class: "hint" }, t("turn.roundHint"))
        : null,
    );
  };
}

/**
 * Composers for what my role may write now, and what comes later.
 * @param {Session} session
 * @param {SessionView} view
 */
function composeSection(session, view) {
  const phase = currentPhase(view);
  const role = view.me.role;
  const title = h("h2", { id: "compose-title" }, t("compose.title"));
  if (view.status === "lobby") {
    return h(
      "section",
      { class: "card compose", "aria-labelledby": "compose-title" },
      title,
      h("p", null, t("compose.lobby")),
    );
  }
  if (view.status === "ended" || !phase) {
    return h(
      "section",
      { class: "card compose", "aria-labelledby": "compose-title" },
      title,
      h("p", null, t("compose.ended")),
    );
  }
  const kinds = allowed(phase, role, facilitatorTakesPart(view));
  const composed = COMPOSED.filter((k) => kinds.includes(k));
  /** @type {Node[]} */
  const body = [];
  if (role === "case_bringer" && phase.case_bringer_listens) {
    body.push(
      h(
        "p",
        { class: "notice" },
        t(phase.case_bringer_notes ? "compose.listensNotes" : "compose.listens"),
      ),
    );
  } else if (kinds.length === 0) {
    body.push(
      h(
        "p",
        null,
        t(
          role === "case_bringer" && phase.case_bringer_notes
            ? "compose.notesOnly"
            : "compose.nothingNow",
        ),
      ),
    );
  }
  // One contribution per turn: whoever holds the floor writes, once.
  if (phase.one_per_turn && composed.length > 0) {
    const mine = view.floor !== null && view.floor.member === view.me.member;
    body.push(
      h(
        "p",
        { class: ["notice", "one-per-turn", mine && "holds-floor"] },
        t(mine ? "compose.onePerTurnNow" : "compose.onePerTurnWait"),
      ),
    );
  }
  if (kinds.includes("vote")) body.push(h("p", null, t("compose.voteHint")));
  if (kinds.includes("answer")) body.push(h("p", null, t("compose.answerHint")));
  if (kinds.includes("reaction")) body.push(h("p", null, t("compose.reactionHint")));
  // What the phase is about is open; what is optional next to it (a reflection next to the
  // commitment, a worded key question next to the story, a private note next to anything)
  // is marked so and folded, so it does not crowd a small screen.
  for (const kind of composed) {
    const labels = statementLabels(view, kind);
    if (!optionalNext(kind, composed)) {
      body.push(composer(session, { kind, ...labels }));
      continue;
    }
    const draft = /** @type {HTMLTextAreaElement | null} */ (
      document.getElementById(`compose-${kind}`)
    );
    body.push(
      h(
        "details",
        {
          class: "optional-composer",
          open: (draft?.value ?? "") !== "" || ui.participant.optionalOpen.has(kind),
          ontoggle: (/** @type {Event} */ e) => {
            if (/** @type {HTMLDetailsElement} */ (e.currentTarget).open)
              ui.participant.optionalOpen.add(kind);
            else ui.participant.optionalOpen.delete(kind);
          },
        },
        h(
          "summary",
          { "data-fk": `optional-${kind}` },
          t(`compose.label.${kind}`),
          " ",
          h("span", { class: "optional" }, t("compose.optional")),
        ),
        composer(session, { kind, ...labels }),
      ),
    );
  }
  const later = laterInputs(view);
  return h(
    "section",
    { class: "card compose", "aria-labelledby": "compose-title" },
    title,
    offlineHint(session),
    body,
    later.length > 0
      ? h(
          "div",
          { class: "later" },
          h("h3", null, t("compose.laterTitle")),
          h(
            "ul",
            null,
            later.map((l) => h("li", null, l)),
          ),
        )
      : null,
  );
}

/**
 * My unrevealed private notes: only I see their text until the facilitator reveals all.
 * @param {SessionView} view
 */
function myNotes(view) {
  return h(
    "section",
    { class: "card notes", "aria-labelledby": "notes-title" },
    h("h2", { id: "notes-title" }, t("notes.title")),
    h("p", { class: "hint" }, t("notes.hint")),
    h(
      "ol",
      { class: "items" },
      view.me.notes.map((n) =>
        h(
          "li",
          { class: "item item-private_note mine", dataset: { item: n.id } },
          h("p", { class: "item-text" }, n.text ?? ""),
          h(
            "p",
            { class: "item-meta" },
            local(view.method.phases[n.phase]?.name ?? { nl: "", en: "" }),
          ),
        ),
      ),
    ),
  );
}

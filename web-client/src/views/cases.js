// What the methods add to a meeting, in small sections the pages place where they fit: which
// case of the meeting runs (and Troika's rotation), the chosen key question pinned for
// everyone, the case-bringer's private notepad and the choice to share their reactions, the
// process evaluation's form, and earlier cases. What only the facilitator uses (the process
// evaluation's sums, starting the next case, reordering a round, a co-facilitator, handing the
// role over) is in facilitation.js, which loads with the console.
//
// Private things stay private here too: the notepad and unshared reactions come only in the
// case-bringer's own view, and none of these sections is put on the shared screen except the
// case line and the chosen key question, which are everyone's.

import { h } from "../dom.js";
import { icon } from "../icons.js";
import { t, local } from "../i18n/index.js";
import { currentPhase, maySubmit, memberById, roundsBroughtBy } from "../session-state.js";
import { PROCESS_ITEMS, REMARK_MAX_CHARS } from "../wire.js";
import { composer } from "./composer.js";
import { nameOf, section } from "./common.js";
import { ui } from "./ui-state.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').Item} Item */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('./common.js').Section} Section */

// ---------------------------------------------------------------- where the meeting is

/**
 * "Case 2 of the meeting · Incident method · case-bringer Anna", or Troika's "Round 2 of 3".
 * Null while the meeting has one case and its method does not rotate.
 * @param {SessionView} view
 * @returns {string | null}
 */
export function caseLineText(view) {
  const rotates = view.method.rotate_case_bringer === true;
  if (view.cases.length <= 1 && !rotates) return null;
  const round = view.cases[view.case_round];
  const cb = round?.case_bringer ?? null;
  const who =
    cb === null ? t("cases.noCaseBringerYet") : t("cases.caseBringer", { name: nameOf(view, cb) });
  if (rotates) {
    // Everyone who has brought a case, plus whoever can still take a turn at it.
    const brought = new Set(view.cases.map((c) => c.case_bringer).filter((m) => m !== null));
    const waiting = view.members.filter(
      (m) =>
        ["participant", "note_taker", "case_bringer"].includes(m.role) &&
        m.online &&
        m.in_turns &&
        !brought.has(m.id),
    ).length;
    const total = Math.max(view.case_round + 1, brought.size + waiting);
    return `${t("cases.rotation", { n: view.case_round + 1, total })} · ${who}`;
  }
  return `${t("cases.caseOf", { n: view.case_round + 1 })} · ${local(view.method.name)} · ${who}`;
}

/**
 * The case line as an element (for the phase card's neighbourhood), or null.
 * @param {SessionView} view
 */
export function caseLine(view) {
  const text = caseLineText(view);
  return text === null
    ? null
    : h("p", { class: "case-line", dataset: { caseRound: view.case_round } }, text);
}

/**
 * The key question the case-bringer chose, pinned for everyone (phones, console, screen).
 * @param {SessionView} view
 * @param {{big?: boolean}} [opts]
 * @returns {Section | null}
 */
export function keyQuestionPin(view, opts = {}) {
  const id = view.cases[view.case_round]?.key_question ?? null;
  const item = id === null ? undefined : view.items.find((i) => i.id === id);
  if (!item || item.hidden || item.text === null || view.status === "lobby") return null;
  const text = item.text;
  return section("key-question", [item.id, text, opts.big ?? false], () =>
    h(
      "section",
      {
        class: ["card", "key-question", "key-question-pin", opts.big && "big"],
        "aria-labelledby": "kq-pin-title",
        dataset: { item: item.id },
      },
      h("h2", { id: "kq-pin-title" }, icon("star"), t("cases.keyQuestion")),
      h("p", { class: ["key-question-text", "item-text"] }, text),
    ),
  );
}

// ---------------------------------------------------------------- the case-bringer's own

/**
 * The case-bringer's private notepad: where the phase keeps one (also while they listen), and
 * whatever they noted in this case so far. Only in their own view; never shown to others.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function notepadSection(session, view) {
  const phase = currentPhase(view);
  const canWrite =
    view.status === "running" && phase !== null && maySubmit(phase, view.me.role, "notepad");
  const notes = view.me.notepad.filter((n) => n.case_round === view.case_round);
  if (!canWrite && notes.length === 0) return null;
  return section(
    "notepad",
    [canWrite, view.phase?.seq, notes.map((n) => n.id), session.conn === "connected"],
    () =>
      h(
        "section",
        { class: "card notepad", "aria-labelledby": "notepad-title" },
        h("h2", { id: "notepad-title" }, t("notepad.title")),
        h("p", { class: "hint" }, t("notepad.hint")),
        canWrite ? composer(session, { kind: "notepad", compact: true }) : null,
        notes.length > 0
          ? h(
              "ol",
              { class: "items" },
              notes.map((n) =>
                h(
                  "li",
                  { class: "item item-notepad mine", dataset: { item: n.id } },
                  h("p", { class: "item-text" }, n.text ?? ""),
                ),
              ),
            )
          : null,
      ),
  );
}

/**
 * The case-bringer decides whether the group sees their reactions. Only for the case-bringer
 * of the running case, once there is something to react to.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function shareReactionsSection(session, view) {
  const round = view.cases[view.case_round];
  if (
    view.status !== "running" ||
    !round ||
    round.case_bringer !== view.me.member ||
    view.me.role !== "case_bringer"
  )
    return null;
  const shared = round.reactions_shared;
  const mine = view.me.reactions.length;
  return section("share-reactions", [shared, mine > 0], () =>
    h(
      "section",
      { class: "card share-reactions", "aria-labelledby": "share-title" },
      h("h2", { id: "share-title" }, t("reactions.title")),
      h("p", null, shared ? t("reactions.sharedText") : t("reactions.privateText")),
      h(
        "button",
        {
          type: "button",
          class: shared ? "" : "primary",
          "aria-pressed": String(shared),
          "data-fk": "share-reactions",
          onclick: () => session.send({ kind: "share_reactions", shared: !shared }),
        },
        shared ? t("reactions.hide") : t("reactions.share"),
      ),
    ),
  );
}

/**
 * "This is my key question": the case-bringer picks a proposal (their own wording is chosen
 * when they post it).
 * @param {Session} session
 * @param {SessionView} view
 * @param {Item} item
 * @returns {HTMLElement | null}
 */
export function chooseKeyQuestionButton(session, view, item) {
  const phase = currentPhase(view);
  if (
    item.kind !== "key_question" ||
    item.chosen ||
    item.hidden ||
    item.case_round !== view.case_round
  )
    return null;
  if (
    view.me.role !== "case_bringer" ||
    view.status !== "running" ||
    !phase ||
    phase.case_bringer_listens
  )
    return null;
  return h(
    "button",
    {
      type: "button",
      class: "primary",
      "data-fk": `choose-kq-${item.id}`,
      onclick: () => session.send({ kind: "choose_key_question", item: item.id }),
    },
    t("cases.chooseKeyQuestion"),
  );
}

/**
 * The author's consent, per commitment, to take it to the group's next meeting (only where
 * the session keeps anything for the group).
 * @param {Session} session
 * @param {SessionView} view
 * @param {Item} item
 * @returns {HTMLElement | null}
 */
export function carryButton(session, view, item) {
  if (item.kind !== "commitment" || item.by === null || item.by !== view.me.member) return null;
  if (!view.settings.keep_for_group || view.status !== "running") return null;
  return h(
    "button",
    {
      type: "button",
      class: ["carry", item.kept && "on"],
      "aria-pressed": String(item.kept),
      "data-fk": `carry-${item.id}`,
      onclick: () => session.send({ kind: "carry_commitment", item: item.id, carry: !item.kept }),
    },
    t("cases.carry"),
  );
}

// ---------------------------------------------------------------- process evaluation

/**
 * Whether the process evaluation is open to me now: a method's last phase, everyone but the
 * facilitator (whose facilitation is being rated) and the screen.
 * @param {SessionView} view
 */
export function processOpen(view) {
  if (view.status !== "running" || !view.phase) return false;
  if (view.me.role === "facilitator" || view.me.role === "screen" || view.me.member === null)
    return false;
  return view.phase.index === view.method.phases.length - 1;
}

/**
 * The process evaluation form: four statements on a 1-5 scale and a remark, anonymous.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function processFormSection(session, view) {
  if (!processOpen(view)) return null;
  const round = view.case_round;
  const rated = view.me.rated.includes(round);
  return section(`process-form-${round}`, [round, rated, view.phase?.seq], () =>
    processForm(session, view, round, rated),
  );
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {number} round
 * @param {boolean} rated
 */
function processForm(session, view, round, rated) {
  const key = `${session.code}:${round}`;
  const draft = ui.cases.processDrafts.get(key) ?? {
    scores: PROCESS_ITEMS.map(() => 0),
    remark: "",
  };
  ui.cases.processDrafts.set(key, draft);
  const error = h("p", { class: "field-error", role: "alert" });
  const remark = h("textarea", {
    id: "process-remark",
    rows: 2,
    maxlength: REMARK_MAX_CHARS,
    "data-fk": "process-remark",
    value: draft.remark,
    oninput: (/** @type {Event} */ e) => {
      draft.remark = /** @type {HTMLTextAreaElement} */ (e.target).value;
    },
  });
  const scales = PROCESS_ITEMS.map((item, i) =>
    h(
      "fieldset",
      { class: "scale", dataset: { processItem: item } },
      h("legend", null, t(`process.item.${item}`)),
      h(
        "div",
        { class: "scale-options" },
        [1, 2, 3, 4, 5].map((n) =>
          h(
            "label",
            { class: "scale-option" },
            h("input", {
              type: "radio",
              name: `process-${i}`,
              value: String(n),
              checked: draft.scores[i] === n,
              "data-fk": `process-${item}-${n}`,
              // The ends of the scale say what they mean; 2 to 4 are their number.
              "aria-label": n === 1 ? t("process.low") : n === 5 ? t("process.high") : undefined,
              onchange: () => {
                draft.scores[i] = n;
                error.textContent = "";
              },
            }),
            h("span", { "aria-hidden": "true" }, String(n)),
          ),
        ),
      ),
    ),
  );
  return h(
    "section",
    { class: "card process-form", "aria-labelledby": "process-title" },
    h("h2", { id: "process-title" }, t("process.title")),
    h("p", null, t("process.intro")),
    h("p", { class: "hint" }, t("process.scale")),
    h(
      "form",
      {
        class: "stack",
        onsubmit: (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const text = draft.remark.trim();
          if (draft.scores.every((s) => s === 0) && !text) {
            error.textContent = t("process.empty");
            return;
          }
          if ([...text].length > REMARK_MAX_CHARS) {
            error.textContent = t("error.text_too_long");
            remark.focus();
            return;
          }
          session.send({ kind: "rate_process", scores: [...draft.scores], remark: text || null });
        },
      },
      scales,
      h("label", { for: "process-remark" }, t("process.remark")),
      remark,
      error,
      h(
        "button",
        { type: "submit", class: "primary", "data-fk": "process-send" },
        rated ? t("process.change") : t("process.send"),
      ),
    ),
    rated
      ? h("p", { class: "notice", role: "status" }, t("process.thanks"))
      : h("p", { class: "hint" }, t("process.anonymous")),
  );
}

/**
 * The meeting's earlier cases, folded: method, case-bringer, and what each produced (public
 * items only, as everyone saw them). Their case-bringer can still give or withdraw consent
 * for their commitments there.
 * @param {Session} session
 * @param {SessionView} view
 * @returns {Section | null}
 */
export function earlierCasesSection(session, view) {
  const earlier = view.cases.filter((c) => c.index < view.case_round);
  if (earlier.length === 0) return null;
  const items = view.items.filter((i) => i.case_round < view.case_round);
  return section(
    "earlier-cases",
    [earlier, items, view.members.map((m) => [m.id, m.name]), view.status],
    () =>
      h(
        "section",
        { class: "card earlier-cases", "aria-labelledby": "earlier-title" },
        h("h2", { id: "earlier-title" }, t("cases.earlierTitle")),
        earlier.map((c) => {
          const own = items.filter(
            (i) => i.case_round === c.index && !i.hidden && i.text !== null && i.kind !== "answer",
          );
          return h(
            "details",
            {
              class: "earlier-case",
              dataset: { caseRound: c.index },
              open: ui.cases.unfoldedCases.has(c.index),
              ontoggle: (/** @type {Event} */ e) => {
                if (/** @type {HTMLDetailsElement} */ (e.currentTarget).open)
                  ui.cases.unfoldedCases.add(c.index);
                else ui.cases.unfoldedCases.delete(c.index);
              },
            },
            h(
              "summary",
              { "data-fk": `earlier-${c.index}` },
              t("cases.caseOf", { n: c.index + 1 }),
              " · ",
              local(c.method_name),
              " · ",
              c.case_bringer === null
                ? t("cases.noCaseBringerYet")
                : t("cases.caseBringer", { name: nameOf(view, c.case_bringer) }),
            ),
            own.length === 0
              ? h("p", { class: "empty" }, t("board.empty"))
              : h(
                  "ul",
                  { class: "plain earlier-items" },
                  own.map((i) =>
                    h(
                      "li",
                      { class: "earlier-item", dataset: { item: i.id } },
                      h("span", { class: "badge" }, t(`kind.${i.kind}`)),
                      " ",
                      i.text ?? "",
                      i.chosen
                        ? [" ", h("span", { class: "badge chosen" }, t("item.chosen"))]
                        : null,
                      i.kind === "commitment" && i.kept
                        ? [" ", h("span", { class: "badge" }, t("item.carried"))]
                        : null,
                      carryButton(session, view, i),
                    ),
                  ),
                ),
          );
        }),
      ),
  );
}

/**
 * The role a member has in this case, for labelling what they wrote: "case-bringer" for the
 * one who brought the item's case, "facilitator" for the facilitator; null otherwise.
 * @param {SessionView} view
 * @param {Item} item
 * @returns {string | null}
 */
export function authorRole(view, item) {
  if (item.by === null) return null;
  if (view.cases[item.case_round]?.case_bringer === item.by) return t("role.case_bringer");
  const m = memberById(view, item.by);
  if (m?.role === "facilitator") return t("role.facilitator");
  return null;
}

/**
 * The case rounds whose summary I can fetch now: the ones I brought that are over, and the
 * running one from its last phase on.
 * @param {SessionView} view
 * @returns {number[]}
 */
export function summaryRounds(view) {
  const lastPhase = view.phase !== null && view.phase.index === view.method.phases.length - 1;
  return roundsBroughtBy(view, view.me.member).filter(
    (r) =>
      r < view.case_round || view.status === "ended" || (view.status === "running" && lastPhase),
  );
}

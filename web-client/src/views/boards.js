// The boards: items grouped by kind, with what the viewer may do to each (upvote, dots, triage,
// answer, react, withdraw; the facilitator hides and chooses). Text is only ever a text node.

import { h } from "../dom.js";
import { icon } from "../icons.js";
import { t, formatTime, local } from "../i18n/index.js";
import { currentPhase, dotsLeft, maySubmit, myVotesFor, reactionOf } from "../session-state.js";
import { votesVisible } from "../rules.js";
import { composer } from "./composer.js";
import { menu, nameOf, phaseName } from "./common.js";
import { authorRole, carryButton, chooseKeyQuestionButton } from "./cases.js";
import { ui } from "./ui-state.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').Item} Item */
/** @typedef {import('../protocol').InputKind} InputKind */
/** @typedef {import('../protocol').ItemId} ItemId */
/** @typedef {import('../session.js').Session} Session */

/** @typedef {"member" | "facilitator" | "screen"} BoardMode */

/** Board order: how a session unfolds. Answers are shown under their question. */
export const BOARD_KINDS = /** @type {const} */ ([
  "case",
  "statement",
  "question",
  "key_question",
  "analysis",
  "advice",
  "private_note",
  "commitment",
  "reflection",
]);

/**
 * Marks the item just sent and brings it into view.
 * @param {number} id
 */
export function showSent(id) {
  ui.boards.justSent = id;
  // The ack can come before the page has drawn the item: look again for a moment.
  let tries = 0;
  const reveal = () => {
    const el = document.querySelector(`.board [data-item="${id}"]`);
    if (el instanceof HTMLElement) {
      el.classList.add("just-sent");
      el.scrollIntoView({ block: "nearest" });
    } else if (++tries < 20) {
      setTimeout(reveal, 50);
    }
  };
  setTimeout(reveal, 0);
  setTimeout(() => {
    if (ui.boards.justSent === id) ui.boards.justSent = null;
    document.querySelector(`.board [data-item="${id}"]`)?.classList.remove("just-sent");
  }, 4000);
}

/**
 * The kinds that matter in the current phase: what may be written now by anyone, plus the
 * question board while answers are given.
 * @param {SessionView} view
 * @returns {InputKind[]}
 */
export function currentKinds(view) {
  const phase = currentPhase(view);
  if (!phase) return [];
  /** @type {Set<InputKind>} */
  const kinds = new Set();
  for (const list of Object.values(phase.allow)) for (const k of list ?? []) kinds.add(k);
  if (kinds.has("answer")) kinds.add("question");
  if (kinds.has("vote")) kinds.add("case");
  if (kinds.has("reaction")) kinds.add("advice");
  return BOARD_KINDS.filter((k) => kinds.has(k));
}

/**
 * Whether an item belongs on the boards of the running case: it was made in this case round,
 * or it is a case proposed earlier that was never chosen (it can still be chosen now). What
 * earlier cases produced is under "earlier cases".
 * @param {SessionView} view
 * @param {Item} item
 */
export function onTheseBoards(view, item) {
  if (item.case_round === view.case_round) return true;
  return item.kind === "case" && !item.chosen;
}

/**
 * Board kinds with something to show, current ones first.
 * @param {SessionView} view
 * @returns {{kind: InputKind, current: boolean}[]}
 */
export function boardsToShow(view) {
  const withItems = BOARD_KINDS.filter((k) =>
    view.items.some(
      (i) => i.kind === k && (k !== "private_note" || i.revealed) && onTheseBoards(view, i),
    ),
  );
  // Private notes have a board only once revealed (the author sees their own under "my notes");
  // once the session is over, an empty board has nothing more to come.
  const current = currentKinds(view).filter(
    (k) => (k !== "private_note" && view.status !== "ended") || withItems.some((w) => w === k),
  );
  const rest = withItems.filter((k) => !current.includes(k));
  return [
    ...current.map((kind) => ({ kind, current: true })),
    ...rest.map((kind) => ({ kind, current: false })),
  ];
}

/**
 * A signature of everything a board's rendering depends on, so it is rebuilt only on change.
 * @param {SessionView} view
 * @param {InputKind} kind
 * @param {BoardMode} mode
 */
export function boardSignature(view, kind, mode) {
  const items = view.items.filter(
    (i) =>
      (i.kind === kind || (kind === "question" && i.kind === "answer")) && onTheseBoards(view, i),
  );
  const ids = new Set(items.map((i) => i.id));
  return JSON.stringify([
    items,
    view.reactions.filter((r) => ids.has(r.item)),
    view.me.reactions.filter((r) => ids.has(r.item)),
    view.case_round,
    view.cases[view.case_round]?.case_bringer,
    view.settings.keep_for_group,
    mode,
    votesVisible(view),
    view.me.role,
    view.me.votes,
    view.me.items,
    view.phase?.seq,
    view.status,
    view.members.map((m) => [m.id, m.name]),
    kind === "question" ? [...ui.boards.answering] : null,
  ]);
}

/**
 * One board.
 * @param {Session | null} session null for read-only rendering
 * @param {SessionView} view
 * @param {InputKind} kind
 * @param {{mode: BoardMode, current: boolean}} opts
 */
export function board(session, view, kind, opts) {
  // Nothing hidden goes on the wall: not even a trace of who wrote it.
  const shown = (/** @type {Item} */ i) => opts.mode !== "screen" || !i.hidden;
  const items = view.items.filter(
    (i) =>
      i.kind === kind &&
      (kind !== "private_note" || i.revealed) &&
      onTheseBoards(view, i) &&
      shown(i),
  );
  const answers = view.items.filter(
    (i) => i.kind === "answer" && i.case_round === view.case_round && shown(i),
  );
  // The big screen shows items as they come, newest last, so the newest stay in view.
  const sorted = items;
  const headingId = `board-${kind}`;
  const phase = currentPhase(view);
  const canDot = phase !== null && opts.mode === "member" && maySubmit(phase, view.me.role, "vote");
  const heading = h(
    "h2",
    { id: headingId },
    t(`board.${kind}`),
    " ",
    h(
      "span",
      { class: "count-badge", "aria-label": t("board.count", { count: items.length }) },
      String(items.length),
    ),
  );
  const content = [
    kind === "case" && canDot
      ? h("p", { class: "hint dots-left" }, t("board.dotsLeft", { count: dotsLeft(view) }))
      : null,
    kind === "case" && !votesVisible(view)
      ? h("p", { class: "hint dots-hidden" }, icon("hide"), t("board.dotsHidden"))
      : null,
    sorted.length === 0
      ? h("p", { class: "empty" }, t(opts.mode === "screen" ? "board.emptyScreen" : `board.empty`))
      : h(
          "ol",
          { class: "items" },
          sorted.map((item) =>
            itemCard(session, view, item, {
              mode: opts.mode,
              answers: answers.filter((a) => a.reply_to === item.id),
            }),
          ),
        ),
  ];
  const attrs = {
    class: ["card", "board", `board-${kind}`, opts.current && "current"],
    "aria-labelledby": headingId,
    dataset: { board: kind, count: items.length },
  };
  if (opts.current || opts.mode === "screen") return h("section", attrs, heading, content);
  // Earlier boards fold away on small screens, so the current phase stays in view.
  return h(
    "section",
    attrs,
    h(
      "details",
      {
        open: ui.boards.unfolded.has(kind),
        ontoggle: (/** @type {Event} */ e) => {
          if (/** @type {HTMLDetailsElement} */ (e.currentTarget).open)
            ui.boards.unfolded.add(kind);
          else ui.boards.unfolded.delete(kind);
        },
      },
      h("summary", { "data-fk": `fold-${kind}` }, heading),
      content,
    ),
  );
}

/**
 * @param {Session | null} session
 * @param {SessionView} view
 * @param {Item} item
 * @param {{mode: BoardMode, answers: Item[]}} opts
 */
function itemCard(session, view, item, opts) {
  const mine = view.me.items.includes(item.id);
  return h(
    "li",
    {
      class: [
        "item",
        `item-${item.kind}`,
        item.hidden && "hidden-item",
        mine && "mine",
        item.chosen && "chosen",
        item.id === ui.boards.justSent && "just-sent",
        opts.mode === "facilitator" && "fac-item",
      ],
      dataset: { item: item.id },
    },
    h("p", { class: "item-text" }, itemText(item)),
    h("p", { class: "item-meta" }, meta(view, item, mine, opts.mode)),
    session && opts.mode !== "screen" ? actions(session, view, item, opts.mode, mine) : null,
    opts.answers.length > 0
      ? h(
          "ul",
          { class: "answers", "aria-label": t("board.answers") },
          opts.answers.map((a) =>
            h(
              "li",
              { class: ["answer", a.hidden && "hidden-item"], dataset: { item: a.id } },
              h("p", { class: "item-text" }, itemText(a)),
              h("p", { class: "item-meta" }, t("board.answerBy", { name: nameOf(view, a.by) })),
              session && opts.mode === "facilitator"
                ? h("div", { class: "item-actions" }, hideButton(session, a))
                : null,
            ),
          ),
        )
      : null,
    session && ui.boards.answering.has(item.id) && opts.mode === "member"
      ? answerComposer(session, item)
      : null,
  );
}

/** @param {Item} item */
function itemText(item) {
  if (item.text !== null)
    return item.hidden
      ? [h("span", { class: "badge warn" }, t("item.hiddenBadge")), " ", item.text]
      : item.text;
  if (item.hidden) return h("em", null, t("item.hidden"));
  if (item.kind === "private_note") return h("em", null, t("item.unrevealed"));
  return "";
}

/**
 * @param {SessionView} view
 * @param {Item} item
 * @param {boolean} mine
 * @param {BoardMode} mode
 */
function meta(view, item, mine, mode) {
  const parts = [];
  const author = item.by === null ? t("item.anonymous") : nameOf(view, item.by);
  parts.push(mine ? t("item.byYou", { name: author }) : author);
  // Who told the case matters: a facilitator's account is not the case-bringer's.
  const role =
    item.kind === "statement" || item.kind === "key_question" ? authorRole(view, item) : null;
  if (role) parts.push(role);
  if (mode !== "screen") parts.push(formatTime(item.at));
  // Phase numbers belong to the method of the item's own case round.
  if (item.case_round !== view.case_round)
    parts.push(t("cases.caseOf", { n: item.case_round + 1 }));
  else if (view.phase && item.phase !== view.phase.index) parts.push(phaseName(view, item.phase));
  /** @type {(string | Node)[]} */
  const out = [parts.join(" · ")];
  // Only support that is there: "no support" under every question is noise.
  if (item.kind === "question" && item.votes > 0)
    out.push(" ", h("span", { class: "badge votes" }, t("item.votes", { count: item.votes })));
  // Dots stay hidden while people still give them, so nobody follows the crowd.
  if (item.kind === "case" && votesVisible(view))
    out.push(" ", h("span", { class: "badge votes" }, t("item.dots", { count: item.votes })));
  if (item.kind === "question" && item.status !== "open")
    out.push(
      " ",
      h("span", { class: ["badge", `status-${item.status}`] }, t(`triage.${item.status}`)),
    );
  // The case-bringer's reaction: only theirs to see unless they share it, and never on the wall.
  const reaction = mode === "screen" ? null : reactionOf(view, item.id);
  if (reaction && reaction.temperature !== "none")
    out.push(
      " ",
      h(
        "span",
        { class: ["badge", `temp-${reaction.temperature}`] },
        t(`temp.${reaction.temperature}`),
      ),
    );
  if (reaction && reaction.useful)
    out.push(" ", h("span", { class: ["badge", "reaction-useful"] }, t("reaction.useful")));
  if (item.chosen)
    out.push(" ", h("span", { class: "badge chosen" }, icon("check"), t("item.chosen")));
  if (item.kept && view.settings.keep_for_group)
    out.push(
      " ",
      h("span", { class: "badge" }, t(item.kind === "commitment" ? "item.carried" : "item.kept")),
    );
  return out;
}

/**
 * @param {Session} session
 * @param {SessionView} view
 * @param {Item} item
 * @param {BoardMode} mode
 * @param {boolean} mine
 */
function actions(session, view, item, mode, mine) {
  const phase = currentPhase(view);
  const running = view.status === "running" && phase !== null;
  const role = view.me.role;
  /** @type {Node[]} */
  const out = [];
  if (mode === "facilitator") {
    if (item.kind === "case" && view.status !== "ended") {
      out.push(
        h(
          "button",
          {
            type: "button",
            class: item.chosen ? "" : "primary",
            disabled: item.chosen,
            "data-fk": `choose-${item.id}`,
            onclick: () => session.send({ kind: "choose_case", case: item.id, keep_others: true }),
          },
          item.chosen ? t("fac.chosen") : t("fac.chooseCase"),
        ),
      );
      // Keeping a case for the next meeting means nothing when the session keeps nothing.
      if (!item.chosen && view.settings.keep_for_group) {
        out.push(
          h(
            "button",
            {
              type: "button",
              "aria-pressed": String(item.kept),
              onclick: () => session.send({ kind: "keep_case", case: item.id, keep: !item.kept }),
            },
            item.kept ? t("fac.unkeep") : t("fac.keep"),
          ),
        );
      }
    }
    out.push(hideButton(session, item));
    return h("div", { class: "item-actions" }, out);
  }
  if (!running || !phase) return null;
  if (item.kind === "question" && role !== "case_bringer" && maySubmit(phase, role, "question")) {
    const voted = myVotesFor(view, item.id) > 0;
    out.push(
      h(
        "button",
        {
          type: "button",
          class: ["vote", voted && "on"],
          "aria-pressed": String(voted),
          "data-fk": `vote-${item.id}`,
          onclick: () =>
            session.send(
              voted ? { kind: "unvote", item: item.id } : { kind: "vote", item: item.id },
            ),
        },
        icon("plus"),
        voted ? t("board.unvote") : t("board.upvote"),
      ),
    );
  }
  if (
    item.kind === "case" &&
    item.case_round === view.case_round &&
    maySubmit(phase, role, "vote")
  ) {
    const mineDots = myVotesFor(view, item.id);
    out.push(
      h(
        "button",
        {
          type: "button",
          class: "vote",
          disabled: dotsLeft(view) === 0,
          "data-fk": `dot-${item.id}`,
          onclick: () => session.send({ kind: "vote", item: item.id }),
        },
        icon("dot"),
        t("board.addDot"),
      ),
    );
    if (mineDots > 0) {
      out.push(
        h(
          "button",
          {
            type: "button",
            "data-fk": `undot-${item.id}`,
            onclick: () => session.send({ kind: "unvote", item: item.id }),
          },
          t("board.removeDot", { count: mineDots }),
        ),
      );
    }
  }
  if (item.kind === "question" && role === "case_bringer" && !phase.case_bringer_listens) {
    out.push(triage(session, view, item, maySubmit(phase, role, "answer")));
  }
  // Questions get their reactions in the triage row; the rest in a row of their own.
  if (
    reactable(view, item) &&
    view.me.role === "case_bringer" &&
    !mine &&
    !(item.kind === "question" && !phase.case_bringer_listens)
  ) {
    out.push(reactions(session, view, item));
  }
  const choose = chooseKeyQuestionButton(session, view, item);
  if (choose) out.push(choose);
  const carry = carryButton(session, view, item);
  if (carry) out.push(carry);
  if (mine && view.phase && item.phase_seq === view.phase.seq) {
    out.push(
      h(
        "button",
        {
          type: "button",
          class: "quiet",
          "data-fk": `withdraw-${item.id}`,
          onclick: () => session.send({ kind: "withdraw", item: item.id }),
        },
        t("board.withdraw"),
      ),
    );
  }
  return out.length > 0 ? h("div", { class: "item-actions" }, out) : null;
}

/**
/**
 * The case-bringer sorts questions in one row: answered, parked, "touches me"; the rest
 * (answer in writing, lukewarm, "does not touch me", useful, back to open) is in a menu.
 * Answers are mostly spoken in the room; writing one is optional. The status is public; how
 * a question touches them is their private reaction.
 * @param {Session} session
 * @param {SessionView} view
 * @param {Item} item
 * @param {boolean} mayAnswer
 */
function triage(session, view, item, mayAnswer) {
  const send = (/** @type {import('../protocol').TriageStatus} */ status) =>
    session.send({ kind: "triage", item: item.id, status });
  const own = reactable(view, item);
  const current = reactionOf(view, item.id) ?? { temperature: "none", useful: false };
  /** @param {import('../protocol').Reaction} reaction */
  const react = (reaction) => session.send({ kind: "react", item: item.id, reaction });
  /** @param {import('../protocol').Temperature} tp */
  const temp = (tp) => react({ ...current, temperature: current.temperature === tp ? "none" : tp });
  /**
   * @param {string} key
   * @param {import('../icons.js').IconName} ic
   * @param {boolean} on
   * @param {() => void} onclick
   * @param {string} fk
   */
  const toggle = (key, ic, on, onclick, fk) =>
    h(
      "button",
      { type: "button", class: "toggle", "aria-pressed": String(on), "data-fk": fk, onclick },
      icon(ic),
      t(key),
    );
  const open = ui.boards.answering.has(item.id);
  return h(
    "div",
    { class: "triage", role: "group", "aria-label": t("triage.label") },
    toggle(
      "triage.answered",
      "check",
      item.status === "answered",
      () => send(item.status === "answered" ? "open" : "answered"),
      `triage-${item.id}-answered`,
    ),
    toggle(
      "triage.parked",
      "park",
      item.status === "parked",
      () => send(item.status === "parked" ? "open" : "parked"),
      `triage-${item.id}-parked`,
    ),
    own
      ? toggle(
          "triage.touches",
          "heart",
          current.temperature === "warm",
          () => temp("warm"),
          `temp-${item.id}-warm`,
        )
      : null,
    menu({ label: t("triage.more"), icon: "more", fk: `triage-more-${item.id}` }, [
      mayAnswer
        ? h(
            "button",
            {
              type: "button",
              "aria-expanded": String(open),
              "data-fk": `answer-${item.id}`,
              onclick: () => {
                if (open) ui.boards.answering.delete(item.id);
                else ui.boards.answering.add(item.id);
                session.changed();
                if (!open)
                  setTimeout(
                    () => document.getElementById(`compose-answer-${item.id}`)?.focus(),
                    30,
                  );
              },
            },
            icon("pencil"),
            open ? t("board.closeAnswer") : t("board.answer"),
          )
        : null,
      own
        ? h(
            "button",
            {
              type: "button",
              "aria-pressed": String(current.temperature === "lukewarm"),
              "data-fk": `temp-${item.id}-lukewarm`,
              onclick: () => temp("lukewarm"),
            },
            t("temp.lukewarm"),
          )
        : null,
      own
        ? h(
            "button",
            {
              type: "button",
              "aria-pressed": String(current.temperature === "cold"),
              "data-fk": `temp-${item.id}-cold`,
              onclick: () => temp("cold"),
            },
            t("triage.cold"),
          )
        : null,
      own
        ? h(
            "button",
            {
              type: "button",
              "aria-pressed": String(current.useful),
              "data-fk": `react-${item.id}-useful`,
              onclick: () => react({ ...current, useful: !current.useful }),
            },
            t("reaction.useful"),
          )
        : null,
      item.status !== "open"
        ? h(
            "button",
            { type: "button", "data-fk": `triage-${item.id}-open`, onclick: () => send("open") },
            t("triage.reopen"),
          )
        : null,
    ]),
  );
}

/**
 * Items addressed to the case-bringer of the running case, which they may react to.
 * @param {SessionView} view
 * @param {Item} item
 */
function reactable(view, item) {
  const kinds = ["question", "analysis", "advice", "private_note"];
  return (
    kinds.includes(item.kind) &&
    item.case_round === view.case_round &&
    (item.kind !== "private_note" || item.revealed)
  );
}

/**
 * The case-bringer's private reaction: "Hoe raakt dit je?" warm / lauw / koud, and useful.
 * @param {Session} session
 * @param {SessionView} view
 * @param {Item} item
 */
function reactions(session, view, item) {
  const current = reactionOf(view, item.id) ?? { temperature: "none", useful: false };
  /** @type {import('../protocol').Temperature[]} */
  const temps = ["warm", "lukewarm", "cold"];
  /** @param {import('../protocol').Reaction} reaction */
  const send = (reaction) => session.send({ kind: "react", item: item.id, reaction });
  return h(
    "div",
    { class: "triage" },
    h(
      "div",
      { class: "segmented", role: "group", "aria-labelledby": `react-t-${item.id}` },
      h("span", { class: "seg-label", id: `react-t-${item.id}` }, t("triage.tempShort")),
      temps.map((tp) =>
        h(
          "button",
          {
            type: "button",
            "aria-pressed": String(current.temperature === tp),
            "data-fk": `temp-${item.id}-${tp}`,
            onclick: () =>
              send({ ...current, temperature: current.temperature === tp ? "none" : tp }),
          },
          t(`temp.${tp}`),
        ),
      ),
    ),
    h(
      "button",
      {
        type: "button",
        class: ["react", current.useful && "on"],
        "aria-pressed": String(current.useful),
        "data-fk": `react-${item.id}-useful`,
        onclick: () => send({ ...current, useful: !current.useful }),
      },
      icon("check"),
      t("reaction.useful"),
    ),
  );
}

/**
 * @param {Session} session
 * @param {Item} item
 */
function hideButton(session, item) {
  const label = item.hidden ? t("fac.unhide") : t("fac.hide");
  return h(
    "button",
    {
      type: "button",
      class: "quiet small icon-button hide-button",
      "data-fk": `hide-${item.id}`,
      "aria-label": label,
      title: label,
      onclick: () => session.send({ kind: "hide_item", item: item.id, hidden: !item.hidden }),
    },
    icon(item.hidden ? "show" : "hide"),
  );
}

/**
 * @param {Session} session
 * @param {Item} question
 */
function answerComposer(session, question) {
  return composer(session, {
    kind: "answer",
    replyTo: question.id,
    compact: true,
    onSent: () => {
      ui.boards.answering.delete(question.id);
      session.changed();
    },
  });
}

/** The method's name and phases as a list (for the lobby). */
/** @param {SessionView} view */
export function methodOverview(view) {
  return h(
    "ol",
    { class: "phase-list" },
    view.method.phases.map((p, i) =>
      h(
        "li",
        {
          class:
            view.phase && view.phase.index === i
              ? "current"
              : view.phase && i < view.phase.index
                ? "done"
                : "",
        },
        h("span", { class: "phase-list-name" }, local(p.name)),
        " ",
        h("span", { class: "hint" }, t("phase.minutes", { count: p.minutes })),
      ),
    ),
  );
}

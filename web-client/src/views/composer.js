// Writing input: one composer per kind the phase allows for my role, what is waiting to be
// sent, and what the server refused (with the text kept to read, copy, rephrase or send anyway).

import { h, copyText } from "../dom.js";
import { icon } from "../icons.js";
import { t, local } from "../i18n/index.js";
import { MAX_CHARS, maySubmit, currentPhase } from "../session-state.js";
import { commandText } from "../outbox.js";
import { limitLeft } from "../rules.js";
import * as storage from "../storage.js";
import { errorText, phaseName } from "./common.js";
import { showSent } from "./boards.js";
import { categoryOf } from "../codes.js";
import { ui } from "./ui-state.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').InputKind} InputKind */
/** @typedef {import('../protocol').ItemId} ItemId */
/** @typedef {import('../session.js').Session} Session */
/** @typedef {import('../outbox.js').RefusedEntry} RefusedEntry */

/** Kinds where hiding one's name makes sense (not the case-bringer's own statements). */
const ANONYMOUS_KINDS = new Set(["question", "analysis", "advice", "reflection", "private_note"]);

/**
 * Short texts, written in one go: Enter sends them (Shift+Enter still makes a new line), and
 * the phone keyboard's Enter key says "send".
 */
const ONE_LINE = new Set(["question", "key_question", "case", "answer"]);

/** "Sent" shows under a composer for a few seconds after the server confirmed it. */
const SENT_MS = 5000;

/**
 * A composer for `kind`. Typed text is kept as a draft (per tab) until it is sent, so a rebuilt
 * composer or a reload does not lose it.
 * @param {Session} session
 * @param {{kind: InputKind, replyTo?: ItemId, compact?: boolean, onSent?: () => void, labelKey?: string, hintKey?: string}} opts
 */
export function composer(session, opts) {
  const { kind } = opts;
  const slot = opts.replyTo !== undefined ? `answer-${opts.replyTo}` : kind;
  const id = `compose-${slot}`;
  const max = MAX_CHARS[kind];
  const oneLine = ONE_LINE.has(kind);
  const view = session.view;
  const limit = view && opts.replyTo === undefined ? limitLeft(view, kind) : null;
  const atLimit = limit !== null && limit.left === 0;
  const textarea = h("textarea", {
    id,
    name: slot,
    rows: opts.compact || oneLine ? 2 : 3,
    maxlength: max,
    "data-fk": id,
    enterkeyhint: oneLine ? "send" : "enter",
    disabled: atLimit,
    "aria-describedby": `${id}-limit ${id}-hint ${id}-count`,
    value: atLimit ? "" : storage.draft(session.code, slot),
  });
  const count = h("span", { id: `${id}-count`, class: "count", "aria-live": "off" });
  const anonymous = h("input", { type: "checkbox", id: `${id}-anon`, "data-fk": `${id}-anon` });
  // Offered only where the session allows it (and the server has not refused it after all).
  const offerAnonymous =
    ANONYMOUS_KINDS.has(kind) &&
    session.view?.settings.allow_anonymous === true &&
    !ui.composer.anonymityRefused;
  const error = h("p", { class: "field-error", role: "alert" });
  const updateCount = () => {
    const n = [...textarea.value].length;
    count.textContent = t("compose.count", { n, max });
    count.classList.toggle("over", n > max);
  };
  const sent = h("p", { class: "sent-note", role: "status", id: `${id}-sent` });
  showSentNote(sent, slot);
  textarea.addEventListener("input", () => {
    storage.saveDraft(session.code, slot, textarea.value);
    updateCount();
    error.textContent = "";
    if (sent.firstChild) sent.replaceChildren();
  });
  if (oneLine) {
    textarea.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
  }
  updateCount();

  const form = h(
    "form",
    {
      class: ["composer", opts.compact && "compact"],
      dataset: { kind },
      onsubmit: (/** @type {SubmitEvent} */ e) => {
        e.preventDefault();
        const text = textarea.value.trim();
        if (!text) {
          error.textContent = t("error.text_empty");
          textarea.focus();
          return;
        }
        if ([...text].length > max) {
          error.textContent = t("error.text_too_long");
          textarea.focus();
          return;
        }
        session.send(
          {
            kind: "submit",
            input: kind,
            text,
            reply_to: opts.replyTo ?? null,
            anonymous: offerAnonymous && anonymous.checked ? true : undefined,
          },
          {
            ok: (_entry, ack) => {
              ui.composer.sentAt.set(slot, Date.now());
              const note = () => document.getElementById(`${id}-sent`);
              showSentNote(note(), slot);
              setTimeout(() => {
                ui.composer.sentAt.delete(slot);
                showSentNote(note(), slot);
              }, SENT_MS);
              if (ack.item !== null) showSent(ack.item);
            },
          },
        );
        textarea.value = "";
        storage.saveDraft(session.code, slot, "");
        updateCount();
        opts.onSent?.();
      },
    },
    h(
      "label",
      { for: id, class: "composer-label" },
      t(
        opts.replyTo !== undefined
          ? "compose.answerLabel"
          : (opts.labelKey ?? `compose.label.${kind}`),
      ),
    ),
    limit !== null
      ? h(
          "p",
          { id: `${id}-limit`, class: ["limit", atLimit && "at-limit"] },
          atLimit
            ? t("compose.limitReached", { max: limit.max, kind: t(`board.${kind}`) })
            : t("compose.limitLeft", {
                count: limit.left,
                max: limit.max,
                kind: t(`board.${kind}`),
              }),
        )
      : null,
    h("p", { id: `${id}-hint`, class: "hint" }, t(opts.hintKey ?? `compose.hint.${kind}`)),
    textarea,
    h(
      "div",
      { class: "composer-foot" },
      count,
      offerAnonymous
        ? h("label", { class: "check", for: `${id}-anon` }, anonymous, t("compose.anonymous"))
        : null,
      h(
        "button",
        { type: "submit", class: "primary", disabled: atLimit, "data-fk": `${id}-send` },
        icon("send"),
        t(opts.replyTo !== undefined ? "compose.sendAnswer" : `compose.send.${kind}`),
      ),
    ),
    sent,
    error,
  );
  return form;
}

/**
 * "Sent" under a composer while its last text is freshly confirmed.
 * @param {HTMLElement | null} el
 * @param {string} slot
 */
function showSentNote(el, slot) {
  if (!el) return;
  const at = ui.composer.sentAt.get(slot);
  const fresh = at !== undefined && Date.now() - at < SENT_MS;
  el.replaceChildren(...(fresh ? [icon("check"), t("compose.sent")] : []));
}

/**
 * What is typed but not acknowledged yet: shown so nobody wonders where their text went.
 * @param {Session} session
 */
export function pendingList(session) {
  const pending = session.pending().filter((e) => e.command.kind === "submit");
  if (pending.length === 0) return null;
  const connected = session.conn === "connected";
  return h(
    "section",
    { class: "card pending", "aria-labelledby": "pending-title" },
    h(
      "h2",
      { id: "pending-title" },
      connected ? t("outbox.sending") : t("outbox.waiting", { count: pending.length }),
    ),
    h("p", { class: "hint" }, connected ? t("outbox.sendingHint") : t("outbox.waitingHint")),
    h(
      "ul",
      { class: "plain" },
      pending.map((e) =>
        h(
          "li",
          { class: "pending-item" },
          h("span", { class: "badge" }, t(`kind.${kindOf(e.command)}`)),
          " ",
          commandText(e.command) ?? "",
        ),
      ),
    ),
  );
}

/** @param {import('../protocol').Command} c */
function kindOf(c) {
  return c.kind === "submit" ? c.input : "vote";
}

/**
 * Input the server refused. The text stays readable and can be copied; a text the server warned
 * about (advice in a question round or before the advice round, a "question" that asks nothing)
 * shows the words that made it so and can be rephrased or sent anyway.
 * @param {Session} session
 * @param {SessionView} view
 * @param {RefusedEntry} entry
 */
export function refusedCard(session, view, entry) {
  const text = commandText(entry.command) ?? "";
  const command = entry.command;
  const isWarning = categoryOf(entry.code) === "confirm";
  const copyBox = h("textarea", {
    readonly: true,
    rows: 3,
    class: "refused-text",
    "aria-label": t("outbox.yourText"),
    value: text,
  });
  const copied = h("span", { class: "hint", role: "status" });
  const phase = currentPhase(view);
  const kind = command.kind === "submit" ? command.input : null;
  const canRewrite = kind !== null && phase !== null && maySubmit(phase, view.me.role, kind);
  /** @type {Node[]} */
  const actions = [];
  if (isWarning && command.kind === "submit") {
    actions.push(
      h(
        "button",
        {
          type: "button",
          class: "primary",
          "data-fk": `rephrase-${entry.id}`,
          onclick: () => {
            const slot = command.reply_to != null ? `answer-${command.reply_to}` : command.input;
            putBack(session, slot, text);
            session.dismiss(entry.id);
          },
        },
        t("confirm.rephrase"),
      ),
      h(
        "button",
        {
          type: "button",
          "data-fk": `anyway-${entry.id}`,
          onclick: () => {
            session.dismiss(entry.id);
            session.send({ ...command, confirm: true });
          },
        },
        t("confirm.sendAnyway"),
      ),
    );
  } else {
    actions.push(
      h(
        "button",
        {
          type: "button",
          "data-fk": `copy-${entry.id}`,
          onclick: async () => {
            const ok = await copyText(text, copyBox);
            copied.textContent = ok ? t("outbox.copied") : t("outbox.copyManually");
          },
        },
        t("outbox.copy"),
      ),
    );
    if (canRewrite && command.kind === "submit") {
      actions.push(
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              putBack(session, command.input, text);
              session.dismiss(entry.id);
            },
          },
          t("outbox.editAgain"),
        ),
      );
    }
    actions.push(
      h(
        "button",
        { type: "button", class: "quiet", onclick: () => session.dismiss(entry.id) },
        t("outbox.dismiss"),
      ),
    );
  }
  // One contribution per turn: not an error of the person's, their turn is coming.
  const waits = entry.code === "wait_your_turn";
  const title = isWarning
    ? t(`confirm.title.${entry.code}`)
    : waits
      ? t("outbox.waitTitle")
      : t("outbox.refusedTitle");
  const reason = isWarning
    ? warningText(view, entry)
    : waits
      ? t("outbox.waitText")
      : entry.code === "phase_closed" && entry.phase !== null
        ? t("outbox.phaseClosed", { phase: closedPhaseName(view, entry.phase) })
        : errorText(view, { code: entry.code, phases: phasesFor(view, entry) });
  const cues = isWarning ? (entry.cues ?? []) : [];
  return h(
    "section",
    {
      class: ["card", "refused", isWarning && "confirm", waits && "wait-turn"],
      role: "alert",
      "aria-labelledby": `refused-${entry.id}`,
      dataset: { code: entry.code },
    },
    h("h2", { id: `refused-${entry.id}` }, title),
    h("p", null, reason),
    kind ? h("p", { class: "hint" }, t("outbox.kindWas", { kind: t(`kind.${kind}`) })) : null,
    cues.length > 0 ? markedText(text, cues) : null,
    cues.length > 0 ? h("p", { class: "hint" }, t("confirm.marked")) : null,
    cues.length > 0 ? null : copyBox,
    h("div", { class: "actions" }, actions, copied),
  );
}

/**
 * What a warning says; advice in an analysis names the phase where advice belongs.
 * @param {SessionView} view
 * @param {RefusedEntry} entry
 */
function warningText(view, entry) {
  if (entry.code !== "advice_in_analysis") return t(`confirm.text.${entry.code}`);
  const phases = (entry.phases ?? []).filter((i) => view.method.phases[i]);
  if (phases.length === 0) return t("confirm.text.advice_in_analysis_none");
  return t("confirm.text.advice_in_analysis", {
    phase: phases.map((i) => local(view.method.phases[i].name)).join(", "),
  });
}

/**
 * The member's own text with the words that made it advice-like marked. The spans are UTF-16
 * offsets, as JavaScript indexes strings; anything out of range is ignored.
 * @param {string} text
 * @param {import('../protocol').TextSpan[]} cues
 */
function markedText(text, cues) {
  /** @type {(string | Node)[]} */
  const parts = [];
  let at = 0;
  for (const { start, end } of [...cues].sort((a, b) => a.start - b.start)) {
    if (start < at || end <= start || end > text.length) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(h("mark", null, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return h("blockquote", { class: "refused-quote", "aria-label": t("outbox.yourText") }, parts);
}

/**
 * Puts a text back into its composer (and its draft) to be edited, and focuses it.
 * @param {Session} session
 * @param {string} slot
 * @param {string} text
 */
function putBack(session, slot, text) {
  storage.saveDraft(session.code, slot, text);
  const box = document.getElementById(`compose-${slot}`);
  if (box instanceof HTMLTextAreaElement) {
    box.value = text;
    box.dispatchEvent(new Event("input"));
    setTimeout(() => box.focus(), 30);
  }
}

/**
 * The phase a refused entry was written in (the stamp is a phase sequence; the name is only
 * known when it is the running one or the last one before it).
 * @param {SessionView} view
 * @param {number} phaseSeq
 */
function closedPhaseName(view, phaseSeq) {
  const made = view.items.find((i) => i.phase_seq === phaseSeq);
  if (made) return phaseName(view, made.phase);
  if (view.phase && view.phase.seq === phaseSeq + 1 && view.phase.index > 0)
    return phaseName(view, view.phase.index - 1);
  return t("outbox.earlierPhase");
}

/**
 * Where a refused kind would have been allowed, for the explanation.
 * @param {SessionView} view
 * @param {RefusedEntry} entry
 */
function phasesFor(view, entry) {
  if (entry.command.kind !== "submit") return [];
  const kind = entry.command.input;
  /** @type {number[]} */
  const out = [];
  view.method.phases.forEach((p, i) => {
    if (maySubmit(p, view.me.role, kind)) out.push(i);
  });
  return out;
}

/**
 * Explains inputs my role has in other phases: "Advice comes later, in: Advice round".
 * @param {SessionView} view
 * @returns {string[]}
 */
export function laterInputs(view) {
  const phase = currentPhase(view);
  const role = view.me.role;
  const now = view.phase ? view.phase.index : -1;
  /** @type {Map<InputKind, number[]>} */
  const later = new Map();
  view.method.phases.forEach((p, i) => {
    if (i <= now) return;
    for (const kind of p.allow[
      role === "note_taker" && !p.allow.note_taker ? "participant" : role
    ] ?? []) {
      if (role === "case_bringer" && p.case_bringer_listens) continue;
      // The case-bringer reacts whenever something reaches them: never "later".
      if (kind === "reaction") continue;
      if (phase && maySubmit(phase, role, kind)) continue;
      const list = later.get(kind) ?? [];
      list.push(i);
      later.set(kind, list);
    }
  });
  return [...later.entries()].map(([kind, phases]) =>
    t("compose.later", {
      kind: t(`kind.${kind}`),
      phases: phases.map((i) => local(view.method.phases[i].name)).join(", "),
    }),
  );
}

/**
 * The note that text was saved as a draft and sends when the connection is back.
 * @param {Session} session
 */
export function offlineHint(session) {
  if (session.conn === "connected") return null;
  return h("p", { class: "hint offline-hint" }, t("compose.offline"));
}

/** @param {boolean} refused */
export function setAnonymityRefused(refused) {
  ui.composer.anonymityRefused = refused;
}

// "How this method works": what each phase is for, good and bad questions, what each role
// does, and the group's agreements. Shown in the lobby and, from the help button, on every
// page of a session. Its texts are long and read once, so they load only when shown, in the
// person's language (`help/nl.js`, `help/en.js`, ...).

import { h, replace } from "../dom.js";
import { icon } from "../icons.js";
import { t, local, language } from "../i18n/index.js";
import { allowed } from "../session-state.js";

/** @typedef {import('../protocol').SessionView} SessionView */
/** @typedef {import('../protocol').PhaseTemplate} PhaseTemplate */
/** @typedef {import('../protocol').Language} Language */

/**
 * @typedef {Object} HelpTexts
 * @property {string} intro what intervision is, in two sentences
 * @property {string[]} agreements
 * @property {Record<"facilitator" | "case_bringer" | "participant" | "note_taker", string>} roles
 * @property {string[]} goodQuestions
 * @property {[string, string][]} badQuestions a question and why it is not one
 * @property {Record<string, string>} purposes by `method/phase` id
 * @property {Record<string, string>} generic purpose by what a phase is mainly about
 */

/** @type {Partial<Record<Language, HelpTexts>>} */
const loaded = {};

/**
 * @param {Language} lang
 * @returns {Promise<HelpTexts>}
 */
export async function helpTexts(lang) {
  const have = loaded[lang];
  if (have) return have;
  const mod = await {
    nl: () => import("../help/nl.js"),
    en: () => import("../help/en.js"),
    de: () => import("../help/de.js"),
    fr: () => import("../help/fr.js"),
  }[lang]();
  loaded[lang] = mod.default;
  return mod.default;
}

/** What a phase is mainly about, for a purpose when the method is not a built-in one. */
const MAIN = /** @type {const} */ ([
  "case",
  "vote",
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
 * Why the phase exists.
 * @param {HelpTexts} texts
 * @param {SessionView} view
 * @param {PhaseTemplate} phase
 */
export function purposeOf(texts, view, phase) {
  const own = texts.purposes[`${view.method.id}/${phase.id}`] ?? texts.purposes[`*/${phase.id}`];
  if (own) return own;
  const kinds = [...allowed(phase, "participant"), ...allowed(phase, "case_bringer")];
  const main = MAIN.find((k) => kinds.includes(k));
  if (main) return texts.generic[main];
  return phase.turns === "case_bringer_only" ? texts.generic.listen : texts.generic.talk;
}

/**
 * The whole explanation, for a container (the lobby card or the dialog). Folded, only the
 * phases are open (on a phone in the lobby the rest would push everything else far down).
 * @param {HelpTexts} texts
 * @param {SessionView} view
 * @param {{fold?: boolean}} [opts]
 */
export function helpContent(texts, view, opts = {}) {
  const current = view.phase?.index ?? -1;
  const roles = /** @type {const} */ (["facilitator", "case_bringer", "participant", "note_taker"]);
  /** @param {string} title @param {Node} body */
  const part = (title, body) =>
    opts.fold
      ? h("details", { class: "help-part" }, h("summary", null, h("h3", null, title)), body)
      : [h("h3", null, title), body];
  return [
    h("p", null, texts.intro),
    h("h3", null, t("help.phases", { method: local(view.method.name) })),
    h(
      "ol",
      { class: "help-phases" },
      view.method.phases.map((p, i) =>
        h(
          "li",
          { class: [i === current && "current"] },
          h(
            "p",
            { class: "help-phase-name" },
            local(p.name),
            " ",
            h("span", { class: "hint" }, t("phase.minutes", { count: p.minutes })),
          ),
          h("p", null, purposeOf(texts, view, p)),
        ),
      ),
    ),
    part(
      t("help.questions"),
      h(
        "div",
        { class: "help-questions" },
        h(
          "div",
          { class: "good" },
          h("p", { class: "help-label" }, icon("check"), t("help.good")),
          h(
            "ul",
            null,
            texts.goodQuestions.map((q) => h("li", null, q)),
          ),
        ),
        h(
          "div",
          { class: "bad" },
          h("p", { class: "help-label" }, icon("close"), t("help.bad")),
          h(
            "ul",
            null,
            texts.badQuestions.map(([q, why]) =>
              h(
                "li",
                null,
                h("span", { class: "bad-question" }, q),
                " ",
                h("span", { class: "hint" }, why),
              ),
            ),
          ),
        ),
      ),
    ),
    part(
      t("help.roles"),
      h(
        "ul",
        { class: "plain role-cards" },
        roles.map((r) =>
          h(
            "li",
            { class: ["role-card", view.me.role === r && "mine"] },
            h(
              "p",
              { class: "role-name" },
              t(`role.${r}`),
              view.me.role === r ? h("span", { class: "badge" }, t("help.you")) : null,
            ),
            h("p", null, texts.roles[r]),
          ),
        ),
      ),
    ),
    part(
      t("help.agreements"),
      h(
        "ul",
        { class: "agreements" },
        texts.agreements.map((a) => h("li", null, a)),
      ),
    ),
  ];
}

/**
 * Fills `container` with the explanation in the current language.
 * @param {HTMLElement} container
 * @param {SessionView} view
 * @param {{fold?: boolean}} [opts]
 */
export async function fillHelp(container, view, opts = {}) {
  const texts = await helpTexts(language());
  replace(container, ...helpContent(texts, view, opts));
  container.removeAttribute("aria-busy");
}

/**
 * Opens the explanation over the page (from the help button in the top bar).
 * @param {SessionView} view
 */
export async function openHelp(view) {
  const texts = await helpTexts(language());
  document.getElementById("help-dialog")?.remove();
  const dialog = h(
    "dialog",
    { id: "help-dialog", class: "help-dialog", "aria-labelledby": "help-title" },
    h(
      "div",
      { class: "help-head" },
      h("h2", { id: "help-title" }, t("help.title")),
      h(
        "button",
        {
          type: "button",
          class: "icon-button",
          "aria-label": t("help.close"),
          title: t("help.close"),
          onclick: () => dialog.close(),
        },
        icon("close"),
      ),
    ),
    h("div", { class: "help-body" }, helpContent(texts, view)),
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    const back = document.querySelector(".help-button");
    if (back instanceof HTMLElement) back.focus();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
}

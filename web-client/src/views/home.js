// Home: join a session by typing its code, or start one (method, title, language) and go to
// the facilitator console. Sessions opened on this device before are offered again.

import { h, replace } from "../dom.js";
import { t, local, language, formatRelative } from "../i18n/index.js";
import * as storage from "../storage.js";
import { validName } from "../session-state.js";
import { topBar } from "./common.js";

/** @typedef {import('../protocol').MethodTemplate} MethodTemplate */
/** @typedef {import('../protocol').SessionCreated} SessionCreated */
/** @typedef {import('../protocol').ApiError} ApiError */

/** @type {MethodTemplate[] | null} */
let methods = null;
/** @type {string | null} */
let methodsError = null;

/**
 * Renders the home page; returns its render function (called again when the language changes).
 * @param {HTMLElement} root
 */
export function homePage(root) {
  const render = () => {
    document.title = "kring";
    replace(root, topBar({}), h("main", { id: "main", class: "home" }, intro(), joinForm(), createForm(render), recent()));
  };
  render();
  if (!methods) {
    fetch("/api/methods")
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((/** @type {import('../protocol').MethodList} */ list) => {
        methods = list.methods;
        render();
      })
      .catch(() => {
        methodsError = t("home.methodsFailed");
        render();
      });
  }
  return render;
}

function intro() {
  return h("section", { class: "intro" }, h("h1", null, t("home.title")), h("p", null, t("home.tagline")));
}

function joinForm() {
  const input = h("input", {
    id: "join-code",
    name: "code",
    type: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    inputmode: "text",
    placeholder: "K7M-3QX-9PA",
    "aria-describedby": "join-code-hint join-code-error",
    required: true,
  });
  const error = h("p", { id: "join-code-error", class: "field-error", role: "alert" });
  return h(
    "section",
    { class: "card", "aria-labelledby": "join-title" },
    h("h2", { id: "join-title" }, t("home.joinTitle")),
    h(
      "form",
      {
        class: "stack",
        onsubmit: (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const code = storage.normalizeCode(input.value);
          if (!code) {
            error.textContent = t("home.badCode");
            input.setAttribute("aria-invalid", "true");
            input.focus();
            return;
          }
          location.assign(`/join/${storage.displayCode(code)}`);
        },
      },
      h("label", { for: "join-code" }, t("join.codeLabel")),
      h("p", { id: "join-code-hint", class: "hint" }, t("home.codeHint")),
      input,
      error,
      h("button", { type: "submit", class: "primary" }, t("home.joinButton")),
    ),
  );
}

/** @param {() => void} rerender */
function createForm(rerender) {
  const title = h("input", { id: "create-title", name: "title", type: "text", maxlength: 120, required: true, autocomplete: "off" });
  const name = h("input", { id: "create-name", name: "name", type: "text", maxlength: 40, required: true, autocomplete: "nickname", value: storage.lastName() });
  const lang = h(
    "select",
    { id: "create-lang", name: "language" },
    h("option", { value: "nl", selected: language() === "nl", lang: "nl" }, t("lang.nl")),
    h("option", { value: "en", selected: language() === "en", lang: "en" }, t("lang.en")),
  );
  const error = h("p", { class: "field-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, t("home.createButton"));
  /** @type {Node} */
  let picker;
  if (methods) {
    picker = h(
      "fieldset",
      { class: "methods" },
      h("legend", null, t("home.method")),
      methods.map((m, i) => {
        const id = `method-${m.id}`;
        const minutes = m.phases.reduce((sum, p) => sum + p.minutes, 0);
        return h(
          "div",
          { class: "method" },
          h("input", { type: "radio", name: "method", id, value: m.id, checked: i === 0, "aria-describedby": `${id}-desc` }),
          h(
            "label",
            { for: id },
            h("span", { class: "method-name" }, local(m.name)),
            h("span", { class: "hint" }, " · ", t("home.methodSize", { phases: m.phases.length, minutes })),
          ),
          h("p", { id: `${id}-desc`, class: "method-desc" }, local(m.description)),
          h(
            "details",
            null,
            h("summary", null, t("home.phases")),
            h("ol", null, m.phases.map((p) => h("li", null, local(p.name), " ", h("span", { class: "hint" }, t("phase.minutes", { count: p.minutes }))))),
          ),
        );
      }),
    );
  } else {
    picker = h("p", { role: methodsError ? "alert" : "status" }, methodsError ?? t("home.loadingMethods"));
  }
  return h(
    "section",
    { class: "card", "aria-labelledby": "create-title-h" },
    h("h2", { id: "create-title-h" }, t("home.createTitle")),
    h(
      "form",
      {
        class: "stack",
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const form = /** @type {HTMLFormElement} */ (e.currentTarget);
          const method = new FormData(form).get("method");
          const who = validName(name.value);
          if (!title.value.trim()) {
            error.textContent = t("home.titleMissing");
            title.focus();
            return;
          }
          if (!who) {
            error.textContent = t("error.invalid_name");
            name.focus();
            return;
          }
          submit.disabled = true;
          error.textContent = "";
          try {
            const res = await fetch("/api/sessions", {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ method: typeof method === "string" ? method : "basic", title: title.value.trim(), language: lang.value }),
            });
            if (!res.ok) {
              /** @type {ApiError | null} */
              const body = await res.json().catch(() => null);
              error.textContent = body ? t(`error.${body.code}`) : t("home.createFailed");
              submit.disabled = false;
              return;
            }
            /** @type {SessionCreated} */
            const created = await res.json();
            const code = storage.normalizeCode(created.code);
            if (!code) throw new Error("bad code");
            storage.saveFacilitatorToken(code, created.facilitator_token);
            storage.saveName(who);
            location.assign(`/session/${storage.displayCode(code)}`);
          } catch {
            error.textContent = t("home.createFailed");
            submit.disabled = false;
          }
        },
      },
      h("label", { for: "create-title" }, t("home.sessionTitle")),
      title,
      h("label", { for: "create-name" }, t("home.yourName")),
      name,
      h("label", { for: "create-lang" }, t("home.language")),
      lang,
      picker,
      error,
      submit,
    ),
  );
  void rerender;
}

function recent() {
  const list = storage.recentSessions();
  if (list.length === 0) return null;
  const now = Date.now();
  return h(
    "section",
    { class: "card", "aria-labelledby": "recent-title" },
    h("h2", { id: "recent-title" }, t("home.recent")),
    h(
      "ul",
      { class: "plain recent" },
      list.map((r) =>
        h(
          "li",
          null,
          h("a", { href: `/session/${storage.displayCode(r.code)}` }, r.title || storage.displayCode(r.code)),
          " ",
          h("span", { class: "hint" }, [storage.displayCode(r.code), r.facilitator ? t("role.facilitator") : null, formatRelative(r.at, now)].filter(Boolean).join(" · ")),
        ),
      ),
    ),
  );
}

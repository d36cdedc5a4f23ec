// Home: join a session by typing its code, or start one (method, title, language, what it
// allows and keeps, and whether it is the next meeting of an earlier group) and go to the
// facilitator console. Sessions opened and groups met on this device before are offered again.

import { h, replace } from "../dom.js";
import {
  t,
  local,
  language,
  formatRelative,
  formatDate,
  LANGUAGES,
  isLanguage,
} from "../i18n/index.js";
import * as storage from "../storage.js";
import { createSession, fetchMethodList, fetchPreview } from "../api.js";
import { validName } from "../session-state.js";
import { GROUP_NAME_MAX_CHARS, NAME_MAX_CHARS, TITLE_MAX_CHARS } from "../wire.js";
import { topBar } from "./common.js";
import { ui } from "./ui-state.js";

/** @typedef {import('../protocol').MethodTemplate} MethodTemplate */
/** @typedef {import('../protocol').CreateSession} CreateSession */

/** The value of the group picker's "paste a key" option. */
const OTHER_GROUP = "";

/**
 * Renders the home page; returns its render function (called again when the language changes).
 * @param {HTMLElement} root
 */
export function homePage(root) {
  // Where the method list goes once it has loaded: only that slot is filled, so what a person
  // typed meanwhile stays.
  const slot = h("div", { class: "method-slot" });
  const render = () => {
    document.title = "kring";
    replace(slot, methodPicker());
    replace(
      root,
      topBar({}),
      h("main", { id: "main", class: "home" }, intro(), joinForm(), createForm(slot), recent()),
    );
  };
  render();
  if (!ui.home.methods) {
    void fetchMethodList().then((list) => {
      if (list) ui.home.methods = list;
      else ui.home.methodsError = t("home.methodsFailed");
      replace(slot, methodPicker());
    });
  }
  return render;
}

function intro() {
  return h(
    "section",
    { class: "intro" },
    h("h1", null, t("home.title")),
    h("p", null, t("home.tagline")),
  );
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
    enterkeyhint: "go",
    "aria-describedby": "join-code-hint join-code-error",
    required: true,
    // Back from the name step, the code is still there.
    value: storage.typedCode(),
  });
  const error = h("p", { id: "join-code-error", class: "field-error", role: "alert" });
  const button = h("button", { type: "submit", class: "primary" }, t("home.joinButton"));
  input.addEventListener("input", () => {
    error.textContent = "";
    input.removeAttribute("aria-invalid");
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "join-title" },
    h("h2", { id: "join-title" }, t("home.joinTitle")),
    h(
      "form",
      {
        class: "stack",
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const code = storage.normalizeCode(input.value);
          /** @param {string} text */
          const refuse = (text) => {
            error.textContent = text;
            input.setAttribute("aria-invalid", "true");
            input.focus();
          };
          if (!code) return refuse(t("home.badCode"));
          storage.saveTypedCode(storage.displayCode(code));
          // A code that leads nowhere is said here, before anyone types a name.
          button.disabled = true;
          const found = await fetchPreview(code);
          button.disabled = false;
          if (!found.ok && found.status === 404) return refuse(t("home.noSuchSession"));
          if (!found.ok && found.status === 429) return refuse(t("join.tooMany.text"));
          location.assign(`/join/${storage.displayCode(code)}`);
        },
      },
      h("label", { for: "join-code" }, t("join.codeLabel")),
      h("p", { id: "join-code-hint", class: "hint" }, t("home.codeHint")),
      input,
      error,
      button,
    ),
  );
}

/** @param {HTMLElement} picker the slot of the method list */
function createForm(picker) {
  const title = h("input", {
    id: "create-title",
    name: "title",
    type: "text",
    maxlength: TITLE_MAX_CHARS,
    required: true,
    autocomplete: "off",
    "aria-describedby": "create-title-error",
  });
  const titleError = h("p", { id: "create-title-error", class: "field-error", role: "alert" });
  const name = h("input", {
    id: "create-name",
    name: "name",
    type: "text",
    maxlength: NAME_MAX_CHARS,
    required: true,
    autocomplete: "nickname",
    value: storage.lastName(),
  });
  const lang = h(
    "select",
    { id: "create-lang", name: "language" },
    LANGUAGES.map((l) =>
      h("option", { value: l, selected: language() === l, lang: l }, t(`lang.${l}`)),
    ),
  );
  const video = h("input", {
    id: "create-video",
    name: "video_url",
    type: "url",
    inputmode: "url",
    maxlength: 500,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "https://meet.jit.si/…",
    "aria-describedby": "create-video-hint create-video-error",
  });
  const videoError = h("p", { id: "create-video-error", class: "field-error", role: "alert" });
  const error = h("p", { class: "field-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, t("home.createButton"));
  const settings = settingsFields();
  const group = groupFields();
  const record = recordFields();
  /** @param {HTMLElement} field @param {HTMLElement} at @param {string} text */
  const fieldError = (field, at, text) => {
    at.textContent = text;
    field.setAttribute("aria-invalid", "true");
    field.focus();
  };
  const clearErrors = () => {
    for (const p of [error, titleError, videoError, group.error, record.error]) p.textContent = "";
    for (const f of [title, video, group.token, group.select, record.name])
      f?.removeAttribute("aria-invalid");
  };
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
          clearErrors();
          if (!title.value.trim()) return fieldError(title, titleError, t("home.titleMissing"));
          if (!who) {
            error.textContent = t("error.invalid_name");
            name.focus();
            return;
          }
          const groupToken = group.chosenToken();
          if (groupToken === "")
            return fieldError(group.token, group.error, t("home.groupTokenMissing"));
          const videoUrl = video.value.trim();
          if (videoUrl && !/^https:\/\/[^\s/@:][^\s]*$/i.test(videoUrl))
            return fieldError(video, videoError, t("home.videoInvalid"));
          /** @type {CreateSession} */
          const body = {
            method: typeof method === "string" ? method : "basic",
            title: title.value.trim(),
            language: isLanguage(lang.value) ? lang.value : "nl",
            settings: {
              allow_anonymous: settings.anonymous.checked,
              keep_for_group: settings.keep.checked,
              facilitator_takes_part: settings.selfLed.checked,
            },
          };
          if (videoUrl && body.settings) body.settings.video_url = videoUrl;
          if (groupToken !== null) body.group_token = groupToken;
          if (record.name.value.trim()) body.group_name = record.name.value.trim();
          body.time_zone = record.zone.value;
          submit.disabled = true;
          try {
            const res = await createSession(body);
            if (!res.ok) {
              const problem = res.problem;
              submit.disabled = false;
              if (problem?.field === "group_token") {
                return fieldError(
                  group.select && group.select.value !== OTHER_GROUP ? group.select : group.token,
                  group.error,
                  t("home.groupTokenUnknown"),
                );
              }
              if (problem?.field === "title")
                return fieldError(title, titleError, t("home.titleInvalid"));
              if (problem?.field === "group_name")
                return fieldError(
                  record.name,
                  record.error,
                  t("home.groupNameInvalid", { max: GROUP_NAME_MAX_CHARS }),
                );
              if (problem?.field === "time_zone")
                return fieldError(record.zone, record.error, t("home.timeZoneInvalid"));
              if (problem?.field === "settings.video_url")
                return fieldError(video, videoError, t("home.videoInvalid"));
              error.textContent = problem ? t(`error.${problem.code}`) : t("home.createFailed");
              return;
            }
            const created = res.created;
            const code = storage.normalizeCode(created.code);
            if (!code) throw new Error("bad code");
            storage.saveFacilitatorToken(code, created.facilitator_token);
            storage.saveScreenToken(code, created.screen_token);
            // A group key is only worth keeping when the session keeps something for the group.
            if (settings.keep.checked) {
              storage.saveGroupToken(code, created.group_token);
              storage.rememberGroup({
                token: created.group_token,
                title: body.title,
                at: Date.now(),
              });
            }
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
      titleError,
      h("label", { for: "create-name" }, t("home.yourName")),
      name,
      h("label", { for: "create-lang" }, t("home.language")),
      lang,
      h(
        "label",
        { for: "create-video" },
        t("home.video"),
        " ",
        h("span", { class: "optional" }, t("compose.optional")),
      ),
      h("p", { id: "create-video-hint", class: "hint" }, t("home.videoHint")),
      video,
      videoError,
      picker,
      settings.fieldset,
      group.fieldset,
      record.fieldset,
      error,
      submit,
    ),
  );
}

/** The built-in methods to choose from (or why they are not there yet). */
function methodPicker() {
  /** @type {Node} */
  let picker;
  if (ui.home.methods) {
    picker = h(
      "fieldset",
      { class: "ui.home.methods" },
      h("legend", null, t("home.method")),
      ui.home.methods.map((m, i) => {
        const id = `method-${m.id}`;
        const minutes = m.phases.reduce((sum, p) => sum + p.minutes, 0);
        return h(
          "div",
          { class: "method" },
          h("input", {
            type: "radio",
            name: "method",
            id,
            value: m.id,
            checked: i === 0,
            "aria-describedby": `${id}-desc`,
          }),
          h(
            "label",
            { for: id },
            h("span", { class: "method-name" }, local(m.name)),
            h(
              "span",
              { class: "hint" },
              " · ",
              t("home.methodSize", { phases: m.phases.length, minutes }),
            ),
          ),
          h("p", { id: `${id}-desc`, class: "method-desc" }, local(m.description)),
          h(
            "details",
            null,
            h("summary", null, t("home.phases")),
            h(
              "ol",
              null,
              m.phases.map((p) =>
                h(
                  "li",
                  null,
                  local(p.name),
                  " ",
                  h("span", { class: "hint" }, t("phase.minutes", { count: p.minutes })),
                ),
              ),
            ),
          ),
        );
      }),
    );
  } else {
    picker = h(
      "p",
      { role: ui.home.methodsError ? "alert" : "status" },
      ui.home.methodsError ?? t("home.loadingMethods"),
    );
  }
  return picker;
}

/** Time zones offered for a meeting: where Dutch- and German-speaking groups meet. */
const TIME_ZONES = [
  "Europe/Amsterdam",
  "Europe/Brussels",
  "Europe/Luxembourg",
  "Europe/Berlin",
  "Europe/Vienna",
  "Europe/Zurich",
  "Europe/Paris",
  "Europe/London",
  "America/Curacao",
  "America/Paramaribo",
  "UTC",
];

/**
 * What goes on the attendance record besides the meeting itself: the group's name and the
 * time zone its local times are in (Europe/Amsterdam unless chosen otherwise).
 */
function recordFields() {
  const name = h("input", {
    id: "create-group-name",
    name: "group_name",
    type: "text",
    maxlength: GROUP_NAME_MAX_CHARS,
    autocomplete: "off",
    "aria-describedby": "create-group-name-hint",
  });
  let own = "";
  try {
    own = Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    // no time zone support: the list is enough
  }
  const zones = own && !TIME_ZONES.includes(own) ? [...TIME_ZONES, own] : TIME_ZONES;
  const zone = h(
    "select",
    { id: "create-time-zone", name: "time_zone", "aria-describedby": "create-time-zone-hint" },
    zones.map((z) =>
      h("option", { value: z, selected: z === "Europe/Amsterdam" }, z.replace("_", " ")),
    ),
  );
  const error = h("p", { class: "field-error", role: "alert" });
  const fieldset = h(
    "fieldset",
    { class: "settings record" },
    h("legend", null, t("home.recordLegend")),
    h("label", { for: "create-group-name" }, t("home.groupName")),
    name,
    h("p", { id: "create-group-name-hint", class: "hint" }, t("home.groupNameHint")),
    h("label", { for: "create-time-zone" }, t("home.timeZone")),
    zone,
    h("p", { id: "create-time-zone-hint", class: "hint" }, t("home.timeZoneHint")),
    error,
  );
  return { fieldset, name, zone, error };
}

/**
 * What the session allows and keeps. Keeping anything for the group is off unless chosen:
 * confidentiality by default. Anonymous posting is off too: in a small group it hides little
 * and costs trust. A self-led group's facilitator takes part like everyone else.
 */
function settingsFields() {
  const anonymous = h("input", {
    type: "checkbox",
    id: "create-anonymous",
    name: "allow_anonymous",
    checked: false,
    "aria-describedby": "create-anonymous-hint",
  });
  const selfLed = h("input", {
    type: "checkbox",
    id: "create-self-led",
    name: "facilitator_takes_part",
    checked: false,
    "aria-describedby": "create-self-led-hint",
  });
  const keep = h("input", {
    type: "checkbox",
    id: "create-keep",
    name: "keep_for_group",
    checked: false,
    "aria-describedby": "create-keep-hint",
  });
  const fieldset = h(
    "fieldset",
    { class: "settings" },
    h("legend", null, t("home.settings")),
    h(
      "div",
      { class: "setting" },
      h("label", { class: "check", for: "create-anonymous" }, anonymous, t("home.allowAnonymous")),
      h("p", { id: "create-anonymous-hint", class: "hint" }, t("home.allowAnonymousHint")),
    ),
    h(
      "div",
      { class: "setting" },
      h("label", { class: "check", for: "create-keep" }, keep, t("home.keepForGroup")),
      h("p", { id: "create-keep-hint", class: "hint" }, t("home.keepForGroupHint")),
    ),
    h(
      "div",
      { class: "setting" },
      h("label", { class: "check", for: "create-self-led" }, selfLed, t("home.selfLed")),
      h("p", { id: "create-self-led-hint", class: "hint" }, t("home.selfLedHint")),
    ),
  );
  return { fieldset, anonymous, keep, selfLed };
}

/**
 * "This is the next meeting of an earlier group": a group remembered on this device, or a
 * pasted group key.
 */
function groupFields() {
  const known = storage.groups();
  const toggle = h("input", {
    type: "checkbox",
    id: "create-followup",
    name: "followup",
    "aria-describedby": "create-followup-hint",
    "aria-controls": "create-group-fields",
    "aria-expanded": "false",
  });
  const error = h("p", { id: "create-group-error", class: "field-error", role: "alert" });
  const token = h("input", {
    id: "create-group-token",
    name: "group_token",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    autocapitalize: "off",
    "aria-describedby": "create-group-token-hint create-group-error",
  });
  const select =
    known.length > 0
      ? h(
          "select",
          { id: "create-group", name: "group", "aria-describedby": "create-group-error" },
          known.map((g, i) =>
            h(
              "option",
              { value: g.token, selected: i === 0 },
              t("home.groupOption", { title: g.title, date: formatDate(g.at) }),
            ),
          ),
          h("option", { value: OTHER_GROUP }, t("home.groupOther")),
        )
      : null;
  const tokenField = h(
    "div",
    { class: "stack group-token-field" },
    h("label", { for: "create-group-token" }, t("home.groupToken")),
    h("p", { id: "create-group-token-hint", class: "hint" }, t("home.groupTokenHint")),
    token,
  );
  const forgotten = h("p", { class: "hint", role: "status" });
  // A shared laptop need not keep a group's key: it can be forgotten here.
  const forget = select
    ? h(
        "button",
        {
          type: "button",
          class: "quiet small",
          onclick: () => {
            const option = select.selectedOptions[0];
            if (!option || option.value === OTHER_GROUP) return;
            storage.forgetGroup(option.value);
            forgotten.textContent = t("home.groupForgotten", { title: option.textContent ?? "" });
            option.remove();
            select.selectedIndex = 0;
            update();
            select.focus();
          },
        },
        t("home.groupForget"),
      )
    : null;
  const fields = h(
    "div",
    { id: "create-group-fields", class: "stack", hidden: true },
    select
      ? [
          h("label", { for: "create-group" }, t("home.group")),
          select,
          h("div", { class: "actions" }, forget, forgotten),
        ]
      : null,
    tokenField,
    error,
  );
  const update = () => {
    fields.hidden = !toggle.checked;
    toggle.setAttribute("aria-expanded", String(toggle.checked));
    const remembered = select !== null && select.value !== OTHER_GROUP;
    tokenField.hidden = remembered;
    if (forget) forget.hidden = !remembered;
    error.textContent = "";
  };
  toggle.addEventListener("change", () => {
    update();
    if (toggle.checked) (select ?? token).focus();
  });
  select?.addEventListener("change", () => {
    update();
    if (select.value === OTHER_GROUP) token.focus();
  });
  update();
  const fieldset = h(
    "fieldset",
    { class: "settings followup" },
    h("legend", null, t("home.followUpLegend")),
    h(
      "div",
      { class: "setting" },
      h("label", { class: "check", for: "create-followup" }, toggle, t("home.followUp")),
      h("p", { id: "create-followup-hint", class: "hint" }, t("home.followUpHint")),
    ),
    fields,
  );
  return {
    fieldset,
    select,
    token,
    error,
    /** The group token to send: null for a new group, "" when one is asked for but missing. */
    chosenToken() {
      if (!toggle.checked) return null;
      if (select && select.value !== OTHER_GROUP) return select.value;
      return token.value.trim();
    },
  };
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
          h(
            "a",
            { href: `/session/${storage.displayCode(r.code)}` },
            r.title || storage.displayCode(r.code),
          ),
          " ",
          h(
            "span",
            { class: "hint" },
            [
              storage.displayCode(r.code),
              r.facilitator ? t("role.facilitator") : null,
              formatRelative(r.at, now),
            ]
              .filter(Boolean)
              .join(" · "),
          ),
        ),
      ),
    ),
  );
}

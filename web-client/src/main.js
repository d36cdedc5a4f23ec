// Routing by path. The server serves this app for `/`, `/join/{code}`, `/session/{code}` and
// `/screen/{code}`; each route is one page controller.

import { h, replace, syncList } from "./dom.js";
import { t, onLanguageChange, sessionLanguage } from "./i18n/index.js";
import * as storage from "./storage.js";
import { Session } from "./session.js";
import { validName } from "./session-state.js";
import { NAME_MAX_CHARS } from "./wire.js";
import { homePage } from "./views/home.js";
import { participantSections } from "./views/participant.js";
import { consoleSections } from "./views/console.js";
import { screenSections } from "./views/screen.js";
import { Announcer, messagePage, startTicker, topBar } from "./views/common.js";
import { setAnonymityRefused } from "./views/composer.js";

/** @typedef {import('./protocol').SessionView} SessionView */
/** @typedef {{key: string, sig: string, build: () => HTMLElement}} Section */

const root = /** @type {HTMLElement} */ (document.getElementById("app"));

/** The page on screen re-renders when the language changes; a page left behind never does. */
/** @type {(() => void) | null} */
let currentPage = null;
onLanguageChange(() => currentPage?.());

/** @param {() => void} render */
function showPage(render) {
  currentPage = render;
  render();
}

function route() {
  const path = location.pathname;
  const match = /^\/(join|session|screen)\/([^/]+)\/?$/.exec(path);
  if (!match) {
    currentPage = homePage(root);
    return;
  }
  const code = storage.normalizeCode(decodeURIComponent(match[2]));
  if (!code) return notFound();
  if (match[1] === "join") return joinPage(code);
  if (match[1] === "screen") return screenPage(code);
  return sessionPage(code);
}

function notFound() {
  const render = () =>
    replace(
      root,
      topBar({}),
      h("main", { id: "main" }, messagePage(t("fatal.room_not_found.title"), t("fatal.room_not_found.text"), [h("a", { href: "/", class: "button" }, t("app.home"))])),
    );
  showPage(render);
}

/**
 * `/join/{code}`: ask for a name, then join. A returning member goes straight in.
 * @param {string} code
 * @param {string} [error]
 */
function joinPage(code, error) {
  if (!error && (storage.credentials(code) || storage.facilitatorToken(code))) {
    location.replace(`/session/${storage.displayCode(code)}`);
    return;
  }
  const render = () => {
    document.title = `${t("join.title")} · kring`;
    const input = h("input", {
      id: "join-name",
      name: "name",
      type: "text",
      maxlength: NAME_MAX_CHARS,
      autocomplete: "nickname",
      required: true,
      value: storage.lastName(),
      "aria-describedby": "join-name-hint join-name-error",
    });
    const err = h("p", { id: "join-name-error", class: "field-error", role: "alert" }, error ?? "");
    replace(
      root,
      topBar({}),
      h(
        "main",
        { id: "main", class: "narrow" },
        h(
          "section",
          { class: "card", "aria-labelledby": "join-h" },
          h("h1", { id: "join-h" }, t("join.title")),
          h("p", null, t("join.code", { code: storage.displayCode(code) })),
          h(
            "form",
            {
              class: "stack",
              onsubmit: (/** @type {SubmitEvent} */ e) => {
                e.preventDefault();
                const name = validName(input.value);
                if (!name) {
                  err.textContent = t("error.invalid_name");
                  input.setAttribute("aria-invalid", "true");
                  input.focus();
                  return;
                }
                storage.saveName(name);
                history.replaceState(null, "", `/session/${storage.displayCode(code)}`);
                runSession(code, new Session(code, { as: "member", name }));
              },
            },
            h("label", { for: "join-name" }, t("join.nameLabel")),
            h("p", { id: "join-name-hint", class: "hint" }, t("join.nameHint")),
            input,
            err,
            h("button", { type: "submit", class: "primary" }, t("join.button")),
          ),
        ),
      ),
    );
    if (!input.value) input.focus();
  };
  showPage(render);
}

/**
 * `/session/{code}`: the facilitator console or the participant view, by role.
 * @param {string} code
 */
function sessionPage(code) {
  const facToken = storage.facilitatorToken(code);
  if (facToken) {
    runSession(code, new Session(code, { as: "facilitator", name: storage.lastName() || t("fac.defaultName") }));
  } else if (storage.credentials(code)) {
    runSession(code, new Session(code, { as: "resume" }));
  } else {
    location.replace(`/join/${storage.displayCode(code)}`);
  }
}

/**
 * `/screen/{code}`: the read-only big screen. Opened from the screen link (`#<screen token>`,
 * e.g. on the room's projector PC), whose token is remembered for reloads and then dropped
 * from the address bar; or from the console on the facilitator's own device.
 * @param {string} code
 */
function screenPage(code) {
  const fromLink = screenTokenFromFragment(location.hash);
  if (fromLink) {
    storage.saveScreenToken(code, fromLink);
    history.replaceState(history.state, "", location.pathname + location.search);
  }
  // A screen link opened in this tab again (e.g. a corrected one pasted after a wrong one) only
  // changes the fragment, which loads nothing: start over with its token.
  window.addEventListener("hashchange", () => {
    const token = screenTokenFromFragment(location.hash);
    if (!token) return;
    storage.saveScreenToken(code, token);
    history.replaceState(history.state, "", location.pathname + location.search);
    location.reload();
  });
  const token = storage.screenToken(code) ?? storage.facilitatorToken(code);
  if (!token) {
    const render = () =>
      replace(
        root,
        topBar({}),
        h("main", { id: "main" }, messagePage(t("screen.noToken.title"), t("screen.noToken.text"), [h("a", { href: "/", class: "button" }, t("app.home"))])),
      );
    showPage(render);
    return;
  }
  runSession(code, new Session(code, { as: "screen", token }));
}

/**
 * The screen token in a screen link's fragment (`#<token>`), or null.
 * @param {string} hash `location.hash`
 */
function screenTokenFromFragment(hash) {
  let token = hash.replace(/^#/, "");
  try {
    token = decodeURIComponent(token).trim();
  } catch {
    return null;
  }
  return /^[A-Za-z0-9_-]{16,200}$/.test(token) ? token : null;
}

/**
 * Runs a session page: renders on every change, by role.
 * @param {string} code
 * @param {Session} session
 */
function runSession(code, session) {
  const announcer = new Announcer();
  const bar = h("div", { class: "bar-slot" });
  const body = h("main", { id: "main" });
  replace(root, bar, body);
  /** @type {string | null} */
  let layout = null;
  /** @type {Record<string, HTMLElement>} */
  let slots = {};
  let languageSet = false;
  /** @type {number | null} */
  let lastSeenSeq = null;
  void lastSeenSeq;

  const render = () => {
    const view = session.view;
    if (view && !languageSet) {
      sessionLanguage(view.language);
      languageSet = true;
    }
    if (session.refused().some((r) => r.code === "anonymity_disabled")) setAnonymityRefused(true);
    document.title = view ? `${view.title} · kring` : "kring";
    const barSig = JSON.stringify([document.documentElement.lang, view?.title, session.conn, session.pending().length]);
    if (bar.dataset.sig !== barSig) {
      bar.dataset.sig = barSig;
      replace(bar, topBar({ title: view?.title, conn: session.conn, pending: session.pending().length }));
    }

    if (session.joinError) {
      session.stop();
      joinPage(code, t(`error.${session.joinError.code}`));
      return;
    }
    if (session.fatal && session.fatal.code !== null) {
      setLayout("fatal");
      replace(body, fatalMessage(session));
      return;
    }
    if (!view) {
      setLayout("loading");
      replace(body, h("section", { class: "card loading", "aria-busy": "true" }, h("p", null, t("app.connecting"))));
      return;
    }
    announcer.update(view, session.member);
    // Lets the layout put what matters at the end first on small screens.
    document.body.dataset.status = view.status;
    if (session.role === "screen") {
      setLayout("screen");
      const { top, boards } = screenSections(view, session.now());
      slots.top.classList.toggle("lobby", view.status === "lobby");
      syncSections(slots.top, top);
      syncSections(slots.boards, boards);
    } else if (view.me.role === "facilitator") {
      setLayout("console");
      const { control, main, side } = consoleSections(session, view);
      syncSections(slots.control, control);
      syncSections(slots.main, main);
      syncSections(slots.side, side);
    } else {
      setLayout("participant");
      syncSections(slots.main, participantSections(session, view));
    }
  };

  /** @param {string} name */
  const setLayout = (name) => {
    if (layout === name) return;
    layout = name;
    body.className = `layout-${name}`;
    document.body.dataset.layout = name;
    slots = {};
    if (name === "console") {
      slots.control = h("div", { class: "col col-control" });
      slots.main = h("div", { class: "col col-main" });
      slots.side = h("div", { class: "col col-side" });
      replace(body, h("h1", { class: "visually-hidden" }, t("fac.consoleTitle")), slots.control, slots.main, slots.side);
    } else if (name === "screen") {
      slots.top = h("div", { class: "screen-top" });
      slots.boards = h("div", { class: "screen-boards" });
      replace(body, slots.top, slots.boards);
    } else if (name === "participant") {
      slots.main = h("div", { class: "col" });
      replace(body, slots.main);
    }
  };

  session.subscribe(render);
  currentPage = () => {
    bar.dataset.sig = "";
    layout = null;
    render();
  };
  startTicker(() => session.now());
  // Exposed for tests and for debugging a session in the browser console: a copy of the view
  // this page built from events. It holds nothing the page does not show.
  /** @type {any} */ (window).__kring = {
    view: () => (session.view ? structuredClone(session.view) : null),
    seq: () => session.seq,
    conn: () => session.conn,
  };
  // Leaving the page says goodbye (the member shows as away at once); coming back from the
  // back-forward cache connects again.
  window.addEventListener("pagehide", () => session.stop());
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) session.resume();
  });
  session.start();
  render();
}

/**
 * @param {HTMLElement} container
 * @param {Section[]} sections
 */
function syncSections(container, sections) {
  syncList(
    container,
    sections,
    (s) => s.key,
    (s) => s.sig,
    (s) => s.build(),
  );
}

/** @param {Session} session */
function fatalMessage(session) {
  const code = session.fatal?.code ?? "internal";
  const known = ["removed", "taken_over", "session_ended", "room_not_found", "room_locked", "room_full", "bad_token", "unsupported_version", "forbidden", "not_found", "flooding"];
  if (session.mode.as === "screen" && (code === "bad_token" || code === "room_not_found")) {
    return messagePage(t("screen.badLink.title"), t("screen.badLink.text"), [h("a", { href: "/", class: "button" }, t("app.home"))]);
  }
  const key = known.includes(code) ? code : "other";
  /** @type {Node[]} */
  const actions = [];
  if (code === "taken_over") {
    actions.push(h("button", { type: "button", class: "primary", onclick: () => session.reconnect() }, t("fatal.takeBack")));
  }
  if (code === "unsupported_version" || code === "flooding") {
    actions.push(h("button", { type: "button", class: "primary", onclick: () => location.reload() }, t("fatal.reload")));
  }
  if (code === "bad_token" || code === "removed") {
    actions.push(h("a", { href: `/join/${storage.displayCode(session.code)}`, class: "button" }, t("fatal.joinAgain")));
  }
  actions.push(h("a", { href: "/", class: "button" }, t("app.home")));
  return messagePage(t(`fatal.${key}.title`), t(`fatal.${key}.text`), actions);
}

route();

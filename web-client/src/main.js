// Routing by path. The server serves this app for `/`, `/join/{code}`, `/session/{code}` and
// `/screen/{code}`; each route is one page controller.
//
// What a participant's phone needs (joining, the participant view) loads with this module;
// the home page, the facilitator's console, the big screen, the method explanation and the
// other languages load only when they are used.

import { h, loadStyles, replace } from "./dom.js";
import { fetchPreview } from "./api.js";
import {
  t,
  language,
  loadLanguage,
  onLanguageChange,
  sessionLanguage,
  isLanguage,
} from "./i18n/index.js";
import * as storage from "./storage.js";
import { Session } from "./session.js";
import { hasFacilitatorRights, validName } from "./session-state.js";
import { NAME_MAX_CHARS } from "./wire.js";
import { participantSections } from "./views/participant.js";
import {
  Announcer,
  connectionBanner,
  messagePage,
  startTicker,
  topBar,
  syncSections,
} from "./views/common.js";
import { setAnonymityRefused } from "./views/composer.js";
import { Alerts, keepAwake } from "./device.js";
import { watchKeyboard } from "./keyboard.js";

/** @typedef {import('./protocol').SessionView} SessionView */
/** @typedef {import('./protocol').SessionPreview} SessionPreview */

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

/**
 * A module loaded on demand. If it cannot be loaded (the server was updated meanwhile, so this
 * page's version is gone), the page says so and offers a reload.
 * @template T
 * @param {() => Promise<T>} load
 * @returns {Promise<T>}
 */
async function lazy(load) {
  try {
    return await load();
  } catch (e) {
    showPage(() =>
      replace(
        root,
        h(
          "main",
          { id: "main" },
          messagePage(t("fatal.unsupported_version.title"), t("fatal.unsupported_version.text"), [
            h(
              "button",
              { type: "button", class: "primary", onclick: () => location.reload() },
              t("fatal.reload"),
            ),
          ]),
        ),
      ),
    );
    throw e;
  }
}

async function route() {
  const path = location.pathname;
  const match = /^\/(join|session|screen)\/([^/]+)\/?$/.exec(path);
  if (!match) {
    const { homePage } = await lazy(() => import("./views/home.js"));
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
      h(
        "main",
        { id: "main" },
        messagePage(t("fatal.room_not_found.title"), t("fatal.room_not_found.text"), [
          h("a", { href: "/", class: "button" }, t("app.home")),
        ]),
      ),
    );
  showPage(render);
}

/**
 * `/join/{code}`: check the code, then ask for a name and join. A returning member goes
 * straight in. A code that leads nowhere is said at once, before anyone types a name.
 * @param {string} code
 * @param {string} [error]
 */
async function joinPage(code, error) {
  if (!error && (storage.credentials(code) || storage.facilitatorToken(code))) {
    location.replace(`/session/${storage.displayCode(code)}`);
    return;
  }
  // Kept for the home page: going back shows the code as typed.
  storage.saveTypedCode(storage.displayCode(code));
  if (!error)
    replace(
      root,
      topBar({}),
      h(
        "main",
        { id: "main", class: "narrow" },
        h(
          "section",
          { class: "card loading", "aria-busy": "true" },
          h("p", null, t("app.connecting")),
        ),
      ),
    );
  const found = await fetchPreview(code);
  if (!found.ok && (found.status === 404 || found.status === 429)) {
    const tooMany = found.status === 429;
    showPage(() => {
      document.title = `${t("join.title")} · kring`;
      replace(
        root,
        topBar({}),
        h(
          "main",
          { id: "main", class: "narrow" },
          messagePage(
            t(tooMany ? "join.tooMany.title" : "join.notFound.title"),
            t(tooMany ? "join.tooMany.text" : "join.notFound.text", {
              code: storage.displayCode(code),
            }),
            [h("a", { href: "/", class: "button primary" }, t("join.otherCode"))],
          ),
        ),
      );
    });
    return;
  }
  const preview = found.ok ? found.preview : null;
  if (preview && isLanguage(preview.language)) await sessionLanguage(preview.language);
  const render = () => {
    document.title = `${preview ? preview.title : t("join.title")} · kring`;
    const input = h("input", {
      id: "join-name",
      name: "name",
      type: "text",
      maxlength: NAME_MAX_CHARS,
      autocomplete: "nickname",
      enterkeyhint: "go",
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
          h("p", { class: "phase-step" }, t("join.title")),
          h("h1", { id: "join-h" }, preview ? preview.title : t("join.title")),
          h("p", { class: "hint" }, t("join.code", { code: storage.displayCode(code) })),
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
          // Back to the home page, where the code is kept to correct it.
          h(
            "p",
            { class: "other-code" },
            h("a", { href: "/", class: "button quiet" }, t("join.otherCode")),
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
    runSession(
      code,
      new Session(code, { as: "facilitator", name: storage.lastName() || t("fac.defaultName") }),
    );
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
        h(
          "main",
          { id: "main" },
          messagePage(t("screen.noToken.title"), t("screen.noToken.text"), [
            h("a", { href: "/", class: "button" }, t("app.home")),
          ]),
        ),
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

/** The modules of the console and the big screen, once loaded. */
/** @type {{console?: typeof import('./views/console.js'), screen?: typeof import('./views/screen.js')}} */
const views = {};

/**
 * "How this method works", loaded when first opened.
 * @param {SessionView | null} view
 */
async function openHelp(view) {
  if (!view) return;
  const help = await lazy(() => import("./views/help.js"));
  await help.openHelp(view);
}

/**
 * Runs a session page: renders on every change, by role.
 * @param {string} code
 * @param {Session} session
 */
function runSession(code, session) {
  const announcer = new Announcer();
  const alerts = new Alerts();
  const bar = h("div", { class: "bar-slot" });
  const banner = h("div", { class: "banner-slot" });
  const body = h("main", { id: "main" });
  replace(root, bar, banner, body);
  // What sticks under the top bar (the console's action bar) needs its height.
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(() => {
      document.documentElement.style.setProperty(
        "--bar-height",
        `${bar.getBoundingClientRect().height}px`,
      );
    }).observe(bar);
  }
  /** @type {string | null} */
  let layout = null;
  /** @type {Record<string, HTMLElement>} */
  let slots = {};
  let languageSet = false;

  const render = () => {
    const view = session.view;
    if (view && !languageSet) {
      languageSet = true;
      void sessionLanguage(view.language);
    }
    if (session.refused().some((r) => r.code === "anonymity_disabled")) setAnonymityRefused(true);
    document.title = view ? `${view.title} · kring` : "kring";
    const isScreen = session.mode.as === "screen";
    const role = view?.me.role ?? null;
    const barSig = JSON.stringify([
      document.documentElement.lang,
      view?.title,
      session.conn,
      session.pending().length,
      role,
      view !== null,
    ]);
    if (bar.dataset.sig !== barSig) {
      bar.dataset.sig = barSig;
      bar.hidden = isScreen;
      replace(
        bar,
        topBar({
          title: view?.title,
          conn: session.conn,
          pending: session.pending().length,
          help: view ? () => void openHelp(session.view) : null,
          prefs: view ? { turn: role !== "facilitator" } : null,
        }),
      );
    }
    const bannerSig = JSON.stringify([document.documentElement.lang, session.conn, isScreen]);
    if (banner.dataset.sig !== bannerSig) {
      banner.dataset.sig = bannerSig;
      replace(banner, view ? connectionBanner(session.conn, { screen: isScreen }) : null);
    }
    body.classList.toggle("stale", view !== null && session.conn !== "connected");

    if (session.joinError) {
      session.stop();
      void joinPage(code, t(`error.${session.joinError.code}`));
      return;
    }
    if (session.fatal && session.fatal.code !== null) {
      setLayout("fatal");
      void keepAwake(false);
      replace(body, fatalMessage(session));
      return;
    }
    if (!view) {
      setLayout("loading");
      replace(
        body,
        h(
          "section",
          { class: "card loading", "aria-busy": "true" },
          h("p", null, t("app.connecting")),
        ),
      );
      return;
    }
    announcer.update(view, session.member);
    void keepAwake(view.status !== "ended");
    // Lets the layout put what matters at the end first on small screens.
    document.body.dataset.status = view.status;
    if (isScreen) {
      const mod = views.screen;
      if (!mod) return void loadView("screen");
      setLayout("screen");
      mod.renderScreen(slots.screen, view, session.now());
    } else if (hasFacilitatorRights(view)) {
      // The facilitator, and a co-facilitator on their own device (a second console).
      const mod = views.console;
      if (!mod) return void loadView("console");
      setLayout("console");
      const { bar: actions, main, side } = mod.consoleSections(session, view);
      syncSections(slots.actions, actions);
      syncSections(slots.main, main);
      syncSections(slots.side, side);
    } else {
      setLayout("participant");
      syncSections(slots.main, participantSections(session, view));
    }
  };

  /** @type {Set<string>} */
  const loadingViews = new Set();
  /** @param {"console" | "screen"} which */
  const loadView = async (which) => {
    if (loadingViews.has(which)) return;
    loadingViews.add(which);
    const styles = loadStyles(`${which}.css`);
    if (which === "console") views.console = await lazy(() => import("./views/console.js"));
    else views.screen = await lazy(() => import("./views/screen.js"));
    await styles;
    render();
  };

  /** @param {string} name */
  const setLayout = (name) => {
    if (layout === name) return;
    layout = name;
    body.className = `layout-${name}`;
    document.body.dataset.layout = name;
    slots = {};
    if (name === "console") {
      slots.actions = h("div", {
        class: "action-bar",
        role: "region",
        "aria-label": t("fac.actionBar"),
      });
      slots.main = h("div", { class: "col col-main" });
      slots.side = h("div", { class: "col col-side" });
      replace(
        body,
        h("h1", { class: "visually-hidden" }, t("fac.consoleTitle")),
        slots.actions,
        slots.main,
        slots.side,
      );
      views.console?.bindShortcuts(session);
    } else if (name === "screen") {
      slots.screen = h("div", { class: "screen" });
      replace(body, slots.screen);
    } else if (name === "participant") {
      slots.main = h("div", { class: "col" });
      replace(body, slots.main);
    }
  };

  session.subscribe(render);
  currentPage = () => {
    bar.dataset.sig = "";
    banner.dataset.sig = "";
    layout = null;
    render();
  };
  startTicker(
    () => session.now(),
    (now) => {
      const view = session.view;
      if (!view || session.mode.as === "screen") return;
      const fac = view.me.role === "facilitator";
      // The facilitator hears every speaker's time box run out; a speaker hears their own.
      alerts.check(view, now, { time: true, turnLimitOf: fac ? -1 : view.me.member });
    },
  );
  watchKeyboard();
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

/** @param {Session} session */
function fatalMessage(session) {
  const code = session.fatal?.code ?? "internal";
  const known = [
    "removed",
    "taken_over",
    "session_ended",
    "room_not_found",
    "room_locked",
    "room_full",
    "bad_token",
    "unsupported_version",
    "forbidden",
    "not_found",
    "flooding",
  ];
  if (session.mode.as === "screen" && (code === "bad_token" || code === "room_not_found")) {
    return messagePage(t("screen.badLink.title"), t("screen.badLink.text"), [
      h("a", { href: "/", class: "button" }, t("app.home")),
    ]);
  }
  const key = known.includes(code) ? code : "other";
  /** @type {Node[]} */
  const actions = [];
  if (code === "taken_over") {
    actions.push(
      h(
        "button",
        { type: "button", class: "primary", onclick: () => session.reconnect() },
        t("fatal.takeBack"),
      ),
    );
  }
  if (code === "unsupported_version" || code === "flooding") {
    actions.push(
      h(
        "button",
        { type: "button", class: "primary", onclick: () => location.reload() },
        t("fatal.reload"),
      ),
    );
  }
  if (code === "bad_token" || code === "removed") {
    actions.push(
      h(
        "a",
        { href: `/join/${storage.displayCode(session.code)}`, class: "button" },
        t("fatal.joinAgain"),
      ),
    );
  }
  actions.push(h("a", { href: "/", class: "button" }, t("app.home")));
  return messagePage(t(`fatal.${key}.title`), t(`fatal.${key}.text`), actions);
}

await loadLanguage(language());
await route();

// Phones in a real room: the keyboard open over the composer, Enter sending a question, what
// "sent" looks like, limits before typing, 44-pixel targets everywhere on a 360 px screen, a
// top bar that stays, joining with a wrong code, the screen kept awake, vibration only when
// chosen, the case-bringer's triage in one row, and nothing offered for keeping when the
// session keeps nothing.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, createSession, screenshotIn, joinPhone, smallTargets, PHONE } from "./helpers.js";
import { WsClient } from "./wsclient.js";

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Headless Chromium has no on-screen keyboard. This stands in for the browser's
 * `visualViewport` so a test can open one: `__keyboard(300)` shrinks the visual viewport by
 * 300 px from the bottom, as a phone keyboard does, and tells the page. It also records wake
 * lock requests and vibrations instead of doing them.
 * @param {import('playwright-core').BrowserContext} context
 */
async function fakeDevice(context) {
  await context.addInitScript(() => {
    const vv = new EventTarget();
    let covered = 0;
    Object.defineProperties(vv, {
      height: { get: () => window.innerHeight - covered },
      width: { get: () => window.innerWidth },
      offsetTop: { get: () => 0 },
      offsetLeft: { get: () => 0 },
      pageTop: { get: () => window.scrollY },
      pageLeft: { get: () => 0 },
      scale: { get: () => 1 },
    });
    Object.defineProperty(window, "visualViewport", { value: vv, configurable: true });
    /** @type {any} */ (window).__keyboard = (/** @type {number} */ px) => {
      covered = px;
      vv.dispatchEvent(new Event("resize"));
    };
    const calls = { wake: 0, vibrate: /** @type {unknown[]} */ ([]) };
    /** @type {any} */ (window).__device = calls;
    Object.defineProperty(navigator, "wakeLock", {
      configurable: true,
      value: {
        request: async () => {
          calls.wake += 1;
          const sentinel = new EventTarget();
          /** @type {any} */ (sentinel).release = async () => {};
          return sentinel;
        },
      },
    });
    Object.defineProperty(navigator, "vibrate", { configurable: true, value: (/** @type {unknown} */ p) => (calls.vibrate.push(p), true) });
    // The chime's tones, by frequency: a headless browser has no speaker to listen to.
    /** @type {number[]} */
    const tones = [];
    /** @type {any} */ (calls).tones = tones;
    const param = { value: 0, setValueAtTime() {}, exponentialRampToValueAtTime() {} };
    /** @type {any} */ (window).AudioContext = class {
      state = "running";
      currentTime = 0;
      destination = {};
      async resume() {}
      createGain() {
        return { gain: param, connect: (/** @type {any} */ to) => to };
      }
      createOscillator() {
        const osc = { frequency: { value: 0 }, connect: (/** @type {any} */ to) => to, start: () => tones.push(osc.frequency.value), stop() {} };
        return osc;
      }
    };
  });
}

test("joining: a wrong code is caught before the name, the code is kept, the join page shows the title", async () => {
  const created = await createSession(server.url, { method: "basic", title: "Intervisie team Zuid", language: "nl" });
  const p = await newPage(browser, PHONE);
  const page = p.page;
  await page.goto(`${server.url}/`);
  await page.locator("#join-code").fill("ZZZ-ZZZ-ZZZ");
  await page.locator("#join-code").press("Enter");
  await page.locator("#join-code-error", { hasText: "Er is geen open sessie met deze code" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/", "still on the home page, no name asked");
  assert.equal(await page.locator("#join-code").inputValue(), "ZZZ-ZZZ-ZZZ", "the code stays to correct it");
  await screenshotIn(page, "phone", "home-wrong-code");

  // A link with a wrong code says so at once, and leads back with the code kept.
  await page.goto(`${server.url}/join/ZZZ-ZZZ-ZZ2`);
  await page.locator("h1", { hasText: "Geen open sessie met deze code" }).waitFor();
  assert.equal(await page.locator("#join-name").count(), 0, "no name step for a code that leads nowhere");
  await page.getByRole("link", { name: "Een andere code invoeren" }).click();
  await page.locator("#join-code").waitFor();
  assert.equal(await page.locator("#join-code").inputValue(), "ZZZ-ZZZ-ZZ2");

  // The right code: the join page names the session.
  await page.locator("#join-code").fill(created.code);
  await page.locator("#join-code").press("Enter");
  await page.locator("#join-h", { hasText: "Intervisie team Zuid" }).waitFor();
  assert.equal(await page.title(), "Intervisie team Zuid · kring");
  await screenshotIn(page, "phone", "join-shows-title");
  // Back from the name step, the code is still there.
  await page.goBack();
  await page.locator("#join-code").waitFor();
  assert.equal(await page.locator("#join-code").inputValue(), created.code);
  assert.deepEqual(p.problems.filter((m) => !/404/.test(m)), []);
});

test("a phone with its keyboard open: send above the keyboard, Enter sends, 'sent', limits, targets", async () => {
  // The gossip method: three questions each, and a first phase that needs a case-bringer.
  const created = await createSession(server.url, { method: "gossip", title: "Roddelmethode", language: "nl" });
  const code = created.code.replace(/-/g, "");
  const fac = new WsClient(server.url, code);
  await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "Bea" });
  const cbClient = new WsClient(server.url, code);
  const cbWelcome = await cbClient.connect({ as: "member", name: "Anna" });
  for (const name of ["Cas", "Dirk", "Eef"]) await new WsClient(server.url, code).connect({ as: "member", name });
  const bram = await joinPhone(browser, server.url, created.code, "Bram", "nl-NL", fakeDevice);
  const page = bram.page;

  // Lobby: every target is large enough; the top bar sticks while scrolling.
  await page.locator(".lobby .help-inline:not([aria-busy])").waitFor();
  assert.deepEqual(await page.evaluate(smallTargets), [], "lobby: every target at least 44x44");
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForTimeout(100);
  const bar = await page.locator(".topbar").boundingBox();
  assert.ok(bar && bar.y === 0 && (await page.locator(".conn").isVisible()), "the top bar with the connection stays on screen");
  assert.ok(await page.evaluate(() => window.scrollY > 200), "the page did scroll");
  // The screen is kept awake while in a session.
  assert.ok((await page.evaluate(() => /** @type {any} */ (window).__device.wake)) >= 1, "a wake lock was asked for");

  await fac.ok({ kind: "set_case_bringer", member: cbWelcome.member });
  await fac.ok({ kind: "start_session" });
  await fac.ok({ kind: "next_phase" });
  await page.locator("#phase-name", { hasText: "Verkenning" }).waitFor();

  // Limits before typing.
  const box = page.locator("#compose-question");
  await page.locator("#compose-question-limit", { hasText: "Vragen: nog 3 van 3" }).waitFor();
  assert.equal(await box.getAttribute("enterkeyhint"), "send");

  // The keyboard opens over the lower part of the screen: the send button stays above it.
  await page.evaluate(() => {
    const el = /** @type {HTMLElement} */ (document.getElementById("compose-question"));
    // Put the composer low on the screen, where the keyboard will cover it.
    window.scrollTo(0, Math.max(0, window.scrollY + el.getBoundingClientRect().top - 560));
  });
  const sendBefore = await page.locator("[data-fk=compose-question-send]").boundingBox();
  await box.focus();
  await page.evaluate(() => /** @type {any} */ (window).__keyboard(320));
  await page.waitForTimeout(500);
  const place = await page.evaluate(() => {
    const vv = /** @type {VisualViewport} */ (window.visualViewport);
    const send = /** @type {HTMLElement} */ (document.querySelector("[data-fk=compose-question-send]")).getBoundingClientRect();
    const field = /** @type {HTMLElement} */ (document.getElementById("compose-question")).getBoundingClientRect();
    return { top: vv.offsetTop, bottom: vv.offsetTop + vv.height, send: { top: send.top, bottom: send.bottom }, field: field.top };
  });
  assert.ok(sendBefore && sendBefore.y + sendBefore.height > place.bottom, `the keyboard would have covered the button (${sendBefore?.y})`);
  assert.ok(place.send.bottom <= place.bottom && place.send.top >= place.top, `send button inside the visual viewport: ${JSON.stringify(place)}`);
  await screenshotIn(page, "phone", "keyboard-open-send-visible");

  // Enter sends a one-line question; "sent" shows, and the question comes into view.
  await box.fill("Wat maakt dit voor jou zo moeilijk?");
  await box.press("Enter");
  await page.locator("#compose-question-sent", { hasText: "Verstuurd" }).waitFor();
  const sent = page.locator(".board-question .item", { hasText: "Wat maakt dit voor jou zo moeilijk?" });
  await sent.waitFor();
  assert.match((await sent.getAttribute("class")) ?? "", /just-sent/);
  await page.waitForTimeout(600);
  const r = await sent.boundingBox();
  // (Scrolled to the viewport's bottom edge, give or take a subpixel.)
  assert.ok(r && r.y >= 0 && r.y + r.height <= 740.5, `the sent question is in view: ${r?.y} + ${r?.height}`);
  assert.equal(await box.inputValue(), "", "the box is empty for the next one");
  await page.evaluate(() => /** @type {any} */ (window).__keyboard(0));
  await page.locator("#compose-question-limit", { hasText: "Vragen: nog 2 van 3" }).waitFor();
  await screenshotIn(page, "phone", "question-sent");
  // Shift+Enter is a new line, not a send.
  await box.fill("Een vraag");
  await box.press("Shift+Enter");
  assert.equal(await box.inputValue(), "Een vraag\n");
  await box.fill("Wie weet hier al van?");
  await box.press("Enter");
  await page.locator("#compose-question-limit", { hasText: "Vragen: nog 1 van 3" }).waitFor();
  await box.fill("Wat heb je al geprobeerd?");
  await box.press("Enter");
  // At the limit the composer is closed, and says why.
  await page.locator("#compose-question-limit", { hasText: "Vragen: je hebt je 3 in deze fase gebruikt" }).waitFor();
  assert.equal(await box.isDisabled(), true);
  assert.equal(await page.locator("[data-fk=compose-question-send]").isDisabled(), true);
  await screenshotIn(page, "phone", "question-limit-reached");

  // Every target on the question phase, at 360 px.
  assert.deepEqual(await page.evaluate(smallTargets), [], "question phase: every target at least 44x44");

  // Vibration on my turn: only when chosen, on this device.
  await fac.caughtUp(cbClient.seq);
  const me = (await page.evaluate(() => /** @type {any} */ (window).__kring.view())).me.member;
  await fac.ok({ kind: "give_floor", member: me });
  await page.locator(".your-turn").waitFor();
  assert.deepEqual(await page.evaluate(() => /** @type {any} */ (window).__device.vibrate), [], "no vibration unless chosen");
  await fac.ok({ kind: "end_floor" });
  // The phone must have seen the turn end, or the next turn is not a new one to it.
  await page.locator(".your-turn").waitFor({ state: "detached" });
  await page.locator(".prefs > summary").click();
  await page.getByLabel("Trillen als ik aan de beurt ben").check();
  assert.deepEqual(await page.evaluate(smallTargets), [], "the settings menu: every target at least 44x44");
  await screenshotIn(page, "phone", "settings-menu");
  await page.locator(".prefs > summary").click();
  await fac.ok({ kind: "give_floor", member: me });
  await page.locator(".your-turn").waitFor();
  await page.waitForFunction(() => /** @type {any} */ (window).__device.vibrate.length > 0);
  assert.ok(await page.evaluate(() => localStorage.getItem("kring:prefs")?.includes('"vibrateTurn":true')), "remembered on this device");
  // One minute left: a vibration only once chosen, once per deadline.
  await fac.ok({ kind: "set_timer", seconds: 45 });
  await page.waitForTimeout(1200);
  const beforeChoice = (await page.evaluate(() => /** @type {any} */ (window).__device.vibrate)).length;
  await page.locator(".prefs > summary").click();
  await page.getByLabel("Trillen bij nog 1 minuut en als de tijd om is").check();
  await page.locator(".prefs > summary").click();
  await fac.ok({ kind: "set_timer", seconds: 40 });
  await page.waitForFunction((n) => /** @type {any} */ (window).__device.vibrate.length > n, beforeChoice);
  assert.deepEqual((await page.evaluate(() => /** @type {any} */ (window).__device.vibrate)).at(-1), [200, 100, 200]);
  // The chime: silent until chosen; choosing it plays it once, then one minute left and time up.
  const tones = () => page.evaluate(() => /** @type {number[]} */ (/** @type {any} */ (window).__device.tones));
  assert.deepEqual(await tones(), [], "no sound unless chosen");
  await page.locator(".prefs > summary").click();
  await page.getByLabel("Geluid bij nog 1 minuut en als de tijd om is").check();
  await page.locator(".prefs > summary").click();
  assert.deepEqual(await tones(), [880, 1175], "a sample when it is switched on");
  await fac.ok({ kind: "set_timer", seconds: 30 });
  await page.waitForFunction(() => /** @type {any} */ (window).__device.tones.length >= 4);
  assert.deepEqual((await tones()).slice(2), [880, 1175], "one minute left: two rising tones");
  await fac.ok({ kind: "set_timer", seconds: 1 });
  await page.waitForFunction(() => /** @type {any} */ (window).__device.tones.includes(392), null, { timeout: 10_000 });
  assert.deepEqual((await tones()).slice(-3), [660, 523, 392], "time up: three falling tones");
  assert.ok(await page.evaluate(() => localStorage.getItem("kring:prefs")?.includes('"chime":true')), "the chime is remembered on this device");

  // The method explanation is one tap away on every page.
  await page.getByRole("button", { name: "Hoe werkt deze methode?" }).click();
  const dialog = page.locator("#help-dialog");
  await dialog.locator("h3", { hasText: "Goede en minder goede vragen" }).waitFor();
  await dialog.getByText("Heb je al eens geprobeerd om met haar te praten?").waitFor();
  await dialog.locator(".role-card.mine", { hasText: "Deelnemer" }).waitFor();
  await screenshotIn(page, "phone", "help-dialog");
  await dialog.getByRole("button", { name: "Sluiten" }).click();
  await dialog.waitFor({ state: "detached" });

  assert.deepEqual(bram.problems, []);
  fac.close();
});

test("the case-bringer: triage in one row, optional texts folded, nothing kept when nothing is kept", async () => {
  const created = await createSession(server.url, { method: "basic", title: "Basismodel", language: "nl", settings: { keep_for_group: false } });
  const code = created.code.replace(/-/g, "");
  const fac = new WsClient(server.url, code);
  await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "Bea" });
  const bram = new WsClient(server.url, code);
  await bram.connect({ as: "member", name: "Bram" });
  const anna = await joinPhone(browser, server.url, created.code, "Anna", "nl-NL", fakeDevice);
  const page = anna.page;
  await fac.caughtUp(2);
  await fac.ok({ kind: "start_session" });
  // Anna proposes a case; without keeping, nothing says "kept for next time".
  await page.locator("#compose-case").fill("Een collega die nooit terugbelt.");
  await page.locator("#compose-case").press("Enter");
  await page.locator(".item-case", { hasText: "nooit terugbelt" }).waitFor();
  const { seq: afterCase } = await page.evaluate(() => ({ seq: /** @type {any} */ (window).__kring.seq() }));
  await fac.caughtUp(afterCase);
  const caseItem = fac.view.items.find((/** @type {any} */ i) => i.kind === "case");
  await fac.ok({ kind: "choose_case", case: caseItem.id, keep_others: true });
  assert.equal(await page.getByText("bewaard voor volgende keer").count(), 0);
  await fac.ok({ kind: "goto_phase", index: 2 });
  await bram.caughtUp(fac.seq);
  await bram.ok({ kind: "submit", input: "question", text: "Wanneer belde ze voor het laatst terug?" });
  // Anna is the case-bringer now: her phone sorts questions.
  const q = page.locator(".item-question", { hasText: "Wanneer belde ze" });
  await q.waitFor();
  // One row: answered, parked, touches me, and the rest in a menu.
  const rows = await q.locator(".triage > .toggle, .triage > .menu > summary").evaluateAll((els) => els.map((e) => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]));
  assert.equal(rows.length, 4);
  const lowestTop = Math.max(...rows.map((r) => r[0]));
  const highestBottom = Math.min(...rows.map((r) => r[1]));
  assert.ok(lowestTop < highestBottom, `the triage is one row at 360 px: ${JSON.stringify(rows)}`);
  await q.getByRole("button", { name: "Beantwoord", exact: true }).click();
  await q.locator(".status-answered").waitFor();
  await q.locator(".triage .menu-button").click();
  await q.getByRole("button", { name: "Raakt me niet" }).waitFor();
  assert.deepEqual(await page.evaluate(smallTargets), [], "triage with its menu open: every target at least 44x44");
  await screenshotIn(page, "phone", "case-bringer-triage");
  await page.keyboard.press("Escape");

  // The evaluation: the commitment is open, the reflection optional and folded.
  await fac.ok({ kind: "goto_phase", index: 5 });
  await page.locator("#phase-name", { hasText: "Evaluatie" }).waitFor();
  assert.equal(await page.locator("#compose-commitment").isVisible(), true);
  const optional = page.locator("details.optional-composer", { hasText: "Wat neem je mee?" });
  assert.equal(await optional.getAttribute("open"), null, "the reflection is folded");
  await optional.locator("summary", { hasText: "(optioneel)" }).waitFor();
  await screenshotIn(page, "phone", "case-bringer-evaluation");
  assert.deepEqual(await page.evaluate(smallTargets), [], "evaluation: every target at least 44x44");
  await fac.ok({ kind: "end_session" });
  await page.locator(".ended-card").first().waitFor();
  assert.deepEqual(await page.evaluate(smallTargets), [], "ended: every target at least 44x44");
  assert.deepEqual(anna.problems, []);
  fac.close();
  bram.close();
});

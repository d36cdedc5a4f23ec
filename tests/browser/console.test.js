// The facilitator's console, run while talking: Start disabled with its reason, the way in
// leading the lobby and folded once running, what the group may do now, a sticky action bar
// driven by its keys (next speaker, first hand, next phase, the clock: +1, pause, set), each
// member's actions in a menu, a turn limit, errors that clear themselves, dots shown on demand,
// and no group key when the session keeps nothing.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, createSession, facilitatorPage, screenshotIn, checkPage, LAPTOP } from "./helpers.js";
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

/** @param {import('playwright-core').Page} page */
const view = (page) => page.evaluate(() => /** @type {any} */ (window).__kring.view());

test("the console: action bar and keys, Start with its reason, menus, the clock, errors that clear", async () => {
  // The gossip method opens with the case-bringer telling: it cannot start without one.
  const created = await createSession(server.url, { method: "gossip", title: "Roddelen op dinsdag", language: "nl" });
  const code = created.code.replace(/-/g, "");
  const members = [];
  for (const name of ["Anna", "Bram", "Cas"]) {
    const c = new WsClient(server.url, code);
    await c.connect({ as: "member", name });
    members.push(c);
  }
  const fac = await facilitatorPage(browser, LAPTOP, created);
  const f = fac.page;
  await f.goto(`${server.url}/session/${created.code}`);
  await f.locator(".roster-row", { hasText: "Cas" }).waitFor();

  // Lobby: the way in leads the page; Start waits for a case-bringer and says so.
  const start = f.getByRole("button", { name: "Sessie starten" });
  assert.equal(await start.isDisabled(), true, "Start is disabled without a case-bringer");
  await f.locator("#start-reason", { hasText: "de eerste fase heeft een inbrenger nodig" }).waitFor();
  const join = await f.locator(".join-card").boundingBox();
  const side = await f.locator(".col-side").boundingBox();
  assert.ok(join && side && join.x < side.x, "the join panel is in the main column before the start");
  await checkPage(f, "console lobby");
  await screenshotIn(f, "console", "lobby-start-disabled");

  // Each member's actions are in a menu on their row.
  const anna = f.locator(".roster-row", { hasText: "Anna" });
  await anna.locator(".menu-button").click();
  await anna.getByRole("button", { name: "Maak inbrenger" }).waitFor();
  await screenshotIn(f, "console", "member-menu");
  await anna.getByRole("button", { name: "Maak inbrenger" }).click();
  await anna.locator(".roster-role", { hasText: "inbrenger" }).waitFor();
  await f.locator("#start-reason", { hasText: "3 deelnemers zijn binnen." }).waitFor();
  assert.equal(await start.isDisabled(), false);
  // The gossip method has no case proposals: no text may speak of cases.
  assert.doesNotMatch(await f.locator("main").innerText(), /casus/i, "lobby: texts fit the method");
  await start.click();
  await f.locator("#phase-name", { hasText: "Vraag inbrengen" }).waitFor();
  assert.doesNotMatch(await f.locator("main").innerText(), /casus/i, "running: texts fit the method");

  // Running: the join panel is folded at the side; the group's possibilities are spelled out.
  assert.equal(await f.locator(".col-side .join-card details").getAttribute("open"), null, "the join panel is folded");
  await f.locator(".may-now", { hasText: "Deelnemers kunnen nu: luisteren" }).waitFor();
  await f.locator(".may-now", { hasText: "De inbrenger: vertellen, de kernvraag formuleren" }).waitFor();

  // The keys are shown on their buttons.
  for (const key of ["N", "F", "+", "P", "T"]) {
    assert.equal(await f.locator(`.action-bar [aria-keyshortcuts="${key}"]`).count(), 1, `a control answers ${key}`);
  }
  assert.ok((await f.locator(".action-bar kbd").count()) >= 5, "keys are shown in the bar");

  // F: next phase (a round of questions); N: the next speaker in the round.
  await f.locator("body").click({ position: { x: 5, y: 300 } });
  await f.keyboard.press("f");
  await f.locator("#phase-name", { hasText: "Verkenning" }).waitFor();
  await f.locator(".may-now", { hasText: "Deelnemers kunnen nu: vragen stellen" }).waitFor();
  const first = (await view(f)).floor?.member;
  await f.keyboard.press("n");
  await f.waitForFunction((m) => /** @type {any} */ (window).__kring.view().floor?.member !== m, first);

  // The clock: +1 minute, pause, resume, set to 5 minutes, all from the keyboard.
  const deadline = (await view(f)).phase.deadline;
  await f.keyboard.press("+");
  await f.waitForFunction((d) => /** @type {any} */ (window).__kring.view().phase.deadline >= d + 59_000, deadline);
  await f.keyboard.press("p");
  await f.locator(".action-bar .timer.paused").waitFor();
  assert.ok((await view(f)).phase.paused_left > 60_000, "paused with what was left");
  await screenshotIn(f, "console", "clock-paused");
  await f.keyboard.press("p");
  await f.locator(".action-bar .timer:not(.paused)").waitFor();
  await f.keyboard.press("t");
  assert.equal(await f.evaluate(() => document.activeElement?.id), "set-minutes", "T goes to 'set to'");
  await f.keyboard.press("Control+a");
  await f.keyboard.type("5");
  await f.keyboard.press("Enter");
  await f.waitForFunction(() => {
    const v = /** @type {any} */ (window).__kring.view();
    const left = v.phase.deadline - Date.now();
    return left > 290_000 && left <= 300_000;
  });

  // A time box per speaker.
  await f.getByLabel("Spreektijd per beurt").selectOption("120");
  await f.waitForFunction(() => /** @type {any} */ (window).__kring.view().phase.turn_limit === 120);
  await f.locator(".action-bar .turn-timer").waitFor();

  // The bar stays in view while the page scrolls.
  await f.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const bar = await f.locator(".action-bar").boundingBox();
  const top = await f.locator(".topbar").boundingBox();
  assert.ok(bar && top && bar.y >= top.y + top.height - 1 && bar.y < top.y + top.height + 4, `the action bar sticks under the top bar: ${bar?.y}`);
  await screenshotIn(f, "console", "scrolled-action-bar-sticks");

  // An error clears itself once fixed: without a case-bringer, jumping to a phase that needs
  // one is refused; naming one removes the notice.
  await anna.locator(".menu-button").click();
  await f.getByLabel("Inbrenger", { exact: true }).selectOption("");
  await f.getByRole("button", { name: "Instellen" }).click();
  await f.waitForFunction(() => /** @type {any} */ (window).__kring.view().case_bringer === null);
  await f.getByRole("button", { name: "Ga naar fase Reactie en oogst" }).click();
  const notice = f.locator(".notice-card", { hasText: "Wijs eerst een inbrenger aan" });
  await notice.waitFor();
  await screenshotIn(f, "console", "error-notice");
  await f.getByLabel("Inbrenger", { exact: true }).selectOption({ label: "Anna" });
  await f.getByRole("button", { name: "Instellen" }).click();
  await notice.waitFor({ state: "detached", timeout: 5_000 });

  // The group keeps nothing: no group key is offered.
  await f.locator(".group-card", { hasText: "bewaart niets" }).waitFor();
  assert.equal(await f.locator("#group-key").count(), 0);
  await checkPage(f, "console running");
  assert.deepEqual(fac.problems, []);
  for (const c of members) c.close();
});

test("dots stay hidden on every surface until the facilitator shows them", async () => {
  const created = await createSession(server.url, { method: "basic", title: "Stippen", language: "nl" });
  const code = created.code.replace(/-/g, "");
  const voters = [];
  for (const name of ["Anna", "Bram"]) {
    const c = new WsClient(server.url, code);
    await c.connect({ as: "member", name });
    voters.push(c);
  }
  const fac = await facilitatorPage(browser, LAPTOP, created);
  const f = fac.page;
  await f.goto(`${server.url}/session/${created.code}`);
  await f.getByRole("button", { name: "Sessie starten" }).click();
  await f.locator("#phase-name", { hasText: "Casusinventarisatie" }).waitFor();
  const [anna, bram] = voters;
  await anna.caughtUp(2);
  await new Promise((r) => setTimeout(r, 200));
  const pitch = await anna.ok({ kind: "submit", input: "case", text: "Een ouder die elke week belt." });
  await bram.caughtUp(pitch.seq);
  await bram.ok({ kind: "vote", item: pitch.item });
  await bram.ok({ kind: "vote", item: pitch.item });
  await f.locator(".item-case", { hasText: "elke week" }).waitFor();
  await f.waitForFunction(() => /** @type {any} */ (window).__kring.view().items[0]?.votes === 2);
  assert.equal(await f.locator(".item-case .votes").count(), 0, "the console shows no count while voting");
  await f.getByRole("button", { name: "Aantallen laten zien" }).click();
  await f.locator(".item-case .votes", { hasText: "2 stippen" }).waitFor();
  assert.equal(await f.getByRole("button", { name: "Aantallen laten zien" }).count(), 0);
  assert.deepEqual(fac.problems, []);
  for (const c of voters) c.close();
});

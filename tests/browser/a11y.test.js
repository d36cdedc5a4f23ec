// Accessibility and language: every control has a label, text has enough contrast, the phone
// view fits 360 px even with text at 200 %, focus is visible, and a person's language choice
// sticks across a reload.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, createSession, screenshot, checkPage, LAPTOP, PHONE } from "./helpers.js";
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

test("labels, contrast, 360 px at 200 % text, focus, and a language choice that sticks", async () => {
  const created = await createSession(server.url, { method: "basic", title: "Toegankelijk", language: "nl" });
  const code = created.code.replace(/-/g, "");
  // The home page and the join page.
  const home = await newPage(browser, PHONE);
  await home.page.goto(`${server.url}/`);
  await home.page.locator("input[name=method]").first().waitFor();
  await checkPage(home.page, "home");
  await home.page.goto(`${server.url}/join/${created.code}`);
  await checkPage(home.page, "join");
  // Keyboard: the name field comes right after the top bar, and focus is visible.
  await home.page.locator(".brand").focus();
  const order = ["brand"];
  for (let i = 0; i < 3; i++) {
    await home.page.keyboard.press("Tab");
    order.push(await home.page.evaluate(() => document.activeElement?.id || document.activeElement?.className || ""));
  }
  assert.deepEqual(order, ["brand", "lang-switch", "join-name", "primary"], "focus order: home link, language, name, join");
  const ring = await home.page.evaluate(() => getComputedStyle(/** @type {Element} */ (document.activeElement)).boxShadow);
  assert.notEqual(ring, "none", "focus is visible");

  // A session in the question phase with content, driven over the protocol.
  const fac = new WsClient(server.url, code);
  await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "Bea" });
  const cb = new WsClient(server.url, code);
  const wcb = await cb.connect({ as: "member", name: "Anna" });
  const other = new WsClient(server.url, code);
  await other.connect({ as: "member", name: "Bram" });
  const me = await newPage(browser, PHONE, "en-US");
  await me.page.goto(`${server.url}/join/${created.code}`);
  await me.page.locator("#join-name").fill("Cas met een heel lange achternaam");
  await me.page.locator("button[type=submit]").click();

  await me.page.locator(".whoami").waitFor();
  assert.equal(await me.page.locator("html").getAttribute("lang"), "nl", "the session's language applies by default");
  await fac.ok({ kind: "set_case_bringer", member: wcb.member });
  await fac.ok({ kind: "start_session" });
  await fac.ok({ kind: "goto_phase", index: 2 });
  await other.caughtUp(fac.seq);
  await other.ok({ kind: "submit", input: "question", text: "Wat maakt deze situatie voor jou zo lastig, en sinds wanneer speelt het al?" });
  const q = await other.ok({ kind: "submit", input: "question", text: "Wie merkt er nog meer iets van?" });
  await cb.caughtUp(q.seq);
  await cb.ok({ kind: "triage", item: q.item, status: "answered" });
  await me.page.locator(".item-question .status-answered").waitFor();
  await checkPage(me.page, "participant");

  const fits = () => document.documentElement.scrollWidth <= window.innerWidth;
  assert.ok(await me.page.evaluate(fits), "no sideways scrolling at 360 px");
  await me.page.evaluate(() => {
    document.documentElement.style.fontSize = "200%";
  });
  assert.ok(await me.page.evaluate(fits), "no sideways scrolling at 360 px with 200 % text");
  await screenshot(me.page, "phone-question-phase-200-percent-text");
  await me.page.evaluate(() => {
    document.documentElement.style.fontSize = "";
  });

  // The person switches to English; it sticks across a reload, over the session's Dutch.
  await me.page.getByLabel("Taal").selectOption("en");
  await me.page.locator("#phase-name", { hasText: "Exploring the problem" }).waitFor();
  await me.page.getByRole("button", { name: "Ask question" }).waitFor();
  await me.page.reload();
  await me.page.locator("#phase-name", { hasText: "Exploring the problem" }).waitFor();
  assert.equal(await me.page.locator("html").getAttribute("lang"), "en");
  await me.page.locator(".later li", { hasText: "Advice – possible later, in Advice round" }).waitFor();
  await screenshot(me.page, "phone-english-question-phase");

  // The console, on a laptop.
  const console_ = await newPage(browser, LAPTOP);
  await console_.context.addInitScript(
    ([c, t]) => localStorage.setItem(`kring:fac:${c}`, JSON.stringify(t)),
    [code, created.facilitator_token],
  );
  fac.close();
  await console_.page.goto(`${server.url}/session/${created.code}`);
  await console_.page.locator(".roster-row", { hasText: "Bram" }).waitFor();
  await checkPage(console_.page, "console");
  assert.deepEqual([...home.problems, ...me.problems, ...console_.problems], []);
  for (const c of [cb, other]) c.close();
});

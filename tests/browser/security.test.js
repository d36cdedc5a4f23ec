// User text is shown as text, never run: markup, event handlers and `javascript:` URLs posted
// by a member show literally on every page, and nothing executes.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, createSession, screenshot, LAPTOP, PHONE, SCREEN } from "./helpers.js";

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

const PAYLOADS = [
  `<img src=x onerror="window.__pwned=1;alert(1)">`,
  `javascript:window.__pwned=2;alert(2)`,
  `<script>window.__pwned=3</script>`,
  `"><svg onload="window.__pwned=4">`,
];
const EVIL_NAME = `<img src=x onerror=alert(5)>`;

/**
 * Gives a page the facilitator's token, as the browser that created the session has it.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} code canonical code
 * @param {string} token
 */
async function asFacilitator(context, code, token) {
  await context.addInitScript(
    ([c, t]) => {
      if (!localStorage.getItem(`kring:fac:${c}`)) localStorage.setItem(`kring:fac:${c}`, JSON.stringify(t));
    },
    [code, token],
  );
}

/** @param {import('playwright-core').Page} page */
async function nothingRan(page) {
  const state = await page.evaluate(() => ({
    pwned: /** @type {any} */ (window).__pwned,
    images: [...document.querySelectorAll("img")].filter((i) => !i.classList.contains("qr")).length,
    scripts: [...document.querySelectorAll("script")].filter((s) => !s.src.endsWith("/src/main.js")).length,
    // The app's own icons are inline SVG of one path each; anything else would be injected.
    svgs: [...document.querySelectorAll("svg")].filter((svg) => !svg.classList.contains("icon") || svg.children.length !== 1 || svg.firstElementChild?.tagName !== "path").length,
    links: [...document.querySelectorAll("a[href]")].filter((a) => /^\s*javascript:/i.test(a.getAttribute("href") ?? "")).length,
  }));
  assert.deepEqual(state, { pwned: undefined, images: 0, scripts: 0, svgs: 0, links: 0 });
}

test("markup and javascript: text posted by members shows literally and never runs", async () => {
  const created = await createSession(server.url, { method: "basic", title: "<b>Titel</b>", language: "nl" });
  const code = created.code.replace(/-/g, "");
  const fac = await newPage(browser, LAPTOP);
  await asFacilitator(fac.context, code, created.facilitator_token);
  await fac.page.goto(`${server.url}/session/${created.code}`);
  await fac.page.locator(".layout-console").waitFor();

  const eve = await newPage(browser, PHONE);
  await eve.page.goto(`${server.url}/join/${created.code}`);
  await eve.page.getByLabel("Je naam").fill(EVIL_NAME);
  await eve.page.getByRole("button", { name: "Meedoen" }).click();
  await eve.page.locator(".whoami").waitFor();

  const screenPage = await fac.context.newPage();
  await screenPage.setViewportSize(SCREEN.viewport);
  const screenProblems = [];
  screenPage.on("dialog", async (d) => {
    screenProblems.push(d.message());
    await d.dismiss();
  });
  screenPage.on("pageerror", (e) => screenProblems.push(e.message));
  await screenPage.goto(`${server.url}/screen/${created.code}`);
  await screenPage.locator(".big-code").waitFor();

  await fac.page.getByRole("button", { name: "Sessie starten" }).click();
  await eve.page.locator("#phase-name", { hasText: "Casusinventarisatie" }).waitFor();
  for (const payload of PAYLOADS) {
    await eve.page.getByLabel(/Jouw casus/).fill(payload);
    await eve.page.getByRole("button", { name: "Casus inbrengen" }).click();
    await eve.page.locator(".item-case .item-text", { hasText: payload }).waitFor();
  }

  for (const page of [eve.page, fac.page, screenPage]) {
    await page.locator(".item-case").nth(PAYLOADS.length - 1).waitFor();
    const texts = await page.locator(".item-case .item-text").allTextContents();
    assert.deepEqual(texts, PAYLOADS, "the text shows exactly as typed");
    await nothingRan(page);
  }
  await fac.page.locator(".roster-row .member-name", { hasText: EVIL_NAME }).waitFor();
  // The name stands isolated (first strong isolate ... pop directional isolate) in the sentence.
  assert.equal(await eve.page.locator(".whoami").textContent(), `Je doet mee als \u2068${EVIL_NAME}\u2069 (deelnemer)`);
  assert.equal(await fac.page.locator(".topbar-title").textContent(), "<b>Titel</b>");
  await screenshot(fac.page, "laptop-console-markup-shown-as-text");
  await screenshot(eve.page, "phone-markup-shown-as-text");
  assert.deepEqual(eve.problems, []);
  assert.deepEqual(fac.problems, []);
  assert.deepEqual(screenProblems, []);
});

test("the app is served with a strict Content-Security-Policy and no third-party assets", async () => {
  const res = await fetch(`${server.url}/join/ABC-DEF-GHJ`);
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, "no inline scripts");
  assert.doesNotMatch(html, /<style|style="/i, "no inline styles");
  assert.doesNotMatch(html, /https?:\/\//i, "no third-party assets");
});

test("names stand isolated, and the console removes everyone offline at once", async () => {
  const created = await createSession(server.url);
  const code = created.code.replace(/-/g, "");
  const fac = await newPage(browser, LAPTOP);
  await asFacilitator(fac.context, code, created.facilitator_token);
  await fac.page.goto(`${server.url}/session/${created.code}`);
  await fac.page.locator(".layout-console").waitFor();

  // A right-to-left name that would otherwise pull the text after it along.
  const rtl = "שרה 123";
  for (const name of [rtl, "Anna"]) {
    const phone = await newPage(browser, PHONE);
    await phone.page.goto(`${server.url}/join/${created.code}`);
    await phone.page.getByLabel("Je naam").fill(name);
    await phone.page.getByRole("button", { name: "Meedoen" }).click();
    await phone.page.locator(".whoami").waitFor();
    await fac.page.locator(".roster-row bdi.member-name", { hasText: name }).waitFor();
    // Both leave: their tabs close.
    await phone.context.close();
  }
  const clear = fac.page.getByRole("button", { name: "Verwijder de 2 deelnemers die offline zijn" });
  await clear.waitFor({ timeout: 45_000 });
  await clear.click();
  await fac.page.getByRole("button", { name: "Ja, verwijder 2 offline deelnemers" }).click();
  await fac.page.locator(".roster-row bdi.member-name", { hasText: "Anna" }).waitFor({ state: "detached" });
  assert.equal(await fac.page.locator(".roster-row").count(), 1, "only the facilitator is left");
  await fac.context.close();
});

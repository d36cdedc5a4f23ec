// The big screen in a hybrid room, measured as a projector shows it: type sizes at 1920x1080
// and 1280x720 (items >= 40 px, names and meta >= 28 px, nothing below 24 px at 1080p, the
// same proportions at 720p), the newest of 40 questions in view, the way in shrinking once the
// session runs, the key question pinned during advice, nothing private on the wall, a lost
// connection across its width, and an ended session that only says thank you.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, createSession, screenshotIn, PROJECTOR, PROJECTOR_720 } from "./helpers.js";
import { WsClient } from "./wsclient.js";

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  // Forty questions in a few seconds: lift the per-member submission limit.
  server = await startServer({ KRING_SUBMIT_LIMIT: "1000/10s" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Font sizes on the screen, in CSS pixels: the smallest of each kind of text that is shown.
 * @param {import('playwright-core').Page} page
 */
async function sizes(page) {
  return page.evaluate(() => {
    const px = (/** @type {Element} */ el) => parseFloat(getComputedStyle(el).fontSize);
    const visible = (/** @type {Element} */ el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight && !el.closest("[hidden], .visually-hidden");
    };
    const min = (/** @type {string} */ sel) => Math.min(...[...document.querySelectorAll(sel)].filter(visible).map(px));
    // Every element with its own visible text.
    let smallest = Infinity;
    let smallestText = "";
    for (const el of document.querySelectorAll(".screen *")) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? "").trim());
      if (!own || !visible(el)) continue;
      if (px(el) < smallest) {
        smallest = px(el);
        smallestText = (el.textContent ?? "").trim().slice(0, 30);
      }
    }
    return {
      height: window.innerHeight,
      item: min(".screen .board .item-text"),
      meta: min(".screen .board .item-meta"),
      names: min(".screen-speakers .floor-name, .screen-speakers li"),
      rule: min(".screen-rule"),
      smallest,
      smallestText,
    };
  });
}

test("the big screen: legible from the back, fits its height, nothing private, clear states", async () => {
  const created = await createSession(server.url, { method: "basic", title: "Teamintervisie maart", language: "nl" });
  const code = created.code.replace(/-/g, "");
  const screen = await newPage(browser, PROJECTOR);
  const s = screen.page;
  await s.goto(`${server.url}/screen/${created.code}#${created.screen_token}`);
  await s.locator(".screen-lobby .big-code").waitFor();

  const fac = new WsClient(server.url, code);
  await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "Bea" });
  /** @type {WsClient[]} */
  const members = [];
  for (const name of ["Anna", "Bram", "Cas", "Dirk"]) {
    const c = new WsClient(server.url, code);
    await c.connect({ as: "member", name });
    members.push(c);
  }
  const [anna, bram, cas, dirk] = members;
  await s.locator(".name-cloud li", { hasText: "Dirk" }).waitFor();
  const qrLobby = await s.locator(".screen-join .qr").boundingBox();
  assert.ok(qrLobby && qrLobby.height >= 0.35 * 1080, `a large QR code before the start: ${qrLobby?.height}`);
  await screenshotIn(s, "screen", "lobby-1080");

  // Into the question phase with a case-bringer, then forty questions and a queue.
  await fac.ok({ kind: "set_case_bringer", member: anna.welcomeMsg.member });
  await fac.ok({ kind: "start_session" });
  await fac.ok({ kind: "goto_phase", index: 2 });
  for (const c of members) await c.caughtUp(fac.seq);
  for (let i = 1; i <= 40; i++) {
    const who = [bram, cas, dirk][i % 3];
    await who.ok({ kind: "submit", input: "question", text: `${i}. Wat maakt het voor jou zo lastig om dit aan te kaarten?` });
  }
  await dirk.ok({ kind: "raise_hand" });
  await s.locator(".screen-boards .item-text", { hasText: "40. Wat maakt" }).waitFor();
  await s.locator(".screen-speakers .queue-list li", { hasText: "Dirk" }).waitFor();

  for (const device of [PROJECTOR, PROJECTOR_720]) {
    await s.setViewportSize(device.viewport);
    await s.waitForTimeout(250);
    const m = await sizes(s);
    const k = m.height / 1080;
    const label = `${device.viewport.width}x${device.viewport.height}`;
    assert.ok(m.item >= 40 * k, `${label}: item text ${m.item} px`);
    assert.ok(m.meta >= 28 * k, `${label}: item meta ${m.meta} px`);
    assert.ok(m.names >= 28 * k, `${label}: names ${m.names} px`);
    assert.ok(m.rule >= 40 * k, `${label}: the phase rule ${m.rule} px`);
    assert.ok(m.smallest >= 24 * k, `${label}: nothing below ${24 * k} px, but "${m.smallestText}" is ${m.smallest} px`);
    // The page never grows beyond the window, and the newest question is inside it.
    const fit = await s.evaluate(() => {
      const newest = [...document.querySelectorAll(".screen-boards .item-text")].find((e) => (e.textContent ?? "").startsWith("40. Wat maakt"));
      const r = newest?.getBoundingClientRect();
      return {
        page: document.documentElement.scrollHeight,
        height: window.innerHeight,
        newestTop: r?.top ?? -1,
        newestBottom: r?.bottom ?? Infinity,
        earlier: document.querySelector(".screen .earlier")?.textContent ?? "",
      };
    });
    assert.ok(fit.page <= fit.height, `${label}: the screen does not scroll (${fit.page} > ${fit.height})`);
    assert.ok(fit.newestTop >= 0 && fit.newestBottom <= fit.height, `${label}: the newest question is in view (${fit.newestTop}..${fit.newestBottom})`);
    assert.match(fit.earlier, /^\+ \d+ eerdere$/, `${label}: says how many are not shown`);
    console.log(`# ${label}: item ${m.item} px, meta ${m.meta} px, names ${m.names} px, rule ${m.rule} px, smallest ${m.smallest} px ("${m.smallestText}"); ${fit.earlier}`);
    await screenshotIn(s, "screen", `questions-40-${label}`);
  }
  await s.setViewportSize(PROJECTOR.viewport);
  const qrRunning = await s.locator(".screen-join .qr").boundingBox();
  assert.ok(qrRunning && qrRunning.height <= 0.2 * 1080, `the way in shrinks once the session runs: ${qrRunning?.height}`);
  assert.equal(await s.locator(".screen-rule").innerText(), "VRAGEN · NOG GEEN ADVIES", "the phase rule as a banner");

  // The advice round: the key question stays pinned; the case-bringer's reactions and a hidden
  // item never reach the wall.
  await fac.ok({ kind: "next_phase" });
  await anna.caughtUp(fac.seq);
  await anna.ok({ kind: "submit", input: "key_question", text: "Hoe spreek ik mijn team aan zonder de sfeer te bederven?" });
  await fac.ok({ kind: "next_phase" });
  for (const c of members) await c.caughtUp(fac.seq);
  const useful = await bram.ok({ kind: "submit", input: "advice", text: "Bespreek het eerst met de twee collega's die het meest last hebben." });
  const notForMe = await cas.ok({ kind: "submit", input: "advice", text: "Stuur een mail naar iedereen met de afspraken." });
  const hidden = await dirk.ok({ kind: "submit", input: "advice", text: "Geheim advies dat de begeleider verbergt." });
  await anna.caughtUp(dirk.seq);
  await anna.ok({ kind: "react", item: useful.item, reaction: { temperature: "warm", useful: true } });
  await anna.ok({ kind: "react", item: notForMe.item, reaction: { temperature: "cold", useful: false } });
  await fac.caughtUp(anna.seq);
  await fac.ok({ kind: "hide_item", item: hidden.item, hidden: true });
  await s.locator(".screen-pinned .key-question .item-text", { hasText: "Hoe spreek ik mijn team aan" }).waitFor();
  await s.locator(".screen-boards .item-text", { hasText: "Stuur een mail" }).waitFor();
  await s.waitForFunction(() => !document.body.innerText.includes("Geheim advies"));
  const wall = await s.locator(".screen").innerText();
  for (const text of ["Geheim advies", "Verborgen", "verborgen", "Bruikbaar", "Warm", "Koud"]) {
    assert.ok(!wall.includes(text), `the screen shows nothing of "${text}"`);
  }
  assert.equal(await s.locator(".hidden-item, [class*=reaction-]").count(), 0, "no hidden item, no reaction badge in the screen's DOM");
  const pinned = await s.locator(".screen-pinned .key-question").boundingBox();
  assert.ok(pinned && pinned.y >= 0 && pinned.y + pinned.height <= 1080, "the key question is on the screen");
  await screenshotIn(s, "screen", "advice-key-question-1080");

  // A lost connection: a banner across the width, and what may be stale greyed out.
  await screen.context.setOffline(true);
  const banner = s.locator(".conn-banner");
  await banner.waitFor();
  const box = await banner.boundingBox();
  assert.ok(box && box.width >= 1919, `the banner spans the screen: ${box?.width}`);
  const dim = await s.evaluate(() => Number(getComputedStyle(/** @type {Element} */ (document.querySelector(".screen"))).opacity));
  assert.ok(dim < 0.5, `the content is dimmed: ${dim}`);
  await screenshotIn(s, "screen", "connection-lost-1080");
  await screen.context.setOffline(false);
  await banner.waitFor({ state: "detached", timeout: 15_000 });

  // The end: thanks, no code, no queue.
  await fac.ok({ kind: "end_session" });
  await s.locator("#screen-ended-title", { hasText: "Dank jullie wel" }).waitFor();
  assert.equal(await s.locator(".big-code, .qr, .screen-speakers, .board").count(), 0);
  await screenshotIn(s, "screen", "ended-1080");

  const unexpected = screen.problems.filter((m) => !/WebSocket connection to .* failed|ERR_INTERNET_DISCONNECTED/.test(m));
  assert.deepEqual(unexpected, []);
  for (const c of [fac, ...members]) c.close();
});

// Screenshots of every surface (home, join, phones, console, big screen, the method
// explanation) in every state that matters (lobby, questions, advice, the end), in Dutch,
// English, German and French, each at phone (360x740), laptop (1366x900) and projector
// (1920x1080) size. They land in tests/artifacts/screenshots/surfaces/<lang>/ for people to
// look at; the test itself checks that every page names its controls, has enough contrast,
// and shows no untranslated catalog key.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, createSession, facilitatorPage, joinPhone, screenshotIn, checkPage, PHONE, LAPTOP, PROJECTOR } from "./helpers.js";
import { WsClient } from "./wsclient.js";

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  server = await startServer({ KRING_SUBMIT_LIMIT: "1000/10s" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const SIZES = /** @type {const} */ ([
  ["phone", PHONE.viewport],
  ["laptop", LAPTOP.viewport],
  ["projector", PROJECTOR.viewport],
]);

/** Texts per language for the content members type. */
const TEXT = {
  nl: { title: "Teamintervisie maart", case: "Mijn teamleider reageert niet op mijn voorstellen.", q: ["Wat gebeurt er precies als je iets voorstelt?", "Sinds wanneer speelt dit?", "Wie merkt er nog meer iets van?"], kq: "Hoe zorg ik dat mijn voorstellen serieus genomen worden?", advice: ["Plan een vast overleg met je teamleider.", "Schrijf je voorstel eerst kort op."], locale: "nl-NL" },
  en: { title: "Team consultation March", case: "My team lead never responds to my proposals.", q: ["What exactly happens when you make a proposal?", "Since when has this been going on?", "Who else notices it?"], kq: "How do I get my proposals taken seriously?", advice: ["Plan a regular meeting with your team lead.", "Write your proposal down briefly first."], locale: "en-GB" },
  de: { title: "Kollegiale Beratung März", case: "Meine Teamleitung reagiert nicht auf meine Vorschläge.", q: ["Was genau passiert, wenn du einen Vorschlag machst?", "Seit wann geht das so?", "Wer bekommt das noch mit?"], kq: "Wie erreiche ich, dass meine Vorschläge ernst genommen werden?", advice: ["Vereinbare ein festes Gespräch mit deiner Teamleitung.", "Schreib deinen Vorschlag zuerst kurz auf."], locale: "de-DE" },
  fr: { title: "Intervision de mars", case: "Ma responsable ne réagit pas à mes propositions.", q: ["Que se passe-t-il exactement quand vous faites une proposition ?", "Depuis quand est-ce ainsi ?", "Qui d'autre le remarque ?"], kq: "Comment faire prendre mes propositions au sérieux ?", advice: ["Prévoyez un rendez-vous régulier avec votre responsable.", "Écrivez d'abord votre proposition en quelques lignes."], locale: "fr-BE" },
};

/**
 * Screenshots `page` at every size, then puts its own size back.
 * @param {import('playwright-core').Page} page
 * @param {string} lang
 * @param {string} surface
 */
async function shoot(page, lang, surface) {
  const own = page.viewportSize();
  for (const [size, viewport] of SIZES) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    await screenshotIn(page, `surfaces/${lang}`, `${surface}-${size}`);
  }
  if (own) await page.setViewportSize(own);
}

/**
 * No catalog key shows as text (a missing translation shows its key).
 * @param {import('playwright-core').Page} page
 * @param {string} what
 */
async function noKeys(page, what) {
  const keys = await page.evaluate(() => (document.body.innerText.match(/\b[a-z]+\.[a-z]+(?:\.[A-Za-z_]+)*\b/g) ?? []).filter((k) => /^(app|lang|conn|prefs|help|home|join|phase|timer|turn|turns|rule|may|kq|compose|board|item|triage|fac|screen|fatal|error|summary|ended|attendance|group|report|outbox|confirm|role|kind)\./.test(k)));
  assert.deepEqual(keys, [], `${what}: catalog keys shown as text`);
}

for (const lang of /** @type {const} */ (["nl", "en", "de", "fr"])) {
  test(`every surface in ${lang}, at phone, laptop and projector size`, async () => {
    const tx = TEXT[lang];
    // Home and join, before any session, in the browser's language.
    const visitor = await newPage(browser, PHONE, tx.locale);
    await visitor.page.goto(`${server.url}/`);
    await visitor.page.locator("input[name=method]").first().waitFor();
    assert.equal(await visitor.page.locator("html").getAttribute("lang"), lang);
    await shoot(visitor.page, lang, "home");

    const created = await createSession(server.url, { method: "basic", title: tx.title, language: lang, settings: { video_url: "https://meet.jit.si/kring-team" } });
    const code = created.code.replace(/-/g, "");
    await visitor.page.goto(`${server.url}/join/${created.code}`);
    await visitor.page.locator("#join-h", { hasText: tx.title }).waitFor();
    await shoot(visitor.page, lang, "join");

    const fac = await facilitatorPage(browser, LAPTOP, created, tx.locale);
    const f = fac.page;
    await f.goto(`${server.url}/session/${created.code}`);
    const screen = await newPage(browser, PROJECTOR, tx.locale);
    const s = screen.page;
    await s.goto(`${server.url}/screen/${created.code}#${created.screen_token}`);
    const others = [];
    for (const name of ["Cas", "Dirk"]) {
      const c = new WsClient(server.url, code);
      await c.connect({ as: "member", name });
      others.push(c);
    }
    const anna = await joinPhone(browser, server.url, created.code, "Anna", tx.locale);
    const bram = await joinPhone(browser, server.url, created.code, "Bram", tx.locale);
    const [a, b] = [anna.page, bram.page];
    await f.locator(".roster-row", { hasText: "Bram" }).waitFor();
    await s.locator(".name-cloud li", { hasText: "Bram" }).waitFor();
    await b.locator(".lobby .help-inline:not([aria-busy])").waitFor();
    await shoot(b, lang, "phone-lobby");
    await shoot(f, lang, "console-lobby");
    await shoot(s, lang, "screen-lobby");
    for (const [p, what] of [[b, "phone lobby"], [f, "console lobby"], [s, "screen lobby"]]) {
      await checkPage(/** @type {any} */ (p), `${lang} ${what}`);
      await noKeys(/** @type {any} */ (p), `${lang} ${what}`);
    }

    // Cases, then questions.
    await f.locator("[data-fk=start]").click();
    await a.locator("#compose-case").waitFor();
    await a.locator("#compose-case").fill(tx.case);
    await a.locator("#compose-case").press("Enter");
    const caseEl = f.locator(".item-case").first();
    await caseEl.waitFor();
    await f.locator(`[data-fk=choose-${await caseEl.getAttribute("data-item")}]`).click();
    await a.locator(".whoami").filter({ hasText: "Anna" }).waitFor();
    await f.locator("[data-fk=goto-2]").click();
    await b.locator("#compose-question").waitFor();
    for (const question of tx.q) {
      await b.locator("#compose-question").fill(question);
      await b.locator("#compose-question").press("Enter");
      await b.locator(".board-question .item-text", { hasText: question }).waitFor();
    }
    await a.locator(".item-question .triage").first().waitFor();
    await a.locator(".item-question .triage .toggle").first().click();
    await b.locator(".status-answered").waitFor();
    await others[0].caughtUp(1);
    await new Promise((r) => setTimeout(r, 300));
    await others[0].ok({ kind: "raise_hand" });
    await s.locator(".screen-speakers .queue-list li").first().waitFor();
    await shoot(b, lang, "phone-questions");
    await shoot(a, lang, "phone-case-bringer-triage");
    await shoot(f, lang, "console-questions");
    await shoot(s, lang, "screen-questions");
    for (const [p, what] of [[a, "case-bringer questions"], [b, "phone questions"], [f, "console questions"], [s, "screen questions"]]) {
      await checkPage(/** @type {any} */ (p), `${lang} ${what}`);
      await noKeys(/** @type {any} */ (p), `${lang} ${what}`);
    }

    // The key question, then advice with the key question pinned.
    await f.locator("[data-fk=goto-3]").click();
    await a.locator("#compose-key_question").waitFor();
    await a.locator("#compose-key_question").fill(tx.kq);
    await a.locator("#compose-key_question").press("Enter");
    await f.locator(".board-key_question .item-text", { hasText: tx.kq }).waitFor();
    await f.locator("[data-fk=goto-4]").click();
    await b.locator("#compose-advice").waitFor();
    for (const advice of tx.advice) {
      await b.locator("#compose-advice").fill(advice);
      await b.locator("[data-fk=compose-advice-send]").click();
      await b.locator(".board-advice .item-text", { hasText: advice }).waitFor();
    }
    await a.locator(".item-advice [data-fk$=-useful]").first().click();
    await s.locator(".screen-pinned .key-question").waitFor();
    await b.locator(".key-question").waitFor();
    await shoot(b, lang, "phone-advice");
    await shoot(a, lang, "phone-case-bringer-advice");
    await shoot(f, lang, "console-advice");
    await shoot(s, lang, "screen-advice");
    for (const [p, what] of [[b, "phone advice"], [f, "console advice"], [s, "screen advice"]]) {
      await checkPage(/** @type {any} */ (p), `${lang} ${what}`);
      await noKeys(/** @type {any} */ (p), `${lang} ${what}`);
    }

    // The method explanation, from the help button.
    await b.locator(".help-button").click();
    await b.locator("#help-dialog .role-card").first().waitFor();
    await shoot(b, lang, "phone-help");
    await checkPage(b, `${lang} help`);
    await b.keyboard.press("Escape");

    // The end.
    await f.locator("[data-fk=goto-5]").click();
    await a.locator(".summary-card").waitFor();
    await f.locator("[data-fk=end]").click();
    await f.locator("[data-fk=end-yes]").click();
    await s.locator("#screen-ended-title").waitFor();
    await b.locator(".ended-card").waitFor();
    await f.locator(".attendance-table").waitFor();
    await shoot(a, lang, "phone-case-bringer-ended");
    await shoot(b, lang, "phone-ended");
    await shoot(f, lang, "console-ended");
    await shoot(s, lang, "screen-ended");
    for (const [p, what] of [[a, "case-bringer ended"], [f, "console ended"], [s, "screen ended"]]) {
      await checkPage(/** @type {any} */ (p), `${lang} ${what}`);
      await noKeys(/** @type {any} */ (p), `${lang} ${what}`);
    }
    for (const p of [visitor, fac, screen, anna, bram]) assert.deepEqual(p.problems.filter((m) => !/404/.test(m)), []);
    for (const c of others) c.close();
    for (const p of [visitor, fac, screen, anna, bram]) await p.context.close();
  });
}

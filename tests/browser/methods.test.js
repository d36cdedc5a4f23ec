// The method rules in the browser: the case-bringer's private reactions and notepad (never on
// another phone or the big screen until shared), proposing and choosing the key question (pinned
// for everyone), a second case in the same meeting with the process evaluation before it and
// one question per turn in it, and a self-led group handing the facilitation around.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, screenshot, checkPage, createSession, LAPTOP, PHONE, SCREEN } from "./helpers.js";

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

/** Chromium logs a failed WebSocket attempt when a page closes mid-connect; nothing else. */
const unexpected = (/** @type {string[]} */ list) => list.filter((m) => !/WebSocket connection to .* failed/.test(m));

/**
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
async function phaseIs(page, name) {
  await page.locator("#phase-name", { hasText: name }).waitFor();
}

/** @param {import('playwright-core').Page} page */
async function view(page) {
  return page.evaluate(() => /** @type {any} */ (window).__kring.view());
}

/**
 * A session made over the API, its console on a laptop (the facilitator token in this
 * browser's storage, as creating it on the home page leaves it) and its big screen opened from
 * the screen link on a projector PC.
 * @param {any} body
 */
async function meeting(body) {
  const created = await createSession(server.url, body);
  const canonical = created.code.replace(/-/g, "");
  const fac = await newPage(browser, LAPTOP);
  await fac.context.addInitScript(
    ([c, t]) => {
      if (!localStorage.getItem(`kring:fac:${c}`)) localStorage.setItem(`kring:fac:${c}`, JSON.stringify(t));
    },
    [canonical, created.facilitator_token],
  );
  await fac.page.goto(`${server.url}/session/${created.code}`);
  await fac.page.locator(".layout-console").waitFor();
  const screen = await newPage(browser, SCREEN);
  await screen.page.goto(created.screen_url);
  await screen.page.locator(".layout-screen").waitFor();
  return { created, fac, f: fac.page, screen, s: screen.page };
}

/**
 * @param {string} code display code
 * @param {string} name
 */
async function joinPhone(code, name) {
  const p = await newPage(browser, PHONE);
  await p.page.goto(`${server.url}/join/${code}`);
  await p.page.getByLabel("Je naam").fill(name);
  await p.page.getByRole("button", { name: "Meedoen" }).click();
  await p.page.locator(".whoami", { hasText: name }).waitFor();
  return p;
}

/**
 * The facilitator makes `name` the case-bringer and waits until their phone says so.
 * @param {import('playwright-core').Page} f
 * @param {import('playwright-core').Page} phone
 * @param {string} name
 */
async function caseBringer(f, phone, name) {
  await f.locator(".roster-row", { hasText: name }).waitFor();
  await f.getByLabel("Inbrenger", { exact: true }).selectOption({ label: name });
  await f.getByRole("button", { name: "Instellen" }).click();
  await phone.locator(".whoami", { hasText: "inbrenger" }).waitFor();
}

test("the case-bringer's reactions and notepad stay on her phone until she shares her reactions", async () => {
  const { created, fac, f, screen, s } = await meeting({ method: "gossip", title: "Roddel", language: "nl" });
  const anna = await joinPhone(created.code, "Anna");
  const bram = await joinPhone(created.code, "Bram");
  const a = anna.page;
  const b = bram.page;
  await caseBringer(f, a, "Anna");
  await f.getByRole("button", { name: "Sessie starten" }).click();
  await phaseIs(a, "Vraag inbrengen");
  await a.getByLabel("Vertel je situatie en je vraag").fill("Mijn collega neemt alles over.");
  await a.getByRole("button", { name: "Toelichting plaatsen" }).click();

  // Exploring: Bram asks; Anna feels how the question lands.
  await f.getByRole("button", { name: /Volgende: Verkenning/ }).click();
  await phaseIs(b, "Verkenning");
  await b.getByLabel("Jouw vraag").fill("Wanneer merk je dat het gebeurt?");
  await b.getByRole("button", { name: "Vraag stellen" }).click();
  const question = a.locator(".item-question", { hasText: "Wanneer merk je" });
  await question.getByRole("button", { name: "Raakt me", exact: true }).click();
  await question.locator(".temp-warm").waitFor();
  await a.locator(".share-reactions", { hasText: "zie alleen jij" }).waitFor();

  // Gossip: she listens, with her back to the group, and notes for herself.
  await f.getByRole("button", { name: /Volgende: Roddelen/ }).click();
  await phaseIs(a, "Roddelen");
  await a.locator(".compose .notice", { hasText: "Aantekeningen voor jezelf kun je hieronder maken" }).waitFor();
  const NOTE = "NOTEPAD: dit raakt me, vraag Bram later";
  await a.getByLabel("Aantekening voor jezelf").fill(NOTE);
  await a.getByRole("button", { name: "Aantekening bewaren" }).click();
  await a.locator(".notepad .item-text", { hasText: NOTE }).waitFor();
  await b.getByLabel("Wat valt je op?").fill("Ze laat het misschien te makkelijk gebeuren.");
  await b.getByRole("button", { name: "Analyse delen" }).click();
  const analysis = a.locator(".item-analysis", { hasText: "te makkelijk" });
  await analysis.getByRole("button", { name: "Bruikbaar" }).click();
  await analysis.locator(".reaction-useful").waitFor();
  await checkPage(a, "listening case-bringer with her notepad and reactions");
  await screenshot(a, "phone-case-bringer-notepad-and-private-reactions");

  // Not on Bram's phone, not on the big screen: neither the reactions nor the notepad.
  await b.locator(".item-analysis", { hasText: "te makkelijk" }).waitFor();
  await s.locator(".board-analysis .item-text", { hasText: "te makkelijk" }).waitFor();
  for (const [page, who] of [
    [b, "Bram's phone"],
    [s, "the big screen"],
  ]) {
    assert.equal(await page.locator(".temp-warm, .reaction-useful, .notepad").count(), 0, `${who}: nothing of hers`);
    assert.equal(await page.getByText(NOTE).count(), 0, `${who}: not the note`);
    const v = await view(page);
    assert.deepEqual(v.reactions, [], `${who}: no reactions in the view`);
    assert.ok(!JSON.stringify(v).includes("NOTEPAD"), `${who}: the note is nowhere in the view`);
  }
  assert.equal(await f.locator(".temp-warm, .reaction-useful").count(), 0, "nor on the console");
  await screenshot(b, "phone-participant-sees-no-private-reactions");
  await screenshot(s, "screen-sees-no-private-reactions", false);

  // She shares them: now the group sees them on their own devices, never on the big screen;
  // and she hides them again.
  await a.getByRole("button", { name: "Reacties delen met de groep" }).click();
  await b.locator(".item-analysis .reaction-useful").waitFor();
  assert.equal(await s.locator(".temp-warm, .reaction-useful, [class*=reaction-]").count(), 0, "but the screen never shows them");
  // The question board of the phase before is folded on the phone (and not on the screen).
  await b.locator(".item-question .temp-warm").waitFor({ state: "attached" });
  await a.locator(".share-reactions", { hasText: "Je reacties zijn gedeeld" }).waitFor();
  await a.getByRole("button", { name: "Reacties weer voor mezelf houden" }).click();
  await b.locator(".temp-warm, .reaction-useful").first().waitFor({ state: "detached" });
  await a.locator(".item-question .temp-warm").waitFor({ state: "attached" });
  await a.locator(".item-analysis .reaction-useful").waitFor();
  assert.equal(await b.getByText(NOTE).count(), 0, "sharing reactions never shares the notepad");
  for (const p of [fac, anna, bram, screen]) assert.deepEqual(unexpected(p.problems), []);
});

test("participants propose key questions, the case-bringer chooses one, and it is pinned for everyone", async () => {
  const { created, fac, f, screen, s } = await meeting({ method: "basic", title: "Kernvraag", language: "nl" });
  const anna = await joinPhone(created.code, "Anna");
  const bram = await joinPhone(created.code, "Bram");
  const a = anna.page;
  const b = bram.page;
  await caseBringer(f, a, "Anna");
  await f.getByRole("button", { name: "Sessie starten" }).click();
  // Where only the case-bringer speaks, nobody else raises a hand or is given the floor.
  await f.getByRole("button", { name: "Ga naar fase Vraagintroductie" }).click();
  await phaseIs(b, "Vraagintroductie");
  await b.locator(".turn", { hasText: "Nu is de inbrenger aan het woord" }).waitFor();
  assert.equal(await b.getByRole("button", { name: "Hand opsteken" }).count(), 0);
  await f.locator(".floor-name", { hasText: "Anna" }).waitFor();
  // (The member menu's buttons are in the page while it is closed.)
  await f.locator(".roster-row", { hasText: "Bram" }).locator("button", { hasText: "Maak notulist" }).waitFor({ state: "attached" });
  assert.equal(await f.locator(".roster-row", { hasText: "Bram" }).locator("button", { hasText: "Woord geven" }).count(), 0);
  assert.equal(await f.getByRole("button", { name: "Ronde starten" }).count(), 0);
  await f.getByRole("button", { name: "Ga naar fase Kern formuleren" }).click();
  await phaseIs(b, "Kern formuleren");

  // Bram proposes a wording; it waits for Anna's choice and is not pinned yet.
  await b.getByLabel("De kernvraag").fill("Hoe zeg ik nee zonder de relatie te schaden?");
  await b.getByRole("button", { name: "Kernvraag plaatsen" }).click();
  const proposal = a.locator(".item-key_question", { hasText: "zonder de relatie" });
  await proposal.waitFor();
  assert.equal(await b.locator(".key-question-pin").count(), 0, "a proposal is not the key question");
  assert.equal(await b.getByRole("button", { name: "Dit wordt mijn kernvraag" }).count(), 0, "only the case-bringer chooses");
  await screenshot(a, "phone-case-bringer-key-question-proposals");
  await proposal.getByRole("button", { name: "Dit wordt mijn kernvraag" }).click();
  for (const page of [a, b, f, s]) {
    await page.locator(".key-question-pin .key-question-text", { hasText: "Hoe zeg ik nee zonder de relatie te schaden?" }).waitFor();
  }
  await proposal.locator(".badge.chosen").waitFor();
  await checkPage(b, "phone with the pinned key question");
  await screenshot(b, "phone-pinned-key-question");
  await screenshot(s, "screen-pinned-key-question", false);

  // Her own wording replaces it at once.
  await a.getByLabel("De kernvraag").fill("Hoe bewaak ik mijn grenzen bij Bram?");
  await a.getByRole("button", { name: "Kernvraag plaatsen" }).click();
  for (const page of [b, s]) await page.locator(".key-question-pin .key-question-text", { hasText: "Hoe bewaak ik mijn grenzen" }).waitFor();
  await proposal.locator(".badge.chosen").waitFor({ state: "detached" });
  // Her own wording is labelled as the case-bringer's.
  await b.locator(".item-key_question", { hasText: "mijn grenzen" }).locator(".item-meta", { hasText: "inbrenger" }).waitFor();
  for (const p of [fac, anna, bram, screen]) assert.deepEqual(unexpected(p.problems), []);
});

test("a second case: evaluated first, started from the console, the first case-bringer keeps her summary", async () => {
  const { created, fac, f, screen, s } = await meeting({ method: "basic", title: "Twee casussen", language: "nl", settings: { keep_for_group: true } });
  const anna = await joinPhone(created.code, "Anna");
  const bram = await joinPhone(created.code, "Bram");
  const cas = await joinPhone(created.code, "Cas");
  const [a, b, c] = [anna.page, bram.page, cas.page];
  await caseBringer(f, a, "Anna");
  await f.getByRole("button", { name: "Sessie starten" }).click();
  await f.getByRole("button", { name: "Ga naar fase Probleemverkenning" }).click();
  await phaseIs(b, "Probleemverkenning");
  await b.getByLabel("Jouw vraag").fill("CASE-ONE: wat wil je bereiken?");
  await b.getByRole("button", { name: "Vraag stellen" }).click();
  await a.locator(".item-question", { hasText: "CASE-ONE" }).waitFor();

  // The evaluation phase: everyone rates the process; the facilitator sees averages from three.
  await f.getByRole("button", { name: "Ga naar fase Evaluatie" }).click();
  await phaseIs(c, "Evaluatie");
  await a.getByLabel("Wat ga jij doen?").fill("CASE-ONE: ik bel maandag.");
  await a.getByRole("button", { name: "Voornemen vastleggen" }).click();
  await b.locator(".item-commitment", { hasText: "ik bel maandag" }).waitFor();
  assert.equal(await f.locator(".process-form").count(), 0, "the facilitator does not rate their own facilitation");
  const rate = async (/** @type {import('playwright-core').Page} */ page, /** @type {number[]} */ scores) => {
    const form = page.locator(".process-form");
    for (const [i, item] of ["method_followed", "open_questions", "safe", "facilitation"].entries()) {
      await form.locator(`[data-fk="process-${item}-${scores[i]}"]`).check();
    }
    await form.getByRole("button", { name: "Versturen" }).click();
    await form.locator(".notice", { hasText: "Dank je" }).waitFor();
  };
  await rate(a, [4, 5, 5, 4]);
  await rate(b, [3, 4, 5, 4]);
  await f.locator(".process-results", { hasText: "2 antwoorden" }).waitFor();
  await f.locator(".process-results", { hasText: "vanaf drie antwoorden" }).waitFor();
  await checkPage(c, "phone with the process evaluation");
  await screenshot(c, "phone-process-evaluation");
  await rate(c, [5, 3, 5, 4]);
  await f.locator(".process-results", { hasText: "3 antwoorden" }).waitFor();
  await f.getByRole("button", { name: "Uitslag bijwerken" }).click();
  const row = f.locator(".process-table tr", { hasText: "We hielden ons aan de methode." });
  await row.locator("td", { hasText: "4,0" }).waitFor();
  await f.locator(".process-table tr", { hasText: "Het voelde veilig" }).locator("td", { hasText: "5,0" }).waitFor();
  assert.equal(await b.locator(".process-results").count(), 0, "a participant never sees the results");
  await screenshot(f, "laptop-console-process-results");

  // The second case, with the incident method: it chooses its incident first.
  const next = f.locator(".next-case");
  await next.getByLabel("Methode").selectOption({ label: "Incidentmethode" });
  await next.getByRole("button", { name: "Volgende casus starten" }).click();
  await next.getByRole("button", { name: "Ja, volgende casus starten" }).click();
  for (const page of [a, b, c, s]) {
    await phaseIs(page, "Incident kiezen");
    await page.locator(".case-line", { hasText: "Casus 2 · Incidentmethode" }).waitFor();
  }
  // Anna brought the first case: she is a participant now, and keeps her summary.
  await a.locator(".whoami", { hasText: "deelnemer" }).waitFor();
  const summary = a.locator(".summary-card");
  await summary.getByRole("button", { name: "Samenvatting downloaden (Markdown)" }).waitFor();
  const [download] = await Promise.all([a.waitForEvent("download"), summary.getByRole("button", { name: "Samenvatting downloaden (Markdown)" }).click()]);
  const path = await download.path();
  const { readFile } = await import("node:fs/promises");
  const md = await readFile(path ?? "", "utf8");
  assert.ok(md.includes("CASE-ONE: wat wil je bereiken?"), md);
  assert.ok(md.includes("Basismodel"), md);
  // The boards are the new case's; the first case folds away under "earlier cases".
  assert.equal(await b.locator(".board-question").count(), 0, "no question board from the first case");
  const earlier = b.locator(".earlier-cases");
  await earlier.getByText("Casus 1 · Basismodel").click();
  await earlier.locator("li", { hasText: "CASE-ONE: wat wil je" }).waitFor();
  await screenshot(b, "phone-second-case-earlier-cases");
  // Anna can still let her commitment go to the group's next meeting; Bram cannot.
  assert.equal(await earlier.getByRole("button", { name: "Meenemen naar de volgende bijeenkomst" }).count(), 0);
  const mine = a.locator(".earlier-cases");
  await mine.getByText("Casus 1 · Basismodel").click();
  await mine.locator("li", { hasText: "ik bel maandag" }).getByRole("button", { name: "Meenemen naar de volgende bijeenkomst" }).click();
  await earlier.locator("li", { hasText: "ik bel maandag" }).locator(".badge", { hasText: "gaat mee" }).waitFor();

  // Bram's incident is chosen: he brings the second case.
  await b.getByLabel(/Jouw casus/).fill("Een cliënt die dreigde met een klacht.");
  await b.getByRole("button", { name: "Casus inbrengen" }).click();
  await f.locator(".item-case", { hasText: "dreigde met een klacht" }).getByRole("button", { name: "Kies deze casus" }).click();
  await b.locator(".whoami", { hasText: "inbrenger" }).waitFor();
  // Names stand isolated (U+2068 ... U+2069) in a sentence.
  await s.locator(".case-line", { hasText: "inbrenger: \u2068Bram\u2069" }).waitFor();

  // The information round: one question per turn, from whoever has the floor.
  await f.getByRole("button", { name: "Ga naar fase Informatieronde" }).click();
  await phaseIs(c, "Informatieronde");
  await a.locator(".turn .your-turn").waitFor();
  await c.locator(".one-per-turn", { hasText: "Je beurt komt nog" }).waitFor();
  await c.getByLabel("Jouw vraag").fill("Wat zei de cliënt precies?");
  await c.getByRole("button", { name: "Vraag stellen" }).click();
  const waiting = c.locator(".refused.wait-turn");
  await waiting.locator("h2", { hasText: "Je beurt komt nog" }).waitFor();
  assert.equal(await waiting.getByLabel("Je tekst").inputValue(), "Wat zei de cliënt precies?", "the question is kept");
  await screenshot(c, "phone-one-question-per-turn-wait");
  await a.getByLabel("Jouw vraag").fill("Wanneer was dat?");
  await a.getByRole("button", { name: "Vraag stellen" }).click();
  await b.locator(".item-question", { hasText: "Wanneer was dat?" }).waitFor();
  await a.getByLabel("Jouw vraag").fill("En waar?");
  await a.getByRole("button", { name: "Vraag stellen" }).click();
  await a.locator(".refused.wait-turn").waitFor();
  for (const p of [fac, anna, bram, cas, screen]) assert.deepEqual(unexpected(p.problems), []);
});

test("a self-led group: the facilitator takes part, appoints a co-facilitator and hands the role over", async () => {
  const fac = await newPage(browser, LAPTOP);
  const f = fac.page;
  await f.goto(`${server.url}/`);
  await f.getByLabel("Titel van de sessie").fill("Zelfsturend");
  await f.getByLabel("Je naam (als begeleider)").fill("Bea");
  await f.getByLabel(/Basismodel/).check();
  await f.getByLabel("Zelfsturende groep: de begeleider doet ook mee").check();
  await f.getByRole("button", { name: "Sessie aanmaken" }).click();
  await f.locator(".layout-console").waitFor();
  const code = f.url().split("/").pop() ?? "";
  const anna = await joinPhone(code, "Anna");
  const bram = await joinPhone(code, "Bram");
  const cas = await joinPhone(code, "Cas");
  const [a, b, c] = [anna.page, bram.page, cas.page];
  await caseBringer(f, a, "Anna");
  await f.getByRole("button", { name: "Sessie starten" }).click();
  await f.getByRole("button", { name: "Ga naar fase Probleemverkenning" }).click();

  // The facilitator asks a question from the console, like everyone else.
  await f.getByLabel("Jouw vraag").fill("Wat heb je zelf al geprobeerd?");
  await f.getByRole("button", { name: "Vraag stellen" }).click();
  await a.locator(".item-question", { hasText: "zelf al geprobeerd" }).locator(".item-meta", { hasText: "Bea" }).waitFor();
  await screenshot(f, "laptop-console-self-led");

  // Bram becomes co-facilitator: his phone becomes a second console.
  await f.locator(".roster-row", { hasText: "Bram" }).locator(".menu-button").click();
  await f.locator(".roster-row", { hasText: "Bram" }).getByRole("button", { name: "Co-begeleider maken" }).click();
  await b.locator(".layout-console").waitFor();
  await f.locator(".roster-row", { hasText: "Bram" }).locator(".badge", { hasText: "co-begeleider" }).waitFor();
  await b.getByRole("button", { name: /Volgende: Kern formuleren/ }).click();
  await phaseIs(c, "Kern formuleren");
  assert.equal(await b.getByRole("button", { name: "Begeleiding overdragen" }).count(), 0, "a co-facilitator does not hand over");
  await checkPage(b, "co-facilitator's console on a phone");
  await screenshot(b, "phone-co-facilitator-console");

  // Bea hands the facilitation to Cas: his phone gets the console, hers the participant view.
  const row = f.locator(".roster-row", { hasText: "Cas" });
  await row.locator(".menu-button").click();
  await row.getByRole("button", { name: "Begeleiding overdragen" }).click();
  // The confirmation is in the same menu.
  await row.locator(".menu-button").click();
  await row.getByRole("button", { name: "Ja, Cas wordt begeleider" }).click();
  await c.locator(".layout-console").waitFor();
  await f.locator(".layout-participant").waitFor();
  await f.locator(".whoami", { hasText: "deelnemer" }).waitFor();
  await c.getByRole("button", { name: /Volgende: Adviesronde/ }).click();
  await phaseIs(f, "Adviesronde");
  for (const p of [fac, anna, bram, cas]) assert.deepEqual(unexpected(p.problems), []);
});

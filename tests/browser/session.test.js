// A short basic-model session run through the UI only: a facilitator on a laptop, three
// participants on 360 px phones and the big screen. Joining by link, hands, questions, advice
// refused while asking questions and accepted in the advice round, input typed offline, a
// reload mid-session, and the screen keeping up.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, screenshot, LAPTOP, PHONE } from "./helpers.js";

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
 * Waits for the phase heading on a page.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
async function phaseIs(page, name) {
  await page.locator("#phase-name", { hasText: name }).waitFor({ timeout: 10_000 });
}

/** @param {import('playwright-core').Page} page */
async function view(page) {
  return page.evaluate(() => /** @type {any} */ (window).__kring.view());
}

test("a facilitator and three phones run a basic-model session", async () => {
  // ---- the facilitator creates the session on the home page ----
  const fac = await newPage(browser, LAPTOP);
  const f = fac.page;
  await f.goto(`${server.url}/`);
  await f.getByLabel("Titel van de sessie").fill("Teamintervisie maart");
  await f.getByLabel("Je naam (als begeleider)").fill("Bea");
  await f.getByLabel(/Basismodel/).check();
  await screenshot(f, "laptop-home-create-session");
  await f.getByRole("button", { name: "Sessie aanmaken" }).click();
  await f.waitForURL(/\/session\/[A-Z0-9-]+$/);
  await f.locator(".layout-console").waitFor();
  const code = f.url().split("/").pop() ?? "";
  assert.match(code, /^[A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}$/);
  await f.locator(".join-card .code", { hasText: code }).waitFor();

  // ---- the big screen, opened from the console ----
  const screenPromise = fac.context.waitForEvent("page");
  await f.getByRole("button", { name: "Groot scherm openen" }).click();
  const screen = await screenPromise;
  await screen.setViewportSize({ width: 1600, height: 900 });
  await screen.waitForURL(/\/screen\//);
  await screen.locator(".big-code", { hasText: code }).waitFor();

  // ---- three participants join by link on their phones ----
  const names = ["Anna", "Bram", "Cas"];
  const phones = [];
  for (const name of names) {
    const p = await newPage(browser, PHONE);
    await p.page.goto(`${server.url}/join/${code}`);
    if (name === "Anna") await screenshot(p.page, "phone-join-name");
    await p.page.getByLabel("Je naam").fill(name);
    await p.page.getByRole("button", { name: "Meedoen" }).click();
    await p.page.locator(".whoami", { hasText: name }).waitFor();
    assert.match(p.page.url(), /\/session\//, "the join link leads into the session");
    phones.push(p);
  }
  const [anna, bram, cas] = phones.map((p) => p.page);
  await f.locator(".roster-row", { hasText: "Cas" }).waitFor();
  await f.locator(".roster .count-badge", { hasText: "4 van 4 aanwezig" }).waitFor();
  await screenshot(anna, "phone-lobby-waiting");
  await screenshot(f, "laptop-console-lobby");
  await screenshot(screen, "screen-lobby-qr-code", false);

  // ---- case inventory: proposals and dots ----
  await f.getByRole("button", { name: "Sessie starten" }).click();
  for (const p of [anna, bram, cas, screen]) await phaseIs(p, "Casusinventarisatie");
  await anna.getByLabel(/Jouw casus/).fill("Mijn team komt afspraken niet na en ik weet niet hoe ik dat bespreek.");
  await anna.getByRole("button", { name: "Casus inbrengen" }).click();
  await bram.getByLabel(/Jouw casus/).fill("Een ouder die elke week boos belt.");
  await bram.getByRole("button", { name: "Casus inbrengen" }).click();
  const annasCase = cas.locator(".item-case", { hasText: "Mijn team komt afspraken" });
  await annasCase.waitFor();
  await annasCase.getByRole("button", { name: "Stip geven" }).click();
  await cas.locator(".dots-left", { hasText: "Je hebt nog 2 stippen." }).waitFor();
  await annasCase.getByRole("button", { name: "Stip geven" }).click();
  await cas.locator(".dots-left", { hasText: "Je hebt nog 1 stip." }).waitFor();
  // While people give dots, nobody sees the counts (no bandwagon), not even on the console
  // or the screen, until the facilitator shows them.
  await cas.locator(".dots-hidden").waitFor();
  for (const p of [cas, f, screen]) assert.equal(await p.locator(".item-case .votes").count(), 0, "no dot counts while voting");
  await screenshot(cas, "phone-case-inventory-dots");
  await f.getByRole("button", { name: "Aantallen laten zien" }).click();
  await annasCase.locator(".votes", { hasText: "2 stippen" }).waitFor();
  await screen.locator(".item-case .votes", { hasText: "2 stippen" }).waitFor();

  // ---- hands: two phones raise, the facilitator gives the floor ----
  await bram.getByRole("button", { name: "Hand opsteken" }).click();
  await bram.locator(".queue-place", { hasText: "nummer 1" }).waitFor();
  await cas.getByRole("button", { name: "Hand opsteken" }).click();
  await cas.locator(".queue-place", { hasText: "nummer 2" }).waitFor();
  await screenshot(cas, "phone-hand-raised-queue-place");
  await f.locator(".queue-list li", { hasText: "Cas" }).waitFor();
  await screen.locator(".queue-list li", { hasText: "Bram" }).waitFor();
  await f.locator(".queue-list li", { hasText: "Bram" }).getByRole("button", { name: "Woord geven" }).click();
  await bram.locator(".your-turn").waitFor();
  await cas.locator(".queue-place", { hasText: "nummer 1" }).waitFor();
  await screen.locator(".screen-speakers .floor-name", { hasText: "Bram" }).waitFor();
  await screenshot(f, "laptop-console-floor-and-queue");

  // ---- the facilitator chooses Anna's case: Anna becomes the case-bringer ----
  await f.locator(".item-case", { hasText: "Mijn team komt afspraken" }).getByRole("button", { name: "Kies deze casus" }).click();
  await anna.locator(".whoami", { hasText: "inbrenger" }).waitFor();
  await f.getByRole("button", { name: /Volgende: Vraagintroductie/ }).click();
  await phaseIs(anna, "Vraagintroductie");
  await anna.locator(".your-turn").waitFor();
  await anna.getByLabel("Vertel je casus en je vraag").fill("In ons teamoverleg worden afspraken gemaakt die niemand nakomt.");
  await anna.getByRole("button", { name: "Toelichting plaatsen" }).click();
  await bram.locator(".board-statement .item-text", { hasText: "In ons teamoverleg" }).waitFor();

  // ---- exploring: questions only; advice is explained as coming later ----
  await f.getByRole("button", { name: /Volgende: Probleemverkenning/ }).click();
  for (const p of [anna, bram, cas, screen]) await phaseIs(p, "Probleemverkenning");
  assert.equal(await bram.getByLabel("Jouw advies").count(), 0, "no advice box while asking questions");
  await bram.locator(".later li", { hasText: "Advies – kan straks, in Adviesronde" }).waitFor();
  await bram.getByLabel("Jouw vraag").fill("Wat gebeurt er precies als een afspraak niet wordt nagekomen?");
  await bram.getByRole("button", { name: "Vraag stellen" }).click();
  // Advice disguised as a question is refused with a warning; Cas rephrases.
  await cas.getByLabel("Jouw vraag").fill("Heb je al eens geprobeerd om de afspraken op te schrijven?");
  await cas.getByRole("button", { name: "Vraag stellen" }).click();
  const warning = cas.locator(".refused.confirm");
  await warning.locator("h2", { hasText: "Deze vraag klinkt als een advies" }).waitFor();
  assert.deepEqual(await warning.locator(".refused-quote mark").allTextContents(), ["Heb je al", "geprobeerd"], "the words that make it advice are marked");
  await screenshot(cas, "phone-advice-like-question-warning");
  // The facilitator sees the warning counted, without its text or who got it.
  const tally = f.locator(".tally");
  await tally.locator("tr[data-warning=advice_question] td", { hasText: "1" }).first().waitFor();
  assert.equal(await tally.getByText("Heb je al eens").count(), 0, "no text in the tally");
  assert.equal(await anna.locator(".item-question", { hasText: "opschrijven" }).count(), 0, "the disguised advice was not posted");
  await warning.getByRole("button", { name: "Anders formuleren" }).click();
  const box = cas.getByLabel("Jouw vraag");
  assert.match(await box.inputValue(), /Heb je al eens geprobeerd/, "the text is back in the box to rephrase");
  await box.fill("Hoe worden afspraken nu vastgelegd?");
  await cas.getByRole("button", { name: "Vraag stellen" }).click();
  await anna.locator(".item-question", { hasText: "Hoe worden afspraken nu vastgelegd?" }).waitFor();
  // Cas supports Bram's question; Anna answers it and marks it.
  const bramsQ = cas.locator(".item-question", { hasText: "Wat gebeurt er precies" });
  await bramsQ.getByRole("button", { name: "Wil ik ook weten" }).click();
  await bramsQ.locator(".votes", { hasText: "1 wil dit ook weten" }).waitFor();
  const q = anna.locator(".item-question", { hasText: "Wat gebeurt er precies" });
  // Writing an answer is optional (answers are spoken): it is in the question's menu.
  await q.locator(".triage .menu-button").click();
  await q.getByRole("button", { name: "Beantwoorden" }).click();
  await anna.getByLabel("Jouw antwoord").fill("Meestal niets, en dat is precies het probleem.");
  await anna.getByRole("button", { name: "Antwoord versturen" }).click();
  await q.getByRole("button", { name: "Beantwoord", exact: true }).click();
  await q.getByRole("button", { name: "Raakt me", exact: true }).click();
  await bram.locator(".answer .item-text", { hasText: "Meestal niets" }).waitFor();
  await bram.locator(".item-question .status-answered").waitFor();
  await screenshot(anna, "phone-case-bringer-triage-and-answer");
  await screenshot(bram, "phone-question-board");
  await screen.locator(".board-question .item-text", { hasText: "Wat gebeurt er precies" }).waitFor();
  await screenshot(screen, "screen-question-phase", false);
  await screenshot(f, "laptop-console-question-phase");

  // ---- a reload mid-session: same member, same state ----
  const before = await view(bram);
  await bram.reload();
  await bram.locator(".whoami", { hasText: "Bram" }).waitFor();
  await bram.locator(".conn-connected").waitFor();
  const afterReload = await view(bram);
  assert.equal(afterReload.me.member, before.me.member, "the same member after a reload");
  assert.deepEqual(afterReload, before, "the view built from events equals the fresh view after reload");
  await bram.locator(".item-question", { hasText: "Wat gebeurt er precies" }).waitFor();
  assert.equal(await f.locator(".roster-row").count(), 4, "no new member on the roster");

  // ---- offline: a question typed without network waits, then the phase has moved on ----
  await cas.context().setOffline(true);
  await cas.locator(".conn-offline").waitFor();
  await cas.getByLabel("Jouw vraag").fill("Wie is er verantwoordelijk voor de notulen?");
  await cas.getByRole("button", { name: "Vraag stellen" }).click();
  await cas.locator(".pending", { hasText: "Wie is er verantwoordelijk" }).waitFor();
  await screenshot(cas, "phone-offline-question-waiting");
  await f.getByRole("button", { name: /Volgende: Kern formuleren/ }).click();
  await phaseIs(anna, "Kern formuleren");
  await cas.context().setOffline(false);
  await cas.locator(".conn-connected").waitFor({ timeout: 15_000 });
  const refused = cas.locator(".refused", { hasText: "Niet verstuurd" });
  await refused.locator("p", { hasText: "Probleemverkenning" }).waitFor();
  assert.equal(await refused.getByLabel("Je tekst").inputValue(), "Wie is er verantwoordelijk voor de notulen?", "the refused text is kept to copy");
  await screenshot(cas, "phone-offline-question-refused-phase-closed");
  assert.equal(await anna.locator(".item-question", { hasText: "notulen" }).count(), 0, "the stale question did not land in the next phase");
  await refused.getByRole("button", { name: "Sluiten" }).click();

  // ---- the core: an analysis that gives advice is warned about, and Bram sends it anyway ----
  await bram.getByLabel("Wat valt je op?").fill("Ik denk dat Anna het overleg veel strakker moet leiden.");
  await bram.getByRole("button", { name: "Analyse delen" }).click();
  const early = bram.locator(".refused.confirm");
  await early.locator("p", { hasText: "Adviezen komen later, in Adviesronde" }).waitFor();
  assert.deepEqual(await early.locator(".refused-quote mark").allTextContents(), ["moet"]);
  await screenshot(bram, "phone-advice-in-analysis-warning");
  await early.getByRole("button", { name: "Toch versturen" }).click();
  await anna.locator(".item-analysis", { hasText: "strakker moet leiden" }).waitFor();
  await f.locator(".tally tr[data-warning=advice_in_analysis]", { hasText: "Advies tijdens de analyse" }).waitFor();
  assert.deepEqual(
    await f.locator(".tally tr[data-warning=advice_in_analysis] td").allTextContents(),
    ["1", "1"],
    "shown once, sent anyway once",
  );
  await screenshot(f, "laptop-console-warning-tally");

  // ---- advice round: advice accepted, the case-bringer reacts ----
  await f.getByRole("button", { name: /Volgende: Adviesronde/ }).click();
  for (const p of [anna, bram, cas, screen]) await phaseIs(p, "Adviesronde");
  await bram.getByLabel("Jouw advies").fill("Sluit elk overleg af met wie wat wanneer doet.");
  await bram.getByRole("button", { name: "Advies geven" }).click();
  const advice = anna.locator(".item-advice", { hasText: "Sluit elk overleg af" });
  await advice.waitFor();
  await advice.getByRole("button", { name: "Bruikbaar" }).click();
  // The reaction is the case-bringer's own: on her phone, not on Bram's.
  await advice.locator(".reaction-useful").waitFor();
  assert.equal(await bram.locator(".item-advice .reaction-useful").count(), 0, "reactions are private unless shared");
  await screen.locator(".board-advice .item-text", { hasText: "Sluit elk overleg af" }).waitFor();
  await screenshot(bram, "phone-advice-round");
  await screenshot(anna, "phone-case-bringer-reacts-to-advice");
  await screenshot(f, "laptop-console-advice-round");
  await screenshot(screen, "screen-advice-round", false);

  // ---- a fresh screen shows the same boards as the one that followed events ----
  const screen2 = await fac.context.newPage();
  await screen2.setViewportSize({ width: 1600, height: 900 });
  await screen2.goto(`${server.url}/screen/${code}`);
  await phaseIs(screen2, "Adviesronde");
  assert.deepEqual(await view(screen2), await view(screen), "screen built from events = fresh screen");
  assert.equal(await screen2.locator(".screen-boards").innerText(), await screen.locator(".screen-boards").innerText());
  await screen2.close();

  // ---- moderation and the end ----
  await f.locator(".item-advice", { hasText: "Sluit elk overleg af" }).getByRole("button", { name: "Verbergen" }).click();
  await cas.locator(".item-advice", { hasText: "Verborgen door de begeleider" }).waitFor();
  // The wall shows nothing of a hidden item: not its text, not that it was there, not its author.
  await screen.locator(".board-advice .empty").waitFor();
  assert.equal(await screen.locator(".item-advice").count(), 0, "the hidden advice is gone from the screen");
  await f.getByRole("button", { name: "Sessie beëindigen" }).click();
  await f.getByRole("button", { name: "Ja, beëindigen" }).click();
  for (const p of [anna, bram, cas]) await phaseIs(p, "De sessie is afgelopen");
  await screen.locator("#screen-ended-title", { hasText: "Dank jullie wel" }).waitFor();

  // Chromium itself logs a failed connection attempt while the network is off; nothing else.
  const unexpected = (/** @type {string[]} */ list) => list.filter((m) => !/WebSocket connection to .* failed/.test(m));
  for (const p of [fac, ...phones]) assert.deepEqual(unexpected(p.problems), [], "no errors, dialogs or console errors");
});

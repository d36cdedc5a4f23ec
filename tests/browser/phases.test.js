// Phases beyond the basic model, through the UI: private notes in a silent phase revealed all
// at once, a case-bringer with their back turned, and input typed offline that is accepted
// once the connection is back.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, createSession, screenshot, LAPTOP, PHONE } from "./helpers.js";

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

const phase = (id, nl, turns, allow, extra = {}) => ({
  id,
  name: { nl, en: id },
  instruction: { nl: `${nl}: doe wat de fase vraagt.`, en: "Do what the phase asks." },
  minutes: 5,
  turns,
  allow,
  ...extra,
});

const TEMPLATE = {
  id: "notes-and-listening",
  name: { nl: "Notities en luisteren", en: "Notes and listening" },
  description: { nl: "Een korte testmethode.", en: "A short test method." },
  phases: [
    phase("ask", "Vragen", "free", { participant: ["question"], case_bringer: ["answer"] }),
    phase("write", "Stil schrijven", "silent", { participant: ["private_note"], case_bringer: ["private_note"] }),
    phase("gossip", "Roddelen", "free", { participant: ["analysis", "advice"] }, { case_bringer_listens: true }),
    phase("harvest", "Oogsten", "case_bringer_only", { case_bringer: ["reaction", "commitment"] }),
  ],
};

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

/** @param {import('playwright-core').Page} page @param {string} name */
async function phaseIs(page, name) {
  await page.locator("#phase-name", { hasText: name }).waitFor();
}

test("offline input is sent when the connection is back; notes are revealed at once; the case-bringer listens", async () => {
  const created = await createSession(server.url, { template: TEMPLATE, title: "Fasen", language: "nl" });
  const canonical = created.code.replace(/-/g, "");
  const fac = await newPage(browser, LAPTOP);
  await fac.context.addInitScript(
    ([c, t]) => {
      if (!localStorage.getItem(`kring:fac:${c}`)) localStorage.setItem(`kring:fac:${c}`, JSON.stringify(t));
    },
    [canonical, created.facilitator_token],
  );
  await fac.page.goto(`${server.url}/session/${created.code}`);
  const f = fac.page;
  const anna = await joinPhone(created.code, "Anna");
  const bram = await joinPhone(created.code, "Bram");
  await f.locator(".roster-row", { hasText: "Bram" }).waitFor();
  await f.getByLabel("Inbrenger").selectOption({ label: "Anna" });
  await f.getByRole("button", { name: "Instellen" }).click();
  await anna.page.locator(".whoami", { hasText: "inbrenger" }).waitFor();
  await f.getByRole("button", { name: "Sessie starten" }).click();
  await phaseIs(bram.page, "Vragen");

  // Offline, a question waits; back online it is sent once, in the phase it was written in.
  await bram.context.setOffline(true);
  await bram.page.locator(".conn-offline").waitFor();
  await bram.page.getByLabel("Jouw vraag").fill("Wat heb je zelf al geprobeerd?");
  await bram.page.getByRole("button", { name: "Vraag stellen" }).click();
  await bram.page.locator(".pending").waitFor();
  await bram.context.setOffline(false);
  await anna.page.locator(".item-question", { hasText: "Wat heb je zelf al geprobeerd?" }).waitFor();
  await bram.page.locator(".pending").waitFor({ state: "detached" });
  await bram.page.locator(".conn-connected").waitFor();
  assert.equal(await f.locator(".item-question").count(), 1, "sent exactly once");

  // A silent phase: notes stay private until the facilitator reveals them all.
  await f.getByRole("button", { name: /Volgende: Stil schrijven/ }).click();
  await phaseIs(bram.page, "Stil schrijven");
  await bram.page.locator(".turn", { hasText: "In deze fase wordt niet gesproken" }).waitFor();
  assert.equal(await bram.page.getByRole("button", { name: "Hand opsteken" }).count(), 0, "no hands in a silent phase");
  await bram.page.getByLabel(/Jouw notitie/).fill("Ik denk dat Anna te veel alleen doet.");
  await bram.page.getByRole("button", { name: "Notitie bewaren" }).click();
  await bram.page.locator(".notes .item-text", { hasText: "te veel alleen" }).waitFor();
  await anna.page.getByLabel(/Jouw notitie/).fill("Mijn eigen gedachte.");
  await anna.page.getByRole("button", { name: "Notitie bewaren" }).click();
  await f.locator("#reveal-title").waitFor();
  await f.getByText("2 notities wachten om gedeeld te worden.").waitFor();
  assert.equal(await anna.page.getByText("te veel alleen").count(), 0, "nobody else reads a note before the reveal");
  await screenshot(bram.page, "phone-private-notes-silent-phase");
  await screenshot(f, "laptop-console-notes-waiting-to-reveal");
  await f.getByRole("button", { name: "Alle notities tonen" }).click();
  await anna.page.locator(".board-private_note .item-text", { hasText: "te veel alleen" }).waitFor();
  await bram.page.locator(".board-private_note .item-text", { hasText: "Mijn eigen gedachte." }).waitFor();
  assert.equal(await bram.page.locator(".notes").count(), 0, "revealed notes leave 'my notes'");

  // The case-bringer turns their back: reads along, writes nothing.
  await f.getByRole("button", { name: /Volgende: Roddelen/ }).click();
  await phaseIs(anna.page, "Roddelen");
  await anna.page.locator(".turn.listens h2", { hasText: "Jij luistert nu" }).waitFor();
  await anna.page.locator(".compose .notice", { hasText: "Je luistert nu" }).waitFor();
  assert.equal(await anna.page.locator(".compose textarea").count(), 0, "no composer while listening");
  assert.equal(await anna.page.getByRole("button", { name: "Hand opsteken" }).count(), 0);
  await bram.page.getByLabel("Jouw advies").fill("Zij mag vaker om hulp vragen.");
  await bram.page.getByRole("button", { name: "Advies geven" }).click();
  await anna.page.locator(".item-advice", { hasText: "vaker om hulp" }).waitFor();
  await screenshot(anna.page, "phone-case-bringer-listens");

  // Harvest: the case-bringer reacts and commits.
  await f.getByRole("button", { name: /Volgende: Oogsten/ }).click();
  await phaseIs(anna.page, "Oogsten");
  await anna.page.locator(".item-advice", { hasText: "vaker om hulp" }).getByRole("button", { name: "Bruikbaar" }).click();
  await anna.page.getByLabel("Wat ga jij doen?").fill("Ik vraag Bram volgende week om mee te kijken.");
  await anna.page.getByRole("button", { name: "Voornemen vastleggen" }).click();
  await bram.page.locator(".board-commitment .item-text", { hasText: "volgende week" }).waitFor();
  // Her reaction is hers until she shares it.
  await anna.page.locator(".item-advice .reaction-useful").waitFor();
  assert.equal(await bram.page.locator(".item-advice .reaction-useful").count(), 0, "not shared yet");
  await anna.page.getByRole("button", { name: "Reacties delen met de groep" }).click();
  await bram.page.locator(".item-advice .reaction-useful").waitFor();
  await screenshot(anna.page, "phone-case-bringer-commitment");

  const unexpected = (/** @type {string[]} */ list) => list.filter((m) => !/WebSocket connection to .* failed/.test(m));
  for (const p of [fac, anna, bram]) assert.deepEqual(unexpected(p.problems), []);
});

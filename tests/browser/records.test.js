// What a session leaves behind, through the UI: a group that keeps its commitments, the shared
// screen opened on a projector PC from its own link, the case-bringer's summary (Markdown and
// a printable page, for them only), the facilitator's attendance record, and the group's next
// meeting opening with a report back. Also: anonymity offered only where allowed, and an
// unknown group key shown at its field.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { startServer, launchBrowser, newPage, createSession, screenshot, checkPage, LAPTOP, PHONE, SCREEN } from "./helpers.js";
import { WsClient } from "./wsclient.js";

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  // A retention other than the default: the pages must show the server's own figure.
  server = await startServer({ KRING_RETENTION: "3d" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** @param {import('playwright-core').Page} page @param {string} name */
async function phaseIs(page, name) {
  await page.locator("#phase-name", { hasText: name }).waitFor({ timeout: 10_000 });
}

/**
 * @param {import('playwright-core').BrowserContext | null} context an existing phone, or null for a new one
 * @param {string} code display code
 * @param {string} name
 */
async function joinPhone(context, code, name) {
  const p = context ? { context, page: await context.newPage(), problems: /** @type {string[]} */ ([]) } : await newPage(browser, PHONE);
  await p.page.goto(`${server.url}/join/${code}`);
  await p.page.getByLabel("Je naam").fill(name);
  await p.page.getByRole("button", { name: "Meedoen" }).click();
  await p.page.locator(".whoami", { hasText: name }).waitFor();
  return p;
}

/**
 * The text of a download started by `click`.
 * @param {import('playwright-core').Page} page
 * @param {() => Promise<void>} click
 */
async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), "utf8") };
}

/** Chromium logs a refused connection while a test server stops; nothing else may appear. */
const unexpected = (/** @type {string[]} */ list) => list.filter((m) => !/WebSocket connection to .* failed/.test(m));

const QUESTION = "Wat bedoel je met <b>x</b>?";
const COMMITMENT = "Ik plan vrijdag een gesprek met mijn team.";
const KEPT_CASE = "Een ouder die elke week boos belt.";

test("a group keeps its commitment: summary, attendance, projector link, and the next meeting's report back", async () => {
  // ---- the facilitator creates a session that keeps commitments and allows no anonymity ----
  const fac = await newPage(browser, LAPTOP);
  const f = fac.page;
  await f.goto(`${server.url}/`);
  await f.getByLabel("Titel van de sessie").fill("Team Noord maart");
  await f.getByLabel("Je naam (als begeleider)").fill("Bea");
  await f.getByLabel(/Basismodel/).check();
  const keep = f.getByLabel(/Bewaar voor de volgende bijeenkomst van deze groep/);
  assert.equal(await keep.isChecked(), false, "nothing is kept for the group unless chosen");
  assert.equal(await f.getByLabel("Deelnemers mogen zonder hun naam posten").isChecked(), false, "anonymous posting is off by default");
  await keep.check();
  await f.getByLabel("Deelnemers mogen zonder hun naam posten").uncheck();
  await f.getByRole("button", { name: "Sessie aanmaken" }).click();
  await f.locator(".layout-console").waitFor();
  const code = f.url().split("/").pop() ?? "";

  // The console: the group (what it keeps, its key) and the screen link, both folded away.
  await f.locator(".group-card", { hasText: "de voornemens die inbrengers willen meenemen" }).waitFor();
  await f.getByRole("button", { name: "Groepssleutel kopiëren" }).waitFor();
  assert.equal(await f.locator("#group-key").isVisible(), false, "the group key is not shown until asked");
  await f.getByText("Schermlink tonen").click();
  const screenLink = await f.locator("#screen-link").inputValue();
  assert.match(screenLink, new RegExp(`/screen/${code}#[0-9a-f]{40}$`));
  await f.getByText("Groepssleutel tonen").click();
  const groupKey = await f.locator("#group-key").inputValue();
  assert.match(groupKey, /^[0-9a-f]{40}$/);
  await checkPage(f, "console with the screen link and the group key");
  await screenshot(f, "laptop-console-screen-link-and-group-key");

  // ---- the projector PC: a fresh browser opens the screen link ----
  const projector = await newPage(browser, SCREEN);
  const proj = projector.page;
  // A link with a wrong token says so, and the token is not kept.
  await proj.goto(screenLink.replace(/#.*/, `#${"0".repeat(40)}`));
  await proj.locator("#message-title", { hasText: "Deze schermlink werkt niet" }).waitFor();
  assert.equal(await proj.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kring:screen:")).length), 0);
  await proj.goto(screenLink);
  await proj.locator(".big-code", { hasText: code }).waitFor();
  assert.equal(new URL(proj.url()).hash, "", "the token is dropped from the address bar");
  assert.equal(proj.url(), `${server.url}/screen/${code}`);
  assert.equal(await proj.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith("kring:fac:"))), false, "no facilitator powers here");
  await screenshot(proj, "screen-projector-opened-from-screen-link", false);
  await proj.reload();
  await proj.locator(".big-code", { hasText: code }).waitFor();
  assert.equal(await proj.locator(".layout-screen").count(), 1, "after a reload the remembered token still opens the screen");
  assert.equal(await proj.getByRole("button", { name: "Sessie starten" }).count(), 0);

  // ---- two phones; Anna's case is chosen, Bram's kept for next time ----
  const anna = await joinPhone(null, code, "Anna");
  const bram = await joinPhone(null, code, "Bram");
  const a = anna.page;
  const b = bram.page;
  await f.locator(".roster-row", { hasText: "Bram" }).waitFor();
  await f.getByRole("button", { name: "Sessie starten" }).click();
  await phaseIs(b, "Casusinventarisatie");
  await a.getByLabel(/Jouw casus/).fill("Mijn team komt afspraken niet na.");
  await a.getByRole("button", { name: "Casus inbrengen" }).click();
  await b.getByLabel(/Jouw casus/).fill(KEPT_CASE);
  await b.getByRole("button", { name: "Casus inbrengen" }).click();
  await f.locator(".item-case", { hasText: KEPT_CASE }).getByRole("button", { name: "Bewaren voor volgende keer" }).click();
  await f.locator(".item-case", { hasText: KEPT_CASE }).locator(".badge", { hasText: "bewaard" }).waitFor();
  await f.locator(".item-case", { hasText: "Mijn team komt" }).getByRole("button", { name: "Kies deze casus" }).click();
  await a.locator(".whoami", { hasText: "inbrenger" }).waitFor();

  // ---- questions (no anonymity offered), triage, advice, reaction ----
  await f.getByRole("button", { name: "Ga naar fase Probleemverkenning" }).click();
  await phaseIs(b, "Probleemverkenning");
  await b.getByLabel("Jouw vraag").waitFor();
  assert.equal(await b.getByLabel("Zonder mijn naam").count(), 0, "the session does not allow anonymous posts");
  await b.getByLabel("Jouw vraag").fill(QUESTION);
  await b.getByRole("button", { name: "Vraag stellen" }).click();
  const q = a.locator(".item-question", { hasText: QUESTION });
  await q.getByRole("button", { name: "Beantwoord", exact: true }).click();
  await q.locator(".status-answered").waitFor();
  await q.getByRole("button", { name: "Raakt me", exact: true }).click();
  await q.locator(".temp-warm").waitFor();
  assert.equal(await a.locator(".summary-card").count(), 0, "no summary before the last phase");

  await f.getByRole("button", { name: "Ga naar fase Adviesronde" }).click();
  await phaseIs(b, "Adviesronde");
  await b.getByLabel("Jouw advies").fill("Plan een gesprek met je leidinggevende.");
  await b.getByRole("button", { name: "Advies geven" }).click();
  const advice = a.locator(".item-advice", { hasText: "Plan een gesprek" });
  await advice.getByRole("button", { name: "Bruikbaar" }).click();
  await advice.locator(".reaction-useful").waitFor();

  // ---- the last phase: the case-bringer commits and can already fetch the summary ----
  await f.getByRole("button", { name: "Ga naar fase Evaluatie" }).click();
  await phaseIs(a, "Evaluatie");
  await a.getByLabel("Wat ga jij doen?").fill(COMMITMENT);
  await a.getByRole("button", { name: "Voornemen vastleggen" }).click();
  await b.locator(".board-commitment .item-text", { hasText: COMMITMENT }).waitFor();
  // Her consent, per commitment: this one goes to the group's next meeting, this one not.
  await a.getByLabel("Wat ga jij doen?").fill("Alleen voor mezelf: eerder naar bed.");
  await a.getByRole("button", { name: "Voornemen vastleggen" }).click();
  await a.locator(".item-commitment", { hasText: COMMITMENT }).getByRole("button", { name: "Meenemen naar de volgende bijeenkomst" }).click();
  await b.locator(".item-commitment", { hasText: COMMITMENT }).locator(".badge", { hasText: "gaat mee naar de volgende bijeenkomst" }).waitFor();
  assert.equal(await b.getByRole("button", { name: "Meenemen naar de volgende bijeenkomst" }).count(), 0, "only the author decides");
  assert.equal(await b.locator(".item-commitment", { hasText: "eerder naar bed" }).locator(".badge", { hasText: "gaat mee" }).count(), 0);
  await a.locator(".summary-card").getByRole("button", { name: "Samenvatting downloaden (Markdown)" }).waitFor();
  await a.locator(".summary-card", { hasText: "nog 3 dagen beschikbaar" }).waitFor();
  await checkPage(a, "case-bringer in the last phase");
  await screenshot(a, "phone-case-bringer-summary-in-last-phase");
  assert.equal(await b.locator(".summary-card").count(), 0, "a participant is offered no summary");

  // ---- the end: both see it clearly; only the case-bringer gets the downloads ----
  await f.getByRole("button", { name: "Sessie beëindigen" }).click();
  await f.getByRole("button", { name: "Ja, beëindigen" }).click();
  for (const p of [a, b]) await phaseIs(p, "De sessie is afgelopen");
  // The big screen only thanks the room: no code, no queue.
  await proj.locator("#screen-ended-title", { hasText: "Dank jullie wel" }).waitFor();
  assert.equal(await proj.locator(".big-code, .qr, .screen-speakers").count(), 0, "nothing but thanks at the end");
  await a.locator(".ended-card", { hasText: "voornemens die inbrengers wilden meenemen" }).waitFor();
  await b.locator(".ended-card", { hasText: "wordt 3 dagen na afloop gewist" }).waitFor();
  assert.equal(await b.locator(".summary-card").count(), 0, "still no summary for a participant");
  assert.equal(await b.getByRole("button", { name: /Samenvatting/ }).count(), 0);
  const order = await a.locator(".col > section, .col > div").evaluateAll((els) => els.map((e) => e.className));
  assert.ok(order.findIndex((c) => c.includes("summary-card")) < 3, `the downloads come first at the end: ${order}`);
  await checkPage(a, "case-bringer at the end");
  await checkPage(b, "participant at the end");
  await screenshot(a, "phone-case-bringer-session-ended-summary");
  await screenshot(b, "phone-participant-session-ended");

  // The Markdown summary: the commitment, and the question with its triage.
  const md = await download(a, () => a.getByRole("button", { name: "Samenvatting downloaden (Markdown)" }).click());
  assert.equal(md.name, "kring-summary-team-noord-maart.md");
  assert.ok(md.text.includes(`- ${COMMITMENT}`), md.text);
  // Markdown shows member text literally: what Markdown or HTML would interpret is escaped.
  const escaped = QUESTION.replace(/[<>]/g, (c) => `\\${c}`);
  assert.ok(md.text.includes(`- ${escaped} _(beantwoord, warm)_`), md.text);
  assert.ok(md.text.includes(`- ${COMMITMENT} _(gaat mee naar de volgende bijeenkomst)_`), md.text);
  assert.ok(md.text.includes("- Alleen voor mezelf: eerder naar bed.\n"), md.text);
  assert.ok(md.text.includes("- Plan een gesprek met je leidinggevende. _(bruikbaar)_"), md.text);
  await a.locator(".summary-status", { hasText: "Gedownload: kring-summary-team-noord-maart.md" }).waitFor();

  // The printable page: styled under the app's CSP, the markup shown as text, printable.
  const [printable] = await Promise.all([anna.context.waitForEvent("page"), a.getByRole("button", { name: "Samenvatting om te printen" }).click()]);
  await printable.waitForLoadState("load");
  await printable.locator("h1", { hasText: "Team Noord maart" }).waitFor();
  const shown = await printable.evaluate(() => ({
    question: [...document.querySelectorAll("li")].map((li) => li.textContent ?? "").find((t) => t.includes("Wat bedoel je")),
    bold: document.querySelectorAll("main b").length,
    scripts: document.scripts.length,
    styled: getComputedStyle(/** @type {Element} */ (document.querySelector("main"))).maxWidth,
    commitment: document.body.textContent?.includes("Ik plan vrijdag"),
  }));
  assert.ok(shown.question?.startsWith(QUESTION), `the markup shows literally: ${shown.question}`);
  assert.deepEqual({ bold: shown.bold, scripts: shown.scripts, styled: shown.styled, commitment: shown.commitment }, { bold: 0, scripts: 0, styled: "736px", commitment: true });
  const pdf = await printable.pdf({ format: "A4" });
  assert.ok(pdf.length > 1000, "it prints");
  await checkPage(printable, "printable summary");
  await screenshot(printable, "phone-printable-summary");
  await printable.close();
  await a.locator(".summary-status", { hasText: "nieuw tabblad" }).waitFor();

  // ---- the facilitator: the end state and the attendance record ----
  await f.locator(".ended-card h2", { hasText: "De sessie is afgelopen" }).waitFor();
  const rows = f.locator(".attendance-table tbody tr");
  await rows.nth(2).waitFor();
  const table = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.deepEqual(
    table.map((r) => r.slice(0, 2)),
    [
      ["Bea", "begeleider"],
      ["Anna", "inbrenger"],
      ["Bram", "deelnemer"],
    ],
  );
  for (const r of table) assert.match(r[3] ?? "", /^\d+$/, "minutes present");
  assert.equal(await f.locator(".attendance").getByText(QUESTION).count(), 0, "no content in the attendance");
  const csv = await download(f, () => f.getByRole("button", { name: "CSV downloaden" }).click());
  assert.equal(csv.name, "kring-attendance-team-noord-maart.csv");
  const lines = csv.text.trim().split("\r\n");
  assert.equal(lines[0], "date,start,end,time_zone,group,methods,case_bringers,facilitator,co_facilitators,name,role,minutes,hours,measured_minutes,minutes_set_by_facilitator,confirmed_at,list_confirmed_at,started_at_utc,ended_at_utc");
  const fields = (/** @type {string} */ l) => l.slice(1, -1).split('","');
  assert.deepEqual(lines.slice(1).map((l) => fields(l).slice(9, 11).join(",")), ["Bea,facilitator", "Anna,case_bringer", "Bram,participant"]);
  assert.deepEqual(lines.slice(1).map((l) => fields(l)[6]), ["Anna", "Anna", "Anna"], "the case's case-bringer on every row");
  await checkPage(f, "console at the end");
  await screenshot(f, "laptop-console-ended-attendance");
  await f.setViewportSize(PHONE.viewport);
  await screenshot(f, "phone-console-ended-attendance");
  await f.setViewportSize(LAPTOP.viewport);

  // ---- the group's next meeting, started from the group this browser remembers ----
  await f.goto(`${server.url}/`);
  await f.getByLabel("Titel van de sessie").fill("Team Noord april");
  await f.getByLabel("Dit is de volgende bijeenkomst van een eerdere groep").check();
  const group = f.getByLabel("Groep", { exact: true });
  assert.match((await group.locator("option:checked").textContent()) ?? "", /^Team Noord maart · /);
  assert.equal(await group.inputValue(), groupKey, "the remembered group is the one just met");
  assert.equal(await f.getByLabel("Groepssleutel").isVisible(), false, "no key to paste for a remembered group");
  await f.getByLabel(/Bewaar voor de volgende bijeenkomst van deze groep/).check();
  await checkPage(f, "home, next meeting of a group");
  await screenshot(f, "laptop-home-next-meeting-of-group");
  await f.getByRole("button", { name: "Sessie aanmaken" }).click();
  await f.locator(".layout-console").waitFor();
  const code2 = f.url().split("/").pop() ?? "";
  assert.notEqual(code2, code);
  const report = f.locator(".report-back");
  await report.locator(".item", { hasText: COMMITMENT }).locator(".item-meta", { hasText: "door Anna" }).waitFor();
  await report.locator(".item", { hasText: KEPT_CASE }).locator(".item-meta", { hasText: "door Bram" }).waitFor();
  await f.locator(".group-card", { hasText: "Volgende bijeenkomst na “Team Noord maart”" }).waitFor();
  assert.equal(await f.locator("#group-key").inputValue(), groupKey, "every meeting of a group has the same key");

  // Bram's phone joins the next meeting; the report back opens it, on the phone and the screen.
  const bram2 = await joinPhone(bram.context, code2, "Bram");
  const b2 = bram2.page;
  await b2.locator(".report-back .item-text", { hasText: COMMITMENT }).waitFor();
  assert.equal(await b2.locator(".report-back", { hasText: "eerder naar bed" }).count(), 0, "a commitment without consent stays behind");
  const screen2Promise = fac.context.waitForEvent("page");
  await f.getByRole("button", { name: "Groot scherm openen" }).click();
  const screen2 = await screen2Promise;
  await screen2.setViewportSize(SCREEN.viewport);
  await screen2.locator(".big-code", { hasText: code2 }).waitFor();
  await f.getByRole("button", { name: "Sessie starten" }).click();
  for (const p of [b2, screen2, f]) await phaseIs(p, "Terugkoppeling");
  await b2.locator(".report-back .item", { hasText: COMMITMENT }).locator(".item-meta", { hasText: "door Anna" }).waitFor();
  await b2.locator(".report-back", { hasText: KEPT_CASE }).waitFor();
  await screen2.locator(".screen-pinned .report-back .item-text", { hasText: COMMITMENT }).waitFor();
  await f.locator(".report-back .item-text", { hasText: COMMITMENT }).waitFor();
  await checkPage(b2, "report back on a phone");
  await checkPage(screen2, "report back on the big screen");
  await screenshot(b2, "phone-report-back-phase");
  await screenshot(f, "laptop-console-report-back-phase");
  await screenshot(screen2, "screen-report-back-phase", false);
  await f.getByRole("button", { name: /Volgende: Casusinventarisatie/ }).click();
  await phaseIs(b2, "Casusinventarisatie");
  assert.equal(await b2.locator(".report-back").count(), 0, "the report back belongs to its phase");

  // A shared laptop can forget the group again.
  await f.goto(`${server.url}/`);
  await f.getByLabel("Dit is de volgende bijeenkomst van een eerdere groep").check();
  assert.match((await f.getByLabel("Groep", { exact: true }).locator("option:checked").textContent()) ?? "", /^Team Noord april · /, "the group's newest meeting");
  await f.getByRole("button", { name: "Deze groep vergeten op dit apparaat" }).click();
  await f.getByText("Vergeten op dit apparaat: Team Noord april").waitFor();
  assert.equal(await f.getByLabel("Groepssleutel").isVisible(), true, "only a pasted key is left");
  assert.equal(await f.evaluate(() => localStorage.getItem("kring:groups")), "[]");

  for (const p of [fac, anna, bram, projector]) assert.deepEqual(unexpected(p.problems), [], "no errors, dialogs or console errors");
});

test("anonymity is offered only where the session allows it; an unknown group key is shown at its field", async () => {
  const template = {
    id: "ask-only",
    name: { nl: "Alleen vragen", en: "Questions only" },
    description: { nl: "Een korte testmethode.", en: "A short test method." },
    phases: [{ id: "ask", name: { nl: "Vragen", en: "Questions" }, instruction: { nl: "Stel vragen.", en: "Ask." }, minutes: 5, turns: "free", allow: { participant: ["question"] } }],
  };
  const phone = await newPage(browser, PHONE);
  for (const allow of [false, true]) {
    const created = await createSession(server.url, { template, title: `Anoniem ${allow}`, language: "nl", settings: { allow_anonymous: allow, keep_for_group: false } });
    const fac = new WsClient(server.url, created.code.replace(/-/g, ""));
    await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "Bea" });
    await fac.ok({ kind: "start_session" });
    const p = await joinPhone(phone.context, created.code, "Cas");
    await p.page.getByLabel("Jouw vraag").waitFor();
    assert.equal(await p.page.getByLabel("Zonder mijn naam").count(), allow ? 1 : 0, `anonymity offered: ${allow}`);
    if (!allow) await screenshot(p.page, "phone-question-without-anonymity-option");
    await p.page.close();
    fac.close();
  }

  // The home page on a phone: a follow-up with a key no group has.
  const page = phone.page;
  // What is typed before the method list arrives stays when it does.
  /** @type {() => void} */
  let release = () => {};
  const held = new Promise((r) => (release = () => r(undefined)));
  await page.route("**/api/methods", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${server.url}/`);
  await page.getByLabel("Titel van de sessie").fill("Vervolg");
  await page.getByLabel("Je naam (als begeleider)").fill("Bea");
  release();
  await page.locator("input[name=method]").first().waitFor();
  assert.equal(await page.getByLabel("Titel van de sessie").inputValue(), "Vervolg", "the title typed while methods loaded is kept");
  await page.getByLabel("Dit is de volgende bijeenkomst van een eerdere groep").check();
  assert.equal(await page.locator("#create-group").count(), 0, "no groups remembered on this phone: a key to paste");
  await page.getByRole("button", { name: "Sessie aanmaken" }).click();
  await page.locator("#create-group-error", { hasText: "Plak de groepssleutel" }).waitFor();
  await page.getByLabel("Groepssleutel").fill("0".repeat(40));
  await page.getByRole("button", { name: "Sessie aanmaken" }).click();
  const error = page.locator("#create-group-error", { hasText: "Geen groep heeft deze sleutel" });
  await error.waitFor();
  assert.equal(await page.getByLabel("Groepssleutel").getAttribute("aria-invalid"), "true");
  assert.ok(await page.getByLabel("Groepssleutel").evaluate((el) => el === document.activeElement), "focus is on the field");
  assert.match(page.url(), /\/$/, "still on the home page");
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(fits, "no sideways scrolling at 360 px");
  await checkPage(page, "home with a field error");
  await page.locator(".followup").evaluate((el) => el.scrollIntoView({ block: "center" }));
  await screenshot(page, "phone-home-unknown-group-key", false);
  await page.locator(".settings").first().evaluate((el) => el.scrollIntoView({ block: "start" }));
  await page.evaluate(() => window.scrollBy(0, -60));
  await screenshot(page, "phone-home-session-settings", false);
  assert.deepEqual(unexpected(phone.problems).filter((m) => !/status of 422/.test(m)), []);
});

// The attendance record through the UI: the facilitator names the group and its time zone, a
// participant confirms their presence with a registration number, writes a personal
// reflection and downloads their certificate; a register checks the certificate's code at
// /verify and an edited code is refused; the facilitator confirms and prints the list.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { startServer, launchBrowser, newPage, screenshot, checkPage, LAPTOP, PHONE } from "./helpers.js";
import { ROOM_CODE_ALPHABET } from "../../web-client/src/wire.js";

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
 * The text of a download started by `click`.
 * @param {import('playwright-core').Page} page
 * @param {() => Promise<void>} click
 */
async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), "utf8") };
}

/** Certificate codes are written in the room codes' alphabet (server/src/records/mod.rs). */
const ALPHABET = ROOM_CODE_ALPHABET;

/** A well-formed code (its check character right) with the body given. */
function wellFormed(/** @type {string} */ body) {
  const sum = [...body].reduce((s, c, i) => (s + (i + 1) * ALPHABET.indexOf(c)) % ALPHABET.length, 0);
  const code = body + ALPHABET[sum];
  return code.match(/.{4}/g)?.join("-") ?? code;
}

const REFLECTION = "Ik stel voortaan eerst open vragen.";

test("a participant confirms attendance, downloads their certificate, and /verify confirms it; an edited code is refused", async () => {
  // ---- the facilitator creates the meeting with a group name and a time zone ----
  const fac = await newPage(browser, LAPTOP);
  const f = fac.page;
  await f.goto(`${server.url}/`);
  await f.getByLabel("Titel van de sessie").fill("Intervisie mei");
  await f.getByLabel("Je naam (als begeleider)").fill("Bea");
  assert.equal(await f.getByLabel("Tijdzone").inputValue(), "Europe/Amsterdam", "the default time zone");
  await f.getByLabel("Naam van de groep (niet verplicht)").fill("Intervisiegroep Jeugd Noord");
  await f.getByLabel("Tijdzone").selectOption("Europe/Brussels");
  await checkPage(f, "home with the attendance list's fields");
  await f.locator("form").getByRole("button", { name: /^Sessie (starten|aanmaken)$/ }).click();
  await f.locator(".layout-console").waitFor();
  const code = f.url().split("/").pop() ?? "";

  // ---- Anna joins on her phone; the meeting runs and ends ----
  const anna = await newPage(browser, PHONE);
  const a = anna.page;
  await a.goto(`${server.url}/join/${code}`);
  await a.getByLabel("Je naam").fill("Anna");
  await a.getByRole("button", { name: "Meedoen" }).click();
  await a.locator(".whoami", { hasText: "Anna" }).waitFor();
  await f.locator(".roster-row", { hasText: "Anna" }).waitFor();
  await f.getByRole("button", { name: "Sessie starten" }).click();
  assert.equal(await a.locator(".attest-card").count(), 0, "not offered in the first phase");
  await f.getByRole("button", { name: "Sessie beëindigen" }).click();
  await f.getByRole("button", { name: "Ja, beëindigen" }).click();

  // ---- Anna confirms with her registration number ----
  const card = a.locator(".attest-card");
  await card.getByText("Je bewijs van deelname kun je downloaden", { exact: false }).count();
  await card.getByText("Bevestig eerst hierboven dat je aanwezig was.").waitFor();
  await a.getByLabel("Registratienummer (niet verplicht)").fill("BIG 19012345601");
  await checkPage(a, "phone: confirm presence");
  await screenshot(a, "phone-participant-confirm-presence");
  await a.getByRole("button", { name: "Ik was aanwezig" }).click();
  await card.locator("p.confirmed", { hasText: "Je aanwezigheid is bevestigd." }).waitFor();
  assert.equal(await a.getByLabel("Registratienummer (niet verplicht)").inputValue(), "BIG 19012345601");

  // ---- her reflection: only hers, downloaded as a one-page record ----
  await a.getByLabel("Jouw reflectie").fill(REFLECTION);
  await a.getByRole("button", { name: "Reflectie bewaren" }).click();
  await a.locator(".reflection-card", { hasText: "Je reflectie is bewaard." }).waitFor();
  // Saving it again unchanged sends nothing: the server keeps (and counts) every save, and
  // would refuse an unchanged one.
  await a.getByRole("button", { name: "Reflectie bewaren" }).click();
  const record = await download(a, () => a.getByRole("button", { name: "Mijn verslag downloaden (tekst)" }).click());
  assert.equal(record.name, "kring-reflection-intervisiegroep-jeugd-noord.txt");
  assert.equal(await a.getByText("Dat kan zo niet.").count(), 0, "no refusal for an unchanged save");
  for (const part of [REFLECTION, "Anna", "Intervisiegroep Jeugd Noord", "Europe/Brussels", "Bea", "Basismodel"]) {
    assert.ok(record.text.includes(part), `${part} missing in ${record.text}`);
  }

  // ---- the facilitator sees the confirmation and confirms the list ----
  await f.locator(".attendance", { hasText: "1 van de 2 hebben hun aanwezigheid bevestigd." }).waitFor();
  await f.getByRole("button", { name: "Lijst bevestigen" }).click();
  await f.locator(".attendance p.confirmed", { hasText: "Je hebt de lijst bevestigd om" }).waitFor();
  assert.equal(await f.locator(".attendance").getByText("BIG 19012345601").count(), 0, "no registration numbers on the list");

  // Anna's phone was locked most of the time; the facilitator sets her minutes, and confirms again.
  await f.getByText("Minuten aanpassen").click();
  await f.getByLabel("Deelnemer", { exact: true }).selectOption({ label: "Anna" });
  await f.getByLabel("Minuten aanwezig", { exact: true }).fill("90");
  await checkPage(f, "console: correcting minutes");
  await f.getByRole("button", { name: "Minuten opslaan" }).click();
  await f.locator(".attendance-table tr", { hasText: "Anna" }).getByText(/^90 \(aangepast; gemeten \d+\)$/).waitFor();
  await f.getByRole("button", { name: "Lijst bevestigen" }).click();
  await f.locator(".attendance p.confirmed", { hasText: "Je hebt de lijst bevestigd om" }).waitFor();
  const [list] = await Promise.all([fac.context.waitForEvent("page"), f.getByRole("button", { name: "Presentielijst om te printen" }).click()]);
  await list.waitForLoadState("load");
  await list.locator("h1", { hasText: "Presentielijst – Intervisiegroep Jeugd Noord" }).waitFor();
  const listText = (await list.locator("main").textContent()) ?? "";
  for (const part of ["Europe/Brussels", "Basismodel", "Anna", "ja, om", "Lijst bevestigd door de begeleider op", "90 (vastgesteld door de begeleider, gemeten: "]) {
    assert.ok(listText.includes(part), `${part} missing on the printed list`);
  }
  assert.ok(!listText.includes("BIG 19012345601") && !listText.includes(REFLECTION), "no numbers, no content");
  assert.ok((await list.pdf({ format: "A4" })).length > 1000, "it prints");
  await screenshot(list, "laptop-printable-attendance-list");
  await list.close();
  await checkPage(f, "console with the confirmed list");
  await screenshot(f, "laptop-console-attendance-confirmed");

  // ---- Anna downloads her certificate ----
  await card.getByRole("button", { name: "Bewijs van deelname downloaden" }).waitFor();
  await checkPage(a, "phone: certificate offered");
  await screenshot(a, "phone-participant-certificate-and-reflection");
  const cert = await download(a, () => a.getByRole("button", { name: "Bewijs van deelname downloaden" }).click());
  assert.equal(cert.name, "kring-certificate-intervisiegroep-jeugd-noord.html");
  for (const part of ["Bewijs van deelname", "<strong>Anna</strong>", "BIG 19012345601", "Intervisiegroep Jeugd Noord", "Europe/Brussels", "Bea", "90 minuten (1,5 uur), vastgesteld door de begeleider"]) {
    assert.ok(cert.text.includes(part), `${part} missing in the certificate`);
  }
  assert.ok(cert.text.includes(`href="${server.url}/records.css"`), "the saved file keeps its style");
  assert.ok(!cert.text.includes(REFLECTION), "the certificate holds no content");
  const found = cert.text.match(/<strong class="code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<\/strong>/);
  assert.ok(found, "the certificate carries a verification code");
  const certCode = found[1];
  assert.ok(cert.text.includes(`${server.url}/verify/${certCode}`), "and the link to check it");

  // The printable certificate opens styled and prints on one page.
  const [printable] = await Promise.all([anna.context.waitForEvent("page"), a.getByRole("button", { name: "Bewijs van deelname om te printen" }).click()]);
  await printable.waitForLoadState("load");
  await printable.locator("h1", { hasText: "Bewijs van deelname" }).waitFor();
  assert.equal(await printable.evaluate(() => getComputedStyle(/** @type {Element} */ (document.querySelector("main"))).maxWidth), "768px");
  assert.ok((await printable.pdf({ format: "A4" })).length > 1000);
  await screenshot(printable, "phone-printable-certificate");
  await printable.close();

  // ---- a register checks the code, on another computer ----
  const clerk = await newPage(browser, LAPTOP);
  const c = clerk.page;
  await c.goto(`${server.url}/verify/${certCode}`);
  await c.locator("#verdict", { hasText: "Dit deelnamebewijs is echt." }).waitFor();
  const statement = (await c.locator("main").textContent()) ?? "";
  for (const part of ["Anna", "BIG 19012345601", "Intervisiegroep Jeugd Noord", "Basismodel", "Bea", "Europe/Brussels"]) {
    assert.ok(statement.includes(part), `${part} missing on the verify page`);
  }
  const byFacilitator = await c.locator("dt:has-text('Bevestigd door de begeleider') + dd").textContent();
  assert.match(byFacilitator ?? "", /^op \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, "the list's confirmation is stated");
  await checkPage(c, "verify: genuine");
  await screenshot(c, "laptop-verify-genuine");
  // Typed in lower case and without dashes, it is the same code.
  await c.goto(`${server.url}/verify/${certCode.replaceAll("-", "").toLowerCase()}`);
  await c.locator("#verdict", { hasText: "echt" }).waitFor();

  // An edited code is refused: one character changed is caught as a typo ...
  const chars = [...certCode];
  chars[5] = chars[5] === "K" ? "M" : "K";
  const edited = chars.join("");
  const response = await c.goto(`${server.url}/verify/${edited}`);
  assert.equal(response?.status(), 404);
  await c.locator("#verdict", { hasText: "Deze code klopt niet" }).waitFor();
  assert.equal(await c.getByText("Anna").count(), 0, "nothing of the real certificate");
  await checkPage(c, "verify: edited code");
  await screenshot(c, "laptop-verify-edited-code");
  // ... and a code made to look right (its check character recomputed) is not found.
  const forged = wellFormed(certCode.replaceAll("-", "").slice(0, 14).split("").reverse().join("") + "2");
  await c.goto(`${server.url}/verify/${forged}`);
  await c.locator("#verdict", { hasText: "Geen deelnamebewijs gevonden met deze code." }).waitFor();

  for (const p of [fac, anna, clerk]) {
    assert.deepEqual(p.problems.filter((m) => !/status of 404|WebSocket connection to .* failed/.test(m)), [], "no errors in the page");
  }
});

// What a participant's phone downloads: the first visit of a join link until they are in the
// session (target: under 100 KB transferred), and a reload (target: under 5 KB), counted by the
// browser's own network log (bytes on the wire, headers included). The console's and the
// screen's code, the other languages and the method explanation are not part of it.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, createSession, PHONE } from "./helpers.js";
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

/**
 * Counts what the page transfers over HTTP (and, apart, over its WebSocket).
 * @param {import('playwright-core').Page} page
 */
async function meter(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  /** @type {Map<string, string>} */
  const urls = new Map();
  const state = { http: 0, requests: 0, ws: 0, /** @type {string[]} */ files: [] };
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => {
    state.http += e.encodedDataLength;
    state.requests += 1;
    const url = urls.get(e.requestId) ?? "?";
    state.files.push(`${new URL(url).pathname} ${e.encodedDataLength}`);
  });
  cdp.on("Network.webSocketFrameReceived", (e) => {
    state.ws += e.response.payloadData.length;
  });
  cdp.on("Network.webSocketFrameSent", (e) => {
    state.ws += e.response.payloadData.length;
  });
  return {
    state,
    reset() {
      state.http = 0;
      state.requests = 0;
      state.ws = 0;
      state.files = [];
    },
  };
}

test("a participant's first load stays under 100 KB and a reload under 5 KB", async () => {
  const created = await createSession(server.url, { method: "basic", title: "Laadtijd", language: "nl" });
  const fac = new WsClient(server.url, created.code.replace(/-/g, ""));
  await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "Bea" });
  await fac.ok({ kind: "start_session" });

  const phone = await newPage(browser, PHONE);
  const page = phone.page;
  const m = await meter(page);
  await page.goto(`${server.url}/join/${created.code}`);
  await page.locator("#join-name").fill("Anna");
  await page.locator("#join-name").press("Enter");
  await page.locator(".whoami", { hasText: "Anna" }).waitFor();
  await page.locator("#compose-case").waitFor();
  await page.waitForLoadState("networkidle");
  const first = { ...m.state };
  console.log(`# first load: ${first.http} bytes over HTTP in ${first.requests} requests, ${first.ws} bytes over the WebSocket`);
  for (const f of first.files) console.log(`#   ${f}`);
  assert.ok(first.http < 100_000, `first load ${first.http} bytes`);
  assert.ok(!first.files.some((f) => /views\/(console|screen|home|help)\.js|i18n\/(en|de|fr)\.js|help\//.test(f)), "only what a participant needs");

  m.reset();
  await page.reload();
  await page.locator(".whoami", { hasText: "Anna" }).waitFor();
  await page.waitForLoadState("networkidle");
  const again = { ...m.state };
  console.log(`# reload: ${again.http} bytes over HTTP in ${again.requests} requests, ${again.ws} bytes over the WebSocket`);
  for (const f of again.files) console.log(`#   ${f}`);
  assert.ok(again.http < 5_000, `reload ${again.http} bytes`);
  assert.deepEqual(phone.problems, []);
  fac.close();
});

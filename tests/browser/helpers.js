// Shared by the browser tests: start the real server binary on a free port, launch Debian's
// Chromium (never a downloaded browser), open pages at phone and laptop sizes, take screenshots,
// and check a page's labels and contrast.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
export const screenshotDir = join(repoRoot, "tests/artifacts/screenshots");

export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
export const LAPTOP = { viewport: { width: 1366, height: 900 } };
export const SCREEN = { viewport: { width: 1600, height: 900 } };

/** The server binary `cargo build --bin kring` made. */
export function serverBinary() {
  const target = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(repoRoot, "target");
  const bin = join(target, "debug", "kring");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`cargo build --bin kring\` first`);
  return bin;
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts `kring --store memory` on a free port and waits until it is healthy.
 * @param {Record<string, string>} [env] extra environment (e.g. shorter grace periods)
 */
export async function startServer(env = {}) {
  const port = await freePort();
  const child = spawn(serverBinary(), ["--store", "memory", "--listen", `127.0.0.1:${port}`, "--log", "warn"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  // Never leave a server behind, even when a test run is cut short.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kring exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("kring did not become healthy");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    async stop() {
      process.removeListener("exit", killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Debian's Chromium, headless, with a fresh profile per launch. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A new page in its own context (its own localStorage: one person, one device). Console
 * errors and page errors are collected, so a test can assert there were none.
 * @param {import('playwright-core').Browser} browser
 * @param {object} device PHONE, LAPTOP or SCREEN
 * @param {string} [locale]
 */
export async function newPage(browser, device, locale = "nl-NL") {
  const context = await browser.newContext({ ...device, locale });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("dialog", async (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    await d.dismiss();
  });
  return { context, page, problems };
}

/**
 * @param {import('playwright-core').Page} page
 * @param {string} name descriptive file name without extension
 */
export async function screenshot(page, name, fullPage = true) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage });
}

/** Creates a session over the REST API (for tests that do not exercise the home page). */
export async function createSession(url, body = { method: "basic", title: "Intervisie", language: "nl" }) {
  const res = await fetch(`${url}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create session: ${res.status}`);
  return res.json();
}

/** Controls without an accessible name (label, aria-label(ledby), or text for buttons). */
function unlabelled() {
  const out = [];
  for (const el of document.querySelectorAll("input, select, textarea, button, a[href]")) {
    if (!(el instanceof HTMLElement) || el.closest("[hidden]")) continue;
    const labels = "labels" in el && el.labels ? el.labels.length : 0;
    const aria = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    const text = (el.textContent ?? "").trim();
    const isTextual = el.tagName === "BUTTON" || el.tagName === "A";
    if (!labels && !aria && !(isTextual && text)) out.push(el.outerHTML.slice(0, 80));
  }
  return out;
}

/** Text below 4.5:1 (3:1 for large text) against its effective background. */
function lowContrast() {
  const parse = (/** @type {string} */ c) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const channel = (/** @type {number} */ v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const lum = (/** @type {number[]} */ [r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (/** @type {Element | null} */ el) => {
    for (let e = el; e; e = e.parentElement) {
      const p = parse(getComputedStyle(e).backgroundColor);
      if (p.length === 3 || (p.length === 4 && p[3] > 0.5)) return p;
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? "").trim());
    if (!ownText || el.closest(".visually-hidden, [disabled], option, select")) continue;
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || el.getBoundingClientRect().width === 0) continue;
    const fg = parse(st.color);
    const bg = background(el);
    const l1 = lum(fg);
    const l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (Number(st.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) bad.push(`${(el.textContent ?? "").trim().slice(0, 30)}: ${ratio.toFixed(2)}`);
  }
  return bad;
}

/**
 * Every control has a name and all text has enough contrast.
 * @param {import('playwright-core').Page} page
 * @param {string} what for the assertion message
 */
export async function checkPage(page, what) {
  assert.deepEqual(await page.evaluate(unlabelled), [], `${what}: every control has a name`);
  assert.deepEqual(await page.evaluate(lowContrast), [], `${what}: contrast`);
}

export const PROJECTOR = { viewport: { width: 1920, height: 1080 } };
export const PROJECTOR_720 = { viewport: { width: 1280, height: 720 } };

/**
 * A page that holds the facilitator token of `created` (as the browser that created it would).
 * @param {import('playwright-core').Browser} browser
 * @param {object} device
 * @param {{code: string, facilitator_token: string}} created
 * @param {string} [locale]
 */
export async function facilitatorPage(browser, device, created, locale) {
  const p = await newPage(browser, device, locale);
  await p.context.addInitScript(
    ([c, t]) => {
      if (!localStorage.getItem(`kring:fac:${c}`)) localStorage.setItem(`kring:fac:${c}`, JSON.stringify(t));
    },
    [created.code.replace(/-/g, ""), created.facilitator_token],
  );
  return p;
}

/**
 * Joins `code` by its link on a phone page with `name`; resolves once in the session.
 * @param {import('playwright-core').Browser} browser
 * @param {string} url server URL
 * @param {string} code
 * @param {string} name
 * @param {string} [locale]
 * @param {(ctx: import('playwright-core').BrowserContext) => Promise<void>} [prepare]
 */
export async function joinPhone(browser, url, code, name, locale, prepare) {
  const p = await newPage(browser, PHONE, locale);
  if (prepare) await prepare(p.context);
  await p.page.goto(`${url}/join/${code}`);
  await p.page.locator("#join-name").fill(name);
  await p.page.locator("#join-name").press("Enter");
  await p.page.locator(".whoami", { hasText: name }).waitFor();
  return p;
}

/**
 * Saves a screenshot under `tests/artifacts/screenshots/<dir>/<name>.png`.
 * @param {import('playwright-core').Page} page
 * @param {string} dir
 * @param {string} name
 * @param {boolean} [fullPage]
 */
export async function screenshotIn(page, dir, name, fullPage = false) {
  const folder = join(screenshotDir, dir);
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage });
}

/**
 * Interactive elements smaller than 44x44 CSS pixels (WCAG 2.5.5). A checkbox or radio counts
 * by its label (the label is what a thumb hits); a link inside running text is exempt, as WCAG
 * exempts inline targets.
 */
export function smallTargets() {
  const out = [];
  const selector = "button, a[href], input, select, textarea, summary, [role=button]";
  for (const el of document.querySelectorAll(selector)) {
    if (!(el instanceof HTMLElement) || el.closest("[hidden], .visually-hidden") || el.getAttribute("type") === "hidden") continue;
    if (el.closest("details:not([open])") && el.tagName !== "SUMMARY" && !el.closest("summary")) continue;
    let target = el;
    if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio")) {
      target = el.closest("label") ?? el.labels?.[0] ?? el;
    }
    if (el.tagName === "A" && el.parentElement?.tagName === "P" && [...el.parentElement.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? "").trim())) continue;
    const r = target.getBoundingClientRect();
    const style = getComputedStyle(target);
    if (r.width === 0 || r.height === 0 || style.visibility === "hidden" || style.display === "none") continue;
    if (r.width < 43.5 || r.height < 43.5) {
      out.push(`${target.tagName.toLowerCase()}${target.id ? `#${target.id}` : ""}.${String(target.className).split(" ")[0]} "${(target.textContent ?? "").trim().slice(0, 24)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return out;
}

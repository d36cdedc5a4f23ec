// The HTTP API module: only it calls `fetch`; creating a session and the method list against a
// stand-in `fetch`; and the pure parts of reading the summary and the attendance: what a failed
// status means, the file names, the printable page made to work from a Blob URL, and minutes as
// the CSV counts them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { appModules } from "./fixtures.js";
import {
  createSession,
  fetchMethodList,
  fetchMethods,
  fileName,
  printableHtml,
  problemOf,
  wholeMinutes,
} from "../src/api.js";

test("each HTTP status of the summary and attendance reads has its own explanation", () => {
  assert.equal(problemOf(401), "noToken");
  assert.equal(problemOf(403), "forbidden");
  assert.equal(problemOf(404), "gone", "retention deleted the session");
  assert.equal(problemOf(429), "tooMany");
  assert.equal(problemOf(500), "failed");
  assert.equal(problemOf(0), "failed");
});

test("file names come from the title, in any script, without anything a file system minds", () => {
  assert.equal(
    fileName("kring-summary", "Team Noord: maart", "md"),
    "kring-summary-team-noord-maart.md",
  );
  assert.equal(
    fileName("kring-summary", "Één café / ‘test’", "md"),
    "kring-summary-een-cafe-test.md",
  );
  assert.equal(fileName("kring-attendance", "Ωμάδα 3", "csv"), "kring-attendance-ωμαδα-3.csv");
  assert.equal(fileName("kring-summary", "<b>x</b>", "md"), "kring-summary-b-x-b.md");
  assert.equal(fileName("kring-summary", "../../etc/passwd", "md"), "kring-summary-etc-passwd.md");
  assert.equal(fileName("kring-summary", "???", "md"), "kring-summary.md");
  const long = fileName("kring-summary", "a".repeat(30) + " " + "b".repeat(30), "md");
  assert.ok(long.length <= "kring-summary-".length + 40 + ".md".length, long);
  assert.doesNotMatch(long, /-\.md$/);
});

test("the printable page links its stylesheet absolutely (a Blob URL cannot resolve /summary.css)", () => {
  const page =
    '<!doctype html><html><head><title>S</title><link rel="stylesheet" href="/summary.css"></head><body><p>&lt;b&gt;x&lt;/b&gt; href="/summary.css"</p></body></html>';
  const out = printableHtml(page, "https://kring.example");
  assert.match(out, /<link rel="stylesheet" href="https:\/\/kring\.example\/summary\.css">/);
  assert.ok(
    out.includes('<p>&lt;b&gt;x&lt;/b&gt; href="/summary.css"</p>'),
    "text that merely looks like the link is left alone",
  );
  assert.equal(printableHtml("<p>no stylesheet</p>", "https://x"), "<p>no stylesheet</p>");
});

test("minutes present are whole minutes, rounded down, as in the CSV", () => {
  assert.equal(wholeMinutes(0), 0);
  assert.equal(wholeMinutes(59_999), 0);
  assert.equal(wholeMinutes(60_000), 1);
  assert.equal(wholeMinutes(125 * 60_000 + 59_000), 125);
  assert.equal(wholeMinutes(-5), 0);
});

/** A call of `fetch` (bare or through `window.`/`globalThis.`), or another way to make a request. */
const HTTP_CALL = /(^|[^\w$.])fetch\s*\(|\.fetch\b|XMLHttpRequest|sendBeacon|new\s+EventSource/;

test("only api.js makes HTTP calls", () => {
  const modules = appModules().map((path) => ({ path, source: readFileSync(path, "utf8") }));
  assert.ok(modules.length > 20, "the walk finds the app");
  const api = modules.find((m) => m.path.endsWith("/src/api.js"));
  assert.ok(api && HTTP_CALL.test(api.source), "the guard recognises api.js's own calls");
  for (const { path, source } of modules) {
    if (path.endsWith("/src/api.js")) continue;
    const line = source.split("\n").findIndex((l) => HTTP_CALL.test(l));
    assert.equal(line, -1, `${path}:${line + 1} makes an HTTP call: add it to api.js`);
  }
});

test("the guard sees the ways a module could call fetch", () => {
  for (const call of [
    'fetch("/api/methods")',
    "await fetch(url, {})",
    "window.fetch(x)",
    "globalThis.fetch(x)",
    "const f = self.fetch;",
    "new XMLHttpRequest()",
    "navigator.sendBeacon(u)",
  ]) {
    assert.ok(HTTP_CALL.test(call), call);
  }
  for (const fine of ["fetchPreview(code)", "prefetch(x)", "// we fetch the summary later"]) {
    assert.ok(!HTTP_CALL.test(fine), fine);
  }
});

/**
 * Runs `body` with `fetch` answering `reply` (or throwing when it is an Error).
 * @param {Response | Error} reply
 * @param {() => Promise<void>} body
 */
async function withFetch(reply, body) {
  const real = globalThis.fetch;
  /** @type {{url: string, init: RequestInit | undefined}[]} */
  const calls = [];
  globalThis.fetch = async (url, init) => {
    calls.push({ url: String(url), init });
    if (reply instanceof Error) throw reply;
    return reply;
  };
  try {
    await body();
  } finally {
    globalThis.fetch = real;
  }
  return calls;
}

test("creating a session posts the body and reads the reply, the refusal or no answer", async () => {
  const created = { code: "ABCDEFGH", facilitator_token: "f", screen_token: "s", group_token: "g" };
  const calls = await withFetch(
    new Response(JSON.stringify(created), { status: 201 }),
    async () => {
      const res = await createSession({ method: "basic", title: "Team" });
      assert.deepEqual(res, { ok: true, created });
    },
  );
  assert.equal(calls[0].url, "/api/sessions");
  assert.equal(calls[0].init?.method, "POST");
  assert.deepEqual(JSON.parse(String(calls[0].init?.body)), { method: "basic", title: "Team" });

  const refusal = { code: "bad_request", category: "client", message: "m", field: "title" };
  await withFetch(new Response(JSON.stringify(refusal), { status: 400 }), async () => {
    assert.deepEqual(await createSession({ method: "basic", title: "" }), {
      ok: false,
      problem: refusal,
    });
  });
  await withFetch(new Response("<html>", { status: 502 }), async () => {
    assert.deepEqual(await createSession({ method: "basic", title: "T" }), {
      ok: false,
      problem: null,
    });
  });
  await withFetch(new TypeError("offline"), async () => {
    assert.deepEqual(await createSession({ method: "basic", title: "T" }), {
      ok: false,
      problem: null,
    });
  });
});

test("the method list is null when it cannot be loaded, and empty for the next case", async () => {
  await withFetch(new Response("", { status: 500 }), async () => {
    assert.equal(await fetchMethodList(), null);
    assert.deepEqual(await fetchMethods(), []);
  });
  await withFetch(new Response(JSON.stringify({ methods: [{ id: "basic" }] })), async () => {
    assert.deepEqual(await fetchMethodList(), [{ id: "basic" }]);
  });
});

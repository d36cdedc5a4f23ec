// The pure parts of reading the summary and the attendance: what a failed status means, the
// file names, the printable page made to work from a Blob URL, and minutes as the CSV counts
// them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { problemOf, fileName, printableHtml, wholeMinutes } from "../src/api.js";

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

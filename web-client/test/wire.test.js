import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as wire from "../src/wire.js";

const SRC = new URL("../src/", import.meta.url).pathname;

/** Every hand-written module of the app (not the generated ones). */
function handWritten(dir = SRC) {
  /** @type {string[]} */
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...handWritten(path));
    else if (entry.name.endsWith(".js") && entry.name !== "wire.js") out.push(path);
  }
  return out;
}

test("no module defines a wire constant of its own: they come from the generated wire.js", () => {
  const names = Object.keys(wire);
  for (const path of handWritten()) {
    const source = readFileSync(path, "utf8");
    for (const name of names) {
      assert.doesNotMatch(
        source,
        new RegExp(`(const|let|var)\\s+${name}\\b`),
        `${path} defines ${name}`,
      );
    }
    // A second table of error codes would show as two of them as object keys.
    const codeKeys = Object.keys(wire.CODE_CATEGORY).filter((code) =>
      new RegExp(`^\\s+${code}:`, "m").test(source),
    );
    assert.ok(
      codeKeys.length < 2,
      `${path} lists error codes (${codeKeys.join(", ")}): use wire.js`,
    );
  }
});

test("the generated values agree with the generated types", () => {
  const dts = readFileSync(new URL("../src/protocol.d.ts", import.meta.url), "utf8");
  const kinds = dts.split("\n").find((l) => l.startsWith("export type InputKind ="));
  assert.ok(kinds);
  assert.deepEqual(
    [...kinds.matchAll(/"(\w+)"/g)].map((m) => m[1]),
    [...wire.INPUT_KINDS],
  );
  for (const kind of wire.TEXT_KINDS) assert.ok(wire.MAX_CHARS[kind] > 0, kind);
});

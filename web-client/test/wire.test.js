import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as wire from "../src/wire.js";
import { appModules } from "./fixtures.js";

/** Every hand-written module of the app (not the generated ones). */
const handWritten = () => appModules().filter((path) => !path.endsWith("/wire.js"));

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

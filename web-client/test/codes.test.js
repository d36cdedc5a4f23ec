import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  CODE_CATEGORY,
  ERROR_CODES,
  categoryOf,
  closeMeansReconnect,
  closeError,
} from "../src/codes.js";
import { backoffDelay } from "../src/transport.js";

const dts = readFileSync(new URL("../src/protocol.d.ts", import.meta.url), "utf8");

test("the code table names exactly the codes of the generated protocol types", () => {
  const line = dts.split("\n").find((l) => l.startsWith("export type ErrorCode ="));
  assert.ok(line);
  const generated = [...line.matchAll(/"(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual([...ERROR_CODES].sort(), generated.sort());
});

test("categories mirror the server table", () => {
  assert.equal(categoryOf("advice_like_question"), "confirm");
  assert.equal(categoryOf("phase_closed"), "fix");
  assert.equal(categoryOf("rate_limited"), "retry");
  assert.equal(categoryOf("slow_consumer"), "reconnect");
  assert.equal(categoryOf("taken_over"), "fatal");
  assert.equal(categoryOf("something_newer"), "fix");
  assert.equal(Object.keys(CODE_CATEGORY).length, ERROR_CODES.length);
});

test("close codes: 4000-4399, 1001, 1012 and network drops reconnect; 4400-4999 and protocol failures do not", () => {
  for (const c of [1000, 1001, 1006, 1012, 4000, 4001, 4029, 4399])
    assert.equal(closeMeansReconnect(c), true, String(c));
  for (const c of [4400, 4401, 4403, 4404, 4409, 4410, 4423, 4999])
    assert.equal(closeMeansReconnect(c), false, String(c));
  for (const c of [1002, 1007, 1008, 1009]) assert.equal(closeMeansReconnect(c), false, String(c));
  assert.equal(closeError(1008, "flooding"), "flooding");
  assert.equal(closeError(4409, "taken_over"), "taken_over");
  assert.equal(closeError(4404, ""), "room_not_found");
  assert.equal(closeMeansReconnect(4004), true);
  assert.equal(closeError(4004, ""), "room_moved");
  assert.equal(closeError(1006, ""), null);
});

test("full-jitter backoff stays between 0 and the capped exponential ceiling", () => {
  assert.equal(
    backoffDelay(0, () => 0),
    0,
  );
  assert.equal(
    backoffDelay(0, () => 0.999),
    499,
  );
  assert.equal(
    backoffDelay(3, () => 0.5),
    2000,
  );
  assert.equal(
    backoffDelay(30, () => 0.999),
    19980,
  );
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(i % 10);
    assert.ok(d >= 0 && d < 20_000);
  }
});

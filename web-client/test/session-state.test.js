// The reducer applies events as the engine does (engine/src/apply.rs + view.rs). The browser
// suite checks it against the real server; these tests pin each event's effect.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyAck,
  applyEvent,
  applyEvents,
  applyOnline,
  applyPresence,
  allowed,
  dotsLeft,
  phasesAllowing,
  queuePlace,
  roundPending,
  speakingMs,
  validName,
  nextPhaseAllowing,
  mayHoldFloor,
  reactionOf,
  nextRotation,
} from "../src/session-state.js";
import { L, lobby } from "./fixtures.js";

/** @typedef {import('../src/protocol').SessionView} SessionView */
/** @typedef {import('../src/protocol').Item} Item */

let seq = 0;
/** @param {import('../src/protocol').Event} event */
const ev = (event, at = 1_000) => ({ seq: ++seq, at, event });

/** @param {Partial<Item>} fields @returns {Item} */
function item(fields) {
  return {
    id: 1,
    kind: "question",
    by: 3,
    anonymous: false,
    text: "Wat speelt er?",
    phase: 1,
    phase_seq: 2,
    at: 0,
    reply_to: null,
    votes: 0,
    status: "open",
    case_round: 0,
    hidden: false,
    kept: false,
    chosen: false,
    revealed: false,
    ...fields,
  };
}

test("applying never changes the view it was given", () => {
  const view = lobby();
  const frozen = structuredClone(view);
  applyEvent(
    view,
    ev({ kind: "member_joined", member: { id: 3, name: "Cas", role: "participant" } }),
  );
  assert.deepEqual(view, frozen);
});

test("a member joins offline; presence and the welcome's online list set presence", () => {
  let v = applyEvent(
    lobby(),
    ev({ kind: "member_joined", member: { id: 3, name: "Cas", role: "participant" } }),
  );
  assert.deepEqual(v.members[2], {
    id: 3,
    name: "Cas",
    role: "participant",
    online: false,
    speaking_ms: 0,
    in_turns: true,
    co_facilitator: false,
  });
  v = applyPresence(v, 3, true);
  assert.equal(v.members[2].online, true);
  v = applyOnline(v, [1]);
  assert.deepEqual(
    v.members.map((m) => m.online),
    [true, false, false],
  );
});

test("entering a phase starts the session, clears hands and floor, and sets the round", () => {
  let v = lobby();
  v.hands = [2];
  v.floor = { member: 2, since: 5 };
  v = applyEvent(
    v,
    ev({ kind: "phase_changed", index: 1, phase_seq: 1, deadline: 9_000, round: [2, 3] }, 4_000),
  );
  assert.equal(v.status, "running");
  assert.deepEqual(v.phase, {
    index: 1,
    seq: 1,
    started_at: 4_000,
    deadline: 9_000,
    time_up: false,
    paused_left: null,
    turn_limit: null,
    votes_revealed: false,
  });
  assert.deepEqual(v.hands, []);
  assert.equal(v.floor, null);
  assert.deepEqual(v.round, { order: [2, 3], done: [], passed: [] });
  v = applyEvent(
    v,
    ev({ kind: "phase_changed", index: 2, phase_seq: 2, deadline: null, round: [] }),
  );
  assert.equal(v.round, null, "a phase without a round has none");
});

test("a paused clock keeps what is left; a turn limit and shown dots last for the phase", () => {
  let v = applyEvent(
    lobby(),
    ev({ kind: "phase_changed", index: 0, phase_seq: 3, deadline: 10_000, round: [] }),
  );
  v = applyEvent(v, ev({ kind: "timer_paused", left_ms: 4_000 }));
  assert.equal(v.phase?.deadline, null);
  assert.equal(v.phase?.paused_left, 4_000);
  v = applyEvent(v, ev({ kind: "timer_changed", deadline: 20_000 }));
  assert.equal(v.phase?.deadline, 20_000);
  assert.equal(v.phase?.paused_left, null, "running again");
  v = applyEvent(v, ev({ kind: "turn_limit_set", seconds: 120 }));
  v = applyEvent(v, ev({ kind: "votes_revealed" }));
  assert.equal(v.phase?.turn_limit, 120);
  assert.equal(v.phase?.votes_revealed, true);
  v = applyEvent(
    v,
    ev({ kind: "phase_changed", index: 1, phase_seq: 4, deadline: 30_000, round: [] }),
  );
  assert.equal(v.phase?.turn_limit, null);
  assert.equal(v.phase?.votes_revealed, false);
});

test("time_up only marks the phase it was for; timer_changed clears it", () => {
  let v = applyEvent(
    lobby(),
    ev({ kind: "phase_changed", index: 0, phase_seq: 3, deadline: 10, round: [] }),
  );
  v = applyEvent(v, ev({ kind: "time_up", phase_seq: 2 }));
  assert.equal(v.phase?.time_up, false);
  v = applyEvent(v, ev({ kind: "time_up", phase_seq: 3 }));
  assert.equal(v.phase?.time_up, true);
  v = applyEvent(v, ev({ kind: "timer_changed", deadline: 99 }));
  assert.deepEqual([v.phase?.deadline, v.phase?.time_up], [99, false]);
});

test("the floor: given at the event's time, ended with the engine's total", () => {
  let v = applyEvent(
    lobby(),
    ev({ kind: "phase_changed", index: 0, phase_seq: 1, deadline: null, round: [] }),
  );
  v = applyEvents(v, [
    ev({ kind: "hand_raised", member: 2 }),
    ev({ kind: "hand_raised", member: 2 }),
  ]);
  assert.deepEqual(v.hands, [2], "a hand is in the queue once");
  assert.equal(queuePlace(v, 2), 1);
  v = applyEvents(v, [
    ev({ kind: "hand_lowered", member: 2 }),
    ev({ kind: "floor_given", member: 2 }, 10_000),
  ]);
  assert.deepEqual(v.floor, { member: 2, since: 10_000 });
  assert.equal(speakingMs(v, 2, 12_500), 2_500, "live while speaking");
  v = applyEvent(v, ev({ kind: "floor_ended", member: 2, speaking_ms: 2_400 }));
  assert.equal(v.floor, null);
  assert.equal(v.members[1].speaking_ms, 2_400);
  assert.equal(speakingMs(v, 2, 99_999), 2_400);
});

test("rounds: turns done once, passes recorded; leaving turns takes a member out", () => {
  let v = applyEvent(
    lobby(),
    ev({ kind: "phase_changed", index: 1, phase_seq: 1, deadline: null, round: [2, 3, 4] }),
  );
  v = applyEvents(v, [
    ev({ kind: "round_turn_done", member: 2, passed: false }),
    ev({ kind: "round_turn_done", member: 2, passed: true }),
    ev({ kind: "round_turn_done", member: 3, passed: true }),
  ]);
  assert.deepEqual(v.round, { order: [2, 3, 4], done: [2, 3], passed: [3] });
  v = applyEvent(v, ev({ kind: "round_started", order: [3, 2] }));
  assert.deepEqual(v.round, { order: [3, 2], done: [], passed: [] });
  v.hands = [2];
  v.floor = { member: 2, since: 0 };
  v = applyEvent(v, ev({ kind: "left_turns", member: 2 }));
  assert.deepEqual(
    [v.round?.order, v.hands, v.floor, v.members[1].in_turns],
    [[3], [], null, false],
  );
  assert.deepEqual(roundPending(v), [3]);
  v = applyEvent(v, ev({ kind: "rejoined_turns", member: 2 }));
  assert.equal(v.members[1].in_turns, true);
});

test("a member who already had their turn stays in the round order when leaving", () => {
  let v = applyEvent(
    lobby(),
    ev({ kind: "phase_changed", index: 1, phase_seq: 1, deadline: null, round: [2, 3] }),
  );
  v = applyEvents(v, [
    ev({ kind: "round_turn_done", member: 2, passed: false }),
    ev({ kind: "member_removed", member: 2 }),
  ]);
  assert.deepEqual(v.round?.order, [2, 3]);
  assert.equal(
    v.members.some((m) => m.id === 2),
    false,
    "removed members leave the roster",
  );
});

test("roles: choosing a case makes a case-bringer, and my role follows", () => {
  let v = lobby();
  v.items = [
    item({ id: 5, kind: "case", by: 2, phase: 0, phase_seq: 1 }),
    item({ id: 6, kind: "case", by: 1, phase: 0, phase_seq: 1 }),
  ];
  v = applyEvents(v, [
    ev({ kind: "role_changed", member: 2, role: "case_bringer" }),
    ev({ kind: "case_chosen", case: 5, case_bringer: 2 }),
    ev({ kind: "case_kept", case: 6, keep: true }),
  ]);
  assert.equal(v.case_bringer, 2);
  assert.equal(v.me.role, "case_bringer");
  assert.deepEqual(
    v.items.map((i) => [i.chosen, i.kept]),
    [
      [true, false],
      [false, true],
    ],
  );
  v = applyEvent(v, ev({ kind: "member_removed", member: 2 }));
  assert.equal(v.case_bringer, null);
});

test("items take the event's time; my anonymous item is mine through the ack", () => {
  const v0 = applyEvent(
    lobby(),
    ev({ kind: "phase_changed", index: 1, phase_seq: 2, deadline: null, round: [] }),
  );
  const mineVisible = applyEvent(
    v0,
    ev({ kind: "item_added", item: item({ id: 1, by: 2 }) }, 7_000),
  );
  assert.equal(mineVisible.items[0].at, 7_000);
  assert.deepEqual(mineVisible.me.items, [1]);
  const anon = applyEvent(
    mineVisible,
    ev({ kind: "item_added", item: item({ id: 2, by: null, anonymous: true }) }),
  );
  assert.deepEqual(anon.me.items, [1], "an anonymous item names nobody on the wire");
  const acked = applyAck(
    anon,
    { kind: "submit", input: "question", text: "x", anonymous: true },
    { id: "a", seq: 3, item: 2 },
  );
  assert.deepEqual(acked.me.items, [1, 2]);
  assert.deepEqual(
    applyAck(acked, { kind: "submit", input: "question", text: "x" }, { id: "a", seq: 3, item: 2 })
      .me.items,
    [1, 2],
    "acks are idempotent",
  );
});

test("votes: counts from events, mine from acks; unvote takes back the last one", () => {
  let v = lobby();
  v.status = "running";
  v.items = [item({ id: 5, kind: "case", by: 3, phase: 0 })];
  v = applyEvent(v, ev({ kind: "item_voted", item: 5, votes: 1, up: true }));
  assert.equal(v.items[0].votes, 1);
  v = applyAck(v, { kind: "vote", item: 5 }, { id: "a", seq: 1, item: null });
  v = applyAck(v, { kind: "vote", item: 5 }, { id: "b", seq: 2, item: null });
  assert.deepEqual(v.me.votes, [5, 5]);
  assert.equal(dotsLeft(v), 1);
  v = applyAck(v, { kind: "unvote", item: 5 }, { id: "c", seq: 3, item: null });
  assert.deepEqual(v.me.votes, [5]);
  v = applyEvent(v, ev({ kind: "item_withdrawn", item: 5 }));
  assert.deepEqual([v.items.length, v.me.votes.length], [0, 0]);
});

test("hiding withholds the text from members but not from the facilitator; un-hiding restores it", () => {
  const base = lobby();
  base.items = [item({ id: 1 })];
  const hidden = applyEvent(
    base,
    ev({ kind: "item_hidden", item: 1, hidden: true, restored: null }),
  );
  assert.deepEqual([hidden.items[0].hidden, hidden.items[0].text], [true, null]);
  const fac = lobby(1, /** @type {any} */ ("facilitator"));
  fac.items = [item({ id: 1 })];
  const facHidden = applyEvent(
    fac,
    ev({ kind: "item_hidden", item: 1, hidden: true, restored: null }),
  );
  assert.deepEqual([facHidden.items[0].hidden, facHidden.items[0].text], [true, "Wat speelt er?"]);
  const back = applyEvent(
    hidden,
    ev({ kind: "item_hidden", item: 1, hidden: false, restored: item({ id: 1, votes: 2 }) }),
  );
  assert.deepEqual(
    [back.items[0].hidden, back.items[0].text, back.items[0].votes],
    [false, "Wat speelt er?", 2],
  );
});

test("triage and reactions", () => {
  let v = lobby();
  v.items = [item({ id: 1 }), item({ id: 2, kind: "advice" })];
  v = applyEvents(v, [
    ev({ kind: "item_triaged", item: 1, status: "parked" }),
    // A private reaction says nothing to others; a shared one is shown.
    ev({ kind: "item_reacted", item: null, reaction: null, shared: false }),
    ev({
      kind: "item_reacted",
      item: 2,
      reaction: { temperature: "lukewarm", useful: true },
      shared: true,
    }),
  ]);
  assert.deepEqual(
    [v.items[0].status, v.reactions],
    ["parked", [{ item: 2, reaction: { temperature: "lukewarm", useful: true } }]],
  );
});

test("private notes: my text from my command until the reveal gives it to everyone", () => {
  let v = applyEvent(
    lobby(),
    ev({ kind: "phase_changed", index: 3, phase_seq: 4, deadline: null, round: [] }),
  );
  v = applyEvent(
    v,
    ev(
      {
        kind: "item_added",
        item: item({ id: 9, kind: "private_note", by: 2, text: null, phase: 3, phase_seq: 4 }),
      },
      5_000,
    ),
  );
  assert.equal(v.items[0].text, null);
  v = applyAck(
    v,
    { kind: "submit", input: "private_note", text: "  mijn notitie " },
    { id: "n", seq: 2, item: 9 },
  );
  assert.equal(v.me.notes.length, 1);
  assert.deepEqual(
    [v.me.notes[0].text, v.me.notes[0].by, v.me.notes[0].at],
    ["mijn notitie", 2, 5_000],
  );
  v = applyEvent(
    v,
    ev({
      kind: "notes_revealed",
      notes: [
        item({
          id: 9,
          kind: "private_note",
          by: 2,
          text: "mijn notitie",
          revealed: true,
          phase: 3,
          phase_seq: 4,
        }),
      ],
    }),
  );
  assert.deepEqual(
    [v.items[0].revealed, v.items[0].text, v.me.notes.length],
    [true, "mijn notitie", 0],
  );
});

test("the notepad comes only with my acknowledgement, stamped with its event's time", () => {
  let v = applyEvent(
    lobby(2, "case_bringer"),
    ev({ kind: "phase_changed", index: 2, phase_seq: 3, deadline: null, round: [] }),
  );
  v = applyEvent(v, ev({ kind: "note_taken", note: null }, 7_000));
  assert.deepEqual(v.me.notepad, [], "the public event says nothing");
  v = applyAck(
    v,
    { kind: "submit", input: "notepad", text: " voor mij " },
    { id: "n", seq: 2, item: 4 },
    7_000,
  );
  assert.deepEqual(
    [v.me.notepad.length, v.me.notepad[0].text, v.me.notepad[0].at, v.items.length],
    [1, "voor mij", 7_000, 0],
  );
  v = applyAck(
    v,
    { kind: "submit", input: "notepad", text: "voor mij" },
    { id: "n", seq: 2, item: 4 },
    7_000,
  );
  assert.equal(v.me.notepad.length, 1, "a repeated ack adds nothing");
});

test("case rounds: a new case, its chosen case (also one proposed earlier), the key question", () => {
  let v = lobby();
  v.items = [item({ id: 1, kind: "case", chosen: true }), item({ id: 2, kind: "case" })];
  v.cases[0].case = 1;
  v = applyEvent(
    v,
    ev({ kind: "case_round_started", index: 1, method: v.method, case_bringer: null }, 9_000),
  );
  assert.deepEqual(
    [v.case_round, v.cases.length, v.cases[1].started_at, v.cases[1].case],
    [1, 2, 9_000, null],
  );
  v.items.push(item({ id: 3, kind: "case", case_round: 1 }));
  // Case 2 proposed in the first round is chosen, then replaced by one of this round.
  v = applyEvent(v, ev({ kind: "case_chosen", case: 2, case_bringer: 2 }));
  v = applyEvent(v, ev({ kind: "case_chosen", case: 3, case_bringer: 2 }));
  assert.deepEqual(
    v.items.map((i) => i.chosen),
    [true, false, true],
    "the first round's case stays chosen",
  );
  assert.equal(v.cases[1].case, 3);
  v.items.push(
    item({ id: 5, kind: "key_question", case_round: 1 }),
    item({ id: 6, kind: "key_question", case_round: 1 }),
  );
  v = applyEvents(v, [
    ev({ kind: "key_question_chosen", item: 5 }),
    ev({ kind: "key_question_chosen", item: 6 }),
  ]);
  assert.deepEqual(
    [v.items[3].chosen, v.items[4].chosen, v.cases[1].key_question],
    [false, true, 6],
  );
});

test("reactions hidden again leave only the case-bringer's own", () => {
  let v = lobby();
  v.items = [item({ id: 1, kind: "advice" })];
  const warm = { temperature: /** @type {const} */ ("warm"), useful: false };
  v = applyEvent(
    v,
    ev({
      kind: "reactions_shared",
      case_round: 0,
      shared: true,
      reactions: [{ item: 1, reaction: warm }],
    }),
  );
  assert.deepEqual([v.cases[0].reactions_shared, v.reactions.length], [true, 1]);
  v = applyEvent(v, ev({ kind: "reactions_shared", case_round: 0, shared: false, reactions: [] }));
  assert.deepEqual([v.cases[0].reactions_shared, v.reactions.length], [false, 0]);
});

test("the case-bringer's own reactions stay in `me`, shared or hidden again", () => {
  let v = lobby(2, "case_bringer");
  v.cases[0].case_bringer = 2;
  v.items = [item({ id: 1, kind: "advice" })];
  const warm = { temperature: /** @type {const} */ ("warm"), useful: true };
  v = applyEvent(v, ev({ kind: "item_reacted", item: null, reaction: null, shared: false }));
  v = applyAck(v, { kind: "react", item: 1, reaction: warm }, { id: "r", seq: 2 });
  assert.deepEqual(
    [v.me.reactions, v.reactions],
    [[{ item: 1, reaction: warm }], []],
    "private: mine only",
  );
  v = applyEvent(
    v,
    ev({
      kind: "reactions_shared",
      case_round: 0,
      shared: true,
      reactions: [{ item: 1, reaction: warm }],
    }),
  );
  assert.deepEqual([v.me.reactions.length, v.reactions.length], [1, 1]);
  v = applyEvent(v, ev({ kind: "reactions_shared", case_round: 0, shared: false, reactions: [] }));
  assert.deepEqual([v.me.reactions.length, v.reactions.length], [1, 0], "hidden again: still mine");
  assert.deepEqual(reactionOf(v, 1), warm);
  // Someone else brings this case after all: my reactions to it go, also from what is shared.
  v = applyEvent(
    v,
    ev({
      kind: "reactions_shared",
      case_round: 0,
      shared: true,
      reactions: [{ item: 1, reaction: warm }],
    }),
  );
  v = applyEvent(v, ev({ kind: "role_changed", member: 3, role: "case_bringer" }));
  assert.deepEqual([v.me.reactions, v.reactions, v.cases[0].reactions_shared], [[], [], false]);
});

test("a reaction goes with its withdrawn item", () => {
  let v = lobby(2, "case_bringer");
  v.cases[0].case_bringer = 2;
  v.items = [item({ id: 1, kind: "advice" })];
  const warm = { temperature: /** @type {const} */ ("warm"), useful: false };
  v = applyAck(v, { kind: "react", item: 1, reaction: warm }, { id: "r", seq: 2 });
  v = applyEvent(
    v,
    ev({
      kind: "reactions_shared",
      case_round: 0,
      shared: true,
      reactions: [{ item: 1, reaction: warm }],
    }),
  );
  v = applyEvent(v, ev({ kind: "item_withdrawn", item: 1 }));
  assert.deepEqual([v.me.reactions, v.reactions], [[], []]);
});

test("a self-led facilitator writes what participants may; floors and Troika's next member", () => {
  const v = lobby(1, "facilitator");
  const explore = v.method.phases[1];
  assert.deepEqual(allowed(explore, "facilitator"), []);
  assert.deepEqual(allowed(explore, "facilitator", true), ["question"]);
  assert.equal(mayHoldFloor({ ...explore, turns: "case_bringer_only" }, "participant"), false);
  assert.equal(mayHoldFloor({ ...explore, turns: "case_bringer_only" }, "case_bringer"), true);
  const troika = structuredClone(v);
  troika.method.rotate_case_bringer = true;
  troika.members.push({
    id: 3,
    name: "Cas",
    role: "participant",
    online: true,
    speaking_ms: 0,
    in_turns: true,
    co_facilitator: false,
  });
  troika.cases[0].case_bringer = 2;
  assert.equal(nextRotation(troika), 3);
  troika.members[2].online = false;
  assert.equal(nextRotation(troika), null, "only who is here");
});

test("ending the session clears hands and floor; locking", () => {
  let v = applyEvent(
    lobby(),
    ev({ kind: "phase_changed", index: 0, phase_seq: 1, deadline: null, round: [] }),
  );
  v = applyEvents(v, [
    ev({ kind: "hand_raised", member: 2 }),
    ev({ kind: "room_locked", locked: true }),
    ev({ kind: "session_ended" }),
  ]);
  assert.deepEqual([v.status, v.hands, v.floor, v.locked], ["ended", [], null, true]);
});

test("renames", () => {
  const v = applyEvent(lobby(), ev({ kind: "member_renamed", member: 2, name: "Anne" }));
  assert.equal(v.members[1].name, "Anne");
});

test("permissions mirror the engine: note-takers as participants, a listening case-bringer none", () => {
  const { phases } = lobby().method;
  assert.deepEqual(allowed(phases[1], "note_taker"), ["question"]);
  assert.deepEqual(allowed(phases[1], "case_bringer"), ["answer"]);
  assert.deepEqual(allowed(phases[2], "case_bringer"), [], "back turned");
  assert.deepEqual(allowed(phases[1], "screen"), []);
  assert.deepEqual(phasesAllowing(lobby().method, "participant", "advice"), [2, 3]);
  assert.deepEqual(phasesAllowing(lobby().method, "case_bringer", "commitment"), []);
  const v = applyEvent(
    lobby(),
    ev({ kind: "phase_changed", index: 2, phase_seq: 1, deadline: null, round: [] }),
  );
  assert.equal(nextPhaseAllowing(v, "participant", "advice"), 3);
  assert.equal(nextPhaseAllowing(v, "participant", "question"), 1, "or the first one at all");
});

test("names are checked as the engine does", () => {
  assert.equal(validName("  Anna "), "Anna");
  assert.equal(validName("   "), null);
  assert.equal(validName("x".repeat(41)), null);
  assert.equal(validName("é".repeat(40)), "é".repeat(40));
  assert.equal(validName("a\u0007b"), null);
});

test("confirmations and the list's confirmation are shown; numbers and reflections stay mine", () => {
  let v = lobby(2);
  v = applyEvent(v, { seq: 1, at: 5, event: { kind: "presence_confirmed", member: 2 } });
  v = applyEvent(v, { seq: 2, at: 6, event: { kind: "presence_confirmed", member: 2 } });
  v = applyEvent(v, { seq: 3, at: 7, event: { kind: "reflection_written", member: 1 } });
  v = applyEvent(v, { seq: 4, at: 9, event: { kind: "list_confirmed" } });
  assert.deepEqual(v.attendance, { confirmed: [2], list_confirmed_at: 9 });
  const corrected = applyEvent(v, { seq: 5, at: 10, event: { kind: "minutes_set", member: 2 } });
  assert.equal(corrected.attendance.list_confirmed_at, null, "a corrected list is confirmed anew");
  assert.equal(v.me.reflection, null, "another's reflection is never mine");
  v = applyAck(
    v,
    { kind: "confirm_presence", registration: "  BIG 1 " },
    { id: "a", seq: 5, item: null },
  );
  v = applyAck(v, { kind: "write_reflection", text: " Goed. " }, { id: "b", seq: 6, item: null });
  assert.equal(v.me.registration, "BIG 1");
  assert.equal(v.me.reflection, "Goed.");
  v = applyAck(v, { kind: "confirm_presence", registration: "" }, { id: "c", seq: 7, item: null });
  assert.equal(v.me.registration, null);
});

test("the facilitator counts warnings shown and texts sent anyway; nobody else keeps a tally", () => {
  const events = [
    ev({ kind: "warning_shown", warning: "not_a_question" }),
    ev({ kind: "warning_shown", warning: "advice_question" }),
    ev({ kind: "warning_shown", warning: "advice_question" }),
    ev({ kind: "warning_overridden", warning: "advice_question" }),
  ];
  const facilitator = applyEvents(lobby(1, "facilitator"), events);
  assert.deepEqual(facilitator.me.warnings, [
    { warning: "advice_question", shown: 2, sent_anyway: 1 },
    { warning: "not_a_question", shown: 1, sent_anyway: 0 },
  ]);
  const participant = applyEvents(lobby(), events);
  assert.equal(participant.me.warnings, undefined);
});

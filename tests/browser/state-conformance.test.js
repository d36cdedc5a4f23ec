// The web client's reducer against the real server: members build their view from welcome +
// events (with the client's own `session-state.js`), then a fresh full view is fetched with the
// same token. They must be equal, for every event kind a session produces.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, createSession } from "./helpers.js";
import { WsClient } from "./wsclient.js";

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;

before(async () => {
  // A short grace period so "left turns" happens within the test.
  server = await startServer({ KRING_TURN_GRACE: "1s" });
});

after(async () => {
  await server?.stop();
});

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The view a fresh welcome gives this member, next to the one it built from events.
 * @param {WsClient} client
 */
async function freshView(client, token) {
  const fresh = new WsClient(server.url, client.view.code);
  await fresh.connect({ as: "resume", token });
  // The fresh socket took over; the old one was closed, the member stays online.
  return fresh;
}

/** @param {any} view */
function normalized(view) {
  // Member order and item order are the engine's; nothing to sort.
  return structuredClone(view);
}

/**
 * @param {WsClient} client
 * @param {string} token
 * @param {string} who
 */
async function assertSameAsFresh(client, token, who) {
  const fresh = await freshView(client, token);
  await client.caughtUp(fresh.welcomeMsg.seq);
  const built = normalized(client.view);
  // Presence of the member itself: the fresh socket replaced the old one (still online).
  assert.deepEqual(built, normalized(fresh.view), `${who}: the view built from events differs from a fresh welcome`);
  // Kept open: closing it would change presence before the next member's comparison.
  return fresh;
}

test("basic model: views built from events equal fresh views", async () => {
  const created = await createSession(server.url, { method: "basic", title: "Conformance", language: "nl", settings: { allow_anonymous: true, keep_for_group: false } });
  const code = created.code;
  const fac = new WsClient(server.url, code);
  await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "Bea" });
  const names = ["Anna", "Bram", "Cas", "Dirk"];
  /** @type {WsClient[]} */
  const [a, b, c, d] = names.map(() => new WsClient(server.url, code));
  const welcomes = [];
  for (const [i, cl] of [a, b, c, d].entries()) welcomes.push(await cl.connect({ as: "member", name: names[i] }));
  const [ta, tb, tc] = welcomes.map((w) => w.resume_token);
  const screen = new WsClient(server.url, code);
  await screen.connect({ as: "screen", token: created.facilitator_token });
  // Two more who leave: Eva's phone goes away, Frits is removed and the room locked behind him.
  const e = new WsClient(server.url, code);
  const f = new WsClient(server.url, code);
  await e.connect({ as: "member", name: "Eva" });
  await f.connect({ as: "member", name: "Frits" });

  /** Moves the phase and waits until everyone saw it (their next input carries the new stamp). */
  const move = async (/** @type {any} */ command) => {
    const ack = await fac.ok(command);
    for (const cl of [a, b, c, screen]) if (cl.ws?.readyState === 1) await cl.caughtUp(ack.seq);
  };
  await move({ kind: "start_session" });
  // Case inventory: proposals (one anonymous), dots, hands, the floor, hiding.
  const caseA = (await a.ok({ kind: "submit", input: "case", text: "Mijn team luistert niet" })).item;
  const caseB = (await b.ok({ kind: "submit", input: "case", text: "Een lastige ouder", anonymous: true })).item;
  await b.ok({ kind: "vote", item: caseA });
  await b.ok({ kind: "vote", item: caseA });
  await c.ok({ kind: "vote", item: caseA });
  await c.ok({ kind: "unvote", item: caseA });
  await a.ok({ kind: "vote", item: caseB });
  await fac.ok({ kind: "reveal_votes" });
  await b.ok({ kind: "raise_hand" });
  await c.ok({ kind: "raise_hand" });
  await c.ok({ kind: "lower_hand" });
  await c.ok({ kind: "raise_hand" });
  await fac.ok({ kind: "give_floor", member: b.welcomeMsg.member });
  await sleep(30);
  await fac.ok({ kind: "next_speaker" });
  await fac.ok({ kind: "end_floor" });
  await fac.ok({ kind: "hide_item", item: caseB, hidden: true });
  await fac.ok({ kind: "hide_item", item: caseB, hidden: false });
  await fac.ok({ kind: "choose_case", case: caseA, keep_others: true });
  await fac.ok({ kind: "remove_member", member: d.welcomeMsg.member });
  e.close();
  await sleep(300);
  await fac.ok({ kind: "remove_offline" });
  await fac.ok({ kind: "remove_and_lock", member: f.welcomeMsg.member });
  await fac.ok({ kind: "lock_room", locked: false });
  // Introducing the question: the case-bringer has the floor.
  await move({ kind: "next_phase" });
  await a.ok({ kind: "submit", input: "statement", text: "Het gaat om vergaderingen." });
  // Exploring: a round, questions, an advice-like question sent anyway, answers, triage.
  await move({ kind: "next_phase" });
  const q1 = (await b.ok({ kind: "submit", input: "question", text: "Wat gebeurt er precies?" })).item;
  const q2 = (await c.ok({ kind: "submit", input: "question", text: "Heb je al eens geprobeerd om te stoppen?", confirm: true })).item;
  // A "question" that asks nothing is warned about and sent anyway; plain advice is warned
  // about and not sent. Both are counted for the facilitator.
  const q3 = (await c.ok({ kind: "submit", input: "question", text: "Sorry, dubbel", confirm: true })).item;
  const warned = await b.send({ kind: "submit", input: "question", text: "Je moet gewoon stoppen met die vergaderingen." });
  assert.equal(warned.code, "advice_like_statement");
  assert.deepEqual(warned.cues, [{ start: 0, end: 7 }], "the words that make it advice");
  await c.ok({ kind: "withdraw", item: q3 });
  await b.ok({ kind: "vote", item: q2 });
  await a.ok({ kind: "submit", input: "answer", text: "Ze praten door elkaar.", reply_to: q1 });
  await a.ok({ kind: "triage", item: q1, status: "answered" });
  await a.ok({ kind: "triage", item: q2, status: "parked" });
  await fac.ok({ kind: "next_speaker" });
  await b.send({ kind: "pass" });
  await fac.ok({ kind: "extend_timer", seconds: 60 });
  await fac.ok({ kind: "extend_timer", seconds: -30 });
  await fac.ok({ kind: "pause_timer", paused: true });
  await fac.ok({ kind: "set_timer", seconds: 420 });
  await fac.ok({ kind: "pause_timer", paused: false });
  await fac.ok({ kind: "set_turn_limit", seconds: 90 });
  await b.ok({ kind: "rename", name: "Bram B." });
  await fac.ok({ kind: "lock_room", locked: true });
  await fac.ok({ kind: "set_role", member: c.welcomeMsg.member, role: "note_taker" });
  await fac.ok({ kind: "start_round" });
  // C's phone loses its network: after the grace period C leaves turns, then comes back.
  c.kill();
  await sleep(2_500);
  const c2 = new WsClient(server.url, code);
  await c2.connect({ as: "resume", token: tc });
  await c2.ok({ kind: "raise_hand" });
  // Core, advice (with reactions and moderation), evaluation.
  await move({ kind: "next_phase" });
  await b.ok({ kind: "submit", input: "analysis", text: "Het lijkt over rollen te gaan." });
  await a.ok({ kind: "submit", input: "key_question", text: "Hoe krijg ik rust in het overleg?" });
  await move({ kind: "next_phase" });
  const adv1 = (await b.ok({ kind: "submit", input: "advice", text: "Spreek een vaste volgorde af." })).item;
  const adv2 = (await c2.ok({ kind: "submit", input: "advice", text: "<img src=x onerror=alert(1)>", anonymous: true })).item;
  await a.ok({ kind: "react", item: adv1, reaction: { temperature: "warm", useful: true } });
  await a.ok({ kind: "react", item: adv2, reaction: { temperature: "cold", useful: false } });
  await fac.ok({ kind: "hide_item", item: adv2, hidden: true });
  await move({ kind: "next_phase" });
  await a.ok({ kind: "submit", input: "commitment", text: "Ik stel een agenda op." });
  await b.ok({ kind: "submit", input: "reflection", text: "Veel geleerd." });
  await move({ kind: "prev_phase" });
  await move({ kind: "goto_phase", index: 5 });

  const last = fac.seq;
  for (const cl of [a, b, c2, screen]) await cl.caughtUp(last);
  assert.ok(last > 50, `a long history (${last} events)`);
  const fresh = [
    await assertSameAsFresh(a, ta, "case-bringer"),
    await assertSameAsFresh(b, tb, "participant"),
    await assertSameAsFresh(c2, tc, "note-taker who reconnected"),
  ];
  const facFresh = await assertSameAsFresh(fac, created.facilitator_token, "facilitator");
  // The screen has no token to resume with: a new screen connection gives the fresh view.
  const screen2 = new WsClient(server.url, code);
  await screen2.connect({ as: "screen", token: created.facilitator_token });
  await screen.caughtUp(screen2.welcomeMsg.seq);
  assert.deepEqual(screen.view, screen2.view, "screen");
  await facFresh.ok({ kind: "end_session" });
  for (const cl of [...fresh, facFresh, screen, screen2]) cl.close();
});

test("silent phases and a back-turned case-bringer: notes, reveal, listening", async () => {
  const phase = (id, turns, allow, extra = {}) => ({
    id,
    name: { nl: id, en: id },
    instruction: { nl: "Doe het.", en: "Do it." },
    minutes: 5,
    turns,
    allow,
    ...extra,
  });
  const template = {
    id: "custom-notes",
    name: { nl: "Notities", en: "Notes" },
    description: { nl: "Test.", en: "Test." },
    phases: [
      phase("present", "case_bringer_only", { case_bringer: ["statement"] }),
      phase("write", "silent", { participant: ["private_note"], case_bringer: ["private_note"] }),
      phase("gossip", "free", { participant: ["analysis", "advice"] }, { case_bringer_listens: true }),
    ],
  };
  const created = await createSession(server.url, { template, title: "Notes", language: "en", settings: { allow_anonymous: true, keep_for_group: false } });
  const fac = new WsClient(server.url, created.code);
  await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "F" });
  const a = new WsClient(server.url, created.code);
  const b = new WsClient(server.url, created.code);
  const wa = await a.connect({ as: "member", name: "A" });
  const wb = await b.connect({ as: "member", name: "B" });
  await fac.ok({ kind: "set_case_bringer", member: wa.member });
  const move = async (/** @type {any} */ command) => {
    const ack = await fac.ok(command);
    for (const cl of [a, b, b2]) if (cl && cl.ws?.readyState === 1) await cl.caughtUp(ack.seq);
  };
  /** @type {WsClient | null} */
  let b2 = null;
  await move({ kind: "start_session" });
  await a.ok({ kind: "submit", input: "statement", text: "Story." });
  await move({ kind: "next_phase" });
  const n1 = (await b.ok({ kind: "submit", input: "private_note", text: "Only mine" })).item;
  await a.ok({ kind: "submit", input: "private_note", text: "Case-bringer's own", anonymous: true });
  await b.ok({ kind: "submit", input: "private_note", text: "Second note" });
  assert.equal(b.view.me.notes.length, 2, "my notes with their text");
  assert.equal(b.view.items.find((i) => i.id === n1).text, null, "not on the board yet");
  // Mid-way check: the unrevealed notes as the author sees them.
  b2 = await assertSameAsFresh(b, wb.resume_token, "author before reveal");
  const raise = await b2.send({ kind: "raise_hand" });
  assert.equal(raise.code, "phase_forbids", "no hands in a silent phase");
  await fac.ok({ kind: "reveal_notes" });
  await move({ kind: "next_phase" });
  const refused = await a.send({ kind: "submit", input: "analysis", text: "x" });
  assert.equal(refused.code, "case_bringer_listens");
  await b2.ok({ kind: "submit", input: "advice", text: "Talk to them." });
  const stale = await b2.send({ kind: "submit", input: "advice", text: "old" }, { phase: 1 });
  assert.equal(stale.code, "phase_closed", "input stamped with a closed phase is refused");
  await Promise.all([a.caughtUp(fac.seq), b2.caughtUp(fac.seq)]);
  const fresh = [
    await assertSameAsFresh(a, wa.resume_token, "listening case-bringer"),
    await assertSameAsFresh(b2, wb.resume_token, "participant after reveal"),
    await assertSameAsFresh(fac, created.facilitator_token, "facilitator after reveal"),
  ];
  for (const cl of fresh) cl.close();
});

test("several cases in one meeting: views built from events equal fresh views", async () => {
  const created = await createSession(server.url, { method: "basic", title: "Cases", language: "nl", settings: { keep_for_group: true } });
  const code = created.code;
  const fac = new WsClient(server.url, code);
  await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "Bea" });
  const [a, b, c] = ["Anna", "Bram", "Cas"].map(() => new WsClient(server.url, code));
  const [wa, wb, wc] = [await a.connect({ as: "member", name: "Anna" }), await b.connect({ as: "member", name: "Bram" }), await c.connect({ as: "member", name: "Cas" })];
  const screen = new WsClient(server.url, code);
  await screen.connect({ as: "screen", token: created.facilitator_token });
  const everyone = [a, b, c, screen];
  const move = async (/** @type {any} */ command) => {
    const ack = await fac.ok(command);
    for (const cl of everyone) await cl.caughtUp(ack.seq);
  };
  await fac.ok({ kind: "set_case_bringer", member: wa.member });
  await move({ kind: "start_session" });
  // Two proposals; Cas's waits for a later case.
  await b.ok({ kind: "submit", input: "case", text: "Bram's case" });
  const casCase = (await c.ok({ kind: "submit", input: "case", text: "Cas's case, for later" })).item;
  // The key question: a proposal chosen, then her own wording.
  await move({ kind: "goto_phase", index: 3 });
  const proposal = (await b.ok({ kind: "submit", input: "key_question", text: "Hoe zeg ik nee?" })).item;
  await a.ok({ kind: "choose_key_question", item: proposal });
  await a.ok({ kind: "submit", input: "key_question", text: "Hoe bewaak ik mijn grens?" });
  // Advice: private reactions, shared, one more while shared, hidden again; a reordered round.
  await move({ kind: "goto_phase", index: 4 });
  const adv1 = (await b.ok({ kind: "submit", input: "advice", text: "Zeg het meteen." })).item;
  const adv2 = (await c.ok({ kind: "submit", input: "advice", text: "Schrijf het op." })).item;
  await a.ok({ kind: "react", item: adv1, reaction: { temperature: "warm", useful: false } });
  await a.ok({ kind: "share_reactions", shared: true });
  await a.ok({ kind: "react", item: adv2, reaction: { temperature: "lukewarm", useful: true } });
  await a.ok({ kind: "share_reactions", shared: false });
  const pending = fac.view.round.order.filter((/** @type {number} */ m) => !fac.view.round.done.includes(m));
  await fac.ok({ kind: "reorder_round", order: [...pending].reverse() });
  await fac.ok({ kind: "set_co_facilitator", member: wc.member, on: true });
  await c.ok({ kind: "extend_timer", seconds: 60 });
  await fac.ok({ kind: "set_co_facilitator", member: wc.member, on: false });
  // Evaluation: a commitment carried, the process rated by three.
  await move({ kind: "goto_phase", index: 5 });
  const commitment = (await a.ok({ kind: "submit", input: "commitment", text: "Ik bel maandag." })).item;
  await a.ok({ kind: "carry_commitment", item: commitment, carry: true });
  for (const cl of [a, b, c]) await cl.ok({ kind: "rate_process", scores: [4, 4, 5, 3], remark: null });
  await b.ok({ kind: "rate_process", scores: [5, 5, 5, 5], remark: "Fijn tempo" });
  // The second case chooses Cas's earlier proposal, then one of its own instead.
  await move({ kind: "start_case", method: "incident", case_bringer: null });
  await fac.ok({ kind: "choose_case", case: casCase, keep_others: false });
  const bramCase = (await b.ok({ kind: "submit", input: "case", text: "Bram's incident" })).item;
  await fac.ok({ kind: "choose_case", case: bramCase, keep_others: false });
  // A third case, gossip: Cas listens and keeps her notepad.
  await move({ kind: "start_case", method: "gossip", case_bringer: wc.member });
  await move({ kind: "goto_phase", index: 2 });
  await c.ok({ kind: "submit", input: "notepad", text: "Alleen voor mij." });
  await b.ok({ kind: "submit", input: "analysis", text: "Ze twijfelt." });

  const last = fac.seq;
  for (const cl of everyone) await cl.caughtUp(last);
  assert.equal(c.view.me.notepad.length, 1, "the notepad comes with the acknowledgement");
  assert.equal(b.view.me.notepad.length, 0);
  const chosen = a.view.items.filter((/** @type {any} */ i) => i.kind === "case" && i.chosen).map((/** @type {any} */ i) => i.id);
  assert.deepEqual(chosen, [bramCase], "an earlier proposal chosen and replaced is unchosen again");
  const fresh = [
    await assertSameAsFresh(a, wa.resume_token, "first case-bringer"),
    await assertSameAsFresh(b, wb.resume_token, "second case-bringer"),
    await assertSameAsFresh(c, wc.resume_token, "listening third case-bringer"),
    await assertSameAsFresh(fac, created.facilitator_token, "facilitator"),
  ];
  const screen2 = new WsClient(server.url, code);
  await screen2.connect({ as: "screen", token: created.facilitator_token });
  await screen.caughtUp(screen2.welcomeMsg.seq);
  assert.deepEqual(screen.view, screen2.view, "screen");
  for (const cl of [...fresh, screen, screen2]) cl.close();
});

test("a resume with the last sequence replays exactly the missed events", async () => {
  const created = await createSession(server.url);
  const fac = new WsClient(server.url, created.code);
  await fac.connect({ as: "facilitator", token: created.facilitator_token, name: "F" });
  const a = new WsClient(server.url, created.code);
  const w = await a.connect({ as: "member", name: "A" });
  await fac.ok({ kind: "start_session" });
  await a.caughtUp(fac.seq);
  const kept = { view: a.view, seq: a.seq, epoch: a.welcomeMsg.epoch };
  a.kill();
  const b = new WsClient(server.url, created.code);
  await b.connect({ as: "member", name: "B" });
  await b.ok({ kind: "submit", input: "case", text: "Missed while away" });
  await fac.ok({ kind: "extend_timer", seconds: 120 });
  const back = new WsClient(server.url, created.code);
  back.view = kept.view;
  back.seq = kept.seq;
  const welcome = await back.connect({ as: "resume", token: w.resume_token, epoch: kept.epoch, last_seq: kept.seq });
  assert.equal(welcome.view, null, "replay instead of a full view");
  await back.caughtUp(welcome.seq);
  const fresh = new WsClient(server.url, created.code);
  await fresh.connect({ as: "resume", token: w.resume_token });
  assert.deepEqual(back.view, fresh.view);
  for (const cl of [fac, b, fresh]) cl.close();
});

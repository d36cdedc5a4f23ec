// The session as this client sees it: a `SessionView` from `welcome`, kept current by applying
// events exactly as the engine does (`engine/src/apply.rs` evolves the state, `view.rs`
// projects it). The rule: the view a client builds from events equals the view a fresh
// `welcome` would give. No DOM and no clock here, so Node tests import it directly.
//
// A few parts of the view cannot come from public events, because the server strips who did
// what: my anonymous items, my votes and the text of my unrevealed notes. Those come from the
// acknowledgements of my own commands (`applyAck`).

import { MAX_CHARS, NAME_MAX_CHARS, TEXT_KINDS } from "./wire.js";

/** @typedef {import('./protocol').SessionView} SessionView */
/** @typedef {import('./protocol').Event} Event */
/** @typedef {import('./protocol').Item} Item */
/** @typedef {import('./protocol').MemberId} MemberId */
/** @typedef {import('./protocol').ItemId} ItemId */
/** @typedef {import('./protocol').Role} Role */
/** @typedef {import('./protocol').InputKind} InputKind */
/** @typedef {import('./protocol').PhaseTemplate} PhaseTemplate */
/** @typedef {import('./protocol').MethodTemplate} MethodTemplate */
/** @typedef {import('./protocol').Command} Command */
/** @typedef {import('./protocol').Reaction} Reaction */
/** @typedef {import('./protocol').ReactionEntry} ReactionEntry */
/** @typedef {import('./protocol').Ack} Ack */
/** @typedef {import('./protocol').Sequenced} Sequenced */

/**
 * Applies one event to a copy of `view`.
 * @param {SessionView} view
 * @param {Sequenced} sequenced
 * @returns {SessionView}
 */
export function applyEvent(view, sequenced) {
  return applyEvents(view, [sequenced]);
}

/**
 * Applies events in order to a copy of `view`.
 * @param {SessionView} view
 * @param {readonly Sequenced[]} events
 * @returns {SessionView}
 */
export function applyEvents(view, events) {
  const next = structuredClone(view);
  for (const { at, event } of events) mutate(next, at, event);
  return next;
}

/**
 * @param {SessionView} v
 * @param {number} at
 * @param {Event} e
 */
function mutate(v, at, e) {
  switch (e.kind) {
    case "member_joined":
      if (!v.members.some((m) => m.id === e.member.id)) {
        v.members.push({
          id: e.member.id,
          name: e.member.name,
          role: e.member.role,
          online: false,
          speaking_ms: 0,
          in_turns: true,
          co_facilitator: false,
        });
      }
      refreshRoles(v);
      break;
    case "member_renamed": {
      const m = member(v, e.member);
      if (m) m.name = e.name;
      break;
    }
    case "role_changed": {
      const m = member(v, e.member);
      if (m) m.role = e.role;
      const round = v.cases ? v.cases[v.case_round] : undefined;
      if (e.role === "case_bringer" && round) {
        if (round.case_bringer !== e.member) {
          // A new case-bringer of this case does not inherit the previous one's reactions.
          const ids = new Set(
            v.items.filter((i) => i.case_round === v.case_round).map((i) => i.id),
          );
          v.reactions = v.reactions.filter((r) => !ids.has(r.item));
          if (round.case_bringer === v.me.member)
            v.me.reactions = v.me.reactions.filter((r) => !ids.has(r.item));
          round.reactions_shared = false;
        }
        round.case_bringer = e.member;
      }
      refreshRoles(v);
      break;
    }
    case "member_removed":
      takeOutOfTurns(v, e.member);
      v.members = v.members.filter((m) => m.id !== e.member);
      refreshRoles(v);
      break;
    case "phase_changed":
      if (v.status === "lobby") v.status = "running";
      v.phase = {
        index: e.index,
        seq: e.phase_seq,
        started_at: at,
        deadline: e.deadline,
        time_up: false,
        paused_left: null,
        turn_limit: null,
        votes_revealed: false,
      };
      v.hands = [];
      v.floor = null;
      v.round = e.round.length > 0 ? { order: [...e.round], done: [], passed: [] } : null;
      const running = v.cases ? v.cases[v.case_round] : undefined;
      if (running && running.started_at === null) running.started_at = at;
      break;
    case "timer_changed":
      if (v.phase) {
        v.phase.deadline = e.deadline;
        v.phase.time_up = false;
        v.phase.paused_left = null;
      }
      break;
    case "timer_paused":
      if (v.phase) {
        v.phase.deadline = null;
        v.phase.time_up = false;
        v.phase.paused_left = e.left_ms;
      }
      break;
    case "turn_limit_set":
      if (v.phase) v.phase.turn_limit = e.seconds;
      break;
    case "votes_revealed":
      if (v.phase) v.phase.votes_revealed = true;
      break;
    case "time_up":
      if (v.phase && v.phase.seq === e.phase_seq) v.phase.time_up = true;
      break;
    case "session_ended":
      v.status = "ended";
      v.hands = [];
      v.floor = null;
      break;
    case "room_locked":
      v.locked = e.locked;
      break;
    case "hand_raised":
      if (!v.hands.includes(e.member)) v.hands.push(e.member);
      break;
    case "hand_lowered":
      v.hands = v.hands.filter((m) => m !== e.member);
      break;
    case "floor_given":
      v.floor = { member: e.member, since: at };
      break;
    case "floor_ended": {
      const m = member(v, e.member);
      if (m) m.speaking_ms = e.speaking_ms;
      if (v.floor && v.floor.member === e.member) v.floor = null;
      break;
    }
    case "round_started":
      v.round = { order: [...e.order], done: [], passed: [] };
      break;
    case "round_turn_done":
      if (v.round && !v.round.done.includes(e.member)) {
        v.round.done.push(e.member);
        if (e.passed) v.round.passed.push(e.member);
      }
      break;
    case "left_turns": {
      takeOutOfTurns(v, e.member);
      const m = member(v, e.member);
      if (m) m.in_turns = false;
      break;
    }
    case "rejoined_turns": {
      const m = member(v, e.member);
      if (m) m.in_turns = true;
      break;
    }
    case "item_added": {
      // The engine stamps an item with its event's time.
      const item = { ...e.item, at };
      v.items.push(item);
      refreshMine(v);
      break;
    }
    case "item_voted": {
      const i = item(v, e.item);
      if (i) i.votes = e.votes;
      break;
    }
    case "item_triaged": {
      const i = item(v, e.item);
      if (i) i.status = e.status;
      break;
    }
    case "item_hidden": {
      const index = v.items.findIndex((i) => i.id === e.item);
      if (index < 0) break;
      const current = v.items[index];
      if (!e.hidden && e.restored) {
        // The restored copy is the public form; it carries the text members never saw.
        v.items[index] = { ...e.restored, hidden: false };
      } else {
        current.hidden = e.hidden;
        // Hidden text is withheld from everyone but the facilitator, who keeps reading it.
        if (e.hidden && v.me.role !== "facilitator") current.text = null;
      }
      const note = v.me.notes.find((n) => n.id === e.item);
      if (note) note.hidden = e.hidden;
      break;
    }
    case "item_reacted":
      // Only shared reactions carry anything; my own come with my acknowledgement.
      if (e.shared && e.item !== null && e.reaction !== null) {
        v.reactions = upsertReaction(v.reactions, { item: e.item, reaction: e.reaction });
      }
      break;
    case "reactions_shared": {
      const round = v.cases ? v.cases[e.case_round] : undefined;
      if (round) round.reactions_shared = e.shared;
      for (const r of e.reactions) v.reactions = upsertReaction(v.reactions, r);
      if (!e.shared) {
        // Hidden again: what this case's reactions showed goes (the case-bringer keeps hers in
        // `me.reactions`).
        const ids = new Set(v.items.filter((i) => i.case_round === e.case_round).map((i) => i.id));
        v.reactions = v.reactions.filter((r) => !ids.has(r.item));
      }
      break;
    }
    case "note_taken":
      break;
    case "key_question_chosen": {
      for (const i of v.items) {
        if (i.kind === "key_question" && i.case_round === v.case_round) i.chosen = i.id === e.item;
      }
      const round = v.cases ? v.cases[v.case_round] : undefined;
      if (round) round.key_question = e.item;
      break;
    }
    case "round_reordered":
      if (v.round) v.round.order = [...e.order];
      break;
    case "commitment_carried": {
      const i = item(v, e.item);
      if (i) i.kept = e.carry;
      break;
    }
    case "process_rated": {
      const round = v.cases ? v.cases[e.case_round] : undefined;
      if (round) round.process_count = e.count;
      break;
    }
    case "co_facilitator_set": {
      const m = member(v, e.member);
      if (m) m.co_facilitator = e.on;
      break;
    }
    case "case_round_started":
      v.case_round = e.index;
      v.method = e.method;
      v.cases.push({
        index: e.index,
        method_id: e.method.id,
        method_name: e.method.name,
        case_bringer: e.case_bringer,
        started_at: at,
        case: null,
        key_question: null,
        reactions_shared: false,
        process_count: 0,
      });
      break;
    case "item_withdrawn":
      v.items = v.items.filter((i) => i.id !== e.item);
      v.me.votes = v.me.votes.filter((id) => id !== e.item);
      v.me.notes = v.me.notes.filter((n) => n.id !== e.item);
      // A reaction goes with its item.
      v.reactions = v.reactions.filter((r) => r.item !== e.item);
      v.me.reactions = v.me.reactions.filter((r) => r.item !== e.item);
      refreshMine(v);
      break;
    case "case_chosen": {
      // Only this case round's earlier choice is undone (it may have been proposed in an
      // earlier round); the cases earlier rounds chose stay chosen.
      const round = v.cases[v.case_round];
      const previous = round ? round.case : null;
      for (const i of v.items) {
        if (i.kind === "case" && (i.id === previous || i.id === e.case)) i.chosen = i.id === e.case;
      }
      if (round) round.case = e.case;
      break;
    }
    case "case_kept": {
      const i = item(v, e.case);
      if (i) i.kept = e.keep;
      break;
    }
    case "notes_revealed":
      for (const note of e.notes) {
        const i = item(v, note.id);
        if (i) {
          i.revealed = true;
          // The public copy carries the text now (withheld only when the note is hidden).
          i.text = note.text;
        }
      }
      v.me.notes = v.me.notes.filter((n) => !e.notes.some((r) => r.id === n.id));
      break;
    case "presence_confirmed":
      if (!v.attendance.confirmed.includes(e.member)) v.attendance.confirmed.push(e.member);
      break;
    // The text is never in the event; my own comes from my acknowledged command.
    case "reflection_written":
      break;
    case "list_confirmed":
      v.attendance.list_confirmed_at = at;
      break;
    // A corrected list is confirmed anew; the minutes themselves are read over HTTP.
    case "minutes_set":
      v.attendance.list_confirmed_at = null;
      break;
    case "warning_shown":
    case "warning_overridden":
      // The facilitator's tally; nobody else keeps one.
      if (v.me.role === "facilitator")
        countWarning(v, e.warning, e.kind === "warning_shown" ? "shown" : "sent_anyway");
      break;
    default: {
      /** @type {never} */
      const unknown = e;
      void unknown;
    }
  }
}

/** The order the server keeps the tally in (`Warning` in the protocol). */
export const WARNINGS = /** @type {const} */ ([
  "advice_question",
  "advice_statement",
  "not_a_question",
  "advice_in_analysis",
]);

/**
 * @param {SessionView} v
 * @param {import('./protocol').Warning} warning
 * @param {"shown" | "sent_anyway"} field
 */
function countWarning(v, warning, field) {
  const tally = v.me.warnings ?? [];
  let row = tally.find((r) => r.warning === warning);
  if (!row) {
    row = { warning, shown: 0, sent_anyway: 0 };
    tally.push(row);
    tally.sort((a, b) => WARNINGS.indexOf(a.warning) - WARNINGS.indexOf(b.warning));
  }
  row[field] += 1;
  v.me.warnings = tally;
}

/**
 * Own items, votes and private notes, from the acknowledgement of my command. `command` is the
 * command the ack answers (the client keeps it until then).
 * @param {SessionView} view
 * @param {Command} command
 * @param {Ack} ack
 * @param {number} [at] the time of the event at `ack.seq` (the engine stamps a note with it),
 *   when the caller applied that event
 * @returns {SessionView}
 */
export function applyAck(view, command, ack, at = Date.now()) {
  const v = structuredClone(view);
  if (command.kind === "submit" && command.input === "notepad") {
    // My notepad: nobody else is ever sent it, so the acknowledgement is where it comes from.
    if (ack.item !== null && !v.me.notepad.some((n) => n.id === ack.item)) {
      const [index, seq] = v.phase ? [v.phase.index, v.phase.seq] : [0, 0];
      v.me.notepad.push({
        id: ack.item,
        kind: "notepad",
        by: v.me.member,
        anonymous: false,
        text: command.text.trim(),
        phase: index,
        phase_seq: seq,
        case_round: v.case_round,
        at,
        reply_to: null,
        votes: 0,
        status: "open",
        hidden: false,
        kept: false,
        chosen: false,
        revealed: false,
      });
    }
  } else if (command.kind === "submit" && ack.item !== null) {
    const added = item(v, ack.item);
    if (added && !v.me.items.includes(ack.item)) {
      v.me.items.push(ack.item);
      refreshMine(v);
    }
    if (added && command.input === "private_note" && !added.revealed) {
      if (!v.me.notes.some((n) => n.id === ack.item)) {
        v.me.notes.push({ ...added, by: v.me.member, text: command.text.trim() });
        v.me.notes.sort(byItemOrder(v));
      }
    }
  } else if (command.kind === "react") {
    // Mine, shared or not; if shared, the public event brings it to `reactions` as well.
    v.me.reactions = upsertReaction(v.me.reactions, {
      item: command.item,
      reaction: command.reaction,
    });
  } else if (command.kind === "rate_process" && !v.me.rated.includes(v.case_round)) {
    v.me.rated.push(v.case_round);
  } else if (command.kind === "vote" && item(v, command.item)) {
    v.me.votes.push(command.item);
  } else if (command.kind === "unvote") {
    const at = v.me.votes.lastIndexOf(command.item);
    if (at >= 0) v.me.votes.splice(at, 1);
  } else if (command.kind === "confirm_presence") {
    // The number is mine alone: the public event does not carry it.
    v.me.registration = command.registration?.trim() || null;
  } else if (command.kind === "write_reflection") {
    v.me.reflection = command.text.trim();
  }
  return v;
}

/**
 * The latest reaction per item; "no reaction" removes it.
 * @param {ReactionEntry[]} list
 * @param {ReactionEntry} entry
 * @returns {ReactionEntry[]}
 */
function upsertReaction(list, entry) {
  const out = list.filter((r) => r.item !== entry.item);
  if (entry.reaction.temperature !== "none" || entry.reaction.useful) out.push(entry);
  return out;
}

/**
 * The case-bringer's reaction to an item, as far as this viewer may see it.
 * @param {SessionView} v
 * @param {ItemId} id
 * @returns {Reaction | null}
 */
export function reactionOf(v, id) {
  const mine = v.me.reactions.find((r) => r.item === id);
  return (mine ?? v.reactions.find((r) => r.item === id))?.reaction ?? null;
}

/**
 * Presence is not sequenced: it arrives live, and `welcome` lists who is online.
 * @param {SessionView} view
 * @param {MemberId} id
 * @param {boolean} online
 */
export function applyPresence(view, id, online) {
  const v = structuredClone(view);
  const m = member(v, id);
  if (m) m.online = online;
  return v;
}

/**
 * @param {SessionView} view
 * @param {readonly MemberId[]} online
 */
export function applyOnline(view, online) {
  const v = structuredClone(view);
  for (const m of v.members) m.online = online.includes(m.id);
  return v;
}

// ---- helpers that keep derived parts of the view in step ----

/**
 * @param {SessionView} v
 * @param {MemberId} id
 */
function member(v, id) {
  return v.members.find((m) => m.id === id);
}

/**
 * @param {SessionView} v
 * @param {ItemId} id
 */
function item(v, id) {
  return v.items.find((i) => i.id === id);
}

/**
 * `case_bringer` is the first member with that role; my own role follows role changes.
 * @param {SessionView} v
 */
function refreshRoles(v) {
  v.case_bringer = v.members.find((m) => m.role === "case_bringer")?.id ?? null;
  if (v.me.member !== null) {
    const me = member(v, v.me.member);
    if (me) v.me.role = me.role;
  }
}

/**
 * `me.items`: items I wrote, in board order. Public items show my id unless anonymous; the
 * anonymous ones are known from the welcome view and from acks.
 * @param {SessionView} v
 */
function refreshMine(v) {
  const known = new Set(v.me.items);
  v.me.items = v.items
    .filter((i) => (i.by !== null && i.by === v.me.member) || known.has(i.id))
    .map((i) => i.id);
}

/** @param {SessionView} v */
function byItemOrder(v) {
  /** @param {Item} a @param {Item} b */
  return (a, b) =>
    v.items.findIndex((i) => i.id === a.id) - v.items.findIndex((i) => i.id === b.id);
}

/**
 * Takes a member out of turn-taking: hand down, out of the pending part of the round, off the
 * floor (the engine recorded `floor_ended` first).
 * @param {SessionView} v
 * @param {MemberId} id
 */
function takeOutOfTurns(v, id) {
  v.hands = v.hands.filter((m) => m !== id);
  if (v.round && !v.round.done.includes(id)) {
    v.round.order = v.round.order.filter((m) => m !== id);
  }
  if (v.floor && v.floor.member === id) v.floor = null;
}

// ---- questions the views ask (mirroring engine/src/permissions.rs) ----

/**
 * @param {SessionView} view
 * @returns {PhaseTemplate | null}
 */
export function currentPhase(view) {
  if (!view.phase) return null;
  return view.method.phases[view.phase.index] ?? null;
}

/**
 * The kinds `role` may submit in `phase` (`permissions::allowed`). In a self-led group
 * (`takesPart`) the facilitator may also write what participants may (`Session::may`).
 * @param {PhaseTemplate} phase
 * @param {Role} role
 * @param {boolean} [takesPart]
 * @returns {readonly InputKind[]}
 */
export function allowed(phase, role, takesPart = false) {
  if (role === "screen") return [];
  if (role === "note_taker" && !phase.allow.note_taker) return phase.allow.participant ?? [];
  if (role === "case_bringer" && phase.case_bringer_listens) return [];
  if (role === "facilitator" && takesPart) {
    return [...new Set([...(phase.allow.facilitator ?? []), ...(phase.allow.participant ?? [])])];
  }
  return phase.allow[role] ?? [];
}

/**
 * Whether `role` may submit `kind` in `phase` (`permissions::may_submit`): the notepad is the
 * case-bringer's where the phase keeps one, never through `allow`.
 * @param {PhaseTemplate} phase
 * @param {Role} role
 * @param {InputKind} kind
 * @param {boolean} [takesPart]
 */
export function maySubmit(phase, role, kind, takesPart = false) {
  if (kind === "notepad") return role === "case_bringer" && phase.case_bringer_notes === true;
  return allowed(phase, role, takesPart).includes(kind);
}

/**
 * Whether this session's facilitator also takes part (a self-led group).
 * @param {SessionView} view
 */
export function facilitatorTakesPart(view) {
  return view.settings.facilitator_takes_part === true;
}

/**
 * Whether I have the facilitator's rights: the facilitator, or a co-facilitator.
 * @param {SessionView} view
 */
export function hasFacilitatorRights(view) {
  if (view.me.role === "facilitator") return true;
  return memberById(view, view.me.member)?.co_facilitator === true;
}

/**
 * Whether a member in `role` can raise a hand or be given the floor in `phase`
 * (`permissions::may_hold_floor`).
 * @param {PhaseTemplate} phase
 * @param {Role} role
 */
export function mayHoldFloor(phase, role) {
  if (phase.turns === "silent") return false;
  if (phase.turns === "case_bringer_only") return role === "case_bringer";
  return !(role === "case_bringer" && phase.case_bringer_listens);
}

/**
 * The items of the running case round.
 * @param {SessionView} view
 */
export function roundItems(view) {
  return view.items.filter((i) => i.case_round === view.case_round);
}

/**
 * The case rounds `member` brought, oldest first.
 * @param {SessionView} view
 * @param {MemberId | null} member
 * @returns {number[]}
 */
export function roundsBroughtBy(view, member) {
  if (member === null) return [];
  return view.cases.filter((c) => c.case_bringer === member).map((c) => c.index);
}

/**
 * Troika's next case-bringer: the first member (join order) who is present, takes turns and
 * has not brought a case in this meeting (`Session::next_rotation`); null when everyone has.
 * @param {SessionView} view
 * @returns {MemberId | null}
 */
export function nextRotation(view) {
  if (!view.method.rotate_case_bringer) return null;
  const brought = new Set(view.cases.map((c) => c.case_bringer));
  const next = view.members.find(
    (m) =>
      ["participant", "note_taker", "case_bringer"].includes(m.role) &&
      m.online &&
      m.in_turns &&
      !brought.has(m.id),
  );
  return next ? next.id : null;
}

/**
 * Indices of phases where `role` may submit `kind` (`permissions::phases_allowing`).
 * @param {MethodTemplate} method
 * @param {Role} role
 * @param {InputKind} kind
 * @returns {number[]}
 */
export function phasesAllowing(method, role, kind) {
  /** @type {number[]} */
  const out = [];
  method.phases.forEach((p, i) => {
    if (maySubmit(p, role, kind)) out.push(i);
  });
  return out;
}

/**
 * Whether hands go up and the floor is given in `phase` (`permissions::has_floor`).
 * @param {PhaseTemplate} phase
 */
export function hasFloor(phase) {
  return phase.turns !== "silent";
}

export { MAX_CHARS, NAME_MAX_CHARS, TEXT_KINDS };

/**
 * A display name as the engine accepts it: trimmed, 1 to 40 characters, no control or format
 * characters (bidi controls, zero-width characters, BOM, tags), something visible. Whether it
 * looks like another member's name only the server can tell (`name_taken`).
 * @param {string} name
 * @returns {string | null}
 */
export function validName(name) {
  const trimmed = name.trim();
  const chars = [...trimmed].length;
  // eslint-disable-next-line no-control-regex
  if (
    chars === 0 ||
    chars > NAME_MAX_CHARS ||
    /[\u0000-\u001f\u007f-\u009f]|\p{Cf}/u.test(trimmed)
  ) {
    return null;
  }
  if (
    /^[\s\p{Cf}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0\u{e0100}-\u{e01ef}]*$/u.test(
      trimmed,
    )
  ) {
    return null;
  }
  return trimmed;
}

/**
 * @param {SessionView} view
 * @param {MemberId | null} id
 */
export function memberById(view, id) {
  return id === null ? undefined : view.members.find((m) => m.id === id);
}

/**
 * A member's speaking time, live for whoever holds the floor.
 * @param {SessionView} view
 * @param {MemberId} id
 * @param {number} serverNow
 */
export function speakingMs(view, id, serverNow) {
  const m = memberById(view, id);
  const total = m ? m.speaking_ms : 0;
  if (view.floor && view.floor.member === id)
    return total + Math.max(0, serverNow - view.floor.since);
  return total;
}

/**
 * My place in the queue of raised hands (1 = next), or 0 when my hand is down.
 * @param {SessionView} view
 * @param {MemberId | null} id
 */
export function queuePlace(view, id) {
  if (id === null) return 0;
  return view.hands.indexOf(id) + 1;
}

/**
 * Members of the round still to speak, in order (the current speaker first when in the round).
 * @param {SessionView} view
 * @returns {MemberId[]}
 */
export function roundPending(view) {
  if (!view.round) return [];
  const done = view.round.done;
  return view.round.order.filter((m) => !done.includes(m));
}

/**
 * Dots I have left for cases.
 * @param {SessionView} view
 */
export function dotsLeft(view) {
  const used = view.me.votes.filter(
    (id) => view.items.find((i) => i.id === id)?.kind === "case",
  ).length;
  return Math.max(0, view.method.dots_per_member - used);
}

/**
 * Whether I voted for an item (a case can hold several of my dots).
 * @param {SessionView} view
 * @param {ItemId} id
 */
export function myVotesFor(view, id) {
  return view.me.votes.filter((v) => v === id).length;
}

/**
 * Items of a kind as a board shows them (withdrawn ones are gone already).
 * @param {SessionView} view
 * @param {InputKind} kind
 */
export function itemsOf(view, kind) {
  return view.items.filter((i) => i.kind === kind);
}

/**
 * Milliseconds left in the time box (negative: over time), or null without a deadline.
 * @param {SessionView} view
 * @param {number} serverNow
 */
export function remainingMs(view, serverNow) {
  if (!view.phase || view.phase.deadline === null || view.status !== "running") return null;
  return view.phase.deadline - serverNow;
}

/**
 * The next phase after the current one where `role` may submit `kind`, or the first one at all.
 * @param {SessionView} view
 * @param {Role} role
 * @param {InputKind} kind
 * @returns {number | null}
 */
export function nextPhaseAllowing(view, role, kind) {
  const indices = phasesAllowing(view.method, role, kind);
  const now = view.phase ? view.phase.index : -1;
  return indices.find((i) => i > now) ?? indices[0] ?? null;
}

// What the unit tests start from: views, and the app's modules as files.

import { readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * The path of every module of the app under `src/`.
 * @returns {string[]}
 */
export function appModules(dir = new URL("../src/", import.meta.url).pathname) {
  /** @type {string[]} */
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...appModules(path));
    else if (entry.name.endsWith(".js")) out.push(path);
  }
  return out;
}

/** @typedef {import('../src/protocol').SessionView} SessionView */

export const L = (/** @type {string} */ s) => ({ nl: s, en: s });

/** @returns {SessionView} */
export function lobby(me = 2, role = /** @type {const} */ ("participant")) {
  return {
    code: "ABCDEFGHJ",
    title: "Intervisie",
    language: "nl",
    method: {
      id: "basic",
      name: L("Basismodel"),
      description: L("d"),
      dots_per_member: 3,
      phases: [
        {
          id: "inventory",
          name: L("Inventaris"),
          instruction: L("i"),
          minutes: 10,
          turns: "free",
          allow: { participant: ["case", "vote"] },
          case_bringer_listens: false,
          max_per_member: {},
        },
        {
          id: "explore",
          name: L("Verkenning"),
          instruction: L("i"),
          minutes: 20,
          turns: "round",
          allow: { participant: ["question"], case_bringer: ["answer"] },
          case_bringer_listens: false,
          max_per_member: {},
        },
        {
          id: "gossip",
          name: L("Roddel"),
          instruction: L("i"),
          minutes: 15,
          turns: "free",
          allow: { participant: ["analysis", "advice"], case_bringer: ["commitment"] },
          case_bringer_listens: true,
          max_per_member: {},
        },
        {
          id: "advice",
          name: L("Advies"),
          instruction: L("i"),
          minutes: 20,
          turns: "silent",
          allow: { participant: ["advice", "private_note"], case_bringer: ["reaction"] },
          case_bringer_listens: false,
          max_per_member: {},
        },
      ],
    },
    status: "lobby",
    phase: null,
    locked: false,
    case_bringer: null,
    members: [
      { id: 1, name: "Bea", role: "facilitator", online: true, speaking_ms: 0, in_turns: true },
      { id: 2, name: "Anna", role, online: true, speaking_ms: 0, in_turns: true },
    ],
    hands: [],
    floor: null,
    round: null,
    items: [],
    report_back: null,
    group_name: null,
    time_zone: "Europe/Amsterdam",
    attendance: { confirmed: [], list_confirmed_at: null },
    case_round: 0,
    cases: [
      {
        index: 0,
        method_id: "basic",
        method_name: L("Basismodel"),
        case_bringer: null,
        started_at: null,
        case: null,
        key_question: null,
        reactions_shared: false,
        process_count: 0,
      },
    ],
    reactions: [],
    me: {
      member: me,
      role,
      votes: [],
      items: [],
      notes: [],
      notepad: [],
      reactions: [],
      rated: [],
      registration: null,
      reflection: null,
    },
  };
}

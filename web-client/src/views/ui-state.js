// What the views remember between renders that is not part of the session's view: what a
// person unfolded, confirmations half-way, drafts of a form, requests under way. It lives in one
// object, built by `createUiState`, rather than in each view module's globals, so that it is
// written down in one place and a test can start from a fresh one.
//
// Entries that concern one room are keyed by its code (a page may open another room later).
// Not here, on purpose: module caches (a view loaded on demand, a help text, a catalog), which
// hold code rather than state, and console.js's guard against binding its keys twice to the
// document, which must outlive any state.

/** @typedef {import('../protocol').MethodTemplate} MethodTemplate */
/** @typedef {import('../protocol').ProcessResults} ProcessResults */
/** @typedef {import('../protocol').Attendance} Attendance */
/** @typedef {import('../api.js').Problem} Problem */

/**
 * The process evaluation's sums as loaded for the facilitator.
 * @typedef {{busy: boolean, problem: Problem | null, data: ProcessResults | null}} ProcessState
 */
/**
 * What happened to the last summary request.
 * @typedef {{
 *   busy: "md" | "html" | null,
 *   problem: Problem | null,
 *   done: {format: "md" | "html", name: string} | null,
 *   link: string | null,
 * }} SummaryState
 */
/**
 * The attendance record as loaded for the facilitator.
 * @typedef {{
 *   busy: boolean,
 *   problem: Problem | null,
 *   data: Attendance | null,
 *   saved: string | null,
 *   asked: boolean,
 *   link?: string | null,
 * }} AttendanceState
 */
/**
 * What happened to a member's last certificate or reflection request.
 * @typedef {{busy: boolean, problem: Problem | null, done: string | null, link: string | null}}
 *   Download
 */

/** A fresh UI state: nothing unfolded, confirmed, drafted or loaded. */
export function createUiState() {
  return {
    boards: {
      /** Questions the case-bringer is answering right now. @type {Set<number>} */
      answering: new Set(),
      /**
       * Boards of earlier phases start folded; the ones a person opened stay open.
       * @type {Set<string>}
       */
      unfolded: new Set(),
      /** The item this person just sent, marked for a moment. @type {number | null} */
      justSent: null,
    },
    cases: {
      /**
       * Two-step confirmations in progress (handing over, starting the next case).
       * @type {Set<string>}
       */
      confirming: new Set(),
      /** Earlier cases a person unfolded. @type {Set<number>} */
      unfoldedCases: new Set(),
      /**
       * What a member chose on the process form so far, per room and case round.
       * @type {Map<string, {scores: number[], remark: string}>}
       */
      processDrafts: new Map(),
      /** The process evaluation's sums, per room. @type {Map<string, ProcessState>} */
      processResults: new Map(),
      /**
       * The built-in methods for the next case (`null` until loaded).
       * @type {MethodTemplate[] | null}
       */
      methodList: null,
      methodsAsked: false,
    },
    composer: {
      /** The session refused anonymous input once: stop offering it. */
      anonymityRefused: false,
      /** When each composer's last text was confirmed (for "Sent"). @type {Map<string, number>} */
      sentAt: new Map(),
    },
    console: {
      /**
       * Two-step confirmations in progress ("end session", "remove member").
       * @type {Set<string>}
       */
      confirming: new Set(),
      /**
       * Minutes typed into "set to" but not set yet: a rebuild of the bar must not lose them.
       * @type {string | null}
       */
      typedMinutes: null,
    },
    home: {
      /**
       * The built-in methods to choose from (`null` until loaded).
       * @type {MethodTemplate[] | null}
       */
      methods: null,
      /** Why they could not be loaded. @type {string | null} */
      methodsError: null,
    },
    participant: {
      /** Optional composers a person unfolded. @type {Set<string>} */
      optionalOpen: new Set(),
    },
    records: {
      /** The summary requests, per room and case round. @type {Map<string, SummaryState>} */
      summaries: new Map(),
      /** The attendance record, per room. @type {Map<string, AttendanceState>} */
      attendances: new Map(),
      /** Certificate and reflection requests, per room and kind. @type {Map<string, Download>} */
      downloads: new Map(),
    },
  };
}

/** @typedef {ReturnType<typeof createUiState>} UiState */

/** This page's UI state, read by every view. */
export const ui = createUiState();

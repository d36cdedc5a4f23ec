// When a member needs what a session leaves behind: small predicates apart from the records
// views (records.js), so that a participant's page loads those views only once it shows one.

import { currentPhase } from "../session-state.js";
import { summaryRounds } from "./cases.js";

/** @typedef {import('../protocol').SessionView} SessionView */

/** The id of the phase a group's next meeting opens with (`engine/src/methods.rs`). */
export const REPORT_BACK_PHASE = "report-back";

/**
 * Whether a case-bringer is offered their summary now: for a case they brought once it is
 * over (the next case started, or the session ended), and already in its last phase (so it can
 * be fetched while everyone is still there). A case-bringer of an earlier case keeps theirs.
 * @param {SessionView} view
 */
export function summaryOffered(view) {
  return summaryRounds(view).length > 0;
}

/**
 * Whether a member is offered to confirm their presence now: in the last phase, and after the
 * end (the server accepts it from the start; someone who must leave early can find it then).
 * @param {SessionView} view
 */
export function attestOffered(view) {
  if (view.me.member === null) return false;
  if (view.status === "ended") return true;
  return (
    view.status === "running" &&
    view.phase !== null &&
    view.phase.index === view.method.phases.length - 1
  );
}

/**
 * Whether the report back is shown prominently now: before the start (what the group brings)
 * and in the report-back phase.
 * @param {SessionView} view
 */
export function reportBackNow(view) {
  if (!view.report_back) return false;
  if (view.status === "lobby") return true;
  return view.status === "running" && currentPhase(view)?.id === REPORT_BACK_PHASE;
}

// What this device does besides showing the session: a chime and a vibration at one minute
// left and when the time is up, a vibration when it is my turn (each off until the person
// turns it on, on this device only), and keeping the screen awake while a session is open.

import { remainingMs } from "./session-state.js";

/** @typedef {import('./protocol').SessionView} SessionView */
/** @typedef {{chime: boolean, vibrateTime: boolean, vibrateTurn: boolean}} Prefs */

const KEY = "kring:prefs";
/** @type {Prefs} */
const DEFAULTS = { chime: false, vibrateTime: false, vibrateTurn: false };

/** @returns {Prefs} */
export function prefs() {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    return {
      chime: raw.chime === true,
      vibrateTime: raw.vibrateTime === true,
      vibrateTurn: raw.vibrateTurn === true,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

/**
 * @param {keyof Prefs} name
 * @param {boolean} on
 */
export function setPref(name, on) {
  const next = { ...prefs(), [name]: on };
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // not remembered; still on for this page
  }
  // Turning the chime on is a click: the moment a browser lets a page start its audio.
  if (name === "chime" && on) void chime("soon");
}

export function canVibrate() {
  return typeof navigator !== "undefined" && typeof navigator.vibrate === "function";
}

/** @param {number | number[]} pattern */
export function vibrate(pattern) {
  if (canVibrate()) navigator.vibrate(pattern);
}

/** @type {AudioContext | null} */
let audio = null;

/**
 * Two short tones (one minute left) or three lower ones (time up), made on the spot: no
 * sound file to download.
 * @param {"soon" | "up"} kind
 */
export async function chime(kind) {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") await audio.resume();
    const tones = kind === "soon" ? [880, 1175] : [660, 523, 392];
    tones.forEach((hz, i) => {
      if (!audio) return;
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      const at = audio.currentTime + i * 0.28;
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + 0.26);
    });
  } catch {
    // no audio here; the timer's colour still says it
  }
}

// A browser starts audio only after the person touched the page; resume on the first touch.
if (typeof document !== "undefined") {
  const wake = () => {
    if (audio && audio.state === "suspended") void audio.resume();
  };
  document.addEventListener("pointerdown", wake, { passive: true });
  document.addEventListener("keydown", wake);
}

/**
 * Watches the time box and the floor and alerts as the person chose: once at one minute left,
 * once at time up (per deadline), and when the floor comes to me.
 */
export class Alerts {
  constructor() {
    /** @type {string | null} */
    this.soonFor = null;
    /** @type {string | null} */
    this.upFor = null;
    /** The start of my turn last seen (`""`: not my turn; `null`: nothing seen yet). */
    /** @type {string | null} */
    this.myTurn = null;
    /** @type {string | null} */
    this.turnUpFor = null;
  }

  /**
   * @param {SessionView} view
   * @param {number} now the server's time now
   * @param {{time: boolean, turnLimitOf: number | null}} scope whether this page alerts about
   *   the phase's time (facilitator, participants) and whose turn limit it watches
   */
  check(view, now, scope) {
    const p = prefs();
    const run = view.phase;
    if (scope.time && run && run.deadline !== null && view.status === "running") {
      const key = `${run.seq}:${run.deadline}`;
      const left = remainingMs(view, now) ?? Infinity;
      if (left <= 0 && this.upFor !== key) {
        this.upFor = key;
        this.soonFor = key;
        if (p.chime) void chime("up");
        if (p.vibrateTime) vibrate([300, 150, 300, 150, 300]);
      } else if (left > 0 && left <= 60_000 && this.soonFor !== key) {
        this.soonFor = key;
        if (p.chime) void chime("soon");
        if (p.vibrateTime) vibrate([200, 100, 200]);
      }
    }
    // The speaker's own time box (in rounds with a turn limit).
    const floor = view.floor;
    const limit = run?.turn_limit ?? null;
    if (
      floor &&
      limit !== null &&
      scope.turnLimitOf !== null &&
      (scope.turnLimitOf === -1 || floor.member === scope.turnLimitOf)
    ) {
      const key = `${floor.member}:${floor.since}`;
      if (now >= floor.since + limit * 1000 && this.turnUpFor !== key) {
        this.turnUpFor = key;
        if (p.chime) void chime("soon");
        if (p.vibrateTime) vibrate([200, 100, 200]);
      }
    }
    // A turn is known by its start, not by whether the floor is mine: checks run on a timer,
    // and a turn that ends and is given again between two checks is still a new turn.
    const turn =
      floor && view.me.member !== null && floor.member === view.me.member
        ? String(floor.since)
        : "";
    if (turn !== "" && this.myTurn !== null && turn !== this.myTurn && p.vibrateTurn)
      vibrate([120, 80, 120]);
    this.myTurn = turn;
  }
}

/** @type {WakeLockSentinel | null} */
let lock = null;
let wantAwake = false;

/**
 * Keeps the screen on while a session page is open (where the browser can): a phone that
 * locks itself mid-round drops out of the session. Asked again when the page is shown again,
 * because browsers release the lock whenever it is hidden.
 * @param {boolean} on
 */
export async function keepAwake(on) {
  wantAwake = on;
  if (!on) {
    await lock?.release().catch(() => {});
    lock = null;
    return;
  }
  if (
    lock ||
    typeof navigator === "undefined" ||
    !("wakeLock" in navigator) ||
    document.visibilityState !== "visible"
  )
    return;
  try {
    lock = await navigator.wakeLock.request("screen");
    lock.addEventListener("release", () => {
      lock = null;
    });
  } catch {
    // refused (battery saver, no user gesture yet): the screen may dim as usual
  }
}

/** Whether the screen is being kept awake right now. */
export function awake() {
  return lock !== null;
}

if (typeof document !== "undefined") {
  document.addEventListener("visibilitychange", () => {
    if (wantAwake && document.visibilityState === "visible") void keepAwake(true);
  });
}

// Icons drawn inline as SVG, so they look the same on every device: emoji need a font the
// projector PC or an old phone may not have, and an icon font would be a third-party asset.
// Each is a 24x24 outline in the text colour; it is decoration (`aria-hidden`), the button or
// text next to it carries the meaning.

const SVG = "http://www.w3.org/2000/svg";

/** Path data (stroked, round caps) per icon. */
const PATHS = /** @type {const} */ ({
  hand: "M8 13V5.5a1.5 1.5 0 0 1 3 0V12 M11 11.5v-8a1.5 1.5 0 0 1 3 0v8 M14 11.5v-6a1.5 1.5 0 0 1 3 0v7 M17 10.5a1.5 1.5 0 0 1 3 0V15a7 7 0 0 1-7 7h-1.2a7 7 0 0 1-5.5-2.7L3.5 15.2a1.6 1.6 0 0 1 2.4-2.1L8 15",
  mic: "M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z M19 11a7 7 0 0 1-14 0 M12 18v3",
  check: "M4.5 12.5l5 5 10-11",
  clock: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M12 7v5l3 2",
  pause: "M9 5v14 M15 5v14",
  play: "M7 4.5v15l12-7.5z",
  plus: "M12 5v14 M5 12h14",
  minus: "M5 12h14",
  next: "M5 5l8 7-8 7 M15 5v14",
  forward: "M4 12h15 M13 6l6 6-6 6",
  skip: "M5 12h9 M10 7l5 5-5 5 M19 5v14",
  more: "M5 12h.01 M12 12h.01 M19 12h.01",
  video:
    "M3 7.5A1.5 1.5 0 0 1 4.5 6h9A1.5 1.5 0 0 1 15 7.5v9a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 3 16.5z M15 10.5l6-3.5v10l-6-3.5",
  help: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M9.5 9.2a2.6 2.6 0 0 1 5 .8c0 1.8-2.5 2.3-2.5 4 M12 17.2h.01",
  settings: "M4 7h10 M18 7h2 M16 5v4 M4 17h3 M11 17h9 M9 15v4",
  offline:
    "M2 8.5a15 15 0 0 1 4.2-2.8 M9.8 4.7A15 15 0 0 1 22 8.5 M5.5 12a10 10 0 0 1 3-1.9 M14 10.3a10 10 0 0 1 4.5 1.7 M9 15.5a5 5 0 0 1 6 0 M12 19.5h.01 M3 3l18 18",
  bell: "M6 16V11a6 6 0 0 1 12 0v5l2 2H4z M10 21h4",
  lock: "M6 11h12v10H6z M8.5 11V8a3.5 3.5 0 0 1 7 0v3",
  unlock: "M6 11h12v10H6z M8.5 11V8a3.5 3.5 0 0 1 6.8-1.2",
  hide: "M3 3l18 18 M10.6 6.1A9.8 9.8 0 0 1 12 6c5 0 8.5 4.5 9.5 6-.5.8-1.6 2.3-3.2 3.6 M6.4 7.5C4.6 8.8 3.2 10.6 2.5 12c1 1.5 4.5 6 9.5 6 1.3 0 2.5-.3 3.6-.8 M9.9 10a3 3 0 0 0 4.1 4.1",
  show: "M2.5 12c1-1.5 4.5-6 9.5-6s8.5 4.5 9.5 6c-1 1.5-4.5 6-9.5 6s-8.5-4.5-9.5-6z M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
  heart: "M12 20s-7.5-4.6-7.5-10A4.2 4.2 0 0 1 12 7.6 4.2 4.2 0 0 1 19.5 10c0 5.4-7.5 10-7.5 10z",
  park: "M7 20V4h6a4.5 4.5 0 0 1 0 9H7",
  pencil: "M4 20h4L19 9l-4-4L4 16z M13.5 6.5l4 4",
  send: "M4 12l16-8-6 16-3-7z M11 13l9-9",
  screen: "M3 5h18v11H3z M8 20h8 M12 16v4",
  users:
    "M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z M2.5 20a6.5 6.5 0 0 1 13 0 M16 4.3a3.5 3.5 0 0 1 0 6.4 M18 14a6.5 6.5 0 0 1 3.5 6",
  close: "M6 6l12 12 M18 6L6 18",
  star: "M12 3.5l2.6 5.4 5.9.8-4.3 4.1 1 5.8-5.2-2.8-5.2 2.8 1-5.8-4.3-4.1 5.9-.8z",
  round: "M20 12a8 8 0 1 1-2.3-5.7 M20 4v4.5h-4.5",
  stop: "M6 6h12v12H6z",
  dot: "M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
  info: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M12 11v6 M12 7.5h.01",
});

/** @typedef {keyof typeof PATHS} IconName */

/**
 * An icon as an inline SVG element (decorative).
 * @param {IconName} name
 * @param {string} [extraClass]
 * @returns {SVGSVGElement}
 */
export function icon(name, extraClass) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", extraClass ? `icon ${extraClass}` : "icon");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", PATHS[name]);
  svg.appendChild(path);
  return svg;
}

export const ICONS = /** @type {IconName[]} */ (Object.keys(PATHS));

// The pages are lists of sections, kept in step with the view by `syncList`: a section whose
// signature did not change keeps its element (and with it focus, open details, scroll). The
// signature is derived here from what the section declares it shows, plus the language every
// section is written in, so no view writes one by hand (or forgets the language in it).

import { syncList } from "../dom.js";
import { language } from "../i18n/index.js";

/**
 * A part of a page: its key in the list, the signature of what it shows, and how to build it.
 * @typedef {{key: string, sig: string, build: () => HTMLElement}} Section
 */

/**
 * A section that is rebuilt when one of its inputs changes, compared by value (the view is a
 * fresh copy after every event, so sameness of objects would say nothing). `build` must show
 * nothing but what `inputs` holds; anything it reads from elsewhere belongs in them.
 * @param {string} key
 * @param {readonly unknown[]} inputs
 * @param {() => HTMLElement} build
 * @returns {Section}
 */
export function section(key, inputs, build) {
  return { key, sig: JSON.stringify([language(), ...inputs]), build };
}

/**
 * Puts `sections` into `container`, rebuilding only those whose inputs changed.
 * @param {Element} container
 * @param {readonly Section[]} sections
 */
export function syncSections(container, sections) {
  syncList(
    container,
    sections,
    (s) => s.key,
    (s) => s.sig,
    (s) => s.build(),
  );
}

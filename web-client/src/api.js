// Every HTTP call of the app goes through this module (test/api.test.js fails when another
// module calls `fetch`): creating a session, the methods, the join page's preview, and the reads
// that need a token (the case-bringer's summary, the facilitator's attendance record, a member's
// certificate and reflection, the process evaluation); and handing their results to the person:
// a file to save, or a printable page in a new tab. Requests and replies are typed against the
// generated protocol types.
//
// The token goes in an `Authorization` header, never in a URL. Failed reads count as guesses on
// the server (too many give 429), so nothing here retries by itself.

import { h } from "./dom.js";

/** @typedef {import('./protocol').Attendance} Attendance */
/** @typedef {import('./protocol').ProcessResults} ProcessResults */
/** @typedef {import('./protocol').MethodTemplate} MethodTemplate */
/** @typedef {"md" | "html"} SummaryFormat */

/**
 * What went wrong, as a catalog key under `download.`.
 * @typedef {"noToken" | "forbidden" | "gone" | "tooMany" | "failed" | "notEnded" | "notConfirmed"} Problem
 */

/**
 * The result of a read: the response body, or what went wrong.
 * @template T
 * @typedef {{ok: true, value: T} | {ok: false, problem: Problem}} Result
 */

/**
 * Why a read failed, from its HTTP status.
 * @param {number} status
 * @returns {Problem}
 */
export function problemOf(status) {
  switch (status) {
    case 401:
      return "noToken";
    case 403:
      return "forbidden";
    case 404:
      return "gone";
    case 429:
      return "tooMany";
    default:
      return "failed";
  }
}

/**
 * `GET path` with the token as a bearer token.
 * @param {string} path
 * @param {string | null} token
 * @returns {Promise<Result<Response>>}
 */
async function authorizedGet(path, token) {
  if (!token) return { ok: false, problem: "noToken" };
  try {
    const res = await fetch(path, {
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
    });
    if (res.ok) return { ok: true, value: res };
    if (res.status === 409) {
      // Not yet: the body's code says why (the session has not ended, presence not confirmed).
      const body = await res.json().catch(() => null);
      if (body?.code === "not_ended") return { ok: false, problem: "notEnded" };
      if (body?.code === "not_confirmed") return { ok: false, problem: "notConfirmed" };
    }
    return { ok: false, problem: problemOf(res.status) };
  } catch {
    return { ok: false, problem: "failed" };
  }
}

/**
 * What the join page shows before asking a name: the session's title, or why there is none
 * (`404`: no open session with this code; `429`: too many wrong codes from here; `0`: no
 * connection).
 * @param {string} code canonical room code
 * @returns {Promise<{ok: true, preview: import('./protocol').SessionPreview} | {ok: false, status: number}>}
 */
export async function fetchPreview(code) {
  try {
    const res = await fetch(`/api/sessions/${code}/preview`, { cache: "no-store" });
    if (!res.ok) return { ok: false, status: res.status };
    return { ok: true, preview: await res.json() };
  } catch {
    return { ok: false, status: 0 };
  }
}

/**
 * The case-bringer's summary as Markdown or as a printable page.
 * @param {string} code canonical room code
 * @param {string | null} token the member's resume token
 * @param {SummaryFormat} format
 * @param {number | null} [caseRound] which of the member's case rounds (default: the latest)
 * @param {import('./protocol').Language} [lang]
 * @returns {Promise<Result<string>>}
 */
export async function fetchSummary(code, token, format, caseRound = null, lang = "nl") {
  // Dates in the summary are the reader's local ones, its words in the reader's language.
  const offset = -new Date().getTimezoneOffset();
  const which = caseRound === null ? "" : `&case=${caseRound}`;
  const res = await authorizedGet(
    `/api/sessions/${code}/summary?format=${format}&offset=${offset}&lang=${lang}${which}`,
    token,
  );
  if (!res.ok) return res;
  try {
    return { ok: true, value: await res.value.text() };
  } catch {
    return { ok: false, problem: "failed" };
  }
}

/**
 * The attendance record (no content: names, roles, when, how long).
 * @param {string} code
 * @param {string | null} token the facilitator token
 * @returns {Promise<Result<Attendance>>}
 */
export async function fetchAttendance(code, token) {
  const res = await authorizedGet(`/api/sessions/${code}/attendance`, token);
  if (!res.ok) return res;
  try {
    return { ok: true, value: /** @type {Attendance} */ (await res.value.json()) };
  } catch {
    return { ok: false, problem: "failed" };
  }
}

/**
 * The built-in methods, or `null` when they cannot be loaded (no connection, a server error).
 * @returns {Promise<MethodTemplate[] | null>}
 */
export async function fetchMethodList() {
  try {
    const res = await fetch("/api/methods");
    if (!res.ok) return null;
    return /** @type {import('./protocol').MethodList} */ (await res.json()).methods;
  } catch {
    return null;
  }
}

/**
 * The built-in methods (for starting the next case of a meeting); an empty list when they
 * cannot be loaded (the current method is still offered).
 * @returns {Promise<MethodTemplate[]>}
 */
export async function fetchMethods() {
  return (await fetchMethodList()) ?? [];
}

/**
 * What creating a session gave: the new session's code and tokens; or the server's refusal
 * (`problem`, whose `field` names the input at fault), `null` when there was no answer to read
 * (no connection, or a reply that is not an API error).
 * @typedef {{ok: true, created: import('./protocol').SessionCreated}
 *   | {ok: false, problem: import('./protocol').ApiError | null}} Created
 */

/**
 * `POST /api/sessions`: a new session (no token needed; the server limits how many an address
 * may create).
 * @param {import('./protocol').CreateSession} body
 * @returns {Promise<Created>}
 */
export async function createSession(body) {
  try {
    const res = await fetch("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) {
      const problem = /** @type {import('./protocol').ApiError | null} */ (
        await res.json().catch(() => null)
      );
      return { ok: false, problem };
    }
    return {
      ok: true,
      created: /** @type {import('./protocol').SessionCreated} */ (await res.json()),
    };
  } catch {
    return { ok: false, problem: null };
  }
}

/**
 * The process evaluation's sums (the facilitator and co-facilitators): only rounds that at
 * least three members answered.
 * @param {string} code
 * @param {string | null} token the member's resume token (the facilitator token for the facilitator)
 * @returns {Promise<Result<ProcessResults>>}
 */
export async function fetchProcess(code, token) {
  const res = await authorizedGet(`/api/sessions/${code}/process`, token);
  if (!res.ok) return res;
  try {
    return { ok: true, value: /** @type {ProcessResults} */ (await res.value.json()) };
  } catch {
    return { ok: false, problem: "failed" };
  }
}

/**
 * The attendance record as CSV, as the server writes it (spreadsheet formulas defused).
 * @param {string} code
 * @param {string | null} token
 * @returns {Promise<Result<string>>}
 */
export async function fetchAttendanceCsv(code, token) {
  const res = await authorizedGet(`/api/sessions/${code}/attendance?format=csv`, token);
  if (!res.ok) return res;
  try {
    return { ok: true, value: await res.value.text() };
  } catch {
    return { ok: false, problem: "failed" };
  }
}

/**
 * A member's certificate of participation (a printable page), once the session has ended and
 * they confirmed their presence.
 * @param {string} code
 * @param {string | null} token the member's resume token
 * @returns {Promise<Result<string>>}
 */
export async function fetchCertificate(code, token) {
  return text(await authorizedGet(`/api/sessions/${code}/certificate`, token));
}

/**
 * A member's one-page record with their reflection, as a printable page or plain text.
 * @param {string} code
 * @param {string | null} token the member's resume token
 * @param {"html" | "text"} format
 * @returns {Promise<Result<string>>}
 */
export async function fetchReflection(code, token, format) {
  return text(await authorizedGet(`/api/sessions/${code}/reflection?format=${format}`, token));
}

/**
 * The attendance list as a printable page.
 * @param {string} code
 * @param {string | null} token the facilitator token
 * @returns {Promise<Result<string>>}
 */
export async function fetchAttendanceHtml(code, token) {
  return text(await authorizedGet(`/api/sessions/${code}/attendance?format=html`, token));
}

/**
 * The body of a successful read as text. A refusal the server explains with a code (e.g.
 * `not_ended`) becomes that problem.
 * @param {Result<Response>} res
 * @returns {Promise<Result<string>>}
 */
async function text(res) {
  if (!res.ok) return res;
  try {
    return { ok: true, value: await res.value.text() };
  } catch {
    return { ok: false, problem: "failed" };
  }
}

/**
 * A file name from a session title: `kring-summary-team-noord.md`. Letters of any script stay;
 * everything else becomes a dash.
 * @param {string} prefix
 * @param {string} title
 * @param {string} ext
 */
export function fileName(prefix, title, ext) {
  const slug = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `${prefix}${slug ? `-${slug}` : ""}.${ext}`;
}

/**
 * The server's printable page, ready to be shown from a Blob URL. Such a document keeps this
 * app's Content-Security-Policy, but its address (`blob:...`) cannot resolve the relative link
 * to `/summary.css` (and `<base>` is forbidden by `base-uri 'none'`), so the stylesheet link is
 * made absolute. Nothing else in the page is touched: the server has escaped every text.
 * @param {string} html
 * @param {string} origin e.g. `https://kring.example`
 */
export function printableHtml(html, origin) {
  return html.replace(
    /(<link\b[^>]*\bhref=")\/(summary|records)\.css"/,
    (_, start, name) => `${start}${origin}/${name}.css"`,
  );
}

/**
 * Minutes present, as the CSV counts them (whole minutes, rounded down).
 * @param {number} ms
 */
export function wholeMinutes(ms) {
  return Math.floor(Math.max(0, ms) / 60_000);
}

/** How long a Blob URL stays valid after use (long enough for a slow tab to load it). */
const BLOB_URL_MS = 60_000;

/**
 * A Blob URL for `text`, revoked after a minute.
 * @param {string} text
 * @param {string} type
 */
function blobUrl(text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_MS);
  return url;
}

/**
 * Hands `text` to the browser as a file download.
 * @param {string} text
 * @param {string} type MIME type
 * @param {string} name file name
 */
export function saveFile(text, type, name) {
  const link = h(
    "a",
    { href: blobUrl(text, type), download: name, class: "visually-hidden" },
    name,
  );
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/**
 * Opens the printable summary in a new tab. Returns a link to open it with when the browser
 * blocked the new tab (a pop-up blocker, once the click is too long ago).
 * @param {string} html the server's page
 * @returns {string | null} a Blob URL to offer as a link, or null when the tab opened
 */
export function openPrintable(html) {
  const url = blobUrl(printableHtml(html, location.origin), "text/html;charset=utf-8");
  // Not `noopener`: with it the result is always null, and a blocked tab would go unnoticed.
  // The page has no scripts; the link back is cut anyway.
  const tab = window.open(url, "_blank");
  if (!tab) return url;
  tab.opener = null;
  return null;
}

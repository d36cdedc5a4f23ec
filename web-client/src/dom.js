// The only way this app makes DOM: `h(tag, attrs, ...children)`.
//
// User text (names, questions, advice) only ever becomes a text node or an attribute value;
// nothing here parses HTML, and properties that would (`innerHTML`, `outerHTML`, `srcdoc`) or
// that run code from a string (`on...="..."`, `javascript:` URLs) are refused. Inline `style`
// attributes are refused too: the Content-Security-Policy blocks them (`style-src 'self'`);
// styles set through `el.style` (CSSOM) are fine and go through the `style` object form.

/** @typedef {string | number | boolean | null | undefined | Node | ChildList} Child */
/** @typedef {Array<Child>} ChildList */
/**
 * @typedef {Object<string, unknown> & {
 *   class?: string | (string | false | null | undefined)[],
 *   style?: Partial<Record<string, string>>,
 *   dataset?: Record<string, string | number | undefined>,
 * }} Attrs
 */

const FORBIDDEN = new Set(["innerhtml", "outerhtml", "srcdoc", "insertadjacenthtml"]);
const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href"]);
/** Properties that must be set as properties, not attributes, to reflect the live state. */
const PROPS = new Set(["value", "checked", "selected", "disabled", "indeterminate"]);

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) setAttrs(el, attrs);
  append(el, children);
  return el;
}

/**
 * @param {HTMLElement} el
 * @param {Attrs} attrs
 */
function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    const lower = name.toLowerCase();
    if (FORBIDDEN.has(lower)) throw new Error(`h(): ${name} is not allowed`);
    if (name === "class") {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : String(value);
    } else if (name === "style") {
      if (typeof value !== "object") throw new Error("h(): style must be an object");
      for (const [prop, v] of Object.entries(/** @type {Record<string, string>} */ (value))) {
        if (v !== undefined) el.style.setProperty(prop, v);
      }
    } else if (name === "dataset") {
      for (const [k, v] of Object.entries(/** @type {Record<string, unknown>} */ (value))) {
        if (v !== undefined) el.dataset[k] = String(v);
      }
    } else if (lower.startsWith("on")) {
      if (typeof value !== "function") throw new Error(`h(): ${name} must be a function`);
      el.addEventListener(lower.slice(2), /** @type {EventListener} */ (value));
    } else if (PROPS.has(name)) {
      /** @type {any} */ (el)[name] = value;
    } else {
      const text = value === true ? "" : String(value);
      if (URL_ATTRS.has(lower) && !safeUrl(text)) throw new Error(`h(): unsafe URL in ${name}`);
      el.setAttribute(name, text);
    }
  }
}

/**
 * Only same-origin paths, http(s), data: images and Blob URLs this page made (downloads).
 * Never `javascript:`.
 * @param {string} url
 */
export function safeUrl(url) {
  const trimmed = url.trim().toLowerCase();
  if (trimmed.startsWith("/") && !trimmed.startsWith("//")) return true;
  if (
    typeof location !== "undefined" &&
    trimmed.startsWith(`blob:${location.origin.toLowerCase()}/`)
  )
    return true;
  return (
    trimmed.startsWith("https:") || trimmed.startsWith("http:") || trimmed.startsWith("data:image/")
  );
}

/**
 * @param {Node} el
 * @param {Child[]} children
 */
export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === true) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/**
 * Replaces the children of `el`.
 * @param {Element} el
 * @param {...Child} children
 */
export function replace(el, ...children) {
  const frag = document.createDocumentFragment();
  append(frag, children);
  keepFocus(el, () => el.replaceChildren(frag));
}

/**
 * Sets a text only when it changed (so screen readers and selections are not disturbed).
 * @param {Element} el
 * @param {string} text
 */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Keeps a keyed list in `container` in step with `items`: an element whose signature did not
 * change is kept as it is (focus, open details and scroll stay); changed ones are rebuilt. The
 * focused control survives a rebuild when it carries a `data-fk` focus key.
 *
 * @template T
 * @param {Element} container
 * @param {readonly T[]} items
 * @param {(item: T) => string} key
 * @param {(item: T) => string} signature
 * @param {(item: T) => HTMLElement} build
 */
export function syncList(container, items, key, signature, build) {
  keepFocus(container, () => {
    /** @type {Map<string, HTMLElement>} */
    const existing = new Map();
    for (const child of Array.from(container.children)) {
      if (child instanceof HTMLElement && child.dataset.key !== undefined) {
        existing.set(child.dataset.key, child);
      } else {
        child.remove();
      }
    }
    /** @type {HTMLElement[]} */
    const next = [];
    for (const item of items) {
      const k = key(item);
      const sig = signature(item);
      const old = existing.get(k);
      if (old && old.dataset.sig === sig) {
        next.push(old);
        existing.delete(k);
      } else {
        const el = build(item);
        el.dataset.key = k;
        el.dataset.sig = sig;
        next.push(el);
      }
    }
    for (const gone of existing.values()) gone.remove();
    // Move only what is out of place, so kept elements are not detached (which loses focus).
    let at = container.firstElementChild;
    for (const el of next) {
      if (el === at) {
        at = at.nextElementSibling;
      } else {
        container.insertBefore(el, at);
      }
    }
  });
}

/**
 * Runs `change` and puts focus back on the control with the same focus key if the change
 * removed the focused element.
 * @param {Element} scope
 * @param {() => void} change
 */
function keepFocus(scope, change) {
  const active = document.activeElement;
  const fk =
    active instanceof HTMLElement && scope.contains(active) ? active.dataset.fk : undefined;
  change();
  if (fk && (!document.activeElement || document.activeElement === document.body)) {
    const again = scope.querySelector(`[data-fk="${CSS.escape(fk)}"]`);
    if (again instanceof HTMLElement) again.focus();
  }
}

/**
 * Copies text to the clipboard; falls back to selecting it for the user where the Clipboard API
 * is missing (plain-http LAN origins are not "secure contexts").
 * @param {string} text
 * @param {HTMLTextAreaElement | HTMLInputElement} [fallback]
 * @returns {Promise<boolean>}
 */
export async function copyText(text, fallback) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection fallback
  }
  if (fallback) {
    fallback.focus();
    fallback.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Loads a style sheet that only some pages use (console, big screen) and waits for it, so the
 * page never shows unstyled. `name` is a file in `styles/`, found next to this module's own
 * (hashed) address.
 * @param {string} name
 * @returns {Promise<void>}
 */
export function loadStyles(name) {
  const href = new URL(`../styles/${name}`, import.meta.url).pathname;
  if (document.querySelector(`link[href="${CSS.escape(href)}"]`)) return Promise.resolve();
  return new Promise((resolve) => {
    const link = h("link", { rel: "stylesheet", href });
    link.addEventListener("load", () => resolve());
    link.addEventListener("error", () => resolve());
    document.head.appendChild(link);
  });
}

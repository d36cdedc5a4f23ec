// The on-screen keyboard must not hide the send button. Where the keyboard only shrinks the
// visual viewport (Safari, and Chrome unless told otherwise), the page does not know it is
// covered: here `visualViewport` tells how much of the page the keyboard covers (`--kb`), a
// composer's footer sticks just above it, and the page scrolls so that the text being typed
// and its send button are both in view.

const MARGIN = 8;

export function watchKeyboard() {
  const vv = window.visualViewport;
  if (!vv) return;
  const measure = () => {
    const covered = Math.max(0, Math.round(window.innerHeight - (vv.height + vv.offsetTop)));
    const root = document.documentElement;
    root.style.setProperty("--kb", `${covered}px`);
    root.classList.toggle("keyboard-open", covered > 80);
  };
  // The keyboard opening or closing moves the page to the send button; scrolling by hand
  // while typing (to read the board) only updates the measure, and is never fought.
  vv.addEventListener("resize", () => {
    measure();
    keepSendInView();
  });
  vv.addEventListener("scroll", measure);
  document.addEventListener("focusin", (e) => {
    if (e.target instanceof HTMLElement && e.target.closest("form.composer")) {
      // After the keyboard has had a moment to open.
      setTimeout(keepSendInView, 60);
      setTimeout(keepSendInView, 350);
    }
  });
  measure();
}

/** Scrolls so the focused composer's field and send button are inside the visual viewport. */
export function keepSendInView() {
  const vv = window.visualViewport;
  const active = document.activeElement;
  if (!vv || !(active instanceof HTMLElement)) return;
  const form = active.closest("form.composer");
  const send = form?.querySelector("button[type=submit]");
  if (!form || !(send instanceof HTMLElement)) return;
  const top = vv.offsetTop + topBarHeight();
  const bottom = vv.offsetTop + vv.height;
  const button = send.getBoundingClientRect();
  const field = active.getBoundingClientRect();
  if (button.bottom > bottom - MARGIN) {
    // The button wins over the start of a long text (which scrolls inside its field).
    window.scrollBy(0, button.bottom - (bottom - MARGIN));
  } else if (field.top < top) {
    window.scrollBy(0, field.top - top - MARGIN);
  }
}

function topBarHeight() {
  const bar = document.querySelector(".bar-slot");
  return bar instanceof HTMLElement ? bar.getBoundingClientRect().height : 0;
}

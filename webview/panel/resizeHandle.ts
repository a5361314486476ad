// A drag handle that resizes something sideways (a list column, the list beside the detail view).
// Mouse, pen and touch drag it (pointer capture, so the drag survives leaving the handle); the
// keyboard works it too: it is a focusable separator (ARIA's role for a splitter) on which ←/→
// move by a step, Shift+←/→ by a larger one, Home/End to the limits. The owner keeps the size,
// sets it where it applies and says what the handle reports (aria-valuenow).
import { el } from '../shared/dom';

export interface ResizeHandleOptions {
  /** Names the handle for assistive technology ("Resize the id column"). */
  label: string;
  className: string;
  /** The current size (what a drag starts from). */
  get: () => number;
  /** Set a new size (clamped by the owner), during a drag or on a key. */
  set: (size: number) => void;
  /** The drag or the key is done: remember the size. */
  commit: () => void;
  /** Pixels per ← / →, and with Shift. */
  step?: number;
  bigStep?: number;
  min: number;
  max: () => number;
  /** Double click: back to the default size. */
  reset?: () => void;
}

/** The handle's element, and how its owner tells it the size changed by other means (what it reports). */
export interface ResizeHandle {
  el: HTMLElement;
  refresh(): void;
}

export function resizeHandle(o: ResizeHandleOptions): ResizeHandle {
  const h = el('div', { class: `resize-handle ${o.className}`, role: 'separator', 'aria-orientation': 'vertical', 'aria-label': o.label, tabindex: '0', title: `${o.label} (drag, or ←/→ when focused; double-click resets)` });
  const show = () => {
    h.setAttribute('aria-valuenow', String(Math.round(o.get())));
    h.setAttribute('aria-valuemin', String(o.min));
    h.setAttribute('aria-valuemax', String(Math.round(o.max())));
  };
  let start: { x: number; size: number } | undefined;
  h.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    h.setPointerCapture(e.pointerId);
    start = { x: e.clientX, size: o.get() };
    h.classList.add('dragging');
  });
  h.addEventListener('pointermove', (e) => {
    if (!start) return;
    o.set(start.size + e.clientX - start.x);
    show();
  });
  const end = (e: PointerEvent) => {
    if (!start) return;
    start = undefined;
    h.classList.remove('dragging');
    if (h.hasPointerCapture(e.pointerId)) h.releasePointerCapture(e.pointerId);
    o.commit();
  };
  h.addEventListener('pointerup', end);
  h.addEventListener('pointercancel', end);
  // A click on the handle must not reach what lies under it (a header, a row).
  h.addEventListener('click', (e) => e.stopPropagation());
  h.addEventListener('dblclick', (e) => {
    e.stopPropagation();
    if (!o.reset) return;
    o.reset();
    show();
    o.commit();
  });
  h.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? (o.bigStep ?? 40) : (o.step ?? 8);
    const to: Record<string, number> = { ArrowLeft: o.get() - step, ArrowRight: o.get() + step, Home: o.min, End: o.max() };
    if (!(e.key in to)) return;
    e.preventDefault();
    e.stopPropagation();
    o.set(to[e.key]);
    show();
    o.commit();
  });
  show();
  return { el: h, refresh: show };
}

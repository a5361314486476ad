// Marking a fragment error from the page: the user selects text inside a response (a model output,
// the reference answer, a pair's side) and presses M. Each such response is one element carrying
// `data-fragment-source` and `data-index`, whose text content is the whole response, so the
// selection's offsets in that text are the offsets the journal stores.
import { request } from './host';
import type { FragmentSource } from './protocol';

function offsetIn(container: Node, node: Node, offset: number): number {
  const r = document.createRange();
  r.setStart(container, 0);
  r.setEnd(node, offset);
  return r.toString().length;
}

function responseOf(n: Node | null): HTMLElement | null {
  const e = n instanceof HTMLElement ? n : n?.parentElement ?? null;
  return e?.closest<HTMLElement>('[data-fragment-source]') ?? null;
}

/** Ask the host to mark the selected fragment; says in `status` why nothing happened. */
export async function markSelection(status: HTMLElement): Promise<void> {
  const sel = document.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) {
    status.textContent = 'Select the faulty text in a response first, then press M.';
    return;
  }
  const range = sel.getRangeAt(0);
  const box = responseOf(range.startContainer);
  if (!box || box !== responseOf(range.endContainer)) {
    status.textContent = 'Select text within one response (a model output, the reference answer or a pair side).';
    return;
  }
  const whole = box.textContent ?? '';
  const start = offsetIn(box, range.startContainer, range.startOffset);
  const end = offsetIn(box, range.endContainer, range.endOffset);
  try {
    const r = await request('markFragment', {
      index: Number(box.dataset.index),
      source: box.dataset.fragmentSource as FragmentSource,
      text: whole,
      start,
      end,
      pairId: box.dataset.pair,
    });
    status.textContent = r.marked ? `Marked “${whole.slice(start, end)}” as an error.` : 'Not marked.';
  } catch (e) {
    status.textContent = (e as Error).message;
  }
}

// Marking a fragment error from the page: the user selects text inside a response (a model output,
// the reference answer, a pair's side) and presses M. Each such response is one element carrying
// `data-fragment-source` and `data-index`, whose text content is the whole response, so the
// selection's offsets in that text are the offsets the journal stores (widened to whole
// characters: never half an emoji). A small form opens under the response: the error kind, the
// correction in a multi-line box (it starts as the fragment, line breaks and all; Ctrl+Enter marks,
// Esc cancels) and an optional note. With a correction that differs from the fragment the mark
// becomes a pair in the review queue.
import { clipText, snapSpan } from '../../src/core/chars';
import { ERROR_KINDS, type ErrorKind } from '../../src/core/toolcall/types';
import { button, focusWhenReady, select, textArea, textField } from '../shared/components';
import { el, text } from '../shared/dom';
import { formKeys } from './formKeys';
import { request } from './host';
import type { FragmentSource } from './protocol';
import { KIND_LABEL } from '../../src/core/toolcall/errorKinds';

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

/** The mark form open now (one at a time), and how to close it. */
let open: { form: HTMLElement; close: (marked: boolean) => void } | undefined;

/** Whether a mark form is open (the page's shortcuts wait). */
export function markFormOpen(): boolean {
  return open !== undefined && open.form.isConnected;
}

/**
 * Open the mark form for the selected fragment; resolves whether a mark was written (false when
 * cancelled or when nothing usable is selected, which `status` then explains).
 */
export function markSelection(status: HTMLElement): Promise<boolean> {
  const sel = document.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) {
    status.textContent = 'Select the faulty text in a response first, then press M.';
    return Promise.resolve(false);
  }
  const range = sel.getRangeAt(0);
  const box = responseOf(range.startContainer);
  if (!box || box !== responseOf(range.endContainer)) {
    status.textContent = 'Select text within one response (a model output, the reference answer or a pair side).';
    return Promise.resolve(false);
  }
  const whole = box.textContent ?? '';
  const { start, end } = snapSpan(whole, offsetIn(box, range.startContainer, range.startOffset), offsetIn(box, range.endContainer, range.endOffset));
  if (end <= start) {
    status.textContent = 'Select the faulty text in a response first, then press M.';
    return Promise.resolve(false);
  }
  open?.close(false);
  return new Promise<boolean>((resolve) => {
    const fragment = whole.slice(start, end);
    const hint = box.dataset.errorKind as ErrorKind | undefined;
    const kind = select(
      'Error kind',
      ERROR_KINDS.map((k) => ({ value: k, label: KIND_LABEL[k] })),
      { className: 'mark-kind' },
    );
    kind.value = hint && ERROR_KINDS.includes(hint) ? hint : 'wrong_value';
    const lines = fragment.split('\n').length;
    const correction = textArea('Correction: what the fragment should be (line breaks kept; leave it as it is to mark without a pair)', {
      className: 'mark-correction',
      rows: Math.min(12, Math.max(2, lines + 1)),
      value: fragment,
    });
    const note = textField('Note (optional)', { className: 'mark-note', placeholder: 'why it is wrong (optional)' });
    const save = button('Mark (Ctrl+Enter)', { className: 'mark-save' });
    const cancel = button('Cancel (Esc)', { secondary: true, className: 'mark-cancel' });
    const form = el(
      'div',
      { class: 'inline-form mark-form', role: 'group', 'aria-label': 'Mark a fragment error' },
      text('div', 'form-title', `Mark “${clipText(fragment, 80)}” as an error`),
      el('label', { class: 'form-row' }, text('span', 'form-label', 'Kind'), kind),
      el('div', { class: 'form-row form-row-wide' }, text('span', 'form-label', 'Correction'), correction),
      el('label', { class: 'form-row' }, text('span', 'form-label', 'Note'), note),
      el('div', { class: 'form-actions' }, save, cancel),
    );
    const back = document.activeElement instanceof HTMLElement ? document.activeElement : box;
    let done = false;
    const close = (marked: boolean): void => {
      if (done) return;
      done = true;
      form.remove();
      if (open?.form === form) open = undefined;
      resolve(marked);
    };
    const submit = async (): Promise<void> => {
      if (done) return;
      try {
        const r = await request('markFragment', {
          index: Number(box.dataset.index),
          source: box.dataset.fragmentSource as FragmentSource,
          text: whole,
          start,
          end,
          pairId: box.dataset.pair,
          kind: kind.value as ErrorKind,
          correction: correction.value,
          note: note.value ?? '',
        });
        status.textContent = r.marked ? `Marked “${fragment}” as ${KIND_LABEL[kind.value as ErrorKind]}${correction.value !== fragment ? ' with a correction (a pair in the queue)' : ''}.` : 'Not marked.';
        close(r.marked);
      } catch (e) {
        status.textContent = (e as Error).message;
      }
    };
    save.addEventListener('click', () => void submit());
    cancel.addEventListener('click', () => {
      close(false);
      back.focus();
    });
    formKeys(form, {
      submit: () => void submit(),
      cancel: () => {
        close(false);
        back.focus();
      },
    });
    open = { form, close };
    box.after(form);
    form.scrollIntoView({ block: 'nearest' });
    focusWhenReady(kind);
  });
}

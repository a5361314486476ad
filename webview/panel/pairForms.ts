// The review queue's inline forms (pairsQueue.ts places them in the pair's detail and closes them):
// reject with a reason (Shift+R: a reason picked with 1–5, a comment) and edit the chosen side (E:
// the checker's verdict on the text follows as you type); and its toolbar's filters and sample id field.
import { button, select, textArea, textField, type Select, type SelectOption, type TextField } from '../shared/components';
import { el, text } from '../shared/dom';
import { REJECT_REASON_LABEL, REJECT_REASONS, type RejectReason } from '../../src/core/pairs/reasons';
import { ERROR_KINDS, type ErrorKind } from '../../src/core/toolcall/types';
import { KIND_LABEL } from '../../src/core/toolcall/errorKinds';
import { formKeys } from './formKeys';
import { request } from './host';
import { verdictLine } from './pairView';
import type { PairFilter, ReviewItemView, ReviewStateName } from './protocol';

export interface RejectNote {
  reason: RejectReason;
  comment?: string;
}

export interface RejectForm {
  form: HTMLElement;
  reason: Select;
  submit: () => void;
  close: () => void;
}

/**
 * The form rejecting `it` (and the rest of the selection: `n` pairs in all), filled with its
 * reason and comment so far. Submitting (Enter) hands `decide` the reason and comment; `close`
 * runs on cancel (Escape).
 */
export function rejectForm(it: ReviewItemView, n: number, on: { decide: (note: RejectNote) => void; close: () => void }): RejectForm {
  const reason = select(
    'Reject reason',
    REJECT_REASONS.map((r, k): SelectOption => ({ value: r, label: `${k + 1} · ${REJECT_REASON_LABEL[r]}` })),
    { className: 'review-reject-reason' },
  );
  reason.value = it.reason ?? REJECT_REASONS[0];
  const comment = textField('Comment (optional)', { className: 'review-reject-comment', placeholder: 'comment (optional)' });
  if (it.comment) comment.value = it.comment;
  const ok = button(n > 1 ? `Reject ${n} pairs (Enter)` : 'Reject (Enter)', { className: 'review-reject-save' });
  const cancel = button('Cancel (Esc)', { secondary: true, className: 'review-reject-cancel' });
  const form = el(
    'div',
    { class: 'inline-form review-reject-form', role: 'group', 'aria-label': 'Reject with a reason' },
    text('div', 'form-title', n > 1 ? `Reject ${n} pairs: why?` : 'Reject this pair: why?'),
    el('label', { class: 'form-row' }, text('span', 'form-label', 'Reason (1–5)'), reason),
    el('label', { class: 'form-row' }, text('span', 'form-label', 'Comment'), comment),
    el('div', { class: 'form-actions' }, ok, cancel),
  );
  const submit = (): void => on.decide({ reason: reason.value as RejectReason, comment: (comment.value ?? '').trim() || undefined });
  ok.addEventListener('click', submit);
  cancel.addEventListener('click', on.close);
  formKeys(form, { submit, cancel: on.close });
  // 1–5 pick a reason (outside the comment field).
  form.addEventListener(
    'keydown',
    (e) => {
      if (e.target instanceof HTMLElement && e.target.matches('.review-reject-comment')) return;
      if (reasonKey(e, reason)) e.stopPropagation();
    },
    true,
  );
  return { form, reason, submit, close: on.close };
}

/** A digit 1–5 picks that reason in an open reject form; whether the key was one. */
export function reasonKey(e: KeyboardEvent, reason: Select): boolean {
  const k = Number(e.key);
  if (e.ctrlKey || e.metaKey || e.altKey || !Number.isInteger(k) || k < 1 || k > REJECT_REASONS.length) return false;
  e.preventDefault();
  reason.value = REJECT_REASONS[k - 1];
  return true;
}

/** The chosen side of `it` in a text box (the shared prefix above it stays as it is), re-checked as it changes. */
export class ChosenEditor {
  readonly form: HTMLElement;
  private readonly box: HTMLTextAreaElement;
  private readonly verdict = el('div', { class: 'review-edit-verdict', role: 'status' });
  private timer: ReturnType<typeof setTimeout> | undefined;
  private open = true;

  constructor(
    private readonly it: ReviewItemView,
    on: { save: () => void; cancel: () => void },
  ) {
    this.box = textArea('Chosen side after the shared prefix (Ctrl+Enter saves, Escape cancels)', { className: 'review-edit', rows: Math.min(14, Math.max(4, it.pair.chosen.text.split('\n').length + 1)), value: it.pair.chosen.text });
    const save = button('Save (Ctrl+Enter)', { className: 'review-edit-save' });
    const cancel = button('Cancel (Esc)', { secondary: true, className: 'review-edit-cancel' });
    save.addEventListener('click', on.save);
    cancel.addEventListener('click', on.cancel);
    this.form = el('div', { class: 'review-edit-form' }, text('div', 'side-label', 'Edit the chosen side (the shared prefix stays as it is)'), text('pre', 'pair-prefix', it.pair.prefix), this.box, this.verdict, el('div', { class: 'review-edit-actions' }, save, cancel));
    formKeys(this.form, { submit: on.save, cancel: on.cancel, enterSubmits: false });
    this.box.addEventListener('input', () => this.recheck());
  }

  get text(): string {
    return this.box.value;
  }

  /** Once the form is in the page: the verdict on the text as it is, and the focus in the box. */
  start(): void {
    this.recheck();
    this.box.focus();
  }

  /** The form is gone (saved, cancelled, another pair): no verdict arrives any more. */
  close(): void {
    this.open = false;
    clearTimeout(this.timer);
  }

  private recheck(): void {
    if (!this.open) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void request('recheck', { id: this.it.id, text: this.box.value }).then(
        (r) => this.open && this.verdict.replaceChildren(verdictLine(r.verdict)),
        (e: Error) => (this.verdict.textContent = e.message),
      );
    }, 150);
  }
}

/** The sample id field (Ctrl+G): Enter jumps to the id typed, Escape goes `back`. */
export function sampleJumpField(jump: () => void, back: () => void): TextField {
  const field = textField('Jump to sample id (Ctrl+G)', { className: 'review-jump', placeholder: 'sample id (Ctrl+G)' });
  field.addEventListener('keydown', (e) => {
    const k = e as KeyboardEvent;
    if (k.key === 'Enter') {
      k.preventDefault();
      jump();
    } else if (k.key === 'Escape') {
      k.preventDefault();
      back();
    }
  });
  return field;
}

function dropdown(label: string, cls: string, options: [string, string][]): Select {
  return select(label, options.map(([value, l]): SelectOption => ({ value, label: l })), { className: cls });
}

/** The queue's filters: state, error kind of the rejected side, sample tier, least value gap. */
export class PairFilters {
  private readonly state = dropdown('Show pairs in state', 'review-state', [['', 'All states'], ['pending', 'Pending'], ['accepted', 'Accepted'], ['rejected', 'Rejected'], ['edited', 'Edited'], ['skipped', 'Skipped']]);
  private readonly kind = dropdown('Rejected side has error kind', 'review-kind', [['', 'Any error kind'], ...ERROR_KINDS.map((k): [string, string] => [k, KIND_LABEL[k]])]);
  private readonly tier = dropdown('Sample tier', 'review-tier', [['', 'Any tier'], ['hard', 'Tier: hard'], ['medium', 'Tier: medium'], ['easy', 'Tier: easy']]);
  private readonly gap = textField('Least value gap', { className: 'review-gap', placeholder: 'min gap' });
  readonly controls: HTMLElement[] = [this.state, this.kind, this.tier, this.gap];

  /** `changed` runs when a drop-down changes and on Enter in the gap field. */
  constructor(changed: () => void) {
    for (const f of [this.state, this.kind, this.tier]) f.addEventListener('change', changed);
    this.gap.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && changed());
  }

  get value(): PairFilter {
    const f: PairFilter = {};
    if (this.state.value) f.state = this.state.value as ReviewStateName;
    if (this.kind.value) f.errorKind = this.kind.value as ErrorKind;
    if (this.tier.value) f.tier = this.tier.value as PairFilter['tier'];
    const gap = parseFloat(this.gap.value ?? '');
    if (Number.isFinite(gap)) f.minGap = gap;
    return f;
  }

  clear(): void {
    for (const f of [this.state, this.kind, this.tier]) f.value = '';
    this.gap.value = '';
  }
}

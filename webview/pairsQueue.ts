// The pairs review queue: every preference pair the search found (and the ones made by hand from
// marked fragments), reviewed keyboard-first. A accept, R reject (Shift+R: with a reason and a
// comment), S skip, U or Ctrl+Z (Cmd+Z) undo the last action (again and again), E edit the chosen
// side (re-checked live as you type), M mark the selected text as a fragment error, J/K or ↓/↑ to
// move (with Shift: extend a selection of pairs, as Shift+click does; A/R/S then apply to all of
// them as one action), Ctrl+G jump to a sample id. Bulk accept/reject/skip also applies to whatever
// the filters show. Every action is written to the review journal by the host before the queue
// moves on, so what the count says is what is on disk, and undo is journaled the same way.
import { button, focusWhenReady, isTypingTarget, select, textArea, textField, type Select, type SelectOption } from './components';
import { el, text } from './dom';
import { formKeys } from './formKeys';
import { request } from './host';
import type { DecisionName, PairFilter, ReviewCounts, ReviewItemView, ReviewStateName } from './protocol';
import type { PairSide, PairVerdict } from '../src/core/search/pairs';
import { REJECT_REASON_LABEL, REJECT_REASONS, type RejectReason } from '../src/core/pairs/reasons';
import { ERROR_KINDS, type ErrorKind } from '../src/core/toolcall/types';
import { KIND_LABEL } from '../src/core/toolcall/errorKinds';
import { kindTag } from './kindStyle';
import { markFormOpen, markSelection } from './fragmentMark';

const STATE_MARK: Record<ReviewStateName, string> = { pending: '○', accepted: '✓', rejected: '✗', edited: '✎', skipped: '»' };

export const SHORTCUTS =
  'A accept · R reject · Shift+R reject with a reason · S skip · U or Ctrl+Z undo · E edit chosen · M mark selected text as an error · J/↓ next · K/↑ previous · Shift+J/K or Shift+click select several · Ctrl+G jump to a sample id · Esc clear the selection';

const VERB: Record<DecisionName, string> = { accepted: 'accepted', rejected: 'rejected', skipped: 'skipped', pending: 'back to pending' };

function dropdown(label: string, cls: string, options: [string, string][]) {
  return select(label, options.map(([value, l]): SelectOption => ({ value, label: l })), { className: cls });
}

export class PairsQueue {
  readonly root: HTMLElement;
  private items: ReviewItemView[] = [];
  /** The current pair (the cursor): its detail is shown. */
  private pos = -1;
  /** Where a Shift selection starts, and the pairs selected (positions); a lone cursor is a selection of one. */
  private anchor = -1;
  private chosen = new Set<number>();
  private counts: ReviewCounts = { pending: 0, accepted: 0, rejected: 0, edited: 0, skipped: 0, total: 0 };
  private readonly list = el('ol', { class: 'review-list', role: 'listbox', 'aria-label': 'Preference pairs', 'aria-multiselectable': 'true', tabindex: '0' });
  private readonly detail = el('div', { class: 'review-detail', tabindex: '-1', 'aria-label': 'Pair detail' });
  private readonly progress = el('div', { class: 'review-progress', role: 'status' });
  private readonly bar = el('div', { class: 'review-bar' });
  private readonly status = el('span', { class: 'review-status', role: 'status', 'aria-live': 'polite' });
  private readonly stateFilter = dropdown('Show pairs in state', 'review-state', [['', 'All states'], ['pending', 'Pending'], ['accepted', 'Accepted'], ['rejected', 'Rejected'], ['edited', 'Edited'], ['skipped', 'Skipped']]);
  private readonly kindFilter = dropdown('Rejected side has error kind', 'review-kind', [['', 'Any error kind'], ...ERROR_KINDS.map((k): [string, string] => [k, KIND_LABEL[k]])]);
  private readonly tierFilter = dropdown('Sample tier', 'review-tier', [['', 'Any tier'], ['hard', 'Tier: hard'], ['medium', 'Tier: medium'], ['easy', 'Tier: easy']]);
  private readonly gapField = textField('Least value gap', { className: 'review-gap', placeholder: 'min gap' });
  private readonly jumpField = textField('Jump to sample id (Ctrl+G)', { className: 'review-jump', placeholder: 'sample id (Ctrl+G)' });
  private editing: { box: HTMLTextAreaElement; verdict: HTMLElement; timer?: ReturnType<typeof setTimeout> } | undefined;
  /** The reject-with-a-reason form while it is open; its keys work from the list too (1–5, Enter, Esc). */
  private rejecting: { form: HTMLElement; reason: Select; submit: () => void; close: () => void } | undefined;
  private loaded = false;
  /** Actions (decisions, undo) run one after another, each from where the last one left the queue. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly onCounts: (c: ReviewCounts) => void) {
    const acceptAll = button('Accept all shown', { secondary: true, className: 'bulk-accept', title: 'Accept every pair the filters show (one undo step)' });
    const rejectAll = button('Reject all shown', { secondary: true, className: 'bulk-reject', title: 'Reject every pair the filters show (one undo step)' });
    const skipAll = button('Skip all shown', { secondary: true, className: 'bulk-skip', title: 'Skip every pair the filters show (one undo step)' });
    const undoButton = button('Undo', { secondary: true, className: 'undo-button', title: 'Undo the last review action (U, Ctrl+Z)' });
    const exportButton = button('Export & train…', { className: 'export-button', title: 'Export the accepted pairs for a trainer and start a round (iTool: Start Optimization Round)' });
    acceptAll.addEventListener('click', () => this.queue(() => this.bulk('accepted')));
    rejectAll.addEventListener('click', () => this.queue(() => this.bulk('rejected')));
    skipAll.addEventListener('click', () => this.queue(() => this.bulk('skipped')));
    undoButton.addEventListener('click', () => this.queue(() => this.undo()));
    exportButton.addEventListener('click', () => void request('exportPairs', {}).catch((e: Error) => (this.status.textContent = e.message)));
    for (const f of [this.stateFilter, this.kindFilter, this.tierFilter]) f.addEventListener('change', () => void this.reload(undefined, true));
    this.gapField.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && void this.reload(undefined, true));
    this.jumpField.addEventListener('keydown', (e) => {
      const k = e as KeyboardEvent;
      if (k.key === 'Enter') {
        k.preventDefault();
        void this.jump();
      } else if (k.key === 'Escape') {
        k.preventDefault();
        this.list.focus();
      }
    });
    this.root = el(
      'div',
      { class: 'review', hidden: '' },
      el('div', { class: 'review-toolbar' }, this.stateFilter, this.kindFilter, this.tierFilter, this.gapField, this.jumpField, acceptAll, rejectAll, skipAll, undoButton, exportButton, this.status),
      el('div', { class: 'review-head' }, this.progress, el('div', { class: 'review-track' }, this.bar), text('div', 'shortcuts', SHORTCUTS)),
      el('div', { class: 'review-panes' }, el('div', { class: 'review-list-pane' }, this.list), this.detail),
    );
    this.root.addEventListener('keydown', (e) => this.onKey(e));
  }

  private queue(fn: () => Promise<void>): void {
    this.busy = this.busy.then(fn, fn);
  }

  private filter(): PairFilter {
    const f: PairFilter = {};
    if (this.stateFilter.value) f.state = this.stateFilter.value as ReviewStateName;
    if (this.kindFilter.value) f.errorKind = this.kindFilter.value as ErrorKind;
    if (this.tierFilter.value) f.tier = this.tierFilter.value as PairFilter['tier'];
    const gap = parseFloat(this.gapField.value ?? '');
    if (Number.isFinite(gap)) f.minGap = gap;
    return f;
  }

  show(): void {
    this.root.hidden = false;
    if (!this.loaded) void this.reload(undefined, true);
    else this.list.focus();
  }

  hide(): void {
    this.root.hidden = true;
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  /**
   * Fetch the queue again (after a filter change, a bulk decision, an undo, or a change made
   * elsewhere such as a mark). The pair `keepId` stays selected (default: the current one, so a
   * mark or a refresh keeps your place); when it is no longer shown, the same position is.
   */
  async reload(keepId: string | undefined = this.items[this.pos]?.id, focus = false): Promise<void> {
    try {
      const before = this.pos;
      const r = await request('pairs', { filter: this.filter() });
      this.loaded = true;
      this.items = r.items;
      this.setCounts(r.counts);
      const at = keepId ? this.items.findIndex((i) => i.id === keepId) : -1;
      this.pos = -1;
      this.chosen = new Set();
      this.renderList();
      this.select(at >= 0 ? at : this.items.length ? Math.max(0, Math.min(before, this.items.length - 1)) : -1);
      if (!r.counts.total) this.detail.replaceChildren(text('p', 'empty', 'No pairs yet: explore the selected samples (Explore…) or mark a fragment error with a correction (M).'));
      else if (!this.items.length) this.detail.replaceChildren(text('p', 'empty', 'No pair matches these filters.'));
      // Only when the user asked (tab, filters): a refresh from the host must not take the focus
      // from whatever the user is doing (a quick pick closes when it loses focus).
      if (focus) this.list.focus();
    } catch (e) {
      this.status.textContent = (e as Error).message;
    }
  }

  private setCounts(c: ReviewCounts): void {
    this.counts = c;
    const reviewed = c.accepted + c.edited + c.rejected;
    this.progress.textContent = `Reviewed ${reviewed} of ${c.total} · ${c.accepted} accepted · ${c.edited} edited · ${c.rejected} rejected · ${c.skipped} skipped · ${c.pending} pending`;
    this.progress.dataset.reviewed = String(reviewed);
    this.progress.dataset.total = String(c.total);
    this.bar.style.setProperty('width', `${c.total ? (100 * reviewed) / c.total : 0}%`);
    this.onCounts(c);
  }

  private renderList(): void {
    this.list.replaceChildren(
      ...this.items.map((it, i) => {
        const li = el('li', { class: 'review-item', role: 'option', 'aria-selected': 'false', 'data-id': it.id });
        this.fillItem(li, it);
        li.addEventListener('click', (e) => this.clicked(i, e));
        // Shift+click extends the selection of pairs, not a text selection.
        li.addEventListener('mousedown', (e) => e.shiftKey && e.preventDefault());
        return li;
      }),
    );
  }

  /** A list row's content and state, from the item. */
  private fillItem(li: HTMLElement, it: ReviewItemView): void {
    li.classList.remove(...[...li.classList].filter((c) => c.startsWith('state-')));
    li.classList.add(`state-${it.state}`);
    li.dataset.state = it.state;
    if (it.reason) li.dataset.reason = it.reason;
    else delete li.dataset.reason;
    if (it.chosenFails) li.dataset.chosenFails = 'true';
    else delete li.dataset.chosenFails;
    const what = `${it.manual ? 'by hand · ' : ''}${it.pair.kind}${it.pair.key ? ` ${it.pair.key}` : ''}${it.reason ? ` · ${REJECT_REASON_LABEL[it.reason]}` : ''}`;
    const flag = text('span', 'review-flag', it.chosenFails ? '⚠' : '');
    if (it.chosenFails) {
      flag.title = `The checker finds the chosen side wrong: it ${it.chosenFails}`;
      flag.setAttribute('aria-label', `chosen side ${it.chosenFails}`);
    }
    li.replaceChildren(
      text('span', 'review-mark', STATE_MARK[it.state]),
      text('span', 'review-sample', it.pair.sampleId),
      text('span', 'review-what', what),
      flag,
      text('span', 'review-gap-value', `Δ ${it.pair.gap.toFixed(2)}`),
    );
    li.title = `${it.pair.sampleId} · ${what} · ${it.state}${it.comment ? `: ${it.comment}` : ''}${it.chosenFails ? ` · ⚠ chosen side ${it.chosenFails}` : ''}`;
  }

  private clicked(i: number, e: MouseEvent): void {
    if (e.shiftKey && this.anchor >= 0) this.select(i, { extend: true });
    else if (e.ctrlKey || e.metaKey) this.select(i, { toggle: true });
    else this.select(i);
  }

  /**
   * Move the cursor to `i`. Plain: the selection becomes that pair alone. `extend`: the selection
   * becomes the range from the anchor to `i` (Shift). `toggle`: `i` joins or leaves it (Ctrl+click).
   */
  private select(i: number, how: { extend?: boolean; toggle?: boolean } = {}): void {
    this.cancelEdit();
    this.closeRejectForm();
    if (how.extend && this.anchor >= 0) {
      const [lo, hi] = this.anchor <= i ? [this.anchor, i] : [i, this.anchor];
      this.chosen = new Set(Array.from({ length: hi - lo + 1 }, (_, k) => lo + k));
    } else if (how.toggle) {
      if (this.chosen.size === 0 && this.pos >= 0) this.chosen.add(this.pos);
      if (this.chosen.has(i) && this.chosen.size > 1) this.chosen.delete(i);
      else this.chosen.add(i);
      this.anchor = i;
    } else {
      this.chosen = new Set(i >= 0 ? [i] : []);
      this.anchor = i;
    }
    this.pos = i;
    [...this.list.children].forEach((li, k) => {
      const on = this.chosen.has(k);
      li.setAttribute('aria-selected', String(on));
      li.classList.toggle('in-selection', on && this.chosen.size > 1);
      li.classList.toggle('selected', k === i);
    });
    const li = this.list.children[i] as HTMLElement | undefined;
    li?.scrollIntoView({ block: 'nearest' });
    if (this.chosen.size > 1) this.status.textContent = `${this.chosen.size} pairs selected: A, R and S apply to all of them (Esc: just this one)`;
    else if (this.status.textContent?.endsWith('(Esc: just this one)')) this.status.textContent = '';
    if (this.items[i]) this.renderDetail(this.items[i]);
  }

  private renderDetail(it: ReviewItemView): void {
    const p = it.pair;
    const side = (which: 'chosen' | 'rejected', sd: PairSide) => {
      const pre = el('pre', { class: `pair-text review-side-text`, 'data-fragment-source': which, 'data-index': String(p.index), 'data-pair': it.id });
      if (sd.verdict.errors[0]) pre.dataset.errorKind = sd.verdict.errors[0].kind;
      pre.append(text('span', 'pair-prefix', p.prefix), text('mark', `pair-fragment ${which}`, sd.fragment), text('span', 'pair-completion', sd.completion));
      return el(
        'div',
        { class: `pair-side ${which}` },
        text('div', 'side-label', `${which}${which === 'chosen' && it.state === 'edited' ? ' (edited)' : ''} · value ${sd.value.toFixed(2)}${sd.visits ? ` · n=${sd.visits}` : ''}`),
        pre,
        verdictLine(sd.verdict),
      );
    };
    const decided =
      it.state === 'rejected' && (it.reason || it.comment)
        ? el('div', { class: 'review-reason', 'data-reason': it.reason ?? '' }, text('span', 'reason-label', `Rejected${it.reason ? `: ${REJECT_REASON_LABEL[it.reason]}` : ''}`), it.comment ? text('span', 'reason-comment', ` — ${it.comment}`) : null)
        : null;
    const warn = it.chosenFails
      ? text('div', 'review-warning', `⚠ The checker finds the chosen side wrong: it ${it.chosenFails}.${it.manual && it.state === 'pending' ? ' This pair made by hand is not accepted by itself: edit the chosen side (E) or decide.' : ''}`)
      : null;
    const several = this.chosen.size > 1 ? text('div', 'review-several', `${this.chosen.size} pairs selected: A accept · R reject · S skip apply to all of them, as one undo step.`) : null;
    const parts: (HTMLElement | null)[] = [
      el(
        'header',
        { class: 'detail-header' },
        el('h2', { class: 'detail-title' }, `${STATE_MARK[it.state]} Pair ${this.pos + 1} of ${this.items.length}`),
        text('span', 'meta', `sample ${p.sampleId} · round ${p.round} · ${it.manual ? 'marked by hand' : `depth ${p.depth}`} · gap ${p.gap.toFixed(2)}${it.tier ? ` · ${it.tier}` : ''} · ${it.state}`),
      ),
      several,
      decided,
      warn,
      it.question ? el('section', { class: 'review-question' }, text('div', 'turn-role', 'User'), text('pre', 'turn-text', it.question)) : null,
      side('chosen', p.chosen),
      side('rejected', p.rejected),
      it.originalChosen !== undefined ? el('details', { class: 'review-original' }, el('summary', {}, 'chosen side as the search produced it'), text('pre', 'turn-text', p.prefix + it.originalChosen)) : null,
    ];
    this.detail.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
    this.detail.dataset.pair = it.id;
  }

  /** The pairs an action applies to: the selection (the current pair first), else the current pair. */
  private targets(): string[] {
    const cur = this.items[this.pos]?.id;
    if (this.chosen.size <= 1) return cur ? [cur] : [];
    const rest = [...this.chosen].sort((a, b) => a - b).map((i) => this.items[i]?.id).filter((id): id is string => !!id && id !== cur);
    return cur && this.chosen.has(this.pos) ? [cur, ...rest] : rest;
  }

  private async decide(state: DecisionName, note: { reason?: RejectReason; comment?: string } = {}): Promise<void> {
    const ids = this.targets();
    if (!ids.length) return;
    const at = this.pos;
    const last = this.chosen.size > 1 ? Math.max(...this.chosen) : at;
    try {
      const r = await request('decide', { ids, state, ...note });
      for (const item of r.items) this.replace(item);
      this.setCounts(r.counts);
      if (ids.length > 1) this.status.textContent = `${r.changed} of ${ids.length} pairs ${VERB[state]} (U undoes them at once)`;
      else if (note.reason) this.status.textContent = `Rejected: ${REJECT_REASON_LABEL[note.reason]}`;
      else if (r.changed === 0) this.status.textContent = `Already ${VERB[state]}`;
      else this.status.textContent = '';
      // Deciding moves on (as a reviewer works through a queue), past the selection; unless the
      // reviewer moved meanwhile.
      if (this.pos !== at) return;
      if (last + 1 < this.items.length) this.select(last + 1);
      else this.select(at);
    } catch (e) {
      this.status.textContent = (e as Error).message;
    }
  }

  private async undo(): Promise<void> {
    try {
      const r = await request('undo', {});
      if (!r.undone) {
        this.setCounts(r.counts);
        this.status.textContent = 'Nothing to undo';
        return;
      }
      await this.reload(r.select ?? this.items[this.pos]?.id);
      this.status.textContent = `Undid: ${r.undone}${r.left ? ` (${r.left} more to undo)` : ''}`;
      this.list.focus();
    } catch (e) {
      this.status.textContent = (e as Error).message;
    }
  }

  private replace(item: ReviewItemView): void {
    const i = this.items.findIndex((x) => x.id === item.id);
    if (i < 0) return;
    this.items[i] = item;
    this.fillItem(this.list.children[i] as HTMLElement, item);
    if (i === this.pos) this.renderDetail(item);
  }

  private async bulk(state: 'accepted' | 'rejected' | 'skipped'): Promise<void> {
    try {
      const r = await request('bulkDecide', { filter: this.filter(), state });
      await this.reload(this.items[this.pos]?.id, true);
      this.status.textContent = `${r.changed} pair(s) ${VERB[state]} (U undoes them at once)`;
    } catch (e) {
      this.status.textContent = (e as Error).message;
    }
  }

  /** Select the first pair of a sample id (exact, then ignoring case, then the first id containing it); filters give way when they hide it. */
  private async jump(): Promise<void> {
    const want = (this.jumpField.value ?? '').trim();
    if (!want) return;
    const find = (): number => {
      const lower = want.toLowerCase();
      const by = (f: (id: string) => boolean) => this.items.findIndex((it) => f(it.pair.sampleId));
      const exact = by((id) => id === want);
      if (exact >= 0) return exact;
      const caseless = by((id) => id.toLowerCase() === lower);
      return caseless >= 0 ? caseless : by((id) => id.toLowerCase().includes(lower));
    };
    let i = find();
    let cleared = false;
    if (i < 0 && Object.keys(this.filter()).length) {
      for (const f of [this.stateFilter, this.kindFilter, this.tierFilter]) f.value = '';
      this.gapField.value = '';
      await this.reload();
      cleared = true;
      i = find();
    }
    if (i < 0) {
      this.status.textContent = `No pair for a sample “${want}”`;
      return;
    }
    this.select(i);
    this.list.focus();
    const id = this.items[i].pair.sampleId;
    const n = this.items.filter((it) => it.pair.sampleId === id).length;
    this.status.textContent = `Sample ${id}: its first pair of ${n}${cleared ? ' (filters cleared to show it)' : ''}`;
  }

  private openRejectForm(): void {
    const it = this.items[this.pos];
    if (!it || this.rejecting || this.editing) return;
    const n = this.targets().length;
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
    const submit = (): void => {
      const note = { reason: reason.value as RejectReason, comment: (comment.value ?? '').trim() || undefined };
      this.closeRejectForm();
      this.list.focus();
      this.queue(() => this.decide('rejected', note));
    };
    const close = (): void => {
      this.closeRejectForm();
      this.list.focus();
    };
    ok.addEventListener('click', submit);
    cancel.addEventListener('click', close);
    formKeys(form, { submit, cancel: close });
    // 1–5 pick a reason (outside the comment field).
    form.addEventListener(
      'keydown',
      (e) => {
        if (e.target instanceof HTMLElement && e.target.matches('.review-reject-comment')) return;
        if (this.reasonKey(e)) e.stopPropagation();
      },
      true,
    );
    this.rejecting = { form, reason, submit, close };
    const header = this.detail.querySelector('.detail-header');
    if (header) header.after(form);
    else this.detail.prepend(form);
    focusWhenReady(reason);
  }

  /** A digit 1–5 picks that reason in the open reject form; whether the key was one. */
  private reasonKey(e: KeyboardEvent): boolean {
    const k = Number(e.key);
    if (!this.rejecting || e.ctrlKey || e.metaKey || e.altKey || !Number.isInteger(k) || k < 1 || k > REJECT_REASONS.length) return false;
    e.preventDefault();
    this.rejecting.reason.value = REJECT_REASONS[k - 1];
    return true;
  }

  private closeRejectForm(): void {
    this.rejecting?.form.remove();
    this.rejecting = undefined;
  }

  private startEdit(): void {
    const it = this.items[this.pos];
    if (!it || this.editing) return;
    this.closeRejectForm();
    const box = textArea('Chosen side after the shared prefix (Ctrl+Enter saves, Escape cancels)', { className: 'review-edit', rows: Math.min(14, Math.max(4, it.pair.chosen.text.split('\n').length + 1)), value: it.pair.chosen.text });
    const verdict = el('div', { class: 'review-edit-verdict', role: 'status' });
    const save = button('Save (Ctrl+Enter)', { className: 'review-edit-save' });
    const cancel = button('Cancel (Esc)', { secondary: true, className: 'review-edit-cancel' });
    save.addEventListener('click', () => void this.saveEdit());
    cancel.addEventListener('click', () => this.cancelEdit(true));
    const form = el('div', { class: 'review-edit-form' }, text('div', 'side-label', 'Edit the chosen side (the shared prefix stays as it is)'), text('pre', 'pair-prefix', it.pair.prefix), box, verdict, el('div', { class: 'review-edit-actions' }, save, cancel));
    formKeys(form, { submit: () => void this.saveEdit(), cancel: () => this.cancelEdit(true), enterSubmits: false });
    this.detail.append(form);
    this.editing = { box, verdict };
    const recheck = () => {
      if (!this.editing) return;
      clearTimeout(this.editing.timer);
      this.editing.timer = setTimeout(() => {
        void request('recheck', { id: it.id, text: box.value }).then(
          (r) => this.editing?.box === box && verdict.replaceChildren(verdictLine(r.verdict)),
          (e: Error) => (verdict.textContent = e.message),
        );
      }, 150);
    };
    box.addEventListener('input', recheck);
    recheck();
    box.focus();
  }

  private async saveEdit(): Promise<void> {
    const it = this.items[this.pos];
    if (!it || !this.editing) return;
    try {
      const r = await request('editChosen', { id: it.id, text: this.editing.box.value });
      this.editing = undefined;
      this.replace(r.item);
      this.setCounts(r.counts);
      this.renderDetail(r.item);
      this.list.focus();
    } catch (e) {
      this.status.textContent = (e as Error).message;
    }
  }

  private cancelEdit(refocus = false): void {
    if (!this.editing) return;
    clearTimeout(this.editing.timer);
    this.editing = undefined;
    const it = this.items[this.pos];
    if (it) this.renderDetail(it);
    if (refocus) this.list.focus();
  }

  private async mark(): Promise<void> {
    const marked = await markSelection(this.status);
    // The queue reloads on the host's notice, keeping the current pair; the focus goes back to the list.
    if (marked) this.list.focus();
  }

  private onKey(e: KeyboardEvent): void {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    // Ctrl+G / Cmd+G: to the jump field (VS Code's Go to Line must not get it: stopPropagation).
    if (mod && !e.altKey && key === 'g') {
      e.preventDefault();
      e.stopPropagation();
      this.jumpField.focus();
      return;
    }
    if (this.rejecting && !isTypingTarget(e.target)) {
      // The reject form is open but the focus is elsewhere (the list): its keys still work.
      if (this.reasonKey(e)) return;
      if (e.key === 'Enter' || e.key === 'Escape') {
        e.preventDefault();
        (e.key === 'Enter' ? this.rejecting.submit : this.rejecting.close)();
      }
      return;
    }
    if (this.editing || this.rejecting || markFormOpen() || e.altKey || isTypingTarget(e.target)) return;
    if (mod) {
      // Ctrl+Z / Cmd+Z: undo the last review action (kept from VS Code's own undo).
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        e.stopPropagation();
        this.queue(() => this.undo());
      }
      return;
    }
    const next = Math.min(this.items.length - 1, this.pos + 1);
    const prev = Math.max(0, this.pos - 1);
    const move = (i: number) => (e.shiftKey ? this.select(i, { extend: true }) : this.select(i));
    const act: Record<string, () => void> = {
      a: () => this.queue(() => this.decide('accepted')),
      r: () => (e.shiftKey ? this.openRejectForm() : this.queue(() => this.decide('rejected'))),
      s: () => this.queue(() => this.decide('skipped')),
      u: () => this.queue(() => this.undo()),
      e: () => this.startEdit(),
      m: () => void this.mark(),
      j: () => move(next),
      arrowdown: () => move(next),
      k: () => move(prev),
      arrowup: () => move(prev),
      home: () => move(0),
      end: () => move(this.items.length - 1),
      escape: () => this.select(this.pos),
    };
    const f = act[key];
    if (!f) return;
    e.preventDefault();
    f();
  }

  get total(): number {
    return this.counts.total;
  }
}

function verdictLine(v: PairVerdict | undefined): HTMLElement {
  if (!v) return text('div', 'pair-verdict', '');
  if (v.valid) return text('div', 'pair-verdict ok', `checker: valid · score ${v.score.toFixed(2)}`);
  const e = v.errors[0];
  if (!e) return text('div', 'pair-verdict', `checker: invalid · score ${v.score.toFixed(2)}`);
  // The kind's colour and name, then the message (webview/kindStyle.ts: the same colours as the highlights).
  return el('div', { class: 'pair-verdict' }, kindTag(e.kind), `: ${e.message}${v.errors.length > 1 ? ` (+${v.errors.length - 1} more)` : ''}`);
}

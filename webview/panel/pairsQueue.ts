// The pairs review queue: every preference pair the search found (and the ones made by hand from
// marked fragments), reviewed keyboard-first. A accept, R reject (Shift+R: with a reason and a
// comment), S skip, U or Ctrl+Z (Cmd+Z) undo the last action (again and again), E edit the chosen
// side (re-checked live as you type), M mark the selected text as a fragment error, J/K or ↓/↑ to
// move (with Shift: extend a selection of pairs, as Shift+click does; A/R/S then apply to all of
// them as one action), Ctrl+G jump to a sample id. Bulk accept/reject/skip also applies to whatever
// the filters show. Every action is written to the review journal by the host before the queue
// moves on, so what the count says is what is on disk, and undo is journaled the same way.
import { button, focusWhenReady, isTypingTarget } from '../shared/components';
import { el, text } from '../shared/dom';
import { request } from './host';
import type { DecisionName, ReviewCounts, ReviewItemView } from './protocol';
import { REJECT_REASON_LABEL } from '../../src/core/pairs/reasons';
import { markFormOpen, markSelection } from './fragmentMark';
import { ChosenEditor, PairFilters, sampleJumpField, reasonKey, rejectForm, type RejectForm, type RejectNote } from './pairForms';
import { fillPairRow, firstPairOf, pairDetail } from './pairView';

export const SHORTCUTS =
  'A accept · R reject · Shift+R reject with a reason · S skip · U or Ctrl+Z undo · E edit chosen · M mark selected text as an error · J/↓ next · K/↑ previous · Shift+J/K or Shift+click select several · Ctrl+G jump to a sample id · Esc clear the selection';

const VERB: Record<DecisionName, string> = { accepted: 'accepted', rejected: 'rejected', skipped: 'skipped', pending: 'back to pending' };

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
  private readonly filters = new PairFilters(() => void this.reload(undefined, true));
  private readonly jumpField = sampleJumpField(() => void this.jump(), () => this.list.focus());
  private editing: ChosenEditor | undefined;
  /** The reject-with-a-reason form while it is open; its keys work from the list too (1–5, Enter, Esc). */
  private rejecting: RejectForm | undefined;
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
    this.root = el(
      'div',
      { class: 'review', hidden: '' },
      el('div', { class: 'review-toolbar' }, ...this.filters.controls, this.jumpField, acceptAll, rejectAll, skipAll, undoButton, exportButton, this.status),
      el('div', { class: 'review-head' }, this.progress, el('div', { class: 'review-track' }, this.bar), text('div', 'shortcuts', SHORTCUTS)),
      el('div', { class: 'review-panes' }, el('div', { class: 'review-list-pane' }, this.list), this.detail),
    );
    this.root.addEventListener('keydown', (e) => this.onKey(e));
  }

  private queue(fn: () => Promise<void>): void {
    this.busy = this.busy.then(fn, fn);
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
      const r = await request('pairs', { filter: this.filters.value });
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
        fillPairRow(li, it);
        li.addEventListener('click', (e) => this.clicked(i, e));
        // Shift+click extends the selection of pairs, not a text selection.
        li.addEventListener('mousedown', (e) => e.shiftKey && e.preventDefault());
        return li;
      }),
    );
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
    this.detail.replaceChildren(...pairDetail(it, this.pos, this.items.length, this.chosen.size));
    this.detail.dataset.pair = it.id;
  }

  /** The pairs an action applies to: the selection (the current pair first), else the current pair. */
  private targets(): string[] {
    const cur = this.items[this.pos]?.id;
    if (this.chosen.size <= 1) return cur ? [cur] : [];
    const rest = [...this.chosen].sort((a, b) => a - b).map((i) => this.items[i]?.id).filter((id): id is string => !!id && id !== cur);
    return cur && this.chosen.has(this.pos) ? [cur, ...rest] : rest;
  }

  private async decide(state: DecisionName, note: Partial<RejectNote> = {}): Promise<void> {
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
    fillPairRow(this.list.children[i] as HTMLElement, item);
    if (i === this.pos) this.renderDetail(item);
  }

  private async bulk(state: 'accepted' | 'rejected' | 'skipped'): Promise<void> {
    try {
      const r = await request('bulkDecide', { filter: this.filters.value, state });
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
    const find = (): number => firstPairOf(this.items, want);
    let i = find();
    let cleared = false;
    if (i < 0 && Object.keys(this.filters.value).length) {
      this.filters.clear();
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
    const close = (): void => {
      this.closeRejectForm();
      this.list.focus();
    };
    const decide = (note: RejectNote): void => {
      close();
      this.queue(() => this.decide('rejected', note));
    };
    const rejecting = rejectForm(it, this.targets().length, { decide, close });
    this.rejecting = rejecting;
    const header = this.detail.querySelector('.detail-header');
    if (header) header.after(rejecting.form);
    else this.detail.prepend(rejecting.form);
    focusWhenReady(rejecting.reason);
  }

  private closeRejectForm(): void {
    this.rejecting?.form.remove();
    this.rejecting = undefined;
  }

  private startEdit(): void {
    const it = this.items[this.pos];
    if (!it || this.editing) return;
    this.closeRejectForm();
    this.editing = new ChosenEditor(it, { save: () => void this.saveEdit(), cancel: () => this.cancelEdit(true) });
    this.detail.append(this.editing.form);
    this.editing.start();
  }

  private async saveEdit(): Promise<void> {
    const it = this.items[this.pos];
    if (!it || !this.editing) return;
    try {
      const r = await request('editChosen', { id: it.id, text: this.editing.text });
      this.editing?.close();
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
    this.editing.close();
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
      if (reasonKey(e, this.rejecting.reason)) return;
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

// The pairs review queue: every preference pair the search found (and the ones made by hand from
// marked fragments), reviewed keyboard-first. A accept, R reject, U undo, E edit the chosen side
// (re-checked live as you type), J/K or ↓/↑ to move, M mark the selected text as a fragment
// error. Bulk accept/reject applies to whatever the filters show. Every decision is written to the
// review journal by the host before the queue moves on, so what the count says is what is on disk.
import { button, isTypingTarget, select, textField, type SelectOption } from './components';
import { el, text } from './dom';
import { request } from './host';
import type { PairFilter, ReviewCounts, ReviewItemView, ReviewStateName } from './protocol';
import type { PairSide, PairVerdict } from '../src/core/search/pairs';
import { ERROR_KINDS, type ErrorKind } from '../src/core/toolcall/types';
import { KIND_LABEL } from './verdictView';
import { markSelection } from './fragmentMark';

const STATE_MARK: Record<ReviewStateName, string> = { pending: '○', accepted: '✓', rejected: '✗', edited: '✎' };

export const SHORTCUTS = 'A accept · R reject · U undo · E edit chosen · J/↓ next · K/↑ previous · M mark selected text as an error';

function dropdown(label: string, cls: string, options: [string, string][]) {
  return select(label, options.map(([value, l]): SelectOption => ({ value, label: l })), { className: cls });
}

export class PairsQueue {
  readonly root: HTMLElement;
  private items: ReviewItemView[] = [];
  private pos = -1;
  private counts: ReviewCounts = { pending: 0, accepted: 0, rejected: 0, edited: 0, total: 0 };
  private readonly list = el('ol', { class: 'review-list', role: 'listbox', 'aria-label': 'Preference pairs', tabindex: '0' });
  private readonly detail = el('div', { class: 'review-detail', tabindex: '-1', 'aria-label': 'Pair detail' });
  private readonly progress = el('div', { class: 'review-progress', role: 'status' });
  private readonly bar = el('div', { class: 'review-bar' });
  private readonly status = el('span', { class: 'review-status', role: 'status' });
  private readonly stateFilter = dropdown('Show pairs in state', 'review-state', [['', 'All states'], ['pending', 'Pending'], ['accepted', 'Accepted'], ['rejected', 'Rejected'], ['edited', 'Edited']]);
  private readonly kindFilter = dropdown('Rejected side has error kind', 'review-kind', [['', 'Any error kind'], ...ERROR_KINDS.map((k): [string, string] => [k, KIND_LABEL[k]])]);
  private readonly tierFilter = dropdown('Sample tier', 'review-tier', [['', 'Any tier'], ['hard', 'Tier: hard'], ['medium', 'Tier: medium'], ['easy', 'Tier: easy']]);
  private readonly gapField = textField('Least value gap', { className: 'review-gap', placeholder: 'min gap' });
  private editing: { box: HTMLTextAreaElement; verdict: HTMLElement; timer?: ReturnType<typeof setTimeout> } | undefined;
  private loaded = false;

  constructor(private readonly onCounts: (c: ReviewCounts) => void) {
    const acceptAll = button('Accept all shown', { secondary: true, className: 'bulk-accept', title: 'Accept every pair the filters show' });
    const rejectAll = button('Reject all shown', { secondary: true, className: 'bulk-reject', title: 'Reject every pair the filters show' });
    const exportButton = button('Export & train…', { className: 'export-button', title: 'Export the accepted pairs for a trainer and start a round (iTool: Start Optimization Round)' });
    acceptAll.addEventListener('click', () => void this.bulk('accepted'));
    rejectAll.addEventListener('click', () => void this.bulk('rejected'));
    exportButton.addEventListener('click', () => void request('exportPairs', {}).catch((e: Error) => (this.status.textContent = e.message)));
    for (const f of [this.stateFilter, this.kindFilter, this.tierFilter]) f.addEventListener('change', () => void this.reload(undefined, true));
    this.gapField.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && void this.reload(undefined, true));
    this.root = el(
      'div',
      { class: 'review', hidden: '' },
      el('div', { class: 'review-toolbar' }, this.stateFilter, this.kindFilter, this.tierFilter, this.gapField, acceptAll, rejectAll, exportButton, this.status),
      el('div', { class: 'review-head' }, this.progress, el('div', { class: 'review-track' }, this.bar), text('div', 'shortcuts', SHORTCUTS)),
      el('div', { class: 'review-panes' }, el('div', { class: 'review-list-pane' }, this.list), this.detail),
    );
    this.root.addEventListener('keydown', (e) => this.onKey(e));
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

  /** Fetch the queue again (after a filter change, a bulk decision, or a change made elsewhere). */
  async reload(keepId?: string, focus = false): Promise<void> {
    try {
      const r = await request('pairs', { filter: this.filter() });
      this.loaded = true;
      this.items = r.items;
      this.setCounts(r.counts);
      const at = keepId ? this.items.findIndex((i) => i.id === keepId) : -1;
      this.renderList();
      this.select(at >= 0 ? at : this.items.length ? 0 : -1);
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
    const reviewed = c.total - c.pending;
    this.progress.textContent = `Reviewed ${reviewed} of ${c.total} · ${c.accepted} accepted · ${c.edited} edited · ${c.rejected} rejected · ${c.pending} pending`;
    this.progress.dataset.reviewed = String(reviewed);
    this.progress.dataset.total = String(c.total);
    this.bar.style.setProperty('width', `${c.total ? (100 * reviewed) / c.total : 0}%`);
    this.onCounts(c);
  }

  private renderList(): void {
    this.list.replaceChildren(
      ...this.items.map((it, i) => {
        const li = el('li', { class: `review-item state-${it.state}`, role: 'option', 'aria-selected': 'false', 'data-id': it.id, 'data-state': it.state });
        li.append(
          text('span', 'review-mark', STATE_MARK[it.state]),
          text('span', 'review-sample', it.pair.sampleId),
          text('span', 'review-what', `${it.manual ? 'by hand · ' : ''}${it.pair.kind}${it.pair.key ? ` ${it.pair.key}` : ''}`),
          text('span', 'review-gap-value', `Δ ${it.pair.gap.toFixed(2)}`),
        );
        li.addEventListener('click', () => this.select(i));
        return li;
      }),
    );
  }

  private select(i: number): void {
    this.cancelEdit();
    const prev = this.list.children[this.pos] as HTMLElement | undefined;
    prev?.setAttribute('aria-selected', 'false');
    prev?.classList.remove('selected');
    this.pos = i;
    const li = this.list.children[i] as HTMLElement | undefined;
    if (!li) return;
    li.setAttribute('aria-selected', 'true');
    li.classList.add('selected');
    li.scrollIntoView({ block: 'nearest' });
    this.renderDetail(this.items[i]);
  }

  private renderDetail(it: ReviewItemView): void {
    const p = it.pair;
    const side = (which: 'chosen' | 'rejected', sd: PairSide) => {
      const pre = el('pre', { class: `pair-text review-side-text`, 'data-fragment-source': which, 'data-index': String(p.index), 'data-pair': it.id });
      pre.append(text('span', 'pair-prefix', p.prefix), text('mark', `pair-fragment ${which}`, sd.fragment), text('span', 'pair-completion', sd.completion));
      return el(
        'div',
        { class: `pair-side ${which}` },
        text('div', 'side-label', `${which}${which === 'chosen' && it.state === 'edited' ? ' (edited)' : ''} · value ${sd.value.toFixed(2)}${sd.visits ? ` · n=${sd.visits}` : ''}`),
        pre,
        verdictLine(sd.verdict),
      );
    };
    const parts: (HTMLElement | null)[] = [
      el(
        'header',
        { class: 'detail-header' },
        el('h2', { class: 'detail-title' }, `${STATE_MARK[it.state]} Pair ${this.pos + 1} of ${this.items.length}`),
        text('span', 'meta', `sample ${p.sampleId} · round ${p.round} · ${it.manual ? 'marked by hand' : `depth ${p.depth}`} · gap ${p.gap.toFixed(2)}${it.tier ? ` · ${it.tier}` : ''} · ${it.state}`),
      ),
      it.question ? el('section', { class: 'review-question' }, text('div', 'turn-role', 'User'), text('pre', 'turn-text', it.question)) : null,
      side('chosen', p.chosen),
      side('rejected', p.rejected),
      it.originalChosen !== undefined ? el('details', { class: 'review-original' }, el('summary', {}, 'chosen side as the search produced it'), text('pre', 'turn-text', p.prefix + it.originalChosen)) : null,
    ];
    this.detail.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
    this.detail.dataset.pair = it.id;
  }

  private async decide(state: 'accepted' | 'rejected' | 'pending'): Promise<void> {
    const it = this.items[this.pos];
    if (!it) return;
    try {
      const r = await request('decide', { id: it.id, state });
      this.replace(r.item);
      this.setCounts(r.counts);
      // Deciding moves on (as a reviewer works through a queue); undo stays on the pair.
      if (state !== 'pending' && this.pos + 1 < this.items.length) this.select(this.pos + 1);
      else this.select(this.pos);
    } catch (e) {
      this.status.textContent = (e as Error).message;
    }
  }

  private replace(item: ReviewItemView): void {
    const i = this.items.findIndex((x) => x.id === item.id);
    if (i < 0) return;
    this.items[i] = item;
    const li = this.list.children[i] as HTMLElement;
    li.className = `review-item state-${item.state}${i === this.pos ? ' selected' : ''}`;
    li.dataset.state = item.state;
    li.firstElementChild!.textContent = STATE_MARK[item.state];
  }

  private async bulk(state: 'accepted' | 'rejected'): Promise<void> {
    try {
      const r = await request('bulkDecide', { filter: this.filter(), state });
      this.status.textContent = `${r.changed} pair(s) ${state}`;
      await this.reload(this.items[this.pos]?.id, true);
    } catch (e) {
      this.status.textContent = (e as Error).message;
    }
  }

  private startEdit(): void {
    const it = this.items[this.pos];
    if (!it || this.editing) return;
    const box = el('textarea', { class: 'review-edit', 'aria-label': 'Chosen side after the shared prefix (Ctrl+Enter saves, Escape cancels)', rows: '4', spellcheck: 'false' });
    box.value = it.pair.chosen.text;
    const verdict = el('div', { class: 'review-edit-verdict', role: 'status' });
    const save = button('Save (Ctrl+Enter)', { className: 'review-edit-save' });
    const cancel = button('Cancel (Esc)', { secondary: true, className: 'review-edit-cancel' });
    save.addEventListener('click', () => void this.saveEdit());
    cancel.addEventListener('click', () => this.cancelEdit(true));
    const form = el('div', { class: 'review-edit-form' }, text('div', 'side-label', 'Edit the chosen side (the shared prefix stays as it is)'), text('pre', 'pair-prefix', it.pair.prefix), box, verdict, el('div', { class: 'review-edit-actions' }, save, cancel));
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
    box.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.saveEdit();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        this.cancelEdit(true);
      }
    });
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

  private onKey(e: KeyboardEvent): void {
    if (this.editing || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
    const key = e.key.toLowerCase();
    const act: Record<string, () => void> = {
      a: () => void this.decide('accepted'),
      r: () => void this.decide('rejected'),
      u: () => void this.decide('pending'),
      e: () => this.startEdit(),
      m: () => void markSelection(this.status),
      j: () => this.select(Math.min(this.items.length - 1, this.pos + 1)),
      arrowdown: () => this.select(Math.min(this.items.length - 1, this.pos + 1)),
      k: () => this.select(Math.max(0, this.pos - 1)),
      arrowup: () => this.select(Math.max(0, this.pos - 1)),
      home: () => this.select(0),
      end: () => this.select(this.items.length - 1),
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
  return text('div', 'pair-verdict', e ? `${KIND_LABEL[e.kind]}: ${e.message}${v.errors.length > 1 ? ` (+${v.errors.length - 1} more)` : ''}` : `checker: invalid · score ${v.score.toFixed(2)}`);
}

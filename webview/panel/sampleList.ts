// The virtualised sample list: only the rows in view (plus a little overscan) exist in the DOM,
// fetched from the host a page at a time, so 1M samples scroll like 100. Keyboard: ↑/↓, PgUp/PgDn,
// Home/End move the selection; the list is an ARIA listbox.
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import { el, text } from '../shared/dom';
import { request } from './host';
import type { Row } from './protocol';

const ROW_HEIGHT = 26;
const PAGE = 100;

export class SampleList {
  readonly root: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly virtualizer: Virtualizer<HTMLElement, HTMLElement>;
  private readonly pages = new Map<number, Row[] | Promise<void>>();
  private view = 0;
  private count = 0;
  private selected = -1;
  private generation = 0;
  private firstPageCallback: ((rows: number) => void) | undefined;
  /** Called with each page of rows as it arrives (the columns fit themselves to the first). */
  onPage: ((rows: Row[]) => void) | undefined;
  /** The row elements on screen by position, with the data they show. */
  private rendered = new Map<number, { row: Row | undefined; selected: boolean; el: HTMLElement }>();

  constructor(private readonly onSelect: (row: Row | undefined, position: number) => void) {
    this.spacer = el('div', { class: 'list-spacer' });
    this.root = el('div', { class: 'list', tabindex: '0', role: 'listbox', 'aria-label': 'Samples' }, this.spacer);
    this.virtualizer = new Virtualizer<HTMLElement, HTMLElement>({
      count: 0,
      getScrollElement: () => this.root,
      estimateSize: () => ROW_HEIGHT,
      overscan: 12,
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
      onChange: () => this.render(),
    });
    this.root.addEventListener('keydown', (e) => this.onKey(e));
  }

  mount(): void {
    this.virtualizer._didMount();
    this.virtualizer._willUpdate();
  }

  /** Show `count` positions of `view` (0 = all records in file order). Keeps the page cache only if the view is the same. */
  setView(view: number, count: number, keepPages = false): void {
    if (view !== this.view || !keepPages) {
      this.pages.clear();
      this.generation++;
    } else {
      // A view still growing (a scan): a page fetched short is fetched again for its new rows.
      for (const [p, rows] of this.pages) if (Array.isArray(rows) && rows.length < PAGE && p * PAGE + rows.length < count) this.pages.delete(p);
    }
    this.view = view;
    this.count = count;
    this.virtualizer.setOptions({ ...this.virtualizer.options, count });
    this.virtualizer._willUpdate();
    this.spacer.style.height = `${this.virtualizer.getTotalSize()}px`;
    if (this.selected >= count) this.select(-1);
    this.render();
  }

  /** Called once when the first page of rows is on screen. */
  onFirstPage(cb: (rows: number) => void): void {
    this.firstPageCallback = cb;
  }

  select(position: number, scroll = true): void {
    this.selected = position;
    if (position >= 0 && scroll) this.virtualizer.scrollToIndex(position, { align: 'auto' });
    this.render();
    const row = position >= 0 ? this.rowAt(position) : undefined;
    this.root.setAttribute('aria-activedescendant', position >= 0 ? `row-${position}` : '');
    this.onSelect(row, position);
    if (position >= 0 && !row) void this.fetchPage(Math.floor(position / PAGE)).then(() => this.onSelect(this.rowAt(position), position));
  }

  get selectedPosition(): number {
    return this.selected;
  }

  focus(): void {
    this.root.focus();
  }

  private rowAt(position: number): Row | undefined {
    const page = this.pages.get(Math.floor(position / PAGE));
    return Array.isArray(page) ? page[position % PAGE] : undefined;
  }

  private fetchPage(p: number): Promise<void> {
    const have = this.pages.get(p);
    if (Array.isArray(have)) return Promise.resolve();
    if (have) return have;
    const gen = this.generation;
    const from = p * PAGE;
    const pending = request('rows', { from, to: Math.min(this.count, from + PAGE), view: this.view || undefined }).then(
      (rows) => {
        if (gen !== this.generation) return;
        this.pages.set(p, rows);
        this.onPage?.(rows);
        this.render();
      },
      () => {
        if (gen === this.generation) this.pages.delete(p);
      },
    );
    this.pages.set(p, pending);
    return pending;
  }

  private render(): void {
    const items = this.virtualizer.getVirtualItems();
    this.spacer.style.height = `${this.virtualizer.getTotalSize()}px`;
    const frag = document.createDocumentFragment();
    const next = new Map<number, { row: Row | undefined; selected: boolean; el: HTMLElement }>();
    let shown = 0;
    for (const item of items) {
      const row = this.rowAt(item.index);
      if (!row) void this.fetchPage(Math.floor(item.index / PAGE));
      // A row whose data and selection did not change keeps its element: scrolling then moves
      // nodes instead of rebuilding them, and whatever holds a row (focus, a hover) keeps it.
      const selected = item.index === this.selected;
      const prev = this.rendered.get(item.index);
      const line = prev && prev.row === row && prev.selected === selected ? prev.el : this.renderRow(item.index, row);
      line.style.transform = `translateY(${item.start}px)`;
      frag.append(line);
      next.set(item.index, { row, selected, el: line });
      if (row) shown++;
    }
    this.rendered = next;
    this.spacer.replaceChildren(frag);
    if (shown > 0 && this.firstPageCallback) {
      const cb = this.firstPageCallback;
      this.firstPageCallback = undefined;
      // After layout, so "rendered" means on screen.
      requestAnimationFrame(() => cb(shown));
    }
  }

  private renderRow(position: number, row: Row | undefined): HTMLElement {
    const selected = position === this.selected;
    const line = el('div', {
      class: `row${selected ? ' selected' : ''}${row?.problem ? ' problem' : ''}`,
      role: 'option',
      id: `row-${position}`,
      'aria-selected': String(selected),
      'data-position': String(position),
    });
    if (!row) {
      line.append(text('span', 'cell col-idx', String(position + 1)), text('span', 'cell loading', '…'));
      return line;
    }
    if (row.problem) {
      // A malformed record's reason takes the room of the columns it has no value for (tools, calls).
      const reason = text('span', 'cell col-user problem-text', row.problem);
      reason.title = row.problem;
      line.append(text('span', 'cell col-idx', String(row.index + 1)), text('span', 'cell col-id', ''), reason, pplCell(row), verdictCell(row));
      line.title = row.problem;
    } else {
      line.append(
        text('span', 'cell col-idx', String(row.index + 1)),
        idCell(row),
        text('span', 'cell col-user', row.firstUser),
        text('span', 'cell num col-tools', String(row.toolCount)),
        text('span', `cell num col-calls answer-${row.answer}`, row.answer === 'text' ? 'text' : row.answer === 'none' ? '–' : String(row.callCount)),
        pplCell(row),
        verdictCell(row),
      );
      line.title = row.firstUser;
    }
    line.addEventListener('click', () => {
      this.select(position, false);
      this.focus();
    });
    return line;
  }

  private onKey(e: KeyboardEvent): void {
    const perPage = Math.max(1, Math.floor(this.root.clientHeight / ROW_HEIGHT) - 1);
    const cur = this.selected < 0 ? -1 : this.selected;
    const moves: Record<string, number> = {
      ArrowDown: cur + 1,
      ArrowUp: cur - 1,
      PageDown: cur + perPage,
      PageUp: cur - perPage,
      Home: 0,
      End: this.count - 1,
    };
    if (!(e.key in moves) || this.count === 0) return;
    e.preventDefault();
    this.select(Math.max(0, Math.min(this.count - 1, moves[e.key])));
  }
}

/**
 * The record's id; after it, when the record holds several answers (one sample each, answers.ts),
 * how many: the list keeps one row per record. A long id is cut, the count never.
 */
function idCell(row: Row): HTMLElement {
  if (!row.answerCount) {
    const cell = text('span', 'cell col-id', row.id);
    cell.title = row.id;
    return cell;
  }
  const pill = text('span', 'answers-pill', `${row.answerCount} answers`);
  pill.title = `${row.answerCount} answers, one sample each: ${row.id}#0 … ${row.id}#${row.answerCount - 1}`;
  const cell = el('span', { class: 'cell col-id with-answers' }, text('span', 'id-text', row.id), pill);
  cell.title = row.id;
  return cell;
}

/**
 * Perplexity of the reference answer, coloured by tier; ● marks a sample selected as deficient.
 * A sample calibration skipped says so, with why on hover (the reason is otherwise only in the
 * detail view's "Scored as" block and the run's notification).
 */
function pplCell(row: Row): HTMLElement {
  const c = row.calibration;
  const skips = c?.skipped?.map((s) => `${s.id ? `${s.id}: ` : ''}${s.kind ? `[${s.kind}] ` : ''}${s.reason}`) ?? [];
  const skipNote = skips.length ? `skipped by calibration${skips.length > 1 ? ` (${skips.length} answers)` : ''}: ${skips.join('\n')}` : '';
  if (!c || c.ppl === null) {
    const cell = text('span', `cell num ppl col-ppl${skips.length ? ' skipped' : ''}`, skips.length ? 'skipped' : '');
    if (skips.length) {
      cell.title = skipNote;
      cell.setAttribute('data-skipped', String(skips.length));
    }
    return cell;
  }
  const v = c.ppl >= 100 ? c.ppl.toFixed(0) : c.ppl.toFixed(2);
  const cell = text('span', `cell num ppl col-ppl tier-${c.tier}${c.selected ? ' selected' : ''}`, `${c.selected ? '● ' : ''}${v}${skips.length ? ' *' : ''}`);
  cell.title = `perplexity ${c.ppl.toFixed(4)} · ${c.tier ?? 'no'} tier${c.selected ? ' · selected as deficient' : ''}${skipNote ? `\n${skipNote}` : ''}`;
  cell.setAttribute('data-tier', c.tier ?? '');
  if (c.selected) cell.setAttribute('data-selected', '');
  if (skips.length) cell.setAttribute('data-skipped', String(skips.length));
  return cell;
}

/** ✓ / ✗ for the sample's model output(s), with the error kinds on hover; empty without predictions. */
function verdictCell(row: Row): HTMLElement {
  const v = row.verdict;
  if (!v) return text('span', 'cell check col-check', '');
  const cell = text('span', `cell check col-check ${v.valid ? 'valid' : 'invalid'}`, v.valid ? '✓' : `✗${v.kinds.length > 1 ? v.kinds.length : ''}`);
  cell.title = v.valid ? `${v.outputs} output(s), all valid` : `${v.outputs} output(s): ${v.kinds.map((k) => k.replace(/_/g, ' ')).join(', ')}`;
  cell.setAttribute('data-kinds', v.kinds.join(' '));
  return cell;
}

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
      line.append(text('span', 'cell idx', String(position + 1)), text('span', 'cell loading', '…'));
      return line;
    }
    line.append(
      text('span', 'cell idx', String(row.index + 1)),
      row.problem ? text('span', 'cell id', '') : idCell(row),
      row.problem ? text('span', 'cell user problem-text', row.problem) : text('span', 'cell user', row.firstUser),
      text('span', 'cell num', row.problem ? '' : String(row.toolCount)),
      text('span', `cell num answer-${row.answer}`, row.problem ? '' : row.answer === 'text' ? 'text' : row.answer === 'none' ? '–' : String(row.callCount)),
      pplCell(row),
      verdictCell(row),
    );
    line.title = row.problem ?? row.firstUser;
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
  if (!row.answerCount) return text('span', 'cell id', row.id);
  const pill = text('span', 'answers-pill', `${row.answerCount} answers`);
  pill.title = `${row.answerCount} answers, one sample each: ${row.id}#0 … ${row.id}#${row.answerCount - 1}`;
  return el('span', { class: 'cell id with-answers' }, text('span', 'id-text', row.id), pill);
}

/** Perplexity of the reference answer, coloured by tier; ● marks a sample selected as deficient. */
function pplCell(row: Row): HTMLElement {
  const c = row.calibration;
  if (!c || c.ppl === null) return text('span', 'cell num ppl', '');
  const v = c.ppl >= 100 ? c.ppl.toFixed(0) : c.ppl.toFixed(2);
  const cell = text('span', `cell num ppl tier-${c.tier}${c.selected ? ' selected' : ''}`, `${c.selected ? '● ' : ''}${v}`);
  cell.title = `perplexity ${c.ppl.toFixed(4)} · ${c.tier ?? 'no'} tier${c.selected ? ' · selected as deficient' : ''}`;
  cell.setAttribute('data-tier', c.tier ?? '');
  if (c.selected) cell.setAttribute('data-selected', '');
  return cell;
}

/** ✓ / ✗ for the sample's model output(s), with the error kinds on hover; empty without predictions. */
function verdictCell(row: Row): HTMLElement {
  const v = row.verdict;
  if (!v) return text('span', 'cell check', '');
  const cell = text('span', `cell check ${v.valid ? 'valid' : 'invalid'}`, v.valid ? '✓' : `✗${v.kinds.length > 1 ? v.kinds.length : ''}`);
  cell.title = v.valid ? `${v.outputs} output(s), all valid` : `${v.outputs} output(s): ${v.kinds.map((k) => k.replace(/_/g, ' ')).join(', ')}`;
  cell.setAttribute('data-kinds', v.kinds.join(' '));
  return cell;
}

export const LIST_COLUMNS = ['#', 'id', 'first user message', 'tools', 'calls', 'PPL', '✓'];

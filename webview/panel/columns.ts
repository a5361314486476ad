// The sample list's columns: their widths (a handle on each fixed column's right edge resizes it,
// by drag or ←/→; the first user message takes the rest), which ones show (the column chooser),
// and the split between the list and the detail view. All of it is kept in the page's state
// (host.ts getState/setState), so it survives the panel being hidden or the window reloaded.
// Sizes reach the rows as CSS custom properties set through the CSSOM (the CSP refuses style
// attributes): --list-columns is the rows' and the header's grid template; the pane's
// data-hidden attribute names the hidden columns, whose cells media/panel.css takes out.
import { button } from '../shared/components';
import { el, text, textWidth } from '../shared/dom';
import { resizeHandle, type ResizeHandle } from './resizeHandle';

/** A list cell's text width (7.5 px a character without a canvas). */
const cellWidth = (s: string): number => textWidth(s, 7.5);

export type ColumnId = 'idx' | 'id' | 'user' | 'tools' | 'calls' | 'ppl' | 'check';

interface ColumnDef {
  id: ColumnId;
  label: string;
  /** Its name in the column chooser and on its handle, when the header's label is a sign. */
  name?: string;
  /** What the column holds, for its header's tooltip and the chooser. */
  title: string;
  /** Default width in pixels; none: the column takes the rest of the row. */
  width?: number;
  min: number;
  /** Shown by default only once there is data for it (no empty column before calibration or a check). */
  needs?: 'calibration' | 'verdicts';
}

export const COLUMNS: readonly ColumnDef[] = [
  { id: 'idx', label: '#', name: 'record number (#)', title: 'Record number, in file order', width: 40, min: 24 },
  { id: 'id', label: 'id', title: 'Sample id (and how many answers a record holds)', width: 150, min: 40 },
  { id: 'user', label: 'first user message', title: 'The first user message of the conversation', min: 80 },
  { id: 'tools', label: 'tools', title: 'Tools offered to the model', width: 40, min: 28 },
  { id: 'calls', label: 'calls', title: 'Calls in the reference answer (text: it answers in text)', width: 40, min: 28 },
  { id: 'ppl', label: 'PPL', title: 'Perplexity of the reference answer under the policy (● selected as deficient)', width: 64, min: 36, needs: 'calibration' },
  { id: 'check', label: '✓', name: 'checked output (✓ / ✗)', title: 'The checked model output: ✓ valid, ✗ with errors', width: 30, min: 22, needs: 'verdicts' },
];

/** What the page keeps (PanelState.columns). */
export interface ColumnState {
  /** Widths the user set, in pixels. */
  widths?: Partial<Record<ColumnId, number>>;
  /** Columns the user hid, and columns shown although they have no data yet. */
  hidden?: ColumnId[];
  shown?: ColumnId[];
  /** The list's share of the width beside the detail view, in percent. */
  listShare?: number;
}

const MAX_WIDTH = 800;
const DEFAULT_SHARE = 56;
const GAP = 6;
/** Room each row keeps besides its columns: left and right padding. */
const ROW_PADDING = 16;

export class ListColumns {
  readonly header: HTMLElement;
  readonly chooser: HTMLElement;
  readonly splitter: HTMLElement;
  private readonly handles: ResizeHandle[] = [];
  private readonly menuButton: HTMLElement;
  private readonly menu: HTMLElement;
  private state: ColumnState;
  /** Defaults fitted to the data (the # column to the record count, the id column to the first ids). */
  private readonly fitted: Partial<Record<ColumnId, number>> = {};
  private readonly data = { calibration: false, verdicts: false };

  constructor(
    /** The list pane (header and rows inherit the template from it). */
    private readonly pane: HTMLElement,
    /** The grid holding the list pane, the splitter and the detail view. */
    private readonly panes: HTMLElement,
    saved: ColumnState | undefined,
    private readonly save: (s: ColumnState) => void,
  ) {
    this.state = { ...saved };
    this.header = el('div', { class: 'row list-header', role: 'group', 'aria-label': 'Column headers' });
    for (const c of COLUMNS) {
      const cell = el('div', { class: `cell col-${c.id} header-cell`, title: c.title }, text('span', 'header-label', c.label));
      if (c.width !== undefined) cell.append(this.columnHandle(c).el);
      this.header.append(cell);
    }
    this.menuButton = button('Columns', { secondary: true, className: 'columns-button', title: 'Show or hide columns of the list' });
    this.menuButton.setAttribute('aria-haspopup', 'menu');
    this.menuButton.setAttribute('aria-expanded', 'false');
    this.menu = el('div', { class: 'columns-menu', role: 'menu', 'aria-label': 'Columns to show', hidden: '' });
    this.chooser = el('div', { class: 'columns-chooser' }, this.menuButton, this.menu);
    this.menuButton.addEventListener('click', () => this.toggleMenu());
    this.menu.addEventListener('keydown', (e) => this.onMenuKey(e));
    document.addEventListener('pointerdown', (e) => {
      if (!this.menu.hidden && !this.chooser.contains(e.target as Node)) this.closeMenu(false);
    });
    const splitter = resizeHandle({
      label: 'Resize the list beside the detail view',
      className: 'pane-splitter',
      get: () => (this.share() / 100) * this.panes.clientWidth,
      set: (px) => this.setShare((100 * px) / Math.max(1, this.panes.clientWidth)),
      commit: () => this.persist(),
      min: 240,
      max: () => this.panes.clientWidth - 200,
      step: 16,
      bigStep: 64,
      reset: () => this.setShare(DEFAULT_SHARE),
    });
    this.splitter = splitter.el;
    this.handles.push(splitter);
    this.apply();
  }

  /** Whether a column shows: not hidden by the user, and with data (or shown all the same). */
  visible(id: ColumnId): boolean {
    if (this.state.hidden?.includes(id)) return false;
    const need = COLUMNS.find((c) => c.id === id)?.needs;
    return !need || this.data[need] || !!this.state.shown?.includes(id);
  }

  /** Calibration or verdicts arrived (or went): their columns show unless the user hid them. */
  setData(kind: 'calibration' | 'verdicts', present: boolean): void {
    if (this.data[kind] === present) return;
    this.data[kind] = present;
    this.apply();
  }

  /** Fit the defaults to the data: # to the record count's digits, id to the widest of `ids` (with its answer count). */
  fit(count: number, ids: readonly { id: string; answers?: number }[]): void {
    const digit = cellWidth('0');
    this.fitted.idx = Math.ceil(Math.max(2, String(count).length) * digit + 6);
    if (ids.length) {
      const widest = Math.max(...ids.map((r) => cellWidth(r.id) + (r.answers ? cellWidth(`${r.answers} answers`) + 18 : 0)));
      this.fitted.id = Math.round(Math.min(240, Math.max(60, widest + 6)));
    }
    this.apply();
  }

  width(id: ColumnId): number {
    const c = COLUMNS.find((x) => x.id === id)!;
    return this.state.widths?.[id] ?? this.fitted[id] ?? c.width ?? 0;
  }

  /** The list's horizontal scrollbar is none, its vertical one takes room from the rows only: the header keeps in line. */
  syncScrollbar(list: HTMLElement): void {
    this.pane.style.setProperty('--list-scrollbar', `${list.offsetWidth - list.clientWidth}px`);
  }

  private share(): number {
    return this.state.listShare ?? DEFAULT_SHARE;
  }

  private setShare(pct: number): void {
    const w = this.panes.clientWidth || 1;
    const min = (100 * 240) / w;
    const max = 100 - (100 * 200) / w;
    this.state = { ...this.state, listShare: Math.round(10 * Math.max(Math.min(min, 50), Math.min(Math.max(max, 50), pct))) / 10 };
    this.apply();
  }

  private columnHandle(c: ColumnDef): ResizeHandle {
    const h = resizeHandle({
      label: `Resize the ${c.name ?? c.label} column`,
      className: `col-resize col-resize-${c.id}`,
      get: () => this.width(c.id),
      set: (w) => {
        this.state = { ...this.state, widths: { ...this.state.widths, [c.id]: Math.round(Math.max(c.min, Math.min(this.maxWidth(c.id), w))) } };
        this.apply();
      },
      commit: () => this.persist(),
      min: c.min,
      max: () => this.maxWidth(c.id),
      reset: () => {
        const widths = { ...this.state.widths };
        delete widths[c.id];
        this.state = { ...this.state, widths };
        this.apply();
      },
    });
    this.handles.push(h);
    return h;
  }

  /** A column may grow until the first user message is at its least (or to MAX_WIDTH without it). */
  private maxWidth(id: ColumnId): number {
    const user = COLUMNS.find((c) => c.id === 'user')!;
    if (!this.visible('user')) return MAX_WIDTH;
    const shown = COLUMNS.filter((c) => this.visible(c.id));
    const others = shown.filter((c) => c.id !== id && c.id !== 'user').reduce((n, c) => n + this.width(c.id), 0);
    const room = this.pane.clientWidth - ROW_PADDING - GAP * (shown.length - 1) - others - user.min;
    return Math.max(COLUMNS.find((c) => c.id === id)!.min, Math.min(MAX_WIDTH, room));
  }

  private apply(): void {
    const shown = COLUMNS.filter((c) => this.visible(c.id));
    const template = shown.map((c) => (c.width === undefined ? `minmax(${c.min}px, 1fr)` : `${this.width(c.id)}px`)).join(' ');
    this.pane.style.setProperty('--list-columns', template);
    this.pane.dataset.hidden = COLUMNS.filter((c) => !this.visible(c.id))
      .map((c) => c.id)
      .join(' ');
    this.panes.style.setProperty('--list-share', `${this.share()}%`);
    for (const h of this.handles) h.refresh();
    if (!this.menu.hidden) this.fillMenu();
  }

  private persist(): void {
    this.save(this.state);
  }

  private toggleMenu(): void {
    if (this.menu.hidden) this.openMenu();
    else this.closeMenu(true);
  }

  private openMenu(): void {
    this.fillMenu();
    this.menu.hidden = false;
    this.menuButton.setAttribute('aria-expanded', 'true');
    this.menu.querySelector<HTMLElement>('[role="menuitemcheckbox"]')?.focus();
  }

  private closeMenu(focusButton: boolean): void {
    this.menu.hidden = true;
    this.menuButton.setAttribute('aria-expanded', 'false');
    if (focusButton) this.menuButton.focus();
  }

  private fillMenu(): void {
    const focused = (document.activeElement as HTMLElement | null)?.dataset.column;
    this.menu.replaceChildren(
      ...COLUMNS.map((c) => {
        const on = this.visible(c.id);
        const empty = c.needs && !this.data[c.needs];
        const item = el('button', { class: 'columns-item', role: 'menuitemcheckbox', 'aria-checked': String(on), 'data-column': c.id, tabindex: '-1', title: c.title });
        item.append(text('span', 'columns-check', on ? '✓' : ''), text('span', 'columns-name', c.name ?? c.label));
        if (empty) item.append(text('span', 'columns-note', c.needs === 'calibration' ? 'after calibration' : 'after a check'));
        item.addEventListener('click', () => this.toggleColumn(c.id));
        return item;
      }),
    );
    const again = focused && this.menu.querySelector<HTMLElement>(`[data-column="${focused}"]`);
    if (again) again.focus();
  }

  private toggleColumn(id: ColumnId): void {
    const on = this.visible(id);
    // The last column showing stays: a list with no column would show nothing to pick from.
    if (on && COLUMNS.filter((c) => this.visible(c.id)).length === 1) return;
    const hidden = new Set(this.state.hidden);
    const shown = new Set(this.state.shown);
    if (on) {
      hidden.add(id);
      shown.delete(id);
    } else {
      hidden.delete(id);
      shown.add(id);
    }
    this.state = { ...this.state, hidden: [...hidden], shown: [...shown] };
    this.apply();
    this.persist();
  }

  private onMenuKey(e: KeyboardEvent): void {
    const items = [...this.menu.querySelectorAll<HTMLElement>('[role="menuitemcheckbox"]')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const go = (k: number) => items[(k + items.length) % items.length]?.focus();
    switch (e.key) {
      case 'ArrowDown':
        go(at + 1);
        break;
      case 'ArrowUp':
        go(at - 1);
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(items.length - 1);
        break;
      case 'Escape':
        this.closeMenu(true);
        break;
      case 'Tab':
        this.closeMenu(false);
        return;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }
}


// The sample list's filter bar: a text search and filters that all apply at once — what a sample
// is (its answer, malformed, its checked output, selected or skipped by calibration), the error
// kind of its output, its tier, and a PPL range brushed on the calibration histogram — and the
// list's order. Each drop-down offers only what the data holds (error kinds once predictions are
// checked, tiers once calibrated), with counts. "Clear filters" undoes all of them.
import { button, select, setOptions, textField, type Select, type SelectOption, type TextField } from '../shared/components';
import { el, text } from '../shared/dom';
import { kindLabel } from '../../src/core/toolcall/errorKinds';
import type { ErrorKind } from '../../src/core/toolcall/types';
import type { CalibrationSummary, CheckSummary, SampleFilters, SampleState, Sort } from './protocol';
import { fmtPpl } from './histogramBrush';

/** What the list shows: the query, the filters and the order (kept in the page's state). */
export interface ListQuery {
  query: string;
  filters: SampleFilters;
  sort: Sort;
}

const TIERS = ['hard', 'medium', 'easy'] as const;

export class SampleFilterBar {
  readonly root: HTMLElement;
  readonly search: TextField;
  private readonly state: Select;
  private readonly kind: Select;
  private readonly tier: Select;
  private readonly sort: Select;
  private readonly pplChip: HTMLElement;
  private readonly pplText = text('span', 'chip-text', '');
  private readonly clearButton: HTMLElement;
  private ppl: SampleFilters['ppl'];
  private calibration: CalibrationSummary | undefined;
  private checked: CheckSummary | undefined;
  private skipped = 0;
  /** Filters restored from the state whose options have not arrived yet (set once they do). */
  private wanted: SampleFilters = {};

  /** `changed` runs when the user changes the query (Enter, Escape), a filter or the order; `pplCleared` when the chip's × clears the range. */
  constructor(
    private readonly changed: () => void,
    private readonly pplCleared: () => void,
    extra: HTMLElement[],
  ) {
    this.search = textField('Search samples', { className: 'search', placeholder: 'Search text (Enter)' });
    this.state = select('Show samples', this.stateOptions(), { className: 'filter' });
    this.kind = select('Output has error kind', [{ value: '', label: 'Any error kind' }], { className: 'filter-kind', hidden: true });
    this.tier = select('Calibration tier', [{ value: '', label: 'Any tier' }], { className: 'filter-tier', hidden: true });
    this.sort = select(
      'Order of the list',
      [
        { value: 'file', label: 'File order' },
        { value: 'ppl-desc', label: 'PPL, highest first' },
        { value: 'ppl-asc', label: 'PPL, lowest first' },
      ],
      { className: 'sort', hidden: true },
    );
    const chipClear = el('button', { class: 'chip-clear', 'aria-label': 'Clear the PPL range', title: 'Clear the PPL range' }, '×');
    this.pplChip = el('span', { class: 'filter-chip filter-ppl', hidden: '', title: 'Brushed on the calibration histogram' }, this.pplText, chipClear);
    this.clearButton = button('Clear filters', { secondary: true, className: 'filter-clear', title: 'Show every sample again: no search text, no filter', hidden: true });
    this.root = el('div', { class: 'filter-bar', role: 'search', 'aria-label': 'Filter the samples' }, this.search, this.state, this.kind, this.tier, this.pplChip, this.clearButton, this.sort, ...extra);

    this.search.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') this.changed();
      if ((e as KeyboardEvent).key === 'Escape' && this.search.value) {
        this.search.value = '';
        this.changed();
      }
    });
    for (const s of [this.state, this.kind, this.tier, this.sort]) s.addEventListener('change', () => this.changed());
    chipClear.addEventListener('click', () => {
      this.setPpl(undefined);
      this.pplCleared();
      this.changed();
    });
    this.clearButton.addEventListener('click', () => {
      this.search.value = '';
      for (const s of [this.state, this.kind, this.tier]) s.value = '';
      this.wanted = {};
      this.setPpl(undefined);
      this.pplCleared();
      this.changed();
    });
  }

  value(): ListQuery {
    const filters: SampleFilters = {};
    if (this.state.value) filters.state = this.state.value as SampleState;
    if (this.kind.value) filters.kind = this.kind.value as ErrorKind;
    if (this.tier.value) filters.tier = this.tier.value as SampleFilters['tier'];
    if (this.ppl) filters.ppl = this.ppl;
    const query = this.search.value ?? '';
    this.clearButton.hidden = !query.trim() && Object.keys(filters).length === 0;
    return { query, filters, sort: (this.sort.value || 'file') as Sort };
  }

  /** Put back what the state kept; filters whose options come with data are set when it arrives. */
  restore(q: ListQuery): void {
    this.search.value = q.query;
    this.wanted = { ...q.filters };
    this.sort.value = q.sort;
    this.setPpl(q.filters.ppl);
    this.offerWanted(false);
  }

  /** The brushed PPL range (undefined: none), shown as a chip. */
  setPpl(range: SampleFilters['ppl']): void {
    this.ppl = range;
    this.pplChip.hidden = !range;
    this.pplText.textContent = range ? `PPL ${fmtPpl(range.from)}–${fmtPpl(range.to)}` : '';
    if (range) {
      this.pplChip.dataset.from = String(range.from);
      this.pplChip.dataset.to = String(range.to);
    }
  }

  get filters(): SampleFilters {
    return this.value().filters;
  }

  /** Calibration results arrived: tiers, the selection and the skips become filters, PPL an order. */
  setCalibration(c: CalibrationSummary): void {
    this.calibration = c;
    this.skipped = c.skipped;
    this.sort.hidden = false;
    this.tier.hidden = false;
    setOptions(this.tier, [{ value: '', label: 'Any tier' }, ...TIERS.map((t) => ({ value: t, label: `Tier: ${t} (${c.tiers[t]})` }))]);
    setOptions(this.state, this.stateOptions());
    this.offerWanted();
  }

  /** A refused calibration shows no summary, but its skips are on the rows: they become a filter. */
  setSkipped(records: number): void {
    this.skipped = records;
    setOptions(this.state, this.stateOptions());
    this.offerWanted();
  }

  /** Predictions were checked: validity and each error kind present become filters. */
  setVerdicts(s: CheckSummary): void {
    this.checked = s;
    this.kind.hidden = false;
    const kinds = (Object.keys(s.byKind) as ErrorKind[]).filter((k) => s.byKind[k] > 0);
    setOptions(this.kind, [{ value: '', label: 'Any error kind' }, ...kinds.map((k) => ({ value: k, label: `Error: ${kindLabel(k)} (${s.byKind[k]})` }))]);
    setOptions(this.state, this.stateOptions());
    this.offerWanted();
  }

  private stateOptions(): SelectOption[] {
    const c = this.calibration;
    const s = this.checked;
    return [
      { value: '', label: 'All samples' },
      { value: 'calls', label: 'Answer calls a tool' },
      { value: 'text', label: 'Answer is text' },
      { value: 'problems', label: 'Malformed records' },
      ...(s
        ? [
            { value: 'valid', label: `Output valid (${s.valid})` },
            { value: 'invalid', label: `Output invalid (${s.checked - s.valid})` },
          ]
        : []),
      ...(c?.selected ? [{ value: 'selected', label: `Selected as deficient (${c.selected})` }] : []),
      ...(this.skipped ? [{ value: 'skipped', label: `Skipped by calibration (${this.skipped})` }] : []),
    ];
  }

  /** Set the restored filters whose options are offered now; the list is asked again if one was. */
  private offerWanted(notify = true): void {
    let set = false;
    for (const [key, control] of [
      ['state', this.state],
      ['kind', this.kind],
      ['tier', this.tier],
    ] as const) {
      const want = this.wanted[key];
      if (!want || !control.querySelector(`[value="${CSS.escape(want)}"]`)) continue;
      delete this.wanted[key];
      if (control.value !== want) {
        control.value = want;
        set = true;
      }
    }
    if (set && notify) this.changed();
  }
}

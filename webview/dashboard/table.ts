// The rounds as a compact table, text only (labels, trainer errors are untrusted: textContent and
// attribute values, never HTML). Keyboard: the table region is one tab stop; within it ↑/↓,
// Home/End move between rows (a roving tabindex), so a screen reader reads one round at a time.
import type { Interval, RoundRow } from '../../src/core/rounds/dashboardData';
import { percent } from '../../src/core/rounds/dashboardData';
import { el } from '../shared/dom';

const COLUMNS: { key: string; label: string; title: string; num?: boolean }[] = [
  { key: 'round', label: 'Round', title: 'Round number', num: true },
  { key: 'policy', label: 'Policy', title: 'The policy the round started from (calibration and search ran with it)' },
  { key: 'scored', label: 'Scored', title: 'Samples the calibration scored (PPL)', num: true },
  { key: 'selected', label: 'Selected', title: 'Samples selected as deficient', num: true },
  { key: 'found', label: 'Pairs found', title: 'Preference pairs the search found', num: true },
  { key: 'accepted', label: 'Accepted', title: 'Pairs accepted for training', num: true },
  { key: 'manual', label: 'Manual', title: 'Pairs added or edited by hand', num: true },
  { key: 'job', label: 'Training job', title: 'Status of the training job and its last progress' },
  { key: 'result', label: 'Result policy', title: 'The policy training produced' },
  { key: 'baseline', label: 'Baseline', title: 'Held-out accuracy of the starting policy [95% interval, Wilson]', num: true },
  { key: 'accuracy', label: 'Accuracy', title: 'Held-out accuracy of the result policy [95% interval, Wilson]', num: true },
  { key: 'skipped', label: 'Skipped', title: "Held-out samples each evaluation skipped, longer than the model's context and left out of its count: baseline / result", num: true },
  { key: 'truncated', label: 'Cut off', title: "Answers each evaluation cut off at the token limit or the context's end (judged as written): baseline / result", num: true },
];

const GAP = '—';
const n = (v: number | null): string => (v === null ? GAP : String(v));

function jobCell(job: RoundRow['job']): HTMLElement {
  const td = el('td', { class: 'job' });
  if (!job) {
    td.textContent = GAP;
    return td;
  }
  const status = typeof job.status === 'string' ? job.status : 'unknown';
  td.classList.add(`job-${status.replace(/[^a-z]/g, '')}`);
  td.textContent = job.percentage !== null ? `${status} · ${Math.round(job.percentage)}%` : status;
  td.dataset.status = status;
  if (job.percentage !== null) td.dataset.percentage = String(job.percentage);
  const tip = [`backend: ${job.backend}`, job.message ? `last message: ${job.message}` : '', job.error ? `error: ${job.error}` : ''].filter(Boolean).join('\n');
  td.title = tip;
  return td;
}

function cell(key: string, text: string, value?: number | null): HTMLElement {
  const td = el('td', { class: key }, text);
  if (value !== undefined && value !== null) td.dataset.value = String(value);
  return td;
}

/**
 * An accuracy cell: the percentage as its text, its 95% interval shown after it (the stylesheet
 * prints data-interval, so the text stays the number), in its tooltip and as data-lo / data-hi.
 */
function accuracyCell(key: string, value: number | null, interval: Interval | null | undefined): HTMLElement {
  const td = cell(key, value === null ? GAP : percent(value), value);
  if (value === null || !interval) return td;
  const [lo, hi] = [interval.lo, interval.hi].map((x) => (100 * x).toFixed(1));
  td.dataset.lo = String(interval.lo);
  td.dataset.hi = String(interval.hi);
  td.dataset.interval = `[${lo}, ${hi}]`;
  td.title = `${percent(value)}, 95% interval ${lo}–${hi}% (Wilson)`;
  return td;
}

/**
 * What the round's two evaluations lost, "baseline / result" ('—' for an evaluation not run), with
 * each number in data-baseline / data-result and the tooltip saying which is which.
 */
function lossCell(key: 'skipped' | 'truncated', baseline: number | null, result: number | null): HTMLElement {
  const td = cell(key, baseline === null && result === null ? GAP : `${n(baseline)} / ${n(result)}`);
  if (baseline !== null) td.dataset.baseline = String(baseline);
  if (result !== null) td.dataset.result = String(result);
  const what = key === 'skipped' ? "skipped (longer than the model's context)" : 'cut off';
  td.title = `baseline: ${baseline === null ? 'not evaluated' : `${baseline} ${what}`}\nresult: ${result === null ? 'not evaluated' : `${result} ${what}`}`;
  return td;
}

export class RoundsTable {
  readonly root: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private focusRow = 0;

  constructor() {
    this.body = el('tbody', {});
    const head = el('thead', {}, el('tr', {}, ...COLUMNS.map((c) => el('th', { scope: 'col', title: c.title, class: c.num ? `num ${c.key}` : c.key }, c.label))));
    const table = el('table', { class: 'rounds' }, el('caption', { class: 'visually-hidden' }, 'Optimisation rounds'), head, this.body);
    // The region scrolls sideways on narrow panels: focusable, so the keyboard can scroll it too.
    this.root = el('div', { class: 'card table-box', role: 'region', 'aria-label': 'Rounds table', tabindex: '0' }, table);
    this.root.addEventListener('keydown', (e) => this.onKey(e));
    this.body.addEventListener('focusin', (e) => {
      const tr = (e.target as HTMLElement).closest('tr');
      if (tr) this.setFocusRow([...this.body.rows].indexOf(tr as HTMLTableRowElement), false);
    });
  }

  show(rows: RoundRow[]): void {
    this.body.replaceChildren(
      ...rows.map((r) =>
        el(
          'tr',
          { 'data-round': String(r.round), tabindex: '-1' },
          cell('round', String(r.round), r.round),
          cell('policy', r.policy || GAP),
          cell('scored', n(r.scored), r.scored),
          cell('selected', n(r.selected), r.selected),
          cell('found', n(r.found), r.found),
          cell('accepted', n(r.accepted), r.accepted),
          cell('manual', n(r.manual), r.manual),
          jobCell(r.job),
          cell('result', r.result ?? GAP),
          accuracyCell('baseline', r.baseline, r.baselineInterval),
          accuracyCell('accuracy', r.accuracy, r.accuracyInterval),
          lossCell('skipped', r.baselineSkipped, r.accuracySkipped),
          lossCell('truncated', r.baselineTruncated, r.accuracyTruncated),
        ),
      ),
    );
    for (const tr of this.body.rows) for (const [i, td] of [...tr.cells].entries()) if (COLUMNS[i]?.num) td.classList.add('num');
    this.setFocusRow(Math.min(this.focusRow, rows.length - 1), false);
  }

  private setFocusRow(i: number, focus: boolean): void {
    const rows = [...this.body.rows];
    if (rows.length === 0 || i < 0) return;
    this.focusRow = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, k) => r.setAttribute('tabindex', k === this.focusRow ? '0' : '-1'));
    if (focus) rows[this.focusRow].focus();
  }

  private onKey(e: KeyboardEvent): void {
    const last = this.body.rows.length - 1;
    if (last < 0) return;
    // From the region itself, ↓ enters the rows where the keyboard left them.
    if (e.target === this.root) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        this.setFocusRow(this.focusRow, true);
      }
      return;
    }
    const to = e.key === 'ArrowDown' ? this.focusRow + 1 : e.key === 'ArrowUp' ? this.focusRow - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? last : undefined;
    if (to === undefined) return;
    e.preventDefault();
    this.setFocusRow(to, true);
  }
}

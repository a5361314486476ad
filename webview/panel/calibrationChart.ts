// Calibration at a glance: a histogram of reference-answer perplexities (log-spaced bins, each bar
// coloured by its difficulty tier, so the tier cut-offs show where the colours change) with the
// model, round, cut-offs, tier sizes and how many samples are selected as deficient. The
// selection's cut-off is drawn as a line; brushing the bins filters the list to a PPL range
// (histogramBrush.ts), cleared with the button under the chart or Escape.
import type { ChartConfiguration } from 'chart.js';
import { button } from '../shared/components';
import { el, text, themeColour } from '../shared/dom';
import { ChartPanel } from './chartPanel';
import { fmtPpl, HistogramBrush, type BinRange } from './histogramBrush';
import type { CalibrationSummary, SampleFilters } from './protocol';

export type PplRange = NonNullable<SampleFilters['ppl']>;

export class CalibrationChart extends ChartPanel<CalibrationSummary> {
  private summaryShown: CalibrationSummary | undefined;
  private readonly brush: HistogramBrush;
  private readonly brushStatus = el('span', { class: 'brush-status', role: 'status', 'aria-live': 'polite' });
  private readonly clearButton = button('Clear PPL range', { secondary: true, className: 'brush-clear', title: 'Show every PPL again (Escape on the chart)', hidden: true });
  /** The user brushed a range (undefined: cleared). */
  onRange: ((range: PplRange | undefined) => void) | undefined;

  constructor() {
    super('calibration', 'Calibration', 'Histogram of reference-answer perplexity (PPL), one bar per range, coloured by tier');
    const box = this.body.querySelector<HTMLElement>('.chart-box')!;
    box.tabIndex = 0;
    box.setAttribute('role', 'group');
    box.setAttribute('aria-roledescription', 'histogram');
    box.setAttribute('aria-label', 'PPL histogram: drag across bins, or press ←/→ (Shift to widen) and Enter, to filter the list to a PPL range; Escape clears');
    this.brushStatus.id = 'brush-status';
    box.setAttribute('aria-describedby', this.brushStatus.id);
    this.brush = new HistogramBrush(box, this.canvas, {
      chart: () => this.chart,
      summary: () => this.summaryShown,
      choose: (r) => this.onRange?.(r && this.rangeOf(r)),
      describe: (r, pending) => this.describeRange(r, pending),
    });
    this.clearButton.addEventListener('click', () => {
      this.brush.set(undefined);
      this.onRange?.(undefined);
    });
    this.body.append(el('div', { class: 'brush-bar' }, text('span', 'brush-hint', 'Drag across the bars to list a PPL range.'), this.brushStatus, this.clearButton));
  }

  override show(s: CalibrationSummary): void {
    this.summaryShown = s;
    super.show(s);
  }

  /** The list's PPL filter changed (restored, cleared elsewhere, or a new histogram): draw it as the range. */
  setRange(range: PplRange | undefined): void {
    this.brush.set(range && this.binsOf(range));
  }

  /** The bins a range covers, by their nearest edges (the host compares the same way). */
  private binsOf(r: PplRange): BinRange | undefined {
    const bins = this.summaryShown?.histogram ?? [];
    if (!bins.length) return undefined;
    const nearest = (v: number, edge: (k: number) => number) => {
      let best = 0;
      for (let k = 1; k < bins.length; k++) if (Math.abs(Math.log(edge(k)) - Math.log(v)) < Math.abs(Math.log(edge(best)) - Math.log(v))) best = k;
      return best;
    };
    const a = nearest(r.from, (k) => bins[k].from);
    const b = nearest(r.to, (k) => bins[k].to);
    return a <= b ? [a, b] : undefined;
  }

  private rangeOf([a, b]: BinRange): PplRange {
    const bins = this.summaryShown!.histogram;
    return { from: bins[a].from, to: bins[b].to };
  }

  private describeRange(r: BinRange | undefined, pending: boolean): void {
    this.clearButton.hidden = !this.brush.applied;
    if (!r || !this.summaryShown?.histogram.length) {
      this.brushStatus.textContent = '';
      delete this.root.dataset.rangeFrom;
      delete this.root.dataset.rangeTo;
      return;
    }
    const { from, to } = this.rangeOf(r);
    const n = this.summaryShown.histogram.slice(r[0], r[1] + 1).reduce((sum, bin) => sum + bin.count, 0);
    this.brushStatus.textContent = `PPL ${fmtPpl(from)}–${fmtPpl(to)}: ${n} scored sample(s)${pending ? ' · Enter or release to list them' : ' listed'}`;
    if (!pending && this.brush.applied) {
      this.root.dataset.rangeFrom = String(from);
      this.root.dataset.rangeTo = String(to);
    }
  }

  protected describe(s: CalibrationSummary): void {
    const cuts = s.cuts ? ` · cut-offs ${fmtPpl(s.cuts.easyBelow)} / ${fmtPpl(s.cuts.hardFrom)} (${s.cuts.source})` : '';
    this.caption.replaceChildren(
      text('strong', 'model', `${s.model} · round ${s.round}`),
      text('span', 'meta', ` · ${s.scored} scored · easy ${s.tiers.easy}, medium ${s.tiers.medium}, hard ${s.tiers.hard}${cuts}`),
      text('span', 'selected-count', s.selected ? ` · ${s.selected} selected as deficient` : ''),
      text('span', 'skipped-count', s.skipped ? ` · ${s.skipped} record(s) skipped` : ''),
    );
    this.root.dataset.scored = String(s.scored);
    this.root.dataset.selected = String(s.selected);
    this.root.dataset.bins = String(s.histogram.length);
    // The selection's cut-off per group, as drawn (the canvas cannot be read back by tests).
    this.root.dataset.cutoff = JSON.stringify(s.selectedFrom ?? {});
  }

  protected chartConfig(s: CalibrationSummary, fg: string): ChartConfiguration<'bar'> {
    return {
      type: 'bar',
      data: {
        labels: s.histogram.map((b) => `${fmtPpl(b.from)}–${fmtPpl(b.to)}`),
        datasets: [{ label: 'samples', data: s.histogram.map((b) => b.count), backgroundColor: s.histogram.map((b) => themeColour(`--itool-tier-${b.tier}`)), barPercentage: 1, categoryPercentage: 1 }],
      },
      plugins: [this.brush.plugin()],
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { title: (items) => `PPL ${items[0].label} (${s.histogram[items[0].dataIndex].tier})` } } },
        scales: { x: { ticks: { color: fg, maxRotation: 0, autoSkip: true }, grid: { display: false } }, y: { ticks: { color: fg, precision: 0 }, grid: { color: 'rgba(128,128,128,0.2)' } } },
      },
    };
  }
}

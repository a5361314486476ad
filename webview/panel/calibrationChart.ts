// Calibration at a glance: a histogram of reference-answer perplexities (log-spaced bins, each bar
// coloured by its difficulty tier, so the tier cut-offs show where the colours change) with the
// model, round, cut-offs, tier sizes and how many samples are selected as deficient.
import type { ChartConfiguration } from 'chart.js';
import { ChartPanel } from './chartPanel';
import { text, themeColour } from '../shared/dom';
import type { CalibrationSummary } from './protocol';

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export class CalibrationChart extends ChartPanel<CalibrationSummary> {
  constructor() {
    super('calibration', 'Calibration (perplexity of the reference answers)', 'Histogram of reference-answer perplexity');
  }

  protected describe(s: CalibrationSummary): void {
    const cuts = s.cuts ? ` · cut-offs ${fmt(s.cuts.easyBelow)} / ${fmt(s.cuts.hardFrom)} (${s.cuts.source})` : '';
    this.caption.replaceChildren(
      text('strong', 'model', `${s.model} · round ${s.round}`),
      text('span', 'meta', ` · ${s.scored} scored · easy ${s.tiers.easy}, medium ${s.tiers.medium}, hard ${s.tiers.hard}${cuts}`),
      text('span', 'selected-count', s.selected ? ` · ${s.selected} selected as deficient` : ''),
    );
    this.root.dataset.scored = String(s.scored);
    this.root.dataset.selected = String(s.selected);
  }

  protected chartConfig(s: CalibrationSummary, fg: string): ChartConfiguration<'bar'> {
    return {
      type: 'bar',
      data: {
        labels: s.histogram.map((b) => `${fmt(b.from)}–${fmt(b.to)}`),
        datasets: [{ label: 'samples', data: s.histogram.map((b) => b.count), backgroundColor: s.histogram.map((b) => themeColour(`--itool-tier-${b.tier}`)), barPercentage: 1, categoryPercentage: 1 }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { title: (items) => `PPL ${items[0].label} (${s.histogram[items[0].dataIndex].tier})` } } },
        scales: { x: { ticks: { color: fg, maxRotation: 0, autoSkip: true }, grid: { display: false } }, y: { ticks: { color: fg, precision: 0 }, grid: { color: 'rgba(128,128,128,0.2)' } } },
      },
    };
  }
}

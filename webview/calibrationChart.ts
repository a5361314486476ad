// Calibration at a glance: a histogram of reference-answer perplexities (log-spaced bins, each bar
// coloured by its difficulty tier, so the tier cut-offs show where the colours change) with the
// model, round, cut-offs, tier sizes and how many samples are selected as deficient.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { el, text } from './dom';
import type { CalibrationSummary } from './protocol';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function tierColour(tier: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(`--itool-tier-${tier}`).trim();
  return v || getComputedStyle(document.body).color;
}

export class CalibrationChart {
  readonly root: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private chart: Chart | undefined;
  private last: CalibrationSummary | undefined;

  constructor() {
    this.caption = el('div', { class: 'summary-caption', role: 'status' });
    this.canvas = el('canvas', { 'aria-label': 'Histogram of reference-answer perplexity', role: 'img' });
    this.root = el('details', { class: 'summary calibration', open: '' }, el('summary', {}, 'Calibration (perplexity of the reference answers)'), this.caption, el('div', { class: 'chart-box' }, this.canvas));
    this.root.hidden = true;
    new MutationObserver(() => this.last && this.draw(this.last)).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  show(s: CalibrationSummary): void {
    this.last = s;
    this.root.hidden = false;
    const cuts = s.cuts ? ` · cut-offs ${fmt(s.cuts.easyBelow)} / ${fmt(s.cuts.hardFrom)} (${s.cuts.source})` : '';
    this.caption.replaceChildren(
      text('strong', 'model', `${s.model} · round ${s.round}`),
      text('span', 'meta', ` · ${s.scored} scored · easy ${s.tiers.easy}, medium ${s.tiers.medium}, hard ${s.tiers.hard}${cuts}`),
      text('span', 'selected-count', s.selected ? ` · ${s.selected} selected as deficient` : ''),
    );
    this.root.dataset.scored = String(s.scored);
    this.root.dataset.selected = String(s.selected);
    this.draw(s);
  }

  private draw(s: CalibrationSummary): void {
    const fg = getComputedStyle(document.body).color;
    if (this.chart) this.chart.destroy();
    this.chart = new Chart(this.canvas, {
      type: 'bar',
      data: {
        labels: s.histogram.map((b) => `${fmt(b.from)}–${fmt(b.to)}`),
        datasets: [{ label: 'samples', data: s.histogram.map((b) => b.count), backgroundColor: s.histogram.map((b) => tierColour(b.tier)), barPercentage: 1, categoryPercentage: 1 }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { title: (items) => `PPL ${items[0].label} (${s.histogram[items[0].dataIndex].tier})` } } },
        scales: { x: { ticks: { color: fg, maxRotation: 0, autoSkip: true }, grid: { display: false } }, y: { ticks: { color: fg, precision: 0 }, grid: { color: 'rgba(128,128,128,0.2)' } } },
      },
    });
  }
}

// The checker summary for the whole dataset: accuracy and a bar chart of errors per kind
// (chart.js), coloured like the highlights and redrawn when the theme changes.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import type { ErrorKind } from '../src/core/toolcall/types';
import { el, text } from './dom';
import type { CheckSummary } from './protocol';
import { KIND_LABEL } from './verdictView';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/** The CSS variable each kind's highlight uses (media/panel.css), read back for the chart. */
function kindColour(kind: ErrorKind | 'valid'): string {
  const v = getComputedStyle(document.body).getPropertyValue(`--itool-${kind.replace(/_/g, '-')}`).trim();
  return v || getComputedStyle(document.body).color;
}

export class SummaryChart {
  readonly root: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private chart: Chart | undefined;
  private last: CheckSummary | undefined;

  constructor() {
    this.caption = el('div', { class: 'summary-caption', role: 'status' });
    this.canvas = el('canvas', { 'aria-label': 'Errors per kind', role: 'img' });
    this.root = el('details', { class: 'summary checker', open: '' }, el('summary', {}, 'Checker summary'), this.caption, el('div', { class: 'chart-box' }, this.canvas));
    this.root.hidden = true;
    // Theme switches change the body's class: redraw with the new colours.
    new MutationObserver(() => this.last && this.draw(this.last)).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  show(s: CheckSummary): void {
    this.last = s;
    this.root.hidden = false;
    const pct = s.checked ? ((100 * s.valid) / s.checked).toFixed(1) : '0.0';
    this.caption.replaceChildren(
      text('strong', 'accuracy', `${pct}% valid`),
      text('span', 'meta', ` · ${s.valid} of ${s.checked} outputs · predictions: ${s.file}` + (s.unmatched ? ` · ${s.unmatched} output(s) with no sample of that id` : '') + (s.problems ? ` · ${s.problems} unreadable line(s)` : '')),
    );
    this.root.dataset.accuracy = pct;
    this.root.dataset.valid = String(s.valid);
    this.root.dataset.checked = String(s.checked);
    this.draw(s);
  }

  private draw(s: CheckSummary): void {
    const kinds = (Object.keys(s.byKind) as ErrorKind[]).filter((k) => s.byKind[k] > 0);
    const fg = getComputedStyle(document.body).color;
    const data = {
      labels: ['valid', ...kinds.map((k) => KIND_LABEL[k])],
      datasets: [{ label: 'outputs', data: [s.valid, ...kinds.map((k) => s.byKind[k])], backgroundColor: [kindColour('valid'), ...kinds.map(kindColour)] }],
    };
    if (this.chart) this.chart.destroy();
    this.chart = new Chart(this.canvas, {
      type: 'bar',
      data,
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        plugins: { tooltip: { enabled: true } },
        scales: { x: { ticks: { color: fg, precision: 0 }, grid: { color: 'rgba(128,128,128,0.2)' } }, y: { ticks: { color: fg, autoSkip: false } } },
      },
    });
  }
}

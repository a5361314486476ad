// A collapsible summary with a caption and a chart.js bar chart, coloured from the theme and
// redrawn when the theme changes (VS Code swaps the body's class). Subclasses say what the
// caption reads and what the chart draws.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { el } from '../shared/dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export abstract class ChartPanel<S> {
  readonly root: HTMLElement;
  protected readonly caption: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private chart: Chart | undefined;
  private last: S | undefined;

  constructor(cls: string, title: string, chartLabel: string) {
    this.caption = el('div', { class: 'summary-caption', role: 'status' });
    this.canvas = el('canvas', { 'aria-label': chartLabel, role: 'img' });
    this.root = el('details', { class: `summary ${cls}`, open: '' }, el('summary', {}, title), this.caption, el('div', { class: 'chart-box' }, this.canvas));
    this.root.hidden = true;
    new MutationObserver(() => this.last !== undefined && this.draw(this.last)).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  show(s: S): void {
    this.last = s;
    this.root.hidden = false;
    this.describe(s);
    this.draw(s);
  }

  /** Fill the caption (and any data attributes) for `s`. */
  protected abstract describe(s: S): void;

  /** The chart for `s`, with `fg` the theme's text colour. */
  protected abstract chartConfig(s: S, fg: string): ChartConfiguration<'bar'>;

  private draw(s: S): void {
    this.chart?.destroy();
    this.chart = new Chart(this.canvas, this.chartConfig(s, getComputedStyle(document.body).color));
  }
}

// A collapsible summary with a caption and a chart.js bar chart, coloured from the theme and
// redrawn when the theme changes (VS Code swaps the body's class). Subclasses say what the
// caption reads and what the chart draws. A toggle button (aria-expanded) folds the chart away
// and leaves the one-line caption: folded by default on the review tab, where a pair needs the
// height, open on the samples tab; what the user chooses is kept per tab in the page's state.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { el, text } from '../shared/dom';
import { getState, setState } from './host';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export type PanelTab = 'samples' | 'review';

export abstract class ChartPanel<S> {
  readonly root: HTMLElement;
  protected readonly caption: HTMLElement;
  /** Where a subclass adds what goes under the chart (folded away with it). */
  protected readonly body: HTMLElement;
  protected readonly canvas: HTMLCanvasElement;
  protected chart: Chart<'bar'> | undefined;
  private readonly toggle: HTMLButtonElement;
  private last: S | undefined;
  private tab: PanelTab = 'samples';

  constructor(
    private readonly cls: string,
    title: string,
    chartLabel: string,
  ) {
    this.caption = el('div', { class: 'summary-caption', role: 'status' });
    this.canvas = el('canvas', { 'aria-label': chartLabel, role: 'img' });
    const bodyId = `summary-body-${cls}`;
    this.toggle = el('button', { class: 'summary-toggle', 'aria-expanded': 'true', 'aria-controls': bodyId, title: `Show or hide the ${title.toLowerCase()} chart` }, text('span', 'summary-chevron', ''), text('span', 'summary-title', title));
    this.body = el('div', { class: 'summary-body', id: bodyId }, el('div', { class: 'chart-box' }, this.canvas));
    this.root = el('section', { class: `summary ${cls}`, 'aria-label': title }, el('div', { class: 'summary-head' }, this.toggle, this.caption), this.body);
    this.root.hidden = true;
    this.toggle.addEventListener('click', () => {
      this.setOpen(!this.open);
      setState({ ...getState(), charts: { ...getState().charts, [this.key]: this.open } });
    });
    new MutationObserver(() => this.last !== undefined && this.draw(this.last)).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.setOpen(true);
  }

  show(s: S): void {
    this.last = s;
    this.root.hidden = false;
    this.describe(s);
    this.draw(s);
  }

  /** The tab in front changed: open or fold as chosen there before (by default open but on the review tab). */
  showTab(tab: PanelTab): void {
    this.tab = tab;
    this.setOpen(getState().charts?.[this.key] ?? tab !== 'review');
  }

  get open(): boolean {
    return this.toggle.getAttribute('aria-expanded') === 'true';
  }

  private get key(): string {
    return `${this.cls}:${this.tab}`;
  }

  private setOpen(open: boolean): void {
    this.toggle.setAttribute('aria-expanded', String(open));
    this.root.dataset.open = String(open);
    this.body.hidden = !open;
  }

  /** Fill the caption (and any data attributes) for `s`. */
  protected abstract describe(s: S): void;

  /** The chart for `s`, with `fg` the theme's text colour. */
  protected abstract chartConfig(s: S, fg: string): ChartConfiguration<'bar'>;

  protected draw(s: S): void {
    this.chart?.destroy();
    this.chart = new Chart(this.canvas, this.chartConfig(s, getComputedStyle(document.body).color));
  }
}

// The checker summary for the whole dataset: accuracy and a bar chart of errors per kind, each bar
// in its kind's colour (webview/shared/kindStyle.ts, the same as the highlights) and named on the axis.
import type { ChartConfiguration } from 'chart.js';
import type { ErrorKind } from '../../src/core/toolcall/types';
import { kindLabel } from '../../src/core/toolcall/errorKinds';
import { ChartPanel } from './chartPanel';
import { text, themeColour } from '../shared/dom';
import { kindColour } from '../shared/kindStyle';
import type { CheckSummary } from './protocol';

export class SummaryChart extends ChartPanel<CheckSummary> {
  constructor() {
    super('checker', 'Checker summary', 'Errors per kind');
  }

  protected describe(s: CheckSummary): void {
    const pct = s.checked ? ((100 * s.valid) / s.checked).toFixed(1) : '0.0';
    this.caption.replaceChildren(
      text('strong', 'accuracy', `${pct}% valid`),
      text('span', 'meta', ` · ${s.valid} of ${s.checked} outputs · predictions: ${s.file}` + (s.unmatched ? ` · ${s.unmatched} output(s) with no sample of that id` : '') + (s.problems ? ` · ${s.problems} unreadable line(s)` : '')),
    );
    this.root.dataset.accuracy = pct;
    this.root.dataset.valid = String(s.valid);
    this.root.dataset.checked = String(s.checked);
    // One bar per kind present (and valid), each tall enough for its name: set through the CSSOM (the CSP forbids inline style in markup).
    const bars = 1 + Object.values(s.byKind).filter((n) => n > 0).length;
    this.root.querySelector<HTMLElement>('.chart-box')?.style.setProperty('height', `${Math.max(140, 34 + 20 * bars)}px`);
  }

  protected chartConfig(s: CheckSummary, fg: string): ChartConfiguration<'bar'> {
    const kinds = (Object.keys(s.byKind) as ErrorKind[]).filter((k) => s.byKind[k] > 0);
    const colours = kinds.map(kindColour);
    // What each bar is drawn in, for the end-to-end test (the canvas itself cannot be read back).
    this.root.dataset.colours = JSON.stringify(Object.fromEntries(kinds.map((k, i) => [k, colours[i]])));
    return {
      type: 'bar',
      data: {
        labels: ['valid', ...kinds.map(kindLabel)],
        datasets: [{ label: 'outputs', data: [s.valid, ...kinds.map((k) => s.byKind[k])], backgroundColor: [themeColour('--itool-valid'), ...colours] }],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        plugins: { tooltip: { enabled: true } },
        scales: { x: { ticks: { color: fg, precision: 0 }, grid: { color: 'rgba(128,128,128,0.2)' } }, y: { ticks: { color: fg, autoSkip: false } } },
      },
    };
  }
}

// The checker summary for the whole dataset: accuracy and a bar chart of errors per kind, coloured
// like the highlights.
import type { ChartConfiguration } from 'chart.js';
import type { ErrorKind } from '../src/core/toolcall/types';
import { ChartPanel, themeColour } from './chartPanel';
import { text } from './dom';
import type { CheckSummary } from './protocol';
import { KIND_LABEL } from './verdictView';

/** The CSS variable each kind's highlight uses, read back for the chart. */
const kindColour = (kind: ErrorKind | 'valid'): string => themeColour(`--itool-${kind.replace(/_/g, '-')}`);

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
  }

  protected chartConfig(s: CheckSummary, fg: string): ChartConfiguration<'bar'> {
    const kinds = (Object.keys(s.byKind) as ErrorKind[]).filter((k) => s.byKind[k] > 0);
    return {
      type: 'bar',
      data: {
        labels: ['valid', ...kinds.map((k) => KIND_LABEL[k])],
        datasets: [{ label: 'outputs', data: [s.valid, ...kinds.map((k) => s.byKind[k])], backgroundColor: [kindColour('valid'), ...kinds.map(kindColour)] }],
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

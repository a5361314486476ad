// The dashboard's four charts (chart.js, only the controllers and elements they use), each in a
// card with a heading, an aria-labelled canvas, a text summary of the same numbers (for screen
// readers, keyboard users and anyone who wants the figures) and data attributes that say what is
// plotted (read by the end-to-end test). Colours come from theme CSS variables that
// media/dashboard.css defines (the error kinds': webview/shared/kindStyle.ts, from the one kind table in
// src/core/toolcall/errorKinds.ts), and are read again on every draw, so a theme change redraws them.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration, type ChartType, type Plugin } from 'chart.js';
import { formatPpl, percent, type DashboardData, type Interval, type PolicyPoint } from '../../src/core/rounds/dashboardData';
import { kindLabel } from '../../src/core/toolcall/errorKinds';
import { el, themeColour } from '../shared/dom';
import { kindColour } from '../shared/kindStyle';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Colours of the PPL series, one per round in turn. */
const ROUND_VARIABLES = ['--itool-dash-round-1', '--itool-dash-round-2', '--itool-dash-round-3', '--itool-dash-round-4', '--itool-dash-round-5', '--itool-dash-round-6'];

interface Theme {
  fg: string;
  grid: string;
}

function theme(): Theme {
  return { fg: themeColour('--itool-dash-foreground'), grid: themeColour('--itool-dash-grid') };
}

/** One chart card. `show` replaces what it plots; `redraw` draws it again with the theme's colours now. */
export class ChartCard<T extends ChartType> {
  readonly root: HTMLElement;
  private readonly box: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly summary: HTMLElement;
  private readonly note: HTMLElement;
  private chart: Chart<T> | undefined;
  private config: ((t: Theme) => ChartConfiguration<T>) | undefined;

  constructor(cls: string, title: string) {
    const id = `chart-${cls}`;
    this.canvas = el('canvas', { role: 'img', 'aria-label': title, 'aria-describedby': `${id}-summary` });
    this.box = el('div', { class: 'chart-box' }, this.canvas);
    this.summary = el('p', { class: 'chart-summary', id: `${id}-summary` });
    this.note = el('p', { class: 'chart-empty', hidden: '' });
    this.root = el('section', { class: `card chart ${cls}`, 'aria-labelledby': `${id}-title` }, el('h2', { id: `${id}-title` }, title), this.note, this.box, this.summary);
  }

  show(config: (t: Theme) => ChartConfiguration<T>, summary: string, attrs: Record<string, string>): void {
    this.note.hidden = true;
    this.box.hidden = false;
    this.summary.textContent = summary;
    this.setAttrs(attrs);
    this.config = config;
    this.redraw();
  }

  /** Nothing to plot: a sentence instead of an empty chart. */
  empty(message: string, attrs: Record<string, string> = {}): void {
    this.config = undefined;
    this.chart?.destroy();
    this.chart = undefined;
    this.box.hidden = true;
    this.note.hidden = false;
    this.note.textContent = message;
    this.summary.textContent = '';
    this.setAttrs(attrs);
  }

  redraw(): void {
    if (!this.config) return;
    this.chart?.destroy();
    this.chart = new Chart(this.canvas, this.config(theme()));
    document.body.dataset.draws = String(Number(document.body.dataset.draws ?? '0') + 1);
  }

  private setAttrs(attrs: Record<string, string>): void {
    for (const a of [...this.root.attributes]) if (a.name.startsWith('data-')) this.root.removeAttribute(a.name);
    for (const [k, v] of Object.entries(attrs)) this.root.setAttribute(`data-${k}`, v);
  }
}

const pct1 = (a: number | null): string => (a === null ? '' : (100 * a).toFixed(1));
/** What an evaluation lost: held-out samples skipped (too long for the context) and answers cut off; '' when none. */
const losses = (p: PolicyPoint): string => [p.skipped ? `${p.skipped} skipped` : '', p.truncated ? `${p.truncated} cut off` : ''].filter(Boolean).join(', ');
/** A 95% interval as the summary and tooltips print it: [30.6, 60.3]. */
const span = (i: Interval | null | undefined): string => (i ? ` [${pct1(i.lo)}, ${pct1(i.hi)}]` : '');

/**
 * The 95% interval of every point of a line dataset as a whisker (a vertical bar with caps) in the
 * dataset's colour, drawn over the lines; the whiskers of several series at one point are set a
 * few pixels apart so each stays visible. Hidden datasets (legend) lose their whiskers too.
 */
function whiskers(series: { dataset: number; colour: string; intervals: (Interval | null)[] }[]): Plugin<'line'> {
  return {
    id: 'itoolWhiskers',
    afterDatasetsDraw(chart) {
      const y = chart.scales.y;
      const g = chart.ctx;
      const shown = series.filter((s) => chart.isDatasetVisible(s.dataset));
      shown.forEach((s, rank) => {
        const dx = (rank - (shown.length - 1) / 2) * 4;
        const points = chart.getDatasetMeta(s.dataset).data;
        g.save();
        g.strokeStyle = s.colour;
        g.globalAlpha = 0.85;
        g.lineWidth = 1.5;
        g.beginPath();
        s.intervals.forEach((iv, k) => {
          const at = points[k];
          if (!iv || !at || !Number.isFinite(at.x)) return;
          const x = at.x + dx;
          const top = y.getPixelForValue(100 * iv.hi);
          const bottom = y.getPixelForValue(100 * iv.lo);
          g.moveTo(x, top);
          g.lineTo(x, bottom);
          g.moveTo(x - 3, top);
          g.lineTo(x + 3, top);
          g.moveTo(x - 3, bottom);
          g.lineTo(x + 3, bottom);
        });
        g.stroke();
        g.restore();
      });
    },
  };
}

function axes(t: Theme, y: Record<string, unknown> = {}, stacked = false) {
  return {
    x: { stacked, ticks: { color: t.fg, maxRotation: 0, autoSkip: true }, grid: { display: false } },
    y: { stacked, beginAtZero: true, ticks: { color: t.fg, precision: 0 }, grid: { color: t.grid }, ...y },
  };
}

const legend = (t: Theme) => ({ display: true, position: 'bottom' as const, labels: { color: t.fg, boxWidth: 12, boxHeight: 12 } });

/** (1) Held-out accuracy per policy: base, then each round's result. */
export function showAccuracy(card: ChartCard<'line'>, d: DashboardData): void {
  const points = d.accuracy;
  const axis = d.accuracyAxis;
  const attrs: Record<string, string> = {
    rounds: points.map((p) => p.round).join(','),
    accuracy: points.map((p) => pct1(p.accuracy)).join(','),
    series: JSON.stringify(points.map((p) => ({ round: p.round, accuracy: p.accuracy, valid: p.valid ?? null, total: p.total ?? null, interval: p.interval ?? null, skipped: p.skipped ?? null, truncated: p.truncated ?? null }))),
    'y-min': String(axis.min),
    'y-max': String(axis.max),
    skipped: points.map((p) => (p.accuracy === null ? '' : String(p.skipped ?? 0))).join(','),
    truncated: points.map((p) => (p.accuracy === null ? '' : String(p.truncated ?? 0))).join(','),
  };
  if (d.comparisons.length) attrs.comparisons = JSON.stringify(d.comparisons);
  if (points.every((p) => p.accuracy === null)) {
    card.empty('No held-out evaluations yet: each round measures its starting policy and its result on the held-out split.', attrs);
    return;
  }
  const evaluated = points.filter((p) => p.accuracy !== null);
  const lost = evaluated.some((p) => p.skipped || p.truncated);
  const summary = [
    points.map((p) => (p.accuracy === null ? `${p.label}: not evaluated` : `${p.label}: ${percent(p.accuracy)}${p.valid !== undefined && p.total !== undefined ? ` (${p.valid}/${p.total})` : ''}${span(p.interval)}${p.policyLabel ? `, ${p.policyLabel}` : ''}${losses(p) ? `; ${losses(p)}` : ''}`)).join(' · '),
    ...d.comparisons.map((c) => `${c.label}: ${c.accuracy.map((a, k) => `${points[k].label} ${a === null ? '—' : `${percent(a)}${span(c.intervals?.[k])}`}`).join(', ')}`),
    lost
      ? 'Skipped: held-out samples longer than the model\'s context, left out of the count; cut off: answers that hit the token limit or the context\'s end, judged as written.'
      : `No held-out sample was skipped or cut off in ${evaluated.length === 1 ? 'the evaluation' : `any of the ${evaluated.length} evaluations`}.`,
    `Brackets: 95% interval (Wilson), drawn as whiskers. Axis: ${axis.min}–${axis.max}%.`,
  ].join('\n');
  const comparisonColours = ['--itool-dash-round-1', '--itool-dash-round-2', '--itool-dash-pairs-manual', '--itool-dash-round-4'];
  card.show(
    (t) => ({
      type: 'line',
      plugins: [
        whiskers([
          { dataset: 0, colour: themeColour('--itool-dash-accuracy'), intervals: points.map((p) => p.interval ?? null) },
          ...d.comparisons.flatMap((c, k) => (c.intervals ? [{ dataset: k + 1, colour: themeColour(comparisonColours[k % comparisonColours.length]), intervals: c.intervals }] : [])),
        ]),
      ],
      data: {
        labels: points.map((p) => p.label),
        datasets: [
          {
            label: 'held-out accuracy (checker)',
            data: points.map((p) => (p.accuracy === null ? null : 100 * p.accuracy)),
            borderColor: themeColour('--itool-dash-accuracy'),
            backgroundColor: themeColour('--itool-dash-accuracy'),
            pointRadius: 5,
            pointHoverRadius: 7,
            borderWidth: 2,
            spanGaps: false,
          },
          // The ablations of itool loop, dashed: the same rounds spent another way.
          ...d.comparisons.map((c, k) => ({
            label: c.label,
            data: c.accuracy.map((a) => (a === null ? null : 100 * a)),
            borderColor: themeColour(comparisonColours[k % comparisonColours.length]),
            backgroundColor: themeColour(comparisonColours[k % comparisonColours.length]),
            borderDash: [6, 4],
            pointRadius: 3,
            borderWidth: 2,
            spanGaps: true,
          })),
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: d.comparisons.length ? legend(t) : { display: false },
          tooltip: {
            callbacks: {
              label: (item) => {
                if (item.datasetIndex > 0) {
                  const iv = d.comparisons[item.datasetIndex - 1]?.intervals?.[item.dataIndex];
                  return `${item.dataset.label}: ${item.raw === null ? '—' : `${(item.raw as number).toFixed(1)}%${iv ? ` (95% interval ${pct1(iv.lo)}–${pct1(iv.hi)}%)` : ''}`}`;
                }
                const p = points[item.dataIndex];
                if (p.accuracy === null) return 'not evaluated';
                const counts = p.valid !== undefined && p.total !== undefined ? ` (${p.valid}/${p.total} valid)` : '';
                const how = p.source?.kind === 'baseline' ? ` · measured as round ${p.source.round}'s baseline` : '';
                const iv = p.interval ? ` · 95% interval ${pct1(p.interval.lo)}–${pct1(p.interval.hi)}%` : '';
                return `${percent(p.accuracy)}${counts}${iv}${losses(p) ? ` · ${losses(p)}` : ''}${p.policyLabel ? ` · ${p.policyLabel}` : ''}${how}`;
              },
            },
          },
        },
        // The range computed from the data and its whiskers (dashboardData.ts accuracyAxis), not 0–100.
        scales: axes(t, { beginAtZero: false, min: axis.min, max: axis.max, ticks: { color: t.fg, stepSize: axis.step, callback: (v: number | string) => `${v}%` } }),
      },
    }),
    summary,
    attrs,
  );
}

/** (2) Held-out samples with each error kind, per policy, stacked. */
export function showKinds(card: ChartCard<'bar'>, d: DashboardData): void {
  const points = d.accuracy;
  const attrs = { rounds: points.map((p) => p.round).join(','), series: JSON.stringify(Object.fromEntries(d.kinds.map((k) => [k.kind, k.counts]))), totals: JSON.stringify(d.kindTotals) };
  // Kinds come from the same evaluation as the accuracy point: no accuracy, no kinds.
  if (points.every((p) => p.accuracy === null)) {
    card.empty('No held-out evaluations yet: error kinds appear once a policy is evaluated.', attrs);
    return;
  }
  if (d.kinds.length === 0) {
    card.empty('No errors of any kind in the held-out evaluations.', attrs);
    return;
  }
  const summary = points
    .map((p, i) => {
      if (p.accuracy === null) return `${p.label}: not evaluated`;
      const parts = d.kinds.filter((k) => (k.counts[i] ?? 0) > 0).map((k) => `${kindLabel(k.kind)} ${k.counts[i]}`);
      return `${p.label}: ${parts.length ? parts.join(', ') : 'no errors'}`;
    })
    .join(' · ');
  card.show(
    (t) => {
      // Each kind in its colour in the theme now, its name in the legend; the colours are also
      // written to data-colours for the end-to-end test (a canvas cannot be read back).
      const colours = d.kinds.map((k) => kindColour(k.kind));
      card.root.dataset.colours = JSON.stringify(Object.fromEntries(d.kinds.map((k, i) => [k.kind, colours[i]])));
      return {
        type: 'bar',
        data: {
          labels: points.map((p) => p.label),
          datasets: d.kinds.map((k, i) => ({ label: kindLabel(k.kind), data: k.counts, backgroundColor: colours[i], borderColor: themeColour('--itool-dash-background'), borderWidth: 1, stack: 'kinds' })),
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: { legend: legend(t), tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.raw ?? '—'} sample(s)` } } },
          scales: axes(t, {}, true),
        },
      };
    },
    summary,
    attrs,
  );
}

/** (3) Preference pairs found, accepted and added by hand, per round. */
export function showPairs(card: ChartCard<'bar'>, d: DashboardData): void {
  const col = (f: 'found' | 'accepted' | 'manual') => d.pairs.map((p) => (p[f] === null ? '' : String(p[f]))).join(',');
  const attrs = { rounds: d.pairs.map((p) => p.round).join(','), found: col('found'), accepted: col('accepted'), manual: col('manual') };
  if (d.pairs.every((p) => p.found === null && p.accepted === null && p.manual === null)) {
    card.empty('No pairs yet: explore the selected samples to find preference pairs, then review them.', attrs);
    return;
  }
  const summary = d.pairs.map((p) => (p.found === null && p.accepted === null ? `round ${p.round}: no pairs recorded` : `round ${p.round}: ${p.found ?? '—'} found, ${p.accepted ?? '—'} accepted, ${p.manual ?? 0} manual`)).join(' · ');
  const series = [
    { key: 'found' as const, label: 'found', variable: '--itool-dash-pairs-found' },
    { key: 'accepted' as const, label: 'accepted', variable: '--itool-dash-pairs-accepted' },
    { key: 'manual' as const, label: 'manual', variable: '--itool-dash-pairs-manual' },
  ];
  card.show(
    (t) => ({
      type: 'bar',
      data: { labels: d.pairs.map((p) => `round ${p.round}`), datasets: series.map((s) => ({ label: s.label, data: d.pairs.map((p) => p[s.key]), backgroundColor: themeColour(s.variable) })) },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: legend(t) }, scales: axes(t) },
    }),
    summary,
    attrs,
  );
}

/** (4) Each round's calibration PPLs on the shared log-spaced bins: how the distribution shifts. */
export function showPpl(card: ChartCard<'line'>, d: DashboardData): void {
  const { bins, series } = d.ppl;
  const attrs = { bins: String(bins.length), rounds: series.map((s) => s.round).join(','), scored: series.map((s) => `${s.round}:${s.scored}`).join(','), series: JSON.stringify(Object.fromEntries(series.map((s) => [s.round, s.counts]))) };
  if (series.length === 0) {
    card.empty('No calibrations yet: calibrate the dataset with the round\'s policy to see its perplexity distribution.', attrs);
    return;
  }
  const range = bins.length ? ` · shared log-spaced bins from ${formatPpl(bins[0].from)} to ${formatPpl(bins[bins.length - 1].to)}` : '';
  const summary = series.map((s) => `round ${s.round}: ${s.scored} scored${s.median !== null ? `, median PPL ${formatPpl(s.median)}` : ''}`).join(' · ') + range;
  card.show(
    (t) => ({
      type: 'line',
      data: {
        labels: bins.map((b) => (b.from === b.to ? formatPpl(b.from) : `${formatPpl(b.from)}–${formatPpl(b.to)}`)),
        datasets: series.map((s, i) => {
          const c = themeColour(ROUND_VARIABLES[i % ROUND_VARIABLES.length]);
          return { label: `round ${s.round}${s.policyLabel ? ` (${s.policyLabel})` : ''}`, data: s.counts, borderColor: c, backgroundColor: c, pointRadius: 2, borderWidth: 2, tension: 0 };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: legend(t),
          tooltip: { callbacks: { title: (items) => `PPL ${items[0].label}`, label: (item) => `${item.dataset.label}: ${item.raw} of ${series[item.datasetIndex].scored}` } },
        },
        scales: axes(t),
      },
    }),
    summary,
    attrs,
  );
}

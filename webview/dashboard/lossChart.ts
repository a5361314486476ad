// The training loss per step of each round that has a trainer log (src/core/rounds/lossCurve.ts
// shapes it; the host posts it again as a running round's log grows): one line per round on a step
// axis that runs to the run's total steps, so a running round's curve grows into it; the loss axis
// scaled to the data; each curve's last value written beside its last point. The summary says the
// same in words, with the settings each round ran with and the log lines that could not be read.
import type { Plugin } from 'chart.js';
import { themeColour } from '../shared/dom';
import { ChartCard } from './charts';
import type { LossChart } from './protocol';

/** The PPL chart's round colours (media/dashboard.css), by round number so a round keeps its colour. */
const ROUND_VARIABLES = ['--itool-dash-round-1', '--itool-dash-round-2', '--itool-dash-round-3', '--itool-dash-round-4', '--itool-dash-round-5', '--itool-dash-round-6'];
const roundColour = (round: number): string => themeColour(ROUND_VARIABLES[(Math.max(1, round) - 1) % ROUND_VARIABLES.length]);

const num = (v: number): string => String(+v.toPrecision(4));

/** Each visible curve's last loss, in its colour on the page's background, beside its last point. */
function lastValues(d: LossChart): Plugin<'line'> {
  return {
    id: 'itoolLastLoss',
    afterDatasetsDraw(chart) {
      const g = chart.ctx;
      const area = chart.chartArea;
      d.curves.forEach((c, i) => {
        const at = chart.getDatasetMeta(i).data.at(-1);
        if (!chart.isDatasetVisible(i) || !at || !c.lastText || !Number.isFinite(at.x) || !Number.isFinite(at.y)) return;
        const label = c.lastText;
        const colour = roundColour(c.round);
        g.save();
        g.font = `600 12px ${getComputedStyle(document.body).fontFamily}`;
        const w = g.measureText(label).width;
        // Right of the point when it fits, else left; above it, kept inside the plot.
        const x = at.x + 8 + w <= area.right ? at.x + 8 : at.x - 8 - w;
        const y = Math.min(area.bottom - 4, Math.max(area.top + 12, at.y - 8));
        g.fillStyle = themeColour('--itool-dash-background');
        g.fillRect(x - 3, y - 12, w + 6, 16);
        g.fillStyle = colour;
        g.fillText(label, x, y);
        g.beginPath();
        g.arc(at.x, at.y, 3.5, 0, 2 * Math.PI);
        g.fill();
        g.restore();
      });
    },
  };
}

function summaryOf(d: LossChart): string {
  const lines = d.curves.map((c) => {
    const where = c.last ? `step ${c.last.step}${c.totalSteps ? ` of ${c.totalSteps}` : ''}, loss ${c.lastText}` : 'no loss logged yet';
    const status = c.status === 'running' ? 'training' : c.status;
    const thinned = c.points.length < c.logged ? ` (${c.logged} logged, ${c.points.length} drawn)` : '';
    return `round ${c.round} (${c.backend}, ${status}): ${where}${thinned}${c.training ? ` · ${c.training}` : ''}`;
  });
  for (const c of d.curves) {
    if (!c.malformedCount) continue;
    const named = c.malformed.map((m) => `line ${m.line}: ${m.reason}`).join('; ');
    const more = c.malformedCount > c.malformed.length ? `; and ${c.malformedCount - c.malformed.length} more` : '';
    lines.push(`round ${c.round}: ${c.malformedCount} line(s) of ${c.path} skipped, not progress lines (${named}${more})`);
  }
  lines.push(`Axes: loss ${num(d.y.min)}–${num(d.y.max)}, steps ${d.x.min}–${d.x.max}.`);
  return lines.join('\n');
}

export function showLoss(card: ChartCard<'line'>, d: LossChart): void {
  const attrs: Record<string, string> = {
    rounds: d.curves.map((c) => c.round).join(','),
    points: JSON.stringify(Object.fromEntries(d.curves.map((c) => [c.round, c.logged]))),
    last: JSON.stringify(Object.fromEntries(d.curves.map((c) => [c.round, c.last]))),
    status: JSON.stringify(Object.fromEntries(d.curves.map((c) => [c.round, c.status]))),
    malformed: JSON.stringify(Object.fromEntries(d.curves.map((c) => [c.round, c.malformedCount]))),
    running: d.running === null ? '' : String(d.running),
    'x-max': String(d.x.max),
    'y-min': String(d.y.min),
    'y-max': String(d.y.max),
  };
  if (d.curves.length === 0) {
    card.empty('No trainer log yet: a round’s loss per step shows here while it trains (LLaMA-Factory, TRL and the local trainer write one; OpenAI jobs do not).', attrs);
    return;
  }
  if (d.curves.every((c) => c.points.length === 0)) {
    card.empty(`${summaryOf(d).split('\n')[0]}: the first loss appears once the trainer logs its first step.`, attrs);
    return;
  }
  card.show(
    (t) => ({
      type: 'line',
      plugins: [lastValues(d)],
      data: {
        datasets: d.curves.map((c) => ({
          label: `round ${c.round} (${c.backend}${c.status === 'running' ? ', training' : ''})`,
          data: c.points.map((p) => ({ x: p.step, y: p.loss })),
          borderColor: roundColour(c.round),
          backgroundColor: roundColour(c.round),
          borderWidth: c.round === d.running ? 2.5 : 1.5,
          pointRadius: c.points.length <= 60 ? 2 : 0,
          pointHoverRadius: 4,
          tension: 0,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        // Room on the right for a last value near the axis's end.
        layout: { padding: { right: 8 } },
        interaction: { mode: 'nearest', intersect: false },
        plugins: {
          legend: { display: true, position: 'bottom', labels: { color: t.fg, boxWidth: 12, boxHeight: 12 } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: step ${(item.raw as { x: number }).x}, loss ${num((item.raw as { y: number }).y)}` } },
        },
        scales: {
          x: { type: 'linear', min: d.x.min, max: d.x.max, title: { display: true, text: 'step', color: t.fg }, ticks: { color: t.fg, stepSize: d.x.step, precision: 0 }, grid: { color: t.grid } },
          y: { type: 'linear', min: d.y.min, max: d.y.max, title: { display: true, text: 'loss', color: t.fg }, ticks: { color: t.fg, stepSize: d.y.step }, grid: { color: t.grid } },
        },
      },
    }),
    summaryOf(d),
    attrs,
  );
}

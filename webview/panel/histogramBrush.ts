// Brushing the calibration histogram: drag across its bins (mouse, pen, touch) to filter the list
// to that PPL range; from the keyboard, the chart takes the focus and ←/→ move over the bins,
// Shift+←/→ widen the range, Enter (or Space) filters, Escape clears. The range and the
// selection's cut-off (the lowest PPL selected as deficient, in each answer group) are drawn on
// the chart by a chart.js plugin, in the theme's colours (media/panel.css --itool-brush,
// --itool-cutoff).
import type { Chart, Plugin } from 'chart.js';
import { themeColour } from '../shared/dom';
import type { CalibrationSummary } from './protocol';

/** A range of bins, first and last included. */
export type BinRange = [number, number];

export interface BrushHost {
  /** The chart drawn now (undefined before the first summary). */
  chart(): Chart<'bar'> | undefined;
  summary(): CalibrationSummary | undefined;
  /** The user chose a range (or cleared it: undefined). */
  choose(range: BinRange | undefined): void;
  /** What the brush is about to choose (pending) or holds: for the caption under the chart. */
  describe(range: BinRange | undefined, pending: boolean): void;
}

export const fmtPpl = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export class HistogramBrush {
  /** The range the list is filtered to. */
  applied: BinRange | undefined;
  /** The range being brushed (a drag, or keys before Enter). */
  private pending: BinRange | undefined;
  private anchor = 0;
  private cursor: number | undefined;
  private dragging = false;

  constructor(
    private readonly box: HTMLElement,
    private readonly canvas: HTMLCanvasElement,
    private readonly host: BrushHost,
  ) {
    canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    canvas.addEventListener('pointermove', (e) => this.onMove(e));
    canvas.addEventListener('pointerup', (e) => this.onUp(e));
    canvas.addEventListener('pointercancel', () => this.cancel());
    box.addEventListener('keydown', (e) => this.onKey(e));
    box.addEventListener('focus', () => {
      this.cursor ??= this.applied?.[0] ?? 0;
      this.redraw();
    });
    box.addEventListener('blur', () => {
      if (!this.dragging) this.pending = undefined;
      this.cursor = undefined;
      this.redraw();
      this.host.describe(this.applied, false);
    });
  }

  private get bins(): number {
    return this.host.summary()?.histogram.length ?? 0;
  }

  /** Show `range` as applied (the filter changed elsewhere: restored, cleared from the filter bar). */
  set(range: BinRange | undefined): void {
    this.applied = range;
    this.pending = undefined;
    this.redraw();
    this.host.describe(range, false);
  }

  /** The bin under a point of the canvas (CSS pixels from its left). */
  private binAt(x: number): number | undefined {
    const chart = this.host.chart();
    if (!chart || this.bins === 0) return undefined;
    const v = chart.scales.x.getValueForPixel(x);
    return v === undefined ? undefined : Math.max(0, Math.min(this.bins - 1, Math.round(v)));
  }

  private onDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const k = this.binAt(e.offsetX);
    if (k === undefined) return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.dragging = true;
    this.anchor = k;
    this.cursor = k;
    this.pending = [k, k];
    this.box.focus();
    this.redraw();
    this.host.describe(this.pending, true);
  }

  private onMove(e: PointerEvent): void {
    if (!this.dragging) return;
    const k = this.binAt(e.offsetX);
    if (k === undefined) return;
    this.cursor = k;
    this.pending = [Math.min(this.anchor, k), Math.max(this.anchor, k)];
    this.redraw();
    this.host.describe(this.pending, true);
  }

  private onUp(e: PointerEvent): void {
    if (!this.dragging) return;
    this.dragging = false;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.commit();
  }

  private cancel(): void {
    this.dragging = false;
    this.pending = undefined;
    this.redraw();
  }

  private commit(): void {
    const range = this.pending;
    this.pending = undefined;
    if (!range) return;
    this.applied = range;
    this.redraw();
    this.host.describe(range, false);
    this.host.choose(range);
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.bins;
    if (n === 0) return;
    const cur = this.cursor ?? this.applied?.[0] ?? 0;
    const moves: Record<string, number> = { ArrowLeft: cur - 1, ArrowRight: cur + 1, Home: 0, End: n - 1 };
    if (e.key in moves) {
      const k = Math.max(0, Math.min(n - 1, moves[e.key]));
      if (!e.shiftKey || !this.pending) this.anchor = e.shiftKey ? cur : k;
      this.cursor = k;
      this.pending = [Math.min(this.anchor, k), Math.max(this.anchor, k)];
      this.host.describe(this.pending, true);
    } else if (e.key === 'Enter' || e.key === ' ') {
      this.pending ??= [cur, cur];
      this.commit();
    } else if (e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') {
      if (!this.pending && !this.applied) return;
      this.pending = undefined;
      this.applied = undefined;
      this.host.describe(undefined, false);
      this.host.choose(undefined);
    } else return;
    e.preventDefault();
    e.stopPropagation();
    this.redraw();
  }

  private redraw(): void {
    this.host.chart()?.draw();
  }

  /**
   * The chart.js plugin: the range is shaded behind the bars (they keep their tier colours) and
   * outlined over them, with the keyboard's bin and the selection's cut-off lines on top.
   */
  plugin(): Plugin<'bar'> {
    return { id: 'itoolBrush', beforeDatasetsDraw: (chart) => this.paint(chart, 'under'), afterDatasetsDraw: (chart) => this.paint(chart, 'over') };
  }

  private paint(chart: Chart<'bar'>, layer: 'under' | 'over'): void {
    const s = this.host.summary();
    const n = s?.histogram.length ?? 0;
    if (!s || n === 0) return;
    const { ctx, chartArea: area } = chart;
    const x = chart.scales.x;
    const first = x.getPixelForValue(0);
    const binWidth = n > 1 ? x.getPixelForValue(1) - first : area.right - area.left;
    const edge = (k: number) => first - binWidth / 2 + k * binWidth;
    ctx.save();
    const range = this.pending ?? this.applied;
    const colour = themeColour('--itool-brush');
    if (layer === 'under') {
      if (range) {
        ctx.fillStyle = colour;
        ctx.globalAlpha = this.pending ? 0.16 : 0.26;
        ctx.fillRect(edge(range[0]), area.top, edge(range[1] + 1) - edge(range[0]), area.bottom - area.top);
      }
      ctx.restore();
      return;
    }
    if (range) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1;
      ctx.setLineDash(this.pending ? [4, 3] : []);
      ctx.strokeRect(edge(range[0]) + 0.5, area.top + 0.5, edge(range[1] + 1) - edge(range[0]) - 1, area.bottom - area.top - 1);
    }
    if (this.cursor !== undefined && document.activeElement === this.box) {
      ctx.strokeStyle = themeColour('--vscode-focusBorder');
      ctx.lineWidth = 2;
      ctx.setLineDash([]);
      ctx.strokeRect(edge(this.cursor) + 1, area.top + 1, binWidth - 2, area.bottom - area.top - 2);
    }
    // The selection's cut-off: bins are log-spaced, so a PPL sits at its log's share of the axis.
    const lo = Math.log(s.histogram[0].from);
    const span = Math.log(s.histogram[n - 1].to) - lo || 1;
    ctx.strokeStyle = ctx.fillStyle = themeColour('--itool-cutoff');
    ctx.lineWidth = 1.5;
    ctx.font = `${getComputedStyle(document.body).fontSize} ${getComputedStyle(document.body).fontFamily}`;
    ctx.textBaseline = 'top';
    const groups = Object.entries(s.selectedFrom ?? {}) as [string, number][];
    for (const [group, ppl] of groups) {
      const px = Math.round(edge(0) + ((Math.log(ppl) - lo) / span) * (edge(n) - edge(0))) + 0.5;
      ctx.setLineDash([5, 3]);
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      const label = `selected ≥ ${fmtPpl(ppl)}${groups.length > 1 ? ` (${group})` : ''}`;
      const w = ctx.measureText(label).width;
      // The label stays inside the plot: left of the line when there is no room on its right.
      const left = px + 4 + w > area.right ? px - 4 - w : px + 4;
      ctx.fillText(label, left, area.top + 2 + 14 * groups.findIndex(([g]) => g === group));
    }
    ctx.restore();
  }
}

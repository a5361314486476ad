// A round's training loss per step, from its trainer_log.jsonl (LLaMA-Factory's format: one JSON
// object per logging step with current_steps, total_steps, loss, lr or learning_rate, epoch,
// percentage, …; jobs/trainerLog.ts has an example; the TRL launch script, the project's own
// trainer and the stand-ins write the same), shaped for the dashboard's chart. Pure and Node-free:
// jobs/trainerLog.ts reads the file and feeds lines in, the dashboard's protocol carries the result.
//
// A line that is not a progress object is named (its line number and why) and skipped, never
// dropped in silence: the dashboard says how many and which. A progress line without a loss (the
// train-end summary line, an evaluation line) is not plotted and not an error. A step logged again
// (a resumed run appending to the same file) replaces the earlier point.
import type { JobStatus, TrainerBackendId } from './types';

export interface LossPoint {
  step: number;
  loss: number;
  epoch?: number;
  lr?: number;
}

export interface MalformedLine {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
  /** The line's start, for the message (at most 80 characters). */
  text: string;
}

/** How many malformed lines are kept by name (the count goes on past this). */
export const MAX_NAMED_MALFORMED = 20;
/** A curve is thinned to at most this many points for drawing (the last one always kept). */
export const MAX_CURVE_POINTS = 1000;

/** What one line says, or why it is not a progress line. */
export type LossLine = { kind: 'point'; point: LossPoint; totalSteps?: number } | { kind: 'progress'; totalSteps?: number } | { kind: 'blank' } | { kind: 'malformed'; reason: string };

function finite(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** One line of a trainer log. */
export function parseLossLine(line: string): LossLine {
  const text = line.trim();
  if (!text) return { kind: 'blank' };
  let raw: unknown;
  try {
    // Python's json.dumps writes a diverged loss as a bare NaN (or Infinity), which JSON refuses.
    raw = JSON.parse(text.replace(/:\s*(-?Infinity|NaN)\b/g, ': "$1"'));
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { kind: 'malformed', reason: 'not a JSON object' };
  const o = raw as Record<string, unknown>;
  if (!('current_steps' in o)) return { kind: 'malformed', reason: 'no current_steps' };
  const step = finite(o, 'current_steps');
  if (step === undefined || step < 0) return { kind: 'malformed', reason: `current_steps is ${JSON.stringify(o.current_steps)}, not a step number` };
  const total = finite(o, 'total_steps');
  const totalSteps = total !== undefined && total > 0 ? total : undefined;
  if (!('loss' in o) || o.loss === null) return { kind: 'progress', ...(totalSteps ? { totalSteps } : {}) };
  const loss = finite(o, 'loss');
  if (loss === undefined) return { kind: 'malformed', reason: typeof o.loss === 'string' && /^-?Infinity$|^NaN$/.test(o.loss) ? `loss is ${o.loss} (the run diverged?)` : `loss is ${JSON.stringify(o.loss)}, not a number` };
  const point: LossPoint = { step, loss };
  const epoch = finite(o, 'epoch');
  if (epoch !== undefined) point.epoch = epoch;
  const lr = finite(o, 'lr') ?? finite(o, 'learning_rate');
  if (lr !== undefined) point.lr = lr;
  return { kind: 'point', point, ...(totalSteps ? { totalSteps } : {}) };
}

/** A log as read so far. */
export interface LossLog {
  /** Sorted by step, one per step. */
  points: LossPoint[];
  /** The newest total_steps any line gave, or null. */
  totalSteps: number | null;
  /** The first MAX_NAMED_MALFORMED malformed lines, and how many there were in all. */
  malformed: MalformedLine[];
  malformedCount: number;
  /** Lines read (blank ones included). */
  lines: number;
}

/** Lines fed in order (a file read piece by piece as it grows); `firstLine` numbers the first one. */
export class LossLogParser {
  private readonly byStep = new Map<number, LossPoint>();
  private readonly named: MalformedLine[] = [];
  private count = 0;
  private total: number | null = null;
  private next: number;

  constructor(private readonly firstLine = 1) {
    this.next = firstLine;
  }

  add(line: string): void {
    const at = this.next++;
    const r = parseLossLine(line);
    if (r.kind === 'blank') return;
    if (r.kind === 'malformed') {
      this.count++;
      if (this.named.length < MAX_NAMED_MALFORMED) this.named.push({ line: at, reason: r.reason, text: line.trim().slice(0, 80) });
      return;
    }
    if (r.totalSteps) this.total = r.totalSteps;
    if (r.kind === 'point') this.byStep.set(r.point.step, r.point);
  }

  get log(): LossLog {
    return { points: [...this.byStep.values()].sort((a, b) => a.step - b.step), totalSteps: this.total, malformed: [...this.named], malformedCount: this.count, lines: this.next - this.firstLine };
  }
}

/** A whole log's text (a last line without its newline included). */
export function parseLossLog(text: string, firstLine = 1): LossLog {
  const p = new LossLogParser(firstLine);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const l of lines) p.add(l);
  return p.log;
}

/** At most `max` points: every k-th, and always the last (the chart labels it). */
export function thin(points: readonly LossPoint[], max = MAX_CURVE_POINTS): LossPoint[] {
  if (points.length <= max) return [...points];
  const k = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % k === 0);
  if (out.at(-1) !== points.at(-1)) out.push(points.at(-1)!);
  return out;
}

/** One round's curve as the dashboard draws it. */
export interface LossCurve {
  round: number;
  backend: TrainerBackendId;
  status: JobStatus;
  /** Thinned to MAX_CURVE_POINTS. */
  points: LossPoint[];
  /** Points logged (before thinning). */
  logged: number;
  totalSteps: number | null;
  last: LossPoint | null;
  /** The last loss as the chart labels it (formatLoss). */
  lastText: string | null;
  malformed: MalformedLine[];
  malformedCount: number;
  /** The settings the round was exported with, in one line (trainingForm.ts trainingText), if recorded. */
  training?: string;
  /** The log file, for the summary. */
  path: string;
}

/** A linear axis on round ticks. */
export interface LossAxis {
  min: number;
  max: number;
  step: number;
}

export interface LossChart {
  curves: LossCurve[];
  x: LossAxis;
  y: LossAxis;
  /** The round training now, if one is. */
  running: number | null;
}

/**
 * A tick distance of 1, 2, 2.5 or 5 × 10^k giving about `ticks` intervals over `span`; `whole`:
 * a whole number (steps are counted: no 2.5, nothing under 1).
 */
export function niceStep(span: number, ticks = 5, whole = false): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = (whole ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]).find((x) => x * p >= raw) ?? 10;
  return whole ? Math.max(1, Math.round(m * p)) : m * p;
}

/** Round a value computed from steps (0.1 + 0.2) back onto the decimal grid it lies on. */
const clean = (v: number): number => +v.toPrecision(12);

/**
 * The loss axis: from the lowest to the highest loss plotted with a margin of a tenth of the span
 * (a flat curve: a tenth of its value) on round ticks, never below 0 when no loss is — scaled to
 * the data, so a loss moving from 0.69 to 0.55 fills the chart rather than a sliver of 0–1.
 */
export function lossAxis(losses: readonly number[]): LossAxis {
  const vs = losses.filter((v) => Number.isFinite(v));
  if (vs.length === 0) return { min: 0, max: 1, step: 0.2 };
  let lo = Math.min(...vs);
  let hi = Math.max(...vs);
  const pad = hi > lo ? (hi - lo) / 10 : Math.abs(hi) / 10 || 0.1;
  const nonNegative = lo >= 0;
  lo -= pad;
  hi += pad;
  if (nonNegative && lo < 0) lo = 0;
  const step = niceStep(hi - lo);
  return { min: clean(Math.floor(lo / step) * step), max: clean(Math.ceil(hi / step) * step), step };
}

/** The step axis: 0 to the largest total_steps (or last step) of the curves, so a running round's curve grows into it. */
export function stepAxis(curves: readonly Pick<LossCurve, 'totalSteps' | 'last'>[]): LossAxis {
  const end = Math.max(1, ...curves.map((c) => Math.max(c.totalSteps ?? 0, c.last?.step ?? 0)));
  const step = niceStep(end, 8, true);
  return { min: 0, max: clean(Math.ceil(end / step) * step), step };
}

/** What a round's curve is made from: its log as read, its job, its recorded settings. */
export interface LossSource {
  round: number;
  backend: TrainerBackendId;
  status: JobStatus;
  path: string;
  log: LossLog;
  training?: string;
}

/** The chart of every round with a trainer log, rounds in order; axes from what is plotted. */
export function lossChart(sources: readonly LossSource[]): LossChart {
  const curves: LossCurve[] = [...sources]
    .sort((a, b) => a.round - b.round)
    .map((s) => ({
      round: s.round,
      backend: s.backend,
      status: s.status,
      points: thin(s.log.points),
      logged: s.log.points.length,
      totalSteps: s.log.totalSteps,
      last: s.log.points.at(-1) ?? null,
      lastText: s.log.points.length ? formatLoss(s.log.points.at(-1)!.loss) : null,
      malformed: s.log.malformed,
      malformedCount: s.log.malformedCount,
      ...(s.training ? { training: s.training } : {}),
      path: s.path,
    }));
  const running = curves.find((c) => c.status === 'running')?.round ?? null;
  return { curves, x: stepAxis(curves), y: lossAxis(curves.flatMap((c) => c.points.map((p) => p.loss))), running };
}

/** A loss as the chart labels it: four significant digits. */
export function formatLoss(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? String(+v.toPrecision(4)) : v.toExponential(2);
}

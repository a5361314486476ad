// What the round dashboard plots, computed from a round registry without VS Code (so it is unit
// tested, and the extension posts only these few numbers to the webview, not every raw PPL).
//
// The x axis of accuracy and error kinds is the *policy*: P0 is the starting policy ("base"), Pk
// the policy round k produced. Pk is measured by round k's evaluation or, failing that, by round
// k+1's baseline (round k+1 starts from Pk by definition, so it is the same policy on the same
// held-out split). P0 is therefore round 1's baseline. A policy measured by neither is a gap.
// Pairs are per round (1..N); the PPL histograms are per round, on log-spaced bins shared by all
// rounds so the shift from round to round reads directly. Round numbers missing from the registry
// are gaps (null), never zeros. The registry is a user-editable file: anything malformed in it is
// treated as missing rather than thrown on. Each accuracy comes with its Wilson 95% interval
// (stats.ts), computed here so the webview only draws it, and so is the accuracy chart's y range
// (accuracyAxis: the data and every whisker with a margin, not a fixed 0–100%). Each evaluation also
// says how many held-out samples it skipped (longer than the model's context, left out of its total)
// and how many answers were cut off (judged as written).
import { ERROR_KINDS, type ErrorKind } from '../toolcall/types';
import { wilson, type Interval } from './stats';
import type { JobStatus, RoundEvaluation, RoundRecord, RoundRegistry, TrainerBackendId } from './types';

/** A hole in the round numbers wider than this is not filled in with empty rounds. */
const MAX_FILLED_ROUNDS = 500;
/** Bins of the PPL histogram: about √n for the largest round, within these bounds. */
export const MIN_PPL_BINS = 8;
export const MAX_PPL_BINS = 24;

/** One policy on the accuracy axis: P0 = base, Pk = the result of round k. */
export interface PolicyPoint {
  /** 0 for the base, else the round that produced the policy. */
  round: number;
  label: string;
  /** valid / total, 0..1; null where the policy was not evaluated (a gap). */
  accuracy: number | null;
  valid?: number;
  total?: number;
  /** Wilson 95% interval of `accuracy` (0..1), where valid and total are known. */
  interval?: Interval;
  policyLabel?: string;
  /** Which record measured it: round k's evaluation, or the next round's baseline. */
  source?: { kind: 'evaluation' | 'baseline'; round: number };
  /** Held-out samples that evaluation skipped (too long for the model's context; not in `total`); 0 when it records none. */
  skipped?: number;
  /** Answers of that evaluation cut off by the token limit or the context's end (judged as written). */
  truncated?: number;
}

export interface KindSeries {
  kind: ErrorKind;
  /** Per policy point (same order as `accuracy`): held-out samples with this kind; null = not evaluated. */
  counts: (number | null)[];
}

export interface PairsPoint {
  round: number;
  found: number | null;
  accepted: number | null;
  manual: number | null;
}

export interface PplBin {
  from: number;
  to: number;
}

export interface PplSeries {
  round: number;
  policyLabel: string;
  scored: number;
  median: number | null;
  /** Samples per shared bin. */
  counts: number[];
}

export interface RoundRow {
  round: number;
  policy: string;
  scored: number | null;
  selected: number | null;
  found: number | null;
  accepted: number | null;
  manual: number | null;
  job: { status: JobStatus; backend: TrainerBackendId; percentage: number | null; message?: string; error?: string } | null;
  result: string | null;
  /** Held-out accuracy of the round's starting policy and of its result, 0..1. */
  baseline: number | null;
  accuracy: number | null;
  /** Their Wilson 95% intervals (0..1), where the evaluation has its counts. */
  baselineInterval: Interval | null;
  accuracyInterval: Interval | null;
  /** Held-out samples each evaluation skipped (too long for the context) and answers it cut off; null without that evaluation. */
  baselineSkipped: number | null;
  baselineTruncated: number | null;
  accuracySkipped: number | null;
  accuracyTruncated: number | null;
}

/** An ablation's accuracy per policy point, with its Wilson 95% interval where known. */
export interface ComparisonSeries {
  label: string;
  /** Per policy point (same order as `accuracy`), 0..1; null where absent. */
  accuracy: (number | null)[];
  /**
   * Per policy point: the interval from the point's own counts, else from the held-out size the
   * rounds' evaluations were judged on (all on the same split); null where there is no accuracy
   * or no size. Absent when no point has one.
   */
  intervals?: (Interval | null)[];
}

export interface DashboardData {
  /** No rounds in the registry. */
  empty: boolean;
  heldOut?: string;
  /** Round numbers on the per-round axes (pairs), contiguous where the gaps are small. */
  rounds: number[];
  /** Policy points: base (round 0), then one per round in `rounds`. */
  accuracy: PolicyPoint[];
  /** One series per error kind that occurs anywhere, in ERROR_KINDS order. */
  kinds: KindSeries[];
  /** Each kind summed over the plotted policy points (every kind, zeros included). */
  kindTotals: Record<ErrorKind, number>;
  pairs: PairsPoint[];
  ppl: { bins: PplBin[]; series: PplSeries[] };
  table: RoundRow[];
  /** Other ways of spending the rounds (ablations), on the accuracy chart's axis: null where absent. */
  comparisons: ComparisonSeries[];
  /** The accuracy chart's y range in percent: every point and whisker, with a margin (see accuracyAxis). */
  accuracyAxis: AxisRange;
}

/** A y range in percent, on round tick values (`step` apart). */
export interface AxisRange {
  min: number;
  max: number;
  step: number;
}

export type { Interval };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The registry's usable round records: integer round ≥ 1, first record of a number wins, sorted. */
function validRounds(reg: RoundRegistry): RoundRecord[] {
  const byRound = new Map<number, RoundRecord>();
  for (const r of Array.isArray(reg?.rounds) ? reg.rounds : []) {
    if (!r || typeof r !== 'object' || !Number.isInteger(r.round) || r.round < 1 || byRound.has(r.round)) continue;
    byRound.set(r.round, r);
  }
  return [...byRound.values()].sort((a, b) => a.round - b.round);
}

/** 1..last when the holes are small (missing rounds become gaps), else only the rounds present. */
function roundAxis(records: RoundRecord[]): number[] {
  if (records.length === 0) return [];
  const last = records[records.length - 1].round;
  if (last - records.length > MAX_FILLED_ROUNDS) return records.map((r) => r.round);
  return Array.from({ length: last }, (_, i) => i + 1);
}

/** The Wilson 95% interval of an evaluation's accuracy; null without usable counts. */
export function evaluationInterval(e: RoundEvaluation | undefined): Interval | null {
  if (!e || typeof e !== 'object') return null;
  const valid = num(e.valid);
  const total = num(e.total);
  return valid !== null && total !== null && total > 0 && valid >= 0 && valid <= total ? wilson(valid, total) : null;
}

/** accuracy of an evaluation, 0..1: its own field, else valid/total. */
export function evaluationAccuracy(e: RoundEvaluation | undefined): number | null {
  if (!e || typeof e !== 'object') return null;
  const a = num(e.accuracy);
  if (a !== null) return a;
  const valid = num(e.valid);
  const total = num(e.total);
  return valid !== null && total ? valid / total : null;
}

/** Skipped and cut-off counts of an evaluation (absent fields are 0: evaluate.ts records only non-zero ones); null without a usable evaluation. */
export function evaluationLosses(e: RoundEvaluation | undefined): { skipped: number; truncated: number } | null {
  if (!e || evaluationAccuracy(e) === null) return null;
  const count = (v: unknown): number => {
    const n = num(v);
    return n !== null && n >= 0 ? Math.round(n) : 0;
  };
  return { skipped: count(e.skipped), truncated: count(e.truncated) };
}

/** Narrowest span of the accuracy axis, in percentage points (a flat series still shows its scale). */
export const MIN_AXIS_SPAN = 10;

/**
 * The accuracy chart's y range (percent): from the lowest to the highest value plotted — points and
 * the ends of their 95% whiskers, the ablations' too — widened by a margin of a tenth of the span
 * (at least 2 points) on each side, at least MIN_AXIS_SPAN wide, out to round ticks (2, 5, 10 or 20
 * apart, about five of them), never beyond 0–100. So a 10% model is not drawn flat at the bottom of
 * a 0–100% axis, and no whisker is cut. Nothing plotted: 0–100.
 */
export function accuracyAxis(values: readonly (number | null | undefined)[]): AxisRange {
  const vs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).map((v) => Math.min(100, Math.max(0, v)));
  if (vs.length === 0) return { min: 0, max: 100, step: 20 };
  let lo = Math.min(...vs);
  let hi = Math.max(...vs);
  const pad = Math.max(2, (hi - lo) / 10);
  lo -= pad;
  hi += pad;
  if (hi - lo < MIN_AXIS_SPAN) {
    const mid = (lo + hi) / 2;
    [lo, hi] = [mid - MIN_AXIS_SPAN / 2, mid + MIN_AXIS_SPAN / 2];
  }
  // Slide a range that pokes out of 0–100 back in (keeping its width) before rounding to ticks.
  if (lo < 0) [lo, hi] = [0, Math.min(100, hi - lo)];
  if (hi > 100) [lo, hi] = [Math.max(0, lo - (hi - 100)), 100];
  const step = [2, 5, 10, 20].find((s) => (hi - lo) / s <= 6) ?? 20;
  return { min: Math.max(0, Math.floor(lo / step) * step), max: Math.min(100, Math.ceil(hi / step) * step), step };
}

function label(r: RoundRecord | undefined): string | undefined {
  return str(r?.policy?.label);
}

/** The evaluation measuring policy Pk (see the header), and where it came from. */
function policyEvaluation(byRound: Map<number, RoundRecord>, k: number): { e: RoundEvaluation; source: PolicyPoint['source'] } | undefined {
  const cur = byRound.get(k);
  if (k > 0 && cur?.evaluation && evaluationAccuracy(cur.evaluation) !== null) return { e: cur.evaluation, source: { kind: 'evaluation', round: k } };
  const next = byRound.get(k + 1);
  if (!next?.baseline || evaluationAccuracy(next.baseline) === null) return undefined;
  // Round k+1 started from Pk unless round k names a different result than round k+1's policy.
  const resultLabel = str(cur?.result?.label);
  if (k > 0 && resultLabel !== undefined && resultLabel !== label(next) && resultLabel !== str(next.baseline.policyLabel)) return undefined;
  return { e: next.baseline, source: { kind: 'baseline', round: k + 1 } };
}

/** Log-spaced bins covering every value of every series (one bin when all values are equal). */
export function logBins(series: readonly (readonly number[])[], count = MAX_PPL_BINS): PplBin[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of series) {
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(lo <= hi)) return [];
  if (lo === hi) return [{ from: lo, to: hi }];
  const n = Math.max(1, Math.floor(count));
  const a = Math.log(lo);
  const w = (Math.log(hi) - a) / n;
  return Array.from({ length: n }, (_, k) => ({ from: k === 0 ? lo : Math.exp(a + k * w), to: k === n - 1 ? hi : Math.exp(a + (k + 1) * w) }));
}

/** How many values fall in each bin (the last bin includes its upper edge). */
export function binCounts(values: readonly number[], bins: readonly PplBin[]): number[] {
  const counts = bins.map(() => 0);
  if (bins.length === 0) return counts;
  const a = Math.log(bins[0].from);
  const w = bins.length > 1 ? (Math.log(bins[bins.length - 1].to) - a) / bins.length : 0;
  for (const v of values) {
    const k = w > 0 ? Math.floor((Math.log(v) - a) / w) : 0;
    counts[Math.min(bins.length - 1, Math.max(0, k))]++;
  }
  return counts;
}

/** Finite, positive PPLs of a round (log bins need v > 0). */
function pplValues(r: RoundRecord): number[] {
  const vs = r.ppl?.values;
  if (!Array.isArray(vs)) return [];
  return vs.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface DashboardOptions {
  /** Bins of the PPL histogram (default: √ of the largest round's count, 8 to 24). */
  bins?: number;
  /** Per round, how many samples its selection file lists (read by the extension; the registry holds only the path). */
  selected?: Record<number, number>;
}

export function dashboardData(reg: RoundRegistry, opts: DashboardOptions = {}): DashboardData {
  const records = validRounds(reg);
  const byRound = new Map(records.map((r) => [r.round, r]));
  const rounds = roundAxis(records);

  const accuracy: PolicyPoint[] = [0, ...rounds].map((k) => {
    const point: PolicyPoint = { round: k, label: k === 0 ? 'base' : `round ${k}`, accuracy: null };
    const m = policyEvaluation(byRound, k);
    if (!m) return point;
    const valid = num(m.e.valid);
    const total = num(m.e.total);
    const interval = evaluationInterval(m.e);
    const losses = evaluationLosses(m.e)!;
    return { ...point, accuracy: evaluationAccuracy(m.e), ...(valid !== null ? { valid } : {}), ...(total !== null ? { total } : {}), ...(interval ? { interval } : {}), policyLabel: str(m.e.policyLabel) ?? (m.source?.kind === 'baseline' ? label(byRound.get(k + 1)) : str(byRound.get(k)?.result?.label)), source: m.source, ...losses };
  });

  const evals = [0, ...rounds].map((k) => policyEvaluation(byRound, k)?.e);
  const kindTotals = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
  const allKinds: KindSeries[] = ERROR_KINDS.map((kind) => ({
    kind,
    counts: evals.map((e) => {
      if (!e) return null;
      const c = num(e.kinds && typeof e.kinds === 'object' ? e.kinds[kind] : undefined) ?? 0;
      kindTotals[kind] += c;
      return c;
    }),
  }));
  const kinds = allKinds.filter((s) => kindTotals[s.kind] > 0);

  const pairs: PairsPoint[] = rounds.map((k) => {
    const p = byRound.get(k)?.pairs;
    return { round: k, found: num(p?.found), accepted: num(p?.accepted), manual: num(p?.manual) };
  });

  const withPpl = records.map((r) => ({ r, values: pplValues(r) })).filter((x) => x.values.length > 0);
  const largest = withPpl.reduce((m, x) => Math.max(m, x.values.length), 0);
  const bins = logBins(
    withPpl.map((x) => x.values),
    opts.bins ?? Math.min(MAX_PPL_BINS, Math.max(MIN_PPL_BINS, Math.ceil(Math.sqrt(largest)))),
  );
  const series: PplSeries[] = withPpl.map(({ r, values }) => ({
    round: r.round,
    policyLabel: label(r) ?? '',
    scored: num(r.ppl?.scored) ?? values.length,
    median: num(r.ppl?.median) ?? median(values),
    counts: binCounts(values, bins),
  }));

  const table: RoundRow[] = records.map((r) => {
    const job = r.job && typeof r.job === 'object' ? r.job : undefined;
    return {
      round: r.round,
      policy: label(r) ?? '',
      scored: num(r.ppl?.scored) ?? (Array.isArray(r.ppl?.values) ? pplValues(r).length : null),
      selected: num(opts.selected?.[r.round]),
      found: num(r.pairs?.found),
      accepted: num(r.pairs?.accepted),
      manual: num(r.pairs?.manual),
      job: job
        ? {
            status: job.status,
            backend: job.backend,
            percentage: num(job.lastProgress?.percentage),
            ...(str(job.lastProgress?.message) !== undefined ? { message: str(job.lastProgress?.message) } : {}),
            ...(str(job.error) !== undefined ? { error: str(job.error) } : {}),
          }
        : null,
      result: str(r.result?.label) ?? null,
      baseline: evaluationAccuracy(r.baseline),
      accuracy: evaluationAccuracy(r.evaluation),
      baselineInterval: evaluationInterval(r.baseline),
      accuracyInterval: evaluationInterval(r.evaluation),
      baselineSkipped: evaluationLosses(r.baseline)?.skipped ?? null,
      baselineTruncated: evaluationLosses(r.baseline)?.truncated ?? null,
      accuracySkipped: evaluationLosses(r.evaluation)?.skipped ?? null,
      accuracyTruncated: evaluationLosses(r.evaluation)?.truncated ?? null,
    };
  });

  // The held-out size of a comparison point without counts: the rounds' own evaluation of the same
  // policy point, else the first evaluated point's (every policy is judged on the same split).
  const sizeAt = (k: number): number | null => accuracy[k]?.total ?? accuracy.find((p) => p.total !== undefined && p.total > 0)?.total ?? null;
  const comparisons = (Array.isArray(reg?.comparisons) ? reg.comparisons : []).flatMap((c): ComparisonSeries[] => {
    const label = str(c?.label);
    if (!label || !Array.isArray(c.points)) return [];
    const at = new Map(c.points.flatMap((p) => (typeof p?.round === 'number' && num(p.accuracy) !== null ? [[p.round, p] as const] : [])));
    const acc = accuracy.map((p) => (at.has(p.round) ? num(at.get(p.round)!.accuracy) : null));
    const intervals = accuracy.map((p, k): Interval | null => {
      const point = at.get(p.round);
      const a = acc[k];
      if (!point || a === null) return null;
      const valid = num(point.valid);
      const total = num(point.total);
      if (valid !== null && total !== null && total > 0 && valid >= 0 && valid <= total) return wilson(valid, total);
      const n = sizeAt(k);
      return n && a >= 0 && a <= 1 ? wilson(Math.round(a * n), n) : null;
    });
    return [{ label, accuracy: acc, ...(intervals.some((x) => x) ? { intervals } : {}) }];
  });
  // Everything the accuracy chart draws, in percent: the points, the comparisons, every whisker's ends.
  const plotted = [
    ...accuracy.flatMap((p) => (p.accuracy === null ? [] : [p.accuracy, p.interval?.lo, p.interval?.hi])),
    ...comparisons.flatMap((c) => [...c.accuracy, ...(c.intervals ?? []).flatMap((i) => (i ? [i.lo, i.hi] : []))]),
  ].map((v) => (typeof v === 'number' ? 100 * v : null));
  return { empty: records.length === 0, ...(str(reg?.heldOut) ? { heldOut: reg.heldOut } : {}), rounds, accuracy, kinds, kindTotals, pairs, ppl: { bins, series }, table, comparisons, accuracyAxis: accuracyAxis(plotted) };
}

/** An accuracy (0..1) as the dashboard prints it: percent with one decimal. */
export function percent(accuracy: number): string {
  return `${(100 * accuracy).toFixed(1)}%`;
}

/** A PPL as the dashboard prints it. */
export function formatPpl(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

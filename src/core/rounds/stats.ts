// Small-sample statistics for held-out accuracies (itool loop's report, the round dashboard): a
// Wilson 95% interval for one accuracy, and for two policies judged on the same held-out samples
// the exact McNemar test and a paired bootstrap 95% interval of the accuracy difference. Pure and
// browser-safe (the dashboard's data module imports it); the bootstrap is seeded, so a report
// prints the same interval every time.
//
// Per-sample outcomes are strings (RoundEvaluation.outcomes): one character per held-out sample,
// '1' judged valid, '0' judged not valid, anything else ('-') not judged. Two evaluations are
// paired on the samples both judged.
import { mulberry32 } from '../random';

export interface Interval {
  lo: number;
  hi: number;
}

/** The normal quantile of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** Wilson score interval of valid/total (0..1); [0, 1] when nothing was judged. */
export function wilson(valid: number, total: number, z = Z95): Interval {
  if (!(total > 0)) return { lo: 0, hi: 1 };
  const p = Math.min(1, Math.max(0, valid / total));
  const z2 = z * z;
  const denom = 1 + z2 / total;
  const centre = (p + z2 / (2 * total)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / denom;
  // At p = 0 or 1 the bound is exactly 0 or 1; clamp the rounding either side.
  return { lo: valid <= 0 ? 0 : Math.max(0, centre - half), hi: valid >= total ? 1 : Math.min(1, centre + half) };
}

/**
 * Exact McNemar test (two-sided): `b` and `c` are the discordant pairs (samples only the first
 * policy got right, and only the second). Under no difference each discordant pair goes either
 * way with probability ½, so p = 2·P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), at most 1.
 * Summed in log space, so it stays exact for small counts and finite for large ones.
 */
export function mcnemar(b: number, c: number): number {
  const n = b + c;
  const k = Math.min(b, c);
  if (!(n > 0) || 2 * k >= n) return 1;
  // log C(n, i) − n·log 2, for i = 0..k, summed with log-sum-exp.
  const logs: number[] = [];
  let logC = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    logs.push(logC - n * Math.LN2);
  }
  const top = Math.max(...logs);
  const tail = Math.exp(top) * logs.reduce((s, l) => s + Math.exp(l - top), 0);
  return Math.min(1, 2 * tail);
}

/** The positions both outcome strings judged, as 0/1 arrays (`a` first, `b` second). */
export function pairOutcomes(a: string, b: string): { a: Uint8Array; b: Uint8Array } {
  const n = Math.min(a.length, b.length);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if ((x === '1' || x === '0') && (y === '1' || y === '0')) {
      xs.push(x === '1' ? 1 : 0);
      ys.push(y === '1' ? 1 : 0);
    }
  }
  return { a: Uint8Array.from(xs), b: Uint8Array.from(ys) };
}

export interface BootstrapOptions {
  /** Resamples (default 10,000). */
  resamples?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

/**
 * Paired bootstrap interval of mean(b) − mean(a) (percentile method): the samples are drawn with
 * replacement as pairs, so the interval reflects the correlation between the two policies'
 * answers. Deterministic for a seed. An empty pairing gives [0, 0].
 */
export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, opts: BootstrapOptions = {}): Interval {
  const n = Math.min(a.length, b.length);
  if (n === 0) return { lo: 0, hi: 0 };
  const resamples = Math.max(1, Math.floor(opts.resamples ?? 10_000));
  const level = opts.level ?? 0.95;
  const d = new Int8Array(n);
  for (let i = 0; i < n; i++) d[i] = (b[i] ? 1 : 0) - (a[i] ? 1 : 0);
  const rnd = mulberry32(opts.seed ?? 1);
  const sums = new Int32Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(rnd() * n)];
    sums[r] = s;
  }
  sums.sort();
  const tail = (1 - level) / 2;
  const lo = sums[Math.min(resamples - 1, Math.max(0, Math.floor(tail * resamples)))];
  const hi = sums[Math.min(resamples - 1, Math.max(0, Math.ceil((1 - tail) * resamples) - 1))];
  return { lo: lo / n, hi: hi / n };
}

/** Two policies compared on the samples both judged. */
export interface PairedTest {
  /** Samples judged by both. */
  n: number;
  /** Accuracy of each on those samples (0..1). */
  accA: number;
  accB: number;
  /** accB − accA (0..1 scale). */
  diff: number;
  /** Paired bootstrap interval of `diff`. */
  interval: Interval;
  /** Samples only A got right, and only B. */
  onlyA: number;
  onlyB: number;
  /** Exact McNemar p. */
  p: number;
  /** p < 0.05 and the interval excludes 0. */
  real: boolean;
}

/** B against A on the samples both judged; undefined when no sample was judged by both. */
export function pairedTest(a: string, b: string, opts: BootstrapOptions = {}): PairedTest | undefined {
  const pair = pairOutcomes(a, b);
  const n = pair.a.length;
  if (n === 0) return undefined;
  let sa = 0;
  let sb = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < n; i++) {
    sa += pair.a[i];
    sb += pair.b[i];
    if (pair.a[i] && !pair.b[i]) onlyA++;
    else if (!pair.a[i] && pair.b[i]) onlyB++;
  }
  const interval = pairedBootstrap(pair.a, pair.b, opts);
  const p = mcnemar(onlyA, onlyB);
  return { n, accA: sa / n, accB: sb / n, diff: (sb - sa) / n, interval, onlyA, onlyB, p, real: p < 0.05 && (interval.lo > 0 || interval.hi < 0) };
}

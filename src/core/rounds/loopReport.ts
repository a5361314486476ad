// What a finished loop leaves behind, the same from `itool loop` and from the command palette:
// WORKDIR/loop-results.json (options, every stage's numbers and seconds, the held-out sample ids
// once) and WORKDIR/loop-results.md (the README's evidence), and `itool loop-report DIR…` reads
// one or more of them (one per seed) back into the same report:
//   - held-out accuracy per variant and round, each with its Wilson 95% interval;
//   - each round's difference from the warm-up model, and each variant's last round against
//     iTool's last round, on the same held-out samples: Δ in points, its paired bootstrap 95%
//     interval and the exact McNemar p; a difference is called real when p < 0.05 and the
//     interval excludes 0 (stats.ts);
//   - with several seeds, a row per seed and a pooled row (the seeds' per-sample outcomes
//     concatenated as paired samples; accuracies pooled over every judged sample);
//   - pairs (or samples) each round trained on, error kinds, and the seconds each stage took.
// Evaluations written before per-sample outcomes were recorded still report their accuracy and
// interval; their differences print without interval and test.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Dataset } from '../dataset/dataset';
import { writeFileAtomic } from '../store/atomicWrite';
import { ERROR_KINDS } from '../toolcall/types';
import { heldOutKeys } from './evaluate';
import { VARIANT_LABELS, type LoopOptions, type LoopResult, type LoopVariant } from './loop';
import { pairedTest, wilson, type BootstrapOptions, type PairedTest } from './stats';
import type { RoundEvaluation } from './types';

/** One loop's results (one work folder), named in the report by its seed. */
export interface LoopRun {
  label: string;
  result: LoopResult;
  options?: Partial<Pick<LoopOptions, 'seed' | 'rounds' | 'variants' | 'heldOut' | 'evalLimit'>>;
  /** The whole loop's wall time. */
  seconds?: number;
}

/** Several runs of the same loop (seeds), reported side by side and pooled. */
export interface MergedLoop {
  runs: LoopRun[];
  /** Every variant any run has, in the order they first appear. */
  variants: LoopVariant[];
  /** The most rounds any run has. */
  rounds: number;
}

export interface ReportOptions {
  /** The paired bootstrap's resamples and seed (default 10,000, seed 1). */
  bootstrap?: BootstrapOptions;
}

const BOOTSTRAP: Required<Pick<BootstrapOptions, 'resamples' | 'seed'>> = { resamples: 10_000, seed: 1 };

const label = (v: LoopVariant): string => VARIANT_LABELS[v] ?? v;
/** What a round's `pairsAccepted` counts: SFT samples, GRPO completions, else preference pairs. */
const trainedOn = (v: string): string => (v === 'sft' ? 'samples' : v === 'grpo' ? 'completions' : 'pairs');

/** Runs as one report: variants in order of first appearance, the most rounds any has; runs named apart. */
export function mergeLoopRuns(runs: readonly LoopRun[]): MergedLoop {
  const variants: LoopVariant[] = [];
  let rounds = 0;
  for (const r of runs) {
    for (const v of r.options?.variants ?? []) if (!variants.includes(v)) variants.push(v);
    for (const x of r.result.rounds) {
      if (!variants.includes(x.variant)) variants.push(x.variant);
      rounds = Math.max(rounds, x.round);
    }
  }
  // Two runs of one seed (or none given) are told apart by their folders.
  const seen = new Map<string, number>();
  for (const r of runs) seen.set(r.label, (seen.get(r.label) ?? 0) + 1);
  const named = runs.map((r, k) => (seen.get(r.label)! > 1 ? { ...r, label: `${r.label} (#${k + 1})` } : r));
  return { runs: named, variants, rounds };
}

/** A loop work folder's results (DIR/loop-results.json, or that file itself). */
export async function readLoopRun(dir: string): Promise<LoopRun> {
  const file = dir.endsWith('.json') ? dir : join(dir, 'loop-results.json');
  let data: { options?: LoopRun['options']; result?: LoopResult; seconds?: number };
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as typeof data;
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (is this an itool loop work folder?)' : (err as Error).message}`);
  }
  const r = data?.result;
  if (!r?.warmup?.evaluation || !Array.isArray(r.rounds)) throw new Error(`${file} is not itool loop's results (no result.warmup.evaluation and result.rounds)`);
  const seed = data.options?.seed;
  return { label: typeof seed === 'number' ? `seed ${seed}` : basename(dir.endsWith('.json') ? join(dir, '..') : dir), result: r, options: data.options, seconds: data.seconds };
}

/** Several work folders (one per seed), merged. */
export async function readLoopRuns(dirs: readonly string[]): Promise<MergedLoop> {
  return mergeLoopRuns(await Promise.all(dirs.map(readLoopRun)));
}

// ---- the numbers ----

const evalOf = (run: LoopRun, v: LoopVariant, round: number): RoundEvaluation | undefined =>
  round === 0 ? run.result.warmup.evaluation : run.result.rounds.find((x) => x.variant === v && x.round === round)?.evaluation;

/** The last round a run has of a variant. */
const lastRound = (run: LoopRun, v: LoopVariant): number => run.result.rounds.reduce((m, x) => (x.variant === v ? Math.max(m, x.round) : m), 0);

/** Two evaluations' outcomes, when they stand for the same samples. */
function pairable(a: RoundEvaluation | undefined, b: RoundEvaluation | undefined): { a: string; b: string } | undefined {
  if (typeof a?.outcomes !== 'string' || typeof b?.outcomes !== 'string') return undefined;
  if (a.outcomes.length !== b.outcomes.length || a.outcomeIds !== b.outcomeIds) return undefined;
  return { a: a.outcomes, b: b.outcomes };
}

/** B against A per run; pooled over runs (outcomes concatenated) only when every run pairs. */
function compare(pairs: { a?: RoundEvaluation; b?: RoundEvaluation }[], o: BootstrapOptions): { each: (PairedTest | undefined)[]; pooled?: PairedTest } {
  const each = pairs.map(({ a, b }) => {
    const p = pairable(a, b);
    return p ? pairedTest(p.a, p.b, o) : undefined;
  });
  const all = pairs.map(({ a, b }) => pairable(a, b));
  const pooled = all.every((p) => p) && all.length > 1 ? pairedTest(all.map((p) => p!.a).join(''), all.map((p) => p!.b).join(''), o) : undefined;
  return { each, pooled };
}

/** Valid and judged summed over evaluations (undefined when any is missing). */
function pool(evals: (RoundEvaluation | undefined)[]): { valid: number; total: number } | undefined {
  if (evals.length === 0 || evals.some((e) => !e)) return undefined;
  return evals.reduce((s, e) => ({ valid: s.valid + e!.valid, total: s.total + e!.total }), { valid: 0, total: 0 });
}

// ---- formatting ----

const fixed1 = (x: number): string => {
  const s = x.toFixed(1);
  return s === '-0.0' ? '0.0' : s;
};
/** A difference (0..1 scale) in signed points: +3.2, -1.5, 0.0. */
export const points = (x: number): string => {
  const s = fixed1(100 * x);
  return s !== '0.0' && !s.startsWith('-') ? `+${s}` : s;
};
/** A p value as printed: three significant digits, 1, or < 0.0001. */
export const pValue = (p: number): string => (p >= 0.9995 ? '1' : p < 0.0001 ? '<0.0001' : p.toPrecision(3));
/** An accuracy with its Wilson interval: 45.0% [30.6, 60.3]. */
export function accuracyCell(valid: number, total: number): string {
  if (!(total > 0)) return '—';
  const w = wilson(valid, total);
  return `${fixed1((100 * valid) / total)}% [${fixed1(100 * w.lo)}, ${fixed1(100 * w.hi)}]`;
}
const evalCell = (e: RoundEvaluation | undefined): string => (e ? accuracyCell(e.valid, e.total) : '—');

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}
function table(head: string[], rows: string[][]): string {
  return [row(head), `|${head.map(() => '---|').join('')}`, ...rows.map(row)].join('\n');
}

/** Δ, interval, discordant counts, p and verdict cells of a comparison (unpaired: Δ of the accuracies, the rest —). */
function testCells(t: PairedTest | undefined, a: { valid: number; total: number } | undefined, b: { valid: number; total: number } | undefined): string[] {
  if (t) return [points(t.diff), `[${points(t.interval.lo)}, ${points(t.interval.hi)}]`, `${t.onlyB} / ${t.onlyA}`, pValue(t.p), t.real ? '**yes**' : 'no'];
  const d = a && b && a.total > 0 && b.total > 0 ? points(b.valid / b.total - a.valid / a.total) : '—';
  return [d, '—', '—', '—', 'n/a (no per-sample outcomes)'];
}

/** The report's tables (markdown). */
export function loopReport(m: MergedLoop, opts: ReportOptions = {}): string {
  const o = { ...BOOTSTRAP, ...opts.bootstrap };
  const multi = m.runs.length > 1;
  const seedCol = multi ? ['seed'] : [];
  const rounds = Array.from({ length: m.rounds }, (_, k) => k + 1);
  // Per variant: a row per run, then the pooled row.
  const perRun = <T>(f: (run: LoopRun) => T): { name: string; value: T }[] => m.runs.map((run) => ({ name: run.label, value: f(run) }));
  const out: string[] = [];

  // Accuracy with Wilson intervals.
  const accRows: string[][] = [];
  for (const v of m.variants) {
    for (const { name, value: run } of perRun((r) => r)) accRows.push([label(v), ...(multi ? [name] : []), ...[0, ...rounds].map((k) => evalCell(evalOf(run, v, k)))]);
    if (multi) {
      const pooled = [0, ...rounds].map((k) => pool(m.runs.map((run) => evalOf(run, v, k))));
      accRows.push([label(v), 'pooled', ...pooled.map((p) => (p ? accuracyCell(p.valid, p.total) : '—'))]);
    }
  }
  out.push(
    '## Held-out accuracy',
    '',
    `Valid answers among the held-out samples judged, with the Wilson 95% interval${multi ? '; pooled: over every seed\'s samples' : ''}.`,
    '',
    table(['variant', ...seedCol, 'warm-up', ...rounds.map((k) => `round ${k}`)], accRows),
  );

  // Difference from the start.
  const diffRows: string[][] = [];
  for (const v of m.variants) {
    for (const k of rounds) {
      const pairs = m.runs.map((run) => ({ a: evalOf(run, v, 0), b: evalOf(run, v, k) }));
      if (pairs.every((p) => !p.b)) continue;
      const { each, pooled } = compare(pairs, o);
      pairs.forEach((p, i) => diffRows.push([label(v), String(k), ...(multi ? [m.runs[i].label] : []), evalCell(p.b), ...testCells(each[i], p.a, p.b)]));
      if (multi) {
        const a = pool(pairs.map((p) => p.a));
        const b = pool(pairs.map((p) => p.b));
        diffRows.push([label(v), String(k), 'pooled', b ? accuracyCell(b.valid, b.total) : '—', ...testCells(pooled, a, b)]);
      }
    }
  }
  const testHead = ['Δ points', '95% interval', 'fixed / broken', 'McNemar p', 'real'];
  out.push(
    '',
    '## Difference from the start',
    '',
    `Each round's model against the warm-up model on the same held-out samples: Δ in accuracy points, its paired bootstrap 95% interval (${o.resamples.toLocaleString('en-US')} resamples, seed ${o.seed}), the samples it answers right that the warm-up model got wrong (fixed) and the reverse (broken), and the exact McNemar p on those. Real: p < 0.05 and the interval excludes 0.`,
    '',
    table(['variant', 'round', ...seedCol, 'accuracy', ...testHead], diffRows),
  );

  // Each variant's last round against iTool's.
  if (m.variants.includes('itool') && m.variants.length > 1) {
    const lastRows: string[][] = [];
    for (const v of m.variants.filter((x) => x !== 'itool')) {
      const pairs = m.runs.map((run) => ({ a: evalOf(run, 'itool', lastRound(run, 'itool')), b: lastRound(run, v) ? evalOf(run, v, lastRound(run, v)) : undefined }));
      if (pairs.every((p) => !p.b)) continue;
      const { each, pooled } = compare(pairs, o);
      pairs.forEach((p, i) => lastRows.push([label(v), ...(multi ? [m.runs[i].label] : []), `${evalCell(p.b)} (round ${lastRound(m.runs[i], v) || '—'})`, `${evalCell(p.a)} (round ${lastRound(m.runs[i], 'itool') || '—'})`, ...testCells(each[i], p.a, p.b)]));
      if (multi) {
        const a = pool(pairs.map((p) => p.a));
        const b = pool(pairs.map((p) => p.b));
        lastRows.push([label(v), 'pooled', b ? accuracyCell(b.valid, b.total) : '—', a ? accuracyCell(a.valid, a.total) : '—', ...testCells(pooled, a, b)]);
      }
    }
    out.push(
      '',
      '## Last round against iTool\'s last round',
      '',
      'Δ = the variant\'s accuracy minus iTool\'s, on the same held-out samples; fixed / broken: samples only the variant answers right / only iTool does.',
      '',
      table(['variant', ...seedCol, 'its last round', 'iTool\'s last round', ...testHead], lastRows),
    );
  }

  // What each round trained on.
  const usedRows: string[][] = [];
  for (const v of m.variants) {
    for (const run of m.runs) {
      usedRows.push([label(v), ...(multi ? [run.label] : []), ...rounds.map((k) => {
        const x = run.result.rounds.find((y) => y.variant === v && y.round === k);
        // The policy samples each round drew (the search's, or GRPO's completions): the variants' budgets side by side.
        return x ? `${x.pairsAccepted} ${trainedOn(v)}${x.samplesDrawn !== undefined ? ` (${x.samplesDrawn} policy samples drawn)` : ''}` : '—';
      })]);
    }
  }
  out.push('', '## Training data per round', '', table(['variant', ...seedCol, ...rounds.map((k) => `round ${k}`)], usedRows));

  // Error kinds.
  const kindRows = m.runs.flatMap((run) => [
    [multi ? `${run.label} warm-up` : 'warm-up', kinds(run.result.warmup.evaluation)],
    ...run.result.rounds.map((x) => [`${multi ? `${run.label} ` : ''}${x.variant} round ${x.round}`, kinds(x.evaluation)]),
  ]);
  out.push('', '## Error kinds', '', table(['model', 'held-out samples with each error kind'], kindRows));

  // How the wrong answers are wrong: the method's premise is a policy wrong at one fragment.
  const shapeRows = m.runs.flatMap((run) => [
    [multi ? `${run.label} warm-up` : 'warm-up', ...shape(run.result.warmup.evaluation)],
    ...run.result.rounds.map((x) => [`${multi ? `${run.label} ` : ''}${x.variant} round ${x.round}`, ...shape(x.evaluation)]),
  ]);
  out.push('', '## How the wrong answers are wrong', '', table(['model', 'wrong answers', 'wrong at one fragment', 'do not parse', 'errors per wrong answer', 'cut off (token limit or context end)'], shapeRows));

  out.push('', '## Time per stage', '', stageTable(m));
  return out.join('\n');
}

const share = (n: number, of: number): string => (of ? `${n} (${Math.round((100 * n) / of)}%)` : '0');
const shape = (e: RoundEvaluation): string[] =>
  e.wrong ? [String(e.wrong.answers), share(e.wrong.oneFragment, e.wrong.answers), share(e.wrong.unparsed, e.wrong.answers), e.wrong.errorsPerAnswer.toFixed(2), String(e.truncated ?? 0)] : ['—', '—', '—', '—', String(e.truncated ?? '—')];

const kinds = (e: RoundEvaluation): string =>
  ERROR_KINDS.filter((k) => e.kinds?.[k])
    .map((k) => `${k} ${e.kinds[k]}`)
    .join(', ') || '—';

/** Seconds per stage, summed per variant over its rounds (and seeds): how long each stage took. */
export function stageSeconds(m: MergedLoop): { stages: string[]; rows: { name: string; seconds: Record<string, number> }[] } {
  const stages: string[] = [];
  const add = (into: Record<string, number>, s: Record<string, number> | undefined) => {
    for (const [k, v] of Object.entries(s ?? {})) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (!stages.includes(k)) stages.push(k);
      into[k] = (into[k] ?? 0) + v;
    }
  };
  const warm: Record<string, number> = {};
  for (const run of m.runs) add(warm, run.result.warmup.seconds);
  const rows = [{ name: 'warm-up', seconds: warm }];
  for (const v of m.variants) {
    const s: Record<string, number> = {};
    for (const run of m.runs) for (const x of run.result.rounds) if (x.variant === v) add(s, x.seconds);
    rows.push({ name: label(v), seconds: s });
  }
  return { stages, rows };
}

function stageTable(m: MergedLoop): string {
  const { stages, rows } = stageSeconds(m);
  const sec = (x: number | undefined): string => (x === undefined ? '—' : `${x.toFixed(1)} s`);
  const sum = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
  const body = rows.map((r) => [r.name, ...stages.map((k) => sec(r.seconds[k])), sec(sum(r.seconds))]);
  const grand = rows.reduce((a, r) => a + sum(r.seconds), 0);
  const runs = m.runs.length > 1 ? `, summed over ${m.runs.length} seeds` : '';
  const wall = m.runs.map((r) => r.seconds).filter((s): s is number => typeof s === 'number');
  const wallText = wall.length ? ` Wall time ${(wall.reduce((a, b) => a + b, 0) / 60).toFixed(1)} min.` : '';
  return `Seconds per stage, summed per variant over its rounds${runs}. All stages: ${(grand / 60).toFixed(1)} min.${wallText}\n\n${table(['', ...stages, 'total'], body)}`;
}

/** The report of one loop (what `itool loop` prints at the end). */
export function evidenceTable(r: LoopResult, rounds: number, variants: readonly LoopVariant[], opts: ReportOptions = {}): string {
  const m = mergeLoopRuns([{ label: 'run', result: r, options: { rounds, variants: [...variants] } }]);
  return loopReport({ ...m, rounds: Math.max(m.rounds, rounds) }, opts);
}

/** Seconds per stage of one loop, per variant and stage (the report's last table). */
export function stageTimes(r: LoopResult): string {
  return stageTable(mergeLoopRuns([{ label: 'run', result: r }]));
}

/** Write loop-results.json and loop-results.md into the loop's work folder; their paths. */
export async function writeLoopReport(o: LoopOptions, result: LoopResult, seconds: number): Promise<{ json: string; markdown: string; table: string }> {
  const json = join(o.workDir, 'loop-results.json');
  const markdown = join(o.workDir, 'loop-results.md');
  const run: LoopRun = { label: `seed ${o.seed}`, result, options: { seed: o.seed, rounds: o.rounds, variants: o.variants, heldOut: o.heldOut, evalLimit: o.evalLimit }, seconds };
  const m = mergeLoopRuns([run]);
  const table = loopReport({ ...m, rounds: Math.max(m.rounds, o.rounds) });
  const options = { ...o, log: undefined, signal: undefined };
  // The held-out sample ids the evaluations' outcomes stand for, once (evaluate.ts, heldOutKeys).
  const heldOutIds = await heldOutIdsOf(o.heldOut, o.evalLimit);
  await writeFileAtomic(json, `${JSON.stringify({ options, result, seconds, ...(heldOutIds ? { heldOutIds } : {}) }, null, 2)}\n`);
  await writeFileAtomic(markdown, `# Loop results\n\n${table}\n\nTotal ${(seconds / 60).toFixed(1)} min.\n`);
  return { json, markdown, table };
}

async function heldOutIdsOf(path: string, limit?: number): Promise<string[] | undefined> {
  try {
    const ds = await Dataset.open(path);
    try {
      return await heldOutKeys(ds, limit);
    } finally {
      await ds.close();
    }
  } catch {
    return undefined;
  }
}

// `itool loop`: the closed loop on the project's tiny model, from one command (src/core/rounds/loop.ts),
// printing each stage as it finishes and, at the end, the evidence table (markdown) with held-out
// accuracy and error kinds after warm-up and after each round, per variant. Results are also
// written to WORKDIR/loop-results.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LOOP_VARIANTS, VARIANT_LABELS, runLoop, type LoopOptions, type LoopResult, type LoopVariant } from '../core/rounds/loop';
import type { RoundEvaluation } from '../core/rounds/types';
import { ERROR_KINDS } from '../core/toolcall/types';

export interface LoopCommandArgs {
  train: string;
  heldOut: string;
  workDir: string;
  python?: string;
  root: string;
  rounds?: number;
  variants?: string;
  seed?: number;
  baseModel?: string;
  warmupEpochs?: number;
  warmupPromptLoss?: boolean;
  evalLimit?: number;
  exploreMax?: number;
  iterations?: number;
  prefLr?: number;
  prefEpochs?: number;
  model?: string;
}


const pct = (e: RoundEvaluation): string => `${(100 * e.accuracy).toFixed(1)}%`;
const kinds = (e: RoundEvaluation): string =>
  ERROR_KINDS.filter((k) => e.kinds[k])
    .map((k) => `${k} ${e.kinds[k]}`)
    .join(', ') || '—';

/** The README's evidence table. */
export function evidenceTable(r: LoopResult, rounds: number, variants: readonly LoopVariant[]): string {
  const head = `| ${['variant', 'warm-up', ...Array.from({ length: rounds }, (_, k) => `round ${k + 1}`)].join(' | ')} |`;
  const sep = `|---|---|${'---|'.repeat(rounds)}`;
  const rows = variants.map((v) => {
    const cells = Array.from({ length: rounds }, (_, k) => {
      const x = r.rounds.find((y) => y.variant === v && y.round === k + 1);
      return x ? `${pct(x.evaluation)} (${x.pairsAccepted} ${v === 'sft' ? 'samples' : 'pairs'})` : '—';
    });
    return `| ${[VARIANT_LABELS[v], pct(r.warmup.evaluation), ...cells].join(' | ')} |`;
  });
  const kindRows = [`| warm-up | ${kinds(r.warmup.evaluation)} |`, ...r.rounds.map((x) => `| ${x.variant} round ${x.round} | ${kinds(x.evaluation)} |`)];
  return [head, sep, ...rows, '', '| model | held-out samples with each error kind |', '|---|---|', ...kindRows].join('\n');
}

export async function loopCommand(a: LoopCommandArgs, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const variants = (a.variants ?? 'itool').split(',').map((v) => v.trim()) as LoopVariant[];
  const bad = variants.filter((v) => !LOOP_VARIANTS.includes(v));
  if (bad.length) {
    io.stderr(`loop: unknown variant(s) ${bad.join(', ')}; expected ${LOOP_VARIANTS.join(', ')}\n`);
    return 2;
  }
  const workDir = resolve(a.workDir);
  await mkdir(workDir, { recursive: true });
  const ctl = new AbortController();
  process.once('SIGINT', () => ctl.abort(new Error('interrupted')));
  const o: LoopOptions = {
    train: resolve(a.train),
    heldOut: resolve(a.heldOut),
    workDir,
    trainer: { python: a.python ?? 'python3', root: a.root },
    variants,
    rounds: a.rounds ?? 3,
    seed: a.seed ?? 1,
    baseModel: a.baseModel ? resolve(a.baseModel) : undefined,
    model: a.model ? (JSON.parse(a.model) as LoopOptions['model']) : undefined,
    warmup: { epochs: a.warmupEpochs ?? 2, learningRate: 1e-3, promptLoss: a.warmupPromptLoss },
    pref: { loss: 'simpo', learningRate: a.prefLr ?? 1e-4, epochs: a.prefEpochs ?? 2 },
    ratio: 0.3,
    exploreMax: a.exploreMax ?? 48,
    search: { iterations: a.iterations ?? 5, numActions: 3, temperature: 1.0, maxNewTokens: 50, depth: 3 },
    minGap: 0.1,
    evalLimit: a.evalLimit,
    log: (line) => io.stdout(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
    signal: ctl.signal,
  };
  const started = Date.now();
  const result = await runLoop(o);
  await writeFile(join(workDir, 'loop-results.json'), `${JSON.stringify({ options: { ...o, log: undefined, signal: undefined }, result, seconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
  io.stdout(`\n${evidenceTable(result, o.rounds, o.variants)}\n\nTotal ${((Date.now() - started) / 60000).toFixed(1)} min; results in ${join(workDir, 'loop-results.json')}\n`);
  return 0;
}

// `itool synth -o OUT [--seed N] [--train N] [--held-out N] [--bfcl-dir DIR]`: a synthetic
// tool-use corpus in BFCL format, built from BFCL's function docs (DIR, default
// /work/shared/data/bfcl; the docs bundled from demo/datasets/bfcl when it has none), split by
// function into train and held-out, every sample tagged with its difficulty knobs
// (src/core/synth). Writes OUT/train/, OUT/heldout/ (question + possible_answer files) and
// OUT/manifest.json. Exit code: 0 written, 1 generation or write failed, 2 bad options.
import { join } from 'node:path';
import { DEFAULT_HELD_OUT, DEFAULT_SEED, DEFAULT_TRAIN, KNOBS, LEVELS, PROFILES, type SplitStats } from '../core/synth/corpus';
import { generateCorpus } from '../core/synth/generate';
import { writeCorpus } from '../core/synth/write';
import { numberArg, UsageError, whole } from './args';
import { defineCommand } from './command';

export interface SynthCommandOptions {
  out: string;
  seed?: number;
  train?: number;
  heldOut?: number;
  seen?: number;
  bfclDir?: string;
  /** A named settings profile (PROFILES in generate.ts). */
  profile?: string;
  /** Share of train samples under drilled names (overrides the profile's). */
  renameShare?: number;
  /** Leave out the first N train samples (a later slice of the same stream). */
  skip?: number;
}

export interface SynthIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

function badNumber(name: string, v: number | undefined, min: number): string | undefined {
  if (v === undefined) return undefined;
  return Number.isInteger(v) && v >= min ? undefined : `--${name} must be a whole number${min === 0 ? ' >= 0' : ''}, not ${v}`;
}

const counts = (o: Record<string, number>, keys: readonly string[]): string => keys.map((k) => `${k} ${o[k] ?? 0}`).join(', ');

function statsLine(label: string, st: SplitStats): string {
  return `  ${label}: levels ${counts(st.levels, LEVELS)}; knobs ${counts(st.knobs, KNOBS)}; prompt chars p50 ${st.promptChars.p50}, p95 ${st.promptChars.p95}${st.renamed ? `; ${st.renamed} under drilled names` : ''}\n`;
}

export async function synthCommand(opts: SynthCommandOptions, io: SynthIo): Promise<number> {
  if (!opts.out) {
    io.stderr('synth: -o OUT (the output folder) is required\n');
    return 2;
  }
  const bad = badNumber('seed', opts.seed, -Infinity) ?? badNumber('train', opts.train, 0) ?? badNumber('held-out', opts.heldOut, 0);
  if (bad) {
    io.stderr(`synth: ${bad}\n`);
    return 2;
  }
  const profile = opts.profile ?? 'default';
  if (!Object.hasOwn(PROFILES, profile)) {
    io.stderr(`synth: --profile must be one of ${Object.keys(PROFILES).join(', ')}, not "${opts.profile}"\n`);
    return 2;
  }
  const t0 = performance.now();
  try {
    const corpus = generateCorpus({
      seed: opts.seed,
      train: opts.train,
      heldOut: opts.heldOut,
      bfclDir: opts.bfclDir,
      settings: { ...PROFILES[profile], ...(opts.renameShare !== undefined ? { pRenameTrain: opts.renameShare } : {}) },
      skipTrain: opts.skip,
      seen: opts.seen,
    });
    if (corpus.note) io.stderr(`synth: ${corpus.note}\n`);
    const written = await writeCorpus(opts.out, corpus);
    const m = corpus.manifest;
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    const skipped = Object.entries(m.source.skipped).map(([why, n]) => `${n} ${why}`).join(', ');
    const from = m.source.kind === 'bfcl' ? m.source.dir : 'the bundled demo docs';
    io.stdout(
      `wrote ${m.sizes.train} train + ${m.sizes.heldOut} held-out${m.sizes.seen ? ` + ${m.sizes.seen} seen-function` : ''} samples to ${opts.out} in ${secs} s (seed ${m.seed ?? DEFAULT_SEED})\n` +
        `  functions: ${m.source.kept} kept of ${m.source.unique} from ${from}` +
        (m.source.skippedTotal ? ` (${m.source.skippedTotal} skipped: ${skipped})` : '') +
        `; split ${m.functions.train.pool} train / ${m.functions.heldOut.pool} held-out\n` +
        (m.sizes.train ? statsLine('train', m.stats.train) : '') +
        (m.sizes.heldOut ? statsLine('held-out', m.stats.heldOut) : '') +
        (m.sizes.seen && m.stats.seen ? statsLine('seen', m.stats.seen) : '') +
        [written.train?.questions, written.heldOut?.questions, written.seen?.questions, written.manifest]
          .filter((f): f is string => !!f)
          .map((f) => `  ${join(opts.out, f)}\n`)
          .join(''),
    );
    return 0;
  } catch (err) {
    io.stderr(`synth: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

export { DEFAULT_HELD_OUT, DEFAULT_SEED, DEFAULT_TRAIN };

export const synthCli = defineCommand({
  name: 'synth',
  usage: `  itool synth -o OUT [--seed 1] [--train 4000] [--held-out 400] [--bfcl-dir DIR] [--profile default|tiny]
                  [--rename-share P] [--skip N] [--seen N]
      A synthetic tool-use corpus from BFCL's function documentation (BFCL format with possible
      answers): templated queries with several/optional parameters, look-alike distractor
      functions, parallel calls and values to derive; train / held-out split by function.
      --profile tiny: short prompts (2 tools), no parallel_multiple, and train samples under
      drilled names (copying names from the prompt), for the demo model. --rename-share sets
      that share (0..1); --skip N leaves out the first N train samples (more data, no repeats).
      --seen N: a second held-out split (OUT/seen/) of new requests over the train functions
      (new values, phrasings, derived values, optional parameters; real names; no train query).
`,
  options: {
    out: { type: 'string', short: 'o' },
    seed: { type: 'string' },
    train: { type: 'string' },
    'held-out': { type: 'string' },
    'bfcl-dir': { type: 'string' },
    profile: { type: 'string' },
    'rename-share': { type: 'string' },
    skip: { type: 'string' },
    seen: { type: 'string' },
  },
  run(values) {
    if (!values.out) throw new UsageError('synth: -o OUT is required');
    return synthCommand(
      {
        out: values.out,
        seed: numberArg('synth', 'seed', values.seed, whole(0)),
        train: numberArg('synth', 'train', values.train, whole(0)),
        heldOut: numberArg('synth', 'held-out', values['held-out'], whole(0)),
        bfclDir: values['bfcl-dir'],
        profile: values.profile,
        renameShare: numberArg('synth', 'rename-share', values['rename-share'], (x) => x >= 0 && x <= 1),
        skip: numberArg('synth', 'skip', values.skip, whole(0)),
        seen: numberArg('synth', 'seen', values.seen, whole(0)),
      },
      { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
    );
  },
});

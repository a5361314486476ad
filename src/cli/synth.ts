// `itool synth -o OUT [--seed N] [--train N] [--held-out N] [--bfcl-dir DIR]`: a synthetic
// tool-use corpus in BFCL format, built from BFCL's function docs (DIR, default
// /work/shared/data/bfcl; the docs bundled from demo/datasets/bfcl when it has none), split by
// function into train and held-out, every sample tagged with its difficulty knobs
// (src/core/synth). Writes OUT/train/, OUT/heldout/ (question + possible_answer files) and
// OUT/manifest.json. Exit code: 0 written, 1 generation or write failed, 2 bad options.
import { join } from 'node:path';
import { DEFAULT_HELD_OUT, DEFAULT_SEED, DEFAULT_TRAIN, generateCorpus, KNOBS, LEVELS, PROFILES, type SplitStats } from '../core/synth/generate';
import { writeCorpus } from '../core/synth/write';

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

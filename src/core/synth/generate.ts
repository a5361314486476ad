// The synthetic tool-use corpus: samples built from BFCL function docs, with the difficulty knobs
// iTool's deficiency calibration is meant to find (several parameters, optional parameters given
// or left out, near-named distractor functions, parallel calls, values to be worked out rather
// than copied), each sample tagged with the knobs that apply, a difficulty score and a level.
//
// Split by function: the functions are grouped by family (familyOf) and whole families go to the
// held-out split until it holds `heldOutShare` of them; a sample draws its called functions and
// its distractors from its own split only (renamed copies are made from its own functions under
// names no real function has), so held-out accuracy measures generalisation to unseen tools.
//
// Determinism: one seed fixes everything. The split, the train samples and the held-out samples
// draw from three separate streams derived from it, so the held-out set does not change when only
// the train size does.
//
// The corpus's records and settings are corpus.ts, one split's samples splitGenerator.ts, the
// difficulty score difficulty.ts.
import { loadDocs } from './docs';
import { DEFAULT_HELD_OUT, DEFAULT_SEED, DEFAULT_SETTINGS, DEFAULT_TRAIN, KNOBS, LEVELS, SHAPES, type SplitStats, type SynthCorpus, type SynthManifest, type SynthOptions, type SynthSample, type SynthSettings } from './corpus';
import { LEVEL_RULE } from './difficulty';
import { nameTokens, prepareFunctions, type SynthFunction } from './functions';
import { Rng } from './rng';
import { SplitGenerator } from './splitGenerator';

/** A seed of its own for stream `k` of `seed`. */
function subSeed(seed: number, k: number): number {
  return (Math.imul(seed >>> 0, 2654435761) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0;
}

/** Whole families to the held-out split, in a seeded order, until it holds `share` of the functions. */
export function splitByFamily(fns: readonly SynthFunction[], share: number, rng: Rng): { train: SynthFunction[]; heldOut: SynthFunction[] } {
  const families = [...new Set(fns.map((f) => f.family))].sort();
  const want = Math.round(fns.length * share);
  const size = new Map<string, number>();
  for (const f of fns) size.set(f.family, (size.get(f.family) ?? 0) + 1);
  const held = new Set<string>();
  let n = 0;
  for (const fam of rng.shuffle(families)) {
    if (n >= want) break;
    // A very large family would overshoot: keep it for train unless nothing else is left.
    if (n + size.get(fam)! > want * 1.1 && n > 0) continue;
    held.add(fam);
    n += size.get(fam)!;
  }
  return { train: fns.filter((f) => !held.has(f.family)), heldOut: fns.filter((f) => held.has(f.family)) };
}

const percentile = (xs: readonly number[], q: number): number => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function statsOf(samples: readonly SynthSample[], maxPromptChars: number): SplitStats {
  const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const st: SplitStats = {
    samples: samples.length,
    shapes: zero(SHAPES),
    knobs: zero(KNOBS),
    levels: zero(LEVELS),
    derivations: {},
    distractorKinds: { sibling: 0, renamedCopy: 0 },
    renamed: 0,
    calls: {},
    promptChars: { p50: 0, p95: 0, max: 0 },
    overBudget: 0,
  };
  for (const x of samples) {
    st.shapes[x.shape]++;
    for (const t of x.tags) st.knobs[t]++;
    st.levels[x.level]++;
    for (const d of x.derived) st.derivations[d.kind] = (st.derivations[d.kind] ?? 0) + 1;
    st.distractorKinds.renamedCopy += x.renamedCopies.length;
    if (x.renamed) st.renamed++;
    st.distractorKinds.sibling += x.distractors.length - x.renamedCopies.length;
    st.calls[x.called.length] = (st.calls[x.called.length] ?? 0) + 1;
    if (x.promptChars > maxPromptChars) st.overBudget++;
  }
  const chars = samples.map((x) => x.promptChars);
  st.promptChars = { p50: percentile(chars, 0.5), p95: percentile(chars, 0.95), max: chars.length ? Math.max(...chars) : 0 };
  st.derivations = Object.fromEntries(Object.entries(st.derivations).sort(([a], [b]) => a.localeCompare(b)));
  return st;
}

const checkSize = (n: number, what: string): number => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number >= 0, not ${n}`);
  return n;
};

/** Generate the corpus in memory (see writeCorpus for the files). */
export function generateCorpus(opts: SynthOptions = {}): SynthCorpus {
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be a whole number, not ${seed}`);
  const nTrain = checkSize(opts.train ?? DEFAULT_TRAIN, 'train');
  const skip = checkSize(opts.skipTrain ?? 0, 'skipTrain');
  const nHeld = checkSize(opts.heldOut ?? DEFAULT_HELD_OUT, 'heldOut');
  const settings: SynthSettings = { ...DEFAULT_SETTINGS, ...opts.settings, shapes: { ...DEFAULT_SETTINGS.shapes, ...opts.settings?.shapes } };
  let source = opts.source;
  let note: string | undefined;
  if (!source) ({ source, note } = loadDocs(opts.bfclDir));
  const prepared = prepareFunctions(source.docs);
  let fns = prepared.functions;
  if (opts.maxFunctions !== undefined && opts.maxFunctions < fns.length) {
    const keep = new Set(new Rng(subSeed(seed, 3)).sample(fns, Math.max(2, opts.maxFunctions)).map((f) => f.name));
    fns = fns.filter((f) => keep.has(f.name));
  }
  const split = splitByFamily(fns, settings.heldOutShare, new Rng(subSeed(seed, 0)));
  if (nTrain > 0 && split.train.length === 0) throw new Error('synth: no function left for the train split');
  if (nHeld > 0 && split.heldOut.length === 0) throw new Error('synth: no function left for the held-out split (raise heldOutShare or use more functions)');
  const realNames = new Set(source.docs.map((d) => d.name));
  const wordPool = [...new Set(split.train.flatMap((f) => nameTokens(f.name)))].filter((w) => /^[a-z][a-z0-9]*$/.test(w)).sort();
  const trainGen = new SplitGenerator('train', split.train, realNames, new Rng(subSeed(seed, 1)), settings, new Rng(subSeed(seed, 4)), wordPool);
  const heldGen = new SplitGenerator('heldout', split.heldOut, realNames, new Rng(subSeed(seed, 2)), settings);
  // The generators are stateful (a shuffled deck of targets): every train sample is drawn once, skipped ones included.
  const drawn = Array.from({ length: skip + nTrain }, (_, i) => trainGen.sample(i));
  const train = drawn.slice(skip);
  const heldOut = Array.from({ length: nHeld }, (_, i) => heldGen.sample(i));
  const nSeen = checkSize(opts.seen ?? 0, 'seen');
  const seenGen = new SplitGenerator('seen', split.train, realNames, new Rng(subSeed(seed, 5)), settings);
  const seen: SynthSample[] = [];
  if (nSeen > 0) {
    const trainQueries = new Set(drawn.map((t) => t.query));
    for (let i = 0; seen.length < nSeen; i++) {
      const s = seenGen.sample(i);
      if (!trainQueries.has(s.query)) seen.push(s);
    }
  }
  const skippedTotal = Object.values(prepared.skipped).reduce((a, b) => a + b, 0);
  const manifest: SynthManifest = {
    generator: 'itool synth',
    version: 1,
    seed,
    sizes: { train: nTrain, heldOut: nHeld, ...(nSeen ? { seen: nSeen } : {}) },
    ...(skip ? { skipTrain: skip } : {}),
    source: {
      kind: source.kind,
      ...(source.dir ? { dir: source.dir } : {}),
      files: source.files,
      functionEntries: source.seen,
      duplicates: source.duplicates,
      nameVariants: source.nameVariants,
      unique: source.docs.length,
      kept: prepared.functions.length,
      skipped: Object.fromEntries(Object.entries(prepared.skipped).sort(([a], [b]) => a.localeCompare(b))),
      skippedTotal,
      optionalParamsDropped: prepared.paramsDropped,
    },
    settings: { ...settings, ...(opts.maxFunctions !== undefined ? { maxFunctions: opts.maxFunctions } : {}) },
    functions: {
      train: { pool: split.train.length, used: trainGen.used.size, names: [...trainGen.used].sort() },
      heldOut: { pool: split.heldOut.length, used: heldGen.used.size, names: [...heldGen.used].sort() },
      ...(nSeen ? { seen: { pool: split.train.length, used: seenGen.used.size, names: [...seenGen.used].sort() } } : {}),
    },
    stats: { train: statsOf(train, settings.maxPromptChars), heldOut: statsOf(heldOut, settings.maxPromptChars), ...(nSeen ? { seen: statsOf(seen, settings.maxPromptChars) } : {}) },
    levelRule: LEVEL_RULE,
  };
  return { train, heldOut, seen, manifest, ...(note ? { note } : {}) };
}

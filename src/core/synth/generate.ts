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
import type { PossibleAnswer, ToolDef } from '../dataset/sample';
import { loadDocs, type DocSource } from './docs';
import { DESC_CHARS, nameTokens, prepareFunctions, similarNames, tooAlike, type SynthFunction, type SynthParam } from './functions';
import { multiQuery, parallelQuery, singleQuery, type Arg } from './phrasing';
import { renameFunctions } from './rename';
import { Rng } from './rng';
import { derivable, drawValue, statesLiterally, type DerivationKind } from './values';

export type Shape = 'simple' | 'multiple' | 'parallel' | 'parallel_multiple';
export const SHAPES: readonly Shape[] = ['simple', 'multiple', 'parallel', 'parallel_multiple'];

export type Knob = 'multi_param' | 'optional_given' | 'optional_omitted' | 'distractor' | 'parallel' | 'derived';
export const KNOBS: readonly Knob[] = ['multi_param', 'optional_given', 'optional_omitted', 'distractor', 'parallel', 'derived'];

export type Level = 'easy' | 'medium' | 'hard';
export const LEVELS: readonly Level[] = ['easy', 'medium', 'hard'];

/** `seen`: new requests over the train split's functions (never drilled), a held-out set for what the model was trained on. */
export type SplitName = 'train' | 'heldout' | 'seen';

export interface SynthSettings {
  /** Share of the functions (whole families) that go to the held-out split. */
  heldOutShare: number;
  /** Tools in one sample's list, called ones and distractors together. */
  maxTools: number;
  /** Budget for query + tool list (JSON characters); distractors are dropped to meet it. */
  maxPromptChars: number;
  /** Relative weights of the sample shapes. */
  shapes: Record<Shape, number>;
  /** Chance that a sample states a value indirectly (when one of its parameters allows it). */
  pDerived: number;
  /** Chance that such a sample states a second value indirectly. */
  pSecondDerived: number;
  /** Chance that each optional parameter of a call is given. */
  pOptionalGiven: number;
  /** Chance that a parallel sample has three calls instead of two. */
  pThreeCalls: number;
  /** Chance that a parallel_multiple sample lists distractors too. */
  pParallelMultipleDistractor: number;
  /** Chance that a distractor is a renamed copy even when real near-named functions exist. */
  pCopyDistractor: number;
  /** Chance that a train sample's function names are rewritten with a per-sample word map (rename.ts); held-out samples never are. */
  pRenameTrain: number;
}

export const DEFAULT_SETTINGS: SynthSettings = {
  heldOutShare: 0.2,
  maxTools: 4,
  maxPromptChars: 2000,
  shapes: { simple: 0.3, multiple: 0.3, parallel: 0.2, parallel_multiple: 0.2 },
  pDerived: 0.35,
  pSecondDerived: 0.25,
  pOptionalGiven: 0.4,
  pThreeCalls: 0.35,
  pParallelMultipleDistractor: 0.5,
  pCopyDistractor: 0.35,
  pRenameTrain: 0,
};

/**
 * Settings for a model small enough to train on two CPU cores (the demo model, `itool synth
 * --profile tiny`): prompts of at most two short tools, no parallel_multiple, and most train
 * samples under drilled names so that copying names from the prompt is learnt (rename.ts).
 */
export const TINY_PROFILE: Partial<SynthSettings> = {
  maxTools: 2,
  maxPromptChars: 800,
  shapes: { simple: 0.5, multiple: 0.3, parallel: 0.2, parallel_multiple: 0 },
  pRenameTrain: 0.6,
};
export const PROFILES: Record<string, Partial<SynthSettings>> = { default: {}, tiny: TINY_PROFILE };

/** Knob weights of the difficulty score (see difficultyOf). */
const WEIGHTS: Record<Knob, number> = { multi_param: 1, optional_given: 0.5, optional_omitted: 0.5, distractor: 1, parallel: 1, derived: 1.5 };
const MAX_SCORE = 1 + 0.5 + 0.5 + 1.5 + 2 + 2;
/** Levels by score: easy below EASY_BELOW, hard from HARD_FROM. */
export const EASY_BELOW = 1.5;
export const HARD_FROM = 3;

export interface DerivedValue {
  /** Index of the call (in the ground truth) and the parameter whose value is stated indirectly. */
  call: number;
  param: string;
  text: string;
  kind: DerivationKind;
}

export interface SynthSample {
  id: string;
  split: SplitName;
  shape: Shape;
  query: string;
  tools: ToolDef[];
  groundTruth: PossibleAnswer[];
  tags: Knob[];
  /** The knob score normalised to [0, 1]. */
  difficulty: number;
  level: Level;
  /** Functions called, in call order (repeats for parallel calls). */
  called: string[];
  distractors: string[];
  /** The distractors that are renamed copies of a called function (the rest are real near-named functions). */
  renamedCopies: string[];
  /** Real name → the name this sample uses instead (train name drills, rename.ts); absent when the names are real. */
  renamed?: Record<string, string>;
  derived: DerivedValue[];
  /** Characters of query + tool list JSON. */
  promptChars: number;
}

export interface SplitStats {
  samples: number;
  shapes: Record<Shape, number>;
  knobs: Record<Knob, number>;
  levels: Record<Level, number>;
  derivations: Record<string, number>;
  distractorKinds: { sibling: number; renamedCopy: number };
  /** Samples under drilled names (rename.ts). */
  renamed: number;
  calls: Record<string, number>;
  promptChars: { p50: number; p95: number; max: number };
  overBudget: number;
}

export interface SynthManifest {
  generator: 'itool synth';
  version: 1;
  seed: number;
  sizes: { train: number; heldOut: number; seen?: number };
  skipTrain?: number;
  source: {
    kind: DocSource['kind'];
    dir?: string;
    files: string[];
    functionEntries: number;
    duplicates: number;
    nameVariants: number;
    unique: number;
    kept: number;
    skipped: Record<string, number>;
    skippedTotal: number;
    optionalParamsDropped: number;
  };
  settings: SynthSettings & { maxFunctions?: number };
  functions: {
    train: { pool: number; used: number; names: string[] };
    heldOut: { pool: number; used: number; names: string[] };
    seen?: { pool: number; used: number; names: string[] };
  };
  stats: { train: SplitStats; heldOut: SplitStats; seen?: SplitStats };
  levelRule: string;
}

export interface SynthOptions {
  seed?: number;
  train?: number;
  heldOut?: number;
  /** Function docs already loaded; else read from `bfclDir` (see loadDocs). */
  source?: DocSource;
  bfclDir?: string;
  /** Use at most this many functions (a seeded subset), for a smaller vocabulary of tools. */
  maxFunctions?: number;
  settings?: Partial<SynthSettings>;
  /** Leave out the first N train samples of the stream (a later slice of the same split, for more data that is not a repeat). */
  skipTrain?: number;
  /**
   * Samples of the `seen` split: new requests (values, phrasings, derivations, optional parameters)
   * over the train functions, from a stream of their own, under real names; none repeats a train
   * sample's query of this corpus (not even a skipped one).
   */
  seen?: number;
}

export interface SynthCorpus {
  train: SynthSample[];
  heldOut: SynthSample[];
  seen: SynthSample[];
  manifest: SynthManifest;
  /** Why the bundled docs were used, when they were. */
  note?: string;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_TRAIN = 4000;
export const DEFAULT_HELD_OUT = 400;

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

interface PlannedCall {
  fn: SynthFunction;
  given: SynthParam[];
  omitted: SynthParam[];
}

interface Copy {
  fn: SynthFunction;
  tool: ToolDef;
}

/** Renamed copies: the same schema under a near name, with a description that rules them out (`short` when the name is too long to quote). */
const COPY_KINDS: readonly { suffix: string; describe: (name: string) => string; short: string }[] = [
  { suffix: '_legacy', describe: (n) => `Deprecated: use ${n} instead.`, short: 'Deprecated: use the current version instead.' },
  { suffix: '_v1', describe: (n) => `Old version of ${n}; deprecated, do not use.`, short: 'Old version; deprecated, do not use.' },
  { suffix: '_mock', describe: (n) => `Test stub of ${n} that returns fake data; not for real requests.`, short: 'Test stub that returns fake data; not for real requests.' },
  { suffix: '_sandbox', describe: (n) => `Sandbox copy of ${n} for testing only; returns no real data.`, short: 'Sandbox copy for testing only; returns no real data.' },
];

const percentile = (xs: readonly number[], q: number): number => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function difficultyOf(tags: readonly Knob[], distractors: number, calls: number, derived: number, distinctFns: number): { score: number; difficulty: number; level: Level } {
  let score = 0;
  for (const t of tags) score += WEIGHTS[t];
  if (distractors >= 2) score += 0.5;
  if (calls >= 3) score += 0.5;
  if (distinctFns >= 2) score += 0.5;
  if (derived >= 2) score += 0.5;
  const level: Level = score < EASY_BELOW ? 'easy' : score >= HARD_FROM ? 'hard' : 'medium';
  return { score, difficulty: Math.round((score / MAX_SCORE) * 1000) / 1000, level };
}

/** Samples of one split, from that split's functions only. */
class SplitGenerator {
  private deck: SynthFunction[] = [];
  private readonly siblings = new Map<string, SynthFunction[]>();
  private readonly copies = new Map<string, Copy>();
  readonly used = new Set<string>();

  constructor(
    private readonly split: SplitName,
    private readonly pool: readonly SynthFunction[],
    /** Every real function name: renamed copies must not take one. */
    private readonly realNames: ReadonlySet<string>,
    private readonly rng: Rng,
    private readonly s: SynthSettings,
    /** A stream of its own for the name drills, so turning them on changes no other draw. */
    private readonly renameRng?: Rng,
    private readonly wordPool: readonly string[] = [],
  ) {}

  private nextTarget(): SynthFunction {
    if (this.deck.length === 0) this.deck = this.rng.shuffle(this.pool);
    return this.deck.pop()!;
  }

  private siblingsOf(f: SynthFunction): SynthFunction[] {
    let sib = this.siblings.get(f.name);
    if (!sib) this.siblings.set(f.name, (sib = this.pool.filter((g) => similarNames(f, g) && !tooAlike(f, g))));
    return sib;
  }

  private copyOf(f: SynthFunction, taken: ReadonlySet<string>): Copy | undefined {
    for (const k of this.rng.shuffle(COPY_KINDS)) {
      const name = f.name + k.suffix;
      if (this.realNames.has(name) || taken.has(name)) continue;
      let c = this.copies.get(name);
      if (!c) {
        const long = k.describe(f.name);
        c = { fn: f, tool: { name, description: long.length <= DESC_CHARS ? long : k.short, parameters: f.tool.parameters } };
        this.copies.set(name, c);
      }
      return c;
    }
    return undefined;
  }

  private plan(fn: SynthFunction): PlannedCall {
    const given: SynthParam[] = [];
    const omitted: SynthParam[] = [];
    for (const p of fn.params) (p.required || this.rng.chance(this.s.pOptionalGiven) ? given : omitted).push(p);
    if (given.length === 0 && omitted.length) given.push(omitted.shift()!);
    return { fn, given, omitted };
  }

  /** A second (third) function for a parallel_multiple sample: any other function that cannot be mistaken for those chosen. */
  private partner(chosen: readonly SynthFunction[]): SynthFunction | undefined {
    for (let tries = 0; tries < 20; tries++) {
      const g = this.rng.pick(this.pool);
      if (!chosen.some((c) => c.name === g.name || tooAlike(c, g))) return g;
    }
    return undefined;
  }

  sample(index: number): SynthSample {
    for (let attempt = 0; attempt < 12; attempt++) {
      const s = this.attempt(index, attempt < 8);
      if (s) return s;
    }
    throw new Error(`synth: could not build sample ${index} of the ${this.split} split (pool of ${this.pool.length} functions)`);
  }

  private attempt(index: number, allowDerived: boolean): SynthSample | undefined {
    const { rng, s } = this;
    let shape: Shape = rng.weighted(s.shapes);
    if (shape === 'parallel_multiple' && this.pool.length < 2) shape = 'parallel';
    const target = this.nextTarget();
    let fns: SynthFunction[];
    if (shape === 'parallel') fns = Array.from({ length: rng.chance(s.pThreeCalls) ? 3 : 2 }, () => target);
    else if (shape === 'parallel_multiple') {
      const b = this.partner([target]);
      if (!b) return undefined;
      fns = [target, b];
      if (rng.chance(s.pThreeCalls)) {
        const c = rng.chance(0.5) ? this.partner(fns) : undefined;
        fns.push(c ?? rng.pick(fns));
      }
    } else fns = [target];
    const plans = fns.map((f) => this.plan(f));

    // Which values are stated indirectly.
    const slots = new Set<string>();
    if (allowDerived && rng.chance(s.pDerived)) {
      const cands = plans.flatMap((pl, ci) => pl.given.filter(derivable).map((p) => `${ci}:${p.name}`));
      for (const c of rng.sample(cands, rng.chance(s.pSecondDerived) ? 2 : 1)) slots.add(c);
    }
    const derived: DerivedValue[] = [];
    const calls = plans.map((pl, ci) => ({
      fn: pl.fn,
      omitted: pl.omitted,
      args: pl.given.map((param): Arg => {
        const drawn = drawValue(param, rng, slots.has(`${ci}:${param.name}`));
        if (drawn.derived) derived.push({ call: ci, param: param.name, text: drawn.text, kind: drawn.derived });
        return { param, drawn };
      }),
    }));
    // Calls of one function must differ, or the answer would hold the same call twice.
    const keys = calls.map((c) => `${c.fn.name}(${JSON.stringify(c.args.map((a) => a.drawn.value))})`);
    if (new Set(keys).size < keys.length) return undefined;

    const groundTruth: PossibleAnswer[] = calls.map((c) => {
      const params: Record<string, unknown[]> = {};
      const given = new Map(c.args.map((a) => [a.param.name, a.drawn.accepted]));
      for (const p of c.fn.params) {
        const acc = given.get(p.name);
        if (acc) params[p.name] = acc;
        else if (c.omitted.includes(p)) params[p.name] = [''];
      }
      return { [c.fn.name]: params };
    });

    let query: string;
    if (shape === 'parallel') query = parallelQuery(target.task, calls.map((c) => c.args), rng);
    else if (shape === 'parallel_multiple') query = multiQuery(calls.map((c) => ({ task: c.fn.task, args: c.args })), rng);
    else query = singleQuery(target.task, calls[0].args, rng);
    for (const d of derived) {
      const v = calls[d.call].args.find((a) => a.param.name === d.param)!.drawn.value;
      if (statesLiterally(query, v)) return undefined;
    }

    // The tool list: called functions and distractors, shuffled.
    const calledFns = [...new Map(fns.map((f) => [f.name, f])).values()];
    const names = new Set(calledFns.map((f) => f.name));
    const room = s.maxTools - calledFns.length;
    let want = 0;
    if (shape === 'multiple') want = rng.int(1, Math.max(1, room));
    else if (shape === 'parallel_multiple' && room > 0 && rng.chance(s.pParallelMultipleDistractor)) want = rng.int(1, room);
    const distractors: { tool: ToolDef; copy: boolean }[] = [];
    const sibs = rng.shuffle([...new Map(calledFns.flatMap((f) => this.siblingsOf(f)).map((g) => [g.name, g])).values()].filter((g) => !names.has(g.name) && !calledFns.some((f) => tooAlike(f, g))));
    while (distractors.length < want) {
      const sib = sibs.length && !rng.chance(s.pCopyDistractor) ? sibs.pop() : undefined;
      const copy = sib ? undefined : this.copyOf(rng.pick(calledFns), names);
      const tool = sib?.tool ?? copy?.tool;
      if (!tool) break;
      names.add(tool.name);
      distractors.push({ tool, copy: !sib });
    }
    if (shape === 'multiple' && distractors.length === 0) return undefined;
    const minDistractors = shape === 'multiple' ? 1 : 0;
    const size = (): number => query.length + JSON.stringify([...calledFns.map((f) => f.tool), ...distractors.map((d) => d.tool)]).length;
    while (size() > s.maxPromptChars && distractors.length > minDistractors) distractors.pop();
    const tools = rng.shuffle([...calledFns.map((f) => f.tool), ...distractors.map((d) => d.tool)]);

    const tags: Knob[] = [];
    if (calls.some((c) => c.args.length >= 3)) tags.push('multi_param');
    if (calls.some((c) => c.args.some((a) => !a.param.required))) tags.push('optional_given');
    if (calls.some((c) => c.omitted.length > 0)) tags.push('optional_omitted');
    if (distractors.length > 0) tags.push('distractor');
    if (calls.length >= 2) tags.push('parallel');
    if (derived.length > 0) tags.push('derived');
    const d = difficultyOf(tags, distractors.length, calls.length, derived.length, calledFns.length);
    for (const t of tools) this.used.add(t.name);
    const drill = this.renameRng && this.split === 'train' && this.renameRng.chance(s.pRenameTrain) ? renameFunctions(query, tools, groundTruth, this.renameRng, this.wordPool) : undefined;
    const as = (n: string): string => drill?.names.get(n) ?? n;
    return {
      id: `${shape}_synth_${this.split}_${index}`,
      split: this.split,
      shape,
      query: drill?.query ?? query,
      tools: drill?.tools ?? tools,
      groundTruth: drill?.groundTruth ?? groundTruth,
      tags,
      difficulty: d.difficulty,
      level: d.level,
      called: calls.map((c) => as(c.fn.name)),
      distractors: distractors.map((x) => as(x.tool.name)),
      renamedCopies: distractors.filter((x) => x.copy).map((x) => as(x.tool.name)),
      ...(drill ? { renamed: Object.fromEntries(drill.names) } : {}),
      derived,
      promptChars: size(),
    };
  }
}

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
    levelRule: `score = sum of knob weights ${JSON.stringify(WEIGHTS)} + 0.5 each for >=2 distractors, >=3 calls, >=2 distinct functions, >=2 derived values; difficulty = score / ${MAX_SCORE}; easy: score < ${EASY_BELOW}, hard: score >= ${HARD_FROM}, else medium`,
  };
  return { train, heldOut, seen, manifest, ...(note ? { note } : {}) };
}

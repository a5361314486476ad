// What a synthetic corpus is made of (generate.ts makes it): the sample shapes, the difficulty
// knobs and levels, the settings that weigh them (with the profiles), and the records it yields:
// the samples, each split's statistics and the manifest that describes the whole.
import type { PossibleAnswer, ToolDef } from '../dataset/sample';
import type { DocSource } from './docs';
import type { DerivationKind } from './drawn';

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

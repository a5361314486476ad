// Defaults of an export and their resolution. The preference numbers are the iTool authors' SimPO
// run (METHOD.md); the other losses get beta 0.1, the value DPO, IPO and ORPO are usually run
// with (TRL's and LLaMA-Factory's default) — a SimPO beta of 2.5 would be far too sharp for them.
import { isAbsolute, join, resolve } from 'node:path';
import { PREF_LOSSES, type ExportOptions, type ExportTarget, type PrefLoss } from './types';

export const AUTHORS_SIMPO = { prefLoss: 'simpo', beta: 2.5, simpoGamma: 0.5, learningRate: 1e-6, epochs: 2, loraRank: 8 } as const;

export const DEFAULT_BETA: Readonly<Record<PrefLoss, number>> = { simpo: 2.5, sigmoid: 0.1, ipo: 0.1, orpo: 0.1 };

/**
 * Warm-up SFT rate: 1e-6 is a preference-optimisation rate and would barely move a LoRA adapter in
 * supervised training; 1e-4 is LLaMA-Factory's LoRA SFT example value.
 */
export const SFT_LEARNING_RATE = 1e-4;

/**
 * Batch settings the paper does not give: LLaMA-Factory's LoRA DPO example (1 × 8). Lengths are
 * generous because tool lists make long prompts, and truncating a response would cut away the
 * very fragment a pair is about.
 */
export const TRAIN = { batchSize: 1, gradAccum: 8, cutoffLen: 4096, maxPromptLen: 3072, warmupRatio: 0.1, scheduler: 'cosine' } as const;

export const DEFAULT_NAME = 'itool_pairs';
export const BASE_MODEL_PLACEHOLDER = 'REPLACE_WITH_BASE_MODEL';

export interface Resolved {
  target: ExportTarget;
  dir: string;
  name: string;
  baseModel: string;
  /** False when baseModel is the placeholder (a note tells the user to fill it). */
  baseModelGiven: boolean;
  template: string;
  templateGuessed: boolean;
  prefLoss: PrefLoss;
  beta: number;
  simpoGamma: number;
  learningRate: number;
  epochs: number;
  loraRank: number;
  outputDir: string;
}

/** LLaMA-Factory template names for the model families a policy most likely comes from. */
const TEMPLATES: [RegExp, string][] = [
  [/llama-?3/i, 'llama3'],
  [/qwen-?3/i, 'qwen3'],
  [/qwen/i, 'qwen'],
  [/mi[sx]tral/i, 'mistral'],
  [/gemma/i, 'gemma'],
  [/glm-?4/i, 'glm4'],
];

export function guessTemplate(model: string | undefined): string | undefined {
  return model ? TEMPLATES.find(([re]) => re.test(model))?.[1] : undefined;
}

/** The name ends up as a file stem and a YAML/JSON key: keep it to characters safe in all three. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const positive = (v: number | undefined, what: string): number | undefined => {
  if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new Error(`export: ${what} must be a positive number, got ${v}`);
  return v;
};

/** Throws for options no export could honour (a bad name or number); records are judged later, one by one. */
export function resolveOptions(o: ExportOptions & { prefLoss?: PrefLoss }, sft = false): Resolved {
  const name = o.name ?? DEFAULT_NAME;
  if (!NAME_RE.test(name)) throw new Error(`export: name ${JSON.stringify(name)} must be letters, digits, '.', '_' or '-' (used as a file stem)`);
  const prefLoss = o.prefLoss ?? AUTHORS_SIMPO.prefLoss;
  if (!PREF_LOSSES.includes(prefLoss)) throw new Error(`export: unknown pref_loss ${JSON.stringify(prefLoss)} (expected ${PREF_LOSSES.join(', ')})`);
  const simpoGamma = o.simpoGamma ?? AUTHORS_SIMPO.simpoGamma;
  if (!Number.isFinite(simpoGamma)) throw new Error(`export: simpo gamma must be a number, got ${simpoGamma}`);
  const epochs = positive(o.epochs, 'epochs') ?? AUTHORS_SIMPO.epochs;
  const loraRank = positive(o.loraRank, 'LoRA rank') ?? AUTHORS_SIMPO.loraRank;
  if (!Number.isInteger(loraRank)) throw new Error(`export: LoRA rank must be an integer, got ${loraRank}`);
  const dir = resolve(o.outDir);
  const guessed = guessTemplate(o.baseModel);
  return {
    target: o.target,
    dir,
    name,
    baseModel: o.baseModel || BASE_MODEL_PLACEHOLDER,
    baseModelGiven: !!o.baseModel,
    template: o.template ?? guessed ?? 'default',
    templateGuessed: o.template === undefined,
    prefLoss,
    beta: positive(o.beta, 'beta') ?? DEFAULT_BETA[prefLoss],
    simpoGamma,
    learningRate: positive(o.learningRate, 'learning rate') ?? (sft ? SFT_LEARNING_RATE : AUTHORS_SIMPO.learningRate),
    epochs,
    loraRank,
    outputDir: o.outputDir ? (isAbsolute(o.outputDir) ? o.outputDir : resolve(o.outputDir)) : join(dir, 'output'),
  };
}

/**
 * Log often enough for a progress bar, rarely enough for a long run: about 50 points over the
 * run's optimiser steps (single device), between every step and every 10th.
 */
export function loggingSteps(records: number, epochs: number): number {
  const steps = Math.ceil(records / (TRAIN.batchSize * TRAIN.gradAccum)) * epochs;
  return Math.min(10, Math.max(1, Math.round(steps / 50)));
}

/** Notes every target shares: placeholders the user still has to fill. */
export function commonNotes(r: Resolved, llamaFactory: boolean): string[] {
  const notes: string[] = [];
  if (!r.baseModelGiven) notes.push(`the configs name the model ${BASE_MODEL_PLACEHOLDER}: set it to your policy (a Hugging Face id or a local path)`);
  if (llamaFactory && r.templateGuessed) {
    notes.push(r.template === 'default' ? "LLaMA-Factory template 'default': set `template` to your model's chat template" : `LLaMA-Factory template '${r.template}' guessed from the model name`);
  }
  return notes;
}

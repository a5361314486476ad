// Defaults of an export and their resolution. The preference numbers are the iTool authors' SimPO
// run (METHOD.md); the other losses get beta 0.1, the value DPO, IPO and ORPO are usually run
// with (TRL's and LLaMA-Factory's default) — a SimPO beta of 2.5 would be far too sharp for them.
import { isAbsolute, join, resolve } from 'node:path';
import { CALL_RENDERINGS, type CallRenderingSetting } from '../../model/callRendering';
import { PREF_LOSSES, type ExportOptions, type ExportResult, type ExportTarget, type PrefLoss } from './types';

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

/**
 * Where the TRL launch script puts max_prompt_length when the installed trainer has that field
 * (CPO/ORPO/DPO before TRL 0.29, whose default of 512 would cut tool lists): this share of
 * max_length. The YAML never names it, since TRL 0.29+ has no such field and `trl dpo` would stop
 * on the unknown key.
 */
export const PROMPT_SHARE = TRAIN.maxPromptLen / TRAIN.cutoffLen;

export const DEFAULT_NAME = 'itool_pairs';
export const BASE_MODEL_PLACEHOLDER = 'REPLACE_WITH_BASE_MODEL';

export interface Resolved {
  target: ExportTarget;
  dir: string;
  name: string;
  baseModel: string;
  /** False when baseModel is the placeholder (a note tells the user to fill it). */
  baseModelGiven: boolean;
  /** The LLaMA-Factory template; undefined = none known (the YAML leaves `template` out and a warning says why). */
  template: string | undefined;
  templateGuessed: boolean;
  calls: CallRenderingSetting;
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
  const calls = o.calls ?? 'auto';
  if (!CALL_RENDERINGS.includes(calls)) throw new Error(`export: calls must be one of ${CALL_RENDERINGS.join(', ')}, not ${JSON.stringify(calls)}`);
  if (o.template !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.template)) throw new Error(`export: template ${JSON.stringify(o.template)} is not a LLaMA-Factory template name`);
  const dir = resolve(o.outDir);
  const guessed = guessTemplate(o.baseModel);
  return {
    target: o.target,
    dir,
    name,
    baseModel: o.baseModel || BASE_MODEL_PLACEHOLDER,
    baseModelGiven: !!o.baseModel,
    template: o.template ?? guessed,
    templateGuessed: o.template === undefined,
    calls,
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
  if (llamaFactory && r.templateGuessed && r.template !== undefined) notes.push(`LLaMA-Factory template '${r.template}' guessed from the model name`);
  return notes;
}

/**
 * Warnings every target shares. No template: LLaMA-Factory's `default` template is the
 * Human:/Assistant: format, which would train a chat model on a format it never sees; without a
 * `template` key LLaMA-Factory (0.9.2+, data/template.py get_template_and_fix_tokenizer) parses the
 * model's own chat template instead, but writes calls and tool lists in its `default` tool format.
 */
export function commonWarnings(r: Resolved, llamaFactory: boolean): string[] {
  if (!llamaFactory || r.template !== undefined) return [];
  const why = r.baseModelGiven ? `the base model ${r.baseModel} names no model family iTool knows` : 'no base model was given';
  return [
    `no LLaMA-Factory template: ${why}, so the YAML has no \`template\` and LLaMA-Factory falls back to the tokenizer's own chat template with calls in its default tool format. ` +
      'Set `template` (--template, setting itool.trainer.template) to the name LLaMA-Factory gives your model family (qwen, qwen3, llama3, mistral, gemma, glm4, …) so calls are written the way the model writes them.',
  ];
}

/** An empty result for `r`: the notes and warnings that hold whatever the records are. */
export function startResult(r: Resolved, llamaFactory: boolean): ExportResult {
  return { target: r.target, dir: r.dir, files: [], records: 0, skipped: [], commands: [], notes: commonNotes(r, llamaFactory), warnings: commonWarnings(r, llamaFactory) };
}

// Export of reviewed preference pairs, and of the warm-up curriculum, to the trainers the product
// supports: LLaMA-Factory (the authors' own), TRL, and OpenAI preference fine-tuning. Each export
// writes the data, the trainer's config and how to run it; a record a target cannot express is
// skipped with its reason, never thrown (FORMATS.md, "Preference pairs (write)").
import { exportCurriculumTo, type CurriculumStages } from './curriculum';
import { exportLlamaFactoryPairs } from './llamafactory';
import { exportOpenAiPairs } from './openai';
import { resolveOptions } from './options';
import { exportTrlPairs } from './trl';
import { EXPORT_TARGETS, type CurriculumOptions, type ExportOptions, type ExportPair, type ExportResult } from './types';

export * from './types';
export { AUTHORS_SIMPO, BASE_MODEL_PLACEHOLDER, DEFAULT_BETA, DEFAULT_NAME, PROMPT_SHARE, SFT_LEARNING_RATE, guessTemplate } from './options';
export { completeCalls, isLlamaFactoryCall, sideResponse } from './response';
export { chatTools, toJsonSchema } from './schemaMap';
export { STAGES, curriculumStages, type CurriculumStages, type Stage, type StagesFromCalibration } from './curriculum';
export { LF_RESULTS_SEPARATOR } from './llamafactory';
export { TRL_SCRIPT_NAME } from './trlScript';
export { samplesForPairs } from './pairSamples';

/** The default dataset name of a curriculum export (pairs default to DEFAULT_NAME). */
export const DEFAULT_CURRICULUM_NAME = 'itool_warmup';

function checkTarget(target: string): void {
  if (!(EXPORT_TARGETS as readonly string[]).includes(target)) throw new Error(`export: unknown target ${JSON.stringify(target)} (expected ${EXPORT_TARGETS.join(', ')})`);
}

/**
 * Writes `pairs` for `opts.target` into `opts.outDir`. Throws only for options no export could
 * honour (unknown target, bad name or number, an unreadable dataset_info.json in the way) and for
 * I/O errors; pairs that cannot be expressed are in `skipped`.
 */
export async function exportPairs(pairs: readonly ExportPair[], opts: ExportOptions): Promise<ExportResult> {
  checkTarget(opts.target);
  const r = resolveOptions(opts);
  if (r.target === 'llamafactory') return exportLlamaFactoryPairs(pairs, r);
  if (r.target === 'trl') return exportTrlPairs(pairs, r);
  return exportOpenAiPairs(pairs, r);
}

/** Writes the three SFT stages (easy → medium → hard) and the plan that trains them in order. */
export async function exportCurriculum(stages: CurriculumStages, opts: CurriculumOptions): Promise<ExportResult> {
  checkTarget(opts.target);
  return exportCurriculumTo(stages, resolveOptions({ ...opts, name: opts.name ?? DEFAULT_CURRICULUM_NAME }, true));
}

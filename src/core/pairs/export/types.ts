// Shapes of the export module's public API (see index.ts). Kept apart so the per-target modules
// can share them without importing the dispatcher.
import type { CallRenderingSetting } from '../../model/callRendering';
import type { Sample } from '../../dataset/sample';
import type { PreferencePair } from '../../search/types';

export type ExportTarget = 'llamafactory' | 'trl' | 'openai';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['llamafactory', 'trl', 'openai'];

/** The preference losses the paper compared (METHOD.md); SimPO won. */
export type PrefLoss = 'simpo' | 'sigmoid' | 'orpo' | 'ipo';
export const PREF_LOSSES: readonly PrefLoss[] = ['simpo', 'sigmoid', 'orpo', 'ipo'];

/** A pair and the sample it was searched on; `pair.chosen` already carries any reviewer edit. */
export interface ExportPair {
  pair: PreferencePair;
  sample: Sample;
}

export interface ExportOptions {
  target: ExportTarget;
  /** Created if missing. */
  outDir: string;
  /** Dataset name: the LLaMA-Factory dataset_info key and the stem of every file written. Default 'itool_pairs'. */
  name?: string;
  /** model_name_or_path / OpenAI model. Default BASE_MODEL_PLACEHOLDER. */
  baseModel?: string;
  /**
   * LLaMA-Factory chat template. Default: guessed from baseModel; when nothing names it, the YAML
   * has no `template` (LLaMA-Factory then reads the model's own chat template) and the result
   * carries a warning.
   */
  template?: string;
  /**
   * How calls are written, as calibration and the search put them to the policy
   * (model/callRendering.ts): 'template' = structured calls the trainer's template writes
   * (LLaMA-Factory function_call turns, TRL tool_calls); 'text' = the assistant turn as the dataset
   * writes it and each pair side exactly as the policy wrote it; 'auto' (default) by the dataset's
   * format, as calibration decides. Prompts, curriculum answers and pair sides follow the same one.
   * OpenAI records always carry structured calls (its API has no other way to call a tool).
   */
  calls?: CallRenderingSetting;
  /** Default 'simpo'. */
  prefLoss?: PrefLoss;
  /** Defaults: the authors' SimPO run (beta 2.5, gamma 0.5, lr 1e-6, 2 epochs, LoRA rank 8); beta 0.1 for the other losses. */
  beta?: number;
  simpoGamma?: number;
  learningRate?: number;
  epochs?: number;
  loraRank?: number;
  /** The trainer's output directory written into the configs. Default join(outDir, 'output'). */
  outputDir?: string;
}

/** Curriculum stages are SFT: no preference loss to configure. */
export type CurriculumOptions = Omit<ExportOptions, 'prefLoss' | 'beta' | 'simpoGamma'>;

export interface SkippedRecord {
  sampleId: string;
  reason: string;
}

export interface ExportResult {
  target: ExportTarget;
  /** The absolute output directory. */
  dir: string;
  /** Absolute paths of every file written, data first. */
  files: string[];
  /** Records written (pairs, or samples over all curriculum stages). */
  records: number;
  skipped: SkippedRecord[];
  /** How to run the training, as argument vectors (never shell strings); empty for OpenAI. */
  commands: string[][];
  /** Things the user must know: placeholders left to fill, settings a target cannot honour. */
  notes: string[];
  /** Things that make the training wrong unless the user acts (no chat template named): shown apart from the notes. */
  warnings: string[];
}

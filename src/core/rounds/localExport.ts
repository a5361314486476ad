// Reviewed pairs for the project's own trainer (the "local" backend: scripts/train/ on the CPU,
// for the small models it made itself): the preference file, rendered and tokenized with the
// model's own template and tokenizer, and the SimPO config that trains a new model from it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExportPair, SkippedRecord } from '../pairs/export/index';
import { localTrainerOutputs, writeTrainerConfig, type PrefConfig } from './localTrainer';
import { PREF_BETA, TRAINER_DEFAULTS } from './trainerDefaults';
import { TrainingEncoder, prefItemsFromPairs, writePrefFile, type PrefItem } from './trainingData';

export interface LocalExport {
  dir: string;
  pairsFile: string;
  configFile: string;
  records: number;
  skipped: SkippedRecord[];
  outputDir: string;
}

/**
 * The trainer's own SimPO defaults (trainerDefaults.ts: the published β and γ, and a learning rate
 * for full fine-tuning of a few-million-parameter model, 1e-5, where 1e-4 pulled the demo model off
 * what it knew), written out in the config so it says how it trains. `itool loop` starts from the
 * same settings (LOOP_DEFAULTS.pref).
 */
const PREF = TRAINER_DEFAULTS.pref;
export const LOCAL_PREF_DEFAULTS = { loss: PREF.loss, beta: PREF_BETA[PREF.loss], gamma: PREF.gamma, learning_rate: PREF.learning_rate, epochs: PREF.epochs } as const;

export interface LocalExportOptions {
  /**
   * The training settings of the config, in place of LOCAL_PREF_DEFAULTS (the loop's own: its
   * loss, learning rate, epochs and seed); the model, output and pairs file are always this export's.
   */
  pref?: Omit<PrefConfig, 'model_dir' | 'output_dir' | 'pref_file'>;
  /** The model's encoder, when the caller has it open already. */
  encoder?: TrainingEncoder;
  /** The records to write in place of the pairs' (the loop's items, cut to its pair scope). */
  items?: readonly PrefItem[];
}

/**
 * The pairs as the local trainer's preference file (`OUTDIR/pairs.jsonl`) and the SimPO config
 * that trains `modelDir` on it into `outputDir` (`OUTDIR/pref.json`). The interactive round and
 * the loop both export through here.
 */
export async function exportLocal(pairs: readonly ExportPair[], modelDir: string, outDir: string, outputDir: string, opts: LocalExportOptions = {}): Promise<LocalExport> {
  if (!existsSync(localTrainerOutputs(modelDir).weightsPath)) {
    throw new Error(`${modelDir} has no model.pt: the local trainer trains the models it made itself (itool loop, the demo model); use LLaMA-Factory or TRL for other models`);
  }
  const enc = opts.encoder ?? (await TrainingEncoder.open(modelDir));
  const file = await writePrefFile(join(outDir, 'pairs.jsonl'), opts.items ?? prefItemsFromPairs(pairs), enc);
  const cfg: PrefConfig = { model_dir: resolve(modelDir), output_dir: resolve(outputDir), pref_file: file.path, ...(opts.pref ?? LOCAL_PREF_DEFAULTS) };
  const configFile = await writeTrainerConfig(join(outDir, 'pref.json'), 'pref', cfg);
  return { dir: resolve(outDir), pairsFile: file.path, configFile, records: file.records, skipped: file.skipped, outputDir: resolve(outputDir) };
}

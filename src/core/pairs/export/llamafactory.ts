// LLaMA-Factory (the authors' trainer): sharegpt ranking records, their dataset_info.json entry,
// and a training YAML. The prompt is written by the project's own llamafactory writer, so a
// conversation reads the same here as in `itool convert --to llamafactory`.
import { mkdir } from 'node:fs/promises';
import { FORMATS } from '../../dataset/formats/index';
import { promptTurns, type Sample } from '../../dataset/sample';
import { DATASET_INFO, Writer, asFloat, datasetInfoText, jsonArray, mergeDatasetInfo, readDatasetInfo, yamlText } from './files';
import { TRAIN, commonNotes, loggingSteps, type Resolved } from './options';
import { isLlamaFactoryCall, pairProblem, sideResponse } from './response';
import { convertEach, pairId, type Converted } from './convert';
import type { ExportPair, ExportResult } from './types';

export interface LfTurn {
  from: string;
  value: string;
}
type Obj = Record<string, unknown>;

const ASKS = ['human', 'observation'];
const ANSWERS = ['gpt', 'function_call'];

/**
 * LLaMA-Factory drops a record whose turns do not alternate asks (human/observation, at even
 * indices) and answers (gpt/function_call), or whose count is wrong: odd for ranking records,
 * whose answer comes in chosen/rejected, even for SFT records.
 */
export function conversationProblem(conv: unknown, ranking: boolean): string | undefined {
  if (!Array.isArray(conv) || conv.length === 0) return 'the conversation is empty';
  for (let i = 0; i < conv.length; i++) {
    const t = conv[i] as LfTurn;
    const want = i % 2 === 0 ? ASKS : ANSWERS;
    if (!want.includes(t?.from) || typeof t.value !== 'string') {
      return `turn ${i + 1} is ${JSON.stringify(t?.from)} where LLaMA-Factory needs ${want.join(' or ')} (turns must alternate)`;
    }
  }
  if (ranking && conv.length % 2 === 0) return 'the prompt ends on an assistant turn, not a user or tool turn';
  if (!ranking && conv.length % 2 === 1) return 'the conversation does not end on an assistant turn';
  return undefined;
}

/** A sample as a LLaMA-Factory sharegpt record, through the format registry's writer. */
export function lfSampleRecord(sample: Sample): Obj {
  return FORMATS.llamafactory.write(sample) as Obj;
}

/** The value as the policy wrote it; a function_call only where LLaMA-Factory can decode it. */
export const lfSide = (text: string): LfTurn => ({ from: isLlamaFactoryCall(text) ? 'function_call' : 'gpt', value: text });

export function lfPairRecord(ep: ExportPair): Converted<Obj> {
  const problem = pairProblem(ep);
  if (problem) return { reason: problem };
  const prompt = FORMATS.llamafactory.write({ ...ep.sample, turns: promptTurns(ep.sample), referenceIndex: -1 }) as Obj;
  const bad = conversationProblem(prompt.conversations, true);
  if (bad) return { reason: bad };
  const record: Obj = { conversations: prompt.conversations, chosen: lfSide(sideResponse(ep.pair, 'chosen')), rejected: lfSide(sideResponse(ep.pair, 'rejected')) };
  if (typeof prompt.system === 'string') record.system = prompt.system;
  if (typeof prompt.tools === 'string') record.tools = prompt.tools;
  return { record };
}

/**
 * The dataset_info.json entry. `system` and `tools` columns are named only when some record has
 * them: LLaMA-Factory indexes every named column, and one missing from the whole file fails.
 */
export function lfDatasetEntry(file: string, records: readonly Obj[], ranking: boolean): Obj {
  const columns: Obj = { messages: 'conversations' };
  if (ranking) Object.assign(columns, { chosen: 'chosen', rejected: 'rejected' });
  if (records.some((r) => 'system' in r)) columns.system = 'system';
  if (records.some((r) => 'tools' in r)) columns.tools = 'tools';
  return ranking ? { file_name: file, formatting: 'sharegpt', ranking: true, columns } : { file_name: file, formatting: 'sharegpt', columns };
}

export interface LfRun {
  stage: 'dpo' | 'sft';
  dataset: string;
  outputDir: string;
  records: number;
  /** An adapter to continue training (the previous curriculum stage's output). */
  adapter?: string;
}

/** A LLaMA-Factory training YAML, keys grouped as its examples group them; float fields written as floats. */
export function lfConfig(r: Resolved, run: LfRun): Obj {
  const method: Obj = { stage: run.stage, do_train: true, finetuning_type: 'lora', lora_rank: r.loraRank, lora_target: 'all' };
  if (run.stage === 'dpo') {
    method.pref_beta = asFloat(r.beta);
    method.pref_loss = r.prefLoss;
    if (r.prefLoss === 'simpo') method.simpo_gamma = asFloat(r.simpoGamma);
  }
  const model: Obj = { model_name_or_path: r.baseModel };
  if (run.adapter) model.adapter_name_or_path = run.adapter;
  model.trust_remote_code = true;
  return {
    ...model,
    ...method,
    dataset: run.dataset,
    dataset_dir: r.dir,
    template: r.template,
    cutoff_len: TRAIN.cutoffLen,
    overwrite_cache: true,
    output_dir: run.outputDir,
    logging_steps: loggingSteps(run.records, r.epochs),
    plot_loss: true,
    overwrite_output_dir: true,
    report_to: 'none',
    per_device_train_batch_size: TRAIN.batchSize,
    gradient_accumulation_steps: TRAIN.gradAccum,
    learning_rate: asFloat(r.learningRate),
    num_train_epochs: asFloat(r.epochs),
    lr_scheduler_type: TRAIN.scheduler,
    warmup_ratio: asFloat(TRAIN.warmupRatio),
    bf16: true,
  };
}

export const lfHeader = (file: string): string[] => [
  'Written by iTool Studio.',
  `Run: llamafactory-cli train ${file}`,
  'Several GPUs: FORCE_TORCHRUN=1 NPROC_PER_NODE=<gpus> llamafactory-cli train <this file>',
];

export async function exportLlamaFactoryPairs(pairs: readonly ExportPair[], r: Resolved): Promise<ExportResult> {
  const info = await readDatasetInfo(r.dir);
  const { records, skipped } = convertEach(pairs, pairId, lfPairRecord);
  const result: ExportResult = { target: 'llamafactory', dir: r.dir, files: [], records: records.length, skipped, commands: [], notes: commonNotes(r, true) };
  if (records.length === 0) {
    result.notes.unshift('no pair could be exported: nothing written');
    return result;
  }
  await mkdir(r.dir, { recursive: true });
  const w = new Writer(r.dir);
  const file = `${r.name}.json`;
  await w.write(file, jsonArray(records));
  await w.write(DATASET_INFO, datasetInfoText(mergeDatasetInfo(info, { [r.name]: lfDatasetEntry(file, records, true) })));
  const cfgName = `${r.name}.dpo.yaml`;
  const cfg = await w.write(cfgName, yamlText(lfConfig(r, { stage: 'dpo', dataset: r.name, outputDir: r.outputDir, records: records.length }), lfHeader(cfgName)));
  result.files = w.files;
  result.commands.push(['llamafactory-cli', 'train', cfg]);
  return result;
}

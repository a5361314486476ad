// LLaMA-Factory (the authors' trainer): sharegpt ranking records, their dataset_info.json entry,
// and a training YAML. System prompt and tool list come from the project's own llamafactory writer,
// so they read the same here as in `itool convert --to llamafactory`; the turns are written here,
// because calls follow the call rendering (model/callRendering.ts) the pairs were searched under:
// prompts, curriculum answers and pair sides all in one format, never two.
import { mkdir } from 'node:fs/promises';
import { assistantText, templateTools } from '../../model/messages';
import { callRenderingFor, type CallRendering, type CallRenderingSetting } from '../../model/callRendering';
import { PY_STYLE, callText } from '../../dataset/formats/common';
import { FORMATS } from '../../dataset/formats/index';
import { decodeJsonCalls } from '../../dataset/formats/llamafactory';
import { serializeRecord } from '../../dataset/jsonStyle';
import { promptTurns, type Sample, type ToolCall, type Turn } from '../../dataset/sample';
import { DATASET_INFO, Writer, asFloat, datasetInfoText, jsonArray, mergeDatasetInfo, readDatasetInfo, yamlText } from './files';
import { results } from './messages';
import { TRAIN, loggingSteps, startResult, type Resolved } from './options';
import { completeCalls, isLlamaFactoryCall, pairProblem, sideResponse } from './response';
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

/**
 * How LLaMA-Factory separates the results of parallel calls inside one observation turn
 * (src/llamafactory/data/converter.py, OpenAIDatasetConverter, v0.9.5 and main at ff6d4d1): its
 * templates wrap an observation in one <tool_response> block, so the joined results read as one
 * block per call, as Qwen's own template writes several tool messages.
 */
export const LF_RESULTS_SEPARATOR = '\n</tool_response>\n<tool_response>\n';

/** Calls as a function_call value: {"name", "arguments"}, or a list for parallel calls (formatter.py FunctionFormatter reads both). */
export const lfCallValue = (calls: readonly ToolCall[]): string => {
  const objs = calls.map((c) => ({ name: c.name, arguments: c.arguments }));
  return serializeRecord(objs.length === 1 ? objs[0] : objs, PY_STYLE);
};

/**
 * The sample's turns as sharegpt turns. Calls: 'template' = a function_call turn (JSON, which the
 * template writes in its own tool format); 'text' = a gpt turn holding the call exactly as the
 * dataset writes it (ToolACE python calls, Hermes <tool_call> text, LLaMA-Factory's JSON). Runs of
 * user turns are joined by a line break, runs of tool results by LF_RESULTS_SEPARATOR.
 */
export function lfTurns(sample: Sample, turns: readonly Turn[], mode: CallRendering): LfTurn[] {
  const out: LfTurn[] = [];
  let pending: string[] = [];
  const flush = () => {
    if (pending.length) out.push({ from: 'observation', value: pending.join(LF_RESULTS_SEPARATOR) });
    pending = [];
  };
  for (const t of turns) {
    if (t.role === 'system') continue;
    // A Hermes tool turn answering parallel calls holds one <tool_response> block per call: one result each.
    if (t.role === 'tool_result') {
      for (const r of results(sample, t)) pending.push(r.content);
      continue;
    }
    flush();
    const prev = out[out.length - 1];
    if (t.role === 'user') {
      if (prev?.from === 'human') prev.value += `\n${t.content}`;
      else out.push({ from: 'human', value: t.content });
    } else if (!t.calls?.length) out.push({ from: 'gpt', value: t.content });
    else if (mode === 'template') out.push({ from: 'function_call', value: callText(sample, t, 'llamafactory', decodeJsonCalls, lfCallValue) });
    else out.push({ from: 'gpt', value: assistantText(t) });
  }
  flush();
  return out;
}

/**
 * `turns` of a sample as a sharegpt record. System prompt and tools from the project's writer;
 * in 'text' mode, a format whose system prompt lists the tools in its own words (ToolACE, Hermes,
 * Glaive) keeps that prompt whole and has no tools column, as calibration rendered it: the
 * template would list them a second time.
 */
export function lfRecord(sample: Sample, turns: readonly Turn[], mode: CallRendering): Obj {
  const written = FORMATS.llamafactory.write(sample) as Obj;
  const record: Obj = { conversations: lfTurns(sample, turns, mode) };
  const toolsInSystem = sample.tools.length > 0 && templateTools(sample, mode).length === 0;
  const system = toolsInSystem ? sample.turns.filter((t) => t.role === 'system').map((t) => t.content).join('\n') : written.system;
  if (typeof system === 'string' && system !== '') record.system = system;
  if (!toolsInSystem && typeof written.tools === 'string') record.tools = written.tools;
  return record;
}

/** A sample up to its reference answer as a LLaMA-Factory sharegpt SFT record. */
export function lfSampleRecord(sample: Sample, calls: CallRenderingSetting = 'auto'): Obj {
  return lfRecord(sample, sample.turns, callRenderingFor(sample.format, calls));
}

/**
 * A pair side. 'template': a side that is nothing but complete calls (in any syntax the policy
 * wrote) is a function_call, so the template writes it as it writes every other call; 'text': the
 * side exactly as the policy wrote it. Prose, and a call that breaks off (the rejected side's very
 * error), stay the text they are.
 */
export function lfSide(text: string, mode: CallRendering): LfTurn {
  if (mode === 'text') return { from: 'gpt', value: text };
  if (isLlamaFactoryCall(text)) return { from: 'function_call', value: text };
  const calls = completeCalls(text);
  return calls ? { from: 'function_call', value: lfCallValue(calls) } : { from: 'gpt', value: text };
}

export function lfPairRecord(ep: ExportPair, calls: CallRenderingSetting = 'auto'): Converted<Obj> {
  const problem = pairProblem(ep);
  if (problem) return { reason: problem };
  const mode = callRenderingFor(ep.sample.format, calls);
  const prompt = lfRecord(ep.sample, promptTurns(ep.sample), mode);
  const bad = conversationProblem(prompt.conversations, true);
  if (bad) return { reason: bad };
  const record: Obj = { conversations: prompt.conversations, chosen: lfSide(sideResponse(ep.pair, 'chosen'), mode), rejected: lfSide(sideResponse(ep.pair, 'rejected'), mode) };
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
    // Left out when nothing names it: LLaMA-Factory then reads the model's own chat template (a warning says so).
    ...(r.template === undefined ? {} : { template: r.template }),
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
  const { records, skipped } = convertEach(pairs, pairId, (ep) => lfPairRecord(ep, r.calls));
  const result: ExportResult = { ...startResult(r, true), records: records.length, skipped };
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

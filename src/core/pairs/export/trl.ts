// TRL: conversational preference records (prompt / chosen / rejected messages, tools as JSON
// Schema functions), a trainer config per loss, and the launch script that runs them.
import { mkdir } from 'node:fs/promises';
import { callRenderingFor, type CallRendering, type CallRenderingSetting } from '../../model/callRendering';
import { promptTurns, type Sample } from '../../dataset/sample';
import { convertEach, pairId, type Converted } from './convert';
import { Writer, asFloat, jsonLines, yamlText } from './files';
import { CallLedger, assistantMessage, chatMessages, promptProblem, toolsInSystem, type ChatMessage } from './messages';
import { TRAIN, loggingSteps, startResult, type Resolved } from './options';
import { completeCalls, pairProblem, sideResponse } from './response';
import { chatTools, type ChatTool } from './schemaMap';
import { TRL_SCRIPT, TRL_SCRIPT_NAME } from './trlScript';
import type { ExportPair, ExportResult, PrefLoss } from './types';

export interface TrlPreference {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
  tools?: ChatTool[];
}

/**
 * A pair side: in 'template' mode structured tool calls when the whole response is calls, anything
 * else its own text; in 'text' mode always the text the policy wrote.
 */
export const responseMessage = (text: string, ledger: CallLedger, mode: CallRendering = 'template'): ChatMessage =>
  assistantMessage(mode === 'text' ? undefined : completeCalls(text), text, ledger);

/** The record with its tools, unless the system prompt lists them itself ('text' mode, see toolsInSystem). */
export function withTools<T extends object>(record: T, sample: Sample, mode: CallRendering = 'template'): T & { tools?: ChatTool[] } {
  return sample.tools.length && !toolsInSystem(sample, mode) ? { ...record, tools: chatTools(sample.tools) } : record;
}

export function trlPairRecord(ep: ExportPair, calls: CallRenderingSetting = 'auto'): Converted<TrlPreference> {
  const problem = pairProblem(ep) ?? promptProblem(promptTurns(ep.sample));
  if (problem) return { reason: problem };
  const mode = callRenderingFor(ep.sample.format, calls);
  const ledger = new CallLedger('trl');
  const m = chatMessages(ep.sample, promptTurns(ep.sample), ledger, mode);
  if ('reason' in m) return m;
  const record: TrlPreference = {
    prompt: m.messages,
    chosen: [responseMessage(sideResponse(ep.pair, 'chosen'), ledger, mode)],
    rejected: [responseMessage(sideResponse(ep.pair, 'rejected'), ledger, mode)],
  };
  return { record: withTools(record, ep.sample, mode) };
}

export type TrlTrainer = 'cpo' | 'dpo' | 'orpo' | 'sft';

/** SimPO is CPO with loss_type simpo and no BC term; ORPO has its own trainer; sigmoid and IPO are DPO losses. */
export const trainerFor = (loss: PrefLoss): TrlTrainer => (loss === 'simpo' ? 'cpo' : loss === 'orpo' ? 'orpo' : 'dpo');

/** The config file for a trainer: `trl dpo`/`trl sft` can read the dpo and sft ones too. */
export const configSuffix: Record<TrlTrainer, string> = { cpo: 'simpo', dpo: 'dpo', orpo: 'orpo', sft: 'sft' };

/** Model and PEFT keys in TRL's ModelConfig names; lora_alpha 2×rank as LLaMA-Factory defaults it. */
export function trlModelKeys(r: Resolved, model: string): Record<string, unknown> {
  return { model_name_or_path: model, use_peft: true, lora_r: r.loraRank, lora_alpha: 2 * r.loraRank, lora_target_modules: 'all-linear' };
}

/**
 * TrainingArguments every trainer shares: the same schedule LLaMA-Factory's YAML gets. The warm-up
 * is written as `warmup_ratio`, the name every transformers from 4.56 (TRL 0.24's floor) to 5.x
 * reads; transformers 5 deprecates it for a fractional `warmup_steps`, and the launch script passes
 * it that way where the installed version takes it (trlScript.ts build_config).
 */
export function trlTrainingKeys(r: Resolved, outputDir: string, records: number): Record<string, unknown> {
  return {
    output_dir: outputDir,
    learning_rate: asFloat(r.learningRate),
    num_train_epochs: asFloat(r.epochs),
    lr_scheduler_type: TRAIN.scheduler,
    warmup_ratio: asFloat(TRAIN.warmupRatio),
    per_device_train_batch_size: TRAIN.batchSize,
    gradient_accumulation_steps: TRAIN.gradAccum,
    // LLaMA-Factory checkpoints activations by default; the same memory use on both trainers.
    gradient_checkpointing: true,
    bf16: true,
    logging_steps: loggingSteps(records, r.epochs),
    report_to: 'none',
  };
}

/**
 * `trl dpo --config` (TrlParser) rejects keys it does not know, so its config names the data the
 * way TRL's dataset mixture does; the CPO and ORPO configs, which only the launch script reads,
 * name it with `dataset_path`.
 */
export const mixture = (file: string) => ({ datasets: [{ path: 'json', data_files: file, split: 'train' }] });

/**
 * The trainer config. Only keys every supported TRL version's config has (0.24 to main): no
 * `max_prompt_length`, which CPOConfig, ORPOConfig and DPOConfig lost in 0.29 (the launch script
 * adds it where the installed version still has it, see PROMPT_SHARE).
 */
export function trlPrefConfig(r: Resolved, dataFile: string, records: number): Record<string, unknown> {
  const trainer = trainerFor(r.prefLoss);
  const base = { ...trlModelKeys(r, r.baseModel), ...trlTrainingKeys(r, r.outputDir, records), max_length: TRAIN.cutoffLen };
  if (trainer === 'cpo') return { ...base, loss_type: 'simpo', cpo_alpha: asFloat(0), simpo_gamma: asFloat(r.simpoGamma), beta: asFloat(r.beta), dataset_path: dataFile };
  if (trainer === 'orpo') return { ...base, beta: asFloat(r.beta), dataset_path: dataFile };
  return { ...base, loss_type: r.prefLoss, beta: asFloat(r.beta), ...mixture(dataFile) };
}

export const scriptCommand = (script: string, trainer: TrlTrainer, config: string): string[] => ['python3', script, '--trainer', trainer, '--config', config];

/**
 * The config's header. `trl dpo`/`trl sft` read the dpo and sft configs too, with caveats the
 * script has not: `trl dpo` hands each record's tools to the template only from TRL 0.29 (before,
 * DPOTrainer rendered prompts with `args.tools`, none here), and a DPOConfig before 0.29 cuts
 * prompts at its default max_prompt_length of 512 tokens.
 */
export function trlHeader(trainer: TrlTrainer, file: string): string[] {
  const lines = [
    'Written by iTool Studio.',
    `Run: python3 ${TRL_SCRIPT_NAME} --trainer ${trainer} --config ${file}   (several GPUs: accelerate launch ${TRL_SCRIPT_NAME} ...)`,
    `Check first: python3 ${TRL_SCRIPT_NAME} --trainer ${trainer} --config ${file} --check   (imports TRL, builds its config, renders the data; trains nothing)`,
  ];
  if (trainer === 'dpo') lines.push(`\`trl dpo --config ${file}\` reads it too on TRL 0.29 and later (earlier ones drop each record's tools from the prompt), without the progress log.`);
  if (trainer === 'sft') lines.push(`\`trl sft --config ${file}\` reads it too, without the progress log and starting a fresh adapter.`);
  return lines;
}

export async function exportTrlPairs(pairs: readonly ExportPair[], r: Resolved): Promise<ExportResult> {
  const { records, skipped } = convertEach(pairs, pairId, (ep) => trlPairRecord(ep, r.calls));
  const result: ExportResult = { ...startResult(r, false), records: records.length, skipped };
  if (records.length === 0) {
    result.notes.unshift('no pair could be exported: nothing written');
    return result;
  }
  await mkdir(r.dir, { recursive: true });
  const w = new Writer(r.dir);
  const data = await w.write(`${r.name}.jsonl`, jsonLines(records));
  const trainer = trainerFor(r.prefLoss);
  const cfgName = `${r.name}.${configSuffix[trainer]}.yaml`;
  const cfg = await w.write(cfgName, yamlText(trlPrefConfig(r, data, records.length), trlHeader(trainer, cfgName)));
  const script = await w.write(TRL_SCRIPT_NAME, TRL_SCRIPT, 0o755);
  result.files = w.files;
  result.commands.push(scriptCommand(script, trainer, cfg));
  return result;
}

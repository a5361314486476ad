// The warm-up curriculum (METHOD.md step 1): one SFT dataset per difficulty stage, easy → medium →
// hard, each stage starting from the one before, and `curriculum.json` saying what runs in which
// order — as argument vectors, never shell strings.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CalibrationEntry } from '../../calibrate/calibrate';
import { callRenderingFor, type CallRenderingSetting } from '../../model/callRendering';
import { tierOf, type TierCuts } from '../../calibrate/select';
import type { SampleResult } from '../../dataset/dataset';
import type { Sample } from '../../dataset/sample';
import { convertEach, sampleId, type Converted } from './convert';
import { DATASET_INFO, Writer, datasetInfoText, jsonArray, jsonLines, mergeDatasetInfo, readDatasetInfo, yamlText } from './files';
import { conversationProblem, lfConfig, lfDatasetEntry, lfHeader, lfSampleRecord } from './llamafactory';
import { CallLedger, chatMessages, type ChatMessage } from './messages';
import { TRAIN, startResult, type Resolved } from './options';
import { openAiJob } from './openai';
import { mixture, scriptCommand, trlHeader, trlModelKeys, trlTrainingKeys, withTools } from './trl';
import { TRL_SCRIPT, TRL_SCRIPT_NAME } from './trlScript';
import type { ExportResult, SkippedRecord } from './types';

export const STAGES = ['easy', 'medium', 'hard'] as const;
export type Stage = (typeof STAGES)[number];
export type CurriculumStages = Record<Stage, Sample[]>;

export interface StagesFromCalibration {
  stages: CurriculumStages;
  /** Calibrated samples that could not be read now (the dataset changed): listed, not dropped unsaid. */
  skipped: SkippedRecord[];
}

/**
 * The curriculum's stages from a calibration: every scored sample in its perplexity tier (the cuts
 * the panel and the selection use), in calibration order. Undefined when `cancelled` says so.
 */
export async function curriculumStages(
  entries: readonly CalibrationEntry[],
  cuts: TierCuts,
  sampleAt: (index: number, answer?: number) => Promise<SampleResult>,
  opts: { cancelled?: () => boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<StagesFromCalibration | undefined> {
  const stages: CurriculumStages = { easy: [], medium: [], hard: [] };
  const skipped: SkippedRecord[] = [];
  let k = 0;
  for (const e of entries) {
    if (opts.cancelled?.()) return undefined;
    const tier = tierOf(e.ppl, cuts);
    if (tier) {
      const r = await sampleAt(e.index, e.answer);
      if (r.ok) stages[tier].push(r.sample);
      else skipped.push({ sampleId: e.id, reason: `calibrated, but unreadable now: ${r.reason}` });
    }
    if (++k % 500 === 0) opts.onProgress?.(k, entries.length);
  }
  return { stages, skipped };
}

/** The sample up to its reference answer, the turn SFT trains on; turns after it cannot be trained. */
export function sftSample(sample: Sample): Converted<Sample> {
  if (sample.referenceIndex < 0) return { reason: 'no reference answer to train on' };
  return { record: { ...sample, turns: sample.turns.slice(0, sample.referenceIndex + 1) } };
}

const then = <A, B>(x: Converted<A>, f: (a: A) => Converted<B>): Converted<B> => ('reason' in x ? x : f(x.record));

export function lfSftRecord(sample: Sample, calls: CallRenderingSetting = 'auto'): Converted<Record<string, unknown>> {
  return then(sftSample(sample), (s): Converted<Record<string, unknown>> => {
    const record = lfSampleRecord(s, calls);
    const bad = conversationProblem(record.conversations, false);
    return bad ? { reason: bad } : { record };
  });
}

export interface ChatSft {
  messages: ChatMessage[];
  tools?: unknown[];
}

/** OpenAI calls tools through tool_calls alone: its records are always 'template'. */
export function chatSftRecord(sample: Sample, dialect: 'openai' | 'trl', calls: CallRenderingSetting = 'auto'): Converted<ChatSft> {
  return then(sftSample(sample), (s): Converted<ChatSft> => {
    const mode = dialect === 'openai' ? 'template' : callRenderingFor(s.format, calls);
    const m = chatMessages(s, s.turns, new CallLedger(dialect), mode);
    return 'reason' in m ? m : { record: withTools({ messages: m.messages }, s, mode) };
  });
}

interface StageData {
  stage: Stage;
  records: unknown[];
}

function convertStages(stages: CurriculumStages, convert: (s: Sample) => Converted<unknown>): { data: StageData[]; skipped: SkippedRecord[]; empty: Stage[] } {
  const data: StageData[] = [];
  const skipped: SkippedRecord[] = [];
  const empty: Stage[] = [];
  for (const stage of STAGES) {
    const r = convertEach(stages[stage] ?? [], sampleId, convert);
    skipped.push(...r.skipped.map((k) => ({ ...k, reason: `${stage}: ${k.reason}` })));
    if (r.records.length) data.push({ stage, records: r.records });
    else empty.push(stage);
  }
  return { data, skipped, empty };
}

/** One stage of curriculum.json, and its command when a local trainer runs it. */
type Plan = Record<string, unknown> & { command?: string[] };

export async function exportCurriculumTo(stages: CurriculumStages, r: Resolved): Promise<ExportResult> {
  const info = r.target === 'llamafactory' ? await readDatasetInfo(r.dir) : {};
  const convert = r.target === 'llamafactory' ? (s: Sample) => lfSftRecord(s, r.calls) : (s: Sample) => chatSftRecord(s, r.target === 'openai' ? 'openai' : 'trl', r.calls);
  const { data, skipped, empty } = convertStages(stages, convert);
  const records = data.reduce((n, d) => n + d.records.length, 0);
  const result: ExportResult = { ...startResult(r, r.target === 'llamafactory'), records, skipped };
  if (records === 0) {
    result.notes.unshift('no sample could be exported: nothing written');
    return result;
  }
  for (const s of empty) result.notes.push(`stage ${s} has no samples: the next stage continues from the one before it`);
  await mkdir(r.dir, { recursive: true });
  const w = new Writer(r.dir);
  const plans: Plan[] = [];
  const entries: Record<string, unknown> = {};
  let script: string | undefined;
  let prevOut: string | undefined;
  let prevStage: Stage | undefined;
  for (const { stage, records: recs } of data) {
    const key = `${r.name}_${stage}`;
    const outputDir = join(r.outputDir, stage);
    let plan: Plan;
    if (r.target === 'llamafactory') {
      const file = `${key}.json`;
      const path = await w.write(file, jsonArray(recs));
      entries[key] = lfDatasetEntry(file, recs as Record<string, unknown>[], false);
      const cfgName = `${key}.sft.yaml`;
      const cfg = await w.write(cfgName, yamlText(lfConfig(r, { stage: 'sft', dataset: key, outputDir, records: recs.length, adapter: prevOut }), lfHeader(cfgName)));
      plan = { data: path, dataset: key, config: cfg, output_dir: outputDir, init_from: prevOut ?? null, command: ['llamafactory-cli', 'train', cfg] };
    } else if (r.target === 'trl') {
      const path = await w.write(`${key}.jsonl`, jsonLines(recs));
      script ??= join(r.dir, TRL_SCRIPT_NAME);
      const cfgName = `${key}.sft.yaml`;
      const cfgValue = { ...trlModelKeys(r, prevOut ?? r.baseModel), ...trlTrainingKeys(r, outputDir, recs.length), max_length: TRAIN.cutoffLen, ...mixture(path) };
      const cfg = await w.write(cfgName, yamlText(cfgValue, trlHeader('sft', cfgName)));
      plan = { data: path, config: cfg, output_dir: outputDir, init_from: prevOut ?? null, command: scriptCommand(script, 'sft', cfg) };
    } else {
      const path = await w.write(`${key}.openai.jsonl`, jsonLines(recs));
      const method = { type: 'supervised', supervised: { hyperparameters: { n_epochs: r.epochs } } };
      // A job's model is the fine_tuned_model of the previous stage's job, known only once that job ends.
      plan = { data: path, job: openAiJob(r, path, method, prevStage ? null : r.baseModel), model_from: prevStage ? { stage: prevStage, field: 'fine_tuned_model' } : null };
    }
    plans.push({ stage, records: recs.length, ...plan });
    if (plan.command) result.commands.push(plan.command);
    prevOut = outputDir;
    prevStage = stage;
  }
  if (r.target === 'llamafactory') await w.write(DATASET_INFO, datasetInfoText(mergeDatasetInfo(info, entries)));
  if (script) await w.write(TRL_SCRIPT_NAME, TRL_SCRIPT, 0o755);
  await w.write('curriculum.json', `${JSON.stringify({ written_by: 'iTool Studio', target: r.target, name: r.name, order: plans.map((p) => p.stage), stages: plans }, null, 2)}\n`);
  result.files = w.files;
  return result;
}

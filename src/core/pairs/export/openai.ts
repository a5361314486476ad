// OpenAI preference fine-tuning (DPO): one JSONL record per pair, and the job to create once the
// file is uploaded. OpenAI trains DPO only, so another loss is reported and replaced, not faked.
// (OpenAI is winding the platform down for new users: supported, not built around.)
import { mkdir } from 'node:fs/promises';
import { promptTurns } from '../../dataset/sample';
import { convertEach, pairId, type Converted } from './convert';
import { Writer, jsonLines } from './files';
import { CallLedger, chatMessages, promptProblem, type ChatMessage } from './messages';
import { DEFAULT_BETA, startResult, type Resolved } from './options';
import { pairProblem, sideResponse } from './response';
import { chatTools, type ChatTool } from './schemaMap';
import { responseMessage } from './trl';
import type { ExportPair, ExportResult } from './types';

export interface OpenAiPreference {
  input: { messages: ChatMessage[]; tools: ChatTool[]; parallel_tool_calls: boolean };
  preferred_output: ChatMessage[];
  non_preferred_output: ChatMessage[];
}

export function openAiPairRecord(ep: ExportPair): Converted<OpenAiPreference> {
  const problem = pairProblem(ep) ?? promptProblem(promptTurns(ep.sample));
  if (problem) return { reason: problem };
  const ledger = new CallLedger('openai');
  const m = chatMessages(ep.sample, promptTurns(ep.sample), ledger);
  if ('reason' in m) return m;
  return {
    record: {
      input: { messages: m.messages, tools: chatTools(ep.sample.tools), parallel_tool_calls: true },
      preferred_output: [responseMessage(sideResponse(ep.pair, 'chosen'), ledger)],
      non_preferred_output: [responseMessage(sideResponse(ep.pair, 'rejected'), ledger)],
    },
  };
}

/** A fine-tuned model's suffix: at most 64 characters. */
export const suffixOf = (name: string): string => name.slice(0, 64);

/** What to upload and the `fineTuning.jobs.create` parameters to send once its file id is known. */
export function openAiJob(r: Resolved, dataFile: string, method: Record<string, unknown>, model: string | null): Record<string, unknown> {
  return {
    upload: { file: dataFile, purpose: 'fine-tune' },
    create: { model, training_file: null, suffix: suffixOf(r.name), method },
    note: 'Upload `upload.file` (files.create), put its id in `create.training_file`, then fineTuning.jobs.create(create).',
  };
}

export async function exportOpenAiPairs(pairs: readonly ExportPair[], r: Resolved): Promise<ExportResult> {
  const { records, skipped } = convertEach(pairs, pairId, openAiPairRecord);
  const result: ExportResult = { ...startResult(r, false), records: records.length, skipped };
  if (records.length === 0) {
    result.notes.unshift('no pair could be exported: nothing written');
    return result;
  }
  const beta = r.prefLoss === 'sigmoid' ? r.beta : DEFAULT_BETA.sigmoid;
  if (r.prefLoss !== 'sigmoid') result.notes.push(`OpenAI fine-tuning has DPO only: the job uses DPO with beta ${beta} instead of ${r.prefLoss}`);
  await mkdir(r.dir, { recursive: true });
  const w = new Writer(r.dir);
  const data = await w.write(`${r.name}.openai.jsonl`, jsonLines(records));
  const method = { type: 'dpo', dpo: { hyperparameters: { beta, n_epochs: r.epochs } } };
  await w.write(`${r.name}.openai.job.json`, `${JSON.stringify(openAiJob(r, data, method, r.baseModel), null, 2)}\n`);
  result.files = w.files;
  return result;
}

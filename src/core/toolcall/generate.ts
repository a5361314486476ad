// Model outputs generated with the policy itself, so the checker has something to judge without a
// separate eval script: one greedy answer per sample (temperature 0), written as a predictions file
// ({"id", "output"} per line) that the panel, the diagnostics and `itool check` all read.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Dataset } from '../dataset/dataset';
import { modelMetadataPath } from '../dataset/metadata';
import { promptFor } from '../model/prompt';
import type { CallRenderingSetting } from '../model/callRendering';
import { PolicyError, type Policy } from '../model/policy';
import { cleanResponse } from '../model/response';
import { writeFileAtomic } from '../store/atomicWrite';

export interface GenerateOptions {
  /** How calls are put in the prompt (calibrate/messages.ts); 'auto' by the dataset's format. */
  calls?: CallRenderingSetting;
  /** Records to answer (default: every readable record). */
  indices?: readonly number[];
  maxTokens?: number;
  /** Samples in flight at once (the policy bounds its own requests). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** A sample the policy refused (e.g. its prompt is longer than the model's context): no row is written for it. */
  onSkip?: (id: string, reason: string) => void;
  /**
   * An answer the token limit cut off (the policy had not ended it): its row is written as cut, and
   * the checker will most likely call it a parse error, so a caller must say how many there were.
   */
  onTruncated?: (id: string) => void;
}

/** The default most new tokens of a generated answer: room for three parallel calls on a small tokenizer. */
export const GENERATE_MAX_TOKENS = 384;

export function outputsPath(datasetPath: string, modelId: string): string {
  return modelMetadataPath(datasetPath, 'outputs', modelId, '.predictions.jsonl');
}

/** Generate, write `out` atomically, and return the rows written (in record order). */
export async function generateOutputs(ds: Dataset, policy: Policy, out: string, opts: GenerateOptions = {}): Promise<{ id: string; output: string }[]> {
  const indices = opts.indices ?? Array.from({ length: ds.count }, (_, i) => i);
  // Per record, one row per sample it yields (each answer of a conversation has its own prompt and id).
  const rows: { id: string; output: string }[][] = Array.from({ length: indices.length }, () => []);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < indices.length) {
      const k = next++;
      opts.signal?.throwIfAborted();
      const r = await ds.sample(indices[k]);
      for (const s of r.ok ? r.samples : []) {
        try {
          const prompt = await promptFor(policy, s, { calls: opts.calls });
          const [c] = await policy.sample(prompt, '', { n: 1, temperature: 0, maxTokens: opts.maxTokens ?? GENERATE_MAX_TOKENS, seed: 0, signal: opts.signal });
          rows[k].push({ id: s.id, output: cleanResponse(c?.text ?? '') });
          if (c?.finishReason === 'length') opts.onTruncated?.(s.id);
        } catch (err) {
          if (!(err instanceof PolicyError) || opts.signal?.aborted) throw err;
          opts.onSkip?.(s.id, err.message);
        }
      }
      opts.onProgress?.(++done, indices.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, indices.length)) }, worker));
  const written = rows.flat();
  await mkdir(dirname(out), { recursive: true });
  await writeFileAtomic(out, written.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return written;
}

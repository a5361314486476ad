// The loop's online-RL baseline (variant `grpo`): GRPO with the checker's partial credit as the
// reward, at the search's budget in policy samples. Per round the selected prompts are answered
// `group` times each by the current ONNX policy (sampling at the search's temperature, through the
// same Policy.sample the search calls), every completion is rewarded as the search rewards a
// complete response (checkOutput's score in [-1, 1] on cleanResponse), and the rewards become
// group-relative advantages, (r - mean) / (std + 1e-4) within each group, as TRL's GRPOTrainer
// computes them (scale_rewards "group"; torch.std, so the n - 1 estimate). A group whose rewards
// are all equal has no signal (every advantage 0) and is left out of the file (counted). The file
// (trainingData.ts's GrpoRecord, token ids from TrainingEncoder) is what `itool_train.py grpo`
// reads (scripts/train/grpo.py).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promptFor } from '../model/prompt';
import type { Sample } from '../dataset/sample';
import { PolicyError, type Policy } from '../model/policy';
import { derivedSeed } from '../search/mcts';
import { cleanResponse } from '../model/response';
import { checkOutput, expectationFor } from '../toolcall/check/index';
import { GENERATE_MAX_TOKENS } from '../toolcall/generate';
import type { SkippedRecord } from '../pairs/export/types';
import type { GrpoRecord, TrainingEncoder, WriteResult } from './trainingData';

/** Completions per prompt, and the most tokens a completion may take (the held-out evaluation's). */
export const GRPO_DEFAULTS = { group: 4, maxTokens: GENERATE_MAX_TOKENS } as const;

/** TRL's epsilon in (r - mean) / (std + eps). */
const STD_EPS = 1e-4;

export interface GrpoCompletion {
  /** As the policy wrote it (its end-of-sequence token left out, as the engine leaves it). */
  text: string;
  /** The policy stopped at its end-of-sequence token (else it was cut at max tokens). */
  finished: boolean;
  reward: number;
  /** Tokens the policy sampled. */
  tokens: number;
}

/** One prompt's completions from one draw: the unit the advantages are normalised in. */
export interface GrpoGroup {
  sample: Sample;
  completions: GrpoCompletion[];
}

/** Group-relative advantages; undefined when the group carries no signal (fewer than 2 completions, or all rewards equal). */
export function groupAdvantages(rewards: readonly number[]): number[] | undefined {
  const n = rewards.length;
  if (n < 2 || Math.max(...rewards) === Math.min(...rewards)) return undefined;
  const mean = rewards.reduce((s, r) => s + r, 0) / n;
  const std = Math.sqrt(rewards.reduce((s, r) => s + (r - mean) ** 2, 0) / (n - 1));
  return rewards.map((r) => (r - mean) / (std + STD_EPS));
}

/**
 * `budget` completions as groups of `group` (the first budget mod group groups get one more), so
 * exactly the budget is drawn; none when the budget cannot make one group of two.
 */
export function groupSizes(budget: number, group: number): number[] {
  if (!(Number.isInteger(group) && group >= 2)) throw new Error(`a GRPO group needs at least 2 completions, not ${group}`);
  const b = Math.max(0, Math.floor(budget));
  if (b < 2) return [];
  const n = Math.max(1, Math.floor(b / group));
  const extra = b - n * group;
  // A budget under one group is one smaller group; else the remainder is spread one each.
  if (extra < 0) return [b];
  return Array.from({ length: n }, (_, k) => group + Math.floor(extra / n) + (k < extra % n ? 1 : 0));
}

export interface GrpoDrawOptions {
  /** Completions per group (GRPO's G). */
  group: number;
  /** Completions to draw in all (the iTool round's search samples). */
  budget: number;
  temperature: number;
  maxTokens: number;
  seed: number;
  /** Groups sampled at once (the policy bounds its own requests). */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface GrpoDraw {
  groups: GrpoGroup[];
  /** Completions the policy returned. */
  drawn: number;
  /** Tokens they took. */
  tokens: number;
  /** Groups the policy refused (e.g. a prompt past the model's context), with the reason. */
  skipped: SkippedRecord[];
}

/**
 * The round's completions: groups of `group` over the samples in turn (group k answers sample
 * k mod samples.length), until the budget is drawn. Each group is one Policy.sample call with
 * n = its size, seeded from (seed, sample id, group), so a draw is reproducible for a policy.
 */
export async function drawGroups(policy: Policy, samples: readonly Sample[], o: GrpoDrawOptions): Promise<GrpoDraw> {
  const sizes = samples.length ? groupSizes(o.budget, o.group) : [];
  const groups: (GrpoGroup | undefined)[] = sizes.map(() => undefined);
  const skipped: SkippedRecord[] = [];
  const prompts = new Map<string, Promise<string>>();
  let next = 0;
  const one = async (k: number): Promise<void> => {
    const sample = samples[k % samples.length];
    if (!prompts.has(sample.id)) prompts.set(sample.id, promptFor(policy, sample));
    try {
      const prompt = await prompts.get(sample.id)!;
      const conts = await policy.sample(prompt, '', { n: sizes[k], temperature: o.temperature, maxTokens: o.maxTokens, seed: derivedSeed(o.seed, sample.id, 'grpo', k), signal: o.signal });
      const exp = expectationFor(sample);
      groups[k] = {
        sample,
        // The search's reward for a complete response (mcts.ts Search.reward).
        completions: conts.map((c) => ({ text: c.text, finished: c.finishReason === 'stop', reward: checkOutput(cleanResponse(c.text), exp).score, tokens: c.tokens.length })),
      };
    } catch (err) {
      if (!(err instanceof PolicyError) || o.signal?.aborted) throw err;
      skipped.push({ sampleId: sample.id, reason: err.message });
    }
  };
  const worker = async (): Promise<void> => {
    while (next < sizes.length) {
      o.signal?.throwIfAborted();
      await one(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 4, sizes.length)) }, worker));
  const done = groups.filter((g): g is GrpoGroup => g !== undefined);
  const all = done.flatMap((g) => g.completions);
  return { groups: done, drawn: all.length, tokens: all.reduce((s, c) => s + c.tokens, 0), skipped };
}

export interface GrpoWriteResult extends WriteResult {
  groups: number;
  /** Groups whose rewards were all equal: no signal, not written. */
  zeroStd: number;
  /** Mean reward over every completion of every group (the dropped groups' too). */
  meanReward: number;
  /**
   * Written completions whose tokens (the encoder's tokenization of the text) are not as many as
   * the policy sampled: byte-level BPE can sample a split of a text that tokenizing the text does
   * not give back. The loss then scores the canonical tokens of the same text.
   */
  retokenized: number;
}

/**
 * The trainer's GRPO file: one GrpoRecord per completion of each group with signal; ids are the
 * prompt's and the completion's tokens (with the end-of-sequence token a finished completion
 * stopped at), `start` the first completion token, so the loss reads the completion alone.
 */
export async function writeGrpoFile(path: string, groups: readonly GrpoGroup[], enc: TrainingEncoder): Promise<GrpoWriteResult> {
  const lines: string[] = [];
  const skipped: SkippedRecord[] = [];
  let zeroStd = 0;
  let retokenized = 0;
  let rewardSum = 0;
  let count = 0;
  for (const [k, g] of groups.entries()) {
    const rewards = g.completions.map((c) => c.reward);
    rewardSum += rewards.reduce((s, r) => s + r, 0);
    count += rewards.length;
    const adv = groupAdvantages(rewards);
    if (!adv) {
      zeroStd++;
      continue;
    }
    for (const [i, c] of g.completions.entries()) {
      const s = await enc.completionSpan(g.sample, c.text, c.finished);
      if (typeof s === 'string') {
        skipped.push({ sampleId: g.sample.id, reason: s });
        continue;
      }
      if (s.ids.length - s.start !== c.tokens + (c.finished && enc.eosToken ? 1 : 0)) retokenized++;
      const rec: GrpoRecord = { ...s, advantage: adv[i], reward: c.reward, sample_id: g.sample.id, group: k };
      lines.push(`${JSON.stringify(rec)}\n`);
    }
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.join(''));
  return { path, records: lines.length, skipped, groups: groups.length, zeroStd, meanReward: count ? rewardSum / count : 0, retokenized };
}

// A STAND-IN policy for search tests (no real model can produce meaningful tool calls here): for
// each prompt it knows a few complete responses — the reference call in Hermes syntax, the same
// call with its last argument wrong, and a call to a wrong function — and continues any prefix
// along one of them chosen by the seed, one character per token with logprob = ln(share of the
// candidates that agree so far). It implements the Policy interface the real backends implement.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataset } from '../../src/core/dataset/dataset';
import { explore, type ExploreResult } from '../../src/core/search/explore';
import { referenceTurn, type ToolCall } from '../../src/core/dataset/sample';
import { promptFor } from '../../src/core/model/prompt';
import type { ChatMessage, Continuation, Policy, SampleOptions } from '../../src/core/model/policy';

/**
 * A scripted policy: for each prompt, a few complete responses (the reference call and wrong
 * variants); a continuation of `prefix` follows one of the responses that extend it, picked by the
 * seed, one character per token with logprob = ln(share of the candidates that agree so far).
 * Deterministic, honours `signal`, and counts its calls.
 */
export class ScriptedPolicy implements Policy {
  readonly id = 'scripted:test';
  readonly label = 'scripted';
  calls = 0;
  constructor(readonly candidates: Map<string, string[]>) {}
  async chatTemplate(messages: ChatMessage[]): Promise<string> {
    return `Q: ${messages.map((m) => m.content).join('\n')}\nA: `;
  }
  async score(): Promise<never> {
    throw new Error('not used');
  }
  async sample(prompt: string, prefix: string, o: SampleOptions & { signal?: AbortSignal }): Promise<Continuation[]> {
    this.calls++;
    o.signal?.throwIfAborted();
    await new Promise((r) => setImmediate(r));
    o.signal?.throwIfAborted();
    const live = (this.candidates.get(prompt) ?? []).filter((c) => c.startsWith(prefix) && c.length > prefix.length);
    return Array.from({ length: o.n }, (_, r) => {
      if (!live.length) return { text: '', tokens: [], finishReason: 'stop' as const };
      const pick = live[(((o.seed ?? 0) >>> 0) + r * 7919) % live.length];
      const text = pick.slice(prefix.length, prefix.length + o.maxTokens);
      const tokens = [...text].map((ch, k) => ({ token: ch, logprob: Math.log(live.filter((c) => c.slice(prefix.length, prefix.length + k + 1) === text.slice(0, k + 1)).length / live.length) }));
      return { text, tokens, finishReason: prefix.length + text.length >= pick.length ? ('stop' as const) : ('length' as const) };
    });
  }
  async close(): Promise<void> {}
}

export const json = (args: Record<string, unknown>) => `{${Object.entries(args).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
export const hermes = (c: ToolCall) => `<tool_call>\n{"name": "${c.name}", "arguments": ${json(c.arguments)}}\n</tool_call>`;
export const wrong = (v: unknown): unknown => (typeof v === 'number' ? v + 1 : typeof v === 'string' ? `${v}_x` : typeof v === 'boolean' ? !v : null);

/** The reference call, its last argument wrong, and a wrong function: for every sample of `ds`. */
export async function scripted(ds: Dataset, indices: number[]): Promise<ScriptedPolicy> {
  const policy = new ScriptedPolicy(new Map());
  for (const i of indices) {
    const r = await ds.sample(i);
    assert.ok(r.ok);
    const call = referenceTurn(r.sample)!.calls![0];
    const keys = Object.keys(call.arguments);
    const last = keys.at(-1)!;
    policy.candidates.set(await promptFor(policy, r.sample), [
      hermes(call),
      hermes({ name: call.name, arguments: { ...call.arguments, [last]: wrong(call.arguments[last]) } }),
      hermes({ name: `${call.name}_v2`, arguments: call.arguments }),
    ]);
  }
  return policy;
}


/**
 * A copy of the demo workspace in a temporary folder whose `dataset` (relative path) has been
 * searched by the real engine with the scripted stand-in policy on its first two samples (the
 * journal lies beside the copy's dataset, so the panel finds the trees and pairs on open).
 */
export async function demoCopyWithSearch(root: string, dataset: string, prefix: string): Promise<{ copy: string; run: ExploreResult }> {
  const copy = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(root, 'demo'), copy, { recursive: true, preserveTimestamps: true });
  const ds = await Dataset.open(join(copy, dataset));
  try {
    const policy = await scripted(ds, [0, 1]);
    return { copy, run: await explore(ds, policy, [{ index: 0 }, { index: 1 }], { iterations: 4, numActions: 3, seed: 3 }) };
  } finally {
    await ds.close();
  }
}

// `itool explore DATASET --model DIR|--endpoint URL --selection FILE -o PAIRS`: the MCTS path
// exploration of a round over the samples `itool calibrate -o` selected, and the fine-grained
// preference pairs found, written to PAIRS (JSON Lines). Trees and pairs are journaled beside the
// dataset per sample as they finish: an interrupted run (Ctrl-C, crash) resumes.
import { resolve } from 'node:path';
import { readSelection } from '../core/calibrate/selectionFile';
import { explore } from '../core/search/explore';
import type { SearchOptions } from '../core/search/types';
import { withPolicyRun } from './calibrate';
import type { CallRenderingSetting } from '../core/model/callRendering';
import { RemotePolicy } from '../core/model/openai/remotePolicy';
import { scrubUrlsIn } from '../core/model/openai/endpointUrl';
import { numberArg, UsageError, whole } from './args';
import { callsArg } from './callsArg';
import { defineCommand } from './command';
import { policyArgs, POLICY_OPTIONS, type PolicyFlags } from './policyOptions';

export interface ExploreCommandOptions
  extends PolicyFlags,
    Partial<SearchOptions> {
  dataset: string;
  selection: string;
  out: string;
  /** Default: the selection's round. */
  round?: number;
  concurrency?: number;
  /** Default: the selection's (the rendering its calibration scored with). */
  calls?: CallRenderingSetting;
}

export async function exploreCommand(o: ExploreCommandOptions): Promise<number> {
  const sel = await readSelection(o.selection);
  // The dataset opens as it was when the selection was made: its samples are the ones selected.
  return withPolicyRun({ ...o, turns: sel.turns ?? 'last' }, async (ds, policy, signal) => {
    // A selection made for another model or file still runs (the user may mean it), but says so.
    if (sel.model !== policy.id) process.stderr.write(`itool: note: the selection was made with ${scrubUrlsIn(sel.modelLabel || sel.model)}, exploring with ${policy.label}\n`);
    if (sel.dataset && resolve(sel.dataset) !== resolve(o.dataset)) process.stderr.write(`itool: note: the selection was made for ${sel.dataset}\n`);
    const round = o.round ?? sel.round ?? 1;
    const started = Date.now();
    let lastLine = 0;
    const result = await explore(ds, policy, sel.selected, {
      round,
      concurrency: o.concurrency,
      calls: o.calls ?? sel.calls ?? 'auto',
      numActions: o.numActions,
      temperature: o.temperature,
      maxNewTokens: o.maxNewTokens,
      depth: o.depth,
      iterations: o.iterations,
      maxSimulationSteps: o.maxSimulationSteps,
      explorationWeight: o.explorationWeight,
      seed: o.seed,
      signal,
      out: o.out,
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastLine < 1000 && p.done < p.total) return;
        lastLine = now;
        process.stderr.write(`[explore] ${p.done}/${p.total} samples, ${p.pairs} pairs, ${((now - started) / 1000).toFixed(1)} s\n`);
      },
    });
    // A server that stopped answering (the circuit breaker opened) fails every sample after it
    // at once: the run says so and fails, rather than listing them as skipped.
    const down = policy instanceof RemotePolicy ? policy.unavailable : undefined;
    if (down) {
      process.stderr.write(`itool: exploration stopped: ${down.message}\n  journal ${result.path} keeps the ${result.entries.length} samples explored: a rerun resumes\n`);
      return 1;
    }
    const kinds = new Map<string, number>();
    for (const p of result.pairs) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
    const s = result.header.search;
    const lines = [
      `model       ${policy.label} (round ${round})`,
      `search      ${s.iterations} iterations, ${s.numActions} actions, depth ${s.depth}, temperature ${s.temperature}, ${s.maxNewTokens} new tokens, seed ${s.seed}`,
      `explored    ${result.entries.length} of ${sel.selected.length} selected samples${result.resumed ? ` (${result.resumed} resumed)` : ''}, ${result.skipped.length} skipped`,
      ...result.skipped.slice(0, 10).map((k) => `  record ${k.index + 1}: ${k.reason}`),
      `pairs       ${result.pairs.length}${kinds.size ? ` (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`,
      `journal     ${result.path}`,
      `pairs file  ${o.out}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return result.skipped.length && !result.entries.length ? 1 : 0;
  });
}

export const exploreCli = defineCommand({
  name: 'explore',
  usage: `  itool explore DATASET (--model DIR [--ep cpu|cuda] | --endpoint URL --served-model NAME
                  [--chat-template FILE] [--api-key-env VAR] [--timeout S] [--max-retries N]) --selection FILE -o PAIRS
                  [--iters 5] [--actions 3] [--depth 3] [--temperature 1.5] [--max-new-tokens 50]
                  [--sim-steps 2] [--exploration 1.0] [--seed 0] [--concurrency 8] [--round N]
      MCTS over response fragments for every sample in the selection (from itool calibrate -o),
      rewarded by the AST checker; fine-grained preference pairs written to PAIRS (JSON Lines).
      Trees and pairs are journaled beside the dataset per sample: an interrupted run resumes.
`,
  options: {
    ...POLICY_OPTIONS,
    selection: { type: 'string' },
    out: { type: 'string', short: 'o' },
    iters: { type: 'string' },
    actions: { type: 'string' },
    depth: { type: 'string' },
    temperature: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    'sim-steps': { type: 'string' },
    exploration: { type: 'string' },
    seed: { type: 'string' },
    concurrency: { type: 'string' },
    round: { type: 'string' },
    // Not in the usage: the selection's rendering is the one to keep; this overrides it.
    calls: { type: 'string' },
  },
  run(values, [dataset]) {
    if (!dataset) throw new UsageError('explore: missing DATASET');
    if (!values.selection) throw new UsageError('explore: --selection FILE is required (made by itool calibrate -o)');
    if (!values.out) throw new UsageError('explore: -o PAIRS is required');
    const num = (name: string, v: string | undefined, ok: (x: number) => boolean) => numberArg('explore', name, v, ok);
    return exploreCommand({
      dataset,
      ...policyArgs('explore', values),
      selection: values.selection,
      out: values.out,
      iterations: num('iters', values.iters, whole(0)),
      numActions: num('actions', values.actions, whole(1)),
      depth: num('depth', values.depth, whole(1)),
      temperature: num('temperature', values.temperature, (x) => x >= 0 && Number.isFinite(x)),
      maxNewTokens: num('max-new-tokens', values['max-new-tokens'], whole(1)),
      maxSimulationSteps: num('sim-steps', values['sim-steps'], whole(0)),
      explorationWeight: num('exploration', values.exploration, (x) => x >= 0 && Number.isFinite(x)),
      seed: num('seed', values.seed, (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32),
      concurrency: num('concurrency', values.concurrency, whole(1)),
      round: num('round', values.round, whole(1)),
      calls: values.calls === undefined ? undefined : callsArg('explore', values.calls),
    });
  },
});

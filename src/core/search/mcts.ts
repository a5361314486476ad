// MCTS over response fragments for one sample (METHOD.md, "MCTS over response fragments"). The
// state is the prompt plus a response prefix; an action is the next fragment (steps.ts). Each
// iteration selects a leaf by a prior-weighted UCT, expands it with `numActions` sampled
// continuations chained as fragment nodes, completes each continuation (greedy down the tree, then
// sampling), rewards the complete response with the AST checker's partial credit, and backs the
// reward up to the root. Every random choice is seeded from (seed, sample id, iteration, node), so
// a search is reproducible for a given policy whatever else runs beside it.
//
// Each iteration completes and backs up *every* continuation of the expansion, not one: pairs
// compare siblings, and a sibling that was never visited has no value to compare. Each completed
// response is credited to every node on its path (the continuation's own fragments included), so
// fragments where continuations part get values from their first iteration on.
import { createHash } from 'node:crypto';
import type { Sample } from '../dataset/sample';
import { promptFor } from '../model/prompt';
import type { CallRenderingSetting } from '../model/callRendering';
import type { CallOptions, Continuation, Policy } from '../model/policy';
import { checkOutput, expectationFor, type Expectation } from '../toolcall/check/index';
import { withoutUnfinishedChar } from '../chars';
import { cleanResponse } from '../model/response';
import { splitSteps, type Step } from './steps';
import type { Rollout, SearchNode, SearchOptions, SearchTree } from './types';

export const DEFAULT_SEARCH_OPTIONS: Readonly<SearchOptions> = {
  numActions: 3,
  temperature: 1.5,
  maxNewTokens: 50,
  depth: 3,
  iterations: 5,
  maxSimulationSteps: 2,
  explorationWeight: 1.0,
  seed: 0,
};

export interface SearchRunOptions extends Partial<SearchOptions>, CallOptions {
  /**
   * Replaces the checker's score as the reward (e.g. an LLM judge for samples without a checkable
   * answer). Gets the complete response without its end-of-turn marker; should return [-1, 1].
   */
  reward?: (response: string) => Promise<number>;
  /** The rendered prompt, when the caller has it already. */
  prompt?: string;
  /** How calls are put in the prompt (model/callRendering.ts): the same as calibration used. */
  calls?: CallRenderingSetting;
}

/**
 * A continuation cut back to its last whole character. A policy decodes its tokens to text, and a
 * token boundary can fall inside a multi-byte character ("New 東" cut after the first byte of 東, a
 * max-tokens cut, or a byte token at the end): the decoded text then ends in U+FFFD, which would
 * become part of a fragment, of the prefix the next sample continues (so that the character's other
 * bytes decode to a second U+FFFD: "New��"), of pairs and exports. The unfinished character is
 * dropped, with the tokens that began it (their text ends in U+FFFD); the next sample from this
 * prefix generates the whole character again. A continuation that ends in a whole character is
 * returned as it is.
 */
export function wholeCharacters(c: Continuation): Continuation {
  const text = withoutUnfinishedChar(c.text);
  if (text === c.text) return c;
  const tokens = [...c.tokens];
  while (tokens.length && withoutUnfinishedChar(tokens.at(-1)!.token) !== tokens.at(-1)!.token) tokens.pop();
  return { ...c, text, tokens };
}

/** A 32-bit seed from the run's seed and the identity of the call (sample, iteration, node, role). */
export function derivedSeed(seed: number, ...parts: (string | number)[]): number {
  return createHash('sha256').update(JSON.stringify([seed, ...parts])).digest().readUInt32LE(0);
}

export function newRoot(): SearchNode {
  return { id: 0, parent: null, text: '', kind: 'root', prior: 1, visits: 0, value: 0, depth: 0, children: [], terminal: false };
}

/** The response prefix a node stands for: its ancestors' fragments and its own. */
export function prefixOf(nodes: readonly SearchNode[], id: number): string {
  const parts: string[] = [];
  for (let n: SearchNode | undefined = nodes[id]; n; n = n.parent === null ? undefined : nodes[n.parent]) parts.push(n.text);
  return parts.reverse().join('');
}

/** Q/(n+1) + c · prior · sqrt(ln N_parent / (n+1)), with ln N taken as 0 before the parent's first visit. */
export function uctScore(child: SearchNode, parentVisits: number, c: number): number {
  return child.value / (child.visits + 1) + c * child.prior * Math.sqrt(Math.log(Math.max(1, parentVisits)) / (child.visits + 1));
}

/** The child maximising uctScore; ties go to the higher prior, then to the older node. */
export function selectChild(nodes: readonly SearchNode[], parent: number, c: number): SearchNode | undefined {
  const p = nodes[parent];
  let best: SearchNode | undefined;
  let bestScore = -Infinity;
  for (const id of p.children) {
    const ch = nodes[id];
    const s = uctScore(ch, p.visits, c);
    if (s > bestScore || (s === bestScore && best && ch.prior > best.prior)) [best, bestScore] = [ch, s];
  }
  return best;
}

/**
 * visits += 1 and value += reward from `from` up to the root; each node on the way keeps the best
 * and the worst complete response through it (as text after its own prefix).
 */
export function backpropagate(nodes: SearchNode[], from: number, reward: number, response?: string): void {
  const path: SearchNode[] = [];
  for (let n: SearchNode | undefined = nodes[from]; n; n = n.parent === null ? undefined : nodes[n.parent]) path.push(n);
  let at = response === undefined ? 0 : path.reduce((s, n) => s + n.text.length, 0);
  for (const n of path) {
    n.visits += 1;
    n.value += reward;
    if (response !== undefined) {
      const r: Rollout = { text: response.slice(at), reward };
      if (!n.best || reward > n.best.reward) n.best = r;
      if (!n.worst || reward < n.worst.reward) n.worst = r;
      at -= n.text.length;
    }
  }
}

const mean = (n: SearchNode): number => (n.visits ? n.value / n.visits : -Infinity);

/** Root to leaf, each step to the visited child with the highest mean value (then more visits, higher prior, older). */
export function bestPath(nodes: readonly SearchNode[]): number[] {
  const path = [0];
  for (;;) {
    const kids = nodes[path.at(-1)!].children.map((i) => nodes[i]).filter((n) => n.visits > 0);
    if (!kids.length) return path;
    kids.sort((a, b) => mean(b) - mean(a) || b.visits - a.visits || b.prior - a.prior || a.id - b.id);
    path.push(kids[0].id);
  }
}

/**
 * Prior of each step: exp(mean logprob of the tokens overlapping it). Tokens are placed by their
 * accumulated text length, rescaled when the decoded token texts do not add up to the text (byte
 * tokens that decode only together).
 */
function stepPriors(steps: readonly Step[], cont: Continuation): number[] {
  const total = cont.tokens.reduce((s, t) => s + t.token.length, 0);
  const scale = total > 0 ? cont.text.length / total : 0;
  let start = 0;
  return steps.map((s) => {
    const end = start + s.text.length;
    let sum = 0;
    let n = 0;
    let at = 0;
    for (const t of cont.tokens) {
      const a = at * scale;
      at += t.token.length;
      const b = at * scale;
      if (a < end && (b > start || (b === a && a >= start))) {
        sum += t.logprob;
        n++;
      }
    }
    start = end;
    return n ? Math.exp(sum / n) : 1;
  });
}

type ChainStep = Step & { merged?: number };

class Search {
  readonly nodes: SearchNode[] = [newRoot()];
  rollouts = 0;
  /** Continuations the policy returned (SearchTree.samples). */
  samples = 0;

  constructor(
    private readonly policy: Policy,
    private readonly sampleId: string,
    private readonly prompt: string,
    private readonly exp: Expectation,
    private readonly o: SearchOptions,
    private readonly run: SearchRunOptions,
  ) {}

  private seed(...parts: (string | number)[]): number {
    return derivedSeed(this.o.seed, this.sampleId, ...parts);
  }

  private async sample(prefix: string, n: number, seed: number): Promise<Continuation[]> {
    const { temperature, maxNewTokens } = this.o;
    const out = await this.policy.sample(this.prompt, prefix, { n, temperature, maxTokens: maxNewTokens, seed, signal: this.run.signal });
    this.samples += out.length;
    return out.map(wholeCharacters);
  }

  /** Chain a continuation's steps below `from`, merging a step into a child with the same text; returns the last node. */
  private chain(from: number, cont: Continuation): number {
    let steps: ChainStep[] = splitSteps(cont.text, prefixOf(this.nodes, from));
    if (!steps.length) return from;
    if (steps.length > this.o.depth + 1) {
      // Past `depth`, the rest is one node: named by its first fragment, partial if its last is.
      const rest = steps.slice(this.o.depth);
      steps = [...steps.slice(0, this.o.depth), { text: rest.map((s) => s.text).join(''), kind: rest[0].kind, key: rest[0].key, partial: rest.at(-1)!.partial, merged: rest.length }];
    }
    const priors = stepPriors(steps, cont);
    let cur = from;
    steps.forEach((s, k) => {
      const parent = this.nodes[cur];
      const same = parent.children.find((id) => this.nodes[id].text === s.text);
      if (same !== undefined) {
        cur = same;
        return;
      }
      const node: SearchNode = { id: this.nodes.length, parent: cur, text: s.text, kind: s.kind, prior: priors[k], visits: 0, value: 0, depth: parent.depth + 1, children: [], terminal: false };
      if (s.key !== undefined) node.key = s.key;
      if (s.partial) node.partial = true;
      if (s.merged) node.merged = s.merged;
      this.nodes.push(node);
      parent.children.push(node.id);
      cur = node.id;
    });
    return cur;
  }

  /** Complete the response from a node: greedy (highest prior) down existing children, then sampling. */
  private async simulate(from: number, iteration: number, k: number): Promise<string> {
    let id = from;
    while (!this.nodes[id].terminal && this.nodes[id].children.length) {
      const kids = this.nodes[id].children.map((c) => this.nodes[c]);
      id = kids.reduce((a, b) => (b.prior > a.prior ? b : a)).id;
    }
    let response = prefixOf(this.nodes, id);
    if (this.nodes[id].terminal) return response;
    for (let step = 0; step < this.o.maxSimulationSteps; step++) {
      const [c] = await this.sample(response, 1, this.seed('simulate', iteration, from, k, step));
      response += c?.text ?? '';
      if (!c || c.finishReason === 'stop' || !c.text) break;
    }
    return response;
  }

  private async reward(response: string): Promise<number> {
    this.rollouts++;
    const clean = cleanResponse(response);
    return this.run.reward ? this.run.reward(clean) : checkOutput(clean, this.exp).score;
  }

  async iterate(iteration: number): Promise<void> {
    let leaf = 0;
    for (let ch = selectChild(this.nodes, 0, this.o.explorationWeight); ch; ch = selectChild(this.nodes, leaf, this.o.explorationWeight)) leaf = ch.id;
    const node = this.nodes[leaf];
    if (node.terminal) {
      const response = prefixOf(this.nodes, leaf);
      backpropagate(this.nodes, leaf, await this.reward(response), response);
      return;
    }
    const conts = await this.sample(prefixOf(this.nodes, leaf), this.o.numActions, this.seed('expand', iteration, leaf));
    const ends = conts.map((c) => this.chain(leaf, c));
    conts.forEach((c, k) => {
      if (c.finishReason === 'stop') this.nodes[ends[k]].terminal = true;
    });
    if (ends.every((e) => e === leaf) && !node.terminal) node.terminal = true; // nothing but empty continuations: the response ends here
    // All continuations are completed at once (the policy bounds what runs), then backed up in order.
    const responses = await Promise.all(ends.map((e, k) => this.simulate(e, iteration, k)));
    const rewards = await Promise.all(responses.map((r) => this.reward(r)));
    ends.forEach((e, k) => backpropagate(this.nodes, e, rewards[k], responses[k]));
  }
}

/** Run the search for one sample. The tree is plain data (JSON-serialisable). */
export async function searchSample(policy: Policy, sample: Sample, opts: SearchRunOptions = {}): Promise<SearchTree> {
  const o: SearchOptions = { ...DEFAULT_SEARCH_OPTIONS };
  for (const k of Object.keys(DEFAULT_SEARCH_OPTIONS) as (keyof SearchOptions)[]) if (opts[k] !== undefined) o[k] = opts[k]!;
  if (!(o.numActions >= 1 && o.iterations >= 0 && o.depth >= 1 && o.maxNewTokens >= 1 && o.maxSimulationSteps >= 0)) throw new Error(`invalid search options ${JSON.stringify(o)}`);
  const prompt = opts.prompt ?? (await promptFor(policy, sample, { calls: opts.calls }));
  const s = new Search(policy, sample.id, prompt, expectationFor(sample), o, opts);
  for (let it = 0; it < o.iterations; it++) {
    opts.signal?.throwIfAborted();
    await s.iterate(it);
  }
  const path = bestPath(s.nodes);
  const last = s.nodes[path.at(-1)!];
  return {
    version: 1,
    sampleId: sample.id,
    options: o,
    nodes: s.nodes,
    bestPath: path,
    bestResponse: prefixOf(s.nodes, last.id) + (last.best?.text ?? ''),
    bestReward: last.best?.reward ?? null,
    rollouts: s.rollouts,
    samples: s.samples,
  };
}

// Fine-grained preference pairs from a search tree (METHOD.md, "Pairs"). At every node with at least
// two visited children, chosen = the child with the highest mean value, rejected = the lowest; the
// pair is kept when the values differ enough, the fragments are not near-copies, and the chosen
// side is not itself bad. Both sides continue the node's prefix, so they differ first at exactly
// one fragment: the one the reviewer sees highlighted.
//
// What a side holds: the child's fragment, and a completion after it to a whole response, so the
// pair trains and reads as complete answers. The chosen side is completed with the best response
// the search backed up through that child, the rejected side with the worst one: both are
// responses the policy really produced and the checker really judged (their verdicts come with
// the pair), and they are the ones that made the gap.
import { answerField, type Sample } from '../dataset/sample';
import { checkOutput, expectationFor, type Expectation } from '../toolcall/check/index';
import { cleanResponse } from '../model/response';
import { prefixOf } from './mcts';
import type { PairSide, PairVerdict, PreferencePair, SearchNode, SearchTree, StepKind } from './types';

export interface PairOptions {
  /** Least mean value(chosen) − value(rejected) (published: 0.1). */
  minGap: number;
  /**
   * Most fragment overlap (published: 0.95); see fragmentOverlap. It drops only fragments with the
   * same values and names (sameContent): one differing value always keeps a pair.
   */
  maxOverlap: number;
  /** Least mean value of the chosen side (published: −0.3). */
  minChosenValue: number;
}

const EPS = 1e-9;

export const DEFAULT_PAIR_OPTIONS: Readonly<PairOptions> = { minGap: 0.1, maxOverlap: 0.95, minChosenValue: -0.3 };

/**
 * The lexemes of a fragment, what overlap and likeness are measured on: string literals whole
 * (quotes included, so `"2024-03-14"` and `"2024-03-15"` are two different lexemes), numbers,
 * words (names, bare values, `true`), and brackets. Spaces, commas and colons are layout and are
 * left out. `content` marks the lexemes that carry a value or a name (all but brackets).
 */
const LEXEME = /"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[\p{L}\p{N}_$.\-+/@#%&*=<>?!|~^]+|[{}[\]()]/gu;

export function fragmentLexemes(s: string): { text: string; content: boolean }[] {
  return [...s.matchAll(LEXEME)].map((m) => ({ text: m[0], content: !/^[{}[\]()]$/.test(m[0]) }));
}

/**
 * Overlap of two fragments: the lexemes they share (as multisets) over the lexemes of either, so
 * 1 for the same text up to layout, 0 for nothing in common. This is the published word-set
 * overlap, on lexemes rather than space-separated words so that `{"a": 1}` and `{"a":1}` are the
 * same and a changed value is one whole lexeme whatever its length.
 */
export function fragmentOverlap(a: string, b: string): number {
  const la = fragmentLexemes(a).map((x) => x.text);
  const lb = fragmentLexemes(b).map((x) => x.text);
  if (la.length + lb.length === 0) return 1;
  const count = new Map<string, number>();
  for (const t of la) count.set(t, (count.get(t) ?? 0) + 1);
  let shared = 0;
  for (const t of lb) {
    const n = count.get(t) ?? 0;
    if (n > 0) {
      shared++;
      count.set(t, n - 1);
    }
  }
  return shared / (la.length + lb.length - shared);
}

/**
 * Whether two fragments carry the same values and names in the same order (they may differ in
 * layout and brackets). Only such fragments can be "too alike": a fragment that differs in one
 * argument value, a date, an id, a count, is the method's best case for a pair, however long the
 * fragment (a merged tail of many arguments differs from its sibling in one value too), so the
 * overlap cap never drops it.
 */
export function sameContent(a: string, b: string): boolean {
  const ca = fragmentLexemes(a).filter((x) => x.content).map((x) => x.text);
  const cb = fragmentLexemes(b).filter((x) => x.content).map((x) => x.text);
  return ca.length === cb.length && ca.every((t, i) => t === cb[i]);
}

/** The checker's verdict on a whole response (prefix + a side's continuation), as pairs carry it. */
export function verdictOf(response: string, exp: Expectation): PairVerdict {
  const v = checkOutput(cleanResponse(response), exp);
  return { valid: v.valid, score: v.score, syntax: v.syntax, errors: v.errors };
}

export interface ExtractOptions extends Partial<PairOptions> {
  round?: number;
  /** Defaults to the sample's own index. */
  index?: number;
}

/** The pairs of one tree. `sample` gives what the checker expects (the same sample the tree searched). */
export function extractPairs(tree: SearchTree, sample: Sample, opts: ExtractOptions = {}): PreferencePair[] {
  const o: PairOptions = { ...DEFAULT_PAIR_OPTIONS };
  for (const k of Object.keys(DEFAULT_PAIR_OPTIONS) as (keyof PairOptions)[]) if (opts[k] !== undefined) o[k] = opts[k]!;
  const exp = expectationFor(sample);
  const nodes = tree.nodes;
  const mean = (n: SearchNode): number => n.value / n.visits;
  const out: PreferencePair[] = [];
  for (const node of nodes) {
    const kids = node.children.map((i) => nodes[i]).filter((n) => n.visits > 0);
    if (kids.length < 2) continue;
    // Highest mean first; among equals the better-explored, then the older node.
    kids.sort((a, b) => mean(b) - mean(a) || b.visits - a.visits || a.id - b.id);
    const chosen = kids[0];
    const rejected = kids.slice(1).reduce((lo, n) => (mean(n) < mean(lo) || (mean(n) === mean(lo) && n.visits > lo.visits) ? n : lo));
    const gap = mean(chosen) - mean(rejected);
    const overlap = fragmentOverlap(chosen.text, rejected.text);
    // Means of rewards rounded to 4 decimals: a tolerance keeps a gap of exactly 0.1 a gap of 0.1.
    if (gap < o.minGap - EPS || (overlap > o.maxOverlap + EPS && sameContent(chosen.text, rejected.text)) || mean(chosen) < o.minChosenValue - EPS) continue;
    const prefix = prefixOf(nodes, node.id);
    const side = (n: SearchNode, r: SearchNode['best']): PairSide => {
      const completion = r?.text ?? '';
      const s: PairSide = {
        nodeId: n.id,
        fragment: n.text,
        completion,
        text: n.text + completion,
        value: mean(n),
        visits: n.visits,
        reward: r?.reward ?? null,
        kind: n.kind as StepKind,
        verdict: verdictOf(prefix + n.text + completion, exp),
      };
      if (n.key !== undefined) s.key = n.key;
      return s;
    };
    const pair: PreferencePair = {
      sampleId: tree.sampleId,
      index: opts.index ?? sample.index,
      ...answerField(sample.answer),
      round: opts.round ?? 1,
      nodeId: node.id,
      depth: node.depth,
      prefix,
      kind: chosen.kind as StepKind,
      chosen: side(chosen, chosen.best),
      rejected: side(rejected, rejected.worst),
      gap: Math.round(gap * 1e6) / 1e6,
      overlap: Math.round(overlap * 1e6) / 1e6,
    };
    if (chosen.key !== undefined) pair.key = chosen.key;
    out.push(pair);
  }
  return out;
}

/** The identity of a pair: the same sample, prefix and both continuations are one pair. */
export function pairKey(p: PreferencePair): string {
  return JSON.stringify([p.sampleId, p.prefix, p.chosen.text, p.rejected.text]);
}

/** Drops repeats (same pairKey), keeping the first occurrence and the order. */
export function mergePairs(pairs: Iterable<PreferencePair>): PreferencePair[] {
  const seen = new Set<string>();
  const out: PreferencePair[] = [];
  for (const p of pairs) {
    const k = pairKey(p);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

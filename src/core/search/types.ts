// The search's data, as its journal, the panel and the exports carry it: the tree MCTS grows over
// response fragments (mcts.ts), the fragment kinds (steps.ts), and the preference pairs drawn from a
// tree (pairs.ts). Types only, with no Node import: the panel's page names them too.
import type { CheckError, Verdict } from '../toolcall/types';

export type StepKind = 'function' | 'argument' | 'closing' | 'sentence' | 'text';

/** The search knobs, named as the published code names them (mcts_iters, num_actions, …). */
export interface SearchOptions {
  /** Continuations sampled per expansion (num_actions). */
  numActions: number;
  temperature: number;
  /** Tokens per sampled continuation (max_new_tokens). */
  maxNewTokens: number;
  /**
   * A continuation adds its first `depth` steps as nodes below the node it continues, and the rest
   * of it as one more node (counted from the expanded node, so a later expansion refines further).
   */
  depth: number;
  /** Iterations per sample (mcts_iters). */
  iterations: number;
  /** Sampling calls a simulation may make to complete a response (max_simulation_steps). */
  maxSimulationSteps: number;
  /** c in the selection rule (exploration_weight). */
  explorationWeight: number;
  seed: number;
}

/** A response completed from a node, kept as the text after the node's prefix (its own text included below it). */
export interface Rollout {
  text: string;
  reward: number;
}

export interface SearchNode {
  id: number;
  parent: number | null;
  /** The fragment this node adds to its parent's prefix ('' for the root). */
  text: string;
  kind: StepKind | 'root';
  key?: string;
  /** The fragment ends inside a unit (its continuation was cut at max tokens). */
  partial?: boolean;
  /** Steps merged into this node because the continuation went past `depth`. */
  merged?: number;
  /** exp(mean token logprob) of the fragment under the policy; 1 when the backend gave no logprobs. */
  prior: number;
  visits: number;
  /** Sum of the rewards backed up through this node (Q); the mean is value / visits. */
  value: number;
  depth: number;
  children: number[];
  /** A sampled continuation stopped here: the prefix is a complete response. */
  terminal: boolean;
  /** The best and worst complete responses backed up through this node, as text after its prefix. */
  best?: Rollout;
  worst?: Rollout;
}

export interface SearchTree {
  version: 1;
  sampleId: string;
  options: SearchOptions;
  nodes: SearchNode[];
  /** Root to leaf by highest mean value. */
  bestPath: number[];
  /** The best complete response found along bestPath, and its reward. */
  bestResponse: string;
  bestReward: number | null;
  /** Rewards computed (one per completed response). */
  rollouts: number;
  /**
   * Continuations the policy sampled for this tree (each expansion's `numActions`, each
   * simulation step's one): the search's cost in policy samples, which the loop's GRPO variant
   * matches. Absent in trees written before it was counted.
   */
  samples?: number;
}

/** The checker's verdict on a side's whole response (prefix + fragment + completion); spans index that text. */
export interface PairVerdict {
  valid: boolean;
  score: number;
  syntax: Verdict['syntax'];
  errors: CheckError[];
}

export interface PairSide {
  nodeId: number;
  /** The fragment where the two sides part (the child's step text). */
  fragment: string;
  /** What follows the fragment to the end of the response ('' when the fragment ends it). */
  completion: string;
  /** fragment + completion: the side's continuation of the shared prefix. */
  text: string;
  /** Mean backed-up reward of the child (value / visits), and its visits. */
  value: number;
  visits: number;
  /** The reward of this side's own response (the rollout it was completed with), null when it has none. */
  reward: number | null;
  kind: StepKind;
  key?: string;
  verdict: PairVerdict;
}

export interface PreferencePair {
  sampleId: string;
  /** Record index of the sample in its dataset (-1 when unknown). */
  index: number;
  /** The answer within the record, when the record yields several samples (dataset/answers.ts). */
  answer?: number;
  round: number;
  /** The node both sides continue, and its depth in the tree. */
  nodeId: number;
  depth: number;
  /** The shared response prefix (after the prompt). */
  prefix: string;
  /** The chosen fragment's kind and key (function or argument name). */
  kind: StepKind;
  key?: string;
  chosen: PairSide;
  rejected: PairSide;
  /** chosen.value − rejected.value. */
  gap: number;
  overlap: number;
  /**
   * Set on a pair a person made by hand (a correction of an annotated span, src/core/pairs): its
   * values are the checker's scores of the two whole responses (no search backed them up).
   */
  manual?: { annotationId: string; note?: string };
}

// The policy model behind calibration and search, whatever runs it: a local ONNX export
// (onnx/), or an OpenAI-compatible server (openai/). Everything above this interface (calibration,
// search, rounds) is backend-agnostic.
import type { ToolDef } from '../dataset/sample';

/** One assistant tool call in Hugging Face's convention (model/messages.ts builds them). */
export interface ChatToolCall {
  id: string;
  type: 'function';
  /** `arguments` is an object; a JSON string only for templates that concatenate it as text. */
  function: { name: string; arguments: Record<string, unknown> | string };
}

/** A chat message as chat templates expect it (the Hugging Face / OpenAI shape). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Assistant tool calls, as templates with tool support read them. */
  tool_calls?: ChatToolCall[];
  /** For tool results: the function that produced them. */
  name?: string;
  tool_call_id?: string;
}

export interface TokenLogprob {
  /** The token's text (decoded). */
  token: string;
  /** Natural-log probability of this token given everything before it. */
  logprob: number;
}

export interface ScoreRequest {
  /** The full prompt text, chat template applied (ends where the response begins). */
  prompt: string;
  /** The response text to score, continuing the prompt. */
  response: string;
}

export interface ScoreResult {
  /** The response's tokens only (prompt tokens masked), with their logprobs. */
  tokens: TokenLogprob[];
}

export interface SampleOptions {
  n: number;
  temperature: number;
  topP?: number;
  maxTokens: number;
  /** Generation stops before any of these strings (not included in the text). */
  stop?: string[];
  seed?: number;
}

export interface Continuation {
  text: string;
  tokens: TokenLogprob[];
  finishReason: 'stop' | 'length';
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Policy {
  /**
   * Identity of the model for keys that persist (calibration results): changes when the weights
   * or the endpoint's model change, e.g. `onnx:<folder>#<hash of config and weights' size/mtime>`
   * or `endpoint:<base URL>#<model>`.
   */
  readonly id: string;
  /** Human-readable name for messages and the UI. */
  readonly label: string;
  /**
   * The exact prompt text the model was trained on for these messages and tools (the model's own
   * chat template). With `addGenerationPrompt`, it ends where the assistant's answer begins.
   */
  chatTemplate(messages: ChatMessage[], tools: ToolDef[], opts?: { addGenerationPrompt?: boolean }): Promise<string>;
  /** Per-token logprobs of each response given its prompt; batched by the backend as it sees fit. */
  score(batch: ScoreRequest[], opts?: CallOptions): Promise<ScoreResult[]>;
  /** `n` continuations of `prompt + prefix`, with per-token logprobs. Deterministic for a given seed. */
  sample(prompt: string, prefix: string, opts: SampleOptions & CallOptions): Promise<Continuation[]>;
  close(): Promise<void>;
}

/** An error a user can act on (bad model folder, server refusing echo, …): shown as is. */
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** How far above 0 a logprob may round (a server's float32 log-softmax of a near-certain token). */
export const LOGPROB_TOLERANCE = 1e-6;

/**
 * Why these logprobs are none a model gives (not finite: -1e999 parses as -Infinity; above 0 past
 * rounding), naming the first such token; undefined when all are possible. Every backend's answers
 * and everything calibration stores go through this one check.
 */
export function impossibleLogprob(tokens: readonly TokenLogprob[]): string | undefined {
  for (const [i, t] of tokens.entries()) {
    if (!(Number.isFinite(t.logprob) && t.logprob <= LOGPROB_TOLERANCE)) return `token ${i + 1} of ${tokens.length} (${JSON.stringify(t.token)}) has a logprob of ${t.logprob}`;
  }
  return undefined;
}

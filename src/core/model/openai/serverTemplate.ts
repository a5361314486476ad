// The server's own chat template, for an endpoint configured without a local one. vLLM renders
// messages with the model's (Python) template on `POST {root}/tokenize` and answers token ids;
// `POST {root}/detokenize` turns them back into the text Policy.chatTemplate returns. The ids of
// each render are remembered by text (the last few thousand), so that scoring and sampling a
// rendered prompt send exactly those ids (/v1/completions takes a prompt as a list of token ids)
// instead of text the server would re-tokenize, perhaps differently at special tokens or at the
// prompt/response boundary. Text the map does not know goes as text, as before.
//
// HTTP here is plain fetch, wrapped by RemotePolicy in the same retries, timeouts, in-flight limit
// and key scrubbing as its completions; a failed answer becomes the openai client's APIError so the
// same classification (retry 429/5xx, fail at once on 400/404) applies.
import { APIError } from 'openai';
import type { ToolDef } from '../../dataset/sample';
import { PolicyError, type ChatMessage, type TokenLogprob } from '../policy';
import { TemplateRenderError } from '../chatTemplate';
import { NO_LOGPROB, type ServerToken } from './logprobs';

/** POSTs `body` as JSON to `path` under the server root and resolves with the answer's JSON. */
export type ServerPost = (path: '/tokenize' | '/detokenize', body: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>;

/** How many renders' token ids are remembered (least recently used go first). */
export const REMEMBERED_RENDERS = 4096;

/** The exact ids of a rendered prompt + response, and where the response starts among them. */
export interface ExactPrompt {
  ids: number[];
  /** Number of prompt tokens: the response is ids[promptTokens..]. */
  promptTokens: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIds = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));

/** The server root the tokenizer endpoints hang off: the base URL without a trailing /v1. */
export function serverRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * One JSON POST. A non-2xx answer throws the openai client's APIError carrying the server's own
 * message, whichever shape it came in: {"error": {"message"}} (OpenAI, newer vLLM), {"message"}
 * (vLLM's older ErrorResponse), {"detail"} (FastAPI, e.g. a 404 or a validation error).
 */
export async function postJson(
  url: string,
  body: Record<string, unknown>,
  opts: { apiKey?: string; authorization?: string; query?: Record<string, string>; signal: AbortSignal },
): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  // `authorization` (the base URL's Basic credentials, or a bearer token) over `apiKey`.
  const auth = opts.authorization ?? (opts.apiKey ? `Bearer ${opts.apiKey}` : undefined);
  if (auth) headers.authorization = auth;
  const query = opts.query && Object.keys(opts.query).length ? `?${new URLSearchParams(opts.query).toString()}` : '';
  const res = await fetch(url + query, { method: 'POST', headers, body: JSON.stringify(body), signal: opts.signal });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  if (!res.ok) throw APIError.generate(res.status, { error: { message: errorMessage(json, text) } }, undefined, res.headers);
  return json;
}

/** The server's words in an error answer. */
export function errorMessage(json: unknown, text: string): string {
  const pick = (v: unknown): string | undefined => {
    if (typeof v === 'string') return v;
    if (isObj(v)) return pick(v.message) ?? pick(v.msg) ?? pick(v.detail);
    // FastAPI validation errors: [{loc, msg, type}, …].
    if (Array.isArray(v) && v.length) return v.map((x) => pick(x) ?? JSON.stringify(x)).join('; ');
    return undefined;
  };
  const msg = isObj(json) ? pick(json.error) ?? pick(json.message) ?? pick(json.detail) : undefined;
  return (msg ?? text.trim().slice(0, 500)) || '(no message)';
}

/** An HTTP rejection as RemotePolicy reports it (its ServerRejectedError). */
function rejection(e: unknown): { status: number; serverMessage: string } | undefined {
  if (!(e instanceof PolicyError)) return undefined;
  const { status, serverMessage } = e as PolicyError & { status?: unknown; serverMessage?: unknown };
  return typeof status === 'number' && typeof serverMessage === 'string' ? { status, serverMessage } : undefined;
}

export class ServerTemplate {
  /** Rendered text → its token ids, oldest first. */
  private readonly known = new Map<string, number[]>();

  constructor(
    private readonly opts: {
      model: string;
      /** For messages: the policy's label. */
      label: string;
      post: ServerPost;
      /** Takes the API key out of a message (whatever the server echoed back). */
      scrub: (message: string) => string;
      capacity?: number;
    },
  ) {}

  /**
   * The messages through the server's chat template (`/tokenize`, then `/detokenize`). The messages
   * go as they are (Hugging Face convention already); tools as OpenAI function tools. `noLocal` is
   * the message for a server without /tokenize, which this extends.
   */
  async render(messages: ChatMessage[], tools: ToolDef[], addGenerationPrompt: boolean, signal: AbortSignal, noLocal: string): Promise<string> {
    const body: Record<string, unknown> = {
      model: this.opts.model,
      messages,
      add_generation_prompt: addGenerationPrompt,
      continue_final_message: false,
      // The template writes the special tokens it wants (BOS included); nothing is added to them.
      add_special_tokens: false,
    };
    if (tools.length) body.tools = tools.map((t) => ({ type: 'function', function: t }));
    let answer: unknown;
    try {
      answer = await this.opts.post('/tokenize', body, signal);
    } catch (e) {
      const r = rejection(e);
      // A 404 naming the model (vLLM: "The model `x` does not exist.") is about the model, not the path.
      if (r && (r.status === 404 || r.status === 405) && !/\bmodel\b.*\b(does not exist|not found)/i.test(r.serverMessage)) {
        throw new PolicyError(`${noLocal.replace(/\.\s*$/, '')}; the server has no /tokenize either (HTTP ${r.status}: ${r.serverMessage}), so it cannot render with its own template.`);
      }
      // vLLM answers a template that raises (raise_exception, a failing filter) with 400.
      if (r && r.status === 400) throw new TemplateRenderError(`The server's chat template (${this.opts.label}) failed: ${r.serverMessage}`);
      // Unreachable after our retries: say what to configure too (a closed policy's abort stays as is).
      if (!r && !signal.aborted && e instanceof PolicyError) throw new PolicyError(`${noLocal.replace(/\.\s*$/, '')}; the server's /tokenize did not answer either: ${e.message}`);
      throw e;
    }
    const ids = isObj(answer) ? answer.tokens : undefined;
    if (!isIds(ids)) throw this.unexpected('/tokenize', 'a list of token ids', answer);
    const decoded = await this.opts.post('/detokenize', { model: this.opts.model, tokens: ids }, signal);
    const text = isObj(decoded) ? decoded.prompt : undefined;
    if (typeof text !== 'string') throw this.unexpected('/detokenize', 'the text', decoded);
    this.remember(text, ids);
    return text;
  }

  /** The ids of a text this rendered (most recent render of it), or undefined. */
  ids(text: string): number[] | undefined {
    const ids = this.known.get(text);
    if (ids) {
      this.known.delete(text);
      this.known.set(text, ids);
    }
    return ids;
  }

  /**
   * The exact ids to score `response` after `prompt`: when both the prompt and prompt + response
   * are renders this knows and the prompt's ids begin the whole's. Otherwise undefined (send text).
   */
  exact(prompt: string, response: string): ExactPrompt | undefined {
    const p = this.ids(prompt);
    const f = p && this.ids(prompt + response);
    if (!p || !f || f.length <= p.length || p.some((id, i) => f[i] !== id)) return undefined;
    return { ids: f, promptTokens: p.length };
  }

  private unexpected(path: string, what: string, answer: unknown): PolicyError {
    return new PolicyError(this.opts.scrub(`${this.opts.label}: ${path} answered without ${what} (${String(JSON.stringify(answer)).slice(0, 200)})`));
  }

  private remember(text: string, ids: number[]): void {
    this.known.delete(text);
    this.known.set(text, ids);
    const cap = this.opts.capacity ?? REMEMBERED_RENDERS;
    while (this.known.size > cap) this.known.delete(this.known.keys().next().value as string);
  }
}

/**
 * The response's logprobs out of the server's tokens of an exact prompt (echo or prompt_logprobs,
 * as logprobs.ts reads them): the positions from `promptTokens` on, counted from the end so that
 * a token the server put before ours would not shift them.
 */
export function maskExact(tokens: ServerToken[] | string, exact: ExactPrompt): TokenLogprob[] | string {
  if (typeof tokens === 'string') return tokens;
  if (tokens.length < exact.ids.length) return `the server returned ${tokens.length} prompt positions for ${exact.ids.length} token ids`;
  const first = tokens.length - (exact.ids.length - exact.promptTokens);
  const out: TokenLogprob[] = [];
  for (let i = first; i < tokens.length; i++) {
    const { text, logprob } = tokens[i];
    if (logprob === null) return NO_LOGPROB;
    out.push({ token: text ?? '', logprob });
  }
  return out;
}

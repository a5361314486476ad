// The policy behind an OpenAI-compatible server (vLLM, SGLang, llama.cpp server, Ollama, OpenAI).
// Everything goes through /v1/completions with the chat template rendered here (chatTemplate.ts),
// or, without a local template, by the server's own (vLLM's /tokenize, serverTemplate.ts):
// sampling continues `prompt + prefix` as plain text (a server render: its exact token ids), and
// scoring reads the prompt's own token logprobs (echo, or vLLM's prompt_logprobs). One in-flight
// limit per policy; retries, timeouts and cancellation are ours (the openai client never retries),
// so each logical request yields exactly one successful answer, used once.
import { setMaxListeners } from 'node:events';
import OpenAI from 'openai';
import type { ToolDef } from '../../dataset/sample';
import {
  PolicyError,
  type CallOptions,
  type ChatMessage,
  type Continuation,
  type Policy,
  type SampleOptions,
  type ScoreRequest,
  type ScoreResult,
  type TokenLogprob,
} from '../policy';
import { ChatTemplate, type ChatTemplateSource } from '../chatTemplate';
import { echoTokens, parseEcho, parsePromptLogprobs, parseSample, promptLogprobTokens } from './logprobs';
import { backoffMs, classify, Semaphore, sleep } from './retry';
import { maskExact, postJson, serverRoot, ServerTemplate } from './serverTemplate';

export type { ChatTemplateSource } from '../chatTemplate';

export interface RemotePolicyOptions {
  /** The OpenAI-compatible base URL, usually ending in /v1 (http://localhost:8000/v1). */
  baseURL: string;
  /** The served model name (vLLM's --served-model-name, Ollama's tag, …). */
  model: string;
  /** Sent as a bearer token; never shown in errors. Servers without auth accept anything. */
  apiKey?: string;
  /** Requests in flight at once, all calls together (default 8). */
  maxInFlight?: number;
  /** Per attempt, headers and body (default 300 s: a long generation on a busy server). */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429/408/5xx/timeouts/connection errors (default 5). */
  maxRetries?: number;
  /** First backoff step in ms (default 500; doubles each retry, capped at 30 s, with jitter). */
  retryBaseMs?: number;
  /** Longest wait a Retry-After header may impose before we retry anyway (default 120 s). */
  maxRetryAfterMs?: number;
  /**
   * The model's chat template: a tokenizer_config.json, the model folder holding one, or a Jinja
   * file. Without it (or chatTemplateText) the server renders with its own template (vLLM's
   * /tokenize); chatTemplate() throws when it has none.
   */
  chatTemplatePath?: string;
  /** The template text itself, with the special tokens it refers to (bos_token, eos_token). */
  chatTemplateText?: string;
  specialTokens?: Record<string, string>;
  /**
   * vLLM/SGLang `add_special_tokens` for the completion prompt. Our rendered template already holds
   * the BOS text, so `false` avoids a second BOS on such models; unset sends nothing (the server's
   * default), since strict servers reject unknown parameters.
   */
  addSpecialTokens?: boolean;
}

type ScoreMode = 'echo' | 'prompt_logprobs';

/** A 200 answer without usable prompt logprobs (echo ignored, no decoded tokens, …). */
class Unsupported extends Error {}

/** Our per-attempt timer fired (retried, unlike an abort by the caller). */
class AttemptTimeout extends Error {}

/** Resolves when `p` settles either way; rejects with the reason if `signal` aborts first. */
function untilSettled(p: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** An HTTP error the server answered with, not worth retrying (400, 401, 404, 422, …). */
export class ServerRejectedError extends PolicyError {
  constructor(message: string, readonly status: number, readonly serverMessage: string) {
    super(message);
    this.name = 'ServerRejectedError';
  }
}

export class RemotePolicy implements Policy {
  readonly id: string;
  readonly label: string;
  private readonly client: OpenAI;
  private readonly baseURL: string;
  private readonly limiter: Semaphore;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly secret: string | undefined;
  private readonly closing = new AbortController();
  private template?: Promise<ChatTemplate>;
  /** The server's own template, when no local one is configured; knows the ids of its renders. */
  private readonly server: ServerTemplate;
  /** How this server gives prompt logprobs, once a first request has found out. */
  private scoreMode?: ScoreMode;
  private probing?: Promise<unknown>;

  constructor(private readonly opts: RemotePolicyOptions) {
    // Every request in flight listens on the close signal: as many listeners as maxInFlight is normal.
    setMaxListeners(0, this.closing.signal);
    let url: URL;
    try {
      url = new URL(opts.baseURL);
    } catch {
      throw new PolicyError(`Not a URL: ${opts.baseURL} (expected the server's OpenAI-compatible base URL, e.g. http://localhost:8000/v1)`);
    }
    if (!opts.model) throw new PolicyError(`No model name for ${opts.baseURL}`);
    this.baseURL = opts.baseURL.replace(/\/+$/, '');
    this.id = `endpoint:${this.baseURL}#${opts.model}`;
    this.label = `${opts.model} @ ${url.host}`;
    const maxInFlight = opts.maxInFlight ?? 8;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new PolicyError(`maxInFlight must be a positive integer, not ${maxInFlight}`);
    this.limiter = new Semaphore(maxInFlight);
    this.timeoutMs = opts.timeoutMs ?? 300_000;
    this.maxRetries = Math.max(0, opts.maxRetries ?? 5);
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 120_000;
    this.secret = opts.apiKey || undefined;
    this.client = new OpenAI({
      baseURL: this.baseURL,
      // Local servers take any key; the client insists on one.
      apiKey: opts.apiKey || 'EMPTY',
      // Nothing from the environment (OPENAI_ORG_ID, …) goes to a third-party server.
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: this.timeoutMs,
      logLevel: 'off',
    });
    const root = serverRoot(this.baseURL);
    this.server = new ServerTemplate({
      model: opts.model,
      label: this.label,
      scrub: (m) => this.scrub(m),
      post: (path, body, signal) => this.post(body, signal, (s) => postJson(root + path, body, { apiKey: this.secret, signal: s })),
    });
  }

  async chatTemplate(messages: ChatMessage[], tools: ToolDef[], opts: { addGenerationPrompt?: boolean } = {}): Promise<string> {
    const { chatTemplatePath: path, chatTemplateText: template, specialTokens } = this.opts;
    const source: ChatTemplateSource | undefined = path ? { path } : template !== undefined ? { template, specialTokens } : undefined;
    if (!source) {
      const noLocal =
        `${this.label}: no chat template configured. A /v1/completions server needs the model's chat template rendered here ` +
        `(to continue a partial assistant answer and to score exact prompts): set the chat template to the model's ` +
        `tokenizer_config.json, the model folder holding it, or a Jinja template file (itool.policy.endpoint.chatTemplate, ` +
        `or --chat-template FILE on the command line).`;
      return this.withSignal(undefined, (signal) => this.server.render(messages, tools, opts.addGenerationPrompt ?? false, signal, noLocal));
    }
    if (!this.template) {
      this.template = ChatTemplate.load(source);
      // A failed load is not remembered: the user may fix the file and try again.
      this.template.catch(() => (this.template = undefined));
    }
    return (await this.template).render(messages, tools, opts.addGenerationPrompt ?? false);
  }

  async sample(prompt: string, prefix: string, opts: SampleOptions & CallOptions): Promise<Continuation[]> {
    if (opts.n <= 0) return [];
    const body: Record<string, unknown> = {
      model: this.opts.model,
      // A render of the server's template goes as its exact token ids.
      prompt: this.server.ids(prompt + prefix) ?? prompt + prefix,
      n: opts.n,
      temperature: opts.temperature,
      max_tokens: opts.maxTokens,
      logprobs: 1,
    };
    if (opts.topP !== undefined) body.top_p = opts.topP;
    if (opts.stop?.length) body.stop = opts.stop;
    if (opts.seed !== undefined) body.seed = opts.seed;
    this.addExtras(body);
    const json = await this.withSignal(opts.signal, (signal) => this.post(body, signal));
    const parsed = parseSample(json);
    if (typeof parsed === 'string') {
      throw new PolicyError(`${this.baseURL} (${this.opts.model}): ${parsed}; sampling needs per-token logprobs on /v1/completions (vLLM, SGLang, llama.cpp server)`);
    }
    if (parsed.length !== opts.n) throw new PolicyError(`${this.baseURL}: asked for ${opts.n} continuations, got ${parsed.length}`);
    return parsed;
  }

  /** One request per item, all concurrently under the in-flight limit; the first failure stops the rest. */
  async score(batch: ScoreRequest[], opts: CallOptions = {}): Promise<ScoreResult[]> {
    if (batch.length === 0) return [];
    return this.withSignal(opts.signal, (signal, fail) =>
      Promise.all(
        batch.map((r) =>
          this.scoreOne(r, signal).catch((e: unknown) => {
            fail(e);
            throw e;
          }),
        ),
      ),
    );
  }

  /** The served model ids (/v1/models): for checking a configuration. */
  async models(opts: CallOptions = {}): Promise<string[]> {
    return this.withSignal(opts.signal, async (signal) => {
      const ids: string[] = [];
      try {
        for await (const m of this.client.models.list({ signal, timeout: this.timeoutMs })) ids.push(m.id);
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        const f = classify(e);
        throw new PolicyError(this.scrub(`${this.baseURL}: cannot list models: ${f.retry ? f.reason : `HTTP ${f.status}: ${f.message}`}`));
      }
      return ids;
    });
  }

  /** Aborts every call in flight (they reject with a PolicyError) and refuses new ones. */
  async close(): Promise<void> {
    this.closing.abort(new PolicyError(`${this.label} is closed`));
  }

  private async scoreOne(r: ScoreRequest, signal: AbortSignal): Promise<ScoreResult> {
    if (r.response === '') return { tokens: [] };
    for (;;) {
      if (this.scoreMode) {
        try {
          return { tokens: await this.scoreWith(this.scoreMode, r, signal) };
        } catch (e) {
          if (e instanceof Unsupported) throw new PolicyError(this.scrub(`${this.baseURL} (${this.opts.model}): cannot read the prompt logprobs (${this.scoreMode}): ${e.message}`));
          throw e;
        }
      }
      // The first request finds out how this server gives prompt logprobs; the others wait for it
      // rather than all probing (and failing) at once.
      if (this.probing) {
        await untilSettled(this.probing, signal);
        continue;
      }
      const probe = this.probe(r, signal);
      this.probing = probe;
      try {
        return { tokens: await probe };
      } finally {
        if (this.probing === probe) this.probing = undefined;
      }
    }
  }

  private async probe(r: ScoreRequest, signal: AbortSignal): Promise<TokenLogprob[]> {
    const why: string[] = [];
    for (const mode of ['echo', 'prompt_logprobs'] as const) {
      try {
        const tokens = await this.scoreWith(mode, r, signal);
        this.scoreMode = mode;
        return tokens;
      } catch (e) {
        // 400/422 is how strict servers refuse echo+logprobs (OpenAI) or an unknown parameter.
        if (e instanceof ServerRejectedError && (e.status === 400 || e.status === 422)) why.push(`${mode}: HTTP ${e.status} ${e.serverMessage}`);
        else if (e instanceof Unsupported) why.push(`${mode}: ${e.message}`);
        else throw e;
      }
    }
    throw new PolicyError(
      this.scrub(
        `${this.baseURL} (${this.opts.model}) does not return prompt logprobs (echo + logprobs or prompt_logprobs): ` +
          `perplexity scoring needs vLLM, SGLang or another server that does. The server answered: ${why.join('; ')}`,
      ),
    );
  }

  private async scoreWith(mode: ScoreMode, r: ScoreRequest, signal: AbortSignal): Promise<TokenLogprob[]> {
    // max_tokens 1, not 0: some vLLM versions reject 0, and one generated token (dropped by count)
    // costs next to nothing beside the prompt's prefill. Greedy, so the answer is deterministic.
    // Renders of the server's template go as their exact token ids, the response being those after the prompt's.
    const exact = this.server.exact(r.prompt, r.response);
    const body: Record<string, unknown> = { model: this.opts.model, prompt: exact?.ids ?? r.prompt + r.response, max_tokens: 1, temperature: 0 };
    if (mode === 'echo') Object.assign(body, { echo: true, logprobs: 1 });
    else body.prompt_logprobs = 1;
    this.addExtras(body);
    const json = await this.post(body, signal);
    const tokens = exact
      ? maskExact(mode === 'echo' ? echoTokens(json, 1) : promptLogprobTokens(json), exact)
      : mode === 'echo' ? parseEcho(json, r.response, 1) : parsePromptLogprobs(json, r.response);
    if (typeof tokens === 'string') throw new Unsupported(tokens);
    return tokens;
  }

  private addExtras(body: Record<string, unknown>): void {
    if (this.opts.addSpecialTokens !== undefined) body.add_special_tokens = this.opts.addSpecialTokens;
  }

  /**
   * POST /completions (or `send`, another request to the server) with our retries: each attempt
   * takes a slot of the in-flight limit (released while backing off) and its own abort controller,
   * so a timed-out or reset attempt is abandoned whole and only a successful answer is returned.
   */
  private async post(body: Record<string, unknown>, signal: AbortSignal, send = (s: AbortSignal) => this.complete(body, s)): Promise<unknown> {
    let last = '';
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      let wait: number | undefined;
      const release = await this.limiter.acquire(signal);
      try {
        return await this.attempt(send, signal);
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        if (e instanceof AttemptTimeout) {
          last = `no answer within ${this.timeoutMs / 1000} s`;
        } else {
          const f = classify(e);
          if (!f.retry) {
            const hint = f.status === 404 ? ' (is the base URL right? OpenAI-compatible servers usually end in /v1; is the model name served?)' : f.status === 401 || f.status === 403 ? ' (check the API key)' : '';
            throw new ServerRejectedError(this.scrub(`${this.baseURL} (${this.opts.model}) rejected the request: HTTP ${f.status}: ${f.message}${hint}`), f.status, this.scrub(f.message));
          }
          last = f.reason;
          if (f.retryAfterMs !== undefined) wait = Math.min(f.retryAfterMs, this.maxRetryAfterMs);
        }
      } finally {
        release();
      }
      if (attempt < this.maxRetries) await sleep(wait ?? backoffMs(attempt, this.retryBaseMs, 30_000), signal);
    }
    throw new PolicyError(this.scrub(`${this.baseURL} (${this.opts.model}): no answer after ${this.maxRetries + 1} attempt${this.maxRetries ? 's' : ''}; last: ${last}`));
  }

  private async attempt(send: (signal: AbortSignal) => Promise<unknown>, signal: AbortSignal): Promise<unknown> {
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    // Our own timer covers reading the body too (the client's stops at the headers).
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, this.timeoutMs);
    try {
      return await send(ctl.signal);
    } catch (e) {
      if (timedOut && !signal.aborted) throw new AttemptTimeout();
      throw e;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async complete(body: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    // Extra fields (prompt_logprobs, add_special_tokens) go through as they are in the body.
    const params = body as unknown as OpenAI.Completions.CompletionCreateParamsNonStreaming;
    return (await this.client.completions.create(params, { signal, timeout: this.timeoutMs, maxRetries: 0 })) as unknown;
  }

  /** Runs `fn` under a signal that aborts on the caller's signal, on close(), or via `fail`. */
  private async withSignal<T>(outer: AbortSignal | undefined, fn: (signal: AbortSignal, fail: (reason: unknown) => void) => Promise<T>): Promise<T> {
    if (this.closing.signal.aborted) throw this.closing.signal.reason;
    outer?.throwIfAborted();
    const ctl = new AbortController();
    // One listener per attempt or queued request: a big batch legitimately has many.
    setMaxListeners(0, ctl.signal);
    const sources = [outer, this.closing.signal].filter((s): s is AbortSignal => !!s);
    const listeners = sources.map((s) => {
      const l = (): void => ctl.abort(s.reason);
      s.addEventListener('abort', l, { once: true });
      return () => s.removeEventListener('abort', l);
    });
    try {
      return await fn(ctl.signal, (reason) => ctl.abort(reason));
    } finally {
      for (const remove of listeners) remove();
    }
  }

  /** The API key never leaves in a message, whatever the server echoed back. */
  private scrub(message: string): string {
    return this.secret ? message.split(this.secret).join('***') : message;
  }
}

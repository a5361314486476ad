// The policy behind an OpenAI-compatible server (vLLM, SGLang, llama.cpp server, Ollama, OpenAI).
// Everything goes through /v1/completions with the chat template rendered here (chatTemplate.ts),
// or, without a local template, by the server's own (vLLM's /tokenize, serverTemplate.ts):
// sampling continues `prompt + prefix` as plain text (a server render: its exact token ids), and
// scoring reads the prompt's own token logprobs (echo, or vLLM's prompt_logprobs). One in-flight
// limit per policy; retries, timeouts and cancellation are ours (the openai client never retries),
// so each logical request yields exactly one successful answer, used once.
//
// Nothing the server answers is taken on trust: a logprob no model gives (not finite, above 0,
// missing) makes the answer invalid; it is asked for once more, then the call fails with an
// InvalidLogprobsError. A server that fails request after request (or rejects the key) trips a
// circuit breaker: further calls fail at once with one EndpointUnavailableError naming its last
// error, instead of every sample of a run waiting out its retries. Credentials in the base URL
// (user info, `?api-key=…`) are used for the requests (endpointUrl.ts) and appear nowhere else.
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
import { echoTokens, impossibleLogprob, NO_LOGPROB, NO_SAMPLED_LOGPROB, parseEcho, parsePromptLogprobs, parseSample, promptLogprobTokens } from './logprobs';
import { backoffMs, classify, Semaphore, sleep } from './retry';
import { maskExact, postJson, serverRoot, ServerTemplate } from './serverTemplate';
import { parseEndpointUrl, redact, scrubUrl, type EndpointUrl } from './endpointUrl';

export type { ChatTemplateSource } from '../chatTemplate';

export interface RemotePolicyOptions {
  /**
   * The OpenAI-compatible base URL, usually ending in /v1 (http://localhost:8000/v1). User info
   * (`http://user:pw@host/v1`) is sent as HTTP Basic auth (in place of the API key's bearer token),
   * query parameters (`?api-key=…`) with every request; the id, label and messages show neither.
   */
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
   * Requests failing in a row (each after its retries) that trip the circuit breaker (default 8);
   * a 401 or 403, or a 404 on /completions, trips it at once. While it is open every call fails
   * at once with the server's last error.
   */
  breakerThreshold?: number;
  /** How long the breaker stays open before requests may try again (default 60 s; one more failure reopens it). */
  breakerCooldownMs?: number;
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

/** A 200 answer with logprobs no model gives: asked for once more, then an InvalidLogprobsError. */
class InvalidAnswer extends Error {}

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

/**
 * An HTTP error the server answered with, not worth retrying (400, 401, 404, 422, …). `fatal`
 * when it is about the endpoint, not the request (a rejected key, no such model): a run stops.
 */
export class ServerRejectedError extends PolicyError {
  constructor(message: string, readonly status: number, readonly serverMessage: string, readonly fatal = false) {
    super(message);
    this.name = 'ServerRejectedError';
  }
}

/** The circuit breaker is open: the server failed request after request, or rejected the key. A run stops. */
export class EndpointUnavailableError extends PolicyError {
  readonly fatal = true;
  constructor(message: string) {
    super(message);
    this.name = 'EndpointUnavailableError';
  }
}

/** The server answered logprobs no model gives (not finite, above 0, missing), twice. Fails the sample, not the run. */
export class InvalidLogprobsError extends PolicyError {
  readonly kind = 'invalid-logprobs';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidLogprobsError';
  }
}

export class RemotePolicy implements Policy {
  readonly id: string;
  readonly label: string;
  private readonly client: OpenAI;
  /** The base URL as it may be shown (endpointUrl.ts): credentials as ***. */
  private readonly display: string;
  /** What never appears in a message: the API key, the URL's credentials. */
  private readonly secrets: string[];
  private readonly breakerThreshold: number;
  private readonly breakerCooldownMs: number;
  /** Requests failed in a row (each after its retries); a successful answer resets it. */
  private failures = 0;
  /** The open breaker: since when, and the error every call fails with meanwhile. */
  private broken?: { at: number; message: string };
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
    let endpoint: EndpointUrl;
    try {
      url = new URL(opts.baseURL);
      endpoint = parseEndpointUrl(opts.baseURL);
    } catch {
      throw new PolicyError(`Not a URL: ${scrubUrl(opts.baseURL)} (expected the server's OpenAI-compatible base URL, e.g. http://localhost:8000/v1)`);
    }
    this.display = endpoint.display;
    this.secrets = [...new Set([...(opts.apiKey ? [opts.apiKey] : []), ...endpoint.secrets])].sort((a, b) => b.length - a.length);
    if (!opts.model) throw new PolicyError(`No model name for ${this.display}`);
    // Without credentials in the URL, display is the URL as given less trailing slashes: ids (and
    // the journals keyed by them) are those of earlier versions.
    this.id = `endpoint:${this.display}#${opts.model}`;
    this.label = `${opts.model} @ ${url.host}`;
    const maxInFlight = opts.maxInFlight ?? 8;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new PolicyError(`maxInFlight must be a positive integer, not ${maxInFlight}`);
    this.limiter = new Semaphore(maxInFlight);
    this.timeoutMs = opts.timeoutMs ?? 300_000;
    this.maxRetries = Math.max(0, opts.maxRetries ?? 5);
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 120_000;
    this.breakerThreshold = Math.max(1, opts.breakerThreshold ?? 8);
    this.breakerCooldownMs = opts.breakerCooldownMs ?? 60_000;
    this.secret = opts.apiKey || undefined;
    const hasQuery = Object.keys(endpoint.query).length > 0;
    this.client = new OpenAI({
      // fetch refuses a URL with user info, and the client appends paths after a query string:
      // both go separately (the Basic header overrides the client's bearer token).
      baseURL: endpoint.base,
      defaultHeaders: endpoint.basicAuth ? { Authorization: endpoint.basicAuth } : undefined,
      defaultQuery: hasQuery ? endpoint.query : undefined,
      // Local servers take any key; the client insists on one.
      apiKey: opts.apiKey || 'EMPTY',
      // Nothing from the environment (OPENAI_ORG_ID, …) goes to a third-party server.
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: this.timeoutMs,
      logLevel: 'off',
    });
    const root = serverRoot(endpoint.base);
    const auth = endpoint.basicAuth ?? (this.secret ? `Bearer ${this.secret}` : undefined);
    this.server = new ServerTemplate({
      model: opts.model,
      label: this.label,
      scrub: (m) => this.scrub(m),
      post: (path, body, signal) => this.post(body, signal, (s) => postJson(root + path, body, { authorization: auth, query: endpoint.query, signal: s }), true),
    });
  }

  /** While the circuit breaker is open, the error every call fails with (a run stops on it). */
  get unavailable(): EndpointUnavailableError | undefined {
    return this.broken ? new EndpointUnavailableError(this.broken.message) : undefined;
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
    return this.withSignal(opts.signal, (signal) =>
      this.validAnswer(
        () => this.post(body, signal),
        (json) => {
          const parsed = parseSample(json);
          if (parsed === NO_SAMPLED_LOGPROB) throw new InvalidAnswer(parsed);
          if (typeof parsed === 'string') {
            throw new PolicyError(this.scrub(`${this.display} (${this.opts.model}): ${parsed}; sampling needs per-token logprobs on /v1/completions (vLLM, SGLang, llama.cpp server)`));
          }
          if (parsed.length !== opts.n) throw new PolicyError(this.scrub(`${this.display}: asked for ${opts.n} continuations, got ${parsed.length}`));
          for (const c of parsed) {
            const bad = impossibleLogprob(c.tokens);
            if (bad) throw new InvalidAnswer(bad);
          }
          return parsed;
        },
      ),
    );
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
        throw new PolicyError(this.scrub(`${this.display}: cannot list models: ${f.retry ? f.reason : `HTTP ${f.status}: ${f.message}`}`));
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
          if (e instanceof Unsupported) throw new PolicyError(this.scrub(`${this.display} (${this.opts.model}): cannot read the prompt logprobs (${this.scoreMode}): ${e.message}`));
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
        `${this.display} (${this.opts.model}) does not return prompt logprobs (echo + logprobs or prompt_logprobs): ` +
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
    return this.validAnswer(
      () => this.post(body, signal),
      (json) => {
        const tokens = exact
          ? maskExact(mode === 'echo' ? echoTokens(json, 1) : promptLogprobTokens(json), exact)
          : mode === 'echo' ? parseEcho(json, r.response, 1) : parsePromptLogprobs(json, r.response);
        if (tokens === NO_LOGPROB) throw new InvalidAnswer(tokens);
        if (typeof tokens === 'string') throw new Unsupported(tokens);
        const bad = impossibleLogprob(tokens);
        if (bad) throw new InvalidAnswer(bad);
        return tokens;
      },
    );
  }

  /**
   * One answer read by `read`: an invalid one (InvalidAnswer) is asked for once more, as a new
   * request; invalid again, the call fails with an InvalidLogprobsError naming what was wrong.
   */
  private async validAnswer<T>(request: () => Promise<unknown>, read: (json: unknown) => T): Promise<T> {
    for (let asked = 1; ; asked++) {
      const json = await request();
      try {
        return read(json);
      } catch (e) {
        if (!(e instanceof InvalidAnswer)) throw e;
        if (asked >= 2) {
          throw new InvalidLogprobsError(this.scrub(`${this.display} (${this.opts.model}) answered impossible logprobs twice (a logprob is finite and at most 0): ${e.message}`));
        }
      }
    }
  }

  private addExtras(body: Record<string, unknown>): void {
    if (this.opts.addSpecialTokens !== undefined) body.add_special_tokens = this.opts.addSpecialTokens;
  }

  /**
   * POST /completions (or `send`, another request to the server) with our retries: each attempt
   * takes a slot of the in-flight limit (released while backing off) and its own abort controller,
   * so a timed-out or reset attempt is abandoned whole and only a successful answer is returned.
   */
  private async post(body: Record<string, unknown>, signal: AbortSignal, send = (s: AbortSignal) => this.complete(body, s), tokenizer = false): Promise<unknown> {
    let last = '';
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      let wait: number | undefined;
      const release = await this.limiter.acquire(signal);
      try {
        this.checkBreaker();
        const answer = await this.attempt(send, signal);
        this.failures = 0;
        return answer;
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        if (e instanceof EndpointUnavailableError) throw e;
        if (e instanceof AttemptTimeout) {
          last = `no answer within ${this.timeoutMs / 1000} s`;
        } else {
          const f = classify(e);
          if (!f.retry) {
            const hint = f.status === 404 ? ' (is the base URL right? OpenAI-compatible servers usually end in /v1; is the model name served?)' : f.status === 401 || f.status === 403 ? ' (check the API key)' : '';
            // A rejected key, or no such model or path, is the endpoint's: no other request can fare
            // better. (A 404 from /tokenize means no server template: ServerTemplate says so.)
            const fatal = f.status === 401 || f.status === 403 || (f.status === 404 && !tokenizer);
            const err = new ServerRejectedError(this.scrub(`${this.display} (${this.opts.model}) rejected the request: HTTP ${f.status}: ${f.message}${hint}`), f.status, this.scrub(f.message), fatal);
            if (fatal) this.trip(err.message);
            throw err;
          }
          last = this.scrub(f.reason);
          if (f.retryAfterMs !== undefined) wait = Math.min(f.retryAfterMs, this.maxRetryAfterMs);
        }
      } finally {
        release();
      }
      if (attempt < this.maxRetries) await sleep(wait ?? backoffMs(attempt, this.retryBaseMs, 30_000), signal);
    }
    const attempts = `${this.maxRetries + 1} attempt${this.maxRetries ? 's' : ''}`;
    if (++this.failures >= this.breakerThreshold) {
      throw this.trip(this.scrub(`${this.display} (${this.opts.model}): ${this.failures} requests in a row failed (each after ${attempts}), so no more are sent; the server's last error: ${last}`));
    }
    throw new PolicyError(this.scrub(`${this.display} (${this.opts.model}): no answer after ${attempts}; last: ${last}`));
  }

  /** Opens the circuit breaker: every call fails with `message` until the cool-down has passed. */
  private trip(message: string): EndpointUnavailableError {
    if (!this.broken) this.broken = { at: Date.now(), message };
    return new EndpointUnavailableError(this.broken.message);
  }

  /** Throws while the breaker is open; after the cool-down, lets requests through, one failure from reopening. */
  private checkBreaker(): void {
    if (!this.broken) return;
    if (Date.now() - this.broken.at < this.breakerCooldownMs) throw new EndpointUnavailableError(this.broken.message);
    this.broken = undefined;
    this.failures = this.breakerThreshold - 1;
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

  /** The API key and the URL's credentials never leave in a message, whatever the server echoed back. */
  private scrub(message: string): string {
    return redact(message, this.secrets);
  }
}

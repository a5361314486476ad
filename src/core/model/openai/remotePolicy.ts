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
// error, instead of every sample of a run waiting out its retries (the requests, their retries and
// the breaker are endpointClient.ts). Credentials in the base URL (user info, `?api-key=…`) are
// used for the requests (endpointUrl.ts) and appear nowhere else.
import { setMaxListeners } from 'node:events';
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
import { EndpointClient, type RequestOptions } from './endpointClient';
import { InvalidLogprobsError, ServerRejectedError, type EndpointUnavailableError } from './endpointErrors';
import { maskExact, postJson, serverRoot, ServerTemplate } from './serverTemplate';
import { parseEndpointUrl, scrubUrl, type EndpointUrl } from './endpointUrl';

export type { ChatTemplateSource } from '../chatTemplate';

export interface RemotePolicyOptions extends RequestOptions {
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

export class RemotePolicy implements Policy {
  readonly id: string;
  readonly label: string;
  /** The base URL as it may be shown (endpointUrl.ts): credentials as ***. */
  private readonly display: string;
  /** The requests to the server: in-flight limit, timeouts, retries, the circuit breaker. */
  private readonly requests: EndpointClient;
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
    const secrets = [...new Set([...(opts.apiKey ? [opts.apiKey] : []), ...endpoint.secrets])].sort((a, b) => b.length - a.length);
    if (!opts.model) throw new PolicyError(`No model name for ${this.display}`);
    // Without credentials in the URL, display is the URL as given less trailing slashes: ids (and
    // the journals keyed by them) are those of earlier versions.
    this.id = `endpoint:${this.display}#${opts.model}`;
    this.label = `${opts.model} @ ${url.host}`;
    this.requests = new EndpointClient({ endpoint, model: opts.model, apiKey: opts.apiKey, display: this.display, secrets }, opts);
    const root = serverRoot(endpoint.base);
    const auth = endpoint.basicAuth ?? (opts.apiKey ? `Bearer ${opts.apiKey}` : undefined);
    this.server = new ServerTemplate({
      model: opts.model,
      label: this.label,
      scrub: (m) => this.scrub(m),
      post: (path, body, signal) => this.requests.post(body, signal, (s) => postJson(root + path, body, { authorization: auth, query: endpoint.query, signal: s }), true),
    });
  }

  /** While the circuit breaker is open, the error every call fails with (a run stops on it). */
  get unavailable(): EndpointUnavailableError | undefined {
    return this.requests.unavailable;
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
        () => this.requests.post(body, signal),
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
    return this.withSignal(opts.signal, (signal) => this.requests.models(signal));
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
      () => this.requests.post(body, signal),
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
    return this.requests.scrub(message);
  }
}

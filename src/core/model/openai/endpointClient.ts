// The requests behind a RemotePolicy (remotePolicy.ts): the openai client (which never retries),
// the in-flight limit, a timer per attempt, our retries with backoff (retry.ts) and the circuit
// breaker. A server that fails request after request (or rejects the key) trips the breaker:
// further calls fail at once with one EndpointUnavailableError naming its last error, instead of
// every sample of a run waiting out its retries. Nothing leaves in a message with the API key or
// the URL's credentials in it (scrub).
import OpenAI from 'openai';
import { PolicyError } from '../policy';
import { EndpointUnavailableError, ServerRejectedError } from './endpointErrors';
import { redact, type EndpointUrl } from './endpointUrl';
import { sleep } from '../../async';
import { backoffMs, classify, Semaphore } from './retry';

/** How requests are limited, timed and retried (the options of RemotePolicy that govern them). */
export interface RequestOptions {
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
}

/** The server a client talks to, and how it is named in messages. */
export interface EndpointTarget {
  endpoint: EndpointUrl;
  /** The served model name. */
  model: string;
  /** Sent as a bearer token (unless the URL carries user info); never shown. */
  apiKey?: string;
  /** The base URL as it may be shown (endpointUrl.ts): credentials as ***. */
  display: string;
  /** What never appears in a message: the API key, the URL's credentials. */
  secrets: string[];
}

/** Our per-attempt timer fired (retried, unlike an abort by the caller). */
class AttemptTimeout extends Error {}

export class EndpointClient {
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly display: string;
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

  constructor(target: EndpointTarget, opts: RequestOptions) {
    const { endpoint } = target;
    this.model = target.model;
    this.display = target.display;
    this.secrets = target.secrets;
    const maxInFlight = opts.maxInFlight ?? 8;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new PolicyError(`maxInFlight must be a positive integer, not ${maxInFlight}`);
    this.limiter = new Semaphore(maxInFlight);
    this.timeoutMs = opts.timeoutMs ?? 300_000;
    this.maxRetries = Math.max(0, opts.maxRetries ?? 5);
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 120_000;
    this.breakerThreshold = Math.max(1, opts.breakerThreshold ?? 8);
    this.breakerCooldownMs = opts.breakerCooldownMs ?? 60_000;
    const hasQuery = Object.keys(endpoint.query).length > 0;
    this.client = new OpenAI({
      // fetch refuses a URL with user info, and the client appends paths after a query string:
      // both go separately (the Basic header overrides the client's bearer token).
      baseURL: endpoint.base,
      defaultHeaders: endpoint.basicAuth ? { Authorization: endpoint.basicAuth } : undefined,
      defaultQuery: hasQuery ? endpoint.query : undefined,
      // Local servers take any key; the client insists on one.
      apiKey: target.apiKey || 'EMPTY',
      // Nothing from the environment (OPENAI_ORG_ID, …) goes to a third-party server.
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: this.timeoutMs,
      logLevel: 'off',
    });
  }

  /** While the circuit breaker is open, the error every call fails with (a run stops on it). */
  get unavailable(): EndpointUnavailableError | undefined {
    return this.broken ? new EndpointUnavailableError(this.broken.message) : undefined;
  }

  /** The served model ids (/v1/models). */
  async models(signal: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const m of this.client.models.list({ signal, timeout: this.timeoutMs })) ids.push(m.id);
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      const f = classify(e);
      throw new PolicyError(this.scrub(`${this.display}: cannot list models: ${f.retry ? f.reason : `HTTP ${f.status}: ${f.message}`}`));
    }
    return ids;
  }

  /**
   * POST /completions (or `send`, another request to the server) with our retries: each attempt
   * takes a slot of the in-flight limit (released while backing off) and its own abort controller,
   * so a timed-out or reset attempt is abandoned whole and only a successful answer is returned.
   */
  async post(body: Record<string, unknown>, signal: AbortSignal, send = (s: AbortSignal) => this.complete(body, s), tokenizer = false): Promise<unknown> {
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
            const err = new ServerRejectedError(this.scrub(`${this.display} (${this.model}) rejected the request: HTTP ${f.status}: ${f.message}${hint}`), f.status, this.scrub(f.message), fatal);
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
      throw this.trip(this.scrub(`${this.display} (${this.model}): ${this.failures} requests in a row failed (each after ${attempts}), so no more are sent; the server's last error: ${last}`));
    }
    throw new PolicyError(this.scrub(`${this.display} (${this.model}): no answer after ${attempts}; last: ${last}`));
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

  /** The API key and the URL's credentials never leave in a message, whatever the server echoed back. */
  scrub(message: string): string {
    return redact(message, this.secrets);
  }
}

// Retry policy, backoff and the in-flight limit behind RemotePolicy. The openai client runs with
// maxRetries 0: every retry is ours, so each attempt holds a slot of our limit, is abortable, and a
// failed attempt's partial answer can never be mixed into a result.
import { APIError } from 'openai';

/** A counting semaphore whose waiters leave the queue when their signal aborts. */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  /** Resolves with a release function (idempotent) once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiters.shift()?.();
    };
  }
}

/**
 * Exponential backoff with jitter: attempt 0 waits base..base/2 and so on, capped. The jitter keeps
 * a burst of requests that failed together (a 503 from a restarting server) from retrying in step.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  const exp = Math.min(capMs, baseMs * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2);
}

/** The server's requested wait: `retry-after-ms` (OpenAI), `Retry-After` seconds or HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const ra = headers.get('retry-after');
  if (ra == null || ra.trim() === '') return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(ra);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

export type Failure =
  | { retry: true; reason: string; retryAfterMs?: number }
  | { retry: false; status: number; message: string };

/**
 * What to do with an attempt's error (aborts and our own timeouts are handled before this).
 * Retried: 429, 408 (a server-side timeout), 5xx, connection failures, and errors while reading the
 * body (a connection reset mid-answer surfaces as a plain TypeError from fetch). Other HTTP errors
 * (400, 401, 404, 422, …) fail at once: repeating the same request cannot change the answer.
 */
export function classify(err: unknown): Failure {
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const message = serverMessage(err);
    if (status === 429 || status === 408 || status >= 500) {
      return { retry: true, reason: `HTTP ${status}: ${message}`, retryAfterMs: retryAfterMs(err.headers) };
    }
    return { retry: false, status, message };
  }
  return { retry: true, reason: connectionReason(err) };
}

/** The server's own words: the openai client prefixes the status, which we report separately. */
function serverMessage(err: APIError): string {
  return err.message.replace(/^\d{3}\s+/, '').trim() || '(no message)';
}

/**
 * "Connection error. (connect ECONNREFUSED 127.0.0.1:8000)": the openai client's message plus the
 * cause underneath (the socket's code and words: ECONNREFUSED, ENOTFOUND, ECONNRESET, …), so that
 * the error says why. An answer that is not JSON (cut short, or Python's NaN) says so.
 */
function connectionReason(err: unknown): string {
  if (err instanceof SyntaxError) return `the answer is not valid JSON (${err.message})`;
  const msg = err instanceof Error ? err.message : String(err);
  let code: string | undefined;
  let inner: string | undefined;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') code = c;
    const m = (e as { message?: unknown }).message;
    if (depth > 0 && typeof m === 'string' && m && m !== 'fetch failed') inner = m;
    if (e instanceof SyntaxError) return `the answer is not valid JSON (${e.message})`;
    // fetch's cause, or the first of an AggregateError's (every address of a host refused).
    const next: unknown = (e as { cause?: unknown }).cause ?? (e as { errors?: unknown[] }).errors?.[0];
    e = next;
  }
  const detail = inner ? (code && !inner.includes(code) ? `${code}: ${inner}` : inner) : code;
  return detail && !msg.includes(detail) ? `${msg} (${detail})` : msg;
}

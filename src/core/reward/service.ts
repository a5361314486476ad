// The checker as a reward for online RL: a small HTTP JSON service (node:http, no dependency).
//
//   POST /v1/reward   [{"id", "completion"} | {"completion", "tools", "possible_answers" | "reference" | "accepted_answers", …}, …]
//     → 200 [{"score", "valid", "errors": [{kind, function, param, span, expected, got, message}],
//             "parts": {"format", "function", "parameter_names", "values"}}, …]   (in request order)
//   GET  /v1/health   → 200 {"ok": true, "dataset", "records"}
//
// `score` is the checker's partial credit in [-1, 1] (checkOutput), exactly what `itool check`
// reports for the same output and sample: both go through PredictionJudge. Errors are answered as
// {"error": {"code", "message", "item"?}} with a 4xx status, and never stop the service:
//   400 malformed_json / too_deep / invalid_request / too_many_items   401 unauthorized
//   404 not_found / unknown_id   405 method_not_allowed   413 too_large   422 invalid_item / unjudgeable
// A bad item fails its whole request (naming the item): a trainer must not train on a batch whose
// rewards are partly missing.
//
// Security: binds where it is told (the CLI defaults to 127.0.0.1); with a token every request
// must carry `Authorization: Bearer TOKEN` (compared in constant time; the token is never logged
// or echoed); request bodies are bounded and read with a deadline.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_NESTING, nestingExceeds } from '../dataset/recordIndexLimits';
import { checkOutput } from '../toolcall/check/index';
import type { CheckSources } from '../toolcall/checkSources';
import type { PredictionRow } from '../toolcall/predictions';
import type { Verdict } from '../toolcall/types';
import { inlineExpectation, isInline, ItemError } from './inline';
import { rewardParts, type RewardParts } from './parts';

export interface RewardServiceOptions {
  /** Where ids are looked up (a dataset, or a BFCL question folder); without it only inline items are served. */
  sources?: CheckSources;
  /** Required as `Authorization: Bearer TOKEN` when set. */
  token?: string;
  /** Largest request body, bytes (default 16 MiB). */
  maxBodyBytes?: number;
  /** Most items in one request (default 10,000). */
  maxItems?: number;
  /** One line per refused request (status, code, message); never holds the token or the body. */
  log?: (line: string) => void;
}

export interface RewardResult {
  score: number;
  valid: boolean;
  errors: { kind: string; function?: string; param?: string; span?: { start: number; end: number }; expected?: unknown; got?: unknown; message: string }[];
  parts: RewardParts;
}

/** A refusal: HTTP status, a stable code, a message for a person, and the item it concerns. */
export class RewardError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly item?: number,
  ) {
    super(message);
  }
}

const MiB = 1 << 20;

export function rewardResult(verdict: Verdict, parts: RewardParts): RewardResult {
  const errors = verdict.errors.map((e) => ({ kind: e.kind, function: e.function, param: e.param, span: e.span, expected: e.expected, got: e.got, message: e.message }));
  return { score: verdict.score, valid: verdict.valid, errors, parts };
}

/**
 * Rewards for a parsed request body, in order. Throws RewardError for a request or item that
 * cannot be scored. Synchronous: a batch is judged in one go (a few µs an item).
 */
export function scoreItems(body: unknown, opts: Pick<RewardServiceOptions, 'sources' | 'maxItems'> = {}): RewardResult[] {
  if (!Array.isArray(body)) throw new RewardError(400, 'invalid_request', `expected a JSON array of items ({"id", "completion"} or an inline sample), got ${body === null ? 'null' : typeof body === 'object' ? 'an object' : typeof body}`);
  const max = opts.maxItems ?? 10_000;
  if (body.length > max) throw new RewardError(400, 'too_many_items', `${body.length} items in one request; at most ${max}`);
  const out: RewardResult[] = [];
  for (let k = 0; k < body.length; k++) {
    const item: unknown = body[k];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new RewardError(422, 'invalid_item', `item ${k}: expected an object {"id", "completion"}`, k);
    const o = item as Record<string, unknown>;
    if (typeof o.completion !== 'string') throw new RewardError(422, 'invalid_item', `item ${k}: "completion" must be a string (the model's text)${o.completion === undefined ? ', and it is missing' : ''}`, k);
    if (isInline(o)) {
      let exp;
      try {
        exp = inlineExpectation(o);
      } catch (err) {
        if (err instanceof ItemError) throw new RewardError(422, 'invalid_item', `item ${k}: ${err.message}`, k);
        throw err;
      }
      const verdict = checkOutput(o.completion, exp);
      out.push(rewardResult(verdict, rewardParts(verdict, exp)));
      continue;
    }
    if (typeof o.id !== 'string' || !o.id) throw new RewardError(422, 'invalid_item', `item ${k}: give "id" (a sample of the served dataset) or the sample inline ("tools" with "possible_answers", "reference" or "accepted_answers")`, k);
    if (!opts.sources) throw new RewardError(404, 'unknown_id', `item ${k}: no dataset is served, so the id ${JSON.stringify(o.id)} names nothing: give the sample inline`, k);
    const judge = opts.sources.route(o.id);
    if (typeof judge === 'string') throw new RewardError(404, 'unknown_id', `item ${k}: ${judge}`, k);
    const row: PredictionRow = { id: o.id, output: o.completion, line: k + 1, field: 'output' };
    // Every sample of the served dataset is read when the service starts (openCheckSources 'all').
    const r = judge.judgeLoaded(row);
    if (!r || !r.verdict || !r.expectation) {
      const why = r?.problem ?? `the sample of ${JSON.stringify(o.id)} was not read`;
      throw new RewardError(r && r.index === undefined ? 404 : 422, r && r.index === undefined ? 'unknown_id' : 'unjudgeable', `item ${k}: ${why}`, k);
    }
    out.push(rewardResult(r.verdict, rewardParts(r.verdict, r.expectation)));
  }
  return out;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The request body as text, at most `max` bytes (RewardError 413 beyond). */
function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) return reject(new RewardError(413, 'too_large', `request body of ${declared} bytes; at most ${max}`));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > max) {
        failed = true;
        chunks.length = 0;
        reject(new RewardError(413, 'too_large', `request body over ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

/** The request handler (exported for tests that bring their own server). */
export function rewardHandler(opts: RewardServiceOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const max = opts.maxBodyBytes ?? 16 * MiB;
  const want = opts.token !== undefined ? digest(opts.token) : undefined;
  const log = opts.log ?? (() => undefined);
  const refuse = (req: IncomingMessage, res: ServerResponse, e: RewardError, headers: Record<string, string> = {}): void => {
    log(`${req.method ?? '?'} ${(req.url ?? '').slice(0, 80)} → ${e.status} ${e.code}: ${e.message.slice(0, 300)}`);
    send(res, e.status, { error: { code: e.code, message: e.message, ...(e.item !== undefined && { item: e.item }) } }, headers);
    // The rest of a refused upload is read and dropped, not buffered: a client that sends its
    // whole body before reading the answer (Python's http.client does) gets the answer instead of
    // a reset connection. requestTimeout bounds how long that can go on.
    if (!req.complete) req.resume();
  };

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (want) {
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!m || !timingSafeEqual(digest(m[1]), want)) {
        return refuse(req, res, new RewardError(401, 'unauthorized', m ? 'wrong bearer token' : 'this service needs "Authorization: Bearer TOKEN"'), { 'www-authenticate': 'Bearer' });
      }
    }
    if (path === '/v1/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(req, res, new RewardError(405, 'method_not_allowed', `${req.method} ${path}: use GET`), { allow: 'GET, HEAD' });
      return send(res, 200, { ok: true, dataset: opts.sources?.dataset ?? null, records: opts.sources?.records ?? 0 });
    }
    if (path !== '/v1/reward') return refuse(req, res, new RewardError(404, 'not_found', `no ${path} here: POST /v1/reward, GET /v1/health`));
    if (req.method !== 'POST') return refuse(req, res, new RewardError(405, 'method_not_allowed', `${req.method} ${path}: use POST with a JSON array`), { allow: 'POST' });
    // The body is read as JSON whatever its content-type says (`curl -d` sends a form type).
    readBody(req, max).then(
      (text) => {
        // Checked before parsing: the checker walks accepted values and schemas recursively.
        if (nestingExceeds(text, MAX_NESTING)) return refuse(req, res, new RewardError(400, 'too_deep', `the body nests deeper than ${MAX_NESTING} levels`));
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (err) {
          return refuse(req, res, new RewardError(400, 'malformed_json', `the body is not JSON: ${err instanceof Error ? err.message : String(err)}`));
        }
        try {
          send(res, 200, scoreItems(body, opts));
        } catch (err) {
          if (err instanceof RewardError) return refuse(req, res, err);
          // A bug of ours, not the client's: said as such, and the service goes on.
          log(`POST ${path} → 500: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          send(res, 500, { error: { code: 'internal', message: 'the reward could not be computed (a bug in itool: see its log)' } });
        }
      },
      (err: unknown) => {
        if (err instanceof RewardError) return refuse(req, res, err);
        // The client went away mid-upload: nobody to answer.
        req.socket.destroy();
      },
    );
  };
}

export interface RunningService {
  server: Server;
  /** `http://HOST:PORT` (the port the system gave when 0 was asked). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Start the service on `host:port`; resolves once it listens. */
export function startRewardService(opts: RewardServiceOptions & { host: string; port: number }): Promise<RunningService> {
  const server = createServer({ keepAliveTimeout: 30_000 }, rewardHandler(opts));
  // A slow or stuck client holds one socket for a bounded time, never the service.
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        server,
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

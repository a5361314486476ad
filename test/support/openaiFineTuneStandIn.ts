// A STAND-IN for OpenAI's fine-tuning API, for tests only. Real HTTP on 127.0.0.1 with the real
// request and response JSON of POST /v1/files (multipart), POST /v1/fine_tuning/jobs,
// GET /v1/fine_tuning/jobs/:id, GET /v1/fine_tuning/jobs/:id/events (cursor list, newest first,
// metrics events with data.step / total_steps / train_loss) and POST /v1/fine_tuning/jobs/:id/cancel,
// so the `openai` client works against it unchanged. Nothing is trained: a job's status follows
// the clock (validating_files → queued → running → succeeded) over configurable times. An uploaded
// file whose lines are not preference records (input / preferred_output / non_preferred_output)
// makes the job fail after validation with `invalid_training_file`, naming the line, as the
// service does. It checks the bearer key, answering 401 with the key echoed back (so a test can
// prove the key never reaches our messages), and records every request.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FineTuneStandInOptions {
  /** The bearer key the server accepts (default 'sk-standin-key'). */
  apiKey?: string;
  /** Time in each phase, ms (defaults: 100 validating, 0 queued, 400 running). */
  validatingMs?: number;
  queuedMs?: number;
  runningMs?: number;
  /** Steps the "training" reports in metrics events (default 10). */
  totalSteps?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** JSON bodies parsed; multipart uploads as { purpose, filename, bytes }. */
  body?: unknown;
}

interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: Buffer;
  createdAt: number;
}

interface Job {
  id: string;
  model: string;
  trainingFile: string;
  suffix: string | null;
  beta: number | 'auto';
  created: number;
  cancelledAt?: number;
  /** Set when the training file failed validation: the job fails once validation is over. */
  invalid?: { code: string; message: string; param: string };
  records: number;
}

interface FtEvent {
  id: string;
  object: 'fine_tuning.job.event';
  created_at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown>;
  type: 'message' | 'metrics';
}

export class OpenAIFineTuneStandIn {
  url = '';
  readonly requests: RecordedRequest[] = [];
  readonly files = new Map<string, StoredFile>();
  private readonly jobs = new Map<string, Job>();
  private readonly server: Server;
  private readonly apiKey: string;
  private readonly v: number;
  private readonly q: number;
  private readonly r: number;
  private readonly steps: number;

  private constructor(opts: FineTuneStandInOptions) {
    this.apiKey = opts.apiKey ?? 'sk-standin-key';
    this.v = opts.validatingMs ?? 100;
    this.q = opts.queuedMs ?? 0;
    this.r = opts.runningMs ?? 400;
    this.steps = opts.totalSteps ?? 10;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => send(res, 500, errorBody(`stand-in failure: ${err.message}`, 'server_error')));
    });
  }

  static async start(opts: FineTuneStandInOptions = {}): Promise<OpenAIFineTuneStandIn> {
    const s = new OpenAIFineTuneStandIn(opts);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}/v1`;
    return s;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const u = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    const rec: RecordedRequest = { method, path: u.pathname, query: Object.fromEntries(u.searchParams) };
    this.requests.push(rec);
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${this.apiKey}`) {
      // The key echoed in full: careless servers and proxies do this, and our messages must not repeat it.
      const key = auth.replace(/^Bearer /, '');
      return send(res, 401, errorBody(`Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key'));
    }
    const ct = req.headers['content-type'] ?? '';
    if (method === 'POST' && u.pathname === '/v1/files') {
      if (!ct.startsWith('multipart/form-data')) return send(res, 400, errorBody('Expected multipart/form-data', 'invalid_request_error'));
      const form = await new Request('http://stand-in/', { method: 'POST', headers: { 'content-type': ct }, body: raw }).formData();
      const file = form.get('file');
      const purpose = String(form.get('purpose') ?? '');
      if (!file || typeof file === 'string') return send(res, 400, errorBody("Missing required parameter: 'file'.", 'invalid_request_error', null, 'file'));
      const bytes = Buffer.from(await file.arrayBuffer());
      rec.body = { purpose, filename: file.name, bytes: bytes.length };
      if (!['fine-tune', 'batch', 'assistants', 'vision', 'user_data', 'evals'].includes(purpose)) {
        return send(res, 400, errorBody(`'${purpose}' is not one of ['fine-tune', 'assistants', 'batch', 'user_data', 'evals', 'vision'] - 'purpose'`, 'invalid_request_error', null, 'purpose'));
      }
      const f: StoredFile = { id: `file-${randomBytes(12).toString('hex')}`, filename: file.name, purpose, bytes, createdAt: now() };
      this.files.set(f.id, f);
      return send(res, 200, { id: f.id, object: 'file', bytes: bytes.length, created_at: f.createdAt, filename: f.filename, purpose, status: 'processed', status_details: null });
    }
    let body: Record<string, unknown> = {};
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(res, 400, errorBody('We could not parse the JSON body of your request.', 'invalid_request_error'));
      }
      rec.body = body;
    }
    if (method === 'POST' && u.pathname === '/v1/fine_tuning/jobs') return this.create(body, res);
    const m = /^\/v1\/fine_tuning\/jobs\/([^/]+)(\/events|\/cancel)?$/.exec(u.pathname);
    const job = m ? this.jobs.get(m[1]) : undefined;
    if (m && !job) return send(res, 404, errorBody(`Could not find fine tune: ${m[1]}`, 'invalid_request_error', 'fine_tune_not_found', 'fine_tune_id'));
    if (job && method === 'GET' && !m?.[2]) return send(res, 200, this.view(job));
    if (job && method === 'GET' && m?.[2] === '/events') return send(res, 200, this.eventPage(job, u.searchParams));
    if (job && method === 'POST' && m?.[2] === '/cancel') {
      const status = this.status(job).status;
      if (status === 'succeeded' || status === 'failed' || status === 'cancelled') {
        return send(res, 400, errorBody(`Job has already completed: status ${status}.`, 'invalid_request_error'));
      }
      job.cancelledAt = Date.now();
      return send(res, 200, this.view(job));
    }
    send(res, 404, errorBody(`Invalid URL (${method} ${u.pathname})`, 'invalid_request_error'));
  }

  private create(body: Record<string, unknown>, res: ServerResponse): void {
    if (typeof body.model !== 'string' || !body.model) return send(res, 400, errorBody("Missing required parameter: 'model'.", 'invalid_request_error', null, 'model'));
    const file = typeof body.training_file === 'string' ? this.files.get(body.training_file) : undefined;
    if (!file) return send(res, 400, errorBody(`invalid training_file: ${String(body.training_file)}`, 'invalid_request_error', null, 'training_file'));
    if (file.purpose !== 'fine-tune') return send(res, 400, errorBody(`File ${file.id} has purpose ${file.purpose}, not fine-tune`, 'invalid_request_error', null, 'training_file'));
    const method = (body.method ?? { type: 'supervised' }) as { type?: string; dpo?: { hyperparameters?: { beta?: number | 'auto' } } };
    if (method.type !== 'dpo' && method.type !== 'supervised') return send(res, 400, errorBody(`Invalid method type: ${String(method.type)}`, 'invalid_request_error', null, 'method'));
    const job: Job = {
      id: `ftjob-${randomBytes(12).toString('hex')}`,
      model: body.model,
      trainingFile: file.id,
      suffix: typeof body.suffix === 'string' ? body.suffix : null,
      beta: method.dpo?.hyperparameters?.beta ?? 'auto',
      created: Date.now(),
      records: 0,
    };
    const lines = file.bytes.toString('utf8').split('\n').filter((l) => l.trim());
    job.records = lines.length;
    const bad = method.type === 'dpo' ? lines.map(checkPreferenceLine).findIndex((e) => e !== undefined) : -1;
    if (bad >= 0) {
      job.invalid = {
        code: 'invalid_training_file',
        message: `The job failed due to an invalid training file. Invalid file format. Line ${bad + 1}, ${checkPreferenceLine(lines[bad])}`,
        param: 'training_file',
      };
    } else if (!lines.length) {
      job.invalid = { code: 'invalid_training_file', message: 'The job failed due to an invalid training file. The file is empty.', param: 'training_file' };
    }
    this.jobs.set(job.id, job);
    send(res, 200, this.view(job));
  }

  /** Where the job's clock puts it: status, steps done, when each phase ended. */
  private status(job: Job): { status: string; step: number; finished?: number } {
    const t = Math.min(Date.now(), job.cancelledAt ?? Infinity) - job.created;
    const runStart = this.v + this.q;
    const step = Math.max(0, Math.min(this.steps, Math.floor(((t - runStart) / this.r) * this.steps)));
    if (job.invalid && t >= this.v) return { status: 'failed', step: 0, finished: job.created + this.v };
    if (job.cancelledAt) return { status: 'cancelled', step: t >= runStart ? step : 0, finished: job.cancelledAt };
    if (t < this.v) return { status: 'validating_files', step: 0 };
    if (t < runStart) return { status: 'queued', step: 0 };
    if (t < runStart + this.r) return { status: 'running', step };
    return { status: 'succeeded', step: this.steps, finished: job.created + runStart + this.r };
  }

  private view(job: Job): unknown {
    const s = this.status(job);
    return {
      object: 'fine_tuning.job',
      id: job.id,
      model: job.model,
      created_at: Math.floor(job.created / 1000),
      finished_at: s.finished ? Math.floor(s.finished / 1000) : null,
      fine_tuned_model: s.status === 'succeeded' ? `ft:${job.model}:itool:${job.suffix ?? ''}:abc` : null,
      organization_id: 'org-standin',
      result_files: s.status === 'succeeded' ? ['file-result-standin'] : [],
      status: s.status,
      validation_file: null,
      training_file: job.trainingFile,
      hyperparameters: { batch_size: 'auto', learning_rate_multiplier: 'auto', n_epochs: 'auto' },
      trained_tokens: s.status === 'succeeded' ? job.records * 1000 : null,
      error: s.status === 'failed' ? job.invalid : null,
      user_provided_suffix: job.suffix,
      seed: 42,
      estimated_finish: s.status === 'running' || s.status === 'queued' ? Math.ceil((job.created + this.v + this.q + this.r) / 1000) : null,
      integrations: [],
      metadata: null,
      method: { type: 'dpo', dpo: { hyperparameters: { beta: job.beta, batch_size: 'auto', learning_rate_multiplier: 'auto', n_epochs: 'auto' } } },
    };
  }

  /** The events so far, oldest first, as the service words them. */
  private events(job: Job): FtEvent[] {
    const s = this.status(job);
    const out: FtEvent[] = [];
    const at = (ms: number): number => Math.floor(ms / 1000);
    const add = (message: string, ms: number, level: FtEvent['level'] = 'info', data: Record<string, unknown> = {}, type: FtEvent['type'] = 'message'): void => {
      out.push({ id: `ftevent-${job.id.slice(6, 14)}-${out.length}`, object: 'fine_tuning.job.event', created_at: at(ms), level, message, data, type });
    };
    add(`Created fine-tuning job: ${job.id}`, job.created);
    add(`Validating training file: ${job.trainingFile}`, job.created);
    if (s.status === 'failed') {
      add(job.invalid?.message ?? 'The job failed', job.created + this.v, 'error');
      return out;
    }
    if (s.status === 'validating_files') return out;
    if (s.status === 'cancelled' && (job.cancelledAt ?? 0) - job.created < this.v) {
      add('Fine-tuning job cancelled', job.cancelledAt ?? Date.now());
      return out;
    }
    add('Files validated, moving job to queued state', job.created + this.v);
    const runStart = job.created + this.v + this.q;
    if (s.status !== 'queued' && !(s.status === 'cancelled' && (job.cancelledAt ?? 0) < runStart)) add('Fine-tuning job started', runStart);
    for (let i = 1; i <= s.step; i++) {
      const loss = +(0.6931 * Math.exp(-i / this.steps)).toFixed(4);
      add(`Step ${i}/${this.steps}: training loss=${loss.toFixed(2)}`, runStart + (i / this.steps) * this.r, 'info',
        { step: i, train_loss: loss, total_steps: this.steps, train_mean_reward: +(i / this.steps).toFixed(3) }, 'metrics');
    }
    if (s.status === 'cancelled') add('Fine-tuning job cancelled', job.cancelledAt ?? Date.now());
    if (s.status === 'succeeded') {
      add(`Checkpoint created at step ${this.steps}`, s.finished ?? Date.now());
      add(`New fine-tuned model created: ft:${job.model}:itool:${job.suffix ?? ''}:abc`, s.finished ?? Date.now());
      add('The job has successfully completed', s.finished ?? Date.now());
    }
    return out;
  }

  /** A cursor page, newest first: `after` is the id of the last event of the previous page. */
  private eventPage(job: Job, q: URLSearchParams): unknown {
    const all = this.events(job).reverse();
    const limit = Math.max(1, Math.min(100, Number(q.get('limit') ?? 20)));
    const after = q.get('after');
    const from = after ? all.findIndex((e) => e.id === after) + 1 : 0;
    const data = all.slice(from, from + limit);
    return { object: 'list', data, has_more: from + limit < all.length };
  }
}

/** Why one line is not a preference record (undefined when it is one). */
function checkPreferenceLine(line: string): string | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return 'is not valid JSON';
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'is not a JSON object';
  const input = o.input as { messages?: unknown } | undefined;
  if (!input || typeof input !== 'object' || !Array.isArray(input.messages)) return 'key "input": must be an object with a "messages" array';
  for (const key of ['preferred_output', 'non_preferred_output']) {
    if (!Array.isArray(o[key]) || (o[key] as unknown[]).length === 0) return `key "${key}": must be a non-empty array of assistant messages`;
  }
  return undefined;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function errorBody(message: string, type: string, code: string | null = null, param: string | null = null): unknown {
  return { error: { message, type, param, code } };
}

function send(res: ServerResponse, status: number, json: unknown): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(json));
}

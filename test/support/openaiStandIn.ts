// A STAND-IN for an OpenAI-compatible model server (vLLM-like), for tests only. It speaks real HTTP
// on 127.0.0.1 with the real /v1/completions and /v1/models request and response JSON (logprobs
// {tokens, token_logprobs, text_offset, top_logprobs}, echo with the first prompt token's logprob
// null, vLLM's prompt_logprobs), but the "model" is a tiny deterministic bigram over a fixed
// vocabulary (StandInModel) whose numbers a test recomputes on its own. It is not a language model
// and not any real server: it only mirrors their wire behaviour, including the ways servers differ
// (OpenAI refusing echo + logprobs, llama.cpp ignoring echo, vLLM with prompt_logprobs), and it can
// misbehave on demand (429, 500, hangs, connection resets, JSON cut short, impossible logprobs)
// while counting what it receives. It can also sit behind credentials in the URL: user info as
// HTTP Basic auth and a key as a query parameter (`?api-key=…`), as proxies in front of vLLM do.
//
// Given a chat template (StandInOptions.chatTemplate) it also stands in for vLLM's tokenizer
// endpoints: `POST /tokenize` renders {messages, tools, add_generation_prompt, …} with that template
// (the project's own ChatTemplate, in place of vLLM's Python one) and answers the stand-in
// tokenizer's ids; `POST /detokenize` turns ids back into text; /v1/completions then takes a prompt
// given as those ids. Without a chat template those paths answer 404, as a server without them does.
import { mulberry32 } from '../../src/core/random';
import { ChatTemplate } from '../../src/core/model/chatTemplate';
import type { ChatMessage } from '../../src/core/model/policy';
import type { ToolDef } from '../../src/core/dataset/sample';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Multi-character pieces the tokenizer prefers (greedy longest match), specials included. */
const PIECES = ['<|im_start|>', '<|im_end|>', 'assistant', 'user', 'system', 'Hello', ' world', 'lo', 'he', ' the', 'ing', '{"name": "'];
const EOS = '<|im_end|>';
/** Tokens outside the core vocabulary (other characters) get this fixed logprob. */
export const OOV_LOGPROB = -12;

export interface StandInToken {
  text: string;
  id: number;
}

/** The stand-in's model: bigram logits from a hash, softmax over a ~110-token core vocabulary. */
export class StandInModel {
  readonly vocab: string[];
  private readonly index = new Map<string, number>();
  private readonly cache = new Map<string, Float64Array>();

  constructor(readonly seed = 7) {
    const chars = ['\n', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];
    this.vocab = [...PIECES, ...chars];
    this.vocab.forEach((t, i) => this.index.set(t, i));
  }

  get eos(): string {
    return EOS;
  }

  /** Greedy longest match over the pieces, else one code point (ids past the vocabulary for OOV). */
  tokenize(text: string): StandInToken[] {
    const out: StandInToken[] = [];
    for (let i = 0; i < text.length; ) {
      const piece = PIECES.filter((p) => text.startsWith(p, i)).sort((a, b) => b.length - a.length)[0];
      const t = piece ?? String.fromCodePoint(text.codePointAt(i) as number);
      out.push({ text: t, id: this.index.get(t) ?? 100_000 + (t.codePointAt(0) as number) });
      i += t.length;
    }
    return out;
  }

  /** The token of an id tokenize() gives (core vocabulary, or 100000 + the code point). */
  token(id: number): StandInToken | undefined {
    if (!Number.isInteger(id) || id < 0) return undefined;
    if (id < this.vocab.length) return { text: this.vocab[id], id };
    const cp = id - 100_000;
    return cp >= 0 && cp <= 0x10ffff ? { text: String.fromCodePoint(cp), id } : undefined;
  }

  /** Log-softmax over the core vocabulary after token `prev` ('' at the start). */
  logprobs(prev: string): Float64Array {
    let lp = this.cache.get(prev);
    if (lp) return lp;
    const logits = this.vocab.map((t) => (fnv1a(`${this.seed}\u0001${prev}\u0001${t}`) / 2 ** 32) * 8 - 4);
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
    lp = Float64Array.from(logits, (l) => l - lse);
    this.cache.set(prev, lp);
    return lp;
  }

  logprob(prev: string, token: string): number {
    const i = this.index.get(token);
    return i === undefined ? OOV_LOGPROB : this.logprobs(prev)[i];
  }

  /** 1 + the number of core tokens more likely than `token` (vLLM's rank). */
  rank(prev: string, token: string): number {
    const i = this.index.get(token);
    if (i === undefined) return this.vocab.length + 1;
    const lp = this.logprobs(prev);
    return 1 + lp.filter((v) => v > lp[i]).length;
  }

  /** The `k` most likely next tokens after `prev`, best first. */
  top(prev: string, k: number): { text: string; id: number; logprob: number }[] {
    const lp = this.logprobs(prev);
    return [...lp.keys()].sort((a, b) => lp[b] - lp[a]).slice(0, k).map((i) => ({ text: this.vocab[i], id: i, logprob: lp[i] }));
  }

  /** Samples the next token: softmax(logprob / temperature), nucleus `topP`; temperature 0 is greedy. */
  next(prev: string, temperature: number, topP: number, rand: () => number): string {
    const lp = this.logprobs(prev);
    const order = [...lp.keys()].sort((a, b) => lp[b] - lp[a]);
    if (temperature <= 0) return this.vocab[order[0]];
    const w = order.map((i) => Math.exp((lp[i] - lp[order[0]]) / temperature));
    const total = w.reduce((a, b) => a + b, 0);
    let keep = 0;
    for (let cum = 0; keep < w.length && cum < topP * total; keep++) cum += w[keep];
    const kept = w.slice(0, Math.max(1, keep));
    let r = rand() * kept.reduce((a, b) => a + b, 0);
    for (let j = 0; j < kept.length; j++) if ((r -= kept[j]) <= 0) return this.vocab[order[j]];
    return this.vocab[order[kept.length - 1]];
  }
}

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}


/** Python's len(): offsets count code points, as vLLM's text_offset does. */
const pyLen = (s: string): number => [...s].length;

/**
 * How the stand-in treats scoring requests: 'vllm' honours echo and prompt_logprobs; 'openai'
 * refuses echo + logprobs and unknown parameters with 400; 'llamacpp' ignores both (logprobs of the
 * generated tokens only); 'prompt-logprobs-only' refuses echo but answers prompt_logprobs.
 */
export type Flavor = 'vllm' | 'openai' | 'llamacpp' | 'prompt-logprobs-only';

export type Fault =
  | { kind: 'status'; status: number; message?: string; retryAfter?: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'reset-mid-body' }
  /** A complete 200 answer whose JSON body is cut in half (content-length matches what is sent). */
  | { kind: 'truncated' }
  /**
   * A 200 answer with one response token's logprob written as this JSON text: '-1e999' (which
   * JSON.parse reads as -Infinity), 'NaN' (what Python's json writes; not JSON), '1', 'null'. In an
   * echo answer the last prompt token; in prompt_logprobs the last position; else the first sampled.
   */
  | { kind: 'logprob'; json: string }
  /** Answered normally (a place in the queue: the faults after it hit later requests). */
  | { kind: 'none' };

/** A fault, and optionally a text the request's prompt must contain for it to apply (else any request). */
export type TargetedFault = Fault & { match?: string };

export interface StandInOptions {
  model?: string;
  flavor?: Flavor;
  /** Required as the bearer token when set (401 otherwise). */
  apiKey?: string;
  /** Error messages quote the request's Authorization header, as careless servers do. */
  leakAuthInErrors?: boolean;
  /** Latency of every completion answer. */
  delayMs?: number;
  modelSeed?: number;
  /**
   * The "server's own" chat template: with it the stand-in answers vLLM's /tokenize and /detokenize
   * (without it they are 404, as on a server that lacks them).
   */
  chatTemplate?: string;
  /** The special tokens the chat template refers to (bos_token, eos_token). */
  specialTokens?: Record<string, string>;
  /**
   * How a /tokenize error (a template that raises) is shaped: 'object' as vLLM's older
   * ErrorResponse {"object": "error", "message", "type", "code"} (the default), 'nested' as newer
   * vLLM's {"error": {"message", …}}, 'detail' as FastAPI's HTTPException {"detail"}.
   */
  tokenizeErrorShape?: 'object' | 'nested' | 'detail';
  /** Required as HTTP Basic auth ("user:password") when set (401 otherwise), as a proxy would. */
  basicAuth?: string;
  /** Query parameters every request must carry (401 otherwise), as `?api-key=…` gateways want. */
  requiredQuery?: Record<string, string>;
}

/** One request as the server saw it (any path). */
export interface SeenRequest {
  method: string;
  path: string;
  /** The raw query string, without '?'. */
  query: string;
  authorization: string;
}

export type TokenizerPath = '/tokenize' | '/detokenize';

export class OpenAIStandIn {
  readonly model: StandInModel;
  readonly modelName: string;
  /** Completion requests received (whole bodies read), faulty ones included. */
  received = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Completion requests whose client went away before the answer. */
  clientAborts = 0;
  /** Every completion request body, in arrival order. */
  bodies: Record<string, unknown>[] = [];
  /** Every /tokenize and /detokenize request, in arrival order (not counted in `received`). */
  tokenizerRequests: { path: TokenizerPath; body: Record<string, unknown> }[] = [];
  /** Latency of every completion answer (ms); may be changed between requests. */
  delayMs: number;
  /** Every request (all paths, refused ones included), in arrival order. */
  requests: SeenRequest[] = [];
  /** Faults served (queued or `failAll`, completions and tokenizer); not reset by resetCounters. */
  faultsServed = 0;
  /** While set, every completion request the queue has no fault for misbehaves this way. */
  failAll?: Fault;
  private readonly faults: TargetedFault[] = [];
  private readonly tokenizerFaults: Fault[] = [];
  private template?: ChatTemplate;
  private server!: Server;
  url = '';

  private constructor(readonly opts: StandInOptions) {
    this.model = new StandInModel(opts.modelSeed ?? 7);
    this.modelName = opts.model ?? 'stand-in-model';
    this.delayMs = opts.delayMs ?? 0;
    if (opts.chatTemplate !== undefined) this.template = ChatTemplate.fromText(opts.chatTemplate, opts.specialTokens ?? {}, "the stand-in server's chat template");
  }

  resetCounters(): void {
    this.received = 0;
    this.maxInFlight = this.inFlight;
    this.clientAborts = 0;
    this.bodies = [];
    this.tokenizerRequests = [];
    this.requests = [];
  }

  static async start(opts: StandInOptions = {}): Promise<OpenAIStandIn> {
    const s = new OpenAIStandIn(opts);
    s.server = createServer((req, res) => void s.handle(req, res));
    s.server.keepAliveTimeout = 60_000; // no idle-socket races in the counts
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}/v1`;
    return s;
  }

  /**
   * The next `count` completion requests misbehave this way (in order, after earlier faults); with
   * `on: 'tokenizer'`, the next /tokenize or /detokenize requests ('status' and 'reset' faults).
   */
  inject(fault: TargetedFault, count = 1, on: 'completions' | 'tokenizer' = 'completions'): void {
    for (let i = 0; i < count; i++) (on === 'tokenizer' ? this.tokenizerFaults : this.faults).push(fault);
  }

  /** Drops the faults still queued (for completions and the tokenizer); `failAll` stays as set. */
  clearFaults(): void {
    this.faults.length = 0;
    this.tokenizerFaults.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const auth = req.headers.authorization ?? '';
    const leak = this.opts.leakAuthInErrors ? ` [request had Authorization: ${auth}]` : '';
    const path = (req.url ?? '').replace(/\?.*$/, '');
    const query = /\?(.*)$/.exec(req.url ?? '')?.[1] ?? '';
    this.requests.push({ method: req.method ?? '', path, query, authorization: auth });
    if (this.opts.apiKey && auth !== `Bearer ${this.opts.apiKey}`) {
      return send(res, 401, errorBody(`Incorrect API key provided: ${auth.replace(/^Bearer /, '')}.${leak}`, 'invalid_request_error'));
    }
    if (this.opts.basicAuth && auth !== `Basic ${Buffer.from(this.opts.basicAuth).toString('base64')}`) {
      return send(res, 401, errorBody(`Basic authentication required${leak}`, 'invalid_request_error'), { 'www-authenticate': 'Basic realm="stand-in"' });
    }
    if (this.opts.requiredQuery) {
      const q = new URLSearchParams(query);
      const missing = Object.entries(this.opts.requiredQuery).find(([k, v]) => q.get(k) !== v);
      if (missing) return send(res, 401, errorBody(`Missing or wrong query parameter ${missing[0]} (url ${req.url ?? ''})${leak}`, 'invalid_request_error'));
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return send(res, 200, { object: 'list', data: [{ id: this.modelName, object: 'model', created: 0, owned_by: 'stand-in' }] });
    }
    if (this.template && req.method === 'POST' && (path === '/tokenize' || path === '/detokenize')) return this.tokenizer(path, chunks, req, res, leak);
    if (req.method !== 'POST' || path !== '/v1/completions') return send(res, 404, errorBody(`Not found: ${req.method} ${path}${leak}`, 'NotFoundError'));

    this.received++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let done = false;
    let resetByUs = false;
    res.on('close', () => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (!res.writableFinished && !resetByUs) this.clientAborts++;
    });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return send(res, 400, errorBody(`Invalid JSON body${leak}`, 'BadRequestError'));
    }
    this.bodies.push(body);

    const text = typeof body.prompt === 'string' ? body.prompt : Array.isArray(body.prompt) ? (body.prompt as number[]).map((id) => this.model.token(id)?.text ?? '').join('') : '';
    const at = this.faults.findIndex((f) => f.match === undefined || text.includes(f.match));
    const queued = at >= 0 ? this.faults.splice(at, 1)[0] : undefined;
    const fault: Fault | undefined = queued ?? this.failAll;
    if (fault && fault.kind !== 'none') this.faultsServed++;
    if (this.delayMs) {
      // Cut short when the client goes away, so no timer outlives the test.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.delayMs);
        res.once('close', () => (clearTimeout(t), resolve()));
      });
    }
    if (res.destroyed) return;
    if (fault?.kind === 'hang') return; // until the client gives up
    const reset = (): void => {
      resetByUs = true;
      req.socket.destroy();
    };
    if (fault?.kind === 'reset') return reset();
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      return send(res, fault.status, errorBody(`${fault.message ?? `Injected HTTP ${fault.status}`}${leak}`, 'InjectedError'), headers);
    }
    let answer: { status: number; json: unknown };
    try {
      answer = this.complete(body, leak);
    } catch (e) {
      answer = { status: 400, json: errorBody(`${(e as Error).message}${leak}`, 'BadRequestError') };
    }
    if (fault?.kind === 'reset-mid-body') {
      const text = JSON.stringify(answer.json);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      setTimeout(reset, 20);
      return;
    }
    if (fault?.kind === 'truncated') {
      const text = JSON.stringify(answer.json);
      const cut = text.slice(0, Math.floor(text.length / 2));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(cut)) });
      res.end(cut);
      return;
    }
    if (fault?.kind === 'logprob' && answer.status === 200) {
      const text = JSON.stringify(corruptLogprob(answer.json, body.echo === true)).split(JSON.stringify(RAW_LOGPROB)).join(fault.json);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
      return;
    }
    send(res, answer.status, answer.json);
  }

  /** The /v1/completions semantics (vLLM's, for the parts used here). */
  private complete(b: Record<string, unknown>, leak: string): { status: number; json: unknown } {
    const flavor = this.opts.flavor ?? 'vllm';
    if (b.model !== this.modelName) return { status: 404, json: errorBody(`The model \`${String(b.model)}\` does not exist.${leak}`, 'NotFoundError') };
    // vLLM takes a prompt as text or as a list of token ids (used as they are).
    let ptoks: StandInToken[];
    if (typeof b.prompt === 'string') ptoks = this.model.tokenize(b.prompt);
    else if (Array.isArray(b.prompt) && b.prompt.length && b.prompt.every((x) => typeof x === 'number')) {
      ptoks = (b.prompt as number[]).map((id) => {
        const t = this.model.token(id);
        if (!t) throw new Error(`Token id ${id} is out of vocabulary`);
        return t;
      });
    } else throw new Error('prompt must be a string or a list of token ids (this stand-in takes one prompt per request)');
    const prompt = ptoks.map((t) => t.text).join('');
    const n = (b.n as number | undefined) ?? 1;
    const maxTokens = (b.max_tokens as number | undefined) ?? 16;
    const logprobs = b.logprobs as number | null | undefined;
    let echo = b.echo === true;
    let promptLogprobs = b.prompt_logprobs as number | null | undefined;
    if (maxTokens < 0 || (maxTokens === 0 && !echo)) throw new Error('max_tokens must be at least 1');
    if (flavor === 'openai' && echo && logprobs != null) throw new Error("Setting 'echo' and 'logprobs' at the same time is not supported for this model.");
    if (flavor === 'openai' && promptLogprobs != null) throw new Error('Unrecognized request argument supplied: prompt_logprobs');
    if (flavor === 'prompt-logprobs-only' && echo) throw new Error('echo is not supported');
    if (flavor === 'llamacpp') {
      echo = false;
      promptLogprobs = undefined;
    }
    const stops = typeof b.stop === 'string' ? [b.stop] : Array.isArray(b.stop) ? (b.stop as string[]) : [];
    const temperature = (b.temperature as number | undefined) ?? 1;
    const topP = (b.top_p as number | undefined) ?? 1;
    const seed = typeof b.seed === 'number' ? b.seed : Math.floor(Math.random() * 2 ** 31);
    const m = this.model;
    const choices = [];
    let completionTokens = 0;
    for (let c = 0; c < n; c++) {
      const rand = mulberry32(fnv1a(`${seed}:${c}`));
      const gen: { text: string; logprob: number; prev: string }[] = [];
      let text = '';
      let finish = 'length';
      let prev = ptoks.length ? ptoks[ptoks.length - 1].text : '';
      while (gen.length < maxTokens) {
        const t = m.next(prev, temperature, topP, rand);
        gen.push({ text: t, logprob: m.logprob(prev, t), prev });
        prev = t;
        if (t === EOS) {
          finish = 'stop'; // the EOS token is in the logprobs, not in the text
          break;
        }
        text += t;
        const hit = stops.map((s) => text.indexOf(s)).filter((i) => i >= 0);
        if (hit.length) {
          text = text.slice(0, Math.min(...hit));
          finish = 'stop';
          break;
        }
      }
      completionTokens += gen.length;
      const rows = [
        ...(echo ? ptoks.map((t, i) => ({ text: t.text, logprob: i === 0 ? null : m.logprob(ptoks[i - 1].text, t.text), prev: i === 0 ? null : ptoks[i - 1].text })) : []),
        ...gen,
      ];
      let offset = 0;
      const lp = logprobs == null ? null : {
        tokens: rows.map((r) => r.text),
        token_logprobs: rows.map((r) => r.logprob),
        text_offset: rows.map((r) => ((offset += pyLen(r.text)), offset - pyLen(r.text))),
        top_logprobs: rows.map((r) => (r.prev === null ? null : Object.fromEntries([...m.top(r.prev, logprobs).map((t) => [t.text, t.logprob] as const), [r.text, r.logprob]]))),
      };
      choices.push({
        index: c,
        text: (echo ? prompt : '') + text,
        logprobs: lp,
        finish_reason: finish,
        stop_reason: null,
        prompt_logprobs: promptLogprobs == null ? null : this.promptLogprobs(ptoks),
      });
    }
    return {
      status: 200,
      json: {
        id: `cmpl-standin-${this.received}`,
        object: 'text_completion',
        created: Math.floor(Date.now() / 1000),
        model: this.modelName,
        choices,
        usage: { prompt_tokens: ptoks.length, completion_tokens: completionTokens, total_tokens: ptoks.length + completionTokens },
      },
    };
  }

  /** vLLM's /tokenize and /detokenize (the parts used here), for a stand-in given a chat template. */
  private tokenizer(path: TokenizerPath, chunks: Buffer[], req: IncomingMessage, res: ServerResponse, leak: string): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return send(res, 400, errorBody(`Invalid JSON body${leak}`, 'BadRequestError'));
    }
    this.tokenizerRequests.push({ path, body });
    const fault = this.tokenizerFaults.shift();
    if (fault && fault.kind !== 'none') this.faultsServed++;
    if (fault?.kind === 'reset' || fault?.kind === 'reset-mid-body') return void req.socket.destroy();
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      return send(res, fault.status, errorBody(`${fault.message ?? `Injected HTTP ${fault.status}`}${leak}`, 'InjectedError'), headers);
    }
    if (fault?.kind === 'hang') return;
    if (body.model !== this.modelName) return send(res, 404, errorBody(`The model \`${String(body.model)}\` does not exist.${leak}`, 'NotFoundError'));
    if (path === '/detokenize') {
      const ids = Array.isArray(body.tokens) ? (body.tokens as unknown[]) : [];
      const toks = ids.map((id) => this.model.token(id as number));
      if (toks.some((t) => !t)) return send(res, 400, this.tokenizeError(`Token id out of vocabulary${leak}`));
      return send(res, 200, { prompt: toks.map((t) => t?.text).join('') });
    }
    let text: string;
    if (Array.isArray(body.messages)) {
      const addGenerationPrompt = body.add_generation_prompt !== false; // vLLM's default: true
      const continueFinal = body.continue_final_message === true;
      if (addGenerationPrompt && continueFinal) return send(res, 400, this.tokenizeError('Cannot set both `continue_final_message` and `add_generation_prompt` to True.'));
      const tools = Array.isArray(body.tools) ? (body.tools as { function: ToolDef }[]).map((t) => t.function) : [];
      const messages = body.messages as ChatMessage[];
      try {
        text = (this.template as ChatTemplate).render(messages, tools, addGenerationPrompt);
      } catch (e) {
        // vLLM: create_error_response(f"{e} {e.__cause__}"), HTTP 400.
        return send(res, 400, this.tokenizeError(`${(e as Error).message} None${leak}`));
      }
      if (continueFinal) {
        const last = messages[messages.length - 1]?.content ?? '';
        const at = text.lastIndexOf(last);
        if (last && at >= 0) text = text.slice(0, at + last.length);
      }
    } else if (typeof body.prompt === 'string') {
      text = body.prompt;
    } else {
      return send(res, 400, this.tokenizeError('Either messages or prompt is required'));
    }
    const toks = this.model.tokenize(text);
    send(res, 200, { count: toks.length, max_model_len: 32768, tokens: toks.map((t) => t.id), token_strs: body.return_token_strs === true ? toks.map((t) => t.text) : null });
  }

  private tokenizeError(message: string): unknown {
    const shape = this.opts.tokenizeErrorShape ?? 'object';
    if (shape === 'nested') return { error: { message, type: 'BadRequestError', param: null, code: 400 } };
    if (shape === 'detail') return { detail: message };
    return { object: 'error', message, type: 'BadRequestError', param: null, code: 400 };
  }

  /** vLLM's shape: null, then {id: {logprob, rank, decoded_token}}, the top token listed first. */
  private promptLogprobs(ptoks: StandInToken[]): unknown[] {
    const m = this.model;
    return ptoks.map((t, i) => {
      if (i === 0) return null;
      const prev = ptoks[i - 1].text;
      const [top] = m.top(prev, 1);
      const entry: Record<string, unknown> = { [top.id]: { logprob: top.logprob, rank: 1, decoded_token: top.text } };
      if (top.text !== t.text) entry[t.id] = { logprob: m.logprob(prev, t.text), rank: m.rank(prev, t.text), decoded_token: t.text };
      return entry;
    });
  }
}

/** Stands for a logprob written as raw JSON text (see the 'logprob' fault). */
const RAW_LOGPROB = '\u0000raw-logprob\u0000';

/** The answer with one response token's logprob replaced by RAW_LOGPROB (see the 'logprob' fault). */
function corruptLogprob(json: unknown, echo: boolean): unknown {
  const answer = json as { choices: { logprobs: { token_logprobs: unknown[] } | null; prompt_logprobs: unknown[] | null }[]; usage: { prompt_tokens: number } };
  const c = answer.choices[0];
  if (c.prompt_logprobs?.length) {
    const last = c.prompt_logprobs[c.prompt_logprobs.length - 1] as Record<string, { logprob: unknown }>;
    for (const v of Object.values(last)) v.logprob = RAW_LOGPROB;
  } else if (c.logprobs) {
    // Echo: the prompt's tokens come first, the last of them ends the scored response.
    c.logprobs.token_logprobs[echo ? answer.usage.prompt_tokens - 1 : 0] = RAW_LOGPROB;
  }
  return json;
}

function errorBody(message: string, type: string): unknown {
  return { error: { message, type, param: null, code: null } };
}

function send(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

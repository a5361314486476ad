// The ONNX engine: InferenceSession + tokenizer, scoring and sampling. It runs inside the ONNX
// worker (worker.ts), never on the extension host's thread: onnxruntime-node's run() is
// synchronous native work, and tokenizing long prompts is not free either.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { PolicyError, type SampleOptions, type ScoreRequest } from '../policy';
import { packRight, planBatches, type Packed } from './batching';
import type { ModelDims } from './folder';
import { mulberry32 } from '../../random';
import { loadOnnxRuntime } from './runtime';
import { logSoftmaxAt, pickToken, rowSeed } from './sampling';

/**
 * onnxruntime-node, set by Engine.create (loadOnnxRuntime: a clear error where this build has no
 * binaries for the platform, telemetry applied first); everything below runs after it.
 */
let ort: typeof Ort;

export interface EngineInit {
  onnxPath: string;
  tokenizerPath: string;
  tokenizerConfig: Record<string, unknown>;
  dims: ModelDims;
  eosIds: number[];
  bosId?: number;
  padId?: number;
  executionProvider: 'cpu' | 'cuda';
  /** ONNX Runtime intra-op threads (default: its own choice, one per core). */
  threads?: number;
}

/** How score() groups sequences (see planBatches). */
export interface BatchLimits {
  maxBatch: number;
  maxTokens: number;
  maxCells?: number;
}

export interface EngineInfo {
  executionProvider: 'cpu' | 'cuda';
  warning?: string;
  hasKvCache: boolean;
  vocab: number;
}

/** Per-token results as typed arrays, so they cross the worker boundary by transfer. */
export interface TokensOut {
  ids: Int32Array;
  logprobs: Float64Array;
  texts: string[];
}
export interface ContinuationOut extends TokensOut {
  text: string;
  finishReason: 'stop' | 'length';
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export const CUDA_MISSING =
  'CUDA execution provider not available: onnxruntime-node was installed without its CUDA binaries (ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install) — running on CPU';

/** The CUDA EP ships as a separate download (onnxruntime-node's install script, on request). */
function cudaInstalled(): boolean {
  const be = ort.listSupportedBackends().find((b) => b.name === 'cuda');
  if (!be) return false;
  if (be.bundled) return true;
  const bin = join(dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  return ['libonnxruntime_providers_cuda.so', 'onnxruntime_providers_cuda.dll'].some((f) => existsSync(join(bin, f)));
}

const tokenContent = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : undefined;

export class Engine {
  private readonly eos: Set<number>;
  private readonly pastNames: string[];
  private readonly pastType: Ort.Tensor.Type;
  private readonly pastDims: [number, number];
  private readonly tokenText = new Map<number, string>();
  /** Prompts recur (one prompt, many responses): their tokenization is cached. */
  private readonly promptCache = new Map<string, number[]>();

  private constructor(
    readonly session: Ort.InferenceSession,
    readonly tokenizer: Tokenizer,
    private readonly init: EngineInit,
    readonly info: EngineInfo,
  ) {
    const eosToken = tokenContent(init.tokenizerConfig.eos_token);
    const eosId = eosToken === undefined ? undefined : tokenizer.token_to_id(eosToken);
    this.eos = new Set([...init.eosIds, ...(eosId === undefined ? [] : [eosId])]);
    this.pastNames = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
    const meta = session.inputMetadata.find((m) => m.name === this.pastNames[0]);
    this.pastType = (meta && meta.isTensor ? meta.type : 'float32') as Ort.Tensor.Type;
    // [batch, kv_heads, past_seq, head_dim]: the export's own numbers where it states them.
    const shape = meta && meta.isTensor ? meta.shape : [];
    const num = (d: unknown, fallback: number) => (typeof d === 'number' && d > 0 ? d : fallback);
    this.pastDims = [num(shape[1], init.dims.kvHeads), num(shape[3], init.dims.headDim)];
  }

  static async create(init: EngineInit): Promise<Engine> {
    ort = loadOnnxRuntime();
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(JSON.parse(readFileSync(init.tokenizerPath, 'utf8')), init.tokenizerConfig);
    } catch (err) {
      throw new PolicyError(`${init.tokenizerPath}: cannot load the tokenizer (${(err as Error).message})`);
    }
    let warning: string | undefined;
    let ep = init.executionProvider;
    if (ep === 'cuda' && !cudaInstalled()) {
      warning = CUDA_MISSING;
      ep = 'cpu';
    }
    const options = (provider: 'cpu' | 'cuda'): Ort.InferenceSession.SessionOptions => ({
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      ...(init.threads ? { intraOpNumThreads: init.threads } : {}),
    });
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(init.onnxPath, options(ep));
    } catch (err) {
      if (ep !== 'cuda') throw new PolicyError(`${init.onnxPath}: cannot load (${(err as Error).message})`);
      // Installed but unusable (no GPU, driver or CUDA/cuDNN libraries missing): CPU still works.
      warning = `CUDA execution provider failed to start (${(err as Error).message.split('\n')[0]}) — running on CPU`;
      ep = 'cpu';
      session = await ort.InferenceSession.create(init.onnxPath, options(ep)).catch((e: Error) => {
        throw new PolicyError(`${init.onnxPath}: cannot load (${e.message})`);
      });
    }
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name)) throw new PolicyError(`${init.onnxPath}: not a causal LM export (no ${name} input)`);
    }
    if (!session.outputNames.includes('logits')) throw new PolicyError(`${init.onnxPath}: not a causal LM export (no logits output)`);
    const logitsMeta = session.outputMetadata.find((m) => m.name === 'logits');
    const lastDim = logitsMeta?.isTensor ? logitsMeta.shape[logitsMeta.shape.length - 1] : undefined;
    const vocab = typeof lastDim === 'number' ? lastDim : (init.dims.vocab ?? 0);
    const hasKvCache = session.inputNames.some((n) => n.startsWith('past_key_values.'));
    return new Engine(session, tokenizer, init, { executionProvider: ep, warning, hasKvCache, vocab });
  }

  encode(text: string): number[] {
    // Chat templates write special tokens (and any BOS) as text: nothing is added here, as in
    // transformers' apply_chat_template(tokenize=True).
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  private encodePrompt(text: string): number[] {
    let ids = this.promptCache.get(text);
    if (!ids) {
      ids = this.encode(text);
      if (this.promptCache.size >= 256) this.promptCache.delete(this.promptCache.keys().next().value!);
      this.promptCache.set(text, ids);
    }
    return ids;
  }

  decode(ids: number[]): string {
    // Faithful text (no clean-up of spaces before punctuation): continuations are appended to
    // prompts and re-tokenized, so decode(encode(x)) must give x back.
    return ids.length ? this.tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) : '';
  }

  private text(id: number): string {
    let t = this.tokenText.get(id);
    if (t === undefined) this.tokenText.set(id, (t = this.decode([id])));
    return t;
  }

  private checkLength(n: number, what: string): void {
    const max = this.init.dims.maxPos;
    if (max && n > max) throw new PolicyError(`${what}: ${n} tokens exceed the model's max_position_embeddings (${max})`);
  }

  /**
   * Token ids of prompt+response and where the response's tokens start. The prompt's own
   * tokenization can merge across the boundary ("… t" + "he" → " the"), so the response starts
   * where tokenize(prompt) and tokenize(prompt+response) first differ.
   */
  prepareScore(r: ScoreRequest, index = 0): { ids: number[]; start: number } {
    if (!r.response) return { ids: [], start: 0 };
    const p = this.encodePrompt(r.prompt);
    const ids = this.encode(r.prompt + r.response);
    let k = 0;
    while (k < p.length && k < ids.length && p[k] === ids[k]) k++;
    if (k === ids.length) return { ids: [], start: 0 };
    if (k === 0) {
      // Nothing precedes the first response token: condition it on BOS where the model has one.
      if (this.init.bosId === undefined) throw new PolicyError('score: the first response token has nothing before it (empty prompt) and the model has no bos_token_id');
      ids.unshift(this.init.bosId);
      k = 1;
    }
    this.checkLength(ids.length, `score: request ${index}`);
    return { ids, start: k };
  }

  /** The batches score() runs, in order, with the requests each row belongs to. */
  planScore(items: ScoreRequest[], limits: BatchLimits): { seqs: { ids: number[]; start: number }[]; batches: { rows: number[]; packed: Packed }[] } {
    const seqs = items.map((r, i) => this.prepareScore(r, i));
    const groups = planBatches(seqs.map((s) => s.ids.length), limits.maxBatch, limits.maxTokens, limits.maxCells);
    const pad = this.init.padId ?? [...this.eos][0] ?? 0;
    return { seqs, batches: groups.map((rows) => ({ rows, packed: packRight(rows.map((i) => seqs[i].ids), pad) })) };
  }

  /** The feeds for one batch, past_key_values empty when the export has them. */
  feeds(p: { batch: number; seq: number; ids: BigInt64Array; mask: BigInt64Array; pos: BigInt64Array; past?: Record<string, Ort.Tensor> }, total = p.seq): Record<string, Ort.Tensor> {
    const f: Record<string, Ort.Tensor> = {
      input_ids: new ort.Tensor('int64', p.ids, [p.batch, p.seq]),
      attention_mask: new ort.Tensor('int64', p.mask, [p.batch, total]),
    };
    const names = this.session.inputNames;
    if (names.includes('position_ids')) f.position_ids = new ort.Tensor('int64', p.pos, [p.batch, p.seq]);
    if (names.includes('use_cache_branch')) f.use_cache_branch = new ort.Tensor('bool', Uint8Array.of(p.past ? 1 : 0), [1]);
    const [kvHeads, headDim] = this.pastDims;
    for (const name of this.pastNames) f[name] = p.past?.[name] ?? new ort.Tensor(this.pastType, emptyOf(this.pastType), [p.batch, kvHeads, 0, headDim]);
    return f;
  }

  async score(items: ScoreRequest[], limits: BatchLimits, cancelled: () => boolean): Promise<TokensOut[]> {
    const { seqs, batches } = this.planScore(items, limits);
    const out: TokensOut[] = seqs.map(() => ({ ids: new Int32Array(0), logprobs: new Float64Array(0), texts: [] }));
    for (const { rows, packed } of batches) {
      if (cancelled()) throw new CancelledError();
      const res = await this.session.run(this.feeds(packed), ['logits']);
      const logits = floats(res.logits);
      const V = res.logits.dims[2];
      rows.forEach((i, r) => {
        const { ids, start } = seqs[i];
        const n = ids.length - start;
        const o: TokensOut = { ids: new Int32Array(n), logprobs: new Float64Array(n), texts: new Array<string>(n) };
        for (let k = 0; k < n; k++) {
          const t = start + k;
          // Logits at t-1 predict the token at t.
          o.ids[k] = ids[t];
          o.logprobs[k] = logSoftmaxAt(logits, (r * packed.seq + t - 1) * V, V, ids[t]);
          o.texts[k] = this.text(ids[t]);
        }
        out[i] = o;
      });
    }
    return out;
  }

  /**
   * `n` continuations of prompt+prefix. The prompt is run once (batch 1), then the n rows decode
   * in one batch: with the export's KV cache one new token per row and step, else the whole
   * sequence again. Finished rows leave the batch. Logprobs are of the sampled token under the
   * model's own distribution (temperature 1, no top-p), the same numbers score() gives.
   */
  async sample(prompt: string, prefix: string, opts: SampleOptions, cancelled: () => boolean): Promise<ContinuationOut[]> {
    let context = this.encode(prompt + prefix);
    if (!context.length) {
      if (this.init.bosId === undefined) throw new PolicyError('sample: empty prompt and the model has no bos_token_id');
      context = [this.init.bosId];
    }
    this.checkLength(context.length, 'sample');
    const L = context.length;
    const maxPos = this.init.dims.maxPos ?? Infinity;
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
    const stops = (opts.stop ?? []).filter((s) => s.length > 0);
    const rows = Array.from({ length: opts.n }, (_, r) => ({
      rand: mulberry32(rowSeed(seed, r)),
      ids: [] as number[],
      logprobs: [] as number[],
      /** Length of the decoded text before each token, to cut tokens with the text at a stop. */
      starts: [] as number[],
      text: '',
      finish: undefined as 'stop' | 'length' | undefined,
    }));
    if (opts.maxTokens <= 0) rows.forEach((r) => (r.finish = 'length'));
    if (!rows.some((r) => !r.finish)) return rows.map(() => ({ text: '', ids: new Int32Array(0), logprobs: new Float64Array(0), texts: [], finishReason: 'length' }));

    // Prefill: batch 1; every row's first token comes from the same distribution.
    if (cancelled()) throw new CancelledError();
    let res = await this.session.run(this.feeds(packRight([context], 0)));
    let active = rows.map((_, i) => i).filter((i) => !rows[i].finish);
    /** For each active row, its row in the last run's output. */
    let source = active.map(() => 0);
    for (let step = 0; active.length; step++) {
      const logits = floats(res.logits);
      const [, S, V] = res.logits.dims;
      for (let a = 0; a < active.length; a++) {
        const row = rows[active[a]];
        const off = (source[a] * S + S - 1) * V;
        const tok = pickToken(logits, off, V, opts.temperature, opts.topP ?? 1, row.rand);
        if (this.eos.has(tok)) {
          row.finish = 'stop';
          continue;
        }
        row.starts.push(row.text.length);
        row.ids.push(tok);
        row.logprobs.push(logSoftmaxAt(logits, off, V, tok));
        row.text = this.decode(row.ids);
        const cut = firstStop(row.text, stops);
        if (cut >= 0) {
          row.text = row.text.slice(0, cut);
          // Tokens that begin before the cut stay (the last may straddle it).
          const keep = row.starts.findIndex((s) => s >= cut);
          if (keep >= 0) {
            row.ids.length = keep;
            row.logprobs.length = keep;
          }
          row.finish = 'stop';
        } else if (row.ids.length >= opts.maxTokens || L + row.ids.length > maxPos) {
          // The next step would feed this token at position L + length - 1: past the model's
          // positions, generation ends as at maxTokens.
          row.finish = 'length';
        }
      }
      const next = active.map((i, a) => ({ i, a })).filter(({ i }) => !rows[i].finish);
      if (!next.length) break;
      if (cancelled()) throw new CancelledError();
      const total = L + step + 1;
      const b = next.length;
      if (this.info.hasKvCache) {
        const last = BigInt64Array.from(next, ({ i }) => BigInt(rows[i].ids[step]));
        const past = gatherRows(res, this.pastNames, next.map(({ a }) => source[a]));
        res = await this.session.run(
          this.feeds({ batch: b, seq: 1, ids: last, mask: new BigInt64Array(b * total).fill(1n), pos: new BigInt64Array(b).fill(BigInt(total - 1)), past }, total),
        );
      } else {
        res = await this.session.run(this.feeds(packRight(next.map(({ i }) => [...context, ...rows[i].ids]), 0)));
      }
      active = next.map(({ i }) => i);
      source = next.map((_, k) => k);
    }
    return rows.map((r) => ({
      text: r.text,
      ids: Int32Array.from(r.ids),
      logprobs: Float64Array.from(r.logprobs),
      texts: r.ids.map((id) => this.text(id)),
      finishReason: r.finish ?? 'length',
    }));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function firstStop(text: string, stops: string[]): number {
  let cut = -1;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut;
}

function emptyOf(type: Ort.Tensor.Type): Ort.Tensor.DataType {
  return type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
}

/** The present.* outputs as the next step's past_key_values, rows picked (and repeated) by `rows`. */
function gatherRows(res: Ort.InferenceSession.OnnxValueMapType, pastNames: string[], rows: number[]): Record<string, Ort.Tensor> {
  const past: Record<string, Ort.Tensor> = {};
  for (const name of pastNames) {
    const t = res[name.replace('past_key_values.', 'present.')];
    const [B, ...rest] = t.dims;
    const data = t.data as Float32Array | Uint16Array;
    const size = data.length / B;
    const same = rows.length === B && rows.every((r, i) => r === i);
    let out = data;
    if (!same) {
      out = new (data.constructor as Float32ArrayConstructor)(rows.length * size);
      rows.forEach((r, i) => out.set(data.subarray(r * size, (r + 1) * size), i * size));
    }
    past[name] = new ort.Tensor(t.type as 'float32', out as Float32Array, [rows.length, ...rest]);
  }
  return past;
}

/** Logits as float32 (fp16 exports give them as raw halves). */
function floats(t: Ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type !== 'float16') throw new PolicyError(`logits of type ${t.type} are not supported`);
  const h = t.data as Uint16Array;
  const f = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const s = h[i] & 0x8000 ? -1 : 1;
    const e = (h[i] >> 10) & 0x1f;
    const m = h[i] & 0x3ff;
    f[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return f;
}

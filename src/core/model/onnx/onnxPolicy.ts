// Policy backed by a local ONNX export (Hugging Face / Optimum layout). The caller's thread only
// reads the folder's small JSON files and renders chat templates; tokenizing, inference and
// sampling run in a worker thread (worker.ts) that holds the InferenceSession.
import type { Worker } from 'node:worker_threads';
import type { ToolDef } from '../../dataset/sample';
import { PolicyError, type CallOptions, type ChatMessage, type Continuation, type Policy, type SampleOptions, type ScoreRequest, type ScoreResult } from '../policy';
import { ChatTemplate } from '../chatTemplate';
import type { BatchLimits, EngineInfo, TokensOut } from './engine';
import { folderLabel, readModelFolder, type ModelFolder } from './folder';
import type { WorkerReply, WorkerRequest, WorkerResult } from './protocol';
import { applyOnnxRuntimeTelemetry, checkOnnxRuntime, onnxRuntimeTelemetryAllowed } from './runtime';
import { startWorker } from '../../workers';

export interface OnnxPolicyOptions {
  /** 'cuda' falls back to 'cpu' (see `warning`) when onnxruntime-node has no CUDA binaries. */
  executionProvider?: 'cpu' | 'cuda';
  /** Sequences per score() forward pass (default 8). */
  maxBatch?: number;
  /** Padded tokens per score() forward pass; bounds the logits buffer (default: ~512 MB of logits, 256..16384). */
  maxBatchTokens?: number;
  /**
   * Attention cells (batch · seq²) per score() forward pass. Default on CPU 2^20 / heads (about
   * 4 MB of scores per head-layer, kept in cache; past that, batching long sequences is slower
   * than running them one by one); unbounded on CUDA.
   */
  maxBatchCells?: number;
  /** The file under onnx/ (default model.onnx). */
  modelFile?: string;
  /** ONNX Runtime intra-op threads (default: one per core). */
  threads?: number;
}

/**
 * The worker (dist/onnxWorker.js when built, worker.ts under tsx: src/core/workers.ts). The
 * telemetry choice goes into the environment first: the worker inherits a copy, and onnxruntime
 * reads the real one when the worker's first session starts it.
 */
function startOnnxWorker(): Worker {
  applyOnnxRuntimeTelemetry();
  const workerData = { onnxWorker: true, ortTelemetry: onnxRuntimeTelemetryAllowed() };
  return startWorker({ bundle: 'onnxWorker.js', source: 'model/onnx/worker.ts' }, workerData);
}

const abortError = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Request/response over the worker, with cancellation; keeps the process alive only while busy. */
class WorkerClient {
  private readonly worker = startOnnxWorker();
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private dead: Error | undefined;

  constructor() {
    this.worker.unref();
    this.worker.on('message', (m: WorkerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return; // cancelled on this side already
      this.settle(m.id);
      if (m.ok) p.resolve(m.value);
      else if (m.kind === 'policy') p.reject(new PolicyError(m.message));
      else p.reject(Object.assign(new Error(m.message), { stack: m.stack }));
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const [id, p] of this.pending) {
        this.settle(id);
        p.reject(err);
      }
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`ONNX worker exited with code ${code}`)));
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (!this.pending.size) this.worker.unref();
  }

  call<K extends keyof WorkerResult>(req: Request & { op: K }, signal?: AbortSignal): Promise<WorkerResult[K]> {
    if (this.dead) return Promise.reject(this.dead);
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const id = this.next++;
    return new Promise<WorkerResult[K]>((resolve, reject) => {
      const onAbort = () => {
        // Reject now; the worker stops at its next step and its late reply is dropped.
        this.settle(id);
        this.worker.postMessage({ id: 0, op: 'cancel', target: id } satisfies WorkerRequest);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => (done(), resolve(v as WorkerResult[K])),
        reject: (e) => (done(), reject(e)),
      });
      this.worker.ref();
      this.worker.postMessage({ ...req, id } as WorkerRequest);
    });
  }

  async terminate(): Promise<void> {
    this.dead ??= new Error('ONNX policy closed');
    await this.worker.terminate();
  }
}

function toTokens(o: TokensOut): { token: string; logprob: number }[] {
  return o.texts.map((token, k) => ({ token, logprob: o.logprobs[k] }));
}

export class OnnxPolicy implements Policy {
  readonly id: string;
  readonly label: string;
  /** Set when the requested execution provider could not be used (the policy still works). */
  readonly warning: string | undefined;
  /** The execution provider actually in use. */
  readonly executionProvider: 'cpu' | 'cuda';
  /** Whether the export has past_key_values (sample() then decodes incrementally). */
  readonly hasKvCache: boolean;
  private template: ChatTemplate | undefined;

  private constructor(
    private readonly folder: ModelFolder,
    private readonly client: WorkerClient,
    info: EngineInfo,
    /** How score() batches (options and their defaults, resolved). */
    readonly batchLimits: BatchLimits,
  ) {
    this.id = folder.id;
    this.executionProvider = info.executionProvider;
    this.label = `${folderLabel(folder)} (ONNX, ${info.executionProvider})`;
    this.warning = info.warning;
    this.hasKvCache = info.hasKvCache;
  }

  static async open(dir: string, opts: OnnxPolicyOptions = {}): Promise<OnnxPolicy> {
    // Before any worker: a build without onnxruntime for this platform says so in one sentence.
    checkOnnxRuntime();
    const folder = readModelFolder(dir, opts.modelFile);
    const client = new WorkerClient();
    let info: EngineInfo;
    try {
      info = await client.call({
        op: 'open',
        init: {
          onnxPath: folder.onnxPath,
          tokenizerPath: folder.tokenizerPath,
          tokenizerConfig: folder.tokenizerConfig,
          dims: folder.dims,
          eosIds: folder.eosIds,
          bosId: folder.bosId,
          padId: folder.padId,
          executionProvider: opts.executionProvider ?? 'cpu',
          threads: opts.threads,
        },
      });
    } catch (err) {
      await client.terminate();
      throw err;
    }
    const vocab = info.vocab || folder.dims.vocab || 32000;
    const limits: BatchLimits = {
      maxBatch: Math.max(1, opts.maxBatch ?? 8),
      maxTokens: opts.maxBatchTokens ?? Math.min(16384, Math.max(256, Math.floor(2 ** 29 / (4 * vocab)))),
      maxCells: opts.maxBatchCells ?? (info.executionProvider === 'cpu' ? Math.floor(2 ** 20 / folder.dims.heads) : Infinity),
    };
    return new OnnxPolicy(folder, client, info, limits);
  }

  async chatTemplate(messages: ChatMessage[], tools: ToolDef[], opts: { addGenerationPrompt?: boolean } = {}): Promise<string> {
    // The same renderer the endpoint backend uses (transformers' apply_chat_template inputs).
    this.template ??= ChatTemplate.fromConfig(
      this.folder.tokenizerConfig,
      this.folder.chatTemplatePath,
      typeof this.folder.chatTemplate === 'string' && this.folder.chatTemplatePath.endsWith('.jinja') ? this.folder.chatTemplate : undefined,
    );
    return this.template.render(messages, tools, !!opts.addGenerationPrompt);
  }

  async score(batch: ScoreRequest[], opts: CallOptions = {}): Promise<ScoreResult[]> {
    if (!batch.length) return [];
    const out = await this.client.call({ op: 'score', items: batch, limits: this.batchLimits }, opts.signal);
    return out.map((o) => ({ tokens: toTokens(o) }));
  }

  async sample(prompt: string, prefix: string, opts: SampleOptions & CallOptions): Promise<Continuation[]> {
    const { signal, ...sampling } = opts;
    const out = await this.client.call({ op: 'sample', prompt, prefix, opts: sampling }, signal);
    return out.map((o) => ({ text: o.text, tokens: toTokens(o), finishReason: o.finishReason }));
  }

  async close(): Promise<void> {
    await this.client.call({ op: 'close' }).catch(() => undefined);
    await this.client.terminate();
  }
}

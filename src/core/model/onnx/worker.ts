// The ONNX worker thread: holds the InferenceSession and tokenizer (engine.ts) so that inference,
// synchronous native work in onnxruntime-node, never blocks the caller's thread. Bundled as
// dist/onnxWorker.js; under tsx it is loaded from source (see startOnnxWorker in onnxPolicy.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { PolicyError } from '../policy';
import { CancelledError, Engine, type TokensOut } from './engine';
import type { WorkerReply, WorkerRequest } from './protocol';
import { setOnnxRuntimeTelemetry } from './runtime';

function transferables(outs: TokensOut[]): ArrayBuffer[] {
  return outs.flatMap((o) => [o.ids.buffer as ArrayBuffer, o.logprobs.buffer as ArrayBuffer]);
}

export function serveOnnx(port: NonNullable<typeof parentPort>): void {
  let engine: Engine | undefined;
  const cancelled = new Set<number>();
  // Requests run strictly in order; ids grow, so a cancel for an id at or below this is stale.
  let lastDone = 0;
  let queue = Promise.resolve();

  const handle = async (req: Exclude<WorkerRequest, { op: 'cancel' }>): Promise<void> => {
    const isCancelled = () => cancelled.has(req.id);
    try {
      if (isCancelled()) throw new CancelledError();
      if (req.op === 'open') {
        engine = await Engine.create(req.init);
        port.postMessage({ id: req.id, ok: true, value: engine.info } satisfies WorkerReply);
        return;
      }
      if (req.op === 'close') {
        await engine?.dispose();
        engine = undefined;
        port.postMessage({ id: req.id, ok: true, value: null } satisfies WorkerReply);
        return;
      }
      if (!engine) throw new Error('ONNX worker: no model open');
      const value =
        req.op === 'score'
          ? await engine.score(req.items, req.limits, isCancelled)
          : await engine.sample(req.prompt, req.prefix, req.opts, isCancelled);
      port.postMessage({ id: req.id, ok: true, value } satisfies WorkerReply, transferables(value));
    } catch (err) {
      const e = err as Error;
      const kind = err instanceof CancelledError ? 'cancelled' : err instanceof PolicyError ? 'policy' : 'error';
      port.postMessage({ id: req.id, ok: false, kind, message: e?.message ?? String(err), stack: e?.stack } satisfies WorkerReply);
    } finally {
      cancelled.delete(req.id);
      lastDone = req.id;
    }
  };

  port.on('message', (req: WorkerRequest) => {
    if (req.op === 'cancel') {
      if (req.target > lastDone) cancelled.add(req.target);
      return;
    }
    queue = queue.then(() => handle(req));
  });
}

if (parentPort && workerData?.onnxWorker) {
  // This thread's copy of runtime.ts starts with telemetry not allowed; the parent's choice (already
  // in the environment this worker inherited) is what loadOnnxRuntime checks against.
  setOnnxRuntimeTelemetry(workerData.ortTelemetry === true);
  serveOnnx(parentPort);
}

// Messages between OnnxPolicy (caller's thread) and the ONNX worker. Requests are handled one at a
// time, in order; `cancel` is handled on arrival, between the engine's steps. Replies carry
// per-token results as typed arrays, moved (transfer list), not copied.
import type { SampleOptions, ScoreRequest } from '../policy';
import type { BatchLimits, ContinuationOut, EngineInfo, EngineInit, TokensOut } from './engine';

export type WorkerRequest =
  | { id: number; op: 'open'; init: EngineInit }
  | { id: number; op: 'score'; items: ScoreRequest[]; limits: BatchLimits }
  | { id: number; op: 'sample'; prompt: string; prefix: string; opts: SampleOptions }
  | { id: number; op: 'cancel'; target: number }
  | { id: number; op: 'close' };

export type WorkerResult = { open: EngineInfo; score: TokensOut[]; sample: ContinuationOut[]; close: null };

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  /** `policy`: a PolicyError (shown as is); `cancelled`: stopped by a cancel request. */
  | { id: number; ok: false; kind: 'policy' | 'cancelled' | 'error'; message: string; stack?: string };

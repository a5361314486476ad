// Random weights for the tiny test transformers (testModels.ts): a seeded PRNG, so the ONNX export
// and the plain-TypeScript reference (reference.ts) are built from the very same numbers.
// Matrices are row-major [in, out], the layout ONNX MatMul(x, W) wants.
import { mulberry32 } from '../../random';

export interface TinyConfig {
  vocab: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  layers: number;
  /** MLP width (SwiGLU: gate and up are [hidden, ffn], down is [ffn, hidden]). */
  ffn: number;
  maxPos: number;
  eps: number;
}

export interface TinyLayer {
  attnNorm: Float32Array;
  wq: Float32Array;
  wk: Float32Array;
  wv: Float32Array;
  wo: Float32Array;
  mlpNorm: Float32Array;
  wGate: Float32Array;
  wUp: Float32Array;
  wDown: Float32Array;
}

export interface TinyWeights {
  config: TinyConfig;
  /** [vocab, hidden] */
  embed: Float32Array;
  /** Learned positions, [maxPos, hidden]. */
  pos: Float32Array;
  layers: TinyLayer[];
  finalNorm: Float32Array;
  /** [hidden, vocab] (untied from the embedding). */
  lmHead: Float32Array;
}

export function makeTinyWeights(config: TinyConfig, seed: number): TinyWeights {
  const rand = mulberry32(seed);
  // Box–Muller; one normal per call keeps it simple (speed is irrelevant at these sizes).
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const mat = (n: number, std: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = normal() * std;
    return a;
  };
  const norm = (n: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = 1 + 0.1 * normal();
    return a;
  };
  const { vocab: V, hidden: H, heads, kvHeads, headDim: D, ffn: F, layers: L, maxPos } = config;
  const s = (fanIn: number) => 1 / Math.sqrt(fanIn);
  const w: TinyWeights = {
    config,
    embed: mat(V * H, 1),
    pos: mat(maxPos * H, 0.5),
    layers: [],
    finalNorm: new Float32Array(0),
    lmHead: new Float32Array(0),
  };
  for (let l = 0; l < L; l++) {
    w.layers.push({
      attnNorm: norm(H),
      wq: mat(H * heads * D, s(H)),
      wk: mat(H * kvHeads * D, s(H)),
      wv: mat(H * kvHeads * D, s(H)),
      wo: mat(heads * D * H, s(heads * D)),
      mlpNorm: norm(H),
      wGate: mat(H * F, s(H)),
      wUp: mat(H * F, s(H)),
      wDown: mat(F * H, s(F)),
    });
  }
  w.finalNorm = norm(H);
  // Logits with a standard deviation of about 2: peaked enough that greedy choices have clear
  // margins (cache vs no-cache comparisons must not hinge on float noise), flat enough to sample.
  w.lmHead = mat(H * V, 2 * s(H));
  return w;
}

export function parameterCount(w: TinyWeights): number {
  let n = w.embed.length + w.pos.length + w.finalNorm.length + w.lmHead.length;
  for (const l of w.layers) for (const a of Object.values(l)) n += (a as Float32Array).length;
  return n;
}

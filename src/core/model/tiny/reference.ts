// The tiny test transformer's forward pass in plain TypeScript (float64 arithmetic, no ONNX), from
// the same weights the export was written from: tests check the ONNX path's numbers against it.
// One unpadded sequence at a time, no cache: the simplest code that is obviously the network.
import type { TinyWeights } from './weights';

/** y[out] = x[in] · W[in, out] */
function matvec(x: Float64Array, w: Float32Array, nIn: number, nOut: number): Float64Array {
  const y = new Float64Array(nOut);
  for (let i = 0; i < nIn; i++) {
    const xi = x[i];
    const row = i * nOut;
    for (let o = 0; o < nOut; o++) y[o] += xi * w[row + o];
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  const r = Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => (v / r) * w[i]);
}

/** Logits at every position of `ids`, [ids.length][vocab]. */
export function referenceLogits(w: TinyWeights, ids: number[]): Float64Array[] {
  const { hidden: H, heads, kvHeads, headDim: D, vocab: V, ffn: F, eps } = w.config;
  const group = heads / kvHeads;
  const h = ids.map((id, t) => {
    const x = new Float64Array(H);
    for (let i = 0; i < H; i++) x[i] = w.embed[id * H + i] + w.pos[t * H + i];
    return x;
  });
  for (const layer of w.layers) {
    const n1 = h.map((x) => rmsNorm(x, layer.attnNorm, eps));
    const q = n1.map((x) => matvec(x, layer.wq, H, heads * D));
    const k = n1.map((x) => matvec(x, layer.wk, H, kvHeads * D));
    const v = n1.map((x) => matvec(x, layer.wv, H, kvHeads * D));
    for (let t = 0; t < ids.length; t++) {
      const att = new Float64Array(heads * D);
      for (let hd = 0; hd < heads; hd++) {
        const kv = Math.floor(hd / group) * D;
        // Causal: position t sees 0..t.
        const scores = Array.from({ length: t + 1 }, (_, j) => {
          let s = 0;
          for (let d = 0; d < D; d++) s += q[t][hd * D + d] * k[j][kv + d];
          return s / Math.sqrt(D);
        });
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= t; j++) for (let d = 0; d < D; d++) att[hd * D + d] += (e[j] / z) * v[j][kv + d];
      }
      const o = matvec(att, layer.wo, heads * D, H);
      for (let i = 0; i < H; i++) h[t][i] += o[i];
    }
    for (let t = 0; t < ids.length; t++) {
      const n2 = rmsNorm(h[t], layer.mlpNorm, eps);
      const g = matvec(n2, layer.wGate, H, F);
      const u = matvec(n2, layer.wUp, H, F);
      const a = g.map((x, i) => (x / (1 + Math.exp(-x))) * u[i]);
      const m = matvec(a, layer.wDown, F, H);
      for (let i = 0; i < H; i++) h[t][i] += m[i];
    }
  }
  return h.map((x) => matvec(rmsNorm(x, w.finalNorm, eps), w.lmHead, H, V));
}

/** log p(ids[t] | ids[<t]) for t = from .. ids.length-1 (from ≥ 1). */
export function referenceLogprobs(w: TinyWeights, ids: number[], from: number): number[] {
  const logits = referenceLogits(w, ids);
  const out: number[] = [];
  for (let t = from; t < ids.length; t++) {
    const l = logits[t - 1];
    let m = -Infinity;
    for (const v of l) m = Math.max(m, v);
    let z = 0;
    for (const v of l) z += Math.exp(v - m);
    out.push(l[ids[t]] - m - Math.log(z));
  }
  return out;
}

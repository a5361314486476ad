// Token-level math for the ONNX engine: log-softmax at one position, seeded sampling with
// temperature and nucleus (top-p) filtering. Logits arrive as one flat [.., vocab] array.


/** A well-mixed per-row seed, so rows of one call (and neighbouring seeds) are unrelated streams. */
export function rowSeed(seed: number, row: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(row + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * log softmax(logits[off .. off+vocab))[token] in float64, as -log Σ exp(l_i - l_token): one pass
 * of exp instead of a max pass and an exp pass (this runs once per scored token over the whole
 * vocabulary). The token's own term is 1, so the sum cannot underflow; it overflows only when
 * some logit exceeds the token's by more than ~709, and then the max-shifted form takes over.
 */
export function logSoftmaxAt(logits: Float32Array, off: number, vocab: number, token: number): number {
  const lt = logits[off + token];
  let z = 0;
  for (let i = off; i < off + vocab; i++) z += Math.exp(logits[i] - lt);
  if (Number.isFinite(z)) return -Math.log(z);
  let m = -Infinity;
  for (let i = off; i < off + vocab; i++) if (logits[i] > m) m = logits[i];
  z = 0;
  for (let i = off; i < off + vocab; i++) z += Math.exp(logits[i] - m);
  return lt - m - Math.log(z);
}

/**
 * Picks a token from logits[off .. off+vocab): greedy (argmax, lowest id on ties) when
 * temperature ≤ 0, else from softmax(logits / temperature) restricted to the smallest set of
 * most likely tokens whose mass reaches topP.
 */
export function pickToken(logits: Float32Array, off: number, vocab: number, temperature: number, topP: number, rand: () => number): number {
  let best = 0;
  for (let i = 1; i < vocab; i++) if (logits[off + i] > logits[off + best]) best = i;
  if (!(temperature > 0)) return best;
  const m = logits[off + best];
  const p = new Float64Array(vocab);
  let z = 0;
  for (let i = 0; i < vocab; i++) z += p[i] = Math.exp((logits[off + i] - m) / temperature);
  if (topP < 1) {
    // Only tokens that can matter are sorted (a full sort of a 150k vocabulary per step is slow);
    // what is dropped holds at most vocab · 1e-12 of the mass.
    const cand: number[] = [];
    for (let i = 0; i < vocab; i++) if (p[i] >= 1e-12) cand.push(i);
    cand.sort((a, b) => p[b] - p[a] || a - b);
    let kept = 0;
    let n = 0;
    while (n < cand.length && kept < topP * z) kept += p[cand[n++]];
    let r = rand() * kept;
    for (let k = 0; k < n; k++) if ((r -= p[cand[k]]) < 0) return cand[k];
    return cand[n - 1];
  }
  let r = rand() * z;
  for (let i = 0; i < vocab; i++) if ((r -= p[i]) < 0) return i;
  return best;
}

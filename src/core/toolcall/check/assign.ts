// Optimal one-to-one assignment (Hungarian algorithm, O(n²·m)) between expected and produced calls.
// Parallel calls are matched order-insensitively; maximising fragment agreement attributes each
// error to the closest call instead of to whichever call a greedy scan met first.

/**
 * `weight[i][j]`: agreement of row i with column j (higher is better). Returns, for each row, the
 * column assigned to it, or -1 when there are more rows than columns and the row is left out.
 * Among equally good assignments the one closest to the identity (row i ↔ column i) wins, so calls
 * written in the expected order are paired in that order.
 */
export function assign(weight: readonly (readonly number[])[], cols: number): number[] {
  const rows = weight.length;
  if (rows === 0) return [];
  if (cols === 0) return new Array<number>(rows).fill(-1);
  if (rows === 1 && cols === 1) return [0];
  const transpose = rows > cols;
  const n = transpose ? cols : rows;
  const m = transpose ? rows : cols;
  // Costs to minimise; the tie-break term is far below one unit of agreement.
  const tie = 1e-6 / (n * m + 1);
  const cost = (i: number, j: number): number => {
    const r = transpose ? j : i;
    const c = transpose ? i : j;
    return -weight[r][c] + tie * Math.abs(r - c);
  };
  // e-maxx formulation: 1-based, potentials u (rows) and v (columns), p[j] = row matched to column j.
  const { u, v, p, way, minv, used } = scratch(n + 1, m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity, 0, m + 1);
    used.fill(0, 0, m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    if (transpose) out[j - 1] = p[j] - 1;
    else out[p[j] - 1] = j - 1;
  }
  return out;
}

/** The work arrays, shared by every call (assign is synchronous), zeroed and grown as needed. */
let work = { size: 0, u: new Float64Array(0), v: new Float64Array(0), p: new Int32Array(0), way: new Int32Array(0), minv: new Float64Array(0), used: new Uint8Array(0) };

function scratch(rows: number, cols: number): typeof work {
  const size = Math.max(rows, cols);
  if (size > work.size) {
    const n = Math.max(size, 16);
    work = { size: n, u: new Float64Array(n), v: new Float64Array(n), p: new Int32Array(n), way: new Int32Array(n), minv: new Float64Array(n), used: new Uint8Array(n) };
  } else {
    work.u.fill(0, 0, rows);
    work.v.fill(0, 0, cols);
    work.p.fill(0, 0, cols);
    work.way.fill(0, 0, cols);
  }
  return work;
}

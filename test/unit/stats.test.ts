// The statistics behind the loop report and the dashboard's intervals (src/core/rounds/stats.ts):
// hand-checked values (scipy.stats.binomtest agrees with each), and properties over random inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mcnemar, pairOutcomes, pairedBootstrap, pairedTest, wilson } from '../../src/core/rounds/stats';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≈ ${b}`);

describe('exact McNemar test', () => {
  it('is twice the binomial tail on the discordant pairs', () => {
    close(mcnemar(10, 2), 79 / 2048); // 2·(1 + 12 + 66)/4096 = 0.0386
    assert.equal(mcnemar(10, 2).toFixed(4), '0.0386');
    close(mcnemar(2, 10), 79 / 2048);
    close(mcnemar(9, 2), 134 / 2048); // 2·(1 + 11 + 55)/2048
    close(mcnemar(0, 7), 2 / 128);
    close(mcnemar(5, 15), 0.04138946533203125);
    close(mcnemar(4, 20), 0.001543879508972168);
  });
  it('is 1 without a difference, or without discordant pairs', () => {
    assert.equal(mcnemar(6, 6), 1);
    assert.equal(mcnemar(0, 0), 1);
    assert.equal(mcnemar(0, 1), 1);
    assert.equal(mcnemar(7, 8), 1);
  });
  it('stays finite and tiny for large counts', () => {
    const p = mcnemar(100, 3000);
    assert.ok(p >= 0 && p < 1e-300, String(p));
    close(mcnemar(1000, 1000), 1);
    const q = mcnemar(480, 520);
    assert.ok(q > 0.2 && q < 0.25, String(q)); // normal approximation: 2·Φ(−1.23) ≈ 0.22
  });
  it('properties: p in [0, 1], symmetric in b and c, smaller as the split gets more lopsided', () => {
    fc.assert(
      fc.property(fc.nat(400), fc.nat(400), (b, c) => {
        const p = mcnemar(b, c);
        assert.ok(p >= 0 && p <= 1);
        assert.equal(p, mcnemar(c, b));
        if (b < c) assert.ok(mcnemar(b, c + 1) <= p + 1e-12 || b + c + 1 === 0);
      }),
    );
  });
});

describe('Wilson interval', () => {
  it('matches the hand-computed values', () => {
    const w = wilson(18, 177);
    close(w.lo, 0.06529910438131872, 1e-12);
    close(w.hi, 0.15501242750140778, 1e-12);
    const v = wilson(13, 20);
    close(v.lo, 0.4328542766852363, 1e-12);
    close(v.hi, 0.8188081758989179, 1e-12);
    assert.deepEqual(wilson(0, 10).lo, 0);
    close(wilson(0, 10).hi, 0.27753279986288926, 1e-12);
    assert.equal(wilson(10, 10).hi, 1);
    close(wilson(10, 10).lo, 0.7224672001371109, 1e-12);
    assert.deepEqual(wilson(0, 0), { lo: 0, hi: 1 });
  });
  it('properties: 0 ≤ lo ≤ p ≤ hi ≤ 1, narrower with more samples', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const v = Math.round(share * n);
        const w = wilson(v, n);
        assert.ok(w.lo >= 0 && w.lo <= v / n + 1e-12 && v / n <= w.hi + 1e-12 && w.hi <= 1, JSON.stringify({ v, n, w }));
        const w4 = wilson(4 * v, 4 * n);
        assert.ok(w4.hi - w4.lo <= w.hi - w.lo + 1e-12);
      }),
    );
  });
});

describe('paired bootstrap', () => {
  const a = Uint8Array.from({ length: 100 }, (_, i) => (i < 40 ? 1 : 0));
  const b = Uint8Array.from({ length: 100 }, (_, i) => (i < 35 || (i >= 40 && i < 55) ? 1 : 0)); // 5 broken, 15 fixed: +10 points
  it('contains the observed difference and is the same for the same seed', () => {
    const i = pairedBootstrap(a, b, { seed: 7 });
    assert.ok(i.lo < 0.1 && 0.1 < i.hi, JSON.stringify(i));
    // About ±1.96·√(0.2 − 0.01)/√100 ≈ ±0.085 around +0.1.
    assert.ok(i.lo > -0.02 && i.lo < 0.05 && i.hi > 0.15 && i.hi < 0.22, JSON.stringify(i));
    assert.deepEqual(pairedBootstrap(a, b, { seed: 7 }), i);
    // Another seed moves the ends by a resample's grain at most (10,000 resamples).
    const j = pairedBootstrap(a, b, { seed: 8 });
    assert.ok(Math.abs(j.lo - i.lo) <= 0.011 && Math.abs(j.hi - i.hi) <= 0.011, JSON.stringify({ i, j }));
    // The interval's ends are differences a resample can have: multiples of 1/n.
    for (const x of [i.lo, i.hi]) close(Math.round(x * 100), x * 100, 1e-9);
  });
  it('is a point when the two agree on every sample, and [0, 0] with no samples', () => {
    assert.deepEqual(pairedBootstrap(a, a), { lo: 0, hi: 0 });
    assert.deepEqual(pairedBootstrap([], []), { lo: 0, hi: 0 });
  });
  it('properties: ordered, within [−1, 1], deterministic', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 60 }), fc.nat(), (pairs, seed) => {
        const x = pairs.map((p) => (p[0] ? 1 : 0));
        const y = pairs.map((p) => (p[1] ? 1 : 0));
        const i = pairedBootstrap(x, y, { seed, resamples: 300 });
        assert.ok(-1 <= i.lo && i.lo <= i.hi && i.hi <= 1, JSON.stringify(i));
        assert.deepEqual(pairedBootstrap(x, y, { seed, resamples: 300 }), i);
      }),
      { numRuns: 60 },
    );
  });
});

describe('paired test of two outcome strings', () => {
  it('pairs only the samples both judged', () => {
    assert.deepEqual(pairOutcomes('10-1', '0110'), { a: Uint8Array.from([1, 0, 1]), b: Uint8Array.from([0, 1, 0]) });
    assert.deepEqual(pairOutcomes('1-0', '-11'), { a: Uint8Array.from([0]), b: Uint8Array.from([1]) });
    const t = pairedTest('1111100000-', '1110011111-', { resamples: 2000 })!;
    assert.equal(t.n, 10);
    assert.equal(t.accA, 0.5);
    assert.equal(t.accB, 0.8);
    close(t.diff, 0.3);
    assert.equal(t.onlyA, 2);
    assert.equal(t.onlyB, 5);
    close(t.p, mcnemar(2, 5)); // 2·(1 + 7 + 21)/128
    assert.equal(t.real, false);
    assert.equal(pairedTest('---', '101'), undefined);
  });
  it('calls a difference real only when p < 0.05 and the interval excludes 0', () => {
    const a = '1'.repeat(5) + '0'.repeat(15);
    const b = '111' + '00' + '1'.repeat(10) + '0'.repeat(5); // 2 broken, 10 fixed
    const t = pairedTest(a, b)!;
    assert.equal(t.p.toFixed(4), '0.0386');
    assert.ok(t.interval.lo > 0, JSON.stringify(t.interval));
    assert.equal(t.real, true);
    assert.equal(pairedTest(b, a)!.real, true);
    assert.ok(pairedTest(b, a)!.interval.hi < 0);
  });
});

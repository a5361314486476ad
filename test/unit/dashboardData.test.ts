// The round dashboard's series, from a round registry: base as round 0, gaps (never zeros) for
// what is missing, one set of log-spaced PPL bins for every round, error-kind totals, the table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MIN_AXIS_SPAN, accuracyAxis, binCounts, dashboardData, logBins, percent } from '../../src/core/rounds/dashboardData';
import { wilson } from '../../src/core/rounds/stats';
import type { RoundEvaluation, RoundRecord, RoundRegistry } from '../../src/core/rounds/types';

const ev = (policyLabel: string, valid: number, total: number, kinds: RoundEvaluation['kinds'] = {}): RoundEvaluation => ({
  heldOut: '/d/held.jsonl',
  policyLabel,
  total,
  valid,
  accuracy: valid / total,
  kinds,
  predictions: '/d/p.jsonl',
  at: '2025-01-01T00:00:00Z',
});

const reg = (rounds: RoundRecord[]): RoundRegistry => ({ version: 1, dataset: '/d/data.jsonl', heldOut: '/d/held.jsonl', rounds });

const three = (): RoundRegistry =>
  reg([
    {
      round: 1,
      policy: { id: 'base', label: 'Qwen base' },
      ppl: { calibration: 'c1', scored: 4, median: 5, values: [1, 2, 8, 100] },
      pairs: { found: 12, accepted: 9, manual: 1 },
      job: { backend: 'llamafactory', jobDir: '/j1', startedAt: 't', status: 'succeeded', lastProgress: { percentage: 100 } },
      result: { label: 'r1' },
      baseline: ev('Qwen base', 50, 100, { wrong_value: 20, parse_error: 5 }),
      evaluation: ev('r1', 60, 100, { wrong_value: 15, should_call: 3 }),
    },
    {
      round: 2,
      policy: { id: 'r1', label: 'r1' },
      ppl: { calibration: 'c2', scored: 3, median: 3, values: [1.5, 3, 20] },
      pairs: { found: 7, accepted: 5, manual: 0 },
      job: { backend: 'trl', jobDir: '/j2', startedAt: 't', status: 'failed', error: 'CUDA out of memory', lastProgress: { percentage: 37.4 } },
    },
    {
      round: 3,
      policy: { id: 'r2', label: 'r2' },
      job: { backend: 'openai', jobDir: '/j3', startedAt: 't', status: 'running', lastProgress: { percentage: 42 } },
    },
  ]);

describe('round dashboard data', () => {
  it('puts round 1\'s baseline at round 0 ("base") and each round\'s result after it', () => {
    const d = dashboardData(three());
    assert.deepEqual(
      d.accuracy.map((p) => [p.round, p.label, p.accuracy]),
      [
        [0, 'base', 0.5],
        [1, 'round 1', 0.6],
        [2, 'round 2', null],
        [3, 'round 3', null],
      ],
    );
    assert.deepEqual(d.accuracy[0].source, { kind: 'baseline', round: 1 });
    assert.equal(d.accuracy[0].policyLabel, 'Qwen base');
    assert.deepEqual(d.accuracy[1].source, { kind: 'evaluation', round: 1 });
    assert.equal(d.accuracy[1].valid, 60);
    assert.equal(d.accuracy[1].total, 100);
    assert.equal(d.empty, false);
    assert.deepEqual(d.rounds, [1, 2, 3]);
  });

  it('ablations (itool loop) line up with the policy points; rounds they lack are gaps; malformed ones are dropped', () => {
    const r = three();
    r.comparisons = [
      { label: '(a) continued SFT', points: [{ round: 0, accuracy: 0.5 }, { round: 1, accuracy: 0.52 }, { round: 3, accuracy: 0.55 }] },
      { label: '', points: [{ round: 0, accuracy: 1 }] },
      { label: 'broken', points: 'no' as unknown as [] },
    ];
    const d = dashboardData(r);
    // Without counts of their own, the points' intervals use the held-out size the rounds were judged on (100).
    assert.deepEqual(d.comparisons, [{ label: '(a) continued SFT', accuracy: [0.5, 0.52, null, 0.55], intervals: [wilson(50, 100), wilson(52, 100), null, wilson(55, 100)] }]);
    assert.deepEqual(dashboardData(three()).comparisons, []);
  });

  it('measures a policy by the next round\'s baseline when its own round has no evaluation', () => {
    const r = three();
    r.rounds[1].result = { label: 'r2' };
    r.rounds[2].baseline = ev('r2', 70, 100, { wrong_type: 4 });
    const d = dashboardData(r);
    assert.equal(d.accuracy[2].accuracy, 0.7);
    assert.deepEqual(d.accuracy[2].source, { kind: 'baseline', round: 3 });
    assert.equal(d.kinds.find((k) => k.kind === 'wrong_type')?.counts[2], 4);
    // …but not when round 2 says it produced a different policy than round 3 started from.
    r.rounds[1].result = { label: 'something else' };
    assert.equal(dashboardData(r).accuracy[2].accuracy, null);
  });

  it('missing round numbers and missing parts are gaps (null), not zeros', () => {
    const r = three();
    r.rounds.splice(1, 1); // rounds 1 and 3 only
    const d = dashboardData(r);
    assert.deepEqual(d.rounds, [1, 2, 3]);
    assert.deepEqual(
      d.pairs.map((p) => [p.round, p.found, p.accepted, p.manual]),
      [
        [1, 12, 9, 1],
        [2, null, null, null],
        [3, null, null, null],
      ],
    );
    assert.deepEqual(d.accuracy.map((p) => p.accuracy), [0.5, 0.6, null, null]);
    const wv = d.kinds.find((k) => k.kind === 'wrong_value')!;
    assert.deepEqual(wv.counts, [20, 15, null, null]);
    // The table lists only the rounds that exist, with gaps for what they lack.
    assert.deepEqual(d.table.map((t) => t.round), [1, 3]);
    assert.equal(d.table[1].found, null);
    assert.equal(d.table[1].accuracy, null);
    assert.equal(d.table[1].scored, null);
    // The PPL histogram has only the rounds that were calibrated.
    assert.deepEqual(d.ppl.series.map((s) => s.round), [1]);
  });

  it('a kind absent from an evaluation counts 0 there; kinds that never occur are not plotted; totals sum the points', () => {
    const d = dashboardData(three());
    assert.deepEqual(d.kinds.map((k) => k.kind), ['parse_error', 'wrong_value', 'should_call']);
    assert.deepEqual(d.kinds.find((k) => k.kind === 'parse_error')!.counts, [5, 0, null, null]);
    assert.deepEqual(d.kinds.find((k) => k.kind === 'should_call')!.counts, [0, 3, null, null]);
    assert.equal(d.kindTotals.wrong_value, 35);
    assert.equal(d.kindTotals.parse_error, 5);
    assert.equal(d.kindTotals.should_call, 3);
    assert.equal(d.kindTotals.wrong_type, 0);
    assert.equal(Object.keys(d.kindTotals).length, 9);
  });

  it('bins every round\'s PPLs on one set of log-spaced bins', () => {
    const d = dashboardData(three(), { bins: 4 });
    const { bins, series } = d.ppl;
    assert.equal(bins.length, 4);
    // Shared range: min and max over all rounds (1 … 100), log-spaced: edges 1, √10, 10, √1000, 100.
    assert.equal(bins[0].from, 1);
    assert.equal(bins[3].to, 100);
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(Math.log10(bins[k].to) - Math.log10(bins[k].from) - 0.5) < 1e-9);
    assert.deepEqual(series.find((s) => s.round === 1)!.counts, [2, 1, 0, 1]);
    assert.deepEqual(series.find((s) => s.round === 2)!.counts, [2, 0, 1, 0]);
    for (const s of series) assert.equal(s.counts.length, bins.length);
    assert.equal(series[0].scored, 4);
    assert.equal(series[0].median, 5);
  });

  it('by default, about √n bins for the largest round, 8 to 24', () => {
    const round = (n: number, k: number): RoundRecord => ({ round: k, policy: { id: 'p', label: 'p' }, ppl: { calibration: 'c', scored: n, median: 1, values: Array.from({ length: n }, (_, i) => 1 + i) } });
    assert.equal(dashboardData(reg([round(40, 1)])).ppl.bins.length, 8);
    assert.equal(dashboardData(reg([round(40, 1), round(300, 2)])).ppl.bins.length, 18);
    assert.equal(dashboardData(reg([round(5000, 1)])).ppl.bins.length, 24);
  });

  it('ignores non-finite and non-positive PPLs; equal values make one bin', () => {
    const r = reg([{ round: 1, policy: { id: 'a', label: 'a' }, ppl: { calibration: 'c', scored: 2, median: 3, values: [3, 3, NaN, -1, 0, Infinity] as number[] } }]);
    const d = dashboardData(r);
    assert.deepEqual(d.ppl.bins, [{ from: 3, to: 3 }]);
    assert.deepEqual(d.ppl.series[0].counts, [2]);
  });

  it('table: policy, scored, selected (from the selection files), pairs, job with progress, result, accuracies', () => {
    const d = dashboardData(three(), { selected: { 1: 12, 2: 8 } });
    assert.deepEqual(d.table[0], {
      round: 1,
      policy: 'Qwen base',
      scored: 4,
      selected: 12,
      found: 12,
      accepted: 9,
      manual: 1,
      job: { status: 'succeeded', backend: 'llamafactory', percentage: 100 },
      result: 'r1',
      baseline: 0.5,
      accuracy: 0.6,
      baselineInterval: wilson(50, 100),
      accuracyInterval: wilson(60, 100),
      baselineSkipped: 0,
      baselineTruncated: 0,
      accuracySkipped: 0,
      accuracyTruncated: 0,
    });
    assert.deepEqual(d.table[1].job, { status: 'failed', backend: 'trl', percentage: 37.4, error: 'CUDA out of memory' });
    assert.equal(d.table[2].job?.percentage, 42);
    assert.equal(d.table[2].selected, null);
    assert.equal(d.table[2].result, null);
  });

  it('each accuracy has its Wilson 95% interval: policy points, table, ablations (their own counts first)', () => {
    const r = three();
    r.rounds[0].evaluation = ev('r1', 18, 177);
    r.comparisons = [
      { label: 'with counts', points: [{ round: 0, accuracy: 0.5, valid: 50, total: 100 }, { round: 1, accuracy: 0.3, valid: 12, total: 40 }] },
      { label: 'bad counts', points: [{ round: 1, accuracy: 0.3, valid: 50, total: 40 }] },
    ];
    const d = dashboardData(r);
    const w = d.accuracy[1].interval!;
    assert.equal(w.lo.toFixed(4), '0.0653');
    assert.equal(w.hi.toFixed(4), '0.1550');
    assert.deepEqual(d.accuracy[0].interval, wilson(50, 100));
    assert.equal(d.accuracy[2].interval, undefined, 'no interval for a gap');
    assert.deepEqual(d.table[0].accuracyInterval, wilson(18, 177));
    assert.equal(d.table[1].accuracyInterval, null);
    assert.deepEqual(d.comparisons[0].intervals, [wilson(50, 100), wilson(12, 40), null, null]);
    // Counts that cannot be (valid > total) are not used: the round's own held-out size is (177).
    assert.deepEqual(d.comparisons[1].intervals, [null, wilson(Math.round(0.3 * 177), 177), null, null]);
    // Old registries (no counts anywhere): the accuracy lines without intervals.
    const bare = reg([{ round: 1, policy: { id: 'b', label: 'b' }, evaluation: { accuracy: 0.4 } as RoundEvaluation }]);
    bare.comparisons = [{ label: 'x', points: [{ round: 1, accuracy: 0.5 }] }];
    const b = dashboardData(bare);
    assert.equal(b.accuracy[1].accuracy, 0.4);
    assert.equal(b.accuracy[1].interval, undefined);
    assert.deepEqual(b.comparisons, [{ label: 'x', accuracy: [null, 0.5] }]);
  });

  it('each evaluation says how many held-out samples it skipped (too long) and cut off: policy points and table', () => {
    const r = three();
    r.rounds[0].baseline = { ...ev('Qwen base', 50, 100), skipped: 7, truncated: 3 };
    r.rounds[0].evaluation = { ...ev('r1', 60, 100), truncated: 2 };
    const d = dashboardData(r);
    assert.deepEqual(
      d.accuracy.map((p) => [p.skipped, p.truncated]),
      [
        [7, 3],
        [0, 2],
        [undefined, undefined],
        [undefined, undefined],
      ],
      'a recorded evaluation without the fields lost none; a policy not evaluated has no counts',
    );
    assert.deepEqual([d.table[0].baselineSkipped, d.table[0].baselineTruncated, d.table[0].accuracySkipped, d.table[0].accuracyTruncated], [7, 3, 0, 2]);
    assert.deepEqual([d.table[1].baselineSkipped, d.table[1].accuracySkipped, d.table[1].accuracyTruncated], [null, null, null], 'no evaluation: a gap, not 0');
    // Round 2's baseline measures P1 when round 1 has no evaluation of its own: its counts go with it.
    const r2 = three();
    delete r2.rounds[0].evaluation;
    r2.rounds[1].baseline = { ...ev('r1', 55, 100), skipped: 4 };
    assert.equal(dashboardData(r2).accuracy[1].skipped, 4);
    // Malformed counts (negative, text) read as 0, not as a number to print.
    r.rounds[0].baseline = { ...ev('Qwen base', 50, 100), skipped: -3, truncated: 'many' as unknown as number };
    assert.deepEqual([dashboardData(r).table[0].baselineSkipped, dashboardData(r).table[0].baselineTruncated], [0, 0]);
  });

  it('accuracy axis: the data and every whisker with a margin, on round ticks, within 0–100', () => {
    // A 10% model is not drawn flat on 0–100: the axis covers its whisker, with room, and not much more.
    const low = reg([{ round: 1, policy: { id: 'b', label: 'b' }, baseline: ev('b', 4, 40), evaluation: ev('r1', 6, 40) }]);
    const d = dashboardData(low);
    const whiskers = d.accuracy.flatMap((p) => (p.interval ? [100 * p.interval.lo, 100 * p.interval.hi] : []));
    assert.equal(d.accuracyAxis.min, 0);
    assert.ok(d.accuracyAxis.max <= 40, `max ${d.accuracyAxis.max}`);
    assert.ok(Math.max(...whiskers) < d.accuracyAxis.max, 'the highest whisker end is inside');
    // Mid-range data: the axis does not start at 0, and both whisker ends fit with a margin.
    const mid = dashboardData(three());
    const ends = mid.accuracy.flatMap((p) => (p.interval ? [100 * p.interval.lo, 100 * p.interval.hi] : []));
    assert.ok(mid.accuracyAxis.min > 0 && mid.accuracyAxis.min <= Math.min(...ends) - 2, JSON.stringify(mid.accuracyAxis));
    assert.ok(mid.accuracyAxis.max < 100 && mid.accuracyAxis.max >= Math.max(...ends) + 2, JSON.stringify(mid.accuracyAxis));
    // The ablations' points and whiskers are inside too.
    const withAblation = three();
    withAblation.comparisons = [{ label: 'a', points: [{ round: 1, accuracy: 0.9, valid: 90, total: 100 }] }];
    const a = dashboardData(withAblation);
    assert.ok(a.accuracyAxis.max >= 100 * a.comparisons[0].intervals![1]!.hi, JSON.stringify(a.accuracyAxis));
    // Nothing evaluated: 0–100.
    assert.deepEqual(dashboardData(reg([])).accuracyAxis, { min: 0, max: 100, step: 20 });
    // Near the ends: clamped to 0 and 100; a single value still gets a readable span.
    assert.deepEqual(accuracyAxis([99.5]), { min: 90, max: 100, step: 2 });
    assert.deepEqual(accuracyAxis([0.5]), { min: 0, max: 10, step: 2 });
    const one = accuracyAxis([50]);
    assert.ok(one.max - one.min >= MIN_AXIS_SPAN && one.min < 50 && one.max > 50, JSON.stringify(one));
  });

  it('property: the accuracy axis holds every value with room, on its ticks, within 0–100', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 12 }), (values) => {
        const { min, max, step } = accuracyAxis(values);
        assert.ok(min >= 0 && max <= 100 && max - min >= MIN_AXIS_SPAN);
        assert.equal(min % step, 0);
        assert.equal(max % step, 0);
        assert.ok((max - min) / step <= 10, 'a handful of ticks');
        for (const v of values) {
          assert.ok(v >= min && v <= max, `${v} in [${min}, ${max}]`);
          // A margin on each side unless the axis already stops at 0 or 100.
          if (min > 0) assert.ok(v - min >= 2 - 1e-9, `${v} has room below ${min}`);
          if (max < 100) assert.ok(max - v >= 2 - 1e-9, `${v} has room above ${max}`);
        }
      }),
    );
  });

  it('an empty or malformed registry gives the empty state, without throwing', () => {
    assert.equal(dashboardData(reg([])).empty, true);
    assert.deepEqual(dashboardData(reg([])).accuracy.map((p) => p.label), ['base']);
    const bad = { version: 1, dataset: 'x', rounds: [null, { round: 'two' }, { round: 0 }, { round: 2, policy: null, ppl: { values: 'no' }, pairs: 7, baseline: { kinds: 3 } }] } as unknown as RoundRegistry;
    const d = dashboardData(bad);
    assert.deepEqual(d.table.map((t) => t.round), [2]);
    assert.deepEqual(d.rounds, [1, 2]);
    assert.equal(d.table[0].policy, '');
    assert.equal(d.ppl.series.length, 0);
    assert.deepEqual(d.accuracy.map((p) => p.accuracy), [null, null, null]);
  });

  it('duplicate round numbers: the first record wins', () => {
    const r = three();
    r.rounds.push({ round: 1, policy: { id: 'dup', label: 'dup' } });
    assert.equal(dashboardData(r).table.filter((t) => t.round === 1).length, 1);
    assert.equal(dashboardData(r).table[0].policy, 'Qwen base');
  });

  it('percent prints one decimal', () => {
    assert.equal(percent(0.6), '60.0%');
    assert.equal(percent(2 / 3), '66.7%');
  });

  it('property: every value lands in exactly one shared bin, whichever round it belongs to', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 1, max: 1e5, noNaN: true }), { minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 40 }), (rounds, n) => {
        const bins = logBins(rounds, n);
        for (const values of rounds) {
          const counts = binCounts(values, bins);
          assert.equal(counts.reduce((a, b) => a + b, 0), values.length);
          for (const v of values) {
            const k = bins.findIndex((b) => v >= b.from * (1 - 1e-12) && v <= b.to * (1 + 1e-12));
            assert.ok(k >= 0, `${v} is inside the bins' range`);
          }
        }
        for (let k = 1; k < bins.length; k++) assert.ok(Math.abs(bins[k].from - bins[k - 1].to) <= 1e-9 * bins[k].from, 'bins are contiguous');
      }),
    );
  });
});

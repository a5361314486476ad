// Tiers and deficiency selection from calibration perplexities.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CalibrationEntry } from '../../src/core/calibrate/calibrate';
import { perplexity } from '../../src/core/calibrate/calibrate';
import { quantile, selectDeficient, tierCuts, tierOf } from '../../src/core/calibrate/select';

const entry = (index: number, group: 'calls' | 'text', ppl: number | null): CalibrationEntry => ({ type: 'result', index, id: `s${index}`, group, ppl, tokens: 5 });

describe('calibration maths', () => {
  it('perplexity is exp of the negative mean logprob; no tokens gives null', () => {
    assert.equal(perplexity([Math.log(0.5), Math.log(0.5)]), 2);
    assert.ok(Math.abs(perplexity([Math.log(0.25), Math.log(1)])! - 2) < 1e-12);
    assert.equal(perplexity([]), null);
  });

  it('tertile cuts split scored samples into three near-equal tiers', () => {
    const entries = Array.from({ length: 30 }, (_, i) => entry(i, i % 2 ? 'calls' : 'text', i + 1));
    const cuts = tierCuts(entries);
    const counts = { easy: 0, medium: 0, hard: 0 };
    for (const e of entries) counts[tierOf(e.ppl, cuts)!]++;
    assert.deepEqual(counts, { easy: 10, medium: 10, hard: 10 });
    assert.equal(tierOf(null, cuts), undefined);
    assert.deepEqual(tierCuts(entries, { easyBelow: 5, hardFrom: 25 }), { easyBelow: 5, hardFrom: 25, source: 'thresholds' });
    assert.throws(() => tierCuts(entries, { easyBelow: 9, hardFrom: 2 }), /easyBelow ≤ hardFrom/);
  });

  it('selects the top ratio by PPL within each group separately, highest first', () => {
    const entries = [entry(0, 'calls', 3), entry(1, 'calls', 9), entry(2, 'calls', 1), entry(3, 'text', 100), entry(4, 'text', 2), entry(5, 'calls', null), entry(6, 'calls', 5)];
    const sel = selectDeficient(entries, 0.5);
    assert.deepEqual(sel.selected.map((e) => e.index), [1, 6, 3]);
    assert.deepEqual(sel.groups, { calls: { scored: 4, selected: 2 }, text: { scored: 2, selected: 1 } });
    assert.throws(() => selectDeficient(entries, 1.5), /ratio/);
  });

  it('property: every selected sample has a PPL at least as high as every unselected one of its group', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.double({ min: 1, max: 1e4, noNaN: true })), { maxLength: 80 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, ratio) => {
        const entries = xs.map(([calls, ppl], i) => entry(i, calls ? 'calls' : 'text', ppl));
        const sel = selectDeficient(entries, ratio);
        const chosen = new Set(sel.selected.map((e) => e.index));
        for (const g of ['calls', 'text'] as const) {
          const inG = entries.filter((e) => e.group === g);
          const minSel = Math.min(...inG.filter((e) => chosen.has(e.index)).map((e) => e.ppl!));
          const maxRest = Math.max(...inG.filter((e) => !chosen.has(e.index)).map((e) => e.ppl!));
          if (Number.isFinite(minSel) && Number.isFinite(maxRest)) assert.ok(minSel >= maxRest);
          assert.equal(sel.groups[g].selected, Math.ceil(ratio * inG.length));
        }
      }),
    );
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  });
});

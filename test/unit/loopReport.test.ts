// itool loop's report (src/core/rounds/loopReport.ts) from hand-made results with known per-sample
// outcomes: the Wilson intervals, the differences from the start and against iTool with their
// McNemar p and bootstrap intervals, per seed and pooled, the seconds per stage, old results
// without outcomes, and `itool loop-report DIR…` reading work folders.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loopReportCommand } from '../../src/cli/loopReport';
import { commandUsage } from '../../src/cli/itool';
import { idsFingerprint } from '../../src/core/rounds/evaluate';
import type { LoopResult, RoundResult } from '../../src/core/rounds/loop';
import { accuracyCell, evidenceTable, loopReport, mergeLoopRuns, points, pValue, readLoopRuns, stageSeconds, writeLoopReport, type LoopRun } from '../../src/core/rounds/loopReport';
import { pairedTest } from '../../src/core/rounds/stats';
import type { RoundEvaluation } from '../../src/core/rounds/types';

const IDS = idsFingerprint(Array.from({ length: 20 }, (_, i) => String(i)));

/** An evaluation from its outcome string ('1' valid, '0' not, '-' not judged). */
function ev(outcomes: string | undefined, valid?: number, total?: number): RoundEvaluation {
  const v = valid ?? [...(outcomes ?? '')].filter((c) => c === '1').length;
  const t = total ?? [...(outcomes ?? '')].filter((c) => c === '1' || c === '0').length;
  return { heldOut: '/h.json', policyLabel: 'm', total: t, valid: v, accuracy: v / t, kinds: { wrong_value: t - v }, predictions: '/p.jsonl', at: 't', ...(outcomes ? { outcomes, outcomeIds: IDS } : {}) };
}

const round = (variant: RoundResult['variant'], r: number, evaluation: RoundEvaluation, seconds: Record<string, number>, pairsAccepted = 4): RoundResult => ({
  variant,
  round: r,
  model: `/${variant}/${r}`,
  selected: 10,
  explored: 10,
  pairsFound: 6,
  pairsAccepted,
  evaluation,
  seconds,
});

// 20 held-out samples. Warm-up: the first 5 right (25%).
const START = '11111' + '0'.repeat(15);
// iTool round 1: 2 of those broken (3, 4), 10 fixed (5..14): 13/20, McNemar 2 vs 10 → p = 0.0386.
const ITOOL = '111' + '00' + '1'.repeat(10) + '00000';
// Continued SFT round 1: one fixed (5): 6/20, p = 1.
const SFT = '111111' + '0'.repeat(14);

function seed1(): LoopResult {
  return {
    warmup: { model: '/warm', evaluation: ev(START), seconds: { init: 1, sft: 30, evaluate: 4 } },
    rounds: [round('itool', 1, ev(ITOOL), { calibrate: 10, explore: 20.5, train: 5, evaluate: 2 }), round('sft', 1, ev(SFT), { calibrate: 10, train: 6, evaluate: 2 }, 9)],
  };
}

/** The markdown table under a heading, as rows of cells. */
function section(md: string, heading: string): string[][] {
  const part = md.split(`## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return part
    .split('\n')
    .filter((l) => l.startsWith('|') && !l.startsWith('|---'))
    .slice(1)
    .map((l) => l.slice(2, -2).split(' | '));
}

const FAST = { bootstrap: { resamples: 2000 } };

describe('loop report', () => {
  it('prints each accuracy with its Wilson interval', () => {
    assert.equal(accuracyCell(13, 20), '65.0% [43.3, 81.9]');
    assert.equal(accuracyCell(18, 177), '10.2% [6.5, 15.5]');
    assert.equal(accuracyCell(0, 0), '—');
    const md = loopReport(mergeLoopRuns([{ label: 'seed 1', result: seed1() }]), FAST);
    assert.deepEqual(section(md, 'Held-out accuracy'), [
      ['iTool (fragment pairs, PPL selection)', '25.0% [11.2, 46.9]', '65.0% [43.3, 81.9]'],
      ['(a) continued SFT, same steps', '25.0% [11.2, 46.9]', '30.0% [14.5, 51.9]'],
    ]);
  });

  it('tests each round against the start and each variant\'s last round against iTool\'s, on the same samples', () => {
    const md = loopReport(mergeLoopRuns([{ label: 'seed 1', result: seed1() }]), FAST);
    const diff = section(md, 'Difference from the start');
    const t = pairedTest(START, ITOOL, { resamples: 2000, seed: 1 })!;
    assert.deepEqual(diff[0], ['iTool (fragment pairs, PPL selection)', '1', '65.0% [43.3, 81.9]', '+40.0', `[${points(t.interval.lo)}, ${points(t.interval.hi)}]`, '10 / 2', '0.0386', '**yes**']);
    assert.ok(t.interval.lo > 0 && t.interval.lo < 0.4 && t.interval.hi > 0.4);
    assert.deepEqual(diff[1].slice(0, 2), ['(a) continued SFT, same steps', '1']);
    assert.deepEqual(diff[1].slice(3).filter((_, k) => k !== 1), ['+5.0', '1 / 0', '1', 'no']);
    // SFT against iTool: 2 samples only SFT gets right (3, 4), 9 only iTool (6..14): p = 2·67/2048.
    const last = section(md, 'Last round against iTool\'s last round');
    assert.equal(last.length, 1);
    assert.deepEqual(last[0].filter((_, k) => k !== 4), ['(a) continued SFT, same steps', '30.0% [14.5, 51.9] (round 1)', '65.0% [43.3, 81.9] (round 1)', '-35.0', '2 / 9', '0.0654', 'no']);
    assert.equal(pValue(134 / 2048), '0.0654');
    assert.deepEqual(section(md, 'Training data per round'), [
      ['iTool (fragment pairs, PPL selection)', '4 pairs'],
      ['(a) continued SFT, same steps', '9 samples'],
    ]);
  });

  it('sums the seconds of each stage per variant', () => {
    const m = mergeLoopRuns([{ label: 'seed 1', result: seed1() }, { label: 'seed 2', result: seed1() }]);
    const s = stageSeconds(m);
    assert.deepEqual(s.stages, ['init', 'sft', 'evaluate', 'calibrate', 'explore', 'train']);
    assert.deepEqual(s.rows.map((r) => [r.name, r.seconds]), [
      ['warm-up', { init: 2, sft: 60, evaluate: 8 }],
      ['iTool (fragment pairs, PPL selection)', { calibrate: 20, explore: 41, train: 10, evaluate: 4 }],
      ['(a) continued SFT, same steps', { calibrate: 20, train: 12, evaluate: 4 }],
    ]);
    const md = loopReport(m, FAST);
    assert.deepEqual(section(md, 'Time per stage')[1], ['iTool (fragment pairs, PPL selection)', '—', '—', '4.0 s', '20.0 s', '41.0 s', '10.0 s', '75.0 s']);
  });

  it('several seeds: a row per seed and a pooled row, the pooled test on the seeds\' outcomes concatenated', () => {
    // Seed 2: the warm-up gets 4 right; iTool round 1 keeps them and fixes 8 more (4..11): 12/20.
    const s2: LoopResult = {
      warmup: { model: '/w2', evaluation: ev('1111' + '0'.repeat(16)), seconds: {} },
      rounds: [round('itool', 1, ev('1'.repeat(12) + '0'.repeat(8)), {}), round('sft', 1, ev('1111' + '0'.repeat(16)), {})],
    };
    const m = mergeLoopRuns([{ label: 'seed 1', result: seed1() }, { label: 'seed 2', result: s2 }]);
    const md = loopReport(m, FAST);
    const acc = section(md, 'Held-out accuracy');
    assert.deepEqual(acc.map((r) => r.slice(0, 2)), [
      ['iTool (fragment pairs, PPL selection)', 'seed 1'],
      ['iTool (fragment pairs, PPL selection)', 'seed 2'],
      ['iTool (fragment pairs, PPL selection)', 'pooled'],
      ['(a) continued SFT, same steps', 'seed 1'],
      ['(a) continued SFT, same steps', 'seed 2'],
      ['(a) continued SFT, same steps', 'pooled'],
    ]);
    // Pooled: 9/40 at warm-up, 25/40 after iTool's round.
    assert.deepEqual(acc[2].slice(2), [accuracyCell(9, 40), accuracyCell(25, 40)]);
    assert.equal(acc[1][3], '60.0% [38.7, 78.1]');
    const diff = section(md, 'Difference from the start');
    const pooled = diff.find((r) => r[0].startsWith('iTool') && r[2] === 'pooled')!;
    const t = pairedTest(START + '1111' + '0'.repeat(16), ITOOL + '1'.repeat(12) + '0'.repeat(8), { resamples: 2000, seed: 1 })!;
    // 18 fixed (10 + 8), 2 broken: p = 2·(1 + 20 + 190)/2^20.
    assert.deepEqual(pooled.slice(3), [accuracyCell(25, 40), '+40.0', `[${points(t.interval.lo)}, ${points(t.interval.hi)}]`, '18 / 2', pValue((2 * 211) / 2 ** 20), '**yes**']);
    assert.equal(pValue((2 * 211) / 2 ** 20), '0.000402');
    const seed2 = diff.find((r) => r[0].startsWith('iTool') && r[2] === 'seed 2')!;
    assert.deepEqual(seed2.slice(6, 8), ['8 / 0', '0.00781']); // 2/2^8
    const last = section(md, 'Last round against iTool\'s last round');
    assert.deepEqual(last.map((r) => r[1]), ['seed 1', 'seed 2', 'pooled']);
  });

  it('old results without per-sample outcomes still report accuracy, and say the test is not possible', () => {
    const old: LoopResult = { warmup: { model: '/w', evaluation: ev(undefined, 5, 20), seconds: {} }, rounds: [round('itool', 1, ev(undefined, 13, 20), {})] };
    const md = loopReport(mergeLoopRuns([{ label: 'seed 1', result: old }]), FAST);
    assert.deepEqual(section(md, 'Held-out accuracy'), [['iTool (fragment pairs, PPL selection)', '25.0% [11.2, 46.9]', '65.0% [43.3, 81.9]']]);
    assert.deepEqual(section(md, 'Difference from the start')[0].slice(3), ['+40.0', '—', '—', '—', 'n/a (no per-sample outcomes)']);
    // Outcomes over different samples (another fingerprint) are not paired either.
    const other = seed1();
    other.rounds[0].evaluation = { ...other.rounds[0].evaluation, outcomeIds: '20:other' };
    assert.equal(section(loopReport(mergeLoopRuns([{ label: 's', result: other }]), FAST), 'Difference from the start')[0][7], 'n/a (no per-sample outcomes)');
    assert.match(evidenceTable(old, 2, ['itool']), /\| iTool \(fragment pairs, PPL selection\) \| 25\.0% \[11\.2, 46\.9\] \| 65\.0% \[43\.3, 81\.9\] \| — \|/);
  });

  it('merges runs: variants in order of appearance, the most rounds, same-seed runs told apart', () => {
    const a: LoopRun = { label: 'seed 1', result: seed1() };
    const b: LoopRun = { label: 'seed 1', result: { ...seed1(), rounds: [...seed1().rounds, round('random', 2, ev(START), {})] } };
    const m = mergeLoopRuns([a, b]);
    assert.deepEqual(m.variants, ['itool', 'sft', 'random']);
    assert.equal(m.rounds, 2);
    assert.deepEqual(m.runs.map((r) => r.label), ['seed 1 (#1)', 'seed 1 (#2)']);
  });

  it('itool loop-report DIR… reads the work folders and prints the report; a folder without results is an error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'itool-loop-report-'));
    for (const [k, s] of [1, 2].entries()) {
      mkdirSync(join(root, `w${k}`));
      writeFileSync(join(root, `w${k}`, 'loop-results.json'), JSON.stringify({ options: { seed: s, rounds: 1, variants: ['itool', 'sft'] }, result: seed1(), seconds: 120 }));
    }
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
    assert.equal(await loopReportCommand([join(root, 'w0'), join(root, 'w1')], io), 0, err);
    assert.match(out, /^# Loop results \(seed 1, seed 2\)/);
    assert.match(out, /\| iTool \(fragment pairs, PPL selection\) \| 1 \| pooled \| 65\.0% \[49\.5, 77\.9\] \| \+40\.0 \| \[[^\]]+\] \| 20 \/ 4 \| 0\.00154 \| \*\*yes\*\* \|/);
    assert.match(out, /Wall time 4\.0 min/);
    assert.equal((await readLoopRuns([join(root, 'w0', 'loop-results.json')])).runs[0].label, 'seed 1');
    assert.equal(await loopReportCommand([join(root, 'nothing')], io), 1);
    assert.match(err, /loop-report: .*nothing.*no such file/);
    assert.match(commandUsage('loop-report'), /itool loop-report DIR \[DIR…\]/);
  });

  it('writeLoopReport writes the results with the held-out sample ids once, and the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-loop-write-'));
    cpSync(resolve(__dirname, '..', '..', 'demo', 'datasets', 'bfcl'), join(dir, 'bfcl'), { recursive: true });
    const heldOut = join(dir, 'bfcl', 'BFCL_v4_simple_python.json');
    const o = { workDir: dir, heldOut, seed: 3, rounds: 1, variants: ['itool', 'sft'], evalLimit: 5 } as unknown as Parameters<typeof writeLoopReport>[0];
    const r = await writeLoopReport(o, seed1(), 90);
    const saved = JSON.parse(readFileSync(r.json, 'utf8')) as { heldOutIds: string[]; result: LoopResult };
    assert.equal(saved.heldOutIds.length, 5);
    assert.equal(saved.result.rounds[0].evaluation.outcomes, ITOOL);
    assert.match(readFileSync(r.markdown, 'utf8'), /## Difference from the start[\s\S]*\| 10 \/ 2 \| 0\.0386 \| \*\*yes\*\* \|/);
    assert.match(r.table, /## Time per stage/);
  });
});

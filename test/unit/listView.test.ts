// The sample list's combined filters (src/core/session/listView.ts), over a real session: the BFCL
// demo file with its predictions checked (verdicts) and a calibration made by hand (PPL, tiers,
// a selection, two skipped samples). Each view must equal what the test reads from the data
// itself, every filter at once; and the calibration's rows say why a sample was skipped.
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CalibrationEntry, CalibrationResult, CalibrationSkip } from '../../src/core/calibrate/calibrate';
import { computeView, isWholeList } from '../../src/core/session/listView';
import { DatasetSession } from '../../src/core/session/session';
import type { SampleFilters, Sort } from '../../src/core/session/views';
import { tempDirs } from '../support/tempDirs';

const DEMO = resolve(__dirname, '..', '..', 'demo', 'datasets', 'bfcl');
const temp = tempDirs();
const SKIPPED = [3, 7];

/** A PPL per record that spreads over the histogram (distinct, 1.0 … 4.9). */
const pplOf = (i: number) => 1 + ((i * 37) % 40) / 10;

describe('list views: combined filters over a session', () => {
  let session: DatasetSession;
  let lines: string[];
  before(async () => {
    const dir = temp('itool-listview-');
    cpSync(DEMO, join(dir, 'bfcl'), { recursive: true });
    const path = join(dir, 'bfcl', 'BFCL_v4_parallel_multiple.json');
    lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
    session = await DatasetSession.open(path);
    await session.checkPredictions(join(dir, 'bfcl', 'BFCL_v4_parallel_multiple.predictions.jsonl'));
    const n = session.dataset.count;
    const entries: CalibrationEntry[] = [];
    const skipped: CalibrationSkip[] = [];
    for (let i = 0; i < n; i++) {
      const id = `parallel_multiple_${i}`;
      if (SKIPPED.includes(i)) skipped.push({ type: 'skip', index: i, id, kind: 'score-failed', reason: `request ${i}: 1100 tokens exceed the model's max_position_embeddings (1024)` });
      else entries.push({ type: 'result', index: i, id, group: 'calls', ppl: pplOf(i), tokens: 10 });
    }
    const header = { type: 'header', model: 'm', modelLabel: 'model', round: 1, dataset: path, datasetSize: 0, datasetMtimeMs: 0, records: n, createdAt: '' } as CalibrationResult['header'];
    session.showCalibration({ path: join(dir, 'cal.jsonl'), header, entries, skipped, noReference: 0, resumed: 0 });
    session.calibration.select(0.3);
  });
  after(async () => {
    await session?.close();
  });

  const view = async (query: string, filters: SampleFilters, sort: Sort = 'file') => {
    const into: number[] = [];
    assert.equal(await computeView(session, query, filters, sort, into), true);
    return into;
  };
  const all = () => Array.from({ length: session.dataset.count }, (_, i) => i);
  const verdict = (i: number) => session.verdicts.rowVerdict(i);
  const cal = (i: number) => session.calibration.row(i);

  it('state × error kind × tier × text, all at once, as the data says', async () => {
    const s = session.calibration.summary()!;
    const tier = (i: number) => (SKIPPED.includes(i) ? undefined : pplOf(i) < s.cuts!.easyBelow ? 'easy' : pplOf(i) >= s.cuts!.hardFrom ? 'hard' : 'medium');
    assert.deepEqual(await view('', { state: 'invalid' }), all().filter((i) => verdict(i) && !verdict(i)!.valid));
    const kind = 'wrong_value';
    const invalidKind = all().filter((i) => verdict(i)?.kinds.includes(kind));
    assert.ok(invalidKind.length > 0, 'the demo predictions have wrong values');
    assert.deepEqual(await view('', { kind }), invalidKind);
    const hardSelected = all().filter((i) => tier(i) === 'hard' && cal(i)?.selected);
    assert.ok(hardSelected.length > 0);
    assert.deepEqual(await view('', { state: 'selected', tier: 'hard' }), hardSelected);
    // Four at once: a text query over the raw records, the verdict, the tier and the selection.
    const q = 'calculate';
    const want = all().filter((i) => lines[i].toLowerCase().includes(q) && verdict(i) !== undefined && !verdict(i)!.valid && tier(i) !== 'easy' && tier(i) !== undefined);
    const got = [...(await view(q, { state: 'invalid', tier: 'hard' })), ...(await view(q, { state: 'invalid', tier: 'medium' }))].sort((a, b) => a - b);
    assert.deepEqual(got, want);
    // An answer filter (read from each record) with a memory filter and text.
    assert.deepEqual(await view(q, { state: 'calls', kind }), invalidKind.filter((i) => lines[i].toLowerCase().includes(q)));
    assert.deepEqual(await view('', { state: 'text' }), [], 'every BFCL answer calls a tool');
    assert.deepEqual(await view('', { state: 'problems', tier: 'easy' }), []);
  });

  it('a PPL range is whole histogram bins, as the histogram counts them', async () => {
    const bins = session.calibration.summary()!.histogram;
    const [a, b] = [5, 14];
    const from = bins[a].from;
    const to = bins[b].to;
    const want = all().filter((i) => !SKIPPED.includes(i) && pplOf(i) >= from && pplOf(i) <= to);
    assert.equal(want.length, bins.slice(a, b + 1).reduce((n, x) => n + x.count, 0), 'the bins count the records in the range');
    assert.deepEqual(await view('', { ppl: { from, to } }), want);
    // The whole histogram is every scored record, edges included.
    assert.deepEqual(await view('', { ppl: { from: bins[0].from, to: bins.at(-1)!.to } }), all().filter((i) => !SKIPPED.includes(i)));
    // With an order: highest PPL first.
    const desc = await view('', { ppl: { from, to } }, 'ppl-desc');
    assert.deepEqual(desc, [...want].sort((x, y) => pplOf(y) - pplOf(x)));
  });

  it('skipped samples: their rows say why, a filter lists them, the summary counts them', async () => {
    assert.deepEqual(await view('', { state: 'skipped' }), SKIPPED);
    const row = cal(3)!;
    assert.equal(row.ppl, null);
    assert.equal(row.tier, undefined);
    assert.deepEqual(row.skipped, [{ id: 'parallel_multiple_3', kind: 'score-failed', reason: "request 3: 1100 tokens exceed the model's max_position_embeddings (1024)" }]);
    assert.equal(cal(0)?.skipped, undefined, 'a scored sample has no skip');
    const s = session.calibration.summary()!;
    assert.equal(s.skipped, 2);
    // The selection's cut-off: the lowest PPL selected, every sample at or above it selected.
    const selected = all().filter((i) => cal(i)?.selected);
    assert.equal(s.selectedFrom?.calls, Math.min(...selected.map(pplOf)));
    assert.ok(all().every((i) => SKIPPED.includes(i) || (pplOf(i) >= s.selectedFrom!.calls!) === !!cal(i)?.selected));
  });

  it('a refused run: its skips are the ones rows and the filter show', async () => {
    session.calibration.refuse('refused', [{ type: 'skip', index: 11, id: 'parallel_multiple_11', reason: 'no template' }]);
    try {
      assert.deepEqual(await view('', { state: 'skipped' }), [11]);
      assert.deepEqual(cal(11)?.skipped, [{ id: 'parallel_multiple_11', reason: 'no template' }]);
      assert.equal(typeof cal(11)?.ppl, 'number', 'the calibration shown still scored it');
    } finally {
      session.calibration.refuse('refused', []);
    }
  });

  it('the whole list needs no view; an aborted scan says so', async () => {
    assert.equal(isWholeList('  ', {}), true);
    assert.equal(isWholeList('', {}, 'ppl-desc'), false);
    assert.equal(isWholeList('', { tier: 'easy' }), false);
    const ctl = new AbortController();
    ctl.abort();
    assert.equal(await computeView(session, 'x', {}, 'file', [], { signal: ctl.signal }), false);
  });
});

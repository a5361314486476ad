// A dataset session drives the whole path with no panel and no VS Code: calibrate (the tiny ONNX
// model the tests generate, a real onnxruntime session) → select → explore (the scripted stand-in
// policy of test/support, since no model here writes meaningful calls) → review → the pairs a
// round trains on. A second session on the same file, as a command would open with the panel
// closed, finds everything the first left on disk; events tell every view what changed.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OnnxPolicy } from '../../src/core/model/onnx/onnxPolicy';
import { writeTinyModel } from '../../src/core/model/testModels';
import { DatasetSession, SessionError, type SessionEvent } from '../../src/core/session/session';
import { datasetStatus, stageOf } from '../../src/core/session/status';
import { scripted } from '../support/scriptedPolicy';
import { tempDirs } from '../support/tempDirs';

const DEMO = resolve(__dirname, '..', '..', 'demo', 'datasets');
const temp = tempDirs();

function bfclCopy(): string {
  const dir = temp('itool-session-');
  cpSync(join(DEMO, 'bfcl'), join(dir, 'bfcl'), { recursive: true });
  return join(dir, 'bfcl', 'BFCL_v4_simple_python.json');
}

describe('dataset session', () => {
  let onnx: OnnxPolicy;
  /** A model whose 900 positions some BFCL samples exceed: calibration skips them and refuses the run. */
  let short: OnnxPolicy;
  before(async () => {
    const modelDir = join(temp('itool-model-'), 'tiny');
    await writeTinyModel(modelDir, { layers: 2, hidden: 32, heads: 4, withKvCache: true, seed: 5 });
    onnx = await OnnxPolicy.open(modelDir, { executionProvider: 'cpu' });
    const shortDir = join(temp('itool-model-'), 'short');
    await writeTinyModel(shortDir, { layers: 1, hidden: 16, heads: 2, withKvCache: true, seed: 3, maxPos: 900 });
    short = await OnnxPolicy.open(shortDir, { executionProvider: 'cpu' });
  });
  after(async () => {
    await onnx?.close();
    await short?.close();
  });

  it('calibrate → select → explore → review → trained pairs, with no panel; a second session finds it all', async () => {
    const path = bfclCopy();
    const session = await DatasetSession.open(path);
    const events: SessionEvent['type'][] = [];
    session.onDidChange((e) => events.push(e.type));
    let trained;
    try {
      // Nothing calibrated yet: selecting says what to do instead of selecting nothing.
      await assert.rejects(session.selectDeficient(0.3), (e: Error) => e instanceof SessionError && /calibrate the dataset first/.test(e.message));

      const cal = await session.calibrate(onnx, { batch: 8 });
      assert.equal(cal.entries.length, session.dataset.count, 'every sample of the BFCL file scored');
      assert.ok(cal.entries.every((e) => typeof e.ppl === 'number' && e.ppl >= 1));

      const { selection, path: selectionFile } = await session.selectDeficient(0.3);
      assert.ok(selection.selected.length > 0 && selection.selected.length < cal.entries.length);
      assert.ok(existsSync(selectionFile), 'the selection file is written beside the dataset');
      const targets = await session.targets(0.3);
      assert.equal(targets.length, selection.selected.length);

      // The search continues with a scripted stand-in on the selected samples (highest PPL first).
      const policy = await scripted(session.dataset, targets.map((t) => t.index));
      const run = await session.explore(policy, { iterations: 4, numActions: 3, seed: 3 });
      assert.equal(run.entries.length, targets.length);
      assert.ok(run.pairs.length > 0, 'the stand-in writes a wrong value for every sample: pairs come out');
      assert.equal(session.search.pairs, run.pairs.length);

      // Review: accept the first pair, reject the second, leave the rest pending.
      const queue = await session.review.list({});
      assert.equal(queue.counts.total, run.pairs.length);
      assert.ok(queue.items.length >= 2, 'at least two pairs to decide');
      const [a, b] = queue.items;
      await session.review.decide([a.id], 'accepted');
      await session.review.decide([b.id], 'rejected', 'wrong_chosen', 'the chosen side is wrong too');
      trained = await session.review.accepted();
      assert.equal(trained.pairs.length, 1, 'only the accepted pair is trained on');
      assert.equal(trained.counts.rejected, 1);
      assert.deepEqual([...new Set(events)].sort(), ['calibration', 'search'], 'the views heard of the calibration, the selection and the search');
      // The workbench's overview reads the same from the files alone, and names the next step.
      const status = await datasetStatus(path);
      assert.equal(status.calibration?.scored, cal.entries.length);
      assert.deepEqual([status.search?.samples, status.search?.pairs], [targets.length, run.pairs.length]);
      assert.deepEqual([status.review?.accepted, status.review?.rejected, status.review?.pending], [1, 1, run.pairs.length - 2]);
      const stage = stageOf(status);
      assert.equal(stage.next?.command, run.pairs.length > 2 ? 'itool.reviewPairs' : 'itool.startRound');
      assert.match(stage.summary, new RegExp(`^calibrated \\(${cal.entries.length}\\) · ${run.pairs.length} pairs? from ${targets.length} samples?`));
    } finally {
      await session.close();
    }

    // As a command opens it with the panel closed: the newest journals and the review are read back.
    const again = await DatasetSession.open(path);
    try {
      await again.restore();
      assert.equal(again.calibration.result?.entries.length, again.dataset.count);
      assert.equal(again.search.pairs, trained.counts.total);
      const back = await again.review.accepted();
      assert.deepEqual(back.pairs.map((p) => p.pair.chosen.text), trained.pairs.map((p) => p.pair.chosen.text));
      assert.equal(back.counts.rejected, 1);
      // The selection is made again from the calibration read back when a search asks for it.
      assert.ok((await again.targets(0.3)).length > 0);
    } finally {
      await again.close();
    }
  });

  it('the overview says a file beside the dataset is unreadable instead of showing "no rounds"', async () => {
    const path = bfclCopy();
    mkdirSync(join(`${path}.itool`, 'rounds'), { recursive: true });
    writeFileSync(join(`${path}.itool`, 'rounds', 'rounds.json'), '{"version": 1, "rounds": [');
    const status = await datasetStatus(path);
    assert.equal(status.problems?.length, 1);
    assert.match(status.problems![0], /^the round registry: .*rounds\.json is not valid JSON/);
    assert.match(stageOf(status).summary, /1 file unreadable/);
  });

  it('a refused calibration keeps its reasons, says so to the views, and no selection is made from it', async () => {
    const session = await DatasetSession.open(bfclCopy());
    const events: SessionEvent[] = [];
    session.onDidChange((e) => events.push(e));
    try {
      await assert.rejects(session.calibrate(short, { batch: 8 }), (e: Error) => e.name === 'CalibrationRefused');
      assert.ok(events.some((e) => e.type === 'refused'), 'the views are told the run was refused');
      assert.ok(!events.some((e) => e.type === 'calibration'), 'no results of a refused run are shown');
      const skipped = Array.from({ length: session.dataset.count }, (_, i) => session.calibration.skip(i)).filter((x) => x !== undefined);
      assert.ok(skipped.length > 0 && skipped.every((k) => /max_position_embeddings \(900\)/.test(k.reason)), 'each skipped sample keeps why');
      await assert.rejects(session.selectDeficient(0.3), (e: Error) => e instanceof SessionError && /refused calibration/.test(e.message));
    } finally {
      await session.close();
    }
  });
});

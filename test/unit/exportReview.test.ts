// Which pairs are trained on, decided once (src/core/rounds/trainedPairs.ts) and honoured by
// `itool export`: on a dataset searched by the real engine (with the scripted stand-in policy) and
// reviewed through the review journal, the accepted and edited pairs (edits applied) and the
// hand-made one are taken; pending and rejected ones are left out, counted and named in the
// output; the panel's path (a DatasetSession's review) takes the same pairs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { exportCommand } from '../../src/cli/export';
import { pairId } from '../../src/core/pairs/reviewEntries';
import { trainedPairs } from '../../src/core/rounds/trainedPairs';
import { DatasetSession } from '../../src/core/session/session';
import { CLI, ensureBuiltCli } from '../support/builtCli';
import { tempDirs } from '../support/tempDirs';
import { reviewedDataset, type ReviewedDataset } from './roundFixture';

const tmp = tempDirs();
let f: ReviewedDataset;

before(async () => {
  f = await reviewedDataset(tmp('itool-export-review-'));
});

function capture() {
  const o = { stdout: '', stderr: '' };
  return { o, io: { stdout: (s: string) => void (o.stdout += s), stderr: (s: string) => void (o.stderr += s) } };
}

const lines = (path: string): unknown[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);

describe('the pairs a round trains on', () => {
  it('accepted and edited pairs (the edit applied) and the hand-made one; pending and rejected left out and counted', async () => {
    const r = await trainedPairs(f.dataset);
    assert.equal(r.state, 'accepted');
    assert.equal(r.pairs.length, 4, 'two accepted, one edited, one hand-made');
    assert.equal(r.manual, 1);
    assert.deepEqual(r.leftOut, { pending: f.pending.length, rejected: 1 });
    assert.deepEqual([r.counts.total, r.counts.accepted, r.counts.edited, r.counts.rejected, r.counts.pending], [f.pairs.length + 1, 3, 1, 1, f.pending.length]);
    const ids = new Set(r.pairs.map((x) => pairId(x.pair)));
    for (const id of f.accepted) assert.ok(ids.has(id), `accepted ${id}`);
    for (const id of [...f.rejected, ...f.pending]) assert.ok(!ids.has(id), `left out ${id}`);
    const edited = r.pairs.find((x) => x.pair.sampleId === f.pairs[3].sampleId && x.pair.prefix === f.pairs[3].prefix && x.pair.rejected.text === f.pairs[3].rejected.text);
    assert.equal(edited?.pair.chosen.text, f.editText, 'the edit is what is trained on');
    const manual = r.pairs.find((x) => x.pair.manual);
    assert.ok(manual && manual.pair.chosen.fragment === f.correction && manual.pair.chosen.verdict.valid, 'the corrected mark is a pair, its chosen side valid');
    for (const x of r.pairs) assert.equal(x.sample.id, x.pair.sampleId, 'each pair with its own sample');
    assert.ok(r.explore && existsSync(r.explore.path), 'the newest search journal beside the dataset');
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(r.damaged, []);
  });

  it('the other filters: every pair, or those in one state', async () => {
    assert.equal((await trainedPairs(f.dataset, { state: 'all' })).pairs.length, f.pairs.length + 1);
    assert.deepEqual((await trainedPairs(f.dataset, { state: 'rejected' })).pairs.map((x) => pairId(x.pair)), f.rejected);
    assert.deepEqual((await trainedPairs(f.dataset, { state: 'pending' })).pairs.map((x) => pairId(x.pair)), f.pending);
    // A pairs file's pairs, without the hand-made ones (they are the dataset's, not the file's).
    const file = await trainedPairs(f.dataset, { pairs: f.pairs, manual: false });
    assert.equal(file.pairs.length, 3);
    await assert.rejects(trainedPairs(f.dataset, { state: 'nope' as 'all' }), /the pair state must be one of accepted, all, pending, rejected, skipped, not "nope"/);
  });

  it('the panel path agrees: a dataset session’s accepted() takes the same pairs, counts and hand-made ones', async () => {
    const session = await DatasetSession.open(f.dataset);
    try {
      await session.restore();
      const panel = await session.review.accepted();
      const core = await trainedPairs(f.dataset);
      assert.deepEqual(panel.pairs.map((x) => pairId(x.pair)).sort(), core.pairs.map((x) => pairId(x.pair)).sort());
      assert.deepEqual(panel.counts, core.counts);
      assert.equal(panel.manual, core.manual);
      // And deciding over the panel's own queue (what its accepted() delegates to) changes nothing.
      const over = await trainedPairs(session.dataset, { samples: panel.samples });
      assert.deepEqual(over.pairs.map((x) => x.sample.id), core.pairs.map((x) => x.sample.id));
    } finally {
      await session.close();
    }
  });
});

describe('itool export honours review decisions', () => {
  it('by default: the accepted, edited and hand-made pairs of the newest search, and says what it left out and why', async () => {
    const out = join(tmp('itool-export-review-out-'), 'trl');
    const { o, io } = capture();
    const rc = await exportCommand({ dataset: f.dataset, target: 'trl', out }, io);
    assert.equal(rc, 0, o.stderr);
    assert.match(o.stdout, /export {6}trl: 4 pair\(s\) written, 0 skipped/);
    assert.ok(o.stdout.includes(`review      accepted: 4 of ${f.pairs.length + 1} pair(s) (1 hand-made); left out by review: ${f.pending.length} pending, 1 rejected (--state all exports every pair)`), o.stdout);
    assert.equal(lines(join(out, 'itool_pairs.jsonl')).length, 4);
  });

  it('a pairs file: its accepted and edited pairs; --state all every pair; --state rejected the rejected one', async () => {
    const dir = tmp('itool-export-review-file-');
    const run = async (state: 'accepted' | 'all' | 'rejected' | undefined) => {
      const { o, io } = capture();
      const rc = await exportCommand({ pairsFile: f.pairsFile, dataset: f.dataset, target: 'openai', out: join(dir, String(state)), ...(state ? { state } : {}) }, io);
      assert.equal(rc, 0, o.stderr);
      return { o, records: lines(join(dir, String(state), 'itool_pairs.openai.jsonl')).length };
    };
    const byDefault = await run(undefined);
    assert.equal(byDefault.records, 3);
    assert.match(byDefault.o.stdout, new RegExp(`left out by review: ${f.pending.length} pending, 1 rejected`));
    const all = await run('all');
    assert.equal(all.records, f.pairs.length);
    assert.doesNotMatch(all.o.stdout, /left out/);
    assert.equal((await run('rejected')).records, 1);
  });

  it('no accepted pair, or no search at all: a clear message, exit 1, nothing written', async () => {
    const bare = await reviewedDataset(tmp('itool-export-review-bare-'), false);
    const out = join(tmp('itool-export-review-none-'), 'out');
    const { o, io } = capture();
    assert.equal(await exportCommand({ dataset: bare.dataset, target: 'trl', out }, io), 1);
    assert.match(o.stderr, new RegExp(`itool export: no accepted pairs to export \\(${bare.pairs.length} pending of ${bare.pairs.length}\\): accept pairs in review .*or give --state all`));
    assert.ok(!existsSync(out), 'nothing written');
    const unsearched = join(tmp('itool-export-review-plain-'), 'plain.json');
    cpSync(join(bare.dataset, '..', 'BFCL_v4_irrelevance.json'), unsearched);
    const none = capture();
    assert.equal(await exportCommand({ dataset: unsearched, target: 'trl', out }, none.io), 1);
    assert.match(none.o.stderr, /no pairs beside .*plain\.json: no search results \(itool explore first\) and no hand-made pairs/);
  });

  it('through the built itool: the default and a bad --state', () => {
    ensureBuiltCli();
    const out = join(tmp('itool-export-review-cli-'), 'lf');
    const ok = spawnSync(process.execPath, [CLI, 'export', '--dataset', f.dataset, '--target', 'llamafactory', '-o', out, '--template', 'qwen'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /llamafactory: 4 pair\(s\) written[\s\S]*left out by review: \d+ pending, 1 rejected/);
    const bad = spawnSync(process.execPath, [CLI, 'export', '--dataset', f.dataset, '--target', 'trl', '-o', out, '--state', 'maybe'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /export: --state must be one of accepted, all, pending, rejected, skipped, not "maybe"/);
  });
});

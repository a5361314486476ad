// The review state (src/core/pairs): the folding rules (skip, reject reasons, restore), the journal
// beside the dataset (round trip, input validation, a writer killed with SIGKILL), the review
// session's undo (accept, reject with a reason, skip, edit, bulk, mark; journaled, read back by a
// new journal and by `itool review`), manual pairs from corrected annotations judged and valued by
// the real checker on a BFCL demo sample (a failing chosen side stays pending), edits re-checked,
// bulk decisions by filter, and `itool review` reading it all back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { reviewCommand } from '../../src/cli/review';
import { Dataset } from '../../src/core/dataset/dataset';
import type { Sample } from '../../src/core/dataset/sample';
import { fragmentKindAt, manualPair, recheckChosen } from '../../src/core/pairs/manualPairs';
import { ReviewSession } from '../../src/core/pairs/reviewSession';
import { foldReview, pairId, type Annotation, type AnnotationInput, type ReviewEntry } from '../../src/core/pairs/reviewEntries';
import { readReview, ReviewJournal, reviewPath } from '../../src/core/pairs/reviewJournal';
import { acceptedPairs, bulkDecide, chosenProblem, matchesFilter, reviewCounts, reviewQueue, type ReviewItem } from '../../src/core/pairs/reviewQueue';
import { verdictOf } from '../../src/core/search/pairs';
import type { PreferencePair } from '../../src/core/search/types';
import { readJournal } from '../../src/core/store/journal';
import { expectationFor } from '../../src/core/toolcall/check/index';

const ROOT = resolve(__dirname, '..', '..');
const DEMO = join(ROOT, 'demo', 'datasets');
const ID = (n: number): string => n.toString(16).padStart(16, '0');
const AT = '2025-01-01T00:00:00.000Z';

/** A copy of the BFCL demo folder, so the review journal is written beside a throwaway dataset. */
function copyBfcl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'itool-review-'));
  cpSync(join(DEMO, 'bfcl'), join(dir, 'bfcl'), { recursive: true });
  return join(dir, 'bfcl', 'BFCL_v4_simple_python.json');
}

// simple_python_0 expects calculate_triangle_area(base=10, height=5[, unit="units"]).
const WRONG = '[calculate_triangle_area(base=10, height=6)]';

/** The first sample of the demo's simple_python file (the one WRONG gets wrong). */
async function firstDemoSample(): Promise<Sample> {
  const ds = await Dataset.open(join(DEMO, 'bfcl', 'BFCL_v4_simple_python.json'));
  const r = await ds.sample(0);
  await ds.close();
  assert.ok(r.ok);
  return r.sample;
}
const RIGHT = '[calculate_triangle_area(base=10, height=5)]';

/** A search-like pair over sample 0: both sides continue `prefix` with a fragment and `completion`. */
function searchPair(sample: Sample, prefix: string, chosen: string, rejected: string, completion: string, gap: number, round = 1): PreferencePair {
  const exp = expectationFor(sample);
  const side = (fragment: string, value: number, nodeId: number) => ({
    nodeId,
    fragment,
    completion,
    text: fragment + completion,
    value,
    visits: 3,
    reward: value,
    kind: 'argument' as const,
    key: 'height',
    verdict: verdictOf(prefix + fragment + completion, exp),
  });
  return { sampleId: sample.id, index: sample.index, round, nodeId: 2, depth: 1, prefix, kind: 'argument', key: 'height', chosen: side(chosen, 0.5, 3), rejected: side(rejected, 0.5 - gap, 4), gap, overlap: 0.5 };
}

const annotationOf = (input: Partial<AnnotationInput> & { text: string; start: number; end: number }, id = 'a1'): Annotation => ({
  type: 'annotation',
  id,
  sampleId: 'simple_python_0',
  index: 0,
  source: 'prediction',
  kind: 'wrong_value',
  at: AT,
  ...input,
});

describe('review folding', () => {
  const d = (pairId: string, state: 'accepted' | 'rejected' | 'pending', at = AT): ReviewEntry => ({ type: 'decision', pairId, state, at });
  const e = (pairId: string, chosenText: string, at = AT): ReviewEntry => ({ type: 'edit', pairId, chosenText, at });

  it('accept, reject, undo to pending, re-accept; the latest entry gives the time', () => {
    const s = foldReview([d(ID(1), 'accepted'), d(ID(2), 'rejected'), d(ID(3), 'accepted'), d(ID(3), 'pending'), d(ID(4), 'rejected'), d(ID(4), 'accepted', 'later')]);
    assert.deepEqual(Object.fromEntries(s.decisions), {
      [ID(1)]: { state: 'accepted', at: AT },
      [ID(2)]: { state: 'rejected', at: AT },
      [ID(3)]: { state: 'pending', at: AT },
      [ID(4)]: { state: 'accepted', at: 'later' },
    });
    assert.deepEqual(s.damaged, []);
  });

  it('an edit is an acceptance with a replacement; a rejection keeps it for a re-accept; undo drops it; the last edit wins', () => {
    const s = foldReview([
      e(ID(1), 'x'),
      e(ID(2), 'y'),
      d(ID(2), 'rejected'),
      e(ID(3), 'z'),
      d(ID(3), 'rejected'),
      d(ID(3), 'accepted'),
      e(ID(4), 'first'),
      e(ID(4), 'second'),
      e(ID(5), 'gone'),
      d(ID(5), 'pending'),
      d(ID(5), 'accepted'),
      d(ID(6), 'rejected'),
      e(ID(6), 'w'),
    ]);
    assert.deepEqual(s.decisions.get(ID(1)), { state: 'edited', chosenText: 'x', at: AT });
    assert.deepEqual(s.decisions.get(ID(2)), { state: 'rejected', chosenText: 'y', at: AT });
    assert.deepEqual(s.decisions.get(ID(3)), { state: 'edited', chosenText: 'z', at: AT });
    assert.deepEqual(s.decisions.get(ID(4)), { state: 'edited', chosenText: 'second', at: AT });
    assert.deepEqual(s.decisions.get(ID(5)), { state: 'accepted', at: AT });
    assert.deepEqual(s.decisions.get(ID(6)), { state: 'edited', chosenText: 'w', at: AT });
  });

  it('retract removes an annotation wherever it stands; entries that are not review entries are reported and skipped', () => {
    const a1 = annotationOf({ text: WRONG, start: 41, end: 42 }, 'a1');
    const a2 = annotationOf({ text: WRONG, start: 34, end: 40, kind: 'unexpected_param' }, 'a2');
    const s = foldReview([a1, { type: 'retract', id: 'a2', at: AT }, a2, { type: 'nope', at: AT }, { type: 'decision', pairId: 'short', state: 'accepted', at: AT }, { ...a1, id: 'a3', end: 99 }]);
    assert.deepEqual(s.annotations, [a1]);
    assert.deepEqual(s.damaged.map((x) => x.entry), [4, 5, 6]);
    assert.match(s.damaged[0].reason, /unknown entry type "nope"/);
    assert.match(s.damaged[1].reason, /16 lowercase hex/);
    assert.match(s.damaged[2].reason, /outside the text/);
  });
});

describe('review journal', () => {
  let dataset: string;
  let sample: Sample;
  before(async () => {
    dataset = copyBfcl();
    const ds = await Dataset.open(dataset);
    const r = await ds.sample(0);
    await ds.close();
    assert.ok(r.ok);
    sample = r.sample;
  });

  it('lives beside the dataset and reads back exactly what was written', async () => {
    assert.equal(reviewPath('/d/x.jsonl'), join('/d', 'x.jsonl.itool', 'review', 'review.jsonl'));
    const j = await ReviewJournal.open(dataset);
    const dec = await j.decide(ID(7), 'accepted');
    await j.decide(ID(8), 'rejected');
    const ed = await j.edit(ID(8), 'height=5)]');
    const a = await j.annotate({ sampleId: sample.id, index: 0, round: 2, source: 'prediction', text: WRONG, start: 41, end: 42, kind: 'wrong_value', correction: '5', note: 'off by one', file: '/tmp/preds.jsonl' });
    const b = await j.annotate({ sampleId: sample.id, index: 0, source: 'reference', text: RIGHT, start: 1, end: 5, kind: 'wrong_function' });
    await j.retract(b.id);
    assert.match(a.id, /^[0-9a-f]{16}$/);
    assert.ok(!Number.isNaN(Date.parse(dec.at)));
    const local = j.state();
    await j.close();
    const s = await readReview(dataset);
    assert.deepEqual(s, local);
    assert.deepEqual(s.decisions.get(ID(7)), { state: 'accepted', at: dec.at });
    assert.deepEqual(s.decisions.get(ID(8)), { state: 'edited', chosenText: 'height=5)]', at: ed.at });
    assert.deepEqual(s.annotations, [a]);
    assert.equal(readFileSync(reviewPath(dataset), 'utf8').trim().split('\n').length, 6, 'one line per call');
    // A second journal sees what the first wrote.
    const again = await ReviewJournal.open(dataset);
    assert.deepEqual(again.state().annotations, [a]);
    await assert.rejects(again.retract(b.id), /no live annotation with id/);
    await again.close();
    await assert.rejects(again.decide(ID(1), 'accepted'), /is closed/);
  });

  it('bad inputs give clear errors and write nothing', async () => {
    const j = await ReviewJournal.open(dataset);
    const before = existsSync(j.path) ? statSync(j.path).size : 0;
    const ok: AnnotationInput = { sampleId: sample.id, index: 0, source: 'prediction', text: 'ab😀cd', start: 0, end: 1, kind: 'wrong_value' };
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => j.decide('nothex', 'accepted'), /pair id must be 16 lowercase hex digits/],
      [() => j.decide(ID(1), 'maybe' as 'accepted'), /decision must be one of accepted, rejected, skipped, pending/],
      [() => j.decide(ID(1), 'accepted', { reason: 'too_alike' }), /a reason or comment goes with a rejection, not with "accepted"/],
      [() => j.decide(ID(1), 'rejected', { reason: 'meh' as 'other' }), /reject reason must be one of wrong_chosen, both_wrong, too_alike, not_an_error, other/],
      [() => j.restore([{ pairId: ID(1), to: { state: 'gone' as 'accepted', at: AT } }]), /restored state must be one of/],
      [() => j.edit(ID(1), 5 as unknown as string), /must be a string/],
      [() => j.annotate({ ...ok, start: 2, end: 2 }), /must not be empty: start \(2\) must be less than end \(2\)/],
      [() => j.annotate({ ...ok, start: 3, end: 1 }), /start \(3\) must be less than end \(1\)/],
      [() => j.annotate({ ...ok, end: 99 }), /span 0-99 is outside the text \(0-6\)/],
      [() => j.annotate({ ...ok, start: -1 }), /outside the text/],
      [() => j.annotate({ ...ok, start: 1.5 }), /integer offsets/],
      [() => j.annotate({ ...ok, end: 3 }), /offset 3 splits a character/],
      [() => j.annotate({ ...ok, kind: 'typo' as 'wrong_value' }), /kind must be one of parse_error, .*should_call, got "typo"/],
      [() => j.annotate({ ...ok, source: 'x' as 'text' }), /source must be one of/],
      [() => j.annotate({ ...ok, index: -1 }), /index must be a record index/],
      [() => j.annotate({ ...ok, sampleId: '' }), /sampleId must be a non-empty string/],
      [() => j.annotate({ ...ok, correction: 5 as unknown as string }), /correction must be a string/],
      [() => j.annotate({ ...ok, round: 0 }), /round must be an integer >= 1/],
      [() => j.retract('nobody'), /no live annotation with id "nobody"/],
      [() => j.decideMany([ID(1), 'bad'], 'accepted'), /pair id must be/],
    ];
    for (const [call, re] of cases) await assert.rejects(call(), re);
    // A good call after the bad ones still works: the failures left the journal usable.
    await j.annotate({ ...ok, start: 2, end: 4 });
    await j.close();
    const lines = readFileSync(j.path, 'utf8').slice(before).trim().split('\n');
    assert.equal(lines.length, 1, 'only the good call wrote');
    assert.equal(JSON.parse(lines[0]).text.slice(2, 4), '😀');
  });
});

describe('manual pairs and the queue', () => {
  let sample: Sample;
  before(async () => {
    sample = await firstDemoSample();
  });

  it('a corrected wrong value becomes a pair the checker agrees with', () => {
    const start = WRONG.lastIndexOf('6');
    const a = annotationOf({ text: WRONG, start, end: start + 1, correction: '5', round: 2, note: 'height is 5' });
    const p = manualPair(a, sample)!;
    assert.equal(p.prefix + p.rejected.text, WRONG);
    assert.equal(p.prefix + p.chosen.text, RIGHT);
    assert.deepEqual([p.chosen.fragment, p.rejected.fragment, p.chosen.completion], ['5', '6', ')]']);
    assert.equal(p.chosen.verdict.valid, true);
    assert.equal(p.rejected.verdict.valid, false);
    assert.deepEqual(p.rejected.verdict.errors.map((e) => [e.kind, e.param, e.span]), [['wrong_value', 'height', { start, end: start + 1 }]]);
    assert.deepEqual([p.kind, p.key, p.chosen.kind, p.rejected.key], ['argument', 'height', 'argument', 'height']);
    // Valued by the checker like every pair: each side's value is its verdict's score, the gap their difference.
    assert.equal(p.chosen.value, 1);
    assert.equal(p.rejected.value, p.rejected.verdict.score);
    assert.ok(p.rejected.value < 1 && p.rejected.value > -1, `partial credit for one wrong value, got ${p.rejected.value}`);
    assert.equal(p.gap, Math.round((1 - p.rejected.verdict.score) * 1e6) / 1e6);
    assert.deepEqual([p.chosen.visits, p.chosen.reward, p.nodeId, p.depth, p.round, p.overlap], [0, null, -1, -1, 2, 0]);
    assert.deepEqual(p.manual, { annotationId: 'a1', note: 'height is 5' });
    assert.equal(pairId(p), pairId(manualPair(a, sample)!), 'the id is stable');
  });

  it('a corrected function name is a function fragment; no correction, no change, or another sample make no pair', () => {
    const text = '[triangle_area(base=10, height=5)]';
    const p = manualPair(annotationOf({ text, start: 1, end: 14, kind: 'wrong_function', correction: 'calculate_triangle_area' }), sample)!;
    assert.deepEqual([p.kind, p.key, p.chosen.verdict.valid], ['function', 'triangle_area', true]);
    assert.deepEqual(p.rejected.verdict.errors.map((e) => e.kind), ['wrong_function']);
    assert.equal(manualPair(annotationOf({ text: WRONG, start: 41, end: 42 }), sample), undefined);
    assert.equal(manualPair(annotationOf({ text: WRONG, start: 41, end: 42, correction: '6' }), sample), undefined);
    assert.equal(manualPair(annotationOf({ text: WRONG, start: 41, end: 42, correction: '5', sampleId: 'other' }), sample), undefined);
    assert.deepEqual(fragmentKindAt(WRONG, 42, 44), { kind: 'closing', key: 'calculate_triangle_area' });
    assert.deepEqual(fragmentKindAt('No tool fits here.', 3, 7), { kind: 'sentence' });
  });

  it('the queue: search pairs pending, manual pairs accepted, edits applied and judged again', () => {
    const prefix = '[calculate_triangle_area(base=10, ';
    const p1 = searchPair(sample, prefix, 'height=5', 'height=6', ')]', 0.5);
    const p2 = searchPair(sample, prefix, 'height=5', 'height=50', ')]', 0.8);
    const p3 = searchPair(sample, prefix, 'height=5', 'width=5', ')]', 1.2);
    const ann = annotationOf({ text: WRONG, start: 41, end: 42, correction: '5' });
    const entries: ReviewEntry[] = [
      { type: 'edit', pairId: pairId(p1), chosenText: 'height=7)]', at: AT },
      { type: 'edit', pairId: pairId(p2), chosenText: 'height=5, unit="units")]', at: AT },
      { type: 'edit', pairId: pairId(p3), chosenText: p3.chosen.text, at: AT },
      ann,
    ];
    const state = foldReview(entries);
    const items = reviewQueue([p1, p2, p3, p1], state, new Map([[0, sample]]));
    assert.deepEqual(items.map((i) => [i.state, i.manual]), [['edited', false], ['edited', false], ['accepted', false], ['accepted', true]]);
    const [e1, e2, , m] = items;
    assert.deepEqual([e1.pair.chosen.fragment, e1.pair.chosen.completion, e1.pair.chosen.text, e1.pair.chosen.key], ['height=7', ')]', 'height=7)]', 'height']);
    assert.equal(e1.pair.chosen.verdict.valid, false, 'the edit is judged again');
    assert.deepEqual(e1.pair.chosen.verdict, recheckChosen(p1, 'height=7)]', expectationFor(sample)));
    assert.equal(e1.original, p1);
    assert.deepEqual([e2.pair.chosen.fragment, e2.pair.chosen.completion, e2.pair.chosen.verdict.valid], ['height=5', ', unit="units")]', true]);
    assert.equal(m.pair.manual?.annotationId, 'a1');
    assert.deepEqual(reviewCounts(items), { pending: 0, accepted: 2, rejected: 0, edited: 2, skipped: 0, total: 4 });
    assert.deepEqual(acceptedPairs(items).map((p) => p.chosen.text), ['height=7)]', 'height=5, unit="units")]', 'height=5)]', '5)]']);
    // No samples: no manual pairs; an edit kept but marked unchecked.
    const bare = reviewQueue([p1], state);
    assert.equal(bare.length, 1);
    assert.equal(bare[0].unchecked, true);
    assert.equal(bare[0].pair.chosen.text, 'height=7)]');
    assert.equal(reviewQueue([p1], foldReview([]))[0].state, 'pending');
  });
});

describe('bulk decisions', () => {
  let dataset: string;
  let sample: Sample;
  let items: ReviewItem[];
  before(async () => {
    dataset = copyBfcl();
    const ds = await Dataset.open(dataset);
    const r = await ds.sample(0);
    await ds.close();
    assert.ok(r.ok);
    sample = r.sample;
    const prefix = '[calculate_triangle_area(base=10, ';
    const pairs = [
      searchPair(sample, prefix, 'height=5', 'height=6', ')]', 0.2), // wrong_value
      searchPair(sample, prefix, 'height=5', 'height="5"', ')]', 0.5), // wrong_type
      searchPair(sample, prefix, 'height=5', 'width=5', ')]', 0.9, 2), // missing_required_param + unexpected_param
      searchPair(sample, prefix, 'height=5', 'height=7', ')]', 1.5, 2), // wrong_value
    ];
    pairs[3].index = 1;
    pairs[3].sampleId = 'simple_python_1';
    items = reviewQueue(pairs, foldReview([]));
  });

  it('filters by the rejected side\'s error kind, gap, tier, kind, round and state', () => {
    const tierOf = (i: number) => (i === 0 ? 'hard' : i === 1 ? 'easy' : undefined);
    const which = (f: Parameters<typeof matchesFilter>[1]) => items.map((it, i) => (matchesFilter(it, f, tierOf) ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(items.map((it) => it.pair.rejected.verdict.errors.map((e) => e.kind).join('+')), ['wrong_value', 'wrong_type', 'missing_required_param+unexpected_param', 'wrong_value']);
    assert.deepEqual(which({ errorKind: 'wrong_value' }), [0, 3]);
    assert.deepEqual(which({ errorKind: 'missing_required_param' }), [2]);
    assert.deepEqual(which({ minGap: 0.5 }), [1, 2, 3]);
    assert.deepEqual(which({ minGap: 0.5, maxGap: 0.9 }), [1, 2]);
    assert.deepEqual(which({ tier: 'hard' }), [0, 1, 2]);
    assert.deepEqual(which({ tier: 'easy', errorKind: 'wrong_value' }), [3]);
    assert.deepEqual(which({ round: 2, kind: 'argument', state: 'pending' }), [2, 3]);
    assert.deepEqual(which({ kind: 'function' }), []);
    assert.throws(() => matchesFilter(items[0], { tier: 'easy' }), /filtering by tier needs tierOf/);
  });

  it('writes one decision per item it changes, in one batch', async () => {
    const j = await ReviewJournal.open(dataset);
    assert.equal(await bulkDecide(j, items, { errorKind: 'wrong_value' }, 'rejected'), 2);
    let now = reviewQueue(items.map((i) => i.original), j.state());
    assert.deepEqual(now.map((i) => i.state), ['rejected', 'pending', 'pending', 'rejected']);
    assert.equal(await bulkDecide(j, now, { minGap: 0 }, 'accepted'), 4);
    now = reviewQueue(items.map((i) => i.original), j.state());
    assert.equal(await bulkDecide(j, now, {}, 'accepted'), 0, 'nothing left to change');
    await j.close();
    const s = await readReview(dataset);
    assert.deepEqual([...s.decisions.values()].map((d) => d.state), ['accepted', 'accepted', 'accepted', 'accepted']);
    const { entries } = await readJournal<ReviewEntry>(reviewPath(dataset));
    assert.equal(entries.length, 6);
  });
});

describe('review journal under SIGKILL', () => {
  /** A separate process deciding and annotating until it is killed; `ack N ENTRY` after each resolved call. */
  function writer(dataset: string): ReturnType<typeof spawn> {
    const code = `
      require('tsx/cjs');
      const { createHash } = require('node:crypto');
      const { ReviewJournal } = require(${JSON.stringify(join(ROOT, 'src/core/pairs/reviewJournal.ts'))});
      (async () => {
        const j = await ReviewJournal.open(${JSON.stringify(dataset)});
        process.stdout.write('ready\\n');
        for (let n = 0; ; n++) {
          let e;
          if (n % 3 === 2) {
            const text = 'x'.repeat(n % 15 === 14 ? 4000000 : 300 + (n % 89) * 61) + ' é😀 [f(a=1)] end';
            e = await j.annotate({ sampleId: 's' + n, index: n, round: 1, source: 'text', text, start: 3, end: 10 + (n % 7), kind: 'wrong_value', correction: 'c' + n, note: 'note ' + n });
          } else {
            e = await j.decide(n.toString(16).padStart(16, '0'), n % 3 === 0 ? 'accepted' : 'rejected');
          }
          // The entry's digest, not the entry: a multi-MB line would back up the pipe behind the acks.
          process.stdout.write('ack ' + n + ' ' + createHash('sha256').update(JSON.stringify(e)).digest('hex') + '\\n');
        }
      })();`;
    return spawn(process.execPath, ['-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  }

  it('a line cut by a crash is reported once, skipped, and appended after', async () => {
    const dataset = copyBfcl();
    const j = await ReviewJournal.open(dataset);
    const first = await j.decide(ID(1), 'accepted');
    await j.close();
    const whole = readFileSync(reviewPath(dataset), 'utf8');
    writeFileSync(reviewPath(dataset), `${whole}{"type":"decision","pairId":"${ID(2)}","sta`);
    const s = await readReview(dataset);
    assert.deepEqual(s.damaged, [{ line: 2, reason: 'incomplete last entry (the writer stopped mid-line)' }]);
    assert.deepEqual([...s.decisions.keys()], [ID(1)]);
    const k = await ReviewJournal.open(dataset);
    await k.decide(ID(3), 'rejected');
    await k.close();
    const again = await readReview(dataset);
    assert.deepEqual(again.decisions.get(ID(1)), { state: 'accepted', at: first.at });
    assert.equal(again.decisions.get(ID(3))?.state, 'rejected');
    assert.equal(again.damaged.length, 1);
  });

  for (const delay of [40, 200, 600]) {
    it(`a writer killed after ~${delay} ms keeps every acknowledged entry; a new journal carries on`, async () => {
      const dataset = copyBfcl();
      const p = writer(dataset);
      let out = '';
      p.stdout!.setEncoding('utf8');
      p.stdout!.on('data', (s: string) => (out += s));
      await new Promise<void>((res) => {
        const check = (): void => void (out.startsWith('ready\n') ? res() : p.stdout!.once('data', check));
        check();
      });
      await new Promise((r) => setTimeout(r, delay + Math.floor(Math.random() * 40)));
      p.kill('SIGKILL');
      await new Promise((r) => p.once('exit', r));
      // Only complete stdout lines are acknowledgements.
      const acks = out.slice(0, out.lastIndexOf('\n') + 1).split('\n').filter((l) => l.startsWith('ack '));
      const digests = acks.map((l, k) => {
        const m = /^ack (\d+) ([0-9a-f]{64})$/.exec(l)!;
        assert.equal(Number(m[1]), k, 'acknowledged in order');
        return m[2];
      });
      assert.ok(digests.length > 0, 'the writer got some entries out');

      const raw = await readJournal<ReviewEntry>(reviewPath(dataset));
      assert.ok(raw.entries.length === digests.length || raw.entries.length === digests.length + 1, `${raw.entries.length} entries for ${digests.length} acknowledgements`);
      const acked = raw.entries.slice(0, digests.length);
      // Every acknowledged entry is on disk with its exact content (same JSON, same digest), in order.
      assert.deepEqual(acked.map((e) => createHash('sha256').update(JSON.stringify(e)).digest('hex')), digests);
      const s = await readReview(dataset);
      assert.ok(s.damaged.length <= 1, JSON.stringify(s.damaged));
      if (s.damaged.length) {
        assert.match(s.damaged[0].reason, /incomplete last entry/);
        assert.equal(s.damaged[0].line, raw.entries.length + 1, 'only the last line');
      }
      for (const e of acked) {
        if (e.type === 'decision') assert.deepEqual(s.decisions.get(e.pairId), { state: e.state, at: e.at });
        else if (e.type === 'annotation') assert.deepEqual(s.annotations.find((a) => a.id === e.id), e);
      }

      const j = await ReviewJournal.open(dataset);
      const last = await j.decide(ID(0xfffff), 'accepted');
      await j.close();
      const again = await readReview(dataset);
      assert.deepEqual(again.decisions.get(ID(0xfffff)), { state: 'accepted', at: last.at });
      for (const e of acked) if (e.type === 'decision') assert.deepEqual(again.decisions.get(e.pairId), { state: e.state, at: e.at });
      assert.equal(again.annotations.length, s.annotations.length);
      assert.ok(again.damaged.length <= 1, 'the cut line stays the only damage');
    });
  }
});

describe('itool review', () => {
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { stdout: { write: (s: string) => (o.out += s) }, stderr: { write: (s: string) => (o.err += s) } } };
  };

  it('lists pairs with their states, and the counts and annotations without --pairs', async () => {
    const dataset = copyBfcl();
    const ds = await Dataset.open(dataset);
    const r = await ds.sample(0);
    await ds.close();
    assert.ok(r.ok);
    const prefix = '[calculate_triangle_area(base=10, ';
    const p1 = searchPair(r.sample, prefix, 'height=5', 'height=6', ')]', 0.5);
    const p2 = searchPair(r.sample, prefix, 'height=5', 'width=5', ')]', 0.9);
    const pairsFile = join(dataset, '..', 'pairs.jsonl');
    writeFileSync(pairsFile, `${JSON.stringify(p1)}\nnot json\n${JSON.stringify(p2)}\n`);
    const j = await ReviewJournal.open(dataset);
    await j.decide(pairId(p1), 'rejected');
    await j.edit(pairId(p2), 'height=7)]');
    const a = await j.annotate({ sampleId: r.sample.id, index: 0, source: 'prediction', text: WRONG, start: 41, end: 42, kind: 'wrong_value', correction: '5', note: 'five' });
    await j.close();

    let c = io();
    assert.equal(await reviewCommand({ dataset, pairsFile }, c.io), 0);
    const lines = c.o.out.trim().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0], new RegExp(`^${pairId(p1)}  rejected  simple_python_0 #1 r1  gap 0\\.500  argument height  "height=6" → "height=5"$`));
    assert.match(lines[1], /edited .*"width=5" → "height=7"/);
    assert.match(lines[2], /accepted .*gap 0\.533 .*"6" → "5" {2}manual$/);
    assert.equal(lines[3], '3 pairs: 0 pending, 1 accepted, 1 edited, 1 rejected, 0 skipped');
    assert.match(c.o.err, /pairs\.jsonl:2: not JSON, skipped/);

    c = io();
    assert.equal(await reviewCommand({ dataset, pairsFile, json: true, state: 'edited' }, c.io), 0);
    const rows = c.o.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].pair.chosen.text, 'height=7)]');
    assert.equal(rows[0].pair.chosen.verdict.valid, false);

    c = io();
    assert.equal(await reviewCommand({ dataset }, c.io), 0);
    assert.match(c.o.out, /decisions {4}0 accepted, 1 edited, 1 rejected, 0 skipped, 0 back to pending/);
    assert.match(c.o.out, new RegExp(`${a.id}  simple_python_0 #1 \\(prediction\\)  41-42 "6"  wrong_value  → "5"  note: "five"`));

    c = io();
    assert.equal(await reviewCommand({ dataset, json: true }, c.io), 0);
    const objs = c.o.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(objs.map((x) => x.type), ['counts', 'decision', 'decision', 'annotation']);
    assert.equal(objs[0].edited, 1);
    assert.deepEqual(objs[3], a);

    c = io();
    assert.equal(await reviewCommand({ dataset, state: 'maybe' as 'edited' }, c.io), 2);
    assert.match(c.o.err, /--state must be one of/);
    assert.equal(await reviewCommand({ dataset, pairsFile: join(dataset, '..', 'none.jsonl') }, io().io), 1);
  });
});

describe('skip, reject reasons and restore (folding)', () => {
  const d = (pairId: string, state: 'accepted' | 'rejected' | 'skipped' | 'pending', extra: object = {}, at = AT): ReviewEntry => ({ type: 'decision', pairId, state, ...extra, at }) as ReviewEntry;

  it('skip keeps an edit, a later accept brings it back; a rejection carries its reason and comment, other decisions drop them', () => {
    const s = foldReview([
      d(ID(1), 'skipped'),
      { type: 'edit', pairId: ID(2), chosenText: 'x', at: AT },
      d(ID(2), 'skipped'),
      d(ID(3), 'rejected', { reason: 'too_alike', comment: 'same value twice' }),
      d(ID(4), 'rejected', { reason: 'both_wrong' }),
      d(ID(4), 'accepted'),
      d(ID(5), 'skipped'),
      d(ID(5), 'accepted'),
    ]);
    assert.deepEqual(s.decisions.get(ID(1)), { state: 'skipped', at: AT });
    assert.deepEqual(s.decisions.get(ID(2)), { state: 'skipped', chosenText: 'x', at: AT });
    assert.deepEqual(s.decisions.get(ID(3)), { state: 'rejected', reason: 'too_alike', comment: 'same value twice', at: AT });
    assert.deepEqual(s.decisions.get(ID(4)), { state: 'accepted', at: AT });
    assert.deepEqual(s.decisions.get(ID(5)), { state: 'accepted', at: AT });
    assert.deepEqual(s.damaged, []);
  });

  it('restore puts back exactly the decision it carries (or none); bad restores and misplaced reasons are reported', () => {
    const was = { state: 'rejected' as const, reason: 'other' as const, comment: 'c', at: 'then' };
    const s = foldReview([
      d(ID(1), 'rejected', { reason: 'other', comment: 'c' }, 'then'),
      d(ID(1), 'accepted'),
      { type: 'restore', pairId: ID(1), to: was, at: 'now' },
      d(ID(2), 'accepted'),
      { type: 'restore', pairId: ID(2), to: null, at: 'now' },
      { type: 'restore', pairId: ID(3), to: { state: 'nope', at: AT }, at: AT },
      d(ID(4), 'accepted', { reason: 'other' }),
      { type: 'restore', pairId: ID(5), at: AT },
    ]);
    assert.deepEqual(s.decisions.get(ID(1)), was);
    assert.equal(s.decisions.has(ID(2)), false, 'restored to no decision at all');
    assert.deepEqual(s.damaged.map((x) => x.entry), [6, 7, 8]);
    assert.match(s.damaged[0].reason, /restored state must be one of/);
    assert.match(s.damaged[1].reason, /goes with a rejection/);
    assert.match(s.damaged[2].reason, /restore `to` must be a decision or null/);
  });
});

describe('review session: undo, skip, reasons, reload', () => {
  let dataset: string;
  let sample: Sample;
  let pairs: PreferencePair[];
  const prefix = '[calculate_triangle_area(base=10, ';
  before(async () => {
    dataset = copyBfcl();
    const ds = await Dataset.open(dataset);
    const r = await ds.sample(0);
    await ds.close();
    assert.ok(r.ok);
    sample = r.sample;
    pairs = [searchPair(sample, prefix, 'height=5', 'height=6', ')]', 0.2), searchPair(sample, prefix, 'height=5', 'height=7', ')]', 0.5), searchPair(sample, prefix, 'height=5', 'width=5', ')]', 0.9)];
  });
  const queueOf = (j: ReviewJournal) => reviewQueue(pairs, j.state(), new Map([[0, sample]]));
  const states = (j: ReviewJournal) => queueOf(j).map((it) => it.state);

  it('undoes accept, reject with a reason, skip, edit, a bulk action and a mark, one step at a time, each journaled', async () => {
    const j = await ReviewJournal.open(dataset);
    const s = new ReviewSession(j);
    const [a, b, c] = pairs.map(pairId);
    assert.equal(await s.undo(), undefined, 'nothing to undo yet');

    await s.decide([a], 'accepted');
    assert.deepEqual(states(j), ['accepted', 'pending', 'pending']);
    assert.deepEqual(await s.decide([a], 'accepted'), [], 'a decision that changes nothing writes nothing');
    assert.equal(s.depth, 1, '… and is no undo step');
    let step = await s.undo();
    assert.deepEqual([step?.label, step?.select], ['accept', a]);
    assert.deepEqual(states(j), ['pending', 'pending', 'pending']);
    assert.equal(j.state().decisions.has(a), false, 'back to no decision at all');

    await s.decide([a], 'accepted');
    await s.decide([b], 'rejected', { reason: 'too_alike', comment: 'the same height twice' });
    await s.decide([c], 'skipped');
    let q = queueOf(j);
    assert.deepEqual(q.map((it) => it.state), ['accepted', 'rejected', 'skipped']);
    assert.deepEqual([q[1].reason, q[1].comment], ['too_alike', 'the same height twice']);
    assert.deepEqual(reviewCounts(q), { pending: 0, accepted: 1, rejected: 1, edited: 0, skipped: 1, total: 3 });
    assert.deepEqual(acceptedPairs(q), [pairs[0]], 'skipped and rejected pairs are not exported');

    // An edit, then a bulk accept of all three (one step), then a mark with a correction (one step).
    await s.edit(a, 'height=5, unit="units")]');
    await s.decide([c, a, b], 'accepted', {}, { select: c });
    assert.deepEqual(states(j), ['edited', 'accepted', 'accepted']);
    const ann = await s.annotate({ sampleId: sample.id, index: 0, source: 'prediction', text: WRONG, start: 41, end: 42, kind: 'wrong_value', correction: '5' }, { select: b });
    assert.equal(reviewQueue(pairs, j.state(), new Map([[0, sample]])).length, 4, 'the mark made a pair');

    step = await s.undo();
    assert.deepEqual([step?.label, step?.annotations, step?.select], ['mark', [ann.id], b]);
    assert.equal(j.state().annotations.length, 0, 'the mark is retracted');
    step = await s.undo();
    assert.deepEqual([step?.label, step?.select, step?.pairs.length], ['accept 2 pairs', c, 2], 'the edited pair was left alone by the bulk accept');
    q = queueOf(j);
    assert.deepEqual(q.map((it) => it.state), ['edited', 'rejected', 'skipped'], 'the bulk step comes back whole');
    assert.deepEqual([q[1].reason, q[1].comment], ['too_alike', 'the same height twice'], 'with the reason and comment it had');
    await s.undo(); // the edit
    assert.deepEqual(j.state().decisions.get(a)?.state, 'accepted');
    assert.equal(j.state().decisions.get(a)?.chosenText, undefined);

    // What is on disk says the same, to a new journal and to `itool review`.
    const local = j.state();
    await j.close();
    const disk = await readReview(dataset);
    assert.deepEqual(disk.decisions, local.decisions);
    assert.deepEqual(disk.annotations, []);
    const out = { s: '' };
    assert.equal(await reviewCommand({ dataset, json: true }, { stdout: { write: (x: string) => (out.s += x) }, stderr: { write: () => undefined } }), 0);
    const rows = out.s.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(rows[0], { type: 'counts', journal: reviewPath(dataset), accepted: 1, edited: 0, rejected: 1, skipped: 1, pending: 0, annotations: 0 });
    const rejected = rows.find((r) => r.pairId === b)!;
    assert.deepEqual([rejected.state, rejected.reason, rejected.comment], ['rejected', 'too_alike', 'the same height twice']);
    const pairsFile = join(dataset, '..', 'undo-pairs.jsonl');
    writeFileSync(pairsFile, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    out.s = '';
    assert.equal(await reviewCommand({ dataset, pairsFile }, { stdout: { write: (x: string) => (out.s += x) }, stderr: { write: () => undefined } }), 0);
    assert.match(out.s, new RegExp(`${b}  rejected .*reason: sides too alike, comment: "the same height twice"`));
    assert.match(out.s, /3 pairs: 0 pending, 1 accepted, 0 edited, 1 rejected, 1 skipped/);

    // Undo goes on in a reopened session? No: the steps belong to the session; the states stay.
    const again = new ReviewSession(await ReviewJournal.open(dataset));
    assert.equal(await again.undo(), undefined);
    await again.journal.close();
  });

  it('actions run one at a time, so quick ones each undo to the state the one before left', async () => {
    const j = await ReviewJournal.open(copyBfcl());
    const s = new ReviewSession(j);
    const [a] = pairs.map(pairId);
    await Promise.all([s.decide([a], 'accepted'), s.decide([a], 'rejected'), s.decide([a], 'skipped')]);
    assert.equal(j.state().decisions.get(a)?.state, 'skipped');
    await s.undo();
    assert.equal(j.state().decisions.get(a)?.state, 'rejected');
    await s.undo();
    assert.equal(j.state().decisions.get(a)?.state, 'accepted');
    await s.undo();
    assert.equal(j.state().decisions.get(a), undefined);
    await j.close();
  });
});

describe('manual pairs valued by the checker', () => {
  let sample: Sample;
  before(async () => {
    sample = await firstDemoSample();
  });
  const start = WRONG.lastIndexOf('6');
  const queueWith = (correction: string) => {
    const a = annotationOf({ text: WRONG, start, end: start + 1, correction });
    return reviewQueue([], foldReview([a]), new Map([[0, sample]]))[0];
  };

  it('a correction the checker finds valid: accepted by itself, value 1, gap from the scores', () => {
    const it = queueWith('5');
    assert.equal(it.state, 'accepted');
    assert.equal(it.chosenFails, undefined);
    assert.equal(it.pair.chosen.value, it.pair.chosen.verdict.score);
    assert.equal(it.pair.gap, Math.round((it.pair.chosen.value - it.pair.rejected.value) * 1e6) / 1e6);
    assert.notEqual(it.pair.gap, 2, 'no assigned gap');
  });

  it('a correction that does not parse: pending, flagged, valued −1 with a gap ≤ 0', () => {
    const it = queueWith('5((');
    assert.equal(it.state, 'pending', 'not accepted by itself');
    assert.equal(it.chosenFails, 'does not parse');
    assert.equal(it.pair.chosen.verdict.valid, false);
    assert.equal(it.pair.chosen.value, -1);
    assert.ok(it.pair.gap <= 0, `gap ${it.pair.gap}`);
  });

  it('a correction that parses but is still wrong: pending, flagged with its error kinds', () => {
    const it = queueWith('7');
    assert.equal(it.state, 'pending');
    assert.equal(it.chosenFails, 'has errors: wrong_value');
    assert.equal(it.pair.chosen.value, it.pair.chosen.verdict.score);
    assert.ok(Math.abs(it.pair.gap) < 1e-9, 'two wrong values score alike');
    assert.equal(chosenProblem(it.pair.rejected.verdict), 'has errors: wrong_value');
  });

  it('a decision overrides the default either way; undoing it (restore to none) gives the default back', () => {
    const a = annotationOf({ text: WRONG, start, end: start + 1, correction: '5((' });
    const id = pairId(manualPair(a, sample)!);
    const s1 = foldReview([a, { type: 'decision', pairId: id, state: 'accepted', at: AT }]);
    assert.equal(reviewQueue([], s1, new Map([[0, sample]]))[0].state, 'accepted', 'a person may still accept it');
    const s2 = foldReview([a, { type: 'decision', pairId: id, state: 'accepted', at: AT }, { type: 'restore', pairId: id, to: null, at: AT }]);
    assert.equal(reviewQueue([], s2, new Map([[0, sample]]))[0].state, 'pending');
  });
});

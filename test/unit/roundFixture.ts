// A reviewed dataset for the export and round tests (exportReview.test.ts, round.test.ts): a copy
// of the demo BFCL file, searched by the real engine with the scripted STAND-IN policy
// (test/support/scriptedPolicy.ts: no real model writes tool calls here), its pairs journaled
// beside it as `itool explore` leaves them, and a review journal written through ReviewJournal as
// the panel and `itool review` write it: two pairs accepted, one rejected with its reason, one
// edited, the rest pending, and a corrected mark that makes a hand-made pair.
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Dataset } from '../../src/core/dataset/dataset';
import { referenceTurn } from '../../src/core/dataset/sample';
import { pairId } from '../../src/core/pairs/reviewEntries';
import { ReviewJournal } from '../../src/core/pairs/reviewJournal';
import { explore } from '../../src/core/search/explore';
import type { PreferencePair } from '../../src/core/search/types';
import { hermes, scripted, wrong } from '../support/scriptedPolicy';

export const ROOT = resolve(__dirname, '..', '..');
const BFCL = join(ROOT, 'demo', 'datasets', 'bfcl');

export interface ReviewedDataset {
  dataset: string;
  /** The search's pairs, in journal order; also written to pairsFile as `itool explore -o` writes them. */
  pairs: PreferencePair[];
  pairsFile: string;
  /** Pair ids by the decision they got (none when `decide` was false). */
  accepted: string[];
  rejected: string[];
  edited: string[];
  pending: string[];
  /** The edited pair's new chosen continuation. */
  editText?: string;
  /** The hand-made pair's corrected fragment (its chosen side starts with it). */
  correction?: string;
}

/** The dataset copy in `dir`, searched, and (with `decide`) reviewed. */
export async function reviewedDataset(dir: string, decide = true): Promise<ReviewedDataset> {
  cpSync(BFCL, join(dir, 'bfcl'), { recursive: true, preserveTimestamps: true });
  const dataset = join(dir, 'bfcl', 'BFCL_v4_simple_python.json');
  const ds = await Dataset.open(dataset);
  let pairs: PreferencePair[];
  let marked: { text: string; start: number; end: number; correction: string; sampleId: string } | undefined;
  try {
    const policy = await scripted(ds, [0, 1, 2, 3]);
    const run = await explore(ds, policy, [0, 1, 2, 3].map((index) => ({ index })), { iterations: 4, numActions: 3, seed: 3 });
    pairs = run.pairs;
    // A reviewer's mark on a wrong answer of sample 4: the wrong value, corrected to the reference's.
    const r = await ds.sample(4);
    assert.ok(r.ok);
    const call = referenceTurn(r.sample)!.calls![0];
    const last = Object.keys(call.arguments).at(-1)!;
    const right = hermes(call);
    const bad = hermes({ ...call, arguments: { ...call.arguments, [last]: wrong(call.arguments[last]) } });
    let p = 0;
    while (right[p] === bad[p]) p++;
    let q = 0;
    while (q < right.length - p && right.at(-1 - q) === bad.at(-1 - q)) q++;
    marked = { text: bad, start: p, end: bad.length - q, correction: right.slice(p, right.length - q), sampleId: r.sample.id };
  } finally {
    await ds.close();
  }
  assert.ok(pairs.length >= 6, `the search found ${pairs.length} pairs; the fixture needs 6`);
  const pairsFile = join(dir, 'pairs.jsonl');
  writeFileSync(pairsFile, pairs.map((x) => `${JSON.stringify(x)}\n`).join(''));
  const ids = pairs.map(pairId);
  if (!decide) return { dataset, pairs, pairsFile, accepted: [], rejected: [], edited: [], pending: ids };
  const j = await ReviewJournal.open(dataset);
  const editText = `${pairs[3].chosen.text} `;
  try {
    await j.decideMany([ids[0], ids[1]], 'accepted');
    await j.decide(ids[2], 'rejected', { reason: 'wrong_chosen', comment: 'the chosen side is wrong too' });
    await j.edit(ids[3], editText);
    await j.annotate({ sampleId: marked!.sampleId, index: 4, source: 'prediction', text: marked!.text, start: marked!.start, end: marked!.end, kind: 'wrong_value', correction: marked!.correction });
  } finally {
    await j.close();
  }
  return { dataset, pairs, pairsFile, accepted: [ids[0], ids[1]], rejected: [ids[2]], edited: [ids[3]], pending: ids.slice(4), editText, correction: marked!.correction };
}

// Preference records for the local trainer: a fragment pair's shared prefix is context on both
// sides, and only each side's continuation is scored (chosen_start / rejected_start). Scoring the
// prefix too diluted SimPO's per-token margin by half on the demo model's pairs (README, the loop).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promptFor } from '../../src/core/model/prompt';
import { Dataset } from '../../src/core/dataset/dataset';
import type { Sample } from '../../src/core/dataset/sample';
import type { ExportPair } from '../../src/core/pairs/export/index';
import type { PreferencePair } from '../../src/core/search/types';
import { datasetSamples, prefItemsFromPairs, scopedItem, TrainingEncoder, writeTokenizerFolder, type PrefRecord } from '../../src/core/rounds/trainingData';

const ROOT = resolve(__dirname, '..', '..');
const BFCL = join(ROOT, 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json');

describe('preference records', () => {
  let root: string;
  let enc: TrainingEncoder;
  let sample: Sample;
  let prompt: string;
  const prefix = '<tool_call>\n{"name": "calculate_triangle_area", "arguments": {"base": ';
  const chosen = `${prefix}10, "height": 5}}\n</tool_call>`;
  const rejected = `${prefix}"ten"}}\n</tool_call>`;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'itool-pref-'));
    await writeTokenizerFolder(join(root, 'tok'), { vocab: 512, maxPos: 1024 });
    enc = await TrainingEncoder.open(join(root, 'tok'));
    const ds = await Dataset.open(BFCL);
    for await (const s of datasetSamples(ds)) {
      sample = s;
      break;
    }
    await ds.close();
    prompt = await promptFor(enc.renderer, sample);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const record = async (p?: string): Promise<PrefRecord> => {
    const r = await enc.prefRecord({ sample, chosen, rejected, prefix: p });
    assert.ok(typeof r !== 'string', String(r));
    return r;
  };

  it('scores each side from where it leaves the shared prefix', async () => {
    const end = await enc.endMarker();
    const r = await record(prefix);
    // The token ids are still prompt + the whole side: the prefix is context the model sees.
    assert.deepEqual(r.chosen_ids, enc.encode(prompt + chosen + end));
    assert.deepEqual(r.rejected_ids, enc.encode(prompt + rejected + end));
    assert.equal(r.prefix, prefix);
    // Scoring starts at the first token that is not the prompt + prefix's (a token may straddle the fork).
    const context = enc.encode(prompt + prefix).length;
    for (const [ids, start] of [[r.chosen_ids, r.chosen_start], [r.rejected_ids, r.rejected_start]] as const) {
      assert.ok(start >= context - 1 && start <= context, `start ${start}, prompt + prefix ${context} tokens`);
      assert.ok(start < ids.length);
    }
    // Both sides see the same context up to there.
    assert.deepEqual(r.chosen_ids.slice(0, r.chosen_start), r.rejected_ids.slice(0, r.rejected_start));
  });

  it('scores the whole responses when no prefix is given (whole-response pairs)', async () => {
    const whole = await record();
    const frag = await record(prefix);
    assert.equal(whole.chosen_start, enc.encode(prompt).length);
    assert.ok(frag.chosen_start - whole.chosen_start >= enc.encode(prefix).length - 2, `${whole.chosen_start} → ${frag.chosen_start}`);
    assert.equal(whole.prefix, undefined);
  });

  it('refuses a prefix that does not begin both sides, with the reason', async () => {
    assert.equal(await enc.prefRecord({ sample, chosen, rejected: '<tool_call>\n{"name": "other"}', prefix }), 'the shared prefix does not begin both responses');
  });

  it('scores a fragment pair on its fragments, from the fork to the end, or whole (the loop’s pair scope)', async () => {
    const end = await enc.endMarker();
    // The chosen side's fragment leaves the call open; the rejected one's closes it (and ends the response).
    const c = { fragment: '10, ', completion: '"height": 5}}\n</tool_call>', text: '10, "height": 5}}\n</tool_call>' };
    const r = { fragment: '"ten"}}\n</tool_call>', completion: '', text: '"ten"}}\n</tool_call>' };
    const rec = async (scope: 'fragment' | 'continuation' | 'response') => {
      const x = await enc.prefRecord(scopedItem(sample, prefix, c, r, scope));
      assert.ok(typeof x !== 'string', String(x));
      return x;
    };
    const context = enc.encode(prompt + prefix).length;
    const frag = await rec('fragment');
    assert.deepEqual(frag.chosen_ids, enc.encode(prompt + prefix + c.fragment), 'an open fragment: no completion, no end marker');
    assert.deepEqual(frag.rejected_ids, enc.encode(prompt + prefix + r.fragment + end), 'a fragment that ends the response keeps the end marker');
    assert.ok(frag.chosen_start >= context - 1 && frag.chosen_start <= context);
    const cont = await rec('continuation');
    assert.deepEqual(cont.chosen_ids, enc.encode(prompt + chosen + end));
    assert.equal(cont.chosen_start, frag.chosen_start);
    const whole = await rec('response');
    assert.deepEqual(whole.chosen_ids, cont.chosen_ids);
    assert.equal(whole.chosen_start, enc.encode(prompt).length);
  });

  it('makes a reviewed pair an item scoring its fragments, or its continuations on request', () => {
    const side = (fragment: string, completion: string) => ({ fragment, completion, text: fragment + completion }) as PreferencePair['chosen'];
    // The backend left an end-of-turn marker on the rejected side: it is not part of what the side says.
    const pair = { sampleId: sample.id, prefix, chosen: side('10, ', '"height": 5}}\n</tool_call>'), rejected: side('"ten"}}\n</tool_call>', '<|im_end|>') } as PreferencePair;
    const [frag] = prefItemsFromPairs([{ pair, sample } as ExportPair]);
    assert.deepEqual([frag.chosen, frag.rejected, frag.prefix, frag.open], [`${prefix}10, `, rejected, prefix, { chosen: true, rejected: false }]);
    const [cont] = prefItemsFromPairs([{ pair, sample } as ExportPair], 'continuation');
    assert.deepEqual([cont.chosen, cont.rejected, cont.prefix, cont.open], [chosen, rejected, prefix, undefined]);
  });
});

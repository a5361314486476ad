// Which workspace files the dataset pickers list (core/dataset/candidates): in the demo workspace,
// the datasets and nothing else — not the model folder, BFCL's answer files or the manifest.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { isDatasetCandidate } from '../../src/core/dataset/candidates';

const DEMO = resolve(__dirname, '..', '..', 'demo');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('dataset candidates', () => {
  it('lists the demo workspace’s datasets and none of its other JSON', () => {
    const listed = walk(DEMO).filter(isDatasetCandidate).map((p) => relative(DEMO, p));
    assert.ok(listed.includes('datasets/toolace_sample.json'));
    assert.ok(listed.includes('datasets/synth/train/BFCL_v4_synth_train.json'));
    assert.ok(listed.includes('datasets/synth/heldout/BFCL_v4_synth_heldout.json'));
    assert.ok(listed.includes('datasets/bfcl/BFCL_v4_simple_python.json'));
    assert.ok(listed.includes('datasets/bfcl_multi_turn/BFCL_v4_multi_turn_base.json'));
    // BFCL's class docs are JSON Lines of functions, not samples.
    const wrong = listed.filter((p) => p.startsWith('models/') || p.includes('possible_answer') || p.includes('multi_turn_func_doc') || p.endsWith('manifest.json') || p.includes('.itool'));
    assert.deepEqual(wrong, []);
  });

  it('leaves out predictions, journals, trainer output and non-JSON files, on either path separator', () => {
    for (const p of [
      '/w/data/train.json.itool/outputs/ab12.predictions.jsonl',
      '/w/data/train.json.itool/review.jsonl',
      'C:\\w\\data\\train.json.itool\\pairs.jsonl',
      '/w/runs/gorilla_result.json',
      '/w/out/model/trainer_log.jsonl',
      '/w/out/model/Tokenizer_Config.json',
      '/w/lf/data/dataset_info.json',
      '/w/data/train.csv',
      '/w/node_modules/x/data.json',
    ]) assert.equal(isDatasetCandidate(p), false, p);
    for (const p of ['/w/data/train.jsonl', 'C:\\w\\data\\toolace.JSON', '/w/itool/data.json', '/w/config/train.json']) assert.equal(isDatasetCandidate(p), true, p);
  });
});

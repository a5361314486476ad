// `itool train-data`: the SFT records scripts/train reads, from any dataset the project opens,
// rendered with a model folder's own chat template and tokenizer; too-long samples are skipped
// with their reason and counted, the rest still written. Also `itool synth --skip`: a later
// slice of the same split's stream (more training data that repeats nothing).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { trainDataCommand } from '../../src/cli/trainData';
import { writeTokenizerFolder } from '../../src/core/rounds/trainingData';
import { bundledDocs, generateCorpus, TINY_PROFILE, writeCorpus } from '../../src/core/synth/index';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'itool-train-data-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('itool train-data', () => {
  it('writes prompt + answer token ids with the answer start, and skips what does not fit, saying why', async () => {
    const d = tmp();
    await writeCorpus(join(d, 'c'), generateCorpus({ source: bundledDocs(), seed: 2, train: 30, heldOut: 0, settings: TINY_PROFILE }));
    // 640 positions: the longer samples cannot fit.
    await writeTokenizerFolder(join(d, 'tok'), { maxPos: 640 });
    const out: string[] = [];
    const code = await trainDataCommand({ dataset: join(d, 'c', 'train', 'BFCL_v4_synth_train.json'), tokenizer: join(d, 'tok'), out: join(d, 'sft.jsonl') }, { stdout: (s) => void out.push(s), stderr: (s) => void out.push(s) });
    assert.equal(code, 0, out.join(''));
    const recs = readFileSync(join(d, 'sft.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { prompt: string; response: string; ids: number[]; start: number; sample_id: string });
    const m = /^wrote (\d+) records to .*; skipped (\d+): \2 × tokens exceed the model's 640\n$/.exec(out.join(''));
    assert.ok(m, out.join(''));
    assert.equal(Number(m[1]), recs.length);
    assert.equal(recs.length + Number(m[2]), 30);
    assert.ok(recs.length > 0 && Number(m[2]) > 0);
    const tok = new Tokenizer(JSON.parse(readFileSync(join(d, 'tok', 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(d, 'tok', 'tokenizer_config.json'), 'utf8')));
    for (const r of recs) {
      assert.ok(r.ids.length <= 640 && r.start > 0 && r.start < r.ids.length);
      assert.equal(tok.decode(r.ids.slice(r.start), { skip_special_tokens: false }), r.response, r.sample_id);
      assert.match(r.response, /<tool_call>/);
    }
  });

  it('a dataset that cannot be read fails with its reason and exit code 1', async () => {
    const d = tmp();
    await writeTokenizerFolder(join(d, 'tok'));
    const err: string[] = [];
    assert.equal(await trainDataCommand({ dataset: join(d, 'missing.jsonl'), tokenizer: join(d, 'tok'), out: join(d, 'o.jsonl') }, { stdout: () => undefined, stderr: (s) => void err.push(s) }), 1);
    assert.match(err.join(''), /^train-data: .*missing\.jsonl/);
  });
});

describe('synth --skip', () => {
  it('is the same stream, later: skipping N gives samples N.. of a longer run, and the held-out split is unchanged', () => {
    const long = generateCorpus({ source: bundledDocs(), seed: 4, train: 50, heldOut: 10 });
    const later = generateCorpus({ source: bundledDocs(), seed: 4, train: 20, heldOut: 10, skipTrain: 30 });
    assert.deepEqual(later.train, long.train.slice(30));
    assert.deepEqual(later.heldOut, long.heldOut);
    assert.equal(later.manifest.skipTrain, 30);
    assert.equal(later.manifest.sizes.train, 20);
  });
});

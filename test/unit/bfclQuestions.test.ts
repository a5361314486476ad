// The fast reading of BFCL question files for `itool check` (src/core/toolcall/bfclQuestions.ts)
// against the Dataset it stands in for: the same ids and records, the same expectations and
// verdicts for every sample, and a Dataset (undefined) for every file it is not sure to read alike.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';
import { nestingExceeds } from '../../src/core/dataset/recordIndexLimits';
import type { Sample } from '../../src/core/dataset/sample';
import { nestsDeeper, readBfclQuestions } from '../../src/core/toolcall/bfclQuestions';
import { checkOutput } from '../../src/core/toolcall/check/index';
import { sampleExpectation, sampleIds } from '../../src/core/toolcall/datasetCheck';
import { outputsFor } from '../support/bfclOutputs';
import { tempDirs } from '../support/tempDirs';

const ROOT = resolve(__dirname, '..', '..');
const DEMO = join(ROOT, 'demo', 'datasets', 'bfcl');
const SHARED = join(ROOT, '..', 'shared', 'data', 'bfcl');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'datasets', 'bfcl');
const tmp = tempDirs();

const questionFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /^BFCL_v\d+_.+\.json$/.test(f)).sort().map((f) => join(dir, f));

async function datasetSamples(path: string): Promise<{ count: number; ids: Map<string, unknown>; samples: Map<string, Sample> }> {
  const ds = await Dataset.open(path, { format: 'bfcl' });
  try {
    const samples = new Map<string, Sample>();
    const ids = await sampleIds(ds, { keep: () => true, samples });
    return { count: ds.count, ids, samples };
  } finally {
    await ds.close();
  }
}

describe('reading BFCL question files for judging', () => {
  it('reads every plain file as the Dataset does: ids, records, expectations and verdicts', async () => {
    const java = questionFiles(FIXTURES).filter((f) => /_simple_java/.test(f));
    const files = [...questionFiles(DEMO), ...java, ...(existsSync(SHARED) ? questionFiles(SHARED).slice(0, 4) : [])];
    for (const file of files) {
      const fast = readBfclQuestions(file, 'each', () => true);
      assert.ok(fast, `${file} is plain: it is read whole`);
      const full = await datasetSamples(file);
      assert.equal(fast.count, full.count, file);
      assert.deepEqual([...fast.ids], [...full.ids], file);
      assert.deepEqual([...fast.samples.keys()], [...full.samples.keys()], file);
      for (const [id, s] of full.samples) {
        const want = sampleExpectation(s);
        const got = sampleExpectation(fast.samples.get(id)!);
        assert.deepEqual(got, want, id);
        if (!('expectation' in want) || !('expectation' in got)) continue;
        for (const output of outputsFor(s)) assert.deepEqual(checkOutput(output, got.expectation), checkOutput(output, want.expectation), `${id}: ${output}`);
      }
    }
  });

  it('keeps only the samples asked for, and maps every id', () => {
    const file = join(DEMO, 'BFCL_v4_simple_python.json');
    const all = readBfclQuestions(file, 'each', () => true)!;
    const [first] = all.ids.keys();
    const one = readBfclQuestions(file, 'each', (id) => id === first)!;
    assert.deepEqual([...one.samples.keys()], [first]);
    assert.equal(one.ids.size, all.ids.size);
  });

  it('leaves every file it is not sure to read as the Dataset does to the Dataset', () => {
    const dir = tmp('itool-bfclq-');
    mkdirSync(join(dir, 'possible_answer'));
    const source = join(DEMO, 'BFCL_v4_simple_python.json');
    const text = readFileSync(source, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const variants: Record<string, string> = {
      crlf: text.replace(/\n/g, '\r\n'),
      blank: `${lines[0]}\n\n${lines.slice(1).join('\n')}\n`,
      bom: `\uFEFF${text}`,
      array: `[${lines.join(',\n')}]\n`,
      notJson: `${lines[0]}\n{"id": "x",\n`,
      noFunction: `${lines[0]}\n${JSON.stringify({ ...JSON.parse(lines[1]), function: 'none' })}\n`,
      badMessage: `${JSON.stringify({ ...JSON.parse(lines[0]), question: [[{ role: 'robot', content: 'hi' }]] })}\n`,
      deep: `${lines[0]}\n{"id": "deep", "question": [[{"role": "user", "content": "x"}]], "function": [], "x": ${'['.repeat(600)}${']'.repeat(600)}}\n`,
      replacement: `${lines[0].replace('"question"', '"note": "\uFFFD", "question"')}\n`,
    };
    for (const [name, body] of Object.entries(variants)) {
      const file = join(dir, `BFCL_v4_${name}.json`);
      writeFileSync(file, body);
      assert.equal(readBfclQuestions(file, 'each', () => true), undefined, name);
    }
    // Records naming classes (multi-turn, memory, web_search) are read by the Dataset.
    for (const file of questionFiles(FIXTURES)) {
      if (/java/.test(file)) continue;
      assert.equal(readBfclQuestions(file, 'each', () => true), undefined, file);
    }
    // An answer entry the reference turn cannot be made from (attachPossibleAnswers would throw).
    const plain = join(dir, 'BFCL_v4_nullanswer.json');
    copyFileSync(source, plain);
    const first = JSON.parse(lines[0]) as { id: string };
    writeFileSync(join(dir, 'possible_answer', 'BFCL_v4_nullanswer.json'), `${JSON.stringify({ id: first.id, ground_truth: [null] })}\n`);
    assert.equal(readBfclQuestions(plain, 'each', () => true), undefined);
  });

  it('measures nesting as nestingExceeds does, for every text', () => {
    const alphabet = ['[', ']', '{', '}', '"', '\\', 'a', ' '];
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let t = 0; t < 20000; t++) {
      let s = '';
      const len = Math.floor(rnd() * 30);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      for (const limit of [0, 1, 2, 4]) assert.equal(nestsDeeper(s, limit), nestingExceeds(s, limit), `${JSON.stringify(s)} at ${limit}`);
    }
    for (const s of ['"\\\\"[[', '"\\"[[', '[["a\\\\\\"b"]]', '"unterminated [[[']) assert.equal(nestsDeeper(s, 1), nestingExceeds(s, 1), s);
  });
});

// The question cache of `itool check` and the reward service (src/core/toolcall/questionCache.ts):
// what a later run reads instead of the question files judges every output exactly as the files
// do, and it is never used once a file it was made from has changed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readBfclQuestions } from '../../src/core/toolcall/bfclQuestions';
import { checkOutput } from '../../src/core/toolcall/check/index';
import { openCheckSources } from '../../src/core/toolcall/checkSources';
import { sampleExpectation } from '../../src/core/toolcall/datasetCheck';
import { defaultCacheDir, readBfclQuestionsCached } from '../../src/core/toolcall/questionCache';
import { outputsFor } from '../support/bfclOutputs';
import { tempDirs } from '../support/tempDirs';

const ROOT = resolve(__dirname, '..', '..');
const DEMO = join(ROOT, 'demo', 'datasets', 'bfcl');
const SHARED = join(ROOT, '..', 'shared', 'data', 'bfcl');
const CLI = join(ROOT, 'src', 'cli', 'itool.ts');
const tmp = tempDirs();

const questionFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /^BFCL_v\d+_.+\.json$/.test(f)).sort().map((f) => join(dir, f));

/** A copy of a BFCL folder whose files were last changed a minute ago (the cache skips newer ones). */
function settledCopy(from: string): string {
  const dir = join(tmp('itool-qcache-'), 'bfcl');
  cpSync(from, dir, { recursive: true });
  age(dir);
  return dir;
}

function age(dir: string): void {
  const then = new Date(Date.now() - 60_000);
  for (const f of readdirSync(dir, { recursive: true }) as string[]) utimesSync(join(dir, f), then, then);
}

const entries = (cache: string): string[] => (existsSync(join(cache, 'bfcl-questions')) ? readdirSync(join(cache, 'bfcl-questions')) : []);

/** The verdict of every output of `file` (outputsFor its samples as the file has them), judged against the samples of `read`. */
function verdicts(read: ReturnType<typeof readBfclQuestions>, file: string): string[] {
  assert.ok(read);
  const out: string[] = [];
  for (const s of readBfclQuestions(file, 'each', () => true)!.samples.values()) {
    const e = sampleExpectation(read.samples.get(s.id)!);
    assert.ok('expectation' in e && e.expectation, s.id);
    for (const o of outputsFor(s)) out.push(JSON.stringify([s.id, checkOutput(o, e.expectation)]));
  }
  return out;
}

describe('the question cache', () => {
  it('judges every output as the question files do, and a later run reads the cache', () => {
    const dir = settledCopy(DEMO);
    const cache = tmp('itool-qcache-');
    for (const file of questionFiles(dir)) {
      const plain = readBfclQuestions(file, 'each', () => true)!;
      const first = readBfclQuestionsCached(file, 'each', () => true, cache);
      const second = readBfclQuestionsCached(file, 'each', () => true, cache)!;
      assert.ok(first && second);
      // The second read is the cache's: samples without their question text.
      assert.ok([...second.samples.values()].every((s) => s.turns.length === 0), file);
      assert.ok([...plain.samples.values()].every((s) => s.turns.length > 0), file);
      assert.equal(second.count, plain.count);
      assert.deepEqual([...second.ids], [...plain.ids]);
      assert.deepEqual(verdicts(second, file), verdicts(plain, file), file);
      assert.deepEqual(verdicts(first, file), verdicts(plain, file), file);
      // Only the samples asked for.
      const one = [...plain.ids.keys()][1];
      assert.deepEqual([...readBfclQuestionsCached(file, 'each', (id) => id === one, cache)!.samples.keys()], [one]);
    }
    assert.equal(entries(cache).length, questionFiles(dir).length);
  });

  it('is not used once the questions or their answers change, and never caches a file changed just now', () => {
    const dir = settledCopy(DEMO);
    const cache = tmp('itool-qcache-');
    const file = join(dir, 'BFCL_v4_simple_python.json');
    const answers = join(dir, 'possible_answer', 'BFCL_v4_simple_python.json');
    const first = readBfclQuestionsCached(file, 'each', () => true, cache)!;
    const id = [...first.samples.keys()][0];
    readBfclQuestionsCached(file, 'each', () => true, cache);

    // A changed accepted value in the answers file: the verdict follows it.
    const lines = readFileSync(answers, 'utf8').split('\n');
    const k = lines.findIndex((l) => l.includes(`"${id}"`));
    const gt = JSON.parse(lines[k]) as { id: string; ground_truth: Record<string, Record<string, unknown[]>>[] };
    const [fn] = Object.keys(gt.ground_truth[0]);
    const [param] = Object.keys(gt.ground_truth[0][fn]);
    gt.ground_truth[0][fn][param] = ['itool-changed'];
    lines[k] = JSON.stringify(gt);
    writeFileSync(answers, lines.join('\n'));
    age(dir);
    const after = readBfclQuestionsCached(file, 'each', () => true, cache)!;
    assert.deepEqual(after.samples.get(id)!.possibleAnswers![0][fn][param], ['itool-changed']);

    // A question file rewritten with a record fewer (the same size is not needed to notice).
    const q = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    writeFileSync(file, `${q.slice(1).join('\n')}\n`);
    age(dir);
    const fewer = readBfclQuestionsCached(file, 'each', () => true, cache)!;
    assert.equal(fewer.count, q.length - 1);
    assert.ok(!fewer.ids.has(id));

    // Changed just now: read, not written to the cache.
    const fresh = tmp('itool-qcache-');
    writeFileSync(file, `${q.join('\n')}\n`);
    assert.equal(readBfclQuestionsCached(file, 'each', () => true, fresh)!.count, q.length);
    assert.deepEqual(entries(fresh), []);
  });

  it('reads the files when an entry is torn or not its own, and writes it again', () => {
    const dir = settledCopy(DEMO);
    const cache = tmp('itool-qcache-');
    const file = join(dir, 'BFCL_v4_live_multiple.json');
    const plain = readBfclQuestions(file, 'each', () => true);
    readBfclQuestionsCached(file, 'each', () => true, cache);
    const [entry] = entries(cache);
    const path = join(cache, 'bfcl-questions', entry);
    for (const bad of ['{"key": "x", "ids": [', '{"key": "someone else", "count": 1, "ids": [], "samples": []}', '']) {
      writeFileSync(path, bad);
      assert.deepEqual(verdicts(readBfclQuestionsCached(file, 'each', () => true, cache), file), verdicts(plain, file));
      assert.ok(readFileSync(path, 'utf8').length > 100, 'written again');
    }
  });

  it('is left alone when the answers come from elsewhere (they may name functions the cache left out)', async () => {
    const dir = settledCopy(DEMO);
    const elsewhere = join(tmp('itool-qcache-'), 'answers');
    cpSync(join(dir, 'possible_answer'), elsewhere, { recursive: true });
    const cache = tmp('itool-qcache-');
    const sources = await openCheckSources({ path: dir, answers: elsewhere, cache }, ['simple_python_0']);
    await sources.close();
    assert.deepEqual(entries(cache), []);
    const beside = await openCheckSources({ path: dir, cache }, ['simple_python_0']);
    await beside.close();
    assert.equal(entries(cache).length, 1);
  });

  it('lives in ITOOL_CACHE_DIR, XDG_CACHE_HOME or ~/.cache, and `off` turns it off', () => {
    assert.equal(defaultCacheDir({ ITOOL_CACHE_DIR: '/c' }), '/c');
    assert.equal(defaultCacheDir({ ITOOL_CACHE_DIR: 'off' }), undefined);
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x' }), join('/x', 'itool-studio'));
    assert.match(defaultCacheDir({})!, /\.cache[\\/]itool-studio$/);
  });

  it('itool check writes the same verdicts from the cache, and --no-cache leaves it alone', () => {
    const dir = settledCopy(DEMO);
    const cache = tmp('itool-qcache-');
    const outputs = join(tmp('itool-qcache-'), 'o.jsonl');
    const rows: string[] = [];
    for (const file of questionFiles(dir)) for (const s of readBfclQuestions(file, 'each', () => true)!.samples.values()) for (const o of outputsFor(s)) rows.push(JSON.stringify({ id: s.id, result: o }));
    writeFileSync(outputs, `${rows.join('\n')}\n`);
    const run = (...extra: string[]) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'check', '--questions', dir, '--outputs', outputs, '--json', ...extra], { encoding: 'utf8', env: { ...process.env, ITOOL_CACHE_DIR: cache } });
      assert.ok(r.status === 0 || r.status === 1, r.stderr);
      return r.stdout;
    };
    const uncached = run('--no-cache');
    assert.deepEqual(entries(cache), []);
    const cold = run();
    const filled = entries(cache).length;
    assert.ok(filled >= 3, `one entry per question file (${filled})`);
    const warm = run();
    assert.equal(cold, uncached);
    assert.equal(warm, uncached);
    assert.equal(uncached.trim().split('\n').length, rows.length);
    rmSync(cache, { recursive: true, force: true });
  });

  it('judges all of BFCL the same from the cache', { skip: !existsSync(SHARED) && 'needs ../shared/data/bfcl' }, () => {
    const dir = settledCopy(SHARED);
    const cache = tmp('itool-qcache-');
    for (const file of questionFiles(dir)) {
      readBfclQuestionsCached(file, 'each', () => true, cache);
      assert.deepEqual(verdicts(readBfclQuestionsCached(file, 'each', () => true, cache), file), verdicts(readBfclQuestions(file, 'each', () => true), file), file);
    }
  });
});

// Explicit save: only edited records change; every other byte, malformed records included, stays.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';
import { saveEdits } from '../../src/core/dataset/save';
import type { Sample } from '../../src/core/dataset/sample';

const DEMO = resolve(__dirname, '..', '..', 'demo', 'datasets');

function copyDemo(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'itool-save-'));
  const file = join(dir, name);
  copyFileSync(join(DEMO, name), file);
  return file;
}

async function editUser(ds: Dataset, i: number, text: string): Promise<Sample> {
  const r = await ds.sample(i);
  assert.ok(r.ok);
  const user = r.sample.turns.find((t) => t.role === 'user')!;
  user.content = text;
  return r.sample;
}

describe('saveEdits', () => {
  it('JSONL with malformed lines: one edited record changes, every other byte is kept', async () => {
    const file = copyDemo('malformed_sample.jsonl');
    const before = readFileSync(file);
    const ds = await Dataset.open(file);
    const edited = await editUser(ds, 7, 'Wie viel sind 80 Pfund in Euro? 💶');
    assert.equal(await saveEdits(ds, new Map([[7, edited]])), 1);
    await ds.close();
    const after = readFileSync(file);
    const b = before.toString('latin1').split('\n');
    const a = after.toString('latin1').split('\n');
    assert.equal(a.length, b.length);
    a.forEach((line, k) => (k === 7 ? assert.notEqual(line, b[k]) : assert.equal(line, b[k], `line ${k + 1} kept byte for byte`)));
    const re = await Dataset.open(file);
    const r = await re.sample(7);
    assert.ok(r.ok);
    assert.equal(r.sample.turns.find((t) => t.role === 'user')!.content, 'Wie viel sind 80 Pfund in Euro? 💶');
    // Style of the source kept: compact separators as the original line.
    assert.ok(!/", "/.test(a[7].slice(0, 40)) && /","/.test(a[7]));
    await re.close();
    assert.deepEqual(readdirSync(resolve(file, '..')), ['malformed_sample.jsonl'], 'no temp file left');
  });

  it('pretty JSON array: the edited element is re-indented in place, the rest is unchanged', async () => {
    const file = copyDemo('toolace_sample.json');
    const before = readFileSync(file, 'utf8');
    const ds = await Dataset.open(file);
    assert.equal(ds.index.container, 'json-array');
    const edited = await editUser(ds, 2, 'Edited question');
    const start = ds.index.start(2);
    const end = ds.index.end(2);
    await saveEdits(ds, new Map([[2, edited]]));
    await ds.close();
    const after = readFileSync(file, 'utf8');
    assert.equal(after.slice(0, start), before.slice(0, start));
    assert.ok(after.endsWith(before.slice(end)));
    const values = JSON.parse(after) as unknown[];
    const original = JSON.parse(before) as unknown[];
    assert.equal(values.length, original.length);
    values.forEach((v, k) => k !== 2 && assert.deepEqual(v, original[k]));
    assert.match(JSON.stringify(values[2]), /Edited question/);
  });

  it('no edits leaves the file untouched; a failing save leaves the original untouched', async () => {
    const file = copyDemo('xlam_sample.jsonl');
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const ds = await Dataset.open(file);
    assert.equal(await saveEdits(ds, new Map()), 0);
    assert.deepEqual(readFileSync(file), before);
    assert.equal(statSync(file).mtimeMs, mtime);
    await assert.rejects(saveEdits(ds, new Map([[999, {} as Sample]])), /cannot save record 999/);
    const ctl = new AbortController();
    ctl.abort();
    const edited = await editUser(ds, 0, 'x');
    await assert.rejects(saveEdits(ds, new Map([[0, edited]]), { signal: ctl.signal }));
    assert.deepEqual(readFileSync(file), before);
    await ds.close();
  });

  it('refuses to save over a file that changed since it was opened', async () => {
    const file = copyDemo('hermes_sample.jsonl');
    const ds = await Dataset.open(file);
    const edited = await editUser(ds, 0, 'x');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n');
    await assert.rejects(saveEdits(ds, new Map([[0, edited]])), /changed/);
    await ds.close();
  });
});

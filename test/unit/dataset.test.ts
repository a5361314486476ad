// Dataset: opening, rows, and the full record check (inline and in worker threads).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';

const ROOT = resolve(__dirname, '..', '..');
const MALFORMED = join(ROOT, 'demo', 'datasets', 'malformed_sample.jsonl');
const EXPECTED_BAD = [
  [3, /^line 3: not JSON/],
  [4, /^line 4: not JSON/],
  [5, /^line 5: messages is "hello", expected an array$/],
  [6, /^line 6: invalid UTF-8 at byte 75 of the record$/],
] as const;

async function collect(ds: Dataset, workers: number) {
  const bad: { index: number; line: number; reason: string }[] = [];
  let progress = 0;
  const r = await ds.check({ workers, onProblems: (items) => bad.push(...items), onProgress: (d) => (progress = d) });
  bad.sort((a, b) => a.index - b.index);
  return { r, bad, progress };
}

describe('Dataset', () => {
  for (const workers of [0, 2]) {
    it(`check() names every malformed record (${workers ? `${workers} workers` : 'inline'})`, async () => {
      const ds = await Dataset.open(MALFORMED);
      try {
        const { r, bad, progress } = await collect(ds, workers);
        assert.equal(r.ok, ds.count - EXPECTED_BAD.length);
        assert.equal(r.bad, EXPECTED_BAD.length);
        assert.equal(progress, ds.count);
        assert.deepEqual(bad.map((b) => b.line), EXPECTED_BAD.map(([l]) => l));
        bad.forEach((b, k) => assert.match(b.reason, EXPECTED_BAD[k][1]));
      } finally {
        await ds.close();
      }
    });
  }

  it('check() in workers agrees with the inline check on a larger generated file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-ds-'));
    const file = join(dir, 'gen.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      if (i % 997 === 5) lines.push('{"messages": [');
      else if (i % 1499 === 7) lines.push(JSON.stringify({ messages: { role: 'user' }, tools: [] }));
      else lines.push(JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}` }], tools: [] }));
    }
    writeFileSync(file, lines.join('\n') + '\n');
    const ds = await Dataset.open(file);
    try {
      const inline = await collect(ds, 0);
      const parallel = await collect(ds, 3);
      assert.ok(inline.bad.length > 40);
      assert.deepEqual(parallel.bad, inline.bad);
      assert.equal(parallel.r.ok, inline.r.ok);
    } finally {
      await ds.close();
    }
  });

  it('check() stops when aborted', async () => {
    const ds = await Dataset.open(MALFORMED);
    try {
      const ctl = new AbortController();
      ctl.abort();
      await assert.rejects(ds.check({ workers: 2, signal: ctl.signal }));
    } finally {
      await ds.close();
    }
  });

  it('rows() reads a page with the right summaries, problems included', async () => {
    const ds = await Dataset.open(MALFORMED);
    try {
      const rows = await ds.rows(0, ds.count);
      assert.equal(rows.length, ds.count);
      assert.deepEqual(rows.map((r) => !!r.problem), [false, false, true, true, true, true, false, false, false]);
      assert.equal(rows[0].firstUser, 'Do I need an umbrella in Bergen today?');
      assert.equal(rows[1].answer, 'text');
    } finally {
      await ds.close();
    }
  });
});

// The append-only journal survives a writer killed at any moment: earlier entries intact, at most
// the entry being written lost, and a new writer carries on cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { JournalWriter, readJournal } from '../../src/core/store/journal';

const ROOT = resolve(__dirname, '..', '..');

/** A separate process appending entries as fast as it can until it is killed. */
function writer(path: string): ReturnType<typeof spawn> {
  const code = `
    require('tsx/cjs');
    const { JournalWriter } = require(${JSON.stringify(join(ROOT, 'src/core/store/journal.ts'))});
    (async () => {
      const w = await JournalWriter.open(${JSON.stringify(path)});
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) {
        await w.append({ i, pad: 'x'.repeat(500 + (i % 97) * 40) }, { i: i + 0.5 });
        if (i % 50 === 0) await w.sync();
      }
    })();`;
  return spawn(process.execPath, ['-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('journal', () => {
  for (const delay of [30, 120, 400]) {
    it(`a writer killed with SIGKILL after ~${delay} ms loses nothing before the entry being written`, async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'itool-journal-')), 'j.jsonl');
      const p = writer(path);
      await new Promise<void>((res) => p.stdout!.once('data', () => res()));
      await new Promise((r) => setTimeout(r, delay));
      p.kill('SIGKILL');
      await new Promise((r) => p.once('exit', r));
      const { entries, damaged } = await readJournal<{ i: number }>(path);
      assert.ok(entries.length > 0, 'the writer got some entries out');
      entries.forEach((e, k) => assert.equal(e.i, k / 2, `entry ${k} intact and in order`));
      assert.ok(damaged.length <= 1);
      if (damaged.length) assert.match(damaged[0].reason, /incomplete last entry/);
      // A new writer starts on a fresh line; the partial line stays ignored, new entries are read.
      const w = await JournalWriter.open(path);
      await w.append({ i: -1 });
      await w.close();
      const again = await readJournal<{ i: number }>(path);
      assert.deepEqual(again.entries.slice(0, entries.length), entries);
      assert.equal(again.entries.at(-1)!.i, -1);
    });
  }

  it('reads a missing file as empty and lists a non-JSON line without losing the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-journal-'));
    assert.deepEqual(await readJournal(join(dir, 'none.jsonl')), { entries: [], damaged: [] });
    const path = join(dir, 'j.jsonl');
    writeFileSync(path, '{"a":1}\nnot json\n');
    appendFileSync(path, '{"a":2}\n');
    const r = await readJournal<{ a: number }>(path);
    assert.deepEqual(r.entries, [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(r.damaged, [{ line: 2, reason: 'not JSON' }]);
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 4);
  });
});

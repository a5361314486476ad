import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/core/store/atomicWrite';

const root = mkdtempSync(join(tmpdir(), 'itool-atomic-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
function freshDir(): string {
  const d = join(root, `d${seq++}`);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  return d;
}

describe('writeFileAtomic', () => {
  it('replaces a file and keeps its mode', async () => {
    const d = freshDir();
    const p = join(d, 'data.jsonl');
    writeFileSync(p, 'old\n');
    chmodSync(p, 0o600);
    await writeFileAtomic(p, 'new\n');
    assert.equal(readFileSync(p, 'utf8'), 'new\n');
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(d), ['data.jsonl']);
  });

  it('creates a new file with the given mode, from bytes', async () => {
    const d = freshDir();
    const p = join(d, 'new.bin');
    await writeFileAtomic(p, new Uint8Array([1, 2, 3]), { mode: 0o640 });
    assert.deepEqual([...readFileSync(p)], [1, 2, 3]);
    assert.equal(statSync(p).mode & 0o777, 0o640);
  });

  it('streams many small chunks (strings and reused buffers) in order', async () => {
    const d = freshDir();
    const p = join(d, 'big.jsonl');
    const shared = Buffer.alloc(4);
    async function* gen() {
      for (let i = 0; i < 200_000; i++) {
        if (i % 2) {
          shared.write(String(i % 10).repeat(3) + '\n'); // the producer reuses its buffer
          yield shared;
        } else yield `{"i":${i}}\n`;
      }
    }
    await writeFileAtomic(p, gen());
    const lines = readFileSync(p, 'utf8').split('\n');
    assert.equal(lines.length, 200_001);
    assert.equal(lines[0], '{"i":0}');
    assert.equal(lines[1], '111');
    assert.equal(lines[199_999], '999');
  });

  it('leaves the original intact and no temp file when the writer throws mid-stream', async () => {
    const d = freshDir();
    const p = join(d, 'keep.jsonl');
    writeFileSync(p, 'original\n');
    async function* failing() {
      for (let i = 0; i < 5000; i++) yield 'x'.repeat(1000) + '\n'; // several MB: real writes happened
      throw new Error('boom');
    }
    await assert.rejects(writeFileAtomic(p, failing()), /boom/);
    assert.equal(readFileSync(p, 'utf8'), 'original\n');
    assert.deepEqual(readdirSync(d), ['keep.jsonl']);
  });

  it('stops on abort without touching the target', async () => {
    const d = freshDir();
    const p = join(d, 'a.txt');
    writeFileSync(p, 'A');
    const ac = new AbortController();
    async function* slow() {
      yield 'B';
      ac.abort();
      yield 'C';
    }
    await assert.rejects(writeFileAtomic(p, slow(), { signal: ac.signal }), (e: Error) => e.name === 'AbortError');
    assert.equal(readFileSync(p, 'utf8'), 'A');
    assert.deepEqual(readdirSync(d), ['a.txt']);
  });

  it('writes through a symlink to its target', async () => {
    const d = freshDir();
    writeFileSync(join(d, 'real.txt'), 'old');
    symlinkSync('real.txt', join(d, 'link.txt'));
    await writeFileAtomic(join(d, 'link.txt'), 'new');
    assert.ok(lstatSync(join(d, 'link.txt')).isSymbolicLink());
    assert.equal(readFileSync(join(d, 'real.txt'), 'utf8'), 'new');
  });

  it('fails cleanly when the directory does not exist', async () => {
    await assert.rejects(writeFileAtomic(join(root, 'missing', 'x.txt'), 'x'), { code: 'ENOENT' });
  });
});

// `itool … --json` read through a pipe, as `itool check … --json | wc -l` or a parent process reads
// it: the whole output arrives and the exit code is the command's, even when the reader is slow and
// the output is many times the pipe's 64 KiB buffer (issue 15, finding 1: the process used to exit
// right after its last write, cutting the output at the first pipe-buffer-full).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureBuiltCli } from '../support/builtCli';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const BFCL = join(ROOT, 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json');
const dir = mkdtempSync(join(tmpdir(), 'itool-pipe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const figures = { runs: 0, rows: 0, bytes: 0 };
after(() => console.log(`pipedOutput: ${figures.runs} CLI runs read through a pipe, ${figures.rows} JSON rows and ${figures.bytes} bytes checked`));

before(() => {
  ensureBuiltCli();
});

interface Piped {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: Buffer;
  err: string;
}

/**
 * Spawn the CLI with stdout and stderr as pipes and read everything. The reader starts late
 * (`lagMs`) and reads in small gulps, so the child's writes find the pipe full, as behind `| wc`
 * on a busy machine.
 */
function piped(args: string[], lagMs = 300): Promise<Piped> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    p.stdout.pause();
    setTimeout(() => p.stdout.resume(), lagMs);
    p.stdout.on('data', (b: Buffer) => {
      chunks.push(b);
      p.stdout.pause();
      setTimeout(() => p.stdout.resume(), 1);
    });
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (s: string) => (err += s));
    p.on('error', rej);
    // 'close': the process exited AND both pipes reached their end.
    p.on('close', (code, signal) => {
      figures.runs++;
      const out = Buffer.concat(chunks);
      figures.bytes += out.length;
      res({ code, signal, out, err });
    });
  });
}

describe('--json through a pipe', () => {
  it('check --json: all 2,000 rows of a 2,000-output file arrive, each a whole JSON object, exit 0', async () => {
    const outputs = join(dir, 'outputs.jsonl');
    const rows: string[] = [];
    for (let i = 0; i < 2000; i++) rows.push(JSON.stringify({ id: `simple_python_${i % 40}`, output: `[calculate_triangle_area(base=10, height=${i})]` }));
    writeFileSync(outputs, `${rows.join('\n')}\n`);
    const r = await piped(['check', BFCL, '--outputs', outputs, '--json']);
    assert.equal(r.err, '');
    assert.equal(r.signal, null);
    assert.equal(r.code, 0);
    const text = r.out.toString('utf8');
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    const lines = whole.slice(0, -1).split('\n');
    assert.ok(text === whole && lines.length === 2000, `${lines.length} of 2000 rows arrived whole (${r.out.length} bytes${text === whole ? '' : ', the last cut mid-row'})`);
    lines.forEach((l, i) => {
      const row = JSON.parse(l) as { id: string; valid: boolean; score: number };
      assert.equal(row.id, `simple_python_${i % 40}`, `row ${i + 1} in input order`);
      assert.equal(typeof row.valid, 'boolean');
    });
    figures.rows += lines.length;
  });

  it('inspect --json: a file with 3,000 malformed lines lists all 3,000, exit 0', async () => {
    const file = join(dir, 'bad.jsonl');
    const good = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'ok' }], tools: [] });
    const lines = [good];
    for (let i = 0; i < 3000; i++) lines.push(`{"messages": [ broken record ${i}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await piped(['inspect', file, '--json']);
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    assert.ok(r.out.length > 65536 * 2, `${r.out.length} bytes: several pipe buffers`);
    let rep: { records: number; samples: number; malformed: { line: number; reason: string }[] };
    try {
      rep = JSON.parse(r.out.toString('utf8')) as typeof rep;
    } catch (e) {
      assert.fail(`${r.out.length} bytes arrived, not one whole JSON report (${(e as Error).message})`);
    }
    assert.equal(rep.records, 3001);
    assert.equal(rep.samples, 1);
    assert.equal(rep.malformed.length, 3000);
    assert.deepEqual(rep.malformed.map((m) => m.line), Array.from({ length: 3000 }, (_, i) => i + 2));
    figures.rows += rep.malformed.length;
  });

  it('a failing command: its whole message on stderr through a pipe, and exit code 1 (2 for bad usage)', async () => {
    let r = await piped(['inspect', join(dir, 'no-such-file.jsonl')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no-such-file\.jsonl/);
    r = await piped(['convert', BFCL, '--to', 'nonsense', '-o', join(dir, 'x.json')]);
    assert.equal(r.code, 2);
    // The command's usage is printed after the message, in full (its last line points to --help).
    assert.match(r.err, /unknown format "nonsense"[\s\S]*\n {2}itool convert FILE[\s\S]*\nitool --help lists every command\.\n$/);
  });

  it('a reader that goes away early (`| head -1`) ends the run quietly: no EPIPE trace, exit 0', async () => {
    const outputs = join(dir, 'outputs2.jsonl');
    const rows: string[] = [];
    for (let i = 0; i < 4000; i++) rows.push(JSON.stringify({ id: `simple_python_${i % 40}`, output: `[calculate_triangle_area(base=10, height=${i})]` }));
    writeFileSync(outputs, `${rows.join('\n')}\n`);
    const r = await new Promise<{ code: number | null; err: string }>((res, rej) => {
      const p = spawn(process.execPath, [CLI, 'check', BFCL, '--outputs', outputs, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      p.stdout.once('data', () => p.stdout.destroy());
      p.stderr.setEncoding('utf8');
      p.stderr.on('data', (s: string) => (err += s));
      p.on('error', rej);
      p.on('close', (code) => res({ code, err }));
    });
    figures.runs++;
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
  });
});

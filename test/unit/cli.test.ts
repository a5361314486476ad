// The `itool` CLI over real files: the built dist/cli.js is spawned as a user would run it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const BFCL = join(ROOT, 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json');

function itool(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('itool CLI', () => {
  it('inspect reports format, count and BFCL call statistics', () => {
    const r = itool('inspect', BFCL, '--json');
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out) as { format: string; records: number; samples: number; malformed: unknown[]; answers: { calls: number }; calls: { total: number } };
    const lines = readFileSync(BFCL, 'utf8').split('\n').filter((l) => l.trim());
    assert.equal(rep.format, 'bfcl');
    assert.equal(rep.records, lines.length);
    assert.equal(rep.samples, lines.length);
    assert.deepEqual(rep.malformed, []);
    // Every simple_python sample has exactly one expected call in its answer file.
    assert.equal(rep.answers.calls, lines.length);
    assert.equal(rep.calls.total, lines.length);
  });

  it('inspect lists malformed records with line and reason, and still counts the good ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-cli-'));
    const file = join(dir, 'mixed.jsonl');
    const good = (q: string) => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: 'ok' }], tools: [] });
    writeFileSync(file, [good('a'), '{"messages": [', good('b'), 'not json at all', JSON.stringify({ messages: 'nope', tools: [] }), good('c')].join('\n') + '\n');
    const r = itool('inspect', file, '--json');
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out) as { samples: number; records: number; malformed: { line: number; reason: string }[] };
    assert.equal(rep.records, 6);
    assert.equal(rep.samples, 3);
    assert.deepEqual(
      rep.malformed.map((m) => m.line),
      [2, 4, 5],
    );
    for (const m of rep.malformed) assert.match(m.reason, new RegExp(`line ${m.line}`));
    assert.match(rep.malformed[2].reason, /messages/);
  });

  it('convert to the same format is byte-identical; to another format reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-cli-'));
    const same = join(dir, 'same.json');
    let r = itool('convert', BFCL, '--to', 'bfcl', '-o', same);
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(same, 'utf8'), readFileSync(BFCL, 'utf8'));

    const oa = join(dir, 'as-openai.jsonl');
    r = itool('convert', BFCL, '--to', 'openai', '-o', oa);
    assert.equal(r.code, 0, r.err);
    const back = JSON.parse(itool('inspect', oa, '--json').out) as { format: string; samples: number; answers: { calls: number } };
    assert.equal(back.format, 'openai');
    const n = readFileSync(BFCL, 'utf8').split('\n').filter((l) => l.trim()).length;
    assert.equal(back.samples, n);
    assert.equal(back.answers.calls, n);
    // Atomic write: no temp files left beside the output. BFCL → BFCL keeps the answers it read.
    assert.deepEqual(readdirSync(dir).sort(), ['as-openai.jsonl', 'possible_answer', 'same.json']);
    assert.deepEqual(readdirSync(join(dir, 'possible_answer')), ['same.json']);
  });

  it('convert reports what the target cannot hold before writing; --strict refuses and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-cli-'));
    const out = join(dir, 'o.jsonl');
    let r = itool('convert', BFCL, '--to', 'openai', '-o', out, '--strict');
    assert.equal(r.code, 1);
    assert.match(r.err, /^lost converting BFCL .* to OpenAI chat \+ tools: \d+ of \d+ record\(s\)/);
    assert.match(r.err, /\n {2}record ids: \d+ record\(s\)\n {4}line 1 \(id "simple_python_0"\): "simple_python_0" not written\n/);
    assert.match(r.err, /refused \(--strict\): converting to OpenAI chat \+ tools would lose data in \d+ of \d+ record\(s\); nothing written\n$/);
    assert.deepEqual(readdirSync(dir), []);
    r = itool('convert', BFCL, '--to', 'openai', '-o', out);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^lost converting BFCL/);
    assert.match(r.out, /^wrote \d+ sample\(s\) as OpenAI chat \+ tools to .*; \d+ record\(s\) lost data \(listed above\)\n$/);
    // A target with a side field keeps what it cannot hold: --strict lets it through.
    r = itool('convert', BFCL, '--to', 'llamafactory', '-o', join(dir, 'lf.jsonl'), '--strict');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^held only in the "itool_source" field of \d+ of \d+ record\(s\)/);
  });

  it('bad usage exits 2 with a message; a missing file exits 1 naming it', () => {
    let r = itool('convert', BFCL, '--to', 'nonsense', '-o', '/tmp/x');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown format "nonsense"/);
    r = itool('inspect', '/no/such/file.jsonl');
    assert.equal(r.code, 1);
    assert.equal(r.err.trim(), 'itool: cannot open /no/such/file.jsonl: no such file or folder', 'a sentence, not a raw ENOENT');
    r = itool('inspect', tmpdir());
    assert.equal(r.code, 1);
    assert.match(r.err, /it is a folder, not a file/);
    assert.ok(!existsSync('/tmp/x'));
  });
});

describe('itool help and version', () => {
  it('COMMAND --help prints that command’s usage only; --version the package’s; an unknown command says so', () => {
    const help = itool('inspect', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage:\n {2}itool inspect FILE/);
    assert.doesNotMatch(help.out, /itool convert|itool calibrate/);
    const exploreHelp = itool('explore', '-h');
    assert.equal(exploreHelp.code, 0);
    assert.match(exploreHelp.out, /itool explore DATASET[\s\S]*--selection FILE -o PAIRS/);
    const v = itool('--version');
    assert.equal(v.code, 0);
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    assert.equal(v.out, `itool ${pkg.version}\n`);
    const unknown = itool('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "frobnicate"; commands: inspect, convert, check/);
    assert.doesNotMatch(unknown.err, /Usage:/);
    // A usage error shows the usage of the command that was run, not every command's.
    const bad = itool('convert', 'x.json');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /convert: --to FORMAT is required\n\nUsage:\n {2}itool convert FILE/);
    assert.doesNotMatch(bad.err, /itool calibrate/);
  });
});

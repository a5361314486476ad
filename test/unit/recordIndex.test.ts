import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildIndex, RecordReader } from '../../src/core/dataset/recordIndex';

const dir = mkdtempSync(join(tmpdir(), 'itool-index-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `f${seq++}`);
  writeFileSync(p, content);
  return p;
}

async function load(path: string, opts: { workers?: number; bufferSize?: number } = {}) {
  const index = await buildIndex(path, opts);
  const reader = new RecordReader(index);
  try {
    const parsed = await reader.parseRange(0, index.count);
    return { index, parsed, values: parsed.map((r) => (r.ok ? r.value : undefined)), lines: parsed.map((r) => r.line) };
  } finally {
    await reader.close();
  }
}

/** Every (workers, buffer) combination that exercises chunk and buffer boundaries. */
const MODES = [
  { workers: 0 },
  { workers: 0, bufferSize: 1 },
  { workers: 0, bufferSize: 5 },
  { workers: 1, bufferSize: 3 },
  { workers: 2, bufferSize: 4 },
  { workers: 3, bufferSize: 2 },
];

describe('JSONL', () => {
  const bytes = Buffer.concat([
    Buffer.from('\uFEFF{"a":1}\r\n\r\n   \n{"b":"x]y"}\n'), // BOM, CRLF, blank lines
    Buffer.from('{"c":"'),
    Buffer.from([0xc3, 0x28]), // invalid UTF-8
    Buffer.from('"}\nnot json\n\t{"d": [1, 2]}  \r\n{"e": x}\n{"f":"trunc'),
  ]);

  for (const mode of MODES) {
    it(`loads good records and names bad ones (${JSON.stringify(mode)})`, async () => {
      const { index, parsed, values, lines } = await load(file(bytes), mode);
      assert.equal(index.container, 'jsonl');
      assert.equal(index.count, 7);
      assert.deepEqual(lines, [1, 4, 5, 6, 7, 8, 9]);
      assert.deepEqual(values, [{ a: 1 }, { b: 'x]y' }, undefined, undefined, { d: [1, 2] }, undefined, undefined]);
      const reasons = parsed.flatMap((r) => (r.ok ? [] : [r.reason]));
      assert.deepEqual(reasons, [
        'line 5: invalid UTF-8 at byte 6 of the record',
        "line 6: not JSON (Unexpected token 'o' at column 2)",
        "line 8: not JSON (Unexpected token 'x' at column 7)",
        'line 9: truncated record (file ends inside a string)',
      ]);
      assert.equal(index.eofRecord, 6);
      assert.deepEqual(index.problems, []);
      assert.deepEqual(parsed.flatMap((r, i) => (r.ok ? [] : [i])), [2, 3, 5, 6]);
    });
  }

  it('keeps the record bytes exact: no \\r, no \\n, lenient text for display', async () => {
    const p = file(Buffer.concat([Buffer.from('{"a":1}\r\n{"b":"'), Buffer.from([0xff]), Buffer.from('"}\r\n')]));
    const index = await buildIndex(p);
    const r = new RecordReader(index);
    assert.deepEqual(await r.readTexts(0, 2), ['{"a":1}', '{"b":"\uFFFD"}']);
    assert.equal(index.end(0) - index.start(0), 7);
    assert.equal(index.eofRecord, -1);
    await r.close();
  });

  it('handles an empty file, a blank file and a file of only a BOM', async () => {
    for (const c of ['', '\n\n  \r\n', '\uFEFF']) {
      const { index } = await load(file(c));
      assert.equal(index.count, 0);
      assert.equal(index.container, 'jsonl');
    }
  });

  it('treats a file of one array per line as JSONL, a lone one-line array as a JSON array', async () => {
    const a = await load(file('[1, "]"]\n[2]\n'));
    assert.equal(a.index.container, 'jsonl');
    assert.deepEqual(a.values, [[1, ']'], [2]]);
    const b = await load(file('[1, 2]\n\n'));
    assert.equal(b.index.container, 'json-array');
    assert.deepEqual(b.values, [1, 2]);
    const c = await load(file('\n\n[[1],\n[2]]\n'));
    assert.equal(c.index.container, 'json-array');
    assert.deepEqual(c.values, [[1], [2]]);
    assert.deepEqual(c.lines, [3, 4]);
  });
});

describe('JSON array', () => {
  const tricky = [{ s: 'a]b', q: 'say \\"hi\\" {', n: [1, [2, [3, {}]], []] }, 'plain ]}[{', 42, null, true, [[]], { '': '\\' }, '"],'];

  for (const mode of MODES) {
    it(`finds top-level elements, pretty and compact (${JSON.stringify(mode)})`, async () => {
      const pretty = await load(file(JSON.stringify(tricky, null, 2)), mode);
      assert.equal(pretty.index.container, 'json-array');
      assert.deepEqual(pretty.values, tricky);
      assert.deepEqual(pretty.lines, [2, 17, 18, 19, 20, 21, 24, 27]);
      const compact = await load(file('\uFEFF' + JSON.stringify(tricky)), mode);
      assert.deepEqual(compact.values, tricky);
      assert.ok(compact.lines.every((l) => l === 1));
      assert.deepEqual(compact.index.problems, []);
    });

    it(`keeps complete elements of a truncated array, with one problem (${JSON.stringify(mode)})`, async () => {
      const full = JSON.stringify([{ a: 1 }, ['x', 'y'], { b: 'long string' }], null, 1);
      const cut = full.slice(0, full.indexOf('long') + 2);
      const { index, values } = await load(file(cut), mode);
      assert.deepEqual(values, [{ a: 1 }, ['x', 'y']]);
      assert.equal(index.problems.length, 1);
      assert.equal(index.problems[0].reason, `line ${index.problems[0].line}: truncated record (file ends inside a string)`);
      const obj = await load(file('[{"a": [1, 2'), mode);
      assert.equal(obj.index.count, 0);
      assert.match(obj.index.problems[0].reason, /^line 1: truncated record \(file ends inside an array\)$/);
      const noClose = await load(file('[{"a": 1},\n {"b": 2}\n'), mode);
      assert.deepEqual(noClose.values, [{ a: 1 }, { b: 2 }]);
      assert.deepEqual(noClose.index.problems.map((p) => p.reason), ['line 3: truncated array (file ends before the closing ])']);
    });
  }

  it('reports element errors with the element line, and content after the array', async () => {
    const { index, parsed } = await load(file('[\n {"a": 1},\n {"b": nope},\n 3\n]\nextra'));
    assert.equal(index.count, 3);
    assert.equal(parsed[1].ok, false);
    assert.equal(!parsed[1].ok && parsed[1].reason, "line 3: not JSON (Unexpected token 'o' at character 8 of the record)");
    assert.deepEqual(index.problems.map((p) => p.reason), ['line 6: unexpected content after the closing ] of the array']);
  });
});

describe('parallel scan', () => {
  let big: string;
  before(() => {
    // ~30 MB: records from tiny to 2 MB (longer than the 1 MiB buffer used below), blank lines, CRLF.
    const parts: string[] = [];
    let size = 0;
    let n = 0;
    while (size < 30e6) {
      const len = n % 997 === 0 ? 2_000_000 : (n * 7919) % 3000;
      const rec = JSON.stringify({ id: n, text: 'é'.repeat(len % 50) + 'x'.repeat(len) });
      const eol = n % 5 === 0 ? '\r\n' : '\n';
      const line = (n % 101 === 0 ? '\n  \n' : '') + (n === 5000 ? '{broken' : rec) + eol;
      parts.push(line);
      size += line.length;
      n++;
    }
    big = file(parts.join(''));
  });

  it('multi-worker scan equals the single-thread scan on ~30 MB', async () => {
    const one = await buildIndex(big, { workers: 0 });
    assert.ok(one.size > 29e6);
    for (const opts of [{ workers: 2 }, { workers: 3, bufferSize: 1 << 20 }, { workers: 1 }]) {
      const many = await buildIndex(big, opts);
      assert.equal(many.count, one.count);
      for (let i = 0; i < one.count; i++) {
        if (many.start(i) !== one.start(i) || many.end(i) !== one.end(i) || many.line(i) !== one.line(i)) {
          assert.fail(`record ${i} differs with ${JSON.stringify(opts)}`);
        }
      }
    }
    assert.ok(one.bytesPerRecord() <= 32, `bytesPerRecord ${one.bytesPerRecord()}`);
    const reader = new RecordReader(one);
    const bad = (await reader.parseRange(0, one.count)).flatMap((r) => (r.ok ? [] : [r.reason]));
    await reader.close();
    assert.equal(bad.length, 1);
    assert.match(bad[0], /^line \d+: not JSON \(Expected property name or '\}' at column 2\)$/);
  });

  it('reports progress up to the file size', async () => {
    const seen: number[] = [];
    const totals = new Set<number>();
    const index = await buildIndex(big, {
      workers: 2,
      onProgress: (done, total) => {
        seen.push(done);
        totals.add(total);
      },
    });
    assert.ok(seen.length > 2);
    assert.deepEqual([...totals], [index.size]);
    assert.equal(Math.max(...seen), index.size);
  });

  it('aborts: workers, inline scan, and an already aborted signal', async () => {
    for (const workers of [2, 0]) {
      const ac = new AbortController();
      const p = buildIndex(big, { workers, bufferSize: 1 << 20, signal: ac.signal, onProgress: () => ac.abort() });
      await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    }
    await assert.rejects(buildIndex(big, { signal: AbortSignal.abort() }), (e: Error) => e.name === 'AbortError');
  });

  it('refuses to read a file that changed after indexing', async () => {
    const p = file('{"a":1}\n');
    const index = await buildIndex(p);
    utimesSync(p, new Date(), new Date(Date.now() + 5000));
    const r = new RecordReader(index);
    await assert.rejects(r.parse(0), /changed since it was indexed/);
    await r.close();
  });
});

describe('property: index + parse returns exactly the values', () => {
  const ws = fc.array(fc.constantFrom(' ', '\n', '\t', '\r\n'), { maxLength: 3 }).map((a) => a.join(''));
  it('for JSONL and JSON arrays with random whitespace, buffers and workers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 12 }),
        fc.boolean(),
        fc.record({ bom: fc.boolean(), crlf: fc.boolean(), trailing: fc.boolean(), pretty: fc.boolean() }),
        fc.array(ws, { minLength: 30, maxLength: 30 }),
        fc.constantFrom(0, 0, 1, 2, 3),
        fc.integer({ min: 1, max: 64 }),
        async (values, asArray, o, gaps, workers, bufferSize) => {
          const g = (k: number) => gaps[k % gaps.length];
          let text: string;
          if (asArray) {
            const items = values.map((v, k) => g(k) + JSON.stringify(v, null, o.pretty ? 2 : undefined) + g(k + 1));
            text = g(29) + '[' + items.join(',') + (values.length ? '' : g(3)) + ']' + g(28);
          } else {
            const eol = o.crlf ? '\r\n' : '\n';
            text = values.map((v, k) => (k % 3 === 1 ? eol : '') + JSON.stringify(v)).join(eol) + (o.trailing ? eol : '');
          }
          const p = file((o.bom ? '\uFEFF' : '') + text);
          const { index, parsed } = await load(p, { workers, bufferSize });
          let expected = values.map((v) => JSON.parse(JSON.stringify(v)) as unknown);
          // The documented ambiguity: a one-line JSONL file holding one array reads as that array.
          if (!asArray && values.length === 1 && Array.isArray(values[0])) expected = expected[0] as unknown[];
          assert.deepEqual(parsed.map((r) => (r.ok ? r.value : r.reason)), expected);
          assert.deepEqual(index.problems, []);
          assert.equal(parsed.filter((r) => r.ok).length, expected.length);
          rmSync(p);
        },
      ),
      { numRuns: 150 },
    );
  });
});

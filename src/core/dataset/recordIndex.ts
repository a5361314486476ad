// The streaming record index: byte offsets of every record, so that a 1 GB file opens without
// parsing a single record; `RecordReader` then reads and parses records on demand.
//
// Container rule (JSON Lines vs one JSON array), decided on the bytes after an optional UTF-8 BOM:
//   - first non-whitespace byte is not `[` (or the file is blank)  -> JSON Lines;
//   - it is `[` -> scanned as a JSON array, unless the bracket opened there closes on that same
//     line (a complete JSON value, judged structurally: brackets balance outside strings) AND a
//     further non-blank line follows -> JSON Lines whose records happen to be arrays.
//   Structural rather than JSON.parse: a damaged first record must not flip the container, and a
//   compact one-line array of 1 GB must not be parsed just to decide.
// JSONL records are the non-blank lines, [start, end) without the `\n` / `\r\n`; lines end at `\n`
// only (a lone `\r` is not a line break). Array records are the top-level elements.
//
// Scanning runs in worker_threads (JSONL: the file split in byte chunks, one per core, merged in
// order). The worker code is the self-contained JS string KERNEL below, started with
// `new Worker(src, { eval: true })`: that works unchanged under tsx (tests) and after esbuild
// bundles this module into dist/extension.js or dist/cli.js, where no separate worker file or
// TypeScript loader exists. Function.prototype.toString() of TS functions is not used because
// tsx/esbuild may inject helpers (`__name`) into function bodies. Small files scan inline with the
// same kernel (evaluated once with `new Function`), avoiding worker start-up.
//
// Memory: Float64Array starts + Uint32Array lengths + Uint32Array line numbers = 16 bytes a record.
import { availableParallelism } from 'node:os';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { kernel, runWorkers, type LineScanOpts, type ScanResult, type Scanner, type WorkerMsg } from './recordIndexKernel';
import { MAX_RECORD_BYTES, tooBigReason } from './recordIndexLimits';

export type Container = 'jsonl' | 'json-array';

/** A fault in the file's structure (not in one record's JSON). `reason` starts with `line N: `. */
export interface StructuralProblem {
  line: number;
  /** Byte offset in the file where the problem was seen. */
  offset: number;
  reason: string;
}


export type ParseResult =
  | { ok: true; value: unknown; text: string; line: number }
  | { ok: false; line: number; reason: string; text?: string };

export interface BuildIndexOptions {
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Worker threads: 0 = scan inline; default = one per core for files of 8 MiB or more, else 0. */
  workers?: number;
  /** Read buffer size in bytes (default 8 MiB); tests use tiny ones to hit buffer boundaries. */
  bufferSize?: number;
}



const MiB = 1 << 20;
const DEFAULT_BUFFER = 8 * MiB;
const INLINE_BELOW = 8 * MiB;
/** The most bytes one read of a run of records takes (a run longer than this is read in pieces). */
const READ_RUN_BYTES = 64 * MiB;

export class RecordIndex {
  constructor(
    readonly path: string,
    readonly size: number,
    readonly mtimeMs: number,
    readonly container: Container,
    private readonly starts: Float64Array,
    private readonly lens: Uint32Array,
    private readonly lines: Uint32Array,
    readonly problems: StructuralProblem[],
    /** Index of a JSONL record that runs to end of file with no line break (maybe truncated), else -1. */
    readonly eofRecord: number,
  ) {}

  get count(): number {
    return this.starts.length;
  }
  start(i: number): number {
    return this.starts[i];
  }
  end(i: number): number {
    return this.starts[i] + this.lens[i];
  }
  length(i: number): number {
    return this.lens[i];
  }
  /** Whether record i is over MAX_RECORD_BYTES: it is never read, only reported. */
  tooBig(i: number): boolean {
    return this.lens[i] > MAX_RECORD_BYTES;
  }
  /** 1-based line of the record's first byte. */
  line(i: number): number {
    return this.lines[i];
  }
  /** The record starting on `line`, or -1. */
  indexOfLine(line: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const l = this.lines[mid];
      if (l === line) return mid;
      if (l < line) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
  bytesPerRecord(): number {
    const bytes = this.starts.byteLength + this.lens.byteLength + this.lines.byteLength;
    return this.count === 0 ? 0 : bytes / this.count;
  }
  /** Typed-array slices for records [from, to), for handing to workers. */
  slices(from: number, to: number): { starts: Float64Array; lens: Uint32Array; lines: Uint32Array } {
    return { starts: this.starts.slice(from, to), lens: this.lens.slice(from, to), lines: this.lines.slice(from, to) };
  }
}

async function readFully(fh: FileHandle, buf: Buffer, len: number, pos: number): Promise<number> {
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead <= 0) break;
    got += bytesRead;
  }
  return got;
}

/** Feeds [from, size) to a scanner on the main thread with async reads (abortable between reads). */
async function scanInline(path: string, sc: Scanner, from: number, size: number, bufSize: number, o: BuildIndexOptions): Promise<ScanResult> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(bufSize);
    for (let pos = from; pos < size; ) {
      o.signal?.throwIfAborted();
      const n = await readFully(fh, buf, Math.min(bufSize, size - pos), pos);
      if (n <= 0) break;
      const stop = sc.feed(buf, n, pos);
      pos += n;
      o.onProgress?.(Math.min(pos, size), size);
      if (stop) break;
    }
    sc.finish();
    return sc.result();
  } finally {
    await fh.close();
  }
}

/** BOM length (0 or 3) and the first non-whitespace byte after it (-1 for a blank file). */
async function sniff(path: string, size: number): Promise<{ bom: number; first: number }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let bom = 0;
    for (let pos = 0; pos < size; ) {
      const n = await readFully(fh, buf, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
      let k = 0;
      if (pos === 0 && n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) k = bom = 3;
      for (; k < n; k++) {
        const c = buf[k];
        if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return { bom, first: c };
      }
      pos += n;
    }
    return { bom, first: -1 };
  } finally {
    await fh.close();
  }
}

function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/** Index a JSONL file or JSON array file; see the container rule at the top of this file. */
export async function buildIndex(path: string, opts: BuildIndexOptions = {}): Promise<RecordIndex> {
  opts.signal?.throwIfAborted();
  const st = await stat(path);
  const size = st.size;
  const bufSize = Math.max(1, opts.bufferSize ?? DEFAULT_BUFFER);
  const nWorkers = opts.workers ?? (size < INLINE_BELOW ? 0 : defaultWorkers());
  const { bom, first } = await sniff(path, size);
  let done = 0;
  const progress = (m: WorkerMsg) => {
    if (m.type === 'progress') opts.onProgress?.(Math.min((done += m.bytes), size), size);
  };

  if (first === 0x5b) {
    const r =
      nWorkers === 0
        ? await scanInline(path, kernel().makeArrayScanner(size), bom, size, bufSize, opts)
        : (await runWorkers<ScanResult>([{ task: 'scan', kind: 'array', path, readFrom: bom, size, bufSize }], opts.signal, progress))[0];
    if (!r.jsonl) return new RecordIndex(path, size, st.mtimeMs, 'json-array', r.starts, r.lens, r.lines, r.problems ?? [], -1);
    done = 0;
  }

  // JSONL: chunk k owns the lines starting in [bounds[k], bounds[k+1]).
  const parts = Math.max(1, nWorkers);
  const bounds = [bom];
  for (let k = 1; k < parts; k++) {
    const b = bom + Math.round(((size - bom) * k) / parts);
    if (b > bounds[bounds.length - 1] && b < size) bounds.push(b);
  }
  bounds.push(Math.max(size, bom));
  const jobs: (LineScanOpts & { task: string; path: string; readFrom: number; bufSize: number })[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const from = bounds[k];
    jobs.push({ task: 'scan', path, from, to: bounds[k + 1], size, bufSize, seeking: k > 0, start: from, lineBase: k === 0 ? 1 : 0, readFrom: k === 0 ? from : from - 1 });
  }
  const results =
    nWorkers === 0
      ? [await scanInline(path, kernel().makeLineScanner(jobs[0]), bom, size, bufSize, opts)]
      : await runWorkers<ScanResult>(jobs, opts.signal, progress);
  const last = results[results.length - 1];
  if (results.length === 1) {
    const eof = last.openAtEof ? last.starts.length - 1 : -1;
    return new RecordIndex(path, size, st.mtimeMs, 'jsonl', last.starts, last.lens, last.lines, [], eof);
  }
  let total = 0;
  for (const r of results) total += r.starts.length;
  const starts = new Float64Array(total);
  const lens = new Uint32Array(total);
  const lines = new Uint32Array(total);
  let at = 0;
  let linesBefore = 0; // lines (blank ones too) owned by earlier chunks
  results.forEach((r, k) => {
    starts.set(r.starts, at);
    lens.set(r.lens, at);
    // Chunk 0 numbers its lines from 1, the others from 0 (they cannot know where they begin).
    if (k === 0) lines.set(r.lines, at);
    else for (let i = 0; i < r.lines.length; i++) lines[at + i] = r.lines[i] + linesBefore + 1;
    at += r.starts.length;
    linesBefore += r.lineCount ?? 0;
  });
  return new RecordIndex(path, size, st.mtimeMs, 'jsonl', starts, lens, lines, [], last.openAtEof ? total - 1 : -1);
}

// ---------------------------------------------------------------------------------------------

/** Reads records by index. Texts are decoded leniently (U+FFFD for bad bytes); `parse` is strict. */
export class RecordReader {
  private fh: Promise<FileHandle> | undefined;
  private readonly strict = new TextDecoder('utf-8', { fatal: true });
  private readonly lenient = new TextDecoder('utf-8');

  constructor(readonly index: RecordIndex) {}

  private handle(): Promise<FileHandle> {
    // Reading a file that changed since indexing would return the wrong bytes for every record.
    this.fh ??= (async () => {
      const fh = await open(this.index.path, 'r');
      const st = await fh.stat();
      if (st.size !== this.index.size || st.mtimeMs !== this.index.mtimeMs) {
        await fh.close();
        throw new Error(`${this.index.path} changed since it was indexed; reopen it`);
      }
      return fh;
    })();
    const p = this.fh;
    p.catch(() => {
      if (this.fh === p) this.fh = undefined; // let a later call retry
    });
    return p;
  }

  private check(from: number, to: number): void {
    if (!(from >= 0 && to <= this.index.count && from <= to)) throw new RangeError(`records [${from}, ${to}) outside [0, ${this.index.count})`);
  }

  /**
   * Raw bytes of records [from, to), read in as few reads as possible: one per run of records
   * between records over the size limit (whose bytes are never read: `at(i)` gives an empty
   * buffer for them) and of at most READ_RUN_BYTES.
   */
  async readSpan(from: number, to: number): Promise<{ at(i: number): Buffer }> {
    this.check(from, to);
    if (from === to) return { at: () => Buffer.alloc(0) };
    const runs: { from: number; to: number; base: number; buf: Buffer }[] = [];
    for (let a = from; a < to; ) {
      if (this.index.tooBig(a)) {
        a++;
        continue;
      }
      const base = this.index.start(a);
      let b = a + 1;
      while (b < to && !this.index.tooBig(b) && this.index.end(b) - base <= READ_RUN_BYTES) b++;
      const buf = Buffer.allocUnsafe(this.index.end(b - 1) - base);
      const n = await readFully(await this.handle(), buf, buf.length, base);
      if (n < buf.length) throw new Error(`${this.index.path} is shorter than when it was indexed`);
      runs.push({ from: a, to: b, base, buf });
      a = b;
    }
    const empty = Buffer.alloc(0);
    let last = 0;
    return {
      at: (i) => {
        if (this.index.tooBig(i)) return empty;
        // Callers walk i upwards: start from the run the last call used.
        if (!(runs[last].from <= i && i < runs[last].to)) last = runs.findIndex((r) => r.from <= i && i < r.to);
        const r = runs[last];
        return r.buf.subarray(this.index.start(i) - r.base, this.index.end(i) - r.base);
      },
    };
  }

  async readBytes(i: number): Promise<Buffer> {
    return (await this.readSpan(i, i + 1)).at(i);
  }

  /** Record i's text ('' for a record over the size limit). */
  async readText(i: number): Promise<string> {
    return this.lenient.decode(await this.readBytes(i));
  }

  /** Texts of records [from, to) ('' for records over the size limit). */
  async readTexts(from: number, to: number): Promise<string[]> {
    const span = await this.readSpan(from, to);
    const out: string[] = [];
    for (let i = from; i < to; i++) out.push(this.lenient.decode(span.at(i)));
    return out;
  }

  async parse(i: number): Promise<ParseResult> {
    return (await this.parseRange(i, i + 1))[0];
  }

  async parseRange(from: number, to: number): Promise<ParseResult[]> {
    const span = await this.readSpan(from, to);
    const k = kernel();
    const lineRel = this.index.container === 'jsonl';
    const out: ParseResult[] = [];
    for (let i = from; i < to; i++) {
      const line = this.index.line(i);
      if (this.index.tooBig(i)) {
        out.push({ ok: false, line, reason: `line ${line}: ${tooBigReason(this.index.length(i))}` });
        continue;
      }
      const r = k.parseBytes(span.at(i), this.strict, i === this.index.eofRecord, lineRel);
      out.push(r.ok ? { ok: true, value: r.value, text: r.text, line } : { ok: false, line, reason: `line ${line}: ${r.reason}`, text: r.text });
    }
    return out;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    if (fh) await (await fh.catch(() => undefined))?.close();
  }
}

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
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { open, stat, type FileHandle } from 'node:fs/promises';

export type Container = 'jsonl' | 'json-array';

/** A fault in the file's structure (not in one record's JSON). `reason` starts with `line N: `. */
export interface StructuralProblem {
  line: number;
  /** Byte offset in the file where the problem was seen. */
  offset: number;
  reason: string;
}

/** A record that failed validation. `reason` starts with `line N: `. */
export interface RecordProblem {
  index: number;
  line: number;
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

export interface ValidateOptions {
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Called as each bad record is found (workers report in batches, so not in index order). */
  onProblem?: (p: RecordProblem) => void;
  workers?: number;
  bufferSize?: number;
}

export interface ValidateResult {
  total: number;
  ok: number;
  /** Bad records in index order. Structural problems are in `index.problems`. */
  bad: RecordProblem[];
}

const MiB = 1 << 20;
const DEFAULT_BUFFER = 8 * MiB;
const INLINE_BELOW = 8 * MiB;

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

// ---------------------------------------------------------------------------------------------
// The kernel: plain JS shared by workers and the inline path. No backticks or `${` inside.
const KERNEL = String.raw`
'use strict';
function grow(a, n) { const b = new a.constructor(n); b.set(a); return b; }
function makeOut() { return { starts: new Float64Array(4096), lens: new Uint32Array(4096), lines: new Uint32Array(4096), count: 0 }; }
function push(o, s, l, ln) {
  if (o.count === o.starts.length) { const n = o.count * 2; o.starts = grow(o.starts, n); o.lens = grow(o.lens, n); o.lines = grow(o.lines, n); }
  o.starts[o.count] = s; o.lens[o.count] = l; o.lines[o.count] = ln; o.count++;
}
function trim(o) { return { starts: o.starts.slice(0, o.count), lens: o.lens.slice(0, o.count), lines: o.lines.slice(0, o.count) }; }

// JSONL: owns the lines that START in [from, to). seeking: the first byte fed is from-1, and the
// first owned line starts after the first newline. The last owned line may run past 'to'.
function makeLineScanner(o) {
  const out = makeOut();
  let inLine = !o.seeking, start = o.start, content = false, prev = -1, lineNo = o.lineBase, lineCount = 0, done = false, openAtEof = false;
  function close(end) { if (content) push(out, start, end - start, lineNo); lineNo++; lineCount++; }
  return {
    feed(buf, len, at) {
      let rel = 0;
      while (rel < len) {
        let nl = buf.indexOf(10, rel);
        if (nl >= len) nl = -1; // stale bytes of a reused buffer
        const lim = nl < 0 ? len : nl;
        if (inLine && !content) {
          let j = rel;
          while (j < lim) { const c = buf[j]; if (c === 32 || c === 9 || c === 13) j++; else break; }
          if (j < lim) content = true;
        }
        if (nl < 0) break;
        if (inLine) { const e = at + nl; const before = nl > 0 ? buf[nl - 1] : prev; close(before === 13 && e > start ? e - 1 : e); }
        const s = at + nl + 1;
        if (s >= o.to || s >= o.size) { done = true; return true; }
        inLine = true; start = s; content = false; rel = nl + 1;
      }
      prev = buf[len - 1];
      return false;
    },
    finish() {
      if (!done && inLine) { openAtEof = content; close(prev === 13 && o.size > start ? o.size - 1 : o.size); }
      done = true;
    },
    result() { const r = trim(out); r.lineCount = lineCount; r.openAtEof = openAtEof; return r; },
  };
}

// JSON array: top-level elements, tracking string/escape state and nesting depth.
function makeArrayScanner(size) {
  const out = makeOut(), problems = [], stack = [];
  let phase = 0, depth = 0, inStr = false, esc = false, line = 1, openLine = 0, closeLine = 0;
  let open = false, complete = false, eStart = 0, eLine = 0, last = 0, comma = false, jsonl = false, done = false;
  function emit() { push(out, eStart, last + 1 - eStart, eLine); open = false; complete = false; }
  function problem(p, ln, why) { problems.push({ offset: p, line: ln, reason: 'line ' + ln + ': ' + why }); }
  return {
    feed(buf, len, at) {
      for (let k = 0; k < len; k++) {
        const c = buf[k];
        if (inStr) {
          if (esc) esc = false;
          else if (c === 92) esc = true;
          else if (c === 34) { inStr = false; last = at + k; if (depth === 0) complete = true; }
          else if (c === 10) line++;
          continue;
        }
        if (c === 10) { line++; continue; }
        if (c === 32 || c === 9 || c === 13) continue;
        const p = at + k;
        if (phase === 1) {
          if (depth === 0) {
            if (c === 44) { if (open) emit(); else problem(p, line, 'empty array element (stray comma)'); comma = true; continue; }
            if (c === 93) { if (open) emit(); else if (comma) problem(p, line, 'trailing comma before the closing ]'); phase = 2; closeLine = line; continue; }
            if (open && complete) { problem(p, line, 'missing comma between array elements'); emit(); }
            if (!open) { open = true; complete = false; eStart = p; eLine = line; comma = false; }
          }
          if (c === 34) inStr = true;
          else if (c === 123 || c === 91) { stack.push(c); depth++; }
          else if ((c === 125 || c === 93) && depth > 0) { depth--; stack.pop(); if (depth === 0) complete = true; }
          last = p;
        } else if (phase === 0) {
          if (c === 91) { phase = 1; openLine = line; }
          else { problem(p, line, 'not a JSON array'); done = true; return true; }
        } else {
          if (closeLine === openLine && line > openLine) jsonl = true;
          else problem(p, line, 'unexpected content after the closing ] of the array');
          done = true; return true;
        }
      }
      return false;
    },
    finish() {
      if (done) return;
      done = true;
      if (phase !== 1) return;
      if (open && !inStr && depth === 0 && complete) { emit(); open = false; }
      if (open) {
        const where = inStr ? 'a string' : depth > 0 ? (stack[stack.length - 1] === 123 ? 'an object' : 'an array') : 'a value';
        problem(eStart, eLine, 'truncated record (file ends inside ' + where + ')');
      } else problem(size, line, 'truncated array (file ends before the closing ])');
    },
    result() { const r = trim(out); r.problems = problems; r.jsonl = jsonl; return r; },
  };
}

function firstInvalidUtf8(b) {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let need, lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) { need = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

// Position of the first syntax error (V8's "Unexpected token" messages carry none), -1 if unknown.
function jsonErrorPos(s) {
  const n = s.length;
  let i = 0;
  const NUM = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  function ws() { while (i < n) { const c = s.charCodeAt(i); if (c === 32 || c === 9 || c === 10 || c === 13) i++; else break; } }
  function str() {
    i++;
    for (;;) {
      if (i >= n) throw n;
      const c = s.charCodeAt(i);
      if (c === 34) { i++; return; }
      if (c < 32) throw i;
      if (c === 92) {
        const e = s[i + 1];
        if (e === undefined) throw n;
        if (e === 'u') { if (i + 6 > n) throw n; if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) throw i; i += 6; }
        else if ('"\\/bfnrt'.indexOf(e) >= 0) i += 2;
        else throw i + 1;
        continue;
      }
      i++;
    }
  }
  function value(d) {
    if (d > 2000) throw -1;
    ws();
    if (i >= n) throw n;
    const c = s.charCodeAt(i);
    if (c === 123 || c === 91) {
      const close = c === 123 ? 125 : 93;
      i++; ws();
      if (s.charCodeAt(i) === close) { i++; return; }
      for (;;) {
        if (c === 123) { ws(); if (i >= n) throw n; if (s.charCodeAt(i) !== 34) throw i; str(); ws(); if (i >= n) throw n; if (s.charCodeAt(i) !== 58) throw i; i++; }
        value(d + 1); ws();
        if (i >= n) throw n;
        const c2 = s.charCodeAt(i);
        if (c2 === 44) { i++; continue; }
        if (c2 === close) { i++; return; }
        throw i;
      }
    }
    if (c === 34) return str();
    if (c === 45 || (c >= 48 && c <= 57)) { NUM.lastIndex = i; const m = NUM.exec(s); if (!m) throw i + 1 >= n ? n : i + 1; i += m[0].length; return; }
    const lit = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : '';
    if (!lit) throw i;
    for (let k = 0; k < lit.length; k++) { if (i + k >= n) throw n; if (s[i + k] !== lit[k]) throw i + k; }
    i += lit.length;
  }
  try { value(0); ws(); return i < n ? i : -1; } catch (e) { return typeof e === 'number' ? e : -1; }
}

function openingContext(s) {
  const stack = [];
  let inStr = false, esc = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inStr) { if (esc) esc = false; else if (c === 92) esc = true; else if (c === 34) inStr = false; }
    else if (c === 34) inStr = true;
    else if (c === 123 || c === 91) stack.push(c);
    else if (c === 125 || c === 93) stack.pop();
  }
  return inStr ? 'a string' : stack.length ? (stack[stack.length - 1] === 123 ? 'an object' : 'an array') : 'a value';
}

function describeJsonError(text, err, atEof, lineRel) {
  let msg = String(err && err.message ? err.message : err);
  const m = / at position (\d+)/.exec(msg);
  let pos = m ? Number(m[1]) : jsonErrorPos(text);
  if (/^Unexpected end of JSON input/.test(msg)) pos = text.length;
  if (atEof && pos >= text.trimEnd().length) return 'truncated record (file ends inside ' + openingContext(text) + ')';
  msg = msg.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '').replace(/ of JSON input$/, ' of input');
  if (pos >= 0) {
    const col = Array.from(text.slice(0, pos)).length + 1;
    msg += lineRel ? ' at column ' + col : ' at character ' + col + ' of the record';
  }
  return 'not JSON (' + msg + ')';
}

// Strict parse of one record's bytes; the reason has no 'line N: ' prefix (callers add it).
function parseBytes(bytes, dec, atEof, lineRel) {
  let text;
  try { text = dec.decode(bytes); }
  catch (e) { return { ok: false, reason: 'invalid UTF-8 at byte ' + firstInvalidUtf8(bytes) + ' of the record' }; }
  try { return { ok: true, value: JSON.parse(text), text: text }; }
  catch (e) { return { ok: false, reason: describeJsonError(text, e, atEof, lineRel), text: text }; }
}
`;

// Worker entry: scans a byte range or validates a slice of records with synchronous reads.
const WORKER_MAIN = String.raw`
const { parentPort, workerData: d } = require('node:worker_threads');
const fs = require('node:fs');
const fd = fs.openSync(d.path, 'r');
const buf = Buffer.allocUnsafe(d.bufSize);
function readAt(b, len, pos) { let got = 0; while (got < len) { const n = fs.readSync(fd, b, got, len - got, pos + got); if (n <= 0) break; got += n; } return got; }
if (d.task === 'scan') {
  const sc = d.kind === 'array' ? makeArrayScanner(d.size) : makeLineScanner(d);
  let pos = d.readFrom, stopped = false;
  while (pos < d.size && !stopped) {
    const n = readAt(buf, Math.min(d.bufSize, d.size - pos), pos);
    if (n <= 0) break;
    stopped = sc.feed(buf, n, pos); pos += n;
    parentPort.postMessage({ type: 'progress', bytes: n });
  }
  sc.finish();
  const r = sc.result();
  parentPort.postMessage({ type: 'done', result: r }, [r.starts.buffer, r.lens.buffer, r.lines.buffer]);
} else {
  const dec = new TextDecoder('utf-8', { fatal: true });
  const { starts, lens, lines } = d;
  const n = starts.length;
  let bad = [], ok = 0, i = 0;
  while (i < n) {
    const s0 = starts[i];
    let j = i + 1;
    while (j < n && starts[j] + lens[j] - s0 <= d.bufSize) j++;
    const span = starts[j - 1] + lens[j - 1] - s0;
    const b = span <= d.bufSize ? buf : Buffer.allocUnsafe(span);
    readAt(b, span, s0);
    for (let k = i; k < j; k++) {
      const off = starts[k] - s0;
      const r = parseBytes(b.subarray(off, off + lens[k]), dec, d.base + k === d.eofRecord, d.lineRel);
      if (r.ok) ok++; else bad.push({ index: d.base + k, line: lines[k], reason: 'line ' + lines[k] + ': ' + r.reason });
    }
    if (bad.length) { parentPort.postMessage({ type: 'bad', items: bad }); bad = []; }
    parentPort.postMessage({ type: 'progress', bytes: span });
    i = j;
  }
  parentPort.postMessage({ type: 'done', result: { ok: ok } });
}
fs.closeSync(fd);
`;

interface ScanResult {
  starts: Float64Array;
  lens: Uint32Array;
  lines: Uint32Array;
  lineCount?: number;
  openAtEof?: boolean;
  problems?: StructuralProblem[];
  jsonl?: boolean;
}
interface Scanner {
  feed(buf: Buffer, len: number, at: number): boolean;
  finish(): void;
  result(): ScanResult;
}
interface LineScanOpts {
  from: number;
  to: number;
  size: number;
  seeking: boolean;
  start: number;
  lineBase: number;
}
interface Kernel {
  makeLineScanner(o: LineScanOpts): Scanner;
  makeArrayScanner(size: number): Scanner;
  parseBytes(bytes: Uint8Array, dec: TextDecoder, atEof: boolean, lineRel: boolean): { ok: true; value: unknown; text: string } | { ok: false; reason: string; text?: string };
}

let kernelCache: Kernel | undefined;
function kernel(): Kernel {
  kernelCache ??= new Function(`${KERNEL}\nreturn { makeLineScanner, makeArrayScanner, parseBytes };`)() as Kernel;
  return kernelCache;
}
const WORKER_SRC = KERNEL + WORKER_MAIN;

type WorkerMsg =
  | { type: 'progress'; bytes: number }
  | { type: 'bad'; items: RecordProblem[] }
  | { type: 'done'; result: unknown };

/** Runs one worker per job; resolves with their results in order. Abort terminates them all. */
function runWorkers<T>(jobs: object[], signal: AbortSignal | undefined, onMsg: (m: WorkerMsg) => void): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) => {
    const results: T[] = new Array(jobs.length);
    const finished = new Array<boolean>(jobs.length).fill(false);
    let left = jobs.length;
    let settled = false;
    const workers = jobs.map((workerData) => new Worker(WORKER_SRC, { eval: true, workerData }));
    const end = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        for (const w of workers) void w.terminate();
        reject(err);
      } else resolve(results);
    };
    const onAbort = () => end(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    workers.forEach((w, k) => {
      w.on('message', (m: WorkerMsg) => {
        if (settled) return;
        if (m.type === 'done') {
          results[k] = m.result as T;
          finished[k] = true;
          if (--left === 0) end();
        } else onMsg(m);
      });
      w.on('error', (e) => end(e));
      w.on('exit', (code) => {
        if (!finished[k]) end(new Error(`record index worker exited (code ${code}) before finishing`));
      });
    });
    if (jobs.length === 0) end();
  });
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

  /** Raw bytes of records [from, to) with one read; `at(i)` gives record i's bytes. */
  async readSpan(from: number, to: number): Promise<{ at(i: number): Buffer }> {
    this.check(from, to);
    if (from === to) return { at: () => Buffer.alloc(0) };
    const base = this.index.start(from);
    const buf = Buffer.allocUnsafe(this.index.end(to - 1) - base);
    const n = await readFully(await this.handle(), buf, buf.length, base);
    if (n < buf.length) throw new Error(`${this.index.path} is shorter than when it was indexed`);
    return { at: (i) => buf.subarray(this.index.start(i) - base, this.index.end(i) - base) };
  }

  async readBytes(i: number): Promise<Buffer> {
    return (await this.readSpan(i, i + 1)).at(i);
  }

  async readText(i: number): Promise<string> {
    return this.lenient.decode(await this.readBytes(i));
  }

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

/** Parse every record (UTF-8 + JSON) in worker threads; lists the bad ones. Shape checks live elsewhere. */
export async function validateAll(index: RecordIndex, opts: ValidateOptions = {}): Promise<ValidateResult> {
  opts.signal?.throwIfAborted();
  const n = index.count;
  const bufSize = Math.max(1, opts.bufferSize ?? DEFAULT_BUFFER);
  const nWorkers = opts.workers ?? (index.size < INLINE_BELOW ? 0 : defaultWorkers());
  const bad: RecordProblem[] = [];
  const report = (p: RecordProblem) => {
    bad.push(p);
    opts.onProblem?.(p);
  };
  let ok = 0;
  if (n === 0) return { total: 0, ok: 0, bad };

  if (nWorkers === 0) {
    const reader = new RecordReader(index);
    try {
      for (let i = 0; i < n; ) {
        opts.signal?.throwIfAborted();
        let j = i + 1;
        while (j < n && index.end(j) - index.start(i) <= bufSize) j++;
        const rs = await reader.parseRange(i, j);
        rs.forEach((r, k) => {
          if (r.ok) ok++;
          else report({ index: i + k, line: r.line, reason: r.reason });
        });
        opts.onProgress?.(Math.min(index.end(j - 1), index.size), index.size);
        i = j;
      }
    } finally {
      await reader.close();
    }
    return { total: n, ok, bad };
  }

  // Split records into byte-balanced runs, one per worker.
  const cuts = [0];
  const first = index.start(0);
  const span = index.end(n - 1) - first;
  for (let k = 1; k < nWorkers; k++) {
    const target = first + (span * k) / nWorkers;
    let lo = cuts[cuts.length - 1];
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (index.start(mid) < target) lo = mid + 1;
      else hi = mid;
    }
    if (lo > cuts[cuts.length - 1] && lo < n) cuts.push(lo);
  }
  cuts.push(n);
  const jobs = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    jobs.push({ task: 'validate', path: index.path, bufSize, base: cuts[k], eofRecord: index.eofRecord, lineRel: index.container === 'jsonl', ...index.slices(cuts[k], cuts[k + 1]) });
  }
  let done = 0;
  const results = await runWorkers<{ ok: number }>(jobs, opts.signal, (m) => {
    if (m.type === 'progress') opts.onProgress?.(Math.min((done += m.bytes), index.size), index.size);
    else if (m.type === 'bad') m.items.forEach(report);
  });
  for (const r of results) ok += r.ok;
  bad.sort((a, b) => a.index - b.index);
  return { total: n, ok, bad };
}

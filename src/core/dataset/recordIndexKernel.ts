// The record index's scanning kernel: plain JavaScript kept as a string, so the very same code
// runs inline (via `new Function`) and in worker threads (`new Worker(src, { eval: true })`), both
// under tsx and after esbuild bundling — see the header of recordIndex.ts for why.
import { startWorker } from '../workers';
import type { StructuralProblem } from './recordIndex';
import { MAX_NESTING, MAX_RECORD_BYTES, MiB } from './recordIndexLimits';

// ---------------------------------------------------------------------------------------------
// The kernel: plain JS shared by workers and the inline path. No backticks or `${` inside; the
// record limits (recordIndexLimits.ts) are prepended as constants.
const KERNEL =
  `'use strict';\nconst MAX_RECORD_BYTES = ${MAX_RECORD_BYTES}, MAX_NESTING = ${MAX_NESTING}, MiB = ${MiB};\n` +
  String.raw`
function grow(a, n) { const b = new a.constructor(n); b.set(a); return b; }
function makeOut() { return { starts: new Float64Array(4096), lens: new Uint32Array(4096), lines: new Uint32Array(4096), count: 0 }; }
function push(o, s, l, ln) {
  if (o.count === o.starts.length) { const n = o.count * 2; o.starts = grow(o.starts, n); o.lens = grow(o.lens, n); o.lines = grow(o.lines, n); }
  // A length past 4 GiB is clamped (Uint32 would wrap): such a record is only ever reported as too big.
  o.starts[o.count] = s; o.lens[o.count] = l > 4294967295 ? 4294967295 : l; o.lines[o.count] = ln; o.count++;
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
          // Bracket kinds are kept for the first levels only (they name what a truncated record
          // ends inside): a run of 50 MiB of '[' must not grow an array of 50M entries.
          else if (c === 123 || c === 91) { if (depth <= MAX_NESTING) stack.push(c); depth++; }
          else if ((c === 125 || c === 93) && depth > 0) { depth--; if (depth <= MAX_NESTING) stack.pop(); if (depth === 0) complete = true; }
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
        const where = inStr ? 'a string' : depth > MAX_NESTING + 1 ? 'a value nested deeper than ' + MAX_NESTING + ' levels' : depth > 0 ? (stack[stack.length - 1] === 123 ? 'an object' : 'an array') : 'a value';
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
    const col = codePoints(text, pos) + 1;
    msg += lineRel ? ' at column ' + col : ' at character ' + col + ' of the record';
  }
  return 'not JSON (' + msg + ')';
}

// Code points in s[0, end) (a surrogate pair is one), counted without copying the text.
function codePoints(s, end) {
  let n = end;
  for (let i = 1; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) { const p = s.charCodeAt(i - 1); if (p >= 0xd800 && p <= 0xdbff) n--; }
  }
  return n;
}

// recordIndexLimits.ts nestingExceeds, the same scan.
function deeperThan(s, limit) {
  let depth = 0, inStr = false;
  for (let i = 0, n = s.length; i < n; i++) {
    const c = s.charCodeAt(i);
    if (inStr) { if (c === 92) i++; else if (c === 34) inStr = false; }
    else if (c === 34) inStr = true;
    else if (c === 91 || c === 123) { if (++depth > limit) return true; }
    else if (c === 93 || c === 125) depth--;
  }
  return false;
}

function tooBig(bytes) { return 'record is ' + (bytes / MiB).toFixed(1) + ' MiB, over the ' + (MAX_RECORD_BYTES / MiB) + ' MiB limit'; }
const TOO_DEEP = 'nested deeper than ' + MAX_NESTING + ' levels';

// Strict parse of one record's bytes; the reason has no 'line N: ' prefix (callers add it).
// The limits come first: a record over them is never decoded or parsed.
function parseBytes(bytes, dec, atEof, lineRel) {
  if (bytes.length > MAX_RECORD_BYTES) return { ok: false, reason: tooBig(bytes.length) };
  let text;
  try { text = dec.decode(bytes); }
  catch (e) { return { ok: false, reason: 'invalid UTF-8 at byte ' + firstInvalidUtf8(bytes) + ' of the record' }; }
  if (deeperThan(text, MAX_NESTING)) return { ok: false, reason: TOO_DEEP, text: text };
  try { return { ok: true, value: JSON.parse(text), text: text }; }
  catch (e) { return { ok: false, reason: describeJsonError(text, e, atEof, lineRel), text: text }; }
}
`;

// Worker entry: scans a byte range with synchronous reads.
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
}
fs.closeSync(fd);
`;

export interface ScanResult {
  starts: Float64Array;
  lens: Uint32Array;
  lines: Uint32Array;
  lineCount?: number;
  openAtEof?: boolean;
  problems?: StructuralProblem[];
  jsonl?: boolean;
}
export interface Scanner {
  feed(buf: Buffer, len: number, at: number): boolean;
  finish(): void;
  result(): ScanResult;
}
export interface LineScanOpts {
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
  parseBytes(bytes: Uint8Array, dec: InstanceType<typeof TextDecoder>, atEof: boolean, lineRel: boolean): { ok: true; value: unknown; text: string } | { ok: false; reason: string; text?: string };
  deeperThan(text: string, limit: number): boolean;
  tooBig(bytes: number): string;
}

let kernelCache: Kernel | undefined;
export function kernel(): Kernel {
  kernelCache ??= new Function(`${KERNEL}\nreturn { makeLineScanner, makeArrayScanner, parseBytes, deeperThan, tooBig };`)() as Kernel;
  return kernelCache;
}
export const WORKER_SRC = KERNEL + WORKER_MAIN;

export type WorkerMsg =
  | { type: 'progress'; bytes: number }
  | { type: 'done'; result: unknown };

/** Runs one worker per job; resolves with their results in order. Abort terminates them all. */
export function runWorkers<T>(jobs: object[], signal: AbortSignal | undefined, onMsg: (m: WorkerMsg) => void): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) => {
    const results: T[] = new Array(jobs.length);
    const finished = new Array<boolean>(jobs.length).fill(false);
    let left = jobs.length;
    let settled = false;
    const workers = jobs.map((workerData) => startWorker({ code: WORKER_SRC }, workerData));
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

// An opened dataset file: the byte-offset index, the detected format, and samples parsed on
// demand. Opening never parses every record (a 1 GB file shows its first page at once);
// `scan` and `validate` walk the whole file when the user asks for a search or a full check.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { checkRecords, type CheckJob, type CheckMessage } from './checkWorker';
import { buildIndex, RecordReader, type RecordIndex } from './recordIndex';
import { MAX_NESTING, MAX_RECORD_BYTES, nestingExceeds } from './recordIndexLimits';
import { closestFormat, firstFields, FORMATS, preferencePairs, rankFormats } from './formats/index';
import { loadBfclFiles, type BfclFiles } from './formats/bfclFiles';
import { readBfcl } from './formats/bfcl';
import { FormatError, type DatasetFormat, type FormatId, type Sample } from './sample';
import { problemRow, rowOf } from './row';
import type { SampleRow } from './sample';
import { expandAnswers, pickAnswer, type TurnsMode } from './answers';
import { startWorker } from '../workers';

export interface OpenOptions {
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Force a format instead of detecting it. */
  format?: FormatId;
  /** Every assistant answer a sample (default), or only each record's last one. */
  turns?: TurnsMode;
}

export interface CheckOptions {
  signal?: AbortSignal;
  /** Bad records as they are found (not in file order when several workers run). */
  onProblems?: (items: { index: number; line: number; reason: string }[]) => void;
  onProgress?: (recordsDone: number, recordsTotal: number) => void;
  /** Worker threads; 0 checks inline. Default: one per core (up to 4) for files of 4 MiB or more. */
  workers?: number;
}

/** Below this size a full check runs inline: starting workers would cost more than it saves. */
const CHECK_INLINE_BELOW = 4 << 20;
const CHECK_BATCH = 2048;

export type SampleResult =
  /**
   * `sample` is the record's own sample (its last answer is the reference), or the asked answer's;
   * `samples` are the samples the record yields (answers.ts): the ones every run iterates.
   */
  | { ok: true; sample: Sample; samples: Sample[]; text: string; line: number }
  | { ok: false; reason: string; text: string; line: number };

/** How many records detection looks at. */
const DETECT_RECORDS = 20;

export class Dataset {
  private constructor(
    readonly path: string,
    readonly index: RecordIndex,
    readonly reader: RecordReader,
    readonly format: DatasetFormat,
    readonly formatConfidence: number,
    /** BFCL's side files (possible_answer/, multi_turn_func_doc/) found beside the file. */
    readonly bfclFiles: BfclFiles | undefined,
    readonly indexMs: number,
    /** How records become samples (answers.ts). */
    readonly turns: TurnsMode,
  ) {}

  static async open(path: string, opts: OpenOptions = {}): Promise<Dataset> {
    const t0 = performance.now();
    const index = await buildIndex(path, { signal: opts.signal, onProgress: opts.onProgress });
    const indexMs = performance.now() - t0;
    const reader = new RecordReader(index);
    try {
      const make = (format: DatasetFormat, confidence: number): Dataset => {
        const bfclFiles = format.id === 'bfcl' ? loadBfclFiles(path) : undefined;
        return new Dataset(path, index, reader, format, confidence, bfclFiles, indexMs, opts.turns ?? 'each');
      };
      // A format the user names is read as named: every record that does not fit is listed.
      if (opts.format) return make(FORMATS[opts.format], 1);
      const probe: { i: number; value: unknown; line: number }[] = [];
      let unparsed: string | undefined;
      for (let i = 0; i < index.count && probe.length < DETECT_RECORDS && i < DETECT_RECORDS * 5; i++) {
        const r = await reader.parse(i);
        if (r.ok) probe.push({ i, value: r.value, line: index.line(i) });
        else unparsed ??= r.reason;
      }
      const values = probe.map((p) => p.value);
      // What the format's reader says of each probed record, read as the dataset will read it
      // (BFCL with its side files): the first reason, or undefined when one record reads.
      const firstReason = (ds: Dataset): string | undefined => {
        let reason: string | undefined;
        for (const p of probe) {
          const r = ds.normalise(p.i, p.value, '', p.line);
          if (r.ok) return undefined;
          reason ??= r.reason;
        }
        return reason ?? 'no record reads';
      };
      const pairs = preferencePairs(values);
      // The best-sniffing format that reads at least one probed record; a file whose records all
      // fail one format's reader is not that format, whatever its sniff said, and one refusal
      // naming the reason says more than a list of every record as malformed.
      if (!pairs) {
        for (const found of rankFormats(values)) {
          const ds = make(FORMATS[found.format], found.confidence);
          if (firstReason(ds) === undefined) return ds;
        }
      }
      const name = basename(path);
      // Several "records" that together parse as one object: a pretty-printed object, not JSON Lines.
      const whole = index.count > 1 ? wholeObject(path, index.size) : undefined;
      if (whole) throw new Error(`${name}: not a format I read (${whole})`);
      if (probe.length === 0) throw new Error(`${name}: not a format I read (${index.count === 0 ? 'it holds no records' : `none of its first records is JSON: ${unparsed ?? 'unreadable'}`})`);
      const closest = FORMATS[closestFormat(values)];
      const because = pairs ?? firstReason(make(closest, 0)) ?? 'its detection does not recognise these records';
      throw new Error(`${name}: not a format I read (closest: ${closest.label}, because ${because}); looked at ${probe.length} record(s), ${firstFields(values)}`);
    } catch (err) {
      await reader.close();
      throw err;
    }
  }

  /** BFCL ground truth by record id, from `possible_answer/<same file name>` when present. */
  get answers(): Map<string, unknown[]> | undefined {
    return this.bfclFiles?.answers;
  }

  get count(): number {
    return this.index.count;
  }

  /**
   * Parse and normalise record `i`; `sample` is answer `answer`'s (answers.ts pickAnswer: without
   * `answer`, the record's one sample, or its own when it yields several). Never throws
   * for bad records: the reason comes back instead.
   */
  async sample(i: number, answer?: number): Promise<SampleResult> {
    const r = await this.reader.parse(i);
    const line = this.index.line(i);
    if (!r.ok) return { ok: false, reason: r.reason, text: await this.reader.readText(i).catch(() => ''), line };
    const n = this.normalise(i, r.value, r.text, line);
    if (!n.ok) return n;
    const picked = pickAnswer(n.sample, answer, n.samples);
    return picked ? { ...n, sample: picked } : { ok: false, reason: `line ${line}: record ${JSON.stringify(n.sample.id)} has no answer ${answer}`, text: r.text, line };
  }

  /** Normalise an already parsed record (used by scans that read many records at once). */
  normalise(i: number, value: unknown, text: string, line: number): SampleResult {
    try {
      const sample = this.bfclFiles ? readBfcl(value, i, this.bfclFiles) : this.format.read(value, i);
      return { ok: true, sample, samples: expandAnswers(sample, this.turns), text, line };
    } catch (err) {
      if (err instanceof FormatError) return { ok: false, reason: `line ${line}: ${err.message}`, text, line };
      throw err;
    }
  }

  /**
   * Judge record `i` from raw text already read by a scan. The fast path is one JSON.parse; only a
   * record that fails it, holds U+FFFD (bad UTF-8 decoded leniently), or is over the record limits
   * (size, nesting) is re-read through the strict reader so the reason names the exact fault.
   */
  async fromText(i: number, text: string): Promise<SampleResult> {
    let value: unknown;
    try {
      if (this.index.tooBig(i) || text.includes('\uFFFD') || nestingExceeds(text, MAX_NESTING)) throw new Error('re-read strictly');
      value = JSON.parse(text);
    } catch {
      return this.sample(i);
    }
    return this.normalise(i, value, text, this.index.line(i));
  }

  async rows(from: number, to: number): Promise<SampleRow[]> {
    const indices: number[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.count); i++) indices.push(i);
    return this.rowsOf(indices);
  }

  /** Rows for the given record indices, reading each contiguous run of indices with one read. */
  async rowsOf(indices: readonly number[]): Promise<SampleRow[]> {
    const out: SampleRow[] = [];
    for (let a = 0; a < indices.length; ) {
      let b = a + 1;
      while (b < indices.length && indices[b] === indices[b - 1] + 1) b++;
      const from = indices[a];
      const parsed = await this.reader.parseRange(from, indices[b - 1] + 1);
      parsed.forEach((p, k) => {
        const i = from + k;
        if (!p.ok) return void out.push(problemRow(i, p.reason));
        const r = this.normalise(i, p.value, p.text, p.line);
        out.push(r.ok ? rowOf(r.sample, r.samples) : problemRow(i, r.reason));
      });
      a = b;
    }
    return out;
  }

  /**
   * Judge every record (strict UTF-8, JSON, the format's shape) in worker threads, reporting bad
   * ones with line and reason. Resolves with counts; rejects with an AbortError when aborted.
   */
  async check(opts: CheckOptions = {}): Promise<{ ok: number; bad: number }> {
    opts.signal?.throwIfAborted();
    const n = this.count;
    const workers = Math.min(n, opts.workers ?? (this.index.size < CHECK_INLINE_BELOW ? 0 : Math.min(4, availableParallelism())));
    let done = 0;
    let bad = 0;
    const onMessage = (m: CheckMessage): void => {
      if (m.type === 'bad') {
        bad += m.items.length;
        opts.onProblems?.(m.items);
      } else if (m.type === 'progress') opts.onProgress?.((done += m.records), n);
    };
    const job = (from: number, to: number): CheckJob => ({
      path: this.index.path,
      size: this.index.size,
      mtimeMs: this.index.mtimeMs,
      container: this.index.container,
      format: this.format.id,
      base: from,
      eofRecord: this.index.eofRecord >= from && this.index.eofRecord < to ? this.index.eofRecord - from : -1,
      batch: CHECK_BATCH,
      ...this.index.slices(from, to),
    });
    if (n === 0) return { ok: 0, bad: 0 };
    if (workers <= 0) {
      let ok = 0;
      await checkRecords(job(0, n), (m) => {
        if (m.type === 'done') ok = m.ok;
        else onMessage(m);
        opts.signal?.throwIfAborted();
      });
      return { ok, bad };
    }
    const per = Math.ceil(n / workers);
    const runs: Promise<number>[] = [];
    for (let from = 0; from < n; from += per) runs.push(runInWorker(job(from, Math.min(n, from + per)), onMessage, opts.signal));
    const oks = await Promise.all(runs);
    return { ok: oks.reduce((a, b) => a + b, 0), bad };
  }

  /**
   * Walk records [0, count) in batches of raw text, calling `visit` for each; resolves when done or
   * aborted. Batches are read with one file read each; promises `visit` returns are awaited before
   * the next batch (so memory stays bounded), and the loop yields between batches so the host
   * stays responsive.
   */
  async scan(
    visit: (i: number, text: string) => void | Promise<void>,
    opts: { signal?: AbortSignal; batch?: number; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<void> {
    const batch = opts.batch ?? 4096;
    for (let from = 0, to = 0; from < this.count; from = to) {
      if (opts.signal?.aborted) return;
      to = batchEnd(this.index, from, batch);
      const texts = await this.reader.readTexts(from, to);
      const pending: Promise<void>[] = [];
      for (let k = 0; k < texts.length; k++) {
        const p = visit(from + k, texts[k]);
        if (p) pending.push(p);
      }
      if (pending.length) await Promise.all(pending);
      opts.onProgress?.(to, this.count);
      await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}

function runInWorker(job: CheckJob, onMessage: (m: CheckMessage) => void, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = startWorker({ bundle: 'checkWorker.js', source: 'dataset/checkWorker.ts' }, { checkJob: job });
    const abort = () => {
      void w.terminate();
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    w.on('message', (m: CheckMessage) => {
      if (m.type === 'done') {
        signal?.removeEventListener('abort', abort);
        void w.terminate();
        resolve(m.ok);
      } else onMessage(m);
    });
    w.on('error', (err) => {
      signal?.removeEventListener('abort', abort);
      reject(err);
    });
    w.on('exit', (code) => {
      if (code !== 0) reject(new Error(`record check worker exited with code ${code}`));
    });
  });
}

/**
 * A pretty-printed JSON object (BFCL's format_sensitivity.json, a config) reads as JSON Lines whose
 * lines are not JSON; said as what it is, it is clear no dataset is in it. Small files only.
 */
function wholeObject(path: string, size: number): string | undefined {
  if (size > MAX_RECORD_BYTES) return undefined;
  try {
    const text = readFileSync(path, 'utf8');
    if (nestingExceeds(text, MAX_NESTING)) return undefined;
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const keys = Object.keys(v);
    return `it is one JSON object${keys.length ? ` (keys ${keys.slice(0, 4).map((k) => JSON.stringify(k)).join(', ')}${keys.length > 4 ? ', …' : ''})` : ''}, not records: a dataset is JSON Lines or a JSON array`;
  } catch {
    return undefined;
  }
}

/** Bytes of record text a scan batch holds at most (besides its record count). */
const SCAN_BATCH_BYTES = 64 << 20;

/**
 * End of a batch of records starting at `from`: at most `records` of them and, past the first,
 * at most SCAN_BATCH_BYTES of text (records over the size limit count nothing: they are not read).
 */
export function batchEnd(index: RecordIndex, from: number, records: number): number {
  const last = Math.min(index.count, from + records);
  let to = from + 1;
  let bytes = index.tooBig(from) ? 0 : index.length(from);
  for (; to < last; to++) {
    const n = index.tooBig(to) ? 0 : index.length(to);
    if (bytes + n > SCAN_BATCH_BYTES) break;
    bytes += n;
  }
  return Math.min(to, index.count);
}

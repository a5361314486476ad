// An opened dataset file: the byte-offset index, the detected format, and samples parsed on
// demand. Opening never parses every record (a 1 GB file shows its first page at once);
// `scan` and `validate` walk the whole file when the user asks for a search or a full check.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildIndex, RecordReader, type RecordIndex } from './recordIndex';
import { detectFormat, FORMATS } from './formats/index';
import { attachPossibleAnswers } from './formats/bfcl';
import { FormatError, type DatasetFormat, type FormatId, type PossibleAnswer, type Sample } from './sample';
import { problemRow, rowOf, type SampleRow } from './row';

export interface OpenOptions {
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Force a format instead of detecting it. */
  format?: FormatId;
}

export type SampleResult =
  | { ok: true; sample: Sample; text: string; line: number }
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
    /** BFCL ground truth by sample id, from `possible_answer/<same file name>` when present. */
    readonly answers: Map<string, PossibleAnswer[]> | undefined,
    readonly indexMs: number,
  ) {}

  static async open(path: string, opts: OpenOptions = {}): Promise<Dataset> {
    const t0 = performance.now();
    const index = await buildIndex(path, { signal: opts.signal, onProgress: opts.onProgress });
    const indexMs = performance.now() - t0;
    const reader = new RecordReader(index);
    try {
      let format: DatasetFormat;
      let confidence = 1;
      if (opts.format) {
        format = FORMATS[opts.format];
      } else {
        const probe: unknown[] = [];
        for (let i = 0; i < index.count && probe.length < DETECT_RECORDS && i < DETECT_RECORDS * 5; i++) {
          const r = await reader.parse(i);
          if (r.ok) probe.push(r.value);
        }
        const found = detectFormat(probe);
        if (!found) {
          throw new Error(
            `${basename(path)}: not a tool-use dataset this extension knows ` +
              `(looked at ${probe.length} record(s); expected one of ${Object.values(FORMATS).map((f) => f.label).join(', ')})`,
          );
        }
        format = FORMATS[found.format];
        confidence = found.confidence;
      }
      const answers = format.id === 'bfcl' ? loadBfclAnswers(path) : undefined;
      return new Dataset(path, index, reader, format, confidence, answers, indexMs);
    } catch (err) {
      await reader.close();
      throw err;
    }
  }

  get count(): number {
    return this.index.count;
  }

  /** Parse and normalise record `i`. Never throws for bad records: the reason comes back instead. */
  async sample(i: number): Promise<SampleResult> {
    const r = await this.reader.parse(i);
    const line = this.index.line(i);
    if (!r.ok) return { ok: false, reason: r.reason, text: await this.reader.readText(i).catch(() => ''), line };
    return this.normalise(i, r.value, r.text, line);
  }

  /** Normalise an already parsed record (used by scans that read many records at once). */
  normalise(i: number, value: unknown, text: string, line: number): SampleResult {
    try {
      const sample = this.format.read(value, i);
      if (this.answers) {
        const gt = this.answers.get(sample.id);
        if (gt) attachPossibleAnswers(sample, gt);
      }
      return { ok: true, sample, text, line };
    } catch (err) {
      if (err instanceof FormatError) return { ok: false, reason: `line ${line}: ${err.message}`, text, line };
      throw err;
    }
  }

  /**
   * Judge record `i` from raw text already read by a scan. The fast path is one JSON.parse; only a
   * record that fails it, or holds U+FFFD (bad UTF-8 decoded leniently), is re-read through the
   * strict reader so the reason names the exact fault.
   */
  async fromText(i: number, text: string): Promise<SampleResult> {
    let value: unknown;
    try {
      if (text.includes('\uFFFD')) throw new Error('re-read strictly');
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

  async rowsOf(indices: readonly number[]): Promise<SampleRow[]> {
    const out: SampleRow[] = [];
    for (const i of indices) {
      const r = await this.sample(i);
      out.push(r.ok ? rowOf(r.sample) : problemRow(i, r.reason));
    }
    return out;
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
    for (let from = 0; from < this.count; from += batch) {
      if (opts.signal?.aborted) return;
      const to = Math.min(this.count, from + batch);
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

/** BFCL keeps answers in `possible_answer/<same name>` beside the question file. */
function loadBfclAnswers(path: string): Map<string, PossibleAnswer[]> | undefined {
  const candidates = [join(dirname(path), 'possible_answer', basename(path)), join(dirname(path), '..', 'possible_answer', basename(path))];
  const file = candidates.find((c) => existsSync(c));
  if (!file) return undefined;
  const map = new Map<string, PossibleAnswer[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const rec = JSON.parse(line) as { id?: unknown; ground_truth?: unknown };
      if (typeof rec.id === 'string' && Array.isArray(rec.ground_truth)) map.set(rec.id, rec.ground_truth as PossibleAnswer[]);
    } catch {
      // A broken answer line only loses that sample's answer; the question still loads.
    }
  }
  return map;
}

// Converting a dataset file to another format (or the same one): the engine under `itool convert`.
// Every readable record is converted (convertRecord.ts); malformed ones are listed with their line
// and reason and skipped. What the target cannot hold is measured record by record and reported
// (convertLoss.ts) before the output takes OUT's place; with `strict` any loss refuses the whole
// conversion and nothing is written. The output is written atomically, so a failed, refused or
// interrupted run never leaves a half-written OUT behind. BFCL output is two files, OUT and
// possible_answer/OUT (the ground truth, also when converting BFCL to BFCL): both are written in
// one commit (store/commit.ts), so a killed run leaves the old pair or the new one, never new
// questions over old answers; a run without answers removes an old possible_answer/OUT.
//
// What is kept byte for byte: a record converted to its own format and unchanged is its source
// bytes; so is a record converted back to the format its side field came from. The file's layout
// (a JSON array's brackets and separators, JSONL's line breaks) follows the source file's when the
// container stays the same, so a same-format conversion of an unchanged file is byte-identical.
import { mkdir, open, rmdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { batchEnd, Dataset, type SampleResult } from './dataset';
import { writtenOverLimits, MAX_NESTING, nestingExceeds } from './recordIndexLimits';
import { FORMATS } from './formats/index';
import { attachPossibleAnswers } from './formats/bfcl';
import { detectJsonStyle, COMPACT_STYLE, serializeRecord, type JsonStyle } from './jsonStyle';
import { parseJsonKeepingNumbers } from './numberForm';
import { convertRecord, groundTruthOf } from './convertRecord';
import { LossTally, type LossReport } from './convertLoss';
import { FormatError, type FormatId, type PossibleAnswer } from './sample';
import type { RecordIndex } from './recordIndex';
import { removeStaleTemps, writeFileAtomic } from '../store/atomicWrite';
import { commitFiles, settleCommit } from '../store/commit';

export interface ConvertOptions {
  to: FormatId;
  out: string;
  container?: 'jsonl' | 'json-array';
  format?: FormatId;
  /** Refuse (throw ConversionRefused, write nothing) when any record would lose data. */
  strict?: boolean;
  /** Called with the loss report once every record is converted, before OUT is replaced. */
  onReport?: (report: LossReport) => void | Promise<void>;
}

export interface ConvertResult {
  written: number;
  skipped: { line: number; reason: string }[];
  answersFile?: string;
  /** An answers file of an earlier run that this run (without answers) removed. */
  removedAnswers?: string;
  report: LossReport;
}

/** Thrown by a strict conversion that would lose data; nothing was written. */
export class ConversionRefused extends Error {
  constructor(readonly report: LossReport) {
    super(`converting to ${FORMATS[report.target].label} would lose data in ${report.lossyRecords} of ${report.records} record(s); nothing written`);
    this.name = 'ConversionRefused';
  }
}

/** What surrounds the records of a file: before the first, between two, after the last. */
interface Layout {
  prefix: string;
  sep: string;
  suffix: string;
}

const DEFAULT_LAYOUT: Record<'jsonl' | 'json-array', Layout> = {
  jsonl: { prefix: '', sep: '\n', suffix: '\n' },
  'json-array': { prefix: '[\n', sep: ',\n', suffix: '\n]\n' },
};

/** The source file's own layout, when the output keeps its container and the layout is plain. */
async function sourceLayout(index: RecordIndex, container: 'jsonl' | 'json-array'): Promise<Layout> {
  const fallback = DEFAULT_LAYOUT[container];
  if (index.container !== container || index.count === 0 || index.problems.length > 0) return fallback;
  const fh = await open(index.path, 'r');
  try {
    const bytes = async (from: number, to: number): Promise<string> => {
      if (to - from > 4096) return '\u0000'; // not a plain layout
      const buf = Buffer.alloc(to - from);
      await fh.read(buf, 0, buf.length, from);
      return buf.toString('utf8');
    };
    const prefix = await bytes(0, index.start(0));
    const suffix = await bytes(index.end(index.count - 1), index.size);
    let sep = index.count > 1 ? await bytes(index.end(0), index.start(1)) : undefined;
    if (container === 'json-array') {
      sep ??= `,${prefix.slice(prefix.indexOf('[') + 1)}`;
      return /^\s*\[\s*$/.test(prefix) && /^\s*,\s*$/.test(sep) && /^\s*\]\s*$/.test(suffix) ? { prefix, sep, suffix } : fallback;
    }
    sep ??= fallback.sep;
    return prefix === '' && /^\s*\n\s*$/.test(sep) && /^\s*$/.test(suffix) ? { prefix, sep, suffix } : fallback;
  } finally {
    await fh.close();
  }
}

/**
 * BFCL possible_answer lines by id, exactly as written (numbers keep their spelling from here on),
 * and whether the file ends with a line break (BFCL's own files do not).
 */
function answerLines(file: string | undefined): { lines: Map<string, string>; finalBreak: boolean } {
  const map = new Map<string, string>();
  if (!file) return { lines: map, finalBreak: true };
  const all = readFileSync(file, 'utf8');
  for (const line of all.split('\n')) {
    const text = line.replace(/\r$/, '');
    if (!text.trim() || nestingExceeds(text, MAX_NESTING)) continue;
    try {
      const rec = JSON.parse(text) as { id?: unknown };
      if (typeof rec.id === 'string' && !map.has(rec.id)) map.set(rec.id, text);
    } catch {
      // a broken answer line only loses that record's answer, as when the dataset is opened
    }
  }
  return { lines: map, finalBreak: all.endsWith('\n') };
}

/** How many records the file's JSON style is read from. */
const STYLE_RECORDS = 64;

/**
 * The JSON style of the file's records: separators and indentation from its first record; whether
 * non-ASCII is escaped from the first record that has any (an ASCII-only record cannot tell).
 */
async function fileStyle(ds: Dataset): Promise<JsonStyle> {
  let style: JsonStyle | undefined;
  for (let i = 0; i < Math.min(ds.count, STYLE_RECORDS); i++) {
    const r = await ds.reader.parse(i).catch(() => undefined);
    if (!r?.ok) continue;
    style ??= detectJsonStyle(r.text, COMPACT_STYLE);
    const escaped = detectJsonStyle(r.text, { ...COMPACT_STYLE, ensureAscii: true }).ensureAscii;
    if (escaped === detectJsonStyle(r.text, COMPACT_STYLE).ensureAscii) return { ...style, ensureAscii: escaped };
  }
  return style ?? COMPACT_STYLE;
}

export async function convertDataset(file: string, opts: ConvertOptions): Promise<ConvertResult> {
  // A killed run's leftovers go first, before this run spends time reading: its recorded commit is
  // completed, and its temp files (beside OUT and possible_answer/OUT) are removed.
  const answersPath = join(dirname(opts.out), 'possible_answer', basename(opts.out));
  await settleCommit(opts.out);
  for (const p of [opts.out, answersPath]) await removeStaleTemps(p);
  const ds = await Dataset.open(file, { format: opts.format });
  // OUT may go into a folder that does not exist yet; one this run made goes again if the run fails.
  let made: string | undefined;
  try {
    made = await mkdir(dirname(opts.out), { recursive: true });
    const target = FORMATS[opts.to];
    const container = opts.container ?? ds.index.container;
    const layout = await sourceLayout(ds.index, container);
    const skipped: ConvertResult['skipped'] = ds.index.problems.map((p) => ({ line: p.line, reason: p.reason }));
    const answers: string[] = [];
    const tally = new LossTally(ds.format.id, target.id);
    const source = answerLines(ds.format.id === 'bfcl' ? ds.bfclFiles?.answersFile : undefined);
    const sourceAnswers = source.lines;
    let written = 0;
    let style = await fileStyle(ds);
    // JSON Lines hold one record per line, whatever the source's records looked like.
    if (container === 'jsonl') style = { itemSep: style.itemSep, keySep: style.keySep, ensureAscii: style.ensureAscii };

    /** The record's sample, parsed so that numbers keep their spelling (numberForm.ts). */
    async function read(i: number, text: string): Promise<{ r: SampleResult; value?: unknown }> {
      let value: unknown;
      try {
        if (ds.index.tooBig(i) || text.includes('\uFFFD') || nestingExceeds(text, MAX_NESTING)) throw new Error('re-read strictly');
        value = parseJsonKeepingNumbers(text);
      } catch {
        return { r: await ds.sample(i) }; // the strict reader names the fault
      }
      return { r: ds.normalise(i, value, text, ds.index.line(i)), value };
    }

    async function* records(): AsyncGenerator<string> {
      yield layout.prefix;
      for (let from = 0, to = 0; from < ds.count; from = to) {
        to = batchEnd(ds.index, from, 2048);
        const texts = await ds.reader.readTexts(from, to);
        for (let k = 0; k < texts.length; k++) {
          const { r, value } = await read(from + k, texts[k]);
          if (!r.ok) {
            skipped.push({ line: r.line, reason: r.reason });
            continue;
          }
          const answersText = sourceAnswers.get(r.sample.id);
          // Ground truth parsed again from its line, so that its numbers keep their spelling too.
          const gt = answersText !== undefined && !r.sample.bfclSource ? groundTruthOf(answersText) : undefined;
          if (gt) attachPossibleAnswers(r.sample, gt as PossibleAnswer[]);
          let out;
          try {
            out = convertRecord({ format: ds.format.id, index: from + k, text: r.text, value: value ?? parseJsonKeepingNumbers(r.text), sample: r.sample, answersText }, target.id, style);
          } catch (err) {
            if (!(err instanceof FormatError)) throw err;
            skipped.push({ line: r.line, reason: `line ${r.line}: cannot be written as ${target.label}: ${err.message}` });
            continue;
          }
          let text = out.text;
          if (container === 'jsonl' && text.includes('\n')) text = serializeRecord(parseJsonKeepingNumbers(text), style);
          // What is written must read back: a record the target's layout makes bigger or deeper
          // than the record limits (ensure_ascii escapes, tools moved from JSON text into the
          // record, a side field) is skipped like a malformed one.
          const over = writtenOverLimits(text);
          if (over) {
            skipped.push({ line: r.line, reason: `line ${r.line}: written as ${target.label}, the ${over}` });
            continue;
          }
          const where = { line: r.line, id: out.id };
          if (out.stale) tally.addStale(where);
          tally.add(out.losses, where, out.inSideField);
          tally.records++;
          if (out.answers !== undefined) answers.push(out.answers);
          yield written === 0 ? text : layout.sep + text;
          written++;
        }
      }
      yield written === 0 && container === 'jsonl' ? '' : layout.suffix;
      await settle();
    }

    // Once every record is converted and before anything replaces OUT: the report, and a strict
    // run's refusal (the staged temp files are then removed).
    let settled = false;
    async function settle(): Promise<void> {
      if (settled) return;
      settled = true;
      const report = tally.report();
      await opts.onReport?.(report);
      if (opts.strict && tally.lossy) throw new ConversionRefused(report);
    }

    let answersFile: string | undefined;
    let removedAnswers: string | undefined;
    if (target.id === 'bfcl') {
      // BFCL keeps ground truth in a sibling file, as the leaderboard does; the two are one commit.
      // The answers are known once every record is read, so they are staged after OUT; a run with
      // none removes an earlier run's answers file (it would pair old answers with new questions).
      const existed = await stat(answersPath).then(() => true, () => false);
      // The answers file ends as the source's did, else as the question file does (BFCL's own
      // files end without a line break).
      const finalBreak = ds.format.id === 'bfcl' && ds.bfclFiles?.answersFile ? source.finalBreak : layout.suffix.endsWith('\n');
      await commitFiles([
        { path: opts.out, data: records() },
        { path: answersPath, data: () => (answers.length ? answers.join('\n') + (finalBreak ? '\n' : '') : null) },
      ]);
      if (answers.length) answersFile = answersPath;
      else if (existed) removedAnswers = answersPath;
    } else await writeFileAtomic(opts.out, records());
    skipped.sort((a, b) => a.line - b.line);
    return { written, skipped, answersFile, removedAnswers, report: tally.report() };
  } catch (err) {
    if (made) await removeEmptyDirs([dirname(answersPath), dirname(opts.out)], made);
    throw err;
  } finally {
    await ds.close();
  }
}

/** Removes `dirs` (deepest first) and their parents up to `top`, as long as each is empty. */
async function removeEmptyDirs(dirs: readonly string[], top: string): Promise<void> {
  for (const start of dirs) {
    for (let d = start; d.startsWith(top); d = dirname(d)) {
      if (!(await rmdir(d).then(() => true, () => false))) break;
      if (d === top) break;
    }
  }
}

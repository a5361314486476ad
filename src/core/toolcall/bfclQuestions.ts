// A BFCL question file read for judging, in one pass: the whole file with one read, each line
// parsed once and read by the BFCL reader itself (formats/bfcl.ts readBfcl, so a record reads
// exactly as the dataset reads it), its possible answers set beside it. What the dataset's reader
// also does and judging never needs is skipped: the byte index of every record, a second read of
// each record's text, and the synthetic reference turn written from the ground truth (the checker
// judges BFCL samples by their possible answers, never by that turn).
//
// Only plain files take this way: JSON Lines of single-turn records (each with its `function`
// list), every line a record, no BOM, no CR, no U+FFFD, none over the record limits, every line
// JSON. Anything else — a JSON array, blank lines, a malformed or class-naming record (multi-turn,
// memory, web_search), a file over FAST_MAX_BYTES — returns undefined, and the caller opens the
// file as a Dataset, whose reader says what is wrong where.
import { readFileSync, statSync } from 'node:fs';
import { expandAnswers, type TurnsMode } from '../dataset/answers';
import { readBfcl } from '../dataset/formats/bfcl';
import { loadBfclFiles, type BfclFiles } from '../dataset/formats/bfclFiles';
import { MAX_NESTING, MAX_RECORD_BYTES } from '../dataset/recordIndexLimits';
import { FormatError, type PossibleAnswer, type Sample } from '../dataset/sample';
import type { SampleAt } from './datasetCheck';

/** Larger files are opened as a Dataset (streamed, indexed) rather than read whole. */
const FAST_MAX_BYTES = 256 << 20;

export interface BfclQuestions {
  /** Records in the file (every line is one). */
  count: number;
  /** Sample id → where it is (the first record wins for a repeated id), as sampleIds maps them. */
  ids: Map<string, SampleAt>;
  /** The samples `keep` accepted, by id. */
  samples: Map<string, Sample>;
}

const LBRACE = 123;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * The samples of BFCL question file `path` as the dataset would read them for judging (see the
 * head of this file), or undefined when the file is not a plain one. Throws only what the
 * dataset's reader would throw for the same record (an error that is not a FormatError).
 */
export function readBfclQuestions(path: string, turns: TurnsMode, keep: (id: string) => boolean): BfclQuestions | undefined {
  let text: string;
  let files: BfclFiles;
  try {
    if (statSync(path).size > FAST_MAX_BYTES) return undefined;
    text = readFileSync(path, 'utf8');
    files = loadBfclFiles(path);
  } catch {
    return undefined; // the dataset's reader reports it
  }
  // A file ending in a line break has nothing after it: the loop below stops there.
  if (text.charCodeAt(0) !== LBRACE || text.includes('\r') || text.includes('\uFFFD')) return undefined;
  // The reader's own side files without the answers: they are set below, without the reference turn.
  const questionFiles: BfclFiles = { ...files, answers: undefined };
  const ids = new Map<string, SampleAt>();
  const samples = new Map<string, Sample>();
  let count = 0;
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    if (text.charCodeAt(at) !== LBRACE || end - at > MAX_RECORD_BYTES / 3) return undefined;
    const line = text.slice(at, end);
    at = end + 1;
    if (nestsDeeper(line, MAX_NESTING)) return undefined;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return undefined;
    }
    const index = count++;
    const rec = record as { function?: unknown };
    if (!Array.isArray(rec.function)) return undefined;
    let sample: Sample;
    try {
      sample = readBfcl(record, index, questionFiles);
    } catch (err) {
      if (err instanceof FormatError) return undefined;
      throw err;
    }
    const gt = files.answers?.get(sample.id);
    if (gt) {
      // What attachPossibleAnswers reads of them (it would throw on an entry that is not an object).
      if (gt.some((e) => e === null || typeof e !== 'object')) return undefined;
      sample.possibleAnswers = gt as PossibleAnswer[];
    }
    for (const s of expandAnswers(sample, turns)) {
      if (ids.has(s.id)) continue;
      ids.set(s.id, s.answer === undefined ? { index } : { index, answer: s.answer });
      if (keep(s.id)) samples.set(s.id, s);
    }
  }
  return { count, ids, samples };
}

/**
 * recordIndexLimits.ts nestingExceeds, with the same answer for every text (tested), faster on
 * records that are mostly string: a string's body is skipped by indexOf (native), not one char
 * code at a time. A quote ends the string when the backslashes right before it are even in number
 * (the scan there pairs each backslash with the character after it).
 */
export function nestsDeeper(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const open = i;
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return false; // the rest of the text is inside the string
        let k = i - 1;
        while (k > open && text.charCodeAt(k) === BACKSLASH) k--;
        if ((i - 1 - k) % 2 === 0) break;
      }
    } else if (c === 91 || c === LBRACE) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

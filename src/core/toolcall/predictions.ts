// Model outputs to check: JSON Lines of `{"id", "output"}`, or BFCL's own result files where the
// field is `result` (a string for prompting models; for function-calling ones a list of
// `{fn: arguments}`, turned into a JSON call list; any other list is kept as its JSON text).
// Ids may repeat: several outputs for one sample are each judged on their own. A line that is not
// such a row is reported with every reason it fails, never judged.
import { readFile } from 'node:fs/promises';

export interface PredictionRow {
  /** The sample id (numbers are taken as their decimal text, as dataset ids are). */
  id: string;
  /** The id as written when it was a JSON number (`{"id": 3}`), for messages. */
  numericId?: number;
  output: string;
  /** 1-based line in the predictions file. */
  line: number;
  /** Which field held the output: the editor locates the string literal by it. */
  field: 'output' | 'result';
}

export interface PredictionProblem {
  line: number;
  reason: string;
}

export type PredictionLine = ({ ok: true } & PredictionRow) | ({ ok: false } & PredictionProblem);

/** What a JSON value is, for messages: `an object`, `the number 5`, `true`, `an empty string`. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return `the number ${JSON.stringify(v)}`;
  if (typeof v === 'string') return v === '' ? 'an empty string' : `the string ${JSON.stringify(v)}`;
  return JSON.stringify(v) ?? typeof v;
}

/** One line of a predictions file (without its line break). Never throws. */
export function parsePredictionLine(text: string, line: number): PredictionLine {
  const fail = (why: string): PredictionLine => ({ ok: false, line, reason: `line ${line}: ${why}` });
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch (err) {
    return fail(`not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return fail(`expected an object {"id", "output"}, got ${describe(rec)}`);
  const o = rec as Record<string, unknown>;
  // Every reason the row cannot be judged, so that fixing one does not reveal the next.
  const why: string[] = [];
  let id = '';
  let numericId: number | undefined;
  if (typeof o.id === 'string') {
    id = o.id;
    if (id === '') why.push('"id" is an empty string');
  } else if (typeof o.id === 'number' && Number.isFinite(o.id)) {
    // A number id is matched deliberately as its decimal text: dataset records with a numeric
    // "id" get that text as their sample id, and records without one their 1-based record number
    // (recordId in formats/common.ts), so {"id": 3} names the sample "3" as a user means it.
    id = String(o.id);
    numericId = o.id;
  } else why.push(o.id === undefined ? 'no "id"' : `"id" must be a string or a number, got ${describe(o.id)}`);
  const field = 'output' in o ? 'output' : 'result' in o ? 'result' : undefined;
  let output = '';
  if (!field) why.push('no "output" (or BFCL "result") field');
  else {
    const v = o[field];
    if (typeof v === 'string') output = v;
    else if (Array.isArray(v)) output = bfclCallList(v) ?? JSON.stringify(v);
    else why.push(`"${field}" must be a string (the model's text) or a list (BFCL function-calling calls), got ${describe(v)}`);
  }
  if (why.length || !field) return fail(why.join('; '));
  return numericId !== undefined ? { ok: true, id, numericId, output, line, field } : { ok: true, id, output, line, field };
}

/**
 * A function-calling model's BFCL result, `[{"fn": "{\"a\": 1}"}]` (arguments as JSON text or
 * object), as the JSON call list the parsers read: `[{"name": "fn", "arguments": {"a": 1}}]`.
 * Anything else is judged as its plain JSON text.
 */
function bfclCallList(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const calls: { name: string; arguments: unknown }[] = [];
  for (const item of v) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
    const keys = Object.keys(item);
    if (keys.length !== 1) return undefined;
    let args = (item as Record<string, unknown>)[keys[0]];
    if (typeof args === 'string') {
      try {
        args = JSON.parse(args);
      } catch {
        return undefined;
      }
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return undefined;
    calls.push({ name: keys[0], arguments: args });
  }
  return JSON.stringify(calls);
}

/** Every line of a predictions file's text: the rows, and the malformed lines with their reasons. */
export function parsePredictions(text: string): { rows: PredictionRow[]; problems: PredictionProblem[] } {
  const rows: PredictionRow[] = [];
  const problems: PredictionProblem[] = [];
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let at = bom;
  for (let line = 1; at <= text.length; line++) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const raw = text.slice(at, end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    at = end + 1;
    if (!raw.trim()) continue;
    const r = parsePredictionLine(raw, line);
    if (r.ok) rows.push(r.numericId !== undefined ? { id: r.id, numericId: r.numericId, output: r.output, line: r.line, field: r.field } : { id: r.id, output: r.output, line: r.line, field: r.field });
    else problems.push({ line: r.line, reason: r.reason });
  }
  if (rows.length === 0 && problems.length > 0) {
    // Nothing read as rows: a whole JSON document (an array of rows, a pretty-printed object) says
    // so once, rather than every one of its lines being "not JSON".
    const whole = wholeDocument(text.slice(bom));
    if (whole) {
      const first = problems[0].line;
      return { rows, problems: [{ line: first, reason: `line ${first}: the file is ${whole}, not JSON Lines: write one {"id", "output"} object per line` }] };
    }
  }
  return { rows, problems };
}

/** What `text` is when it parses as one JSON array or object (over several lines, or an array on one); else undefined. */
function wholeDocument(text: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(v)) return `one JSON array (of ${v.length} item${v.length === 1 ? '' : 's'})`;
  return typeof v === 'object' && v !== null && text.trim().includes('\n') ? 'one JSON object written over several lines' : undefined;
}

/** Read a predictions file. Rejects only when the file cannot be read; bad lines are listed in `problems`. */
export async function readPredictions(path: string): Promise<{ rows: PredictionRow[]; problems: PredictionProblem[] }> {
  return parsePredictions(await readFile(path, 'utf8'));
}

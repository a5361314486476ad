// Model outputs to check: JSON Lines of `{"id", "output"}`, or BFCL's own result files where the
// field is `result` (a string for prompting models; for function-calling ones a list of
// `{fn: arguments}`, turned into a JSON call list; any other non-string is kept as its JSON text).
// Ids may repeat: several outputs for one sample are each judged on their own.
import { readFile } from 'node:fs/promises';

export interface PredictionRow {
  /** The sample id (numbers are taken as their decimal text, as dataset ids are). */
  id: string;
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

/** One line of a predictions file (without its line break). Never throws. */
export function parsePredictionLine(text: string, line: number): PredictionLine {
  const fail = (why: string): PredictionLine => ({ ok: false, line, reason: `line ${line}: ${why}` });
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch (err) {
    return fail(`not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return fail(`expected an object {"id", "output"}, got ${Array.isArray(rec) ? 'an array' : rec === null ? 'null' : typeof rec}`);
  const o = rec as Record<string, unknown>;
  let id: string;
  if (typeof o.id === 'string') id = o.id;
  else if (typeof o.id === 'number' && Number.isFinite(o.id)) id = String(o.id);
  else return fail(o.id === undefined ? 'no "id"' : `"id" must be a string or a number, got ${JSON.stringify(o.id)}`);
  const field = 'output' in o ? 'output' : 'result' in o ? 'result' : undefined;
  if (!field) return fail('no "output" (or BFCL "result") field');
  const v = o[field];
  if (v === null || v === undefined) return fail(`"${field}" is ${String(v)}`);
  const output = typeof v === 'string' ? v : (bfclCallList(v) ?? JSON.stringify(v));
  return { ok: true, id, output, line, field };
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
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; at <= text.length; line++) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const raw = text.slice(at, end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    at = end + 1;
    if (!raw.trim()) continue;
    const r = parsePredictionLine(raw, line);
    if (r.ok) rows.push({ id: r.id, output: r.output, line: r.line, field: r.field });
    else problems.push({ line: r.line, reason: r.reason });
  }
  return { rows, problems };
}

/** Read a predictions file. Rejects only when the file cannot be read; bad lines are listed in `problems`. */
export async function readPredictions(path: string): Promise<{ rows: PredictionRow[]; problems: PredictionProblem[] }> {
  return parsePredictions(await readFile(path, 'utf8'));
}

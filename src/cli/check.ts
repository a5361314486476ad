// `itool check`: judge a file of model outputs against a dataset with the AST checker, the same
// checkOutput the panel uses.
//   itool check --questions Q.json --answers A.json --outputs O.jsonl [--category C] [--json]
//   itool check DATASET --outputs O.jsonl [--json]
// Wrong outputs are the report, not a failure: the exit code is 0 whenever the check ran.
import { existsSync, readFileSync } from 'node:fs';
import { Dataset } from '../core/dataset/dataset';
import type { TurnsMode } from '../core/dataset/answers';
import type { FormatId, PossibleAnswer } from '../core/dataset/sample';
import { checkPredictions, type CheckTotals, type RowResult } from '../core/toolcall/datasetCheck';
import type { BfclCategory } from '../core/toolcall/check/index';
import { readPredictions, type PredictionProblem } from '../core/toolcall/predictions';
import { ERROR_KINDS, type ErrorKind } from '../core/toolcall/types';
import { settleRecordedCommit } from '../core/store/commit';

export interface CheckCommandOptions {
  /** Any dataset the extension reads (BFCL answers are found beside it, or given with `answers`). */
  dataset?: string;
  /** A BFCL question file (the same as `dataset`, with the format forced to BFCL). */
  questions?: string;
  /** A BFCL possible-answer file; overrides the one beside the question file. */
  answers?: string;
  outputs: string;
  /** BFCL category for every sample, instead of the one read from each id. */
  category?: BfclCategory;
  format?: FormatId;
  /** Every assistant answer a sample (default: outputs for `ID#k`), or each record's last answer only (outputs for `ID`). */
  turns?: TurnsMode;
  json: boolean;
  /** How many invalid outputs the text report lists. */
  show?: number;
}

export interface CheckRun {
  dataset: string;
  format: FormatId;
  samples: number;
  results: RowResult[];
  /** Lines of the outputs file that are not `{"id", "output"}` rows. */
  problems: PredictionProblem[];
  totals: CheckTotals;
  scoreSum: number;
}

/** `{id, ground_truth}` per line (or one JSON array of them). Throws when the file holds none. */
export function loadAnswerFile(path: string): Map<string, PossibleAnswer[]> {
  const text = readFileSync(path, 'utf8');
  const trimmed = text.trimStart();
  let records: unknown[] = [];
  if (trimmed.startsWith('[')) {
    try {
      records = JSON.parse(trimmed) as unknown[];
    } catch {
      records = [];
    }
  }
  if (!Array.isArray(records) || records.length === 0) {
    records = text.split('\n').flatMap((l) => {
      try {
        return l.trim() ? [JSON.parse(l) as unknown] : [];
      } catch {
        return [];
      }
    });
  }
  const map = new Map<string, PossibleAnswer[]>();
  for (const r of records) {
    const rec = r as { id?: unknown; ground_truth?: unknown };
    if (rec && typeof rec.id === 'string' && Array.isArray(rec.ground_truth)) map.set(rec.id, rec.ground_truth as PossibleAnswer[]);
  }
  if (map.size === 0) throw new Error(`${path}: no BFCL possible answers ({"id", "ground_truth"} per line) in it`);
  return map;
}

/** Judge every output row; results in input order. Throws only when a file cannot be read. */
export async function runCheck(opts: CheckCommandOptions): Promise<CheckRun> {
  const path = opts.questions ?? opts.dataset;
  if (!path) throw new Error('check: give a dataset (DATASET or --questions Q.json)');
  for (const [what, p] of [['dataset', path], ['answers', opts.answers], ['outputs', opts.outputs]] as const) {
    if (p !== undefined && !existsSync(p)) throw new Error(`check: ${what} file not found: ${p}`);
  }
  await settleRecordedCommit(path);
  const answers = opts.answers ? loadAnswerFile(opts.answers) : undefined;
  const { rows, problems } = await readPredictions(opts.outputs);
  const ds = await Dataset.open(path, { format: opts.questions ? 'bfcl' : opts.format, turns: opts.turns });
  try {
    const { results, totals } = await checkPredictions(ds, rows, { answers, category: opts.category });
    for (const r of results) {
      // A number id is matched as its decimal text (predictions.ts); say so where nothing matched.
      if (!r.verdict && r.index === undefined && r.row.numericId !== undefined && r.problem?.startsWith('no sample with id')) {
        r.problem += ` ("id" is the number ${r.row.numericId}, matched as the text ${JSON.stringify(r.row.id)})`;
      }
    }
    const scoreSum = results.reduce((sum, r) => sum + (r.verdict?.score ?? 0), 0);
    return { dataset: path, format: ds.format.id, samples: ds.count, results, problems, totals, scoreSum };
  } finally {
    await ds.close();
  }
}

/**
 * The JSON line of one input row, with its line in the outputs file: a judged output, a row that
 * could not be judged (`problem`: no sample with its id, …), or a malformed line (`id` null,
 * `problem`: every reason the line is not a row).
 */
function jsonLine(r: RowResult | PredictionProblem): string {
  if (!('row' in r)) return JSON.stringify({ id: null, line: r.line, valid: false, errors: [], score: null, problem: r.reason });
  if (!r.verdict) return JSON.stringify({ id: r.row.id, line: r.row.line, valid: false, errors: [], score: null, problem: r.problem });
  const errors = r.verdict.errors.map((e) => ({ kind: e.kind, function: e.function, param: e.param, span: e.span, expected: e.expected, got: e.got, message: e.message }));
  return JSON.stringify({ id: r.row.id, line: r.row.line, valid: r.verdict.valid, errors, score: r.verdict.score });
}

const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(1)}%` : '–');

function textReport(run: CheckRun, opts: CheckCommandOptions): string {
  const t = run.totals;
  const errorsByKind = new Map<ErrorKind, number>();
  for (const r of run.results) for (const e of r.verdict?.errors ?? []) errorsByKind.set(e.kind, (errorsByKind.get(e.kind) ?? 0) + 1);
  const unjudged = run.results.filter((r) => !r.verdict);
  const skipped = [...unjudged.map((r) => ({ line: r.row.line, reason: r.problem ?? '' })), ...run.problems].sort((a, b) => a.line - b.line);
  const lines = [
    `outputs     ${opts.outputs}: ${t.rows} row(s), ${run.problems.length} malformed line(s)`,
    `dataset     ${run.dataset} (${run.format}, ${run.samples} records)${opts.answers ? `, answers ${opts.answers}` : ''}`,
    `checked     ${t.checked} output(s): ${t.valid} valid, ${t.checked - t.valid} invalid, accuracy ${pct(t.valid, t.checked)}, mean score ${t.checked ? (run.scoreSum / t.checked).toFixed(3) : '–'}`,
    `not judged  ${unjudged.length} row(s) without a usable sample, ${run.problems.length} malformed line(s)`,
    ...skipped.slice(0, 10).map((x) => `  line ${x.line}: ${x.reason.replace(/^line \d+: /, '')}`),
    ...(skipped.length > 10 ? [`  … and ${skipped.length - 10} more (use --json for all)`] : []),
  ];
  const kinds = ERROR_KINDS.filter((k) => t.byKind[k] > 0);
  if (kinds.length) {
    lines.push('', `${'error kind'.padEnd(24)}${'outputs'.padStart(8)}${'errors'.padStart(8)}`);
    for (const k of kinds) lines.push(`${k.padEnd(24)}${String(t.byKind[k]).padStart(8)}${String(errorsByKind.get(k) ?? 0).padStart(8)}`);
  }
  const invalid = run.results.filter((r) => r.verdict && !r.verdict.valid);
  const show = opts.show ?? 10;
  if (invalid.length && show > 0) {
    lines.push('', `first ${Math.min(show, invalid.length)} invalid output(s) of ${invalid.length}:`);
    for (const r of invalid.slice(0, show)) {
      const v = r.verdict!;
      lines.push(`  line ${r.row.line}  ${r.row.id}  score ${v.score}`);
      for (const e of v.errors.slice(0, 5)) lines.push(`    ${e.kind}: ${e.message}`);
      if (v.errors.length > 5) lines.push(`    … and ${v.errors.length - 5} more error(s)`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function checkCommand(opts: CheckCommandOptions): Promise<number> {
  const run = await runCheck(opts);
  if (opts.json) {
    // One line per input row, in input order: judged rows and malformed lines interleaved by line.
    const all: { line: number; text: string }[] = [
      ...run.results.map((r) => ({ line: r.row.line, text: jsonLine(r) })),
      ...run.problems.map((p) => ({ line: p.line, text: jsonLine(p) })),
    ].sort((a, b) => a.line - b.line);
    process.stdout.write(all.map((x) => `${x.text}\n`).join(''));
  } else process.stdout.write(textReport(run, opts));
  return 0;
}

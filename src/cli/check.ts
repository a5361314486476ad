// `itool check`: judge a file of model outputs against a dataset with the AST checker, the same
// checkOutput the panel uses.
//   itool check --questions Q.json --answers A.json --outputs O.jsonl [--category C] [--json]
//   itool check --questions DIR [--answers DIR/possible_answer] --outputs O.jsonl [--json]
//   itool check DATASET --outputs O.jsonl [--json]
// With a folder of BFCL question files, each output goes to the file of its id's category
// (`live_multiple_3-1-0` → BFCL_v4_live_multiple.json), as BFCL's own evaluation reads them, and
// only the files the outputs name are read. Wrong outputs are the report, not a failure: the exit
// code is 0 whenever the check ran on most rows. A run that could judge no row, or not even half of
// them (malformed lines, ids no sample has), says so on stderr and exits 1: its accuracy would be
// a number over a part of the file that looks like the whole.
//
// Speed is part of the contract (bench/checkVsBfcl.bench.ts runs this against BFCL's own checker
// as whole processes): outputs are read with one synchronous read, each question file is read and
// parsed once (a plain BFCL file whole, with one read, for judging only: bfclQuestions.ts; the
// samples the outputs name are kept from that pass, never read again), what each sample expects
// is worked out at its first output and reused for the rest (datasetCheck.ts), rows are judged
// synchronously and the report is streamed out in large writes as rows are judged, and V8's
// optimising compiler is told that this is a short run (bin.ts). No worker threads: measured on
// the project's 2-core machine, two processes judging half a BFCL run each took as long as one
// judging all of it (start-up, the files' reading and the JIT's warm-up are paid by each), so a
// split would not pay here (README, Benchmarks).
import { existsSync, readFileSync } from 'node:fs';
import type { TurnsMode } from '../core/dataset/answers';
import type { FormatId } from '../core/dataset/sample';
import { addToTotals, emptyTotals, type CheckTotals, type RowResult } from '../core/toolcall/datasetCheck';
import { isDir, openCheckSources } from '../core/toolcall/checkSources';
import { defaultCacheDir } from '../core/toolcall/questionCache';
import { BFCL_CATEGORIES, type BfclCategory } from '../core/toolcall/check/index';
import { parsePredictions, type PredictionProblem } from '../core/toolcall/predictions';
import { ERROR_KINDS, type ErrorKind } from '../core/toolcall/types';
import { categoryArg, formatArg, turnsArg, UsageError } from './args';
import { defineCommand } from './command';

export const CHECK_USAGE = `  itool check --questions Q.json --answers A.json --outputs O.jsonl [--category C] [--json] [--show N]
  itool check --questions DIR [--answers DIR/possible_answer] --outputs O.jsonl [--json] [--show N]
  itool check DATASET --outputs O.jsonl [--json] [--show N]
      Judge model outputs ({"id", "output"} JSON Lines, or BFCL "result" files) with the AST
      checker: accuracy, errors per kind, the first N invalid outputs; --json: one line per row,
      streamed in input order. --questions DIR: a folder of BFCL question files (BFCL_v4_*.json);
      each output is judged against the file of its id's category, answers from possible_answer/.
      BFCL categories (--category, else from each id): ${BFCL_CATEGORIES.join(', ')}.
      What judging needs of BFCL question files is kept between runs in ITOOL_CACHE_DIR (default
      ~/.cache/itool-studio; "off" turns it off) while the files are unchanged; --no-cache reads
      them afresh.
`;

export interface CheckCommandOptions {
  /** Any dataset the extension reads (BFCL answers are found beside it, or given with `answers`). */
  dataset?: string;
  /** A BFCL question file (the same as `dataset`, with the format forced to BFCL), or a folder of them. */
  questions?: string;
  /** A BFCL possible-answer file (a folder of them with a question folder); overrides the one beside the questions. */
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
  /** Where what judging needs of BFCL question files is kept between runs; none: read them each time. */
  cache?: string;
}

export interface CheckRun {
  /** The dataset, or the question folder. */
  dataset: string;
  format: FormatId;
  /** Records in the files read (a question folder: in the files its outputs name). */
  samples: number;
  results: RowResult[];
  /** Lines of the outputs file that are not `{"id", "output"}` rows. */
  problems: PredictionProblem[];
  totals: CheckTotals;
  scoreSum: number;
}

/** One judged row or one malformed line, in input order. */
export type CheckItem = { result: RowResult } | { problem: PredictionProblem };

/**
 * Judge every output row, calling `each` per row and per malformed line in input (line) order as
 * they are judged. Throws only when a file cannot be read.
 */
export async function checkEach(opts: CheckCommandOptions, each: (item: CheckItem) => void): Promise<Omit<CheckRun, 'results'>> {
  const path = opts.questions ?? opts.dataset;
  if (!path) throw new Error('check: give a dataset (DATASET, --questions Q.json or --questions DIR)');
  for (const [what, p] of [['dataset', path], ['answers', opts.answers], ['outputs', opts.outputs]] as const) {
    if (p !== undefined && !existsSync(p)) throw new Error(`check: ${what} ${what === 'dataset' && opts.questions ? 'folder or file' : 'file'} not found: ${p}`);
  }
  if (isDir(opts.outputs)) throw new Error(`check: --outputs ${opts.outputs} is a folder: give the outputs file (JSON Lines)`);
  if (opts.questions === undefined && isDir(path)) throw new Error(`check: ${path} is a folder: give a folder of BFCL question files as --questions DIR`);
  // One synchronous read: the file is needed whole before anything can be judged.
  const { rows, problems } = parsePredictions(readFileSync(opts.outputs, 'utf8'));
  const sources = await openCheckSources({ path, bfcl: opts.questions !== undefined, format: opts.format, turns: opts.turns, answers: opts.answers, category: opts.category, cache: opts.cache }, rows.map((r) => r.id)).catch((err: unknown) => {
    throw new Error(`check: ${err instanceof Error ? err.message : String(err)}`);
  });
  try {
    const totals = emptyTotals();
    let scoreSum = 0;
    let p = 0;
    for (const row of rows) {
      while (p < problems.length && problems[p].line < row.line) each({ problem: problems[p++] });
      const judge = sources.route(row.id);
      let result: RowResult;
      if (typeof judge === 'string') result = { row, problem: judge };
      else result = judge.judgeLoaded(row) ?? (await judge.judge(row));
      // A number id is matched as its decimal text (predictions.ts); say so where nothing matched.
      if (!result.verdict && result.index === undefined && row.numericId !== undefined && result.problem?.startsWith('no sample with id')) {
        result.problem += ` ("id" is the number ${row.numericId}, matched as the text ${JSON.stringify(row.id)})`;
      }
      addToTotals(totals, result);
      scoreSum += result.verdict?.score ?? 0;
      each({ result });
    }
    while (p < problems.length) each({ problem: problems[p++] });
    return { dataset: sources.dataset, format: sources.format, samples: sources.records, problems, totals, scoreSum };
  } finally {
    await sources.close();
  }
}

/** Judge every output row; results in input order. Throws only when a file cannot be read. */
export async function runCheck(opts: CheckCommandOptions): Promise<CheckRun> {
  const results: RowResult[] = [];
  const run = await checkEach(opts, (item) => {
    if ('result' in item) results.push(item.result);
  });
  return { ...run, results };
}

/**
 * The JSON line of one input row, with its line in the outputs file: a judged output, a row that
 * could not be judged (`problem`: no sample with its id, …), or a malformed line (`id` null,
 * `problem`: every reason the line is not a row).
 */
export function jsonLine(item: CheckItem): string {
  if ('problem' in item) return JSON.stringify({ id: null, line: item.problem.line, valid: false, errors: [], score: null, problem: item.problem.reason });
  const r = item.result;
  if (!r.verdict) return JSON.stringify({ id: r.row.id, line: r.row.line, valid: false, errors: [], score: null, problem: r.problem });
  const errors = r.verdict.errors.map((e) => ({ kind: e.kind, function: e.function, param: e.param, span: e.span, expected: e.expected, got: e.got, message: e.message }));
  return JSON.stringify({ id: r.row.id, line: r.row.line, valid: r.verdict.valid, errors, score: r.verdict.score });
}

const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(1)}%` : '–');

/** What the text report needs, gathered as rows stream past (not every result kept). */
class ReportTally {
  readonly errorsByKind = new Map<ErrorKind, number>();
  /** Unjudged rows and malformed lines, the first 10 by line, and how many in all. */
  readonly skipped: { line: number; reason: string }[] = [];
  skippedCount = 0;
  unjudged = 0;
  readonly invalid: RowResult[] = [];
  invalidCount = 0;

  constructor(private readonly show: number) {}

  add(item: CheckItem): void {
    if ('problem' in item) return this.skip(item.problem.line, item.problem.reason);
    const r = item.result;
    if (!r.verdict) {
      this.unjudged++;
      return this.skip(r.row.line, r.problem ?? '');
    }
    for (const e of r.verdict.errors) this.errorsByKind.set(e.kind, (this.errorsByKind.get(e.kind) ?? 0) + 1);
    if (!r.verdict.valid && this.invalidCount++ < this.show) this.invalid.push(r);
  }

  private skip(line: number, reason: string): void {
    // Items come in line order, so the first ten seen are the first ten by line.
    if (this.skippedCount++ < 10) this.skipped.push({ line, reason });
  }
}

function textReport(run: Omit<CheckRun, 'results'>, tally: ReportTally, opts: CheckCommandOptions): string {
  const t = run.totals;
  const folder = opts.questions !== undefined && isDir(opts.questions);
  const lines = [
    `outputs     ${opts.outputs}: ${t.rows} row(s), ${run.problems.length} malformed line(s)`,
    folder
      ? `questions   ${run.dataset} (BFCL folder, ${run.samples} records in the files the outputs name)${opts.answers ? `, answers ${opts.answers}` : ''}`
      : `dataset     ${run.dataset} (${run.format}, ${run.samples} records)${opts.answers ? `, answers ${opts.answers}` : ''}`,
    `checked     ${t.checked} output(s): ${t.valid} valid, ${t.checked - t.valid} invalid, accuracy ${pct(t.valid, t.checked)}, mean score ${t.checked ? (run.scoreSum / t.checked).toFixed(3) : '–'}`,
    `not judged  ${tally.unjudged} row(s) without a usable sample, ${run.problems.length} malformed line(s)`,
    ...tally.skipped.map((x) => `  line ${x.line}: ${x.reason.replace(/^line \d+: /, '')}`),
    ...(tally.skippedCount > 10 ? [`  … and ${tally.skippedCount - 10} more (use --json for all)`] : []),
  ];
  const kinds = ERROR_KINDS.filter((k) => t.byKind[k] > 0);
  if (kinds.length) {
    lines.push('', `${'error kind'.padEnd(24)}${'outputs'.padStart(8)}${'errors'.padStart(8)}`);
    for (const k of kinds) lines.push(`${k.padEnd(24)}${String(t.byKind[k]).padStart(8)}${String(tally.errorsByKind.get(k) ?? 0).padStart(8)}`);
  }
  if (tally.invalidCount && tally.invalid.length) {
    lines.push('', `first ${tally.invalid.length} invalid output(s) of ${tally.invalidCount}:`);
    for (const r of tally.invalid) {
      const v = r.verdict!;
      lines.push(`  line ${r.row.line}  ${r.row.id}  score ${v.score}`);
      for (const e of v.errors.slice(0, 5)) lines.push(`    ${e.kind}: ${e.message}`);
      if (v.errors.length > 5) lines.push(`    … and ${v.errors.length - 5} more error(s)`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Writes text to stdout in writes of about 64 KiB: one write per line costs more than the check. */
class ChunkedOut {
  private parts: string[] = [];
  private size = 0;

  push(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (!this.parts.length) return;
    process.stdout.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

export async function checkCommand(opts: CheckCommandOptions): Promise<number> {
  if (opts.json) {
    // One line per input row, in input order: judged rows and malformed lines interleaved by line,
    // written as they are judged.
    const out = new ChunkedOut();
    const run = await checkEach(opts, (item) => out.push(`${jsonLine(item)}\n`));
    out.flush();
    return judgedEnough(run, opts.outputs);
  }
  const tally = new ReportTally(opts.show ?? 10);
  const run = await checkEach(opts, (item) => tally.add(item));
  process.stdout.write(textReport(run, tally, opts));
  return judgedEnough(run, opts.outputs);
}

/** 0 when most rows were judged; else the reason on stderr and 1 (see the head of this file). */
function judgedEnough(run: Omit<CheckRun, 'results'>, outputs: string): number {
  const lines = run.totals.rows + run.problems.length;
  const notJudged = run.totals.unmatched + run.problems.length;
  if (lines > 0 && run.totals.checked > 0 && notJudged * 2 <= lines) return 0;
  process.stderr.write(
    `itool check: ${lines === 0 ? `${outputs} holds no output rows` : `${notJudged} of ${lines} line(s) of ${outputs} could not be judged (${run.problems.length} malformed, ${run.totals.unmatched} without a usable sample)`}; ` +
      'the figures above are not the whole file\n',
  );
  return 1;
}

/** `itool check`: the arguments checked, then the run. */
export const checkCli = defineCommand({
  name: 'check',
  usage: CHECK_USAGE,
  options: {
    questions: { type: 'string' },
    answers: { type: 'string' },
    outputs: { type: 'string' },
    category: { type: 'string' },
    format: { type: 'string' },
    turns: { type: 'string' },
    json: { type: 'boolean' },
    show: { type: 'string' },
    'no-cache': { type: 'boolean' },
  },
  run(values, positionals) {
    if (!values.outputs) throw new UsageError('check: --outputs O.jsonl is required');
    if (!values.questions === !positionals[0]) throw new UsageError('check: give either DATASET or --questions Q.json (or a folder of them)');
    if (positionals.length > 1) throw new UsageError(`check: one DATASET only, not also ${JSON.stringify(positionals[1])}`);
    const show = values.show === undefined ? undefined : Number(values.show);
    if (show !== undefined && !(values.show!.trim() !== '' && Number.isInteger(show) && show >= 0)) throw new UsageError(`check: --show must be a whole number, not "${values.show}"`);
    return checkCommand({
      dataset: positionals[0],
      questions: values.questions,
      answers: values.answers,
      outputs: values.outputs,
      category: categoryArg(values.category),
      format: formatArg(values.format),
      turns: turnsArg(values.turns),
      json: !!values.json,
      show,
      cache: values['no-cache'] ? undefined : defaultCacheDir(),
    });
  },
});

// What the checker benchmarks share: the BFCL data, the outputs they judge, BFCL's own checker
// (bench/bfcl_checker.py, run from a gorilla checkout the user gives) and timing of whole processes.
//
//   ITOOL_BFCL_DIR       BFCL question folder (default ../shared/data/bfcl, else demo/datasets/bfcl:
//                        bench/env.ts, which also reads ITOOL_SHARED_DIR for ../shared)
//   ITOOL_BFCL_CHECKOUT  a gorilla checkout (the repository root or its berkeley-function-call-leaderboard/):
//                        BFCL's own checker runs from it. Nothing of BFCL is vendored here: without
//                        a checkout the comparisons say so and report our side only. One way to make
//                        one: git clone https://github.com/ShishirPatil/gorilla (or, from a mirror,
//                        git -C MIRROR archive HEAD berkeley-function-call-leaderboard | tar -x -C DIR).
//   ITOOL_BFCL_PYTHON    the python3 that runs it (default python3): one with BFCL's dependencies
//                        (pandas, tqdm, filelock, tenacity, dotenv; on Debian their python3-* packages
//                        and /usr/bin/python3), else bench/bfcl_checker.py stubs them and says so
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset } from '../src/core/dataset/dataset';
import { callsFromGroundTruth } from '../src/core/dataset/formats/bfcl';
import { encodePythonCalls } from '../src/core/dataset/pythonCalls';
import type { Sample, ToolCall } from '../src/core/dataset/sample';
import { bfclData, PYTHON_CATEGORIES, ROOT, workDir } from './env';

export { PYTHON_CATEGORIES, ROOT };
export const CLI = join(ROOT, 'dist', 'cli.js');
/** The BFCL data: ITOOL_BFCL_DIR, the shared folder's, else the demo slice (bench/env.ts). */
export const BFCL_DATA = bfclData(ROOT);
export const BFCL_DIR = BFCL_DATA.dir;
const PYTHON = process.env.ITOOL_BFCL_PYTHON || 'python3';
/** The Python BFCL's checker runs on, for the log. */
export const PYTHON_USED = PYTHON;
const HARNESS = join(__dirname, 'bfcl_checker.py');

export const log = (bench: string, msg: string): void => void process.stderr.write(`[${bench}] ${msg}\n`);

export interface Case {
  sample: Sample;
  output: string;
}

/**
 * Outputs for one sample: its ground truth written as a python call list, and perturbed ones (a
 * changed value, a dropped argument, an invented argument, a renamed function, a truncated
 * output, a text answer); for an irrelevance sample a text answer and a call.
 */
export function perturbations(s: Sample): string[] {
  if (!s.possibleAnswers?.length) {
    const t = s.tools[0];
    return ['I cannot help with that: none of the functions fits.', t ? `[${t.name}(query="x")]` : '[lookup(query="x")]'];
  }
  const calls = callsFromGroundTruth(s.possibleAnswers);
  const edit = (f: (c: ToolCall) => ToolCall): string => encodePythonCalls(calls.map((c, i) => (i === 0 ? f(c) : c)));
  const right = encodePythonCalls(calls);
  const [k0, v0] = Object.entries(calls[0].arguments)[0] ?? [];
  const out = [right, edit((c) => ({ ...c, arguments: { ...c.arguments, zz_invented: 1 } })), edit((c) => ({ ...c, name: `${c.name}_zz` })), right.slice(0, -2), 'Sorry, I cannot do that.'];
  if (k0 !== undefined) {
    out.push(edit((c) => ({ ...c, arguments: { ...c.arguments, [k0]: typeof v0 === 'string' ? `${v0}x` : typeof v0 === 'number' ? v0 + 1 : 'x' } })));
    out.push(edit((c) => ({ ...c, arguments: Object.fromEntries(Object.entries(c.arguments).slice(1)) })));
  }
  return out;
}

/** Every sample of the Python categories in BFCL_DIR with its outputs, in file order. */
export async function loadCases(): Promise<Case[]> {
  const cases: Case[] = [];
  const files = readdirSync(BFCL_DIR).filter((f) => PYTHON_CATEGORIES.includes(/^BFCL_v\d+_(.+)\.json$/.exec(f)?.[1] ?? '')).sort();
  for (const file of files) {
    const ds = await Dataset.open(join(BFCL_DIR, file), { format: 'bfcl' });
    try {
      await ds.scan((i, text) =>
        ds.fromText(i, text).then((r) => {
          if (r.ok) for (const output of perturbations(r.sample)) cases.push({ sample: r.sample, output });
        }),
      );
    } finally {
      await ds.close();
    }
  }
  return cases;
}

/** The cases as a BFCL result file ({"id", "result"} lines, as BFCL writes a prompting model's), in the run's temporary folder. */
export function writeResults(cases: readonly Case[]): string {
  const file = join(mkdtempSync(join(workDir('bench'), 'results-')), 'results.jsonl');
  writeFileSync(file, cases.map((c) => `${JSON.stringify({ id: c.sample.id, result: c.output })}\n`).join(''));
  return file;
}

/** The gorilla checkout from ITOOL_BFCL_CHECKOUT, or undefined with the reason said on stderr. */
export function bfclCheckout(bench: string): string | undefined {
  const dir = process.env.ITOOL_BFCL_CHECKOUT;
  if (!dir) {
    log(bench, 'no BFCL checkout given: set ITOOL_BFCL_CHECKOUT to a gorilla checkout to compare with BFCL\'s own checker (see bench/bfcl.ts); baseline is null');
    return undefined;
  }
  const root = existsSync(join(dir, 'berkeley-function-call-leaderboard')) ? join(dir, 'berkeley-function-call-leaderboard') : dir;
  if (!existsSync(join(root, 'bfcl_eval', 'eval_checker', 'ast_eval', 'ast_checker.py'))) {
    throw new Error(`ITOOL_BFCL_CHECKOUT=${dir} is not a gorilla checkout (no bfcl_eval/eval_checker/ast_eval/ast_checker.py)`);
  }
  return root;
}

export interface ProcessRun {
  wallS: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a whole process to its end; throws on a non-zero exit. `stdoutTo`: its standard output goes
 * to that file, as a shell's `> FILE` sends it (stdout in the result is then empty).
 */
export function timed(cmd: string, args: string[], stdoutTo?: string, env?: NodeJS.ProcessEnv): ProcessRun {
  const fd = stdoutTo === undefined ? undefined : openSync(stdoutTo, 'w');
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', fd ?? 'pipe', 'pipe'], env: env ?? process.env });
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
    return { wallS, stdout: r.stdout ?? '', stderr: r.stderr };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * `itool check` on the Python categories of BFCL_DIR, as a user runs it: the summary on stdout,
 * or with `json` one verdict line per output (its errors and spans), written to `jsonTo` when
 * given; `firstRun`: with an empty question cache, as a first run on these questions meets it
 * (it reads the question files whole and fills the cache).
 */
export function itoolCheck(outputs: string, opts: { json?: boolean; jsonTo?: string; firstRun?: boolean } = {}): ProcessRun {
  const args = [CLI, 'check', '--questions', BFCL_DIR, '--answers', join(BFCL_DIR, 'possible_answer'), '--outputs', outputs];
  if (opts.json) args.push('--json');
  if (!opts.firstRun) return timed(process.execPath, args, opts.jsonTo);
  const cache = mkdtempSync(join(workDir('bench'), 'first-run-cache-'));
  try {
    return timed(process.execPath, args, opts.jsonTo, { ...process.env, ITOOL_CACHE_DIR: cache });
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

export interface BfclTiming {
  import_s: number;
  load_s: number;
  judge_s: number;
  /** Writing the score files (0 without `scoreDir`). */
  save_s: number;
  judged: number;
  stubbed: string[];
}

/**
 * BFCL's own checker on the same outputs (bench/bfcl_checker.py), as one process. `scoreDir`: it
 * also writes each category's score file there, as BFCL's evaluation does after judging it.
 */
export function bfclCheck(checkout: string, outputs: string, rows = false, scoreDir?: string): ProcessRun & { timing: BfclTiming } {
  const run = timed(PYTHON, [HARNESS, '--bfcl', checkout, '--questions', BFCL_DIR, '--answers', join(BFCL_DIR, 'possible_answer'), '--outputs', outputs, ...(rows ? ['--rows'] : []), ...(scoreDir ? ['--score-dir', scoreDir] : [])]);
  const m = /\[bfcl_checker\] timing (\{.*\})/.exec(run.stderr);
  if (!m) throw new Error(`bench/bfcl_checker.py printed no timing:\n${run.stderr}`);
  const t = JSON.parse(m[1]) as Omit<BfclTiming, 'save_s'> & { save_s?: number };
  return { ...run, timing: { ...t, save_s: t.save_s ?? 0 } };
}

/** Fastest and median of a list of seconds. */
export function stats(xs: readonly number[]): { min: number; median: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor((s.length - 1) / 2)] };
}

export const round = (x: number): number => Number(x.toPrecision(4));

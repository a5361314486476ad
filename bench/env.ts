// What every benchmark shares besides the BFCL helpers (bench/bfcl.ts): the command line of
// `npm run bench` (bench/run.ts), quick mode, where the BFCL data comes from (the shared folder,
// else the repository's demo slice), and the temporary folder that generated inputs go to.
// Nothing here runs a benchmark, so the unit tests import it (test/unit/benchEnv.test.ts).
//
// Environment:
//   BENCH_QUICK=1          quick mode (as --quick): smaller inputs, fewer runs
//   BENCH_ONLY=a,b         as --only a,b
//   BENCH_KEEP=1           keep the temporary folder (its path goes to stderr)
//   BENCH_DATA=DIR         generate inputs into DIR and keep them there, reused by later runs
//   BENCH_TMP=DIR          set by bench/run.ts for its benchmarks: their shared temporary folder
//   ITOOL_SHARED_DIR=DIR   the shared folder (default ../shared beside the repository)
//   ITOOL_BFCL_DIR=DIR     the BFCL question folder (default SHARED/data/bfcl, else the demo slice)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '..');

/** Every benchmark `npm run bench` runs, in order, with the JSON lines (metric names) it prints. */
export const BENCHES = [
  { name: 'index', file: 'bench/index.bench.ts', metrics: ['index_1gb_vs_wc', 'first_page_vs_readline', 'index_bytes_per_record'] },
  { name: 'panel', file: 'bench/panel.bench.ts', metrics: ['panel_first_page_1m'] },
  { name: 'check', file: 'bench/check.bench.ts', metrics: ['check_outputs_per_s'] },
  { name: 'checkVsBfcl', file: 'bench/checkVsBfcl.bench.ts', metrics: ['check_end_to_end_outputs_per_s'] },
  { name: 'reward', file: 'bench/reward.bench.ts', metrics: ['reward_per_s', 'reward_latency_p50_ms', 'reward_latency_p99_ms'] },
  { name: 'score', file: 'bench/score.bench.ts', metrics: ['score_tokens_per_s_tiny_batched', 'score_tokens_per_s_tiny_batched_short', 'score_tokens_per_s_20m_batched', 'score_pipeline_overhead'] },
  { name: 'search', file: 'bench/search.bench.ts', metrics: ['search_engine_overhead_per_node', 'search_server_utilisation'] },
] as const;

export type BenchName = (typeof BENCHES)[number]['name'];

export interface RunOptions {
  quick: boolean;
  /** The benchmarks to run, in BENCHES order. */
  only: BenchName[];
  keep: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench [-- [--quick] [--only NAME[,NAME…]]]
  --quick         smaller inputs and fewer runs: a first look in about 2 minutes (also BENCH_QUICK=1)
  --only NAMES    run only these benchmarks (also BENCH_ONLY=NAMES); a NAME is a benchmark
                  (${BENCHES.map((b) => b.name).join(', ')}) or one of the JSON line names it prints
  BENCH_KEEP=1 keeps the temporary folder; BENCH_DATA=DIR generates inputs into DIR and keeps them`;

const truthy = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/** The benchmarks that NAMES (benchmark or metric names, comma-separated) select; throws on an unknown one. */
export function selectBenches(names: readonly string[]): BenchName[] {
  const wanted = new Set<BenchName>();
  for (const raw of names.flatMap((n) => n.split(','))) {
    const n = raw.trim();
    if (!n) continue;
    const hit = BENCHES.find((b) => b.name.toLowerCase() === n.toLowerCase() || b.file === n || (b.metrics as readonly string[]).includes(n));
    if (!hit) throw new Error(`unknown benchmark '${n}': one of ${BENCHES.map((b) => b.name).join(', ')}, or a name one of them prints`);
    wanted.add(hit.name);
  }
  if (!wanted.size) throw new Error('--only needs at least one benchmark name');
  return BENCHES.map((b) => b.name).filter((n) => wanted.has(n));
}

/** `bench/run.ts`'s command line and environment. Throws on an unknown flag or name. */
export function parseRunArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RunOptions {
  let quick = truthy(env.BENCH_QUICK);
  let help = false;
  const only: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--quick') quick = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--only') {
      const v = argv[++k];
      if (v === undefined || v.startsWith('--')) throw new Error('--only needs a benchmark name (or several, comma-separated)');
      only.push(v);
    } else if (a.startsWith('--only=')) only.push(a.slice('--only='.length));
    else throw new Error(`unknown argument '${a}'\n${USAGE}`);
  }
  if (!only.length && env.BENCH_ONLY) only.push(env.BENCH_ONLY);
  return { quick, only: only.length ? selectBenches(only) : BENCHES.map((b) => b.name), keep: truthy(env.BENCH_KEEP), help };
}

/** Quick mode, as a benchmark sees it (bench/run.ts passes --quick on as BENCH_QUICK=1). */
export const isQuick = (env: NodeJS.ProcessEnv = process.env): boolean => truthy(env.BENCH_QUICK) || process.argv.includes('--quick');

/** `full` in a full run, `quick` in quick mode. */
export const pick = <T>(full: T, quick: T): T => (isQuick() ? quick : full);

// ---------------------------------------------------------------------------------------------
// Data.

/**
 * The categories whose outputs BFCL judges by decoding Python text: its AST categories and
 * irrelevance. Java and JavaScript need BFCL's tree_sitter decoders; multi-turn, memory and
 * web_search are judged by executing calls against BFCL's backends: neither is compared here.
 */
export const PYTHON_CATEGORIES = ['simple_python', 'multiple', 'parallel', 'parallel_multiple', 'irrelevance', 'live_simple', 'live_multiple', 'live_parallel', 'live_parallel_multiple', 'live_irrelevance'];

export interface BfclData {
  /** The folder of BFCL_v4_*.json question files with possible_answer/ inside. */
  dir: string;
  source: 'ITOOL_BFCL_DIR' | 'shared' | 'demo';
  /** One line for stderr: the data used and, for the demo slice, why and how to use the full one. */
  note: string;
}

/** The shared folder: ITOOL_SHARED_DIR, else ../shared beside the repository root. */
export const sharedDir = (root: string, env: NodeJS.ProcessEnv = process.env): string => env.ITOOL_SHARED_DIR || join(root, '..', 'shared');

/**
 * Where the BFCL questions come from: ITOOL_BFCL_DIR (it must exist), else SHARED/data/bfcl
 * (shared folder: sharedDir), else the repository's demo slice, demo/datasets/bfcl.
 */
export function bfclData(root: string, env: NodeJS.ProcessEnv = process.env): BfclData {
  const describe = (dir: string): string => {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => PYTHON_CATEGORIES.includes(/^BFCL_v\d+_(.+)\.json$/.exec(f)?.[1] ?? '')) : [];
    const samples = files.reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim()).length, 0);
    return `${files.length} of BFCL's ${PYTHON_CATEGORIES.length} Python categories, ${samples} samples`;
  };
  if (env.ITOOL_BFCL_DIR) {
    if (!existsSync(env.ITOOL_BFCL_DIR)) throw new Error(`ITOOL_BFCL_DIR=${env.ITOOL_BFCL_DIR} does not exist`);
    return { dir: env.ITOOL_BFCL_DIR, source: 'ITOOL_BFCL_DIR', note: `BFCL data: ${env.ITOOL_BFCL_DIR} (ITOOL_BFCL_DIR; ${describe(env.ITOOL_BFCL_DIR)})` };
  }
  const shared = join(sharedDir(root, env), 'data', 'bfcl');
  if (existsSync(shared)) return { dir: shared, source: 'shared', note: `BFCL data: ${shared} (the shared folder; ${describe(shared)})` };
  const demo = join(root, 'demo', 'datasets', 'bfcl');
  return {
    dir: demo,
    source: 'demo',
    note: `BFCL data: ${relative(root, demo) || demo} (the repository's demo slice, ${describe(demo)}): ${shared} is absent; set ITOOL_BFCL_DIR to a full BFCL data folder for the full set`,
  };
}

// ---------------------------------------------------------------------------------------------
// The temporary folder.

let work: string | undefined;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

/** Run `fn` (say, stopping a server this benchmark started) when SIGINT or SIGTERM ends the benchmark. */
export function onInterrupt(fn: () => Promise<unknown> | unknown): void {
  cleanups.push(fn);
}

/**
 * This run's temporary folder: BENCH_TMP when bench/run.ts started this benchmark (it removes
 * the folder at the end), else a fresh one in os.tmpdir() removed when this process exits
 * (SIGINT and SIGTERM included) unless BENCH_KEEP=1. Everything the benchmark puts in
 * os.tmpdir() afterwards, its child processes' included, lands inside it (TMPDIR points there),
 * and so does the question cache of the `itool` processes it starts (ITOOL_CACHE_DIR).
 */
export function workDir(bench: string): string {
  if (work) return work;
  let dir = process.env.BENCH_TMP;
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'itool-bench-'));
    const own = dir;
    if (truthy(process.env.BENCH_KEEP)) process.on('exit', () => process.stderr.write(`[${bench}] BENCH_KEEP=1: kept ${own}\n`));
    else process.on('exit', () => rmSync(own, { recursive: true, force: true }));
  }
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    // `on`, not `once`: Ctrl-C reaches this process from the terminal and from bench/run.ts.
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`[${bench}] ${sig}: stopping\n`);
      const done = (): never => process.exit(sig === 'SIGINT' ? 130 : 143);
      setTimeout(done, 10_000).unref();
      void Promise.allSettled(cleanups.map(async (f) => f())).then(done);
    });
  }
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  process.env.TMPDIR = tmp;
  // `itool check` and `itool reward serve` keep a question cache (src/core/toolcall/questionCache.ts):
  // the benchmarks' goes here, never into the user's ~/.cache.
  process.env.ITOOL_CACHE_DIR = join(dir, 'itool-cache');
  work = dir;
  return dir;
}

/** Where generated inputs go: BENCH_DATA (kept, reused across runs) or the temporary folder's data/. */
export function dataDir(bench: string): string {
  const dir = process.env.BENCH_DATA || join(workDir(bench), 'data');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Bytes under a folder (symbolic links counted as links, not followed); 0 when it is absent. */
export function folderBytes(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // removed while walking
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          // Blocks on disk, not the apparent size: what the folder takes from the disk.
          const st = statSync(p);
          total += st.blocks * 512;
        } catch {
          // removed while walking
        }
      }
    }
  };
  walk(dir);
  return total;
}


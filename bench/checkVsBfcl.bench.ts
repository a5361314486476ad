// `itool check` against BFCL's own checker as whole processes, in the same run, on the same
// outputs: what a user waits for. Both read the question files, the possible answers and one
// result file ({"id", "result"} lines, BFCL's format) holding outputs for every sample of BFCL's
// Python categories (bench/bfcl.ts), judge every output by its id's category, and write a
// judgement of every output to disk:
//   ours:  node dist/cli.js check --questions DIR --answers DIR/possible_answer --outputs R.jsonl --json > FILE
//   BFCL:  python3 bench/bfcl_checker.py --bfcl CHECKOUT … --score-dir DIR (BFCL's decoder,
//          ast_checker and save_eval_results, run from the gorilla checkout in ITOOL_BFCL_CHECKOUT
//          as its ast_file_runner / relevance_file_runner run them; see bench/bfcl.ts)
// Runs alternate (a noisy neighbour hits both alike) and each side keeps its fastest; medians,
// our summary-only time and BFCL's import / load / judge / score-file split go to stderr, with
// how often the two agree on validity. BFCL's package imports pandas, tqdm, filelock, … : give
// ITOOL_BFCL_PYTHON a Python that has them (here: apt-get install python3-pandas python3-tqdm
// python3-filelock python3-tenacity python3-dotenv, ITOOL_BFCL_PYTHON=/usr/bin/python3), else
// they are stubbed (stderr lists them) and BFCL starts faster than a real install does.
// value: outputs per second of `itool check`, start-up to exit, with its question cache filled
// (every run after the first on the same question files); a second line, the same on a first run
// (an empty cache). baseline: the same for BFCL's checker (null without a checkout, and stderr says
// so); ratio = value / baseline. The bench keeps its own question cache in its work folder.
// Quick mode (--quick, BENCH_QUICK=1): 2 timed runs each instead of 7.
//   node --import tsx bench/checkVsBfcl.bench.ts [--quick]     (needs dist/: npm run build)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BFCL_DATA, BFCL_DIR, bfclCheck, bfclCheckout, CLI, itoolCheck, loadCases, log as logAs, PYTHON_USED, round, stats, writeResults } from './bfcl';
import { pick, workDir } from './env';

const RUNS = pick(7, 2);
const log = (msg: string) => logAs('checkVsBfcl.bench', msg);

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build first`);
  workDir('checkVsBfcl.bench');
  log(BFCL_DATA.note);
  const cases = await loadCases();
  const results = writeResults(cases);
  const n = cases.length;
  log(`${n} outputs over the Python categories of ${BFCL_DIR}`);
  const checkout = bfclCheckout('checkVsBfcl.bench');

  // Agreement first (untimed): BFCL's validity per output against ours.
  if (checkout) {
    const ours = itoolCheck(results, { json: true }).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { valid: boolean }).valid);
    const theirs = bfclCheck(checkout, results, true).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { valid: boolean }).valid);
    if (theirs.length !== n || ours.length !== n) throw new Error(`judged ${ours.length} (itool) and ${theirs.length} (BFCL) of ${n} outputs`);
    const differ = ours.filter((v, k) => v !== theirs[k]).length;
    log(`agreement with BFCL on validity: ${(100 * (1 - differ / n)).toFixed(2)}% (${differ} of ${n} outputs differ)`);
  }

  // Like for like: each side writes a judgement of every output to disk. Ours: `--json`, one
  // verdict line per output (its errors with spans), sent to a file as `> FILE` does; BFCL's: the
  // score file of each category its runners write (every failing entry as judged). Ours twice:
  // as every run after the first on the same question files meets it (their cache filled), and
  // as a first run (an empty cache: the question files read whole, and the cache written). Our summary (the default output)
  // is timed too and reported on stderr.
  const work = workDir('checkVsBfcl.bench');
  const verdicts = join(work, 'verdicts.jsonl');
  const scoreDir = join(work, 'bfcl-score');
  const warmWall: number[] = [];
  const coldWall: number[] = [];
  const summaryWall: number[] = [];
  const theirWall: number[] = [];
  let timing;
  // One untimed pass each first: the page cache, Python's bytecode cache, BFCL's score folders,
  // our question cache.
  itoolCheck(results, { json: true, jsonTo: verdicts });
  if (checkout) bfclCheck(checkout, results, false, scoreDir);
  for (let k = 0; k < RUNS; k++) {
    warmWall.push(itoolCheck(results, { json: true, jsonTo: verdicts }).wallS);
    coldWall.push(itoolCheck(results, { json: true, jsonTo: verdicts, firstRun: true }).wallS);
    summaryWall.push(itoolCheck(results).wallS);
    if (checkout) {
      const r = bfclCheck(checkout, results, false, scoreDir);
      theirWall.push(r.wallS);
      if (!timing || r.wallS === Math.min(...theirWall)) timing = r.timing;
    }
  }
  const warm = stats(warmWall);
  const cold = stats(coldWall);
  const summary = stats(summaryWall);
  const s = (x: { min: number; median: number }): string => `fastest ${x.min.toFixed(3)} s, median ${x.median.toFixed(3)} s`;
  log(`itool check --json > FILE (${RUNS} runs each): question cache filled ${s(warm)}; first run (empty cache) ${s(cold)}; the summary alone (cache filled) ${s(summary)}`);
  let theirs: { min: number; median: number } | undefined;
  if (checkout && timing) {
    theirs = stats(theirWall);
    log(`BFCL's checker (${PYTHON_USED}), score files included: ${s(theirs)}; in its fastest run import ${timing.import_s.toFixed(3)} s, load ${timing.load_s.toFixed(3)} s, judge ${timing.judge_s.toFixed(3)} s, score files ${timing.save_s.toFixed(3)} s`);
    if (timing.stubbed.length) log(`not installed for that Python, so stubbed in BFCL's run (none is on the path that judges; without them BFCL starts faster): ${timing.stubbed.join(', ')}`);
    log(`speed-up end to end: ${(theirs.min / warm.min).toFixed(2)}x (fastest), ${(theirs.median / warm.median).toFixed(2)}x (median); on a first run ${(theirs.min / cold.min).toFixed(2)}x; BFCL without its score files against our summary: ${((theirs.min - timing.save_s) / summary.min).toFixed(2)}x`);
  }
  const line = (name: string, ours: { min: number }) => {
    const value = n / ours.min;
    const baseline = theirs ? n / theirs.min : null;
    process.stdout.write(`${JSON.stringify({ name, value: round(value), unit: 'outputs/s', baseline: baseline === null ? null : round(baseline), ratio: baseline === null ? null : Number((value / baseline).toFixed(3)) })}\n`);
  };
  line('check_end_to_end_outputs_per_s', warm);
  line('check_end_to_end_first_run_outputs_per_s', cold);
}

main().catch((err: unknown) => {
  process.stderr.write(`[checkVsBfcl.bench] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

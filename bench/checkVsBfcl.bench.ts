// `itool check` against BFCL's own checker as whole processes, in the same run, on the same
// outputs: what a user waits for. Both read the question files, the possible answers and one
// result file ({"id", "result"} lines, BFCL's format) holding outputs for every sample of BFCL's
// Python categories (bench/bfcl.ts), and judge every output by its id's category:
//   ours:  node dist/cli.js check --questions DIR --answers DIR/possible_answer --outputs R.jsonl
//   BFCL:  python3 bench/bfcl_checker.py --bfcl CHECKOUT … (BFCL's decoder and ast_checker, run
//          from the gorilla checkout in ITOOL_BFCL_CHECKOUT; see bench/bfcl.ts)
// Runs alternate (a noisy neighbour hits both alike) and each side keeps its fastest; medians
// and BFCL's import / load / judge split go to stderr, with how often the two agree on validity.
// value: outputs per second of `itool check`, start-up to exit; baseline: the same for BFCL's
// checker (null without a checkout, and stderr says so); ratio = value / baseline.
// Quick mode (--quick, BENCH_QUICK=1): 2 timed runs each instead of 7.
//   node --import tsx bench/checkVsBfcl.bench.ts [--quick]     (needs dist/: npm run build)
import { existsSync } from 'node:fs';
import { BFCL_DATA, BFCL_DIR, bfclCheck, bfclCheckout, CLI, itoolCheck, loadCases, log as logAs, round, stats, writeResults } from './bfcl';
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
    const ours = itoolCheck(results, true).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { valid: boolean }).valid);
    const theirs = bfclCheck(checkout, results, true).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { valid: boolean }).valid);
    if (theirs.length !== n || ours.length !== n) throw new Error(`judged ${ours.length} (itool) and ${theirs.length} (BFCL) of ${n} outputs`);
    const differ = ours.filter((v, k) => v !== theirs[k]).length;
    log(`agreement with BFCL on validity: ${(100 * (1 - differ / n)).toFixed(2)}% (${differ} of ${n} outputs differ)`);
  }

  const ourWall: number[] = [];
  const theirWall: number[] = [];
  let timing;
  // One untimed pass each first: the page cache, Python's bytecode cache.
  itoolCheck(results);
  if (checkout) bfclCheck(checkout, results);
  for (let k = 0; k < RUNS; k++) {
    ourWall.push(itoolCheck(results).wallS);
    if (checkout) {
      const r = bfclCheck(checkout, results);
      theirWall.push(r.wallS);
      if (!timing || r.wallS === Math.min(...theirWall)) timing = r.timing;
    }
  }
  const ours = stats(ourWall);
  log(`itool check: fastest ${ours.min.toFixed(3)} s, median ${ours.median.toFixed(3)} s (${RUNS} runs)`);
  let baseline: number | null = null;
  if (checkout && timing) {
    const theirs = stats(theirWall);
    baseline = n / theirs.min;
    log(`BFCL's checker: fastest ${theirs.min.toFixed(3)} s, median ${theirs.median.toFixed(3)} s; in its fastest run import ${timing.import_s.toFixed(3)} s, load ${timing.load_s.toFixed(3)} s, judge ${timing.judge_s.toFixed(3)} s`);
    if (timing.stubbed.length) log(`not installed here, so stubbed in BFCL's run (none is on the path that judges; without them BFCL starts faster): ${timing.stubbed.join(', ')}`);
    log(`speed-up end to end: ${(theirs.min / ours.min).toFixed(2)}x (fastest), ${(theirs.median / ours.median).toFixed(2)}x (median)`);
  }
  const value = n / ours.min;
  process.stdout.write(`${JSON.stringify({ name: 'check_end_to_end_outputs_per_s', value: round(value), unit: 'outputs/s', baseline: baseline === null ? null : round(baseline), ratio: baseline === null ? null : Number((value / baseline).toFixed(3)) })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[checkVsBfcl.bench] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

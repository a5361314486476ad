// Checker throughput in one process: BFCL outputs judged per second on one core (the main thread),
// as `itool check` judges each row — expectationFor + parse + check — with the JIT warm. Outputs:
// every sample of BFCL's Python categories (bench/bfcl.ts), its ground truth as a python call list
// and perturbed ones.
// Baseline: BFCL's own checker on the very same outputs, in its process, judging only — its
// prompting decoder (ast.parse) and ast_checker / the irrelevance rule, run from a gorilla
// checkout (ITOOL_BFCL_CHECKOUT, bench/bfcl.ts) after its imports and data loading are done.
// Without a checkout the baseline is null and stderr says why. Whole processes, start-up and file
// reading included, are compared in bench/checkVsBfcl.bench.ts.
// Prints ONE JSON line {"name","value","unit","baseline","ratio"} on stdout; on stderr, the share
// of the time spent parsing vs checking.
// Quick mode (--quick, BENCH_QUICK=1): passes of 0.25 s instead of 1 s, BFCL's checker once.
//   node --import tsx bench/check.bench.ts [--quick] [--dump FILE]   (--dump writes the outputs as JSONL)
import { writeFileSync } from 'node:fs';
import { checkOutput, expectationFor } from '../src/core/toolcall/check/index';
import { parseCalls } from '../src/core/toolcall/parse/index';
import { BFCL_DATA, BFCL_DIR, bfclCheck, bfclCheckout, loadCases, log as logAs, round, writeResults, type Case } from './bfcl';
import { pick, workDir } from './env';

const MIN_SECONDS = pick(1, 0.25);
const BFCL_PASSES = pick(3, 1);
const log = (msg: string) => logAs('check.bench', msg);

/** Runs `pass` over all cases until MIN_SECONDS have passed; returns seconds per case. */
function timePerCase(cases: Case[], pass: (c: Case) => unknown): number {
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < MIN_SECONDS * 1000) {
    for (const c of cases) if (pass(c)) sink++;
    n += cases.length;
    t = performance.now();
  }
  if (sink < 0) log('unreachable');
  return (t - t0) / 1000 / n;
}

async function main(): Promise<void> {
  workDir('check.bench');
  log(BFCL_DATA.note);
  const cases = await loadCases();
  const dump = process.argv.indexOf('--dump');
  if (dump >= 0) {
    const path = process.argv[dump + 1];
    writeFileSync(path, cases.map((c) => `${JSON.stringify({ id: c.sample.id, output: c.output })}\n`).join(''));
    log(`wrote ${cases.length} outputs to ${path}`);
  }
  log(`${cases.length} outputs from ${BFCL_DIR}`);
  const full = (c: Case) => checkOutput(c.output, expectationFor(c.sample)).valid;
  const parse = (c: Case) => parseCalls(c.output).ok;
  // Warm-up: let the JIT settle on both paths.
  for (let k = 0; k < 3; k++) {
    for (const c of cases) {
      full(c);
      parse(c);
    }
  }
  const perOutput = [0, 1, 2].map(() => timePerCase(cases, full)).sort((a, b) => a - b)[1];
  const parsePer = [0, 1, 2].map(() => timePerCase(cases, parse)).sort((a, b) => a - b)[1];
  const value = 1 / perOutput;
  const parseShare = Math.min(1, parsePer / perOutput);
  log(`per output ${(perOutput * 1e6).toFixed(2)} µs: parse ${(parseShare * 100).toFixed(0)}%, expectation + check ${((1 - parseShare) * 100).toFixed(0)}%`);

  let baseline: number | null = null;
  const checkout = bfclCheckout('check.bench');
  if (checkout) {
    const results = writeResults(cases);
    // BFCL's judging has no JIT to warm: its fastest of three passes.
    const runs = Array.from({ length: BFCL_PASSES }, () => bfclCheck(checkout, results).timing);
    const best = runs.sort((a, b) => a.judge_s - b.judge_s)[0];
    if (best.judged !== cases.length) throw new Error(`BFCL judged ${best.judged} of ${cases.length} outputs`);
    baseline = best.judged / best.judge_s;
    log(`BFCL's checker (decode + ast_checker, judging only): ${(1e6 / baseline).toFixed(2)} µs per output${best.stubbed.length ? `; not installed here, stubbed: ${best.stubbed.join(', ')}` : ''}`);
  }
  process.stdout.write(`${JSON.stringify({ name: 'check_outputs_per_s', value: round(value), unit: 'outputs/s', baseline: baseline === null ? null : round(baseline), ratio: baseline === null ? null : Number((value / baseline).toFixed(3)) })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[check.bench] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

// The `itool` executable (dist/cli.js). `check` and `reward` — the commands scripts and trainers
// run over and over — load a bundle of the checker alone (dist/itool-check.js, about a seventh of
// the whole CLI: loading the whole one took longer than checking a BFCL category); every other
// command loads the whole CLI (dist/itool-main.js). The two are resolved beside this file at run
// time (scripts/build.mjs keeps them out of this bundle).
import { setFlagsFromString } from 'node:v8';

const command = process.argv[2];
if (command === 'check') {
  // `check` is one short batch: most of its code runs a few thousand times and is gone. V8's
  // optimising compiler, tuned for long-lived programs, spent more CPU compiling it (on a thread
  // of its own, beside the GC's, on a 2-core machine) than its code then saved: measured on a
  // BFCL run (bench/checkVsBfcl.bench.ts), optimising a little later and inlining only small
  // functions cut the CPU of the process's threads by a quarter (the main thread's unchanged)
  // and its run time by 10–25%. Set before any of the checker's code runs: flags that only
  // steer the compiler's choices, never results. `reward` serves for hours and keeps V8's defaults.
  setFlagsFromString('--interrupt-budget=150000 --max-inlined-bytecode-size-cumulative=200');
}
const bundle = command === 'check' || command === 'reward' ? './itool-check.js' : './itool-main.js';
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require(bundle) as { run(argv: string[]): void }).run(process.argv.slice(2));

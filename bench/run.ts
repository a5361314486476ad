// `npm run bench`: every benchmark, each printing its JSON lines {"name","value","unit","baseline","ratio"}
// on stdout (one per measurement, each with its baseline measured in the same run); progress on stderr.
//   npm run bench [-- [--quick] [--only NAME[,NAME…]]]
// Each benchmark runs as its own process, one after the other, with one temporary folder in
// os.tmpdir() for all of them (BENCH_TMP; their os.tmpdir() points inside it too), removed at the
// end, after a failure and on SIGINT/SIGTERM alike, unless BENCH_KEEP=1. A benchmark that fails is
// reported and the others still run; the exit status is 1 if any failed. The folder's size is
// sampled while they run and its peak reported at the end. See bench/env.ts for the variables.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCHES, folderBytes, parseRunArgs, ROOT, USAGE, type RunOptions } from './env';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const mb = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);

let opts: RunOptions;
try {
  opts = parseRunArgs(process.argv.slice(2));
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
if (opts.help) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(0);
}

const tmp = mkdtempSync(join(tmpdir(), 'itool-bench-'));
let child: ChildProcess | undefined;
let removed = false;
const cleanUp = (): void => {
  if (removed) return;
  removed = true;
  if (opts.keep) log(`BENCH_KEEP=1: kept ${tmp} (${mb(folderBytes(tmp))})`);
  else rmSync(tmp, { recursive: true, force: true });
};
process.on('exit', cleanUp);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping${child ? ' the running benchmark' : ''} and removing ${tmp}`);
    const done = (): never => {
      cleanUp();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    if (!child || child.exitCode !== null) done();
    child!.kill(sig);
    child!.once('exit', done);
    setTimeout(() => {
      child?.kill('SIGKILL');
      done();
    }, 15_000).unref();
  });
}

async function main(): Promise<number> {
  const t0 = performance.now();
  const selected = BENCHES.filter((b) => opts.only.includes(b.name));
  log(`${opts.quick ? 'quick' : 'full'} run: ${selected.map((b) => b.name).join(', ')}; temporary folder ${tmp} (${opts.keep ? 'kept: BENCH_KEEP=1' : 'removed at the end'})`);
  if (opts.quick) log('quick mode: smaller inputs, fewer runs; the names stay but the values are not comparable with a full run');
  if (process.env.BENCH_DATA) log(`generated inputs go to BENCH_DATA=${process.env.BENCH_DATA} and stay there`);
  const stale = join(ROOT, 'bench', 'data');
  if (existsSync(stale)) log(`${stale} (${mb(folderBytes(stale))}) is left from an earlier version of the benchmarks, which cached inputs there; nothing uses it now: delete it`);

  let peak = 0;
  const sample = (): void => {
    peak = Math.max(peak, folderBytes(tmp));
  };
  const failed: string[] = [];
  for (const b of selected) {
    const t = performance.now();
    const env = { ...process.env, BENCH_TMP: tmp, BENCH_QUICK: opts.quick ? '1' : '' };
    const timer = setInterval(sample, 2000);
    const code = await new Promise<number>((resolve) => {
      child = spawn(process.execPath, ['--import', 'tsx', b.file], { cwd: ROOT, stdio: 'inherit', env });
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
      child.on('error', (err) => {
        log(`${b.name}: ${err.message}`);
        resolve(1);
      });
    });
    clearInterval(timer);
    child = undefined;
    sample();
    log(`${b.name}: ${((performance.now() - t) / 1000).toFixed(1)} s${code === 0 ? '' : `, FAILED (exit ${code})`}; temporary folder ${mb(folderBytes(tmp))}, peak so far ${mb(peak)}`);
    if (code !== 0) failed.push(b.name);
  }
  const data = process.env.BENCH_DATA ? `; BENCH_DATA holds ${mb(folderBytes(process.env.BENCH_DATA))}` : '';
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${selected.length - failed.length} of ${selected.length} benchmarks ran; peak disk in the temporary folder ${mb(peak)}${data}${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);

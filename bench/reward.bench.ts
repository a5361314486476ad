// The reward service under a trainer's load: `itool reward serve` on BFCL's Python categories
// (bench/bfcl.ts), 8 concurrent clients each posting batches of 64 {"id", "completion"} items
// (node:http keep-alive, in this process; the service is its own process, as a trainer sees it).
// Every completion is sent once to warm the service up, then once more, timed.
// Prints three JSON lines {"name","value","unit","baseline","ratio"}:
//   reward_per_s            rewards per second; baseline: `itool check` on the same completions
//                           as one whole process (outputs/s, start-up to exit, fastest of 3).
//   reward_latency_p50_ms   median time from sending a batch of 64 to having its rewards;
//   reward_latency_p99_ms   99th percentile; baseline of both: what a trainer waits without the
//                           service, spawning `itool check` on one batch of 64 (median of 10).
// Quick mode (--quick, BENCH_QUICK=1): itool check fastest of 2, the per-batch spawn median of 3.
//   node --import tsx bench/reward.bench.ts [--quick]     (needs dist/: npm run build)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { BFCL_DATA, BFCL_DIR, CLI, itoolCheck, loadCases, log as logAs, round, stats, writeResults } from './bfcl';
import { pick, workDir } from './env';

const CLIENTS = 8;
const BATCH = 64;
const WHOLE_RUNS = pick(3, 2);
const SPAWN_RUNS = pick(10, 3);
const log = (msg: string) => logAs('reward.bench', msg);

interface Item {
  id: string;
  completion: string;
}

function post(agent: Agent, url: URL, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** All batches through CLIENTS concurrent clients; per-batch latency (ms) and the wall time (s). */
async function load(url: URL, batches: string[]): Promise<{ latencies: number[]; wallS: number; rewards: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies: number[] = [];
  let next = 0;
  let rewards = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < batches.length) {
        const body = batches[next++];
        const t = performance.now();
        const got = JSON.parse(await post(agent, url, body)) as unknown[];
        latencies.push(performance.now() - t);
        rewards += got.length;
      }
    }),
  );
  const wallS = (performance.now() - t0) / 1000;
  agent.destroy();
  return { latencies, wallS, rewards };
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build first`);
  const work = workDir('reward.bench');
  log(BFCL_DATA.note);
  const cases = await loadCases();
  const items: Item[] = cases.map((c) => ({ id: c.sample.id, completion: c.output }));
  // Batches mix categories, as a trainer's prompts do.
  const shuffled = items.map((x, k) => ({ x, key: (k * 2654435761) % 4294967296 })).sort((a, b) => a.key - b.key).map((e) => e.x);
  const batches: string[] = [];
  for (let k = 0; k < shuffled.length; k += BATCH) batches.push(JSON.stringify(shuffled.slice(k, k + BATCH)));
  log(`${items.length} completions from ${BFCL_DIR}, ${batches.length} batches of ${BATCH}, ${CLIENTS} concurrent clients`);

  const child = spawn(process.execPath, [CLI, 'reward', 'serve', '--dataset', BFCL_DIR, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = (): void => void child.kill('SIGTERM');
  process.on('exit', stop); // also when SIGINT ends this process mid-run
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /serving POST (http:\/\/\S+)\/v1\/reward/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`itool reward serve exited (${code})`)));
    });
    const url = new URL(`${base}/v1/reward`);
    await load(url, batches); // warm-up
    const run = await load(url, batches);
    if (run.rewards !== items.length) throw new Error(`${run.rewards} rewards for ${items.length} completions`);
    const perS = run.rewards / run.wallS;
    const p50 = percentile(run.latencies, 50);
    const p99 = percentile(run.latencies, 99);
    log(`service: ${run.wallS.toFixed(3)} s for ${run.rewards} rewards; latency p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);

    // The same completions through itool check, one whole process.
    const results = writeResults(cases);
    const whole = stats(Array.from({ length: WHOLE_RUNS }, () => itoolCheck(results).wallS));
    const checkPerS = items.length / whole.min;
    log(`itool check on the same ${items.length} completions: fastest ${whole.min.toFixed(3)} s (${Math.round(checkPerS)} outputs/s)`);
    // What a trainer waits for one batch without the service: itool check spawned on it.
    const dir = mkdtempSync(join(work, 'reward-'));
    const perBatch: number[] = [];
    for (let k = 0; k < Math.min(SPAWN_RUNS, batches.length); k++) {
      const file = join(dir, `batch-${k}.jsonl`);
      const batch = JSON.parse(batches[k]) as Item[];
      writeFileSync(file, batch.map((x) => `${JSON.stringify({ id: x.id, output: x.completion })}\n`).join(''));
      perBatch.push(itoolCheck(file).wallS * 1000);
    }
    const spawnMs = stats(perBatch).median;
    log(`itool check spawned on one batch of ${BATCH}: median ${spawnMs.toFixed(1)} ms (${perBatch.length} runs)`);

    const line = (name: string, value: number, unit: string, baseline: number) =>
      process.stdout.write(`${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: Number((value / baseline).toFixed(3)) })}\n`);
    line('reward_per_s', perS, 'rewards/s', checkPerS);
    line('reward_latency_p50_ms', p50, 'ms', spawnMs);
    line('reward_latency_p99_ms', p99, 'ms', spawnMs);
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[reward.bench] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

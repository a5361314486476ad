// Record index benchmarks. Each prints one JSON line {"name","value","unit","baseline","ratio"} to
// stdout; progress goes to stderr. Inputs are generated once and cached under bench/data/
// (git-ignored): a ~1 GB JSONL of BFCL-like tool-use records, and bench/data/1m.jsonl (1M smaller
// OpenAI-format records, also used by panel.bench.ts).
//   node --import tsx bench/index.bench.ts
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIndex, RecordReader } from '../src/core/dataset/recordIndex';
import { writeFileAtomic } from '../src/core/store/atomicWrite';

const ROOT = join(__dirname, '..');
const DATA = join(ROOT, 'bench', 'data');
const BFCL = process.env.ITOOL_BFCL_DIR ?? join(ROOT, '..', 'shared', 'data', 'bfcl');
const BIG = join(DATA, 'tooluse-1gb.jsonl');
const ONE_M = join(DATA, '1m.jsonl');
/** Bump when the generators change, so cached files are rebuilt. */
const GEN_VERSION = '1';

const log = (msg: string) => process.stderr.write(`[index.bench] ${msg}\n`);
const emit = (name: string, value: number, unit: string, baseline: number, ratio: number) =>
  process.stdout.write(`${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: Number(ratio.toFixed(3)) })}\n`);
const round = (x: number) => Number(x.toPrecision(4));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Deterministic PRNG (mulberry32) so every machine generates the same files. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface BfclRecord {
  id: string;
  question: { role: string; content: string }[][];
  function: { name: string; description?: string; parameters?: Record<string, unknown> }[];
}
type GroundTruth = Record<string, Record<string, unknown[]>>[];

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

/** Generate `path` from `lines` unless a stamp beside it says it is current. */
async function cached(path: string, what: string, lines: () => Iterable<string>): Promise<void> {
  const stamp = `${path}.stamp`;
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, 'utf8') === `${GEN_VERSION} ${statSync(path).size}`) {
    log(`using cached ${what}: ${path}`);
    return;
  }
  mkdirSync(DATA, { recursive: true });
  log(`generating ${what} (once): ${path}`);
  const t0 = performance.now();
  await writeFileAtomic(path, lines());
  writeFileSync(stamp, `${GEN_VERSION} ${statSync(path).size}`);
  log(`  ${(statSync(path).size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const FOLLOW_UPS = [
  'Please double-check the parameters before you call anything.',
  'If a value is missing, use the documented default.',
  'I am in a hurry, so keep it to the calls that are needed.',
  'Also, the previous attempt failed with a timeout; retry with the same settings.',
  'Context: this is for the quarterly report that goes out on Friday, and the numbers must match the dashboard.',
];

/** ~1 GB of BFCL live_multiple records: new ids, varied question lengths and tool counts. */
function* bigLines(base: BfclRecord[]): Generator<string> {
  const rand = rng(1);
  let bytes = 0;
  for (let n = 0; bytes < 1_000_000_000; n++) {
    const b = base[n % base.length];
    const turns = b.question[0].map((t) => ({ ...t }));
    const last = turns[turns.length - 1];
    const r = rand();
    if (r < 0.35) last.content += ' ' + Array.from({ length: 1 + Math.floor(rand() * 25) }, () => FOLLOW_UPS[Math.floor(rand() * FOLLOW_UPS.length)]).join(' ');
    if (r > 0.85) turns.unshift({ role: 'system', content: 'You are a careful assistant that calls tools. ' + FOLLOW_UPS.join(' ') });
    let fns = b.function;
    const f = rand();
    if (f < 0.25) fns = fns.slice(0, 1);
    else if (f > 0.7) fns = [...fns, ...base[Math.floor(rand() * base.length)].function, ...(f > 0.9 ? base[Math.floor(rand() * base.length)].function : [])];
    const line = JSON.stringify({ id: `live_multiple_${n}-${n % 331}-${n % 7}`, question: [turns], function: fns }) + '\n';
    bytes += Buffer.byteLength(line);
    yield line;
  }
}

/** 1M OpenAI-format records: the user turn, the reference tool calls, and only the called tools. */
function* oneMillionLines(base: BfclRecord[], answers: Map<string, GroundTruth>): Generator<string> {
  const rand = rng(2);
  for (let n = 0; n < 1_000_000; n++) {
    const b = base[n % base.length];
    const user = b.question[0].filter((t) => t.role === 'user').pop()?.content ?? '';
    const gt = answers.get(b.id) ?? [{ [b.function[0].name]: {} }];
    const calls = gt.map((call, k) => {
      const [name, params] = Object.entries(call)[0];
      const args: Record<string, unknown> = {};
      for (const [p, accepted] of Object.entries(params)) {
        const v = accepted.find((x) => x !== '');
        if (v !== undefined) args[p] = v;
      }
      return { id: `call_${n}_${k}`, type: 'function', function: { name, arguments: JSON.stringify(args) } };
    });
    const called = new Set(calls.map((c) => c.function.name));
    const tools = b.function
      .filter((fn) => called.has(fn.name) || rand() < 0.1)
      .map((fn) => ({ type: 'function', function: { ...fn, parameters: { ...fn.parameters, type: 'object' } } }));
    const record = {
      messages: [
        { role: 'user', content: user },
        { role: 'assistant', content: null, tool_calls: calls },
      ],
      tools,
    };
    yield JSON.stringify(record) + '\n';
  }
}

function timeCmd(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  return s;
}

/** What a naive tool does before it shows anything: readline + JSON.parse of every line, all kept. */
function naiveLoadSeconds(path: string): number {
  const src = `
    const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(process.argv[1]), crlfDelay: Infinity });
    const t0 = performance.now();
    const records = [];
    rl.on('line', (l) => { if (l.trim()) records.push(JSON.parse(l)); });
    rl.on('close', () => console.log(JSON.stringify({ s: (performance.now() - t0) / 1000, n: records.length })));`;
  // A child with a large heap: ~1 GB of parsed records does not fit the default one.
  const r = spawnSync(process.execPath, ['--max-old-space-size=16384', '-e', src, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`naive loader failed (exit ${r.status})`);
  const out = JSON.parse(r.stdout) as { s: number; n: number };
  log(`  naive loader: ${out.n} records in ${out.s.toFixed(2)} s`);
  return out.s;
}

async function main(): Promise<void> {
  const base = readJsonl<BfclRecord>(join(BFCL, 'BFCL_v4_live_multiple.json'));
  const answers = new Map(readJsonl<{ id: string; ground_truth: GroundTruth }>(join(BFCL, 'possible_answer', 'BFCL_v4_live_multiple.json')).map((a) => [a.id, a.ground_truth]));
  await cached(BIG, '~1 GB tool-use JSONL', () => bigLines(base));
  await cached(ONE_M, '1M-record OpenAI JSONL', () => oneMillionLines(base, answers));
  log(`data: ${BIG} (${(statSync(BIG).size / 1e9).toFixed(2)} GB), ${ONE_M} (${(statSync(ONE_M).size / 1e9).toFixed(2)} GB)`);

  // index_1gb_vs_wc: warm page cache first, so both sides measure scanning, not the disk.
  timeCmd('cat', [BIG]);
  const wc = median([0, 1, 2].map(() => timeCmd('wc', ['-l', BIG])));
  const idx: number[] = [];
  let count = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const index = await buildIndex(BIG);
    idx.push((performance.now() - t0) / 1000);
    count = index.count;
  }
  log(`  wc -l ${wc.toFixed(3)} s; index runs ${idx.map((s) => s.toFixed(3)).join(', ')} s; ${count} records`);
  emit('index_1gb_vs_wc', median(idx), 's', wc, wc / median(idx));

  // first_page_vs_readline: index + parse the first 100 records, vs a naive full load.
  const firstPage: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const index = await buildIndex(BIG);
    const reader = new RecordReader(index);
    const page = await reader.parseRange(0, 100);
    firstPage.push((performance.now() - t0) / 1000);
    await reader.close();
    if (!page.every((r) => r.ok)) throw new Error('first page has bad records');
  }
  const naive = naiveLoadSeconds(BIG);
  emit('first_page_vs_readline', median(firstPage), 's', naive, naive / median(firstPage));

  // index_bytes_per_record: memory of the index of the 1M-record file.
  const oneM = await buildIndex(ONE_M);
  if (oneM.count !== 1_000_000) throw new Error(`1m.jsonl has ${oneM.count} records`);
  const bpr = oneM.bytesPerRecord();
  emit('index_bytes_per_record', bpr, 'B/record', 32, 32 / bpr);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// The generated JSONL inputs of the index and panel benchmarks, made from BFCL's live_multiple
// records (the shared folder's 1,052, else the demo slice's 40: bench/env.ts) with a
// deterministic PRNG, into the run's data folder (bench/env.ts dataDir: the temporary folder,
// or BENCH_DATA where they are kept and reused). A full run makes ~1 GB of BFCL-like tool-use
// records and 1M smaller OpenAI-format records; quick mode 64 MB and 50,000.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/core/store/atomicWrite';
import { bfclData, dataDir, isQuick, ROOT } from './env';

/** Bump when the generators change, so files kept in BENCH_DATA are rebuilt. */
const GEN_VERSION = '1';

export const BIG_BYTES = (): number => (isQuick() ? 64_000_000 : 1_000_000_000);
export const ONE_M_RECORDS = (): number => (isQuick() ? 50_000 : 1_000_000);

/** Deterministic PRNG (mulberry32) so every machine generates the same files. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BfclRecord {
  id: string;
  question: { role: string; content: string }[][];
  function: { name: string; description?: string; parameters?: Record<string, unknown> }[];
}
export type GroundTruth = Record<string, Record<string, unknown[]>>[];

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

/** The live_multiple records and their answers the generators start from. */
export function baseRecords(bfclDir = bfclData(ROOT).dir): { base: BfclRecord[]; answers: Map<string, GroundTruth> } {
  const base = readJsonl<BfclRecord>(join(bfclDir, 'BFCL_v4_live_multiple.json'));
  const answers = new Map(readJsonl<{ id: string; ground_truth: GroundTruth }>(join(bfclDir, 'possible_answer', 'BFCL_v4_live_multiple.json')).map((a) => [a.id, a.ground_truth]));
  return { base, answers };
}

const FOLLOW_UPS = [
  'Please double-check the parameters before you call anything.',
  'If a value is missing, use the documented default.',
  'I am in a hurry, so keep it to the calls that are needed.',
  'Also, the previous attempt failed with a timeout; retry with the same settings.',
  'Context: this is for the quarterly report that goes out on Friday, and the numbers must match the dashboard.',
];

/** `bytes` of BFCL live_multiple records: new ids, varied question lengths and tool counts. */
export function* bigLines(base: BfclRecord[], bytes: number): Generator<string> {
  const rand = rng(1);
  let written = 0;
  for (let n = 0; written < bytes; n++) {
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
    written += Buffer.byteLength(line);
    yield line;
  }
}

/** `count` OpenAI-format records: the user turn, the reference tool calls, and only the called tools. */
export function* oneMillionLines(base: BfclRecord[], answers: Map<string, GroundTruth>, count: number): Generator<string> {
  const rand = rng(2);
  for (let n = 0; n < count; n++) {
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

/** Generate `path` from `lines` unless a stamp beside it says it is current (same generator, source and size). */
async function cached(bench: string, path: string, what: string, key: string, lines: () => Iterable<string>): Promise<string> {
  const stamp = `${path}.stamp`;
  const want = (size: number) => `${GEN_VERSION} ${key} ${size}`;
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want(statSync(path).size)) {
    process.stderr.write(`[${bench}] using ${what} generated earlier: ${path}\n`);
    return path;
  }
  process.stderr.write(`[${bench}] generating ${what}: ${path}\n`);
  const t0 = performance.now();
  await writeFileAtomic(path, lines());
  writeFileSync(stamp, want(statSync(path).size));
  process.stderr.write(`[${bench}]   ${(statSync(path).size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return path;
}

/** The BFCL-like tool-use JSONL (~1 GB; 64 MB in quick mode). */
export function bigFile(bench: string): Promise<string> {
  const src = bfclData(ROOT).dir;
  const bytes = BIG_BYTES();
  const name = bytes >= 1e9 ? `tooluse-${bytes / 1e9}gb.jsonl` : `tooluse-${bytes / 1e6}mb.jsonl`;
  return cached(bench, join(dataDir(bench), name), `${(bytes / 1e6).toFixed(0)} MB tool-use JSONL`, src, () => bigLines(baseRecords(src).base, bytes));
}

/** The OpenAI-format JSONL of 1M records (50,000 in quick mode). */
export function oneMillionFile(bench: string): Promise<string> {
  const src = bfclData(ROOT).dir;
  const count = ONE_M_RECORDS();
  return cached(bench, join(dataDir(bench), `openai-${count}.jsonl`), `${count}-record OpenAI JSONL`, src, () => {
    const { base, answers } = baseRecords(src);
    return oneMillionLines(base, answers, count);
  });
}

// OnnxPolicy.score() throughput on CPU, on generated random-weight transformers in the HF export
// layout (in the run's temporary folder, bench/env.ts; kept in BENCH_DATA=DIR if given): a tiny
// one and one of ~20M parameters.
// Prints JSON lines {"name","value","unit","baseline","ratio"}; details go to stderr.
//   score_tokens_per_s_tiny_batched / score_tokens_per_s_20m_batched: tokens (prompt + response,
//     padding not counted) scored per second with batching (maxBatch 16); baseline: the same
//     policy with maxBatch 1; ratio = batched / batch-1.
//   score_pipeline_overhead (20M model): value = wall time of policy.score() on the workload
//     (caller's thread → worker: tokenizing, batching, session.run, log-softmax, results back);
//     baseline = the sum of raw session.run() times on the very same packed batches, with the
//     session held in this process's main thread (feeds built before the clock starts);
//     ratio = value / baseline. Passes alternate and each side keeps its fastest pass, so a
//     noisy neighbour hits both alike.
// Quick mode (--quick, BENCH_QUICK=1): 16 requests instead of 64 and 64 short ones instead of 256
// on the tiny model (2 passes instead of 5), 4 requests instead of 48 on the 20M one (1 pass
// instead of 2–3); the same models, the same names.
//   node --import tsx bench/score.bench.ts [--quick]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../src/core/model/onnx/engine';
import { readModelFolder } from '../src/core/model/onnx/folder';
import { OnnxPolicy } from '../src/core/model/onnx/onnxPolicy';
import type { ChatMessage, ScoreRequest } from '../src/core/model/policy';
import { writeTinyModel, type TestModelOptions } from '../src/core/model/testModels';
import { dataDir, isQuick, pick } from './env';

const MAX_BATCH = 16;
const MODELS: Record<'tiny' | '20m', TestModelOptions> = {
  // The unit tests' tiny architecture, with room for longer prompts.
  tiny: { layers: 2, hidden: 32, heads: 4, kvHeads: 2, vocab: 320, maxPos: 2048, withKvCache: true, seed: 1 },
  // ≈19.8M parameters: 6 × 2.0M in the blocks, 2 × 3.7M for embedding and LM head.
  '20m': { layers: 6, hidden: 448, heads: 7, vocab: 8192, maxPos: 2048, withKvCache: true, seed: 1 },
};

const log = (msg: string) => process.stderr.write(`[score.bench] ${msg}\n`);
const round = (x: number) => Number(x.toPrecision(4));
const emit = (name: string, value: number, unit: string, baseline: number) =>
  process.stdout.write(`${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: Number((value / baseline).toFixed(3)) })}\n`);

/** Generated once per option set; the stamp says which. */
async function model(name: keyof typeof MODELS): Promise<string> {
  const dir = join(dataDir('score.bench'), `onnx-${name}`);
  const stamp = join(dir, 'stamp.json');
  const want = JSON.stringify(MODELS[name]);
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== want) {
    const t0 = performance.now();
    const m = await writeTinyModel(dir, MODELS[name]);
    writeFileSync(stamp, want);
    log(`generated ${dir}: ${(m.parameters / 1e6).toFixed(2)}M parameters in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return dir;
}

function lcg(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}
const WORDS = 'the weather in city today find flights from to hotel book a table for two people tomorrow evening near station price under euros please check my calendar'.split(' ');

/**
 * What calibration sends: tool-use prompts in the chat template (3 tools, user turns of 5–120
 * words), answers that call a tool (3 in 4) or reply in text.
 */
async function toolWorkload(policy: OnnxPolicy, n: number): Promise<ScoreRequest[]> {
  const rand = lcg(7);
  const tools = ['get_weather', 'search_flights', 'book_table'].map((name) => ({
    name,
    description: `${name.replace('_', ' ')} for the user`,
    parameters: { type: 'object', properties: { city: { type: 'string', description: 'City name' }, date: { type: 'string' } }, required: ['city'] },
  }));
  const out: ScoreRequest[] = [];
  for (let i = 0; i < n; i++) {
    const text = Array.from({ length: 5 + Math.floor(rand() * 115) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
    const messages: ChatMessage[] = [{ role: 'user', content: text }];
    const prompt = await policy.chatTemplate(messages, tools, { addGenerationPrompt: true });
    const response =
      i % 4 === 3
        ? `I need the date before I can search: ${text.slice(0, 60)}<|im_end|>\n`
        : `<tool_call>\n{"name": "${tools[i % 3].name}", "arguments": {"city": "City ${i}", "date": "2025-0${1 + (i % 9)}-1${i % 10}"}}\n</tool_call><|im_end|>\n`;
    out.push({ prompt, response });
  }
  return out;
}

/** Short chat turns without tools (2–12 words each way): where per-call costs dominate. */
async function shortWorkload(policy: OnnxPolicy, n: number): Promise<ScoreRequest[]> {
  const rand = lcg(11);
  const words = (k: number) => Array.from({ length: k }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  const out: ScoreRequest[] = [];
  for (let i = 0; i < n; i++) {
    const prompt = await policy.chatTemplate([{ role: 'user', content: words(2 + Math.floor(rand() * 10)) }], [], { addGenerationPrompt: true });
    out.push({ prompt, response: `${words(2 + Math.floor(rand() * 10))}<|im_end|>\n` });
  }
  return out;
}

async function timeScore(policy: OnnxPolicy, reqs: ScoreRequest[]): Promise<number> {
  const t0 = performance.now();
  await policy.score(reqs);
  return performance.now() - t0;
}

/** Tokens as the engine sees them (prompt + response, no padding). */
async function countTokens(dir: string, reqs: ScoreRequest[], policy: OnnxPolicy): Promise<number> {
  const engine = await Engine.create({ ...readModelFolder(dir), executionProvider: 'cpu' });
  const n = engine.planScore(reqs, policy.batchLimits).seqs.reduce((s, q) => s + q.ids.length, 0);
  await engine.dispose();
  return n;
}

/** Batched (maxBatch 16) vs batch-1 throughput, alternating passes, best of `passes` each. */
async function throughput(name: string, dir: string, reqs: ScoreRequest[], batched: OnnxPolicy, single: OnnxPolicy, passes: number): Promise<void> {
  const tokens = await countTokens(dir, reqs, batched);
  await timeScore(batched, reqs.slice(0, MAX_BATCH)); // warm-up: first runs allocate
  await timeScore(single, reqs.slice(0, 2));
  const tb: number[] = [];
  const t1: number[] = [];
  for (let k = 0; k < passes; k++) {
    tb.push(await timeScore(batched, reqs));
    t1.push(await timeScore(single, reqs));
  }
  const b = Math.min(...tb);
  const one = Math.min(...t1);
  log(`${name}: ${reqs.length} requests, ${tokens} tokens (${Math.round(tokens / reqs.length)} per request); batched ${b.toFixed(0)} ms, batch-1 ${one.toFixed(0)} ms (best of ${passes})`);
  emit(name, tokens / (b / 1000), 'tokens/s', tokens / (one / 1000));
}

async function overhead(policy: OnnxPolicy, dir: string, reqs: ScoreRequest[], passes: number): Promise<void> {
  const engine = await Engine.create({ ...readModelFolder(dir), executionProvider: 'cpu' });
  const plan = engine.planScore(reqs, policy.batchLimits);
  const feeds = plan.batches.map((b) => engine.feeds(b.packed));
  await engine.session.run(feeds[0], ['logits']); // warm-up
  const raw: number[] = [];
  const ours: number[] = [];
  for (let k = 0; k < passes; k++) {
    let t = 0;
    for (const f of feeds) {
      const t0 = performance.now();
      await engine.session.run(f, ['logits']);
      t += performance.now() - t0;
    }
    raw.push(t);
    ours.push(await timeScore(policy, reqs));
  }
  await engine.dispose();
  const shapes = plan.batches.map((b) => `${b.packed.batch}×${b.packed.seq}`).join(' ');
  log(`overhead: score() ${Math.min(...ours).toFixed(0)} ms vs raw session.run ${Math.min(...raw).toFixed(0)} ms over ${feeds.length} batches (${shapes})`);
  emit('score_pipeline_overhead', Math.min(...ours), 'ms', Math.min(...raw));
}

async function open(dir: string): Promise<[OnnxPolicy, OnnxPolicy]> {
  return [await OnnxPolicy.open(dir, { maxBatch: MAX_BATCH }), await OnnxPolicy.open(dir, { maxBatch: 1 })];
}

async function main(): Promise<void> {
  if (isQuick()) log('quick mode: fewer requests, fewer passes (the JSON line names stay)');
  const tinyDir = await model('tiny');
  const [tb, t1] = await open(tinyDir);
  await throughput('score_tokens_per_s_tiny_batched', tinyDir, await toolWorkload(tb, pick(64, 16)), tb, t1, pick(5, 2));
  await throughput('score_tokens_per_s_tiny_batched_short', tinyDir, await shortWorkload(tb, pick(256, 64)), tb, t1, pick(5, 2));
  await Promise.all([tb.close(), t1.close()]);

  const bigDir = await model('20m');
  const [bb, b1] = await open(bigDir);
  const reqs = await toolWorkload(bb, pick(48, 4));
  await throughput('score_tokens_per_s_20m_batched', bigDir, reqs, bb, b1, pick(2, 1));
  await b1.close();
  await overhead(bb, bigDir, reqs, pick(3, 1));
  await bb.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`[score.bench] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

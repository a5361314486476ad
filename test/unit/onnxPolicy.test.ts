// OnnxPolicy on generated tiny transformers (random weights, real HF export layout): its numbers
// against an independent TypeScript forward pass, KV-cache decoding against full recomputation,
// batching against one-by-one, and the policy's contract (seeds, stops, template, errors, abort).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { planBatches } from '../../src/core/model/onnx/batching';
import { Engine } from '../../src/core/model/onnx/engine';
import { readModelFolder } from '../../src/core/model/onnx/folder';
import { OnnxPolicy } from '../../src/core/model/onnx/onnxPolicy';
import { PolicyError, type ScoreRequest } from '../../src/core/model/policy';
import { writeTinyModel, type TestModel, type TestModelOptions } from '../../src/core/model/testModels';
import { referenceLogprobs } from '../../src/core/model/tiny/reference';

const TINY: TestModelOptions = { layers: 2, hidden: 32, heads: 4, kvHeads: 2, withKvCache: true, seed: 1 };
const TOOLS = [{ name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];

function close(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `${what}[${i}]: ${a} vs ${expected[i]}`));
}

describe('OnnxPolicy on tiny generated models', () => {
  let root: string;
  let kv: TestModel;
  let noCache: TestModel;
  let policy: OnnxPolicy;
  let policyNoCache: OnnxPolicy;
  let tok: Tokenizer;
  let requests: ScoreRequest[];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'itool-onnx-'));
    kv = await writeTinyModel(join(root, 'kv'), TINY);
    noCache = await writeTinyModel(join(root, 'nocache'), { ...TINY, withKvCache: false });
    policy = await OnnxPolicy.open(kv.dir, { maxBatch: 8 });
    policyNoCache = await OnnxPolicy.open(noCache.dir, { maxBatch: 8 });
    tok = new Tokenizer(JSON.parse(readFileSync(join(kv.dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(kv.dir, 'tokenizer_config.json'), 'utf8')));
    const prompt = await policy.chatTemplate([{ role: 'user', content: 'What is the weather in Paris?' }], TOOLS, { addGenerationPrompt: true });
    requests = [
      { prompt, response: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n' },
      { prompt, response: 'I cannot tell.<|im_end|>\n' },
      { prompt: 'Hello', response: ' world, the end' },
      { prompt: 'x th', response: 'e other' },
      { prompt: 'A longer prompt about the weather in the city of Lyon and its surroundings.', response: ' ok' },
    ];
  });
  after(async () => {
    await policy?.close();
    await policyNoCache?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('generates a tiny model in well under a second', async () => {
    const t0 = performance.now();
    const m = await writeTinyModel(join(root, 'speed'), { ...TINY, seed: 5 });
    assert.ok(performance.now() - t0 < 1000);
    const config = JSON.parse(readFileSync(join(m.dir, 'config.json'), 'utf8'));
    for (const k of ['model_type', 'hidden_size', 'num_attention_heads', 'num_hidden_layers', 'vocab_size', 'num_key_value_heads', 'head_dim', 'max_position_embeddings', 'eos_token_id', 'bos_token_id']) {
      assert.ok(k in config, k);
    }
  });

  it('scores response tokens with the logprobs of the reference forward pass (1e-4)', async () => {
    const results = await policy.score(requests);
    results.forEach((res, i) => {
      const { prompt, response } = requests[i];
      const p = tok.encode(prompt, { add_special_tokens: false }).ids;
      const full = tok.encode(prompt + response, { add_special_tokens: false }).ids;
      let k = 0;
      while (p[k] === full[k]) k++;
      const expected = referenceLogprobs(kv.weights, full, k);
      close(res.tokens.map((t) => t.logprob), expected, 1e-4, `request ${i}`);
      assert.ok(res.tokens.map((t) => t.token).join('').endsWith(response));
    });
  });

  it('handles a merge across the prompt/response boundary', async () => {
    // "x th" ends in the token " th"; "x the other" tokenizes " t" + "he": the response starts at " t".
    const [res] = await policy.score([{ prompt: 'x th', response: 'e other' }]);
    const text = res.tokens.map((t) => t.token).join('');
    assert.notEqual(text, 'e other');
    assert.ok(text.endsWith('e other') && ' the other'.endsWith(text), text);
  });

  it('gives the same logprobs in a padded batch as one by one', async () => {
    // No cell budget: all five requests (≈15 to ≈430 tokens) go in one right-padded batch.
    const all = await OnnxPolicy.open(kv.dir, { maxBatch: 8, maxBatchCells: Infinity });
    const single = await OnnxPolicy.open(kv.dir, { maxBatch: 1 });
    try {
      const batched = await all.score(requests);
      const oneByOne = await single.score(requests);
      batched.forEach((r, i) => close(r.tokens.map((t) => t.logprob), oneByOne[i].tokens.map((t) => t.logprob), 1e-5, `request ${i}`));
    } finally {
      await all.close();
      await single.close();
    }
  });

  it('groups similar lengths within the batch, token and attention-cell limits', () => {
    assert.deepEqual(planBatches([5, 0, 9, 7, 3, 8], 2, 100), [[2, 5], [3, 0], [4]]);
    assert.deepEqual(planBatches([10, 10, 10, 10], 8, 25), [[0, 1], [2, 3]]);
    assert.deepEqual(planBatches([10, 10, 10, 10], 8, 1000, 300), [[0, 1, 2], [3]]);
    assert.deepEqual(planBatches([50, 10], 8, 20), [[0], [1]]);
  });

  it('decodes with the KV cache exactly as with full recomputation', async () => {
    assert.equal(policy.hasKvCache, true);
    assert.equal(policyNoCache.hasKvCache, false);
    const greedy = { n: 1, temperature: 0, maxTokens: 24 };
    const [a] = await policy.sample(requests[0].prompt, '<tool_call>', greedy);
    const [b] = await policyNoCache.sample(requests[0].prompt, '<tool_call>', greedy);
    assert.equal(a.text, b.text);
    assert.ok(a.tokens.length > 0);
    close(a.tokens.map((t) => t.logprob), b.tokens.map((t) => t.logprob), 1e-4, 'greedy');
    // Several rows that finish at different steps (stop strings): rows leave the cached batch.
    const sampled = { n: 4, temperature: 1, maxTokens: 16, seed: 7, stop: ['e'] };
    const xs = await policy.sample('Hello', '', sampled);
    const ys = await policyNoCache.sample('Hello', '', sampled);
    assert.ok(new Set(xs.map((x) => x.tokens.length)).size > 1, 'rows should finish at different lengths');
    xs.forEach((x, i) => {
      assert.equal(x.text, ys[i].text);
      assert.equal(x.finishReason, ys[i].finishReason);
      close(x.tokens.map((t) => t.logprob), ys[i].tokens.map((t) => t.logprob), 1e-4, `row ${i}`);
    });
  });

  it('reports sampled-token logprobs under the temperature-1 model distribution', async () => {
    // The engine in-process (the worker runs the same code) exposes token ids, so the reference
    // can recompute exactly the sampled sequence, whatever its tokenization.
    const f = readModelFolder(kv.dir);
    const engine = await Engine.create({ ...f, executionProvider: 'cpu' });
    try {
      const context = engine.encode('Hello world');
      for (const temperature of [0, 1.5]) {
        const [c] = await engine.sample('Hello', ' world', { n: 1, temperature, topP: 0.9, maxTokens: 12, seed: 3 }, () => false);
        assert.ok(c.ids.length > 0);
        close(Array.from(c.logprobs), referenceLogprobs(kv.weights, [...context, ...c.ids], context.length), 1e-4, `T=${temperature}`);
      }
    } finally {
      await engine.dispose();
    }
  });

  it('samples deterministically for a seed, differently for different seeds', async () => {
    const opts = { n: 3, temperature: 1, maxTokens: 20, seed: 42 };
    const a = await policy.sample('Hello', '', opts);
    const b = await policy.sample('Hello', '', opts);
    const c = await policy.sample('Hello', '', { ...opts, seed: 43 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.map((x) => x.text), c.map((x) => x.text));
    assert.ok(new Set(a.map((x) => x.text)).size > 1, 'rows of one call differ');
    const topP = await policy.sample('Hello', '', { ...opts, topP: 0.5 });
    assert.deepEqual(topP, await policy.sample('Hello', '', { ...opts, topP: 0.5 }));
  });

  it('cuts at stop strings and stops at maxTokens', async () => {
    const greedy = { n: 1, temperature: 0, maxTokens: 30 };
    const [full] = await policy.sample(requests[0].prompt, '<tool_call>', greedy);
    assert.ok(full.text.length > 6, full.text);
    const stop = full.text.slice(4, 6);
    const [cut] = await policy.sample(requests[0].prompt, '<tool_call>', { ...greedy, stop: [stop] });
    assert.equal(cut.text, full.text.slice(0, full.text.indexOf(stop)));
    assert.equal(cut.finishReason, 'stop');
    // Tokens that begin before the cut are kept (the last may straddle it).
    assert.ok(cut.tokens.length < full.tokens.length);
    assert.deepEqual(cut.tokens, full.tokens.slice(0, cut.tokens.length));
    const [short] = await policy.sample(requests[0].prompt, '<tool_call>', { ...greedy, maxTokens: 5 });
    assert.equal(short.finishReason, 'length');
    assert.deepEqual(short.tokens, full.tokens.slice(0, 5));
  });

  it("stops with 'stop' at an end-of-sequence token, which is not part of the text", async () => {
    const [first] = await policy.sample('Hello', '', { n: 1, temperature: 0, maxTokens: 1 });
    const eosId = tok.encode(first.tokens[0].token, { add_special_tokens: false }).ids[0];
    const dir = join(root, 'eos');
    await writeTinyModel(dir, TINY);
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [eosId] }));
    const p = await OnnxPolicy.open(dir);
    try {
      const [c] = await p.sample('Hello', '', { n: 1, temperature: 0, maxTokens: 10 });
      assert.deepEqual(c, { text: '', tokens: [], finishReason: 'stop' });
    } finally {
      await p.close();
    }
  });

  it('renders tools, tool calls and the generation prompt with the chat template', async () => {
    const messages = [
      { role: 'user' as const, content: 'Weather in Paris?' },
      { role: 'assistant' as const, content: '', tool_calls: [{ id: 'a1B2c3D4e', type: 'function' as const, function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool' as const, content: '{"temp": 21}', name: 'get_weather' },
    ];
    const text = await policy.chatTemplate(messages, TOOLS, { addGenerationPrompt: true });
    assert.match(text, /^<\|im_start\|>system\n# Tools\n/);
    assert.ok(text.includes('<tools>\n{"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": {'), text);
    assert.ok(text.includes('<|im_start|>user\nWeather in Paris?<|im_end|>\n'));
    assert.ok(text.includes('<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n'), text);
    assert.ok(text.includes('<|im_start|>user\n<tool_response>\n{"temp": 21}\n</tool_response><|im_end|>\n'));
    assert.ok(text.endsWith('<|im_start|>assistant\n'));
    const noPrompt = await policy.chatTemplate(messages.slice(0, 1), [], { addGenerationPrompt: false });
    assert.equal(noPrompt, '<|im_start|>user\nWeather in Paris?<|im_end|>\n');
  });

  it("falls back to CPU with a warning when 'cuda' is not installed", async () => {
    const p = await OnnxPolicy.open(kv.dir, { executionProvider: 'cuda' });
    try {
      assert.equal(p.executionProvider, 'cpu');
      assert.match(p.warning ?? '', /^CUDA execution provider (not available: onnxruntime-node was installed without its CUDA binaries \(ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\)|failed to start).* — running on CPU$/);
      assert.equal((await p.score(requests.slice(0, 1)))[0].tokens.length, (await policy.score(requests.slice(0, 1)))[0].tokens.length);
    } finally {
      await p.close();
    }
    assert.equal(policy.warning, undefined);
  });

  it('names the file when the model folder is broken', async () => {
    const dir = join(root, 'broken');
    await writeTinyModel(dir, TINY);
    rmSync(join(dir, 'onnx', 'model.onnx'));
    await assert.rejects(OnnxPolicy.open(dir), (e: Error) => e instanceof PolicyError && e.message === `${join(dir, 'onnx', 'model.onnx')} not found`);
    await writeTinyModel(dir, TINY);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    delete config.hidden_size;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    await assert.rejects(OnnxPolicy.open(dir), (e: Error) => e instanceof PolicyError && e.message === `${join(dir, 'config.json')}: missing hidden_size`);
    await writeTinyModel(dir, TINY);
    rmSync(join(dir, 'tokenizer.json'));
    await assert.rejects(OnnxPolicy.open(dir), (e: Error) => e instanceof PolicyError && e.message === `${join(dir, 'tokenizer.json')} not found`);
    await writeTinyModel(dir, TINY);
    writeFileSync(join(dir, 'onnx', 'model.onnx'), 'not a model');
    await assert.rejects(OnnxPolicy.open(dir), (e: Error) => e instanceof PolicyError && e.message.startsWith(`${join(dir, 'onnx', 'model.onnx')}: cannot load`));
  });

  it('has an id from the folder, config and weights file', async () => {
    assert.match(policy.id, new RegExp(`^onnx:${kv.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#[0-9a-f]{12}$`));
    assert.notEqual(policy.id.split('#')[1], policyNoCache.id.split('#')[1]);
  });

  it('cancels between steps and keeps working afterwards', async () => {
    const ctl = new AbortController();
    const t0 = performance.now();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const long = policyNoCache.sample(requests[0].prompt, '', { n: 8, temperature: 1, maxTokens: 400, seed: 1, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 100);
    await assert.rejects(long, (e: Error) => e.name === 'AbortError');
    clearInterval(timer);
    // The caller's thread stayed free while the worker computed.
    assert.ok(ticks >= 5, `ticks ${ticks}`);
    // The worker stopped at its next step: a new call is answered promptly.
    const res = await policyNoCache.score(requests.slice(0, 1));
    assert.ok(res[0].tokens.length > 0);
    assert.ok(performance.now() - t0 < 1500, `${performance.now() - t0} ms`);
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(policy.score(requests, { signal: pre.signal }), (e: Error) => e.name === 'AbortError');
  });
});

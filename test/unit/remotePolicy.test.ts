// RemotePolicy against a stand-in OpenAI-compatible server (test/support/openaiStandIn.ts): real
// HTTP, the real JSON shapes, and a deterministic toy model whose numbers the tests recompute here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerRejectedError } from '../../src/core/model/openai/endpointErrors';
import { RemotePolicy, type RemotePolicyOptions } from '../../src/core/model/openai/remotePolicy';
import { maskPrompt, parseSample } from '../../src/core/model/openai/logprobs';
import { PolicyError, type TokenLogprob } from '../../src/core/model/policy';
import { OpenAIStandIn, StandInModel, type Flavor } from '../support/openaiStandIn';

const servers: OpenAIStandIn[] = [];
const policies: RemotePolicy[] = [];
after(async () => {
  await Promise.all(policies.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function standIn(opts: Parameters<typeof OpenAIStandIn.start>[0] = {}): Promise<OpenAIStandIn> {
  const s = await OpenAIStandIn.start(opts);
  servers.push(s);
  return s;
}
function policyFor(s: OpenAIStandIn, opts: Partial<RemotePolicyOptions> = {}): RemotePolicy {
  const p = new RemotePolicy({ baseURL: s.url, model: s.modelName, retryBaseMs: 5, timeoutMs: 5_000, apiKey: s.opts.apiKey, ...opts });
  policies.push(p);
  return p;
}

/** Independently: tokenize prompt+response, keep every token that carries response text. */
function expected(m: StandInModel, prompt: string, response: string): TokenLogprob[] {
  const toks = m.tokenize(prompt + response);
  const out: TokenLogprob[] = [];
  let start = 0;
  toks.forEach((t, i) => {
    const end = start + t.text.length;
    if (end > prompt.length) out.push({ token: t.text, logprob: m.logprob(toks[i - 1].text, t.text) });
    start = end;
  });
  return out;
}

const BATCH = [
  { prompt: '<|im_start|>user\nsay hi<|im_end|>\n<|im_start|>assistant\n', response: 'Hello world<|im_end|>\n' },
  // "Hel" + "lo world": the piece "Hello" straddles the boundary and counts as response.
  { prompt: 'say: Hel', response: 'lo world' },
  { prompt: 'x', response: 'y' },
  // Non-ASCII and a character outside the BMP: offsets are code points on the wire.
  { prompt: 'caf\u00e9 \u{1F600} ', response: '\u{1F600}ok \u00e9' },
  { prompt: 'a{"name": "', response: 'f"}' },
];

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected a rejection');
}

describe('RemotePolicy.score', () => {
  let s: OpenAIStandIn;
  before(async () => (s = await standIn()));

  it('equals the model\'s logprobs over exactly the response tokens', async () => {
    const p = policyFor(s);
    const got = await p.score(BATCH);
    assert.deepEqual(got, BATCH.map((r) => ({ tokens: expected(s.model, r.prompt, r.response) })));
    assert.deepEqual(got[1].tokens.map((t) => t.token), ['Hello', ' world']);
    assert.equal(s.bodies[0].echo, true);
    assert.equal(s.bodies[0].logprobs, 1);
    assert.equal(s.bodies[0].max_tokens, 1);
    assert.equal(s.received, BATCH.length, 'one request per item');
  });

  it('returns no tokens for an empty response without asking the server', async () => {
    const before = s.received;
    assert.deepEqual(await policyFor(s).score([{ prompt: 'abc', response: '' }]), [{ tokens: [] }]);
    assert.equal(s.received, before);
  });

  it('falls back to vLLM prompt_logprobs when echo is refused, and then sticks with it', async () => {
    const v = await standIn({ flavor: 'prompt-logprobs-only' });
    const got = await policyFor(v).score(BATCH);
    assert.deepEqual(got, BATCH.map((r) => ({ tokens: expected(v.model, r.prompt, r.response) })));
    assert.equal(v.received, BATCH.length + 1, 'one refused echo probe, then prompt_logprobs only');
    assert.ok(v.bodies.slice(1).every((b) => b.prompt_logprobs === 1 && b.echo === undefined));
  });

  for (const flavor of ['openai', 'llamacpp'] as Flavor[]) {
    it(`gives a clear PolicyError when the server has no prompt logprobs (${flavor})`, async () => {
      const v = await standIn({ flavor });
      const err = await rejection(policyFor(v).score(BATCH));
      assert.ok(err instanceof PolicyError, String(err));
      assert.ok(err.message.startsWith(`${v.url} (${v.modelName}) does not return prompt logprobs (echo + logprobs or prompt_logprobs): perplexity scoring needs vLLM, SGLang or another server that does`), err.message);
      assert.equal(v.received, 2, 'one probe each way, the rest of the batch never sent');
    });
  }
});

describe('RemotePolicy.sample', () => {
  let s: OpenAIStandIn;
  before(async () => (s = await standIn()));

  it('returns n continuations whose logprobs follow the model, seed passed through', async () => {
    const p = policyFor(s);
    const prompt = '<|im_start|>assistant\n';
    const opts = { n: 4, temperature: 1, topP: 0.95, maxTokens: 6, seed: 42 };
    const a = await p.sample(prompt, 'He', opts);
    assert.equal(a.length, 4);
    const body = s.bodies.at(-1)!;
    assert.equal(body.prompt, prompt + 'He');
    assert.deepEqual([body.n, body.seed, body.temperature, body.top_p, body.max_tokens, body.logprobs], [4, 42, 1, 0.95, 6, 1]);
    for (const c of a) {
      let prev = s.model.tokenize(prompt + 'He').at(-1)!.text;
      for (const t of c.tokens) {
        assert.equal(t.logprob, s.model.logprob(prev, t.token));
        prev = t.token;
      }
      if (c.finishReason === 'length') {
        assert.equal(c.tokens.length, 6);
        assert.equal(c.tokens.map((t) => t.token).join(''), c.text);
      }
    }
    assert.deepEqual(await p.sample(prompt, 'He', opts), a, 'same seed, same continuations');
    assert.notDeepEqual(await p.sample(prompt, 'He', { ...opts, seed: 43 }), a);
  });

  it('maps finish reasons: stop string (excluded from text), end of sequence, length', async () => {
    const p = policyFor(s);
    const m = s.model;
    const greedy = (prev: string, k: number): string[] => {
      const out: string[] = [];
      for (let i = 0; i < k; i++) out.push((prev = m.top(prev, 1)[0].text));
      return out;
    };
    const prompt = 'say: ';
    const chain = greedy(m.tokenize(prompt).at(-1)!.text, 5);
    const stop = chain[3];
    const [c] = await p.sample(prompt, '', { n: 1, temperature: 0, maxTokens: 8, stop: [stop] });
    const text = chain.join('');
    assert.equal(c.finishReason, 'stop');
    assert.equal(c.text, text.slice(0, text.indexOf(stop)));
    assert.equal(c.tokens.map((t) => t.token).join(''), c.text, 'tokens cut to the text');
    const [l] = await p.sample(prompt, '', { n: 1, temperature: 0, maxTokens: 2 });
    assert.deepEqual([l.finishReason, l.text], ['length', chain.slice(0, 2).join('')]);

    // A model seed under which some token is followed greedily by <|im_end|>.
    let found: { seed: number; token: string } | undefined;
    for (let seed = 1; !found && seed < 200; seed++) {
      const mm = new StandInModel(seed);
      const t = mm.vocab.find((v) => v.length === 1 && v !== '<' && mm.top(v, 1)[0].text === mm.eos);
      if (t) found = { seed, token: t };
    }
    assert.ok(found);
    const e = await standIn({ modelSeed: found.seed });
    const [eos] = await policyFor(e).sample('x' + found.token, '', { n: 1, temperature: 0, maxTokens: 8 });
    assert.deepEqual(eos, { text: '', tokens: [], finishReason: 'stop' });
  });
});

describe('RemotePolicy retries and limits', () => {
  it('retries 429, 500, timeouts and resets; each request\'s result used once', async () => {
    const s = await standIn();
    const p = policyFor(s, { timeoutMs: 400, maxInFlight: 1 });
    await p.score([BATCH[2]]); // settle the scoring mode first
    s.resetCounters();
    s.inject({ kind: 'status', status: 429, retryAfter: '0' }, 2);
    s.inject({ kind: 'status', status: 500 });
    s.inject({ kind: 'reset' });
    s.inject({ kind: 'hang' });
    s.inject({ kind: 'reset-mid-body' });
    s.inject({ kind: 'status', status: 503 });
    const got = await p.score(BATCH);
    assert.deepEqual(got, BATCH.map((r) => ({ tokens: expected(s.model, r.prompt, r.response) })));
    assert.equal(s.received, BATCH.length + 7);
    // Every item was asked for at least once; the extra requests are the 7 faulty ones.
    for (const r of BATCH) assert.ok(s.bodies.some((b) => b.prompt === r.prompt + r.response));
  });

  it('retries sample too, and returns the one successful answer', async () => {
    const s = await standIn();
    const p = policyFor(s, { timeoutMs: 400 });
    s.inject({ kind: 'reset-mid-body' });
    s.inject({ kind: 'status', status: 502 });
    const a = await p.sample('he', '', { n: 3, temperature: 1, maxTokens: 4, seed: 5 });
    const b = await policyFor(await standIn()).sample('he', '', { n: 3, temperature: 1, maxTokens: 4, seed: 5 });
    assert.deepEqual(a, b);
    assert.equal(s.received, 3);
  });

  it('honours Retry-After', async () => {
    const s = await standIn();
    const p = policyFor(s);
    s.inject({ kind: 'status', status: 429, retryAfter: '1' });
    const t0 = Date.now();
    await p.sample('he', '', { n: 1, temperature: 0, maxTokens: 1 });
    assert.ok(Date.now() - t0 >= 950, `waited ${Date.now() - t0} ms`);
    assert.equal(s.received, 2);
  });

  it('gives up after maxRetries with what went wrong', async () => {
    const s = await standIn();
    s.inject({ kind: 'status', status: 500, message: 'engine dead' }, 10);
    const err = await rejection(policyFor(s, { maxRetries: 2 }).sample('he', '', { n: 1, temperature: 0, maxTokens: 1 }));
    assert.ok(err instanceof PolicyError);
    assert.match(err.message, /no answer after 3 attempts; last: HTTP 500: engine dead/);
    assert.equal(s.received, 3);
  });

  it('fails at once on a 400 with the server\'s message', async () => {
    const s = await standIn();
    s.inject({ kind: 'status', status: 400, message: 'max_tokens is too large: 99999' });
    const err = await rejection(policyFor(s).sample('he', '', { n: 1, temperature: 0, maxTokens: 99999 }));
    assert.ok(err instanceof ServerRejectedError);
    assert.equal(err.status, 400);
    assert.match(err.message, /rejected the request: HTTP 400: max_tokens is too large: 99999/);
    assert.equal(s.received, 1);
    const wrong = await rejection(policyFor(s, { model: 'nope' }).sample('he', '', { n: 1, temperature: 0, maxTokens: 1 }));
    assert.match(wrong.message, /HTTP 404: The model `nope` does not exist/);
  });

  it('never has more requests in flight than the limit', async () => {
    const s = await standIn();
    const p = policyFor(s, { maxInFlight: 3 });
    await p.score([BATCH[2]]);
    s.resetCounters();
    s.delayMs = 30;
    const batch = Array.from({ length: 20 }, (_, i) => ({ prompt: `p${i} `, response: `r${i}` }));
    const [got] = await Promise.all([p.score(batch), p.sample('he', '', { n: 2, temperature: 1, maxTokens: 3, seed: 1 })]);
    assert.deepEqual(got, batch.map((r) => ({ tokens: expected(s.model, r.prompt, r.response) })));
    assert.equal(s.maxInFlight, 3);
    assert.equal(s.received, 21);
  });

  it('never shows the API key in an error', async () => {
    const key = 'sk-standin-SECRET-0123456789';
    const s = await standIn({ apiKey: key, leakAuthInErrors: true });
    const errors: Error[] = [];
    s.inject({ kind: 'status', status: 400, message: 'bad request' });
    errors.push(await rejection(policyFor(s).sample('he', '', { n: 1, temperature: 0, maxTokens: 1 })));
    s.inject({ kind: 'status', status: 503 }, 3);
    errors.push(await rejection(policyFor(s, { maxRetries: 2 }).sample('he', '', { n: 1, temperature: 0, maxTokens: 1 })));
    const o = await standIn({ apiKey: key, leakAuthInErrors: true, flavor: 'openai' });
    errors.push(await rejection(policyFor(o).score(BATCH)));
    const wrongKey = 'sk-standin-WRONG-9876543210';
    errors.push(await rejection(policyFor(s, { apiKey: wrongKey }).sample('he', '', { n: 1, temperature: 0, maxTokens: 1 })));
    errors.push(await rejection(policyFor(s, { apiKey: wrongKey }).models()));
    s.inject({ kind: 'hang' }, 2);
    errors.push(await rejection(policyFor(s, { timeoutMs: 200, maxRetries: 1 }).sample('he', '', { n: 1, temperature: 0, maxTokens: 1 })));
    const dead = await standIn();
    const deadURL = dead.url;
    await dead.close();
    errors.push(await rejection(new RemotePolicy({ baseURL: deadURL, model: 'm', apiKey: key, maxRetries: 1, retryBaseMs: 5 }).sample('he', '', { n: 1, temperature: 0, maxTokens: 1 })));
    assert.equal(errors.length, 7);
    assert.ok(errors[0].message.includes('Authorization: Bearer ***'), errors[0].message);
    assert.match(errors[3].message, /HTTP 401/);
    for (const e of errors) {
      assert.ok(e instanceof PolicyError, String(e));
      for (const text of [e.message, String(e), e.stack ?? '', JSON.stringify(e)]) {
        assert.ok(!text.includes(key) && !text.includes(wrongKey), text);
      }
    }
    assert.deepEqual(await policyFor(s).models(), [s.modelName]);
  });
});

describe('RemotePolicy cancellation', () => {
  it('aborts in-flight and queued requests promptly', async () => {
    const s = await standIn();
    const p = policyFor(s, { maxInFlight: 2 });
    await p.score([BATCH[2]]);
    s.resetCounters();
    s.delayMs = 10_000;
    const ctl = new AbortController();
    const pending = [
      p.score(BATCH, { signal: ctl.signal }),
      p.sample('he', '', { n: 2, temperature: 1, maxTokens: 3, signal: ctl.signal }),
    ].map(rejection);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    ctl.abort();
    const errs = await Promise.all(pending);
    assert.ok(Date.now() - t0 < 200, `took ${Date.now() - t0} ms`);
    for (const e of errs) assert.equal(e.name, 'AbortError');
    for (let i = 0; i < 50 && s.clientAborts < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.clientAborts, 2, 'both requests in flight were cut');
    assert.equal(s.received, 2, 'queued ones never sent');
  });

  it('aborts a backoff wait, and close() stops everything', async () => {
    const s = await standIn();
    const p = policyFor(s);
    s.inject({ kind: 'status', status: 429, retryAfter: '30' });
    const ctl = new AbortController();
    const waiting = rejection(p.sample('he', '', { n: 1, temperature: 0, maxTokens: 1, signal: ctl.signal }));
    await new Promise((r) => setTimeout(r, 100));
    ctl.abort();
    assert.equal((await waiting).name, 'AbortError');
    s.delayMs = 10_000;
    const closing = rejection(p.sample('he', '', { n: 1, temperature: 0, maxTokens: 1 }));
    await new Promise((r) => setTimeout(r, 50));
    await p.close();
    assert.match((await closing).message, /is closed/);
    assert.ok((await rejection(p.score(BATCH))) instanceof PolicyError);
  });
});

describe('RemotePolicy.chatTemplate and identity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'itool-remote-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const CHATML =
    "{{ bos_token }}{% if tools %}<tools>{{ tools | tojson }}</tools>\n{% endif %}{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
  const messages = [{ role: 'user' as const, content: 'hi' }];

  it('throws a PolicyError saying what to configure when there is no template', async () => {
    const p = new RemotePolicy({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', maxRetries: 0 });
    const err = await rejection(p.chatTemplate(messages, []));
    assert.ok(err instanceof PolicyError);
    assert.match(err.message, /no chat template configured.*tokenizer_config\.json/s);
  });

  it('renders from template text, a tokenizer_config.json, its folder, or a Jinja file', async () => {
    const text = new RemotePolicy({ baseURL: 'http://h/v1', model: 'm', chatTemplateText: CHATML, specialTokens: { bos_token: '<s>' } });
    assert.equal(await text.chatTemplate(messages, [], { addGenerationPrompt: true }), '<s><|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
    assert.equal(await text.chatTemplate(messages, []), '<s><|im_start|>user\nhi<|im_end|>\n');

    const folder = join(dir, 'model');
    mkdirSync(folder);
    writeFileSync(join(folder, 'tokenizer_config.json'), JSON.stringify({
      bos_token: { content: '<B>', lstrip: false },
      eos_token: '<E>',
      chat_template: [{ name: 'default', template: 'D:' + CHATML }, { name: 'tool_use', template: 'T:' + CHATML }],
    }));
    const tools = [{ name: 'f', description: 'd', parameters: { type: 'object' } }];
    for (const path of [folder, join(folder, 'tokenizer_config.json')]) {
      const p = new RemotePolicy({ baseURL: 'http://h/v1', model: 'm', chatTemplatePath: path });
      assert.equal(await p.chatTemplate(messages, []), 'D:<B><|im_start|>user\nhi<|im_end|>\n');
      assert.equal(
        await p.chatTemplate(messages, tools),
        'T:<B><tools>[{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object"}}}]</tools>\n<|im_start|>user\nhi<|im_end|>\n',
      );
    }
    writeFileSync(join(folder, 'chat.jinja'), 'J:' + CHATML);
    const jinja = new RemotePolicy({ baseURL: 'http://h/v1', model: 'm', chatTemplatePath: join(folder, 'chat.jinja') });
    assert.equal(await jinja.chatTemplate(messages, []), 'J:<B><|im_start|>user\nhi<|im_end|>\n');
    const missing = new RemotePolicy({ baseURL: 'http://h/v1', model: 'm', chatTemplatePath: join(dir, 'absent') });
    assert.ok((await rejection(missing.chatTemplate(messages, []))) instanceof PolicyError);
  });

  it('has a stable id and a label', () => {
    const p = new RemotePolicy({ baseURL: 'http://localhost:8000/v1/', model: 'qwen' });
    assert.equal(p.id, 'endpoint:http://localhost:8000/v1#qwen');
    assert.equal(p.label, 'qwen @ localhost:8000');
    assert.throws(() => new RemotePolicy({ baseURL: 'not a url', model: 'm' }), PolicyError);
  });
});

describe('logprobs alignment (servers that decode tokens differently)', () => {
  const tok = (text: string | null, logprob: number | null) => ({ text, logprob });

  it('anchors at the end, so a prepended BOS does not shift the mask', () => {
    const got = maskPrompt([tok('<s>', null), tok('ab', -1), tok('c', -2), tok('de', -3)], 'de');
    assert.deepEqual(got, [{ token: 'de', logprob: -3 }]);
  });

  it('aligns SentencePiece-style tokens that lost their spaces, ignoring whitespace', () => {
    // "Hello big world" with the response " world": per-token decoding dropped the spaces.
    const got = maskPrompt([tok('<s>', null), tok('Hello', -1), tok('big', -2), tok('world', -3)], ' world');
    assert.deepEqual(got, [{ token: 'world', logprob: -3 }]);
  });

  it('refuses tokens that do not spell the response', () => {
    assert.equal(typeof maskPrompt([tok('a', null), tok('b', -1)], 'zz'), 'string');
  });

  it('cuts sampled tokens to the text (stop string, EOS) and keeps them when they do not spell it', () => {
    const choice = (text: string, tokens: string[]) => ({ choices: [{ index: 0, text, finish_reason: 'stop', logprobs: { tokens, token_logprobs: tokens.map(() => -1) } }] });
    assert.deepEqual((parseSample(choice('ab', ['a', 'b', '<|im_end|>'])) as { tokens: unknown[] }[])[0].tokens.length, 2);
    assert.deepEqual((parseSample(choice('ab', ['\u0120a', 'b'])) as { tokens: unknown[] }[])[0].tokens.length, 2);
  });
});

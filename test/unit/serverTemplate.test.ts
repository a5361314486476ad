// RemotePolicy without a local chat template renders through the server's own (vLLM's /tokenize and
// /detokenize), against the STAND-IN for vLLM in test/support/openaiStandIn.ts: real HTTP and vLLM's
// request/response JSON, with the project's ChatTemplate standing in for vLLM's Python template and
// the stand-in's toy tokenizer for the model's. Not vLLM itself: only its interface.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemotePolicy, type RemotePolicyOptions } from '../../src/core/model/openai/remotePolicy';
import { errorMessage, serverRoot, ServerTemplate } from '../../src/core/model/openai/serverTemplate';
import { ChatTemplate, TemplateRenderError } from '../../src/core/model/chatTemplate';
import { PolicyError, type ChatMessage, type TokenLogprob } from '../../src/core/model/policy';
import type { ToolDef } from '../../src/core/dataset/sample';
import { OpenAIStandIn, type StandInModel, type StandInOptions } from '../support/openaiStandIn';
import { FIXTURES, type CorpusTemplate } from '../support/templateCorpus';

const QWEN = (JSON.parse(readFileSync(join(FIXTURES, 'corpus.json'), 'utf8')) as CorpusTemplate[]).find((t) => t.name === 'hf:Qwen/Qwen2.5-7B-Instruct') as CorpusTemplate;
const RAISES = "{%- for m in messages %}{%- if m.role == 'system' %}{{ raise_exception('System role not supported') }}{%- endif %}{{ m.role + ': ' + m.content + '\\n' }}{%- endfor %}";

const TOOLS: ToolDef[] = [
  { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
];
const ASK: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Weather in Paris?' },
];
const ANSWER: ChatMessage = {
  role: 'assistant',
  content: '',
  tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }],
};

const servers: OpenAIStandIn[] = [];
const policies: RemotePolicy[] = [];
after(async () => {
  await Promise.all(policies.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.close()));
});

/** A stand-in for vLLM serving a model whose own chat template is `template` (Qwen2.5's by default). */
async function vllmStandIn(opts: StandInOptions = {}): Promise<OpenAIStandIn> {
  const s = await OpenAIStandIn.start({ chatTemplate: QWEN.template, specialTokens: QWEN.specialTokens, ...opts });
  servers.push(s);
  return s;
}
/** No chat template configured here: the server's own is the only one. */
function policyFor(s: OpenAIStandIn, opts: Partial<RemotePolicyOptions> = {}): RemotePolicy {
  const p = new RemotePolicy({ baseURL: s.url, model: s.modelName, retryBaseMs: 5, timeoutMs: 5_000, apiKey: s.opts.apiKey, ...opts });
  policies.push(p);
  return p;
}
const local = (template = QWEN.template): ChatTemplate => ChatTemplate.fromText(template, QWEN.specialTokens, 'test');

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected a rejection');
}

/** Independently: the model's logprobs of the tokens of `full` from position `first` on. */
function expectedFrom(m: StandInModel, full: string, first: number): TokenLogprob[] {
  const toks = m.tokenize(full);
  return toks.slice(first).map((t, j) => ({ token: t.text, logprob: m.logprob(toks[first + j - 1].text, t.text) }));
}

describe("RemotePolicy.chatTemplate through the server's template (stand-in for vLLM's /tokenize)", () => {
  it('returns exactly what the template renders, with and without the generation prompt', async () => {
    const s = await vllmStandIn();
    const p = policyFor(s);
    for (const addGenerationPrompt of [true, false]) {
      const got = await p.chatTemplate(ASK, TOOLS, { addGenerationPrompt });
      assert.equal(got, local().render(ASK, TOOLS, addGenerationPrompt));
    }
    assert.ok((await p.chatTemplate(ASK, TOOLS, { addGenerationPrompt: true })).endsWith('<|im_start|>assistant\n'));
    // Without tools, and with a tool call in the messages (arguments as an object, HF convention).
    const convo = [...ASK, ANSWER];
    assert.equal(await p.chatTemplate(convo, []), local().render(convo, [], false));

    const tokenize = s.tokenizerRequests.filter((r) => r.path === '/tokenize').map((r) => r.body);
    assert.deepEqual(tokenize[0], {
      model: s.modelName,
      messages: ASK,
      add_generation_prompt: true,
      continue_final_message: false,
      add_special_tokens: false,
      tools: [{ type: 'function', function: TOOLS[0] }],
    });
    assert.equal(tokenize[1].add_generation_prompt, false);
    assert.equal('tools' in tokenize[3], false, 'no tools key when there are none');
    assert.deepEqual(tokenize[3].messages, convo, 'the messages go as they are');
    const detok = s.tokenizerRequests.filter((r) => r.path === '/detokenize').map((r) => r.body);
    assert.equal(detok.length, tokenize.length);
    assert.deepEqual(detok[0], { model: s.modelName, tokens: s.model.tokenize(local().render(ASK, TOOLS, true)).map((t) => t.id) });
    assert.equal(s.received, 0, 'no completion requests');
  });

  it('keeps a configured local template as the first choice', async () => {
    const s = await vllmStandIn();
    const p = policyFor(s, { chatTemplateText: '{{ messages[0].content }}' });
    assert.equal(await p.chatTemplate(ASK, TOOLS, { addGenerationPrompt: true }), 'You are terse.');
    assert.equal(s.tokenizerRequests.length, 0);
  });

  it('retries the tokenizer endpoints like completions, sends the key and never shows it', async () => {
    const s = await vllmStandIn({ apiKey: 'sk-secret-123', leakAuthInErrors: true, chatTemplate: RAISES });
    const p = policyFor(s);
    s.inject({ kind: 'status', status: 503 }, 1, 'tokenizer');
    s.inject({ kind: 'reset' }, 1, 'tokenizer');
    const ok = [{ role: 'user' as const, content: 'hi' }];
    assert.equal(await p.chatTemplate(ok, []), 'user: hi\n');
    assert.equal(s.tokenizerRequests.length, 4, '503 and reset retried, then /tokenize and /detokenize');
    const e = await rejection(p.chatTemplate(ASK, []));
    assert.equal(e.name, 'TemplateRenderError');
    assert.match(e.message, /System role not supported/);
    assert.doesNotMatch(e.message, /sk-secret-123/);
    assert.match(e.message, /\*\*\*/, 'the echoed key is masked');
  });
});

describe("RemotePolicy.score / sample of the server's renders (token ids)", () => {
  for (const flavor of ['vllm', 'prompt-logprobs-only'] as const) {
    it(`sends the rendered ids and returns the response tokens' logprobs only (${flavor})`, async () => {
      const s = await vllmStandIn({ flavor });
      const p = policyFor(s);
      const prompt = await p.chatTemplate(ASK, TOOLS, { addGenerationPrompt: true });
      const full = await p.chatTemplate([...ASK, ANSWER], TOOLS, { addGenerationPrompt: false });
      assert.ok(full.startsWith(prompt));
      const response = full.slice(prompt.length);
      assert.match(response, /^<tool_call>\n\{"name": "get_weather", "arguments": \{"city": "Paris"\}\}\n<\/tool_call><\|im_end\|>\n$/);

      const [got] = await p.score([{ prompt, response }]);
      const ids = s.model.tokenize(full).map((t) => t.id);
      const sent = s.bodies[s.bodies.length - 1].prompt;
      assert.deepEqual(sent, ids, 'the prompt goes as the token ids /tokenize gave');
      const first = s.model.tokenize(prompt).length;
      assert.deepEqual(got.tokens, expectedFrom(s.model, full, first));
      assert.equal(got.tokens.map((t) => t.token).join(''), response);
      assert.equal(got.tokens.length, ids.length - first);
    });
  }

  it('sends text, as before, for a pair it did not render', async () => {
    const s = await vllmStandIn();
    const p = policyFor(s);
    const [got] = await p.score([{ prompt: '<|im_start|>user\nsay hi<|im_end|>\n<|im_start|>assistant\n', response: 'Hello world<|im_end|>\n' }]);
    assert.equal(typeof s.bodies[0].prompt, 'string');
    assert.deepEqual(got.tokens.map((t) => t.token), ['Hello', ' world', '<|im_end|>', '\n']);
  });

  it('samples a rendered prompt from its ids', async () => {
    const s = await vllmStandIn();
    const p = policyFor(s);
    const prompt = await p.chatTemplate(ASK, TOOLS, { addGenerationPrompt: true });
    const byIds = await p.sample(prompt, '', { n: 2, temperature: 1, maxTokens: 5, seed: 3 });
    assert.deepEqual(s.bodies[0].prompt, s.model.tokenize(prompt).map((t) => t.id));
    // A partial answer after it is text the server did not render: that goes as text, as before.
    const byText = await p.sample(prompt, 'x', { n: 1, temperature: 1, maxTokens: 1, seed: 3 });
    assert.equal(typeof s.bodies[1].prompt, 'string', 'a prefix the server did not render goes as text');
    assert.equal(byIds.length, 2);
    assert.equal(byText.length, 1);
  });
});

describe("the server's template failing", () => {
  for (const shape of ['object', 'nested', 'detail'] as const) {
    it(`a template that raises is a TemplateRenderError naming the server's message (${shape} error body)`, async () => {
      const s = await vllmStandIn({ chatTemplate: RAISES, tokenizeErrorShape: shape });
      const p = policyFor(s);
      const e = await rejection(p.chatTemplate(ASK, [], { addGenerationPrompt: true }));
      assert.ok(e instanceof TemplateRenderError);
      assert.ok(e instanceof PolicyError);
      assert.equal(e.name, 'TemplateRenderError', 'what calibration turns into a per-sample skip');
      assert.match(e.message, /System role not supported/);
      assert.equal(s.tokenizerRequests.length, 1, 'a 400 is not retried');
    });
  }

  it('a server without /tokenize gives the clear PolicyError', async () => {
    const s = await OpenAIStandIn.start(); // no chat template: no /tokenize, as on llama.cpp or OpenAI
    servers.push(s);
    const e = await rejection(policyFor(s).chatTemplate(ASK, []));
    assert.ok(e instanceof PolicyError);
    assert.equal(e.name, 'PolicyError');
    assert.match(e.message, /no chat template configured/);
    assert.match(e.message, /--chat-template FILE/);
    assert.match(e.message, /the server has no \/tokenize either \(HTTP 404/);
  });
});

describe('ServerTemplate', () => {
  it('remembers the ids of the last renders only, and matches prompt and whole by prefix', async () => {
    let next = 0;
    const st = new ServerTemplate({
      model: 'm',
      label: 'm',
      scrub: (m) => m,
      capacity: 2,
      post: async (path, body) => {
        if (path === '/tokenize') {
          const n = (body.messages as ChatMessage[]).length;
          return { count: n, max_model_len: 9, tokens: Array.from({ length: n }, (_, i) => i) };
        }
        return { prompt: `text${next++}:${(body.tokens as number[]).length}` };
      },
    });
    const signal = new AbortController().signal;
    const msgs = (n: number): ChatMessage[] => Array.from({ length: n }, () => ({ role: 'user', content: '' }));
    const a = await st.render(msgs(1), [], true, signal, '');
    const b = await st.render(msgs(2), [], true, signal, '');
    assert.deepEqual(st.ids(a), [0]);
    assert.equal(st.exact(a, b.slice(a.length)), undefined, 'the texts do not extend each other');
    await st.render(msgs(3), [], true, signal, '');
    assert.equal(st.ids(b), undefined, 'least recently used forgotten');
    assert.deepEqual(st.ids(a), [0], 'a was used more recently than b');
  });

  it('finds the prompt/whole pair when the whole extends the prompt', async () => {
    const texts: Record<number, string> = { 2: 'ab', 3: 'abc' };
    const st = new ServerTemplate({
      model: 'm',
      label: 'm',
      scrub: (m) => m,
      post: async (path, body) =>
        path === '/tokenize' ? { tokens: (body.messages as ChatMessage[]).map((_, i) => i + 10) } : { prompt: texts[(body.tokens as number[]).length] },
    });
    const signal = new AbortController().signal;
    const one: ChatMessage = { role: 'user', content: '' };
    await st.render([one, one], [], true, signal, '');
    await st.render([one, one, one], [], false, signal, '');
    assert.deepEqual(st.exact('ab', 'c'), { ids: [10, 11, 12], promptTokens: 2 });
    assert.equal(st.exact('a', 'bc'), undefined);
  });

  it('reads error messages in every shape and finds the server root', () => {
    assert.equal(errorMessage({ error: { message: 'a' } }, ''), 'a');
    assert.equal(errorMessage({ object: 'error', message: 'b' }, ''), 'b');
    assert.equal(errorMessage({ detail: 'Not Found' }, ''), 'Not Found');
    assert.equal(errorMessage({ detail: [{ loc: ['body'], msg: 'field required' }] }, ''), 'field required');
    assert.equal(errorMessage(undefined, 'plain text\n'), 'plain text');
    assert.equal(serverRoot('http://h:8000/v1'), 'http://h:8000');
    assert.equal(serverRoot('http://h:8000/v1/'), 'http://h:8000');
    assert.equal(serverRoot('http://h/proxy/v1'), 'http://h/proxy');
    assert.equal(serverRoot('http://h:8000'), 'http://h:8000');
  });
});

// LLaMA-Factory's newer message format (content as typed parts): the real demo files read whole
// with the counts a separate script finds, lossless same-format writes, conversion both ways, and
// the one refusal a file of an unknown shape gets instead of a list of malformed records.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';
import { FORMATS, detectFormat } from '../../src/core/dataset/formats/index';
import { COMPACT_STYLE, detectJsonStyle, writeRecordText } from '../../src/core/dataset/jsonStyle';
import { FormatError, type Sample } from '../../src/core/dataset/sample';
import { parseCalls } from '../../src/core/toolcall/parse/index';
import { chatMessages } from '../../src/core/model/messages';
import { callRenderingFor } from '../../src/core/model/callRendering';

const ROOT = resolve(__dirname, '..', '..');
const LF = join(ROOT, 'test', 'fixtures', 'datasets', 'llamafactory');
const REASON = join(LF, 'reason_tool_use_demo_50.jsonl');
const SFT = join(LF, 'v1_sft_demo.jsonl');
const DEMO = join(ROOT, 'demo', 'datasets', 'llamafactory_v1_sample.jsonl');
const v1 = FORMATS.llamafactory_v1;

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
const recordsOf = (path: string): Record<string, unknown>[] => lines(path).map((l) => JSON.parse(l) as Record<string, unknown>);
const sameRecord = (a: unknown, b: unknown, msg?: string): void => assert.equal(JSON.stringify(a), JSON.stringify(b), msg);
const plainCalls = (s: Sample) => s.turns.map((t) => t.calls?.map((c) => ({ name: c.name, arguments: c.arguments })));

/** What the product counts over a whole file, opened as a user opens it. */
async function productCounts(path: string) {
  const ds = await Dataset.open(path);
  try {
    const roles: Record<string, number> = {};
    const c = { format: ds.format.id, records: ds.count, malformed: 0, roles, answers: 0, samples: 0, multiAnswerRecords: 0, answersWithCalls: 0, calls: 0, withReasoning: 0, recordsWithTools: 0, toolDefs: 0 };
    for (let i = 0; i < ds.count; i++) {
      const r = await ds.sample(i);
      if (!r.ok) {
        c.malformed++;
        continue;
      }
      for (const t of r.sample.turns) {
        roles[t.role] = (roles[t.role] ?? 0) + 1;
        if (t.role === 'assistant') c.answers++;
        if (t.calls?.length) {
          c.answersWithCalls++;
          c.calls += t.calls.length;
        }
        if (t.reasoning) c.withReasoning++;
      }
      c.samples += r.samples.length;
      if (r.samples.length > 1) c.multiAnswerRecords++;
      if (r.sample.tools.length) c.recordsWithTools++;
      c.toolDefs += r.sample.tools.length;
    }
    return c;
  } finally {
    await ds.close();
  }
}

describe('LLaMA-Factory messages: the real demo files', () => {
  it('reason_tool_use_demo_50.jsonl reads whole, with the counts scripts/datasets/count_llamafactory.py finds', async () => {
    // $ python3 scripts/datasets/count_llamafactory.py test/fixtures/datasets/llamafactory/reason_tool_use_demo_50.jsonl
    // {"file": "reason_tool_use_demo_50.jsonl", "records": 50, "roles": {"assistant": 112, "system": 50, "tool": 42, "user": 70},
    //  "parts": {"reasoning": 112, "text": 221, "tool_call": 68}, "answers": 112, "multi_answer_records": 22, "answers_with_calls": 53,
    //  "calls": 68, "reasoning_parts": 112, "messages_with_reasoning": 112, "loss_weight_messages": 0, "records_with_tools": 48, "tool_defs": 121}
    assert.deepEqual(await productCounts(REASON), {
      format: 'llamafactory_v1',
      records: 50,
      malformed: 0,
      roles: { system: 50, user: 70, assistant: 112, tool_result: 42 },
      answers: 112,
      // Every assistant message is an answer: one sample each (answers.ts).
      samples: 112,
      multiAnswerRecords: 22,
      answersWithCalls: 53,
      calls: 68,
      withReasoning: 112,
      recordsWithTools: 48,
      toolDefs: 121,
    });
  });

  it('v1_sft_demo.jsonl reads whole, with the counts the script finds', async () => {
    // $ python3 scripts/datasets/count_llamafactory.py test/fixtures/datasets/llamafactory/v1_sft_demo.jsonl
    // {"file": "v1_sft_demo.jsonl", "records": 500, "roles": {"assistant": 500, "user": 500}, "parts": {"text": 1000},
    //  "answers": 500, "multi_answer_records": 0, "answers_with_calls": 0, "calls": 0, "reasoning_parts": 0,
    //  "messages_with_reasoning": 0, "loss_weight_messages": 1000, "records_with_tools": 0, "tool_defs": 0}
    assert.deepEqual(await productCounts(SFT), {
      format: 'llamafactory_v1',
      records: 500,
      malformed: 0,
      roles: { user: 500, assistant: 500 },
      answers: 500,
      samples: 500,
      multiAnswerRecords: 0,
      answersWithCalls: 0,
      calls: 0,
      withReasoning: 0,
      recordsWithTools: 0,
      toolDefs: 0,
    });
  });

  it('the demo file reads with the counts the script finds', async () => {
    // $ python3 scripts/datasets/count_llamafactory.py demo/datasets/llamafactory_v1_sample.jsonl
    // {"file": "llamafactory_v1_sample.jsonl", "records": 7, "roles": {"assistant": 14, "system": 2, "tool": 7, "user": 8},
    //  "parts": {"image_url": 1, "reasoning": 5, "text": 27, "tool_call": 7}, "answers": 14, "multi_answer_records": 5,
    //  "answers_with_calls": 6, "calls": 7, "reasoning_parts": 5, "messages_with_reasoning": 5, "loss_weight_messages": 6,
    //  "records_with_tools": 6, "tool_defs": 8}
    const c = await productCounts(DEMO);
    assert.deepEqual(
      { records: c.records, malformed: c.malformed, roles: c.roles, answers: c.answers, multi: c.multiAnswerRecords, withCalls: c.answersWithCalls, calls: c.calls, reasoning: c.withReasoning, tools: c.recordsWithTools, defs: c.toolDefs },
      { records: 7, malformed: 0, roles: { system: 2, user: 8, assistant: 14, tool_result: 7 }, answers: 14, multi: 5, withCalls: 6, calls: 7, reasoning: 5, tools: 6, defs: 8 },
    );
  });

  it('a reasoning + tool_call message: reasoning apart, calls decoded, content the call values the checker points into', () => {
    const rec = recordsOf(REASON).find((r) => JSON.stringify(r).includes('"tool_call"'))!;
    const s = v1.read(rec, 0);
    const k = s.turns.findIndex((t) => t.calls?.length);
    const t = s.turns[k];
    const msg = (rec.messages as { content: { type: string; value: string }[] }[])[k];
    assert.equal(t.reasoning, msg.content.filter((p) => p.type === 'reasoning').map((p) => p.value).join(''));
    assert.equal(t.content, msg.content.filter((p) => p.type === 'tool_call').map((p) => p.value).join('\n'));
    assert.ok(!t.content.includes(t.reasoning!.slice(0, 30)), 'reasoning is not part of content');
    const parsed = parseCalls(t.content);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.calls.map((c) => ({ name: c.name, arguments: c.arguments })), t.calls!.map((c) => ({ name: c.name, arguments: c.arguments })));
    assert.equal(t.content.slice(parsed.calls[0].nameSpan.start, parsed.calls[0].nameSpan.end), JSON.stringify(t.calls![0].name));
    // Tool results follow as tool_result turns; the record's tools come from its JSON text.
    assert.equal(s.turns[k + 1].role, 'tool_result');
    assert.ok(s.tools.length > 0 && s.tools.every((d) => typeof d.name === 'string'));
  });

  it('text beside calls, several text parts, and media parts (which the sample does not hold)', () => {
    const [, par, book, media, , multi] = recordsOf(DEMO).map((r, i) => v1.read(r, i));
    assert.equal(book.turns[1].content, 'Let me book that for you.\n{"name": "book_table", "arguments": {"restaurant": "Chez Panisse", "party": {"adults": 2, "children": 1}, "times": ["19:00", "19:30"]}}');
    assert.equal(par.turns[1].calls!.length, 2);
    assert.equal(par.turns[1].content.split('\n').length, 2);
    assert.equal(media.turns[0].content, 'Find shoes like these, at most 3 results.');
    assert.equal(multi.turns[4].content, '9 °C in Zürich. Shall I check Tokyo too?');
    assert.equal(multi.turns[2].calls![0].arguments.city, 'Zürich');
  });
});

describe('LLaMA-Factory messages: what a chat template is handed', () => {
  it('calls go through the template as tool_calls, with the text beside them and without the call values', () => {
    assert.equal(callRenderingFor('llamafactory_v1'), 'template');
    const book = v1.read(recordsOf(DEMO)[2], 2);
    const m = chatMessages(book, 'template');
    assert.equal(m[1].content, 'Let me book that for you.');
    assert.deepEqual(m[1].tool_calls!.map((c) => c.function), [{ name: 'book_table', arguments: { restaurant: 'Chez Panisse', party: { adults: 2, children: 1 }, times: ['19:00', '19:30'] } }]);
    const par = v1.read(recordsOf(DEMO)[1], 1);
    const mp = chatMessages(par, 'template');
    assert.equal(mp[1].content, '');
    assert.equal(mp[1].tool_calls!.length, 2);
    // Forced to text, the turn is written as the dataset holds it: text, then one call per line.
    assert.equal(chatMessages(book, 'text')[1].content, book.turns[1].content);
  });
});

describe('LLaMA-Factory messages: writing', () => {
  it('a same-format write is value-identical for every record of the real files, and byte-identical as text', () => {
    for (const path of [REASON, SFT, DEMO]) {
      lines(path).forEach((text, i) => {
        const r = JSON.parse(text) as unknown;
        const w = v1.write(v1.read(r, i), r);
        sameRecord(w, r, `${path} record ${i}`);
        assert.equal(writeRecordText(w, text, r, detectJsonStyle(text, COMPACT_STYLE)), text, `${path} record ${i} bytes`);
      });
    }
  });

  it('edits: a changed call is re-encoded and the text beside it kept; reasoning and media stay in place; loss_weight and unknown keys stay', () => {
    const recs = recordsOf(DEMO);
    const book = recs[2];
    const s = v1.read(book, 2);
    s.turns[1].calls![0].arguments.times = ['20:00'];
    const w = v1.write(s, book) as { messages: { content: { type: string; value: string }[] }[]; _dataset_name: string };
    assert.deepEqual(w.messages[1].content, [
      { type: 'text', value: 'Let me book that for you.' },
      { type: 'tool_call', value: '{"name": "book_table", "arguments": {"restaurant": "Chez Panisse", "party": {"adults": 2, "children": 1}, "times": ["20:00"]}}' },
    ]);
    assert.equal(w._dataset_name, 'demo_booking');
    sameRecord(w.messages[0], (book.messages as unknown[])[0], 'untouched messages are kept as they were');
    assert.deepEqual(v1.read(w, 2).turns[1].calls![0].arguments.times, ['20:00']);

    const first = recs[0];
    const s0 = v1.read(first, 0);
    s0.turns[2].reasoning = 'Edited reasoning.';
    const w0 = v1.write(s0, first) as { messages: { content: unknown[] }[] };
    assert.deepEqual(w0.messages[2].content[0], { type: 'reasoning', value: 'Edited reasoning.' });
    sameRecord(w0.messages[2].content[1], (first.messages as { content: unknown[] }[])[2].content[1], 'the call part is kept as written');

    const media = recs[3];
    const sm = v1.read(media, 3);
    sm.turns[0].content = 'Find shoes like these.';
    sm.turns[1].calls![0].arguments.max_results = 5;
    const wm = v1.write(sm, media) as { messages: { content: unknown[]; loss_weight?: number }[] };
    assert.deepEqual(wm.messages[0], { role: 'user', content: [{ type: 'image_url', value: 'images/shoe.jpg' }, { type: 'text', value: 'Find shoes like these.' }], loss_weight: 0.0 });
    assert.equal(wm.messages[1].loss_weight, 1.0);
    assert.deepEqual(wm.messages[1].content, [{ type: 'tool_call', value: '{"name": "search_products", "arguments": {"query": "red running shoes", "max_results": 5}}' }]);
  });

  it('conversion to OpenAI and to LLaMA-Factory sharegpt and back keeps every call and every text', () => {
    for (const path of [REASON, DEMO]) {
      recordsOf(path).forEach((r, i) => {
        const s = v1.read(r, i);
        const view = (x: Sample) => x.turns.map((t) => ({ role: t.role, calls: plainCalls({ ...x, turns: [t] })[0], text: t.calls ? undefined : t.content }));
        // OpenAI has a message per turn: everything comes back turn for turn.
        const viaOpenai = v1.read(JSON.parse(JSON.stringify(v1.write(FORMATS.openai.read(JSON.parse(JSON.stringify(FORMATS.openai.write(s))), i)))), i);
        assert.deepEqual(view(viaOpenai), view(s), `${path} #${i} via openai`);
        // Sharegpt joins consecutive tool results into one observation: the answers come back
        // answer for answer, and the tool results' text in order.
        const viaLf = v1.read(JSON.parse(JSON.stringify(v1.write(FORMATS.llamafactory.read(JSON.parse(JSON.stringify(FORMATS.llamafactory.write(s))), i)))), i);
        const answers = (x: Sample) => view(x).filter((t) => t.role !== 'tool_result');
        const results = (x: Sample) => x.turns.filter((t) => t.role === 'tool_result').map((t) => t.content).join('\n');
        assert.deepEqual(answers(viaLf), answers(s), `${path} #${i} via llamafactory`);
        assert.equal(results(viaLf), results(s), `${path} #${i} via llamafactory: tool results`);
        assert.deepEqual(viaLf.tools.map((t) => t.name), s.tools.map((t) => t.name));
      });
    }
  });

  it('from another format: reasoning becomes a reasoning part, calls tool_call parts, the system prompt without its embedded tool list', () => {
    const s: Sample = {
      id: 'x',
      index: 0,
      format: 'openai',
      turns: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: 'Checking.', reasoning: 'Use get_weather.', calls: [{ name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_1' }] },
        { role: 'tool_result', content: '{"t": 3}', toolCallId: 'call_1' },
        { role: 'assistant', content: 'It is 3 °C.', reasoning: 'Report it.' },
      ],
      referenceIndex: 4,
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
    };
    const w = v1.write(s);
    sameRecord(w, {
      messages: [
        { role: 'system', content: [{ type: 'text', value: 'Be brief.' }] },
        { role: 'user', content: [{ type: 'text', value: 'Weather in Oslo?' }] },
        { role: 'assistant', content: [{ type: 'reasoning', value: 'Use get_weather.' }, { type: 'text', value: 'Checking.' }, { type: 'tool_call', value: '{"name": "get_weather", "arguments": {"city": "Oslo"}}' }] },
        { role: 'tool', content: [{ type: 'text', value: '{"t": 3}' }] },
        { role: 'assistant', content: [{ type: 'reasoning', value: 'Report it.' }, { type: 'text', value: 'It is 3 °C.' }] },
      ],
      tools: '[{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]',
    });
    const back = v1.read(w, 0);
    assert.equal(back.turns[2].reasoning, 'Use get_weather.');
    assert.equal(back.turns[2].content, 'Checking.\n{"name": "get_weather", "arguments": {"city": "Oslo"}}');
    // A ToolACE sample: its system prompt embeds the tool list, which goes to "tools" instead.
    const toolace = FORMATS.toolace.read(JSON.parse(readFileSync(join(ROOT, 'demo', 'datasets', 'toolace_sample.json'), 'utf8'))[0], 0);
    const wt = v1.write(toolace) as { messages: { role: string; content: { value: string }[] }[]; tools: string };
    assert.ok(!wt.messages.some((m) => m.role === 'system' && m.content[0].value.includes('"parameters"')));
    assert.equal((JSON.parse(wt.tools) as unknown[]).length, toolace.tools.length);
  });
});

describe('LLaMA-Factory messages: detection and refusals', () => {
  it('sniff prefers this format over OpenAI for content parts, and never takes OpenAI records', () => {
    assert.equal(detectFormat(recordsOf(REASON))?.format, 'llamafactory_v1');
    assert.equal(detectFormat(recordsOf(SFT))?.format, 'llamafactory_v1');
    const openaiRecords: unknown[] = [
      { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }, { role: 'assistant', content: null, tool_calls: [] }] },
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }, { type: 'text', text: 'q' }] }, { role: 'assistant', content: 'a' }] },
    ];
    for (const r of openaiRecords) assert.equal(v1.sniff(r), 0, JSON.stringify(r));
    assert.equal(detectFormat(openaiRecords)?.format, 'openai');
    assert.equal(detectFormat(recordsOf(join(ROOT, 'demo', 'datasets', 'openai_sample.jsonl')))?.format, 'openai');
  });

  it('a bad record names the field and what was expected', () => {
    const bad = (messages: unknown, re: RegExp) => assert.throws(() => v1.read({ messages }, 0), (e: unknown) => e instanceof FormatError && re.test(e.message), re.source);
    const user = { role: 'user', content: [{ type: 'text', value: 'q' }] };
    bad([user, { role: 'assistant', content: [{ type: 'tool_call', value: 'f(x=1)' }] }], /^messages\[1\]\.content\[0\]\.value is "f\(x=1\)", expected JSON text \{"name", "arguments": \{\.\.\.\}\}$/);
    bad([user, { role: 'assistant', content: [{ type: 'tool_call', value: '{"name": "f"}' }] }], /^messages\[1\]\.content\[0\]\.value is .*expected JSON text/);
    bad([user, { role: 'assistant', content: [{ type: 'thinking', value: 'x' }] }], /^messages\[1\]\.content\[0\]\.type is "thinking", expected text\|reasoning\|tool_call\|image_url\|video_url\|audio_url$/);
    bad([{ role: 'user', content: [{ type: 'tool_call', value: '{"name": "f", "arguments": {}}' }] }], /^messages\[0\]\.content\[0\] is a tool_call in a user message; only assistant messages call tools$/);
    bad([{ role: 'human', content: [] }], /^messages\[0\]\.role is "human", expected system\|user\|assistant\|tool$/);
    bad([{ role: 'user', content: 'q' }], /^messages\[0\]\.content is "q", expected an array$/);
    bad([], /^messages is empty$/);
  });

  /** Opens a file of these lines; the refusal's message, or undefined when it opened. */
  async function refusal(name: string, records: unknown[]): Promise<string | undefined> {
    const dir = mkdtempSync(join(tmpdir(), 'itool-shape-'));
    const file = join(dir, name);
    writeFileSync(file, records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
    try {
      const ds = await Dataset.open(file);
      await ds.close();
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  it('an unknown shape is refused once, naming the closest format and its reader\'s reason', async () => {
    const alpaca = Array.from({ length: 5 }, (_, i) => ({ instruction: `Do ${i}`, input: '', output: 'Done.' }));
    assert.equal(
      await refusal('alpaca.jsonl', alpaca),
      'alpaca.jsonl: not a format I read (closest: LLaMA-Factory (sharegpt), because line 1: conversations is missing, expected an array); looked at 5 record(s), the first with the fields "instruction", "input", "output"',
    );
    assert.equal(
      await refusal('c4.jsonl', [{ text: 'Plain pretraining text.' }, { text: 'More.' }]),
      'c4.jsonl: not a format I read (closest: OpenAI chat + tools, because line 1: messages is missing, expected an array); looked at 2 record(s), the first with the fields "text"',
    );
    const ranking = { conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt', value: 'good' }, rejected: { from: 'gpt', value: 'bad' } };
    assert.match((await refusal('dpo.jsonl', [ranking, ranking]))!, /^dpo\.jsonl: not a format I read \(closest: LLaMA-Factory \(sharegpt\), because the records are preference pairs \("chosen"\/"rejected"\)/);
    const v1Dpo = { chosen_messages: [{ role: 'user', content: [{ type: 'text', value: 'q' }] }], rejected_messages: [] };
    assert.match((await refusal('v1_dpo.jsonl', [v1Dpo]))!, /^v1_dpo\.jsonl: not a format I read \(closest: LLaMA-Factory messages \(content parts\), because the records are preference pairs \("chosen_messages"\/"rejected_messages"\)/);
    // Made-up shapes: the reason is the first record's, from the closest format's own reader.
    assert.equal(
      await refusal('roles.jsonl', [{ messages: [{ role: 'human', text: 'hi' }] }, { messages: [{ role: 'bot', text: 'yo' }] }]),
      'roles.jsonl: not a format I read (closest: OpenAI chat + tools, because line 1: messages[0].role is "human", expected system|user|assistant|tool); looked at 2 record(s), the first with the fields "messages"',
    );
    assert.equal(
      await refusal('calls.jsonl', [{ messages: [{ role: 'user', content: [{ type: 'text', value: 'q' }] }, { role: 'assistant', content: [{ type: 'tool_call', value: 'f(x=1)' }] }] }]),
      'calls.jsonl: not a format I read (closest: LLaMA-Factory messages (content parts), because line 1: messages[1].content[0].value is "f(x=1)", expected JSON text {"name", "arguments": {...}}); looked at 1 record(s), the first with the fields "messages"',
    );
    assert.match((await refusal('arrays.jsonl', [[1, 2], [3]]))!, /not a format I read \(closest: .*, because line 1: record is an array, expected an object\); looked at 2 record\(s\), the first is an array, not an object$/);
    assert.equal(await refusal('notjson.jsonl', ['not json', '{oops']), "notjson.jsonl: not a format I read (none of its first records is JSON: line 1: not JSON (Unexpected token 'o' at column 2))");
    assert.equal(await refusal('empty.jsonl', []), 'empty.jsonl: not a format I read (it holds no records)');
    // One pretty-printed JSON object (BFCL's format_sensitivity.json is one): said as what it is.
    const obj = JSON.stringify({ simple_python: ['simple_python_58'], parallel: [] }, null, 4).split('\n');
    assert.equal(
      await refusal('BFCL_v4_format_sensitivity.json', obj),
      'BFCL_v4_format_sensitivity.json: not a format I read (it is one JSON object (keys "simple_python", "parallel"), not records: a dataset is JSON Lines or a JSON array)',
    );
  });

  it('a file where only some records are bad still opens, the bad ones listed', async () => {
    const good = recordsOf(DEMO)[0];
    const dir = mkdtempSync(join(tmpdir(), 'itool-shape-'));
    const file = join(dir, 'mixed.jsonl');
    const badCall = { messages: [{ role: 'user', content: [{ type: 'text', value: 'q' }] }, { role: 'assistant', content: [{ type: 'tool_call', value: '{"name": "f"}' }] }] };
    writeFileSync(file, [JSON.stringify(badCall), JSON.stringify(good), '{"broken', JSON.stringify(good)].join('\n') + '\n');
    const ds = await Dataset.open(file);
    try {
      assert.equal(ds.format.id, 'llamafactory_v1');
      const reasons: string[] = [];
      for (let i = 0; i < ds.count; i++) {
        const r = await ds.sample(i);
        if (!r.ok) reasons.push(r.reason);
      }
      assert.deepEqual(reasons.map((r) => r.replace(/ \(.*/, '')), ['line 1: messages[1].content[0].value is "{\\"name\\": \\"f\\"}", expected JSON text {"name", "arguments": {...}}', 'line 3: not JSON']);
    } finally {
      await ds.close();
    }
  });
});

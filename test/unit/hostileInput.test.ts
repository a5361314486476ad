// Hostile input and real faults (issue 15): records built to hurt the readers — runs that made
// regexes backtrack quadratically, role names that are Object.prototype properties, nesting deep
// enough to overflow the stack, one line too big to hold — and a generated corpus of malformed
// records per format, through the built CLI as a user runs it.
//
// Timing checks run in a child process (this same file, ITOOL_HOSTILE_CHILD set) under a hard
// timeout, so a regression fails the test with the cases that hung instead of stalling `npm test`;
// the bounds are generous (seconds where the fixed readers take milliseconds).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Dataset } from '../../src/core/dataset/dataset';
import { saveEdits } from '../../src/core/dataset/save';
import { FORMATS } from '../../src/core/dataset/formats/index';
import { detectJsonStyle, serializeRecord, writeRecordText, COMPACT_STYLE } from '../../src/core/dataset/jsonStyle';
import { FORMAT_IDS, FormatError, type DatasetFormat, type FormatId, type Sample, type ToolCall } from '../../src/core/dataset/sample';
import { resultPayload } from '../../src/core/dataset/formats/common';
import { jsonSpans } from '../../src/core/dataset/formats/proseJson';
import { glaiveFind, systemPrompt, toolaceFind } from '../../src/core/dataset/formats/embedded';
import { decodeGlaiveCalls } from '../../src/core/dataset/formats/glaive';
import { decodeHermesCalls } from '../../src/core/dataset/formats/hermes';
import { jsonCalls } from '../../src/core/dataset/formats/llamafactory';
import { parsePythonLiteral } from '../../src/core/dataset/pythonCalls';
import { kernel } from '../../src/core/dataset/recordIndexKernel';
import { MAX_NESTING, nestingExceeds } from '../../src/core/dataset/recordIndexLimits';
import { ensureBuiltCli } from '../support/builtCli';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

/** What this file tried, printed at the end for the issue's closing note. */
const figures = { good: 0, bad: 0, cliRuns: 0, timedRecords: 0, timingRuns: 0, equivalenceRuns: 0, convertedRecords: 0 };

// ---- pathological records (finding 3) ----------------------------------------------------------

const N = 160_000; // the size of the issue's Glaive and xLAM records
const TAGS = 100_000; // the issue's Hermes record
const sp = ' '.repeat(N);

interface Case {
  format: FormatId;
  name: string;
  record: unknown;
}

const deepJson = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
const xlamTools = (type: string) => JSON.stringify([{ name: 'f', description: 'd', parameters: { a: { type, description: 'x' } } }]);
const glaiveSys = 'SYSTEM: You are a helpful assistant with access to the following functions. Use them if required -\n{"name": "f", "parameters": {"type": "object", "properties": {}}}';
const hermesConv = (...turns: [string, string][]) => ({ conversations: turns.map(([from, value]) => ({ from, value })) });
const toolaceRec = (system: string, assistant = 'ok') => ({ system, conversations: [{ from: 'user', value: 'q' }, { from: 'assistant', value: assistant }] });

function pathologicalCases(): Case[] {
  return [
    { format: 'glaive', name: 'chat: a run of 160,000 spaces inside a turn', record: { system: glaiveSys, chat: `USER: a${sp}b\n\n\nASSISTANT: ok` } },
    { format: 'glaive', name: 'chat: a run of spaces ending the chat', record: { chat: `USER: a${sp}` } },
    { format: 'glaive', name: 'chat: spaces, then <|endoftext|> and more text', record: { chat: `USER: a${sp}<|endoftext|>x${sp}<|endoftext|>` } },
    { format: 'glaive', name: 'chat: 100,000 USER markers', record: { chat: 'USER: a\n'.repeat(TAGS) } },
    { format: 'glaive', name: 'chat: 100,000 <functioncall> tags', record: { chat: `USER: a\nASSISTANT: ${'<functioncall>'.repeat(TAGS)}` } },
    { format: 'glaive', name: 'call: unclosed single-quoted arguments', record: { chat: `USER: a\nASSISTANT: <functioncall> {"name": "f", "arguments": '{"a": "${'x'.repeat(N)}` } },
    { format: 'glaive', name: "call: 80,000 ' followed by spaces", record: { chat: `USER: a\nASSISTANT: <functioncall> {"name": "f", "arguments": '${"' ".repeat(N / 2)}x` } },
    { format: 'glaive', name: 'system: a run of spaces before the intro', record: { system: `SYSTEM: hi${sp}Use them if required -`, chat: 'USER: a\nASSISTANT: b' } },
    { format: 'glaive', name: 'system: spaces before "with no access"', record: { system: `SYSTEM: hi${sp}x, with no access to external functions.${sp}y`, chat: 'USER: a\nASSISTANT: b' } },
    { format: 'glaive', name: 'system: 160,000 {', record: { system: `SYSTEM: ${'{'.repeat(N)}`, chat: 'USER: a\nASSISTANT: b' } },
    { format: 'glaive', name: 'system: 80,000 unclosed {"', record: { system: `SYSTEM: ${'{"'.repeat(N / 2)}`, chat: 'USER: a\nASSISTANT: b' } },
    { format: 'glaive', name: 'system: 32,000 unclosed {"a":', record: { system: `SYSTEM: ${'{"a":'.repeat(N / 5)}`, chat: 'USER: a\nASSISTANT: b' } },
    { format: 'glaive', name: 'system: 80,000 nested {} around junk', record: { system: `SYSTEM: ${'{'.repeat(N / 2)}x${'}'.repeat(N / 2)}`, chat: 'USER: a\nASSISTANT: b' } },

    { format: 'xlam', name: 'type: 160,000 spaces inside', record: { query: 'q', tools: xlamTools(`str${sp}x`), answers: '[]' } },
    { format: 'xlam', name: 'type: spaces then ", optional"', record: { query: 'q', tools: xlamTools(`str${sp}, optional`), answers: '[]' } },
    { format: 'xlam', name: 'type: 16,000 ", optional"', record: { query: 'q', tools: xlamTools(', optional'.repeat(N / 10)), answers: '[]' } },
    { format: 'xlam', name: 'type: 80,000 " ,"', record: { query: 'q', tools: xlamTools(' ,'.repeat(N / 2)), answers: '[]' } },
    { format: 'xlam', name: 'type: a line break inside', record: { query: 'q', tools: xlamTools('str\nx, optional'), answers: '[]' } },
    { format: 'xlam', name: 'answers: 160,000 [', record: { query: 'q', tools: '[]', answers: '['.repeat(N) } },
    { format: 'xlam', name: 'tools: 160,000 [ (not JSON)', record: { query: 'q', tools: '['.repeat(N), answers: '[]' } },
    { format: 'xlam', name: 'tools: JSON text nested 5,000 deep', record: { query: 'q', tools: deepJson(5000), answers: '[]' } },
    { format: 'xlam', name: 'answers: JSON text nested 5,000 deep', record: { query: 'q', tools: '[]', answers: `[{"name": "f", "arguments": {"a": ${deepJson(5000)}}}]` } },

    { format: 'hermes', name: 'gpt: 100,000 <tool_call>', record: hermesConv(['human', 'q'], ['gpt', '<tool_call>'.repeat(TAGS)]) },
    { format: 'hermes', name: 'gpt: 100,000 <tool_call> and one </tool_call>', record: hermesConv(['human', 'q'], ['gpt', `${'<tool_call>'.repeat(TAGS)}</tool_call>`]) },
    { format: 'hermes', name: 'gpt: 100,000 empty <tool_call></tool_call>', record: hermesConv(['human', 'q'], ['gpt', '<tool_call></tool_call>'.repeat(TAGS)]) },
    { format: 'hermes', name: 'gpt: 100,000 </tool_call> first', record: hermesConv(['human', 'q'], ['gpt', `${'</tool_call>'.repeat(TAGS)}<tool_call>`]) },
    { format: 'hermes', name: 'tool: 100,000 <tool_response>', record: hermesConv(['human', 'q'], ['gpt', 'a'], ['tool', '<tool_response>'.repeat(TAGS)]) },
    { format: 'hermes', name: 'tool: <tool_response>, spaces, unclosed', record: hermesConv(['human', 'q'], ['gpt', 'a'], ['tool', `<tool_response>${sp}x`]) },
    { format: 'hermes', name: 'tool: <tool_response> spaces x spaces </tool_response>', record: hermesConv(['human', 'q'], ['gpt', 'a'], ['tool', `<tool_response>${sp}x${sp}</tool_response>`]) },
    { format: 'hermes', name: 'system: 100,000 <tools>', record: hermesConv(['system', '<tools>'.repeat(TAGS)], ['human', 'q']) },
    { format: 'hermes', name: 'system: <tools> of 160,000 {', record: hermesConv(['system', `<tools>${'{'.repeat(N)}</tools>`], ['human', 'q']) },
    { format: 'hermes', name: 'system: <tools> of 160,000 [ (python literal)', record: hermesConv(['system', `<tools>${'['.repeat(N)}</tools>`], ['human', 'q']) },
    { format: 'hermes', name: 'system: <tools> spaces </tools> with a tool', record: hermesConv(['system', `<tools>${sp}{"name": "f"}${sp}</tools>`], ['human', 'q']) },
    { format: 'hermes', name: 'gpt: <tool_call> of 160,000 {', record: hermesConv(['human', 'q'], ['gpt', `<tool_call>${'{'.repeat(N)}</tool_call>`]) },
    { format: 'hermes', name: 'gpt: <tool_call> python dict, unclosed quote', record: hermesConv(['human', 'q'], ['gpt', `<tool_call>{'name': 'f', 'arguments': {'a': '${'x'.repeat(N)}</tool_call>`]) },
    { format: 'hermes', name: 'gpt: <tool_call> JSON nested 5,000 deep', record: hermesConv(['human', 'q'], ['gpt', `<tool_call>{"name": "f", "arguments": {"a": ${deepJson(5000)}}}</tool_call>`]) },

    { format: 'toolace', name: 'system: 160,000 [', record: toolaceRec('['.repeat(N)) },
    { format: 'toolace', name: 'system: 80,000 nested [] around junk', record: toolaceRec(`${'['.repeat(N / 2)}x${']'.repeat(N / 2)}`) },
    { format: 'toolace', name: 'system: one 160,000-character line before the list', record: toolaceRec(`${'a'.repeat(N)}[{"name": "f"}]`) },
    { format: 'toolace', name: 'system: 80,000 unclosed ["', record: toolaceRec('["'.repeat(N / 2)) },
    { format: 'toolace', name: 'system: quotes that flip string state', record: toolaceRec(`${'[" ['.repeat(N / 4)}[{"name": "f"}]`) },
    { format: 'toolace', name: 'system: escaped quotes in brackets', record: toolaceRec(`${'[\\"'.repeat(N / 3)}[{"name": "f"}]`) },
    { format: 'toolace', name: 'assistant: 160,000 [', record: toolaceRec('', '['.repeat(N)) },
    { format: 'toolace', name: 'assistant: unclosed string argument', record: toolaceRec('', `[f(a="${'x'.repeat(N)}`) },
    { format: 'toolace', name: 'assistant: a name of 80,000 words', record: toolaceRec('', `[${'a '.repeat(N / 2)}(`) },
    { format: 'toolace', name: 'assistant: a number of 160,000 digits', record: toolaceRec('', `[f(a=${'1'.repeat(N)})]`) },
    { format: 'toolace', name: 'assistant: 32,000 arguments', record: toolaceRec('', `[f(${'a=1, '.repeat(N / 5)})]`) },
    { format: 'toolace', name: 'assistant: spaces before an argument', record: toolaceRec('', `[f(${sp}a=1)]`) },

    { format: 'bfcl', name: 'assistant: 160,000 (', record: { id: 'x', question: [[{ role: 'user', content: 'q' }, { role: 'assistant', content: '('.repeat(N) }]], function: [] } },
    { format: 'bfcl', name: 'user: 160,000 spaces', record: { id: 'x', question: [[{ role: 'user', content: sp }]], function: [] } },

    { format: 'llamafactory', name: 'function_call: 160,000 {', record: { conversations: [{ from: 'human', value: 'q' }, { from: 'function_call', value: '{'.repeat(N) }] } },
    { format: 'llamafactory', name: 'tools: 160,000 [ (not JSON)', record: { conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], tools: '['.repeat(N) } },
    { format: 'llamafactory', name: 'tools: JSON text nested 5,000 deep', record: { conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], tools: deepJson(5000) } },
    { format: 'llamafactory', name: 'function_call: JSON nested 5,000 deep', record: { conversations: [{ from: 'human', value: 'q' }, { from: 'function_call', value: `{"name": "f", "arguments": {"a": ${deepJson(5000)}}}` }] } },

    { format: 'llamafactory_v1', name: 'tool_call: 160,000 {', record: { messages: [{ role: 'user', content: [{ type: 'text', value: 'q' }] }, { role: 'assistant', content: [{ type: 'tool_call', value: '{'.repeat(N) }] }] } },
    { format: 'llamafactory_v1', name: 'tool_call: JSON nested 5,000 deep', record: { messages: [{ role: 'user', content: [{ type: 'text', value: 'q' }] }, { role: 'assistant', content: [{ type: 'tool_call', value: `{"name": "f", "arguments": {"a": ${deepJson(5000)}}}` }] }] } },
    { format: 'llamafactory_v1', name: 'content: 100,000 text parts', record: { messages: [{ role: 'user', content: Array.from({ length: TAGS }, () => ({ type: 'text', value: 'a' })) }, { role: 'assistant', content: [{ type: 'text', value: 'b' }] }] } },
    { format: 'llamafactory_v1', name: 'content: 50,000 calls with text between', record: { messages: [{ role: 'user', content: [{ type: 'text', value: 'q' }] }, { role: 'assistant', content: Array.from({ length: TAGS / 2 }, (_, k) => (k % 2 ? { type: 'text', value: '{' } : { type: 'tool_call', value: '{"name": "f", "arguments": {}}' })) }] } },
    { format: 'openai', name: 'arguments: 160,000 { (not JSON)', record: { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{'.repeat(N) } }] }] } },
    { format: 'openai', name: 'arguments: JSON text nested 5,000 deep', record: { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: `{"a": ${deepJson(5000)}}` } }] }] } },
    { format: 'openai', name: 'content: 100,000 text parts', record: { messages: [{ role: 'user', content: Array.from({ length: TAGS }, () => ({ type: 'text', text: 'a' })) }, { role: 'assistant', content: 'b' }] } },
    { format: 'openai', name: 'content: 160,000 spaces', record: { messages: [{ role: 'system', content: sp }, { role: 'user', content: sp }, { role: 'assistant', content: sp }] } },
  ];
}

/** Read, write to every format, read back: what `inspect` and `convert` do with one record. */
function timeOne(format: DatasetFormat, record: unknown, formats: Record<FormatId, DatasetFormat>) {
  const text = JSON.stringify(record);
  const out = { readMs: 0, ok: true, reason: '', errorType: '', writeMs: 0, readBackMs: 0, problems: [] as string[] };
  let t = performance.now();
  let sample;
  try {
    sample = format.read(JSON.parse(text), 0);
  } catch (err) {
    out.ok = false;
    out.errorType = err instanceof FormatError ? 'FormatError' : (err as Error)?.constructor?.name ?? typeof err;
    out.reason = String((err as Error)?.message ?? err);
  }
  out.readMs = performance.now() - t;
  if (!sample) return out;
  for (const target of Object.values(formats)) {
    const same = target.id === format.id;
    let written: string | undefined;
    t = performance.now();
    try {
      const base = same ? JSON.parse(text) : undefined;
      const style = detectJsonStyle(text, COMPACT_STYLE);
      written = same ? writeRecordText(target.write(sample, base), text, base, style) : writeRecordText(target.write(sample), undefined, undefined, style);
    } catch (err) {
      out.problems.push(`write ${format.id} → ${target.id}: ${(err as Error)?.constructor?.name}: ${String((err as Error)?.message ?? err).slice(0, 200)}`);
    }
    out.writeMs = Math.max(out.writeMs, performance.now() - t);
    if (written === undefined) continue;
    t = performance.now();
    try {
      target.read(JSON.parse(written), 0);
    } catch (err) {
      out.problems.push(`read back ${format.id} → ${target.id}: ${(err as Error)?.constructor?.name}: ${String((err as Error)?.message ?? err).slice(0, 200)}`);
    }
    out.readBackMs = Math.max(out.readBackMs, performance.now() - t);
  }
  return out;
}

// ---- the property's inputs: long repetitions of format-significant tokens ----------------------

const TOKENS = [
  ' ', '  ', '\n', '\t', '"', "'", '\\', '\\"', '{', '}', '[', ']', '(', ')', ':', ',', '=', '-', '.', 'a', '1', 'x',
  '<tool_call>', '</tool_call>', '<tool_response>', '</tool_response>', '<tools>', '</tools>', '<functioncall>', '<|endoftext|>',
  'USER: ', 'ASSISTANT: ', 'FUNCTION RESPONSE: ', '\nUSER:', 'SYSTEM:', ', optional', 'optional', 'str', 'List[', 'Use them if required',
  ' with access to the following functions.', 'You have access to the following functions.', 'with no access to external functions',
  '"name"', '"arguments"', '{"name": "f"}', '[{"name": "f"}]', 'f(', 'a=', '"a": ', 'True', 'None', '1e400', '\\u00e9', 'é', '😀',
];

type Slot = { format: FormatId; name: string; make: (s: string) => unknown };
const SLOTS: Slot[] = [
  { format: 'glaive', name: 'chat (user)', make: (s) => ({ chat: `USER: ${s}\n\n\nASSISTANT: ok` }) },
  { format: 'glaive', name: 'chat (assistant)', make: (s) => ({ system: glaiveSys, chat: `USER: q\n\n\nASSISTANT: ${s}` }) },
  { format: 'glaive', name: 'chat (whole)', make: (s) => ({ chat: `USER: ${s}` }) },
  { format: 'glaive', name: 'system', make: (s) => ({ system: `SYSTEM: ${s}`, chat: 'USER: q\nASSISTANT: a' }) },
  { format: 'xlam', name: 'type', make: (s) => ({ query: 'q', tools: xlamTools(s), answers: '[]' }) },
  { format: 'xlam', name: 'tools', make: (s) => ({ query: 'q', tools: s, answers: '[]' }) },
  { format: 'xlam', name: 'answers', make: (s) => ({ query: s, tools: '[]', answers: s }) },
  { format: 'hermes', name: 'system', make: (s) => hermesConv(['system', s], ['human', 'q'], ['gpt', 'a']) },
  { format: 'hermes', name: 'gpt', make: (s) => hermesConv(['human', 'q'], ['gpt', s]) },
  { format: 'hermes', name: 'tool', make: (s) => hermesConv(['human', 'q'], ['gpt', 'a'], ['tool', s]) },
  { format: 'toolace', name: 'system', make: (s) => toolaceRec(s) },
  { format: 'toolace', name: 'assistant', make: (s) => toolaceRec('', s) },
  { format: 'bfcl', name: 'assistant', make: (s) => ({ id: 'x', question: [[{ role: 'user', content: s }, { role: 'assistant', content: s }]], function: [] }) },
  { format: 'llamafactory', name: 'function_call', make: (s) => ({ conversations: [{ from: 'human', value: 'q' }, { from: 'function_call', value: s }, { from: 'observation', value: s }] }) },
  { format: 'llamafactory', name: 'tools', make: (s) => ({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: s }], tools: s, system: s }) },
  { format: 'llamafactory_v1', name: 'text', make: (s) => ({ messages: [{ role: 'system', content: [{ type: 'text', value: s }] }, { role: 'user', content: [{ type: 'text', value: s }] }, { role: 'assistant', content: [{ type: 'reasoning', value: s }, { type: 'text', value: s }] }], tools: s }) },
  { format: 'llamafactory_v1', name: 'tool_call', make: (s) => ({ messages: [{ role: 'user', content: [{ type: 'text', value: 'q' }] }, { role: 'assistant', content: [{ type: 'text', value: s }, { type: 'tool_call', value: s }] }, { role: 'tool', content: [{ type: 'text', value: s }] }] }) },
  { format: 'openai', name: 'content', make: (s) => ({ messages: [{ role: 'system', content: s }, { role: 'user', content: s }, { role: 'assistant', content: s }] }) },
  { format: 'openai', name: 'arguments', make: (s) => ({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: s } }] }, { role: 'tool', tool_call_id: 'c', content: s }] }) },
];
const PROPERTY_SIZE = 300_000;
const PROPERTY_RUNS = 60;
const PROPERTY_BOUND_MS = 3000;

// ---- child mode --------------------------------------------------------------------------------

async function runChild(job: string): Promise<void> {
  const emit = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  if (job === 'cases') {
    for (const c of pathologicalCases()) {
      const r = timeOne(FORMATS[c.format], c.record, FORMATS);
      emit({ format: c.format, name: c.name, bytes: JSON.stringify(c.record).length, ...r });
    }
    emit({ done: true });
  } else if (job === 'property') {
    let runs = 0;
    let worst = { ms: 0, what: '' };
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 12 }), fc.string({ maxLength: 16 }), fc.constantFrom(...SLOTS), (unit, noise, slot) => {
        runs++;
        const piece = unit.join('');
        const s = piece.repeat(Math.ceil(PROPERTY_SIZE / piece.length)) + noise;
        const r = timeOne(FORMATS[slot.format], slot.make(s), FORMATS);
        const ms = Math.max(r.readMs, r.writeMs, r.readBackMs);
        const what = `${slot.format} ${slot.name} ← ${JSON.stringify(piece).slice(0, 60)} × ${Math.ceil(PROPERTY_SIZE / piece.length)}`;
        if (ms > worst.ms) worst = { ms, what };
        emit({ run: runs, ms: Math.round(ms), what });
        assert.ok(ms < PROPERTY_BOUND_MS, `${what} took ${Math.round(ms)} ms`);
        assert.ok(r.ok || r.errorType === 'FormatError', `${what}: ${r.errorType} ${r.reason}`);
        assert.deepEqual(r.problems, [], what);
      }),
      { numRuns: PROPERTY_RUNS, endOnFailure: true },
    );
    emit({ done: true, runs, worst });
  }
}

interface ChildResult {
  lines: Record<string, unknown>[];
  timedOut: boolean;
  code: number | null;
  stderr: string;
}

function child(job: string, timeoutMs: number): Promise<ChildResult> {
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ITOOL_HOSTILE_CHILD: job };
    delete env.NODE_TEST_CONTEXT;
    const p = spawn(process.execPath, ['--import', 'tsx', __filename], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      p.kill('SIGKILL');
    }, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      done({ lines, timedOut, code, stderr: err });
    });
  });
}

// ---- the CLI -----------------------------------------------------------------------------------

/** Prints the process's peak RSS on exit (the child's own figure, whatever it allocated). */
const RSS_HOOK = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxRSS="+process.resourceUsage().maxRSS+"\\n"))';

function itool(args: string[], opts: { rss?: boolean } = {}): { code: number; out: string; err: string; maxRssMiB: number; ms: number } {
  figures.cliRuns++;
  const t = performance.now();
  const r = spawnSync(process.execPath, [...(opts.rss ? ['--import', RSS_HOOK] : []), CLI, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const m = /maxRSS=(\d+)/.exec(r.stderr ?? '');
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr, maxRssMiB: m ? Number(m[1]) / 1024 : NaN, ms: performance.now() - t };
}

interface Report {
  format: string;
  records: number;
  samples: number;
  /** Readable records (a record with several answers yields several samples). */
  readable: number;
  malformed: { line: number; reason: string }[];
}

function inspect(file: string, format?: FormatId): Report {
  const r = itool(['inspect', file, '--json', ...(format ? ['--format', format] : [])]);
  assert.equal(r.code, 0, `inspect ${file}: ${r.err}`);
  return JSON.parse(r.out) as Report;
}

/** Every record of a file read back in-process: counts, and the first problems. */
async function readBack(file: string, format?: FormatId): Promise<{ format: FormatId; ok: number; bad: string[] }> {
  const ds = await Dataset.open(file, { format });
  try {
    let ok = 0;
    const bad: string[] = [];
    for (let i = 0; i < ds.count; i++) {
      const r = await ds.sample(i);
      if (r.ok) ok++;
      else bad.push(r.reason);
    }
    return { format: ds.format.id, ok, bad };
  } finally {
    await ds.close();
  }
}

// ---- records per format ------------------------------------------------------------------------

const fnSchema = (obj: 'object' | 'dict') => ({ name: 'get_weather', description: 'Weather for a city', parameters: { type: obj, properties: { city: { type: 'string', description: 'City' }, days: { type: 'integer' } }, required: ['city'] } });

/** A well-formed record of each format, varied by `i` (tools, a call, a tool result, a text answer). */
function goodRecord(format: FormatId, i: number): Record<string, unknown> {
  const city = `City ${i} é 😀`;
  const args = { city, days: i % 7 };
  switch (format) {
    case 'openai':
      return {
        messages: [
          { role: 'system', content: 'You are helpful.' },
          { role: 'user', content: `Weather in ${city}?` },
          { role: 'assistant', content: null, tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(args) } }] },
          { role: 'tool', tool_call_id: `call_${i}`, content: '{"t": 20}' },
          { role: 'assistant', content: `It is 20 in ${city}.` },
        ],
        tools: [{ type: 'function', function: fnSchema('object') }],
      };
    case 'hermes':
      return {
        conversations: [
          { from: 'system', value: `You are a function calling AI model. <tools> ${JSON.stringify([{ type: 'function', function: fnSchema('object') }])} </tools>` },
          { from: 'human', value: `Weather in ${city}?` },
          { from: 'gpt', value: `<tool_call>\n${JSON.stringify({ name: 'get_weather', arguments: args })}\n</tool_call>` },
          { from: 'tool', value: '<tool_response>\n{"name": "get_weather", "content": {"t": 20}}\n</tool_response>' },
          { from: 'gpt', value: `It is 20 in ${city}.` },
        ],
      };
    case 'toolace':
      return {
        system: `You are given a question and a set of possible functions.\nHere is a list of functions in JSON format that you can invoke:\n${JSON.stringify([fnSchema('dict')])}`,
        conversations: [
          { from: 'user', value: `Weather in ${city}?` },
          { from: 'assistant', value: `[get_weather(city=${JSON.stringify(city)}, days=${i % 7})]` },
          { from: 'tool', value: '[{"name": "get_weather", "results": {"t": 20}}]' },
          { from: 'assistant', value: `It is 20 in ${city}.` },
        ],
      };
    case 'llamafactory':
      return {
        conversations: [
          { from: 'human', value: `Weather in ${city}?` },
          { from: 'function_call', value: JSON.stringify({ name: 'get_weather', arguments: args }) },
          { from: 'observation', value: '{"t": 20}' },
          { from: 'gpt', value: `It is 20 in ${city}.` },
        ],
        system: 'You are helpful.',
        tools: JSON.stringify([fnSchema('object')]),
      };
    case 'llamafactory_v1':
      return {
        messages: [
          { role: 'system', content: [{ type: 'text', value: 'You are helpful.' }] },
          { role: 'user', content: [{ type: 'text', value: `Weather in ${city}?` }], loss_weight: 0.0 },
          { role: 'assistant', content: [{ type: 'reasoning', value: 'Call get_weather.' }, { type: 'tool_call', value: JSON.stringify({ name: 'get_weather', arguments: args }) }] },
          { role: 'tool', content: [{ type: 'text', value: '{"t": 20}' }] },
          { role: 'assistant', content: [{ type: 'text', value: `It is 20 in ${city}.` }], loss_weight: 1.0 },
        ],
        tools: JSON.stringify([{ type: 'function', function: fnSchema('object') }]),
      };
    case 'xlam':
      return {
        id: i,
        query: `Weather in ${city}?`,
        tools: JSON.stringify([{ name: 'get_weather', description: 'Weather for a city', parameters: { city: { type: 'str', description: 'City', default: '' }, days: { type: 'int, optional', description: 'Days', default: 1 } } }]),
        answers: JSON.stringify([{ name: 'get_weather', arguments: args }]),
      };
    case 'bfcl':
      return { id: `simple_${i}`, question: [[{ role: 'user', content: `Weather in ${city}?` }]], function: [fnSchema('dict')] };
    case 'glaive':
      return {
        system: `SYSTEM: You are a helpful assistant with access to the following functions. Use them if required -\n${JSON.stringify(fnSchema('object'), null, 4)}`,
        chat: `USER: Weather in ${city}?\n\n\nASSISTANT: <functioncall> {"name": "get_weather", "arguments": '${JSON.stringify(args)}'} <|endoftext|>\n\n\nFUNCTION RESPONSE: {"t": 20}\n\n\nASSISTANT: It is 20 in ${city}. <|endoftext|>\n\n\n`,
      };
  }
}

/** Where each format keeps a role name, as a path into goodRecord's record (undefined: no such field). */
const ROLE_FIELD: Record<FormatId, { path: (string | number)[]; shown: string } | undefined> = {
  openai: { path: ['messages', 1, 'role'], shown: 'messages[1].role' },
  hermes: { path: ['conversations', 1, 'from'], shown: 'conversations[1].from' },
  toolace: { path: ['conversations', 0, 'from'], shown: 'conversations[0].from' },
  llamafactory: { path: ['conversations', 0, 'from'], shown: 'conversations[0].from' },
  llamafactory_v1: { path: ['messages', 1, 'role'], shown: 'messages[1].role' },
  bfcl: { path: ['question', 0, 0, 'role'], shown: 'question[0][0].role' },
  xlam: undefined,
  glaive: undefined,
};
const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];

/** A copy of `rec` with the value at `path` replaced (undefined deletes it); `__proto__` is set as an own key. */
function setPath(rec: unknown, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(rec)) as Record<string, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === undefined) delete at[last];
  else Object.defineProperty(at, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

interface Line {
  text: string | Buffer;
  /** Expected reason (a bad record), or undefined for a good one. */
  bad?: RegExp;
  kind: string;
}

/** Wrong types for each required field of a format: [path, shown name, wrong values]. */
const WRONG: Record<FormatId, [(string | number)[], string, unknown[]][]> = {
  openai: [
    [['messages'], 'messages', [5, 'x', null, {}, []]],
    [['messages', 1], 'messages[1]', [5, 'x', null, []]],
    [['messages', 1, 'role'], 'messages[1].role', [5, null, undefined, ['user']]],
    [['messages', 1, 'content'], 'messages[1].content', [5, {}, true]],
    [['messages', 2, 'tool_calls'], 'messages[2].tool_calls', [5, 'x', {}]],
    [['messages', 2, 'tool_calls', 0], 'messages[2].tool_calls[0]', [5, 'x']],
    [['messages', 2, 'tool_calls', 0, 'function'], 'messages[2].tool_calls[0].function', [5, undefined, []]],
    [['messages', 2, 'tool_calls', 0, 'function', 'name'], 'messages[2].tool_calls[0].function.name', [5, null, undefined]],
    [['messages', 2, 'tool_calls', 0, 'function', 'arguments'], 'messages[2].tool_calls[0].function.arguments', [5, '[1]', 'not json', '{"a": NaN}', []]],
    [['tools'], 'tools', [5, 'x', {}]],
    [['tools', 0], 'tools[0]', [5, 'x']],
    [['tools', 0, 'function', 'name'], 'tools[0].function.name', [5, null]],
  ],
  hermes: [
    [['conversations'], 'conversations', [5, 'x', null, {}, []]],
    [['conversations', 1], 'conversations[1]', [5, 'x', null]],
    [['conversations', 1, 'from'], 'conversations[1].from', [5, null, undefined, 'user']],
    [['conversations', 1, 'value'], 'conversations[1].value', [5, null, undefined, ['x']]],
    [['conversations', 0, 'value'], '<tools>[0].name', ['<tools>[{"name": 5}]</tools>']],
  ],
  toolace: [
    [['conversations'], 'conversations', [5, 'x', null, {}, []]],
    [['conversations', 0], 'conversations[0]', [5, 'x']],
    [['conversations', 0, 'from'], 'conversations[0].from', [5, null, undefined, 'human']],
    [['conversations', 0, 'value'], 'conversations[0].value', [5, null, undefined]],
    [['system'], 'system', [5, null, ['x']]],
  ],
  llamafactory: [
    [['conversations'], 'conversations', [5, 'x', null, {}, []]],
    [['conversations', 0], 'conversations[0]', [5, 'x']],
    [['conversations', 0, 'from'], 'conversations[0].from', [5, null, undefined, 'user']],
    [['conversations', 0, 'value'], 'conversations[0].value', [5, null, undefined]],
    [['system'], 'system', [5, null]],
    [['tools'], 'tools', [5, 'not json', '{"name": "f"}', '[5]', '[{"name": 5}]', deepJson(600)]],
  ],
  llamafactory_v1: [
    [['messages'], 'messages', [5, 'x', null, {}, []]],
    [['messages', 1], 'messages[1]', [5, 'x', null, []]],
    [['messages', 1, 'role'], 'messages[1].role', [5, null, undefined, 'human']],
    [['messages', 1, 'content'], 'messages[1].content', [5, 'x', null, {}]],
    [['messages', 1, 'content', 0], 'messages[1].content[0]', [5, 'x', null]],
    [['messages', 1, 'content', 0, 'type'], 'messages[1].content[0].type', [5, null, undefined, 'image']],
    [['messages', 1, 'content', 0, 'value'], 'messages[1].content[0].value', [5, null, undefined, ['x']]],
    [['messages', 2, 'content', 1, 'value'], 'messages[2].content[1].value', ['not json', '{"name": "f"}', '[{"name": "f", "arguments": {}}]', '{"name": 5, "arguments": {}}', deepJson(600)]],
    [['tools'], 'tools', [5, 'not json', '{"name": "f"}', '[5]', '[{"name": 5}]', deepJson(600)]],
  ],
  xlam: [
    [['query'], 'query', [5, null, undefined, ['q']]],
    [['tools'], 'tools', [5, null, undefined, 'not json', '{}', '[5]', '[{"name": 5}]', deepJson(600)]],
    [['answers'], 'answers', [5, null, undefined, []]],
  ],
  bfcl: [
    [['question'], 'question', [5, 'x', null, undefined, {}, []]],
    [['question', 0, 0], 'question[0][0]', [5, 'x']],
    [['question', 0, 0, 'role'], 'question[0][0].role', [5, null, undefined, 'human']],
    [['question', 0, 0, 'content'], 'question[0][0].content', [5, null, undefined]],
    [['function'], 'function', [5, 'x', null, undefined, {}]],
    [['function', 0], 'function[0]', [5, 'x']],
    [['function', 0, 'name'], 'function[0].name', [5, null, undefined]],
  ],
  glaive: [
    [['chat'], 'chat', [5, null, undefined, ['x'], 'no markers here']],
    [['system'], 'system', [5, null, {}]],
  ],
};

/** A field each format requires, for the duplicate-key records. */
const REQUIRED_KEY: Record<FormatId, string> = { openai: 'messages', hermes: 'conversations', toolace: 'conversations', llamafactory: 'conversations', llamafactory_v1: 'messages', xlam: 'query', bfcl: 'question', glaive: 'chat' };

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The malformed-record corpus of one format, good records between the bad ones. */
function corpus(format: FormatId): Line[] {
  const lines: Line[] = [];
  let n = 0;
  const good = (kind = 'good', text?: string) => lines.push({ text: text ?? JSON.stringify(goodRecord(format, n++)), kind });
  const bad = (kind: string, text: string | Buffer, reason: RegExp) => {
    lines.push({ text, bad: reason, kind });
    good();
  };
  good();
  good();
  const g = JSON.stringify(goodRecord(format, 1000));
  const withExtra = (extra: string) => `${g.slice(0, -1)}, "extra": ${extra}}`;
  // Truncated JSON, and other text that is not JSON.
  for (const cut of [1, 2, 7, Math.floor(g.length / 2), g.length - 1]) bad('truncated', g.slice(0, cut), /^line \d+: not JSON/);
  bad('trailing text', `${g} x`, /^line \d+: not JSON/);
  bad('single quotes', `{'messages': []}`, /^line \d+: not JSON/);
  bad('comment', `// ${g}`, /^line \d+: not JSON/);
  for (const tok of ['NaN', 'Infinity', '-Infinity', 'undefined', '0x10', '01', '1.', '.5', '+1']) bad(`bad number ${tok}`, withExtra(tok), /^line \d+: not JSON/);
  bad('control character in a string', withExtra('"a\tb"'), /^line \d+: not JSON/);
  // Bad UTF-8 in a string (the record is otherwise fine).
  const at = Buffer.from(g).indexOf('Weather') >= 0 ? Buffer.from(g).indexOf('Weather') : 2;
  for (const bytes of [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]) {
    const b = Buffer.from(g);
    bad(`bad UTF-8 ${bytes.map((x) => x.toString(16)).join(' ')}`, Buffer.concat([b.subarray(0, at), Buffer.from(bytes), b.subarray(at)]), /^line \d+: invalid UTF-8 at byte \d+/);
  }
  // Not an object at all.
  for (const v of ['[1, 2]', '"text"', '42', 'null', 'true', '{}']) bad(`record ${v}`, v, /^line \d+: /);
  // Wrong types in each required field.
  for (const [path, shown, values] of WRONG[format]) {
    for (const v of values) bad(`${shown} = ${JSON.stringify(v) ?? 'missing'}`.slice(0, 80), JSON.stringify(setPath(goodRecord(format, n), path, v)), new RegExp(`^line \\d+: .*${esc(shown)}`));
  }
  // Duplicate keys: the last one wins, as in Python's json; a bad last one makes the record bad.
  const key = REQUIRED_KEY[format];
  good('duplicate key, good last', `{"${key}": 5, ${g.slice(1)}`);
  bad('duplicate key, bad last', `${g.slice(0, -1)}, "${key}": 5}`, new RegExp(`^line \\d+: .*${esc(key)}`));
  // Huge numbers are JSON (they read as ±Infinity or a rounded integer): the record is kept.
  good('huge numbers', withExtra('[1e400, -1e400, 123456789012345678901234567890, 1e-400, -0]'));
  // Role names that are Object.prototype properties (finding 7).
  const rf = ROLE_FIELD[format];
  if (rf) for (const role of PROTO_NAMES) bad(`role ${role}`, JSON.stringify(setPath(goodRecord(format, n), rf.path, role)), new RegExp(`^line \\d+: ${esc(rf.shown)} is ${esc(JSON.stringify(role))}, expected`));
  // Nesting deeper than 512 levels (finding 8), and just within.
  bad('nested 5,000 deep', withExtra(deepJson(5000)), /^line \d+: nested deeper than 512 levels$/);
  bad('nested 513 deep', withExtra(deepJson(512)), /^line \d+: nested deeper than 512 levels$/);
  good('nested 512 deep', withExtra(deepJson(511)));
  // Blank lines are not records (line numbers still count them).
  lines.push({ text: '', kind: 'blank' }, { text: '   \t', kind: 'blank' });
  good('CRLF', `${JSON.stringify(goodRecord(format, n++))}\r`);
  good();
  return lines;
}

function writeCorpus(file: string, lines: Line[]): { good: number[]; bad: Map<number, Line> } {
  const parts: Buffer[] = [];
  const goodLines: number[] = [];
  const bad = new Map<number, Line>();
  lines.forEach((l, k) => {
    parts.push(Buffer.isBuffer(l.text) ? l.text : Buffer.from(l.text), Buffer.from('\n'));
    if (l.kind === 'blank') return;
    if (l.bad) bad.set(k + 1, l);
    else goodLines.push(k + 1);
  });
  writeFileSync(file, Buffer.concat(parts));
  return { good: goodLines, bad };
}

// ---- the regex-based readers these replaced, as references for the linear ones ------------------
// Verbatim from before the fix (quadratic on long inputs, exact on short ones): the properties
// below check the rewrites read every short input exactly as these did.

function refScanJson(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}
function refJsonSpans(text: string, open: '[' | '{'): { start: number; end: number; value: unknown }[] {
  const out: { start: number; end: number; value: unknown }[] = [];
  for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) {
    const end = refScanJson(text, i);
    if (end < 0) continue;
    try {
      out.push({ start: i, end, value: JSON.parse(text.slice(i, end)) });
      i = end - 1;
    } catch {
      /* not JSON here: keep looking */
    }
  }
  return out;
}

function refGlaiveTurns(chat: string): { role: string; content: string }[] {
  const ROLES: Record<string, string> = { USER: 'user', ASSISTANT: 'assistant', 'FUNCTION RESPONSE': 'tool_result' };
  const starts = [...chat.matchAll(/(^\s*|\n)(USER|ASSISTANT|FUNCTION RESPONSE): ?/g)].map((m) => ({ at: m.index + m[1].length, marker: m[0].slice(m[1].length), role: ROLES[m[2]] }));
  return starts.map((st, i) => {
    const raw = chat.slice(st.at + st.marker.length, i + 1 < starts.length ? starts[i + 1].at : chat.length);
    const m = /^([\s\S]*?)((?:\s*<\|endoftext\|>)?\s*)$/.exec(raw)!;
    return { role: st.role, content: m[1] };
  });
}

function refGlaiveCalls(text: string): ToolCall[] | undefined {
  const parseCall = (t: string): ToolCall | undefined => {
    try {
      return jsonCalls(JSON.parse(t))?.[0];
    } catch {
      const m = /^\{\s*"name"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"arguments"\s*:\s*'([\s\S]*)'\s*\}$/.exec(t);
      if (!m) return undefined;
      try {
        return jsonCalls({ name: JSON.parse(m[1]), arguments: m[2] })?.[0];
      } catch {
        return undefined;
      }
    }
  };
  const calls = text.split('<functioncall>').slice(1).map((p) => parseCall(p.trim()));
  return calls.length > 0 && calls.every((c) => c !== undefined) ? (calls as ToolCall[]) : undefined;
}

function refXlamType(t: string): { type: string; optional: boolean } {
  const TYPES: [RegExp, string][] = [[/^str(ing)?$/i, 'string'], [/^int(eger)?$/i, 'integer'], [/^(float|number|double)$/i, 'number'], [/^bool(ean)?$/i, 'boolean'], [/^(list|array|tuple|set)\b/i, 'array'], [/^(dict|object|mapping)\b/i, 'object']];
  const m = /^(.*?)(?:\s*,\s*optional)?\s*$/i.exec(t)!;
  const core = m[1].trim();
  return { type: TYPES.find(([re]) => re.test(core))?.[1] ?? core, optional: m[0].trim() !== core };
}

function refHermesCalls(text: string): ToolCall[] | undefined {
  const parseObject = (t: string): unknown => {
    try {
      return JSON.parse(t);
    } catch {
      return parsePythonLiteral(t);
    }
  };
  const calls: ToolCall[] = [];
  for (const m of text.matchAll(/<tool_call>([\s\S]*?)<\/tool_call>/g)) {
    const one = jsonCalls(parseObject(m[1].trim()));
    if (!one || one.length !== 1) return undefined;
    calls.push(one[0]);
  }
  const opened = text.split('<tool_call>').length - 1;
  return calls.length > 0 && opened === calls.length ? calls : undefined;
}

function refResultPayload(content: string): string {
  const blocks = [...content.matchAll(/<tool_response>\s*([\s\S]*?)\s*<\/tool_response>/g)];
  const outside = content.replace(/<tool_response>[\s\S]*?<\/tool_response>/g, '').trim();
  if (blocks.length === 0 || outside) return content;
  return blocks.map((m) => m[1]).join('\n');
}

function refToolaceStrip(text: string): string {
  const mark = text.indexOf('You are given a question and a set of possible functions.');
  if (mark >= 0) return text.slice(0, mark);
  const hit = toolaceFind(text);
  if (!hit) return text;
  return text.slice(0, hit.start).replace(/[^\n]*:\s*$/, '');
}

function refGlaiveStrip(text: string): string {
  let t = text.replace(/^\s*SYSTEM:\s*/, '');
  const hit = glaiveFind(t);
  if (hit) t = t.slice(0, hit.start) + t.slice(hit.end);
  t = t
    .trim()
    .replace(/(?:,?\s*with access to the following functions\.|\s*You have access to the following functions\.)\s*Use them if required\s*-?\s*$/, '')
    .replace(/,?\s*with no access to external functions\.?$/, '');
  return t.trim() === 'You are a helpful assistant' ? '' : t;
}

const tokens = (list: string[], max = 40) => fc.array(fc.constantFrom(...list), { maxLength: max }).map((a) => a.join(''));
const systemOf = (format: FormatId, content: string): Sample => ({ id: '1', index: 0, format, turns: [{ role: 'system', content }], referenceIndex: -1, tools: [] });

// ---- the tests ---------------------------------------------------------------------------------

if (process.env.ITOOL_HOSTILE_CHILD) {
  void runChild(process.env.ITOOL_HOSTILE_CHILD).catch((err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
} else {
  const dir = mkdtempSync(join(tmpdir(), 'itool-hostile-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `hostileInput: ${figures.good + figures.bad} records in test files (${figures.good} good, ${figures.bad} malformed) through ${figures.cliRuns} CLI runs, ` +
        `${figures.convertedRecords} records written by convert and read back; ${figures.timedRecords} pathological records and ${figures.timingRuns} random ${PROPERTY_SIZE / 1000} kB inputs timed ` +
        `(read, write to ${FORMAT_IDS.length} formats, read back); ${figures.equivalenceRuns} short inputs read by both the linear readers and the regexes they replace`,
    );
  });
  before(() => {
    ensureBuiltCli();
  });
  let seq = 0;
  const fresh = (name: string): string => {
    const d = join(dir, `${seq++}-${name}`);
    mkdirSync(d, { recursive: true });
    return d;
  };

  describe('finding 3: no reader backtracks super-linearly', () => {
    it('every pathological record is read or rejected with a reason, converted and read back, each step in under 5 s', async () => {
      const r = await child('cases', 240_000);
      const done = r.lines.some((l) => l.done);
      const cases = r.lines.filter((l) => 'name' in l);
      figures.timedRecords += cases.length;
      const table = cases.map((c) => `${String(c.format).padEnd(12)} ${Math.round(Number(c.readMs))} ms read, ${Math.round(Number(c.writeMs))} ms write, ${Math.round(Number(c.readBackMs))} ms read back  ${c.name}${c.ok ? '' : `  → ${c.errorType}: ${String(c.reason).slice(0, 80)}`}`);
      console.log(table.join('\n'));
      const expected = pathologicalCases();
      assert.ok(done && !r.timedOut, `the reader child ${r.timedOut ? 'was killed after 240 s' : `exited with ${r.code}`} after ${cases.length} of ${expected.length} cases; stuck on: ${expected[cases.length]?.format} ${expected[cases.length]?.name}\n${r.stderr.slice(-2000)}`);
      for (const c of cases) {
        const what = `${c.format}: ${c.name}`;
        assert.ok(Number(c.readMs) < 5000, `${what}: read took ${Math.round(Number(c.readMs))} ms`);
        assert.ok(Number(c.writeMs) < 5000, `${what}: a write took ${Math.round(Number(c.writeMs))} ms`);
        assert.ok(Number(c.readBackMs) < 5000, `${what}: a read back took ${Math.round(Number(c.readBackMs))} ms`);
        if (!c.ok) {
          assert.equal(c.errorType, 'FormatError', `${what}: rejected by a ${c.errorType} (${c.reason}), not with a reason`);
          assert.ok(String(c.reason).length > 0, what);
        }
        assert.deepEqual(c.problems, [], what);
      }
    });

    it(`property: a ${PROPERTY_SIZE / 1000} kB repetition of format tokens in any field reads, converts and reads back in under ${PROPERTY_BOUND_MS / 1000} s`, async () => {
      const r = await child('property', 300_000);
      const runs = r.lines.filter((l) => 'run' in l);
      figures.timingRuns += runs.length;
      const end = r.lines.find((l) => l.done) as { worst?: { ms: number; what: string } } | undefined;
      if (end?.worst) console.log(`property: worst ${Math.round(end.worst.ms)} ms (${end.worst.what})`);
      const last = runs[runs.length - 1];
      assert.ok(end && !r.timedOut && r.code === 0, `property ${r.timedOut ? 'killed after 300 s' : `failed (exit ${r.code})`} after ${runs.length} runs; last: ${JSON.stringify(last)}\n${r.stderr.slice(-3000)}`);
    });
  });

  describe('the linear rewrites read short inputs exactly as the regexes they replace', () => {
    const RUNS = 1500;
    it('jsonSpans (values in prose) finds the same values as the quadratic search', () => {
      const JSONISH = ['[', ']', '{', '}', '"', '\\', ':', ',', ' ', '\n', 'a', '1', '0', '-', '.', 'e', '+', 'true', 'nul', 'null', '"name"', '"f"', '\\"', '\\u00e9', '\\x', '\t', '\u0001', '\u00a0', '\ufeff', '\u2028'];
      fc.assert(
        fc.property(tokens(JSONISH, 60), fc.constantFrom('[' as const, '{' as const), (text, open) => {
          assert.deepEqual(jsonSpans(text, open), refJsonSpans(text, open));
        }),
        { numRuns: RUNS * 4 },
      );
      figures.equivalenceRuns += RUNS * 4;
      // Past the nesting limit a run of brackets is no value, but the 512 levels inside it are.
      const deep = `${'['.repeat(MAX_NESTING + 1)}${']'.repeat(MAX_NESTING + 1)}`;
      const found = jsonSpans(`say "[x" then ${deep} and [1, {"a": "]"}]`, '[');
      assert.deepEqual(found.map((f) => JSON.stringify(f.value)), [deep.slice(1, -1), '[1,{"a":"]"}]']);
    });

    it('glaive: turns of a chat', () => {
      const T = ['USER:', 'USER: ', 'ASSISTANT:', 'ASSISTANT: ', 'FUNCTION RESPONSE:', 'FUNCTION RESPONSE: ', '\n', ' ', '  ', '\t', '\r', '<|endoftext|>', 'a', 'USER', ':', '\u00a0', '\u2028'];
      fc.assert(
        fc.property(tokens(T), (chat) => {
          const ref = refGlaiveTurns(chat);
          let got: { role: string; content: string }[] = [];
          try {
            got = FORMATS.glaive.read({ chat }, 0).turns.map((t) => ({ role: t.role, content: t.content }));
          } catch (err) {
            assert.ok(err instanceof FormatError && ref.length === 0, String(err));
          }
          assert.deepEqual(got, ref);
        }),
        { numRuns: RUNS },
      );
      figures.equivalenceRuns += RUNS;
    });

    it('glaive: calls with single-quoted arguments', () => {
      const T = ['<functioncall>', ' ', '\n', '{', '}', '"name"', '"arguments"', ':', ',', "'", '"f"', '{"a": 1}', '\\', '\\"', '"', 'x', '\u2028'];
      fc.assert(
        fc.property(tokens(T), (text) => assert.deepEqual(decodeGlaiveCalls(text), refGlaiveCalls(text))),
        { numRuns: RUNS },
      );
      const good = `<functioncall> {"name": "f", "arguments": '{"a": "it's"}'} \n<functioncall> {"name" : "g\\"", "arguments":'{}'  }`;
      assert.deepEqual(decodeGlaiveCalls(good), refGlaiveCalls(good));
      assert.equal(decodeGlaiveCalls(good)?.length, 2);
      figures.equivalenceRuns += RUNS;
    });

    it('xlam: parameter types', () => {
      const T = ['str', 'int', 'List[int]', 'dict', ',', ' ', '\t', 'optional', 'OPTIONAL', 'Optional', ', optional', 'x', '[', ']'];
      fc.assert(
        fc.property(tokens(T, 12), (type) => {
          const s = FORMATS.xlam.read({ query: 'q', tools: JSON.stringify([{ name: 'f', parameters: { a: { type } } }]), answers: '[]' }, 0);
          const ref = refXlamType(type);
          assert.deepEqual(s.tools[0].parameters, { type: 'object', properties: { a: { type: ref.type } }, required: ref.optional ? [] : ['a'] });
        }),
        { numRuns: RUNS },
      );
      figures.equivalenceRuns += RUNS;
    });

    it('hermes: <tool_call> blocks and <tool_response> payloads', () => {
      const T = ['<tool_call>', '</tool_call>', '<tool_response>', '</tool_response>', '{"name": "f", "arguments": {}}', "{'name': 'g'}", ' ', '\n', 'x', '<tool_call', '>'];
      fc.assert(
        fc.property(tokens(T), (text) => {
          assert.deepEqual(decodeHermesCalls(text), refHermesCalls(text));
          const sample: Sample = { id: '1', index: 0, format: 'hermes', turns: [{ role: 'tool_result', content: text }], referenceIndex: -1, tools: [] };
          assert.equal(resultPayload(sample, sample.turns[0]), refResultPayload(text));
        }),
        { numRuns: RUNS },
      );
      figures.equivalenceRuns += RUNS;
    });

    it('toolace and glaive: the system prompt without its tool listing', () => {
      const TOOLACE = ['a', ':', ' ', '\n', '\r', '\u2028', '[{"name": "f"}]', '[', ']', 'invoke:', 'You are given a question and a set of possible functions.'];
      const GLAIVE = ['SYSTEM:', ' ', '\n', ',', '.', '-', 'a', 'with access to the following functions.', 'You have access to the following functions.', 'Use them if required', 'with no access to external functions', '{"name": "f"}', 'You are a helpful assistant', '\t', '\u00a0'];
      const norm = (t: string) => t.trim();
      fc.assert(
        fc.property(tokens(TOOLACE), tokens(GLAIVE), (ta, gl) => {
          assert.equal(systemPrompt(systemOf('toolace', ta)), norm(refToolaceStrip(ta)));
          assert.equal(systemPrompt(systemOf('glaive', gl)), norm(refGlaiveStrip(gl)));
        }),
        { numRuns: RUNS },
      );
      figures.equivalenceRuns += RUNS;
    });

    it('the nesting scan: the kernel and the readers agree, and both count JSON depth exactly', () => {
      const depth = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depth)) : 0);
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 8 }), fc.nat(9), (v, limit) => {
          const text = JSON.stringify(v);
          assert.equal(nestingExceeds(text, limit), depth(v) > limit);
          assert.equal(kernel().deeperThan(text, limit), depth(v) > limit);
        }),
        { numRuns: RUNS },
      );
      fc.assert(
        fc.property(tokens(['[', ']', '{', '}', '"', '\\', 'a']), fc.nat(5), (text, limit) => assert.equal(kernel().deeperThan(text, limit), nestingExceeds(text, limit))),
        { numRuns: RUNS },
      );
      figures.equivalenceRuns += 2 * RUNS;
    });
  });

  describe('finding 7: role names that are Object.prototype properties', () => {
    for (const format of FORMAT_IDS) {
      const rf = ROLE_FIELD[format];
      if (!rf) continue;
      it(`${format}: each is malformed with a reason naming ${rf.shown} and the value; the good records load, convert, and read back`, async () => {
        const d = fresh(`roles-${format}`);
        const file = join(d, 'in.jsonl');
        const lines = [JSON.stringify(goodRecord(format, 0)), ...PROTO_NAMES.map((r) => JSON.stringify(setPath(goodRecord(format, 1), rf.path, r))), JSON.stringify(goodRecord(format, 2))];
        writeFileSync(file, `${lines.join('\n')}\n`);
        figures.good += 2;
        figures.bad += PROTO_NAMES.length;
        // In-process, record by record.
        for (const role of PROTO_NAMES) {
          const rec = JSON.parse(JSON.stringify(setPath(goodRecord(format, 1), rf.path, role)));
          assert.throws(() => FORMATS[format].read(rec, 0), (e: unknown) => e instanceof FormatError && e.message.startsWith(`${rf.shown} is ${JSON.stringify(role)}, expected`), `${format} role ${role}`);
          // Detection no longer counts them as this format's roles (BFCL's sniff looks at no role).
          if (format !== 'bfcl') assert.equal(FORMATS[format].sniff(rec) < 0.5, true, `${format} sniff of role ${role}`);
        }
        // Through the CLI.
        const rep = inspect(file);
        assert.equal(rep.format, format);
        assert.equal(rep.readable, 2);
        assert.deepEqual(rep.malformed.map((m) => m.line), [2, 3, 4, 5, 6]);
        rep.malformed.forEach((m, k) => assert.equal(m.reason, `line ${m.line}: ${rf.shown} is ${JSON.stringify(PROTO_NAMES[k])}, expected ${m.reason.split(', expected ')[1]}`));
        for (const to of FORMAT_IDS) {
          const out = join(fresh(`roles-${format}-${to}`), `out.jsonl`);
          const c = itool(['convert', file, '--to', to, '-o', out]);
          assert.equal(c.code, 0, c.err);
          assert.match(c.out, /^wrote 2 sample\(s\)/);
          for (const line of [2, 3, 4, 5, 6]) assert.match(c.err, new RegExp(`skipped line ${line}: ${esc(rf.shown)} is `));
          const back = await readBack(out, to);
          assert.deepEqual(back, { format: to, ok: 2, bad: [] }, `${format} → ${to}`);
          figures.convertedRecords += 2;
        }
      });
    }

    it('glaive and xlam (no role field): prototype names as markers, parameter names and types read and survive conversion to every format', async () => {
      const params = Object.fromEntries(PROTO_NAMES.map((p) => [p, { type: p === '__proto__' ? 'string' : p, description: p }]));
      const schema = { type: 'object', properties: params };
      const recs: [FormatId, unknown][] = [
        ['glaive', { system: `SYSTEM: You are a helpful assistant with access to the following functions. Use them if required -\n${JSON.stringify({ name: 'f', parameters: schema })}`, chat: 'USER: constructor: a\n__proto__: b\ntoString: c\n\n\nASSISTANT: hasOwnProperty: d <|endoftext|>\n\n\n' }],
        ['xlam', { id: 1, query: 'valueOf: q', tools: JSON.stringify([{ name: 'f', description: 'd', parameters: Object.fromEntries(PROTO_NAMES.map((p) => [p, { type: p === '__proto__' ? 'str' : p, description: p }])) }]), answers: JSON.stringify([{ name: 'f', arguments: Object.fromEntries(PROTO_NAMES.map((p) => [p, p])) }]) }],
      ];
      for (const [format, rec] of recs) {
        figures.good++;
        const text = JSON.stringify(rec);
        const s = FORMATS[format].read(JSON.parse(text), 0);
        const props = s.tools[0].parameters!.properties as Record<string, { type: string }>;
        assert.deepEqual(Object.keys(props), PROTO_NAMES, `${format}: parameter names`);
        for (const to of FORMAT_IDS) {
          const written = JSON.parse(serializeRecord(FORMATS[to].write(s), COMPACT_STYLE));
          const back = FORMATS[to].read(written, 0);
          const p2 = back.tools[0].parameters!.properties as Record<string, { type: string }>;
          assert.deepEqual(Object.keys(p2), PROTO_NAMES, `${format} → ${to}: parameter names`);
          for (const p of PROTO_NAMES.filter((x) => x !== '__proto__')) assert.equal(typeof p2[p].type, 'string', `${format} → ${to}: type of ${p}`);
          for (const p of PROTO_NAMES.filter((x) => x !== '__proto__')) assert.equal(p2[p].type, p, `${format} → ${to}: type of ${p}`);
          // (BFCL keeps the answer in its possible_answer file, not in the question record.)
          if (format === 'xlam' && to !== 'bfcl') assert.deepEqual(Object.keys(back.turns[back.referenceIndex].calls![0].arguments), PROTO_NAMES, `${format} → ${to}: argument names`);
        }
      }
    });
  });

  describe('finding 8: nesting deeper than 512 levels', () => {
    for (const format of FORMAT_IDS) {
      it(`${format}: the deep record is malformed in inspect, convert and check; the rest converts`, async () => {
        const d = fresh(`deep-${format}`);
        const file = join(d, 'in.jsonl');
        const g = JSON.stringify(goodRecord(format, 5));
        let deep = '0';
        for (let k = 0; k < 5000; k++) deep = k % 2 ? `[${deep}]` : `{"a": ${deep}}`;
        writeFileSync(file, `${JSON.stringify(goodRecord(format, 1))}\n${g.slice(0, -1)}, "extra": ${deep}}\n${JSON.stringify(goodRecord(format, 2))}\n`);
        figures.good += 2;
        figures.bad += 1;
        const rep = inspect(file);
        assert.equal(rep.format, format);
        assert.equal(rep.readable, 2);
        assert.deepEqual(rep.malformed, [{ line: 2, reason: 'line 2: nested deeper than 512 levels' }]);
        for (const to of new Set<FormatId>([format, 'openai', 'hermes'])) {
          const out = join(fresh(`deep-${format}-${to}`), 'out.jsonl');
          const c = itool(['convert', file, '--to', to, '-o', out]);
          assert.equal(c.code, 0, c.err);
          assert.match(c.out, /^wrote 2 sample\(s\).*skipped 1 malformed record/);
          // (stderr also holds the loss report of the conversion: lines not starting with "skipped")
          assert.deepEqual(c.err.split('\n').filter((l) => l.startsWith('skipped')), ['skipped line 2: nested deeper than 512 levels']);
          assert.deepEqual(await readBack(out, to), { format: to, ok: 2, bad: [] });
          figures.convertedRecords += 2;
        }
        // The full check (Dataset.check, the path of the panel's validation) agrees, inline and in workers.
        for (const workers of [0, 1]) {
          const ds = await Dataset.open(file);
          const problems: { line: number; reason: string }[] = [];
          try {
            const r = await ds.check({ workers, onProblems: (items) => problems.push(...items.map(({ line, reason }) => ({ line, reason }))) });
            assert.deepEqual(r, { ok: 2, bad: 1 });
            assert.deepEqual(problems, [{ line: 2, reason: 'line 2: nested deeper than 512 levels' }]);
          } finally {
            await ds.close();
          }
        }
      });
    }

    it('a JSON array file: the deep element is malformed, the others load', async () => {
      const file = join(fresh('deep-array'), 'in.json');
      writeFileSync(file, `[\n${JSON.stringify(goodRecord('openai', 1))},\n{"messages": [], "x": ${deepJson(1000)}},\n${JSON.stringify(goodRecord('openai', 2))}\n]\n`);
      figures.good += 2;
      figures.bad += 1;
      const rep = inspect(file);
      assert.equal(rep.readable, 2);
      assert.deepEqual(rep.malformed, [{ line: 3, reason: 'line 3: nested deeper than 512 levels' }]);
    });
  });

  describe('finding 9: a per-record size limit', () => {
    it('a 20 MiB line among good records is malformed before it is parsed; the rest loads; peak memory stays modest', async () => {
      for (const [name, fill] of [['brackets', '['], ['string', '"']] as const) {
        const d = fresh(`big-${name}`);
        const file = join(d, 'in.jsonl');
        const fd = openSync(file, 'w');
        writeSync(fd, `${JSON.stringify(goodRecord('openai', 1))}\n`);
        const chunk = Buffer.alloc(1 << 20, fill);
        for (let k = 0; k < 20; k++) writeSync(fd, chunk);
        writeSync(fd, `\n${JSON.stringify(goodRecord('openai', 2))}\n`);
        closeSync(fd);
        figures.good += 2;
        figures.bad += 1;
        const reason = 'line 2: record is 20.0 MiB, over the 16 MiB limit';
        const r = itool(['inspect', file, '--json'], { rss: true });
        assert.equal(r.code, 0, r.err);
        const rep = JSON.parse(r.out) as Report;
        assert.equal(rep.readable, 2);
        assert.deepEqual(rep.malformed, [{ line: 2, reason }]);
        const out = join(d, 'out.jsonl');
        const c = itool(['convert', file, '--to', 'hermes', '-o', out], { rss: true });
        assert.equal(c.code, 0, c.err);
        assert.match(c.err, new RegExp(`skipped ${esc(reason)}\\n`));
        assert.deepEqual(await readBack(out, 'hermes'), { format: 'hermes', ok: 2, bad: [] });
        figures.convertedRecords += 2;
        console.log(`20 MiB line of ${name}: inspect ${Math.round(r.ms)} ms, peak RSS ${Math.round(r.maxRssMiB)} MiB; convert ${Math.round(c.ms)} ms, peak RSS ${Math.round(c.maxRssMiB)} MiB`);
        assert.ok(r.maxRssMiB < 512, `inspect peaked at ${Math.round(r.maxRssMiB)} MiB`);
        assert.ok(c.maxRssMiB < 512, `convert peaked at ${Math.round(c.maxRssMiB)} MiB`);
        // In-process: the reader answers without reading the record's bytes.
        const ds = await Dataset.open(file);
        try {
          const s = await ds.sample(1);
          assert.equal(s.ok, false);
          assert.equal(!s.ok && s.reason, reason);
          assert.equal(s.text, '');
          assert.deepEqual(await ds.reader.readTexts(0, 3).then((t) => t.map((x) => x.length > 0)), [true, false, true]);
          const problems: { line: number; reason: string }[] = [];
          assert.deepEqual(await ds.check({ workers: 1, onProblems: (items) => problems.push(...items.map(({ line, reason }) => ({ line, reason }))) }), { ok: 2, bad: 1 });
          assert.deepEqual(problems, [{ line: 2, reason }]);
        } finally {
          await ds.close();
        }
      }
    });
  });

  describe('what itool writes reads back: convert and save refuse records over the limits', () => {
    it('a tool list nested 511 deep as JSON text (xLAM) would be too deep as a structure (OpenAI): convert skips it, save refuses it', async () => {
      const d = fresh('write-limits');
      const file = join(d, 'in.jsonl');
      let schema: unknown = { type: 'string' };
      for (let k = 0; k < 253; k++) schema = { type: 'object', properties: { a: schema } }; // 511 levels as xLAM text, 513 as an OpenAI record
      const deepTools = { id: 2, query: 'q', tools: JSON.stringify([{ name: 'f', parameters: { type: 'object', properties: { a: schema } } }]), answers: '[]' };
      writeFileSync(file, `${JSON.stringify(goodRecord('xlam', 1))}\n${JSON.stringify(deepTools)}\n${JSON.stringify(goodRecord('xlam', 3))}\n`);
      figures.good += 3;
      const rep = inspect(file);
      assert.equal(rep.readable, 3); // as xLAM text the tools are only 3 levels into the record
      const out = join(d, 'out.jsonl');
      const c = itool(['convert', file, '--to', 'openai', '-o', out]);
      assert.equal(c.code, 0, c.err);
      assert.match(c.out, /^wrote 2 sample\(s\)/);
      assert.equal(c.err, 'skipped line 2: written as OpenAI chat + tools, the record would be nested deeper than 512 levels\n');
      assert.deepEqual(await readBack(out, 'openai'), { format: 'openai', ok: 2, bad: [] });
      figures.convertedRecords += 2;
      // Saving an edit that would make a record too deep fails before anything is written.
      const oa = join(d, 'oa.jsonl');
      writeFileSync(oa, `${JSON.stringify(goodRecord('openai', 1))}\n`);
      const before = readFileSync(oa, 'utf8');
      const ds = await Dataset.open(oa);
      try {
        const r = await ds.sample(0);
        assert.ok(r.ok);
        const edited = { ...r.sample, tools: [{ name: 'f', parameters: { type: 'object', properties: { a: schema } } as Record<string, unknown> }] };
        await assert.rejects(saveEdits(ds, new Map([[0, edited]])), /cannot save record 1: the record would be nested deeper than 512 levels/);
      } finally {
        await ds.close();
      }
      assert.equal(readFileSync(oa, 'utf8'), before);
    });
  });

  describe('finding 9 in a JSON array file', () => {
    it('a 20 MiB element, closed or running to the end of the file, costs no more memory than a JSONL line', () => {
      const good = JSON.stringify(goodRecord('openai', 1));
      const cases = [
        { name: 'closed', tail: `${'['.repeat(10 << 20)}${']'.repeat(10 << 20)},\n${good}\n]\n`, samples: 2, reason: 'line 3: record is 20.0 MiB, over the 16 MiB limit' },
        { name: 'unclosed', tail: `${'['.repeat(20 << 20)}\n`, samples: 1, reason: 'line 3: truncated record (file ends inside a value nested deeper than 512 levels)' },
      ];
      for (const c of cases) {
        const file = join(fresh(`big-array-${c.name}`), 'in.json');
        writeFileSync(file, `[\n${good},\n${c.tail}`);
        figures.good += c.samples;
        figures.bad += 1;
        const r = itool(['inspect', file, '--json'], { rss: true });
        assert.equal(r.code, 0, r.err);
        const rep = JSON.parse(r.out) as Report;
        assert.equal(rep.readable, c.samples);
        assert.deepEqual(rep.malformed, [{ line: 3, reason: c.reason }]);
        console.log(`20 MiB JSON array element (${c.name}): inspect ${Math.round(r.ms)} ms, peak RSS ${Math.round(r.maxRssMiB)} MiB`);
        assert.ok(r.maxRssMiB < 512, `inspect peaked at ${Math.round(r.maxRssMiB)} MiB`);
      }
    });
  });

  describe('a malformed-record corpus per format, through the CLI', () => {
    for (const format of FORMAT_IDS) {
      it(`${format}: every bad record named by line with its reason, every good one kept, in inspect and in convert to each format`, async () => {
        const d = fresh(`corpus-${format}`);
        const file = join(d, 'in.jsonl');
        const lines = corpus(format);
        const { good, bad } = writeCorpus(file, lines);
        figures.good += good.length;
        figures.bad += bad.size;
        const rep = inspect(file);
        assert.equal(rep.format, format, 'detected format');
        assert.equal(rep.records, good.length + bad.size);
        const got = new Map(rep.malformed.map((m) => [m.line, m.reason]));
        for (const [line, l] of bad) {
          assert.ok(got.has(line), `line ${line} (${l.kind}) was not reported`);
          assert.match(got.get(line)!, l.bad!, `line ${line} (${l.kind})`);
          assert.ok(got.get(line)!.startsWith(`line ${line}: `), `line ${line} (${l.kind}): ${got.get(line)}`);
        }
        for (const line of good) assert.ok(!got.has(line), `good line ${line} (${lines[line - 1].kind}) reported: ${got.get(line)}`);
        assert.equal(rep.readable, good.length);
        const source = readFileSync(file, 'utf8').split('\n');
        for (const to of FORMAT_IDS) {
          const out = join(fresh(`corpus-${format}-${to}`), 'out.jsonl');
          const c = itool(['convert', file, '--to', to, '-o', out]);
          assert.equal(c.code, 0, c.err);
          assert.match(c.out, new RegExp(`^wrote ${good.length} sample\\(s\\) .*; skipped ${bad.size} malformed record\\(s\\)\\n$`));
          // (stderr also holds the loss report of the conversion: lines not starting with "skipped")
          const skipped = c.err.trimEnd().split('\n').filter((l) => l.startsWith('skipped'));
          assert.deepEqual(skipped.map((s) => Number(/^skipped line (\d+): /.exec(s)?.[1])), [...bad.keys()], `${format} → ${to}: skipped lines`);
          const back = await readBack(out, to);
          assert.deepEqual(back, { format: to, ok: good.length, bad: [] }, `${format} → ${to}`);
          figures.convertedRecords += back.ok;
          if (to === format) {
            // The same format: every good record comes back byte for byte (a CRLF line without its \r).
            const written = readFileSync(out, 'utf8').trimEnd().split('\n');
            assert.deepEqual(written, good.map((l) => source[l - 1].replace(/\r$/, '')));
          }
        }
      });
    }
  });
}

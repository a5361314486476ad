// The export module (src/core/pairs/export) and `itool export`: pairs from a real search and from
// every demo format, written for LLaMA-Factory, TRL and OpenAI and checked against JSON Schemas of
// those trainers' documented formats (exportSchemas.ts), plus the configs, the curriculum, skips,
// and atomic writes. BFCL data from ../shared is used when present; the demo data always.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { exportCommand, exportCurriculumCommand } from '../../src/cli/export';
import { calibrate } from '../../src/core/calibrate/calibrate';
import { selectDeficient } from '../../src/core/calibrate/select';
import { selectionFile, writeSelection } from '../../src/core/calibrate/selectionFile';
import type { ChatMessage, Policy, ScoreRequest } from '../../src/core/model/policy';
import { Dataset } from '../../src/core/dataset/dataset';
import { FORMATS } from '../../src/core/dataset/formats/index';
import { encodePythonCalls } from '../../src/core/dataset/pythonCalls';
import { promptTurns, referenceTurn, type Sample, type ToolCall } from '../../src/core/dataset/sample';
import { callRenderingFor } from '../../src/core/model/callRendering';
import { completeCalls, exportCurriculum, exportPairs, isLlamaFactoryCall, toJsonSchema, type ExportPair, type ExportResult } from '../../src/core/pairs/export/index';
import { searchSample } from '../../src/core/search/mcts';
import { extractPairs } from '../../src/core/search/pairs';
import type { PairSide, PreferencePair } from '../../src/core/search/types';
import { hermes, scripted, wrong } from '../support/scriptedPolicy';
import * as S from './exportSchemas';

const ROOT = resolve(__dirname, '..', '..');
const DEMO = join(ROOT, 'demo', 'datasets');
const SHARED_BFCL = resolve(ROOT, '..', 'shared', 'data', 'bfcl');

type Obj = Record<string, unknown>;
const ajv = new Ajv({ allErrors: true });
const compiled = new Map<object, ValidateFunction>();
function valid(schema: object, value: unknown, what: string): void {
  if (!compiled.has(schema)) compiled.set(schema, ajv.compile(schema));
  const v = compiled.get(schema)!;
  assert.ok(v(value), `${what}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(value).slice(0, 600)}`);
}

// ---- pairs --------------------------------------------------------------------------------------

const commonPrefix = (a: string, b: string): string => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
};

function side(id: number, text: string, value: number): PairSide {
  return { nodeId: id, fragment: text, completion: '', text, value, visits: 1, reward: value, kind: 'function', verdict: { valid: value > 0, score: value, syntax: 'text', errors: [] } };
}

/** A pair as the search makes them: the two whole responses share `prefix` and part after it. */
function makePair(sample: Sample, chosen: string, rejected: string, prefix = commonPrefix(chosen, rejected)): PreferencePair {
  return { sampleId: sample.id, index: sample.index, round: 1, nodeId: 0, depth: 1, prefix, kind: 'function', chosen: side(1, chosen.slice(prefix.length), 1), rejected: side(2, rejected.slice(prefix.length), -1), gap: 2, overlap: 0.5 };
}

const jsonCallText = (calls: ToolCall[]): string => JSON.stringify(calls.length === 1 ? { name: calls[0].name, arguments: calls[0].arguments } : calls.map((c) => ({ name: c.name, arguments: c.arguments })));
const hermesText = (calls: ToolCall[]): string => calls.map(hermes).join('\n');
const RENDER = [jsonCallText, encodePythonCalls, hermesText];

/** The calls with the last argument of the last call wrong (or its name, when it has none). */
function wrongCalls(calls: ToolCall[]): ToolCall[] {
  return calls.map((c, i) => {
    if (i < calls.length - 1) return c;
    const keys = Object.keys(c.arguments);
    if (!keys.length) return { name: `${c.name}_v2`, arguments: {} };
    const k = keys[keys.length - 1];
    return { name: c.name, arguments: { ...c.arguments, [k]: wrong(c.arguments[k]) ?? 'x' } };
  });
}

/** One pair per sample in the sample's situation: calls in JSON, python or Hermes syntax by turn, or a text answer. */
function demoPair(sample: Sample, k: number): PreferencePair {
  const ref = referenceTurn(sample);
  const anyTool = sample.tools[0]?.name ?? 'lookup';
  if (ref?.calls?.length) {
    const render = RENDER[k % RENDER.length];
    return makePair(sample, render(ref.calls), render(wrongCalls(ref.calls)));
  }
  const answer = ref?.content || 'None of the available functions can answer this.';
  return makePair(sample, answer, encodePythonCalls([{ name: anyTool, arguments: {} }]));
}

async function loadSamples(path: string, limit = Infinity): Promise<Sample[]> {
  const ds = await Dataset.open(path);
  try {
    const out: Sample[] = [];
    for (let i = 0; i < ds.count && out.length < limit; i++) {
      const r = await ds.sample(i);
      if (r.ok) out.push(r.sample);
    }
    return out;
  } finally {
    await ds.close();
  }
}

const DEMO_FILES = ['toolace_sample.json', 'llamafactory_sample.json', 'xlam_sample.jsonl', 'openai_sample.jsonl', 'hermes_sample.jsonl', 'glaive_sample.jsonl', 'bfcl/BFCL_v4_parallel_multiple.json', 'bfcl/BFCL_v4_live_multiple.json', 'bfcl/BFCL_v4_irrelevance.json'];

let tmp: string;
let samples: Record<string, Sample[]>;
let demoPairs: ExportPair[];
let searchPairs: ExportPair[];
let all: ExportPair[];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'itool-export-'));
  samples = {};
  for (const f of DEMO_FILES) samples[f] = await loadSamples(join(DEMO, f), 8);
  demoPairs = Object.values(samples).flatMap((list) => list.map((s, k) => ({ pair: demoPair(s, k), sample: s })));
  // Pairs from the real pipeline: MCTS with a scripted policy, pairs extracted from the trees.
  const ds = await Dataset.open(join(DEMO, 'bfcl', 'BFCL_v4_simple_python.json'));
  try {
    const policy = await scripted(ds, [0, 1, 2]);
    searchPairs = [];
    for (const i of [0, 1, 2]) {
      const r = await ds.sample(i);
      assert.ok(r.ok);
      const tree = await searchSample(policy, r.sample, { maxNewTokens: 40, seed: 3 });
      for (const pair of extractPairs(tree, r.sample)) searchPairs.push({ pair, sample: r.sample });
    }
  } finally {
    await ds.close();
  }
  assert.ok(searchPairs.length >= 3, `search pairs: ${searchPairs.length}`);
  all = [...searchPairs, ...demoPairs];
});

after(() => rmSync(tmp, { recursive: true, force: true }));

const outDir = (name: string): string => join(tmp, name);
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const readLines = (path: string): Obj[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Obj);
const fileOf = (res: ExportResult, suffix: string): string => {
  const f = res.files.find((x) => x.endsWith(suffix));
  assert.ok(f, `no ${suffix} in ${res.files.join(', ')}`);
  return f;
};
const response = (p: PreferencePair, s: 'chosen' | 'rejected'): string => p.prefix + p[s].text;

/** Every `type` in a schema, recursively. */
function typesIn(v: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) v.forEach((x) => typesIn(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'type' && (typeof x === 'string' || Array.isArray(x))) out.push(...[x].flat());
      if (k === 'properties' && x && typeof x === 'object') Object.values(x).forEach((p) => typesIn(p, out));
      else typesIn(x, out);
    }
  }
  return out;
}

/** A tool's parameters must compile as JSON Schema: what OpenAI and chat templates require. */
function assertJsonSchemaTools(tools: unknown[], what: string): void {
  const strictTypes = new Ajv({ strict: false, logger: false });
  for (const t of tools as { function: { name: string; parameters: object } }[]) {
    assert.doesNotThrow(() => strictTypes.compile(t.function.parameters), `${what}: ${t.function.name} parameters are not JSON Schema`);
    for (const ty of typesIn(t.function.parameters)) assert.ok(S.JSON_SCHEMA_TYPES.includes(ty as string), `${what}: ${t.function.name} has type ${String(ty)}`);
  }
}

// ---- LLaMA-Factory ------------------------------------------------------------------------------

describe('export: LLaMA-Factory pairs', () => {
  it('sharegpt ranking records from a real search and every demo format: odd conversations, exact responses, tools as JSON text', async () => {
    const res = await exportPairs(all, { target: 'llamafactory', outDir: outDir('lf') });
    assert.deepEqual(res.skipped, []);
    assert.equal(res.records, all.length);
    const records = readJson(fileOf(res, 'itool_pairs.json')) as Obj[];
    assert.equal(records.length, all.length);
    const froms = new Set<string>();
    records.forEach((rec, i) => {
      const { pair, sample } = all[i];
      valid(S.LF_RANKING, rec, `record ${i} (${sample.format} ${sample.id})`);
      const conv = rec.conversations as { from: string; value: string }[];
      assert.equal(conv.length % 2, 1, `${sample.id}: even conversation`);
      assert.ok(['human', 'observation'].includes(conv[conv.length - 1].from), `${sample.id}: ends on ${conv[conv.length - 1].from}`);
      const lastPrompt = promptTurns(sample).at(-1)!;
      if (lastPrompt.role === 'user') assert.equal(conv[conv.length - 1].value, lastPrompt.content);
      // Sides follow the call rendering: 'text' exactly as the policy wrote them; 'template' a
      // function_call whenever the side is nothing but complete calls, in whatever syntax.
      const mode = callRenderingFor(sample.format);
      for (const s of ['chosen', 'rejected'] as const) {
        const v = rec[s] as { from: string; value: string };
        froms.add(v.from);
        const calls = completeCalls(response(pair, s));
        if (mode === 'text' || !calls) assert.deepEqual(v, { from: 'gpt', value: response(pair, s) }, `${sample.id} ${s}`);
        else {
          assert.equal(v.from, 'function_call', `${sample.id} ${s}`);
          valid(S.LF_FUNCTION_CALL, JSON.parse(v.value), `${sample.id} ${s}`);
          if (isLlamaFactoryCall(response(pair, s))) assert.equal(v.value, response(pair, s));
          const decoded = [JSON.parse(v.value)].flat() as { name: string; arguments: unknown }[];
          assert.deepEqual(decoded.map((c) => [c.name, c.arguments]), calls.map((c) => [c.name, c.arguments]));
        }
      }
      // 'text' mode on a format whose system prompt lists the tools keeps that prompt and no tools column.
      const toolsInSystem = mode === 'text' && ['toolace', 'hermes', 'glaive'].includes(sample.format);
      if (sample.tools.length && !toolsInSystem) {
        const tools = JSON.parse(rec.tools as string) as { name: string }[];
        valid(S.LF_TOOLS, tools, `${sample.id} tools`);
        assert.deepEqual(tools.map((t) => t.name), sample.tools.map((t) => t.name));
      } else assert.equal(rec.tools, undefined);
    });
    // Both kinds of side were exercised: JSON calls LLaMA-Factory decodes, and the policy's own syntax.
    assert.deepEqual([...froms].sort(), ['function_call', 'gpt']);
    assert.ok(records.some((r) => (r.conversations as { from: string }[]).some((t) => t.from === 'observation')));
    assert.ok(records.some((r) => typeof r.system === 'string'));
  });

  it('dataset_info.json: merged into the one already there, other entries kept in place', async () => {
    const dir = outDir('lf-merge');
    mkdirSync(dir);
    const other = { file_name: 'alpaca_en_demo.json' };
    writeFileSync(join(dir, 'dataset_info.json'), JSON.stringify({ alpaca_en_demo: other, itool_pairs: { file_name: 'stale.json' }, later: { file_name: 'x.json' } }));
    const res = await exportPairs(searchPairs, { target: 'llamafactory', outDir: dir });
    const info = readJson(join(dir, 'dataset_info.json')) as Obj;
    assert.deepEqual(Object.keys(info), ['alpaca_en_demo', 'itool_pairs', 'later']);
    assert.deepEqual(info.alpaca_en_demo, other);
    valid(S.LF_DATASET_INFO_ENTRY, info.itool_pairs, 'entry');
    // BFCL prompts have no system turn: no system column (LLaMA-Factory would look for it in every row).
    assert.deepEqual(info.itool_pairs, { file_name: 'itool_pairs.json', formatting: 'sharegpt', ranking: true, columns: { messages: 'conversations', chosen: 'chosen', rejected: 'rejected', tools: 'tools' } });
    assert.ok(res.files.includes(join(dir, 'dataset_info.json')));

    const full = await exportPairs(all, { target: 'llamafactory', outDir: dir, name: 'mixed' });
    const info2 = readJson(join(dir, 'dataset_info.json')) as Obj;
    assert.deepEqual(Object.keys(info2), ['alpaca_en_demo', 'itool_pairs', 'later', 'mixed']);
    assert.deepEqual((info2.mixed as Obj).columns, { messages: 'conversations', chosen: 'chosen', rejected: 'rejected', system: 'system', tools: 'tools' });
    assert.equal(full.records, all.length);
  });

  it('an unreadable dataset_info.json stops the export before anything is written', async () => {
    const dir = outDir('lf-bad-info');
    mkdirSync(dir);
    writeFileSync(join(dir, 'dataset_info.json'), '{"half": ');
    await assert.rejects(exportPairs(searchPairs, { target: 'llamafactory', outDir: dir }), /not valid JSON.*not overwritten/);
    assert.deepEqual(readdirSync(dir), ['dataset_info.json']);
    assert.equal(readFileSync(join(dir, 'dataset_info.json'), 'utf8'), '{"half": ');
  });

  it('YAML: the authors’ SimPO run by default, written so PyYAML reads floats as floats', async () => {
    const res = await exportPairs(searchPairs, { target: 'llamafactory', outDir: outDir('lf-yaml') });
    const path = fileOf(res, 'itool_pairs.dpo.yaml');
    const text = readFileSync(path, 'utf8');
    const y = parseYaml(text) as Obj;
    for (const [k, v] of Object.entries({ stage: 'dpo', do_train: true, finetuning_type: 'lora', lora_rank: 8, lora_target: 'all', pref_loss: 'simpo', pref_beta: 2.5, simpo_gamma: 0.5, learning_rate: 1e-6, num_train_epochs: 2, lr_scheduler_type: 'cosine', warmup_ratio: 0.1, bf16: true, plot_loss: true, report_to: 'none', dataset: 'itool_pairs', dataset_dir: outDir('lf-yaml'), output_dir: join(outDir('lf-yaml'), 'output') })) {
      assert.deepEqual(y[k], v, k);
    }
    for (const k of ['model_name_or_path', 'cutoff_len', 'per_device_train_batch_size', 'gradient_accumulation_steps', 'logging_steps']) assert.ok(y[k] !== undefined, k);
    // No base model, so nothing names the template: no `template: default` (Human:/Assistant:), a warning instead.
    assert.equal(y.template, undefined);
    assert.equal(res.warnings.length, 1);
    assert.match(res.warnings[0], /no LLaMA-Factory template: no base model was given.*Set `template`/);
    assert.match(text, /^learning_rate: 1\.0e-6$/m);
    assert.match(text, /^num_train_epochs: 2\.0$/m);
    assert.deepEqual(res.commands, [['llamafactory-cli', 'train', path]]);
    assert.ok(res.notes.some((n) => /REPLACE_WITH_BASE_MODEL/.test(n)));
    const py = spawnSync('python3', ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', path], { encoding: 'utf8' });
    if (py.status === 0) {
      const fromPy = JSON.parse(py.stdout) as Obj;
      assert.equal(fromPy.learning_rate, 1e-6, 'PyYAML must read the learning rate as a float');
      assert.equal(fromPy.pref_beta, 2.5);
    }
  });

  it('YAML: other preference losses get their own beta; explicit settings win', async () => {
    const sig = parseYaml(readFileSync(fileOf(await exportPairs(searchPairs, { target: 'llamafactory', outDir: outDir('lf-sig'), prefLoss: 'sigmoid' }), '.dpo.yaml'), 'utf8')) as Obj;
    assert.equal(sig.pref_loss, 'sigmoid');
    assert.equal(sig.pref_beta, 0.1);
    assert.equal(sig.simpo_gamma, undefined);
    const res = await exportPairs(searchPairs, {
      target: 'llamafactory',
      outDir: outDir('lf-ipo'),
      name: 'round2',
      prefLoss: 'ipo',
      beta: 0.3,
      learningRate: 5e-6,
      epochs: 3,
      loraRank: 16,
      baseModel: 'meta-llama/Llama-3.1-8B-Instruct',
      outputDir: join(tmp, 'runs', 'r2'),
    });
    const y = parseYaml(readFileSync(fileOf(res, 'round2.dpo.yaml'), 'utf8')) as Obj;
    assert.deepEqual([y.pref_loss, y.pref_beta, y.learning_rate, y.num_train_epochs, y.lora_rank, y.model_name_or_path, y.template, y.output_dir, y.dataset], ['ipo', 0.3, 5e-6, 3, 16, 'meta-llama/Llama-3.1-8B-Instruct', 'llama3', join(tmp, 'runs', 'r2'), 'round2']);
    assert.ok(!res.notes.some((n) => /REPLACE_WITH_BASE_MODEL/.test(n)));
    const orpo = parseYaml(readFileSync(fileOf(await exportPairs(searchPairs, { target: 'llamafactory', outDir: outDir('lf-orpo'), prefLoss: 'orpo', template: 'qwen' }), '.dpo.yaml'), 'utf8')) as Obj;
    assert.deepEqual([orpo.pref_loss, orpo.pref_beta, orpo.template], ['orpo', 0.1, 'qwen']);
  });
});

// ---- TRL ----------------------------------------------------------------------------------------

describe('export: TRL pairs', () => {
  it('conversational preference records: structured calls only for whole call responses, tools as JSON Schema', async () => {
    const res = await exportPairs(all, { target: 'trl', outDir: outDir('trl') });
    assert.deepEqual(res.skipped, []);
    const records = readLines(fileOf(res, 'itool_pairs.jsonl'));
    assert.equal(records.length, all.length);
    let structured = 0;
    let asText = 0;
    records.forEach((rec, i) => {
      const { pair, sample } = all[i];
      valid(S.TRL_PREFERENCE, rec, `record ${i} (${sample.format} ${sample.id})`);
      const prompt = rec.prompt as { role: string }[];
      assert.ok(['user', 'tool'].includes(prompt[prompt.length - 1].role));
      // 'text' call rendering (ToolACE, LLaMA-Factory, Hermes, Glaive under auto): calls stay the policy's text.
      const mode = callRenderingFor(sample.format);
      for (const s of ['chosen', 'rejected'] as const) {
        const [m] = rec[s] as { content: string; tool_calls?: { function: { name: string; arguments: unknown } }[] }[];
        const calls = mode === 'template' ? completeCalls(response(pair, s)) : undefined;
        if (mode === 'text' && completeCalls(response(pair, s))) asText++;
        if (calls) {
          structured++;
          assert.equal(m.content, '');
          assert.deepEqual(m.tool_calls!.map((c) => [c.function.name, c.function.arguments]), calls.map((c) => [c.name, c.arguments]));
        } else {
          assert.equal(m.tool_calls, undefined);
          assert.equal(m.content, response(pair, s));
        }
      }
      const toolsInSystem = mode === 'text' && ['toolace', 'hermes', 'glaive'].includes(sample.format);
      if (sample.tools.length && !toolsInSystem) assertJsonSchemaTools(rec.tools as unknown[], sample.id);
      else assert.equal(rec.tools, undefined);
    });
    assert.ok(structured > records.length / 2, 'call responses under the template rendering become tool_calls');
    assert.ok(asText > 0, 'call responses under the text rendering stay text');
    assert.ok(records.some((r) => (r.prompt as { role: string }[]).some((m) => m.role === 'tool')));
  });

  it('SimPO: a CPOConfig YAML with the authors’ numbers and a launch script that compiles and logs like LLaMA-Factory', async () => {
    const dir = outDir('trl-simpo');
    const res = await exportPairs(searchPairs, { target: 'trl', outDir: dir });
    const cfgPath = fileOf(res, 'itool_pairs.simpo.yaml');
    const text = readFileSync(cfgPath, 'utf8');
    const y = parseYaml(text) as Obj;
    for (const [k, v] of Object.entries({ loss_type: 'simpo', cpo_alpha: 0, simpo_gamma: 0.5, beta: 2.5, learning_rate: 1e-6, num_train_epochs: 2, lr_scheduler_type: 'cosine', warmup_ratio: 0.1, bf16: true, use_peft: true, lora_r: 8, lora_target_modules: 'all-linear', output_dir: join(dir, 'output'), dataset_path: join(dir, 'itool_pairs.jsonl') })) {
      assert.deepEqual(y[k], v, k);
    }
    for (const k of ['model_name_or_path', 'per_device_train_batch_size', 'gradient_accumulation_steps', 'logging_steps', 'max_length']) assert.ok(y[k] !== undefined, k);
    assert.match(text, /^cpo_alpha: 0\.0$/m);
    const script = fileOf(res, 'train_simpo.py');
    assert.ok(statSync(script).mode & 0o100, 'the script is executable');
    assert.deepEqual(res.commands, [['python3', script, '--trainer', 'cpo', '--config', cfgPath]]);
    const src = readFileSync(script, 'utf8');
    for (const needle of ['CPOTrainer', 'DPOTrainer', 'trainer_log.jsonl', 'def on_log', '--config', '--trainer']) assert.ok(src.includes(needle), needle);

    const compile = spawnSync('python3', ['-m', 'py_compile', script], { encoding: 'utf8' });
    if (compile.error) return; // no python here: nothing more to check
    assert.equal(compile.status, 0, compile.stderr);
    // The progress callback, driven as a Trainer would drive it (transformers stubbed: it is not installed here).
    const logDir = join(dir, 'run');
    const drive = [
      'import importlib.util, json, sys, types',
      'sys.modules["transformers"] = types.SimpleNamespace(TrainerCallback=object)',
      'spec = importlib.util.spec_from_file_location("train", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
      'cb = m.progress_callback(); NS = types.SimpleNamespace',
      'args = NS(output_dir=sys.argv[2], resume_from_checkpoint=None); state = NS(is_world_process_zero=True, global_step=0, max_steps=20)',
      'cb.on_train_begin(args, state, None)',
      'state.global_step = 5; cb.on_log(args, state, None, logs={"loss": 0.69, "learning_rate": 1e-06, "epoch": 0.5, "rewards/accuracies": 0.75})',
      'state.global_step = 20; cb.on_log(args, state, None, logs={"train_runtime": 3.0})',
    ].join('\n');
    const run = spawnSync('python3', ['-c', drive, script, logDir], { encoding: 'utf8' });
    if (/No module named 'yaml'/.test(run.stderr)) return;
    assert.equal(run.status, 0, run.stderr);
    const lines = readLines(join(logDir, 'trainer_log.jsonl'));
    assert.equal(lines.length, 2);
    assert.deepEqual(Object.keys(lines[0]).sort(), ['accuracy', 'current_steps', 'elapsed_time', 'epoch', 'loss', 'lr', 'percentage', 'remaining_time', 'total_steps']);
    assert.deepEqual([lines[0].current_steps, lines[0].total_steps, lines[0].percentage, lines[0].loss, lines[0].lr], [5, 20, 25, 0.69, 1e-6]);
    assert.match(lines[0].elapsed_time as string, /^\d+:\d\d:\d\d$/);
    assert.match(lines[0].remaining_time as string, /^\d+:\d\d:\d\d$/);
    // Keys without a value are left out, as LLaMA-Factory leaves them out.
    assert.deepEqual(Object.keys(lines[1]).sort(), ['current_steps', 'elapsed_time', 'percentage', 'remaining_time', 'total_steps']);
    assert.equal(lines[1].percentage, 100);
  });

  it('DPO (sigmoid) and IPO: a DPOConfig YAML `trl dpo --config` can read; ORPO its own', async () => {
    for (const loss of ['sigmoid', 'ipo'] as const) {
      const dir = outDir(`trl-${loss}`);
      const res = await exportPairs(searchPairs, { target: 'trl', outDir: dir, prefLoss: loss });
      const cfg = fileOf(res, 'itool_pairs.dpo.yaml');
      const y = parseYaml(readFileSync(cfg, 'utf8')) as Obj;
      assert.deepEqual([y.loss_type, y.beta, y.simpo_gamma, y.cpo_alpha, y.dataset_path], [loss, 0.1, undefined, undefined, undefined]);
      assert.deepEqual(y.datasets, [{ path: 'json', data_files: join(dir, 'itool_pairs.jsonl'), split: 'train' }]);
      assert.deepEqual(res.commands[0].slice(2), ['--trainer', 'dpo', '--config', cfg]);
    }
    const res = await exportPairs(searchPairs, { target: 'trl', outDir: outDir('trl-orpo'), prefLoss: 'orpo', beta: 0.2 });
    const y = parseYaml(readFileSync(fileOf(res, 'itool_pairs.orpo.yaml'), 'utf8')) as Obj;
    assert.deepEqual([y.beta, y.loss_type], [0.2, undefined]);
    assert.deepEqual(res.commands[0].slice(2, 4), ['--trainer', 'orpo']);
  });
});

// ---- OpenAI -------------------------------------------------------------------------------------

describe('export: OpenAI preference fine-tuning', () => {
  it('records with JSON-text arguments, answered call ids and JSON Schema tools; samples left untouched', async () => {
    const before = JSON.stringify(all.map((p) => p.sample));
    const res = await exportPairs(all, { target: 'openai', outDir: outDir('openai') });
    assert.equal(JSON.stringify(all.map((p) => p.sample)), before, 'the samples were changed');
    assert.deepEqual(res.skipped, []);
    const records = readLines(fileOf(res, 'itool_pairs.openai.jsonl'));
    assert.equal(records.length, all.length);
    let dictTools = 0;
    records.forEach((rec, i) => {
      const { pair, sample } = all[i];
      valid(S.OPENAI_PREFERENCE, rec, `record ${i} (${sample.format} ${sample.id})`);
      const input = rec.input as { messages: { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[]; tools: unknown[]; parallel_tool_calls: boolean };
      assert.equal(input.parallel_tool_calls, true);
      const ids = new Set<string>();
      for (const m of input.messages) {
        for (const c of m.tool_calls ?? []) {
          assert.ok(!ids.has(c.id), `duplicate id ${c.id}`);
          ids.add(c.id);
        }
        if (m.role === 'tool') assert.ok(ids.has(m.tool_call_id!), `${sample.id}: tool message answers unknown id ${m.tool_call_id}`);
      }
      for (const [s, key] of [['chosen', 'preferred_output'], ['rejected', 'non_preferred_output']] as const) {
        const [m] = rec[key] as { content?: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[] }[];
        const calls = completeCalls(response(pair, s));
        if (calls) {
          assert.equal(m.content, undefined);
          assert.deepEqual(m.tool_calls!.map((c) => [c.function.name, JSON.parse(c.function.arguments)]), calls.map((c) => [c.name, c.arguments]));
          assert.ok(m.tool_calls!.every((c) => typeof c.function.arguments === 'string' && !ids.has(c.id)));
        } else assert.equal(m.content, response(pair, s));
      }
      if (JSON.stringify(sample.tools).includes('"dict"')) dictTools++;
      assertJsonSchemaTools(input.tools, sample.id);
    });
    assert.ok(dictTools > 0, 'the demo data has BFCL/ToolACE "dict" schemas to map');
    // A Hermes turn answering two parallel calls becomes one tool message per call, matched by name.
    const h2 = records[all.findIndex((p) => p.sample.id === 'demo-h2')].input as { messages: { role: string; content: string; tool_calls?: { id: string; function: { name: string } }[]; tool_call_id?: string }[] };
    const calls = h2.messages.find((m) => m.tool_calls)!.tool_calls!;
    const tools = h2.messages.filter((m) => m.role === 'tool');
    assert.deepEqual(calls.map((c) => c.function.name), ['get_weather', 'convert_currency']);
    assert.deepEqual(tools.map((m) => m.tool_call_id), calls.map((c) => c.id));
    assert.ok(tools.every((m) => !m.content.includes('tool_response') && JSON.parse(m.content).name), JSON.stringify(tools));
    const job = readJson(fileOf(res, 'itool_pairs.openai.job.json')) as { upload: Obj; create: { method: { type: string; dpo: { hyperparameters: Obj } }; model: string } };
    assert.equal(job.upload.file, fileOf(res, '.openai.jsonl'));
    assert.deepEqual(job.create.method, { type: 'dpo', dpo: { hyperparameters: { beta: 0.1, n_epochs: 2 } } });
    assert.ok(res.notes.some((n) => /DPO only/.test(n)));
    assert.deepEqual(res.commands, []);
    const sig = await exportPairs(searchPairs, { target: 'openai', outDir: outDir('openai-sig'), prefLoss: 'sigmoid', beta: 0.25, baseModel: 'gpt-4.1-mini-2025-04-14' });
    const job2 = readJson(fileOf(sig, '.job.json')) as { create: { model: string; method: { dpo: { hyperparameters: { beta: number } } } } };
    assert.deepEqual([job2.create.model, job2.create.method.dpo.hyperparameters.beta], ['gpt-4.1-mini-2025-04-14', 0.25]);
  });
});

// ---- sides that are not calls, and records that cannot be said -------------------------------

describe('export: invalid sides and skipped records', () => {
  it('a rejected side that does not parse is exported as its text on every target; the chosen one as calls', async () => {
    const sample = samples['bfcl/BFCL_v4_live_multiple.json'][0];
    const call = referenceTurn(sample)!.calls![0];
    const good = jsonCallText([call]);
    const cut = good.slice(0, good.length - 6); // broken off mid-arguments, as a max-token stop leaves it
    const py = encodePythonCalls([call]);
    const pairs: ExportPair[] = [
      { pair: makePair(sample, good, cut), sample },
      { pair: makePair(sample, py, py.slice(0, -3)), sample },
      { pair: makePair(sample, hermesText([call]), `Sure, let me look that up.\n${hermesText([call])}`), sample },
      { pair: makePair(sample, `${py}<|im_end|>`, `${py.slice(0, -3)}<|eot_id|>`, ''), sample },
    ];
    assert.equal(completeCalls(cut), undefined);
    const lf = readJson(fileOf(await exportPairs(pairs, { target: 'llamafactory', outDir: outDir('bad-lf') }), 'itool_pairs.json')) as Obj[];
    // BFCL calls render through the template: a complete call in any syntax is a function_call
    // (the template writes it as it writes every call), a broken one stays the text it is.
    assert.deepEqual(lf[0].chosen, { from: 'function_call', value: good });
    assert.deepEqual(lf[0].rejected, { from: 'gpt', value: cut });
    assert.deepEqual(JSON.parse((lf[1].chosen as { value: string }).value), { name: call.name, arguments: call.arguments });
    assert.equal((lf[1].chosen as { from: string }).from, 'function_call');
    assert.deepEqual(lf[1].rejected, { from: 'gpt', value: py.slice(0, -3) });
    assert.equal((lf[2].chosen as { from: string }).from, 'function_call');
    assert.deepEqual(lf[2].rejected, { from: 'gpt', value: `Sure, let me look that up.\n${hermesText([call])}` });
    // End-of-turn markers are the template's business, not part of the response.
    assert.deepEqual(lf[3].chosen, lf[1].chosen);
    assert.deepEqual(lf[3].rejected, { from: 'gpt', value: py.slice(0, -3) });
    // Under the text rendering every side is the policy's own text.
    const lfText = readJson(fileOf(await exportPairs(pairs, { target: 'llamafactory', outDir: outDir('bad-lf-text'), calls: 'text' }), 'itool_pairs.json')) as Obj[];
    assert.deepEqual(lfText.map((r) => [r.chosen, r.rejected]), pairs.map((p) => [{ from: 'gpt', value: response(p.pair, 'chosen').replace(/<\|im_end\|>$/, '') }, { from: 'gpt', value: response(p.pair, 'rejected').replace(/<\|eot_id\|>$/, '') }]));
    const trl = readLines(fileOf(await exportPairs(pairs, { target: 'trl', outDir: outDir('bad-trl') }), 'itool_pairs.jsonl'));
    const oa = readLines(fileOf(await exportPairs(pairs, { target: 'openai', outDir: outDir('bad-oa') }), 'itool_pairs.openai.jsonl'));
    const texts = [cut, py.slice(0, -3), `Sure, let me look that up.\n${hermesText([call])}`, py.slice(0, -3)];
    texts.forEach((t, i) => {
      valid(S.TRL_PREFERENCE, trl[i], `trl ${i}`);
      valid(S.OPENAI_PREFERENCE, oa[i], `openai ${i}`);
      assert.deepEqual(trl[i].rejected, [{ role: 'assistant', content: t }]);
      assert.deepEqual(oa[i].non_preferred_output, [{ role: 'assistant', content: t }]);
      const chosen = (trl[i].chosen as { tool_calls: { function: { name: string; arguments: unknown } }[] }[])[0];
      assert.deepEqual(chosen.tool_calls.map((c) => [c.function.name, c.function.arguments]), [[call.name, call.arguments]]);
      const preferred = (oa[i].preferred_output as { tool_calls: { function: { arguments: string } }[] }[])[0];
      assert.deepEqual(JSON.parse(preferred.tool_calls[0].function.arguments), call.arguments);
    });
  });

  it('a pair no target can say is skipped with its sample id and reason, and the others are still written', async () => {
    const base = samples['toolace_sample.json'].find((s) => s.turns.filter((t) => t.role === 'assistant').length === 1 && referenceTurn(s)?.calls)!;
    const ref = referenceTurn(base)!;
    // A prompt ending on an assistant turn: nothing for the policy to answer.
    const afterAssistant: Sample = { ...base, id: 'ends-on-assistant', turns: [...base.turns.slice(0, base.referenceIndex), { role: 'assistant', content: 'Let me see.' }, ref], referenceIndex: base.referenceIndex + 1 };
    const good = demoPairs.slice(0, 3);
    const py = encodePythonCalls(ref.calls!);
    const pairs: ExportPair[] = [
      good[0],
      { pair: makePair(afterAssistant, py, py.replace(/\)\]$/, ', extra=1)]')), sample: afterAssistant },
      { pair: { ...good[1].pair, sampleId: 'someone-else' }, sample: good[1].sample },
      { pair: makePair(base, py, py, ''), sample: base },
      good[2],
    ];
    for (const target of ['llamafactory', 'trl', 'openai'] as const) {
      const res = await exportPairs(pairs, { target, outDir: outDir(`skip-${target}`) });
      assert.equal(res.records, 2, target);
      assert.deepEqual(res.skipped.map((k) => k.sampleId), ['ends-on-assistant', 'someone-else', base.id], target);
      assert.match(res.skipped[0].reason, /ends on an assistant turn/);
      assert.match(res.skipped[1].reason, /is for sample someone-else/);
      assert.match(res.skipped[2].reason, /identical/);
    }
  });

  it('OpenAI needs a result for every call: a merged tool result is skipped there only', async () => {
    const s = samples['openai_sample.jsonl'].find((x) => promptTurns(x).filter((t) => t.role === 'tool_result').length === 2)!;
    assert.ok(s, 'the demo has a parallel call with two results');
    const turns = promptTurns(s);
    const firstResult = turns.findIndex((t) => t.role === 'tool_result');
    const merged: Sample = { ...s, id: 'merged', turns: [...turns.slice(0, firstResult + 1), ...turns.slice(firstResult + 2), ...s.turns.slice(s.referenceIndex)], referenceIndex: s.referenceIndex - 1 };
    const pair = { pair: makePair(merged, 'It is sunny.', 'It is raining.'), sample: merged };
    const oa = await exportPairs([pair], { target: 'openai', outDir: outDir('merged-oa') });
    assert.deepEqual(oa.skipped.map((k) => k.sampleId), ['merged']);
    assert.match(oa.skipped[0].reason, /no tool result/);
    assert.deepEqual(oa.files, []);
    for (const target of ['llamafactory', 'trl'] as const) assert.equal((await exportPairs([pair], { target, outDir: outDir(`merged-${target}`) })).records, 1);
  });

  it('bad options are refused before anything is written', async () => {
    await assert.rejects(exportPairs(searchPairs, { target: 'llamafactory', outDir: outDir('opt'), name: '../escape' }), /name/);
    await assert.rejects(exportPairs(searchPairs, { target: 'nope' as never, outDir: outDir('opt') }), /unknown target/);
    await assert.rejects(exportPairs(searchPairs, { target: 'trl', outDir: outDir('opt'), beta: -1 }), /beta/);
    assert.equal(existsSync(outDir('opt')), false);
  });
});

// ---- curriculum ---------------------------------------------------------------------------------

const withReference = (list: Sample[]): Sample[] => list.filter((s) => s.referenceIndex >= 0);

describe('export: warm-up curriculum', () => {
  it('LLaMA-Factory (calls through the template): one dataset per stage holding exactly its samples in order, readable by our reader, chained configs', async () => {
    const stages = { easy: withReference(samples['llamafactory_sample.json']), medium: withReference(samples['toolace_sample.json']), hard: [...withReference(samples['hermes_sample.jsonl']), ...withReference(samples['bfcl/BFCL_v4_parallel_multiple.json']).slice(0, 3)] };
    const dir = outDir('cur-lf');
    const res = await exportCurriculum(stages, { target: 'llamafactory', outDir: dir, baseModel: 'Qwen/Qwen2.5-7B-Instruct', calls: 'template' });
    assert.deepEqual(res.skipped, []);
    assert.equal(res.records, stages.easy.length + stages.medium.length + stages.hard.length);
    const info = readJson(join(dir, 'dataset_info.json')) as Obj;
    let prevOut: string | undefined;
    for (const stage of ['easy', 'medium', 'hard'] as const) {
      const key = `itool_warmup_${stage}`;
      const records = readJson(join(dir, `${key}.json`)) as Obj[];
      assert.equal(records.length, stages[stage].length, stage);
      records.forEach((rec, i) => {
        const src = stages[stage][i];
        valid(S.LF_SFT, rec, `${stage} ${i}`);
        const conv = rec.conversations as { from: string }[];
        assert.equal(conv.length % 2, 0);
        const back = FORMATS.llamafactory.read(rec, i);
        assert.deepEqual(FORMATS.llamafactory.write(back), rec, 'the record reads back and writes to itself');
        if (src.format === 'llamafactory') assert.deepEqual(rec, FORMATS.llamafactory.write(src));
        const [a, b] = [referenceTurn(back)!, referenceTurn(src)!];
        assert.deepEqual(a.calls?.map((c) => [c.name, c.arguments]), b.calls?.map((c) => [c.name, c.arguments]), `${stage} ${src.id}`);
        if (!b.calls) assert.equal(a.content, b.content);
        assert.deepEqual(back.turns.filter((t) => t.role === 'user').map((t) => t.content), src.turns.slice(0, src.referenceIndex).filter((t) => t.role === 'user').map((t) => t.content));
        assert.deepEqual(back.tools.map((t) => t.name), src.tools.map((t) => t.name));
      });
      valid(S.LF_DATASET_INFO_ENTRY, info[key], key);
      assert.equal((info[key] as Obj).ranking, undefined);
      const y = parseYaml(readFileSync(join(dir, `${key}.sft.yaml`), 'utf8')) as Obj;
      assert.deepEqual([y.stage, y.dataset, y.adapter_name_or_path, y.learning_rate, y.template, y.model_name_or_path], ['sft', key, prevOut, 1e-4, 'qwen', 'Qwen/Qwen2.5-7B-Instruct']);
      prevOut = y.output_dir as string;
    }
    const plan = readJson(join(dir, 'curriculum.json')) as { order: string[]; stages: { command: string[]; config: string; init_from: string | null }[] };
    assert.deepEqual(plan.order, ['easy', 'medium', 'hard']);
    assert.deepEqual(plan.stages.map((s) => s.command), res.commands);
    assert.deepEqual(res.commands.map((c) => c.slice(0, 2)), [['llamafactory-cli', 'train'], ['llamafactory-cli', 'train'], ['llamafactory-cli', 'train']]);
    assert.equal(plan.stages[0].init_from, null);
  });

  it('TRL and OpenAI: chat SFT files per stage, each stage starting from the previous one', async () => {
    const stages = { easy: withReference(samples['xlam_sample.jsonl']), medium: withReference(samples['openai_sample.jsonl']), hard: withReference(samples['glaive_sample.jsonl']) };
    const trlDir = outDir('cur-trl');
    const trl = await exportCurriculum(stages, { target: 'trl', outDir: trlDir, name: 'warm' });
    assert.deepEqual(trl.skipped, []);
    let prev: string | undefined;
    for (const stage of ['easy', 'medium', 'hard'] as const) {
      const recs = readLines(join(trlDir, `warm_${stage}.jsonl`));
      assert.equal(recs.length, stages[stage].length);
      recs.forEach((r, i) => {
        valid(S.TRL_LANGUAGE_MODELING, r, `${stage} ${i}`);
        const msgs = r.messages as { role: string; content: string; tool_calls?: { function: { name: string; arguments: unknown } }[] }[];
        const ref = referenceTurn(stages[stage][i])!;
        const last = msgs[msgs.length - 1];
        assert.equal(last.role, 'assistant');
        // Glaive renders its calls as text (auto): the answer is the dataset's own call text.
        const mode = callRenderingFor(stages[stage][i].format);
        if (ref.calls && mode === 'template') assert.deepEqual(last.tool_calls!.map((c) => [c.function.name, c.function.arguments]), ref.calls.map((c) => [c.name, c.arguments]));
        else assert.deepEqual([last.content, last.tool_calls], [ref.content, undefined]);
      });
      const y = parseYaml(readFileSync(join(trlDir, `warm_${stage}.sft.yaml`), 'utf8')) as Obj;
      assert.equal(y.model_name_or_path, prev ?? 'REPLACE_WITH_BASE_MODEL');
      assert.deepEqual(y.datasets, [{ path: 'json', data_files: join(trlDir, `warm_${stage}.jsonl`), split: 'train' }]);
      prev = y.output_dir as string;
    }
    assert.ok(existsSync(join(trlDir, 'train_simpo.py')));
    assert.deepEqual(trl.commands.map((c) => c.slice(2, 4)), [['--trainer', 'sft'], ['--trainer', 'sft'], ['--trainer', 'sft']]);

    const oaDir = outDir('cur-oa');
    const oa = await exportCurriculum(stages, { target: 'openai', outDir: oaDir, baseModel: 'gpt-4.1-mini-2025-04-14' });
    for (const stage of ['easy', 'medium', 'hard'] as const) readLines(join(oaDir, `itool_warmup_${stage}.openai.jsonl`)).forEach((r, i) => valid(S.OPENAI_CHAT_SFT, r, `${stage} ${i}`));
    const plan = readJson(join(oaDir, 'curriculum.json')) as { stages: { job: { create: { model: string | null; method: Obj } }; model_from: unknown }[] };
    assert.deepEqual(plan.stages.map((s) => s.job.create.model), ['gpt-4.1-mini-2025-04-14', null, null]);
    assert.deepEqual(plan.stages.map((s) => s.model_from), [null, { stage: 'easy', field: 'fine_tuned_model' }, { stage: 'medium', field: 'fine_tuned_model' }]);
    assert.deepEqual(plan.stages[0].job.create.method, { type: 'supervised', supervised: { hyperparameters: { n_epochs: 2 } } });
    assert.deepEqual(oa.commands, []);
  });

  it('a sample without a reference answer is skipped, naming its stage; an empty stage is passed over', async () => {
    const irrelevant = samples['bfcl/BFCL_v4_irrelevance.json'][0];
    const ok = withReference(samples['llamafactory_sample.json']).slice(0, 2);
    const res = await exportCurriculum({ easy: ok, medium: [irrelevant], hard: ok }, { target: 'llamafactory', outDir: outDir('cur-skip') });
    assert.deepEqual(res.skipped, [{ sampleId: irrelevant.id, reason: 'medium: no reference answer to train on' }]);
    assert.equal(res.commands.length, 2);
    const hard = parseYaml(readFileSync(join(outDir('cur-skip'), 'itool_warmup_hard.sft.yaml'), 'utf8')) as Obj;
    assert.equal(hard.adapter_name_or_path, join(outDir('cur-skip'), 'output', 'easy'));
    assert.ok(res.notes.some((n) => /stage medium has no samples/.test(n)));
  });
});

// ---- files, schema mapping, parsing ----------------------------------------------------------------

describe('export: files and helpers', () => {
  it('writes atomically: a file is replaced by rename (new inode, mode kept) and no temp file is left', async () => {
    const dir = outDir('atomic');
    const first = await exportPairs(searchPairs, { target: 'trl', outDir: dir });
    const data = fileOf(first, 'itool_pairs.jsonl');
    chmodSync(data, 0o600);
    const inode = statSync(data).ino;
    await exportPairs(searchPairs.slice(0, 1), { target: 'trl', outDir: dir });
    assert.notEqual(statSync(data).ino, inode, 'the file was rewritten in place, not replaced');
    assert.equal(statSync(data).mode & 0o777, 0o600);
    assert.equal(readLines(data).length, 1);
    const leftovers = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? leftovers(join(d, e.name)) : /\.tmp$/.test(e.name) ? [join(d, e.name)] : []));
    assert.deepEqual(leftovers(tmp), []);
  });

  it('toJsonSchema: BFCL/ToolACE types become JSON Schema types at any depth; the input is untouched', () => {
    const src = {
      type: 'dict',
      properties: {
        point: { type: 'tuple', items: { type: 'float' } },
        opts: { type: 'dict', properties: { anything: { type: 'any', description: 'd' }, n: { type: 'integer' }, type: { type: 'string' } }, additionalProperties: { type: 'float' } },
        either: { anyOf: [{ type: 'dict' }, { type: ['float', 'null'] }] },
        loose: { type: ['string', 'any'] },
      },
      required: ['point'],
    };
    const copy = JSON.parse(JSON.stringify(src));
    assert.deepEqual(toJsonSchema(src), {
      type: 'object',
      properties: {
        point: { type: 'array', items: { type: 'number' } },
        opts: { type: 'object', properties: { anything: { description: 'd' }, n: { type: 'integer' }, type: { type: 'string' } }, additionalProperties: { type: 'number' } },
        either: { anyOf: [{ type: 'object' }, { type: ['number', 'null'] }] },
        loose: {},
      },
      required: ['point'],
    });
    assert.deepEqual(src, copy);
  });

  it('completeCalls: whole call lists in any syntax; not prose, prose around calls, or a broken call', () => {
    const c = { name: 'f', arguments: { a: 1, b: 'x' } };
    for (const t of ['[f(a=1, b="x")]', 'f(a=1, b="x")', '{"name": "f", "arguments": {"a": 1, "b": "x"}}', '```json\n[{"name": "f", "arguments": {"a": 1, "b": "x"}}]\n```', hermes(c)]) assert.deepEqual(completeCalls(t), [c], t);
    for (const t of ['The answer is 4.', '[f(a=1, b=', `Checking.\n${hermes(c)}`, `${hermes(c)}\nDone.`, '[f(a=1)] and more', '']) assert.equal(completeCalls(t), undefined, t);
  });
});

// ---- BFCL data from ../shared, when this checkout has it -----------------------------------------

describe('export: BFCL data', () => {
  const files = existsSync(SHARED_BFCL) ? readdirSync(SHARED_BFCL).filter((f) => f.endsWith('.json')) : [];
  it('every category exports to all three targets, each record valid', { skip: files.length === 0 && 'no ../shared/data/bfcl here' }, async () => {
    const pairs: ExportPair[] = [];
    for (const f of files) for (const [k, s] of (await loadSamples(join(SHARED_BFCL, f), 25)).entries()) pairs.push({ pair: demoPair(s, k), sample: s });
    const schemas = { llamafactory: S.LF_RANKING, trl: S.TRL_PREFERENCE, openai: S.OPENAI_PREFERENCE } as const;
    for (const target of ['llamafactory', 'trl', 'openai'] as const) {
      const res = await exportPairs(pairs, { target, outDir: outDir(`bfcl-${target}`) });
      assert.deepEqual(res.skipped, [], target);
      const data = res.files[0];
      const records = data.endsWith('.json') ? (readJson(data) as Obj[]) : readLines(data);
      assert.equal(records.length, pairs.length);
      records.forEach((r, i) => {
        valid(schemas[target], r, `${target} ${pairs[i].sample.id}`);
        if (target === 'openai') assertJsonSchemaTools((r.input as { tools: unknown[] }).tools, pairs[i].sample.id);
      });
    }
  });
});

// ---- itool export ---------------------------------------------------------------------------------

describe('itool export', () => {
  it('reads the pairs file, finds each pair’s sample, exports, and reports files and skipped lines', async () => {
    const dir = outDir('cli');
    mkdirSync(dir);
    cpSync(join(DEMO, 'bfcl'), join(dir, 'bfcl'), { recursive: true });
    const lines = searchPairs.map((p) => JSON.stringify(p.pair));
    lines.push('{"not json');
    lines.push(JSON.stringify({ ...searchPairs[0].pair, sampleId: 'simple_python_999', index: 999 }));
    lines.push(JSON.stringify({ ...searchPairs[1].pair, index: -1 })); // found by its id
    lines.push(JSON.stringify({ hello: 'world' }));
    const pairsFile = join(dir, 'pairs.jsonl');
    writeFileSync(pairsFile, `${lines.join('\n')}\n\n`);
    let stdout = '';
    let stderr = '';
    const io = { stdout: (s: string) => void (stdout += s), stderr: (s: string) => void (stderr += s) };
    const out = join(dir, 'export');
    // --state all: every pair of the file, none of them reviewed (review decisions: exportReview.test.ts).
    const rc = await exportCommand({ pairsFile, state: 'all', dataset: join(dir, 'bfcl', 'BFCL_v4_simple_python.json'), target: 'llamafactory', out, prefLoss: 'sigmoid', baseModel: 'Qwen/Qwen3-8B' }, io);
    assert.equal(rc, 0, stderr);
    assert.equal(stderr, '');
    const records = readJson(join(out, 'itool_pairs.json')) as Obj[];
    assert.equal(records.length, searchPairs.length + 1);
    assert.deepEqual(records[records.length - 1].chosen, (records[1] as Obj).chosen);
    assert.match(stdout, new RegExp(`llamafactory: ${searchPairs.length + 1} pair\\(s\\) written, 3 skipped`));
    assert.match(stdout, new RegExp(`line ${searchPairs.length + 1}: not valid JSON`));
    assert.match(stdout, /simple_python_999: no sample with this id/);
    assert.match(stdout, new RegExp(`line ${searchPairs.length + 4}: not a preference pair`));
    assert.ok(stdout.includes(join(out, 'itool_pairs.json')) && stdout.includes(join(out, 'dataset_info.json')));
    assert.ok(stdout.includes(`run         llamafactory-cli train ${join(out, 'itool_pairs.dpo.yaml')}`));
    const y = parseYaml(readFileSync(join(out, 'itool_pairs.dpo.yaml'), 'utf8')) as Obj;
    assert.deepEqual([y.pref_loss, y.template, y.model_name_or_path], ['sigmoid', 'qwen3', 'Qwen/Qwen3-8B']);

    const missing = await exportCommand({ pairsFile: join(dir, 'nope.jsonl'), dataset: join(dir, 'bfcl', 'BFCL_v4_simple_python.json'), target: 'trl', out }, io);
    assert.equal(missing, 1);
    assert.match(stderr, /cannot read .*nope\.jsonl/);
  });

  it('--curriculum: every calibrated sample in its tier from the selection, as the palette exports it; the flag reaches it', async () => {
    const dir = outDir('cli-curriculum');
    mkdirSync(dir);
    const dataset = join(dir, 'toolace_sample.json');
    cpSync(join(DEMO, 'toolace_sample.json'), dataset);
    // A STAND-IN policy (no real model here): a plain role/content template and a per-answer
    // logprob that varies with the answer's length, so the perplexities spread over three tiers.
    const policy: Policy = {
      id: 'standin:curriculum',
      label: 'stand-in',
      chatTemplate: async (messages: ChatMessage[], _tools, opts) => messages.map((m) => `<${m.role}>${m.content ?? ''}</${m.role}>`).join('') + (opts?.addGenerationPrompt ? '<assistant>' : ''),
      score: async (batch: ScoreRequest[]) => batch.map((r) => ({ tokens: [...r.response].map((token) => ({ token, logprob: -((r.response.length % 9) + 1) / 10 })) })),
      sample: async () => [],
      close: async () => undefined,
    };
    const ds = await Dataset.open(dataset, { turns: 'last' });
    let scored: number;
    try {
      const cal = await calibrate(ds, policy, { calls: 'text' });
      scored = cal.entries.length;
      await writeSelection(join(dir, 'selection.json'), selectionFile(cal, selectDeficient(cal.entries)));
    } finally {
      await ds.close();
    }
    assert.ok(scored >= 3, `calibrated ${scored}`);
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
    const out = join(dir, 'warmup');
    const rc = await exportCurriculumCommand({ selection: join(dir, 'selection.json'), dataset, target: 'llamafactory', out }, io);
    assert.equal(rc, 0, stderr);
    const m = /curriculum {2}llamafactory: (\d+) sample\(s\) written \(tiers: easy (\d+), medium (\d+), hard (\d+)\), 0 skipped/.exec(stdout);
    assert.ok(m, stdout);
    assert.equal(Number(m[1]), scored);
    assert.equal(Number(m[2]) + Number(m[3]) + Number(m[4]), scored);
    // No base model and no template: the warning is on stderr, and the YAML names no template.
    assert.match(stderr, /itool export: warning: no LLaMA-Factory template/);
    const info = readJson(join(out, 'dataset_info.json')) as Obj;
    assert.deepEqual(Object.keys(info), ['itool_warmup_easy', 'itool_warmup_medium', 'itool_warmup_hard'].filter((k, i) => Number(m[i + 2]) > 0));
    // ToolACE calibrated with --calls text (the selection's): its calls stay python-call text.
    const easy = readJson(join(out, 'itool_warmup_easy.json')) as { conversations: { from: string; value: string }[] }[];
    assert.ok(easy.every((r) => r.conversations.every((t) => t.from !== 'function_call')));
    assert.ok(easy.some((r) => /^\[\w+\(/.test(r.conversations.at(-1)!.value)));

    // The same through `itool export --curriculum`, as a user runs it.
    const cli = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'itool.ts'), 'export', '--curriculum', join(dir, 'selection.json'), '--dataset', dataset, '--target', 'trl', '-o', join(dir, 'trl'), '--base-model', 'Qwen/Qwen2.5-0.5B-Instruct'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`curriculum  trl: ${scored} sample\\(s\\) written`));
    assert.match(cli.stdout, /run {9}python3 .*train_simpo\.py --trainer sft --config .*itool_warmup_easy\.sft\.yaml/);
    const both = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'itool.ts'), 'export', 'pairs.jsonl', '--curriculum', 'sel.json', '--dataset', dataset, '--target', 'trl', '-o', dir], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give PAIRS or --curriculum SELECTION, not both/);
    const missing = await exportCurriculumCommand({ selection: join(dir, 'nope.json'), dataset, target: 'trl', out }, io);
    assert.equal(missing, 1);
    assert.match(stderr, /cannot read the selection .*nope\.json/);
  });
});

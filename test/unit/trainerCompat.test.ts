// The exports against each trainer's own rules, version by version (the versions the README lists):
//
// TRL 0.24.0, 0.28.0 and main (1.10.0.dev0, commit f2cd577), on transformers 4.57 and 5: the launch
// script the export writes runs for real under python3 — import, config, rendering and the
// trainer's own data step — against STAND-IN packages of those versions' shape
// (test/support/trlStandIn.ts, which cites the source of every shape it copies). Checked: each
// trainer is taken from where that TRL keeps it (trl.experimental.cpo/.orpo from 0.26; 0.29 dropped
// trl.CPOTrainer), every YAML key reaches a config field of that version and nothing is left out or
// deprecated, max_prompt_length only where the config has it (before 0.29), the warm-up as
// warmup_steps on transformers 5, the tools in every rendered prompt, and one <|im_end|> per
// completion after the trainer appends its EOS. `trl dpo --config` on main: every DPO YAML key is a
// field of the dataclasses trl/scripts/dpo.py hands TrlParser.
//
// LLaMA-Factory 0.9.5 / main (commit ff6d4d1): every record against
// src/llamafactory/data/converter.py SharegptDatasetConverter (human/observation at even positions,
// gpt/function_call at odd ones; an odd count for ranking records, even for SFT; chosen/rejected
// tagged gpt or function_call), formatter.py FunctionFormatter (a function_call value is JSON with
// "name" and "arguments", or a list of such), OpenAIDatasetConverter (parallel tool results joined
// by "\n</tool_response>\n<tool_response>\n"), and template.py get_template_and_fix_tokenizer (no
// `template` key: the model's own chat template, 0.9.2+). Pairs and curriculum write calls in one
// format: all function_call under the template rendering, all text under the text rendering.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { assistantText } from '../../src/core/model/messages';
import { callRenderingFor, type CallRenderingSetting } from '../../src/core/model/callRendering';
import { Dataset } from '../../src/core/dataset/dataset';
import { encodePythonCalls } from '../../src/core/dataset/pythonCalls';
import { promptTurns, referenceTurn, type Sample, type ToolCall } from '../../src/core/dataset/sample';
import { completeCalls, exportCurriculum, exportPairs, LF_RESULTS_SEPARATOR, PROMPT_SHARE, type ExportPair, type ExportResult } from '../../src/core/pairs/export/index';
import type { PairSide, PreferencePair } from '../../src/core/search/types';
import { hermes, wrong } from '../support/scriptedPolicy';
import { CONFIG_FIELDS, hasPyYaml, TRAINING_ARGUMENT_FIELDS, TRL_PARSER_EXTRA_FIELDS, writeTrlStandIn, type TransformersLine, type TrlLayout } from '../support/trlStandIn';

const ROOT = resolve(__dirname, '..', '..');
const DEMO = join(ROOT, 'demo', 'datasets');
type Obj = Record<string, unknown>;

const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const NO_PYTHON = python.error || python.status !== 0 ? 'no python3 on this machine' : false;

// ---- data: pairs the way the search makes them ------------------------------------------------

function side(text: string, value: number): PairSide {
  return { nodeId: value > 0 ? 1 : 2, fragment: text, completion: '', text, value, visits: 1, reward: value, kind: 'function', verdict: { valid: value > 0, score: value, syntax: 'text', errors: [] } };
}
function pairOf(sample: Sample, chosen: string, rejected: string): PreferencePair {
  let i = 0;
  while (i < chosen.length && i < rejected.length && chosen[i] === rejected[i]) i++;
  return { sampleId: sample.id, index: sample.index, round: 1, nodeId: 0, depth: 1, prefix: chosen.slice(0, i), kind: 'function', chosen: side(chosen.slice(i), 1), rejected: side(rejected.slice(i), -1), gap: 2, overlap: 0.5 };
}
const wrongCalls = (calls: ToolCall[]): ToolCall[] =>
  calls.map((c, i) => {
    const keys = Object.keys(c.arguments);
    if (i < calls.length - 1 || !keys.length) return c;
    const k = keys[keys.length - 1];
    return { name: c.name, arguments: { ...c.arguments, [k]: wrong(c.arguments[k]) ?? 'x' } };
  });

/** Calls in a text-rendered dataset's own syntax (Glaive's is left out: its rejected side is a refusal). */
const TEXT_SYNTAX: Partial<Record<string, (calls: ToolCall[]) => string>> = {
  toolace: encodePythonCalls,
  hermes: (calls) => calls.map(hermes).join('\n'),
  llamafactory: (calls) => JSON.stringify(calls.length === 1 ? { name: calls[0].name, arguments: calls[0].arguments } : calls.map((c) => ({ name: c.name, arguments: c.arguments }))),
};

/**
 * A pair as the policy writes it under the sample's call rendering: 'text' in the dataset's own
 * call syntax, 'template' in the syntax a Qwen template writes (Hermes <tool_call>); the rejected
 * side has the last argument wrong. A text answer against a call where the reference is text.
 */
function policyPair(sample: Sample): ExportPair {
  const ref = referenceTurn(sample)!;
  const mode = callRenderingFor(sample.format);
  if (!ref.calls?.length) return { sample, pair: pairOf(sample, ref.content, encodePythonCalls([{ name: sample.tools[0]?.name ?? 'lookup', arguments: {} }])) };
  if (mode === 'text') {
    const own = assistantText(ref);
    const bad = TEXT_SYNTAX[sample.format]?.(wrongCalls(ref.calls));
    return { sample, pair: pairOf(sample, own, bad && bad !== own ? bad : 'I cannot help with that.') };
  }
  return { sample, pair: pairOf(sample, ref.calls.map(hermes).join('\n'), wrongCalls(ref.calls).map(hermes).join('\n')) };
}

async function load(file: string, limit = 6): Promise<Sample[]> {
  const ds = await Dataset.open(join(DEMO, file));
  try {
    const out: Sample[] = [];
    for (let i = 0; i < ds.count && out.length < limit; i++) {
      const r = await ds.sample(i);
      if (r.ok) out.push(...r.samples.filter((s) => referenceTurn(s)));
    }
    return out.slice(0, limit);
  } finally {
    await ds.close();
  }
}

let tmp: string;
let bySource: Record<string, Sample[]>;
let pairs: ExportPair[];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'itool-compat-'));
  bySource = {};
  for (const f of ['hermes_sample.jsonl', 'openai_sample.jsonl', 'xlam_sample.jsonl', 'toolace_sample.json', 'glaive_sample.jsonl', 'llamafactory_sample.json', 'bfcl/BFCL_v4_live_multiple.json']) bySource[f] = await load(f);
  pairs = Object.values(bySource).flatMap((list) => list.map(policyPair));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const readLines = (path: string): Obj[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Obj);
const fileOf = (res: ExportResult, suffix: string): string => {
  const f = res.files.find((x) => x.endsWith(suffix));
  assert.ok(f, `no ${suffix} in ${res.files.join(', ')}`);
  return f;
};
const count = (s: string, needle: string): number => s.split(needle).length - 1;

// ---- TRL ----------------------------------------------------------------------------------------

const COMBOS: [TrlLayout, TransformersLine][] = [['0.24.0', '4.57'], ['0.28.0', '4.57'], ['main', '4.57'], ['main', '5']];
const WHERE: Record<TrlLayout, Record<string, string>> = {
  '0.24.0': { cpo: 'trl.CPOTrainer', dpo: 'trl.DPOTrainer', orpo: 'trl.ORPOTrainer', sft: 'trl.SFTTrainer' },
  '0.28.0': { cpo: 'trl.experimental.cpo.CPOTrainer', dpo: 'trl.DPOTrainer', orpo: 'trl.experimental.orpo.ORPOTrainer', sft: 'trl.SFTTrainer' },
  main: { cpo: 'trl.experimental.cpo.CPOTrainer', dpo: 'trl.DPOTrainer', orpo: 'trl.experimental.orpo.ORPOTrainer', sft: 'trl.SFTTrainer' },
};
const CONFIG_OF: Record<string, string> = { cpo: 'CPOConfig', dpo: 'DPOConfig', orpo: 'ORPOConfig', sft: 'SFTConfig' };
const SCRIPT_KEYS = new Set(['model_name_or_path', 'use_peft', 'lora_r', 'lora_alpha', 'lora_dropout', 'lora_target_modules', 'trust_remote_code', 'dataset_path', 'datasets', 'dataset_name']);
// Nothing the run prints may be a deprecation, an experimental notice, a key left out or a crash.
const NOISE = /Traceback|FutureWarning|TRLExperimentalWarning|importing from 'trl\.experimental'|warmup_ratio is deprecated|torch_dtype.*deprecated|left out/;

interface Trained {
  trainer: string;
  config_class: string;
  config: Obj;
  warmup_share: number | null;
  model: { path: string; kwargs: Record<string, string> };
  rows: { prompt: string; chosen?: string; rejected?: string; completion?: string }[];
}

function runScript(command: string[], standIn: string, extra: string[] = []): { code: number; err: string } {
  const [, script, ...args] = command;
  const r = spawnSync('python3', [script, ...args, ...extra], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: standIn, PYTHONDONTWRITEBYTECODE: '1' } });
  return { code: r.status ?? -1, err: `${r.stdout}${r.stderr}` };
}

/** The special tokens of a stand-in chat template: Qwen2.5's ChatML, or Llama 3.1's. */
interface Tokens {
  eos: string;
  bos?: string;
  header: string;
  /** What the template writes before the tool list. */
  tools: string;
}
const CHATML: Tokens = { eos: '<|im_end|>', header: '<|im_start|>', tools: '<tools>' };
const LLAMA3: Tokens = { eos: '<|eot_id|>', bos: '<|begin_of_text|>', header: '<|start_header_id|>', tools: 'Given the following functions' };

/** The checks every run shares: where the trainer came from, the config it got, the data it trains. */
function checkRun(layout: TrlLayout, tf: TransformersLine, trainer: string, cfgPath: string, err: string, records: Obj[], sources: Sample[], tokens: Tokens = CHATML): Trained {
  assert.match(err, new RegExp(`trainer ${WHERE[layout][trainer].replace(/\./g, '\\.')} \\(TRL ${layout === 'main' ? '1\\.10\\.0\\.dev0' : layout.replace(/\./g, '\\.')}\\)`), err);
  assert.doesNotMatch(err, NOISE, err);
  const yaml = parseYaml(readFileSync(cfgPath, 'utf8')) as Obj;
  const trained = JSON.parse(readFileSync(join(yaml.output_dir as string, 'standin_trained.json'), 'utf8')) as Trained;
  assert.equal(trained.config_class, CONFIG_OF[trainer]);
  // Every training key of the YAML reached the config as written (the warm-up aside, below).
  for (const [k, v] of Object.entries(yaml)) if (!SCRIPT_KEYS.has(k) && k !== 'warmup_ratio') assert.deepEqual(trained.config[k], v, `${layout} ${trainer}: ${k}`);
  assert.equal(yaml.max_prompt_length, undefined, 'the YAML never names max_prompt_length (TRL 0.29 has no such field)');
  const hasPromptField = CONFIG_FIELDS[layout][CONFIG_OF[trainer]].some(([n]) => n === 'max_prompt_length');
  assert.equal(trained.config.max_prompt_length, hasPromptField ? Math.floor((yaml.max_length as number) * PROMPT_SHARE) : undefined, `${layout} ${trainer}: max_prompt_length`);
  // The warm-up share reaches the schedule on both transformers lines, by the name each takes.
  assert.equal(trained.warmup_share, yaml.warmup_ratio);
  if (tf === '5') assert.deepEqual([trained.config.warmup_steps, trained.config.warmup_ratio], [yaml.warmup_ratio, null]);
  else assert.deepEqual([trained.config.warmup_ratio, trained.config.warmup_steps], [yaml.warmup_ratio, 0]);
  assert.ok('dtype' in trained.model.kwargs && !('torch_dtype' in trained.model.kwargs), JSON.stringify(trained.model));
  // The data: one EOS per completion and one BOS per prompt after the trainer's own rules, the tools in every prompt.
  assert.equal(trained.rows.length, records.length);
  trained.rows.forEach((row, i) => {
    for (const k of ['chosen', 'rejected', 'completion'] as const) {
      const text = row[k];
      if (text === undefined) continue;
      assert.equal(count(text, tokens.eos), 1, `${layout} ${trainer} row ${i} ${k}: ${JSON.stringify(text.slice(-80))}`);
      assert.ok(text.endsWith(tokens.eos) && !text.includes(tokens.header), `${layout} ${trainer} row ${i} ${k}`);
    }
    if (tokens.bos) assert.ok(count(row.prompt, tokens.bos) === 1 && row.prompt.startsWith(tokens.bos), `${layout} ${trainer} row ${i}: ${JSON.stringify(row.prompt.slice(0, 60))}`);
    for (const t of sources[i].tools) assert.ok(row.prompt.includes(`"${t.name}"`), `${layout} ${trainer} row ${i}: tool ${t.name} not in the prompt`);
    if (records[i].tools) assert.ok(row.prompt.includes(tokens.tools), `row ${i}: the tools block`);
  });
  const log = readLines(join(yaml.output_dir as string, 'trainer_log.jsonl'));
  assert.equal(log.at(-1)!.percentage, 100);
  return trained;
}

describe('TRL: the launch script against each version (stand-in packages of its shape)', () => {
  const yamlNote = hasPyYaml() ? undefined : 'PyYAML is not installed for python3: the YAML stand-in reads the configs';

  for (const [layout, tf] of COMBOS) {
    it(`TRL ${layout} on transformers ${tf}: SimPO, DPO, ORPO and the SFT curriculum run; trainers from their place, only fields that version has, one EOS, tools kept`, { skip: NO_PYTHON }, async (t) => {
      if (yamlNote) t.diagnostic(yamlNote);
      const dir = join(tmp, `trl-${layout}-${tf}`);
      const standIn = join(dir, 'standin');
      writeTrlStandIn(standIn, layout, tf, !!yamlNote);
      const model = join(dir, 'base-model');
      mkdirSync(model, { recursive: true });
      const sources = pairs.map((p) => p.sample);

      for (const [loss, trainer] of [['simpo', 'cpo'], ['sigmoid', 'dpo'], ['orpo', 'orpo']] as const) {
        const res = await exportPairs(pairs, { target: 'trl', outDir: join(dir, loss), prefLoss: loss, baseModel: model });
        assert.deepEqual(res.skipped, []);
        assert.deepEqual(res.warnings, []);
        const cfg = res.commands[0][res.commands[0].length - 1];
        if (trainer === 'cpo') {
          // --check: the same stages up to the data, nothing loaded or trained.
          const check = runScript(res.commands[0], standIn, ['--check']);
          assert.equal(check.code, 0, check.err);
          assert.match(check.err, /eos {5}every completion ends before <\|im_end\|>: the trainer appends it once/);
          assert.match(check.err, /check {3}done: nothing loaded, nothing trained/);
          assert.doesNotMatch(check.err, NOISE, check.err);
          assert.equal(existsSync(join(dir, loss, 'output', 'standin_trained.json')), false);
        }
        const run = runScript(res.commands[0], standIn);
        assert.equal(run.code, 0, run.err);
        const records = readLines(fileOf(res, 'itool_pairs.jsonl'));
        const trained = checkRun(layout, tf, trainer, cfg, run.err, records, sources);
        // Calls in a side render as the template renders calls in the prompt: one format.
        trained.rows.forEach((row, i) => {
          const chosen = (records[i].chosen as { tool_calls?: { function: { name: string } }[] }[])[0];
          for (const c of chosen.tool_calls ?? []) assert.ok(row.chosen!.includes(`<tool_call>\n{"name": "${c.function.name}"`), `row ${i}`);
        });
      }

      // The curriculum: three SFT stages, each continuing the adapter the one before saved.
      const cur = await exportCurriculum({ easy: bySource['xlam_sample.jsonl'], medium: bySource['openai_sample.jsonl'], hard: bySource['hermes_sample.jsonl'] }, { target: 'trl', outDir: join(dir, 'curriculum'), baseModel: model });
      assert.deepEqual(cur.skipped, []);
      const stageSources = [bySource['xlam_sample.jsonl'], bySource['openai_sample.jsonl'], bySource['hermes_sample.jsonl']];
      let prev = model;
      for (const [k, command] of cur.commands.entries()) {
        const run = runScript(command, standIn);
        assert.equal(run.code, 0, run.err);
        const cfg = command[command.length - 1];
        const records = readLines((parseYaml(readFileSync(cfg, 'utf8')) as { datasets: { data_files: string }[] }).datasets[0].data_files);
        const trained = checkRun(layout, tf, 'sft', cfg, run.err, records, stageSources[k]);
        assert.equal(trained.model.path, prev);
        assert.equal(trained.model.kwargs.adapter === 'True', k > 0, 'later stages continue the saved adapter');
        prev = (parseYaml(readFileSync(cfg, 'utf8')) as { output_dir: string }).output_dir;
      }
    });
  }

  for (const [layout, tf] of [['0.24.0', '4.57'], ['main', '5']] as const) {
    it(`TRL ${layout}, a Llama 3 tokenizer (BOS on encode, EOS <|eot_id|>): one BOS per prompt and one EOS per completion on every trainer`, { skip: NO_PYTHON }, async () => {
      const dir = join(tmp, `trl-llama3-${layout}`);
      const standIn = join(dir, 'standin');
      writeTrlStandIn(standIn, layout, tf, !hasPyYaml());
      const model = join(dir, 'llama3');
      mkdirSync(model, { recursive: true });
      writeFileSync(join(model, 'standin_llama3'), '');
      const sources = pairs.map((p) => p.sample);
      for (const [loss, trainer] of [['simpo', 'cpo'], ['sigmoid', 'dpo'], ['orpo', 'orpo']] as const) {
        const res = await exportPairs(pairs, { target: 'trl', outDir: join(dir, loss), prefLoss: loss, baseModel: model });
        const run = runScript(res.commands[0], standIn);
        assert.equal(run.code, 0, run.err);
        // Only where the trainer encodes the text with the tokenizer's BOS is the template's cut.
        assert.equal(/bos {5}<\|begin_of_text\|> cut from \d+ prompt/.test(run.err), trainer === 'dpo' && layout === 'main', run.err);
        checkRun(layout, tf, trainer, res.commands[0][res.commands[0].length - 1], run.err, readLines(fileOf(res, 'itool_pairs.jsonl')), sources, LLAMA3);
      }
      const cur = await exportCurriculum({ easy: bySource['xlam_sample.jsonl'], medium: [], hard: [] }, { target: 'trl', outDir: join(dir, 'curriculum'), baseModel: model });
      const run = runScript(cur.commands[0], standIn);
      assert.equal(run.code, 0, run.err);
      assert.match(run.err, /bos {5}<\|begin_of_text\|> cut from \d+ prompt/);
      const cfg = cur.commands[0][cur.commands[0].length - 1];
      const records = readLines((parseYaml(readFileSync(cfg, 'utf8')) as { datasets: { data_files: string }[] }).datasets[0].data_files);
      checkRun(layout, tf, 'sft', cfg, run.err, records, bySource['xlam_sample.jsonl'], LLAMA3);
    });
  }

  it('an export without a base model stops at the placeholder with what to set, not a Hub error', { skip: NO_PYTHON }, async () => {
    const dir = join(tmp, 'trl-placeholder');
    writeTrlStandIn(join(dir, 'standin'), 'main', '5', !hasPyYaml());
    const res = await exportPairs(pairs.slice(0, 2), { target: 'trl', outDir: join(dir, 'e') });
    const run = runScript(res.commands[0], join(dir, 'standin'), ['--check']);
    assert.equal(run.code, 1);
    assert.match(run.err, /set model_name_or_path in .*itool_pairs\.simpo\.yaml to your policy/);
  });

  it('`trl dpo --config` on main: every key of the DPO YAML is a field TrlParser knows (no max_prompt_length)', async () => {
    const res = await exportPairs(pairs, { target: 'trl', outDir: join(tmp, 'trl-cli'), prefLoss: 'sigmoid' });
    const yaml = parseYaml(readFileSync(fileOf(res, '.dpo.yaml'), 'utf8')) as Obj;
    const known = new Set([...CONFIG_FIELDS.main.DPOConfig.map(([n]) => n), ...TRAINING_ARGUMENT_FIELDS, ...TRL_PARSER_EXTRA_FIELDS]);
    assert.deepEqual(Object.keys(yaml).filter((k) => !known.has(k)), []);
    assert.match(readFileSync(fileOf(res, '.dpo.yaml'), 'utf8'), /`trl dpo --config .*` reads it too on TRL 0\.29 and later/);
  });
});

// ---- LLaMA-Factory ------------------------------------------------------------------------------

const ODD = ['human', 'observation'];
const EVEN = ['gpt', 'function_call'];

/** converter.py SharegptDatasetConverter's checks, and formatter.py FunctionFormatter's parse of a function_call. */
function lfProblems(rec: Obj, ranking: boolean): string[] {
  const out: string[] = [];
  const conv = rec.conversations as { from: string; value: string }[];
  conv.forEach((t, i) => {
    if (!(i % 2 === 0 ? ODD : EVEN).includes(t.from)) out.push(`turn ${i} is ${t.from}`);
  });
  if (ranking ? conv.length % 2 === 0 : conv.length % 2 !== 0) out.push(`message count ${conv.length}`);
  const turns = [...conv];
  if (ranking) {
    for (const k of ['chosen', 'rejected']) {
      const s = rec[k] as { from: string; value: string };
      if (!EVEN.includes(s.from)) out.push(`${k} is ${s.from}`);
      turns.push(s);
    }
  }
  for (const t of turns.filter((x) => x.from === 'function_call')) {
    let v: unknown;
    try {
      v = JSON.parse(t.value);
    } catch {
      out.push(`function_call is not JSON: ${t.value.slice(0, 60)}`);
      continue;
    }
    for (const c of [v].flat() as Obj[]) if (typeof c?.name !== 'string' || !('arguments' in c)) out.push(`function_call without name/arguments: ${t.value.slice(0, 60)}`);
  }
  return out;
}

/** Every call a record holds, by how it is written: function_call turns, or text some parser reads as calls. */
function callForms(rec: Obj, ranking: boolean): { structured: number; asText: number } {
  const turns = [...(rec.conversations as { from: string; value: string }[])].filter((t) => EVEN.includes(t.from));
  if (ranking) turns.push(rec.chosen as { from: string; value: string }, rec.rejected as { from: string; value: string });
  let structured = 0;
  let asText = 0;
  for (const t of turns) {
    if (t.from === 'function_call') structured++;
    else if (completeCalls(t.value)) asText++;
  }
  return { structured, asText };
}

describe('LLaMA-Factory: records against its converter, formatter and template rules', () => {
  async function both(name: string, calls: CallRenderingSetting, template = 'llama3'): Promise<{ pairs: Obj[]; curriculum: Obj[] }> {
    const dir = join(tmp, `lf-${name}`);
    const p = await exportPairs(pairs, { target: 'llamafactory', outDir: dir, template, calls, name: 'pairs' });
    const c = await exportCurriculum({ easy: pairs.map((x) => x.sample), medium: [], hard: [] }, { target: 'llamafactory', outDir: dir, template, calls, name: 'warm' });
    assert.deepEqual([p.skipped, c.skipped, p.warnings, c.warnings], [[], [], [], []]);
    return { pairs: JSON.parse(readFileSync(fileOf(p, 'pairs.json'), 'utf8')) as Obj[], curriculum: JSON.parse(readFileSync(join(dir, 'warm_easy.json'), 'utf8')) as Obj[] };
  }

  for (const calls of ['auto', 'template', 'text'] as const) {
    it(`calls '${calls}', a non-Qwen template: every record passes the converter and formatter; pairs and curriculum write calls in one format`, async () => {
      const out = await both(calls, calls);
      out.pairs.forEach((r, i) => assert.deepEqual(lfProblems(r, true), [], `pair ${i} (${pairs[i].sample.id})`));
      out.curriculum.forEach((r, i) => assert.deepEqual(lfProblems(r, false), [], `curriculum ${i} (${pairs[i].sample.id})`));
      let structured = 0;
      let text = 0;
      pairs.forEach(({ sample }, i) => {
        const mode = calls === 'auto' ? callRenderingFor(sample.format) : calls;
        const p = callForms(out.pairs[i], true);
        const c = callForms(out.curriculum[i], false);
        const what = `${sample.format} ${sample.id}`;
        if (mode === 'template') {
          // Every call a function_call, which the template writes in its own tool format; no call as text.
          assert.deepEqual([p.asText, c.asText], [0, 0], what);
          structured += p.structured + c.structured;
        } else {
          // Every call the dataset's or the policy's own text; no function_call anywhere.
          assert.deepEqual([p.structured, c.structured], [0, 0], what);
          text += p.asText + c.asText;
          if (referenceTurn(sample)!.calls) assert.equal((out.curriculum[i].conversations as { value: string }[]).at(-1)!.value, assistantText(referenceTurn(sample)!), what);
        }
      });
      if (calls !== 'text') assert.ok(structured > 0);
      if (calls !== 'template') assert.ok(text > 0);
    });
  }

  it('parallel tool results are one observation, separated as LLaMA-Factory separates them (OpenAI and Hermes data)', async () => {
    const out = await both('parallel', 'template', 'qwen');
    let seen = 0;
    pairs.forEach(({ sample }, i) => {
      const turns = promptTurns(sample);
      const k = turns.findIndex((t) => (t.calls?.length ?? 0) > 1);
      if (k < 0) return;
      const callsThere = turns[k].calls!.length;
      const conv = out.pairs[i].conversations as { from: string; value: string }[];
      const obs = conv.find((t) => t.from === 'observation')!;
      const parts = obs.value.split(LF_RESULTS_SEPARATOR);
      assert.equal(parts.length, callsThere, `${sample.id}: ${JSON.stringify(obs.value)}`);
      for (const part of parts) assert.doesNotThrow(() => JSON.parse(part), `${sample.id}: each result whole, without tags: ${part}`);
      seen++;
    });
    assert.ok(seen >= 2, `parallel results in the demo data: ${seen}`);
  });

  it('the template: guessed from the base model, kept when chosen, and otherwise left out with a warning (never `default`)', async () => {
    const some = pairs.slice(0, 3);
    const yamlOf = async (opts: { baseModel?: string; template?: string }, name: string) => {
      const res = await exportPairs(some, { target: 'llamafactory', outDir: join(tmp, `lf-tpl-${name}`), ...opts });
      return { res, y: parseYaml(readFileSync(fileOf(res, '.dpo.yaml'), 'utf8')) as Obj };
    };
    const qwen = await yamlOf({ baseModel: 'Qwen/Qwen2.5-7B-Instruct' }, 'qwen');
    assert.deepEqual([qwen.y.template, qwen.res.warnings], ['qwen', []]);
    const chosen = await yamlOf({ template: 'default' }, 'chosen');
    assert.deepEqual([chosen.y.template, chosen.res.warnings], ['default', []]);
    const unknown = await yamlOf({ baseModel: 'acme/tool-model-v2' }, 'unknown');
    assert.equal(unknown.y.template, undefined);
    assert.equal(unknown.res.warnings.length, 1);
    assert.match(unknown.res.warnings[0], /the base model acme\/tool-model-v2 names no model family iTool knows.*tokenizer's own chat template.*--template/);
    // Curriculum too; TRL and OpenAI need no template.
    const cur = await exportCurriculum({ easy: some.map((p) => p.sample), medium: [], hard: [] }, { target: 'llamafactory', outDir: join(tmp, 'lf-tpl-cur') });
    assert.equal(cur.warnings.length, 1);
    assert.equal((parseYaml(readFileSync(fileOf(cur, '_easy.sft.yaml'), 'utf8')) as Obj).template, undefined);
    for (const target of ['trl', 'openai'] as const) assert.deepEqual((await exportPairs(some, { target, outDir: join(tmp, `tpl-${target}`) })).warnings, []);
  });
});

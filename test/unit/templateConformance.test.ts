// Chat-template conformance: every template of the corpus (test/fixtures/chat_templates, 29 real
// templates: vLLM's tool templates and the templates of models people fine-tune) over every sample
// kind, rendered by the product byte for byte as Python's jinja2 renders it under transformers'
// configuration (references.json, made by scripts/templates/render_reference.py), and every case
// Python cannot render reported as an error row — never scored. Then the scoring step on top of the
// render: what is cut out as the answer, and every way it refuses to score other text.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { chatMessages, generatedCallId } from '../../src/core/model/messages';
import { scoredAs, templateRenderer } from '../../src/core/calibrate/scoredAs';
import { ChatTemplate } from '../../src/core/model/chatTemplate';
import { FORMATS } from '../../src/core/dataset/formats';
import { writeTinyModel } from '../../src/core/model/testModels';
import { corpusTemplate, FIXTURES, loadCorpus, renderCase } from '../support/templateCorpus';

const ROOT = resolve(__dirname, '..', '..');
const { templates, samples, references } = loadCorpus();
const byName = new Map(templates.map((t) => [t.name, t]));

describe('chat-template conformance with Python jinja2 (transformers configuration)', () => {
  it('the references are current: made from these very templates', () => {
    for (const c of references.cases) {
      const t = byName.get(c.template);
      assert.ok(t, `${c.template} is in the corpus`);
      assert.equal(createHash('sha256').update(t.template).digest('hex'), c.templateSha256, `${c.template}: rerun scripts/templates/render_reference.py`);
    }
    assert.equal(references.cases.length, templates.length * 8, 'every template × 8 cases (6 OpenAI-format samples, a ToolACE sample in two renderings)');
  });

  it('every case Python renders is rendered byte-identical; every case Python refuses is refused too', () => {
    const mismatches: string[] = [];
    let identical = 0;
    let refusedBoth = 0;
    for (const c of references.cases) {
      const s = samples.get(c.sample)!;
      const ct = corpusTemplate(byName.get(c.template)!, references.now);
      const label = `${c.template} × ${c.sample} (${c.calls})`;
      const { prompt, full, error } = renderCase(ct, s, c.calls);
      if (c.error !== undefined) {
        if (error === undefined) mismatches.push(`${label}: Python raises (${c.error}) but the product rendered`);
        else refusedBoth++;
      } else if (error !== undefined) {
        mismatches.push(`${label}: Python renders, the product raised ${error}`);
      } else if (prompt !== c.prompt || full !== c.full) {
        const [a, b] = prompt !== c.prompt ? [prompt!, c.prompt!] : [full!, c.full!];
        let k = 0;
        while (k < a.length && a[k] === b[k]) k++;
        mismatches.push(`${label}: ${prompt !== c.prompt ? 'prompt' : 'full'} differs at ${k}: product ${JSON.stringify(a.slice(k, k + 50))}, Python ${JSON.stringify(b.slice(k, k + 50))}`);
      } else identical++;
    }
    assert.deepEqual(mismatches, []);
    const rendered = references.cases.filter((c) => c.error === undefined).length;
    assert.equal(identical, rendered);
    assert.equal(refusedBoth, references.cases.length - rendered);
    assert.ok(rendered >= 200, `${rendered} cases render in Python`);
  });

  it('through the calibration path: the prompt is Python\'s, the answer is what follows it; a case Python refuses is an error row with the template\'s reason', async () => {
    const classes = new Map<string, number>();
    for (const c of references.cases) {
      const s = samples.get(c.sample)!;
      const row = await scoredAs(templateRenderer(corpusTemplate(byName.get(c.template)!, references.now)), s, c.calls);
      const label = `${c.template} × ${c.sample} (${c.calls})`;
      if ('error' in row) {
        classes.set(row.kind, (classes.get(row.kind) ?? 0) + 1);
        if (c.error !== undefined) {
          assert.equal(row.kind, 'template-failed', label);
          // The template's own reason, as Python gives it (raise_exception's message).
          const pyReason = /^TemplateError: (.*)$/.exec(c.error)?.[1];
          if (pyReason) assert.ok(row.error.includes(pyReason), `${label}: ${row.error} names ${pyReason}`);
        } else {
          // Python renders it, but the answer cannot be cut out or does not hold the reference: refused, with a reason.
          assert.notEqual(row.kind, 'template-failed', `${label}: ${row.error}`);
        }
        continue;
      }
      classes.set('scored', (classes.get('scored') ?? 0) + 1);
      assert.equal(c.error, undefined, label);
      assert.equal(row.prompt, c.prompt, label);
      assert.ok(c.full!.startsWith(row.prompt + row.response), label);
      assert.ok(row.response.trim().length > 0, label);
    }
    // Measured on this corpus: 167 scored; refused: 24 template-failed (Python raises too), 36
    // not-a-prefix (Mistral moves the system prompt to the last user turn, DeepSeek V3 and Hermes
    // write other white space once an answer follows), 5 drops-calls (Hammer 2.1 ignores tool_calls).
    assert.ok((classes.get('scored') ?? 0) >= 160, JSON.stringify([...classes]));
    assert.deepEqual([...classes.keys()].sort(), ['drops-calls', 'not-a-prefix', 'scored', 'template-failed']);
  });

  it('template snippets (filters, tests, str methods, printing of None, dicts, floats) render as in Python, or fail where Python fails', () => {
    const differ: string[] = [];
    for (const sn of references.snippets) {
      const ct = ChatTemplate.fromText(sn.template, {}, 'snippet');
      let got: string | undefined;
      try {
        got = ct.renderVariables({ ...references.snippetContext, tools: null });
      } catch {
        got = undefined;
      }
      if (sn.ok !== undefined ? got !== sn.ok : got !== undefined) differ.push(`${sn.template}\n   Python: ${sn.ok ?? sn.error}\n   product: ${got ?? 'raised'}`);
    }
    assert.deepEqual(differ, []);
    assert.ok(references.snippets.length >= 70);
  });

  it('generated call ids are 9 alphanumerics, stable, and the ones the Python script computes', () => {
    const id = generatedCallId('toolace_python_call', 2, 0);
    assert.match(id, /^[A-Za-z0-9]{9}$/);
    assert.equal(generatedCallId('toolace_python_call', 2, 0), id);
    assert.notEqual(generatedCallId('toolace_python_call', 2, 1), id);
    const mistral = references.cases.find((c) => c.template === 'vllm:mistral' && c.sample === 'toolace_python_call' && c.calls === 'template');
    assert.ok(mistral?.full?.includes(`"id": "${id}"`), 'Mistral writes the generated id, and Python computed the same one');
  });
});

/** A renderer over a template text. */
const rendererOf = (template: string, special: Record<string, string> = {}) => templateRenderer(ChatTemplate.fromText(template, special, 'test template'));
const openaiSample = (id: string) => [...samples.values()].find((s) => s.id === id)!;
const toolace = samples.get('toolace_python_call')!;
const LLAMA31 = byName.get('hf:meta-llama/Llama-3.1-8B-Instruct')!;

describe('what is scored', () => {
  it('ToolACE data under Llama 3.1 scores the python-call text by default (as LLaMA-Factory trained it), the JSON call only with --calls template', async () => {
    const r = await scoredAs(templateRenderer(corpusTemplate(LLAMA31, references.now)), toolace);
    assert.ok(!('error' in r));
    assert.equal(r.calls, 'text');
    assert.equal(r.response, '[FIFARankings(league="Men")]<|eot_id|>');
    const t = await scoredAs(templateRenderer(corpusTemplate(LLAMA31, references.now)), toolace, 'template');
    assert.ok(!('error' in t));
    assert.equal(t.response, '{"name": "FIFARankings", "parameters": {"league": "Men"}}<|eot_id|>');
  });

  // An older template: it writes each message's content and knows nothing of tool_calls.
  const IGNORES_CALLS = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

  it('a template that ignores tool_calls: structured calls are refused (not one end-of-turn token scored), text calls are scored as text', async () => {
    const r = await scoredAs(rendererOf(IGNORES_CALLS), openaiSample('one_call'));
    assert.ok('error' in r);
    assert.equal(r.kind, 'drops-calls');
    assert.match(r.error, /does not write the call to get_weather .*--calls text/);
    const t = await scoredAs(rendererOf(IGNORES_CALLS), toolace);
    assert.ok(!('error' in t));
    assert.equal(t.response, '[FIFARankings(league="Men")]<|im_end|>\n');
    const forced = await scoredAs(rendererOf(IGNORES_CALLS), openaiSample('one_call'), 'text');
    assert.ok(!('error' in forced));
    assert.equal(forced.response, '[{"name":"get_weather","arguments":{"city":"Paris","unit":"celsius"}}]<|im_end|>\n');
  });

  it('a template that writes the next assistant header after each turn: the header is not part of the scored answer', async () => {
    const t = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>\n{% if m.role == 'assistant' %}<|assistant|>{% endif %}{% endfor %}{% if add_generation_prompt and messages[-1].role != 'assistant' %}<|assistant|>{% endif %}";
    const r = await scoredAs(rendererOf(t), openaiSample('text_answer'));
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.equal(r.response, 'I can look up the weather and convert currencies for you.<|end|>\n');
  });

  it('a prompt that is not a prefix of the full render is refused, never replaced by other text', async () => {
    // Marks the last message: the prompt's last user turn renders differently once an answer follows.
    const t = "{% for m in messages %}{% if loop.last %}[LAST]{% endif %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
    const r = await scoredAs(rendererOf(t), openaiSample('text_answer'));
    assert.ok('error' in r);
    assert.equal(r.kind, 'not-a-prefix');
    assert.match(r.error, /not a prefix of the rendered conversation \(they part at character \d+/);
  });

  it('arguments go as objects, and as JSON strings only where the template concatenates them (DeepSeek-R1)', async () => {
    const r = await scoredAs(templateRenderer(corpusTemplate(byName.get('hf:deepseek-ai/DeepSeek-R1')!, references.now)), openaiSample('one_call'));
    assert.ok(!('error' in r));
    assert.ok(r.response.includes('```json\n{"city": "Paris", "unit": "celsius"}\n```'), r.response);
    assert.ok(!r.response.includes('[object'), r.response);
  });

  it('tool results carry the name and id of the call they answer', () => {
    const s = openaiSample('call_result_text');
    const tool = chatMessages(s, 'template').find((m) => m.role === 'tool');
    assert.deepEqual(tool, { role: 'tool', content: '{"temperature": 18, "condition": "cloudy"}', tool_call_id: 'k3L4m5N6o', name: 'get_weather' });
  });
});

describe('itool render and calibrate on a template that fails every sample', () => {
  const CLI = join(ROOT, 'dist', 'cli.js');
  const itool = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  };

  it('render --json prints one line per sample, the same text scoredAs gives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-render-'));
    const cfg = join(dir, 'tokenizer_config.json');
    writeFileSync(cfg, JSON.stringify({ chat_template: LLAMA31.template, ...LLAMA31.specialTokens }));
    const r = itool('render', join(FIXTURES, 'samples.jsonl'), '--chat-template', cfg, '--json');
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; prompt?: string; response?: string; error?: string });
    // 6 records; call_result_text and result_next_call hold two answers each: one sample per answer.
    assert.equal(rows.length, 8);
    assert.ok(['call_result_text#0', 'call_result_text#1', 'result_next_call#0', 'result_next_call#1'].every((id) => rows.some((x) => x.id === id)));
    const parallel = rows.find((x) => x.id === 'parallel_calls')!;
    assert.match(parallel.error ?? '', /This model only supports single tool-calls at once!/);
    const one = rows.find((x) => x.id === 'one_call')!;
    const direct = await scoredAs(templateRenderer(ChatTemplate.fromConfig(JSON.parse(readFileSync(cfg, 'utf8')) as Record<string, unknown>, cfg)), FORMATS.openai.read(JSON.parse(readFileSync(join(FIXTURES, 'samples.jsonl'), 'utf8').split('\n')[1]), 1));
    assert.ok(!('error' in direct));
    // Today's date is in Llama 3.1's system prompt; both renders ran today.
    assert.equal(one.response, direct.response);
    assert.equal(one.prompt, direct.prompt);
  });

  it('calibration where every sample fails exits non-zero with the reason, and writes no selection', async () => {
    const model = join(mkdtempSync(join(tmpdir(), 'itool-refuse-')), 'm');
    await writeTinyModel(model, { layers: 1, hidden: 16, heads: 2, withKvCache: true, seed: 1 });
    const cfgPath = join(model, 'tokenizer_config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    cfg.chat_template = "{% for m in messages %}{% if m.tool_calls %}{{ raise_exception('This template does not take tool calls') }}{% endif %}{{ m.content }}{% endfor %}";
    writeFileSync(cfgPath, JSON.stringify(cfg));
    const data = mkdtempSync(join(tmpdir(), 'itool-refuse-data-'));
    cpSync(join(ROOT, 'demo', 'datasets', 'bfcl'), join(data, 'bfcl'), { recursive: true });
    const out = join(data, 'selection.json');
    const r = itool('calibrate', join(data, 'bfcl', 'BFCL_v4_simple_python.json'), '--model', model, '-o', out);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /calibration refused: 0 samples scored, 40 of 40 skipped \(template-failed 40\): e\.g\. sample simple_python_0: .*This template does not take tool calls/);
    assert.throws(() => readFileSync(out), /ENOENT/);
  });
});

// The search (src/core/search): fragment steps on every call syntax, truncated calls and text;
// the selection rule and backpropagation on hand-built trees; the pair rule; reproducible trees on
// the real tiny ONNX model; explore's journal resume; `itool explore` end to end.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';
import { referenceTurn, type Sample, type ToolCall } from '../../src/core/dataset/sample';
import { OnnxPolicy } from '../../src/core/model/onnx/onnxPolicy';
import type { Policy } from '../../src/core/model/policy';
import { writeTinyModel } from '../../src/core/model/testModels';
import { readJournal } from '../../src/core/store/journal';
import { explore, explorePath, type ExploreEntry } from '../../src/core/search/explore';
import { backpropagate, bestPath, newRoot, searchSample, selectChild, uctScore } from '../../src/core/search/mcts';
import { cleanResponse } from '../../src/core/model/response';
import type { SearchNode, SearchTree } from '../../src/core/search/types';
import { extractPairs, fragmentOverlap, mergePairs } from '../../src/core/search/pairs';
import { fallbackSteps, splitSteps, type Step } from '../../src/core/search/steps';
import { hermes, ScriptedPolicy, scripted, wrong } from '../support/scriptedPolicy';
import { ensureBuiltCli } from '../support/builtCli';

const ROOT = resolve(__dirname, '..', '..');
const DEMO = join(ROOT, 'demo', 'datasets');
const CLI = join(ROOT, 'dist', 'cli.js');

const texts = (steps: Step[]) => steps.map((s) => s.text);
const HERMES = '<tool_call>\n{"name": "calc", "arguments": {"base": 10, "height": 5}}\n</tool_call>';

function copyBfcl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'itool-search-'));
  cpSync(join(DEMO, 'bfcl'), join(dir, 'bfcl'), { recursive: true });
  return join(dir, 'bfcl', 'BFCL_v4_simple_python.json');
}

describe('search steps', () => {
  it('python calls: name with its opening, each key=value with its separator, the closings', () => {
    const steps = splitSteps('[f(a=1, b="x, y"), pkg.g(c=[1, 2])]');
    assert.deepEqual(texts(steps), ['[f(', 'a=1, ', 'b="x, y"', '), ', 'pkg.g(', 'c=[1, 2]', ')]']);
    assert.deepEqual(steps.map((s) => [s.kind, s.key]), [['function', 'f'], ['argument', 'a'], ['argument', 'b'], ['closing', 'f'], ['function', 'pkg.g'], ['argument', 'c'], ['closing', 'pkg.g']]);
    assert.deepEqual(texts(splitSteps('f()')), ['f(', ')']);
  });

  it('JSON and Hermes calls: the head up to the arguments, each "key": value pair, the closing', () => {
    const h = splitSteps(HERMES);
    assert.deepEqual(texts(h), ['<tool_call>\n{"name": "calc", "arguments": {', '"base": 10, ', '"height": 5', '}}\n</tool_call>']);
    assert.deepEqual(h.map((s) => s.kind), ['function', 'argument', 'argument', 'closing']);
    const two = `${HERMES}\n<tool_call>\n{"name": "g", "arguments": {}}\n</tool_call><|im_end|>`;
    assert.deepEqual(texts(splitSteps(two)).slice(3), ['}}\n</tool_call>\n', '<tool_call>\n{"name": "g", "arguments": {', '}}\n</tool_call><|im_end|>']);
    const list = splitSteps('[{"name": "f", "arguments": {"a": 1}}, {"name": "g", "arguments": {"b": "x"}}]');
    assert.deepEqual(texts(list), ['[{"name": "f", "arguments": {', '"a": 1', '}}, ', '{"name": "g", "arguments": {', '"b": "x"', '}}]']);
    assert.deepEqual(list.map((s) => s.key), ['f', 'a', 'f', 'g', 'b', 'g']);
  });

  it('prose before a Hermes call and plain text answers are cut into sentences', () => {
    assert.deepEqual(texts(splitSteps('Let me check.\n' + HERMES)).slice(0, 2), ['Let me check.\n', '<tool_call>\n{"name": "calc", "arguments": {']);
    const t = splitSteps('No tool fits. The weather API is missing! Ask again?');
    assert.deepEqual(texts(t), ['No tool fits. ', 'The weather API is missing! ', 'Ask again?']);
    assert.ok(t.every((s) => s.kind === 'sentence'));
  });

  it('a call cut off mid-way (max tokens): the complete fragments, then one partial tail', () => {
    const py = splitSteps('[f(a=1, b="x"), g(c=[1, 2');
    assert.deepEqual(texts(py), ['[f(', 'a=1, ', 'b="x"', '), ', 'g(', 'c=[1, 2']);
    assert.deepEqual(py.at(-1), { text: 'c=[1, 2', kind: 'argument', key: 'c', partial: true });
    const h = splitSteps(HERMES.slice(0, HERMES.indexOf('5')));
    assert.deepEqual(texts(h), ['<tool_call>\n{"name": "calc", "arguments": {', '"base": 10, ', '"height": ']);
    assert.deepEqual([h[2].kind, h[2].key, h[2].partial], ['argument', 'height', true]);
    assert.deepEqual(splitSteps('<tool_call>\n{"name": "calc", "argu'), [{ text: '<tool_call>\n{"name": "calc", "argu', kind: 'function', key: 'calc', partial: true }]);
    const closing = splitSteps(HERMES.slice(0, -4)).at(-1)!;
    assert.deepEqual([closing.text, closing.kind, closing.partial], ['}}\n</tool_c', 'closing', true]);
  });

  it('text that does not parse falls back to the published splitter (\\. |, |=|\\()', () => {
    assert.deepEqual(texts(fallbackSteps('a. b, c=d(e')), ['a. ', 'b, ', 'c=', 'd(', 'e']);
    const s = splitSteps('[f(a=1) then, x=2');
    assert.deepEqual(texts(s), ['[f(', 'a=1', ')', ' then, ', 'x=', '2']);
    assert.deepEqual(s.slice(3).map((x) => x.kind), ['text', 'text', 'text']);
  });

  it('a continuation after any prefix: exact fragments that finish the prefix’s unit, then the same units as the whole', () => {
    for (const whole of [HERMES, '[f(a=1, b="x, y"), pkg.g(c=[1, 2])]', 'One. Two three. Four!']) {
      const full = splitSteps(whole);
      const ends = new Set<number>();
      let at = 0;
      for (const s of full) ends.add((at += s.text.length));
      for (let k = 0; k <= whole.length; k++) {
        const steps = splitSteps(whole.slice(k), whole.slice(0, k));
        assert.equal(texts(steps).join(''), whole.slice(k), `cut at ${k}`);
        let p = k;
        for (const s of steps) assert.ok(ends.has((p += s.text.length)), `cut at ${k}: step ending at ${p} is not a unit end of the whole`);
      }
    }
    assert.deepEqual(splitSteps('', 'abc'), []);
  });
});

/** A tree built by hand: `spec` lists [parent, text, prior, visits, value]. */
function tree(spec: [number, string, number, number, number][], kinds: Partial<SearchNode>[] = []): SearchNode[] {
  const nodes = [newRoot()];
  spec.forEach(([parent, text, prior, visits, value], i) => {
    const n: SearchNode = { ...newRoot(), id: i + 1, parent, text, prior, visits, value, kind: 'argument', depth: nodes[parent].depth + 1, ...kinds[i] };
    nodes.push(n);
    nodes[parent].children.push(n.id);
  });
  nodes[0].visits = nodes[0].children.reduce((s, c) => s + nodes[c].visits, 0);
  return nodes;
}

describe('search tree', () => {
  it('selection maximises Q/(n+1) + c·prior·sqrt(ln N/(n+1)); ties go to the higher prior', () => {
    const nodes = tree([
      [0, 'a', 0.2, 6, 3], // 3/7 + 0.2·sqrt(ln 10/7) = 0.4286 + 0.1147 = 0.543
      [0, 'b', 0.9, 2, 0.6], // 0.6/3 + 0.9·sqrt(ln 10/3) = 0.2 + 0.7885 = 0.988
      [0, 'c', 0.5, 2, 1.5], // 1.5/3 + 0.5·sqrt(ln 10/3) = 0.5 + 0.438 = 0.938
    ]);
    nodes[0].visits = 10;
    assert.ok(Math.abs(uctScore(nodes[2], 10, 1) - (0.2 + 0.9 * Math.sqrt(Math.log(10) / 3))) < 1e-12);
    assert.equal(selectChild(nodes, 0, 1)?.text, 'b');
    assert.equal(selectChild(nodes, 0, 0)?.text, 'c', 'without exploration the best mean wins');
    assert.equal(selectChild(nodes, 0, 0.1)?.text, 'c');
    // Unvisited children under an unvisited parent all score 0: the policy's favourite goes first.
    const fresh = tree([[0, 'x', 0.1, 0, 0], [0, 'y', 0.7, 0, 0], [0, 'z', 0.7, 0, 0]]);
    assert.equal(selectChild(fresh, 0, 1)?.text, 'y');
  });

  it('backpropagation adds visits and rewards up to the root and keeps the best and worst rollouts', () => {
    const nodes = tree([[0, 'A', 1, 0, 0], [1, 'B', 1, 0, 0], [0, 'C', 1, 0, 0]]);
    backpropagate(nodes, 2, 1, 'AB+done');
    backpropagate(nodes, 1, -0.5, 'A-other');
    backpropagate(nodes, 3, 0.25, 'C!');
    assert.deepEqual(nodes.map((n) => [n.visits, n.value]), [[3, 0.75], [2, 0.5], [1, 1], [1, 0.25]]);
    assert.deepEqual(nodes[1].best, { text: 'B+done', reward: 1 });
    assert.deepEqual(nodes[1].worst, { text: '-other', reward: -0.5 });
    assert.deepEqual(nodes[0].best, { text: 'AB+done', reward: 1 });
    assert.deepEqual(nodes[2].best, { text: '+done', reward: 1 });
    assert.deepEqual(bestPath(nodes), [0, 1, 2], 'A ties C on mean 0.25 and has more visits');
  });

  it('end-of-turn markers are not part of what the checker reads', () => {
    assert.equal(cleanResponse(`${HERMES}<|im_end|>\n`), HERMES);
    assert.equal(cleanResponse('ok</s><|eot_id|>'), 'ok');
  });
});

function handSample(): Sample {
  const calls: ToolCall[] = [{ name: 'f', arguments: { a: 1, b: 2 } }];
  return {
    id: 'hand_1',
    index: 7,
    format: 'hermes',
    turns: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '', calls }],
    referenceIndex: 1,
    tools: [{ name: 'f', parameters: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } }, required: ['a', 'b'] } }],
  };
}

function asTree(nodes: SearchNode[]): SearchTree {
  return { version: 1, sampleId: 'hand_1', options: { numActions: 3, temperature: 1.5, maxNewTokens: 50, depth: 3, iterations: 5, maxSimulationSteps: 2, explorationWeight: 1, seed: 0 }, nodes, bestPath: [], bestResponse: '', bestReward: null, rollouts: 0 };
}

const HEAD = '<tool_call>\n{"name": "f", "arguments": {';
const REST = '"b": 2}}\n</tool_call>';

/** root → head → {a=1 (mean m1), a=3 (mean m2), a=9 (unvisited)}, each completed by REST. */
function pairTree(m1: number, m2: number, f1 = '"a": 1, ', f2 = '"a": 3, '): SearchNode[] {
  const nodes = tree(
    [[0, HEAD, 0.9, 4, 2 * m1 + 2 * m2], [1, f1, 0.5, 2, 2 * m1], [1, f2, 0.4, 2, 2 * m2], [1, '"a": 9, ', 0.3, 0, 0]],
    [{ kind: 'function', key: 'f' }, { key: 'a' }, { key: 'a' }, { key: 'a' }],
  );
  nodes[2].best = { text: REST, reward: 1 };
  nodes[3].best = nodes[3].worst = { text: REST, reward: -0.2 };
  nodes[2].worst = { text: REST, reward: 1 };
  return nodes;
}

describe('pairs', () => {
  it('at a node with two visited children: chosen = highest mean, rejected = lowest, both completed and judged', () => {
    const pairs = extractPairs(asTree(pairTree(1, -0.2)), handSample(), { round: 2 });
    assert.equal(pairs.length, 1);
    const p = pairs[0];
    assert.deepEqual([p.sampleId, p.index, p.round, p.nodeId, p.prefix, p.kind, p.key], ['hand_1', 7, 2, 1, HEAD, 'argument', 'a']);
    assert.deepEqual([p.chosen.fragment, p.chosen.text, p.chosen.value, p.chosen.visits], ['"a": 1, ', `"a": 1, ${REST}`, 1, 2]);
    assert.deepEqual([p.rejected.fragment, p.rejected.completion, p.rejected.value], ['"a": 3, ', REST, -0.2]);
    assert.equal(p.gap, 1.2);
    assert.equal(p.overlap, 0.333333, 'one lexeme of two differs: the name is shared, the value is not');
    assert.equal(p.chosen.verdict.valid, true);
    assert.equal(p.rejected.verdict.valid, false);
    assert.deepEqual(p.rejected.verdict.errors.map((e) => [e.kind, e.param]), [['wrong_value', 'a']]);
    const span = p.rejected.verdict.errors[0].span!;
    assert.equal((p.prefix + p.rejected.text).slice(span.start, span.end), '3', 'error spans index prefix + side text');
  });

  it('keeps a pair only with gap ≥ 0.1, overlap ≤ 0.95 and chosen value ≥ −0.3 (each adjustable)', () => {
    const s = handSample();
    assert.equal(extractPairs(asTree(pairTree(0.5, 0.45)), s).length, 0, 'gap 0.05');
    assert.equal(extractPairs(asTree(pairTree(0.5, 0.45)), s, { minGap: 0.05 }).length, 1);
    assert.equal(extractPairs(asTree(pairTree(0.5, 0.4)), s).length, 1, 'gap 0.1 exactly');
    assert.equal(extractPairs(asTree(pairTree(-0.35, -0.9)), s).length, 0, 'chosen below −0.3');
    assert.equal(extractPairs(asTree(pairTree(-0.3, -0.9)), s).length, 1);
    // Near-copies (the same values and names, in another layout) are dropped; the cap is adjustable.
    const long = `"city": "San Francisco", "unit": "celsius", "days": 7, "include_hourly": true`;
    const relaid = long.replaceAll(': ', ':').replaceAll(', ', ',');
    assert.equal(fragmentOverlap(long, relaid), 1);
    assert.equal(extractPairs(asTree(pairTree(1, 0, long, relaid)), s).length, 0, 'the same arguments, other spacing');
    assert.equal(extractPairs(asTree(pairTree(1, 0, long, relaid)), s, { maxOverlap: 1 }).length, 1);
    assert.equal(fragmentOverlap('', ''), 1);
    assert.equal(fragmentOverlap('abc', 'xyz'), 0);
  });

  it('repeats (same sample, prefix, chosen and rejected) are merged', () => {
    const [p] = extractPairs(asTree(pairTree(1, 0)), handSample());
    const [q] = extractPairs(asTree(pairTree(1, 0, '"a": 1, ', '"a": 4, ')), handSample());
    assert.deepEqual(mergePairs([p, { ...p, round: 3 }, q, p]), [p, q]);
  });
});

describe('search on policies', () => {
  let modelDir: string;
  let onnx: OnnxPolicy;
  before(async () => {
    modelDir = join(mkdtempSync(join(tmpdir(), 'itool-model-')), 'tiny');
    await writeTinyModel(modelDir, { layers: 2, hidden: 32, heads: 4, withKvCache: true, seed: 5 });
    onnx = await OnnxPolicy.open(modelDir, { executionProvider: 'cpu' });
  });
  after(async () => {
    await onnx?.close();
  });

  it('the tiny ONNX model: the same seed gives the same tree, another seed another; the tree is consistent', async () => {
    const ds = await Dataset.open(join(DEMO, 'bfcl', 'BFCL_v4_simple_python.json'));
    try {
      const r = await ds.sample(0);
      assert.ok(r.ok);
      const knobs = { iterations: 3, numActions: 3, maxNewTokens: 16, seed: 11 };
      const a = await searchSample(onnx, r.sample, knobs);
      const b = await searchSample(onnx, r.sample, knobs);
      const c = await searchSample(onnx, r.sample, { ...knobs, seed: 12 });
      assert.equal(JSON.stringify(a), JSON.stringify(b));
      assert.notEqual(JSON.stringify(a.nodes), JSON.stringify(c.nodes));
      assert.deepEqual(JSON.parse(JSON.stringify(a)), a, 'plain data');
      assert.ok(a.nodes.length > 3);
      assert.equal(a.nodes[0].visits, a.rollouts);
      for (const n of a.nodes) {
        const kids = n.children.map((k) => a.nodes[k]);
        assert.ok(kids.reduce((s, k) => s + k.visits, 0) <= n.visits, `node ${n.id}: children visited more than their parent`);
        assert.ok(kids.every((k) => k.parent === n.id && k.depth === n.depth + 1));
        assert.equal(new Set(kids.map((k) => k.text)).size, kids.length, 'identical steps are merged');
        assert.ok(n.prior > 0 && n.prior <= 1);
        assert.ok(n.value <= n.visits && n.value >= -n.visits);
      }
    } finally {
      await ds.close();
    }
  });

  it('a scripted policy: branches at the faulty fragments, which become pairs with verdicts', async () => {
    const ds = await Dataset.open(join(DEMO, 'bfcl', 'BFCL_v4_simple_python.json'));
    try {
      const inner: Policy = await scripted(ds, [0]);
      // Every continuation the policy hands the search is counted: the search's cost in policy samples.
      let drawn = 0;
      const policy: Policy = {
        id: inner.id,
        label: inner.label,
        chatTemplate: (...a) => inner.chatTemplate(...a),
        score: (...a) => inner.score(...a),
        sample: async (...a) => {
          const out = await inner.sample(...a);
          drawn += out.length;
          return out;
        },
        close: () => inner.close(),
      };
      const r = await ds.sample(0);
      assert.ok(r.ok);
      const t = await searchSample(policy, r.sample, { maxNewTokens: 40, seed: 3 });
      assert.ok(drawn > 0);
      assert.equal(t.samples, drawn);
      assert.equal(cleanResponse(t.bestResponse), hermes(referenceTurn(r.sample)!.calls![0]));
      assert.equal(t.bestReward, 1);
      const pairs = extractPairs(t, r.sample);
      const byKind = new Map(pairs.map((p) => [p.kind, p]));
      const fn = byKind.get('function');
      assert.ok(fn, JSON.stringify(pairs.map((p) => [p.kind, p.key])));
      // 40 tokens end inside the name, so the tree first branches after the shared part of it.
      assert.ok('<tool_call>\n{"name": "calculate_triangle_area", "arguments": {'.startsWith(fn.prefix), fn.prefix);
      assert.equal(fn.key, 'calculate_triangle_area');
      assert.equal(fn.rejected.fragment, `_area_v2", "arguments": {`);
      assert.equal(fn.rejected.key, 'calculate_triangle_area_v2');
      assert.deepEqual(fn.rejected.verdict.errors.map((e) => e.kind), ['wrong_function']);
      const arg = byKind.get('argument');
      assert.ok(arg);
      // The wrong variant changes the last argument (unit: "units" → "units_x").
      const ref = referenceTurn(r.sample)!.calls![0].arguments;
      const last = Object.keys(ref).at(-1)!;
      assert.equal(arg.key, last);
      assert.deepEqual([arg.chosen.fragment, arg.rejected.fragment], [`"${last}": ${JSON.stringify(ref[last])}`, `"${last}": ${JSON.stringify(wrong(ref[last]))}`]);
      assert.equal(arg.chosen.verdict.valid, true);
      assert.deepEqual(arg.rejected.verdict.errors.map((e) => [e.kind, e.param]), [['wrong_value', last]]);
    } finally {
      await ds.close();
    }
  });

  for (const which of ['scripted', 'onnx'] as const) {
    it(`explore (${which}): an aborted run resumes from its journal, skipping finished samples, to the pairs of an uninterrupted run`, async () => {
      const [a, b] = [await Dataset.open(copyBfcl()), await Dataset.open(copyBfcl())];
      const targets = [0, 1, 2, 3].map((index) => ({ index, id: `simple_python_${index}` }));
      const policy = which === 'onnx' ? onnx : await scripted(a, [0, 1, 2, 3]);
      const knobs = which === 'onnx' ? { iterations: 2, maxNewTokens: 16, concurrency: 2, round: 2 } : { iterations: 3, maxNewTokens: 40, concurrency: 2, round: 2 };
      try {
        const outA = join(a.path, '..', 'pairs.jsonl');
        const full = await explore(a, policy, targets, { ...knobs, out: outA });
        assert.equal(full.entries.length, 4);
        if (which === 'scripted') assert.ok(full.pairs.length >= 4, `pairs: ${full.pairs.length}`);
        assert.ok(full.pairs.every((p) => p.round === 2));

        const ctl = new AbortController();
        const seen: number[] = [];
        await assert.rejects(
          explore(b, policy, targets, { ...knobs, signal: ctl.signal, onProgress: (p) => (seen.push(p.done), p.done >= 1 && ctl.abort()) }),
          (e: Error) => e.name === 'AbortError',
        );
        const path = explorePath(b.path, policy.id, 2);
        const partial = (await readJournal<{ type: string }>(path)).entries.filter((e): e is ExploreEntry => e.type === 'result');
        assert.ok(partial.length >= 1 && partial.length < 4, `journaled before the abort: ${partial.length}`);
        const calls = policy instanceof ScriptedPolicy ? policy.calls : 0;
        const outB = join(b.path, '..', 'pairs.jsonl');
        const resumed = await explore(b, policy, targets, { ...knobs, out: outB });
        assert.equal(resumed.resumed, partial.length);
        assert.deepEqual(resumed.entries.map((e) => e.tree), full.entries.map((e) => e.tree));
        assert.deepEqual(resumed.pairs, full.pairs);
        assert.equal(readFileSync(outB, 'utf8'), readFileSync(outA, 'utf8'));
        // A third run has nothing left to search.
        const before = policy instanceof ScriptedPolicy ? policy.calls : 0;
        assert.ok(before >= calls);
        const again = await explore(b, policy, targets, knobs);
        assert.equal(again.resumed, 4);
        if (policy instanceof ScriptedPolicy) assert.equal(policy.calls, before);
        // The run's policy samples, resumed trees' included: the same count however the run went.
        assert.ok(full.samples! > 0);
        assert.equal(full.samples, full.entries.reduce((n, e) => n + e.tree.samples!, 0));
        assert.equal(resumed.samples, full.samples);
        assert.equal(again.samples, full.samples);
      } finally {
        await a.close();
        await b.close();
      }
    });
  }
});

describe('itool explore', () => {
  before(() => {
    ensureBuiltCli();
  });

  it('explores the samples `itool calibrate` selected on the demo BFCL file, and resumes', async () => {
    const data = copyBfcl();
    const model = join(data, '..', '..', 'tiny');
    await writeTinyModel(model, { layers: 2, hidden: 32, heads: 4, withKvCache: true, seed: 5 });
    const sel = join(data, '..', '..', 'selection.json');
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    let r = run('calibrate', data, '--model', model, '--ratio', '0.1', '-o', sel);
    assert.equal(r.status, 0, r.stderr);
    const selected = (JSON.parse(readFileSync(sel, 'utf8')) as { selected: unknown[] }).selected.length;
    assert.ok(selected > 0);
    const out = join(data, '..', '..', 'pairs.jsonl');
    const args = ['explore', data, '--model', model, '--selection', sel, '-o', out, '--iters', '2', '--actions', '2', '--max-new-tokens', '16', '--seed', '4', '--concurrency', '2'];
    r = run(...args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`explored +${selected} of ${selected} selected samples, 0 skipped`));
    assert.match(r.stdout, /search +2 iterations, 2 actions, depth 3, temperature 1\.5, 16 new tokens, seed 4/);
    assert.match(r.stdout, /pairs +\d+/);
    const journal = /journal +(.+)/.exec(r.stdout)![1];
    assert.ok(journal.includes(`${data}.itool`));
    const entries = (await readJournal<{ type: string }>(journal)).entries;
    assert.equal(entries.filter((e) => e.type === 'result').length, selected);
    assert.ok(existsSync(out));
    const first = readFileSync(out, 'utf8');
    r = run(...args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`\\(${selected} resumed\\)`));
    assert.equal(readFileSync(out, 'utf8'), first);
    r = run('explore', data, '--model', model, '-o', out);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--selection FILE is required/);
  });
});

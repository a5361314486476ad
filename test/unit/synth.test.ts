// The synthetic corpus generator (src/core/synth) and `itool synth` (src/cli/synth.ts): the files
// open as BFCL with their answers, every reference answer passes the AST checker, the split is by
// function, one seed gives the same bytes, the knobs occur and are tagged truthfully, derived
// values are not written in the query, and the generator runs from the bundled demo docs on a
// clean clone. BFCL data from ../shared is used when present; the bundled docs always.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { synthCommand } from '../../src/cli/synth';
import { Dataset } from '../../src/core/dataset/dataset';
import { callsFromGroundTruth } from '../../src/core/dataset/formats/bfcl';
import { encodePythonCalls } from '../../src/core/dataset/pythonCalls';
import { referenceTurn, type PossibleAnswer, type Sample } from '../../src/core/dataset/sample';
import { bundledDocs, bundleText } from '../../src/core/synth/docs';
import { TINY_PROFILE } from '../../src/core/synth/corpus';
import { generateCorpus } from '../../src/core/synth/generate';
import { bfclCategory, checkOutput, expectationFor } from '../../src/core/toolcall/check/index';

const ROOT = resolve(__dirname, '..', '..');
const DEMO_BFCL = join(ROOT, 'demo', 'datasets', 'bfcl');
const SHARED_BFCL = resolve(ROOT, '..', 'shared', 'data', 'bfcl');
const HAS_SHARED = existsSync(join(SHARED_BFCL, 'BFCL_v4_simple_python.json'));
const MISSING = join(tmpdir(), 'itool-synth-no-such-dir');

type Obj = Record<string, unknown>;
interface SynthMeta {
  shape: string;
  tags: string[];
  difficulty: number;
  level: string;
  distractors?: string[];
  renamed_copies?: string[];
  derived?: { call: number; param: string; text: string; kind: string }[];
}
interface Loaded {
  sample: Sample;
  record: { id: string; question: { role: string; content: string }[][]; function: { name: string; description?: string; parameters: { properties: Record<string, Obj>; required: string[] } }[]; synth: SynthMeta };
}

const quiet = { stdout: () => undefined, stderr: () => undefined };
function capture(): { io: { stdout: (s: string) => void; stderr: (s: string) => void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) }, out, err };
}

const tmp: string[] = [];
function tmpDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'itool-synth-'));
  tmp.push(d);
  return d;
}
after(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

/** Every sample of a written split, read through our BFCL reader, with its raw record. */
async function load(file: string): Promise<Loaded[]> {
  const ds = await Dataset.open(file);
  try {
    assert.equal(ds.format.id, 'bfcl', `${file} opens as BFCL`);
    assert.ok(ds.answers, `${file}: possible_answer file found beside it`);
    const raw = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Loaded['record']);
    assert.equal(ds.count, raw.length);
    const out: Loaded[] = [];
    for (let i = 0; i < ds.count; i++) {
      const r = await ds.sample(i);
      assert.ok(r.ok, `record ${i} of ${file} reads: ${r.ok ? '' : r.reason}`);
      out.push({ sample: r.sample, record: raw[i] });
    }
    return out;
  } finally {
    await ds.close();
  }
}

const firstAccepted = (acc: readonly unknown[]): unknown => acc.find((a) => a !== '');

/** Our own literal test (independent of the generator's): the value as the query would write it. */
function writtenIn(query: string, value: unknown): boolean {
  if (typeof value === 'number') {
    const esc = String(value).replace('.', '\\.');
    return new RegExp(`(^|[^\\d.])${esc}($|[^\\d.]|\\.(?!\\d))`).test(query);
  }
  if (typeof value === 'string') return query.toLowerCase().includes(value.toLowerCase());
  if (Array.isArray(value)) return [', ', ','].some((sep) => query.includes(value.map(String).join(sep))) || query.includes(value.slice(0, -1).map(String).join(', ') + ' and ');
  return false;
}

const nameHead = (n: string): string => n.split(/[_.]|(?<=[a-z])(?=[A-Z])/).filter(Boolean)[0].toLowerCase();

interface Generated {
  dir: string;
  manifest: Obj & { seed: number; sizes: { train: number; heldOut: number }; source: Obj & { kind: string; kept: number; unique: number; skippedTotal: number; skipped: Record<string, number> }; functions: { train: { names: string[]; pool: number }; heldOut: { names: string[]; pool: number } }; stats: Record<'train' | 'heldOut', { knobs: Record<string, number>; levels: Record<string, number>; shapes: Record<string, number> }> };
  train: Loaded[];
  heldOut: Loaded[];
  stdout: string;
  stderr: string;
}

async function generate(opts: { seed?: number; train?: number; heldOut?: number; bfclDir?: string }): Promise<Generated> {
  const dir = tmpDir();
  const c = capture();
  const code = await synthCommand({ out: dir, ...opts }, c.io);
  assert.equal(code, 0, c.err.join(''));
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Generated['manifest'];
  return {
    dir,
    manifest,
    train: await load(join(dir, 'train', 'BFCL_v4_synth_train.json')),
    heldOut: await load(join(dir, 'heldout', 'BFCL_v4_synth_heldout.json')),
    stdout: c.out.join(''),
    stderr: c.err.join(''),
  };
}

/** The checks every generated corpus must pass, whatever its source. */
function corpusChecks(get: () => Generated, sizes: { train: number; heldOut: number }): void {
  const all = (): Loaded[] => [...get().train, ...get().heldOut];

  it('writes the requested sizes, every sample with its possible answer attached', () => {
    const g = get();
    assert.equal(g.train.length, sizes.train);
    assert.equal(g.heldOut.length, sizes.heldOut);
    assert.deepEqual(g.manifest.sizes, sizes);
    for (const { sample } of all()) {
      assert.ok(sample.possibleAnswers?.length, `${sample.id}: possible answers attached`);
      assert.ok(sample.referenceIndex >= 0 && referenceTurn(sample)?.calls?.length, `${sample.id}: reference calls`);
      assert.equal(sample.turns[0].role, 'user');
    }
  });

  it('judges every reference answer valid with the AST checker (BFCL rules, category from the id)', () => {
    for (const { sample, record } of all()) {
      const cat = bfclCategory(sample.id);
      assert.equal(cat, record.synth.shape, `${sample.id}: id category is the sample's shape`);
      const exp = expectationFor(sample);
      assert.equal(exp.kind, 'bfcl');
      for (const text of [referenceTurn(sample)!.content, encodePythonCalls(callsFromGroundTruth(sample.possibleAnswers!))]) {
        const v = checkOutput(text, exp);
        assert.ok(v.valid, `${sample.id}: ${text} → ${v.errors.map((e) => e.message).join('; ')}`);
      }
    }
  });

  it('the checker is not trivially satisfied: a changed value, a dropped call or a distractor name fail', () => {
    let changed = 0;
    let swapped = 0;
    for (const { sample, record } of all()) {
      const exp = expectationFor(sample);
      const calls = callsFromGroundTruth(sample.possibleAnswers!);
      const arg = Object.keys(calls[0].arguments)[0];
      if (arg !== undefined) {
        const v = calls[0].arguments[arg];
        const wrong = structuredClone(calls);
        wrong[0].arguments[arg] = typeof v === 'number' ? v + 1001 : typeof v === 'boolean' ? !v : Array.isArray(v) ? [...v, v[0]] : `${String(v)} zzz`;
        assert.equal(checkOutput(encodePythonCalls(wrong), exp).valid, false, `${sample.id}: changed ${arg}`);
        changed++;
      }
      if (calls.length > 1) assert.equal(checkOutput(encodePythonCalls(calls.slice(1)), exp).valid, false, `${sample.id}: a call dropped`);
      const d = record.synth.distractors?.[0];
      if (d) {
        const wrong = structuredClone(calls);
        wrong[0].name = d;
        assert.equal(checkOutput(encodePythonCalls(wrong), exp).valid, false, `${sample.id}: distractor ${d} called`);
        swapped++;
      }
    }
    assert.ok(changed > 0 && swapped > 0);
  });

  it('splits by function: no tool of a held-out sample appears in any train sample, distractors included', () => {
    const g = get();
    const names = (xs: Loaded[]) => new Set(xs.flatMap((x) => x.record.function.map((f) => f.name)));
    const train = names(g.train);
    const held = names(g.heldOut);
    const shared = [...held].filter((n) => train.has(n));
    assert.deepEqual(shared, []);
    // The manifest lists exactly the tools used per split.
    assert.deepEqual(g.manifest.functions.train.names, [...train].sort());
    assert.deepEqual(g.manifest.functions.heldOut.names, [...held].sort());
    assert.ok(g.manifest.functions.heldOut.pool > 0 && g.manifest.functions.train.pool > g.manifest.functions.heldOut.pool);
  });

  it('keeps prompts short: at most 4 tools, clipped descriptions, unique tool names per sample', () => {
    for (const { record } of all()) {
      assert.ok(record.function.length >= 1 && record.function.length <= 4, `${record.id}: ${record.function.length} tools`);
      assert.equal(new Set(record.function.map((f) => f.name)).size, record.function.length);
      for (const f of record.function) {
        assert.ok((f.description ?? '').length <= 100, `${record.id}: ${f.name} description`);
        const props = Object.entries(f.parameters.properties);
        assert.ok(props.length >= 1 && props.length <= 5, `${record.id}: ${f.name} has ${props.length} parameters`);
        for (const [p, s] of props) {
          assert.ok(typeof s.description !== 'string' || s.description.length <= 60, `${record.id}: ${f.name}.${p} description`);
          assert.ok(['string', 'integer', 'float', 'boolean', 'array'].includes(s.type as string), `${record.id}: ${f.name}.${p} type ${String(s.type)}`);
          assert.equal(s.default, undefined);
        }
      }
    }
  });

  it('tags every knob truthfully', () => {
    for (const { sample, record } of all()) {
      const gt = sample.possibleAnswers as PossibleAnswer[];
      const tags = new Set(record.synth.tags);
      const tool = (n: string) => record.function.find((f) => f.name === n)!;
      const entries = gt.map((e) => {
        const [name, params] = Object.entries(e)[0];
        const required = new Set(tool(name).parameters.required);
        const given = Object.entries(params).filter(([, acc]) => firstAccepted(acc) !== undefined);
        const omitted = Object.entries(params).filter(([, acc]) => firstAccepted(acc) === undefined);
        for (const [p] of omitted) assert.ok(!required.has(p), `${sample.id}: omitted ${p} is optional`);
        return { name, given, omitted, optionalGiven: given.some(([p]) => !required.has(p)) };
      });
      const called = new Set(entries.map((e) => e.name));
      const distractors = record.function.filter((f) => !called.has(f.name)).map((f) => f.name);
      assert.equal(tags.has('multi_param'), entries.some((e) => e.given.length >= 3), `${sample.id}: multi_param`);
      assert.equal(tags.has('optional_given'), entries.some((e) => e.optionalGiven), `${sample.id}: optional_given`);
      assert.equal(tags.has('optional_omitted'), entries.some((e) => e.omitted.length > 0), `${sample.id}: optional_omitted`);
      assert.equal(tags.has('distractor'), distractors.length > 0, `${sample.id}: distractor`);
      assert.deepEqual(distractors.sort(), [...(record.synth.distractors ?? [])].sort());
      assert.equal(tags.has('parallel'), gt.length >= 2, `${sample.id}: parallel`);
      assert.equal(tags.has('derived'), (record.synth.derived ?? []).length > 0, `${sample.id}: derived`);
      assert.ok(record.synth.difficulty >= 0 && record.synth.difficulty <= 1);
      assert.ok(['easy', 'medium', 'hard'].includes(record.synth.level));
    }
  });

  it('shapes: simple = one tool, one call; multiple = one call among near-named distractors; parallel = 2-3 calls of one tool; parallel_multiple = 2-3 calls of 2+ tools', () => {
    for (const { sample, record } of all()) {
      const gt = sample.possibleAnswers!;
      const called = gt.map((e) => Object.keys(e)[0]);
      const distinct = new Set(called);
      const distractors = record.synth.distractors ?? [];
      switch (record.synth.shape) {
        case 'simple':
          assert.equal(gt.length, 1);
          assert.equal(record.function.length, 1);
          break;
        case 'multiple':
          assert.equal(gt.length, 1);
          assert.ok(distractors.length >= 1, `${sample.id}: has distractors`);
          break;
        case 'parallel':
          assert.ok(gt.length >= 2 && gt.length <= 3, `${sample.id}: ${gt.length} calls`);
          assert.equal(distinct.size, 1);
          assert.equal(record.function.length, 1);
          assert.equal(new Set(gt.map((e) => JSON.stringify(e))).size, gt.length, `${sample.id}: the calls differ`);
          break;
        case 'parallel_multiple':
          assert.ok(gt.length >= 2 && gt.length <= 3, `${sample.id}: ${gt.length} calls`);
          assert.ok(distinct.size >= 2, `${sample.id}: ${distinct.size} functions`);
          break;
        default:
          assert.fail(`${sample.id}: unknown shape ${record.synth.shape}`);
      }
      // Distractors are near names: a renamed copy of a called function, or one sharing its prefix.
      for (const d of distractors) {
        const copy = (record.synth.renamed_copies ?? []).includes(d);
        if (copy) assert.ok(called.some((c) => d.startsWith(`${c}_`)), `${sample.id}: copy ${d}`);
        else assert.ok(called.some((c) => nameHead(c) === nameHead(d)), `${sample.id}: ${d} near ${called.join(', ')}`);
        assert.ok(!distinct.has(d));
      }
    }
  });

  it('states derived values indirectly: the query never holds the reference value of a derived parameter', () => {
    let n = 0;
    for (const { sample, record } of all()) {
      const query = record.question[0][0].content;
      for (const d of record.synth.derived ?? []) {
        const acc = Object.values(sample.possibleAnswers![d.call])[0][d.param];
        const value = firstAccepted(acc);
        assert.notEqual(value, undefined);
        assert.ok(query.includes(d.text), `${sample.id}: the derivation text is in the query`);
        assert.equal(writtenIn(query, value), false, `${sample.id}: ${d.param}=${JSON.stringify(value)} written in "${query}"`);
        n++;
      }
    }
    assert.ok(n > 0);
  });

  it('states every other given value in the query', () => {
    let checked = 0;
    for (const { sample, record } of all()) {
      const query = record.question[0][0].content;
      const derived = new Set((record.synth.derived ?? []).map((d) => `${d.call}:${d.param}`));
      sample.possibleAnswers!.forEach((e, ci) => {
        for (const [p, acc] of Object.entries(Object.values(e)[0])) {
          const v = firstAccepted(acc);
          if (v === undefined || typeof v === 'boolean' || derived.has(`${ci}:${p}`)) continue;
          const items = Array.isArray(v) ? v : [v];
          for (const x of items) assert.ok(writtenIn(query, x), `${sample.id}: ${p}=${JSON.stringify(x)} missing from "${query}"`);
          checked++;
        }
      });
    }
    assert.ok(checked > 0);
  });

  it('each knob, level and shape occurs in a reasonable share of samples', () => {
    const g = get();
    const xs = all();
    const share = (pred: (l: Loaded) => boolean) => xs.filter(pred).length / xs.length;
    for (const knob of ['multi_param', 'optional_given', 'optional_omitted', 'distractor', 'parallel', 'derived']) {
      const s = share((l) => l.record.synth.tags.includes(knob));
      assert.ok(s >= 0.1 && s <= 0.8, `${knob}: ${(s * 100).toFixed(1)}% of samples`);
    }
    for (const level of ['easy', 'medium', 'hard']) {
      const s = share((l) => l.record.synth.level === level);
      assert.ok(s >= 0.1 && s <= 0.6, `${level}: ${(s * 100).toFixed(1)}%`);
    }
    for (const shape of ['simple', 'multiple', 'parallel', 'parallel_multiple']) {
      const s = share((l) => l.record.synth.shape === shape);
      assert.ok(s >= 0.1, `${shape}: ${(s * 100).toFixed(1)}%`);
    }
    // Levels order by difficulty; the manifest counts what the files hold.
    const mean = (level: string) => {
      const ds = xs.filter((l) => l.record.synth.level === level).map((l) => l.record.synth.difficulty);
      return ds.reduce((a, b) => a + b, 0) / ds.length;
    };
    assert.ok(mean('easy') < mean('medium') && mean('medium') < mean('hard'));
    for (const [split, loaded] of [['train', g.train], ['heldOut', g.heldOut]] as const) {
      const st = g.manifest.stats[split];
      for (const [k, n] of Object.entries(st.knobs)) assert.equal(n, loaded.filter((l) => l.record.synth.tags.includes(k)).length, `${split} ${k}`);
      for (const [k, n] of Object.entries(st.levels)) assert.equal(n, loaded.filter((l) => l.record.synth.level === k).length, `${split} ${k}`);
      for (const [k, n] of Object.entries(st.shapes)) assert.equal(n, loaded.filter((l) => l.record.synth.shape === k).length, `${split} ${k}`);
    }
  });

  it('accounts for every function doc: kept + skipped = unique', () => {
    const s = get().manifest.source;
    assert.equal(s.kept + s.skippedTotal, s.unique);
    assert.equal(Object.values(s.skipped).reduce((a, b) => a + b, 0), s.skippedTotal);
  });
}

describe('synth: from the bundled demo docs (no BFCL folder)', () => {
  let g: Generated;
  before(async () => {
    g = await generate({ bfclDir: MISSING, seed: 7, train: 800, heldOut: 150 });
  });

  it('falls back to the docs bundled from demo/datasets/bfcl and says so', () => {
    assert.equal(g.manifest.source.kind, 'bundled');
    assert.match(g.stderr, /does not exist: using the bundled function docs/);
    assert.match(g.stdout, /wrote 800 train \+ 150 held-out samples/);
  });

  corpusChecks(() => g, { train: 800, heldOut: 150 });
});

describe('synth: determinism', () => {
  const files = (dir: string): Map<string, Buffer> => {
    const out = new Map<string, Buffer>();
    const walk = (d: string, rel: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name), join(rel, e.name));
        else out.set(join(rel, e.name), readFileSync(join(d, e.name)));
      }
    };
    walk(dir, '');
    return out;
  };

  it('the same seed gives byte-identical files; another seed different ones', async () => {
    const run = async (seed: number) => {
      const dir = tmpDir();
      assert.equal(await synthCommand({ out: dir, seed, train: 300, heldOut: 60, bfclDir: MISSING }, quiet), 0);
      return files(dir);
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    assert.deepEqual([...a.keys()].sort(), ['heldout/BFCL_v4_synth_heldout.json', 'heldout/possible_answer/BFCL_v4_synth_heldout.json', 'manifest.json', 'train/BFCL_v4_synth_train.json', 'train/possible_answer/BFCL_v4_synth_train.json']);
    for (const [k, buf] of a) assert.ok(buf.equals(b.get(k)!), `${k} identical for the same seed`);
    for (const k of ['train/BFCL_v4_synth_train.json', 'heldout/BFCL_v4_synth_heldout.json']) assert.ok(!a.get(k)!.equals(c.get(k)!), `${k} differs for another seed`);
  });

  it('the held-out split does not depend on the train size', async () => {
    const dirA = tmpDir();
    const dirB = tmpDir();
    assert.equal(await synthCommand({ out: dirA, seed: 5, train: 100, heldOut: 50, bfclDir: MISSING }, quiet), 0);
    assert.equal(await synthCommand({ out: dirB, seed: 5, train: 250, heldOut: 50, bfclDir: MISSING }, quiet), 0);
    const held = (d: string) => readFileSync(join(d, 'heldout', 'BFCL_v4_synth_heldout.json'));
    assert.ok(held(dirA).equals(held(dirB)));
  });
});

describe('synth: the command line', () => {
  it('rejects bad options with exit code 2', async () => {
    for (const opts of [{ out: '' }, { out: tmpDir(), train: -1 }, { out: tmpDir(), heldOut: 1.5 }, { out: tmpDir(), seed: Number.NaN }]) {
      const c = capture();
      assert.equal(await synthCommand(opts, c.io), 2, JSON.stringify(opts));
      assert.match(c.err.join(''), /^synth: /);
    }
  });

  it('an empty split writes no files for it', async () => {
    const dir = tmpDir();
    assert.equal(await synthCommand({ out: dir, train: 20, heldOut: 0, bfclDir: MISSING }, quiet), 0);
    assert.ok(existsSync(join(dir, 'train', 'BFCL_v4_synth_train.json')));
    assert.ok(!existsSync(join(dir, 'heldout')));
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Obj };
    assert.deepEqual(Object.keys(m.files), ['train']);
  });
});

describe('synth: generator options', () => {
  it('maxFunctions narrows the tools, settings move the knob shares', () => {
    const c = generateCorpus({ source: bundledDocs(), seed: 3, train: 300, heldOut: 40, maxFunctions: 40, settings: { pDerived: 0, shapes: { simple: 1, multiple: 0, parallel: 0, parallel_multiple: 0 } } });
    const used = new Set([...c.train, ...c.heldOut].flatMap((x) => x.tools.map((t) => t.name)));
    assert.ok(used.size <= 40, `${used.size} functions used`);
    assert.equal(c.manifest.functions.train.pool + c.manifest.functions.heldOut.pool, 40);
    for (const x of [...c.train, ...c.heldOut]) {
      assert.equal(x.shape, 'simple');
      assert.ok(!x.tags.includes('derived') && !x.tags.includes('distractor') && !x.tags.includes('parallel'));
    }
  });

  it('a share of held-out functions too small for any family fails clearly', () => {
    assert.throws(() => generateCorpus({ source: bundledDocs(), heldOut: 10, train: 10, settings: { heldOutShare: 0 } }), /no function left for the held-out split/);
  });
});

describe('synth: the seen-function split', () => {
  it('holds new requests over the train functions only, under real names, none repeating a train query, without changing the other splits', async () => {
    const c = generateCorpus({ source: bundledDocs(), seed: 5, train: 300, heldOut: 40, seen: 80, settings: TINY_PROFILE });
    const plain = generateCorpus({ source: bundledDocs(), seed: 5, train: 300, heldOut: 40, settings: TINY_PROFILE });
    assert.equal(c.seen.length, 80);
    assert.deepEqual(c.train, plain.train, 'the train split is the same with or without a seen split');
    assert.deepEqual(c.heldOut, plain.heldOut);
    const trainFns = new Set(c.manifest.functions.train.names.concat(generateCorpus({ source: bundledDocs(), seed: 5, train: 2000, heldOut: 0 }).manifest.functions.train.names));
    const all = generateCorpus({ source: bundledDocs(), seed: 5, train: 0, heldOut: 1500 }).manifest.functions.heldOut;
    const heldFns = new Set(all.names);
    for (const s of c.seen) {
      assert.ok(s.id.includes('_synth_seen_'), s.id);
      assert.equal(s.renamed, undefined, 'real names');
      for (const f of s.called) assert.ok(!heldFns.has(f), `${s.id} calls held-out ${f}`);
    }
    assert.ok(c.seen.some((s) => s.called.some((f) => trainFns.has(f))));
    const queries = new Set(c.train.map((t) => t.query));
    assert.ok(c.seen.every((s) => !queries.has(s.query)));
    assert.equal(c.manifest.sizes.seen, 80);
    const dir = tmpDir();
    assert.equal(await synthCommand({ out: dir, seed: 5, train: 50, heldOut: 10, seen: 20, bfclDir: MISSING }, quiet), 0);
    assert.equal(readFileSync(join(dir, 'seen', 'BFCL_v4_synth_seen.json'), 'utf8').trimEnd().split('\n').length, 20);
    assert.equal(readFileSync(join(dir, 'seen', 'possible_answer', 'BFCL_v4_synth_seen.json'), 'utf8').trimEnd().split('\n').length, 20);
  });
});

describe('synth: name drills (the tiny profile)', () => {
  const drilled = () => generateCorpus({ source: bundledDocs(), seed: 5, train: 400, heldOut: 60, settings: TINY_PROFILE });

  it('renames a share of the train samples and never a held-out one', () => {
    const c = drilled();
    const renamed = c.train.filter((x) => x.renamed).length;
    assert.ok(renamed > 0.45 * c.train.length && renamed < 0.75 * c.train.length, `${renamed} of ${c.train.length} renamed`);
    assert.equal(c.manifest.stats.train.renamed, renamed);
    assert.ok(c.heldOut.every((x) => !x.renamed));
  });

  it('a drilled sample is consistent: its answer calls its tools under the new names, valid with the checker, and no old name is left', () => {
    const c = drilled();
    const real = new Set(bundledDocs().docs.map((d) => d.name));
    let copies = 0;
    for (const x of c.train.filter((y) => y.renamed)) {
      const map = x.renamed!;
      const names = x.tools.map((t) => t.name);
      assert.deepEqual(new Set(Object.values(map)), new Set(names), `${x.id}: every tool renamed`);
      assert.equal(new Set(names).size, names.length, `${x.id}: names stay apart`);
      for (const n of names) assert.ok(!real.has(n) || !(n in map), `${x.id}: ${n}`);
      for (const call of x.groundTruth) assert.ok(names.includes(Object.keys(call)[0]), `${x.id}: calls a listed tool`);
      assert.deepEqual(x.called.filter((n) => !names.includes(n)), []);
      for (const old of Object.keys(map)) {
        const whole = new RegExp(`(?<![\\w.])${old.replace(/\./g, '\\.')}(?![\\w])`);
        assert.ok(!whole.test(x.query), `${x.id}: the query still names ${old}`);
        for (const t of x.tools) assert.ok(!whole.test(t.description ?? ''), `${x.id}: ${t.name}'s description still names ${old}`);
      }
      // A renamed copy keeps its suffix on the new name of the function it copies.
      for (const copy of x.renamedCopies) {
        copies++;
        assert.ok(names.some((n) => n !== copy && /_(legacy|v1|mock|sandbox)$/.test(copy) && copy.startsWith(n)), `${x.id}: ${copy} is still a look-alike`);
      }
      const sample = { id: x.id, turns: [{ role: 'user' as const, content: x.query }], tools: x.tools, possibleAnswers: x.groundTruth, referenceIndex: -1 } as unknown as Sample;
      const v = checkOutput(encodePythonCalls(callsFromGroundTruth(x.groundTruth)), expectationFor(sample));
      assert.ok(v.valid, `${x.id}: ${v.errors.map((e) => e.message).join('; ')}`);
    }
    assert.ok(copies > 0, 'some drilled samples have renamed-copy distractors');
  });

  it('turning the drills on changes nothing but the names', () => {
    const plain = generateCorpus({ source: bundledDocs(), seed: 5, train: 400, heldOut: 60, settings: { ...TINY_PROFILE, pRenameTrain: 0 } });
    const c = drilled();
    assert.deepEqual(c.heldOut, plain.heldOut);
    for (let i = 0; i < c.train.length; i++) {
      const [x, y] = [c.train[i], plain.train[i]];
      const back = new Map(Object.entries(x.renamed ?? {}).map(([o, n]) => [n, o]));
      assert.deepEqual(x.groundTruth.map((call) => Object.fromEntries(Object.entries(call).map(([n, a]) => [back.get(n) ?? n, a]))), y.groundTruth, x.id);
      assert.deepEqual(x.tools.map((t) => t.parameters), y.tools.map((t) => t.parameters), x.id);
      assert.equal(x.level, y.level);
    }
  });

  it('`itool synth --profile` takes tiny or default and names the choices otherwise', async () => {
    const c = capture();
    assert.equal(await synthCommand({ out: tmpDir(), profile: 'huge', train: 5, heldOut: 5 }, c.io), 2);
    assert.match(c.err.join(''), /--profile must be one of default, tiny, not "huge"/);
    const ok = capture();
    assert.equal(await synthCommand({ out: tmpDir(), profile: 'tiny', train: 50, heldOut: 5, bfclDir: MISSING }, ok.io), 0, ok.err.join(''));
    assert.match(ok.out.join(''), /under drilled names/);
  });
});

describe('synth: the bundled docs', () => {
  it('are exactly what demo/datasets/bfcl yields (regenerate with bundleText after the demo slice changes)', () => {
    const bundled = readFileSync(join(ROOT, 'src', 'core', 'synth', 'bfclDemoFunctions.json'), 'utf8');
    assert.equal(bundleText(DEMO_BFCL), bundled);
  });
});

describe('synth: from the shared BFCL data, default sizes', { skip: HAS_SHARED ? false : 'no ../shared/data/bfcl' }, () => {
  let g: Generated;
  before(async () => {
    g = await generate({ bfclDir: SHARED_BFCL });
  });

  it('reads every BFCL question file of the folder', () => {
    assert.equal(g.manifest.source.kind, 'bfcl');
    assert.equal(g.stderr, '');
    const files = (g.manifest.source as unknown as { files: string[] }).files;
    assert.deepEqual(files, readdirSync(SHARED_BFCL).filter((f) => /^BFCL_v\d+_.*\.json$/.test(f)).sort());
    assert.ok(g.manifest.source.kept > 1000, `${g.manifest.source.kept} functions kept`);
  });

  corpusChecks(() => g, { train: 4000, heldOut: 400 });
});

// The samples of one split (train, held-out or seen), from that split's functions only: a target
// function dealt from a shuffled deck, the sample's shape, the calls planned (optional parameters
// given or left out), values drawn (some stated indirectly), the query phrased, distractors chosen
// (real near-named functions or renamed copies) within the prompt budget, and the knobs tagged.
import type { PossibleAnswer, ToolDef } from '../dataset/sample';
import type { DerivedValue, Knob, Shape, SplitName, SynthSample, SynthSettings } from './corpus';
import { difficultyOf } from './difficulty';
import { DESC_CHARS, similarNames, tooAlike, type SynthFunction, type SynthParam } from './functions';
import { multiQuery, parallelQuery, singleQuery, type Arg } from './phrasing';
import { renameFunctions } from './rename';
import type { Rng } from './rng';
import { derivable, drawValue, statesLiterally } from './values';

interface PlannedCall {
  fn: SynthFunction;
  given: SynthParam[];
  omitted: SynthParam[];
}

interface Copy {
  fn: SynthFunction;
  tool: ToolDef;
}

/** Renamed copies: the same schema under a near name, with a description that rules them out (`short` when the name is too long to quote). */
const COPY_KINDS: readonly { suffix: string; describe: (name: string) => string; short: string }[] = [
  { suffix: '_legacy', describe: (n) => `Deprecated: use ${n} instead.`, short: 'Deprecated: use the current version instead.' },
  { suffix: '_v1', describe: (n) => `Old version of ${n}; deprecated, do not use.`, short: 'Old version; deprecated, do not use.' },
  { suffix: '_mock', describe: (n) => `Test stub of ${n} that returns fake data; not for real requests.`, short: 'Test stub that returns fake data; not for real requests.' },
  { suffix: '_sandbox', describe: (n) => `Sandbox copy of ${n} for testing only; returns no real data.`, short: 'Sandbox copy for testing only; returns no real data.' },
];


/** Samples of one split, from that split's functions only. */
export class SplitGenerator {
  private deck: SynthFunction[] = [];
  private readonly siblings = new Map<string, SynthFunction[]>();
  private readonly copies = new Map<string, Copy>();
  readonly used = new Set<string>();

  constructor(
    private readonly split: SplitName,
    private readonly pool: readonly SynthFunction[],
    /** Every real function name: renamed copies must not take one. */
    private readonly realNames: ReadonlySet<string>,
    private readonly rng: Rng,
    private readonly s: SynthSettings,
    /** A stream of its own for the name drills, so turning them on changes no other draw. */
    private readonly renameRng?: Rng,
    private readonly wordPool: readonly string[] = [],
  ) {}

  private nextTarget(): SynthFunction {
    if (this.deck.length === 0) this.deck = this.rng.shuffle(this.pool);
    return this.deck.pop()!;
  }

  private siblingsOf(f: SynthFunction): SynthFunction[] {
    let sib = this.siblings.get(f.name);
    if (!sib) this.siblings.set(f.name, (sib = this.pool.filter((g) => similarNames(f, g) && !tooAlike(f, g))));
    return sib;
  }

  private copyOf(f: SynthFunction, taken: ReadonlySet<string>): Copy | undefined {
    for (const k of this.rng.shuffle(COPY_KINDS)) {
      const name = f.name + k.suffix;
      if (this.realNames.has(name) || taken.has(name)) continue;
      let c = this.copies.get(name);
      if (!c) {
        const long = k.describe(f.name);
        c = { fn: f, tool: { name, description: long.length <= DESC_CHARS ? long : k.short, parameters: f.tool.parameters } };
        this.copies.set(name, c);
      }
      return c;
    }
    return undefined;
  }

  private plan(fn: SynthFunction): PlannedCall {
    const given: SynthParam[] = [];
    const omitted: SynthParam[] = [];
    for (const p of fn.params) (p.required || this.rng.chance(this.s.pOptionalGiven) ? given : omitted).push(p);
    if (given.length === 0 && omitted.length) given.push(omitted.shift()!);
    return { fn, given, omitted };
  }

  /** A second (third) function for a parallel_multiple sample: any other function that cannot be mistaken for those chosen. */
  private partner(chosen: readonly SynthFunction[]): SynthFunction | undefined {
    for (let tries = 0; tries < 20; tries++) {
      const g = this.rng.pick(this.pool);
      if (!chosen.some((c) => c.name === g.name || tooAlike(c, g))) return g;
    }
    return undefined;
  }

  sample(index: number): SynthSample {
    for (let attempt = 0; attempt < 12; attempt++) {
      const s = this.attempt(index, attempt < 8);
      if (s) return s;
    }
    throw new Error(`synth: could not build sample ${index} of the ${this.split} split (pool of ${this.pool.length} functions)`);
  }

  private attempt(index: number, allowDerived: boolean): SynthSample | undefined {
    const { rng, s } = this;
    let shape: Shape = rng.weighted(s.shapes);
    if (shape === 'parallel_multiple' && this.pool.length < 2) shape = 'parallel';
    const target = this.nextTarget();
    let fns: SynthFunction[];
    if (shape === 'parallel') fns = Array.from({ length: rng.chance(s.pThreeCalls) ? 3 : 2 }, () => target);
    else if (shape === 'parallel_multiple') {
      const b = this.partner([target]);
      if (!b) return undefined;
      fns = [target, b];
      if (rng.chance(s.pThreeCalls)) {
        const c = rng.chance(0.5) ? this.partner(fns) : undefined;
        fns.push(c ?? rng.pick(fns));
      }
    } else fns = [target];
    const plans = fns.map((f) => this.plan(f));

    // Which values are stated indirectly.
    const slots = new Set<string>();
    if (allowDerived && rng.chance(s.pDerived)) {
      const cands = plans.flatMap((pl, ci) => pl.given.filter(derivable).map((p) => `${ci}:${p.name}`));
      for (const c of rng.sample(cands, rng.chance(s.pSecondDerived) ? 2 : 1)) slots.add(c);
    }
    const derived: DerivedValue[] = [];
    const calls = plans.map((pl, ci) => ({
      fn: pl.fn,
      omitted: pl.omitted,
      args: pl.given.map((param): Arg => {
        const drawn = drawValue(param, rng, slots.has(`${ci}:${param.name}`));
        if (drawn.derived) derived.push({ call: ci, param: param.name, text: drawn.text, kind: drawn.derived });
        return { param, drawn };
      }),
    }));
    // Calls of one function must differ, or the answer would hold the same call twice.
    const keys = calls.map((c) => `${c.fn.name}(${JSON.stringify(c.args.map((a) => a.drawn.value))})`);
    if (new Set(keys).size < keys.length) return undefined;

    const groundTruth: PossibleAnswer[] = calls.map((c) => {
      const params: Record<string, unknown[]> = {};
      const given = new Map(c.args.map((a) => [a.param.name, a.drawn.accepted]));
      for (const p of c.fn.params) {
        const acc = given.get(p.name);
        if (acc) params[p.name] = acc;
        else if (c.omitted.includes(p)) params[p.name] = [''];
      }
      return { [c.fn.name]: params };
    });

    let query: string;
    if (shape === 'parallel') query = parallelQuery(target.task, calls.map((c) => c.args), rng);
    else if (shape === 'parallel_multiple') query = multiQuery(calls.map((c) => ({ task: c.fn.task, args: c.args })), rng);
    else query = singleQuery(target.task, calls[0].args, rng);
    for (const d of derived) {
      const v = calls[d.call].args.find((a) => a.param.name === d.param)!.drawn.value;
      if (statesLiterally(query, v)) return undefined;
    }

    // The tool list: called functions and distractors, shuffled.
    const calledFns = [...new Map(fns.map((f) => [f.name, f])).values()];
    const names = new Set(calledFns.map((f) => f.name));
    const room = s.maxTools - calledFns.length;
    let want = 0;
    if (shape === 'multiple') want = rng.int(1, Math.max(1, room));
    else if (shape === 'parallel_multiple' && room > 0 && rng.chance(s.pParallelMultipleDistractor)) want = rng.int(1, room);
    const distractors: { tool: ToolDef; copy: boolean }[] = [];
    const sibs = rng.shuffle([...new Map(calledFns.flatMap((f) => this.siblingsOf(f)).map((g) => [g.name, g])).values()].filter((g) => !names.has(g.name) && !calledFns.some((f) => tooAlike(f, g))));
    while (distractors.length < want) {
      const sib = sibs.length && !rng.chance(s.pCopyDistractor) ? sibs.pop() : undefined;
      const copy = sib ? undefined : this.copyOf(rng.pick(calledFns), names);
      const tool = sib?.tool ?? copy?.tool;
      if (!tool) break;
      names.add(tool.name);
      distractors.push({ tool, copy: !sib });
    }
    if (shape === 'multiple' && distractors.length === 0) return undefined;
    const minDistractors = shape === 'multiple' ? 1 : 0;
    const size = (): number => query.length + JSON.stringify([...calledFns.map((f) => f.tool), ...distractors.map((d) => d.tool)]).length;
    while (size() > s.maxPromptChars && distractors.length > minDistractors) distractors.pop();
    const tools = rng.shuffle([...calledFns.map((f) => f.tool), ...distractors.map((d) => d.tool)]);

    const tags: Knob[] = [];
    if (calls.some((c) => c.args.length >= 3)) tags.push('multi_param');
    if (calls.some((c) => c.args.some((a) => !a.param.required))) tags.push('optional_given');
    if (calls.some((c) => c.omitted.length > 0)) tags.push('optional_omitted');
    if (distractors.length > 0) tags.push('distractor');
    if (calls.length >= 2) tags.push('parallel');
    if (derived.length > 0) tags.push('derived');
    const d = difficultyOf(tags, distractors.length, calls.length, derived.length, calledFns.length);
    for (const t of tools) this.used.add(t.name);
    const drill = this.renameRng && this.split === 'train' && this.renameRng.chance(s.pRenameTrain) ? renameFunctions(query, tools, groundTruth, this.renameRng, this.wordPool) : undefined;
    const as = (n: string): string => drill?.names.get(n) ?? n;
    return {
      id: `${shape}_synth_${this.split}_${index}`,
      split: this.split,
      shape,
      query: drill?.query ?? query,
      tools: drill?.tools ?? tools,
      groundTruth: drill?.groundTruth ?? groundTruth,
      tags,
      difficulty: d.difficulty,
      level: d.level,
      called: calls.map((c) => as(c.fn.name)),
      distractors: distractors.map((x) => as(x.tool.name)),
      renamedCopies: distractors.filter((x) => x.copy).map((x) => as(x.tool.name)),
      ...(drill ? { renamed: Object.fromEntries(drill.names) } : {}),
      derived,
      promptChars: size(),
    };
  }
}

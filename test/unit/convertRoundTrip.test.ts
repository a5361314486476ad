// Conversion never loses in silence. For every pair of formats A, B and generated samples (several
// turns, parallel calls with and without ids, text answers, tool results, system prompts, empty
// tool lists, stated ids, nested arguments, numbers written 1.0 / 2.5 / 0 / 1e-05, strings with
// quotes and non-ASCII text, fields the format does not read; BFCL ground truth with accepted
// alternatives and "" markers):
// A → B → A gives the same normalised sample, or differs only in kinds of loss the two
// conversions reported (and a first conversion the target holds whole reports nothing). Where B kept the source in its side field, A → B → A is byte-identical.
// Numbers keep their written form on every trip.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { FORMATS } from '../../src/core/dataset/formats/index';
import { attachPossibleAnswers, bfclAnswerOf } from '../../src/core/dataset/formats/bfcl';
import { convertRecord, groundTruthOf, type ConvertedRecord, type SourceRecord } from '../../src/core/dataset/convertRecord';
import { lossesBetween, type LossKind } from '../../src/core/dataset/convertLoss';
import { normalForm } from '../../src/core/dataset/normalForm';
import { parseJsonKeepingNumbers } from '../../src/core/dataset/numberForm';
import { COMPACT_STYLE, serializeRecord } from '../../src/core/dataset/jsonStyle';
import { FORMAT_IDS, type FormatId, type PossibleAnswer, type Sample, type ToolCall, type ToolDef, type Turn } from '../../src/core/dataset/sample';

// ---- generated samples ----------------------------------------------------------------------

/** Text with quotes, backslashes, non-ASCII (accents, CJK, an emoji) and line breaks. */
const text = fc
  .array(fc.constantFrom('a', 'Z', ' ', 'é', '中', '😀', '"', "'", '\\', '\n', '1', ',', 'x y', '{', ']'), { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join('') || 'ok');

/** Numbers as JSON text, some in a form JS would not write (1.0, 1e-05). */
const numberText = fc.constantFrom('0', '1.0', '2.5', '2', '-3', '1e-05', '100.0', '7');

/** An argument value as JSON text: strings, numbers, booleans, null, nested lists and objects. */
const valueText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map((s) => JSON.stringify(s)),
    numberText,
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(fc.tuple(fc.constantFrom('k', 'q', 'ü'), tie('value')), { maxLength: 2 }).map((kv) => `{${[...new Map(kv)].map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`),
  ),
})).value as fc.Arbitrary<string>;

const PARAMS = ['city', 'count', 'ratio', 'tags', 'opts'];

/** One call to one of the tools; arguments parsed from text so numbers keep their spelling. */
const call = (tools: readonly ToolDef[]) =>
  fc.record({ tool: fc.integer({ min: 0, max: tools.length - 1 }), args: fc.uniqueArray(fc.tuple(fc.constantFrom(...PARAMS), valueText), { maxLength: 3, selector: ([k]) => k }) }).map(({ tool, args }) => ({
    name: tools[tool].name,
    arguments: parseJsonKeepingNumbers(`{${args.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`) as Record<string, unknown>,
  }));

const tool = (name: string): fc.Arbitrary<ToolDef> =>
  fc
    .record({
      description: fc.option(text, { nil: undefined }),
      // JSON schema's types, and BFCL's own (`dict`, `float`, `tuple`, `any`).
      types: fc.array(fc.constantFrom('string', 'integer', 'number', 'boolean', 'array', 'object', 'tuple', 'any', 'float', 'dict'), { minLength: 1, maxLength: 3 }),
      required: fc.boolean(),
      pythonic: fc.boolean(),
      fallback: fc.option(numberText, { nil: undefined }),
    })
    .map(({ description, types, required, pythonic, fallback }) => {
    const properties = Object.fromEntries(types.map((t, i) => [PARAMS[i], { type: t, description: `${PARAMS[i]} as ${t}`, ...(fallback !== undefined && i === 0 ? { default: parseJsonKeepingNumbers(fallback) } : {}) }]));
    const def: ToolDef = { name, parameters: { type: pythonic ? 'dict' : 'object', properties, ...(required ? { required: [PARAMS[0]] } : {}) } };
    if (description !== undefined) def.description = description;
    return def;
  });

/** A neutral sample (OpenAI's terms: plain system text, call turns with empty content). */
const sample: fc.Arbitrary<Sample> = fc
  .record({
    id: fc.option(fc.constantFrom('rec-7', 'sample_9', 42), { nil: undefined }),
    system: fc.option(text, { nil: undefined }),
    tools: fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => tool(['get_weather', 'search', 'book.flight'][i])))),
    exchanges: fc.integer({ min: 1, max: 3 }),
    ids: fc.boolean(),
    statedEmptyTools: fc.boolean(),
    extraField: fc.boolean(),
  })
  .chain(({ id, system, tools, exchanges, ids, statedEmptyTools, extraField }) => {
    const extras = { prose: fc.option(text, { nil: undefined, freq: 4 }), reasoning: fc.option(text, { nil: undefined, freq: 4 }) };
    const step = tools.length
      ? fc.record({ user: text, calls: fc.option(fc.array(call(tools), { minLength: 1, maxLength: 3 }), { nil: undefined }), results: fc.array(text, { minLength: 3, maxLength: 3 }), answer: text, ...extras })
      : fc.record({ user: text, calls: fc.constant(undefined), results: fc.constant([] as string[]), answer: text, ...extras });
    return fc.tuple(fc.array(step, { minLength: exchanges, maxLength: exchanges }), fc.boolean()).map(([steps, endOnCalls]) => {
      const turns: Turn[] = system === undefined ? [] : [{ role: 'system', content: system }];
      let n = 0;
      steps.forEach((s, k) => {
        turns.push({ role: 'user', content: s.user });
        const last = k === steps.length - 1;
        if (s.calls) {
          const calls = s.calls.map((c): ToolCall => (ids ? { ...c, id: `id_${String.fromCharCode(97 + n++)}` } : c));
          // OpenAI keeps text beside calls in `content`; some datasets keep reasoning apart.
          turns.push({ role: 'assistant', content: s.prose ?? '', calls, ...(s.reasoning !== undefined ? { reasoning: s.reasoning } : {}) });
          if (last && endOnCalls) return;
          calls.forEach((c, i) => turns.push({ role: 'tool_result', content: s.results[i], ...(c.id ? { toolCallId: c.id } : {}) }));
        }
        turns.push({ role: 'assistant', content: s.answer });
      });
      const out: Sample = { id: id === undefined ? '1' : String(id), index: 0, format: 'openai', turns, referenceIndex: turns.length - 1, tools };
      return { sample: out, statedId: id, statedEmptyTools, extraField };
    });
  })
  .map(({ sample: s, ...record }) => Object.assign(s, record));

/** BFCL ground truth with accepted alternatives and "" (may be omitted) markers added. */
const enrich = (gt: PossibleAnswer[], alt: boolean, omit: boolean): PossibleAnswer[] =>
  gt.map((e) =>
    Object.fromEntries(
      Object.entries(e).map(([fn, params]) => [
        fn,
        Object.fromEntries(Object.entries(params).map(([p, acc], i) => [p, [...acc, ...(alt && i === 0 && typeof acc[0] === 'string' ? [`${acc[0]} alt`] : []), ...(omit && i === 1 ? [''] : [])]])),
      ]),
    ),
  );

// ---- the trip --------------------------------------------------------------------------------

/** The record of format `f` for a generated sample, as a file would hold it, read back. */
function render(s: Sample & { statedId?: string | number; statedEmptyTools?: boolean; extraField?: boolean }, f: FormatId, alt: boolean, omit: boolean): SourceRecord | undefined {
  const rec = FORMATS[f].write(s) as Record<string, unknown>;
  if (s.extraField) rec.category = 'demo é'; // a field the format does not read
  if (s.statedId !== undefined && !('id' in rec) && f !== 'openai') rec.id = s.statedId;
  // "No tools", said explicitly where the format can say it.
  if (s.statedEmptyTools && s.tools.length === 0 && rec.tools === undefined) {
    if (f === 'openai') rec.tools = [];
    if (f === 'llamafactory' || f === 'llamafactory_v1') rec.tools = '[]';
  }
  const textOut = serializeRecord(rec, COMPACT_STYLE);
  let answersText: string | undefined;
  if (f === 'bfcl') {
    const gt = bfclAnswerOf(s);
    if (gt) answersText = serializeRecord({ id: rec.id, ground_truth: enrich(gt as PossibleAnswer[], alt, omit) }, COMPACT_STYLE);
  }
  return read(f, textOut, answersText);
}

function read(f: FormatId, text: string, answersText: string | undefined): SourceRecord | undefined {
  const value = parseJsonKeepingNumbers(text);
  let s: Sample;
  try {
    s = FORMATS[f].read(value, 0);
  } catch {
    return undefined; // a generated sample this format cannot hold at all
  }
  const gt = groundTruthOf(answersText);
  if (gt) attachPossibleAnswers(s, gt as PossibleAnswer[]);
  return { format: f, index: 0, text, value, sample: s, answersText };
}

const kinds = (out: ConvertedRecord): LossKind[] => out.losses.map((l) => l.kind);

/**
 * One name for the kinds that say how the turns changed: a turn dropped on the way back is "the
 * answer" to the second conversion when the first made it the answer, and history to the source.
 */
const family = (k: LossKind): string => (k === 'answer_text' || k === 'reference' ? 'conversation' : k);

/** The reference answer's arguments as text: numbers in their written form. */
const spelled = (s: Sample): string => serializeRecord(s.turns[s.referenceIndex]?.calls?.map((c) => c.arguments) ?? null, COMPACT_STYLE);

const RUNS = Number(process.env.ROUNDTRIP_RUNS ?? 100);

/** What the trips did, printed at the end: a property that never reached a case proves nothing. */
const figures = { trips: 0, sameSample: 0, sideField: 0, reportedLoss: 0, unreadable: 0, kinds: new Map<string, number>() };

describe('A → B → A for every pair of formats', () => {
  after(() => {
    const k = [...figures.kinds].sort((x, y) => y[1] - x[1]).map(([kind, n]) => `${kind} ${n}`).join(', ');
    console.log(
      `convertRoundTrip: ${figures.trips} trips (${RUNS} per pair): ${figures.sameSample} gave the same sample with nothing reported, ` +
        `${figures.sideField} came back byte for byte from the side field, ${figures.reportedLoss} lost only what was reported; ` +
        `${figures.unreadable} generated samples the source format could not hold. Kinds reported: ${k}`,
    );
  });
  for (const a of FORMAT_IDS) {
    for (const b of FORMAT_IDS) {
      if (a === b) continue;
      it(`${a} → ${b} → ${a}: the same sample, or exactly the reported losses`, () => {
        fc.assert(
          fc.property(sample, fc.boolean(), fc.boolean(), (gen, alt, omit) => {
            const src = render(gen, a, alt, omit);
            if (!src) return void figures.unreadable++;
            figures.trips++;
            const there = convertRecord(src, b, COMPACT_STYLE);
            const mid = read(b, there.text, there.answers);
            assert.ok(mid, `${b} reads what it wrote: ${there.text}`);
            const back = convertRecord(mid, a, COMPACT_STYLE);
            const end = read(a, back.text, back.answers);
            assert.ok(end, `${a} reads what it wrote: ${back.text}`);
            const lost = new Set(lossesBetween(normalForm(src.sample, src.value), normalForm(end.sample, end.value)).map((l) => l.kind));
            for (const l of [...there.losses, ...back.losses]) figures.kinds.set(l.kind, (figures.kinds.get(l.kind) ?? 0) + 1);
            if (there.inSideField) {
              figures.sideField++;
              // The side field held what B could not: the source comes back byte for byte.
              assert.equal(back.text, src.text);
              assert.equal(back.answers, src.answersText);
              return;
            }
            // Never silent: every kind lost on the trip was reported by one of its two conversions.
            // (Not every reported kind shows at the end: B → A may undo what A → B changed, as
            // when BFCL's history call becomes OpenAI's answer and goes back into the history.)
            const announced = new Set([...kinds(there), ...kinds(back)].map(family));
            const silent = [...lost].filter((k) => !announced.has(family(k)));
            assert.deepEqual(silent, [], `lost ${[...lost]} but reported ${[...announced]}\n${src.text}\n${there.text}\n${back.text}`);
            // A trip that reports nothing gives the same sample.
            if (announced.size === 0) assert.deepEqual([...lost], []);
            if (announced.size === 0) figures.sameSample++;
            else figures.reportedLoss++;
            if (!lost.has('calls') && !lost.has('answer_text') && !lost.has('conversation')) assert.equal(spelled(end.sample), spelled(src.sample), 'numbers keep their written form');
          }),
          { numRuns: RUNS },
        );
      });
    }
  }
});

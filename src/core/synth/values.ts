// Parameter values for the synthetic queries: drawn per type with the seeded PRNG, in sensible
// ranges read from the parameter's name and description (years, ages, rates, units, explicit
// "between 1 and 10"), from pools per kind of string (cities, people, dates, currencies...), or
// from the values BFCL's own answers gave the parameter. Each value comes with the words that put
// it in the query — literally, or, for the `derived` knob, as something the model must work out
// ("a dozen" → 12, "half an hour" → 30 minutes, "the capital of France" → "Paris") — and the
// values a right answer may hold (the drawn value first).
//
// This module draws a parameter's value of any type; numbers (numberValues.ts) and strings
// (stringValues.ts, by paramCategory.ts) have modules of their own, the pools are valuePools.ts.
import type { Drawn } from './drawn';
import type { SynthParam } from './functions';
import { deriveNumber, drawNumber, numSpec, numText } from './numberValues';
import { categoryOf, hintExamples } from './paramCategory';
import type { Rng } from './rng';
import { CAN_DERIVE_STRING, stringDraw } from './stringValues';
import { ORDINAL_COUNT, POOLS } from './valuePools';

// ---- arrays ---------------------------------------------------------------------------------

const PRIMES = [2, 3, 5, 7, 11, 13];

function deriveSequence(rng: Rng): { value: number[]; text: string } {
  const n = rng.int(3, 5);
  switch (rng.int(0, 3)) {
    case 0:
      return { value: PRIMES.slice(0, n), text: `the first ${ORDINAL_COUNT[n]} prime numbers` };
    case 1: {
      const a = rng.int(1, 5);
      return { value: Array.from({ length: n }, (_, i) => a + i), text: `the whole numbers from ${a} to ${a + n - 1}` };
    }
    case 2:
      return { value: Array.from({ length: n }, (_, i) => 2 * (i + 1)), text: `the first ${ORDINAL_COUNT[n]} even numbers` };
    default:
      return { value: Array.from({ length: n }, (_, i) => (i + 1) ** 2), text: `the first ${ORDINAL_COUNT[n]} square numbers` };
  }
}

const singular = (label: string): string => label.replace(/ies$/, 'y').replace(/(?<=[^s])s$/, '');

/** "a, b and c". */
export function listText(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// ---- the entry points ------------------------------------------------------------------------

/** Whether `p` has a way to be stated indirectly. */
export function derivable(p: SynthParam): boolean {
  if (p.enum || p.type === 'boolean') return false;
  if (p.type === 'string') {
    const c = categoryOf(p);
    return c !== undefined && CAN_DERIVE_STRING.has(c);
  }
  if (p.type === 'array') return !p.itemEnum && (p.itemType === 'integer' || p.itemType === 'float');
  const spec = numSpec(p);
  return spec.hi > 1 && !(spec.lo < 0 && spec.hi <= 0) && (spec.decimals <= 2 || !!spec.unit);
}

const exampleValue = (acc: readonly unknown[]): { value: unknown; accepted: unknown[] } => {
  const value = acc.find((a) => a !== '');
  const t = Array.isArray(value) ? 'array' : typeof value;
  const accepted = acc.filter((a) => a !== '' && (Array.isArray(a) ? 'array' : typeof a) === t);
  return { value, accepted };
};

function quoteText(s: string, rng: Rng): string {
  return rng.chance(0.35) ? `"${s}"` : s;
}

/**
 * A value for parameter `p`. With `derive`, a value the query states indirectly when `p` allows it
 * (see `derivable`); `derived` in the result says whether it did.
 */
export function drawValue(p: SynthParam, rng: Rng, derive = false): Drawn {
  if (p.enum) {
    const v = rng.pick(p.enum);
    return { value: v, accepted: [v], text: typeof v === 'string' ? quoteText(v, rng) : numText(v) };
  }
  if (p.type === 'boolean') {
    const v = rng.chance(0.5);
    return { value: v, accepted: [v], text: String(v) };
  }
  if (p.type === 'array') {
    if (derive && !p.itemEnum && p.itemType !== 'string') {
      const d = deriveSequence(rng);
      return { value: d.value, accepted: [d.value], text: d.text, derived: 'sequence' };
    }
    if (p.examples.length && rng.chance(0.5)) {
      const e = exampleValue(rng.pick(p.examples));
      const items = e.value as unknown[];
      return { ...e, text: listText(items.map((x) => (typeof x === 'string' ? x : numText(x as number)))) };
    }
    const n = rng.int(2, p.itemEnum ? Math.min(3, p.itemEnum.length) : 4);
    if (p.itemEnum) {
      const items = rng.sample(p.itemEnum, n);
      return { value: items, accepted: [items], text: listText(items) };
    }
    if (p.itemType === 'string') {
      const item: SynthParam = { ...p, label: singular(p.label), type: 'string', itemType: undefined, examples: [] };
      const cat = categoryOf(item);
      const seen = new Set<string>();
      const fromHint = cat === undefined ? hintExamples(p.hint) : [];
      for (let tries = 0; seen.size < n && tries < 20; tries++) seen.add(stringDraw(item, cat, rng, false)?.value ?? rng.pick(fromHint.length >= 2 ? fromHint : POOLS.thing));
      const items = [...seen];
      return { value: items, accepted: [items], text: listText(items.map((s) => quoteText(s, rng))) };
    }
    const spec = numSpec(p);
    const seen = new Set<number>();
    for (let tries = 0; seen.size < n && tries < 20; tries++) seen.add(drawNumber(spec, rng));
    const items = [...seen];
    return { value: items, accepted: [items], text: rng.chance(0.3) ? `[${items.map(numText).join(', ')}]` : listText(items.map(numText)) };
  }
  if (p.type === 'string') {
    const cat = categoryOf(p);
    if (!derive && p.examples.length && (cat === undefined || rng.chance(0.4))) {
      const e = exampleValue(rng.pick(p.examples));
      return { ...e, text: quoteText(e.value as string, rng) };
    }
    const fromHint = cat === undefined ? hintExamples(p.hint) : [];
    const d = stringDraw(p, cat, rng, derive && cat !== undefined && CAN_DERIVE_STRING.has(cat)) ?? { value: rng.pick(fromHint.length ? fromHint : POOLS.thing) };
    const accepted = d.accepted ?? [d.value];
    return d.derived ? { value: d.value, accepted, text: d.text!, derived: d.derived } : { value: d.value, accepted, text: quoteText(d.value, rng) };
  }
  const int = p.type === 'integer';
  const spec = numSpec(p);
  if (derive) {
    const d = deriveNumber(spec, int, rng);
    if (d) return { value: d.value, accepted: [d.value], text: d.text, derived: d.kind };
  }
  if (p.examples.length && rng.chance(0.3)) {
    const e = exampleValue(rng.pick(p.examples));
    return { ...e, text: numText(e.value as number) };
  }
  const v = drawNumber(spec, rng);
  return { value: v, accepted: [v], text: numText(v) };
}

/** Whether `text` states `value` literally: a number as a whole token, a string (case-insensitive) anywhere, a list as written. */
export function statesLiterally(text: string, value: unknown): boolean {
  if (typeof value === 'number') return new RegExp(`(?<![\\d.])${String(value).replace('.', '\\.')}(?![\\d]|\\.\\d)`).test(text);
  if (typeof value === 'string') return text.toLowerCase().includes(value.toLowerCase());
  if (Array.isArray(value)) {
    const plain = value.map((v) => String(v));
    return [plain.join(', '), plain.join(','), listText(plain), `[${plain.join(', ')}]`].some((s) => text.includes(s));
  }
  return false;
}

// Numbers for the synthetic queries: a parameter's range read from its name and description
// (years, ages, rates, units, an explicit "between 1 and 10"), a drawn value in it, and the ways to
// state a value that must be worked out ("a dozen", "half an hour" for 30 minutes, "twice 7").
import type { DerivationKind } from './drawn';
import type { SynthParam } from './functions';
import type { Rng } from './rng';
import { NUMBER_WORDS } from './valuePools';

interface Unit {
  name: string;
  re: RegExp;
  larger?: { one: string; many: string; factor: number };
  smaller?: { many: string; factor: number };
  /** Special phrases for some values of this unit. */
  special?: Record<number, string>;
}

const UNITS: readonly Unit[] = [
  { name: 'milliseconds', re: /\bmilliseconds?\b|\bms\b/, larger: { one: 'a second', many: 'seconds', factor: 1000 } },
  { name: 'seconds', re: /\bseconds?\b|\bsecs?\b/, larger: { one: 'a minute', many: 'minutes', factor: 60 }, special: { 30: 'half a minute', 3600: 'an hour' } },
  { name: 'minutes', re: /\bminutes?\b|\bmins?\b/, larger: { one: 'an hour', many: 'hours', factor: 60 }, smaller: { many: 'seconds', factor: 60 }, special: { 30: 'half an hour', 15: 'a quarter of an hour', 90: 'an hour and a half', 45: 'three quarters of an hour' } },
  { name: 'hours', re: /\bhours?\b|\bhrs?\b/, larger: { one: 'a day', many: 'days', factor: 24 }, smaller: { many: 'minutes', factor: 60 }, special: { 12: 'half a day' } },
  { name: 'days', re: /\bdays\b|\bnumber of days\b/, larger: { one: 'a week', many: 'weeks', factor: 7 }, smaller: { many: 'hours', factor: 24 }, special: { 14: 'a fortnight' } },
  { name: 'weeks', re: /\bweeks\b/, smaller: { many: 'days', factor: 7 } },
  { name: 'months', re: /\bmonths\b/, larger: { one: 'a year', many: 'years', factor: 12 }, special: { 6: 'half a year', 18: 'a year and a half' } },
  { name: 'years', re: /\b(?:years|number of years|duration in years)\b/, larger: { one: 'a decade', many: 'decades', factor: 10 }, smaller: { many: 'months', factor: 12 } },
  { name: 'kilometers', re: /\bkilomet(?:er|re)s?\b|\bkm\b/, smaller: { many: 'meters', factor: 1000 } },
  { name: 'centimeters', re: /\bcentimet(?:er|re)s?\b|\bcm\b/, larger: { one: 'a meter', many: 'meters', factor: 100 } },
  { name: 'millimeters', re: /\bmillimet(?:er|re)s?\b|\bmm\b/, larger: { one: 'a centimeter', many: 'centimeters', factor: 10 } },
  { name: 'meters', re: /\bmet(?:er|re)s?\b/, larger: { one: 'a kilometer', many: 'kilometers', factor: 1000 }, smaller: { many: 'centimeters', factor: 100 } },
  { name: 'kilograms', re: /\bkilograms?\b|\bkgs?\b/, smaller: { many: 'grams', factor: 1000 } },
  { name: 'grams', re: /\bgrams?\b/, larger: { one: 'a kilogram', many: 'kilograms', factor: 1000 } },
  { name: 'liters', re: /\blit(?:er|re)s?\b/, smaller: { many: 'milliliters', factor: 1000 } },
  { name: 'milliliters', re: /\bmillilit(?:er|re)s?\b|\bml\b/, larger: { one: 'a liter', many: 'liters', factor: 1000 } },
];

export interface NumSpec {
  lo: number;
  hi: number;
  decimals: number;
  unit?: Unit;
  /** A rate given as a decimal fraction: "5 percent" → 0.05. */
  fraction?: boolean;
  year?: boolean;
}

const NUM = String.raw`(-?\d+(?:\.\d+)?)`;
const RANGE_RES = [
  new RegExp(String.raw`between\s+${NUM}\s+and\s+${NUM}`, 'i'),
  new RegExp(String.raw`from\s+${NUM}\s+to\s+${NUM}`, 'i'),
  new RegExp(String.raw`range\s*(?:of|:|is)?\s*${NUM}\s*(?:-|to)\s*${NUM}`, 'i'),
  new RegExp(String.raw`\(\s*${NUM}\s*(?:-|to)\s*${NUM}\s*\)`, 'i'),
];
const NAME_RANGES: readonly [RegExp, number, number, number?][] = [
  [/\byear\b|\byear of\b/, 1990, 2024],
  [/\bmonth\b/, 1, 12],
  [/\bday\b/, 1, 28],
  [/\bhour\b/, 0, 23],
  [/\bage\b/, 18, 80],
  [/percent|percentage/, 5, 95],
  [/probability|\bprob\b|ratio|fraction|confidence|significance|\balpha\b|\bp value\b/, 0.05, 0.95, 2],
  [/\brate\b|\binterest\b|\breturn\b|\byield\b|\binflation\b|\bgrowth\b/, 1, 12, 1],
  [/latitude|\blat\b/, -60, 60, 4],
  [/longitude|\blon\b|\blng\b|\blong\b/, -150, 150, 4],
  [/temperature|\btemp\b/, -10, 40],
  [/population/, 1000, 900000],
  [/price|cost|amount|salary|income|budget|principal|investment|balance|revenue|payment|\bfee\b|deposit|loan|capital|\bvalue\b|savings|debt/, 50, 20000],
  [/\bnum\b|number of|count|quantity|limit|\btop\b|\bsize\b|players|people|guests|passengers|\bitems\b|results|rooms|copies|\btimes\b|\bn\b|\bk\b|max|min/, 1, 20],
  [/duration|\bdays\b|\bweeks\b|\bhours\b|\bminutes\b|\bseconds\b|\byears\b|\bmonths\b|period|\btime\b|\bterm\b|interval/, 1, 60],
  [/weight|mass/, 1, 150],
  [/height/, 1, 50],
  [/distance|length|width|radius|\bbase\b|\bside\b|diameter|depth|area|volume/, 1, 100],
  [/speed|velocity/, 5, 120],
  [/\bport\b/, 1024, 9999],
  [/\bpage\b|offset|index|\bstart\b|\bskip\b/, 0, 50],
];

export function numSpec(p: SynthParam): NumSpec {
  const int = p.type === 'integer' || p.itemType === 'integer';
  const text = `${p.label} ${p.hint}`.toLowerCase();
  const label = p.label;
  let lo = int ? 1 : 0.5;
  let hi = 100;
  let decimals = int ? 0 : 1;
  const named = NAME_RANGES.find(([re]) => re.test(label)) ?? NAME_RANGES.find(([re]) => re.test(p.hint.toLowerCase().split(/[.;]/)[0]));
  if (named) {
    [, lo, hi] = named;
    if (!int) decimals = named[3] ?? (hi - lo <= 2 ? 2 : 1);
  }
  for (const re of RANGE_RES) {
    const m = re.exec(p.hint);
    if (!m) continue;
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (Number.isFinite(a) && Number.isFinite(b) && a < b && b - a < 1e7) {
      lo = a;
      hi = b;
      if (!int && b - a <= 2) decimals = 2;
      break;
    }
  }
  const max = /(?:maximum|max\.?|up to|at most|no more than)\s*(?:of|is|:)?\s*(\d+(?:\.\d+)?)/i.exec(p.hint);
  if (max && Number(max[1]) > lo) hi = Math.min(hi, Number(max[1]));
  const min = /(?:minimum|min\.?|at least|no less than)\s*(?:of|is|:)?\s*(-?\d+(?:\.\d+)?)/i.exec(p.hint);
  if (min && Number(min[1]) < hi) lo = Math.max(lo, Number(min[1]));
  if (int) {
    lo = Math.ceil(lo);
    hi = Math.floor(hi);
    if (hi < lo) hi = lo;
  }
  const unit = UNITS.find((u) => u.re.test(label)) ?? UNITS.find((u) => u.re.test(text));
  const fraction = !int && /as a decimal|in decimal|decimal (?:form|format|fraction)|between 0 and 1|0 to 1\b|e\.g\.,? 0\.\d/.test(text) && /rate|percent|ratio|probability|tax|discount|interest|return|growth|inflation/.test(text);
  if (fraction) {
    lo = 0.01;
    hi = 0.25;
    decimals = 2;
  }
  return { lo, hi, decimals, unit, fraction, year: /\byear\b/.test(label) && int && lo >= 1000 };
}

const round = (x: number, d: number): number => Number(x.toFixed(d));
export const numText = (x: number): string => String(x);

export function drawNumber(spec: NumSpec, rng: Rng): number {
  if (spec.decimals === 0) return rng.int(spec.lo, spec.hi);
  // Mostly "nice" values: whole or half numbers, sometimes a full-precision one.
  const x = spec.lo + rng.float() * (spec.hi - spec.lo);
  if (spec.hi - spec.lo >= 10 && rng.chance(0.5)) return round(Math.round(x * 2) / 2, 1);
  return round(x, spec.decimals);
}

/** Ways to state a number that must be worked out; each gives the value it stands for. */
type Derivation = { value: number; text: string; kind: DerivationKind };

export function deriveNumber(spec: NumSpec, int: boolean, rng: Rng): Derivation | undefined {
  const options: (() => Derivation | undefined)[] = [];
  const u = spec.unit;
  const hi = Math.max(spec.hi, spec.lo + 1);
  if (u?.larger) {
    const larger = u.larger;
    options.push(() => {
      const n = rng.int(1, Math.max(2, Math.min(6, Math.floor(hi / larger.factor))));
      return { value: n * larger.factor, text: n === 1 ? larger.one : `${numText(n)} ${larger.many}`, kind: 'unit_conversion' };
    });
  }
  if (u?.smaller) {
    const smaller = u.smaller;
    options.push(() => {
      if (int) {
        const n = rng.int(1, Math.max(2, Math.min(9, Math.floor(hi))));
        return { value: n, text: `${numText(n * smaller.factor)} ${smaller.many}`, kind: 'unit_conversion' };
      }
      const n = rng.int(2, 19) * 5; // 1.5 kg from 1500 grams: halves, quarters of a unit
      const value = round(n / 10, 1);
      return { value, text: `${numText(round(value * smaller.factor, 3))} ${smaller.many}`, kind: 'unit_conversion' };
    });
  }
  if (u?.special) {
    const special = u.special;
    const keys = Object.keys(special).map(Number);
    options.push(() => {
      const v = rng.pick(keys);
      return { value: v, text: special[v], kind: 'unit_conversion' };
    });
  }
  if (spec.fraction) {
    options.push(() => {
      const pct = rng.int(1, 25);
      return { value: round(pct / 100, 2), text: rng.chance(0.5) ? `${pct} percent` : `${pct}%`, kind: 'unit_conversion' };
    });
    // A fraction parameter gets only this kind: arithmetic on 0.05 reads oddly.
    return rng.pick(options)();
  }
  if (spec.year) {
    options.push(() => {
      const v = rng.int(Math.max(spec.lo, 1901), Math.min(spec.hi, 2030));
      return rng.chance(0.5) ? { value: v, text: `the year after ${v - 1}`, kind: 'arithmetic' } : { value: v, text: `the year before ${v + 1}`, kind: 'arithmetic' };
    });
    return rng.pick(options)();
  }
  if (spec.lo < 0 && spec.hi <= 0) return undefined;
  const lo = Math.max(1, Math.ceil(spec.lo));
  const top = Math.max(lo + 2, Math.floor(hi));
  const unitOptions = options.slice();
  const words = (): Derivation | undefined => {
    // "seven", "a dozen"
    const special: [number, string][] = [[12, 'a dozen'], [6, 'half a dozen'], [24, 'two dozen'], [100, 'a hundred'], [1000, 'a thousand']];
    const fits = special.filter(([v]) => v >= lo && v <= top);
    if (fits.length && rng.chance(0.4)) {
      const [value, text] = rng.pick(fits);
      return { value, text, kind: 'number_words' };
    }
    const v = rng.int(Math.max(2, Math.min(lo, 20)), Math.max(2, Math.min(20, top)));
    return { value: v, text: NUMBER_WORDS[v], kind: 'number_words' };
  };
  const arithmetic: (() => Derivation)[] = [
    () => {
      const n = rng.int(Math.max(2, Math.ceil(lo / 2)), Math.max(3, Math.floor(top / 2)));
      return { value: 2 * n, text: rng.pick([`twice ${n}`, `double ${n}`, `two times ${n}`]), kind: 'arithmetic' };
    },
    () => {
      const v = rng.int(lo, top);
      return { value: v, text: `half of ${2 * v}`, kind: 'arithmetic' };
    },
    () => {
      const v = rng.int(Math.max(3, lo), Math.max(4, top));
      const m = rng.int(1, v - 1);
      return rng.chance(0.5) ? { value: v, text: `${v - m} plus ${m}`, kind: 'arithmetic' } : { value: v, text: `${v + m} minus ${m}`, kind: 'arithmetic' };
    },
    () => {
      const n = rng.int(Math.max(2, Math.ceil(lo / 3)), Math.max(2, Math.floor(top / 3)));
      return { value: 3 * n, text: `three times ${n}`, kind: 'arithmetic' };
    },
  ];
  if (!int) {
    arithmetic.push(() => {
      const n = rng.int(Math.max(1, lo), Math.max(3, Math.min(2 * top, 99))) * 2 + 1;
      return { value: n / 2, text: `half of ${n}`, kind: 'arithmetic' };
    });
  }
  // Units first when there are any (they are what such a parameter's users say), then words, then sums.
  const group = rng.weighted({ unit: unitOptions.length ? 0.6 : 0, words: unitOptions.length ? 0.15 : 0.35, arithmetic: unitOptions.length ? 0.25 : 0.65 });
  const pool = group === 'unit' ? unitOptions : group === 'words' ? [words] : arithmetic;
  for (let tries = 0; tries < 4; tries++) {
    const r = rng.pick(pool)();
    if (r && (!int || Number.isInteger(r.value))) return r;
  }
  return undefined;
}

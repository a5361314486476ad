// Strings for the synthetic queries, by what the parameter is about (paramCategory.ts): a city in
// the format its description asks for, a date in its format, an id, a pool's value; and the
// lookups and calendar arithmetic that state one indirectly ("the capital of France", "the day
// after Monday").
import type { DerivationKind } from './drawn';
import type { SynthParam } from './functions';
import type { Category } from './paramCategory';
import type { Rng } from './rng';
import { CITY_COUNTRY, COUNTRIES, COUNTRY_NAME, MONTHS, NUMBER_WORDS, POOLS, STATE_CAPITALS, US_CITIES, WEEKDAYS, WORLD_CITIES } from './valuePools';

type CityFormat = 'us' | 'country' | 'plain';
function cityFormat(hint: string): CityFormat {
  if (/city\s*(?:and|,)\s*state|[A-Z][a-z]+(?: [A-Z][a-z]+)*, [A-Z]{2}\b/.test(hint)) return 'us';
  if (/city\s*(?:and|,)\s*country|[A-Z][a-z]+, (?:France|Japan|UK|Germany|Spain|Italy|England)\b/i.test(hint)) return 'country';
  return 'plain';
}

const pad = (n: number): string => String(n).padStart(2, '0');

type DateFormat = 'iso' | 'us' | 'eu' | 'isoTime';
function dateFormat(hint: string): DateFormat {
  if (/mm\/dd\/yyyy/i.test(hint)) return 'us';
  if (/dd[-/.]mm[-/.]yyyy/i.test(hint)) return 'eu';
  if (/yyyy-mm-dd[t ]hh|iso 8601 (?:date-?time|timestamp)|datetime/i.test(hint)) return 'isoTime';
  return 'iso';
}
function formatDate(d: Date, f: DateFormat): string {
  const y = d.getUTCFullYear();
  const m = pad(d.getUTCMonth() + 1);
  const day = pad(d.getUTCDate());
  if (f === 'us') return `${m}/${day}/${y}`;
  if (f === 'eu') return `${day}-${m}-${y}`;
  if (f === 'isoTime') return `${y}-${m}-${day}T09:00:00`;
  return `${y}-${m}-${day}`;
}
function drawDate(rng: Rng): Date {
  return new Date(Date.UTC(rng.int(2023, 2025), rng.int(0, 11), rng.int(1, 28)));
}

function idValue(p: SynthParam, rng: Rng): string {
  const word = p.label.split(' ').find((w) => w.length >= 3 && !/^(?:the|unique|identifier)$/.test(w)) ?? 'item';
  return rng.chance(0.5) ? `${word.slice(0, 3).toUpperCase()}-${rng.int(1000, 99999)}` : `${word.slice(0, 4).toLowerCase()}${rng.int(100, 9999)}`;
}

interface StringDraw {
  value: string;
  accepted?: string[];
  text?: string;
  derived?: DerivationKind;
}

function cityDraw(p: SynthParam, rng: Rng, derive: boolean): StringDraw {
  const f = cityFormat(p.hint);
  if (f === 'us') {
    if (derive) {
      const s = rng.pick(STATE_CAPITALS);
      return { value: s.city, accepted: [s.city, s.city.split(',')[0]], text: `the capital of ${s.state}`, derived: 'lookup' };
    }
    const c = rng.pick(US_CITIES);
    return { value: c, accepted: [c, c.split(',')[0]] };
  }
  if (derive) {
    const c = rng.pick(COUNTRIES);
    const value = f === 'country' ? `${c.capital}, ${COUNTRY_NAME(c.country)}` : c.capital;
    return { value, accepted: [value, f === 'country' ? c.capital : `${c.capital}, ${COUNTRY_NAME(c.country)}`], text: `the capital of ${c.country}`, derived: 'lookup' };
  }
  const city = rng.pick(WORLD_CITIES);
  const full = `${city}, ${CITY_COUNTRY[city] ?? 'USA'}`;
  return f === 'country' ? { value: full, accepted: [full, city] } : { value: city, accepted: [city, full] };
}

/** A string value for `p`, derived when asked and the category allows; undefined when it has no category. */
export function stringDraw(p: SynthParam, cat: Category | undefined, rng: Rng, derive: boolean): StringDraw | undefined {
  switch (cat) {
    case 'city':
      return cityDraw(p, rng, derive);
    case 'country': {
      const c = rng.pick(COUNTRIES);
      const name = COUNTRY_NAME(c.country);
      return derive ? { value: name, text: `the country whose capital is ${c.capital}`, derived: 'lookup' } : { value: name };
    }
    case 'currency': {
      const withCur = COUNTRIES.filter((c) => c.currency);
      if (derive) {
        const c = rng.pick(withCur);
        return { value: c.currency!, text: `the currency of ${c.country}`, derived: 'lookup' };
      }
      return { value: rng.pick(POOLS.currency) };
    }
    case 'language': {
      if (/\bcode\b|iso|e\.g\.,?\s*['"]?[a-z]{2}['"]?\b/i.test(p.hint)) return { value: rng.pick(POOLS.languageCode) };
      if (derive) {
        const c = rng.pick(COUNTRIES.filter((x) => x.language && !['English', 'Spanish', 'German', 'Portuguese'].includes(x.language) && !/^the /.test(x.country)));
        return { value: c.language!, text: `the language of ${c.country}`, derived: 'lookup' };
      }
      return { value: rng.pick(POOLS.language) };
    }
    case 'weekday': {
      const i = rng.int(0, 6);
      return derive ? { value: WEEKDAYS[i], text: `the day after ${WEEKDAYS[(i + 6) % 7]}`, derived: 'date_arithmetic' } : { value: WEEKDAYS[i] };
    }
    case 'month': {
      const i = rng.int(0, 11);
      return derive ? { value: MONTHS[i], text: `the month after ${MONTHS[(i + 11) % 12]}`, derived: 'date_arithmetic' } : { value: MONTHS[i] };
    }
    case 'date': {
      const f = dateFormat(p.hint);
      const d = drawDate(rng);
      if (!derive) return { value: formatDate(d, f) };
      const days = rng.pick([1, 7]);
      const before = new Date(d.getTime() - days * 86400000);
      return { value: formatDate(d, f), text: `${days === 1 ? 'the day' : 'one week'} after ${formatDate(before, f)}`, derived: 'date_arithmetic' };
    }
    case 'time': {
      const h = rng.int(7, 20);
      const m = rng.pick([0, 15, 30, 45]);
      const value = `${pad(h)}:${pad(m)}`;
      if (!derive) return { value };
      const h12 = h % 12 === 0 ? 12 : h % 12;
      const part = h < 12 ? 'in the morning' : h < 18 ? 'in the afternoon' : 'in the evening';
      const words = m === 0 ? `${NUMBER_WORDS[h12]} o'clock` : m === 15 ? `a quarter past ${NUMBER_WORDS[h12]}` : m === 30 ? `half past ${NUMBER_WORDS[h12]}` : `a quarter to ${NUMBER_WORDS[(h12 % 12) + 1]}`;
      return { value, text: `${words} ${part}`, derived: 'date_arithmetic' };
    }
    case 'year': {
      const y = rng.int(1995, 2024);
      return derive ? { value: String(y), text: `the year after ${y - 1}`, derived: 'arithmetic' } : { value: String(y) };
    }
    case 'id':
      return { value: idValue(p, rng) };
    case 'person':
      return { value: rng.pick(/\busername\b|user name|handle/.test(p.label) ? ['alice_j', 'bsmith', 'dlee42', 'kofi.m'] : POOLS.person) };
    case 'title': {
      return { value: rng.pick(POOLS.title) };
    }
    case 'genre':
      return { value: rng.pick(/movie|film/.test(`${p.label} ${p.hint}`.toLowerCase()) ? POOLS.filmGenre : POOLS.genre) };
    case undefined:
      return undefined;
    default:
      return POOLS[cat] ? { value: rng.pick(POOLS[cat]) } : undefined;
  }
}

export const CAN_DERIVE_STRING = new Set<Category>(['city', 'country', 'currency', 'weekday', 'month', 'date', 'time', 'year']);

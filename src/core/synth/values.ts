// Parameter values for the synthetic queries: drawn per type with the seeded PRNG, in sensible
// ranges read from the parameter's name and description (years, ages, rates, units, explicit
// "between 1 and 10"), from pools per kind of string (cities, people, dates, currencies...), or
// from the values BFCL's own answers gave the parameter. Each value comes with the words that put
// it in the query — literally, or, for the `derived` knob, as something the model must work out
// ("a dozen" → 12, "half an hour" → 30 minutes, "the capital of France" → "Paris") — and the
// values a right answer may hold (the drawn value first).
import type { Rng } from './rng';
import type { SynthParam } from './functions';

export interface Drawn {
  /** The reference value. */
  value: unknown;
  /** Values a right answer may give (BFCL accepted values), the reference value first. */
  accepted: unknown[];
  /** How the query states it. */
  text: string;
  /** Set when `text` does not state the value: the kind of derivation. */
  derived?: DerivationKind;
}

export type DerivationKind = 'number_words' | 'arithmetic' | 'unit_conversion' | 'lookup' | 'date_arithmetic' | 'sequence';

// ---- pools ----------------------------------------------------------------------------------

/** Country → capital, currency, language: the lookups behind derived strings. */
const COUNTRIES: readonly { country: string; capital: string; currency?: string; language?: string }[] = [
  { country: 'France', capital: 'Paris', currency: 'EUR', language: 'French' },
  { country: 'Japan', capital: 'Tokyo', currency: 'JPY', language: 'Japanese' },
  { country: 'Germany', capital: 'Berlin', currency: 'EUR', language: 'German' },
  { country: 'Spain', capital: 'Madrid', currency: 'EUR', language: 'Spanish' },
  { country: 'Italy', capital: 'Rome', currency: 'EUR', language: 'Italian' },
  { country: 'Egypt', capital: 'Cairo', currency: 'EGP', language: 'Arabic' },
  { country: 'Austria', capital: 'Vienna', currency: 'EUR', language: 'German' },
  { country: 'Portugal', capital: 'Lisbon', currency: 'EUR', language: 'Portuguese' },
  { country: 'Ireland', capital: 'Dublin', currency: 'EUR', language: 'English' },
  { country: 'Norway', capital: 'Oslo', currency: 'NOK', language: 'Norwegian' },
  { country: 'Sweden', capital: 'Stockholm', currency: 'SEK', language: 'Swedish' },
  { country: 'Kenya', capital: 'Nairobi', currency: 'KES', language: 'Swahili' },
  { country: 'Thailand', capital: 'Bangkok', currency: 'THB', language: 'Thai' },
  { country: 'Greece', capital: 'Athens', currency: 'EUR', language: 'Greek' },
  { country: 'Peru', capital: 'Lima', currency: 'PEN', language: 'Spanish' },
  { country: 'Argentina', capital: 'Buenos Aires', currency: 'ARS', language: 'Spanish' },
  { country: 'the Netherlands', capital: 'Amsterdam', currency: 'EUR', language: 'Dutch' },
  { country: 'Canada', capital: 'Ottawa', currency: 'CAD', language: 'English' },
  { country: 'Australia', capital: 'Canberra', currency: 'AUD', language: 'English' },
  { country: 'the United Kingdom', capital: 'London', currency: 'GBP', language: 'English' },
  { country: 'South Korea', capital: 'Seoul', currency: 'KRW', language: 'Korean' },
  { country: 'China', capital: 'Beijing', currency: 'CNY', language: 'Chinese' },
  { country: 'India', capital: 'New Delhi', currency: 'INR', language: 'Hindi' },
  { country: 'Mexico', capital: 'Mexico City', currency: 'MXN', language: 'Spanish' },
  { country: 'Brazil', capital: 'Brasilia', currency: 'BRL', language: 'Portuguese' },
  { country: 'Switzerland', capital: 'Bern', currency: 'CHF' },
  { country: 'Turkey', capital: 'Ankara', currency: 'TRY', language: 'Turkish' },
  { country: 'Poland', capital: 'Warsaw', currency: 'PLN', language: 'Polish' },
];
const COUNTRY_NAME = (c: string): string => c.replace(/^the /, '');

/** US state → capital ("City, ST"), for parameters that want "city, state". */
const STATE_CAPITALS: readonly { state: string; city: string }[] = [
  { state: 'Texas', city: 'Austin, TX' },
  { state: 'Georgia', city: 'Atlanta, GA' },
  { state: 'Colorado', city: 'Denver, CO' },
  { state: 'Massachusetts', city: 'Boston, MA' },
  { state: 'Arizona', city: 'Phoenix, AZ' },
  { state: 'Tennessee', city: 'Nashville, TN' },
  { state: 'California', city: 'Sacramento, CA' },
  { state: 'Utah', city: 'Salt Lake City, UT' },
];
const US_CITIES = ['New York, NY', 'Los Angeles, CA', 'Chicago, IL', 'Houston, TX', 'Seattle, WA', 'Miami, FL', 'San Francisco, CA', 'Portland, OR', 'Las Vegas, NV', 'San Diego, CA', 'Boston, MA', 'Denver, CO'];
const WORLD_CITIES = ['Paris', 'London', 'Tokyo', 'Berlin', 'Madrid', 'Rome', 'Sydney', 'Toronto', 'Mumbai', 'Cairo', 'Seoul', 'Amsterdam', 'Vienna', 'Lisbon', 'Dublin', 'Singapore', 'Istanbul', 'Bangkok', 'Chicago', 'Barcelona', 'Nairobi', 'Oslo'];
const CITY_COUNTRY: Record<string, string> = { Sydney: 'Australia', Toronto: 'Canada', Mumbai: 'India', Istanbul: 'Turkey', Singapore: 'Singapore', Chicago: 'USA', Barcelona: 'Spain' };
for (const c of COUNTRIES) CITY_COUNTRY[c.capital] = COUNTRY_NAME(c.country);

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];
const ORDINAL_COUNT = ['', 'one', 'two', 'three', 'four', 'five'];

const POOLS: Record<string, readonly string[]> = {
  person: ['Alice Johnson', 'Bob Smith', 'Carlos Diaz', 'Diana Lee', 'Emma Brown', 'Farah Khan', 'George Miller', 'Hana Sato', 'Ivan Petrov', 'Julia Rossi', 'Kofi Mensah', 'Laura Chen'],
  artist: ['Taylor Swift', 'The Beatles', 'Ed Sheeran', 'Adele', 'Miles Davis', 'Jane Austen', 'George Orwell', 'Vincent van Gogh', 'Claude Monet', 'Beyonce'],
  company: ['Apple', 'Microsoft', 'Tesla', 'Amazon', 'Google', 'Netflix', 'Nike', 'Toyota', 'Samsung', 'IBM', 'Intel', 'Spotify'],
  ticker: ['AAPL', 'MSFT', 'TSLA', 'AMZN', 'GOOGL', 'NFLX', 'NVDA', 'META'],
  currency: ['USD', 'EUR', 'JPY', 'GBP', 'CAD', 'AUD', 'CHF', 'INR'],
  language: ['English', 'Spanish', 'French', 'German', 'Japanese', 'Italian', 'Portuguese', 'Korean'],
  languageCode: ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'ko'],
  countryCode: ['US', 'FR', 'JP', 'DE', 'GB', 'IN', 'BR', 'CA'],
  email: ['alice@example.com', 'bob.smith@example.org', 'support@acme.io', 'diana.lee@mail.com', 'team@startup.dev'],
  url: ['https://example.com', 'https://www.wikipedia.org', 'https://news.example.org/today', 'https://shop.example.com/items'],
  file: ['report.csv', 'data.json', 'notes.txt', 'photo.png', 'sales_2023.xlsx', 'config.yaml', 'main.py'],
  genre: ['rock', 'jazz', 'pop', 'classical', 'hip hop', 'blues', 'country', 'electronic'],
  filmGenre: ['comedy', 'drama', 'thriller', 'horror', 'action', 'documentary', 'animation'],
  cuisine: ['Italian', 'Mexican', 'Japanese', 'Indian', 'Thai', 'French', 'Chinese', 'Greek'],
  color: ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'black', 'white'],
  sport: ['basketball', 'soccer', 'tennis', 'baseball', 'cricket', 'hockey', 'golf'],
  team: ['Los Angeles Lakers', 'Real Madrid', 'Manchester United', 'Chicago Bulls', 'Golden State Warriors', 'FC Barcelona', 'New York Yankees'],
  title: ['The Great Gatsby', 'Inception', 'Bohemian Rhapsody', 'Abbey Road', 'Pride and Prejudice', 'The Matrix', 'Hamlet', 'Starry Night'],
  species: ['African elephant', 'bald eagle', 'gray wolf', 'polar bear', 'sea turtle', 'honey bee', 'red fox'],
  food: ['pasta', 'chicken', 'tofu', 'rice', 'avocado', 'salmon', 'lentils', 'spinach'],
  event: ['World War II', 'the French Revolution', 'the Moon landing', 'the fall of the Berlin Wall', 'the Renaissance', 'the Industrial Revolution'],
  unit: ['meters', 'kilograms', 'celsius', 'miles', 'liters', 'seconds'],
  status: ['active', 'pending', 'completed', 'archived', 'open'],
  region: ['California', 'Texas', 'Florida', 'New York', 'Ohio', 'Oregon', 'Colorado', 'Georgia'],
  address: ['123 Main Street', '42 Elm Avenue', '7 Harbor Road', '15 Park Lane', '900 Market Street'],
  phone: ['555-0142', '555-0199', '555-0123', '555-0187'],
  message: ['See you at the meeting', 'The report is ready', 'Happy birthday', 'Please call me back', 'Thanks for your help'],
  expression: ['x**2 + 3*x', '2*x + 1', 'x**3 - 2*x', 'sin(x)', '3*x**2 - x + 4'],
  topic: ['machine learning', 'climate change', 'renewable energy', 'quantum computing', 'ancient Rome', 'electric cars', 'healthy recipes', 'space exploration'],
  thing: ['standard', 'premium', 'basic', 'alpha', 'orion', 'atlas', 'nova', 'summit'],
};

// ---- what a parameter is about ----------------------------------------------------------------

type Category =
  | 'id' | 'countryCode' | 'email' | 'url' | 'file' | 'date' | 'time' | 'year' | 'ticker' | 'currency' | 'language' | 'country' | 'city' | 'region'
  | 'address' | 'phone' | 'company' | 'team' | 'artist' | 'person' | 'title' | 'genre' | 'cuisine' | 'color' | 'sport' | 'species'
  | 'food' | 'event' | 'weekday' | 'month' | 'unit' | 'status' | 'message' | 'expression' | 'topic';

const CATEGORY_RULES: readonly [Category, RegExp][] = [
  ['currency', /\bcurrenc/],
  ['language', /\blang(?:uage)?s?\b/],
  ['countryCode', /\bcountry code\b/],
  ['id', /(?:^|\s)(?:id|ids|uuid|identifier|key|code)$/],
  ['email', /e-?mail/],
  ['url', /\b(?:url|link|website|endpoint|uri)s?\b/],
  ['file', /\b(?:file|filename|path|filepath)s?\b/],
  ['date', /\bdates?\b|\bbirthday\b|\bdeadline\b/],
  ['time', /\btime\b(?!\s*(?:zone|frame|period|span|range))/],
  ['year', /\byears?$/],
  ['ticker', /\b(?:ticker|stock symbol|symbol)s?\b/],
  ['country', /\bcountr(?:y|ies)\b|\bnation\b/],
  ['city', /\b(?:city|cities|location|locations|destination|origin|place|town|venue|hometown)\b/],
  ['region', /\b(?:state|region|province)s?\b/],
  ['address', /\baddress\b/],
  ['phone', /\bphone\b/],
  ['company', /\b(?:company|companies|organization|organisation|brand|manufacturer|business|firm|employer)\b/],
  ['team', /\bteams?\b|\bclub\b/],
  ['artist', /\b(?:artist|author|composer|singer|band|musician|painter|writer)s?\b/],
  ['person', /\b(?:person|people|player|user|customer|employee|actor|athlete|director|owner|recipient|patient|student|contact|username|user name|full name|first name|last name|friend|member)s?\b/],
  ['title', /\b(?:title|book|movie|film|song|album|track|show|painting|artwork|play)s?\b/],
  ['genre', /\bgenres?\b/],
  ['cuisine', /\bcuisines?\b/],
  ['color', /\bcolou?rs?\b/],
  ['sport', /\bsports?\b/],
  ['species', /\b(?:species|animal|animals|plant|plants|bird|birds)\b/],
  ['food', /\b(?:food|dish|ingredient|recipe|meal|diet)s?\b/],
  ['event', /\bevents?\b|\bbattle\b|\bwar\b/],
  ['weekday', /\bweekday\b|\bday of (?:the )?week\b/],
  ['month', /\bmonth$/],
  ['unit', /\bunits?\b/],
  ['status', /\bstatus\b/],
  ['message', /\b(?:message|text|content|body|comment|note|prompt|question|sentence|description|review)s?\b/],
  ['expression', /\b(?:expression|equation|formula|function)s?\b/],
  ['topic', /\b(?:query|queries|keyword|keywords|search|term|terms|topic|subject|interest|field|category)\b/],
];

/**
 * What a string parameter is about: from its name, else from the head noun of its description
 * ("The city where ..." → city; "The name of the company ..." → company). Only the head noun: a
 * description mentions many things ("The size of the painting" is not a title).
 */
export function categoryOf(p: Pick<SynthParam, 'label' | 'hint'>): Category | undefined {
  const label = p.label.replace(/^(?:the|a)\s+/, '');
  const words = label.split(' ');
  const last = words[words.length - 1];
  // The head of a label is its last word ("ingredient size" is a size); generic heads ("company
  // name", "user id", "country code") take the whole label.
  const probe = GENERIC_HEADS.has(last) || words.length === 1 ? label : last;
  for (const [c, re] of CATEGORY_RULES) if (re.test(probe)) return c;
  if (!GENERIC_HEADS.has(last) && words.length > 1) return undefined;
  const lead = p.hint.toLowerCase().replace(/^\s*(?:the|a|an)\s+/, '');
  const m = /^(?:(?:full |official |exact )?(?:name|title) of (?:the |a |an )?)?([a-z]+(?: (?:name|code|id|symbol|date|time))?)\b/.exec(lead);
  if (!m) return undefined;
  for (const [c, re] of CATEGORY_RULES) if (re.test(m[1])) return c;
  return undefined;
}

/** Example values a description names: quoted ones, else those after "e.g." / "such as" / "like". */
export function hintExamples(hint: string): string[] {
  const ok = (s: string): boolean => s.length >= 2 && s.length <= 30 && !/["\\\n]|^(?:etc|and|or)\b/i.test(s);
  const quoted = [...hint.matchAll(/'([^'\n]{2,30})'|"([^"\n]{2,30})"/g)].map((m) => (m[1] ?? m[2]).trim()).filter(ok);
  if (quoted.length) return [...new Set(quoted)];
  const m = /(?:e\.g\.?|for example|such as|for instance|like)[,:]?\s+([^.;)\n]+)/i.exec(hint);
  if (!m) return [];
  return [...new Set(m[1].split(/,|\bor\b|\band\b/).map((x) => x.trim().replace(/^(?:the|a|an)\s+/i, '')).filter((x) => ok(x) && x.split(' ').length <= 4))];
}

const GENERIC_HEADS = new Set(['name', 'names', 'code', 'id', 'ids', 'title', 'symbol', 'type', 'identifier', 'key', 'value', 'info', 'string']);

type CityFormat = 'us' | 'country' | 'plain';
function cityFormat(hint: string): CityFormat {
  if (/city\s*(?:and|,)\s*state|[A-Z][a-z]+(?: [A-Z][a-z]+)*, [A-Z]{2}\b/.test(hint)) return 'us';
  if (/city\s*(?:and|,)\s*country|[A-Z][a-z]+, (?:France|Japan|UK|Germany|Spain|Italy|England)\b/i.test(hint)) return 'country';
  return 'plain';
}

// ---- numbers --------------------------------------------------------------------------------

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

interface NumSpec {
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

function numSpec(p: SynthParam): NumSpec {
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
const numText = (x: number): string => String(x);

function drawNumber(spec: NumSpec, rng: Rng): number {
  if (spec.decimals === 0) return rng.int(spec.lo, spec.hi);
  // Mostly "nice" values: whole or half numbers, sometimes a full-precision one.
  const x = spec.lo + rng.float() * (spec.hi - spec.lo);
  if (spec.hi - spec.lo >= 10 && rng.chance(0.5)) return round(Math.round(x * 2) / 2, 1);
  return round(x, spec.decimals);
}

/** Ways to state a number that must be worked out; each gives the value it stands for. */
type Derivation = { value: number; text: string; kind: DerivationKind };

function deriveNumber(spec: NumSpec, int: boolean, rng: Rng): Derivation | undefined {
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

// ---- strings --------------------------------------------------------------------------------

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
function stringDraw(p: SynthParam, cat: Category | undefined, rng: Rng, derive: boolean): StringDraw | undefined {
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

const CAN_DERIVE_STRING = new Set<Category>(['city', 'country', 'currency', 'weekday', 'month', 'date', 'time', 'year']);

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

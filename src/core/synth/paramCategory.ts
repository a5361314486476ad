// What a string parameter is about (a city, a date, a person...), read from its name and the head
// noun of its description, and the example values its description names: they choose the pool a
// value is drawn from (stringValues.ts).
import type { SynthParam } from './functions';

export type Category =
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

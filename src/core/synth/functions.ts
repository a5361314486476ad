// From BFCL function docs to what the generator works with: functions whose parameters are all of
// simple types (string, integer, float, boolean, enums, small arrays of numbers or strings), each
// with a short tool schema for the prompt, an imperative task phrase for the queries, and the
// family its name belongs to (for distractors and for the split).
//
// Prompt budget. The policy we train is tiny (~4M parameters, ~1k-token context), and a sample's
// prompt holds up to four tools, so the schema given to the model keeps only the essentials:
//   - the description's first sentence, cut to DESC_CHARS at a word boundary;
//   - at most MAX_PARAMS parameters (all required ones, then the first optional ones; a function
//     with more required parameters than that is skipped);
//   - per parameter: type, a description cut to PARAM_DESC_CHARS (sentences about defaults
//     removed: an omitted optional parameter must be left out of the answer, and a default in
//     the prompt would invite writing it), enum members (at most MAX_ENUM), item type of arrays;
//   - "float" for BFCL's float/number, "array" for array/tuple; no defaults, no examples.
import type { ToolDef } from '../dataset/sample';
import type { SourcedDoc } from './docs';

export const DESC_CHARS = 100;
export const PARAM_DESC_CHARS = 60;
export const MAX_PARAMS = 5;
export const MAX_ENUM = 12;
/** Longest task phrase put into a query. */
export const TASK_CHARS = 72;

export type ParamType = 'string' | 'integer' | 'float' | 'boolean' | 'array';
export type ItemType = 'string' | 'integer' | 'float';

export interface SynthParam {
  name: string;
  /** The name as words ("company_name" → "company name"), for the queries. */
  label: string;
  type: ParamType;
  itemType?: ItemType;
  enum?: (string | number)[];
  /** Members allowed in an array of enum strings. */
  itemEnum?: string[];
  required: boolean;
  /** The short description given to the model. */
  description: string;
  /** The full original description, for value hints (ranges, formats, units). */
  hint: string;
  /** Accepted-value lists from BFCL's ground truth that fit this parameter's type. */
  examples: unknown[][];
}

export interface SynthFunction {
  name: string;
  /** The short description given to the model. */
  description: string;
  /** What the function does, as an imperative phrase for queries ("calculate the area of a triangle"). */
  task: string;
  params: SynthParam[];
  /** Split key: functions of one family go to the same split (see familyOf). */
  family: string;
  /** Lower-cased name tokens, for similarity. */
  tokens: string[];
  /** The name lower-cased without separators, for "the same name written differently". */
  squashed: string;
  /** Content words of the description, for telling near-duplicates from distractors. */
  words: Set<string>;
  /** The tool as the model sees it. */
  tool: ToolDef;
}

export interface PrepareReport {
  functions: SynthFunction[];
  /** Functions skipped, by reason. */
  skipped: Record<string, number>;
  /** Optional parameters left out of kept functions' schemas to stay within MAX_PARAMS. */
  paramsDropped: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const FN_NAME = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;
const PARAM_NAME = /^[A-Za-z_]\w*$/;
const SCALAR_TYPES: Record<string, ParamType> = { string: 'string', integer: 'integer', float: 'float', number: 'float', boolean: 'boolean' };
const ITEM_TYPES: Record<string, ItemType> = { string: 'string', integer: 'integer', float: 'float', number: 'float' };

// ---- text -------------------------------------------------------------------------------------

/** The first sentence of `text` (a period followed by a space or the end, or a line break). */
export function firstSentence(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])(?:\s|$)/.exec(t);
  let s = m ? m[1] : t;
  // "e.g." / "i.e." / "approx." end no sentence: carry on to the next real end.
  while ((/\b(?:e\.g|i\.e|etc|vs|approx|no|ex|mr|ms|dr|st)\.$/i.test(s) || /(?:^|[\s.])[A-Z]\.$/.test(s)) && s.length < t.length) {
    const rest = /^(.+?[.!?])(?:\s|$)/.exec(t.slice(s.length + 1));
    s = rest ? `${s} ${rest[1]}` : t;
  }
  return s.trim();
}

/** `text` cut to at most `max` characters at a word boundary, with "..." when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 3);
  const at = cut.lastIndexOf(' ');
  return `${(at > max / 2 ? cut.slice(0, at) : cut).replace(/[\s,;:(-]+$/, '')}...`;
}

/** A parameter description without its sentences or brackets about defaults, first sentence, clipped. */
export function shortParamDescription(text: string): string {
  const noDefault = text
    .replace(/\s*\([^()]*\bdefault[^()]*\)/gi, '')
    .replace(/[,;]\s*(?:the\s+)?default(?:s)?\b[^.]*/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
  const sentences = noDefault.split(/(?<=[.!?])\s+/).filter((s) => !/\bdefault/i.test(s) && !/^optional\.?$/i.test(s.trim()));
  const first = sentences.length ? firstSentence(sentences.join(' ')) : '';
  return clip(first.replace(/^\s*(?:\(optional\)|optional[.:,]?)\s*/i, ''), PARAM_DESC_CHARS);
}

/** "company_name" / "companyName" / "company-name" → "company name". */
export function humanize(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Lower-cased tokens of a function name (dots, underscores and camelCase split). */
export function nameTokens(name: string): string[] {
  return humanize(name).split(' ').filter(Boolean);
}

const STOP = new Set(
  'a an the of for to in on by with and or from given its it this that is are be as at into based using specific specified provided certain given user function tool api returns return which'.split(' '),
);

export function contentWords(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2 && !STOP.has(w))
      .map((w) => w.replace(/(?:ies)$/, 'y').replace(/(?<=[^s])s$/, '')),
  );
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter);
}

// Verbs descriptions start with (base forms); a description that starts otherwise gets a task
// phrase made from the function's name instead.
const VERBS = new Set(
  (
    'retrieve calculate get find locate search fetch create generate return perform delete provide convert predict update add check compute ' +
    'estimate analyze analyse send execute initiate set identify look remove translate process determine book list build establish render modify ' +
    'play order schedule reserve cancel make query obtain evaluate simulate plot solve count sort merge split filter validate verify register post ' +
    'upload download start stop open close run buy sell transfer pay apply display show lookup scan test measure track monitor recommend suggest ' +
    'compare rank summarize summarise extract parse format encode decode encrypt draw reset move assign invite submit approve enable disable ' +
    'configure install deploy restart read write save load edit change adjust control turn request subscribe notify archive restore import export ' +
    'call dial email rent plan design invest forecast fit train classify detect recognize diagnose assess review inspect resolve map navigate ' +
    'route sign log mark flag tag label collect gather compile organize arrange prepare publish share discover explore select choose pick ' +
    'identify convert round multiply divide subtract sum average integrate differentiate derive factorize simplify approximate interpolate ' +
    'visualize print give reverse replace insert append initialize handle manage ' +
    'accept reject mute unmute pause resume join leave follow unfollow like invite ping connect disconnect launch terminate kill scale release ' +
    'commit push pull fork clone uninstall refresh sync describe explain define answer tell help compress mix tune shuffle deal place file ' +
    'authenticate transform invoke rename conduct interact enhance prompt combine concatenate segment record deliver fill grant revoke ' +
    'wait hire cook bake brew water harvest reverse tokenize lemmatize stem normalize sample roll flip toggle lock unlock attach detach ' +
    'link unlink bind broadcast stream watch listen rate score grade quote price value reply respond reschedule purchase ' +
    'categorize categorise articulate preheat activate deactivate examine withdraw compose retrive obtain ask'
  ).split(' '),
);

/** Third person to base form: "retrieves" → "retrieve", "searches" → "search", "queries" → "query". */
export function baseVerb(word: string): string {
  const w = word.toLowerCase();
  if (VERBS.has(w)) return w;
  let b = w;
  if (/(?:ch|sh|ss|x|zz)es$/.test(w)) b = w.slice(0, -2);
  else if (/ies$/.test(w)) b = `${w.slice(0, -3)}y`;
  else if (/[^s]s$/.test(w)) b = w.slice(0, -1);
  return b;
}

const LEAD = /^(?:this\s+(?:function|tool|api|endpoint|method|service|operation)\s+(?:is\s+used\s+to\s+|can\s+be\s+used\s+to\s+|will\s+|allows\s+(?:you\s+|users\s+|the\s+user\s+)?to\s+|lets\s+(?:you|users|the\s+user)\s+|helps\s+(?:you\s+|users\s+)?(?:to\s+)?)?|(?:a\s+)?(?:function|tool|api|method)\s+(?:that|to|which)\s+|used\s+to\s+|allows\s+(?:you\s+)?to\s+|helps\s+(?:you\s+)?(?:to\s+)?|use\s+this\s+to\s+)/i;
const CLAUSE_CUT = [', ', ' given ', ' based on ', ' using ', ' according to ', ' by providing ', ' which ', ' that is ', ' and returns ', ' and provides ', ' with optional ', ' with the formula', ' - ', ': ', '; ', ' ('];
const TRAILING = /\s+(?:of|the|a|an|for|and|or|with|in|to|on|by|from|at|its|their|as|specified|specific|given|particular|certain|provided|such|like|within|between|into|about|some|any|all|one|each|that|which|is|are|during|after|before|over|under|via|per|through|using|based|whose|who|where|when)$/i;

/**
 * An imperative phrase for what the function does, lower-case: from the description's first
 * sentence when it starts with a verb ("Retrieves the weather for a city." → "retrieve the
 * weather for a city"), else "use <name>".
 */
export function taskPhrase(description: string, name: string): string {
  let s = firstSentence(description).replace(/[.!?]+$/, '').trim();
  s = s.replace(LEAD, '').replace(/^(?:permanently|temporarily|automatically|asynchronously|securely|quickly|simply|efficiently|accurately|safely)\s+/i, '');
  const m = /^([A-Za-z]+)(\b.*)$/s.exec(s);
  if (!m) return `use ${name}`;
  const verb = baseVerb(m[1]);
  // A known verb, or a third-person form ("Compresses", "Renames") that reads as one.
  const thirdPerson = /[^su]s$/i.test(m[1]) && !/^(?:this|is|was|has|its|does|as|us|yes|news|series|status|analysis|details|results|stats|settings)$/i.test(m[1]);
  if (!VERBS.has(verb) && !thirdPerson) return `use ${name}`;
  s = verb + m[2];
  // "Cancels and deletes ..." → "cancel and delete ...".
  s = s.replace(/(,?\s+(?:and|or)\s+)([a-z]+s)\b/g, (all, sep: string, w: string) => (VERBS.has(baseVerb(w)) ? sep + baseVerb(w) : all));
  s = s.replace(/[=*<>{}[\]].*$/, '').trim();
  for (const cut of CLAUSE_CUT) {
    const at = s.indexOf(cut);
    if (at > 0 && s.slice(0, at).split(' ').length >= 3) s = s.slice(0, at);
  }
  if (s.length > TASK_CHARS) {
    // Cut before the last joint (preposition, relative clause) that keeps 40 characters or more, else at a word.
    const head = s.slice(0, TASK_CHARS);
    const at = Math.max(...[' for ', ' of ', ' in ', ' with ', ' to ', ' on ', ' from ', ' by ', ' at ', ' and ', ' or ', ' that ', ' such as ', ' which ', ' who ', ' including '].map((w) => head.lastIndexOf(w)));
    s = at >= 40 ? head.slice(0, at) : head.slice(0, Math.max(head.lastIndexOf(' '), 20));
  }
  while (TRAILING.test(s)) s = s.replace(TRAILING, '');
  s = s.replace(/[\s,;:(-]+$/, '').replace(/"/g, "'");
  // Keep acronyms ("AQI"), lower-case the rest of the leading verb.
  return s.length >= 2 && s[1] === s[1].toUpperCase() && /[A-Z]/.test(s[1]) ? s : s[0].toLowerCase() + s.slice(1);
}

/**
 * The split family of a name: its dotted prefix ("math.factorial" → "math"), else its first and
 * last tokens ("calculate_triangle_area" → "calculate·area"), else the name itself.
 */
export function familyOf(name: string): string {
  if (name.includes('.')) return name.slice(0, name.indexOf('.')).toLowerCase();
  const t = nameTokens(name);
  return t.length >= 2 ? `${t[0]}·${t[t.length - 1]}` : t.join('·');
}

// ---- parameters -------------------------------------------------------------------------------

type ParamResult = { ok: true; param: SynthParam } | { ok: false; reason: string };

interface TypeSpec {
  type: ParamType;
  itemType?: ItemType;
  enum?: readonly (string | number)[];
  itemEnum?: readonly string[];
}

/** Whether a BFCL example value fits the parameter as we keep it (type, enum, small arrays, short plain strings). */
function fits(v: unknown, t: TypeSpec): boolean {
  if (t.enum) return (typeof v === 'string' || typeof v === 'number') && t.enum.includes(v);
  switch (t.type) {
    case 'string':
      return typeof v === 'string' && v.trim().length > 0 && v.length <= 40 && !/["\\\n\r\t]/.test(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e9;
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e9;
    case 'boolean':
      return typeof v === 'boolean';
    case 'array': {
      const item: TypeSpec = { type: t.itemType ?? 'string', enum: t.itemEnum };
      return Array.isArray(v) && v.length >= 1 && v.length <= 5 && v.every((x) => fits(x, item));
    }
  }
}

function prepareParam(name: string, schema: unknown, required: boolean, examples: unknown[][] | undefined): ParamResult {
  if (!PARAM_NAME.test(name)) return { ok: false, reason: 'parameter name is not a Python identifier' };
  if (!isObj(schema)) return { ok: false, reason: 'parameter without a schema' };
  const declared = typeof schema.type === 'string' ? schema.type : '';
  let type: ParamType;
  let itemType: ItemType | undefined;
  let itemEnum: string[] | undefined;
  if (declared === 'array' || declared === 'tuple') {
    const items = isObj(schema.items) ? schema.items : undefined;
    itemType = items && typeof items.type === 'string' ? ITEM_TYPES[items.type] : undefined;
    if (!itemType) return { ok: false, reason: `array of ${items && typeof items.type === 'string' ? items.type : 'unknown items'}` };
    if (items && Array.isArray(items.enum)) {
      if (itemType !== 'string') return { ok: false, reason: 'array of numeric enum members' };
      itemEnum = [...new Set(items.enum.filter((e): e is string => typeof e === 'string' && e.trim() !== '' && e.length <= 40 && !/["\\\n]/.test(e)))].slice(0, MAX_ENUM);
      if (itemEnum.length < 2) return { ok: false, reason: 'enum without usable members' };
    }
    type = 'array';
  } else {
    const t = SCALAR_TYPES[declared];
    if (!t) return { ok: false, reason: `parameter of type ${declared || 'none'}` };
    type = t;
  }
  let enumValues: (string | number)[] | undefined;
  if (Array.isArray(schema.enum) && type !== 'boolean' && type !== 'array') {
    const members = schema.enum.filter((e): e is string | number =>
      type === 'string' ? typeof e === 'string' && e.trim() !== '' && e.length <= 40 && !/["\\\n]/.test(e) : typeof e === 'number' && (type === 'float' || Number.isInteger(e)),
    );
    if (members.length === 0) return { ok: false, reason: 'enum without usable members' };
    enumValues = [...new Set(members)].slice(0, MAX_ENUM);
  }
  const hint = typeof schema.description === 'string' ? schema.description : '';
  const fit = (examples ?? []).filter((acc) => {
    const first = acc.find((a) => a !== '');
    return first !== undefined && fits(first, { type, itemType, enum: enumValues, itemEnum });
  });
  return {
    ok: true,
    param: {
      name,
      label: humanize(name),
      type,
      ...(itemType ? { itemType } : {}),
      ...(enumValues ? { enum: enumValues } : {}),
      ...(itemEnum ? { itemEnum } : {}),
      required,
      description: shortParamDescription(hint),
      hint,
      examples: fit,
    },
  };
}

function toolOf(name: string, description: string, params: readonly SynthParam[]): ToolDef {
  const properties: Record<string, unknown> = {};
  for (const p of params) {
    const prop: Record<string, unknown> = { type: p.type };
    if (p.description) prop.description = p.description;
    if (p.enum) prop.enum = p.enum;
    if (p.itemType) prop.items = p.itemEnum ? { type: p.itemType, enum: p.itemEnum } : { type: p.itemType };
    properties[p.name] = prop;
  }
  return { name, description, parameters: { type: 'dict', properties, required: params.filter((p) => p.required).map((p) => p.name) } };
}

/** One doc → a SynthFunction, or why it is skipped. */
export function prepareFunction(doc: SourcedDoc): { ok: true; fn: SynthFunction; dropped: number } | { ok: false; reason: string } {
  if (!FN_NAME.test(doc.name)) return { ok: false, reason: 'function name is not a Python name' };
  const props = isObj(doc.parameters) && isObj(doc.parameters.properties) ? doc.parameters.properties : undefined;
  if (!props || Object.keys(props).length === 0) return { ok: false, reason: 'no parameters' };
  const req = new Set(isObj(doc.parameters) && Array.isArray(doc.parameters.required) ? doc.parameters.required.filter((r): r is string => typeof r === 'string') : []);
  const all: SynthParam[] = [];
  for (const [name, schema] of Object.entries(props)) {
    const r = prepareParam(name, schema, req.has(name), doc.examples?.[name]);
    if (!r.ok) return r;
    all.push(r.param);
  }
  const required = all.filter((p) => p.required);
  if (required.length > MAX_PARAMS) return { ok: false, reason: `more than ${MAX_PARAMS} required parameters` };
  const keep = new Set([...required, ...all.filter((p) => !p.required).slice(0, MAX_PARAMS - required.length)]);
  const params = all.filter((p) => keep.has(p));
  const full = (doc.description ?? '').trim();
  // Our queries are English: a function described in another language (or script) is skipped.
  if (/[^\t\n\r\x20-\x7e]/.test(firstSentence(full).replace(/[\u00b0\u00b2\u00b3\u2013\u2014\u2018\u2019\u201c\u201d\u00e9]/g, ''))) return { ok: false, reason: 'description not in plain English' };
  const description = clip(firstSentence(full), DESC_CHARS);
  return {
    ok: true,
    dropped: all.length - params.length,
    fn: {
      name: doc.name,
      description,
      task: taskPhrase(full || doc.name, doc.name),
      params,
      family: familyOf(doc.name),
      tokens: nameTokens(doc.name),
      squashed: doc.name.toLowerCase().replace(/[_.]/g, ''),
      words: contentWords(`${full} ${humanize(doc.name)}`),
      tool: toolOf(doc.name, description, params),
    },
  };
}

/** Every doc prepared; skipped ones counted by reason. */
export function prepareFunctions(docs: readonly SourcedDoc[]): PrepareReport {
  const functions: SynthFunction[] = [];
  const skipped: Record<string, number> = {};
  let paramsDropped = 0;
  for (const d of docs) {
    const r = prepareFunction(d);
    if (r.ok) {
      functions.push(r.fn);
      paramsDropped += r.dropped;
    } else {
      skipped[r.reason] = (skipped[r.reason] ?? 0) + 1;
    }
  }
  return { functions, skipped, paramsDropped };
}

/**
 * Whether `b` is a good distractor for `a`: a near name (same dotted prefix, or the same first
 * token and another shared token) whose description differs enough that a query written from
 * `a`'s description still points at `a` only.
 */
export function similarNames(a: SynthFunction, b: SynthFunction): boolean {
  if (a.squashed === b.squashed) return false;
  if (a.family === b.family && a.name.includes('.') && b.name.includes('.')) return true;
  if (a.tokens.length < 2 || b.tokens.length < 2 || a.tokens[0] !== b.tokens[0]) return false;
  for (let i = 1; i < a.tokens.length; i++) if (b.tokens.indexOf(a.tokens[i], 1) > 0) return true;
  return false;
}

/** Too alike to be told apart from a query: near-identical descriptions or the same task phrase. */
export function tooAlike(a: SynthFunction, b: SynthFunction): boolean {
  return a.task === b.task || jaccard(a.words, b.words) >= 0.45;
}

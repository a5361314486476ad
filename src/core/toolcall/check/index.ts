// The AST checker: judges one model output against what a sample expects, with BFCL's rules for
// BFCL data and reference-answer rules for every other dataset. Every error names its kind (one
// taxonomy, ../types.ts), the function and parameter, and the span of the faulty fragment in the
// output, so the panel and the editor can underline it; the partial-credit score is the MCTS reward.
import { referenceTurn, type PossibleAnswer, type Sample, type ToolCall, type ToolDef } from '../../dataset/sample';
import { parseCalls } from '../parse/index';
import type { CallSyntax, CheckError, ParsedArg, ParsedCall, Span, Verdict } from '../types';
import { checkAgentic } from './agentic';
import { assign } from './assign';
import { bfclLanguage, bfclValue, firstAccepted, plainAccepted, refEq, refValue, schemaTypeOk, show, type BfclLanguage, type ValueVerdict } from './values';

export type BfclCategory =
  | 'simple'
  | 'multiple'
  | 'parallel'
  | 'parallel_multiple'
  | 'irrelevance'
  | 'live_simple'
  | 'live_multiple'
  | 'live_parallel'
  | 'live_parallel_multiple'
  | 'live_irrelevance'
  | MultiTurnCategory
  | 'memory'
  | 'web_search';

type MultiTurnCategory = 'multi_turn_base' | 'multi_turn_miss_func' | 'multi_turn_miss_param' | 'multi_turn_long_context';

export const BFCL_CATEGORIES: readonly BfclCategory[] = [
  'simple', 'multiple', 'parallel', 'parallel_multiple', 'irrelevance',
  'live_simple', 'live_multiple', 'live_parallel', 'live_parallel_multiple', 'live_irrelevance',
  'multi_turn_base', 'multi_turn_miss_func', 'multi_turn_miss_param', 'multi_turn_long_context', 'memory', 'web_search',
];

export type Expectation =
  /** `ordered`: calls are paired in order (multi-turn: each call acts on the state the previous left). */
  | { kind: 'bfcl'; category: BfclCategory; possibleAnswers: PossibleAnswer[]; tools: ToolDef[]; language?: BfclLanguage; ordered?: boolean }
  | { kind: 'reference'; calls: ToolCall[]; tools: ToolDef[] }
  | { kind: 'no_call'; tools: ToolDef[] }
  /** BFCL memory and web_search: a final answer in text holding one of the accepted answers (agentic.ts). */
  | { kind: 'agentic'; acceptedTexts: string[]; tools: ToolDef[] };

export interface CheckOutputOptions {
  /** The output's call syntax; detected from the text when absent. */
  syntax?: CallSyntax;
}

const CATEGORY_RE = /^(live_)?(parallel_multiple|parallel|multiple|simple|irrelevance)(?:_|$)/;
const MULTI_TURN_RE = /^(multi_turn_(?:base|miss_func|miss_param|long_context))(?:_|#|$)/;
// BFCL renames memory ids by backend (memory_kv_0-...) and web_search ids by variant
// (web_search_no_snippet_3) when it runs them; the data files hold memory_N-... and web_search_N.
const AGENTIC_RE = /^(memory|web_search)(?:_|-|#|$)/;

/**
 * The BFCL category an id belongs to (`simple_python_12` → simple, `live_parallel_3-1-0` →
 * live_parallel, `multi_turn_base_0#2` → multi_turn_base, `memory_0-customer-0` → memory).
 */
export function bfclCategory(id: string): BfclCategory | undefined {
  const m = CATEGORY_RE.exec(id);
  if (m) return ((m[1] ?? '') + m[2]) as BfclCategory;
  return (MULTI_TURN_RE.exec(id)?.[1] ?? AGENTIC_RE.exec(id)?.[1]) as BfclCategory | undefined;
}

const isMultiTurn = (c: BfclCategory): c is MultiTurnCategory => c.startsWith('multi_turn_');

const isIrrelevance = (c: BfclCategory): boolean => c === 'irrelevance' || c === 'live_irrelevance';

/**
 * What `sample` expects. BFCL samples with possible answers are judged by BFCL's rules, with the
 * category from their id (or `opts.category`); without one, one expected call reads as `multiple`
 * and several as `parallel_multiple` (both judge the same way: the category matters only for
 * irrelevance). An irrelevance sample, a reference answer in text, and a sample without reference
 * all expect no call. Other datasets are judged against their reference calls.
 */
export function expectationFor(sample: Sample, opts: { category?: BfclCategory } = {}): Expectation {
  const tools = sample.tools;
  // BFCL memory and web_search are judged by their text answer, whatever the category says.
  if (sample.acceptedTexts) return { kind: 'agentic', acceptedTexts: sample.acceptedTexts, tools };
  const gt = sample.possibleAnswers;
  if (gt || sample.format === 'bfcl') {
    const category = opts.category ?? bfclCategory(sample.id);
    if (gt && gt.length > 0 && !(category && isIrrelevance(category))) {
      const language = bfclLanguage(sample.id);
      // One BFCL multi-turn turn's calls are judged in order. BFCL itself runs the model's calls and
      // compares the resulting state (and results) with the ground truth's; without executing them,
      // this is the response-based part of that check: the same calls, accepted arguments, in order.
      const ordered = category !== undefined && isMultiTurn(category);
      return { kind: 'bfcl', category: category ?? (gt.length > 1 ? 'parallel_multiple' : 'multiple'), possibleAnswers: gt, tools, ...(language && { language }), ...(ordered && { ordered }) };
    }
    if (gt || (category && isIrrelevance(category))) return { kind: 'no_call', tools };
  }
  const calls = referenceTurn(sample)?.calls;
  return calls?.length ? { kind: 'reference', calls, tools } : { kind: 'no_call', tools };
}

// ---- what one expected call accepts -------------------------------------------------------------

type Schema = { props?: Record<string, Record<string, unknown>>; required: string[] };

function schemaOf(tool: ToolDef | undefined): Schema {
  const p = tool?.parameters;
  const props = p && typeof p.properties === 'object' && p.properties !== null ? (p.properties as Record<string, Record<string, unknown>>) : undefined;
  const required = p && Array.isArray(p.required) ? p.required.filter((r): r is string => typeof r === 'string') : [];
  return { props, required };
}

/** A judged argument: right, or an error kind with what the message and the error need. */
type ArgVerdict = ValueVerdict | { ok: false; kind: 'unexpected_param'; detail: string; expected?: unknown };

interface Expected {
  name: string;
  /** Judge one written argument of a call to this function (`output` gives the value as written). */
  arg(a: ParsedArg, output: string): ArgVerdict;
  /** Parameters that must be written, with the value to show as expected. */
  mustWrite: { param: string; expected: unknown }[];
  /** The expected value of a parameter for messages, and how many other values are accepted. */
  expectedOf(param: string): { value: unknown; others: number };
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const literalOf = (a: ParsedArg, output: string): string | undefined => (typeof a.value === 'number' ? output.slice(a.valueSpan.start, a.valueSpan.end) : undefined);

/**
 * BFCL rules for one ground-truth entry `{fn: {param: [accepted...]}}`: a written parameter must be
 * in the function's properties (when the function is listed) and in the entry; its value must pass
 * the declared type and be accepted; every required parameter of the function, and every entry
 * parameter whose list lacks "", must be written.
 */
function bfclExpected(entry: PossibleAnswer, tools: readonly ToolDef[], language: BfclLanguage = 'python'): Expected {
  const name = Object.keys(entry)[0] ?? '';
  const params = entry[name] ?? {};
  const tool = tools.find((t) => t.name === name);
  const { props, required } = schemaOf(tool);
  const must = new Set<string>();
  for (const [k, acc] of Object.entries(params)) if (!Array.isArray(acc) || !acc.includes('')) must.add(k);
  for (const r of required) must.add(r);
  const expectedOf = (param: string) => {
    const acc = has(params, param) && Array.isArray(params[param]) ? params[param] : [];
    return { value: plainAccepted(firstAccepted(acc)), others: Math.max(0, acc.filter((a) => a !== '').length - 1) };
  };
  return {
    name,
    mustWrite: [...must].map((param) => ({ param, expected: expectedOf(param).value })),
    expectedOf,
    arg(a, output) {
      if (props && !has(props, a.key)) return { ok: false, kind: 'unexpected_param', detail: `not a parameter of \`${name}\`` };
      if (!has(params, a.key)) return { ok: false, kind: 'unexpected_param', detail: `not expected in this call to \`${name}\`` };
      const prop = props?.[a.key];
      const items = prop?.items as Record<string, unknown> | undefined;
      const acc = params[a.key];
      return bfclValue(a.value, literalOf(a, output), prop?.type, items?.type, Array.isArray(acc) ? acc : [acc], language);
    },
  };
}

/**
 * Reference rules for one reference call: a written parameter of the reference must have its type
 * and value (numbers by value, strings trimmed, deep for arrays and objects); an optional schema
 * parameter the reference leaves out is accepted only at its schema default; anything else is
 * unexpected. Reference parameters must be written when the schema requires them, when the schema
 * does not declare them, or when the function is not in the tool list.
 */
function referenceExpected(call: ToolCall, tools: readonly ToolDef[]): Expected {
  const { name, arguments: ref } = call;
  const tool = tools.find((t) => t.name === name);
  const { props, required } = schemaOf(tool);
  const must = Object.keys(ref).filter((k) => !tool || !props || !has(props, k) || required.includes(k));
  return {
    name,
    mustWrite: must.map((param) => ({ param, expected: ref[param] })),
    expectedOf: (param) => ({ value: has(ref, param) ? ref[param] : props?.[param]?.default, others: 0 }),
    arg(a) {
      if (has(ref, a.key)) return refValue(a.value, ref[a.key], props?.[a.key]?.type);
      const prop = props && has(props, a.key) ? props[a.key] : undefined;
      if (!prop) return { ok: false, kind: 'unexpected_param', detail: tool ? `not a parameter of \`${name}\`` : `not in the reference call to \`${name}\`` };
      const t = schemaTypeOk(a.value, prop.type);
      if (!t.ok) return t;
      if (has(prop, 'default') && refEq(a.value, prop.default)) return { ok: true };
      return has(prop, 'default')
        ? { ok: false, kind: 'wrong_value', detail: `not in the reference, so only its default ${show(prop.default)} is accepted, got ${show(a.value)}`, expected: prop.default }
        : { ok: false, kind: 'wrong_value', detail: `not in the reference, and without a schema default any value differs from it: got ${show(a.value)}` };
    },
  };
}

/**
 * Compiled expected calls, cached by the answer (or reference-call) array and the tool list: the
 * CLI and the search build a fresh Expectation per output from the same sample, and compiling is
 * a good part of a check. Expectations are treated as immutable; an edited sample comes back from
 * its reader with new arrays.
 */
const compiled = new WeakMap<object, { tools: readonly ToolDef[]; language?: BfclLanguage; expected: Expected[] }>();

function expectedCalls(exp: Expectation): Expected[] {
  if (exp.kind === 'no_call' || exp.kind === 'agentic' || (exp.kind === 'bfcl' && isIrrelevance(exp.category))) return [];
  const key = exp.kind === 'bfcl' ? exp.possibleAnswers : exp.calls;
  const hit = compiled.get(key);
  const language = exp.kind === 'bfcl' ? exp.language : undefined;
  if (hit && hit.tools === exp.tools && hit.language === language) return hit.expected;
  const expected = exp.kind === 'bfcl' ? exp.possibleAnswers.map((e) => bfclExpected(e, exp.tools, exp.language)) : exp.calls.map((c) => referenceExpected(c, exp.tools));
  compiled.set(key, { tools: exp.tools, language, expected });
  return expected;
}

// ---- judging --------------------------------------------------------------------------------------

/** One fragment for the score: where it is (text offset; Infinity when nothing was written) and whether it is right. */
interface Frag {
  pos: number;
  ok: boolean;
}

interface Pair {
  nameOk: boolean;
  args: ArgVerdict[];
  missing: string[];
  /** Fragment agreement, for the assignment: 2 for the name, ±1 per written argument, −1 per missing one. */
  agreement: number;
}

function evalPair(e: Expected, c: ParsedCall, output: string): Pair {
  const nameOk = c.name === e.name;
  let agreement = nameOk ? 2 : 0;
  const args = c.args.map((a) => {
    const v = e.arg(a, output);
    agreement += v.ok ? 1 : -1;
    return v;
  });
  const missing: string[] = [];
  for (const m of e.mustWrite) if (!has(c.arguments, m.param)) missing.push(m.param);
  agreement -= missing.length;
  return { nameOk, args, missing, agreement };
}

/** Errors and fragments of a produced call paired with an expected one. Spans: see each case. */
function reportPair(e: Expected, c: ParsedCall, p: Pair, errors: CheckError[], frags: Frag[]): void {
  // Omissions are scored where the call closes: that is where the model decided to leave them out.
  const closePos = c.span.end - 0.5;
  if (!p.nameOk) {
    // wrong_function: the span is the function name as written. Its arguments were written for
    // another function, so every fragment of the call counts as wrong, without an error each.
    errors.push({ kind: 'wrong_function', function: e.name, span: c.nameSpan, expected: e.name, got: c.name, message: `expected a call to \`${e.name}\`, got \`${c.name}\`` });
    frags.push({ pos: c.nameSpan.start, ok: false });
    for (const a of c.args) frags.push({ pos: a.span.start, ok: false });
    for (let i = 0; i < p.missing.length; i++) frags.push({ pos: closePos, ok: false });
    return;
  }
  frags.push({ pos: c.nameSpan.start, ok: true });
  c.args.forEach((a, i) => {
    const v = p.args[i];
    frags.push({ pos: a.span.start, ok: v.ok });
    if (v.ok) return;
    if (v.kind === 'unexpected_param') {
      // unexpected_param: the whole argument (`key=value`), the fragment to delete.
      errors.push({ kind: 'unexpected_param', function: e.name, param: a.key, span: a.span, got: a.value, message: `\`${a.key}\`: ${v.detail}` });
      return;
    }
    // wrong_value / wrong_type: the value as written.
    const want = v.expected !== undefined ? { value: v.expected, others: 0 } : e.expectedOf(a.key);
    const alt = want.others > 0 ? ` (or ${want.others} other accepted value${want.others > 1 ? 's' : ''})` : '';
    const message = v.detail ? `\`${a.key}\`: ${v.detail}` : `\`${a.key}\`: expected ${show(want.value)}${alt}, got ${show(a.value)}`;
    errors.push({ kind: v.kind, function: e.name, param: a.key, span: a.valueSpan, expected: want.value, got: a.value, message });
  });
  for (const m of p.missing) {
    // missing_required_param: nothing was written, so the span is the whole call that lacks it.
    frags.push({ pos: closePos, ok: false });
    errors.push({ kind: 'missing_required_param', function: e.name, param: m, span: c.span, expected: e.expectedOf(m).value, message: `\`${m}\`: required parameter missing in the call to \`${e.name}\`` });
  }
}

/**
 * Order-preserving pairing for calls that must come in order: as many pairs as possible (as
 * `assign` pairs), then the most agreement, expected call i before i+1 paired with produced calls
 * in the same order. Returns, per expected call, its produced call or -1.
 */
function align(weight: readonly (readonly number[])[], cols: number): number[] {
  const rows = weight.length;
  // Each pair is worth far more than any agreement, so the number of pairs comes first.
  const PAIR = 1e6;
  const best: number[][] = Array.from({ length: rows + 1 }, () => new Array<number>(cols + 1).fill(0));
  for (let i = 1; i <= rows; i++) {
    for (let j = 1; j <= cols; j++) best[i][j] = Math.max(best[i - 1][j], best[i][j - 1], best[i - 1][j - 1] + PAIR + weight[i - 1][j - 1]);
  }
  const out = new Array<number>(rows).fill(-1);
  for (let i = rows, j = cols; i > 0 && j > 0; ) {
    if (best[i][j] === best[i - 1][j - 1] + PAIR + weight[i - 1][j - 1]) out[--i] = --j;
    else if (best[i][j] === best[i - 1][j]) i--;
    else j--;
  }
  return out;
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** "a call to `f`", "2 calls to `f`", "calls to `f` and 2 × `g`": each name once, with its count. */
export function callsPhrase(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const parts = [...counts].map(([n, k]) => (k === 1 ? `\`${n}\`` : `${k} × \`${n}\``));
  if (counts.size === 1) {
    const [[n, k]] = [...counts];
    return k === 1 ? `a call to \`${n}\`` : `${k} calls to \`${n}\``;
  }
  return `calls to ${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** The partial-credit score of an invalid output's fragments (see checkOutput). */
function score(frags: Frag[]): number {
  frags.sort((a, b) => a.pos - b.pos);
  const K = frags.length;
  let sum = 0;
  let total = 0;
  for (let k = 0; k < K; k++) {
    const w = 2 - k / K;
    total += w;
    sum += frags[k].ok ? w : -w;
  }
  const s = Math.round((sum / total) * 1e4) / 1e4;
  return Math.max(-1, Math.min(0.9999, s));
}

/** The span of a parse error: the character where parsing broke (empty at the very end of the text). */
function breakSpan(output: string, offset: number): Span {
  const start = Math.max(0, Math.min(offset, output.length));
  return { start, end: Math.min(start + 1, output.length) };
}

/**
 * Judge one model output against an expectation: validity (BFCL's rules for `bfcl`, reference
 * rules otherwise), every error with its span, and a partial-credit score in [-1, 1] (the MCTS
 * reward), defined as follows.
 *
 * Fragments: every fragment written in the output — each call's function name and each argument —
 * plus every fragment that should have been written and was not — each missing required parameter
 * (placed at its call's closing parenthesis) and, for a missing call, its name and each of its
 * required parameters (placed after the end). Each fragment is right (+1) or wrong (−1): a written
 * argument is right when its value is accepted; an unexpected argument, a wrong value or type, a
 * missing parameter, every fragment of a call to the wrong function, and every fragment of an extra
 * call are wrong.
 *
 * Ordered by position, fragment k of K weighs w_k = 2 − k/K (from 2 down to just over 1), and
 * score = Σ ±w_k / Σ w_k. So a wrong fragment costs at most twice as much early as at the end:
 * among outputs with the same number of wrong fragments, the one whose errors come later scores
 * higher, which is what the search needs when it compares continuations of a shared prefix.
 *
 * Whole-output cases: a valid output scores exactly 1 (and only a valid one does); a parse error,
 * text (or no call) where a call is expected, and any call where none is expected score −1; no
 * call where none is expected scores 1 (an output that does not parse counts as no call there, as
 * in BFCL). Rounded to 4 decimals, and at most 0.9999 when invalid.
 *
 * Calls are paired with expected calls order-insensitively, by the one-to-one assignment that
 * maximises agreement (2 for the right name, ±1 per written argument, −1 per missing parameter);
 * unpaired calls are extra, unpaired expected calls missing (both wrong_call_count). An `ordered`
 * expectation (BFCL multi-turn) pairs them in order instead (`align`). An `agentic` one (BFCL
 * memory, web_search) judges a final text answer (agentic.ts).
 */
/** Parameter names in their documented order, by function name (multi-turn positional arguments). */
function positionalNames(tools: readonly ToolDef[]): (fn: string) => readonly string[] | undefined {
  return (fn) => {
    const props = tools.find((t) => t.name === fn)?.parameters?.properties;
    return props && typeof props === 'object' && !Array.isArray(props) ? Object.keys(props) : undefined;
  };
}

export function checkOutput(output: string, exp: Expectation, opts: CheckOutputOptions = {}): Verdict {
  if (typeof output !== 'string') output = ''; // rows from JSON may hold anything; never throw
  // BFCL multi-turn runs the calls in Python: a positional argument is named by the doc's order.
  const parsed = parseCalls(output, opts.syntax, exp.kind === 'bfcl' && exp.ordered ? positionalNames(exp.tools) : undefined);
  if (exp.kind === 'agentic') return checkAgentic(output, exp.acceptedTexts, parsed);
  const { syntax, calls } = parsed;
  const expected = expectedCalls(exp);

  if (expected.length === 0) {
    // As BFCL: an output that does not parse as calls is not a call (text, or a broken attempt).
    if (!parsed.ok || calls.length === 0) return { valid: true, errors: [], score: 1, syntax, calls };
    // should_not_call: one error per call made, spanning that call.
    const errors = calls.map((c): CheckError => ({ kind: 'should_not_call', function: c.name, span: c.span, got: c.name, message: `no call expected, got a call to \`${c.name}\`` }));
    return { valid: false, errors, score: -1, syntax, calls };
  }
  if (!parsed.ok) {
    // parse_error: the character where parsing broke.
    const span = breakSpan(output, parsed.offset);
    return { valid: false, errors: [{ kind: 'parse_error', span, message: `cannot parse the ${syntax} calls: ${parsed.error}` }], score: -1, syntax, calls };
  }
  if (calls.length === 0) {
    // should_call: nothing was written, so no span.
    const got = syntax === 'text' ? (output.trim() ? 'text' : 'an empty output') : 'no call';
    return { valid: false, errors: [{ kind: 'should_call', function: expected[0].name, expected: expected.map((e) => e.name), message: `expected ${callsPhrase(expected.map((e) => e.name))}, got ${got}` }], score: -1, syntax, calls };
  }

  const errors: CheckError[] = [];
  const frags: Frag[] = [];
  const pairs = expected.map((e) => calls.map((c) => evalPair(e, c, output)));
  const weights = pairs.map((row) => row.map((p) => p.agreement));
  const match = expected.length === 1 && calls.length === 1 ? [0] : exp.kind === 'bfcl' && exp.ordered ? align(weights, calls.length) : assign(weights, calls.length);
  const taken = new Set<number>();
  const countMsg = `expected ${plural(expected.length, 'call')}, got ${calls.length}`;
  match.forEach((j, i) => {
    if (j >= 0) {
      taken.add(j);
      reportPair(expected[i], calls[j], pairs[i][j], errors, frags);
      return;
    }
    // wrong_call_count for a missing call: nothing was written, so no span.
    const e = expected[i];
    for (let k = 0; k <= e.mustWrite.length; k++) frags.push({ pos: Infinity, ok: false });
    // The output may call this function, only fewer times than expected (parallel calls).
    const want = expected.filter((x) => x.name === e.name).length;
    const made = calls.filter((c) => c.name === e.name).length;
    const which = made === 0 ? `no call to \`${e.name}\`` : `only ${made} of the ${want} calls to \`${e.name}\``;
    errors.push({ kind: 'wrong_call_count', function: e.name, expected: expected.length, got: calls.length, message: `${countMsg}: ${which}` });
  });
  calls.forEach((c, j) => {
    if (taken.has(j)) return;
    // wrong_call_count for an extra call: the span is that call.
    frags.push({ pos: c.nameSpan.start, ok: false });
    for (const a of c.args) frags.push({ pos: a.span.start, ok: false });
    errors.push({ kind: 'wrong_call_count', function: c.name, span: c.span, expected: expected.length, got: calls.length, message: `${countMsg}: extra call to \`${c.name}\`` });
  });
  if (errors.length === 0) return { valid: true, errors, score: 1, syntax, calls };
  if (errors.length > 1) errors.sort((a, b) => (a.span?.start ?? Infinity) - (b.span?.start ?? Infinity));
  return { valid: false, errors, score: score(frags), syntax, calls };
}

// The AST checker: judges one model output against what a sample expects, with BFCL's rules for
// BFCL data and reference-answer rules for every other dataset. Every error names its kind (one
// taxonomy, ../types.ts), the function and parameter, and the span of the faulty fragment in the
// output, so the panel and the editor can underline it; the partial-credit score is the MCTS reward.
// What each expected call accepts: expected.ts; a pair's errors, the score: pairs.ts; the value
// rules: values.ts.
import { referenceTurn, type PossibleAnswer, type Sample, type ToolCall, type ToolDef } from '../../dataset/sample';
import { parseCalls } from '../parse/index';
import type { CallSyntax, CheckError, ParsedCall, Verdict } from '../types';
import { checkAgentic } from './agentic';
import { assign } from './assign';
import { compileExpected, type Expected } from './expected';
import { align, breakSpan, callsPhrase, countMessage, evalPair, reportPair, score, sortStable, type Frag } from './pairs';
import { bfclLanguage, type BfclLanguage } from './values';

export { callsPhrase } from './pairs';

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

/** Parameter names in their documented order, by function name (multi-turn positional arguments). */
function positionalNames(tools: readonly ToolDef[]): (fn: string) => readonly string[] | undefined {
  return (fn) => {
    const props = tools.find((t) => t.name === fn)?.parameters?.properties;
    return props && typeof props === 'object' && !Array.isArray(props) ? Object.keys(props) : undefined;
  };
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
export function checkOutput(output: string, exp: Expectation, opts: CheckOutputOptions = {}): Verdict {
  if (typeof output !== 'string') output = ''; // rows from JSON may hold anything; never throw
  // BFCL multi-turn runs the calls in Python: a positional argument is named by the doc's order.
  const parsed = parseCalls(output, opts.syntax, exp.kind === 'bfcl' && exp.ordered ? positionalNames(exp.tools) : undefined);
  if (exp.kind === 'agentic') return checkAgentic(output, exp.acceptedTexts, parsed);
  const { syntax, calls } = parsed;
  const expected = exp.kind === 'no_call' || (exp.kind === 'bfcl' && isIrrelevance(exp.category)) ? NO_CALLS : compileExpected(exp);

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
    const { names, phrase } = namesOf(expected);
    return { valid: false, errors: [{ kind: 'should_call', function: expected[0].name, expected: [...names], message: `expected ${phrase}, got ${got}` }], score: -1, syntax, calls };
  }

  const errors: CheckError[] = [];
  const frags: Frag[] = [];
  if (expected.length === 1 && calls.length === 1) {
    // The common case: one call for one expected call, nothing to pair.
    reportPair(expected[0], calls[0], evalPair(expected[0], calls[0], output), errors, frags);
  } else pairCalls(expected, calls, output, exp.kind === 'bfcl' && exp.ordered === true, errors, frags);
  if (errors.length === 0) return { valid: true, errors, score: 1, syntax, calls };
  if (errors.length > 1) sortStable(errors, errorPos);
  return { valid: false, errors, score: score(frags), syntax, calls };
}

const NO_CALLS: readonly Expected[] = [];

/** The expected calls' names and their phrase (callsPhrase), worked out once per compiled list. */
const named = new WeakMap<readonly Expected[], { names: readonly string[]; phrase: string }>();
function namesOf(expected: readonly Expected[]): { names: readonly string[]; phrase: string } {
  let n = named.get(expected);
  if (!n) {
    const names = expected.map((e) => e.name);
    named.set(expected, (n = { names, phrase: callsPhrase(names) }));
  }
  return n;
}
const errorPos = (e: CheckError): number => e.span?.start ?? Infinity;

/** Pair several calls with several expected ones (see checkOutput) and report each pair, missing and extra call. */
function pairCalls(expected: readonly Expected[], calls: readonly ParsedCall[], output: string, ordered: boolean, errors: CheckError[], frags: Frag[]): void {
  const pairs = expected.map((e) => calls.map((c) => evalPair(e, c, output)));
  const weights = pairs.map((row) => row.map((p) => p.agreement));
  const match = ordered ? align(weights, calls.length) : assign(weights, calls.length);
  const taken = new Array<boolean>(calls.length).fill(false);
  for (let i = 0; i < match.length; i++) {
    const j = match[i];
    if (j >= 0) {
      taken[j] = true;
      reportPair(expected[i], calls[j], pairs[i][j], errors, frags);
      continue;
    }
    // wrong_call_count for a missing call: nothing was written, so no span.
    const e = expected[i];
    for (let k = 0; k <= e.mustWrite.length; k++) frags.push({ pos: Infinity, ok: false });
    // The output may call this function, only fewer times than expected (parallel calls).
    const want = expected.filter((x) => x.name === e.name).length;
    const made = calls.filter((c) => c.name === e.name).length;
    const which = made === 0 ? `no call to \`${e.name}\`` : `only ${made} of the ${want} calls to \`${e.name}\``;
    errors.push({ kind: 'wrong_call_count', function: e.name, expected: expected.length, got: calls.length, message: `${countMessage(expected.length, calls.length)}: ${which}` });
  }
  for (let j = 0; j < calls.length; j++) {
    if (taken[j]) continue;
    // wrong_call_count for an extra call: the span is that call.
    const c = calls[j];
    frags.push({ pos: c.nameSpan.start, ok: false });
    for (const a of c.args) frags.push({ pos: a.span.start, ok: false });
    errors.push({ kind: 'wrong_call_count', function: c.name, span: c.span, expected: expected.length, got: calls.length, message: `${countMessage(expected.length, calls.length)}: extra call to \`${c.name}\`` });
  }
}

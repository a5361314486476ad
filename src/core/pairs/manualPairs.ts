// Pairs a person makes or changes by hand in review (reviewQueue.ts): an annotated span
// with a correction becomes a preference pair, and an edited chosen side is judged again. Both are
// judged by the same checker as the search's pairs (checkOutput over the cleaned whole response,
// against expectationFor(sample)), so a manual pair reads and trains like any other.
import { snapSpan } from '../chars';
import type { Sample } from '../dataset/sample';
import { fragmentOverlap, verdictOf } from '../search/pairs';
import type { PairSide, PairVerdict, PreferencePair, StepKind } from '../search/types';
import { splitSteps } from '../search/steps';
import { expectationFor, type Expectation } from '../toolcall/check/index';
import { parseCalls } from '../toolcall/parse/index';
import type { Span } from '../toolcall/types';
import type { Annotation } from './reviewEntries';

/**
 * The live re-check for the editor: the verdict the chosen side would get if its continuation
 * (everything after the shared prefix) were `chosenText`. Spans index `pair.prefix + chosenText`.
 */
export function recheckChosen(pair: PreferencePair, chosenText: string, expectation: Expectation): PairVerdict {
  return verdictOf(pair.prefix + chosenText, expectation);
}

const overlaps = (s: Span, start: number, end: number): boolean => start < s.end && end > s.start;
const hasWord = (s: string): boolean => /[\p{L}\p{N}]/u.test(s.replace(/<\/?[A-Za-z_]+>/g, ''));

/**
 * The step kind closest to the fragment `text[start, end)`, from the parse of the whole response
 * (the kinds splitSteps gives, src/core/search/steps.ts):
 * - the span touches a call's name → 'function' (key: the function); a span over several pieces
 *   takes the kind of the first piece it touches, so a whole call is a 'function' fragment;
 * - it touches an argument (key, separator or value) → 'argument' (key: the argument name);
 * - inside a call after its last argument (`)`, `}}`) → 'closing'; elsewhere inside it → 'function';
 * - between calls: words (prose around tagged calls, a text answer) → 'sentence' ('text' when the
 *   calls do not parse, the fallback splitter's kind); only punctuation or tags → 'function' of the
 *   call that follows, else 'closing' of the call before;
 * - a response with no call syntax → 'sentence'.
 */
export function fragmentKindAt(text: string, start: number, end: number): { kind: StepKind; key?: string } {
  const r = parseCalls(text);
  if (r.syntax === 'text' || (r.ok && r.calls.length === 0)) return { kind: 'sentence' };
  for (const c of r.calls) {
    if (!overlaps(c.span, start, end) && !overlaps(c.nameSpan, start, end)) continue;
    if (overlaps(c.nameSpan, start, end) || start < c.nameSpan.start) return { kind: 'function', key: c.name };
    const arg = c.args.find((a) => overlaps(a.span, start, end));
    if (arg) return { kind: 'argument', key: arg.key };
    const last = c.args.at(-1)?.span.end ?? c.nameSpan.end;
    return start >= last ? { kind: 'closing', key: c.name } : { kind: 'function', key: c.name };
  }
  if (hasWord(text.slice(start, end))) return { kind: r.ok ? 'sentence' : 'text' };
  const next = r.calls.find((c) => c.span.start >= end);
  if (next) return { kind: 'function', key: next.name };
  const prev = [...r.calls].reverse().find((c) => c.span.end <= start);
  return prev ? { kind: 'closing', key: prev.name } : { kind: r.ok ? 'sentence' : 'text' };
}

/**
 * The pair a corrected annotation stands for, or undefined when it makes none: no correction, a
 * correction equal to the marked span, or `sample` is not the annotated sample (another id: the
 * dataset changed since).
 *
 * prefix = text[0, start); rejected continuation = text[start, end) (the fragment) + text[end..];
 * chosen continuation = correction (the fragment) + text[end..]. So prefix + rejected.text is the
 * annotated text and prefix + chosen.text the corrected one, and the sides part at exactly the
 * marked fragment. The span is widened to whole characters first (an offset inside a surrogate
 * pair would cut a character in two). Both sides are judged and valued by the checker like every
 * pair: each side's verdict is the checker's on its whole response, against `expectation`
 * (default expectationFor(sample)), its value that verdict's score (the partial credit a search
 * backs up as reward, in [-1, 1]) and the gap chosen − rejected; so a correction the checker does
 * not find better shows a gap ≤ 0, and one whose chosen side fails is not valid (the queue keeps
 * it pending and flags it, reviewQueue.ts). Visits 0, no rollout reward (null), nodeId and depth −1 (no
 * search tree). The kind and key are the marked fragment's (fragmentKindAt). Round defaults to 1
 * as in extractPairs.
 */
export function manualPair(a: Annotation, sample: Sample, expectation?: Expectation): PreferencePair | undefined {
  if (a.correction === undefined || sample.id !== a.sampleId) return undefined;
  const { start, end } = snapSpan(a.text, a.start, a.end);
  const marked = a.text.slice(start, end);
  if (a.correction === marked) return undefined;
  const exp = expectation ?? expectationFor(sample);
  const prefix = a.text.slice(0, start);
  const completion = a.text.slice(end);
  const { kind, key } = fragmentKindAt(a.text, start, end);
  const side = (fragment: string): PairSide => {
    const verdict = verdictOf(prefix + fragment + completion, exp);
    const s: PairSide = { nodeId: -1, fragment, completion, text: fragment + completion, value: verdict.score, visits: 0, reward: null, kind, verdict };
    if (key !== undefined) s.key = key;
    return s;
  };
  const chosen = side(a.correction);
  const rejected = side(marked);
  const pair: PreferencePair = {
    sampleId: a.sampleId,
    index: a.index,
    round: a.round ?? 1,
    nodeId: -1,
    depth: -1,
    prefix,
    kind,
    chosen,
    rejected,
    gap: Math.round((chosen.value - rejected.value) * 1e6) / 1e6,
    overlap: Math.round(fragmentOverlap(a.correction, marked) * 1e6) / 1e6,
    manual: a.note !== undefined ? { annotationId: a.id, note: a.note } : { annotationId: a.id },
  };
  if (key !== undefined) pair.key = key;
  return pair;
}

/**
 * `pair` with its chosen continuation replaced by a reviewer's `chosenText`. The fragment is kept
 * when the edit still begins with it (only the completion changed); otherwise it is the edit's
 * first step after the prefix (splitSteps), so the fragment is again where the sides part. The
 * chosen side's kind and key follow the new fragment, the overlap is measured again, and the
 * rollout reward no longer applies (null). Value, visits and gap stay the search's: they describe
 * the node the pair came from. The verdict is the checker's on the edited response when
 * `expectation` is given; otherwise the original one is kept (the caller marks it unchecked).
 */
export function editedPair(pair: PreferencePair, chosenText: string, expectation?: Expectation): PreferencePair {
  const old = pair.chosen;
  let fragment: string;
  let kind: StepKind = old.kind;
  let key = old.key;
  if (old.fragment && chosenText.startsWith(old.fragment)) {
    fragment = old.fragment;
  } else {
    const first = splitSteps(chosenText, pair.prefix)[0];
    fragment = first?.text ?? '';
    if (first) {
      kind = first.kind;
      key = first.key;
    }
  }
  const chosen: PairSide = {
    ...old,
    fragment,
    completion: chosenText.slice(fragment.length),
    text: chosenText,
    reward: null,
    kind,
    verdict: expectation ? recheckChosen(pair, chosenText, expectation) : old.verdict,
  };
  delete chosen.key;
  if (key !== undefined) chosen.key = key;
  const out: PreferencePair = { ...pair, kind, chosen, overlap: Math.round(fragmentOverlap(fragment, pair.rejected.fragment) * 1e6) / 1e6 };
  delete out.key;
  if (key !== undefined) out.key = key;
  return out;
}

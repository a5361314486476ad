// Judging one produced call against one expected call (its arguments, the parameters it lacks),
// the errors and score fragments of a pair, the in-order pairing of multi-turn calls, and the
// partial-credit score over the fragments. The checker (index.ts) decides which calls pair up.
import type { CheckError, ParsedCall, Span } from '../types';
import type { ArgVerdict, Expected } from './expected';
import { show } from './values';

/** One fragment for the score: where it is (text offset; Infinity when nothing was written) and whether it is right. */
export interface Frag {
  pos: number;
  ok: boolean;
}

export interface Pair {
  nameOk: boolean;
  args: ArgVerdict[];
  missing: readonly string[];
  /** Fragment agreement, for the assignment: 2 for the name, ±1 per written argument, −1 per missing one. */
  agreement: number;
}

const NONE: readonly string[] = [];

export function evalPair(e: Expected, c: ParsedCall, output: string): Pair {
  const nameOk = c.name === e.name;
  let agreement = nameOk ? 2 : 0;
  const written = c.args;
  const args: ArgVerdict[] = new Array<ArgVerdict>(written.length);
  for (let i = 0; i < written.length; i++) {
    const v = e.arg(written[i], output);
    agreement += v.ok ? 1 : -1;
    args[i] = v;
  }
  // `c.args` holds the same names as `c.arguments` (the parsers fill both): a scan of a few names
  // is cheaper than a property lookup on objects of every shape.
  let missing: string[] | undefined;
  const must = e.mustWrite;
  for (let i = 0; i < must.length; i++) {
    const m = must[i];
    let found = false;
    for (let j = 0; j < written.length && !found; j++) found = written[j].key === m;
    if (!found) (missing ??= []).push(m);
  }
  if (missing) agreement -= missing.length;
  return { nameOk, args, missing: missing ?? NONE, agreement };
}

/** Errors and fragments of a produced call paired with an expected one. Spans: see each case. */
export function reportPair(e: Expected, c: ParsedCall, p: Pair, errors: CheckError[], frags: Frag[]): void {
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
  for (let i = 0; i < c.args.length; i++) {
    const a = c.args[i];
    const v = p.args[i];
    frags.push({ pos: a.span.start, ok: v.ok });
    if (v.ok) continue;
    if (v.kind === 'unexpected_param') {
      // unexpected_param: the whole argument (`key=value`), the fragment to delete.
      errors.push({ kind: 'unexpected_param', function: e.name, param: a.key, span: a.span, got: a.value, message: `\`${a.key}\`: ${v.detail}` });
      continue;
    }
    // wrong_value / wrong_type: the value as written.
    const want = v.expected !== undefined ? { value: v.expected, others: 0 } : e.expectedOf(a.key);
    const alt = want.others > 0 ? ` (or ${want.others} other accepted value${want.others > 1 ? 's' : ''})` : '';
    const message = v.detail ? `\`${a.key}\`: ${v.detail}` : `\`${a.key}\`: expected ${show(want.value)}${alt}, got ${show(a.value)}`;
    errors.push({ kind: v.kind, function: e.name, param: a.key, span: a.valueSpan, expected: want.value, got: a.value, message });
  }
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
export function align(weight: readonly (readonly number[])[], cols: number): number[] {
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

/** "expected 2 calls, got 3": the head of every wrong_call_count message. */
export const countMessage = (expected: number, got: number): string => `expected ${plural(expected, 'call')}, got ${got}`;

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

/**
 * Sorts in place, stably, by `key` ascending (NaN-free keys; Infinity allowed): an insertion sort
 * for the few items an output has (no scratch copy, as Array.prototype.sort makes), the built-in
 * sort beyond that. Both are stable, so the order is the same either way.
 */
export function sortStable<T>(items: T[], key: (x: T) => number): void {
  const n = items.length;
  if (n > 24) {
    items.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = items[i];
    const k = key(x);
    let j = i - 1;
    while (j >= 0 && key(items[j]) > k) {
      items[j + 1] = items[j];
      j--;
    }
    items[j + 1] = x;
  }
}

const fragPos = (f: Frag): number => f.pos;

/** The partial-credit score of an invalid output's fragments (see checkOutput in index.ts). */
export function score(frags: Frag[]): number {
  sortStable(frags, fragPos);
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
export function breakSpan(output: string, offset: number): Span {
  const start = Math.max(0, Math.min(offset, output.length));
  return { start, end: Math.min(start + 1, output.length) };
}

// JSON values in prose (a system prompt that embeds a tool list, a message holding call objects),
// found in linear time.
//
// A JSON value may start at any `[` or `{` of a prompt, and prose around it has brackets and
// quotes of its own. Trying each bracket with a fresh scan to its match and JSON.parse costs
// quadratic time on a run of brackets (160,000 `{` took about a minute). Instead one validating scan
// from a bracket decides every bracket it meets outside strings: where its value ends if it is
// valid JSON (nested at most MAX_NESTING deep), or that it is not. A scan stops at the first
// character that cannot continue valid JSON (all brackets still open are then invalid: they would
// contain it). A bracket that no scan met outside a string gets a scan of its own: from there its
// string state is the opposite of the earlier scan's, and the two can only agree again after one
// of them met a backslash outside a string, which stops it. So no character is scanned more than
// twice, and only values found valid are parsed, each once.
import { parseJsonKeepingNumbers } from '../numberForm';
import { MAX_NESTING } from '../recordIndexLimits';

const A_FIRST = 0; // after [
const A_NEXT = 1; // after , in an array
const A_AFTER = 2; // after an array element
const O_FIRST = 3; // after {
const O_NEXT = 4; // after , in an object
const O_COLON = 5; // after a key
const O_VALUE = 6; // after :
const O_AFTER = 7; // after a member's value

const isJsonWs = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** End (exclusive) of the JSON string starting at `i` (a `"`), or -1. */
function stringEnd(t: string, i: number): number {
  for (let j = i + 1; j < t.length; ) {
    const c = t.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c < 32) return -1;
    if (c !== 92) {
      j++;
      continue;
    }
    const e = t.charCodeAt(j + 1);
    if (e === 117) {
      for (let k = 2; k < 6; k++) if (!isHex(t.charCodeAt(j + k))) return -1;
      j += 6;
    } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) j += 2;
    else return -1;
  }
  return -1;
}

/** End (exclusive) of the JSON number starting at `i`, or -1. */
function numberEnd(t: string, i: number): number {
  let j = i;
  if (t.charCodeAt(j) === 45) j++;
  if (t.charCodeAt(j) === 48) j++;
  else if (isDigit(t.charCodeAt(j))) while (isDigit(t.charCodeAt(j))) j++;
  else return -1;
  if (t.charCodeAt(j) === 46) {
    if (!isDigit(t.charCodeAt(++j))) return -1;
    while (isDigit(t.charCodeAt(j))) j++;
  }
  if (t.charCodeAt(j) === 101 || t.charCodeAt(j) === 69) {
    j++;
    if (t.charCodeAt(j) === 43 || t.charCodeAt(j) === 45) j++;
    if (!isDigit(t.charCodeAt(j))) return -1;
    while (isDigit(t.charCodeAt(j))) j++;
  }
  return j;
}

function literalEnd(t: string, i: number): number {
  for (const lit of ['true', 'false', 'null']) if (t.startsWith(lit, i)) return i + lit.length;
  return -1;
}

/**
 * The validating scan from the bracket at `root` (see above). Sets `ends[p]` for every bracket p
 * it meets outside strings: the end (exclusive) of its valid value, or -1.
 */
function scanValues(t: string, root: number, ends: Int32Array, stack: { starts: Int32Array; states: Uint8Array }): void {
  let { starts, states } = stack;
  let h = 0;
  // Frames [0, deep) hold more than MAX_NESTING levels: invalid whatever follows.
  let deep = 0;
  const push = (p: number, state: number): void => {
    if (h === starts.length) {
      const s2 = new Int32Array(h * 2);
      s2.set(starts);
      starts = s2;
      const st2 = new Uint8Array(h * 2);
      st2.set(states);
      states = st2;
      stack.starts = starts; // kept for the next scan
      stack.states = states;
    }
    starts[h] = p;
    states[h++] = state;
    if (h - deep > MAX_NESTING) deep = h - MAX_NESTING;
  };
  const failAll = (): void => {
    for (let k = 0; k < h; k++) ends[starts[k]] = -1;
  };
  push(root, t.charCodeAt(root) === 91 ? A_FIRST : O_FIRST);
  for (let i = root + 1; i < t.length; ) {
    const c = t.charCodeAt(i);
    if (isJsonWs(c)) {
      i++;
      continue;
    }
    const s = states[h - 1];
    if (c === 93 || c === 125) {
      const ok = s <= A_AFTER ? c === 93 && s !== A_NEXT : c === 125 && (s === O_FIRST || s === O_AFTER);
      if (!ok) return failAll();
      h--;
      ends[starts[h]] = h < deep ? -1 : i + 1;
      if (deep > h) deep = h;
      if (h === 0) return;
      states[h - 1] = states[h - 1] <= A_AFTER ? A_AFTER : O_AFTER;
      i++;
      continue;
    }
    if (s === A_AFTER || s === O_AFTER) {
      if (c !== 44) return failAll();
      states[h - 1] = s === A_AFTER ? A_NEXT : O_NEXT;
      i++;
      continue;
    }
    if (s === O_FIRST || s === O_NEXT) {
      const e = c === 34 ? stringEnd(t, i) : -1;
      if (e < 0) return failAll();
      states[h - 1] = O_COLON;
      i = e;
      continue;
    }
    if (s === O_COLON) {
      if (c !== 58) return failAll();
      states[h - 1] = O_VALUE;
      i++;
      continue;
    }
    // A value is expected.
    if (c === 91 || c === 123) {
      push(i, c === 91 ? A_FIRST : O_FIRST);
      i++;
      continue;
    }
    const e = c === 34 ? stringEnd(t, i) : c === 45 || isDigit(c) ? numberEnd(t, i) : literalEnd(t, i);
    if (e < 0) return failAll();
    states[h - 1] = s === O_VALUE ? O_AFTER : A_AFTER;
    i = e;
  }
  failAll(); // the text ends inside
}

/**
 * Top-level JSON values of the given opening bracket found in prose, with their spans: from left
 * to right, each bracket whose text up to its match is JSON, skipping what a value found holds.
 */
export function jsonSpans(text: string, open: '[' | '{'): { start: number; end: number; value: unknown }[] {
  const out: { start: number; end: number; value: unknown }[] = [];
  let ends: Int32Array | undefined;
  const stack = { starts: new Int32Array(64), states: new Uint8Array(64) };
  for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) {
    ends ??= new Int32Array(text.length);
    if (ends[i] === 0) {
      // Most brackets of prose fail at once: an object must go on with a key or end.
      let k = i + 1;
      while (isJsonWs(text.charCodeAt(k))) k++;
      if (open === '{' && text[k] !== '"' && text[k] !== '}') ends[i] = -1;
      else scanValues(text, i, ends, stack);
    }
    const end = ends[i];
    if (end < 0) continue;
    try {
      out.push({ start: i, end, value: parseJsonKeepingNumbers(text.slice(i, end)) });
      i = end - 1;
    } catch {
      /* cannot happen (the scan validated it); keep looking */
    }
  }
  return out;
}

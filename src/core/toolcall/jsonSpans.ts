// Where a decoded JSON string sits in its raw text. A model output lives inside a JSON string on a
// predictions line (`{"id": "x", "output": "[f(a=\"b\")]"}`); the checker's spans index the
// decoded output, and the editor needs them as columns of the raw line, through every escape.

/** The raw [start, end) of the string literal (quotes included) of top-level key `key` in a JSON object text, or undefined. */
export function locateStringValue(text: string, key: string): { start: number; end: number } | undefined {
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (depth === 1) {
        // A key at depth 1 is followed by ':'; its value starts after optional whitespace.
        let j = end;
        while (j < n && isSpace(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) === 0x3a /* : */ && JSON.parse(text.slice(i, end)) === key) {
          j++;
          while (j < n && isSpace(text.charCodeAt(j))) j++;
          if (text.charCodeAt(j) !== 0x22) return undefined; // the value is not a string
          const valueEnd = stringEnd(text, j);
          return valueEnd < 0 ? undefined : { start: j, end: valueEnd };
        }
      }
      i = end;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
    i++;
  }
  return undefined;
}

/** Index just past the closing quote of the string literal opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * For a raw JSON string literal (with its quotes) starting at `literalStart` in the line, the raw
 * offset of every decoded index 0..decodedLength (inclusive, so span ends map too).
 */
export function decodedToRaw(text: string, literalStart: number, literalEnd: number): Int32Array {
  const map: number[] = [];
  let i = literalStart + 1;
  const stop = literalEnd - 1;
  while (i < stop) {
    map.push(i);
    if (text.charCodeAt(i) === 0x5c) {
      // \uXXXX is one UTF-16 unit; every other escape is two raw characters for one unit.
      i += text[i + 1] === 'u' ? 6 : 2;
    } else i++;
  }
  map.push(stop);
  return Int32Array.from(map);
}

/** Map a span of the decoded string to raw columns of the line. */
export function rawSpan(map: Int32Array, span: { start: number; end: number }): { start: number; end: number } {
  const last = map.length - 1;
  const start = map[Math.max(0, Math.min(last, span.start))];
  const end = map[Math.max(0, Math.min(last, span.end))];
  return { start, end: Math.max(end, start) };
}

/** The raw [start, end) of the string literal (quotes included) that contains column `col`, at any depth, or undefined. */
export function stringLiteralAt(text: string, col: number): { start: number; end: number } | undefined {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x22) continue;
    const end = stringEnd(text, i);
    if (end < 0) return undefined;
    if (col > i && col < end) return { start: i, end };
    if (i > col) return undefined;
    i = end - 1;
  }
  return undefined;
}

/** The decoded index of a raw column inside a literal (the inverse of rawSpan's lookup: the first decoded unit at or after it). */
export function rawToDecoded(map: Int32Array, rawCol: number): number {
  let lo = 0;
  let hi = map.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (map[mid] < rawCol) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

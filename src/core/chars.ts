// Text is cut only between characters. JavaScript strings index UTF-16 code units, so a cut can
// land inside a surrogate pair (an emoji, any character past U+FFFF) and leave a lone half that
// shows and writes out as U+FFFD; and text a model decoded from tokens can end in the first bytes
// of a multi-byte character (a token boundary inside "東" or "😀"), which the decoder turns into
// U+FFFD too. These helpers keep every cut on a character boundary (code points; a grapheme
// cluster such as 👍🏽 may still be cut between its code points, which shows no replacement
// character), and take such an unfinished character off the end of decoded text.

const REPLACEMENT = '\uFFFD';
const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** Whether offset `at` of `text` lies between two characters (not inside a surrogate pair). */
export function isCharBoundary(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return true;
  return !(isHigh(text.charCodeAt(at - 1)) && isLow(text.charCodeAt(at)));
}

/** The nearest character boundary at or before `at` (clamped to the text). */
export function boundaryBefore(text: string, at: number): number {
  const n = Math.max(0, Math.min(text.length, Math.floor(at)));
  return isCharBoundary(text, n) ? n : n - 1;
}

/** The nearest character boundary at or after `at` (clamped to the text). */
export function boundaryAfter(text: string, at: number): number {
  const n = Math.max(0, Math.min(text.length, Math.ceil(at)));
  return isCharBoundary(text, n) ? n : n + 1;
}

/** The span [start, end) widened to whole characters: start moves back, end moves on. */
export function snapSpan(text: string, start: number, end: number): { start: number; end: number } {
  return { start: boundaryBefore(text, start), end: boundaryAfter(text, end) };
}

/** At most `max` UTF-16 units of `text`, cut at a character boundary, with `…` when cut. */
export function clipText(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  return `${text.slice(0, boundaryBefore(text, Math.max(0, max - ellipsis.length)))}${ellipsis}`;
}

/**
 * `text` without the unfinished character decoding may leave at its end: a run of U+FFFD (the
 * first bytes of a multi-byte character whose last bytes were not generated yet; a decoder gives
 * one U+FFFD per incomplete sequence or per byte) and a lone high surrogate. Returns the text cut
 * at the last character boundary before them; text that ends in a whole character is unchanged.
 */
export function withoutUnfinishedChar(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === REPLACEMENT) end--;
  if (end > 0 && isHigh(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Whether `text` holds a replacement character or a lone surrogate: a character cut apart. */
export function hasBrokenChar(text: string): boolean {
  if (text.includes(REPLACEMENT)) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isHigh(c)) {
      if (!isLow(text.charCodeAt(i + 1))) return true;
      i++;
    } else if (isLow(c)) return true;
  }
  return false;
}

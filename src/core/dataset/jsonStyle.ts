// Writing a record back in the style of the file it came from, so that saving one edited sample
// does not rewrite every other line's bytes (and a diff of the file shows only the edit).
// Datasets are mostly written by Python's json.dumps: `", "` / `": "` separators and, by default,
// ensure_ascii (every non-ASCII character as \uXXXX, astral ones as surrogate pairs). JS's
// JSON.stringify is compact and never escapes non-ASCII. Number spelling is lost by JSON.parse
// (Python writes 1.0, JS 1): values parsed with numberForm.ts keep theirs, and writeRecordText
// returns the original bytes when the record did not change.
import { numberForm } from './numberForm';

export interface JsonStyle {
  /** Between items: ", " (Python's default) or "," (compact). With an indent, always ",". */
  itemSep: ', ' | ',';
  /** Between key and value: ": " or ":". */
  keySep: ': ' | ':';
  /** Python's ensure_ascii: everything outside printable ASCII written as \uXXXX. */
  ensureAscii: boolean;
  /** Pretty-printed records: the indent unit (e.g. "  ") ... */
  indent?: string;
  /** ... and the nesting level the record itself sits at (1 inside a pretty-printed array). */
  level?: number;
}

export const COMPACT_STYLE: JsonStyle = { itemSep: ',', keySep: ':', ensureAscii: false };
export const PYTHON_STYLE: JsonStyle = { itemSep: ', ', keySep: ': ', ensureAscii: true };

/** Punctuation outside string literals, in order, with the character after it. */
function* structural(text: string): Generator<{ ch: string; at: number }> {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ',' || c === ':' || c === '{' || c === '[') yield { ch: c, at: i };
  }
}

/**
 * Style of one record's text. Undecidable traits (a record with no non-ASCII text says nothing
 * about ensure_ascii) come from `fallback`, so a caller can carry what earlier records showed.
 */
export function detectJsonStyle(text: string, fallback: JsonStyle = PYTHON_STYLE): JsonStyle {
  let itemSep: JsonStyle['itemSep'] | undefined;
  let keySep: JsonStyle['keySep'] | undefined;
  let indent: string | undefined;
  let level: number | undefined;
  for (const { ch, at } of structural(text)) {
    const next = text[at + 1];
    if ((ch === '{' || ch === '[') && next === '\n' && indent === undefined) {
      // Inner lines' indentation minus the closing line's gives the unit and the level.
      const inner = /^\n([ \t]*)/.exec(text.slice(at + 1))![1];
      const outer = /\n([ \t]*)[}\]]\s*$/.exec(text)?.[1] ?? '';
      const unit = inner.slice(outer.length) || '  ';
      indent = unit;
      level = unit.length ? Math.round(outer.length / unit.length) : 0;
    }
    if (ch === ',' && itemSep === undefined && next !== '\n') itemSep = next === ' ' ? ', ' : ',';
    if (ch === ':' && keySep === undefined) keySep = next === ' ' ? ': ' : ':';
    if (itemSep !== undefined && keySep !== undefined && indent !== undefined) break;
  }
  let ensureAscii = fallback.ensureAscii;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(text)) ensureAscii = false;
  // An escaped non-ASCII character (not preceded by an odd run of backslashes) means ensure_ascii.
  else if (/(?<!\\)(?:\\\\)*\\u(?:00[89a-f][0-9a-f]|0[1-9a-f][0-9a-f]{2}|[1-9a-f][0-9a-f]{3})/i.test(text)) ensureAscii = true;
  const style: JsonStyle = {
    itemSep: itemSep ?? (indent !== undefined ? ',' : fallback.itemSep),
    keySep: keySep ?? fallback.keySep,
    ensureAscii,
  };
  if (indent !== undefined) Object.assign(style, { indent, level });
  return style;
}

function quote(s: string, ensureAscii: boolean): string {
  const json = JSON.stringify(s);
  if (!ensureAscii) return json;
  // JSON.stringify already escaped quotes, controls and lone surrogates; Python additionally
  // escapes DEL and everything above it, code unit by code unit (so astral = surrogate pair).
  // eslint-disable-next-line no-control-regex
  return json.replace(/[^\x00-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** `value` as text in `style` (values that JSON cannot hold are written as JSON.stringify would). */
export function serializeRecord(value: unknown, style: JsonStyle): string {
  const { itemSep, keySep, ensureAscii, indent } = style;
  // `holder[key]` is where `v` sits: a number written there in another form (`2.0`) keeps it.
  const write = (v: unknown, depth: number, holder?: object, key?: string | number): string => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON: () => unknown }).toJSON();
    }
    if (typeof v === 'string') return quote(v, ensureAscii);
    if (typeof v === 'number' && holder) return numberForm(holder, key!, v) ?? JSON.stringify(v);
    if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
    const items: string[] = Array.isArray(v)
      ? v.map((x, i) => (x === undefined || typeof x === 'function' ? 'null' : write(x, depth + 1, v as object, i)))
      : Object.entries(v)
          .filter(([, x]) => x !== undefined && typeof x !== 'function')
          .map(([k, x]) => quote(k, ensureAscii) + keySep + write(x, depth + 1, v as object, k));
    const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
    if (items.length === 0) return open + close;
    if (indent === undefined) return open + items.join(itemSep) + close;
    const pad = (d: number): string => '\n' + indent.repeat(d);
    return open + pad(depth + 1) + items.join(',' + pad(depth + 1)) + pad(depth) + close;
  };
  return write(value, style.level ?? 0);
}

/**
 * The text to store for `record`: the original bytes when the record is value-identical to what
 * was read (same values, same key order), else the record in the original's style (or `style`).
 */
export function writeRecordText(record: unknown, originalText?: string, originalParsed?: unknown, style: JsonStyle = COMPACT_STYLE): string {
  if (originalText === undefined) return serializeRecord(record, style);
  const parsed = originalParsed !== undefined ? originalParsed : JSON.parse(originalText);
  if (JSON.stringify(record) === JSON.stringify(parsed)) return originalText;
  return serializeRecord(record, detectJsonStyle(originalText, style));
}

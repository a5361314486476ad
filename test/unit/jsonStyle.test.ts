import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COMPACT_STYLE, PYTHON_STYLE, detectJsonStyle, serializeRecord, writeRecordText, type JsonStyle } from '../../src/core/dataset/jsonStyle';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BFCL = [process.env.BFCL_DATA, join(ROOT, '..', 'shared', 'data', 'bfcl'), join(ROOT, 'demo', 'datasets', 'bfcl')].find((d) => d && existsSync(d))!;

const VALUE = { a: 'é😀\x7f\u2028 中文', b: [1, 2.5, null, true, false, -3], c: {}, d: [], e: 'quote" back\\ nl\n tab\t ctl\x01 /slash', f: { g: [{ h: 'i' }] } };
// What Python's json.dumps writes for VALUE (printed through a second json.dumps to keep this file ASCII).
const PY = {
  default: String.raw`"{\"a\": \"\\u00e9\\ud83d\\ude00\\u007f\\u2028 \\u4e2d\\u6587\", \"b\": [1, 2.5, null, true, false, -3], \"c\": {}, \"d\": [], \"e\": \"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 /slash\", \"f\": {\"g\": [{\"h\": \"i\"}]}}"`,
  noAscii: String.raw`"{\"a\": \"\u00e9\ud83d\ude00\u007f\u2028 \u4e2d\u6587\", \"b\": [1, 2.5, null, true, false, -3], \"c\": {}, \"d\": [], \"e\": \"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 /slash\", \"f\": {\"g\": [{\"h\": \"i\"}]}}"`,
  compactNoAscii: String.raw`"{\"a\":\"\u00e9\ud83d\ude00\u007f\u2028 \u4e2d\u6587\",\"b\":[1,2.5,null,true,false,-3],\"c\":{},\"d\":[],\"e\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 /slash\",\"f\":{\"g\":[{\"h\":\"i\"}]}}"`,
  compactAscii: String.raw`"{\"a\":\"\\u00e9\\ud83d\\ude00\\u007f\\u2028 \\u4e2d\\u6587\",\"b\":[1,2.5,null,true,false,-3],\"c\":{},\"d\":[],\"e\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 /slash\",\"f\":{\"g\":[{\"h\":\"i\"}]}}"`,
  indent2: String.raw`"{\n  \"a\": \"\\u00e9\\ud83d\\ude00\\u007f\\u2028 \\u4e2d\\u6587\",\n  \"b\": [\n    1,\n    2.5,\n    null,\n    true,\n    false,\n    -3\n  ],\n  \"c\": {},\n  \"d\": [],\n  \"e\": \"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 /slash\",\n  \"f\": {\n    \"g\": [\n      {\n        \"h\": \"i\"\n      }\n    ]\n  }\n}"`,
  indent4NoAscii: String.raw`"{\n    \"a\": \"\u00e9\ud83d\ude00\u007f\u2028 \u4e2d\u6587\",\n    \"b\": [\n        1,\n        2.5,\n        null,\n        true,\n        false,\n        -3\n    ],\n    \"c\": {},\n    \"d\": [],\n    \"e\": \"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 /slash\",\n    \"f\": {\n        \"g\": [\n            {\n                \"h\": \"i\"\n            }\n        ]\n    }\n}"`,
};
const py = (k: keyof typeof PY): string => JSON.parse(PY[k]) as string;

describe('detectJsonStyle + serializeRecord reproduce json.dumps', () => {
  for (const k of Object.keys(PY) as (keyof typeof PY)[]) {
    it(k, () => {
      const text = py(k);
      assert.deepEqual(JSON.parse(text), VALUE);
      assert.equal(serializeRecord(VALUE, detectJsonStyle(text)), text);
    });
  }

  it('detects each trait', () => {
    assert.deepEqual(detectJsonStyle(py('default')), PYTHON_STYLE);
    assert.deepEqual(detectJsonStyle(py('compactNoAscii')), COMPACT_STYLE);
    assert.equal(detectJsonStyle(py('compactAscii')).ensureAscii, true);
    const ind = detectJsonStyle(py('indent4NoAscii'));
    assert.deepEqual([ind.indent, ind.level, ind.itemSep, ind.keySep, ind.ensureAscii], ['    ', 0, ',', ': ', false]);
  });

  it('ASCII-only text says nothing about ensure_ascii: the fallback decides', () => {
    assert.equal(detectJsonStyle('{"a": 1}', { ...PYTHON_STYLE, ensureAscii: false }).ensureAscii, false);
    assert.equal(detectJsonStyle('{"a": 1}', PYTHON_STYLE).ensureAscii, true);
    // An escaped backslash followed by "u00e9" is not an escape of é.
    assert.equal(detectJsonStyle(String.raw`{"a": "C:\\u00e9"}`, { ...PYTHON_STYLE, ensureAscii: false }).ensureAscii, false);
  });

  it('a pretty-printed record sliced out of an indented array keeps its level', () => {
    const arr = JSON.stringify([VALUE, VALUE], null, 2);
    const first = arr.slice(arr.indexOf('{'), arr.indexOf('\n  },') + 4);
    const style = detectJsonStyle(first, COMPACT_STYLE);
    assert.deepEqual([style.indent, style.level], ['  ', 1]);
    assert.equal(serializeRecord(VALUE, style), first);
  });

  it('matches JSON.stringify in the compact style', () => {
    const v = { s: 'x\u0000y\ud800z', n: [0, -0.5, 1e21, 1e-7], o: { u: undefined, k: 1 }, l: [undefined, () => 1] };
    assert.equal(serializeRecord(v, COMPACT_STYLE), JSON.stringify(v));
  });
});

describe('writeRecordText', () => {
  const original = '{"id": 1, "x": 1.0, "s": "caf\\u00e9"}';
  it('returns the original bytes when the record is unchanged, float spelling included', () => {
    assert.equal(writeRecordText(JSON.parse(original), original), original);
    assert.equal(writeRecordText(JSON.parse(original), original, JSON.parse(original)), original);
  });
  it('writes a changed record in the original style', () => {
    const edited = { ...(JSON.parse(original) as object), s: 'thé' };
    assert.equal(writeRecordText(edited, original), '{"id": 1, "x": 1, "s": "th\\u00e9"}');
  });
  it('treats a key-order change as a change', () => {
    assert.equal(writeRecordText({ s: 'café', id: 1, x: 1 }, original), '{"s": "caf\\u00e9", "id": 1, "x": 1}');
  });
  it('without an original uses the given style (compact by default)', () => {
    assert.equal(writeRecordText({ a: [1, 'é'] }), '{"a":[1,"é"]}');
    assert.equal(writeRecordText({ a: [1, 'é'] }, undefined, undefined, PYTHON_STYLE), '{"a": [1, "\\u00e9"]}');
  });
});

/**
 * Number literals outside strings: Python writes floats as 1.0 or 1e-05, which JSON.parse cannot
 * keep. Returns whether there is one, and the text with every number in JS spelling.
 */
function numbers(text: string): { float: boolean; normalised: string } {
  let inString = false;
  let float = false;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') out += c + text[++i];
      else {
        if (c === '"') inString = false;
        out += c;
      }
    } else if (/[-\d]/.test(c)) {
      const tok = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))![0];
      float ||= /[.eE]/.test(tok);
      out += String(Number(tok));
      i += tok.length - 1;
    } else {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return { float, normalised: out };
}

/** The text without whitespace outside strings. */
function minify(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') out += c + text[++i];
      else {
        if (c === '"') inString = false;
        out += c;
      }
    } else if (!/\s/.test(c)) {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return out;
}

describe('BFCL files (written by json.dumps) come back byte-identical', () => {
  it('every record without float literals; floats only differ in spelling', (t) => {
    const files = readdirSync(BFCL).filter((f) => f.endsWith('.json')).map((f) => join(BFCL, f));
    const answerDir = join(BFCL, 'possible_answer');
    if (existsSync(answerDir)) files.push(...readdirSync(answerDir).filter((f) => f.endsWith('.json')).map((f) => join(answerDir, f)));
    const count = { questions: [0, 0], answers: [0, 0], floats: 0, spacing: 0 };
    let style: JsonStyle = PYTHON_STYLE;
    for (const file of files) {
      const kind = file.includes('possible_answer') ? 'answers' : 'questions';
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        style = detectJsonStyle(line, style);
        const out = serializeRecord(JSON.parse(line), style);
        count[kind][1]++;
        if (out === line) count[kind][0]++;
        else if (numbers(line).float && numbers(line).normalised === out) count.floats++;
        else {
          // A hand-edited line with irregular spacing: the values still match exactly.
          assert.equal(minify(line), serializeRecord(JSON.parse(line), { ...COMPACT_STYLE, ensureAscii: style.ensureAscii }), line.slice(0, 80));
          count.spacing++;
        }
      }
    }
    t.diagnostic(`questions ${count.questions[0]}/${count.questions[1]} identical, possible answers ${count.answers[0]}/${count.answers[1]}; ` +
      `${count.floats} differ only by float spelling (1.0 → 1), ${count.spacing} by irregular spacing in the source`);
    assert.ok(count.spacing <= 2, 'irregular spacing should be rare');
  });
});

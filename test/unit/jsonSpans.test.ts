// Decoded-string spans mapped to raw JSON columns, through every kind of escape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodedToRaw, locateStringValue, rawSpan, rawToDecoded, stringLiteralAt } from '../../src/core/toolcall/jsonSpans';

describe('jsonSpans', () => {
  it('finds the top-level string value, not a nested one or a same-named string', () => {
    const line = '{"meta": {"output": "nested"}, "note": "output", "output": "[f(a=\\"b\\")]", "x": 1}';
    const at = locateStringValue(line, 'output')!;
    assert.equal(line.slice(at.start, at.end), '"[f(a=\\"b\\")]"');
    assert.equal(locateStringValue(line, 'missing'), undefined);
    assert.equal(locateStringValue('{"output": 3}', 'output'), undefined);
  });

  it('maps decoded spans to raw columns through escapes', () => {
    const output = 'é [f(a="b\\n", c=\'😀\')]\t';
    const line = JSON.stringify({ id: 'x', output });
    const lit = locateStringValue(line, 'output')!;
    const map = decodedToRaw(line, lit.start, lit.end);
    const frag = '"b\\n"';
    const s = output.indexOf(frag);
    const raw = rawSpan(map, { start: s, end: s + frag.length });
    assert.equal(JSON.parse(`"${line.slice(raw.start, raw.end)}"`), frag);
  });

  it('property: for any string, raw slices decode to the decoded slices', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(), fc.nat(), (output, a, b) => {
        const line = JSON.stringify({ output });
        const lit = locateStringValue(line, 'output')!;
        const map = decodedToRaw(line, lit.start, lit.end);
        assert.equal(map.length, output.length + 1);
        const start = Math.min(a, b) % (output.length + 1);
        const end = Math.min(output.length, start + (Math.max(a, b) % 7));
        const raw = rawSpan(map, { start, end });
        assert.equal(JSON.parse(`"${line.slice(raw.start, raw.end)}"`), output.slice(start, end));
      }),
      { numRuns: 300 },
    );
  });

  it('property: a selection of raw columns in any string of a record maps back to the decoded text selected', () => {
    // What iTool: Mark Fragment Error does with a text-editor selection inside a record's string.
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), fc.nat(), fc.nat(), (value, other, a, b) => {
        const line = JSON.stringify({ other, turns: [{ content: value }] });
        const lit = locateNested(line, value);
        const map = decodedToRaw(line, lit.start, lit.end);
        const start = Math.min(a, b) % (value.length + 1);
        const end = Math.min(value.length, start + (Math.max(a, b) % 9));
        const raw = rawSpan(map, { start, end });
        // The selection starts inside the literal: the literal found is this one, and it decodes to the value.
        const found = stringLiteralAt(line, raw.start === lit.start ? lit.start + 1 : raw.start);
        assert.deepEqual(found, lit);
        assert.equal(JSON.parse(line.slice(found!.start, found!.end)), value);
        assert.equal(rawToDecoded(map, raw.start), start);
        assert.equal(rawToDecoded(map, raw.end), end);
      }),
      { numRuns: 300 },
    );
  });

  it('finds no literal outside strings', () => {
    const line = '{"a": 12, "b": "x\\"y"}';
    assert.equal(stringLiteralAt(line, line.indexOf('12')), undefined);
    assert.deepEqual(stringLiteralAt(line, line.indexOf('x')), { start: line.indexOf('"x'), end: line.length - 1 });
  });
});

/** The literal of `turns[0].content` (the last string literal of the line). */
function locateNested(line: string, value: string): { start: number; end: number } {
  const enc = JSON.stringify(value);
  const start = line.lastIndexOf(enc);
  return { start, end: start + enc.length };
}

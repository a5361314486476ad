// Decoded-string spans mapped to raw JSON columns, through every kind of escape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodedToRaw, locateStringValue, rawSpan } from '../../src/core/toolcall/jsonSpans';

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
});

// Model outputs for a BFCL sample that take the checker down each of its paths, for tests that
// compare two ways of reading the same samples by the verdicts they give.
import { callsFromGroundTruth } from '../../src/core/dataset/formats/bfcl';
import { encodePythonCalls } from '../../src/core/dataset/pythonCalls';
import type { Sample } from '../../src/core/dataset/sample';

/** Text, a stray call, the answer, a changed value, an extra argument, a cut, and a call to another of its tools. */
export function outputsFor(s: Sample): string[] {
  const text = ['Sorry, I cannot help.', '[f(a=1)]'];
  if (!s.possibleAnswers?.length) return text;
  const calls = callsFromGroundTruth(s.possibleAnswers);
  const right = encodePythonCalls(calls);
  const [k] = Object.keys(calls[0].arguments);
  const changed = k === undefined ? right : encodePythonCalls([{ ...calls[0], arguments: { ...calls[0].arguments, [k]: 'x' } }, ...calls.slice(1)]);
  const extra = encodePythonCalls([{ ...calls[0], arguments: { ...calls[0].arguments, zz: 1 } }, ...calls.slice(1)]);
  const other = s.tools.find((t) => t.name !== calls[0].name);
  return [...text, right, changed, extra, right.slice(0, -3), ...(other ? [`[${other.name}(x=1)]`] : [])];
}

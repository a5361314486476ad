// BFCL's agentic checker (memory, web_search): the model's final answer in text is right when one
// of the accepted answers occurs in it as a whole word sequence, after both are standardised.
// Written from BFCL's documented rule (eval_checker/agentic_eval/agentic_checker.py):
//   standardise: remove , . / - _ * ^ ( ) ; lowercase; ' becomes "   (whitespace is kept, although
//                its docstring says otherwise: its pattern has no space in it)
//   match:       re.search(rf"\b{re.escape(answer)}\b", response) for some accepted answer
// BFCL judges the last message of the model's steps that is not a function call; here the output
// judged is that message, so an output that is a call is not a final answer.
import type { ParseResult, Verdict } from '../types';

/** BFCL's agentic standardisation (see above). */
export function standardizeAnswer(s: string): string {
  return s.replace(/[,./\-_*^()]/g, '').toLowerCase().replace(/'/g, '"');
}

/** A word character as Python's `\b` sees one in a str pattern (Unicode letters, digits, `_`). */
const WORD = /^[\p{L}\p{N}_]$/u;
const charAt = (s: string, i: number): string => String.fromCodePoint(s.codePointAt(i)!);
/** Python's `\b` at UTF-16 offset `i`: a word character on exactly one side (whole code points). */
function boundary(s: string, i: number): boolean {
  const before = i <= 0 ? '' : /[\uDC00-\uDFFF]/.test(s[i - 1]) && i >= 2 ? charAt(s, i - 2) : s[i - 1];
  const after = i >= s.length ? '' : charAt(s, i);
  return WORD.test(before) !== WORD.test(after);
}

/** Whether `answer` occurs in `response` between two word boundaries (both standardised already). */
export function containsAnswer(response: string, answer: string): boolean {
  // An empty answer matches wherever there is a boundary, as `\b\b` does.
  if (!answer) {
    for (let i = 0; i <= response.length; i++) if (boundary(response, i)) return true;
    return false;
  }
  for (let at = response.indexOf(answer); at >= 0; at = response.indexOf(answer, at + 1)) {
    if (boundary(response, at) && boundary(response, at + answer.length)) return true;
  }
  return false;
}

/** The first accepted answer found in `response` (BFCL's rule), or undefined. */
export function agenticMatch(response: string, accepted: readonly string[]): string | undefined {
  const r = standardizeAnswer(response);
  return accepted.find((a) => containsAnswer(r, standardizeAnswer(a)));
}

/**
 * Judge a final answer: valid (score 1) when an accepted answer is found; otherwise one error,
 * `should_not_call` when the output is a call instead of an answer, `wrong_value` when the answer
 * lacks every accepted one (score −1 either way: there are no fragments to weigh).
 */
export function checkAgentic(output: string, accepted: readonly string[], parsed: ParseResult): Verdict {
  const { syntax, calls } = parsed;
  if (parsed.ok && calls.length > 0) {
    const errors = calls.map((c) => ({
      kind: 'should_not_call' as const,
      function: c.name,
      span: c.span,
      got: c.name,
      message: `expected the final answer in text, got a call to \`${c.name}\` (the calls before the answer are not judged)`,
    }));
    return { valid: false, errors, score: -1, syntax, calls };
  }
  if (agenticMatch(output, accepted) !== undefined) return { valid: true, errors: [], score: 1, syntax, calls };
  const shown = accepted.slice(0, 3).map((a) => JSON.stringify(a)).join(', ') + (accepted.length > 3 ? `, … (${accepted.length} in all)` : '');
  const message = accepted.length ? `none of the accepted answers (${shown}) is in the final answer` : 'no accepted answer to find: the ground truth lists none';
  return { valid: false, errors: [{ kind: 'wrong_value', expected: accepted[0], got: output, message }], score: -1, syntax, calls };
}

// The reward's parts, for trainers that weight them as ToolRL does (format, function name,
// parameter names, parameter values: Qian et al., "ToolRL: Reward is All Tool Learning Needs",
// 2025). Read off the checker's verdict, so they agree with its score and its errors: every error
// carries the span of the call it belongs to, and the checker has already paired produced calls
// with expected ones (BFCL's rules, or the reference's).
import type { Expectation } from '../toolcall/check/index';
import type { CheckError, ParsedCall, Verdict } from '../toolcall/types';

/** Each in [0, 1]; all 1 exactly when the output is valid. */
export interface RewardParts {
  /**
   * 1 when the output has the form what is expected needs: calls that parse where calls are
   * expected, a text answer where a final answer is expected; anything where no call is expected
   * (as BFCL: text, or a broken call, is no call). 0 otherwise.
   */
  format: number;
  /**
   * Call slots with the right function, as a share of all slots: a slot is each produced call
   * (paired with an expected one, or extra) and each expected call nothing was paired with.
   */
  function: number;
  /**
   * Mean over slots of right parameter names / (names written + required names left out); 0 for
   * a slot with the wrong function, an extra call or a missing one.
   */
  parameter_names: number;
  /**
   * Mean over slots of accepted values / (right names written + required names left out); 0 for
   * a slot with the wrong function, an extra call or a missing one.
   */
  values: number;
}

const ALL: RewardParts = { format: 1, function: 1, parameter_names: 1, values: 1 };
const NONE: RewardParts = { format: 0, function: 0, parameter_names: 0, values: 0 };
const round = (x: number): number => Math.round(x * 1e4) / 1e4;

const within = (e: CheckError, c: ParsedCall): boolean => e.span !== undefined && e.span.start >= c.span.start && e.span.end <= c.span.end;

/** The parts of `verdict`, judged against `exp` (the same expectation the verdict was made with). */
export function rewardParts(verdict: Verdict, exp: Expectation): RewardParts {
  if (verdict.valid) return { ...ALL };
  const kinds = new Set(verdict.errors.map((e) => e.kind));
  if (exp.kind === 'agentic') {
    // A final answer in text is the expected form and "function"; its content is the value.
    return kinds.has('should_not_call') ? { ...NONE } : { format: 1, function: 1, parameter_names: 1, values: 0 };
  }
  // Calls where none is expected: the form is acceptable, everything called is wrong.
  if (kinds.has('should_not_call')) return { format: 1, function: 0, parameter_names: 0, values: 0 };
  // Unreadable calls, or no call where calls are expected.
  if (kinds.has('parse_error') || kinds.has('should_call')) return { ...NONE };
  let fn = 0;
  let names = 0;
  let values = 0;
  let slots = 0;
  for (const c of verdict.calls) {
    slots++;
    const errs = verdict.errors.filter((e) => within(e, c));
    if (errs.some((e) => e.kind === 'wrong_function' || e.kind === 'wrong_call_count')) continue;
    const written = c.args.length;
    const unexpected = errs.filter((e) => e.kind === 'unexpected_param').length;
    const missing = errs.filter((e) => e.kind === 'missing_required_param').length;
    const wrong = errs.filter((e) => e.kind === 'wrong_value' || e.kind === 'wrong_type').length;
    const rightNames = written - unexpected;
    fn += 1;
    names += written + missing === 0 ? 1 : rightNames / (written + missing);
    values += rightNames + missing === 0 ? 1 : (rightNames - wrong) / (rightNames + missing);
  }
  // Expected calls nothing was paired with: a wrong_call_count without a span each.
  slots += verdict.errors.filter((e) => e.kind === 'wrong_call_count' && e.span === undefined).length;
  if (slots === 0) return { ...NONE };
  return { format: 1, function: round(fn / slots), parameter_names: round(names / slots), values: round(values / slots) };
}

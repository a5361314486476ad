// Shared shapes of the tool-call parsers and the checker. Offsets are JS string indices (UTF-16
// code units) into the response text, [start, end).

/** Which call syntax a response is written in. 'text' = no call syntax recognised (a plain answer). */
export type CallSyntax = 'python' | 'json' | 'openai' | 'hermes' | 'glaive' | 'text';

export interface Span {
  start: number;
  end: number;
}

export interface ParsedArg {
  key: string;
  value: unknown;
  /** The key as written (`b` in `b="x"`, `"b"` with its quotes in JSON). */
  keySpan: Span;
  /** The value as written (`"x"`, `[1, 2]`). */
  valueSpan: Span;
  /** The whole argument: key, separator and value. */
  span: Span;
}

export interface ParsedCall {
  name: string;
  nameSpan: Span;
  /** The whole call, from the name (or the opening brace of a JSON call) to its end. */
  span: Span;
  args: ParsedArg[];
  /** The decoded arguments object (same content as `args`). */
  arguments: Record<string, unknown>;
}

export type ParseResult =
  | { ok: true; syntax: CallSyntax; calls: ParsedCall[] }
  /** `calls` holds what parsed before the error; `offset` is where parsing broke. */
  | { ok: false; syntax: CallSyntax; calls: ParsedCall[]; error: string; offset: number };

/** The checker's error taxonomy (one list for the whole product: panel, diagnostics, pairs, rounds). */
export type ErrorKind =
  | 'parse_error'
  | 'wrong_function'
  | 'wrong_call_count'
  | 'missing_required_param'
  | 'unexpected_param'
  | 'wrong_value'
  | 'wrong_type'
  | 'should_not_call'
  | 'should_call';

export const ERROR_KINDS: readonly ErrorKind[] = [
  'parse_error',
  'wrong_function',
  'wrong_call_count',
  'missing_required_param',
  'unexpected_param',
  'wrong_value',
  'wrong_type',
  'should_not_call',
  'should_call',
];

export interface CheckError {
  kind: ErrorKind;
  /** The function the error concerns (expected or produced), where there is one. */
  function?: string;
  /** The parameter the error concerns, where there is one. */
  param?: string;
  /** Where in the response the faulty fragment is; absent when nothing was written (e.g. a missing call). */
  span?: Span;
  expected?: unknown;
  got?: unknown;
  /** One line a person can read. */
  message: string;
}

export interface Verdict {
  valid: boolean;
  errors: CheckError[];
  /** Partial credit in [-1, 1] over fragments (see the checker's doc comment); 1 when valid. */
  score: number;
  syntax: CallSyntax;
  calls: ParsedCall[];
}

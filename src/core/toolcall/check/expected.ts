// What one expected call accepts, compiled once per expectation: BFCL's rules for a ground-truth
// entry, reference rules for a reference call. The checker (index.ts) pairs produced calls with
// these and asks each to judge the arguments written.
import type { PossibleAnswer, ToolCall, ToolDef } from '../../dataset/sample';
import type { ParsedArg } from '../types';
import { bfclValue, firstAccepted, plainAccepted, refEq, refValue, schemaTypeOk, show, type BfclLanguage, type ValueVerdict } from './values';

type Schema = { props?: Record<string, Record<string, unknown>>; required: string[] };

function schemaOf(tool: ToolDef | undefined): Schema {
  const p = tool?.parameters;
  const props = p && typeof p.properties === 'object' && p.properties !== null ? (p.properties as Record<string, Record<string, unknown>>) : undefined;
  const required = p && Array.isArray(p.required) ? p.required.filter((r): r is string => typeof r === 'string') : [];
  return { props, required };
}

/** A judged argument: right, or an error kind with what the message and the error need. */
export type ArgVerdict = ValueVerdict | { ok: false; kind: 'unexpected_param'; detail: string; expected?: unknown };

/** The expected value of a parameter for messages, and how many other values are accepted. */
export interface ExpectedValue {
  value: unknown;
  others: number;
}

export interface Expected {
  name: string;
  /** Judge one written argument of a call to this function (`output` gives the value as written). */
  arg(a: ParsedArg, output: string): ArgVerdict;
  /** Parameters that must be written. */
  mustWrite: readonly string[];
  /** The expected value of a parameter for messages (the same object each time: read it, never change it). */
  expectedOf(param: string): ExpectedValue;
}

export const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** What a written parameter is judged against: its declared type, its items' type, the accepted values. */
interface BfclParam {
  type: unknown;
  itemsType: unknown;
  accepted: readonly unknown[];
}

/**
 * BFCL rules for one ground-truth entry `{fn: {param: [accepted...]}}`: a written parameter must be
 * in the function's properties (when the function is listed) and in the entry; its value must pass
 * the declared type and be accepted; every required parameter of the function, and every entry
 * parameter whose list lacks "", must be written. A class, not closures: one is made per sample,
 * and what it works out for one output (verdicts, expected values) is kept for the next.
 */
class BfclExpected implements Expected {
  readonly name: string;
  readonly mustWrite: readonly string[];
  private readonly params: Record<string, unknown[]>;
  private readonly props: Record<string, Record<string, unknown>> | undefined;
  private judged: Map<string, BfclParam> | undefined;
  private shown: Map<string, ExpectedValue> | undefined;
  private notParam: ArgVerdict | undefined;
  private notExpected: ArgVerdict | undefined;

  constructor(
    entry: PossibleAnswer,
    tools: readonly ToolDef[],
    private readonly language: BfclLanguage = 'python',
  ) {
    const name = Object.keys(entry)[0] ?? '';
    const params = entry[name] ?? {};
    let tool: ToolDef | undefined;
    for (let i = 0; i < tools.length && !tool; i++) if (tools[i].name === name) tool = tools[i];
    const { props, required } = schemaOf(tool);
    const must: string[] = [];
    const keys = Object.keys(params);
    for (let i = 0; i < keys.length; i++) {
      const acc = params[keys[i]];
      if (!Array.isArray(acc) || !acc.includes('')) must.push(keys[i]);
    }
    for (let i = 0; i < required.length; i++) if (!must.includes(required[i])) must.push(required[i]);
    this.name = name;
    this.params = params;
    this.props = props;
    this.mustWrite = must;
  }

  expectedOf(param: string): ExpectedValue {
    let e = this.shown?.get(param);
    if (e === undefined) {
      const acc = has(this.params, param) && Array.isArray(this.params[param]) ? this.params[param] : [];
      let others = -1;
      for (let i = 0; i < acc.length; i++) if (acc[i] !== '') others++;
      (this.shown ??= new Map()).set(param, (e = { value: plainAccepted(firstAccepted(acc)), others: Math.max(0, others) }));
    }
    return e;
  }

  arg(a: ParsedArg, output: string): ArgVerdict {
    const { props, params } = this;
    if (props && !has(props, a.key)) return (this.notParam ??= { ok: false, kind: 'unexpected_param', detail: `not a parameter of \`${this.name}\`` });
    let p = this.judged?.get(a.key);
    if (p === undefined) {
      if (!has(params, a.key)) return (this.notExpected ??= { ok: false, kind: 'unexpected_param', detail: `not expected in this call to \`${this.name}\`` });
      const prop = props?.[a.key];
      const items = prop?.items as Record<string, unknown> | undefined;
      const acc = params[a.key];
      (this.judged ??= new Map()).set(a.key, (p = { type: prop?.type, itemsType: items?.type, accepted: Array.isArray(acc) ? acc : [acc] }));
    }
    const v = a.value;
    // The number as written tells Python's int from float (`5.0`): needed for integral values only,
    // except in Java and JavaScript, which read every number from its text.
    const literal = typeof v === 'number' && (this.language !== 'python' || Number.isInteger(v)) ? output.slice(a.valueSpan.start, a.valueSpan.end) : undefined;
    return bfclValue(v, literal, p.type, p.itemsType, p.accepted, this.language);
  }
}

/**
 * Reference rules for one reference call: a written parameter of the reference must have its type
 * and value (numbers by value, strings trimmed, deep for arrays and objects); an optional schema
 * parameter the reference leaves out is accepted only at its schema default; anything else is
 * unexpected. Reference parameters must be written when the schema requires them, when the schema
 * does not declare them, or when the function is not in the tool list.
 */
function referenceExpected(call: ToolCall, tools: readonly ToolDef[]): Expected {
  const { name, arguments: ref } = call;
  const tool = tools.find((t) => t.name === name);
  const { props, required } = schemaOf(tool);
  const must = Object.keys(ref).filter((k) => !tool || !props || !has(props, k) || required.includes(k));
  return {
    name,
    mustWrite: must,
    expectedOf: (param) => ({ value: has(ref, param) ? ref[param] : props?.[param]?.default, others: 0 }),
    arg(a) {
      if (has(ref, a.key)) return refValue(a.value, ref[a.key], props?.[a.key]?.type);
      const prop = props && has(props, a.key) ? props[a.key] : undefined;
      if (!prop) return { ok: false, kind: 'unexpected_param', detail: tool ? `not a parameter of \`${name}\`` : `not in the reference call to \`${name}\`` };
      const t = schemaTypeOk(a.value, prop.type);
      if (!t.ok) return t;
      if (has(prop, 'default') && refEq(a.value, prop.default)) return { ok: true };
      return has(prop, 'default')
        ? { ok: false, kind: 'wrong_value', detail: `not in the reference, so only its default ${show(prop.default)} is accepted, got ${show(a.value)}`, expected: prop.default }
        : { ok: false, kind: 'wrong_value', detail: `not in the reference, and without a schema default any value differs from it: got ${show(a.value)}` };
    },
  };
}

/** What compiling needs of an expectation (index.ts Expectation, the kinds with expected calls). */
export type CompiledFrom = { kind: 'bfcl'; possibleAnswers: PossibleAnswer[]; tools: ToolDef[]; language?: BfclLanguage } | { kind: 'reference'; calls: ToolCall[]; tools: ToolDef[] };

/**
 * Compiled expected calls, cached by the answer (or reference-call) array and the tool list: the
 * CLI and the search build a fresh Expectation per output from the same sample, and compiling is
 * a good part of a check. Expectations are treated as immutable; an edited sample comes back from
 * its reader with new arrays.
 */
const compiled = new WeakMap<object, { tools: readonly ToolDef[]; language?: BfclLanguage; expected: Expected[] }>();

export function compileExpected(exp: CompiledFrom): Expected[] {
  const key = exp.kind === 'bfcl' ? exp.possibleAnswers : exp.calls;
  const hit = compiled.get(key);
  const language = exp.kind === 'bfcl' ? exp.language : undefined;
  if (hit && hit.tools === exp.tools && hit.language === language) return hit.expected;
  const expected = exp.kind === 'bfcl' ? exp.possibleAnswers.map((e) => new BfclExpected(e, exp.tools, exp.language)) : exp.calls.map((c) => referenceExpected(c, exp.tools));
  compiled.set(key, { tools: exp.tools, language, expected });
  return expected;
}

// Reference mode (datasets other than BFCL): a value against the reference call's value, with the
// parameter's JSON-schema type when known.
import { deepEq, OK, show, type ValueVerdict } from './pyValues';

type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

const SCHEMA_KINDS: Record<string, Kind | 'any'> = {
  string: 'string',
  str: 'string',
  integer: 'integer',
  int: 'integer',
  number: 'number',
  float: 'number',
  double: 'number',
  boolean: 'boolean',
  bool: 'boolean',
  array: 'array',
  list: 'array',
  tuple: 'array',
  set: 'array',
  object: 'object',
  dict: 'object',
  mapping: 'object',
  null: 'null',
  none: 'null',
  any: 'any',
};

function kindOf(v: unknown): Kind {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (v === null || v === undefined) return 'null';
  return Array.isArray(v) ? 'array' : 'object';
}

function fits(v: unknown, k: Kind | 'any'): boolean {
  if (k === 'any') return true;
  if (k === 'integer') return typeof v === 'number' && Number.isInteger(v);
  return kindOf(v) === k;
}

/** The kinds a JSON-schema `type` allows (a name or a list of names); undefined when it names none we know. */
function schemaKinds(type: unknown): (Kind | 'any')[] | undefined {
  const names = Array.isArray(type) ? type : [type];
  const kinds = names.flatMap((n) => (typeof n === 'string' && SCHEMA_KINDS[n.toLowerCase()] ? [SCHEMA_KINDS[n.toLowerCase()]] : []));
  return kinds.length ? kinds : undefined;
}

const sameTrimmed = (a: string, b: string): boolean => a.trim() === b.trim();

/** Reference-mode equality: numbers by value (1 == 1.0), strings trimmed, arrays and objects deeply. */
export const refEq = (a: unknown, b: unknown): boolean => deepEq(a, b, sameTrimmed);

/**
 * A value against the reference value, with the parameter's schema type when known. A value is of
 * the wrong type only when it fits neither the schema type nor the reference value's own type
 * (datasets often declare "integer" and answer "5").
 */
export function refValue(value: unknown, ref: unknown, schemaType: unknown): ValueVerdict {
  const kinds = schemaKinds(schemaType);
  if (!(kinds?.some((k) => fits(value, k)) ?? false) && !fits(value, kindOf(ref))) {
    const want = kinds ? kinds.join(' or ') : kindOf(ref);
    return { ok: false, kind: 'wrong_type', detail: `expected ${want}, got ${kindOf(value)} ${show(value)}` };
  }
  return refEq(value, ref) ? OK : { ok: false, kind: 'wrong_value' };
}

/** A value of a parameter that has no reference value: only its type is checked (against the schema). */
export function schemaTypeOk(value: unknown, schemaType: unknown): ValueVerdict {
  const kinds = schemaKinds(schemaType);
  if (!kinds || kinds.some((k) => fits(value, k))) return OK;
  return { ok: false, kind: 'wrong_type', detail: `expected ${kinds.join(' or ')}, got ${kindOf(value)} ${show(value)}` };
}

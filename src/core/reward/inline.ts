// A sample given in the request itself, for trainers whose prompts are not in a dataset file:
//   {"completion", "tools": [...], "possible_answers": [{fn: {param: [accepted…]}}], "category"?, "language"?}
//       judged by BFCL's rules (possible_answers as in BFCL's possible_answer files);
//   {"completion", "tools": [...], "reference": [{"name", "arguments"}]}
//       judged against reference calls (the rules every other dataset is checked by);
//   {"completion", "accepted_answers": ["..."]}
//       a final text answer holding one of them (BFCL's memory / web_search rule);
//   {"completion", "tools": [...]}
//       no call expected.
// The expectation built is the one expectationFor (check/index.ts) builds for the same sample.
import type { PossibleAnswer, ToolCall, ToolDef } from '../dataset/sample';
import { BFCL_CATEGORIES, type BfclCategory, type Expectation } from '../toolcall/check/index';
import type { BfclLanguage } from '../toolcall/check/values';

/** Fields that make an item inline (with any of them, `id` is not looked up). */
export const INLINE_FIELDS = ['tools', 'possible_answers', 'reference', 'accepted_answers'] as const;

export class ItemError extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const LANGUAGES: readonly BfclLanguage[] = ['python', 'java', 'javascript'];

function tools(v: unknown): ToolDef[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ItemError('"tools" must be a list of function definitions');
  return v.map((t, k) => {
    // OpenAI's wrapping ({"type": "function", "function": {...}}) is read as what it wraps.
    const def = isObj(t) && t.type === 'function' && isObj(t.function) ? t.function : t;
    if (!isObj(def) || typeof def.name !== 'string' || !def.name) throw new ItemError(`"tools"[${k}] must be an object with a "name"`);
    if (def.parameters !== undefined && !isObj(def.parameters)) throw new ItemError(`"tools"[${k}].parameters must be an object (a JSON schema)`);
    return { name: def.name, ...(typeof def.description === 'string' && { description: def.description }), ...(isObj(def.parameters) && { parameters: def.parameters }) };
  });
}

function possibleAnswers(v: unknown): PossibleAnswer[] {
  if (!Array.isArray(v)) throw new ItemError('"possible_answers" must be a list of {"function": {"param": [accepted values]}}');
  return v.map((e, k) => {
    const keys = isObj(e) ? Object.keys(e) : [];
    if (!isObj(e) || keys.length !== 1 || !isObj(e[keys[0]])) throw new ItemError(`"possible_answers"[${k}] must be one {"function": {"param": [accepted values]}}`);
    for (const [p, acc] of Object.entries(e[keys[0]] as Record<string, unknown>)) {
      if (!Array.isArray(acc)) throw new ItemError(`"possible_answers"[${k}].${keys[0]}.${p} must be the list of accepted values`);
    }
    return e as PossibleAnswer;
  });
}

function reference(v: unknown): ToolCall[] {
  if (!Array.isArray(v)) throw new ItemError('"reference" must be a list of {"name", "arguments"} calls');
  return v.map((c, k) => {
    if (!isObj(c) || typeof c.name !== 'string' || !c.name) throw new ItemError(`"reference"[${k}] must be an object with a "name"`);
    const args = c.arguments === undefined ? {} : c.arguments;
    if (!isObj(args)) throw new ItemError(`"reference"[${k}].arguments must be an object`);
    return { name: c.name, arguments: args };
  });
}

/** Whether an item carries its sample (else it names one by `id`). */
export const isInline = (item: Record<string, unknown>): boolean => INLINE_FIELDS.some((f) => item[f] !== undefined);

/** The expectation of an inline item. Throws ItemError naming the field that is wrong. */
export function inlineExpectation(item: Record<string, unknown>): Expectation {
  const given = INLINE_FIELDS.filter((f) => f !== 'tools' && item[f] !== undefined);
  if (given.length > 1) throw new ItemError(`give one of "possible_answers", "reference" and "accepted_answers", not ${given.map((g) => `"${g}"`).join(' and ')}`);
  const defs = tools(item.tools);
  let category: BfclCategory | undefined;
  if (item.category !== undefined) {
    category = BFCL_CATEGORIES.find((c) => c === item.category);
    if (!category) throw new ItemError(`"category" must be a BFCL category (${BFCL_CATEGORIES.join(', ')}), not ${JSON.stringify(item.category)}`);
  }
  let language: BfclLanguage | undefined;
  if (item.language !== undefined) {
    language = LANGUAGES.find((l) => l === item.language);
    if (!language) throw new ItemError(`"language" must be ${LANGUAGES.join(', ')}, not ${JSON.stringify(item.language)}`);
  }
  if (item.accepted_answers !== undefined) {
    const acc = item.accepted_answers;
    if (!Array.isArray(acc) || !acc.every((a) => typeof a === 'string')) throw new ItemError('"accepted_answers" must be a list of strings');
    return { kind: 'agentic', acceptedTexts: acc, tools: defs };
  }
  const irrelevance = category === 'irrelevance' || category === 'live_irrelevance';
  if (item.possible_answers !== undefined) {
    const gt = possibleAnswers(item.possible_answers);
    if (gt.length === 0 || irrelevance) return { kind: 'no_call', tools: defs };
    const ordered = category?.startsWith('multi_turn_') ?? false;
    return { kind: 'bfcl', category: category ?? (gt.length > 1 ? 'parallel_multiple' : 'multiple'), possibleAnswers: gt, tools: defs, ...(language && language !== 'python' && { language }), ...(ordered && { ordered }) };
  }
  if (item.reference !== undefined) {
    const calls = reference(item.reference);
    return calls.length && !irrelevance ? { kind: 'reference', calls, tools: defs } : { kind: 'no_call', tools: defs };
  }
  return { kind: 'no_call', tools: defs };
}

// What a sample says, apart from how its format writes it: the yardstick conversion is measured
// with (convertLoss.ts). Two samples of different formats say the same when their normal forms are
// equal: the same stated id, system prompt (without the tool list a format embeds in it), turns
// (text, decoded calls and their ids, tool-result payloads, reasoning), tool schemas, ground truth
// and the record's fields that its format does not read. What a format writes differently but
// reads back the same (call syntax, `dict` for `object`, `<tool_response>` tags) is not in it.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { FormatId, Sample, ToolDef, Turn } from './sample';
import { callProse, isObj, resultPayload } from './formats/common';
import { systemPrompt } from './formats/embedded';

export interface NormalCall {
  name: string;
  arguments: Record<string, unknown>;
  id?: string;
}

export interface NormalTurn {
  role: 'user' | 'assistant' | 'tool_result';
  /** Text of the turn; for a call turn, the prose beside the calls ('' when there is none). */
  text: string;
  calls?: NormalCall[];
  reasoning?: string;
  /** An assistant turn the source's trainer skips (loss_weight / weight 0). */
  untrained?: true;
  toolCallId?: string;
  name?: string;
}

export interface NormalForm {
  /** The id the record states (undefined when it has none, or its id is its 1-based position). */
  id?: string;
  system: string;
  turns: NormalTurn[];
  /** Index in `turns` of the reference answer, -1 when there is none. */
  answer: number;
  tools: ToolDef[];
  /** Whether the record states its tool list (even an empty one); undefined where the format cannot say. */
  toolsGiven?: boolean;
  possibleAnswers?: unknown;
  possibleAnswersByTurn?: unknown;
  acceptedTexts?: unknown;
  toolsByTurn?: unknown;
  /** Top-level fields of the record that its format does not read (kept only by a same-format write). */
  extraFields: string[];
}

/** Top-level fields each format's reader takes its sample from; `id` is read by every format. */
export const READ_FIELDS: Record<FormatId, readonly string[]> = {
  toolace: ['id', 'system', 'conversations'],
  llamafactory: ['id', 'conversations', 'system', 'tools'],
  llamafactory_v1: ['id', 'messages', 'tools'],
  xlam: ['id', 'query', 'tools', 'answers'],
  bfcl: ['id', 'question', 'function'],
  openai: ['id', 'messages', 'tools'],
  hermes: ['id', 'conversations'],
  glaive: ['id', 'system', 'chat'],
};

/** The side field conversion adds (sideField.ts): never an extra field of the record itself. */
export const SIDE_FIELD = 'itool_source';

/** Where a format says "tools: none" apart from having no tool list at all. */
function toolsGiven(format: FormatId, record: unknown): boolean | undefined {
  if (!isObj(record)) return undefined;
  if (format === 'llamafactory' || format === 'llamafactory_v1') return record.tools !== undefined && record.tools !== '';
  if (format === 'openai') return Array.isArray(record.tools);
  if (format === 'xlam' || format === 'bfcl') return true; // their tool field is required
  return undefined; // the list lives in prompt prose
}

// Only the spellings a target rewrites one into the other are one type: BFCL/ToolACE write JSON
// schema's object and number as dict and float. `tuple` → `array`, `str` → `string` are changes.
const SAME_TYPE: Record<string, string> = { dict: 'object', float: 'number' };

function canonSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonSchema);
  if (!isObj(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'type' && typeof x === 'string' && Object.hasOwn(SAME_TYPE, x)) out[k] = SAME_TYPE[x];
    else if (k === 'required' && Array.isArray(x) && x.length === 0) continue; // no list = none required
    else out[k] = canonSchema(x);
  }
  return out;
}

const canonTools = (tools: readonly ToolDef[]): ToolDef[] =>
  tools.map((t) => {
    const d: ToolDef = { name: t.name };
    if (t.description !== undefined) d.description = t.description;
    if (t.parameters !== undefined) d.parameters = canonSchema(t.parameters) as Record<string, unknown>;
    return d;
  });

/**
 * Whether the sample's call ids are the ones a conversion writes for a source without any (OpenAI
 * requires them): `call_1`, `call_2`, ... in order. Those are not data, and are left out.
 */
function generatedIds(sample: Sample): boolean {
  const ids = sample.turns.flatMap((t) => t.calls?.map((c) => c.id) ?? []);
  return ids.length > 0 && ids.every((id, k) => id === `call_${k + 1}`);
}

function normalTurn(sample: Sample, t: Turn, keepIds: boolean): NormalTurn {
  const role = t.role as NormalTurn['role'];
  const out: NormalTurn = { role, text: t.calls ? callProse(sample, t) : t.role === 'tool_result' ? resultPayload(sample, t) : t.content };
  if (t.calls) out.calls = t.calls.map((c) => (c.id === undefined || !keepIds ? { name: c.name, arguments: c.arguments } : { name: c.name, arguments: c.arguments, id: c.id }));
  if (t.reasoning !== undefined && t.reasoning !== '') out.reasoning = t.reasoning;
  if (t.trained === false) out.untrained = true;
  if (t.toolCallId !== undefined && (keepIds || !/^call_\d+$/.test(t.toolCallId))) out.toolCallId = t.toolCallId;
  // Hermes takes a result's name from its payload, which the text already holds.
  if (t.name !== undefined && sample.format !== 'hermes') out.name = t.name;
  return out;
}

/** The normal form of `sample`, read from `record` (its own format's record). */
export function normalForm(sample: Sample, record: unknown): NormalForm {
  const turns: NormalTurn[] = [];
  let answer = -1;
  const keepIds = !generatedIds(sample);
  sample.turns.forEach((t, i) => {
    if (t.role === 'system') return;
    if (i === sample.referenceIndex) answer = turns.length;
    turns.push(normalTurn(sample, t, keepIds));
  });
  const rec = isObj(record) ? record : {};
  // An id that is the record's position (what a format without ids is given, 1-based) says nothing.
  const raw = typeof rec.id === 'string' || typeof rec.id === 'number' ? String(rec.id) : undefined;
  const stated = raw === String(sample.index + 1) ? undefined : raw;
  const nf: NormalForm = {
    system: systemPrompt(sample),
    turns,
    answer,
    tools: canonTools(sample.tools),
    extraFields: Object.keys(rec).filter((k) => k !== SIDE_FIELD && !READ_FIELDS[sample.format].includes(k)),
  };
  if (stated !== undefined) nf.id = stated;
  const given = toolsGiven(sample.format, record);
  if (given !== undefined) nf.toolsGiven = given;
  if (sample.possibleAnswers) nf.possibleAnswers = sample.possibleAnswers;
  if (sample.possibleAnswersByTurn) nf.possibleAnswersByTurn = sample.possibleAnswersByTurn;
  if (sample.acceptedTexts) nf.acceptedTexts = sample.acceptedTexts;
  if (sample.toolsByTurn) nf.toolsByTurn = sample.toolsByTurn;
  return nf;
}

export const sameNormal = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);

/** JSON text with object keys sorted: equal normal forms give equal text. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A short digest of what a record says (its normal form without its extra fields). */
export function normalDigest(nf: NormalForm): string {
  const { extraFields: _extra, ...said } = nf;
  return createHash('sha256').update(canonicalJson(said)).digest('hex').slice(0, 16);
}

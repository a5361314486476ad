// What a pair side says, and whether it is a complete set of tool calls. A side's response is the
// shared prefix plus the side's continuation, exactly as the policy produced it, less the
// end-of-turn marker a backend may leave (every trainer's template appends its own: keeping it
// would train the marker twice).
import type { ToolCall } from '../../dataset/sample';
import type { ExportPair } from './types';
import { cleanResponse } from '../../model/response';
import type { PreferencePair } from '../../search/types';
import { parseCalls } from '../../toolcall/parse/index';

export type Side = 'chosen' | 'rejected';

export const sideResponse = (pair: PreferencePair, side: Side): string => cleanResponse(pair.prefix + pair[side].text);

const WRAPPER_TAGS = /<\/?tool_call>|<functioncall>/g;

/**
 * The calls of `text` when the whole of it is calls; undefined for prose, for a partial or
 * invalid call (a rejected side that breaks off mid-call must stay text: that break IS its error),
 * and for calls wrapped in prose, whose prose a structured message could not carry.
 */
export function completeCalls(text: string): ToolCall[] | undefined {
  const r = parseCalls(text);
  if (!r.ok || r.syntax === 'text' || r.calls.length === 0) return undefined;
  if (r.syntax === 'hermes' || r.syntax === 'glaive') {
    // Those parsers accept prose around the tagged calls: what lies outside the calls must be
    // nothing but the tags themselves.
    let rest = '';
    let at = 0;
    for (const c of r.calls) {
      rest += text.slice(at, c.span.start);
      at = c.span.end;
    }
    rest += text.slice(at);
    if (rest.replace(WRAPPER_TAGS, '').trim() !== '') return undefined;
  }
  return r.calls.map((c) => ({ name: c.name, arguments: c.arguments }));
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isLfCall = (v: unknown): boolean => isObj(v) && typeof v.name === 'string' && isObj(v.arguments);

/**
 * Whether LLaMA-Factory can take `text` as a function_call value: its function formatter
 * json.loads the value and reads `name` and `arguments` of the object, or of each object in a
 * list. Anything else (python calls, Hermes tags, a fence) would crash or mis-render there.
 */
export function isLlamaFactoryCall(text: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return false;
  }
  return Array.isArray(v) ? v.length > 0 && v.every(isLfCall) : isLfCall(v);
}

/** Why a pair cannot train anything, whatever the target; undefined when it can. */
export function pairProblem({ pair, sample }: ExportPair): string | undefined {
  if (pair.sampleId !== sample.id) return `the pair is for sample ${pair.sampleId} but sample ${sample.id} was given`;
  const chosen = sideResponse(pair, 'chosen');
  const rejected = sideResponse(pair, 'rejected');
  if (chosen === '' || rejected === '') return `the ${chosen === '' ? 'chosen' : 'rejected'} response is empty`;
  if (chosen === rejected) return 'the chosen and rejected responses are identical';
  return undefined;
}

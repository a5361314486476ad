// The side field: where a converted record keeps what its own fields cannot hold, so that
// converting back gives the source record again. Decided per target format:
//
// - ToolACE, LLaMA-Factory (sharegpt and messages), xLAM, BFCL, Hermes, Glaive: yes. Their records
//   are plain JSON read by key, and their readers ignore keys they do not know: LLaMA-Factory takes
//   only the columns its dataset_info maps, BFCL reads `id`, `question`, `function`, xLAM's loaders
//   read `query`, `tools`, `answers`. The field is one JSON *string*, not an object: a Hugging Face
//   datasets loader infers one Arrow schema for a column across all records, and a string column
//   never conflicts (LLaMA-Factory and xLAM keep `tools` as JSON text for the same reason).
// - OpenAI chat fine-tuning: no. Its files are validated against a closed schema (messages, tools,
//   parallel_tool_calls, functions): a training file with another key is refused ("Example N
//   contains an extra ..."). What OpenAI cannot hold is reported as lost instead.
//
// The field holds the source record's exact text (and, from BFCL, its possible_answer line), the
// source format, and a digest of what the converted record says (normalForm.ts). Converting the
// record to any other format starts from the source record again, but only while the record still
// says what it said when written: a record edited since is converted from what it says now, and the
// report says its side field was not used. It is written only for records that lose something:
// a record the target holds whole gets none. Record ids go in the record's own `id` field, which
// every format's reader takes (xLAM and BFCL have one; the others read it when present).
import type { FormatId } from './sample';
import { SIDE_FIELD } from './normalForm';

export { SIDE_FIELD };

/** Whether a format's records may carry the side field (and a record-level `id`): see above. */
export const SIDE_FIELD_OK: Record<FormatId, boolean> = {
  toolace: true,
  llamafactory: true,
  llamafactory_v1: true,
  xlam: true,
  bfcl: true,
  openai: false,
  hermes: true,
  glaive: true,
};

export interface SideSource {
  /** The source record's format. */
  format: FormatId;
  /** The source record, exactly as it was written. */
  record: string;
  /** BFCL sources: the record's possible_answer line, exactly as it was written. */
  answers?: string;
  /** Digest of the converted record's normal form when it was written (normalDigest). */
  said: string;
}

export const encodeSide = (s: SideSource): string =>
  JSON.stringify({ v: 1, format: s.format, record: s.record, ...(s.answers !== undefined ? { answers: s.answers } : {}), said: s.said });

/** The side field of a parsed record, when it has a well-formed one. */
export function decodeSide(record: unknown, formats: readonly FormatId[]): SideSource | undefined {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const raw = (record as Record<string, unknown>)[SIDE_FIELD];
  if (typeof raw !== 'string') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (o.v !== 1 || typeof o.record !== 'string' || typeof o.said !== 'string' || typeof o.format !== 'string') return undefined;
  if (!formats.includes(o.format as FormatId)) return undefined;
  if (o.answers !== undefined && typeof o.answers !== 'string') return undefined;
  return { format: o.format as FormatId, record: o.record, answers: o.answers as string | undefined, said: o.said };
}

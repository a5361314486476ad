// One record converted to another format, in memory: what `itool convert` does to each record,
// and what the round-trip tests drive directly. The written record is read back and compared
// with its source (convertLoss.ts), so what it loses is measured, never guessed; a target that
// tolerates it keeps the source record in its side field (sideField.ts) when anything is lost.
import { isDeepStrictEqual } from 'node:util';
import { FORMATS } from './formats/index';
import { attachPossibleAnswers, bfclAnswerOf } from './formats/bfcl';
import { isObj, type Obj } from './formats/common';
import { COMPACT_STYLE, serializeRecord, writeRecordText, type JsonStyle } from './jsonStyle';
import { copyNumberForms, parseJsonKeepingNumbers } from './numberForm';
import { normalDigest, normalForm, type NormalForm } from './normalForm';
import { lossesBetween, type Loss } from './convertLoss';
import { decodeSide, encodeSide, SIDE_FIELD, SIDE_FIELD_OK } from './sideField';
import { FORMAT_IDS, type FormatId, type PossibleAnswer, type Sample } from './sample';

/** A record to convert: its text, its parsed value (numbers keep their spelling) and its sample. */
export interface SourceRecord {
  format: FormatId;
  /** 0-based position in its file. */
  index: number;
  text: string;
  value: unknown;
  /** Its sample; a BFCL record's with its ground truth attached. */
  sample: Sample;
  /** BFCL: the record's possible_answer line, exactly as read. */
  answersText?: string;
}

export interface ConvertedRecord {
  /** The record in the target format. */
  text: string;
  /** BFCL target: the record's possible_answer line (no line break), when it has ground truth. */
  answers?: string;
  /** The id the record is reported under. */
  id: string;
  /** What the target's own fields do not hold (empty when it holds everything). */
  losses: Loss[];
  /** Whether the side field keeps the source record (then `losses` come back on converting back). */
  inSideField: boolean;
  /** The source had a side field that no longer matched it: it was converted from what it says. */
  stale: boolean;
}

/** A possible_answer line: one line whatever the question file's indentation (BFCL reads it as JSON Lines). */
const answersLine = (id: unknown, gt: unknown[], style: JsonStyle): string =>
  writeRecordText({ id, ground_truth: gt }, undefined, undefined, { itemSep: style.itemSep, keySep: style.keySep, ensureAscii: style.ensureAscii });

/** Ground truth of a possible_answer line, or undefined when the line is not one. */
export function groundTruthOf(text: string | undefined): unknown[] | undefined {
  if (text === undefined) return undefined;
  try {
    const v = parseJsonKeepingNumbers(text);
    return isObj(v) && Array.isArray(v.ground_truth) ? v.ground_truth : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a record of `format` (a BFCL one with its ground truth); undefined when it does not read. */
function readRecord(format: FormatId, value: unknown, index: number, gt: unknown[] | undefined): Sample | undefined {
  try {
    const s = FORMATS[format].read(value, index);
    return gt && format === 'bfcl' ? attachPossibleAnswers(s, gt) : s;
  } catch {
    return undefined;
  }
}

/**
 * The record the conversion starts from: the source record its side field holds, while the record
 * still says what it said when that was written; else the record itself.
 */
function origin(src: SourceRecord, to: FormatId): { from: SourceRecord; stale: boolean } {
  const side = to === src.format ? undefined : decodeSide(src.value, FORMAT_IDS);
  if (!side || side.format === src.format) return { from: src, stale: false };
  if (normalDigest(normalForm(src.sample, src.value)) !== side.said) return { from: withoutSide(src), stale: true };
  let value: unknown;
  try {
    value = parseJsonKeepingNumbers(side.record);
  } catch {
    return { from: withoutSide(src), stale: true };
  }
  // Back to its own format the source record is written as it was, without reading it.
  const sample = side.format === to ? src.sample : readRecord(side.format, value, src.index, groundTruthOf(side.answers));
  if (!sample) return { from: withoutSide(src), stale: true };
  return { from: { format: side.format, index: src.index, text: side.record, value, sample, answersText: side.answers }, stale: false };
}

/** A record whose side field is not used: without it, so that it is not nested into the next one. */
function withoutSide(src: SourceRecord): SourceRecord {
  if (!isObj(src.value) || !(SIDE_FIELD in src.value)) return src;
  const value = withKeys(src.value, { [SIDE_FIELD]: undefined });
  return { ...src, value, text: serializeRecord(value, COMPACT_STYLE) };
}

/** A copy of `rec` with `keys` set (first when `first`), undefined ones removed; number spellings kept. */
function withKeys(rec: Obj, keys: Obj, first = false): Obj {
  const out: Obj = first ? { ...keys, ...rec, ...keys } : { ...rec, ...keys };
  for (const [k, v] of Object.entries(keys)) if (v === undefined) delete out[k];
  copyNumberForms(rec, out);
  return out;
}

/** Fixes the target's record where its writer cannot know the source's record: id, empty tool list. */
function carryRecordFields(rec: Obj, to: FormatId, from: SourceRecord, nf: NormalForm): Obj {
  let out = rec;
  // Every reader takes a record-level `id`; where the target tolerates one, the source's is kept.
  if (nf.id !== undefined && out.id === undefined && SIDE_FIELD_OK[to] && isObj(from.value)) out = withKeys(out, { id: from.value.id }, true);
  if (nf.toolsGiven !== undefined && from.sample.tools.length === 0) {
    const empty = to === 'openai' ? [] : to === 'llamafactory' || to === 'llamafactory_v1' ? '[]' : undefined;
    if (empty !== undefined) {
      if (nf.toolsGiven && out.tools === undefined) out.tools = empty;
      else if (!nf.toolsGiven && isDeepStrictEqual(out.tools, empty)) delete out.tools;
    }
  }
  return out;
}

/**
 * Convert one record to format `to`, written in `style`. Throws FormatError when the target's
 * writer refuses the sample, or when the written record does not read back.
 */
export function convertRecord(src: SourceRecord, to: FormatId, style: JsonStyle): ConvertedRecord {
  const { from, stale } = origin(src, to);
  const target = FORMATS[to];
  const id = from.sample.id;
  if (from.format === to) {
    if (from !== src) {
      // Back to the source's own format from its side field: the source record, byte for byte.
      return { text: from.text, answers: from.answersText, id, losses: [], inSideField: false, stale };
    }
    const text = writeRecordText(target.write(from.sample, from.value), from.text, from.value, style);
    let answers: string | undefined;
    if (to === 'bfcl') {
      const gt = bfclAnswerOf(from.sample);
      // The answer line as it was read while it still holds the same ground truth (`2.0` stays).
      const same = gt && from.answersText !== undefined && isDeepStrictEqual(groundTruthOf(from.answersText), gt);
      answers = same ? from.answersText : gt ? answersLine(id, gt, style) : undefined;
    }
    return { text, answers, id, losses: [], inSideField: false, stale };
  }

  const source = normalForm(from.sample, from.value);
  let rec = carryRecordFields(target.write(from.sample) as Obj, to, from, source);
  const gt: unknown[] | undefined = to === 'bfcl' ? bfclAnswerOf(from.sample) : undefined;
  let text = serializeRecord(rec, style);
  // Read back as the target's users will read it: the written text (and BFCL's answer line).
  const back = parseJsonKeepingNumbers(text);
  const read = FORMATS[to].read(back, from.index);
  if (gt) attachPossibleAnswers(read, gt as PossibleAnswer[]);
  const said = normalForm(read, back);
  const losses = lossesBetween(source, said);
  const inSideField = losses.length > 0 && SIDE_FIELD_OK[to];
  if (inSideField) {
    rec = withKeys(rec, { [SIDE_FIELD]: encodeSide({ format: from.format, record: from.text, answers: from.answersText, said: normalDigest(said) }) });
    text = serializeRecord(rec, style);
  }
  const answers = gt ? answersLine(isObj(back) ? back.id : id, gt, style) : undefined;
  return { text, answers, id, losses, inSideField, stale };
}

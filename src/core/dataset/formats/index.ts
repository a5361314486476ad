// The format registry and format detection over a few parsed records.
import type { DatasetFormat, FormatId } from '../sample';
import { bfcl } from './bfcl';
import { glaive } from './glaive';
import { hermes } from './hermes';
import { llamafactory } from './llamafactory';
import { llamafactoryMessages } from './llamafactoryMessages';
import { openai } from './openai';
import { toolace } from './toolace';
import { xlam } from './xlam';

export const FORMATS: Record<FormatId, DatasetFormat> = { toolace, llamafactory, llamafactory_v1: llamafactoryMessages, xlam, bfcl, openai, hermes, glaive };

/** How many records detection looks at: enough to outvote a few odd ones, cheap on huge files. */
export const DETECT_SAMPLE = 20;

/** Each format's sniff summed over the first records (up to DETECT_SAMPLE), best first, only those that score. */
export function rankFormats(records: readonly unknown[]): { format: FormatId; total: number; confidence: number }[] {
  const probe = records.slice(0, DETECT_SAMPLE);
  const out: { format: FormatId; total: number; confidence: number }[] = [];
  for (const f of Object.values(FORMATS)) {
    let total = 0;
    for (const r of probe) total += sniffOf(f, r);
    if (total > 0) out.push({ format: f.id, total, confidence: total / probe.length });
  }
  // Stable: equal totals keep FORMATS order, as detection always did.
  return out.sort((a, b) => b.total - a.total);
}

function sniffOf(f: DatasetFormat, r: unknown): number {
  try {
    return f.sniff(r);
  } catch {
    return 0; // a sniff must not throw, but one odd record should not stop detection
  }
}

/**
 * The format whose sniff scores highest summed over the first records (up to DETECT_SAMPLE);
 * `confidence` is that format's mean score. Undefined when no format scores at all.
 */
export function detectFormat(records: readonly unknown[]): { format: FormatId; confidence: number } | undefined {
  const best = rankFormats(records)[0];
  return best && { format: best.format, confidence: best.confidence };
}

// ---- records no format reads ------------------------------------------------------------------

/**
 * The top-level fields of each format's family, to name the format closest to records that no
 * format reads: a record sharing a field name with a format is nearer to it than to one sharing
 * none. LLaMA-Factory's list holds its alpaca fields and its ranking fields too (a user with those
 * files uses LLaMA-Factory, and its sharegpt form is what to convert them to); the messages
 * format's holds its DPO fields.
 */
const FAMILY_FIELDS: Record<FormatId, readonly string[]> = {
  toolace: ['system', 'conversations'],
  llamafactory: ['conversations', 'system', 'tools', 'chosen', 'rejected', 'instruction', 'input', 'output', 'history', 'images', 'videos', 'audios'],
  llamafactory_v1: ['messages', 'tools', 'extra_info', '_dataset_name', 'chosen_messages', 'rejected_messages'],
  xlam: ['id', 'query', 'tools', 'answers'],
  bfcl: ['id', 'question', 'function', 'ground_truth', 'involved_classes', 'initial_config'],
  openai: ['messages', 'tools', 'parallel_tool_calls'],
  hermes: ['conversations'],
  glaive: ['system', 'chat'],
};

/** When formats tie on fields and sniff, the more widely used comes first. */
const CLOSEST_ORDER: readonly FormatId[] = ['openai', 'llamafactory', 'llamafactory_v1', 'hermes', 'toolace', 'xlam', 'glaive', 'bfcl'];

const fieldsOf = (r: unknown): string[] => (r !== null && typeof r === 'object' && !Array.isArray(r) ? Object.keys(r) : []);

/**
 * The format nearest to records that no format reads: the most field names in common, then the
 * highest sniff, then the more widely used (CLOSEST_ORDER).
 */
export function closestFormat(records: readonly unknown[]): FormatId {
  const probe = records.slice(0, DETECT_SAMPLE);
  const score = (id: FormatId) => {
    const fields = new Set(FAMILY_FIELDS[id]);
    let shared = 0;
    let sniffed = 0;
    for (const r of probe) {
      shared += fieldsOf(r).filter((k) => fields.has(k)).length;
      sniffed += sniffOf(FORMATS[id], r);
    }
    return [shared, sniffed];
  };
  let best: FormatId = CLOSEST_ORDER[0];
  let bestScore = score(best);
  for (const id of CLOSEST_ORDER.slice(1)) {
    const sc = score(id);
    if (sc[0] > bestScore[0] || (sc[0] === bestScore[0] && sc[1] > bestScore[1])) [best, bestScore] = [id, sc];
  }
  return best;
}

/**
 * Why these records are preference pairs rather than a dataset to read, or undefined: most of
 * them hold a chosen and a rejected side (LLaMA-Factory ranking and DPO data, TRL). A sharegpt
 * reader would otherwise read their shared conversation and drop both sides without a word.
 */
export function preferencePairs(records: readonly unknown[]): string | undefined {
  const probe = records.slice(0, DETECT_SAMPLE);
  const sides = (r: unknown): string | undefined => {
    const f = new Set(fieldsOf(r));
    if (f.has('chosen_messages') && f.has('rejected_messages')) return '"chosen_messages"/"rejected_messages"';
    return f.has('chosen') && f.has('rejected') ? '"chosen"/"rejected"' : undefined;
  };
  const found = probe.map(sides).filter((s) => s !== undefined);
  if (found.length === 0 || found.length * 2 <= probe.length) return undefined;
  return `the records are preference pairs (${found[0]}), which iTool writes for training but does not read as a dataset; open the conversations they were made from`;
}

/** What the first record holds at its top, for a message about records no format reads. */
export function firstFields(records: readonly unknown[]): string {
  const r = records[0];
  if (r === null || typeof r !== 'object') return `the first is ${r === null ? 'null' : `a ${typeof r}`}, not an object`;
  if (Array.isArray(r)) return 'the first is an array, not an object';
  const f = Object.keys(r);
  const shown = f.slice(0, 8).map((k) => JSON.stringify(k)).join(', ');
  return f.length === 0 ? 'the first with no fields' : `the first with the fields ${shown}${f.length > 8 ? `, … (${f.length} in all)` : ''}`;
}

export { attachPossibleAnswers, bfclGroundTruth, callsFromGroundTruth } from './bfcl';

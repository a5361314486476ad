// The format registry and format detection over a few parsed records.
import type { DatasetFormat, FormatId } from '../sample';
import { bfcl } from './bfcl';
import { glaive } from './glaive';
import { hermes } from './hermes';
import { llamafactory } from './llamafactory';
import { openai } from './openai';
import { toolace } from './toolace';
import { xlam } from './xlam';

export const FORMATS: Record<FormatId, DatasetFormat> = { toolace, llamafactory, xlam, bfcl, openai, hermes, glaive };

/** How many records detection looks at: enough to outvote a few odd ones, cheap on huge files. */
export const DETECT_SAMPLE = 20;

/**
 * The format whose sniff scores highest summed over the first records (up to DETECT_SAMPLE);
 * `confidence` is that format's mean score. Undefined when no format scores at all.
 */
export function detectFormat(records: readonly unknown[]): { format: FormatId; confidence: number } | undefined {
  const probe = records.slice(0, DETECT_SAMPLE);
  if (probe.length === 0) return undefined;
  let best: { format: FormatId; total: number } | undefined;
  for (const f of Object.values(FORMATS)) {
    let total = 0;
    for (const r of probe) {
      try {
        total += f.sniff(r);
      } catch {
        /* a sniff must not throw, but one odd record should not stop detection */
      }
    }
    if (total > 0 && (!best || total > best.total)) best = { format: f.id, total };
  }
  return best && { format: best.format, confidence: best.total / probe.length };
}

export { attachPossibleAnswers, bfclGroundTruth, callsFromGroundTruth } from './bfcl';

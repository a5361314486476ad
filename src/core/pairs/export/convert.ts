// Per-record conversion shared by the targets: one record that cannot be expressed is listed with
// its reason and the export goes on; it never throws.
import type { Sample } from '../../dataset/sample';
import type { ExportPair, SkippedRecord } from './types';

export type Converted<T> = { record: T } | { reason: string };

const errorText = (err: unknown): string => `could not convert: ${err instanceof Error ? err.message : String(err)}`;

/** Records of every item `convert` accepts; the others are listed with the reason. */
export function convertEach<I, T>(items: readonly I[], idOf: (item: I) => string, convert: (item: I) => Converted<T>): { records: T[]; skipped: SkippedRecord[] } {
  const records: T[] = [];
  const skipped: SkippedRecord[] = [];
  for (const item of items) {
    let x: Converted<T>;
    try {
      x = convert(item);
    } catch (err) {
      x = { reason: errorText(err) };
    }
    if ('reason' in x) skipped.push({ sampleId: idOf(item), reason: x.reason });
    else records.push(x.record);
  }
  return { records, skipped };
}

export const pairId = (ep: ExportPair): string => ep.pair.sampleId || ep.sample.id;
export const sampleId = (s: Sample): string => s.id;

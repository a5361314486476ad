// The sample each preference pair was searched on, as an export needs it (moved here from
// `itool export` so the round service and the CLI find samples the same way). A pair names its
// sample by record index and id; the id wins, because a record may hold several answers (each its
// own sample, `ID#k`: dataset/answers.ts) and an edited file may have moved the record.
import type { Dataset } from '../../dataset/dataset';
import type { Sample } from '../../dataset/sample';
import type { PreferencePair } from '../../search/types';
import type { ExportPair, SkippedRecord } from './types';

/**
 * The samples of `pairs`, in their order: by record index, checked against the pair's sample id;
 * by id (one scan of the file, only when needed) when the index is unknown or now holds another
 * sample. A pair whose sample is nowhere is skipped with the reason.
 */
export async function samplesForPairs(ds: Dataset, pairs: readonly PreferencePair[]): Promise<{ found: ExportPair[]; skipped: SkippedRecord[] }> {
  const byIndex = new Map<number, Sample[] | string>();
  let byId: Map<string, Sample> | undefined;
  const at = async (i: number): Promise<Sample[] | string> => {
    if (!byIndex.has(i)) {
      const r = await ds.sample(i);
      // The record's own sample too (its last answer): pairs found before answers were samples name it.
      byIndex.set(i, r.ok ? (r.samples.some((x) => x.id === r.sample.id) ? r.samples : [...r.samples, r.sample]) : r.reason);
    }
    return byIndex.get(i)!;
  };
  const found: ExportPair[] = [];
  const skipped: SkippedRecord[] = [];
  for (const pair of pairs) {
    const i = Number.isInteger(pair.index) ? pair.index : -1;
    const s = i >= 0 && i < ds.count ? await at(i) : undefined;
    const same = typeof s === 'object' ? s.find((x) => x.id === pair.sampleId) : undefined;
    if (same) {
      found.push({ pair, sample: same });
      continue;
    }
    if (!byId) {
      byId = new Map();
      for (let k = 0; k < ds.count; k++) {
        const xs = await at(k);
        if (typeof xs === 'object') for (const x of xs) if (!byId.has(x.id)) byId.set(x.id, x);
      }
    }
    const hit = byId.get(pair.sampleId);
    if (hit) found.push({ pair, sample: hit });
    else skipped.push({ sampleId: pair.sampleId, reason: typeof s === 'string' ? `record ${i + 1} is unreadable: ${s}` : `no sample with this id in ${ds.path}` });
  }
  return { found, skipped };
}

// Project metadata kept beside a dataset (never inside it): `DATASET.itool/<kind>/…`, one file per
// model (and round), each journal stamped with the version of the dataset file it describes, since
// its record indices mean nothing for another version.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readJournal } from '../store/journal';
import type { Dataset } from './dataset';

export function metadataDir(datasetPath: string): string {
  return join(dirname(datasetPath), `${basename(datasetPath)}.itool`);
}

/** `DATASET.itool/<kind>/<short hash of the model identity><suffix>`. */
export function modelMetadataPath(datasetPath: string, kind: string, modelId: string, suffix: string): string {
  const key = createHash('sha256').update(modelId).digest('hex').slice(0, 12);
  return join(metadataDir(datasetPath), kind, `${key}${suffix}`);
}

/** Which version of the dataset file a journal describes. */
export interface DatasetStamp {
  dataset: string;
  datasetSize: number;
  datasetMtimeMs: number;
  records: number;
}

export function datasetStamp(ds: Dataset): DatasetStamp {
  return { dataset: ds.path, datasetSize: ds.index.size, datasetMtimeMs: ds.index.mtimeMs, records: ds.count };
}

export function sameDataset(s: Omit<DatasetStamp, 'dataset'>, ds: Dataset): boolean {
  return s.datasetSize === ds.index.size && s.datasetMtimeMs === ds.index.mtimeMs && s.records === ds.count;
}

/**
 * The most recently written journal in `DATASET.itool/<kind>/` whose header describes this version
 * of the dataset (any model), with all its entries; undefined when there is none.
 */
export function newestJournal<H extends DatasetStamp & { type: 'header' }, E extends { type: string }>(
  ds: Dataset,
  kind: string,
): Promise<{ path: string; header: H; entries: (H | E)[] } | undefined> {
  return newestJournalOf<H, E>(ds.path, kind, (h) => sameDataset(h, ds));
}

/**
 * The most recently written journal in `DATASET.itool/<kind>/` with a header that `accept` takes
 * (default: any), read without opening the dataset.
 */
export async function newestJournalOf<H extends DatasetStamp & { type: 'header' }, E extends { type: string }>(
  datasetPath: string,
  kind: string,
  accept: (header: H) => boolean = () => true,
): Promise<{ path: string; header: H; entries: (H | E)[] } | undefined> {
  const dir = join(metadataDir(datasetPath), kind);
  const files = await readdir(dir).catch(() => [] as string[]);
  const dated = await Promise.all(files.filter((f) => f.endsWith('.jsonl')).map(async (f) => ({ f, t: (await stat(join(dir, f))).mtimeMs })));
  for (const { f } of dated.sort((a, b) => b.t - a.t)) {
    const path = join(dir, f);
    const { entries } = await readJournal<H | E>(path);
    const header = entries.find((e): e is H => e.type === 'header');
    if (header && accept(header)) return { path, header, entries };
  }
  return undefined;
}

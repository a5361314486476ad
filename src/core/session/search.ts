// A dataset session's search results: per sample, the MCTS tree and the preference pairs it
// produced, from the newest exploration journal beside the dataset (or the run just finished).
import type { Dataset } from '../dataset/dataset';
import { newestJournal } from '../dataset/metadata';
import { pairsInRecordOrder, type ExploreEntry, type ExploreHeader } from '../search/explore';
import type { PreferencePair } from '../search/types';
import { sampleKey } from '../dataset/sample';
import type { SampleSearch } from './views';

export class SessionSearch {
  /** What a record's row and detail show: its entry (of its last answer searched). */
  private byIndex = new Map<number, ExploreEntry>();
  /** Every sample's entry: each answer of a record is its own sample with its own pairs. */
  private bySample = new Map<string, ExploreEntry>();
  header: ExploreHeader | undefined;
  /** The exploration journal the results come from. */
  path: string | undefined;

  constructor(private readonly dataset: Dataset) {}

  get loaded(): boolean {
    return this.header !== undefined;
  }

  show(header: ExploreHeader, entries: readonly ExploreEntry[], path?: string): void {
    this.header = header;
    this.path = path;
    this.byIndex = new Map(entries.map((e) => [e.index, e]));
    this.bySample = new Map(entries.map((e) => [sampleKey(e), e]));
  }

  /** The newest exploration journal beside the dataset that matches this version of the file. */
  async loadLatest(): Promise<boolean> {
    const found = await newestJournal<ExploreHeader, ExploreEntry | { type: 'skip' }>(this.dataset, 'explore');
    if (!found) return false;
    this.show(found.header, found.entries.filter((e): e is ExploreEntry => e.type === 'result'), found.path);
    return true;
  }

  forSample(index: number): SampleSearch | undefined {
    const e = this.byIndex.get(index);
    if (!e || !this.header) return undefined;
    return { model: this.header.modelLabel, round: this.header.round, tree: e.tree, pairs: e.pairs };
  }

  /** Pairs per record index, for the list's column. */
  pairCount(index: number): number | undefined {
    return this.byIndex.get(index)?.pairs.length;
  }

  /** Every pair of the exploration shown, in record order (answer order within a record), as trainedPairs reads them. */
  allPairs(): PreferencePair[] {
    return pairsInRecordOrder(this.bySample.values());
  }

  /** Samples explored (each answer of a record counts). */
  get samples(): number {
    return this.bySample.size;
  }

  get pairs(): number {
    let n = 0;
    for (const e of this.bySample.values()) n += e.pairs.length;
    return n;
  }
}

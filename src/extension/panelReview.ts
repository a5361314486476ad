// The review queue of one dataset panel: the search's pairs (newest exploration beside the
// dataset) plus the pairs made by hand from corrected annotations, with the reviewer's decisions
// from the review journal. Every decision is appended (and fsynced) before the reply goes back, so
// the counts the page shows are what is on disk, and `itool review` reads the same journal.
import type { Dataset } from '../core/dataset/dataset';
import { promptTurns, type Sample } from '../core/dataset/sample';
import { recheckChosen } from '../core/pairs/manualPairs';
import { acceptedPairs, bulkDecide, matchesFilter, readReview, reviewCounts, reviewQueue, ReviewJournal, type AnnotationInput, type ReviewItem, type ReviewState } from '../core/pairs/review';
import type { PairVerdict, PreferencePair } from '../core/search/pairs';
import { expectationFor, type Expectation } from '../core/toolcall/check/index';
import type { PairFilter, ReviewCounts, ReviewItemView } from '../../webview/protocol';
import type { PanelCalibration } from './panelCalibration';
import type { PanelSearch } from './panelSearch';

export class PanelReview {
  private items: ReviewItem[] = [];
  private byId = new Map<string, ReviewItem>();
  private journal: ReviewJournal | undefined;
  private readonly samples = new Map<number, Sample>();
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly dataset: Dataset,
    private readonly search: PanelSearch,
    private readonly calibration: PanelCalibration,
  ) {}

  /** Rebuild the queue from the journal and the pairs now shown (after a search or an outside change). */
  invalidate(): void {
    this.loaded = undefined;
  }

  private ensure(): Promise<void> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  private async load(): Promise<void> {
    this.journal ??= await ReviewJournal.open(this.dataset.path);
    const state: ReviewState = await readReview(this.dataset.path);
    const pairs = this.search.allPairs();
    const wanted = new Set<number>([...pairs.map((p) => p.index), ...state.annotations.map((a) => a.index)]);
    for (const i of wanted) {
      if (i < 0 || this.samples.has(i)) continue;
      const r = await this.dataset.sample(i);
      if (r.ok) this.samples.set(i, r.sample);
    }
    this.items = reviewQueue(pairs, state, { samples: this.samples });
    this.byId = new Map(this.items.map((it) => [it.id, it]));
  }

  private tierOf = (index: number) => this.calibration.row(index)?.tier;

  private view(it: ReviewItem): ReviewItemView {
    const s = this.samples.get(it.pair.index);
    const lastUser = s ? [...promptTurns(s)].reverse().find((t) => t.role === 'user') : undefined;
    const v: ReviewItemView = { id: it.id, state: it.state, manual: it.manual, pair: it.pair, question: lastUser?.content ?? '' };
    if (it.state === 'edited') v.originalChosen = it.original.chosen.text;
    const tier = this.tierOf(it.pair.index);
    if (tier) v.tier = tier;
    return v;
  }

  private counts(): ReviewCounts {
    return reviewCounts(this.items);
  }

  private item(id: string): ReviewItem {
    const it = this.byId.get(id);
    if (!it) throw new Error(`no pair ${id} in the review queue (the search results changed?)`);
    return it;
  }

  private expectation(index: number): Expectation {
    const s = this.samples.get(index);
    if (!s) throw new Error(`sample ${index + 1} could not be read, so the edit cannot be checked`);
    return expectationFor(s);
  }

  async list(filter: PairFilter): Promise<{ items: ReviewItemView[]; counts: ReviewCounts; source?: string }> {
    await this.ensure();
    const shown = this.items.filter((it) => matchesFilter(it, filter, this.tierOf));
    const h = this.search.header;
    return { items: shown.map((it) => this.view(it)), counts: this.counts(), source: h ? `${h.modelLabel}, round ${h.round}` : undefined };
  }

  /** Apply one decision and refresh that item from the journal's state. */
  private async reload(id: string): Promise<{ item: ReviewItemView; counts: ReviewCounts }> {
    await this.load();
    this.loaded = Promise.resolve();
    return { item: this.view(this.item(id)), counts: this.counts() };
  }

  async decide(id: string, state: 'accepted' | 'rejected' | 'pending'): Promise<{ item: ReviewItemView; counts: ReviewCounts }> {
    await this.ensure();
    this.item(id);
    await this.journal!.decide(id, state);
    return this.reload(id);
  }

  async edit(id: string, text: string): Promise<{ item: ReviewItemView; counts: ReviewCounts }> {
    await this.ensure();
    this.item(id);
    await this.journal!.edit(id, text);
    return this.reload(id);
  }

  async recheck(id: string, text: string): Promise<PairVerdict> {
    await this.ensure();
    const it = this.item(id);
    return recheckChosen(it.original, text, this.expectation(it.pair.index));
  }

  async bulk(filter: PairFilter, state: 'accepted' | 'rejected'): Promise<{ changed: number; counts: ReviewCounts }> {
    await this.ensure();
    const changed = await bulkDecide(this.journal!, this.items, filter, state, this.tierOf);
    await this.load();
    this.loaded = Promise.resolve();
    return { changed, counts: this.counts() };
  }

  async annotate(a: AnnotationInput): Promise<ReviewCounts> {
    await this.ensure();
    await this.journal!.annotate(a);
    await this.load();
    this.loaded = Promise.resolve();
    return this.counts();
  }

  /** What a round exports: accepted and edited pairs (edits applied), with their samples. */
  async accepted(): Promise<{ pairs: PreferencePair[]; samples: Map<number, Sample>; counts: ReviewCounts; manual: number }> {
    await this.ensure();
    const pairs = acceptedPairs(this.items);
    const manual = this.items.filter((it) => it.manual && (it.state === 'accepted' || it.state === 'edited')).length;
    return { pairs, samples: this.samples, counts: this.counts(), manual };
  }

  sample(index: number): Sample | undefined {
    return this.samples.get(index);
  }

  dispose(): void {
    void this.journal?.close();
  }
}

// A dataset session's review queue: the search's pairs (newest exploration beside the
// dataset) plus the pairs made by hand from corrected annotations, with the reviewer's decisions
// from the review journal. Every decision is appended (and fsynced) before the reply goes back, so
// the counts the page shows are what is on disk, and `itool review` reads the same journal.
import type { Dataset } from '../dataset/dataset';
import { promptTurns, type Sample } from '../dataset/sample';
import { recheckChosen } from '../pairs/manualPairs';
import type { RejectReason } from '../pairs/reasons';
import type { AnnotationInput, ReviewState } from '../pairs/reviewEntries';
import { readReview, ReviewJournal } from '../pairs/reviewJournal';
import { decisionUnchanged, matchesFilter, reviewCounts, reviewQueue, type ReviewItem } from '../pairs/reviewQueue';
import { ReviewSession } from '../pairs/reviewSession';
import type { PairVerdict } from '../search/types';
import { expectationFor, type Expectation } from '../toolcall/check/index';
import type { DecisionName, PairFilter, ReviewCounts, ReviewItemView } from './views';
import type { SessionCalibration } from './calibration';
import type { SessionSearch } from './search';
import { trainedPairs, type TrainedPairs } from '../rounds/trainedPairs';

export class SessionReview {
  private items: ReviewItem[] = [];
  private byId = new Map<string, ReviewItem>();
  private journal: ReviewJournal | undefined;
  /** This session's actions, each undoable (U / Ctrl+Z in the panel), all through the journal. */
  private session: ReviewSession | undefined;
  private readonly samples = new Map<number, Sample>();
  private loaded: Promise<void> | undefined;

  /**
   * `restored`: resolves once the session has read the newest search beside the dataset; the queue
   * is built after it, so a review opened first thing never shows an empty queue for a searched dataset.
   */
  constructor(
    private readonly dataset: Dataset,
    private readonly search: SessionSearch,
    private readonly calibration: SessionCalibration,
    private readonly restored: () => Promise<void> = async () => undefined,
  ) {}

  /** Rebuild the queue from the journal and the pairs now shown (after a search or an outside change). */
  invalidate(): void {
    this.loaded = undefined;
  }

  private ensure(): Promise<void> {
    this.loaded ??= this.restored().then(() => this.load());
    return this.loaded;
  }

  private async load(): Promise<void> {
    this.journal ??= await ReviewJournal.open(this.dataset.path);
    this.session ??= new ReviewSession(this.journal);
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
    if (it.reason !== undefined) v.reason = it.reason;
    if (it.comment !== undefined) v.comment = it.comment;
    if (it.chosenFails !== undefined) v.chosenFails = it.chosenFails;
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

  /** Rebuild the queue from the journal after a write; the counts as they now are. */
  private async reload(): Promise<ReviewCounts> {
    await this.load();
    this.loaded = Promise.resolve();
    return this.counts();
  }

  /**
   * One decision for each of `ids` that it changes (a rejection with its reason and comment), in
   * one write: one undo step. The first id is where the reviewer was (undo goes back to it).
   */
  async decide(ids: string[], state: DecisionName, reason?: RejectReason, comment?: string): Promise<{ items: ReviewItemView[]; counts: ReviewCounts; changed: number }> {
    await this.ensure();
    const note = { ...(reason !== undefined ? { reason } : {}), ...(comment?.trim() ? { comment: comment.trim() } : {}) };
    const its = ids.map((id) => this.item(id));
    const todo = its.filter((it) => !decisionUnchanged(it, state, note)).map((it) => it.id);
    const written = todo.length ? await this.session!.decide(todo, state, note, { select: ids[0] }) : [];
    const counts = await this.reload();
    return { items: ids.map((id) => this.view(this.item(id))), counts, changed: written.length };
  }

  /** Undo this session's last action (journaled as restore / retract entries). */
  async undo(): Promise<{ undone?: string; select?: string; counts: ReviewCounts; left: number }> {
    await this.ensure();
    const step = await this.session!.undo();
    const counts = step ? await this.reload() : this.counts();
    return { undone: step?.label, select: step?.select, counts, left: this.session!.depth };
  }

  async edit(id: string, text: string): Promise<{ item: ReviewItemView; counts: ReviewCounts }> {
    await this.ensure();
    this.item(id);
    await this.session!.edit(id, text);
    const counts = await this.reload();
    return { item: this.view(this.item(id)), counts };
  }

  async recheck(id: string, text: string): Promise<PairVerdict> {
    await this.ensure();
    const it = this.item(id);
    return recheckChosen(it.original, text, this.expectation(it.pair.index));
  }

  /** Decide every pair the filter shows that it changes: one undo step. */
  async bulk(filter: PairFilter, state: 'accepted' | 'rejected' | 'skipped'): Promise<{ changed: number; counts: ReviewCounts }> {
    await this.ensure();
    const ids = this.items.filter((it) => matchesFilter(it, filter, this.tierOf) && !decisionUnchanged(it, state)).map((it) => it.id);
    const written = ids.length ? await this.session!.decide(ids, state, {}, { label: `${state === 'accepted' ? 'accept' : state === 'rejected' ? 'reject' : 'skip'} all shown (${ids.length})` }) : [];
    return { changed: written.length, counts: await this.reload() };
  }

  /** Record a mark (one undo step; undo selects `select`, the pair it was made on). */
  async annotate(a: AnnotationInput, select?: string): Promise<ReviewCounts> {
    await this.ensure();
    await this.session!.annotate(a, select !== undefined ? { select } : {});
    return this.reload();
  }

  /**
   * What a round trains on: the accepted and edited pairs (edits applied) with their samples, and
   * what was left out. Decided by trainedPairs, the one rule `itool export` and `itool round` use.
   */
  async accepted(): Promise<TrainedPairs> {
    await this.ensure();
    return trainedPairs(this.dataset, { items: this.items, samples: this.samples });
  }

  sample(index: number): Sample | undefined {
    return this.samples.get(index);
  }

  dispose(): void {
    void this.journal?.close();
  }
}

// The review of preference pairs (METHOD.md, "Pairs"): what a person decided about each pair the
// search found, the replacements they wrote for chosen sides, and the fragment errors they marked
// by hand, kept in one append-only journal beside the dataset:
//   DATASET.itool/review/review.jsonl
// Pairs of every model and round share it (a pair carries its round; its id is a hash of its
// content). Every call of ReviewJournal appends ONE line (or one batch of lines, in one write) and
// fsyncs it before it resolves, so a decision acknowledged to the user survives a crash; a crash
// can only cut the line being written, which reading reports and skips (src/core/store/journal.ts).
//
// What an entry may hold and how the entries add up is reviewEntries.ts; the queue a reviewer
// works through is reviewQueue.ts.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { metadataDir } from '../dataset/metadata';
import { JournalWriter, readJournal } from '../store/journal';
import {
  checkAnnotation,
  checkDecision,
  checkNote,
  checkPairId,
  checkRestored,
  foldReview,
  type Annotation,
  type AnnotationInput,
  type DecisionEntry,
  type DecisionNote,
  type DecisionState,
  type EditEntry,
  type PairDecision,
  type RestoreEntry,
  type RetractEntry,
  type ReviewDamage,
  type ReviewEntry,
  type ReviewState,
} from './reviewEntries';

export function reviewPath(datasetPath: string): string {
  return join(metadataDir(datasetPath), 'review', 'review.jsonl');
}

/** The review journal of a dataset, folded; a missing journal reads as an empty review. */
export async function readReview(datasetPath: string): Promise<ReviewState> {
  const { entries, damaged } = await readJournal<unknown>(reviewPath(datasetPath));
  const state = foldReview(entries);
  state.damaged = [...damaged, ...state.damaged];
  return state;
}

const now = (): string => new Date().toISOString();

export class ReviewJournal {
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly writer: JournalWriter,
    private readonly entries: unknown[],
    private readonly fileDamage: ReviewDamage[],
  ) {}

  /** Open the dataset's review journal for appending (created on the first open). */
  static async open(datasetPath: string): Promise<ReviewJournal> {
    const path = reviewPath(datasetPath);
    const { entries, damaged } = await readJournal<unknown>(path);
    return new ReviewJournal(path, await JournalWriter.open(path), entries, damaged);
  }

  /** The state so far: what the file held when opened plus everything this journal wrote. */
  state(): ReviewState {
    const s = foldReview(this.entries);
    s.damaged = [...this.fileDamage, ...s.damaged];
    return s;
  }

  decide(pairId: string, state: DecisionState, note: DecisionNote = {}): Promise<DecisionEntry> {
    return this.decideMany([pairId], state, note).then((es) => es[0]);
  }

  /**
   * One decision per pair id, in one write and one fsync (all or none are acknowledged). A
   * rejection may carry a reason (REJECT_REASONS) and a comment; other decisions carry neither.
   */
  async decideMany(pairIds: readonly string[], state: DecisionState, note: DecisionNote = {}): Promise<DecisionEntry[]> {
    pairIds.forEach(checkPairId);
    checkDecision(state);
    checkNote(state, note.reason, note.comment);
    const at = now();
    const es = pairIds.map((id): DecisionEntry => {
      const e: DecisionEntry = { type: 'decision', pairId: id, state, at };
      if (note.reason !== undefined) e.reason = note.reason;
      if (note.comment !== undefined) e.comment = note.comment;
      return e;
    });
    await this.write(es);
    return es;
  }

  /**
   * Put pairs' decisions back exactly as they were (undo): one restore entry per pair, in one
   * write and one fsync. `to` null means no decision (the pair's default state).
   */
  async restore(items: readonly { pairId: string; to: PairDecision | null }[]): Promise<RestoreEntry[]> {
    const at = now();
    const es = items.map(({ pairId, to }): RestoreEntry => {
      checkPairId(pairId);
      checkRestored(to);
      return { type: 'restore', pairId, to: to === null ? null : { ...to }, at };
    });
    if (es.length) await this.write(es);
    return es;
  }

  async edit(pairId: string, chosenText: string): Promise<EditEntry> {
    checkPairId(pairId);
    if (typeof chosenText !== 'string') throw new Error('the edited chosen text must be a string');
    const e: EditEntry = { type: 'edit', pairId, chosenText, at: now() };
    await this.write([e]);
    return e;
  }

  async annotate(input: AnnotationInput): Promise<Annotation> {
    if (typeof input !== 'object' || input === null) throw new Error('annotate needs the annotation fields');
    checkAnnotation(input as unknown as Record<string, unknown>);
    // Only the known fields, in a fixed order (an object from a webview may carry anything).
    const a: Annotation = { type: 'annotation', id: randomBytes(8).toString('hex'), sampleId: input.sampleId, index: input.index, source: input.source, text: input.text, start: input.start, end: input.end, kind: input.kind, at: now() };
    if (input.round !== undefined) a.round = input.round;
    if (input.correction !== undefined) a.correction = input.correction;
    if (input.note !== undefined) a.note = input.note;
    if (input.file !== undefined) a.file = input.file;
    await this.write([a]);
    return a;
  }

  /** Undo a live annotation; an unknown or already retracted id is an error. */
  async retract(id: string): Promise<RetractEntry> {
    if (typeof id !== 'string' || !id) throw new Error('retract needs an annotation id');
    const e: RetractEntry = { type: 'retract', id, at: now() };
    await this.write([e], () => {
      if (!foldReview(this.entries).annotations.some((a) => a.id === id)) throw new Error(`no live annotation with id ${JSON.stringify(id)} to retract`);
    });
    return e;
  }

  /** Waits for the writes in flight, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.writer.close();
  }

  /**
   * Appends `es` as one write and fsyncs, one call at a time in call order; `check` runs first, in
   * turn. A call that rejects was not acknowledged: if the disk failed mid-write, what reached the
   * file is at most a line reading reports as damaged (or, rarely, the whole line, unacknowledged).
   */
  private write(es: ReviewEntry[], check?: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`the review journal ${this.path} is closed`));
    const run = this.chain.then(async () => {
      check?.();
      await this.writer.append(...es);
      await this.writer.sync();
      this.entries.push(...es);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

// The review of preference pairs (METHOD.md, "Pairs"): what a person decided about each pair the
// search found, the replacements they wrote for chosen sides, and the fragment errors they marked
// by hand, kept in one append-only journal beside the dataset:
//   DATASET.itool/review/review.jsonl
// Pairs of every model and round share it (a pair carries its round; its id is a hash of its
// content). Every call of ReviewJournal appends ONE line (or one batch of lines, in one write) and
// fsyncs it before it resolves, so a decision acknowledged to the user survives a crash; a crash
// can only cut the line being written, which reading reports and skips (src/core/store/journal.ts).
//
// Entries, each with `at` (ISO time):
//   {type:'decision', pairId, state:'accepted'|'rejected'|'skipped'|'pending', reason?, comment?}
//        pending = back to the queue; skipped = put aside (neither accepted nor rejected, not
//        exported); reason (REJECT_REASONS) and comment only with 'rejected'
//   {type:'edit', pairId, chosenText}        the reviewer's replacement for the chosen continuation
//   {type:'restore', pairId, to}             undo: the pair's decision becomes exactly `to` (a
//        PairDecision as folded before the undone action, its `at` included), or none (to: null)
//   {type:'annotation', id, sampleId, index, round?, source, text, start, end, kind, correction?, note?, file?}
//   {type:'retract', id}                     undo an annotation
//
// Folding (foldReview), entries in file order (the order they were written; `at` is for people):
// - a pair with no decision is 'pending' (in the queue); a manual pair (an annotation with a
//   correction) is 'accepted' when the checker finds its chosen side valid (a person made it and
//   the checker agrees), else 'pending' — it can be decided or undone like any other;
// - decision 'accepted' → 'edited' when the pair holds an edit, else 'accepted';
// - decision 'rejected' → 'rejected', with the entry's reason and comment (none when it has none);
//   'skipped' → 'skipped'; both keep an edit the pair holds (not exported), and a later
//   'accepted' brings the pair back as 'edited';
// - decision 'pending' → 'pending' and the edit is dropped: the pair is back as the search made it;
// - edit → 'edited' whatever came before (an edit is an acceptance with a replacement); a later
//   edit replaces an earlier one (the last wins);
// - restore → the decision it carries (or none), as it was: undo of any action is journaled, so a
//   reload and `itool review` see the undone state;
// - reason and comment belong to a rejection: any other decision or an edit drops them;
// - the latest entry about a pair gives its `at` (a restore gives back the restored one's);
// - retract removes the annotation with that id wherever it stands in the file; an entry that is
//   not one of these shapes is reported in `damaged` and skipped.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Tier } from '../calibrate/select';
import { metadataDir } from '../dataset/metadata';
import type { Sample } from '../dataset/sample';
import { pairKey, type PairVerdict, type PreferencePair } from '../search/pairs';
import type { StepKind } from '../search/steps';
import { JournalWriter, readJournal } from '../store/journal';
import { expectationFor, type Expectation } from '../toolcall/check/index';
import { ERROR_KINDS, type ErrorKind } from '../toolcall/types';
import { editedPair, manualPair } from './manualPairs';
import { REJECT_REASONS, type RejectReason } from './reasons';

export type DecisionState = 'accepted' | 'rejected' | 'skipped' | 'pending';
export type ReviewItemState = 'pending' | 'accepted' | 'rejected' | 'edited' | 'skipped';
export type AnnotationSource = 'reference' | 'prediction' | 'chosen' | 'rejected' | 'text';

export const DECISION_STATES: readonly DecisionState[] = ['accepted', 'rejected', 'skipped', 'pending'];
export const REVIEW_ITEM_STATES: readonly ReviewItemState[] = ['pending', 'accepted', 'rejected', 'edited', 'skipped'];

export { REJECT_REASONS, REJECT_REASON_LABEL, type RejectReason } from './reasons';
export const ANNOTATION_SOURCES: readonly AnnotationSource[] = ['reference', 'prediction', 'chosen', 'rejected', 'text'];

export interface DecisionEntry {
  type: 'decision';
  pairId: string;
  state: DecisionState;
  /** Only with state 'rejected'. */
  reason?: RejectReason;
  comment?: string;
  at: string;
}

export interface EditEntry {
  type: 'edit';
  pairId: string;
  /** The chosen side's new continuation: everything after the pair's shared prefix. */
  chosenText: string;
  at: string;
}

export interface Annotation {
  type: 'annotation';
  id: string;
  sampleId: string;
  /** Record index of the sample in the dataset. */
  index: number;
  round?: number;
  /** What was annotated: the dataset's reference, a model prediction, a side of a pair, any text. */
  source: AnnotationSource;
  /** The whole response annotated; start/end are UTF-16 offsets into it, [start, end). */
  text: string;
  start: number;
  end: number;
  kind: ErrorKind;
  /** What the span should have been: makes the annotation a manual pair (manualPairs.ts). */
  correction?: string;
  note?: string;
  /** The file the selection was made in. */
  file?: string;
  at: string;
}

export type AnnotationInput = Omit<Annotation, 'type' | 'id' | 'at'>;

export interface RetractEntry {
  type: 'retract';
  id: string;
  at: string;
}

export interface RestoreEntry {
  type: 'restore';
  pairId: string;
  /** The decision the pair goes back to, exactly; null: back to no decision at all. */
  to: PairDecision | null;
  at: string;
}

export type ReviewEntry = DecisionEntry | EditEntry | RestoreEntry | Annotation | RetractEntry;

export interface PairDecision {
  state: ReviewItemState;
  /** The latest edit since the last undo; applied (exported) only while the state is 'edited'. */
  chosenText?: string;
  /** Why it was rejected, and the reviewer's comment (state 'rejected' only). */
  reason?: RejectReason;
  comment?: string;
  at: string;
}

/** Options of a decision: a rejection's reason and comment. */
export interface DecisionNote {
  reason?: RejectReason;
  comment?: string;
}

export interface ReviewDamage {
  /** Line of the file (a line that is not JSON, or a partial last line cut by a crash). */
  line?: number;
  /** 1-based position among the JSON entries (an entry that is not a review entry). */
  entry?: number;
  reason: string;
}

export interface ReviewState {
  decisions: Map<string, PairDecision>;
  /** Live annotations (retracted ones removed), in the order they were made. */
  annotations: Annotation[];
  damaged: ReviewDamage[];
}

export function reviewPath(datasetPath: string): string {
  return join(metadataDir(datasetPath), 'review', 'review.jsonl');
}

/** A pair's short stable id: the first 16 hex digits of sha256(pairKey). */
export function pairId(p: PreferencePair): string {
  return createHash('sha256').update(pairKey(p)).digest('hex').slice(0, 16);
}

// ---- validation --------------------------------------------------------------------------------

const PAIR_ID = /^[0-9a-f]{16}$/;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

function checkPairId(id: unknown): void {
  if (typeof id !== 'string' || !PAIR_ID.test(id)) throw new Error(`pair id must be 16 lowercase hex digits (pairId(pair)), got ${JSON.stringify(id)}`);
}

function checkDecision(state: unknown): asserts state is DecisionState {
  if (!DECISION_STATES.includes(state as DecisionState)) throw new Error(`decision must be one of ${DECISION_STATES.join(', ')}, got ${JSON.stringify(state)}`);
}

/** A rejection's reason and comment: known reason, string comment, and only on a rejection. */
function checkNote(state: DecisionState, reason: unknown, comment: unknown): void {
  if (reason !== undefined && !REJECT_REASONS.includes(reason as RejectReason)) throw new Error(`reject reason must be one of ${REJECT_REASONS.join(', ')}, got ${JSON.stringify(reason)}`);
  if (comment !== undefined && typeof comment !== 'string') throw new Error(`a decision's comment must be a string, got ${typeof comment}`);
  if ((reason !== undefined || comment !== undefined) && state !== 'rejected') throw new Error(`a reason or comment goes with a rejection, not with ${JSON.stringify(state)}`);
}

/** The decision a restore entry brings back (null = none). */
function checkRestored(to: unknown): void {
  if (to === null) return;
  if (typeof to !== 'object' || to === undefined) throw new Error('restore `to` must be a decision or null');
  const d = to as Record<string, unknown>;
  if (!REVIEW_ITEM_STATES.includes(d.state as ReviewItemState)) throw new Error(`restored state must be one of ${REVIEW_ITEM_STATES.join(', ')}, got ${JSON.stringify(d.state)}`);
  if (typeof d.at !== 'string') throw new Error('restored decision without its `at` time');
  if (d.chosenText !== undefined && typeof d.chosenText !== 'string') throw new Error('restored chosenText must be a string');
  checkNote(d.state === 'rejected' ? 'rejected' : 'accepted', d.reason, d.comment);
}

const optString = (a: Record<string, unknown>, k: string): void => {
  if (a[k] !== undefined && typeof a[k] !== 'string') throw new Error(`annotation ${k} must be a string when given, got ${typeof a[k]}`);
};

/** Throws a message naming the first thing wrong with an annotation's fields. */
function checkAnnotation(a: Record<string, unknown>): void {
  if (typeof a.sampleId !== 'string' || a.sampleId === '') throw new Error('annotation sampleId must be a non-empty string');
  if (!isInt(a.index) || a.index < 0) throw new Error(`annotation index must be a record index (an integer >= 0), got ${JSON.stringify(a.index)}`);
  if (a.round !== undefined && (!isInt(a.round) || a.round < 1)) throw new Error(`annotation round must be an integer >= 1 when given, got ${JSON.stringify(a.round)}`);
  if (!ANNOTATION_SOURCES.includes(a.source as AnnotationSource)) throw new Error(`annotation source must be one of ${ANNOTATION_SOURCES.join(', ')}, got ${JSON.stringify(a.source)}`);
  if (typeof a.text !== 'string') throw new Error('annotation text must be the whole annotated response (a string)');
  const { text, start, end } = a as { text: string; start: unknown; end: unknown };
  if (!isInt(start) || !isInt(end)) throw new Error(`annotation start and end must be integer offsets, got ${JSON.stringify(start)} and ${JSON.stringify(end)}`);
  if (start < 0 || end > text.length) throw new Error(`annotation span ${start}-${end} is outside the text (0-${text.length})`);
  if (start >= end) throw new Error(`annotation span must not be empty: start (${start}) must be less than end (${end})`);
  for (const at of [start, end]) {
    if (at > 0 && at < text.length && isHigh(text.charCodeAt(at - 1)) && isLow(text.charCodeAt(at))) throw new Error(`annotation offset ${at} splits a character (a UTF-16 surrogate pair)`);
  }
  if (!ERROR_KINDS.includes(a.kind as ErrorKind)) throw new Error(`annotation kind must be one of ${ERROR_KINDS.join(', ')}, got ${JSON.stringify(a.kind)}`);
  for (const k of ['correction', 'note', 'file']) optString(a, k);
}

/** The reason an entry read from the journal is not a review entry, or undefined when it is one. */
function entryProblem(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return 'not an object';
  const r = e as Record<string, unknown>;
  try {
    if (typeof r.at !== 'string') throw new Error('no `at` time');
    switch (r.type) {
      case 'decision':
        checkPairId(r.pairId);
        checkDecision(r.state);
        checkNote(r.state, r.reason, r.comment);
        return undefined;
      case 'restore':
        checkPairId(r.pairId);
        checkRestored(r.to);
        return undefined;
      case 'edit':
        checkPairId(r.pairId);
        if (typeof r.chosenText !== 'string') throw new Error('edit chosenText must be a string');
        return undefined;
      case 'annotation':
        if (typeof r.id !== 'string' || !r.id) throw new Error('annotation without an id');
        checkAnnotation(r);
        return undefined;
      case 'retract':
        if (typeof r.id !== 'string' || !r.id) throw new Error('retract without an id');
        return undefined;
      default:
        return `unknown entry type ${JSON.stringify(r.type)}`;
    }
  } catch (err) {
    return (err as Error).message;
  }
}

// ---- folding -----------------------------------------------------------------------------------

/** A pair's decision after one (valid) entry about it; undefined = no decision. Pure. */
export function applyDecision(prev: PairDecision | undefined, e: DecisionEntry | EditEntry | RestoreEntry): PairDecision | undefined {
  if (e.type === 'restore') return e.to === null ? undefined : { ...e.to };
  if (e.type === 'edit') return { state: 'edited', chosenText: e.chosenText, at: e.at };
  if (e.state === 'pending') return { state: 'pending', at: e.at };
  const d: PairDecision = { state: e.state, at: e.at };
  if (prev?.chosenText !== undefined) d.chosenText = prev.chosenText;
  if (e.state === 'accepted' && d.chosenText !== undefined) d.state = 'edited';
  if (e.state === 'rejected') {
    if (e.reason !== undefined) d.reason = e.reason;
    if (e.comment !== undefined) d.comment = e.comment;
  }
  return d;
}

/** Whether two decisions say the same (state, edit, reason, comment; not the time). */
export function sameDecision(a: PairDecision | undefined, b: PairDecision | undefined): boolean {
  if (!a || !b) return a === b;
  return a.state === b.state && a.chosenText === b.chosenText && a.reason === b.reason && a.comment === b.comment;
}

/** The review state the entries add up to (the rules are at the top of this file). Pure. */
export function foldReview(entries: readonly unknown[]): ReviewState {
  const decisions = new Map<string, PairDecision>();
  const made: Annotation[] = [];
  const retracted = new Set<string>();
  const damaged: ReviewDamage[] = [];
  entries.forEach((raw, i) => {
    const problem = entryProblem(raw);
    if (problem) {
      damaged.push({ entry: i + 1, reason: problem });
      return;
    }
    const e = raw as ReviewEntry;
    if (e.type === 'annotation') made.push(e);
    else if (e.type === 'retract') retracted.add(e.id);
    else {
      const d = applyDecision(decisions.get(e.pairId), e);
      if (d) decisions.set(e.pairId, d);
      else decisions.delete(e.pairId);
    }
  });
  const seen = new Set<string>();
  const annotations = made.filter((a) => !retracted.has(a.id) && !seen.has(a.id) && seen.add(a.id));
  return { decisions, annotations, damaged };
}

/** The review journal of a dataset, folded; a missing journal reads as an empty review. */
export async function readReview(datasetPath: string): Promise<ReviewState> {
  const { entries, damaged } = await readJournal<unknown>(reviewPath(datasetPath));
  const state = foldReview(entries);
  state.damaged = [...damaged, ...state.damaged];
  return state;
}

// ---- the journal -------------------------------------------------------------------------------

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

// ---- the queue ---------------------------------------------------------------------------------

export interface ReviewItem {
  id: string;
  /** The pair as it is exported: with the edit applied (and re-checked) when edited. */
  pair: PreferencePair;
  /** The pair as the search (or the annotation) made it. */
  original: PreferencePair;
  state: ReviewItemState;
  manual: boolean;
  /** Edited, but no expectation was at hand to judge the edit: the chosen verdict is the original's. */
  unchecked?: boolean;
  /** Why it was rejected, and the comment (state 'rejected'). */
  reason?: RejectReason;
  comment?: string;
  /** The checker finds the (exported) chosen side wrong: what is wrong with it (chosenProblem). */
  chosenFails?: string;
}

/**
 * What is wrong with a side by its verdict, in a few words, or undefined when it is valid:
 * "does not parse" (a parse error), else its error kinds ("wrong_value, unexpected_param").
 */
export function chosenProblem(v: PairVerdict): string | undefined {
  if (v.valid) return undefined;
  if (v.errors.some((e) => e.kind === 'parse_error')) return 'does not parse';
  const kinds = [...new Set(v.errors.map((e) => e.kind))];
  return kinds.length ? `has errors: ${kinds.join(', ')}` : `not valid (score ${v.score.toFixed(2)})`;
}

export interface QueueContext {
  /** Samples by record index: manual pairs are made from them, and edits judged against them. */
  samples?: ReadonlyMap<number, Sample>;
  /** What the checker expects for a record; default expectationFor(samples.get(index)). */
  expectation?: (index: number) => Expectation | undefined;
}

/**
 * The review queue: every pair once (repeats by id dropped, first kept, order kept), then the
 * manual pairs of the live corrected annotations whose sample is in `samples` (annotation order).
 * Decisions about ids not in the list are ignored. An edit identical to the original continuation
 * reads as plain 'accepted'. A pair without a decision is 'pending', except a manual pair whose
 * chosen side the checker finds valid: 'accepted' (one whose chosen side fails stays pending, and
 * is flagged by chosenFails like any pair whose chosen side fails).
 */
export function reviewQueue(pairs: readonly PreferencePair[], state: ReviewState, ctx: QueueContext | ReadonlyMap<number, Sample> = {}): ReviewItem[] {
  const c: QueueContext = ctx instanceof Map ? { samples: ctx } : (ctx as QueueContext);
  const expOf = (index: number): Expectation | undefined => {
    const e = c.expectation?.(index);
    if (e) return e;
    const s = c.samples?.get(index);
    return s ? expectationFor(s) : undefined;
  };
  const out: ReviewItem[] = [];
  const seen = new Set<string>();
  const add = (original: PreferencePair, manual: boolean): void => {
    const id = pairId(original);
    if (seen.has(id)) return;
    seen.add(id);
    const d = state.decisions.get(id);
    let st: ReviewItemState = d?.state ?? (manual && original.chosen.verdict.valid ? 'accepted' : 'pending');
    let pair = original;
    let unchecked = false;
    if (st === 'edited' && d?.chosenText === original.chosen.text) st = 'accepted';
    else if (st === 'edited' && d?.chosenText !== undefined) {
      const exp = expOf(original.index);
      pair = editedPair(original, d.chosenText, exp);
      unchecked = !exp;
    }
    const item: ReviewItem = { id, pair, original, state: st, manual };
    if (unchecked) item.unchecked = true;
    if (st === 'rejected' && d?.reason !== undefined) item.reason = d.reason;
    if (st === 'rejected' && d?.comment !== undefined) item.comment = d.comment;
    const fails = chosenProblem(pair.chosen.verdict);
    if (fails) item.chosenFails = fails;
    out.push(item);
  };
  for (const p of pairs) add(p, p.manual !== undefined);
  for (const a of state.annotations) {
    const s = c.samples?.get(a.index);
    const p = s && a.correction !== undefined ? manualPair(a, s, expOf(a.index)) : undefined;
    if (p) add(p, true);
  }
  return out;
}

export function reviewCounts(items: readonly ReviewItem[]): Record<ReviewItemState | 'total', number> {
  const n = { pending: 0, accepted: 0, rejected: 0, edited: 0, skipped: 0, total: items.length };
  for (const it of items) n[it.state]++;
  return n;
}

/** The pairs to export: accepted and edited ones, edits applied (never pending, rejected or skipped ones). */
export function acceptedPairs(items: readonly ReviewItem[]): PreferencePair[] {
  return items.filter((it) => it.state === 'accepted' || it.state === 'edited').map((it) => it.pair);
}

export interface ReviewFilter {
  /** The rejected side's verdict has an error of this kind. */
  errorKind?: ErrorKind;
  /** Inclusive bounds on the pair's gap. */
  minGap?: number;
  maxGap?: number;
  /** The sample's calibration tier (needs tierOf). */
  tier?: Tier;
  state?: ReviewItemState;
  /** The fragment kind of the pair. */
  kind?: StepKind;
  round?: number;
  manual?: boolean;
}

const GAP_EPS = 1e-9;

export function matchesFilter(item: ReviewItem, f: ReviewFilter, tierOf?: (index: number) => Tier | undefined): boolean {
  const p = item.pair;
  if (f.errorKind !== undefined && !p.rejected.verdict.errors.some((e) => e.kind === f.errorKind)) return false;
  if (f.minGap !== undefined && p.gap < f.minGap - GAP_EPS) return false;
  if (f.maxGap !== undefined && p.gap > f.maxGap + GAP_EPS) return false;
  if (f.tier !== undefined) {
    if (!tierOf) throw new Error('filtering by tier needs tierOf (the calibration tiers of the samples)');
    if (tierOf(p.index) !== f.tier) return false;
  }
  if (f.state !== undefined && item.state !== f.state) return false;
  if (f.kind !== undefined && p.kind !== f.kind) return false;
  if (f.round !== undefined && p.round !== f.round) return false;
  if (f.manual !== undefined && item.manual !== f.manual) return false;
  return true;
}

/**
 * Whether deciding `state` (with `note`) would leave the item as it is: already in that state (a
 * rejection with the same reason and comment), or an edited one being accepted.
 */
export function decisionUnchanged(it: ReviewItem, state: DecisionState, note: DecisionNote = {}): boolean {
  if (state === 'accepted') return it.state === 'accepted' || it.state === 'edited';
  if (state === 'rejected') return it.state === 'rejected' && it.reason === note.reason && it.comment === note.comment;
  return it.state === state;
}

/**
 * Bulk accept / reject / skip / undo: one decision for every matching item that it would change
 * (decisionUnchanged items are left alone), all in one write and one fsync — the batch is
 * acknowledged as a whole. Returns the number of decisions written.
 */
export async function bulkDecide(
  journal: ReviewJournal,
  items: readonly ReviewItem[],
  filter: ReviewFilter,
  state: DecisionState,
  tierOf?: (index: number) => Tier | undefined,
): Promise<number> {
  const ids = items.filter((it) => matchesFilter(it, filter, tierOf) && !decisionUnchanged(it, state)).map((it) => it.id);
  if (ids.length) await journal.decideMany(ids, state);
  return ids.length;
}

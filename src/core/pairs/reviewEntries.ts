// What the review journal holds (METHOD.md, "Pairs"): the entries a review writes, the checks an
// entry must pass, and how the entries fold into each pair's decision and the live annotations.
// Pure, no file is touched here (the file and its writer are reviewJournal.ts), so the journal, the
// queue (reviewQueue.ts) and the hand-made pairs (manualPairs.ts) share these shapes without
// importing one another.
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
import { createHash } from 'node:crypto';
import { pairKey } from '../search/pairs';
import type { PreferencePair } from '../search/types';
import { ERROR_KINDS, type ErrorKind } from '../toolcall/types';
import { REJECT_REASONS, type RejectReason } from './reasons';

export type DecisionState = 'accepted' | 'rejected' | 'skipped' | 'pending';
export type ReviewItemState = 'pending' | 'accepted' | 'rejected' | 'edited' | 'skipped';
export type AnnotationSource = 'reference' | 'prediction' | 'chosen' | 'rejected' | 'text';

export const DECISION_STATES: readonly DecisionState[] = ['accepted', 'rejected', 'skipped', 'pending'];
export const REVIEW_ITEM_STATES: readonly ReviewItemState[] = ['pending', 'accepted', 'rejected', 'edited', 'skipped'];

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

/** A pair's short stable id: the first 16 hex digits of sha256(pairKey). */
export function pairId(p: PreferencePair): string {
  return createHash('sha256').update(pairKey(p)).digest('hex').slice(0, 16);
}

// ---- validation --------------------------------------------------------------------------------

const PAIR_ID = /^[0-9a-f]{16}$/;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

export function checkPairId(id: unknown): void {
  if (typeof id !== 'string' || !PAIR_ID.test(id)) throw new Error(`pair id must be 16 lowercase hex digits (pairId(pair)), got ${JSON.stringify(id)}`);
}

export function checkDecision(state: unknown): asserts state is DecisionState {
  if (!DECISION_STATES.includes(state as DecisionState)) throw new Error(`decision must be one of ${DECISION_STATES.join(', ')}, got ${JSON.stringify(state)}`);
}

/** A rejection's reason and comment: known reason, string comment, and only on a rejection. */
export function checkNote(state: DecisionState, reason: unknown, comment: unknown): void {
  if (reason !== undefined && !REJECT_REASONS.includes(reason as RejectReason)) throw new Error(`reject reason must be one of ${REJECT_REASONS.join(', ')}, got ${JSON.stringify(reason)}`);
  if (comment !== undefined && typeof comment !== 'string') throw new Error(`a decision's comment must be a string, got ${typeof comment}`);
  if ((reason !== undefined || comment !== undefined) && state !== 'rejected') throw new Error(`a reason or comment goes with a rejection, not with ${JSON.stringify(state)}`);
}

/** The decision a restore entry brings back (null = none). */
export function checkRestored(to: unknown): void {
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
export function checkAnnotation(a: Record<string, unknown>): void {
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

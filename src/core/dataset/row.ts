// The one-line summary of a sample shown in the list (panel) and counted by `itool inspect`.
import { clipText } from '../chars';
import { expandAnswers } from './answers';
import { referenceTurn, type Sample } from './sample';

export interface SampleRow {
  index: number;
  id: string;
  /** First user message, shortened for the list. */
  firstUser: string;
  toolCount: number;
  callCount: number;
  /** 'calls' when the reference answer calls tools, 'text' when it answers in text, 'none' without one. */
  answer: 'calls' | 'text' | 'none';
  /**
   * How many samples the record yields (answers.ts), set only when more than one: the list keeps
   * one row per record and says how many answers it holds (their ids are `ID#0`, `ID#1`, ...).
   */
  answerCount?: number;
  /** Set when the record could not be read: the reason, e.g. "line 7: not JSON (...)". */
  problem?: string;
}

const FIRST_USER_MAX = 240;

export function answerKind(s: Sample): SampleRow['answer'] {
  const ref = referenceTurn(s);
  if (!ref) return 'none';
  return ref.calls && ref.calls.length > 0 ? 'calls' : 'text';
}

/** `samples`: what the record yields under the dataset's turns mode (every answer by default). */
export function rowOf(s: Sample, samples: readonly Sample[] = expandAnswers(s)): SampleRow {
  const user = s.turns.find((t) => t.role === 'user')?.content ?? '';
  const flat = user.replace(/\s+/g, ' ').trim();
  const row: SampleRow = {
    index: s.index,
    id: s.id,
    firstUser: clipText(flat, FIRST_USER_MAX),
    toolCount: s.tools.length,
    callCount: referenceTurn(s)?.calls?.length ?? 0,
    answer: answerKind(s),
  };
  if (samples.length > 1) row.answerCount = samples.length;
  return row;
}

export function problemRow(index: number, reason: string): SampleRow {
  return { index, id: String(index + 1), firstUser: '', toolCount: 0, callCount: 0, answer: 'none', problem: reason };
}

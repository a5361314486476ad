// The one-line summary of a sample shown in the list (panel) and counted by `itool inspect`.
import { clipText } from '../chars';
import { expandAnswers } from './answers';
import { referenceTurn, type Sample, type SampleRow } from './sample';

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

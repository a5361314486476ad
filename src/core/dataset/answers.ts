// A conversation with several assistant answers is several samples: one per answer, each with
// everything before it as its prompt. Calibration, search, pairs, checks and exports all read
// samples through here, so they all see the same ones (`--turns last` keeps one per record: the
// last answer, as earlier versions did).
import { answerId, type Sample } from './sample';

/** How a record's answers become samples: every answer, or the last one only. */
export type TurnsMode = 'each' | 'last';

export const TURNS_MODES: readonly TurnsMode[] = ['each', 'last'];

/** Turn indices of the answers a sample's record holds, in order. */
export function answerTurns(s: Sample): number[] {
  if (s.possibleAnswersByTurn) {
    return Object.keys(s.possibleAnswersByTurn)
      .map(Number)
      .filter((j) => Number.isInteger(j) && j >= 0 && j < s.turns.length)
      .sort((a, b) => a - b);
  }
  // A BFCL question's assistant turns are history; its one answer comes from the ground truth.
  if (s.format === 'bfcl') return s.referenceIndex < 0 ? [] : [s.referenceIndex];
  // A turn the trainer does not train on (loss_weight 0) is context, not an answer to score or search.
  const out: number[] = [];
  s.turns.forEach((t, j) => {
    if (t.role === 'assistant' && t.trained !== false) out.push(j);
  });
  return out;
}

/** The sample of one answer (by its 0-based position among the record's answers). */
function answerSample(s: Sample, turns: readonly number[], k: number): Sample {
  const j = turns[k];
  const out: Sample = { ...s, id: answerId(s.id, k), recordId: s.id, answer: k, referenceIndex: j };
  const gt = s.possibleAnswersByTurn?.[j];
  if (s.possibleAnswersByTurn) {
    if (gt) out.possibleAnswers = gt;
    else delete out.possibleAnswers;
  } else if (j !== s.referenceIndex) delete out.possibleAnswers;
  if (s.acceptedTexts && j !== s.referenceIndex) delete out.acceptedTexts;
  // What the model is offered at this answer (BFCL miss_func offers some functions only later).
  const tools = s.toolsByTurn?.[j];
  if (tools) out.tools = tools;
  return out;
}

/**
 * The samples a record yields. A record with one answer (or none) yields itself unchanged, so its
 * id stays the record's id; a record with several yields one sample per answer, ids `ID#k`.
 */
export function expandAnswers(s: Sample, mode: TurnsMode = 'each'): Sample[] {
  if (mode === 'last') return [s];
  const turns = answerTurns(s);
  if (turns.length <= 1 && !s.possibleAnswersByTurn) {
    // One answer keeps the record's id; it is the turn trained on, which need not be the last
    // assistant turn (none when every assistant turn is context).
    const ref = turns.length ? turns[0] : -1;
    return [ref === s.referenceIndex ? s : { ...s, referenceIndex: ref }];
  }
  return turns.map((_, k) => answerSample(s, turns, k));
}

/**
 * Answer `answer` among the samples a record yields (`samples`, when already expanded). With
 * `answer` undefined: the record's one sample when it yields one (its trained answer is the
 * reference), else the record's own sample.
 */
export function pickAnswer(s: Sample, answer: number | undefined, samples: readonly Sample[] = expandAnswers(s)): Sample | undefined {
  return samples.find((x) => x.answer === answer) ?? (answer === undefined ? s : undefined);
}

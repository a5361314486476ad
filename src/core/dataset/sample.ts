// The one normalised sample every dataset format is read into (../shared/docs/FORMATS.md).
// Everything downstream (checker, calibration, search, pairs, panel) speaks only this shape;
// format modules translate to and from their own records, losslessly.

export type FormatId = 'toolace' | 'llamafactory' | 'llamafactory_v1' | 'xlam' | 'bfcl' | 'openai' | 'hermes' | 'glaive';

export const FORMAT_IDS: readonly FormatId[] = ['toolace', 'llamafactory', 'llamafactory_v1', 'xlam', 'bfcl', 'openai', 'hermes', 'glaive'];

export type TurnRole = 'system' | 'user' | 'assistant' | 'tool_result';

/** One function call. `arguments` is the decoded argument object. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** OpenAI-style call id, where the format has one. */
  id?: string;
}

export interface Turn {
  role: TurnRole;
  /**
   * The turn's text exactly as the source holds it. For an assistant turn that calls tools this is
   * the raw call text of the source format (`[f(a=1)]`, `{"name": ...}`, `<tool_call>...`), so the
   * checker can point at character offsets inside it. Empty string when the source has none.
   */
  content: string;
  /** Decoded calls of an assistant turn that calls tools; absent for plain text turns. */
  calls?: ToolCall[];
  /** For tool results: the call id (OpenAI) or function name they answer, where known. */
  toolCallId?: string;
  name?: string;
  /**
   * The model's reasoning before this assistant turn's answer, where the source keeps it apart
   * (LLaMA-Factory's `reasoning` content parts, `reasoning_content`). Kept and shown; not part of
   * `content`, so it is not scored unless a run asks for it.
   */
  reasoning?: string;
  /**
   * False for an assistant turn the source marks as not trained on (LLaMA-Factory `loss_weight`
   * 0, OpenAI `weight` 0): context for the answers after it, not an answer itself.
   */
  trained?: false;
}

/** A function the model may call (JSON-schema-like parameters; BFCL/ToolACE say "dict" for object). */
export interface ToolDef {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

/** BFCL ground truth: one entry per expected call, `{fn: {param: [accepted values]}}`; "" = may be omitted. */
export type PossibleAnswer = Record<string, Record<string, unknown[]>>;

/**
 * A BFCL record without `function` (multi-turn, memory, web_search): its tools come from the class
 * docs beside the file and its answers from possible_answer/, so the question record alone cannot
 * be rebuilt from the normalised turns. Shared, never mutated: every sample of the record holds it.
 */
export interface BfclSource {
  /** `multi_turn`: one answer per BFCL turn; `agentic`: one final text answer (memory, web_search). */
  kind: 'multi_turn' | 'agentic';
  /** Messages in each inner list of `question` (one list per BFCL turn; miss_func has empty ones). */
  turnSizes: number[];
  /** The record's full tool list: the class docs minus `excluded_function`. */
  tools: ToolDef[];
  /** Function name → the BFCL turn from which it is offered (`missed_function`). */
  withheld?: Record<string, number>;
  /** possible_answer's `ground_truth` exactly as read, so BFCL → BFCL writes it back unchanged. */
  groundTruth?: unknown[];
}

export interface Sample {
  /** The record's own id where it has one, else its 1-based position as a string. */
  id: string;
  /** 0-based position of the record in its file. */
  index: number;
  format: FormatId;
  /** The whole conversation in order, including the reference answer. */
  turns: Turn[];
  /**
   * Index in `turns` of the reference answer (the last assistant turn), or -1 when there is none
   * (e.g. a BFCL question without an answer file, or an irrelevance sample).
   */
  referenceIndex: number;
  tools: ToolDef[];
  /** BFCL possible answers, when an answer file was found beside the question file. */
  possibleAnswers?: PossibleAnswer[];
  /**
   * Ground truth per answer turn (turn index → its possible answers) when a record holds several
   * judged answers (BFCL multi-turn: one entry per user turn). `expandAnswers` gives each answer's
   * sample its own entry as `possibleAnswers`.
   */
  possibleAnswersByTurn?: Record<number, PossibleAnswer[]>;
  /**
   * Accepted final answers in text (BFCL memory and web_search): an output is right when, after
   * BFCL's standardisation, it contains one of them as a whole word sequence.
   */
  acceptedTexts?: string[];
  /**
   * Tools per answer turn (turn index → the tools the model sees there) where they change along
   * the conversation (BFCL miss_func withholds functions until a later turn); `expandAnswers`
   * gives each answer's sample its own list as `tools`. Answer turns not listed see `tools`.
   */
  toolsByTurn?: Record<number, ToolDef[]>;
  /** What a BFCL record whose tools come from class docs needs to be written back (formats/bfcl.ts). */
  bfclSource?: BfclSource;
  /**
   * 0-based position of this sample's answer among its record's answers, set only when the record
   * holds several (then `id` is `<record id>#<answer>`, and `referenceIndex` points at that answer).
   * For BFCL multi-turn it is BFCL's own turn index.
   */
  answer?: number;
  /** The record's id when `answer` is set (the id without `#<answer>`). */
  recordId?: string;
}

/** The one-line summary of a sample in the list (panel) and `itool inspect` (row.ts makes it). */
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

/** The id of answer `answer` of a record whose id is `recordId`. */
export const answerId = (recordId: string, answer: number): string => `${recordId}#${answer}`;

/** The key a run stores a sample under: its record index, and its answer when the record has several. */
export const sampleKey = (at: { index: number; answer?: number }): string => (at.answer === undefined ? String(at.index) : `${at.index}#${at.answer}`);

/** A sample's `answer` as a field of a record a run writes: present only for a record with several answers. */
export const answerField = (answer: number | undefined): { answer?: number } => (answer === undefined ? {} : { answer });

/** The prompt part of a sample: every turn before the reference answer. */
export function promptTurns(s: Sample): Turn[] {
  return s.referenceIndex < 0 ? s.turns : s.turns.slice(0, s.referenceIndex);
}

export function referenceTurn(s: Sample): Turn | undefined {
  return s.referenceIndex < 0 ? undefined : s.turns[s.referenceIndex];
}

/** Thrown by a format reader when a record does not have the shape its format requires. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/** A reader/writer for one dataset format. */
export interface DatasetFormat {
  id: FormatId;
  label: string;
  /**
   * How sure we are that this parsed record is of this format: 0 (no) .. 1 (certain).
   * Detection samples a few records and picks the format with the highest total.
   */
  sniff(record: unknown): number;
  /** Normalise one parsed record. Throws FormatError naming the reason when the shape is wrong. */
  read(record: unknown, index: number): Sample;
  /**
   * Build a record of this format from a sample. `base` is the record the sample was read from
   * when it is of this same format: its unknown fields and key order must survive, so that
   * `write(read(r), r)` is value-identical to `r`.
   */
  write(sample: Sample, base?: unknown): unknown;
}

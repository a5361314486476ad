// A reviewer's session over the review journal (reviewJournal.ts): every action (accept, reject, skip,
// edit, a bulk decision, a mark) goes to the journal through here, and is remembered as one undo
// step with what it changed — each pair's decision as it was before, the annotations it made — so
// that undo can put exactly that back. Undo is journaled like any action: restore entries that
// give each pair its earlier decision (or none), and retract entries for the marks, so a reload,
// another window and `itool review` all see the undone state. The steps themselves live as long as
// the session (a panel); the journal keeps the states.
import { applyDecision, sameDecision, type Annotation, type AnnotationInput, type DecisionEntry, type DecisionNote, type DecisionState, type EditEntry, type PairDecision } from './reviewEntries';
import type { ReviewJournal } from './reviewJournal';

export interface UndoStep {
  /** What the action was, for people: "accept", "reject 3 pairs", "edit", "mark". */
  label: string;
  /** Each pair the action changed, with its decision before it (null: none). */
  pairs: { pairId: string; before: PairDecision | null }[];
  /** The annotations the action made (undo retracts them). */
  annotations: string[];
  /** The pair to select once the action is undone (where the reviewer was). */
  select?: string;
}

export interface ActionOptions {
  /** The pair to select after undoing this action; default the first pair it changed. */
  select?: string;
  label?: string;
}

const VERB: Record<DecisionState, string> = { accepted: 'accept', rejected: 'reject', skipped: 'skip', pending: 'reset' };

export class ReviewSession {
  private readonly steps: UndoStep[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly journal: ReviewJournal,
    /** The most steps kept; older ones are forgotten (their states stay in the journal). */
    private readonly limit = 1000,
  ) {}

  /** How many actions can be undone. */
  get depth(): number {
    return this.steps.length;
  }

  /** The action undo would undo next. */
  peek(): UndoStep | undefined {
    return this.steps.at(-1);
  }

  /** One action at a time, in call order: each step's "before" is read after the previous action is written. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private push(step: UndoStep): void {
    this.steps.push(step);
    if (this.steps.length > this.limit) this.steps.splice(0, this.steps.length - this.limit);
  }

  /**
   * Decide `state` (with a rejection's reason and comment) for every id whose decision it changes,
   * in one write: one undo step for all of them. Ids it would not change are left out; nothing
   * changed, nothing written and no step. Resolves with the entries written.
   */
  decide(ids: readonly string[], state: DecisionState, note: DecisionNote = {}, opts: ActionOptions = {}): Promise<DecisionEntry[]> {
    return this.serial(async () => {
      const now = this.journal.state().decisions;
      const probe = (id: string): DecisionEntry => ({ type: 'decision', pairId: id, state, ...note, at: '' });
      const changing = [...new Set(ids)].filter((id) => !sameDecision(now.get(id), applyDecision(now.get(id), probe(id))));
      if (!changing.length) return [];
      const es = await this.journal.decideMany(changing, state, note);
      const step: UndoStep = {
        label: opts.label ?? (changing.length === 1 ? VERB[state] : `${VERB[state]} ${changing.length} pairs`),
        pairs: changing.map((pairId) => ({ pairId, before: now.get(pairId) ?? null })),
        annotations: [],
      };
      const select = opts.select ?? changing[0];
      if (select !== undefined) step.select = select;
      this.push(step);
      return es;
    });
  }

  /** Replace a pair's chosen continuation (an edit): one undo step. */
  edit(pairId: string, chosenText: string, opts: ActionOptions = {}): Promise<EditEntry> {
    return this.serial(async () => {
      const before = this.journal.state().decisions.get(pairId) ?? null;
      const e = await this.journal.edit(pairId, chosenText);
      this.push({ label: opts.label ?? 'edit', pairs: [{ pairId, before }], annotations: [], select: opts.select ?? pairId });
      return e;
    });
  }

  /** Mark a fragment error: one undo step, whose undo retracts the annotation. */
  annotate(input: AnnotationInput, opts: ActionOptions = {}): Promise<Annotation> {
    return this.serial(async () => {
      const a = await this.journal.annotate(input);
      const step: UndoStep = { label: opts.label ?? 'mark', pairs: [], annotations: [a.id] };
      if (opts.select !== undefined) step.select = opts.select;
      this.push(step);
      return a;
    });
  }

  /**
   * Undo the last action: its pairs get back their decisions from before it (restore entries, one
   * write), its annotations are retracted (an annotation retracted meanwhile is left as it is).
   * Resolves with the step undone, or undefined when there is nothing to undo. A step whose
   * journal write fails stays on the stack.
   */
  undo(): Promise<UndoStep | undefined> {
    return this.serial(async () => {
      const step = this.steps.at(-1);
      if (!step) return undefined;
      if (step.pairs.length) await this.journal.restore(step.pairs.map((p) => ({ pairId: p.pairId, to: p.before })));
      const live = new Set(this.journal.state().annotations.map((a) => a.id));
      for (const id of step.annotations) if (live.has(id)) await this.journal.retract(id);
      this.steps.pop();
      return step;
    });
  }
}

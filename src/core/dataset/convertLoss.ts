// What a conversion loses, record by record, and the report `itool convert` prints before its
// output takes the place of OUT. A record's loss is measured, not predicted: the record written in
// the target format is read back, and its normal form (normalForm.ts) is compared with the
// source's. Every difference is a loss of one kind below; what the target holds in its own fields
// is by definition not lost. Where the target keeps the source record in its side field
// (sideField.ts), the loss is "held in the side field only": the target's trainer does not see it,
// and converting back restores it.
import { isDeepStrictEqual } from 'node:util';
import type { FormatId } from './sample';
import type { NormalForm, NormalTurn } from './normalForm';

export type LossKind =
  | 'id'
  | 'system'
  | 'conversation'
  | 'answer_text'
  | 'reference'
  | 'calls'
  | 'call_text'
  | 'call_ids'
  | 'reasoning'
  | 'untrained'
  | 'tool_results'
  | 'user_text'
  | 'tools'
  | 'tools_given'
  | 'alternatives'
  | 'omittable'
  | 'ground_truth'
  | 'turn_answers'
  | 'accepted_texts'
  | 'turn_tools'
  | 'fields';

export const LOSS_LABELS: Record<LossKind, string> = {
  id: 'record ids',
  system: 'system prompts',
  conversation: 'conversation turns (merged, collapsed or cut)',
  answer_text: 'text answers',
  reference: 'which turn is the answer',
  calls: 'tool calls (names or arguments)',
  call_text: 'text beside tool calls',
  call_ids: 'tool call ids',
  reasoning: 'reasoning',
  untrained: 'assistant turns marked not trained on (loss_weight / weight 0)',
  tool_results: 'tool results',
  user_text: 'user turns',
  tools: 'tool schemas',
  tools_given: 'a stated empty tool list',
  alternatives: 'accepted alternatives (BFCL ground truth)',
  omittable: 'may-be-omitted markers "" (BFCL ground truth)',
  ground_truth: 'ground truth',
  turn_answers: 'ground truth per turn',
  accepted_texts: 'accepted text answers',
  turn_tools: 'tools per turn',
  fields: 'record fields the target has no place for',
};

export interface Loss {
  kind: LossKind;
  /** One line saying what, for the first records of the report. */
  detail: string;
}

const short = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);

function turnLosses(a: NormalTurn, b: NormalTurn, i: number, isAnswer: boolean, out: Loss[]): void {
  const at = `turn ${i + 1}`;
  if (a.role === 'user') {
    if (a.text !== b.text) out.push({ kind: 'user_text', detail: `${at}: ${short(a.text)} became ${short(b.text)}` });
    return;
  }
  if (a.role === 'tool_result') {
    if (a.text !== b.text || (a.name !== undefined && a.name !== b.name)) out.push({ kind: 'tool_results', detail: `${at}: ${short(a.text)} became ${short(b.text)}` });
    if (a.toolCallId !== undefined && a.toolCallId !== b.toolCallId) out.push({ kind: 'call_ids', detail: `${at}: answers call ${short(a.toolCallId)}, written ${b.toolCallId === undefined ? 'without one' : short(b.toolCallId)}` });
    return;
  }
  const strip = (cs: NormalTurn['calls']) => cs?.map((c) => ({ name: c.name, arguments: c.arguments }));
  if (!same(strip(a.calls), strip(b.calls))) {
    out.push({ kind: a.calls || !isAnswer ? 'calls' : 'answer_text', detail: `${at}: ${short(a.calls ?? a.text)} became ${short(b.calls ?? b.text)}` });
  } else if (a.text !== b.text) {
    out.push({ kind: a.calls ? 'call_text' : isAnswer ? 'answer_text' : 'conversation', detail: `${at}: ${short(a.text)} became ${short(b.text)}` });
  }
  const ids = (cs: NormalTurn['calls']) => cs?.map((c) => c.id);
  if (a.calls?.some((c) => c.id !== undefined) && !same(ids(a.calls), ids(b.calls))) out.push({ kind: 'call_ids', detail: `${at}: ${short(ids(a.calls))} became ${short(ids(b.calls))}` });
  if (a.reasoning !== undefined && a.reasoning !== b.reasoning) out.push({ kind: 'reasoning', detail: `${at}: ${short(a.reasoning)} ${b.reasoning === undefined ? 'dropped' : `became ${short(b.reasoning)}`}` });
  if (a.untrained && !b.untrained) out.push({ kind: 'untrained', detail: `${at}: not trained on in the source, an answer to train on once written` });
}

const isAccepted = (v: unknown): v is Record<string, unknown[]> => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(Array.isArray);

/** Ground truth as a target without it implies: its reference calls, one accepted value each. */
function impliedGroundTruth(nf: NormalForm): unknown[] | undefined {
  const calls = nf.answer < 0 ? undefined : nf.turns[nf.answer].calls;
  const accepted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(accepted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, [accepted(x)]])) : v;
  return calls?.map((c) => ({ [c.name]: Object.fromEntries(Object.entries(c.arguments).map(([k, v]) => [k, [accepted(v)]])) }));
}

/**
 * How one parameter's accepted values changed: alternatives gone, the "" (may be omitted) marker
 * gone, or something else; nested dicts of accepted values are compared key by key.
 */
function acceptedLoss(before: unknown[], after: unknown[], kinds: Set<LossKind>): void {
  if (same(before, after)) return;
  if (before.length === 1 && after.length === 1 && isAccepted(before[0]) && isAccepted(after[0])) {
    const a = before[0];
    const b = after[0];
    for (const [k, acc] of Object.entries(a)) acceptedLoss(acc, Array.isArray(b[k]) ? b[k] : [], kinds);
    if (Object.keys(b).some((k) => !(k in a))) kinds.add('ground_truth');
    return;
  }
  if (!after.every((y) => before.some((x) => same(x, y)))) {
    kinds.add('ground_truth');
    return;
  }
  if (before.includes('') && !after.includes('')) kinds.add('omittable');
  if (before.filter((x) => x !== '').length > after.filter((x) => x !== '').length) kinds.add('alternatives');
}

/** BFCL ground truth: which accepted values went (alternatives, "" markers) or what else changed. */
function groundTruthLosses(a: unknown, b: unknown, out: Loss[]): void {
  if (same(a, b)) return;
  const ea = Array.isArray(a) ? a : [];
  const eb = Array.isArray(b) ? b : [];
  if (b === undefined || ea.length !== eb.length) {
    out.push({ kind: 'ground_truth', detail: b === undefined ? 'ground truth dropped' : `${ea.length} expected call(s) became ${eb.length}` });
    return;
  }
  const kinds = new Set<LossKind>();
  const details: string[] = [];
  ea.forEach((e, k) => {
    const f = e !== null && typeof e === 'object' ? Object.entries(e as Record<string, unknown>) : [];
    const g = eb[k] !== null && typeof eb[k] === 'object' ? Object.entries(eb[k] as Record<string, unknown>) : [];
    if (f.length !== 1 || g.length !== 1 || f[0][0] !== g[0][0] || !isAccepted(f[0][1]) || !isAccepted(g[0][1])) {
      if (!same(f, g)) kinds.add('ground_truth');
      return;
    }
    const [fn, pa] = f[0] as [string, Record<string, unknown[]>];
    const pb = g[0][1] as Record<string, unknown[]>;
    for (const [p, acc] of Object.entries(pa)) {
      const here = new Set<LossKind>();
      acceptedLoss(acc, Array.isArray(pb[p]) ? pb[p] : [], here);
      if (here.size) details.push(`${fn}.${p}: ${short(acc)} became ${pb[p] === undefined ? 'nothing' : short(pb[p])}`);
      here.forEach((x) => kinds.add(x));
    }
    if (Object.keys(pb).some((p) => !(p in pa))) kinds.add('ground_truth');
  });
  const detail = details.slice(0, 2).join('; ') || 'ground truth changed';
  for (const kind of kinds) out.push({ kind, detail });
}

/**
 * What `target` lost of `source` (normal forms of one record before and after a conversion). Only
 * losses: what the target adds (call ids OpenAI needs, a synthesised ground truth) is not one.
 */
export function lossesBetween(source: NormalForm, target: NormalForm): Loss[] {
  const out: Loss[] = [];
  if (source.id !== undefined && source.id !== target.id) out.push({ kind: 'id', detail: `${short(source.id)} ${target.id === undefined ? 'not written' : `became ${short(target.id)}`}` });
  if (source.system !== target.system) out.push({ kind: 'system', detail: `${short(source.system)} became ${short(target.system)}` });
  const a = source.turns;
  const b = target.turns;
  if (a.length === b.length && a.every((t, i) => t.role === b[i].role)) {
    a.forEach((t, i) => turnLosses(t, b[i], i, i === source.answer, out));
    if (source.answer !== target.answer) out.push({ kind: 'reference', detail: `the answer was turn ${source.answer + 1}, is ${target.answer < 0 ? 'none' : `turn ${target.answer + 1}`}` });
  } else {
    // Only the answer gone (xLAM, BFCL cannot hold a text answer) is not a change of the conversation.
    const withoutAnswer = a.filter((_, i) => i !== source.answer);
    if (source.answer < 0 || !same(withoutAnswer, b)) {
      out.push({ kind: 'conversation', detail: `${a.length} turn(s) (${a.map((t) => t.role[0]).join('')}) became ${b.length} (${b.map((t) => t.role[0]).join('')})` });
    }
    // The answer still stands when the target's answer says the same.
    const ra = source.answer < 0 ? undefined : a[source.answer];
    const rb = target.answer < 0 ? undefined : b[target.answer];
    if (ra && !(rb && same(ra, rb))) turnLosses(ra, rb ?? { role: 'assistant', text: '' }, source.answer, true, out);
  }
  if (!same(source.tools, target.tools)) out.push({ kind: 'tools', detail: toolDetail(source, target) });
  // "No tools" said explicitly (LLaMA-Factory `"tools": "[]"`, xLAM's required field) is lost where the
  // target cannot say it; a target that says it without being asked (ToolACE's prompt) loses nothing.
  if (source.toolsGiven === true && source.tools.length === 0 && target.toolsGiven !== true) {
    out.push({ kind: 'tools_given', detail: 'an empty tool list not written' });
  }
  if (source.possibleAnswers !== undefined) groundTruthLosses(source.possibleAnswers, target.possibleAnswers ?? impliedGroundTruth(target), out);
  if (source.possibleAnswersByTurn !== undefined && !same(source.possibleAnswersByTurn, target.possibleAnswersByTurn)) out.push({ kind: 'turn_answers', detail: 'ground truth per turn not held' });
  if (source.acceptedTexts !== undefined && !same(source.acceptedTexts, target.acceptedTexts)) out.push({ kind: 'accepted_texts', detail: `${short(source.acceptedTexts)} not held` });
  if (source.toolsByTurn !== undefined && !same(source.toolsByTurn, target.toolsByTurn)) out.push({ kind: 'turn_tools', detail: 'tools offered per turn not held' });
  if (source.extraFields.length > 0) out.push({ kind: 'fields', detail: source.extraFields.map((f) => JSON.stringify(f)).join(', ') });
  // One entry per kind: a record counts once per kind.
  const seen = new Set<LossKind>();
  return out.filter((l) => !seen.has(l.kind) && seen.add(l.kind));
}

function toolDetail(source: NormalForm, target: NormalForm): string {
  const types = (v: unknown, acc: Set<string>): Set<string> => {
    if (Array.isArray(v)) v.forEach((x) => types(x, acc));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'type' && typeof x === 'string') acc.add(x);
        else types(x, acc);
      }
    }
    return acc;
  };
  const after = types(target.tools, new Set());
  const gone = [...types(source.tools, new Set())].filter((t) => !after.has(t));
  if (gone.length) return `types ${gone.map((t) => JSON.stringify(t)).join(', ')} not written as such`;
  if (source.tools.length !== target.tools.length) return `${source.tools.length} tool(s) became ${target.tools.length}`;
  return 'schemas differ';
}

// ---- the report ------------------------------------------------------------------------------

export interface LossExample {
  line: number;
  id: string;
  detail: string;
}

export interface LossCount {
  kind: LossKind;
  label: string;
  /** Records with this loss. */
  records: number;
  examples: LossExample[];
}

export interface LossReport {
  source: FormatId;
  target: FormatId;
  /** Records converted (written). */
  records: number;
  /** Records that lost something (any kind in `dropped`). */
  lossyRecords: number;
  /** Records whose side field keeps what their own fields do not hold. */
  sideFieldRecords: number;
  /** Lost from the file: the target has no field for it and no side field to keep it in. */
  dropped: LossCount[];
  /** In the side field only: the target's own fields do not hold it; converting back restores it. */
  sideField: LossCount[];
  /** Records whose side field no longer matched what they say (edited since): converted from what they say. */
  stale: LossExample[];
  /** How many such records (`stale` lists the first few). */
  staleCount: number;
}

/** How many records of each kind the report lists as examples. */
export const REPORT_EXAMPLES = 3;

export class LossTally {
  private readonly dropped = new Map<LossKind, LossCount>();
  private readonly side = new Map<LossKind, LossCount>();
  private readonly stale: LossExample[] = [];
  private staleCount = 0;
  records = 0;
  private lossyRecords = 0;
  private sideFieldRecords = 0;

  constructor(
    readonly source: FormatId,
    readonly target: FormatId,
  ) {}

  add(losses: readonly Loss[], where: { line: number; id: string }, inSideField: boolean): void {
    const into = inSideField ? this.side : this.dropped;
    if (losses.length) {
      if (inSideField) this.sideFieldRecords++;
      else this.lossyRecords++;
    }
    for (const l of losses) {
      let c = into.get(l.kind);
      if (!c) into.set(l.kind, (c = { kind: l.kind, label: LOSS_LABELS[l.kind], records: 0, examples: [] }));
      c.records++;
      if (c.examples.length < REPORT_EXAMPLES) c.examples.push({ ...where, detail: l.detail });
    }
  }

  addStale(where: { line: number; id: string }): void {
    this.staleCount++;
    if (this.stale.length < REPORT_EXAMPLES) this.stale.push({ ...where, detail: 'changed since it was converted: its side field is not used' });
  }

  get lossy(): boolean {
    return this.dropped.size > 0;
  }

  report(): LossReport {
    const order = (m: Map<LossKind, LossCount>) => [...m.values()].sort((x, y) => Object.keys(LOSS_LABELS).indexOf(x.kind) - Object.keys(LOSS_LABELS).indexOf(y.kind));
    return { source: this.source, target: this.target, records: this.records, lossyRecords: this.lossyRecords, sideFieldRecords: this.sideFieldRecords, dropped: order(this.dropped), sideField: order(this.side), stale: this.stale, staleCount: this.staleCount };
  }
}

/** The report as `itool convert` prints it (empty when nothing is lost or held aside). */
export function formatLossReport(r: LossReport, labels: Record<FormatId, string>, sideField: string): string {
  const lines: string[] = [];
  const list = (counts: LossCount[]) => {
    for (const c of counts) {
      lines.push(`  ${c.label}: ${c.records} record(s)`);
      for (const e of c.examples) lines.push(`    line ${e.line} (id ${JSON.stringify(e.id)}): ${e.detail}`);
    }
  };
  if (r.dropped.length) {
    lines.push(`lost converting ${labels[r.source]} to ${labels[r.target]}: ${r.lossyRecords} of ${r.records} record(s) (${labels[r.target]} has no place for it):`);
    list(r.dropped);
  }
  if (r.sideField.length) {
    lines.push(`held only in the "${sideField}" field of ${r.sideFieldRecords} of ${r.records} record(s) (${labels[r.target]}'s own fields cannot hold it; converting back restores it):`);
    list(r.sideField);
  }
  if (r.staleCount) {
    lines.push(`${r.staleCount} record(s) changed since they were converted: converted from what they hold now, their "${sideField}" field not used:`);
    for (const e of r.stale) lines.push(`    line ${e.line} (id ${JSON.stringify(e.id)})`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

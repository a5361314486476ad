// BFCL: question record {"id", "question": [[{role, content}]], "function": [...]} plus, in a
// sibling possible_answer/ file, {"id", "ground_truth": [{fn: {param: [accepted values]}}]}.
// The question holds no answer: the reference turn is synthesised from the ground truth by
// attachPossibleAnswers, and is never written back into the question record.
// Records that name classes instead of listing `function` (multi-turn, memory, web_search) take
// their tools from the class docs beside the file: bfclMultiTurn.ts, with bfclFiles.ts.
import type { DatasetFormat, PossibleAnswer, Sample, ToolCall, ToolDef, Turn, TurnRole } from '../sample';
import { decodePythonCalls, encodePythonCalls, setKey } from '../pythonCalls';
import { copyNumberForm, copyNumberForms } from '../numberForm';
import type { BfclFiles } from './bfclFiles';
import { acceptedForm, attachClassAnswers, readClassRecord, toolsFromDocs } from './bfclMultiTurn';
import { callText, clone, fail, isObj, makeSample, mergeList, needArray, needObj, needString, pythonicTools, resultPayload, sameValue, toolDef, toolObject, type Obj } from './common';
import { systemPrompt } from './embedded';

// A Map, not an object literal: a role of "constructor" must not find Object.prototype's.
const ROLES = new Map<string, TurnRole>([['system', 'system'], ['user', 'user'], ['assistant', 'assistant'], ['tool', 'tool_result']]);
const ROLE_OUT: Record<TurnRole, string> = { system: 'system', user: 'user', assistant: 'assistant', tool_result: 'tool' };

/** The messages of `question`, flattened, with their paths (BFCL nests one list per user turn). */
function flatten(q: unknown): { msg: unknown; path: string }[] {
  return needArray(q, 'question').flatMap((inner, i) =>
    Array.isArray(inner) ? inner.map((msg, k) => ({ msg, path: `question[${i}][${k}]` })) : [{ msg: inner, path: `question[${i}]` }]);
}

function readMessage(v: unknown, path: string): Turn {
  const m = needObj(v, path);
  const r = needString(m.role, `${path}.role`);
  const role = ROLES.get(r) ?? fail(`${path}.role is ${JSON.stringify(r)}, expected system|user|assistant|tool`);
  const turn: Turn = { role, content: needString(m.content, `${path}.content`) };
  if (role === 'assistant') {
    const calls = decodePythonCalls(turn.content);
    if (calls) turn.calls = calls;
  }
  return turn;
}

const readTools = (v: unknown): ToolDef[] => needArray(v, 'function').map((t, i) => toolDef(t, `function[${i}]`));

// ---- possible answers ------------------------------------------------------------------------

/** Ground truth nests dicts as {key: [accepted]}; a plain value is taken as it is. */
const isAcceptedDict = (v: unknown): v is Record<string, unknown[]> => isObj(v) && Object.values(v).every(Array.isArray);

/** The first accepted value that is not "" ("" means "may be omitted"), resolved recursively. */
function firstAccepted(accepted: readonly unknown[]): { value: unknown; at: number } | undefined {
  const i = accepted.findIndex((a) => a !== '');
  return i < 0 ? undefined : { value: resolve(accepted[i]), at: i };
}
// Numbers keep their written form (`2.0`) through here: numberForm.ts.
function resolve(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(resolve);
    copyNumberForms(v, out);
    return out;
  }
  if (!isAcceptedDict(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, acc] of Object.entries(v)) {
    const hit = firstAccepted(acc);
    if (hit) {
      setKey(out, k, hit.value);
      copyNumberForm(acc, hit.at, out, k);
    }
  }
  return out;
}

/** One call per ground-truth entry, each parameter at its first accepted value. */
export function callsFromGroundTruth(gt: readonly PossibleAnswer[]): ToolCall[] {
  return gt.flatMap((entry) => Object.entries(entry).map(([name, params]) => ({ name, arguments: resolve(params) as Record<string, unknown> })));
}

/**
 * Attach a possible_answer record (or its `ground_truth` list) to a BFCL sample: sets
 * `possibleAnswers` and appends the synthetic reference turn. Mutates and returns `sample`. A record
 * that names classes takes its own ground-truth shapes (bfclMultiTurn.ts); a malformed one throws
 * FormatError naming the record.
 */
export function attachPossibleAnswers(sample: Sample, groundTruth: readonly unknown[] | { ground_truth: unknown[] }): Sample {
  const raw = Array.isArray(groundTruth) ? groundTruth : (groundTruth as { ground_truth: unknown[] }).ground_truth;
  if (sample.bfclSource) return attachClassAnswers(sample, raw);
  const gt = raw as PossibleAnswer[];
  if (sample.possibleAnswers && sample.referenceIndex === sample.turns.length - 1) sample.turns.pop();
  sample.possibleAnswers = gt as PossibleAnswer[];
  const calls = callsFromGroundTruth(gt);
  if (calls.length === 0) {
    sample.referenceIndex = -1;
    return sample;
  }
  sample.turns.push({ role: 'assistant', content: encodePythonCalls(calls), calls });
  sample.referenceIndex = sample.turns.length - 1;
  return sample;
}

/**
 * Ground truth for a sample converted from another format (its reference calls, one accepted
 * value each), for the possible_answer file beside a written question file. An argument whose
 * value is "" cannot be expressed (BFCL reads [""] as "may be omitted").
 */
export function bfclGroundTruth(sample: Sample): PossibleAnswer[] | undefined {
  if (sample.possibleAnswers) return sample.possibleAnswers;
  const ref = sample.referenceIndex < 0 ? undefined : sample.turns[sample.referenceIndex];
  if (!ref?.calls?.length) return undefined;
  const one = (args: object, k: string, v: unknown): unknown[] => {
    const accepted = [acceptedForm(v)];
    copyNumberForm(args, k, accepted, 0); // `2.0` stays 2.0 (numberForm.ts)
    return accepted;
  };
  return ref.calls.map((c) => ({ [c.name]: Object.fromEntries(Object.entries(c.arguments).map(([k, v]) => [k, one(c.arguments, k, v)])) }));
}

/**
 * The `ground_truth` to write beside a BFCL question record for `sample`: a record that names
 * classes gets its ground truth back exactly as it was read (call strings per turn, accepted
 * texts), any other sample its possible answers (or ones built from its reference calls).
 */
export function bfclAnswerOf(sample: Sample): unknown[] | undefined {
  if (sample.bfclSource) return sample.bfclSource.groundTruth;
  return bfclGroundTruth(sample);
}

/** Read a BFCL record, with the side files of its question file when it was opened from disk (bfclFiles.ts). */
export function readBfcl(record: unknown, index: number, files?: BfclFiles): Sample {
  const rec = needObj(record, 'record');
  if (!Array.isArray(rec.function) && Array.isArray(rec.involved_classes)) return readClassRecord(rec, index, files, readMessage);
  const turns = flatten(rec.question).map(({ msg, path }) => readMessage(msg, path));
  if (turns.length === 0) fail('question is empty');
  const sample = makeSample('bfcl', rec, index, turns, readTools(rec.function));
  sample.referenceIndex = -1; // assistant turns in the question are history, not the answer
  const gt = files?.answers?.get(sample.id);
  return gt ? attachPossibleAnswers(sample, gt) : sample;
}

// ---- the format ------------------------------------------------------------------------------

export const bfcl: DatasetFormat = {
  id: 'bfcl',
  label: 'BFCL (Berkeley Function Calling Leaderboard)',

  sniff(record) {
    if (!isObj(record) || !Array.isArray(record.question)) return 0;
    const nested = Array.isArray(record.question[0]);
    if (Array.isArray(record.function)) return nested ? 1 : 0.7;
    if (Array.isArray(record.involved_classes)) return nested ? 0.9 : 0.5;
    return 0.3;
  },

  read: (record, index) => readBfcl(record, index),

  write(sample, base) {
    const rec: Obj = isObj(base) ? clone(base) : {};
    const same = sample.format === 'bfcl';
    if (!isObj(base)) rec.id = sample.id;
    // The reference (synthetic here, or another format's answer) belongs to possible_answer, and
    // so does every answer turn of a record that names classes (all synthesised from it).
    const answers = new Set([sample.referenceIndex, ...(sample.bfclSource ? Object.keys(sample.possibleAnswersByTurn ?? {}).map(Number) : [])]);
    let turns = sample.turns.filter((_, i) => !answers.has(i));
    if (!same) {
      const prompt = systemPrompt(sample);
      turns = [...(prompt ? [{ role: 'system' as const, content: prompt }] : []), ...turns.filter((t) => t.role !== 'system')];
      turns = turns.map((t) => (t.role === 'tool_result' ? { ...t, content: resultPayload(sample, t) } : t));
    }
    const old = 'question' in rec ? flatten(rec.question) : [];
    const msgs = mergeList(turns, old.map((o) => o.msg), (b, i) => readMessage(b, `question[${i}]`), (t, b) => {
      const o: Obj = isObj(b) ? clone(b) : {};
      o.role = ROLE_OUT[t.role];
      o.content = t.role === 'assistant' ? callText(sample, t, 'bfcl', decodePythonCalls, encodePythonCalls) : t.content;
      return o;
    });
    // Keep the base's nesting (one inner list per user turn) when the message count still fits.
    const shape = Array.isArray(rec.question) ? rec.question.map((q) => (Array.isArray(q) ? q.length : -1)) : [];
    if (shape.length > 0 && !shape.includes(-1) && shape.reduce((a, b) => a + b, 0) === msgs.length) {
      let at = 0;
      rec.question = shape.map((n) => msgs.slice(at, (at += n)));
    } else rec.question = shape.length > 0 && shape.every((n) => n === -1) ? msgs : [msgs];
    if (sample.bfclSource && isObj(base) && !('function' in rec)) {
      // The tools are the class docs beside the file: the question record does not hold them.
      if (!toolsFromDocs(sample.tools, sample.bfclSource, sameValue)) fail(`${sample.id}: its tools are the class docs in multi_turn_func_doc/, which cannot be edited through the question record`);
      return rec;
    }
    let oldTools: ToolDef[] | undefined;
    try {
      oldTools = readTools(rec.function);
    } catch {
      oldTools = undefined;
    }
    if (!oldTools || !sameValue(oldTools, sample.tools)) {
      const tools = same ? sample.tools : pythonicTools(sample.tools);
      rec.function = tools.map((t, i) => toolObject(t, Array.isArray(rec.function) ? rec.function[i] : undefined));
    }
    return rec;
  },
};

// BFCL records that name classes instead of listing their tools (no `function`, but
// `involved_classes`): multi-turn (base, miss_func, miss_param, long_context) and the agentic
// memory and web_search categories. Their tools are the class docs beside the file
// (bfclFiles.ts); their answers are
//   multi-turn: one list of Python call strings per BFCL turn (`[["cd(folder='x')"], [], ...]`),
//   agentic:    the accepted final answers in text (`["35", "thirty five"]`).
//
// A multi-turn record becomes one conversation: user messages of turn 0, the ground-truth calls
// of turn 0 as an assistant turn, user messages of turn 1, ... (an empty inner question list, where
// miss_func gives withheld functions back, adds no user message but still has its answer turn).
// Each answer turn is judged (`possibleAnswersByTurn`), so answers.ts yields one sample per BFCL
// turn, `ID#k` with k the BFCL turn index. BFCL runs the calls and shows the model their results
// before the next step; without executing them the results are unknown, so the prompt holds no
// tool-result turns, only the calls. A sample's tools are what the model is offered at its answer
// turn: a function withheld by `missed_function` is absent before the turn that gives it back (as
// BFCL adds it to the tool list there), so an answer sample of an earlier turn does not list it.
import { copyNumberForm, copyNumberForms } from '../numberForm';
import { pickAnswer } from '../answers';
import { encodePythonCalls, parsePythonLiteral, setKey } from '../pythonCalls';
import type { BfclSource, PossibleAnswer, Sample, ToolCall, ToolDef, Turn } from '../sample';
import type { BfclFiles } from './bfclFiles';
import { fail, isObj, needArray, needString, recordId, type Obj } from './common';

/** BFCL's own rule (bfcl_eval utils.is_agentic): memory and web_search ids are judged by their text answer. */
export const isAgenticId = (id: string): boolean => id.includes('memory') || id.includes('web_search');

// ---- call strings ------------------------------------------------------------------------------

/** The top-level comma-separated pieces of an argument list (commas inside strings or brackets stay). */
function splitArgs(s: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) return undefined;
  }
  if (quote || depth !== 0) return undefined;
  out.push(s.slice(start));
  // A trailing comma (`f(a=1,)`) leaves an empty last piece; Python accepts it.
  if (out.length > 1 && !out[out.length - 1].trim()) out.pop();
  return out.length === 1 && !out[0].trim() ? [] : out;
}

/**
 * One ground-truth call string (`mv(source='a', destination='b')`, `sort('final_report.pdf')`) as a
 * call with named arguments: a positional argument takes the name of the parameter at its position
 * in the function doc (BFCL executes these strings as Python, where that is what they mean).
 */
export function parseCallString(text: string, tools: readonly ToolDef[]): ToolCall | string {
  const m = /^\s*([A-Za-z_][\w.]*)\s*\(([\s\S]*)\)\s*$/.exec(text);
  if (!m) return 'is not a Python call';
  const [, name, inner] = m;
  const pieces = splitArgs(inner);
  if (!pieces) return 'has unbalanced quotes or brackets';
  const args: Record<string, unknown> = {};
  const order = Object.keys((tools.find((t) => t.name === name)?.parameters?.properties as Obj | undefined) ?? {});
  let position = 0;
  for (const piece of pieces) {
    const kw = /^\s*([A-Za-z_]\w*)\s*=(?!=)([\s\S]*)$/.exec(piece);
    const value = parsePythonLiteral(kw ? kw[2] : piece);
    if (value === undefined) return `has an argument that is not a Python literal: ${piece.trim().slice(0, 60)}`;
    if (kw) {
      setKey(args, kw[1], value);
      continue;
    }
    const param = order[position];
    if (param === undefined) return `has positional argument ${position + 1}, and \`${name}\` ${order.length ? `has only ${order.length} parameter(s) in its doc` : 'is not among the tools'} to name it`;
    setKey(args, param, value);
    position++;
  }
  return { name, arguments: args };
}

/** A plain value in possible-answer form (nested dicts as `{key: [accepted]}`), one accepted value. */
export const acceptedForm = (v: unknown): unknown => {
  // Numbers keep their written form (`2.0`) through here: numberForm.ts.
  if (Array.isArray(v)) {
    const out = v.map(acceptedForm);
    copyNumberForms(v, out);
    return out;
  }
  if (!isObj(v)) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => {
      const accepted = [acceptedForm(x)];
      copyNumberForm(v, k, accepted, 0);
      return [k, accepted];
    }),
  );
};

/**
 * The possible answer of one ground-truth call: each written argument at its one value. An
 * optional parameter of the doc that the call leaves out accepts its documented default or
 * omission (BFCL's single-turn answers list `""` and the default the same way; BFCL judges
 * multi-turn by the resulting state, where writing the default changes nothing).
 */
function possibleAnswerOf(call: ToolCall, tools: readonly ToolDef[]): PossibleAnswer {
  const params: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(call.arguments)) setKey(params, k, [acceptedForm(v)]);
  const p = tools.find((t) => t.name === call.name)?.parameters;
  const props = isObj(p?.properties) ? p.properties : {};
  const required = Array.isArray(p?.required) ? p.required : [];
  for (const [k, schema] of Object.entries(props)) {
    if (Object.hasOwn(params, k) || required.includes(k) || !isObj(schema) || !Object.hasOwn(schema, 'default')) continue;
    setKey(params, k, [acceptedForm(schema.default), '']);
  }
  return { [call.name]: params };
}

// ---- reading -----------------------------------------------------------------------------------

/** The tools offered at BFCL turn `turn`: withheld functions appear from the turn that gives them back. */
function toolsAt(src: BfclSource, turn: number): ToolDef[] {
  const w = src.withheld;
  return w ? src.tools.filter((t) => !(Object.hasOwn(w, t.name) && w[t.name] > turn)) : src.tools;
}

const strings = (v: unknown, path: string): string[] => needArray(v, path).map((x, i) => needString(x, `${path}[${i}]`));

/**
 * Read a record that names classes. Without side files (the format's plain `read`) there is no
 * way to know its tools, so it fails saying where they would be found.
 */
export function readClassRecord(rec: Obj, index: number, files: BfclFiles | undefined, readMessage: (v: unknown, path: string) => Turn): Sample {
  const id = recordId(rec, index);
  const classes = strings(rec.involved_classes, 'involved_classes');
  if (!files) fail(`has no \`function\`: its tools are the docs of ${classes.join(', ')} in multi_turn_func_doc/, read only when the file is opened from disk`);
  const tools: ToolDef[] = [];
  for (const cls of classes) {
    const d = files!.classDocs(cls);
    if (!d.ok) fail(`cannot list its tools: ${d.reason}`);
    else tools.push(...d.tools);
  }
  // `excluded_function` names functions the task is written without. (BFCL's current runner loads
  // every doc of the class and leaves this field unread; no ground truth calls an excluded function.)
  const excluded = rec.excluded_function === undefined ? [] : strings(rec.excluded_function, 'excluded_function');
  const question = needArray(rec.question, 'question');
  const turnSizes = question.map((inner, i) => needArray(inner, `question[${i}]`).length);
  const messages = question.flatMap((inner, i) => (inner as unknown[]).map((m, k) => readMessage(m, `question[${i}][${k}]`)));
  if (question.length === 0) fail('question is empty');
  const src: BfclSource = { kind: isAgenticId(id) ? 'agentic' : 'multi_turn', turnSizes, tools: tools.filter((t) => !excluded.includes(t.name)) };
  if (rec.missed_function !== undefined) {
    const missed = rec.missed_function;
    if (!isObj(missed)) fail('missed_function is not an object of turn → function names');
    const withheld: Record<string, number> = {};
    for (const [turn, names] of Object.entries(missed as Obj)) {
      const t = Number(turn);
      if (!Number.isInteger(t) || t < 0 || t >= question.length) fail(`missed_function names turn ${JSON.stringify(turn)}, and question has turns 0..${question.length - 1}`);
      for (const n of strings(names, `missed_function[${JSON.stringify(turn)}]`)) setKey(withheld, n, t);
    }
    src.withheld = withheld;
  }
  const sample: Sample = { id, index, format: 'bfcl', turns: messages, referenceIndex: -1, tools: toolsAt(src, question.length - 1), bfclSource: src };
  const gt = files!.answers?.get(id);
  return gt ? attachClassAnswers(sample, gt, files!.answersFile) : sample;
}

/** The turns of `s` that come from its question record (not synthesised from the ground truth). */
function questionTurns(s: Sample): Turn[] {
  const synthetic = new Set(Object.keys(s.possibleAnswersByTurn ?? {}).map(Number));
  if (s.acceptedTexts !== undefined && s.referenceIndex >= 0) synthetic.add(s.referenceIndex);
  return s.turns.filter((_, i) => !synthetic.has(i));
}

/**
 * Attach a class record's ground truth (see the file comment): mutates `s` into the record's own
 * sample with its answers (its last answer the reference). `where` names the answer file in errors.
 */
export function attachClassAnswers(s: Sample, gt: readonly unknown[], where = 'possible_answer'): Sample {
  const src = s.bfclSource!;
  const own = questionTurns(s);
  const at = `${where}: ground_truth of ${JSON.stringify(s.recordId ?? s.id)}`;
  const out: Sample = { id: s.recordId ?? s.id, index: s.index, format: 'bfcl', turns: [], referenceIndex: -1, tools: s.tools, bfclSource: { ...src, groundTruth: [...gt] } };
  if (src.kind === 'agentic') {
    // Memory and web_search: the reference is the first accepted answer, said in text.
    const texts = gt.map((x, i) => (typeof x === 'string' ? x : fail(`${at}[${i}] is not a string (memory and web_search accept text answers)`)));
    out.turns = [...own];
    if (texts.length) {
      out.turns.push({ role: 'assistant', content: texts[0] });
      out.referenceIndex = out.turns.length - 1;
    }
    out.acceptedTexts = texts;
    out.tools = src.tools;
  } else {
    if (gt.length !== src.turnSizes.length) fail(`${at} has ${gt.length} answer turn(s), and question has ${src.turnSizes.length}`);
    const byTurn: Record<number, PossibleAnswer[]> = {};
    const toolsByTurn: Record<number, ToolDef[]> = {};
    let next = 0;
    src.turnSizes.forEach((size, t) => {
      out.turns.push(...own.slice(next, next + size));
      next += size;
      const tools = toolsAt(src, t);
      const calls = strings(gt[t], `${at}[${t}]`).map((text, k) => {
        const c = parseCallString(text, src.tools);
        return typeof c === 'string' ? fail(`${at}[${t}][${k}] ${JSON.stringify(text.slice(0, 80))} ${c}`) : c;
      });
      // A turn whose ground truth is [] expects no call: its answer turn is empty text.
      out.turns.push(calls.length ? { role: 'assistant', content: encodePythonCalls(calls), calls } : { role: 'assistant', content: '' });
      const j = out.turns.length - 1;
      byTurn[j] = calls.map((c) => possibleAnswerOf(c, src.tools));
      if (tools.length !== src.tools.length) toolsByTurn[j] = tools;
    });
    out.referenceIndex = out.turns.length - 1;
    out.possibleAnswers = byTurn[out.referenceIndex];
    out.possibleAnswersByTurn = byTurn;
    if (Object.keys(toolsByTurn).length) out.toolsByTurn = toolsByTurn;
    out.tools = toolsAt(src, src.turnSizes.length - 1);
  }
  // The caller's object becomes the new sample; one answer's sample stays that answer's.
  const result = s.answer === undefined ? out : (pickAnswer(out, s.answer) ?? out);
  for (const k of Object.keys(s)) delete (s as unknown as Obj)[k];
  return Object.assign(s, result);
}

/** Whether `tools` are all functions of the record's class docs (every turn's list is). */
export const toolsFromDocs = (tools: readonly ToolDef[], src: BfclSource, same: (a: unknown, b: unknown) => boolean): boolean =>
  tools.every((t) => src.tools.some((d) => same(d, t)));

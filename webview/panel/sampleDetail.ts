// The detail view of one sample: the conversation (reference answer marked; in a record with
// several answers each answer turn marked with the id of the sample it makes; a turn's reasoning
// folded and muted above its text), the tool set as collapsible schemas, the reference calls
// readably, what calibration scores ("Scored as", scoredAsView.ts), BFCL possible answers, and the
// raw record.
// All dataset text is set with textContent (see dom.ts).
import { boundaryBefore, clipText } from '../../src/core/chars';
import { el, pretty, text } from '../shared/dom';
import type { Sample, ToolCall, Turn } from '../../src/core/dataset/sample';
import type { AnswerRef, JudgedOutput, SampleSearch } from './protocol';
import { renderSearch } from './searchView';
import { renderVerdict } from './verdictView';
import { scoredAsPlaceholder } from './scoredAsView';

const ROLE_LABEL: Record<Turn['role'], string> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool_result: 'Tool result',
};

/** System prompts longer than this start folded. */
const LONG_SYSTEM = 400;

export function renderEmpty(container: HTMLElement, message: string): void {
  container.replaceChildren(text('p', 'empty', message));
}

export function renderProblem(container: HTMLElement, index: number, reason: string, rawText: string): void {
  container.replaceChildren(
    el('h2', { class: 'detail-title' }, `Record ${index + 1} could not be read`),
    text('p', 'problem-text', reason),
    rawSection(rawText, true),
  );
}

/** A reasoning preview in the folded summary is cut here. */
const REASONING_PREVIEW = 120;

export function renderSample(container: HTMLElement, s: Sample, line: number, rawText: string, outputs?: JudgedOutput[], search?: SampleSearch, answers?: AnswerRef[]): void {
  const reference = s.referenceIndex >= 0 ? s.turns[s.referenceIndex] : undefined;
  const answerAt = new Map((answers ?? []).map((a) => [a.turn, a.id]));
  const answerNote = answerAt.size > 1 ? ` · ${answerAt.size} answers (${answers![0].id} … ${answers![answers!.length - 1].id})` : '';
  const parts: (HTMLElement | null)[] = [
    el(
      'header',
      { class: 'detail-header' },
      el('h2', { class: 'detail-title' }, `Sample ${s.id}`),
      text('span', 'meta', `record ${s.index + 1} · line ${line} · ${s.tools.length} tool(s) · ${s.turns.length} turn(s)${answerNote}`),
    ),
    outputs?.length
      ? section(`Model output${outputs.length > 1 ? `s (${outputs.length})` : ''}`, 'outputs', ...outputs.map((o) => markable(renderVerdict(o.output, o.verdict, `predictions line ${o.line}`), '.output-text', 'prediction', s.index)))
      : null,
    section('Reference answer', 'reference', referenceBlock(reference)),
    // What calibration and search score for it: filled in when the host has rendered it (main.ts).
    scoredAsPlaceholder(),
    search ? section('Search (MCTS)', 'search-section', renderSearch(search)) : null,
    section(
      `Conversation (${s.turns.length}${answerAt.size > 1 ? ` turns, ${answerAt.size} answers` : ''})`,
      'conversation',
      ...s.turns.map((t, i) => (i === s.referenceIndex ? markable(turnBlock(t, true, answerAt.get(i)), '.turn-text', 'reference', s.index) : turnBlock(t, false, answerAt.get(i)))),
    ),
    section(`Tools (${s.tools.length})`, 'tools', ...toolBlocks(s)),
    s.possibleAnswers ? section('Possible answers (BFCL)', 'possible', possibleAnswers(s)) : null,
    rawSection(rawText, false),
  ];
  container.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}

/** Let the user select text in this response and mark it as a fragment error (M, see fragmentMark.ts). */
function markable(box: HTMLElement, selector: string, source: 'prediction' | 'reference', index: number): HTMLElement {
  const pre = box.querySelector<HTMLElement>(selector);
  if (pre) {
    pre.dataset.fragmentSource = source;
    pre.dataset.index = String(index);
    pre.title = 'Select a faulty fragment and press M to mark it as an error';
  }
  return box;
}

function section(title: string, cls: string, ...body: (Node | null)[]): HTMLElement {
  return el('section', { class: `detail-section ${cls}`, 'aria-label': title }, el('h3', {}, title), ...body);
}

function referenceBlock(ref: Turn | undefined): HTMLElement {
  if (!ref) return text('p', 'empty', 'No reference answer (the model should not call a tool, or the answer file is missing).');
  if (ref.calls && ref.calls.length) {
    return el('div', { class: 'calls' }, ...ref.calls.map(callBlock));
  }
  return text('pre', 'turn-text', ref.content);
}

function callBlock(c: ToolCall): HTMLElement {
  const args = Object.entries(c.arguments);
  return el(
    'div',
    { class: 'call' },
    text('span', 'call-name', c.name),
    args.length === 0
      ? text('span', 'call-noargs', '()')
      : el(
          'table',
          { class: 'call-args' },
          ...args.map(([k, v]) => el('tr', {}, text('td', 'arg-key', k), text('td', 'arg-value', typeof v === 'string' ? JSON.stringify(v) : pretty(v)))),
        ),
  );
}

/**
 * One turn. `answerId` is the id of the sample this turn is the answer of, when the record holds
 * several answers (the record's own reference is its last one).
 */
function turnBlock(t: Turn, isReference: boolean, answerId?: string): HTMLElement {
  const box = el('div', { class: `turn role-${t.role}${isReference ? ' is-reference' : ''}${answerId !== undefined ? ' is-answer' : ''}` });
  const label = ROLE_LABEL[t.role] + (t.name ? ` · ${t.name}` : '') + (isReference ? ' · reference answer' : '');
  const role = text('div', 'turn-role', label);
  if (answerId !== undefined) {
    const tag = text('span', 'answer-id', answerId);
    tag.title = `This turn is the answer of sample ${answerId}: calibration, search and checks see it with every turn before it as the prompt`;
    role.append(' ', tag);
  }
  box.append(role);
  if (t.reasoning) box.append(reasoningBlock(t.reasoning));
  if (t.calls && t.calls.length) box.append(el('div', { class: 'calls' }, ...t.calls.map(callBlock)));
  if (t.content && !(t.calls && t.calls.length)) {
    // Long system prompts (often a whole tool list as JSON) fold so the conversation stays in view.
    if (t.role === 'system' && t.content.length > LONG_SYSTEM) {
      box.append(el('details', { class: 'turn-fold' }, el('summary', {}, `${t.content.slice(0, boundaryBefore(t.content, 140)).replace(/\s+/g, ' ')}…`), text('pre', 'turn-text', t.content)));
    } else box.append(text('pre', 'turn-text', t.content));
  }
  else if (t.content) {
    const raw = el('details', { class: 'turn-raw' }, el('summary', {}, 'as written in the dataset'), text('pre', 'turn-text', t.content));
    box.append(raw);
  }
  return box;
}

/**
 * A turn's reasoning, kept apart from its answer: folded (it is often long, and it is not what is
 * scored), muted, labelled, its opening words in the summary. Text only, like all dataset text.
 */
function reasoningBlock(reasoning: string): HTMLElement {
  const flat = reasoning.replace(/\s+/g, ' ').trim();
  const preview = clipText(flat, REASONING_PREVIEW);
  return el(
    'details',
    { class: 'turn-reasoning' },
    el('summary', { title: 'The model\'s reasoning before this answer, as the dataset keeps it (not part of the answer)' }, text('span', 'reasoning-label', 'reasoning'), text('span', 'reasoning-preview', preview)),
    text('pre', 'reasoning-text', reasoning),
  );
}

function toolBlocks(s: Sample): HTMLElement[] {
  if (s.tools.length === 0) return [text('p', 'empty', 'No tools.')];
  return s.tools.map((tool) => {
    const props = (tool.parameters?.properties ?? {}) as Record<string, { type?: unknown; description?: unknown }>;
    const required = new Set(Array.isArray(tool.parameters?.required) ? (tool.parameters?.required as string[]) : []);
    return el(
      'details',
      { class: 'tool' },
      el('summary', {}, text('span', 'tool-name', tool.name), text('span', 'tool-desc', tool.description ?? '')),
      el(
        'table',
        { class: 'params' },
        ...Object.entries(props).map(([name, p]) =>
          el(
            'tr',
            {},
            text('td', 'param-name', name + (required.has(name) ? ' *' : '')),
            text('td', 'param-type', typeof p?.type === 'string' ? p.type : pretty(p?.type ?? '')),
            text('td', 'param-desc', typeof p?.description === 'string' ? p.description : ''),
          ),
        ),
      ),
      el('details', { class: 'schema' }, el('summary', {}, 'JSON schema'), text('pre', 'json', pretty(tool.parameters ?? {}))),
    );
  });
}

function possibleAnswers(s: Sample): HTMLElement {
  return el(
    'div',
    { class: 'possible-list' },
    ...(s.possibleAnswers ?? []).map((gt) =>
      el(
        'div',
        { class: 'call' },
        ...Object.entries(gt).map(([fn, params]) =>
          el(
            'div',
            {},
            text('span', 'call-name', fn),
            el(
              'table',
              { class: 'call-args' },
              ...Object.entries(params).map(([k, vals]) =>
                el('tr', {}, text('td', 'arg-key', k), text('td', 'arg-value', vals.map((v) => (v === '' ? '(may be omitted)' : JSON.stringify(v))).join('  |  '))),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function rawSection(rawText: string, open: boolean): HTMLElement {
  const d = el('details', { class: 'raw' }, el('summary', {}, 'Raw record'), text('pre', 'json', rawText));
  if (open) d.setAttribute('open', '');
  return d;
}

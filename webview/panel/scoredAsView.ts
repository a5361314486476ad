// "Scored as" in the detail view: what calibration and search will score for the sample, before a
// GPU-hour is spent on it: which call rendering is in force, the end of the prompt the chat template
// renders (all of it on request), the scored response in full, and how many tokens calibration
// scored. Prompt and response are dataset and template text: they go in as text nodes only, with
// special tokens in their own style and line ends, tabs and edge spaces marked by CSS pseudo-elements,
// so the page's text (and what a user copies) is exactly the text that is scored.
import { el, text } from '../shared/dom';
import { getState, request, setState } from './host';
import type { ScoredAsView } from './protocol';

/** Characters of the prompt shown until the user asks for all of it. */
export const PROMPT_TAIL = 400;

/** Whether the user asked for the whole prompt (kept while moving between samples). */
let wholePrompt = false;

const CALLS_MEANING: Record<'text' | 'template', string> = {
  text: 'the assistant turn exactly as the dataset writes it',
  template: "structured tool calls, written by the model's chat template",
};

/** What an error means for calibration, by kind (any other kind: a ScoreSkip, the sample is skipped). */
const ERROR_MEANING: Record<string, string> = {
  'no-template': 'the chat template cannot be loaded, so calibration cannot start:',
  'no-reference': 'nothing to score; calibration passes over this sample:',
  unreadable: 'the record cannot be read; calibration skips it:',
};

/**
 * Special tokens as chat templates write them: <|im_start|> (ChatML, Llama 3, Phi), <｜…｜>
 * (DeepSeek), [INST] / [TOOL_CALLS] (Mistral), <<SYS>> (Llama 2), and the tag-like tokens of
 * common templates (<s>, <start_of_turn>, <tool_call>, …). Styling only: the text is unchanged.
 */
const SPECIAL = String.raw`<\|[^<>|\n]{1,64}\|>|<｜[^<>\n]{1,64}｜>|\[\/?[A-Z][A-Z_]{1,23}\]|<<\/?SYS>>|<\/?(?:s|bos|eos|pad|unk|start_of_turn|end_of_turn|tool_call|tool_response|tools|functioncall|think)>`;
const PIECES = new RegExp(`${SPECIAL}|\\n|\\t|^ +| +(?=\\n|$)`, 'g');

/** `s` into `pre` as text nodes: special tokens, newlines (⏎), tabs (→) and edge spaces marked. */
export function appendVisible(pre: HTMLElement, s: string): void {
  let last = 0;
  for (const m of s.matchAll(PIECES)) {
    const at = m.index ?? 0;
    const t = m[0];
    if (at > last) pre.append(s.slice(last, at));
    if (t === '\n') pre.append(el('span', { class: 'ws nl', 'aria-hidden': 'true' }), '\n');
    else if (t === '\t') pre.append(text('span', 'ws tab', t));
    else if (t.startsWith(' ')) pre.append(text('span', 'ws edge-space', t));
    else pre.append(text('span', 'special-token', t));
    last = at + t.length;
  }
  if (last < s.length) pre.append(s.slice(last));
}

/** The block, collapsible, waiting for the host's answer (filled by fillScoredAs). */
export function scoredAsPlaceholder(): HTMLElement {
  const d = el(
    'details',
    { class: 'detail-section scored-as', 'aria-label': 'Scored as', 'data-state': 'loading' },
    el('summary', {}, el('h3', {}, 'Scored as'), text('span', 'scored-summary meta', 'rendering with the chat template…')),
  );
  if (getState().scoredAsOpen !== false) d.setAttribute('open', '');
  d.addEventListener('toggle', () => setState({ ...getState(), scoredAsOpen: (d as HTMLDetailsElement).open }));
  return d;
}

function renderingLine(v: ScoredAsView): string {
  const how = v.setting === 'auto' ? `auto: ${v.formatName} format` : `itool.calibrate.callRendering: ${v.setting}`;
  return `calls rendered as ${v.calls} (${how})`;
}

function tokensLine(v: ScoredAsView): { text: string; short: string; cls: string } {
  const c = v.calibrated;
  if (c) {
    const count = c.tokens !== undefined ? `${c.tokens.toLocaleString('en-US')} tokens scored` : 'scored';
    const ppl = c.ppl === null ? 'no scorable tokens' : `PPL ${c.ppl >= 100 ? c.ppl.toFixed(1) : c.ppl.toFixed(3)}`;
    const other = c.calls !== v.setting ? ` — that calibration rendered calls by "${c.calls}"; the setting now says "${v.setting}", so the next calibration starts afresh` : '';
    return { text: `${count} (${ppl}; ${c.model}, round ${c.round})${other}`, short: count, cls: 'calibrated' };
  }
  if (v.skipped) return { text: `skipped by the last calibration${v.skipped.kind ? ` (${v.skipped.kind})` : ''}: ${v.skipped.reason}`, short: 'skipped by calibration', cls: 'skipped' };
  return { text: 'not calibrated yet', short: 'not calibrated yet', cls: 'uncalibrated' };
}

/** A model folder by its name; a template file with its folder's name ("Qwen2.5-7B/tokenizer_config.json"). */
function shortPath(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const last = parts.pop() ?? path;
  return /\.(json|jinja)$/i.test(last) && parts.length ? `${parts.pop()}/${last}` : last;
}

/** Fill the block with the host's answer. */
export function fillScoredAs(box: HTMLElement, v: ScoredAsView): void {
  const summary = box.querySelector('summary')!;
  const tokens = tokensLine(v);
  summary.querySelector('.scored-summary')!.replaceChildren(
    `calls as ${v.calls} · `,
    v.missing ? 'no model configured' : v.error !== undefined ? `cannot be scored (${v.kind})` : text('span', `scored-tokens ${tokens.cls}`, tokens.short),
  );
  const source = v.source ? el('code', { class: 'scored-path', title: v.source }, shortPath(v.source)) : null;
  const body: (HTMLElement | null)[] = [
    el(
      'p',
      { class: 'scored-mode' },
      text('span', 'scored-calls', renderingLine(v)),
      text('span', 'meta', ` — ${CALLS_MEANING[v.calls]}`),
      source ? el('span', { class: 'meta scored-source' }, ' · chat template of ', source) : null,
    ),
    // The calibration's own numbers, or why it skipped the sample (the summary says the rest).
    tokens.cls !== 'uncalibrated' ? text('p', `scored-calibration ${tokens.cls}`, tokens.text) : null,
  ];
  if (v.missing) {
    box.dataset.state = 'missing';
    const open = el('button', { class: 'link-button', type: 'button' }, 'Open Settings');
    open.addEventListener('click', () => void request('openSettings', { query: v.missing! }));
    body.push(el('p', { class: 'scored-missing' }, 'No policy model is configured: set ', text('code', 'setting-name', v.missing), ' to see what calibration will score. ', open));
  } else if (v.error !== undefined) {
    box.dataset.state = 'error';
    body.push(
      el('p', { class: 'scored-error' }, text('span', 'kind-badge', v.kind ?? 'error'), ` ${ERROR_MEANING[v.kind ?? ''] ?? 'calibration will skip this sample:'}`),
      text('pre', 'scored-error-text', v.error),
    );
  } else {
    box.dataset.state = 'ready';
    body.push(...promptBlock(v.prompt ?? ''), ...responseBlock(v.response ?? ''), legend());
  }
  box.replaceChildren(summary, ...body.filter((b): b is HTMLElement => b !== null));
}

function promptBlock(prompt: string): HTMLElement[] {
  const pre = el('pre', { class: 'scored-text scored-prompt', 'aria-label': 'Prompt' });
  const label = text('span', 'meta scored-prompt-size', '');
  const toggle = el('button', { class: 'link-button show-whole-prompt', type: 'button' });
  const long = prompt.length > PROMPT_TAIL;
  const show = (): void => {
    const whole = wholePrompt || !long;
    let from = whole ? 0 : prompt.length - PROMPT_TAIL;
    // Never start inside a surrogate pair.
    if (from > 0 && /[\uDC00-\uDFFF]/.test(prompt[from])) from--;
    pre.replaceChildren();
    appendVisible(pre, prompt.slice(from));
    pre.dataset.whole = String(whole);
    pre.classList.toggle('elided', !whole);
    label.textContent = whole ? `${prompt.length.toLocaleString('en-US')} characters` : `last ${(prompt.length - from).toLocaleString('en-US')} of ${prompt.length.toLocaleString('en-US')} characters`;
    toggle.textContent = whole ? `Show the last ${PROMPT_TAIL} only` : 'Show all of it';
    toggle.hidden = !long;
  };
  toggle.addEventListener('click', () => {
    wholePrompt = !wholePrompt;
    show();
  });
  show();
  return [el('div', { class: 'scored-label' }, text('span', 'scored-label-name', 'Prompt'), label, toggle), pre];
}

function responseBlock(response: string): HTMLElement[] {
  const pre = el('pre', { class: 'scored-text scored-response', 'aria-label': 'Scored response' });
  appendVisible(pre, response);
  return [
    el('div', { class: 'scored-label' }, text('span', 'scored-label-name', 'Response — every token scored'), text('span', 'meta', `${response.length.toLocaleString('en-US')} characters`)),
    pre,
  ];
}

function legend(): HTMLElement {
  return el(
    'p',
    { class: 'legend scored-legend' },
    el('span', {}, el('span', { class: 'ws nl' }), ' line end'),
    el('span', {}, text('span', 'ws tab', ' '), ' tab'),
    el('span', {}, text('span', 'ws edge-space', '  '), ' space at a line end'),
    el('span', {}, text('span', 'special-token', '<|…|>'), ' special token'),
  );
}

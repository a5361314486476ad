// A model output with its checker verdict: the text with each faulty fragment underlined in its
// error kind's colour (webview/shared/kindStyle.ts; hover: the kind, the message and the expected value),
// then the errors as a list, each with its kind's colour and name.
// The output is untrusted: it is cut into text nodes only.
import { kindLabel } from '../../src/core/toolcall/errorKinds';
import type { CheckError, Verdict } from '../../src/core/toolcall/types';
import { el, pretty, text } from '../shared/dom';
import { kindTag } from '../shared/kindStyle';

export function errorTooltip(e: CheckError): string {
  const expected = e.expected === undefined ? '' : `\nexpected: ${typeof e.expected === 'string' ? JSON.stringify(e.expected) : pretty(e.expected)}`;
  return `${kindLabel(e.kind)}: ${e.message}${expected}`;
}

/** The output text cut at every span boundary; each piece knows the errors covering it. */
function highlighted(output: string, errors: CheckError[]): HTMLElement {
  const spans = errors.filter((e) => e.span && e.span.end >= e.span.start);
  const cuts = new Set<number>([0, output.length]);
  for (const e of spans) {
    cuts.add(Math.max(0, Math.min(output.length, e.span!.start)));
    cuts.add(Math.max(0, Math.min(output.length, e.span!.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pre = el('pre', { class: 'output-text' });
  for (let k = 0; k + 1 < points.length; k++) {
    const [a, b] = [points[k], points[k + 1]];
    const piece = output.slice(a, b);
    const covering = spans.filter((e) => e.span!.start <= a && e.span!.end >= b && e.span!.end > e.span!.start);
    if (covering.length === 0) {
      pre.append(document.createTextNode(piece));
      continue;
    }
    // The innermost error decides the colour; the tooltip lists them all.
    covering.sort((x, y) => x.span!.end - x.span!.start - (y.span!.end - y.span!.start));
    const mark = el('mark', { class: `err err-${covering[0].kind}`, 'data-kind': covering[0].kind, tabindex: '0' });
    mark.textContent = piece;
    mark.title = covering.map(errorTooltip).join('\n\n');
    pre.append(mark);
  }
  // An empty span (e.g. the break offset of a parse error at the very end) still gets a marker.
  for (const e of spans) {
    if (e.span!.end === e.span!.start) {
      const marker = el('mark', { class: `err err-${e.kind} err-point`, 'data-kind': e.kind, tabindex: '0' });
      marker.textContent = '⌁';
      marker.title = errorTooltip(e);
      pre.append(marker);
    }
  }
  return pre;
}

export function renderVerdict(output: string, v: Verdict, label: string): HTMLElement {
  const head = el(
    'div',
    { class: 'verdict-head' },
    text('span', `verdict-badge ${v.valid ? 'valid' : 'invalid'}`, v.valid ? '✓ valid' : '✗ invalid'),
    text('span', 'meta', `${label} · score ${v.score.toFixed(2)} · ${v.syntax} syntax · ${v.calls.length} call(s)`),
  );
  const list = v.errors.length
    ? el(
        'ul',
        { class: 'error-list' },
        ...v.errors.map((e) =>
          el(
            'li',
            { class: `err-item kind-${e.kind}`, 'data-kind': e.kind },
            kindTag(e.kind, 'err-kind'),
            text('span', 'err-msg', e.message),
            // Most messages already say what was expected; add it only where they don't.
            e.expected !== undefined && !/expected/i.test(e.message) ? text('span', 'err-expected', `expected ${typeof e.expected === 'string' ? JSON.stringify(e.expected) : pretty(e.expected)}`) : null,
          ),
        ),
      )
    : null;
  return el('div', { class: `verdict ${v.valid ? 'valid' : 'invalid'}` }, head, highlighted(output, v.errors), list);
}

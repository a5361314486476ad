// How a pair looks in the review queue (pairsQueue.ts): its row in the list (state, sample, what
// differs, a flag when the checker finds the chosen side wrong, the gap) and its detail (both sides
// continuing the shared prefix, the fragment where they part highlighted, the checker's verdict on
// each, the decision and its reason).
import { el, text } from '../shared/dom';
import { kindTag } from '../shared/kindStyle';
import type { PairSide, PairVerdict } from '../../src/core/search/types';
import { REJECT_REASON_LABEL } from '../../src/core/pairs/reasons';
import type { ReviewItemView, ReviewStateName } from './protocol';

export const STATE_MARK: Record<ReviewStateName, string> = { pending: '○', accepted: '✓', rejected: '✗', edited: '✎', skipped: '»' };

/** A list row's content and state, from the item. */
export function fillPairRow(li: HTMLElement, it: ReviewItemView): void {
  li.classList.remove(...[...li.classList].filter((c) => c.startsWith('state-')));
  li.classList.add(`state-${it.state}`);
  li.dataset.state = it.state;
  if (it.reason) li.dataset.reason = it.reason;
  else delete li.dataset.reason;
  if (it.chosenFails) li.dataset.chosenFails = 'true';
  else delete li.dataset.chosenFails;
  const what = `${it.manual ? 'by hand · ' : ''}${it.pair.kind}${it.pair.key ? ` ${it.pair.key}` : ''}${it.reason ? ` · ${REJECT_REASON_LABEL[it.reason]}` : ''}`;
  const flag = text('span', 'review-flag', it.chosenFails ? '⚠' : '');
  if (it.chosenFails) {
    flag.title = `The checker finds the chosen side wrong: it ${it.chosenFails}`;
    flag.setAttribute('aria-label', `chosen side ${it.chosenFails}`);
  }
  li.replaceChildren(
    text('span', 'review-mark', STATE_MARK[it.state]),
    text('span', 'review-sample', it.pair.sampleId),
    text('span', 'review-what', what),
    flag,
    text('span', 'review-gap-value', `Δ ${it.pair.gap.toFixed(2)}`),
  );
  li.title = `${it.pair.sampleId} · ${what} · ${it.state}${it.comment ? `: ${it.comment}` : ''}${it.chosenFails ? ` · ⚠ chosen side ${it.chosenFails}` : ''}`;
}

/** The detail of the pair at position `pos` of the `count` shown, with `selected` pairs in the selection. */
export function pairDetail(it: ReviewItemView, pos: number, count: number, selected: number): HTMLElement[] {
  const p = it.pair;
  const side = (which: 'chosen' | 'rejected', sd: PairSide) => {
    const pre = el('pre', { class: `pair-text review-side-text`, 'data-fragment-source': which, 'data-index': String(p.index), 'data-pair': it.id });
    if (sd.verdict.errors[0]) pre.dataset.errorKind = sd.verdict.errors[0].kind;
    pre.append(text('span', 'pair-prefix', p.prefix), text('mark', `pair-fragment ${which}`, sd.fragment), text('span', 'pair-completion', sd.completion));
    return el(
      'div',
      { class: `pair-side ${which}` },
      text('div', 'side-label', `${which}${which === 'chosen' && it.state === 'edited' ? ' (edited)' : ''} · value ${sd.value.toFixed(2)}${sd.visits ? ` · n=${sd.visits}` : ''}`),
      pre,
      verdictLine(sd.verdict),
    );
  };
  const decided =
    it.state === 'rejected' && (it.reason || it.comment)
      ? el('div', { class: 'review-reason', 'data-reason': it.reason ?? '' }, text('span', 'reason-label', `Rejected${it.reason ? `: ${REJECT_REASON_LABEL[it.reason]}` : ''}`), it.comment ? text('span', 'reason-comment', ` — ${it.comment}`) : null)
      : null;
  const warn = it.chosenFails
    ? text('div', 'review-warning', `⚠ The checker finds the chosen side wrong: it ${it.chosenFails}.${it.manual && it.state === 'pending' ? ' This pair made by hand is not accepted by itself: edit the chosen side (E) or decide.' : ''}`)
    : null;
  const several = selected > 1 ? text('div', 'review-several', `${selected} pairs selected: A accept · R reject · S skip apply to all of them, as one undo step.`) : null;
  const parts: (HTMLElement | null)[] = [
    el(
      'header',
      { class: 'detail-header' },
      el('h2', { class: 'detail-title' }, `${STATE_MARK[it.state]} Pair ${pos + 1} of ${count}`),
      text('span', 'meta', `sample ${p.sampleId} · round ${p.round} · ${it.manual ? 'marked by hand' : `depth ${p.depth}`} · gap ${p.gap.toFixed(2)}${it.tier ? ` · ${it.tier}` : ''} · ${it.state}`),
    ),
    several,
    decided,
    warn,
    it.question ? el('section', { class: 'review-question' }, text('div', 'turn-role', 'User'), text('pre', 'turn-text', it.question)) : null,
    side('chosen', p.chosen),
    side('rejected', p.rejected),
    it.originalChosen !== undefined ? el('details', { class: 'review-original' }, el('summary', {}, 'chosen side as the search produced it'), text('pre', 'turn-text', p.prefix + it.originalChosen)) : null,
  ];
  return parts.filter((x): x is HTMLElement => x !== null);
}

/** The first pair of sample `want`: its id exactly, then ignoring case, then the first id containing it; -1 when none. */
export function firstPairOf(items: readonly ReviewItemView[], want: string): number {
  const lower = want.toLowerCase();
  const by = (f: (id: string) => boolean) => items.findIndex((it) => f(it.pair.sampleId));
  const exact = by((id) => id === want);
  if (exact >= 0) return exact;
  const caseless = by((id) => id.toLowerCase() === lower);
  return caseless >= 0 ? caseless : by((id) => id.toLowerCase().includes(lower));
}

export function verdictLine(v: PairVerdict | undefined): HTMLElement {
  if (!v) return text('div', 'pair-verdict', '');
  if (v.valid) return text('div', 'pair-verdict ok', `checker: valid · score ${v.score.toFixed(2)}`);
  const e = v.errors[0];
  if (!e) return text('div', 'pair-verdict', `checker: invalid · score ${v.score.toFixed(2)}`);
  // The kind's colour and name, then the message (shared/kindStyle.ts: the same colours as the highlights).
  return el('div', { class: 'pair-verdict' }, kindTag(e.kind), `: ${e.message}${v.errors.length > 1 ? ` (+${v.errors.length - 1} more)` : ''}`);
}

// The search of one sample, made visible: the MCTS tree (each node labelled by its fragment,
// coloured by mean value, annotated with visits and prior; the best path and the nodes that produced
// pairs marked; click a node to see its full prefix) and the preference pairs as fragment diffs
// (shared prefix dimmed, the differing fragments highlighted, the checker's message on each side).
import { clipText } from '../../src/core/chars';
import type { SearchNode, SearchTree, PreferencePair } from '../../src/core/search/types';
import { el, text } from '../shared/dom';
import type { SampleSearch } from './protocol';
import { kindTag } from '../shared/kindStyle';

const LABEL_MAX = 70;

function visible(s: string): string {
  const flat = s.replace(/\n/g, '⏎').replace(/\t/g, '⇥');
  return clipText(flat, LABEL_MAX);
}

const mean = (n: SearchNode): number => (n.visits ? n.value / n.visits : 0);

/** Text from the root down to `id` (the response prefix the node stands for). */
function prefixOf(tree: SearchTree, id: number): string {
  const parts: string[] = [];
  for (let n: SearchNode | undefined = tree.nodes[id]; n && n.parent !== null; n = tree.nodes[n.parent]) parts.push(n.text);
  return parts.reverse().join('');
}

export function renderSearch(s: SampleSearch): HTMLElement {
  const { tree, pairs } = s;
  const best = new Set(tree.bestPath);
  const pairNodes = new Set(pairs.flatMap((p) => [p.chosen.nodeId, p.rejected.nodeId]));
  const prefixBox = el('pre', { class: 'node-prefix', 'aria-live': 'polite' });
  prefixBox.textContent = 'Click a node to see the response prefix it stands for.';
  let current: HTMLElement | undefined;

  const item = (n: SearchNode): HTMLElement => {
    const v = mean(n);
    const label = el('span', {
      class: `node${best.has(n.id) ? ' best' : ''}${pairNodes.has(n.id) ? ' paired' : ''}`,
      role: 'treeitem',
      tabindex: '0',
      'data-node': String(n.id),
      'data-value': v.toFixed(3),
      'aria-selected': 'false',
    });
    // Value from -1 (red) to +1 (green), as a hue; set through the CSSOM (the CSP forbids inline styles in markup).
    label.style.setProperty('--node-hue', String(Math.round(((v + 1) / 2) * 120)));
    label.append(
      text('span', 'node-mark', `${best.has(n.id) ? '★' : ''}${pairNodes.has(n.id) ? '⇄' : ''}`),
      text('span', 'node-text', n.parent === null ? '(response start)' : visible(n.text) || '∅'),
      text('span', 'node-stats', `n=${n.visits} v=${v.toFixed(2)}${n.parent === null ? '' : ` p=${n.prior.toFixed(2)}`}${n.key ? ` · ${n.kind} ${n.key}` : n.parent === null ? '' : ` · ${n.kind}`}`),
    );
    label.title = `node ${n.id}: ${n.kind}${n.key ? ` ${n.key}` : ''}, visits ${n.visits}, mean value ${v.toFixed(4)}, prior ${n.prior.toFixed(4)}`;
    const choose = () => {
      current?.setAttribute('aria-selected', 'false');
      label.setAttribute('aria-selected', 'true');
      current = label;
      prefixBox.textContent = prefixOf(tree, n.id) || '(empty: the start of the response)';
    };
    label.addEventListener('click', choose);
    label.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        choose();
      }
    });
    const li = el('li', {}, label);
    if (n.children.length) {
      // Best-valued children first, so the best path reads top-down.
      const kids = n.children.map((k) => tree.nodes[k]).sort((a, b) => mean(b) - mean(a));
      li.append(el('ul', { role: 'group' }, ...kids.map(item)));
    }
    return li;
  };

  const treeBox = el('ul', { class: 'search-tree', role: 'tree', 'aria-label': 'Search tree' }, item(tree.nodes[0]));
  const meta = `${s.model} · round ${s.round} · ${tree.nodes.length} nodes · ${tree.rollouts} rollouts · best reward ${tree.bestReward === null ? '–' : tree.bestReward.toFixed(2)}`;
  return el(
    'div',
    { class: 'search', 'data-nodes': String(tree.nodes.length), 'data-pairs': String(pairs.length) },
    text('p', 'meta', meta),
    el('div', { class: 'legend' }, text('span', '', '★ best path'), text('span', '', '⇄ in a pair'), text('span', '', 'colour: mean value, red −1 → green +1')),
    treeBox,
    prefixBox,
    el('h4', {}, `Preference pairs (${pairs.length})`),
    pairs.length ? el('ol', { class: 'pairs' }, ...pairs.map(renderPair)) : text('p', 'empty', 'No pair met the rule (value gap ≥ 0.1, overlap ≤ 0.95, chosen value ≥ −0.3).'),
  );
}

function renderPair(p: PreferencePair): HTMLElement {
  const tail = p.prefix.length > 160 ? `…${p.prefix.slice(-159)}` : p.prefix;
  const side = (which: 'chosen' | 'rejected') => {
    const sd = p[which];
    const err = sd.verdict?.errors[0];
    return el(
      'div',
      { class: `pair-side ${which}` },
      text('span', 'side-label', `${which} · value ${sd.value.toFixed(2)} · n=${sd.visits}`),
      el('pre', { class: 'pair-text' }, text('span', 'pair-prefix', tail), text('mark', `pair-fragment ${which}`, sd.fragment), text('span', 'pair-completion', sd.completion)),
      err ? el('div', { class: 'pair-verdict' }, kindTag(err.kind), `: ${err.message}`) : text('div', 'pair-verdict ok', sd.verdict?.valid ? 'checker: valid' : ''),
    );
  };
  return el(
    'li',
    { class: 'pair', 'data-kind': p.kind },
    text('div', 'pair-head', `${p.kind}${p.key ? ` ${p.key}` : ''} · gap ${(p.chosen.value - p.rejected.value).toFixed(2)}`),
    side('chosen'),
    side('rejected'),
  );
}

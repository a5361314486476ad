// The dataset panel page: toolbar (search, filter, counts), the virtualised list, the detail view,
// and the list of malformed records. Talks to the host only through host.ts.
import { badge, button, select, setOptions, textField } from '../shared/components';
import { el, text } from '../shared/dom';
import { getState, notify, onNotification, request, setState } from './host';
import type { CalibrationSummary, CheckSummary, DatasetInfo, Filter, Problem, Row, Sort } from './protocol';
import { CalibrationChart } from './calibrationChart';
import { SummaryChart } from './summaryChart';
import { installKindColours } from '../shared/kindStyle';
import { kindLabel } from '../../src/core/toolcall/errorKinds';
import type { ErrorKind } from '../../src/core/toolcall/types';
import { renderEmpty, renderProblem, renderSample } from './sampleDetail';
import { LIST_COLUMNS, SampleList } from './sampleList';
import { PairsQueue } from './pairsQueue';
import { markSelection } from './fragmentMark';
import { fillScoredAs } from './scoredAsView';

const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'All samples' },
  { value: 'calls', label: 'Answer calls a tool' },
  { value: 'text', label: 'Answer is text' },
  { value: 'problems', label: 'Malformed records' },
];

/** Filters offered once the dataset is calibrated: the selection and each tier. */
function calibrationFilters(c: CalibrationSummary): { value: Filter; label: string }[] {
  return [
    ...(c.selected ? [{ value: 'selected' as Filter, label: `Selected as deficient (${c.selected})` }] : []),
    { value: 'tier:hard', label: `Tier: hard (${c.tiers.hard})` },
    { value: 'tier:medium', label: `Tier: medium (${c.tiers.medium})` },
    { value: 'tier:easy', label: `Tier: easy (${c.tiers.easy})` },
  ];
}

/** Filters offered once predictions are checked: by verdict and by each error kind present. */
function verdictFilters(s: CheckSummary): { value: Filter; label: string }[] {
  return [
    { value: 'valid', label: `Output valid (${s.valid})` },
    { value: 'invalid', label: `Output invalid (${s.checked - s.valid})` },
    ...(Object.keys(s.byKind) as ErrorKind[]).filter((k) => s.byKind[k] > 0).map((k) => ({ value: `kind:${k}` as Filter, label: `Error: ${kindLabel(k)} (${s.byKind[k]})` })),
  ];
}

installKindColours();
const app = document.getElementById('app')!;
const state = getState();
let info: DatasetInfo | undefined;
let currentView = 0;
let currentCount = 0;
const problems = new Map<string, Problem>();
let detailRequest = 0;
/** The record the detail view shows (its "Scored as" block refetches when settings change). */
let shownIndex = -1;

const title = el('span', { class: 'title' });
const countBadge = badge({ className: 'count' });
countBadge.setAttribute('aria-live', 'polite');
const status = el('span', { class: 'status', role: 'status', 'aria-live': 'polite' });
const search = textField('Search samples', { className: 'search', placeholder: 'Search text (Enter)' });
const filter = select('Filter samples', FILTERS, { className: 'filter' });
let verdictOptions: { value: Filter; label: string }[] = [];
let calibrationOptions: { value: Filter; label: string }[] = [];
function setFilterOptions(): void {
  setOptions(filter, [...FILTERS, ...calibrationOptions, ...verdictOptions]);
}
const sort = select(
  'Order of the list',
  [
    { value: 'file', label: 'File order' },
    { value: 'ppl-desc', label: 'PPL, highest first' },
    { value: 'ppl-asc', label: 'PPL, lowest first' },
  ],
  { className: 'sort', hidden: true },
);
const calibrateButton = button('Calibrate…', { secondary: true, className: 'calibrate-button', title: 'Score every reference answer with the configured policy model (iTool: Calibrate Dataset)' });
const selectButton = button('Select deficient', { secondary: true, className: 'select-button', title: 'Select the samples the policy is most deficient on (iTool: Select Deficient Samples)', hidden: true });
const exploreButton = button('Explore…', { secondary: true, className: 'explore-button', title: 'Search the selected samples fragment by fragment (iTool: Explore Deficient Samples)', hidden: true });
const calibrationChart = new CalibrationChart();
const checkButton = button('Check predictions…', { secondary: true, className: 'check-button', title: 'Check a predictions file ({"id", "output"} per line) against this dataset' });
const summary = new SummaryChart();
const problemsBox = el('details', { class: 'problems', hidden: '' });
const problemsSummary = el('summary', {});
const problemsList = el('ol', { class: 'problem-list' });
problemsBox.append(problemsSummary, problemsList);
const detail = el('div', { class: 'detail', tabindex: '-1', 'aria-label': 'Sample detail' });
const list = new SampleList((row, position) => void showDetail(row, position));
const samplesTab = el('button', { class: 'tab samples-tab', role: 'tab', 'aria-selected': 'true', title: 'The dataset, sample by sample' }, 'Samples');
const reviewTab = el('button', { class: 'tab review-tab', role: 'tab', 'aria-selected': 'false', title: 'Review the preference pairs (accept, reject, edit) before a round' }, 'Review pairs');
const queue = new PairsQueue((c) => {
  reviewTab.textContent = c.total ? `Review pairs (${c.pending} pending)` : 'Review pairs';
});
const panes = el('div', { class: 'panes' });
function showTab(review: boolean): void {
  samplesTab.setAttribute('aria-selected', String(!review));
  reviewTab.setAttribute('aria-selected', String(review));
  panes.hidden = review;
  if (review) queue.show();
  else {
    queue.hide();
    list.focus();
  }
  setState({ ...getState(), review });
}
samplesTab.addEventListener('click', () => showTab(false));
reviewTab.addEventListener('click', () => showTab(true));
const header = el('div', { class: 'row list-header', 'aria-hidden': 'true' }, ...LIST_COLUMNS.map((c, i) => text('span', `cell ${['idx', 'id', 'user', 'num', 'num', 'num ppl', 'check'][i]}`, c)));

app.append(
  el('div', { class: 'toolbar' }, title, countBadge, search, filter, sort, calibrateButton, selectButton, exploreButton, checkButton, status),
  el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Panel views' }, samplesTab, reviewTab),
  problemsBox,
  calibrationChart.root,
  summary.root,
  panes,
  queue.root,
);
panes.append(el('div', { class: 'list-pane' }, header, list.root), detail);
list.mount();
renderEmpty(detail, 'Loading…');

async function showDetail(row: Row | undefined, position: number): Promise<void> {
  setState({ ...getState(), selected: position });
  if (!row) {
    if (position < 0) {
      shownIndex = -1;
      renderEmpty(detail, 'Select a sample to see it here.');
    }
    return;
  }
  const mine = ++detailRequest;
  const r = await request('sample', { index: row.index });
  if (mine !== detailRequest) return;
  shownIndex = row.index;
  if (r.sample) {
    renderSample(detail, r.sample, r.line, r.rawText, r.outputs, r.search, r.answers);
    void showScoredAs(row.index, mine);
  } else renderProblem(detail, row.index, r.problem ?? 'unreadable record', r.rawText);
}

/** Fill the detail view's "Scored as" block for record `index`, unless another sample is shown by then. */
async function showScoredAs(index: number, mine: number): Promise<void> {
  const box = detail.querySelector<HTMLElement>('.scored-as');
  if (!box) return;
  try {
    const v = await request('scoredAs', { index });
    if (mine === detailRequest && box.isConnected) fillScoredAs(box, v);
  } catch (err) {
    if (mine !== detailRequest || !box.isConnected) return;
    box.dataset.state = 'error';
    box.querySelector('.scored-summary')!.textContent = `could not render: ${(err as Error).message}`;
  }
}

function showCount(count: number, scanning: boolean): void {
  if (!info) return;
  countBadge.textContent = currentView === 0 ? `${info.count.toLocaleString('en-US')} records` : `${count.toLocaleString('en-US')} of ${info.count.toLocaleString('en-US')}`;
  countBadge.setAttribute('data-count', String(currentView === 0 ? info.count : count));
  if (scanning) status.textContent = 'searching…';
}

async function applyView(): Promise<void> {
  if (!info) return;
  const query = search.value ?? '';
  const f = (filter.value || 'all') as Filter;
  setState({ ...getState(), query, filter: f });
  const { view } = await request('setView', { query, filter: f, sort: (sort.value || 'file') as Sort });
  currentView = view;
  list.select(-1);
  list.setView(view, view === 0 ? info.count : 0);
  showCount(0, view !== 0);
  if (view === 0) status.textContent = '';
}

function addProblems(ps: Problem[]): void {
  for (const p of ps) problems.set(`${p.line}:${p.index ?? ''}`, p);
  if (problems.size === 0) return;
  problemsBox.hidden = false;
  problemsSummary.textContent = `${problems.size} malformed record(s): every other record still loads`;
  problemsList.replaceChildren(
    ...[...problems.values()]
      .sort((a, b) => a.line - b.line)
      .slice(0, 500)
      .map((p) => el('li', {}, text('span', 'problem-text', p.reason.startsWith('line') ? p.reason : `line ${p.line}: ${p.reason}`))),
  );
}

/** Rows and the open sample gained data (verdicts, calibration, search): fetch them again in place. */
function refreshRows(): void {
  const pos = list.selectedPosition;
  list.setView(currentView, currentView === 0 ? (info?.count ?? 0) : currentCount, false);
  if (pos >= 0) list.select(pos, false);
}

onNotification((n) => {
  switch (n.type) {
    case 'init': {
      info = n.info;
      title.textContent = `${info.fileName} · ${info.formatLabel} · ${info.container === 'jsonl' ? 'JSON Lines' : 'JSON array'}`;
      title.title = info.filePath;
      // Time from the index being ready (init) to the first page on screen: read by the panel benchmark.
      const initAt = performance.now();
      list.onFirstPage((rows) => {
        document.body.dataset.firstPageMs = (performance.now() - initAt).toFixed(1);
        notify({ type: 'firstPageRendered', rows });
      });
      list.setView(0, info.count);
      showCount(info.count, false);
      addProblems(info.problems);
      if (state.query || (state.filter && state.filter !== 'all')) {
        search.value = state.query ?? '';
        filter.value = state.filter ?? 'all';
        void applyView();
      } else if (state.selected !== undefined && state.selected >= 0 && state.selected < info.count) {
        list.select(state.selected);
      } else {
        renderEmpty(detail, info.count ? 'Select a sample to see it here (↑/↓ in the list).' : 'This file has no records.');
      }
      list.focus();
      return;
    }
    case 'viewProgress':
      if (n.view !== currentView) return;
      currentCount = n.count;
      list.setView(n.view, n.count, true);
      showCount(n.count, !n.done);
      status.textContent = n.done ? `${n.count.toLocaleString('en-US')} match(es)` : `searching… ${Math.round((100 * n.scanned) / Math.max(1, n.total))}%`;
      return;
    case 'validation':
      addProblems(n.problems);
      if (!n.done && currentView === 0) status.textContent = `checking records… ${Math.round((100 * n.scanned) / Math.max(1, n.total))}%`;
      else if (n.done && currentView === 0) status.textContent = problems.size ? '' : 'all records readable';
      return;
    case 'error':
      status.textContent = n.message;
      return;
    case 'calibration': {
      calibrationChart.show(n.summary);
      calibrationOptions = calibrationFilters(n.summary);
      setFilterOptions();
      sort.hidden = false;
      selectButton.hidden = false;
      exploreButton.hidden = !n.summary.selected;
      refreshRows();
      return;
    }
    case 'search': {
      status.textContent = `search: ${n.pairs} pair(s) from ${n.samples} sample(s) (${n.model}, round ${n.round})`;
      refreshRows();
      if (queue.visible) void queue.reload();
      return;
    }
    case 'showReview':
      showTab(true);
      return;
    case 'scoredAsChanged':
      if (shownIndex >= 0) void showScoredAs(shownIndex, detailRequest);
      return;
    case 'review':
      reviewTab.textContent = n.counts.total ? `Review pairs (${n.counts.pending} pending)` : 'Review pairs';
      if (queue.visible) void queue.reload();
      return;
    case 'checking':
      status.textContent = `checking outputs… ${Math.round((100 * n.done) / Math.max(1, n.total))}%`;
      return;
    case 'summary': {
      summary.show(n.summary);
      verdictOptions = verdictFilters(n.summary);
      setFilterOptions();
      status.textContent = '';
      // Rows and the open sample now carry verdicts: fetch them again.
      refreshRows();
      return;
    }
  }
});

search.addEventListener('keydown', (e) => {
  if ((e as KeyboardEvent).key === 'Enter') void applyView();
  if ((e as KeyboardEvent).key === 'Escape') {
    search.value = '';
    void applyView();
  }
});
filter.addEventListener('change', () => void applyView());
sort.addEventListener('change', () => void applyView());
calibrateButton.addEventListener('click', () => void request('calibrate', {}).catch((err: Error) => (status.textContent = err.message)));
exploreButton.addEventListener('click', () => void request('explore', {}).catch((err: Error) => (status.textContent = err.message)));
selectButton.addEventListener('click', () => void request('selectDeficient', {}).catch((err: Error) => (status.textContent = err.message)));
checkButton.addEventListener('click', () => {
  status.textContent = 'choose a predictions file…';
  void request('loadPredictions', {}).then(
    (r) => {
      if (!r.loaded) status.textContent = '';
    },
    (err: Error) => (status.textContent = err.message),
  );
});

// M marks the selected text of a response (model output, reference answer) as a fragment error.
detail.addEventListener('keydown', (e) => {
  if (e.key.toLowerCase() === 'm' && !e.ctrlKey && !e.metaKey && !e.altKey) {
    e.preventDefault();
    void markSelection(status);
  }
});
list.root.addEventListener('keydown', (e) => {
  if (e.key.toLowerCase() === 'm' && !e.ctrlKey && !e.metaKey && !e.altKey && !document.getSelection()?.isCollapsed) {
    e.preventDefault();
    void markSelection(status);
  }
});
if (state.review) showTab(true);

notify({ type: 'ready' });

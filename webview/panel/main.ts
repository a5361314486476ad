// The dataset panel page: toolbar (title, counts, the dataset's verbs), the tabs, the summaries
// (calibration histogram, checker), the samples tab (filter bar, the virtualised list with its
// columns, the detail view) and the review tab, and the list of malformed records. Talks to the
// host only through host.ts.
import { badge, button } from '../shared/components';
import { el, text } from '../shared/dom';
import { getState, notify, onNotification, request, setState } from './host';
import type { DatasetInfo, Problem, Row, SampleFilters, SampleState } from './protocol';
import { CalibrationChart } from './calibrationChart';
import { SummaryChart } from './summaryChart';
import { installKindColours } from '../shared/kindStyle';
import type { ErrorKind } from '../../src/core/toolcall/types';
import { renderEmpty, renderProblem, renderSample } from './sampleDetail';
import { SampleList } from './sampleList';
import { PairsQueue } from './pairsQueue';
import { markSelection } from './fragmentMark';
import { fillScoredAs } from './scoredAsView';
import { ListColumns } from './columns';
import { SampleFilterBar, type ListQuery } from './sampleFilters';

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
// A status too long for its line is cut short on screen; its whole text is its tooltip.
new MutationObserver(() => (status.title = status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
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
const listPane = el('div', { class: 'list-pane' });
const panes = el('div', { class: 'panes' });
const columns = new ListColumns(listPane, panes, state.columns, (c) => setState({ ...getState(), columns: c }));
const filterBar = new SampleFilterBar(
  () => void applyView(),
  () => calibrationChart.setRange(undefined),
  [columns.chooser],
);
const samplesView = el('div', { class: 'samples-view' }, filterBar.root, panes);
const samplesTab = el('button', { class: 'tab samples-tab', role: 'tab', 'aria-selected': 'true', title: 'The dataset, sample by sample' }, 'Samples');
const reviewTab = el('button', { class: 'tab review-tab', role: 'tab', 'aria-selected': 'false', title: 'Review the preference pairs (accept, reject, edit) before a round' }, 'Review pairs');
const queue = new PairsQueue((c) => {
  reviewTab.textContent = c.total ? `Review pairs (${c.pending} pending)` : 'Review pairs';
});
function showTab(review: boolean): void {
  samplesTab.setAttribute('aria-selected', String(!review));
  reviewTab.setAttribute('aria-selected', String(review));
  samplesView.hidden = review;
  // The charts fold on the review tab (unless opened there): a pair's two sides need the height.
  for (const c of [calibrationChart, summary]) c.showTab(review ? 'review' : 'samples');
  if (review) queue.show();
  else {
    queue.hide();
    list.focus();
  }
  setState({ ...getState(), review });
}
samplesTab.addEventListener('click', () => showTab(false));
reviewTab.addEventListener('click', () => showTab(true));

app.append(
  el('div', { class: 'toolbar' }, title, countBadge, calibrateButton, selectButton, exploreButton, checkButton),
  // The status shares the tabs' line (room the tabs leave): the toolbar keeps to one line in a 1280-pixel window.
  el('div', { class: 'tabs-row' }, el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Panel views' }, samplesTab, reviewTab), status),
  problemsBox,
  calibrationChart.root,
  summary.root,
  samplesView,
  queue.root,
);
listPane.append(columns.header, list.root);
panes.append(listPane, columns.splitter, detail);
list.mount();
// The header keeps in line with the rows whether the list has a scrollbar or not.
new ResizeObserver(() => columns.syncScrollbar(list.root)).observe(list.root.firstElementChild ?? list.root);
new ResizeObserver(() => columns.syncScrollbar(list.root)).observe(list.root);
calibrationChart.onRange = (range) => {
  filterBar.setPpl(range);
  if (samplesView.hidden) showTab(false);
  void applyView();
};
let columnsFitted = false;
/** The host was told the page is up (it then starts the background work and sends what the session holds). */
let firstPageSent = false;
list.onPage = (rows) => {
  if (columnsFitted || !info) return;
  columnsFitted = true;
  columns.fit(info.count, rows.map((r) => ({ id: r.id, answers: r.answerCount })));
};
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
  const q = filterBar.value();
  setState({ ...getState(), view: q, query: undefined, filter: undefined });
  const { view } = await request('setView', q);
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

/** The list's query as the state kept it (a page before combined filters kept one filter string). */
function keptView(): ListQuery {
  if (state.view) return state.view;
  const f = state.filter ?? '';
  const filters: SampleFilters = {};
  if (f.startsWith('kind:')) filters.kind = f.slice(5) as ErrorKind;
  else if (f.startsWith('tier:')) filters.tier = f.slice(5) as SampleFilters['tier'];
  else if (f && f !== 'all') filters.state = f as SampleState;
  return { query: state.query ?? '', filters, sort: 'file' };
}

/**
 * Calibration or verdicts changed: a view filtered on them is computed again, any other view
 * keeps its rows and fetches them again (they carry the new data).
 */
function refetch(changed: 'calibration' | 'verdicts'): void {
  const f = filterBar.filters;
  const on = changed === 'calibration' ? f.tier || f.ppl || f.state === 'selected' || f.state === 'skipped' : f.kind || f.state === 'valid' || f.state === 'invalid';
  if (on && currentView !== 0) void applyView();
  else refreshRows();
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
        if (!firstPageSent) notify({ type: 'firstPageRendered', rows });
        firstPageSent = true;
      });
      // A page opening on the review tab shows no rows: what waits for the first page starts now.
      if (samplesView.hidden) {
        firstPageSent = true;
        notify({ type: 'firstPageRendered', rows: 0 });
      }
      list.setView(0, info.count);
      showCount(info.count, false);
      addProblems(info.problems);
      const kept = keptView();
      if (kept.query || Object.keys(kept.filters).length || kept.sort !== 'file') {
        filterBar.restore(kept);
        calibrationChart.setRange(kept.filters.ppl);
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
      // While a scan runs the rows shown so far stay; once done, the view may be in another order
      // (a sort by PPL): its rows are fetched again.
      list.setView(n.view, n.count, !n.done);
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
      calibrationChart.setRange(filterBar.filters.ppl);
      filterBar.setCalibration(n.summary);
      columns.setData('calibration', true);
      selectButton.hidden = false;
      exploreButton.hidden = !n.summary.selected;
      refetch('calibration');
      return;
    }
    case 'calibrationSkips':
      filterBar.setSkipped(n.records);
      if (n.records) columns.setData('calibration', true);
      refetch('calibration');
      return;
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
      filterBar.setVerdicts(n.summary);
      columns.setData('verdicts', true);
      status.textContent = '';
      // Rows and the open sample now carry verdicts: fetch them again.
      refetch('verdicts');
      return;
    }
  }
});

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
else for (const c of [calibrationChart, summary]) c.showTab('samples');

notify({ type: 'ready' });

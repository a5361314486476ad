// The round dashboard page: a header, the start-round form when a round is being started
// (form.ts), the training loss per step (lossChart.ts), the rounds table and four charts (held-out
// accuracy per policy, error kinds per policy, pairs per round, PPL distribution per round). The
// host posts the series whenever the registry changes and the loss whenever a trainer log grows;
// the page redraws them, and redraws the charts when the colour theme changes. An empty registry
// shows what to do first. Talks to the host only via host.ts.
import { ChartCard, showAccuracy, showKinds, showPairs, showPpl } from './charts';
import { el } from '../shared/dom';
import { TrainingForm } from './form';
import { showLoss } from './lossChart';
import { installKindColours } from '../shared/kindStyle';
import { onMessage, post } from './host';
import type { DashboardData, DashboardSource } from './protocol';
import { RoundsTable } from './table';

installKindColours();
const app = document.getElementById('app')!;
// The shell marks #app as an application (right for the dataset panel's list); this page is a document.
app.setAttribute('role', 'main');
app.dataset.state = 'loading';

const title = el('h1', { class: 'dash-title' }, 'Rounds');
const meta = el('p', { class: 'meta' });
const error = el('p', { class: 'dash-error', role: 'alert', hidden: '' });
const status = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
const emptyState = el(
  'section',
  { class: 'card empty-state', hidden: '', 'aria-labelledby': 'empty-title' },
  el('h2', { id: 'empty-title' }, 'No rounds yet: calibrate, explore and start a round with iTool: Start Optimization Round'),
  el(
    'ol',
    {},
    el('li', {}, 'Open the dataset (iTool: Open Dataset) and calibrate it with the policy (Calibrate…).'),
    el('li', {}, 'Select the deficient samples and explore them to find preference pairs (Explore…).'),
    el('li', {}, 'Start a round (iTool: Start Optimization Round): its pairs, training job and held-out accuracy appear here.'),
  ),
  el('p', { class: 'meta registry-path' }),
);
const loading = el('p', { class: 'meta loading' }, 'Reading the round registry…');
const table = new RoundsTable();
const accuracy = new ChartCard<'line'>('accuracy', 'Held-out accuracy (checker)');
const kinds = new ChartCard<'bar'>('kinds', 'Error kinds on the held-out split');
const pairs = new ChartCard<'bar'>('pairs', 'Preference pairs per round');
const ppl = new ChartCard<'line'>('ppl', 'Perplexity distribution per round (calibration)');
const loss = new ChartCard<'line'>('loss', 'Training loss per step (trainer log)');
const form = new TrainingForm();
const content = el('div', { class: 'content', hidden: '' }, loss.root, table.root, el('div', { class: 'charts' }, accuracy.root, kinds.root, pairs.root, ppl.root));

app.append(el('header', { class: 'dash-header' }, title, meta), error, status, form.root, loading, emptyState, content);

let shown = false;
let empty = false;
// While the form is open, the empty state's "start a round with …" would only repeat it.
form.onVisible = (open) => {
  emptyState.hidden = !empty || open;
};

function showSource(source: DashboardSource, readAt?: string): void {
  title.textContent = `Rounds — ${source.fileName}`;
  title.title = source.filePath;
  const at = readAt ? ` · updated ${new Date(readAt).toLocaleTimeString()}` : '';
  meta.textContent = `Registry: ${source.registryPath}${at}`;
  emptyState.querySelector('.registry-path')!.textContent = `This dashboard reads ${source.registryPath} and updates as soon as it changes.`;
}

function showData(data: DashboardData): void {
  loading.hidden = true;
  error.hidden = true;
  shown = true;
  app.dataset.state = data.empty ? 'empty' : 'data';
  app.dataset.rounds = String(data.table.length);
  empty = data.empty;
  emptyState.hidden = !data.empty || !form.root.hidden;
  content.hidden = data.empty;
  if (data.empty) {
    status.textContent = 'No rounds yet.';
    return;
  }
  if (data.heldOut) meta.textContent += ` · held-out split: ${data.heldOut}`;
  table.show(data.table);
  showAccuracy(accuracy, data);
  showKinds(kinds, data);
  showPairs(pairs, data);
  showPpl(ppl, data);
  status.textContent = `${data.table.length} round(s) shown.`;
}

onMessage((msg) => {
  switch (msg.type) {
    case 'data':
      showSource(msg.source, msg.readAt);
      showData(msg.data);
      post({ type: 'rendered', rounds: msg.data.table.length });
      return;
    case 'loss':
      showLoss(loss, msg.loss);
      return;
    case 'form':
      form.show(msg.form);
      return;
    case 'formErrors':
      form.showErrors(msg.errors, msg.message);
      return;
    case 'formState':
      form.setState(msg.state);
      return;
    case 'error':
      showSource(msg.source);
      loading.hidden = true;
      error.hidden = false;
      error.textContent = shown ? `${msg.message} (showing the registry as last read)` : msg.message;
      if (!shown) app.dataset.state = 'error';
      return;
  }
});

// VS Code swaps the body's theme class and rewrites the --vscode-* variables on <html> when the
// colour theme changes: draw the charts again with the new colours (once per frame at most).
let redrawQueued = false;
const redrawAll = (): void => {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    for (const c of [loss, accuracy, kinds, pairs, ppl]) c.redraw();
  });
};
new MutationObserver(redrawAll).observe(document.body, { attributes: true, attributeFilter: ['class'] });
new MutationObserver(redrawAll).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });

post({ type: 'ready' });

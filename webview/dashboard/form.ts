// The start-round form at the top of the dashboard (host: src/extension/trainingForm.ts): every
// setting of the round in view at once, filled in with the defaults the export would use. The page
// keeps the numbers in step with the choices (another objective or backend brings its defaults
// into the fields the user has not typed in, and greys out γ and the learning rate where the trainer
// takes none), and reports every edit; the host says what is wrong (one validation, in the core)
// and the page shows it beside the field. Keyboard: Tab through the fields, Ctrl+Enter starts,
// Escape cancels. Text goes in with textContent only.
import { button, focusWhenReady, select, setOptions, textField, type Select, type TextField } from '../shared/components';
import { el } from '../shared/dom';
import { post } from './host';
import type { TrainingFormErrors, TrainingFormInit, TrainingFormValues } from './protocol';

type NumberField = 'beta' | 'gamma' | 'learningRate' | 'epochs';
type Field = keyof TrainingFormValues;
type Control = HTMLElement & { value: string; disabled?: boolean; invalid?: boolean };

const NUMBER_FIELDS: readonly NumberField[] = ['beta', 'gamma', 'learningRate', 'epochs'];
const LABELS: Record<Field, string> = { backend: 'Backend', objective: 'Objective', beta: 'β (beta)', gamma: 'γ (gamma)', learningRate: 'Learning rate', epochs: 'Epochs' };

/**
 * Give a select its options with `value` chosen. setOptions keeps the value the select reads back,
 * which is '' until its options have rendered; the option marked selected is what it takes then.
 */
function choose(s: Select, options: { value: string; label: string }[], value: string): void {
  setOptions(s, options);
  for (const o of s.children) o.toggleAttribute('selected', o.getAttribute('value') === value);
  s.value = value;
}

const fmt = (v: number): string => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v));

export class TrainingForm {
  readonly root: HTMLElement;
  private readonly heading = el('h2', { id: 'training-form-title' });
  private readonly pairs = el('p', { class: 'meta form-pairs' });
  private readonly backend: Select = select('Trainer backend', [], { className: 'form-backend' });
  private readonly objective: Select = select('Training objective', [], { className: 'form-objective' });
  private readonly fields: Record<NumberField, TextField>;
  private readonly hints = {} as Record<Field, HTMLElement>;
  private readonly errorText = {} as Record<Field, HTMLElement>;
  private readonly message = el('p', { class: 'form-message', role: 'alert' });
  private readonly start = button('Start training', { className: 'form-start' });
  private readonly cancel = button('Cancel', { className: 'form-cancel', secondary: true });
  private readonly reset = button('Reset to defaults', { className: 'form-reset', secondary: true });
  private init: TrainingFormInit | undefined;
  /**
   * The backend and objective chosen, kept here: a select set by code reads back its new value only
   * once its options have rendered, which is after the code that needs it has run.
   */
  private chosen = { backend: '', objective: '' };
  /** Fields the user typed in since the form opened: a new objective or backend leaves them be. */
  private readonly touched = new Set<NumberField>();
  /** Called when the form is shown or closed (the page hides its empty state meanwhile). */
  onVisible: (shown: boolean) => void = () => undefined;

  constructor() {
    this.fields = {
      beta: textField('β (beta)', { className: 'form-beta' }),
      gamma: textField('γ (gamma)', { className: 'form-gamma' }),
      learningRate: textField('Learning rate', { className: 'form-lr' }),
      epochs: textField('Epochs', { className: 'form-epochs' }),
    };
    const rows = (['backend', 'objective', ...NUMBER_FIELDS] as Field[]).map((f) => {
      const control = this.control(f);
      this.hints[f] = el('span', { class: 'form-hint', id: `form-hint-${f}` });
      this.errorText[f] = el('span', { class: 'form-error', id: `form-error-${f}`, 'aria-live': 'polite' });
      return el('div', { class: `form-row form-row-${f}`, 'data-field': f }, el('span', { class: 'form-label', id: `form-label-${f}` }, LABELS[f]), el('div', { class: 'form-control' }, control, this.hints[f], this.errorText[f]));
    });
    this.root = el(
      'section',
      { class: 'card training-form', hidden: '', 'aria-labelledby': 'training-form-title' },
      this.heading,
      this.pairs,
      el('div', { class: 'form-grid' }, ...rows),
      this.message,
      el('div', { class: 'form-buttons' }, this.start, this.cancel, this.reset, el('span', { class: 'form-keys meta' }, 'Ctrl+Enter starts · Escape cancels')),
    );
    this.backend.addEventListener('change', () => {
      this.chosen.backend = this.backend.value;
      this.choiceChanged();
    });
    this.objective.addEventListener('change', () => {
      this.chosen.objective = this.objective.value;
      this.choiceChanged();
    });
    for (const f of NUMBER_FIELDS) {
      this.fields[f].addEventListener('input', () => {
        this.touched.add(f);
        this.changed();
      });
    }
    this.start.addEventListener('click', () => this.submit());
    this.cancel.addEventListener('click', () => post({ type: 'formCancel' }));
    this.reset.addEventListener('click', () => {
      this.touched.clear();
      this.fillDefaults();
      this.changed();
    });
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.submit();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        post({ type: 'formCancel' });
      }
    });
  }

  private control(f: Field): Control {
    return (f === 'backend' ? this.backend : f === 'objective' ? this.objective : this.fields[f]) as Control;
  }

  show(init: TrainingFormInit): void {
    this.init = init;
    this.touched.clear();
    this.heading.textContent = `Start round ${init.round} of ${init.datasetName}`;
    const p = init.pairs;
    this.pairs.textContent = [
      `${p.accepted} accepted pair${p.accepted === 1 ? '' : 's'}${p.manual ? ` (${p.manual} made by hand)` : ''} will be trained on`,
      p.pending ? `${p.pending} pending pair${p.pending === 1 ? ' is' : 's are'} left out` : '',
      init.baseModel ? `base model: ${init.baseModel}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    this.root.dataset.pending = String(p.pending);
    this.chosen = { backend: init.values.backend, objective: init.values.objective };
    choose(this.backend, init.backends.map((b) => ({ value: b.id, label: b.label })), init.values.backend);
    this.setObjectives(init.values.objective);
    for (const f of NUMBER_FIELDS) this.fields[f].value = init.values[f];
    // What was typed before the page was hidden stays typed.
    const d = this.defaults();
    for (const f of NUMBER_FIELDS) if (d && init.values[f] !== this.defaultText(f)) this.touched.add(f);
    this.setBusy(false);
    this.message.textContent = '';
    this.showErrors({});
    this.describe();
    this.root.hidden = false;
    this.onVisible(true);
    focusWhenReady(this.backend);
    post({ type: 'formChanged', values: this.values() });
  }

  /** The host's verdict on the values: a message per wrong field, and one about starting. */
  showErrors(errors: TrainingFormErrors, message?: string): void {
    for (const f of Object.keys(this.errorText) as Field[]) {
      const e = errors[f];
      this.errorText[f].textContent = e ?? '';
      const c = this.control(f);
      c.invalid = !!e;
      c.toggleAttribute('aria-invalid', !!e);
      this.root.querySelector(`.form-row-${f}`)?.classList.toggle('invalid', !!e);
    }
    this.root.dataset.errors = Object.keys(errors).join(',');
    if (message !== undefined) this.message.textContent = message;
    else if (Object.keys(errors).length === 0) this.message.textContent = '';
    if (message !== undefined) this.setBusy(false);
  }

  setState(state: 'starting' | 'closed'): void {
    if (state === 'closed') {
      this.root.hidden = true;
      this.onVisible(false);
      return;
    }
    this.setBusy(true);
    this.message.textContent = 'Exporting the pairs and starting the trainer…';
  }

  private setBusy(busy: boolean): void {
    this.root.dataset.state = busy ? 'starting' : 'open';
    for (const c of [this.backend, this.objective, this.start, this.reset, ...Object.values(this.fields)] as Control[]) c.disabled = busy;
    this.applicable();
  }

  values(): TrainingFormValues {
    return { backend: this.chosen.backend, objective: this.chosen.objective, beta: this.fields.beta.value, gamma: this.fields.gamma.value, learningRate: this.fields.learningRate.value, epochs: this.fields.epochs.value };
  }

  private submit(): void {
    if (this.root.hidden || this.root.dataset.state === 'starting') return;
    post({ type: 'formStart', values: this.values() });
  }

  private changed(): void {
    this.describe();
    post({ type: 'formChanged', values: this.values() });
  }

  /** Another backend or objective: its objectives, and its defaults in every field not typed in. */
  private choiceChanged(): void {
    this.setObjectives(this.chosen.objective);
    this.fillDefaults(true);
    this.changed();
  }

  private setObjectives(preferred: string): void {
    const init = this.init!;
    const allowed = init.allowed[this.chosen.backend as keyof TrainingFormInit['allowed']] ?? [];
    // The preferred one when the backend trains it, else the backend's first.
    const objective = allowed.find((o) => o === preferred) ?? allowed[0] ?? '';
    this.chosen.objective = objective;
    choose(this.objective, init.objectives.filter((o) => allowed.includes(o.id)).map((o) => ({ value: o.id, label: o.label })), objective);
  }

  private defaults() {
    const init = this.init;
    return init?.defaults[this.chosen.backend as keyof TrainingFormInit['defaults']]?.[this.chosen.objective as keyof TrainingFormInit['defaults']['local']];
  }

  private defaultText(f: NumberField): string {
    const d = this.defaults();
    const v = d?.[f];
    return v === null || v === undefined ? '' : fmt(v);
  }

  private fillDefaults(untouchedOnly = false): void {
    for (const f of NUMBER_FIELDS) if (!untouchedOnly || !this.touched.has(f) || this.defaults()?.[f] === null) this.fields[f].value = this.defaultText(f);
    for (const f of NUMBER_FIELDS) if (this.defaults()?.[f] === null) this.touched.delete(f);
    this.applicable();
  }

  /** γ only for SimPO, a learning rate only where the trainer takes one: the others greyed out, empty. */
  private applicable(): void {
    const d = this.defaults();
    const busy = this.root.dataset.state === 'starting';
    for (const f of ['gamma', 'learningRate'] as const) {
      const na = d?.[f] === null;
      (this.fields[f] as Control).disabled = busy || na;
      this.root.querySelector(`.form-row-${f}`)?.classList.toggle('not-applicable', na);
    }
  }

  /** The hints: what each default is and where it comes from; what the backend is. */
  private describe(): void {
    const init = this.init!;
    const d = this.defaults();
    const b = init.backends.find((x) => x.id === this.chosen.backend);
    this.hints.backend.textContent = b?.detail ?? '';
    this.hints.objective.textContent = d ? `defaults from ${d.source}` : '';
    const same = (f: NumberField) => this.fields[f].value.trim() === this.defaultText(f);
    const hint = (f: NumberField, what: string) => (d ? `${what}${same(f) ? ' (default)' : `; default ${this.defaultText(f)}`}` : '');
    this.hints.beta.textContent = hint('beta', this.chosen.objective === 'simpo' ? 'reward scale' : 'strength of the pull from the reference');
    this.hints.gamma.textContent = d?.gamma === null ? 'only SimPO has a target margin γ' : hint('gamma', 'SimPO’s target reward margin');
    this.hints.learningRate.textContent = d?.learningRate === null ? 'the service picks the learning rate' : hint('learningRate', 'peak rate of the schedule');
    this.hints.epochs.textContent = hint('epochs', 'passes over the pairs');
    this.applicable();
  }
}

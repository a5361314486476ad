// The webviews' form controls, made in one place: every button, select, text field and badge the
// pages show comes from here. They are @vscode-elements/elements components (Lit web components
// that follow VS Code's theme variables, light, dark and high contrast alike, are keyboard
// operable, and style themselves through adopted stylesheets and the CSSOM: nothing the strict
// CSP of webviewHtml.ts refuses). The rest of the webview code asks for a control by what it is
// and never names the library or its tags, so swapping the library means changing this file (and
// the e2e selectors that click into a select's list); the lint forbids importing it elsewhere.
// Each control also carries a `ui-*` class (ui-button, ui-select, ui-textfield, ui-badge) for
// media/*.css. Only the components used are imported, so only they are bundled.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { textWidth } from './dom';

/** A select's current value (`''` until its options are in). */
export type Select = HTMLElement & { value: string };
/** A one-line text field; `value` is what is typed. Keydown events bubble from it as from an input. */
export type TextField = HTMLElement & { value: string };

export interface ControlOptions {
  /** Class names besides the control's own `ui-*` class. */
  className?: string;
  /** Tooltip. */
  title?: string;
  hidden?: boolean;
}

function make<T extends HTMLElement>(tag: string, uiClass: string, o: ControlOptions): T {
  const e = document.createElement(tag) as T;
  e.className = o.className ? `${uiClass} ${o.className}` : uiClass;
  if (o.title) e.title = o.title;
  if (o.hidden) e.hidden = true;
  return e;
}

/** A button; `secondary` for the less prominent style. Enter and Space click it, as a <button>. */
export function button(label: string, o: ControlOptions & { secondary?: boolean } = {}): HTMLElement {
  const b = make('vscode-button', 'ui-button', o);
  if (o.secondary) b.setAttribute('secondary', '');
  b.textContent = label;
  return b;
}

export interface SelectOption {
  value: string;
  label: string;
}

/**
 * A drop-down list (a single choice). `label` names it for assistive technology. It fires `change`
 * when the user picks an option (not when `value` is set by code). Space, Enter and ↑/↓ work it
 * from the keyboard; its options list lies in its shadow root (role="option").
 */
export function select(label: string, options: readonly SelectOption[], o: ControlOptions = {}): Select {
  const s = make<Select>('vscode-single-select', 'ui-select', o);
  (s as Select & { label: string }).label = label;
  setOptions(s, options);
  return s;
}

/**
 * Replace a select's options, keeping its value when the new options still offer it (else the
 * first option is chosen). Its width follows the longest label, so no option is cut short.
 */
export function setOptions(s: Select, options: readonly SelectOption[]): void {
  const current = s.value;
  const value = options.some((opt) => opt.value === current) ? current : (options[0]?.value ?? '');
  s.replaceChildren(
    ...options.map((opt) => {
      const e = document.createElement('vscode-option');
      e.setAttribute('value', opt.value);
      // The select reads its options when its slot changes (after this call): the one marked
      // selected is its value then.
      if (opt.value === value) e.setAttribute('selected', '');
      e.textContent = opt.label;
      return e;
    }),
  );
  s.value = value;
  // Set through the CSSOM (a style attribute would need 'unsafe-inline' styles); media/panel.css
  // adds the room the border, padding and arrow take.
  const widest = Math.max(0, ...options.map((opt) => textWidth(opt.label)));
  s.style.setProperty('--ui-select-label-width', `${Math.ceil(Math.min(widest, 400))}px`);
}


/** A one-line text field; `label` names it for assistive technology. */
export function textField(label: string, o: ControlOptions & { placeholder?: string } = {}): TextField {
  const t = make<TextField & { label: string; placeholder: string }>('vscode-textfield', 'ui-textfield', o);
  t.label = label;
  if (o.placeholder) t.placeholder = o.placeholder;
  return t;
}

/**
 * A multi-line text box: a native <textarea> (the library's text area keeps its text in a shadow
 * root, where line breaks and the caret are harder to reach from tests and assistive technology),
 * styled from the theme's input colours by media/*.css through its `ui-textarea` class. Its value
 * keeps line breaks as typed; `label` names it for assistive technology.
 */
export function textArea(label: string, o: ControlOptions & { rows?: number; value?: string } = {}): HTMLTextAreaElement {
  const t = make<HTMLTextAreaElement>('textarea', 'ui-textarea', o);
  t.setAttribute('aria-label', label);
  t.rows = o.rows ?? 4;
  t.spellcheck = false;
  if (o.value !== undefined) t.value = o.value;
  return t;
}

/** A small pill for a count or a status; its text is set with textContent. */
export function badge(o: ControlOptions = {}): HTMLElement {
  const b = make('vscode-badge', 'ui-badge', o);
  b.setAttribute('variant', 'counter');
  return b;
}

/**
 * Focus a control made here once it has rendered (a select or text field renders its inner parts
 * after it joins the page, and takes the focus through them).
 */
export function focusWhenReady(e: HTMLElement): void {
  const ready = (e as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
  if (ready) void ready.then(() => e.focus());
  else e.focus();
}

/**
 * Whether a key pressed in `target` is the user typing or working a control (an input, a text
 * area, one of our text fields or selects): page-wide single-key shortcuts must leave it alone.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (/^(INPUT|TEXTAREA)$/.test(target.tagName) || target.matches('.ui-textfield, .ui-select'));
}

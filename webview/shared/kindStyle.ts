// Error-kind colours in the webviews (the dataset panel and the round dashboard), from the one table
// in src/core/toolcall/errorKinds.ts: installKindColours adopts its stylesheet (a constructed
// stylesheet, which the strict CSP allows, unlike inline style), so every element with
// data-kind="<kind>" gets `--kind`, and the theme's class on body picks the light or dark colours —
// a theme change recolours without a redraw. Charts read the colours back with kindColour.
import { kindLabel, kindStyleSheet, kindVariable } from '../../src/core/toolcall/errorKinds';
import type { ErrorKind } from '../../src/core/toolcall/types';
import { el, themeColour } from './dom';

let installed = false;

export function installKindColours(): void {
  if (installed) return;
  installed = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(kindStyleSheet());
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

/** A kind's colour in the theme now (for canvas drawing), else the text colour. */
export function kindColour(kind: ErrorKind): string {
  installKindColours();
  return themeColour(kindVariable(kind));
}

/** The kind's name with its colour beside it: a swatch (hidden from screen readers), then the label as text. */
export function kindTag(kind: ErrorKind, cls = ''): HTMLElement {
  installKindColours();
  return el('span', { class: `kind-tag${cls ? ` ${cls}` : ''}`, 'data-kind': kind }, el('span', { class: 'kind-swatch', 'aria-hidden': 'true' }), kindLabel(kind));
}

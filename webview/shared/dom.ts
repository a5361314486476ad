// Tiny DOM helpers. Text goes in with textContent only: dataset strings are untrusted and are
// never parsed as HTML anywhere in the page.
type Child = Node | string | null | undefined;
// Form controls (buttons, selects, text fields, badges) come from components.ts, not from here.
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, ...children: Child[]): HTMLElementTagNameMap[K];
export function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c == null) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

export function text(tag: keyof HTMLElementTagNameMap, cls: string, value: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  e.textContent = value;
  return e;
}

/** A colour the stylesheet defines as a CSS variable on body (media/*.css, kindStyle.ts), else the text colour. */
export function themeColour(variable: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(variable).trim();
  return v || getComputedStyle(document.body).color;
}

/** Pretty JSON for display (arguments, schemas). */
export function pretty(v: unknown): string {
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

let measure: CanvasRenderingContext2D | null | undefined;
/**
 * The width `s` takes in the page's font (what a list cell or a select's face shows it in);
 * `perChar` per character where the page has no canvas to measure with.
 */
export function textWidth(s: string, perChar = 8): number {
  measure ??= document.createElement('canvas').getContext('2d');
  if (!measure) return s.length * perChar;
  const css = getComputedStyle(document.body);
  measure.font = `${css.fontSize} ${css.fontFamily}`;
  return measure.measureText(s).width;
}

// The checker's error kinds as people see them: one table (label, one-line description, a colour
// for light and one for dark themes) for every view that names or colours a kind — the dataset
// panel's summary chart, its highlighted fragments and error lists, the review queue, the round
// dashboard's error-kind chart and the text editor's decorations. Data only (no DOM, no vscode), so
// the webviews, the extension and the CLI all import it; webview/kindStyle.ts turns it into CSS.
//
// Colours: the nine hues of Paul Tol's "muted" qualitative scheme (rose, indigo, sand, green,
// cyan, wine, teal, olive, purple; https://personal.sron.nl/~pault/#sec:qualitative), which is
// built to stay apart for colour-blind readers. Tol's own values are for white paper and several
// fall under 3:1 against an editor background, so lightness and chroma were re-tuned per theme
// (hues kept) until every colour has at least 3:1 (WCAG 2, graphics) against the light and dark
// editor backgrounds and every pair stays at least ΔE2000 10 apart under simulated protanopia,
// deuteranopia and tritanopia (Machado et al. 2009). test/unit/errorKinds.test.ts checks all of
// it; the minimum differences it finds are in its output. A colour is never the only cue: every
// view prints the kind's label beside it.
import { ERROR_KINDS, type ErrorKind } from './types';

export interface ErrorKindInfo {
  /** Short name shown beside the colour everywhere (lower case, no underscores). */
  label: string;
  /** What the kind means, in a few words (quick picks, tooltips). */
  description: string;
  /** '#rrggbb' for light themes (light and high-contrast light) and for dark ones (dark, high contrast). */
  colour: { light: string; dark: string };
}

export const ERROR_KIND_INFO: Readonly<Record<ErrorKind, ErrorKindInfo>> = {
  parse_error: { label: 'parse error', description: 'the call text does not parse', colour: { light: '#dd5370', dark: '#ff6c86' } }, // rose
  wrong_function: { label: 'wrong function', description: 'calls the wrong function', colour: { light: '#432ec2', dark: '#805fe9' } }, // indigo
  wrong_call_count: { label: 'wrong call count', description: 'too many or too few calls', colour: { light: '#645b09', dark: '#f2e4ae' } }, // sand
  missing_required_param: { label: 'missing required param', description: 'a required argument is missing', colour: { light: '#0e77b3', dark: '#a0dfff' } }, // cyan
  unexpected_param: { label: 'unexpected param', description: 'an argument the function does not take', colour: { light: '#90902b', dark: '#a3a434' } }, // olive
  wrong_value: { label: 'wrong value', description: 'an argument has the wrong value', colour: { light: '#00a18d', dark: '#2fbda8' } }, // teal
  wrong_type: { label: 'wrong type', description: 'an argument has the wrong type', colour: { light: '#426b48', dark: '#4b8a55' } }, // green
  should_not_call: { label: 'should not call', description: 'should have answered in text', colour: { light: '#8c0052', dark: '#9d677d' } }, // wine
  should_call: { label: 'should call', description: 'should have called a tool', colour: { light: '#885f7f', dark: '#d780d5' } }, // purple
};

/** Label per kind (derived from the table, for code that indexes by kind). */
export const KIND_LABEL: Readonly<Record<ErrorKind, string>> = Object.fromEntries(ERROR_KINDS.map((k) => [k, ERROR_KIND_INFO[k].label])) as Record<ErrorKind, string>;

/** The label of a kind; an unknown kind (an older or newer journal) is shown as written, without underscores. */
export function kindLabel(kind: string): string {
  return (ERROR_KIND_INFO as Record<string, ErrorKindInfo | undefined>)[kind]?.label ?? kind.replace(/_/g, ' ');
}

/** The CSS custom property holding a kind's colour in the current theme (set by webview/kindStyle.ts). */
export function kindVariable(kind: ErrorKind): string {
  return `--itool-kind-${kind.replace(/_/g, '-')}`;
}

/**
 * The stylesheet the webviews adopt: every kind's colour as a custom property on body, dark by
 * default and light under VS Code's light theme classes, and `--kind` on any element with
 * `data-kind="<kind>"` (highlights, error lists, labels), which media/*.css paints with.
 */
export function kindStyleSheet(): string {
  const vars = (theme: 'light' | 'dark') => ERROR_KINDS.map((k) => `  ${kindVariable(k)}: ${ERROR_KIND_INFO[k].colour[theme]};`).join('\n');
  return [
    `body {\n${vars('dark')}\n}`,
    `body.vscode-light, body.vscode-high-contrast-light {\n${vars('light')}\n}`,
    ...ERROR_KINDS.map((k) => `[data-kind="${k}"] { --kind: var(${kindVariable(k)}); }`),
  ].join('\n');
}
